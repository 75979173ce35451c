-- corm: registering again (SPEC §1 "create or update", §8): unchanged means no
-- DDL at all; a changed definition migrates the table in place (new columns,
-- types with a cast, defaults, NOT NULL, identity, constraints, a new table
-- name or bind schema) with its rows and OID kept and its views and functions
-- made again; what cannot be done in place, or would lose data unasked, is
-- refused and changes nothing; a mixin's or model class's change reaches every
-- model using it.
BEGIN;
SET client_min_messages = warning;
SET lc_messages = 'C';  -- error texts are matched below: in English, whatever the server's
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION corm;
CREATE SCHEMA tap_rereg;
SET search_path = tap_rereg, public, tap_helpers;
\ir helpers.psql

SELECT plan(239);

-- every DDL command run, by anyone (corm's own statements included)
CREATE TABLE tap_rereg.ddl_log (tag text, identity text);
CREATE FUNCTION tap_rereg.log_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO tap_rereg.ddl_log SELECT command_tag, object_identity FROM pg_event_trigger_ddl_commands();
END
$$;
CREATE EVENT TRIGGER tap_rereg_log_ddl ON ddl_command_end EXECUTE FUNCTION tap_rereg.log_ddl();
-- the DDL on tables, each distinct command tag and object once (a changed
-- column also rebuilds the views that show it and the functions over them; an
-- identity column's sequence follows its type; one table may get several
-- ALTER TABLE commands): so {ALTER TABLE x} means "x was altered in place,
-- nothing was created or dropped"
CREATE FUNCTION tap_rereg.ddl_since_reset() RETURNS text[] LANGUAGE sql AS $$
    SELECT coalesce(array_agg(d ORDER BY d COLLATE "C"), '{}') FROM (
        SELECT DISTINCT tag || ' ' || coalesce(identity, '') AS d FROM tap_rereg.ddl_log
         WHERE tag NOT LIKE '% VIEW' AND identity NOT LIKE '%\_view'
           AND tag NOT IN ('CREATE FUNCTION', 'DROP FUNCTION', 'CREATE TYPE', 'DROP TYPE', 'ALTER SEQUENCE')
    ) s
$$;
-- every command logged, views and functions included
CREATE FUNCTION tap_rereg.all_ddl_since_reset() RETURNS int LANGUAGE sql AS $$
    SELECT count(*)::int FROM tap_rereg.ddl_log
$$;

-- what identifies a table's storage and its pg_class row version
CREATE TABLE tap_rereg.ident (tbl text PRIMARY KEY, oid oid, relfilenode oid, row_xmin text, row_ctid tid, natts int);
CREATE FUNCTION tap_rereg.remember(t text) RETURNS void LANGUAGE sql AS $$
    DELETE FROM tap_rereg.ident WHERE tbl = t;
    INSERT INTO tap_rereg.ident
    SELECT t, c.oid, c.relfilenode, c.xmin::text, c.ctid, c.relnatts FROM pg_class c WHERE c.oid = t::regclass;
$$;
-- the table remembered as t is still the same table (it may have moved)
CREATE FUNCTION tap_rereg.remembered_oid(t text) RETURNS oid LANGUAGE sql AS $$
    SELECT oid FROM tap_rereg.ident WHERE tbl = t
$$;
CREATE FUNCTION tap_rereg.same_oid(t text) RETURNS boolean LANGUAGE sql AS $$
    SELECT to_regclass(t)::oid IS NOT DISTINCT FROM tap_rereg.remembered_oid(t)
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
SELECT is(all_ddl_since_reset(), 0, 'not even a view, trigger or function is made again');
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
SELECT is(all_ddl_since_reset(), 0, 'nor for their views and functions');
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
SELECT is(ddl_since_reset(), ARRAY['ALTER TABLE tap_rereg."user"'], 'only "user" was altered; no table was created or dropped');
SELECT is(cols('tap_rereg', 'employee'), ARRAY['id', 'title']::name[], 'the joined subclass''s table is unchanged');
SELECT remember('tap_rereg."user"');

-- ------------------------------------------------------ migrating in place
CREATE FUNCTION tap_rereg.user_columns() RETURNS text LANGUAGE sql AS $$
    SELECT columns FROM corm.model WHERE name = 'User'
$$;
CREATE FUNCTION tap_rereg.user_rows() RETURNS TABLE (id int, name text, email text) LANGUAGE sql AS $$
    SELECT u.id::int, u.name::text, u.email::text FROM tap_rereg."user" u ORDER BY u.id
$$;
CREATE FUNCTION tap_rereg.identity_of(rel regclass, col name) RETURNS text LANGUAGE sql AS $$
    SELECT attidentity::text FROM pg_attribute WHERE attrelid = rel AND attname = col
$$;
-- another model, with a relationship to User: its function returns user_view
SELECT corm.register_model('Ticket', columns => 'id int PRIMARY KEY, code text, owner int REFERENCES "user", ref int, seq int');
SELECT corm.register_relationship('Ticket', 'owner', 'User', foreign_key => 'owner');
INSERT INTO ticket VALUES (1, '7', 1, NULL, 10), (2, '8', 2, NULL, 20);
SELECT remember('tap_rereg.ticket');

-- a type change: ALTER COLUMN TYPE, the views over the table made again
DELETE FROM ddl_log;
SELECT lives_ok($$SELECT corm.register_model('User', model_class => 'IdModel', columns => 'name text, email text DEFAULT ''none''')$$,
                'User registered again with name changed from varchar to text');
SELECT col_type_is('tap_rereg', 'user', 'name', 'text', 'name is now text');
SELECT is(user_columns(), 'name text, email text DEFAULT ''none''', 'the catalog has the new definition');
SELECT is(same_oid('tap_rereg."user"'), true, '"user" was altered in place (same oid)');
SELECT results_eq($$SELECT * FROM tap_rereg.user_rows()$$,
                  $$VALUES (1, 'ann', 'none'), (2, 'bob', 'none')$$, 'the rows are kept');
SELECT is((SELECT count(*)::int FROM employee), 1, 'so are the joined subclass''s');
SELECT is(ddl_since_reset(), ARRAY['ALTER TABLE tap_rereg."user"'], 'only "user" was altered; no table was created or dropped');
SELECT col_type_is('tap_rereg', 'user_view', 'name', 'text', 'user_view was made again with the new type');
SELECT col_type_is('tap_rereg', 'employee_view', 'name', 'text', 'so was the joined subclass''s view over the table');
SELECT results_eq($$SELECT id, name, title::text FROM tap_rereg.employee_view$$,
                  $$VALUES (2, 'bob', 'boss')$$, 'employee_view shows the subclass''s row');
SELECT results_eq($$SELECT name FROM tap_rereg.user_get(1)$$, $$VALUES ('ann'::text)$$,
                  'user_get, made again over the new view, works');
SELECT results_eq($$SELECT name, title::text FROM tap_rereg.employee_get(2)$$, $$VALUES ('bob'::text, 'boss'::text)$$,
                  'employee_get too');
SELECT results_eq($$SELECT (tap_rereg.ticket_owner(t)).name FROM tap_rereg.ticket_view t WHERE t.id = 2$$,
                  $$VALUES ('bob'::text)$$, 'another model''s relationship function returning user_view works');
SELECT is(same_as_remembered('tap_rereg.ticket'), 'unchanged', 'and that model''s table is untouched');

-- a type modifier
SELECT lives_ok($$SELECT corm.register_model('User', model_class => 'IdModel', columns => 'name varchar(10), email text DEFAULT ''none''')$$,
                'User registered again with name varchar(10)');
SELECT col_type_is('tap_rereg', 'user', 'name', 'character varying(10)', 'name is now varchar(10)');
SELECT col_type_is('tap_rereg', 'user_view', 'name', 'character varying(10)', 'and so is the view''s');
SELECT results_eq($$SELECT * FROM tap_rereg.user_rows()$$,
                  $$VALUES (1, 'ann', 'none'), (2, 'bob', 'none')$$, 'the rows are kept');
SELECT is(same_oid('tap_rereg."user"'), true, 'same table');

-- a cast the rows do not survive: the server's error, and nothing changes
SELECT remember('tap_rereg."user"');
SELECT throws_ok($$SELECT corm.register_model('User', model_class => 'IdModel', columns => 'name integer, email text DEFAULT ''none''')$$,
                 '22P02', NULL, 'a cast the rows do not survive fails with the server''s error (22P02)');
SELECT col_type_is('tap_rereg', 'user', 'name', 'character varying(10)', 'name keeps its type');
SELECT is(user_columns(), 'name varchar(10), email text DEFAULT ''none''', 'the catalog keeps the previous definition');
SELECT is(same_as_remembered('tap_rereg."user"'), 'unchanged', '"user" is exactly as it was');
SELECT col_type_is('tap_rereg', 'employee_view', 'name', 'character varying(10)', 'the views over it are still there, unchanged');
SELECT results_eq($$SELECT * FROM tap_rereg.user_rows()$$,
                  $$VALUES (1, 'ann', 'none'), (2, 'bob', 'none')$$, 'and so are the rows');

-- a cast the rows survive
SELECT lives_ok($$SELECT corm.register_model('Ticket', columns => 'id int PRIMARY KEY, code integer, owner int REFERENCES "user", ref int, seq int')$$,
                'Ticket registered again with code changed from text to integer');
SELECT col_type_is('tap_rereg', 'ticket', 'code', 'integer', 'ticket.code is now integer');
SELECT results_eq($$SELECT id, code FROM tap_rereg.ticket ORDER BY id$$, $$VALUES (1, 7), (2, 8)$$,
                  'the rows are kept, their values cast');
SELECT is(same_oid('tap_rereg.ticket'), true, 'same table');

-- defaults: added, changed, removed
SELECT lives_ok($$SELECT corm.register_model('User', model_class => 'IdModel', columns => 'name varchar(10) DEFAULT ''x'', email text DEFAULT ''none''')$$,
                'a default added');
SELECT col_default_is('tap_rereg', 'user', 'name', 'x'::text, 'name has the default');
SELECT lives_ok($$SELECT corm.register_model('User', model_class => 'IdModel', columns => 'name varchar(10) DEFAULT ''x'', email text DEFAULT ''other''')$$,
                'a default changed');
SELECT col_default_is('tap_rereg', 'user', 'email', 'other'::text, 'email has the new default');
SELECT col_default_is('tap_rereg', 'employee_view', 'email', 'other'::text, 'and so has the joined subclass''s view, for INSERTs through it');
SELECT results_eq($$SELECT * FROM tap_rereg.user_rows()$$,
                  $$VALUES (1, 'ann', 'none'), (2, 'bob', 'none')$$, 'the rows keep their values');
SELECT lives_ok($$SELECT corm.register_model('User', model_class => 'IdModel', columns => 'name varchar(10), email text')$$,
                'the defaults removed');
SELECT col_hasnt_default('tap_rereg', 'user', 'name', 'name has no default');
SELECT col_hasnt_default('tap_rereg', 'user', 'email', 'email has no default');
SELECT is(same_oid('tap_rereg."user"'), true, 'same table');

-- NOT NULL: added, removed; added over NULLs fails
SELECT lives_ok($$SELECT corm.register_model('User', model_class => 'IdModel', columns => 'name varchar(10) NOT NULL, email text')$$,
                'NOT NULL added');
SELECT col_not_null('tap_rereg', 'user', 'name', 'name is NOT NULL');
SELECT lives_ok($$SELECT corm.register_model('User', model_class => 'IdModel', columns => 'name varchar(10), email text')$$,
                'NOT NULL removed');
SELECT col_is_null('tap_rereg', 'user', 'name', 'name is nullable again');
SELECT results_eq($$SELECT * FROM tap_rereg.user_rows()$$,
                  $$VALUES (1, 'ann', 'none'), (2, 'bob', 'none')$$, 'the rows are kept');
SELECT remember('tap_rereg.post');
SELECT throws_ok($$SELECT corm.register_mixin('TimestampMixin',
      columns  => 'created timestamp NOT NULL DEFAULT now(), updated timestamp NOT NULL', onupdate => 'updated = now()')$$,
                 '23502', NULL, 'NOT NULL over a column with NULLs, through a mixin, fails with the server''s error (23502)');
SELECT col_is_null('tap_rereg', 'post', 'updated', 'post.updated stays nullable');
SELECT is((SELECT columns FROM corm.mixin WHERE name = 'TimestampMixin'),
          'created timestamp NOT NULL DEFAULT now(), updated timestamp', 'the mixin keeps its definition');
SELECT lives_ok($$SELECT corm.register_mixin('TimestampMixin',
      columns  => 'created timestamp DEFAULT now(), updated timestamp', onupdate => 'updated = now()')$$,
                'NOT NULL removed through a mixin');
SELECT col_is_null('tap_rereg', 'post', 'created', 'post.created, from the mixin, is nullable');
SELECT is((SELECT count(*)::int FROM post WHERE created IS NOT NULL), 1, 'post keeps its row');
SELECT is(same_oid('tap_rereg.post'), true, 'same table');
SELECT lives_ok($$SELECT corm.register_mixin('TimestampMixin',
      columns  => 'created timestamp NOT NULL DEFAULT now(), updated timestamp', onupdate => 'updated = now()')$$,
                'and added again');
SELECT col_not_null('tap_rereg', 'post', 'created', 'post.created is NOT NULL again');

-- the model class's key type: every table of its models, the identity
-- sequence and the foreign keys of joined subclasses follow
DELETE FROM ddl_log;
SELECT remember('tap_rereg.employee');
SELECT lives_ok($$SELECT corm.register_model_class('IdModel', primary_key => 'id bigint')$$,
                'IdModel registered again with a bigint key');
SELECT is((SELECT primary_key FROM corm.model_class WHERE name = 'IdModel'), 'id bigint', 'the catalog has the new key');
SELECT col_type_is('tap_rereg', 'user', 'id', 'bigint', '"user".id is bigint');
SELECT col_type_is('tap_rereg', 'employee', 'id', 'bigint', 'employee.id, the joined subclass''s key, is bigint');
SELECT col_type_is('tap_rereg', 'post', 'id', 'bigint', 'post.id is bigint');
SELECT is((SELECT seqtypid::regtype::text FROM pg_sequence
            WHERE seqrelid = pg_get_serial_sequence('tap_rereg."user"', 'id')::regclass),
          'bigint', 'the identity sequence of "user".id follows');
SELECT is(identity_of('tap_rereg."user"', 'id'), 'd', '"user".id is still an identity column');
SELECT col_is_fk('tap_rereg', 'employee', 'id', 'employee.id is still a foreign key');
SELECT results_eq($$SELECT * FROM tap_rereg.user_rows()$$,
                  $$VALUES (1, 'ann', 'none'), (2, 'bob', 'none')$$, 'the rows are kept');
SELECT is((SELECT title::text FROM employee WHERE id = 2), 'boss', 'so is the subclass''s');
SELECT is(same_oid('tap_rereg."user"') AND same_oid('tap_rereg.employee') AND same_oid('tap_rereg.post'), true,
          'the same tables');
SELECT is(ddl_since_reset(), ARRAY['ALTER TABLE tap_rereg."user"', 'ALTER TABLE tap_rereg.employee',
                                   'ALTER TABLE tap_rereg.post', 'ALTER TABLE tap_rereg.typed'],
          'exactly the tables of IdModel''s models were altered');
SELECT has_function('tap_rereg', 'user_get', ARRAY['bigint'], 'user_get now takes a bigint');
SELECT results_eq($$SELECT name::text FROM tap_rereg.employee_get(2)$$, $$VALUES ('bob'::text)$$, 'employee_get works');
SELECT lives_ok($$SELECT corm.register_model_class('IdModel', primary_key => 'id integer')$$,
                'and back to an integer key');
SELECT col_type_is('tap_rereg', 'user', 'id', 'integer', '"user".id is integer again');
SELECT col_type_is('tap_rereg', 'employee', 'id', 'integer', 'employee.id too');

-- constraints: added, removed; one the rows violate fails
CREATE FUNCTION tap_rereg.constraints_of(rel regclass, kinds text) RETURNS int LANGUAGE sql AS $$
    SELECT count(*)::int FROM pg_constraint WHERE conrelid = rel AND strpos(kinds, contype::text) > 0
$$;
SELECT lives_ok($$SELECT corm.register_model('User', model_class => 'IdModel', columns => 'name varchar(10) UNIQUE, email text')$$,
                'a UNIQUE constraint added');
SELECT col_is_unique('tap_rereg', 'user', ARRAY['name']::name[], 'name is unique');
SELECT lives_ok($$SELECT corm.register_model('User', model_class => 'IdModel', columns => 'name varchar(10) UNIQUE, email text, CHECK (email <> '''')')$$,
                'a CHECK table constraint added');
SELECT col_has_check('tap_rereg', 'user', ARRAY['email']::name[], 'email has the check');
SELECT throws_ok($$SELECT corm.register_model('User', model_class => 'IdModel',
                   columns => 'name varchar(10) UNIQUE, email text, CHECK (email <> ''''), CHECK (length(name) > 3)')$$,
                 '23514', NULL, 'a CHECK the rows violate fails with the server''s error (23514)');
SELECT is(constraints_of('tap_rereg."user"', 'c'), 1, 'and is not added');
SELECT is(user_columns(), 'name varchar(10) UNIQUE, email text, CHECK (email <> '''')', 'the catalog keeps the previous definition');
SELECT lives_ok($$SELECT corm.register_model('User', model_class => 'IdModel', columns => 'name varchar(10), email text')$$,
                'both constraints removed');
SELECT is(constraints_of('tap_rereg."user"', 'uc'), 0, 'DROP CONSTRAINT: no UNIQUE or CHECK left on "user"');
SELECT has_pk('tap_rereg', 'user', 'the primary key stays');
SELECT col_is_fk('tap_rereg', 'employee', 'id', 'the foreign keys into "user" stay');
SELECT col_is_fk('tap_rereg', 'ticket', 'owner', 'ticket.owner too');
SELECT results_eq($$SELECT * FROM tap_rereg.user_rows()$$,
                  $$VALUES (1, 'ann', 'none'), (2, 'bob', 'none')$$, 'the rows are kept');
SELECT is(same_oid('tap_rereg."user"'), true, 'same table');
SELECT lives_ok($$SELECT corm.register_model('Ticket', columns => 'id int PRIMARY KEY, code integer, owner int REFERENCES "user", ref int REFERENCES "user", seq int')$$,
                'a foreign key added to an existing column');
SELECT col_is_fk('tap_rereg', 'ticket', 'ref', 'ticket.ref is a foreign key');
SELECT lives_ok($$SELECT corm.register_model('Ticket', columns => 'id int PRIMARY KEY, code integer, owner int REFERENCES "user", ref int, seq int')$$,
                'and removed');
SELECT col_isnt_fk('tap_rereg', 'ticket', 'ref', 'ticket.ref is not a foreign key');
SELECT col_is_fk('tap_rereg', 'ticket', 'owner', 'ticket.owner still is');

-- identity: added, removed (an integer primary key of its own is one already)
SELECT lives_ok($$SELECT corm.register_model('Ticket', columns => 'id int PRIMARY KEY, code integer, owner int REFERENCES "user", ref int, seq int NOT NULL')$$,
                'NOT NULL added to ticket.seq');
SELECT col_not_null('tap_rereg', 'ticket', 'seq', 'ticket.seq is NOT NULL');
SELECT lives_ok($$SELECT corm.register_model('Ticket', columns => 'id int PRIMARY KEY, code integer, owner int REFERENCES "user", ref int, seq int NOT NULL GENERATED BY DEFAULT AS IDENTITY')$$,
                'an identity added');
SELECT is(identity_of('tap_rereg.ticket', 'seq'), 'd', 'ticket.seq is GENERATED BY DEFAULT AS IDENTITY');
SELECT ok(pg_get_serial_sequence('tap_rereg.ticket', 'seq') IS NOT NULL, 'with its sequence');
SELECT lives_ok($$SELECT corm.register_model('Ticket', columns => 'id int PRIMARY KEY, code integer, owner int REFERENCES "user", ref int, seq int NOT NULL')$$,
                'the identity removed');
SELECT is(identity_of('tap_rereg.ticket', 'seq'), '', 'ticket.seq is a plain column');
SELECT col_not_null('tap_rereg', 'ticket', 'seq', 'still NOT NULL, as written');
SELECT lives_ok($$SELECT corm.register_model('Ticket', columns => 'id int PRIMARY KEY, code integer, owner int REFERENCES "user", ref int, seq int NOT NULL GENERATED ALWAYS AS IDENTITY')$$,
                'an identity GENERATED ALWAYS added');
SELECT is(identity_of('tap_rereg.ticket', 'seq'), 'a', 'ticket.seq is GENERATED ALWAYS AS IDENTITY, as written');
SELECT lives_ok($$SELECT corm.register_model('Ticket', columns => 'id int PRIMARY KEY, code integer, owner int REFERENCES "user", ref int, seq int')$$,
                'the identity and NOT NULL removed');
SELECT is(identity_of('tap_rereg.ticket', 'seq'), '', 'ticket.seq is a plain column again');
SELECT col_is_null('tap_rereg', 'ticket', 'seq', 'and nullable');
SELECT lives_ok($$SELECT corm.register_model('Ticket', columns => 'id int PRIMARY KEY, code integer, owner int REFERENCES "user", ref int, seq int GENERATED BY DEFAULT AS IDENTITY')$$,
                'an identity added to a nullable column (an identity column is NOT NULL)');
SELECT is(identity_of('tap_rereg.ticket', 'seq'), 'd', 'ticket.seq is an identity column');
SELECT lives_ok($$SELECT corm.register_model('Ticket', columns => 'id int PRIMARY KEY, code integer, owner int REFERENCES "user", ref int, seq int')$$,
                'and removed');
SELECT is(identity_of('tap_rereg.ticket', 'seq'), '', 'ticket.seq is a plain column');
SELECT results_eq($$SELECT id, code, owner, seq FROM tap_rereg.ticket ORDER BY id$$, $$VALUES (1, 7, 1, 10), (2, 8, 2, 20)$$,
                  'ticket keeps its rows');
SELECT is(same_oid('tap_rereg.ticket'), true, 'same table');

-- a new tablename: ALTER TABLE ... RENAME, the view and functions renamed
GRANT SELECT ON tap_rereg.ticket TO PUBLIC;
DELETE FROM ddl_log;
SELECT lives_ok($$SELECT corm.register_model('Ticket', columns => 'id int PRIMARY KEY, code integer, owner int REFERENCES "user", ref int, seq int',
                                             tablename => 'tickets')$$, 'Ticket registered again with tablename tickets');
SELECT has_table('tap_rereg', 'tickets', 'the table is tickets');
SELECT hasnt_table('tap_rereg', 'ticket', 'ticket is gone');
SELECT is(to_regclass('tap_rereg.tickets')::oid, remembered_oid('tap_rereg.ticket'), 'it is the same table, renamed (same oid)');
SELECT is(ddl_since_reset(), ARRAY['ALTER INDEX tap_rereg.ix_tickets_owner', 'ALTER TABLE tap_rereg.tickets',
                                   'ALTER TABLE tickets_owner_fkey on tap_rereg.tickets',
                                   'ALTER TABLE tickets_pkey on tap_rereg.tickets'],
          'ALTER TABLE ... RENAME, its constraints and foreign key index renamed to the names a fresh table has; no table created or dropped');
SELECT results_eq($$SELECT id, code, owner FROM tap_rereg.tickets ORDER BY id$$, $$VALUES (1, 7, 1), (2, 8, 2)$$,
                  'the rows are kept');
SELECT ok(EXISTS (SELECT 1 FROM pg_class c, aclexplode(c.relacl) a
                   WHERE c.oid = 'tap_rereg.tickets'::regclass AND a.grantee = 0 AND a.privilege_type = 'SELECT'),
          'the grant to PUBLIC is kept');
SELECT has_view('tap_rereg', 'tickets_view', 'the view is tickets_view');
SELECT hasnt_view('tap_rereg', 'ticket_view', 'ticket_view is gone');
SELECT has_function('tap_rereg', 'tickets_get', ARRAY['integer'], 'tickets_get exists');
SELECT hasnt_function('tap_rereg', 'ticket_get', ARRAY['integer'], 'ticket_get is gone');
SELECT results_eq($$SELECT (tap_rereg.tickets_owner(t)).name::text FROM tap_rereg.tickets_view t WHERE t.id = 1$$,
                  $$VALUES ('ann')$$, 'the relationship function is tickets_owner');
SELECT is((SELECT table_schema || '.' || table_name FROM corm.model WHERE name = 'Ticket'), 'tap_rereg.tickets',
          'the catalog records the new name');

-- a new bind schema: ALTER TABLE ... SET SCHEMA
SELECT corm.register_bind('Archive', 'tap_rereg_archive');
SELECT lives_ok($$SELECT corm.register_model('Ticket', columns => 'id int PRIMARY KEY, code integer, owner int REFERENCES "user", ref int, seq int',
                                             tablename => 'tickets', bind_key => 'Archive')$$, 'Ticket moved to the bind Archive');
SELECT has_table('tap_rereg_archive', 'tickets', 'the table is in the bind''s schema');
SELECT hasnt_table('tap_rereg', 'tickets', 'and no longer in tap_rereg');
SELECT is(to_regclass('tap_rereg_archive.tickets')::oid, remembered_oid('tap_rereg.ticket'), 'the same table, moved (same oid)');
SELECT results_eq($$SELECT id, code, owner FROM tap_rereg_archive.tickets ORDER BY id$$, $$VALUES (1, 7, 1), (2, 8, 2)$$,
                  'the rows are kept');
SELECT has_view('tap_rereg_archive', 'tickets_view', 'the view moved with it');
SELECT hasnt_view('tap_rereg', 'tickets_view', 'none is left behind');
SELECT has_function('tap_rereg_archive', 'tickets_get', ARRAY['integer'], 'so did the functions');
SELECT hasnt_function('tap_rereg', 'tickets_get', ARRAY['integer'], 'none are left behind');

-- still refused: a model changing between root, joined and single-table
SELECT throws_ok($$SELECT corm.register_model('Ticket', parent => 'User', model_class => 'IdModel', columns => 'code integer',
                                              tablename => 'tickets', bind_key => 'Archive')$$,
                 '0A000', NULL, 'a root model made a joined subclass is refused (0A000)');
SELECT is((SELECT kind || ' ' || coalesce(parent, '-') FROM corm.model WHERE name = 'Ticket'), 'root -', 'Ticket is still a root');
SELECT has_column('tap_rereg_archive', 'tickets', 'owner', 'its table keeps its columns');

-- still refused: a changed generation expression
CREATE FUNCTION tap_rereg.typed_columns(n text) RETURNS text LANGUAGE sql AS $$
    SELECT format($c$
        price numeric(10,2) NOT NULL DEFAULT 0, tags text[] DEFAULT '{}',
        label varchar(20) COLLATE "C" DEFAULT 'a, b', at timestamptz DEFAULT now(),
        %s, ident int GENERATED ALWAYS AS IDENTITY,
        u int UNIQUE, c int CHECK (c > 0), r int REFERENCES "user" ON DELETE SET NULL,
        UNIQUE (price, tags), CHECK (price >= 0), FOREIGN KEY (u) REFERENCES "user" (id),
        EXCLUDE USING btree (label WITH =)$c$, n)
$$;
DELETE FROM ddl_log;
SELECT lives_ok($$SELECT corm.register_model('Typed', model_class => 'IdModel', columns => tap_rereg.typed_columns('n int GENERATED ALWAYS AS (1 + 1) STORED'))$$,
                'Typed registered again unchanged');
SELECT is(ddl_since_reset(), '{}'::text[], 'no DDL');
SELECT throws_ok($$SELECT corm.register_model('Typed', model_class => 'IdModel', columns => tap_rereg.typed_columns('n int GENERATED ALWAYS AS (1 + 2) STORED'))$$,
                 '0A000', NULL, 'a changed generation expression is refused (0A000)');
SELECT throws_ok($$SELECT corm.register_model('Typed', model_class => 'IdModel', columns => tap_rereg.typed_columns('n int'))$$,
                 '0A000', NULL, 'a generated column made a plain one is refused (0A000)');
SELECT is((SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d
             JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
            WHERE d.adrelid = 'tap_rereg.typed'::regclass AND a.attname = 'n'),
          '(1 + 1)', 'typed.n keeps its generation expression');

-- ------------------------------------------ columns missing from a definition
SELECT remember('tap_rereg."user"');
SELECT throws_ok($$SELECT corm.register_model('User', model_class => 'IdModel', columns => 'email text')$$,
                 '2BP01', NULL, 'a column dropped from the definition is refused (2BP01)');
SELECT throws_like($$SELECT corm.register_model('User', model_class => 'IdModel', columns => 'email text')$$,
                   '%"name"%', 'the refusal names the column');
SELECT has_column('tap_rereg', 'user', 'name', 'name is still there');
SELECT throws_ok($$SELECT corm.register_model('User', model_class => 'IdModel', columns => 'name varchar(10)')$$,
                 '2BP01', NULL, 'the definition without email is refused (2BP01)');
SELECT throws_ok($$SELECT corm.register_model('User', model_class => 'IdModel', columns => 'name varchar(10)', drop_columns => false)$$,
                 '2BP01', NULL, 'so it is with drop_columns => false');
SELECT throws_ok($$SELECT corm.register_model('Post', model_class => 'IdModel')$$,
                 '2BP01', NULL, 'a mixin dropped from a model is refused (2BP01)');
SELECT is(cols('tap_rereg', 'post'), ARRAY['id', 'created', 'updated']::name[], 'post keeps the mixin''s columns');
SELECT is(user_columns(), 'name varchar(10), email text', 'the catalog still has the last accepted definition');
SELECT is(same_as_remembered('tap_rereg."user"'), 'unchanged', 'after every refusal "user" is exactly as it was');
SELECT results_eq($$SELECT * FROM tap_rereg.user_rows()$$,
                  $$VALUES (1, 'ann', 'none'), (2, 'bob', 'none')$$, 'and so are its rows');
SELECT lives_ok($$SELECT corm.register_model('User', model_class => 'IdModel', columns => 'name varchar(10)', drop_columns => true)$$,
                'with drop_columns => true the column is dropped');
SELECT is(cols('tap_rereg', 'user'), ARRAY['id', 'name']::name[], 'email is gone from "user"');
SELECT hasnt_column('tap_rereg', 'user_view', 'email', 'and from user_view');
SELECT hasnt_column('tap_rereg', 'employee_view', 'email', 'and from the subclass''s employee_view');
SELECT results_eq($$SELECT id, name::text FROM tap_rereg."user" ORDER BY id$$, $$VALUES (1, 'ann'), (2, 'bob')$$,
                  'the rows are kept');
SELECT is(same_oid('tap_rereg."user"'), true, 'same table');
SELECT is(user_columns(), 'name varchar(10)', 'the catalog has the new definition');
SELECT results_eq($$SELECT id, name::text, title::text FROM tap_rereg.employee_get(2)$$, $$VALUES (2, 'bob', 'boss')$$,
                  'employee_get, made again, works');

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
-- a column dropped from a mixin: refused, unless drop_columns => true
SELECT throws_ok($$SELECT corm.register_mixin('TimestampMixin',
      columns  => 'created timestamp NOT NULL DEFAULT now(), updated timestamp',
      onupdate => 'updated = now()')$$, '2BP01', NULL, 'a column dropped from a mixin is refused (2BP01)');
SELECT is((SELECT count(*)::int FROM pg_attribute WHERE attname = 'deleted' AND NOT attisdropped
             AND attrelid IN ('tap_rereg.post'::regclass, 'tap_rereg.note'::regclass)), 2,
          'post and note keep the column');
SELECT lives_ok($$SELECT corm.register_mixin('TimestampMixin',
      columns  => 'created timestamp NOT NULL DEFAULT now(), updated timestamp',
      onupdate => 'updated = now()', drop_columns => true)$$, 'with drop_columns => true it is dropped');
SELECT hasnt_column('tap_rereg', 'post', 'deleted', 'from post');
SELECT hasnt_column('tap_rereg', 'note', 'deleted', 'and from note');
SELECT hasnt_column('tap_rereg', 'post_view', 'deleted', 'and from their views');
SELECT is((SELECT count(*)::int FROM post), 1, 'post keeps its row');
SELECT is(same_oid('tap_rereg.post'), true, 'same table');

-- a model class's new column reaches the roots using it, not joined subclasses
DELETE FROM ddl_log;
SELECT lives_ok($$SELECT corm.register_model_class('IdModel', primary_key => 'id integer', columns => 'tenant int')$$,
                'IdModel registered again with a column');
SELECT has_column('tap_rereg', 'user', 'tenant', '"user" gets the model-class column');
SELECT has_column('tap_rereg', 'plain', 'tenant', 'plain gets the model-class column');
SELECT hasnt_column('tap_rereg', 'employee', 'tenant', 'the joined subclass employee does not repeat it');
SELECT is(ddl_since_reset(), ARRAY['ALTER TABLE tap_rereg."user"', 'ALTER TABLE tap_rereg.note',
                                   'ALTER TABLE tap_rereg.plain', 'ALTER TABLE tap_rereg.post', 'ALTER TABLE tap_rereg.typed'],
          'exactly the root tables of IdModel''s models were altered');

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
SELECT lives_ok($$SELECT corm.register_model('Car', parent => 'Vehicle', model_class => 'Model', columns => 'doors bigint, seats int NOT NULL')$$,
                'a single-table subclass''s column changes type');
SELECT col_type_is('tap_rereg', 'vehicle', 'doors', 'bigint', 'in the shared table');
SELECT col_type_is('tap_rereg', 'car_view', 'doors', 'bigint', 'and in its view, made again');
SELECT has_view('tap_rereg', 'vehicle_view', 'the root''s view over the table is made again too');
SELECT has_function('tap_rereg', 'vehicle_get', ARRAY['integer'], 'and its functions');
SELECT is(same_oid('tap_rereg.vehicle'), true, 'same table');
SELECT throws_ok($$SELECT corm.register_model('Car', parent => 'Vehicle', columns => 'doors bigint, seats int NOT NULL')$$,
                 '0A000', NULL, 'a single-table subclass given a key (joined) of its own is refused (0A000)');
SELECT hasnt_table('tap_rereg', 'car', 'no table car was made');
SELECT is((SELECT kind FROM corm.model WHERE name = 'Car'), 'single', 'Car is still single-table');

-- a column dropped from a model class
SELECT throws_ok($$SELECT corm.register_model_class('IdModel', primary_key => 'id integer')$$,
                 '2BP01', NULL, 'a column dropped from a model class is refused (2BP01)');
SELECT has_column('tap_rereg', 'user', 'tenant', '"user" keeps it');
SELECT lives_ok($$SELECT corm.register_model_class('IdModel', primary_key => 'id integer', drop_columns => true)$$,
                'with drop_columns => true it is dropped');
SELECT hasnt_column('tap_rereg', 'user', 'tenant', 'from "user"');
SELECT hasnt_column('tap_rereg', 'plain', 'tenant', 'from plain');
SELECT is(cols('tap_rereg', 'vehicle'), ARRAY['id', 'kind', 'doors', 'seats']::name[], 'and from vehicle');
SELECT results_eq($$SELECT id, name::text FROM tap_rereg."user" ORDER BY id$$, $$VALUES (1, 'ann'), (2, 'bob')$$,
                  '"user" keeps its rows');

SELECT * FROM finish();
ROLLBACK;
