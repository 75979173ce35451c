-- corm's tour: the models of Flask-SQLAlchemy's "Customizing" page declared
-- in SQL, rows written through a joined view, the query functions, a
-- re-registration that migrates, the generated schema and the diagram.
-- README.md's "A tour in psql" tells the same story.
--
-- test/demo.sh runs this on a throwaway cluster; it also runs on any database
-- where corm is installed and the extension is not yet created:
--     psql -X -v ON_ERROR_STOP=1 -f test/demo.sql
-- Any error stops it (ON_ERROR_STOP), so that test/demo.sh fails; the one
-- error shown on purpose, get_or_404's, is caught inside a DO block.
\set ON_ERROR_STOP on
\set QUIET on
\pset pager off
\set ECHO queries

\echo
\echo '==== 1. Create the extension'
CREATE EXTENSION corm;

\echo
\echo '==== 2. The seed''s models, declared in SQL'
-- each register call returns the statements it ran (section 7 shows them);
-- here they go to /dev/null
\o /dev/null
-- class TimestampMixin: created and updated, updated set on every UPDATE
SELECT corm.register_mixin('TimestampMixin',
  columns  => 'created timestamp NOT NULL DEFAULT now(), updated timestamp',
  onupdate => 'updated = now()');
-- class GetOrQuery(BaseQuery) with its get_or method
SELECT corm.register_query_class('GetOrQuery');
SELECT corm.register_query_method('GetOrQuery', 'get_or',
  args    => 'ident @pktype@, "default" @rowtype@ DEFAULT NULL',
  returns => '@rowtype@',
  body    => 'SELECT coalesce((SELECT m FROM @view@ m WHERE m.@pk@ = ident), "default")');
-- SQLAlchemy(model_class=IdModel, query_class=GetOrQuery)
SELECT corm.register_model_class('IdModel', primary_key => 'id integer',
                                 query_class => 'GetOrQuery');
-- class User(db.Model), class Employee(User), class Author(db.Model),
-- class Post(TimestampMixin, db.Model)
SELECT corm.register_model('User', model_class => 'IdModel', columns => 'name varchar');
SELECT corm.register_model('Employee', parent => 'User', columns => 'title varchar');
SELECT corm.register_model('Author', model_class => 'IdModel');
SELECT corm.register_model('Post', model_class => 'IdModel', mixins => '{TimestampMixin}');
\o

\echo
\echo '==== 3. The tables corm made'
\echo '\\d "user"'
\d "user"
\echo '\\d employee'
\d employee
\echo '\\d post'
\d post

\echo
\echo '==== 4. corm''s catalog: the models, and where every column came from'
SELECT name, kind, parent, model_class, mixins, "table" FROM corm.models;
SELECT model, position, name, type, origin, "table" FROM corm.columns;

\echo
\echo '==== 5. Rows through the views: one INSERT into employee_view fills "user" and employee'
INSERT INTO user_view (name) VALUES ('Ada') RETURNING *;
INSERT INTO employee_view (name, title) VALUES ('Grace', 'admiral') RETURNING *;
SELECT * FROM "user";
SELECT * FROM employee;
UPDATE employee_view SET name = 'Grace Hopper', title = 'rear admiral' WHERE id = 2 RETURNING *;
SELECT * FROM user_view;

\echo
\echo '==== 6. The query functions: BaseQuery''s get, get_or_404, count, paginate, and the seed''s get_or'
SELECT * FROM user_get(1);
SELECT * FROM user_get_or(42, ROW(0, 'anonymous')::user_view);
SELECT * FROM user_get_or(1, ROW(0, 'anonymous')::user_view);
SELECT (employee_get_or(2)).title;
SELECT user_count(), employee_count();
-- get_or_404 of a missing row is an error, P0002 (no_data_found): caught
-- here so that the tour goes on
DO $$
BEGIN
    PERFORM * FROM user_get_or_404(42);
    RAISE EXCEPTION 'user_get_or_404(42) found a row';
EXCEPTION WHEN no_data_found THEN
    RAISE NOTICE 'user_get_or_404(42) raised % (SQLSTATE %)', SQLERRM, SQLSTATE;
END $$;
\x on
SELECT * FROM user_paginate(page => 1, per_page => 1);
\x off

\echo
\echo '==== 7. Registering again migrates: Post gets a title column'
\echo '(corm.dry_run shows each statement, the lock it takes and whether it rewrites the table; nothing changes)'
INSERT INTO post DEFAULT VALUES RETURNING *;
SELECT step, split_part(ddl, E'\n', 1) AS ddl, relation, lock, rewrite, scan
  FROM corm.dry_run($$
  SELECT corm.register_model('Post', model_class => 'IdModel', mixins => '{TimestampMixin}',
                             columns => 'title text NOT NULL DEFAULT ''untitled''')
$$);
\echo '(the call itself runs the statements and returns them)'
\pset format unaligned
\pset tuples_only on
SELECT * FROM corm.register_model('Post', model_class => 'IdModel', mixins => '{TimestampMixin}',
                                  columns => 'title text NOT NULL DEFAULT ''untitled''');
\pset format aligned
\pset tuples_only off
\echo '\\d post'
\d post
SELECT id, title, updated FROM post;
-- TimestampMixin's onupdate: the UPDATE does not set updated, the trigger does
UPDATE post SET title = 'Hello' WHERE id = 1 RETURNING id, title, updated IS NOT NULL AS updated_was_set;

\echo
\echo '==== 8. The generated schema: the joined view and everything corm made for Employee'
\echo '\\d employee_view'
\d employee_view
\pset format unaligned
\pset tuples_only on
SELECT corm.ddl('Employee');

\echo
\echo '==== 9. The models as a diagram (mermaid; corm.diagram(''dot'') gives Graphviz)'
SELECT corm.diagram();
\pset format aligned
\pset tuples_only off
