-- corm: registering again (SPEC §1 "create or update", §8): unchanged means no
-- DDL at all; new columns are added with the rows kept; other changes are
-- refused and change nothing; a mixin's new column reaches every model using it.
BEGIN;
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION corm;
CREATE SCHEMA tap_rereg;
SET search_path = tap_rereg, public;

SELECT plan(82);

CREATE FUNCTION tap_rereg.cols(s name, t name) RETURNS name[] LANGUAGE sql AS $$
    SELECT array_agg(a.attname ORDER BY a.attnum)
      FROM pg_attribute a
      JOIN pg_class c ON c.oid = a.attrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = s AND c.relname = t AND a.attnum > 0 AND NOT a.attisdropped
$$;

-- every DDL command run, by anyone (corm's own statements included)
CREATE TABLE tap_rereg.ddl_log (tag text, identity text);
CREATE FUNCTION tap_rereg.log_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO tap_rereg.ddl_log SELECT command_tag, object_identity FROM pg_event_trigger_ddl_commands();
END
$$;
CREATE EVENT TRIGGER tap_rereg_log_ddl ON ddl_command_end EXECUTE FUNCTION tap_rereg.log_ddl();
-- the DDL on tables (a new column also rebuilds the views that show it,
-- and the functions over them)
CREATE FUNCTION tap_rereg.ddl_since_reset() RETURNS text[] LANGUAGE sql AS $$
    SELECT coalesce(array_agg(tag || ' ' || coalesce(identity, '') ORDER BY tag COLLATE "C", identity COLLATE "C"), '{}') FROM tap_rereg.ddl_log
     WHERE tag NOT LIKE '% VIEW' AND identity NOT LIKE '%\_view'
       AND tag NOT IN ('CREATE FUNCTION', 'DROP FUNCTION', 'CREATE TYPE', 'DROP TYPE')
$$;

-- what identifies a table's storage and its pg_class row version
CREATE TABLE tap_rereg.ident (tbl text PRIMARY KEY, oid oid, relfilenode oid, row_xmin text, row_ctid tid, natts int);
CREATE FUNCTION tap_rereg.remember(t text) RETURNS void LANGUAGE sql AS $$
    DELETE FROM tap_rereg.ident WHERE tbl = t;
    INSERT INTO tap_rereg.ident
    SELECT t, c.oid, c.relfilenode, c.xmin::text, c.ctid, c.relnatts FROM pg_class c WHERE c.oid = t::regclass;
$$;
CREATE FUNCTION tap_rereg.same_as_remembered(t text) RETURNS text LANGUAGE sql AS $$
    SELECT CASE
        WHEN c.oid IS DISTINCT FROM i.oid THEN 'pg_class.oid changed'
        WHEN c.relfilenode IS DISTINCT FROM i.relfilenode THEN 'relfilenode changed'
        WHEN c.xmin::text IS DISTINCT FROM i.row_xmin THEN 'pg_class.xmin changed'
        WHEN c.ctid IS DISTINCT FROM i.row_ctid THEN 'pg_class row rewritten (ctid changed)'
        WHEN c.relnatts IS DISTINCT FROM i.natts THEN 'number of columns changed'
        ELSE 'unchanged' END
      FROM tap_rereg.ident i LEFT JOIN pg_class c ON c.oid = to_regclass(t)
     WHERE i.tbl = t
$$;

SELECT corm.register_mixin('TimestampMixin',
      columns  => 'created timestamp NOT NULL DEFAULT now(), updated timestamp',
      onupdate => 'updated = now()');
SELECT corm.register_model_class('IdModel', primary_key => 'id integer');
SELECT corm.register_model('User', model_class => 'IdModel', columns => 'name varchar');
SELECT corm.register_model('Employee', parent => 'User', columns => 'title varchar');
SELECT corm.register_model('Post', model_class => 'IdModel', mixins => '{TimestampMixin}');
INSERT INTO "user" (name) VALUES ('ann'), ('bob');
INSERT INTO employee (id, title) VALUES (2, 'boss');
INSERT INTO post DEFAULT VALUES;

-- --------------------------------------------- the same definition again
SELECT remember('tap_rereg."user"');
SELECT remember('tap_rereg.employee');
SELECT remember('tap_rereg.post');
DELETE FROM ddl_log;
-- in lives_ok, the calls run in a subtransaction of their own: a rewritten
-- pg_class row would carry that subtransaction's xid as its xmin
SELECT lives_ok($$SELECT corm.register_model('User', model_class => 'IdModel', columns => 'name varchar')$$,
                'User registered again unchanged');
SELECT lives_ok($$SELECT corm.register_model('Employee', parent => 'User', columns => 'title varchar')$$,
                'Employee registered again unchanged');
SELECT lives_ok($$SELECT corm.register_model('Post', model_class => 'IdModel', mixins => '{TimestampMixin}')$$,
                'Post registered again unchanged');
SELECT lives_ok($$SELECT corm.register_mixin('TimestampMixin',
      columns  => 'created timestamp NOT NULL DEFAULT now(), updated timestamp',
      onupdate => 'updated = now()')$$, 'TimestampMixin registered again unchanged');
SELECT lives_ok($$SELECT corm.register_model_class('IdModel', primary_key => 'id integer')$$,
                'IdModel registered again unchanged');
SELECT is(ddl_since_reset(), '{}'::text[], 'registering unchanged definitions runs no DDL at all');
SELECT is(same_as_remembered('tap_rereg."user"'), 'unchanged', '"user": same oid, relfilenode, pg_class xmin and row');
SELECT is(same_as_remembered('tap_rereg.employee'), 'unchanged', 'employee: same oid, relfilenode, pg_class xmin and row');
SELECT is(same_as_remembered('tap_rereg.post'), 'unchanged', 'post: same oid, relfilenode, pg_class xmin and row');
-- the same columns written differently generate the same table
SELECT lives_ok($$SELECT corm.register_model('User', model_class => 'IdModel', columns => '  "name"   CHARACTER VARYING  -- same
')$$, 'User registered again with the same column spelt differently');
SELECT is(ddl_since_reset(), '{}'::text[], 'a differently spelt but equal definition runs no DDL');
SELECT is(same_as_remembered('tap_rereg."user"'), 'unchanged', '"user" untouched');
-- a column moved from the model into a mixin: the generated table is the same
SELECT corm.register_mixin('Named', columns => 'name varchar');
DELETE FROM ddl_log;
SELECT lives_ok($$SELECT corm.register_model('User', model_class => 'IdModel', mixins => '{Named}')$$,
                'User registered again with its column moved into a mixin');
SELECT is(ddl_since_reset(), '{}'::text[], 'moving a column into a mixin runs no DDL');
SELECT is(same_as_remembered('tap_rereg."user"'), 'unchanged', '"user" untouched by the move');
SELECT lives_ok($$SELECT corm.register_model('User', model_class => 'IdModel', columns => 'name varchar')$$,
                'and back');
SELECT is(ddl_since_reset(), '{}'::text[], 'moving it back runs no DDL');

-- every kind of column and constraint, registered again unchanged
SELECT lives_ok($$SELECT corm.register_model('Typed', model_class => 'IdModel', columns => $c$
        price numeric(10,2) NOT NULL DEFAULT 0, tags text[] DEFAULT '{}',
        label varchar(20) COLLATE "C" DEFAULT 'a, b', at timestamptz DEFAULT now(),
        n int GENERATED ALWAYS AS (1 + 1) STORED, ident int GENERATED ALWAYS AS IDENTITY,
        u int UNIQUE, c int CHECK (c > 0), r int REFERENCES "user" ON DELETE SET NULL,
        UNIQUE (price, tags), CHECK (price >= 0), FOREIGN KEY (u) REFERENCES "user" (id),
        EXCLUDE USING btree (label WITH =)$c$)$$, 'Typed: defaults, generated, identity, constraints');
SELECT lives_ok($$SELECT corm.register_model('Pair', columns => 'a int, b int, note text DEFAULT 1::text, PRIMARY KEY (a, b)')$$,
                'Pair: a composite key');
SELECT remember('tap_rereg.typed');
DELETE FROM ddl_log;
SELECT lives_ok($$SELECT corm.register_model('Typed', model_class => 'IdModel', columns => $c$
        price numeric(10,2) NOT NULL DEFAULT 0, tags text[] DEFAULT '{}',
        label varchar(20) COLLATE "C" DEFAULT 'a, b', at timestamptz DEFAULT now(),
        n int GENERATED ALWAYS AS (1 + 1) STORED, ident int GENERATED ALWAYS AS IDENTITY,
        u int UNIQUE, c int CHECK (c > 0), r int REFERENCES "user" ON DELETE SET NULL,
        UNIQUE (price, tags), CHECK (price >= 0), FOREIGN KEY (u) REFERENCES "user" (id),
        EXCLUDE USING btree (label WITH =)$c$)$$, 'Typed registered again unchanged');
SELECT lives_ok($$SELECT corm.register_model('Pair', columns => 'a int, b int, note text DEFAULT 1::text, PRIMARY KEY (a, b)')$$,
                'Pair registered again unchanged');
SELECT is(ddl_since_reset(), '{}'::text[], 'no DDL for either');
SELECT is(same_as_remembered('tap_rereg.typed'), 'unchanged', 'typed untouched');
SELECT lives_ok($$SELECT corm.register_model('Counter', columns => 'id int PRIMARY KEY, n serial, big bigserial')$$,
                'Counter: serial columns');
DELETE FROM ddl_log;
SELECT lives_ok($$SELECT corm.register_model('Counter', columns => 'id int PRIMARY KEY, n serial, big bigserial')$$,
                'Counter with serial columns registered again unchanged');
SELECT is(ddl_since_reset(), '{}'::text[], 'no DDL for the serial columns');

-- ------------------------------------------------------- adding a column
SELECT lives_ok($$SELECT corm.register_model('User', model_class => 'IdModel', columns => 'name varchar, email text DEFAULT ''none''')$$,
                'User registered again with a new column');
SELECT is(cols('tap_rereg', 'user'), ARRAY['id', 'name', 'email']::name[], 'the new column is added at the end');
SELECT col_default_is('tap_rereg', 'user', 'email', 'none'::text, 'with its default');
SELECT is((SELECT c.oid = i.oid AND c.relfilenode = i.relfilenode FROM pg_class c, ident i
            WHERE c.oid = 'tap_rereg."user"'::regclass AND i.tbl = 'tap_rereg."user"'),
          true, 'the same table was altered in place: same oid and relfilenode');
SELECT results_eq($$SELECT id, name::text, email FROM tap_rereg."user" ORDER BY id$$,
                  $$VALUES (1, 'ann', 'none'), (2, 'bob', 'none')$$, 'the rows are kept, the new column defaulted');
SELECT is((SELECT count(*)::int FROM employee), 1, 'the subclass''s rows are kept');
SELECT is(ddl_since_reset(), ARRAY['ALTER TABLE tap_rereg."user"'], 'exactly one ALTER TABLE ran');
SELECT is(cols('tap_rereg', 'employee'), ARRAY['id', 'title']::name[], 'the joined subclass''s table is unchanged');
SELECT remember('tap_rereg."user"');

-- ------------------------------------------------ refused changes, no effect
CREATE FUNCTION tap_rereg.user_columns() RETURNS text LANGUAGE sql AS $$
    SELECT columns FROM corm.model WHERE name = 'User'
$$;
SELECT throws_ok($$SELECT corm.register_model('User', model_class => 'IdModel', columns => 'name text, email text DEFAULT ''none''')$$,
                 '0A000', NULL, 'changing a column''s type is refused (0A000)');
SELECT col_type_is('tap_rereg', 'user', 'name', 'character varying', 'name keeps its type');
SELECT is(user_columns(), 'name varchar, email text DEFAULT ''none''', 'the catalog keeps the previous definition');
SELECT throws_ok($$SELECT corm.register_model('User', model_class => 'IdModel', columns => 'name varchar(10), email text DEFAULT ''none''')$$,
                 '0A000', NULL, 'changing a column''s type modifier is refused (0A000)');
SELECT throws_ok($$SELECT corm.register_model('User', model_class => 'IdModel', columns => 'name varchar DEFAULT ''x'', email text DEFAULT ''none''')$$,
                 '0A000', NULL, 'adding a default is refused (0A000)');
SELECT col_hasnt_default('tap_rereg', 'user', 'name', 'name still has no default');
SELECT throws_ok($$SELECT corm.register_model('User', model_class => 'IdModel', columns => 'name varchar, email text DEFAULT ''other''')$$,
                 '0A000', NULL, 'changing a default is refused (0A000)');
SELECT col_default_is('tap_rereg', 'user', 'email', 'none'::text, 'email keeps its default');
SELECT throws_ok($$SELECT corm.register_model('User', model_class => 'IdModel', columns => 'name varchar, email text')$$,
                 '0A000', NULL, 'removing a default is refused (0A000)');
SELECT throws_ok($$SELECT corm.register_model('User', model_class => 'IdModel', columns => 'name varchar NOT NULL, email text DEFAULT ''none''')$$,
                 '0A000', NULL, 'adding NOT NULL is refused (0A000)');
SELECT col_is_null('tap_rereg', 'user', 'name', 'name is still nullable');
SELECT throws_ok($$SELECT corm.register_mixin('TimestampMixin',
      columns  => 'created timestamp DEFAULT now(), updated timestamp', onupdate => 'updated = now()')$$,
                 '0A000', NULL, 'removing NOT NULL through a mixin is refused (0A000)');
SELECT col_not_null('tap_rereg', 'post', 'created', 'post.created is still NOT NULL');
SELECT throws_ok($$SELECT corm.register_model_class('IdModel', primary_key => 'id bigint')$$,
                 '0A000', NULL, 'changing the model class''s key type is refused (0A000)');
SELECT col_type_is('tap_rereg', 'user', 'id', 'integer', '"user".id is still integer');
SELECT is((SELECT primary_key FROM corm.model_class WHERE name = 'IdModel'), 'id integer', 'the catalog keeps the key');
SELECT throws_ok($$SELECT corm.register_model('User', model_class => 'IdModel', columns => 'email text DEFAULT ''none''')$$,
                 '2BP01', NULL, 'a column dropped from the definition is refused (2BP01)');
SELECT throws_like($$SELECT corm.register_model('User', model_class => 'IdModel', columns => 'email text DEFAULT ''none''')$$,
                   '%"name"%', 'the refusal names the column');
SELECT has_column('tap_rereg', 'user', 'name', 'name is still there');
SELECT throws_ok($$SELECT corm.register_model('User', model_class => 'IdModel', columns => 'name varchar')$$,
                 '2BP01', NULL, 'the previous definition, without the added column, is refused (2BP01)');
SELECT throws_ok($$SELECT corm.register_model('Post', model_class => 'IdModel')$$,
                 '2BP01', NULL, 'a mixin dropped from a model is refused (2BP01)');
SELECT is(cols('tap_rereg', 'post'), ARRAY['id', 'created', 'updated']::name[], 'post keeps the mixin''s columns');
SELECT is(user_columns(), 'name varchar, email text DEFAULT ''none''', 'the catalog still has the last accepted definition');
SELECT is(same_as_remembered('tap_rereg."user"'), 'unchanged', 'after every refusal "user" is exactly as it was');
SELECT results_eq($$SELECT id, name::text, email FROM tap_rereg."user" ORDER BY id$$,
                  $$VALUES (1, 'ann', 'none'), (2, 'bob', 'none')$$, 'and so are its rows');

-- ---------------------------------------- a mixin's new column reaches its users
SELECT corm.register_mixin('Audited', columns => 'audited_by text', mixins => '{TimestampMixin}');
SELECT corm.register_model('Note', model_class => 'IdModel', mixins => '{Audited}', columns => 'body text');
SELECT corm.register_model('Feature', parent => 'Post', columns => 'rank int');
SELECT corm.register_model('Plain', model_class => 'IdModel', columns => 'x int');
SELECT is(cols('tap_rereg', 'note'), ARRAY['id', 'created', 'updated', 'audited_by', 'body']::name[],
          'note before: the included mixin''s columns first');
SELECT remember('tap_rereg.plain');
DELETE FROM ddl_log;
SELECT lives_ok($$SELECT corm.register_mixin('TimestampMixin',
      columns  => 'created timestamp NOT NULL DEFAULT now(), updated timestamp, deleted timestamp',
      onupdate => 'updated = now()')$$, 'TimestampMixin registered again with a new column');
SELECT has_column('tap_rereg', 'post', 'deleted', 'post, using the mixin, gets the column');
SELECT col_type_is('tap_rereg', 'post', 'deleted', 'timestamp without time zone', 'with the mixin''s type');
SELECT has_column('tap_rereg', 'note', 'deleted', 'note, using a mixin that includes it, gets the column');
SELECT hasnt_column('tap_rereg', 'feature', 'deleted', 'a joined subclass of post does not repeat it');
SELECT hasnt_column('tap_rereg', 'plain', 'deleted', 'a model not using the mixin does not get it');
SELECT is(same_as_remembered('tap_rereg.plain'), 'unchanged', 'and its table is untouched');
SELECT is(ddl_since_reset(), ARRAY['ALTER TABLE tap_rereg.note', 'ALTER TABLE tap_rereg.post'],
          'exactly the two tables using the mixin were altered');
SELECT is((SELECT count(*)::int FROM post), 1, 'post keeps its row');
SELECT is((SELECT mixins FROM corm.model WHERE name = 'Note'), '{Audited}'::text[], 'Note''s definition is unchanged');

-- a model class's new column reaches the roots using it, not joined subclasses
DELETE FROM ddl_log;
SELECT lives_ok($$SELECT corm.register_model_class('IdModel', primary_key => 'id integer', columns => 'tenant int')$$,
                'IdModel registered again with a column');
SELECT has_column('tap_rereg', 'user', 'tenant', '"user" gets the model-class column');
SELECT has_column('tap_rereg', 'plain', 'tenant', 'plain gets the model-class column');
SELECT hasnt_column('tap_rereg', 'employee', 'tenant', 'the joined subclass employee does not repeat it');
SELECT is(ddl_since_reset(), ARRAY['ALTER TABLE tap_rereg."user"', 'ALTER TABLE tap_rereg.note',
                                   'ALTER TABLE tap_rereg.plain', 'ALTER TABLE tap_rereg.post', 'ALTER TABLE tap_rereg.typed'],
          'exactly the root tables were altered');

-- --------------------------------------- single-table subclass registered again
SELECT corm.register_model('Vehicle', model_class => 'IdModel', columns => 'kind text', polymorphic_on => 'kind');
SELECT corm.register_model('Car', parent => 'Vehicle', model_class => 'Model', columns => 'doors int');
SELECT remember('tap_rereg.vehicle');
DELETE FROM ddl_log;
SELECT lives_ok($$SELECT corm.register_model('Car', parent => 'Vehicle', model_class => 'Model', columns => 'doors int')$$,
                'a single-table subclass registered again unchanged');
SELECT lives_ok($$SELECT corm.register_model('Vehicle', model_class => 'IdModel', columns => 'kind text', polymorphic_on => 'kind')$$,
                'its root registered again unchanged, with the subclass''s columns in its table');
SELECT is(ddl_since_reset(), '{}'::text[], 'no DDL');
SELECT is(same_as_remembered('tap_rereg.vehicle'), 'unchanged', 'vehicle untouched');
SELECT lives_ok($$SELECT corm.register_model('Car', parent => 'Vehicle', model_class => 'Model', columns => 'doors int, seats int NOT NULL')$$,
                'a single-table subclass with a new column');
SELECT is(cols('tap_rereg', 'vehicle'), ARRAY['id', 'tenant', 'kind', 'doors', 'seats']::name[], 'the column is added to the shared table');
SELECT col_is_null('tap_rereg', 'vehicle', 'seats', 'nullable there');

SELECT * FROM finish();
ROLLBACK;
