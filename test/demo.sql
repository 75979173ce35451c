-- corm's tour: the models of Flask-SQLAlchemy's "Customizing" page, declared
-- in SQL, and the schema corm generates for them (README.md, "A tour in psql").
--
-- test/demo.sh runs this on a throwaway cluster; it also runs on any database
-- where corm is installed and the extension is not yet created:
--     psql -X -f test/demo.sql
\set ON_ERROR_STOP on
\set ECHO queries
\set QUIET on
\pset pager off
\set QUIET off

\echo
\echo '==== 1. Create the extension'
CREATE EXTENSION corm;

\echo
\echo '==== 2. A mixin: TimestampMixin, whose updated column is set on every UPDATE'
SELECT corm.register_mixin('TimestampMixin',
  columns  => 'created timestamp NOT NULL DEFAULT now(), updated timestamp',
  onupdate => 'updated = now()');

\echo
\echo '==== 3. A model class, IdModel, and the models User, Employee, Author and Post'
SELECT corm.register_model_class('IdModel', primary_key => 'id integer');
SELECT corm.register_model('User', model_class => 'IdModel', columns => 'name varchar');
SELECT corm.register_model('Employee', parent => 'User', columns => 'title varchar');
SELECT corm.register_model('Author', model_class => 'IdModel');
SELECT corm.register_model('Post', model_class => 'IdModel', mixins => '{TimestampMixin}');

\echo
\echo '==== 4. The tables corm generated'
\echo '\\d "user"'
\d "user"
\echo '\\d employee'
\d employee
\echo '\\d author'
\d author
\echo '\\d post'
\d post

\echo
\echo '==== 5. corm''s catalog views'
SELECT * FROM corm.models;
SELECT * FROM corm.columns;

\echo
\echo '==== 6. The DDL corm runs for each model'
SELECT corm.ddl(name) FROM corm.models;
