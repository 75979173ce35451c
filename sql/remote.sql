-- Binds to other databases: a bind with a postgres_fdw server keeps its
-- models' tables in that server's database.  Two more databases of this
-- cluster stand for the other servers: one with corm, one without.
CREATE EXTENSION IF NOT EXISTS postgres_fdw;
\set home :DBNAME
CREATE DATABASE corm_regress_remote;
CREATE DATABASE corm_regress_plain;
\c corm_regress_remote
CREATE EXTENSION corm;
\c :home
-- the servers point at this cluster's socket and port, read from the
-- settings (never printed: they differ from run to run); "remote_down"
-- at a port nothing listens on
DO $$
DECLARE
    host text := split_part(current_setting('unix_socket_directories'), ',', 1);
    port text := current_setting('port');
BEGIN
    EXECUTE format('CREATE SERVER remote_corm FOREIGN DATA WRAPPER postgres_fdw'
                   ' OPTIONS (host %L, port %L, dbname %L)', host, port, 'corm_regress_remote');
    EXECUTE format('CREATE SERVER remote_plain FOREIGN DATA WRAPPER postgres_fdw'
                   ' OPTIONS (host %L, port %L, dbname %L)', host, port, 'corm_regress_plain');
    EXECUTE format('CREATE SERVER remote_down FOREIGN DATA WRAPPER postgres_fdw'
                   ' OPTIONS (host %L, port %L, dbname %L)', host, '1', 'corm_regress_remote');
END $$;
-- a superuser's user mapping needs no password
CREATE USER MAPPING FOR CURRENT_USER SERVER remote_corm;
CREATE USER MAPPING FOR CURRENT_USER SERVER remote_plain;
CREATE USER MAPPING FOR CURRENT_USER SERVER remote_down;

-- the refusals of register_bind: no such server, not a postgres_fdw one,
-- no user mapping, a tablespace beside a server
SELECT * FROM corm.register_bind('rm_none', 'rm_none', server => 'no_such_server');
CREATE FOREIGN DATA WRAPPER corm_regress_other;
CREATE SERVER remote_other FOREIGN DATA WRAPPER corm_regress_other;
SELECT * FROM corm.register_bind('rm_other', 'rm_other', server => 'remote_other');
CREATE SERVER remote_unmapped FOREIGN DATA WRAPPER postgres_fdw OPTIONS (dbname 'corm_regress_remote');
SELECT * FROM corm.register_bind('rm_unmapped', 'rm_unmapped', server => 'remote_unmapped');
SELECT * FROM corm.register_bind('rm_both', 'rm_both', 'pg_default', 'remote_corm');
SELECT count(*) AS binds FROM corm.bind WHERE key LIKE 'rm\_%';

SELECT * FROM corm.register_model_class('RmModel', primary_key => 'id integer');

-- a bind to the database with corm; its model's table is made there, and
-- a foreign table here over it, under the usual view and functions
SELECT * FROM corm.register_bind('rm', 'rm_accounts', server => 'remote_corm');
SELECT key, schema, tablespace, server FROM corm.bind WHERE key = 'rm';
SELECT * FROM corm.register_model('RmUser', model_class => 'RmModel', bind_key => 'rm',
    columns => 'name text NOT NULL, active boolean NOT NULL DEFAULT true, joined timestamptz DEFAULT now()',
    indexes => '{"UNIQUE (name)"}');
-- registered again unchanged: no statement on either side
SELECT * FROM corm.register_model('RmUser', model_class => 'RmModel', bind_key => 'rm',
    columns => 'name text NOT NULL, active boolean NOT NULL DEFAULT true, joined timestamptz DEFAULT now()',
    indexes => '{"UNIQUE (name)"}');
SELECT c.relname, c.relkind, s.srvname, ft.ftoptions
  FROM pg_class c JOIN pg_foreign_table ft ON ft.ftrelid = c.oid
  JOIN pg_foreign_server s ON s.oid = ft.ftserver
 WHERE c.relnamespace = 'rm_accounts'::regnamespace;
SELECT table_name, table_type FROM information_schema.tables
 WHERE table_schema = 'rm_accounts' ORDER BY table_name;

-- through the view an INSERT gets the remote table's identity values and
-- the definition's defaults; RETURNING reads what the remote stored
INSERT INTO rm_accounts.rm_user_view (name) VALUES ('ann') RETURNING id, name, active, joined IS NOT NULL AS joined;
INSERT INTO rm_accounts.rm_user_view (name, active) VALUES ('bob', false), ('cy', true) RETURNING id, name, active;
INSERT INTO rm_accounts.rm_user_view (id, name) VALUES (10, 'dee') RETURNING id, name;
SELECT (rm_accounts.rm_user_get(2)).name;
SELECT name FROM rm_accounts.rm_user_get_or_404(10);
SELECT total, (items[1]).name FROM rm_accounts.rm_user_paginate(1, 2);
-- the remote's constraints hold: its unique index
INSERT INTO rm_accounts.rm_user_view (name) VALUES ('ann');

\c corm_regress_remote
\d rm_accounts.rm_user
SELECT id, name, active FROM rm_accounts.rm_user ORDER BY id;
\c :home

-- a migration: a new column is added there and here; the rows stay
SELECT * FROM corm.register_model('RmUser', model_class => 'RmModel', bind_key => 'rm',
    columns => 'name text NOT NULL, active boolean NOT NULL DEFAULT true, joined timestamptz DEFAULT now(), email varchar(80)',
    indexes => '{"UNIQUE (name)"}');
UPDATE rm_accounts.rm_user_view SET email = 'ann@example.com' WHERE name = 'ann';
SELECT id, name, email FROM rm_accounts.rm_user_view ORDER BY id;
-- a column left out is refused, there as here, and nothing changes
SELECT * FROM corm.register_model('RmUser', model_class => 'RmModel', bind_key => 'rm',
    columns => 'name text NOT NULL, active boolean NOT NULL DEFAULT true, joined timestamptz DEFAULT now()',
    indexes => '{"UNIQUE (name)"}');
-- a wider type: altered there, and the foreign table here follows (the
-- view and functions over it are made again, as over a local table)
SELECT s AS statement FROM corm.register_model('RmUser', model_class => 'RmModel', bind_key => 'rm',
    columns => 'name text NOT NULL, active boolean NOT NULL DEFAULT true, joined timestamptz DEFAULT now(), email varchar(200)',
    indexes => '{"UNIQUE (name)"}') s
 WHERE s ~ '^(/\* server|ALTER FOREIGN|CREATE FOREIGN)';
SELECT email FROM rm_accounts.rm_user_view WHERE name = 'ann';

-- a read through postgres_fdw holds its lock there until the transaction
-- ends, on a connection other than corm's: a migration in the same
-- transaction would wait for it forever, but for lock_timeout, which
-- corm's connection shares
BEGIN;
SET LOCAL lock_timeout = '200ms';
SELECT count(*) AS users FROM rm_accounts.rm_user_view;
SELECT * FROM corm.register_model('RmUser', model_class => 'RmModel', bind_key => 'rm',
    columns => 'name text NOT NULL, active boolean NOT NULL DEFAULT true, joined timestamptz DEFAULT now(), email varchar(200), nick text',
    indexes => '{"UNIQUE (name)"}');
ROLLBACK;

-- a statement cancelled here (statement_timeout) while corm waits there:
-- the abort cancels the remote statement and rolls the remote transaction
-- back; the next one starts afresh
BEGIN;
SET LOCAL statement_timeout = '1s';
SELECT count(*) AS users FROM rm_accounts.rm_user_view;
SELECT * FROM corm.register_model('RmUser', model_class => 'RmModel', bind_key => 'rm',
    columns => 'name text NOT NULL, active boolean NOT NULL DEFAULT true, joined timestamptz DEFAULT now(), email varchar(200), nick text',
    indexes => '{"UNIQUE (name)"}');
ROLLBACK;
SELECT count(*) AS statements FROM corm.register_model('RmUser', model_class => 'RmModel', bind_key => 'rm',
    columns => 'name text NOT NULL, active boolean NOT NULL DEFAULT true, joined timestamptz DEFAULT now(), email varchar(200)',
    indexes => '{"UNIQUE (name)"}');

-- onupdate: corm's trigger there; an UPDATE that does not name the
-- column sets it, as on a local table
SELECT s AS statement FROM corm.register_model('RmPost', model_class => 'RmModel', bind_key => 'rm',
    columns => 'user_id integer NOT NULL, title text NOT NULL, edits integer NOT NULL DEFAULT 0',
    onupdate => 'edits = edits + 1') s
 WHERE s ~ '^(/\* server|ALTER FOREIGN|CREATE FOREIGN)';
INSERT INTO rm_accounts.rm_post_view (user_id, title) VALUES (1, 'hello'), (1, 'again'), (2, 'mine');
UPDATE rm_accounts.rm_post_view SET title = 'hello, world' WHERE title = 'hello';
SELECT title, edits FROM rm_accounts.rm_post_view ORDER BY id;
-- constraints of an existing remote table: added, compared by every
-- clause (a CHECK cooked here over the foreign table's columns, so that
-- the remote's casts match), changed, dropped
SELECT s AS statement FROM corm.register_model('RmPost', model_class => 'RmModel', bind_key => 'rm',
    columns => 'user_id integer NOT NULL, title text NOT NULL CHECK (length(title) > 0),
                edits integer NOT NULL DEFAULT 0, price numeric NOT NULL DEFAULT 1 CHECK (price > 0),
                UNIQUE (user_id, title)',
    onupdate => 'edits = edits + 1') s
 WHERE s ~ '^(/\* server|ALTER FOREIGN|CREATE FOREIGN)';
SELECT count(*) AS statements FROM corm.register_model('RmPost', model_class => 'RmModel', bind_key => 'rm',
    columns => 'user_id integer NOT NULL, title text NOT NULL CHECK (length(title) > 0),
                edits integer NOT NULL DEFAULT 0, price numeric NOT NULL DEFAULT 1 CHECK (price > 0),
                UNIQUE (user_id, title)',
    onupdate => 'edits = edits + 1');
SELECT s AS statement FROM corm.register_model('RmPost', model_class => 'RmModel', bind_key => 'rm',
    columns => 'user_id integer NOT NULL, title text NOT NULL CHECK (length(title) > 3),
                edits integer NOT NULL DEFAULT 0, price numeric NOT NULL DEFAULT 1 CHECK (price > 0)',
    onupdate => 'edits = edits + 1') s
 WHERE s ~ '^(/\* server|ALTER FOREIGN|CREATE FOREIGN)';
INSERT INTO rm_accounts.rm_post_view (user_id, title) VALUES (1, 'abc');
INSERT INTO rm_accounts.rm_post_view (user_id, title) VALUES (1, 'again') RETURNING title, price;

-- a relationship to or from a remote model names its column: no
-- constraint spans two databases
SELECT count(*) > 0 AS registered FROM corm.register_relationship('RmUser', 'posts', 'RmPost', foreign_key => 'user_id', backref => 'author');
SELECT title FROM rm_accounts.rm_user_posts((SELECT u FROM rm_accounts.rm_user_view u WHERE id = 1)) ORDER BY id;
SELECT (rm_accounts.rm_post_author(p)).name FROM rm_accounts.rm_post_view p WHERE title = 'mine';
-- without foreign_key => a relationship to a remote model is refused
SELECT * FROM corm.register_relationship('RmPost', 'writer', 'RmUser');

-- a new table name: the remote table is renamed, not made again
SELECT s AS statement FROM corm.register_model('RmUser', model_class => 'RmModel', bind_key => 'rm',
    columns => 'name text NOT NULL, active boolean NOT NULL DEFAULT true, joined timestamptz DEFAULT now(), email varchar(200)',
    indexes => '{"UNIQUE (name)"}', tablename => 'rm_member') s
 WHERE s ~ '^(/\* server|ALTER FOREIGN|CREATE FOREIGN)';
SELECT count(*) AS members FROM rm_accounts.rm_member_view;
INSERT INTO rm_accounts.rm_member_view (name) VALUES ('eve') RETURNING id, name;
-- a changed default and a new index: there and here (the foreign table
-- carries the default, which it compares); registered again, nothing
SELECT s AS statement FROM corm.register_model('RmUser', model_class => 'RmModel', bind_key => 'rm',
    columns => 'name text NOT NULL, active boolean NOT NULL DEFAULT false, joined timestamptz DEFAULT now(), email varchar(200)',
    indexes => '{"UNIQUE (name)", "(joined DESC)"}', tablename => 'rm_member') s
 WHERE s ~ '^(/\* server|ALTER FOREIGN|CREATE FOREIGN)';
SELECT count(*) AS statements FROM corm.register_model('RmUser', model_class => 'RmModel', bind_key => 'rm',
    columns => 'name text NOT NULL, active boolean NOT NULL DEFAULT false, joined timestamptz DEFAULT now(), email varchar(200)',
    indexes => '{"UNIQUE (name)", "(joined DESC)"}', tablename => 'rm_member');
INSERT INTO rm_accounts.rm_member_view (name) VALUES ('fay') RETURNING name, active;
-- the index dropped from the definition goes there too
SELECT s AS statement FROM corm.register_model('RmUser', model_class => 'RmModel', bind_key => 'rm',
    columns => 'name text NOT NULL, active boolean NOT NULL DEFAULT false, joined timestamptz DEFAULT now(), email varchar(200)',
    indexes => '{"UNIQUE (name)"}', tablename => 'rm_member') s
 WHERE s ~ '^(/\* server|ALTER FOREIGN|CREATE FOREIGN)';
-- an index made again by hand there under its own name, on another column
-- and not unique: check() sees it, registering makes it as declared
\c corm_regress_remote
DROP INDEX rm_accounts.ix_rm_member_name;
CREATE INDEX ix_rm_member_name ON rm_accounts.rm_member (email);
\c :home
SET client_min_messages = error;
SELECT model, problem, fix FROM corm.check() WHERE fix ~ 'ix_rm_member_name' ORDER BY fix;
RESET client_min_messages;
SELECT s AS statement FROM corm.register_model('RmUser', model_class => 'RmModel', bind_key => 'rm',
    columns => 'name text NOT NULL, active boolean NOT NULL DEFAULT false, joined timestamptz DEFAULT now(), email varchar(200)',
    indexes => '{"UNIQUE (name)"}', tablename => 'rm_member') s
 WHERE s ~ '^(/\* server|ALTER FOREIGN|CREATE FOREIGN)';
SELECT count(*) AS statements FROM corm.register_model('RmUser', model_class => 'RmModel', bind_key => 'rm',
    columns => 'name text NOT NULL, active boolean NOT NULL DEFAULT false, joined timestamptz DEFAULT now(), email varchar(200)',
    indexes => '{"UNIQUE (name)"}', tablename => 'rm_member');

-- indexes there are compared by meaning, as here: one of each kind (an
-- expression, a partial index, DESC, INCLUDE, hash, gin, an operator class
-- with WITH options, COLLATE, NULLS NOT DISTINCT), each cooked over the
-- foreign table's columns; and one over a function only that database has,
-- which cannot be cooked here: it is compared as the parser reads it
\c corm_regress_remote
CREATE FUNCTION public.rm_fold(text) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT lower($1)';
\c :home
\set ix_columns 'name text NOT NULL, tags text[], active boolean NOT NULL DEFAULT true, score numeric, body text'
SELECT s AS statement FROM corm.register_model('RmIndexed', model_class => 'RmModel', bind_key => 'rm',
    columns => :'ix_columns',
    indexes => ARRAY['ix_rm_indexed_lower (lower(name))',
                     'ix_rm_indexed_live (name) WHERE active AND score > 0',
                     '(score DESC)',
                     '(active) INCLUDE (score)',
                     'USING hash (body)',
                     'USING gin (tags)',
                     'ix_rm_indexed_pattern (name text_pattern_ops) WITH (fillfactor = 70)',
                     'ix_rm_indexed_c (name COLLATE "C" DESC NULLS LAST)',
                     'UNIQUE ix_rm_indexed_pair (body, score) NULLS NOT DISTINCT',
                     'ix_rm_indexed_words USING gin (to_tsvector(''simple'', body))',
                     '"ix ""odd""; name" ((upper(body) || ''x''))',
                     'ix_rm_indexed_fold (rm_fold(name))']) s
 WHERE s ~ 'INDEX';
-- registered again unchanged: nothing, on either side
SELECT count(*) AS statements FROM corm.register_model('RmIndexed', model_class => 'RmModel', bind_key => 'rm',
    columns => :'ix_columns',
    indexes => ARRAY['ix_rm_indexed_lower (lower(name))',
                     'ix_rm_indexed_live (name) WHERE active AND score > 0',
                     '(score DESC)',
                     '(active) INCLUDE (score)',
                     'USING hash (body)',
                     'USING gin (tags)',
                     'ix_rm_indexed_pattern (name text_pattern_ops) WITH (fillfactor = 70)',
                     'ix_rm_indexed_c (name COLLATE "C" DESC NULLS LAST)',
                     'UNIQUE ix_rm_indexed_pair (body, score) NULLS NOT DISTINCT',
                     'ix_rm_indexed_words USING gin (to_tsvector(''simple'', body))',
                     '"ix ""odd""; name" ((upper(body) || ''x''))',
                     'ix_rm_indexed_fold (rm_fold(name))']);
-- written otherwise with the same meaning (a column in parentheses, the
-- default operator class, NULLS FIRST after DESC, ASC NULLS LAST, USING
-- btree, an option's value quoted, the predicate's AND in parentheses):
-- nothing either
SELECT count(*) AS statements FROM corm.register_model('RmIndexed', model_class => 'RmModel', bind_key => 'rm',
    columns => :'ix_columns',
    indexes => ARRAY['ix_rm_indexed_lower (lower((name)))',
                     'ix_rm_indexed_live ((name) ASC NULLS LAST) WHERE (active AND (score > 0))',
                     '(score DESC NULLS FIRST)',
                     'USING btree (active) INCLUDE (score)',
                     'USING hash (body text_ops)',
                     'USING gin (tags array_ops)',
                     'ix_rm_indexed_pattern (name text_pattern_ops) WITH (fillfactor = ''70'')',
                     'ix_rm_indexed_c ((name COLLATE "C") DESC NULLS LAST)',
                     'UNIQUE ix_rm_indexed_pair (body, score) NULLS NOT DISTINCT',
                     'ix_rm_indexed_words USING gin (to_tsvector(''simple''::regconfig, body))',
                     '"ix ""odd""; name" (((upper(body)) || (''x''::text)))',
                     'ix_rm_indexed_fold (rm_fold(name))']);
-- each changed: dropped there (before the columns change) and made again
SELECT s AS statement FROM corm.register_model('RmIndexed', model_class => 'RmModel', bind_key => 'rm',
    columns => :'ix_columns',
    indexes => ARRAY['ix_rm_indexed_lower (upper(name))',
                     'ix_rm_indexed_live (name) WHERE active AND score > 1',
                     '(score)',
                     '(active) INCLUDE (name)',
                     '(body)',
                     'USING gin (tags) WITH (fastupdate = off)',
                     'ix_rm_indexed_pattern (name text_pattern_ops) WITH (fillfactor = 80)',
                     'ix_rm_indexed_c (name COLLATE "POSIX" DESC NULLS LAST)',
                     'UNIQUE ix_rm_indexed_pair (body, score)',
                     'ix_rm_indexed_words USING gin (to_tsvector(''english'', body))',
                     '"ix ""odd""; name" ((upper(body) || ''y''))',
                     'ix_rm_indexed_fold (rm_fold(body))']) s
 WHERE s ~ 'INDEX';
SELECT count(*) AS statements FROM corm.register_model('RmIndexed', model_class => 'RmModel', bind_key => 'rm',
    columns => :'ix_columns',
    indexes => ARRAY['ix_rm_indexed_lower (upper(name))',
                     'ix_rm_indexed_live (name) WHERE active AND score > 1',
                     '(score)',
                     '(active) INCLUDE (name)',
                     '(body)',
                     'USING gin (tags) WITH (fastupdate = off)',
                     'ix_rm_indexed_pattern (name text_pattern_ops) WITH (fillfactor = 80)',
                     'ix_rm_indexed_c (name COLLATE "POSIX" DESC NULLS LAST)',
                     'UNIQUE ix_rm_indexed_pair (body, score)',
                     'ix_rm_indexed_words USING gin (to_tsvector(''english'', body))',
                     '"ix ""odd""; name" ((upper(body) || ''y''))',
                     'ix_rm_indexed_fold (rm_fold(body))']);
\c corm_regress_remote
SELECT indexdef FROM pg_indexes WHERE schemaname = 'rm_accounts' AND tablename = 'rm_indexed' ORDER BY indexname;
\c :home
-- those that leave the definition are dropped there (corm made them)
SELECT s AS statement FROM corm.register_model('RmIndexed', model_class => 'RmModel', bind_key => 'rm',
    columns => :'ix_columns',
    indexes => ARRAY['ix_rm_indexed_lower (upper(name))', 'ix_rm_indexed_live (name) WHERE active AND score > 1']) s
 WHERE s ~ '^/\* server';
-- an index over a column the same migration adds: made again after the
-- column (the foreign table here does not have it yet to compare with);
-- a dry run lists it, and registering it once more runs nothing
\set ix_columns2 'name text NOT NULL, tags text[], active boolean NOT NULL DEFAULT true, score numeric, body text, email text'
SELECT step, ddl FROM corm.dry_run($$SELECT corm.register_model('RmIndexed', model_class => 'RmModel', bind_key => 'rm',
    columns => 'name text NOT NULL, tags text[], active boolean NOT NULL DEFAULT true, score numeric, body text, email text',
    indexes => ARRAY['ix_rm_indexed_lower (upper(email))', 'ix_rm_indexed_live (name) WHERE active AND score > 1'])$$)
 WHERE ddl ~ '^/\* server' ORDER BY step;
SELECT s AS statement FROM corm.register_model('RmIndexed', model_class => 'RmModel', bind_key => 'rm',
    columns => :'ix_columns2',
    indexes => ARRAY['ix_rm_indexed_lower (upper(email))', 'ix_rm_indexed_live (email) WHERE email <> ''''']) s
 WHERE s ~ '^/\* server';
SELECT count(*) AS statements FROM corm.register_model('RmIndexed', model_class => 'RmModel', bind_key => 'rm',
    columns => :'ix_columns2',
    indexes => ARRAY['ix_rm_indexed_lower (upper(email))', 'ix_rm_indexed_live (email) WHERE email <> ''''']);
-- an index changed by hand there under corm's name: check() sees it, and
-- registering again makes it as declared
\c corm_regress_remote
DROP INDEX rm_accounts.ix_rm_indexed_lower;
CREATE INDEX ix_rm_indexed_lower ON rm_accounts.rm_indexed (lower(email));
ALTER INDEX rm_accounts.ix_rm_indexed_live SET (fillfactor = 50);
CREATE INDEX rm_indexed_by_hand ON rm_accounts.rm_indexed (score DESC);
\c :home
SET client_min_messages = error;
SELECT problem, fix FROM corm.check() WHERE model = 'RmIndexed' OR problem ~ 'rm_indexed' ORDER BY fix, problem;
RESET client_min_messages;
SELECT s AS statement FROM corm.register_model('RmIndexed', model_class => 'RmModel', bind_key => 'rm',
    columns => :'ix_columns2',
    indexes => ARRAY['ix_rm_indexed_lower (upper(email))', 'ix_rm_indexed_live (email) WHERE email <> ''''']) s
 WHERE s ~ '^/\* server';
SET client_min_messages = error;
SELECT problem, fix FROM corm.check() WHERE model = 'RmIndexed' OR problem ~ 'rm_indexed' ORDER BY fix, problem;
RESET client_min_messages;
\c corm_regress_remote
SELECT indexdef FROM pg_indexes WHERE schemaname = 'rm_accounts' AND tablename = 'rm_indexed' ORDER BY indexname;
DROP INDEX rm_accounts.rm_indexed_by_hand;
DROP FUNCTION public.rm_fold(text);
\c :home
SELECT count(*) > 0 AS dropped FROM corm.drop_model('RmIndexed');

-- identity columns GENERATED ALWAYS, serial and generated columns: the
-- foreign table generates the ALWAYS ones too (postgres_fdw then sends
-- DEFAULT), the trigger there numbers a serial column sent as NULL
SELECT s AS statement FROM corm.register_model('RmTicket', bind_key => 'rm',
    columns => 'code integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, seq serial, title text NOT NULL,
                title_len integer GENERATED ALWAYS AS (length(title)) STORED') s
 WHERE s ~ '^(/\* server|ALTER FOREIGN|CREATE FOREIGN)';
INSERT INTO rm_accounts.rm_ticket_view (title) VALUES ('first'), ('second one') RETURNING *;
INSERT INTO rm_accounts.rm_ticket_view (code, title) VALUES (7, 'mine');
INSERT INTO rm_accounts.rm_ticket_view (seq, title) VALUES (40, 'numbered') RETURNING *;
-- a renamed column: there and here; the trigger there follows
SELECT s AS statement FROM corm.rename_column('RmTicket', 'seq', 'number') s
 WHERE s ~ '^(/\* server|ALTER FOREIGN|CREATE FOREIGN)';
INSERT INTO rm_accounts.rm_ticket_view (title) VALUES ('third') RETURNING *;
-- a dry run lists the statements there too (their locks are taken there)
SELECT step, ddl, relation, lock FROM corm.dry_run($$SELECT corm.register_model('RmTicket', bind_key => 'rm',
    columns => 'code integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, number serial, title text NOT NULL,
                title_len integer GENERATED ALWAYS AS (length(title)) STORED, closed boolean')$$)
 WHERE ddl !~ 'VIEW' ORDER BY step, relation;
-- check() sees drift there: a column added by hand
\c corm_regress_remote
ALTER TABLE rm_accounts.rm_ticket ADD COLUMN by_hand integer;
\c :home
-- (earlier tests left tables of theirs dropped: their warnings are not ours)
SET client_min_messages = error;
SELECT model, problem, fix FROM corm.check() WHERE fix ~ 'server';
\c corm_regress_remote
ALTER TABLE rm_accounts.rm_ticket DROP COLUMN by_hand;
\c :home
SET client_min_messages = error;
SELECT count(*) AS problems FROM corm.check() WHERE model LIKE 'Rm%';
RESET client_min_messages;
-- a server that stops answering: check() says so for each of its models
ALTER SERVER remote_corm OPTIONS (SET port '1');
SET client_min_messages = error;
SELECT model, problem FROM corm.check() WHERE model LIKE 'Rm%' ORDER BY model;
RESET client_min_messages;
DO $$ BEGIN EXECUTE format('ALTER SERVER remote_corm OPTIONS (SET port %L)', current_setting('port')); END $$;
-- the window that is not atomic, made by hand: the remote transaction of
-- a rename committed, the local one did not.  Registering the definition
-- again finds the table moved there and moves only the foreign table.
\c corm_regress_remote
ALTER TABLE rm_accounts.rm_ticket RENAME TO rm_tickets;
ALTER FUNCTION rm_accounts.rm_ticket_identity() RENAME TO rm_tickets_identity;
\c :home
SELECT s AS statement FROM corm.register_model('RmTicket', bind_key => 'rm', tablename => 'rm_tickets',
    columns => 'code integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, number serial, title text NOT NULL,
                title_len integer GENERATED ALWAYS AS (length(title)) STORED') s
 WHERE s ~ '^(/\* server|ALTER FOREIGN|CREATE FOREIGN)';
INSERT INTO rm_accounts.rm_tickets_view (title) VALUES ('after') RETURNING code, number, title;

-- a remote transaction follows the local one: rolled back, it leaves
-- nothing there; a savepoint rolled back undoes only its own part
BEGIN;
SELECT count(*) > 0 AS registered FROM corm.register_model('RmGone', model_class => 'RmModel', bind_key => 'rm', columns => 'x text');
ROLLBACK;
BEGIN;
SAVEPOINT a;
SELECT count(*) > 0 AS registered FROM corm.register_model('RmGone', model_class => 'RmModel', bind_key => 'rm', columns => 'x text');
ROLLBACK TO SAVEPOINT a;
SELECT count(*) > 0 AS registered FROM corm.register_model('RmKept', model_class => 'RmModel', bind_key => 'rm', columns => 'x text');
COMMIT;
-- corm does not prepare remote transactions (two-phase commit)
BEGIN;
SELECT count(*) > 0 AS registered FROM corm.register_model('RmPrepared', model_class => 'RmModel', bind_key => 'rm', columns => 'x text');
PREPARE TRANSACTION 'corm_regress_remote';
SELECT count(*) AS prepared FROM corm.model WHERE name = 'RmPrepared';
-- an error there (a type this database has, that one not) is an error
-- here, with the remote statement named, and changes neither database
CREATE DOMAIN rm_local_only AS text;
SELECT * FROM corm.register_model('RmBad', model_class => 'RmModel', bind_key => 'rm', columns => 'x rm_local_only');
-- caught in a subtransaction, the remote error is rolled back to its
-- savepoint there, and the transaction goes on on both sides
BEGIN;
DO $$
BEGIN
    PERFORM corm.register_model('RmBad', model_class => 'RmModel', bind_key => 'rm', columns => 'x rm_local_only');
EXCEPTION WHEN undefined_object THEN
    RAISE NOTICE 'caught: %', SQLERRM;
END $$;
SELECT count(*) > 0 AS registered FROM corm.register_model('RmAlso', model_class => 'RmModel', bind_key => 'rm', columns => 'x text');
COMMIT;
SELECT name FROM corm.model WHERE name LIKE 'Rm%' ORDER BY name;
\c corm_regress_remote
SELECT c.relname FROM pg_class c WHERE c.relnamespace = 'rm_accounts'::regnamespace AND c.relkind = 'r' ORDER BY 1;
\c :home

-- a server without corm takes models without onupdate; one with onupdate
-- is refused with a hint, and neither database changes
SELECT * FROM corm.register_bind('rm_plain', 'rm_plain', server => 'remote_plain');
SELECT count(*) > 0 AS registered FROM corm.register_model('RmNote', model_class => 'RmModel', bind_key => 'rm_plain', columns => 'body text');
INSERT INTO rm_plain.rm_note_view (body) VALUES ('note') RETURNING id, body;
-- the bind moved to another schema: the table moves there, the foreign
-- table here (SET SCHEMA on both sides: rows, indexes and trigger stay)
SELECT s AS statement FROM corm.register_bind('rm_plain', 'rm_plain2', server => 'remote_plain') s
 WHERE s ~ '^(/\* server|ALTER FOREIGN|CREATE FOREIGN|CREATE SCHEMA)';
INSERT INTO rm_plain2.rm_note_view (body) VALUES ('moved') RETURNING id, body;
SELECT s AS statement FROM corm.register_bind('rm_plain', 'rm_plain', server => 'remote_plain') s
 WHERE s ~ '^(/\* server|ALTER FOREIGN|CREATE FOREIGN|CREATE SCHEMA)';
SELECT count(*) AS notes FROM rm_plain.rm_note_view;
-- corm.ddl shows which statements run there
SELECT line FROM regexp_split_to_table(corm.ddl('RmNote'), E'\n') line
 WHERE line ~ '^(/\*|CREATE FOREIGN|CREATE SCHEMA)';
SELECT * FROM corm.register_model('RmStamped', model_class => 'RmModel', bind_key => 'rm_plain',
    columns => 'body text, changed timestamptz', onupdate => 'changed = now()');
SELECT count(*) AS stamped FROM corm.model WHERE name = 'RmStamped';
\c corm_regress_plain
SELECT c.relname FROM pg_class c WHERE c.relnamespace = 'rm_plain'::regnamespace AND c.relkind = 'r' ORDER BY 1;
\c :home

-- a server that does not answer: a clean error, nothing registered
-- (terse: the error's detail names the socket)
SELECT * FROM corm.register_bind('rm_down', 'rm_down', server => 'remote_down');
\set VERBOSITY terse
SELECT * FROM corm.register_model('RmDown', model_class => 'RmModel', bind_key => 'rm_down', columns => 'x text');
\set VERBOSITY default
SELECT count(*) AS down FROM corm.model WHERE name = 'RmDown';
SELECT to_regnamespace('rm_down') AS down_schema;

-- a role that is not a superuser connects only with a password
CREATE ROLE corm_regress_fdw_user;
GRANT USAGE ON FOREIGN SERVER remote_corm TO corm_regress_fdw_user;
CREATE USER MAPPING FOR corm_regress_fdw_user SERVER remote_corm;
GRANT CREATE ON DATABASE :"home" TO corm_regress_fdw_user;
SET ROLE corm_regress_fdw_user;
SELECT * FROM corm.register_bind('rm_user', 'rm_user', server => 'remote_plain');
SELECT * FROM corm.register_bind('rm_user', 'rm_user', server => 'remote_corm');
SELECT * FROM corm.register_model('RmUserModel', model_class => 'RmModel', bind_key => 'rm_user', columns => 'x text');
RESET ROLE;

-- a bind with models keeps its server
SELECT * FROM corm.register_bind('rm', 'rm_accounts', server => 'remote_plain');

-- nor does a model move its table from one database to another
SELECT * FROM corm.register_model('RmNote', model_class => 'RmModel', columns => 'body text');
SELECT count(*) > 0 AS registered FROM corm.register_model('RmLocal', model_class => 'RmModel', columns => 'x text');
SELECT * FROM corm.register_model('RmLocal', model_class => 'RmModel', bind_key => 'rm', columns => 'x text');
SELECT count(*) > 0 AS dropped FROM corm.drop_model('RmLocal');

-- drop_model drops the table there too
SELECT * FROM corm.drop_model('RmKept');
SELECT count(*) AS statements FROM corm.drop_model('RmTicket');
SELECT count(*) AS statements FROM corm.drop_model('RmAlso');
SELECT * FROM corm.drop_model('RmUser', cascade => true);
SELECT * FROM corm.drop_model('RmPost');
SELECT * FROM corm.drop_model('RmNote');
\c corm_regress_remote
SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'rm_accounts' ORDER BY 1;
SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname = 'rm_accounts' ORDER BY 1;
\c :home
SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname IN ('rm_accounts', 'rm_plain') ORDER BY 1;

-- clean up: the model class, the binds, the servers, the other databases
SELECT * FROM corm.drop_model_class('RmModel');
SELECT * FROM corm.drop_bind('rm');
SELECT * FROM corm.drop_bind('rm_plain');
SELECT * FROM corm.drop_bind('rm_down');
SELECT * FROM corm.drop_bind('rm_user');
DROP SCHEMA rm_accounts, rm_plain, rm_plain2;
DROP DOMAIN rm_local_only;
REVOKE CREATE ON DATABASE :"home" FROM corm_regress_fdw_user;
SELECT postgres_fdw_disconnect_all() IS NOT NULL AS disconnected;
SET client_min_messages = warning;
DROP SERVER remote_corm, remote_plain, remote_down, remote_unmapped CASCADE;
RESET client_min_messages;
DROP SERVER remote_other;
DROP FOREIGN DATA WRAPPER corm_regress_other;
DROP ROLE corm_regress_fdw_user;
DROP DATABASE corm_regress_remote;
DROP DATABASE corm_regress_plain;
DROP EXTENSION postgres_fdw;
