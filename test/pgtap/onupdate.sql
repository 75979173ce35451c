-- corm: onupdate (SPEC §2, §4, §5): one BEFORE UPDATE trigger written in C,
-- corm.onupdate(), on every table whose model has onupdate columns from any
-- source and on no other; SQLAlchemy's semantics (a column the UPDATE's SET
-- list does not name gets its onupdate value, computed from the old row; a
-- column it names keeps the value given, even its old one; a change made by a
-- BEFORE trigger that fires first wins); the current-time functions; types
-- checked when registering;
-- changes of a mixin reaching every table; joined and single-table
-- inheritance; every way a row can be updated; cached state rebuilt.
BEGIN;
SET client_min_messages = warning;
SET lc_messages = 'C';  -- error texts are matched below: in English, whatever the server's
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION corm;
CREATE SCHEMA tap_onupdate;
SET search_path = tap_onupdate, public;

SELECT plan(127);

-- the arguments of a table's corm_onupdate trigger ("column = expression" each)
CREATE FUNCTION tap_onupdate.onupdate_args(t regclass) RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE
    g bytea;
    r text[] := '{}';
    s int := 0;
BEGIN
    SELECT tgargs INTO g FROM pg_trigger WHERE tgrelid = t AND tgname = 'corm_onupdate';
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    FOR i IN 0 .. length(g) - 1 LOOP
        IF get_byte(g, i) = 0 THEN
            r := r || convert_from(substring(g FROM s + 1 FOR i - s), 'UTF8');
            s := i + 1;
        END IF;
    END LOOP;
    RETURN r;
END
$$;
-- the columns that trigger sets, sorted
CREATE FUNCTION tap_onupdate.onupdate_cols(t regclass) RETURNS text[] LANGUAGE sql AS $$
    SELECT array_agg(split_part(a, ' = ', 1) ORDER BY split_part(a, ' = ', 1) COLLATE "C")
      FROM unnest(tap_onupdate.onupdate_args(t)) a
$$;
CREATE FUNCTION tap_onupdate.trigger_oid(t regclass) RETURNS oid LANGUAGE sql AS $$
    SELECT oid FROM pg_trigger WHERE tgrelid = t AND tgname = 'corm_onupdate'
$$;
-- every trigger on a table of this schema that runs corm.onupdate
CREATE FUNCTION tap_onupdate.onupdate_tables() RETURNS text[] LANGUAGE sql AS $$
    SELECT coalesce(array_agg(c.relname::text ORDER BY c.relname), '{}')
      FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
     WHERE c.relnamespace = 'tap_onupdate'::regnamespace AND t.tgfoid = 'corm.onupdate'::regproc
$$;
-- what a refused call could leave behind here
CREATE FUNCTION tap_onupdate.state() RETURNS text[] LANGUAGE sql AS $$
    SELECT array_agg(x ORDER BY x COLLATE "C") FROM (
        SELECT 'rel ' || c.relname || ' ' || c.relkind::text || ' ' ||
               coalesce((SELECT string_agg(a.attname, ',' ORDER BY a.attnum) FROM pg_attribute a
                          WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), '')
          FROM pg_class c WHERE c.relnamespace = 'tap_onupdate'::regnamespace
        UNION ALL
        SELECT 'trigger ' || t.oid || ' ' || pg_get_triggerdef(t.oid)
          FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
         WHERE c.relnamespace = 'tap_onupdate'::regnamespace
        UNION ALL SELECT 'model ' || m::text FROM corm.model m
        UNION ALL SELECT 'mixin ' || m::text FROM corm.mixin m
    ) s(x)
$$;
CREATE TABLE tap_onupdate.snapshot (s text[]);
CREATE FUNCTION tap_onupdate.snap() RETURNS void LANGUAGE sql AS $$
    DELETE FROM tap_onupdate.snapshot; INSERT INTO tap_onupdate.snapshot SELECT tap_onupdate.state();
$$;
CREATE FUNCTION tap_onupdate.unchanged() RETURNS boolean LANGUAGE sql AS $$
    SELECT tap_onupdate.state() = s FROM tap_onupdate.snapshot
$$;

-- ------------------------------------------------------- the trigger function
SELECT has_function('corm', 'onupdate', '{}'::name[], 'corm.onupdate() exists');
SELECT function_returns('corm', 'onupdate', '{}'::name[], 'trigger', 'corm.onupdate() returns trigger');
SELECT function_lang_is('corm', 'onupdate', '{}'::name[], 'c', 'corm.onupdate() is written in C');
SELECT is((SELECT l.lanname::text FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
            WHERE p.oid = 'corm.onupdate'::regproc), 'c', 'pg_proc.prolang of corm.onupdate is c');

-- ---------------------------------------------------- models of every kind
SELECT corm.register_model_class('IdModel', primary_key => 'id integer');
SELECT corm.register_mixin('Timestamps',
      columns  => 'created timestamp NOT NULL DEFAULT now(), updated timestamp',
      onupdate => 'updated = now()');
SELECT corm.register_mixin('Audited', columns => 'audited_by text', mixins => '{Timestamps}');
SELECT corm.register_mixin('Versioned', columns => 'version int NOT NULL DEFAULT 1',
      onupdate => 'version = version + 1');
SELECT corm.register_mixin('Named', columns => 'name text');

SELECT lives_ok($$SELECT corm.register_model('Plain', model_class => 'IdModel', columns => 'x int')$$,
                'Plain: no onupdate anywhere');
SELECT lives_ok($$SELECT corm.register_model('Tagged', model_class => 'IdModel', mixins => '{Named}')$$,
                'Tagged: a mixin without onupdate');
SELECT lives_ok($$SELECT corm.register_model('Post', model_class => 'IdModel', mixins => '{Timestamps}', columns => 'body text')$$,
                'Post: onupdate from a mixin');
SELECT lives_ok($$SELECT corm.register_model('Note', model_class => 'IdModel', mixins => '{Audited}', columns => 'body text')$$,
                'Note: onupdate from a mixin of a mixin');
SELECT lives_ok($$SELECT corm.register_model('Doc', model_class => 'IdModel', mixins => '{Timestamps}',
      columns  => 'body text, revision int NOT NULL DEFAULT 0, touched timestamptz, edits text[] NOT NULL DEFAULT ''{}''',
      onupdate => 'revision = revision + 1, touched = clock_timestamp(), edits = edits || body')$$,
                'Doc: a mixin''s onupdate and several of its own');
SELECT lives_ok($$SELECT corm.register_model('Page', parent => 'Doc', mixins => '{Versioned}', columns => 'title text')$$,
                'Page: joined subclass of Doc with a mixin''s onupdate');
SELECT lives_ok($$SELECT corm.register_model('Feature', parent => 'Post', columns => 'rank int')$$,
                'Feature: joined subclass of Post without onupdate of its own');
SELECT lives_ok($$SELECT corm.register_model('Task', model_class => 'IdModel', columns => 'kind text, done boolean',
                                             polymorphic_on => 'kind')$$,
                'Task: single-table root without onupdate');
SELECT lives_ok($$SELECT corm.register_model('Chore', parent => 'Task', model_class => 'Model',
                                             columns => 'last_done timestamptz', onupdate => 'last_done = now()')$$,
                'Chore: single-table subclass with an onupdate of its own');
SELECT lives_ok($$SELECT corm.register_model('Errand', parent => 'Task', model_class => 'Model', mixins => '{Timestamps}')$$,
                'Errand: single-table subclass with a mixin''s onupdate');
SELECT lives_ok($$SELECT corm.register_model('Stamped', model_class => 'IdModel', abstract => true,
                                             columns => 'stamp timestamptz', onupdate => 'stamp = now()')$$,
                'Stamped: abstract with an onupdate');
SELECT lives_ok($$SELECT corm.register_model('Item', parent => 'Stamped', columns => 'label text')$$,
                'Item: inherits the abstract model''s onupdate');

-- ---------------------------------------------------- where the trigger is
SELECT has_trigger('tap_onupdate', 'post', 'corm_onupdate'::name, 'post (mixin) has corm_onupdate');
SELECT has_trigger('tap_onupdate', 'note', 'corm_onupdate'::name, 'note (mixin of a mixin) has corm_onupdate');
SELECT has_trigger('tap_onupdate', 'doc', 'corm_onupdate'::name, 'doc (own onupdate) has corm_onupdate');
SELECT has_trigger('tap_onupdate', 'page', 'corm_onupdate'::name, 'page (joined, mixin) has corm_onupdate');
SELECT has_trigger('tap_onupdate', 'task', 'corm_onupdate'::name, 'task (its single-table subclasses'' onupdate) has corm_onupdate');
SELECT has_trigger('tap_onupdate', 'item', 'corm_onupdate'::name, 'item (abstract parent''s onupdate) has corm_onupdate');
SELECT hasnt_trigger('tap_onupdate', 'plain', 'corm_onupdate'::name, 'plain has no trigger');
SELECT hasnt_trigger('tap_onupdate', 'tagged', 'corm_onupdate'::name, 'tagged (a mixin without onupdate) has no trigger');
SELECT hasnt_trigger('tap_onupdate', 'feature', 'corm_onupdate'::name, 'feature (joined, nothing of its own) has no trigger');
SELECT is(onupdate_tables(), ARRAY['doc', 'item', 'note', 'page', 'post', 'task'],
          'corm.onupdate runs on exactly these tables, once each');
SELECT results_eq($$SELECT DISTINCT t.tgname::text COLLATE "default", t.tgtype::int, t.tgenabled::text, p.proname::text COLLATE "default",
                           l.lanname::text COLLATE "default"
                      FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
                      JOIN pg_proc p ON p.oid = t.tgfoid JOIN pg_language l ON l.oid = p.prolang
                     WHERE c.relnamespace = 'tap_onupdate'::regnamespace AND NOT t.tgisinternal
                       AND c.relkind = 'r'$$,
                  $$VALUES ('corm_onupdate', 19, 'O', 'onupdate', 'c')$$,
                  'every trigger is corm_onupdate, BEFORE UPDATE FOR EACH ROW, enabled, the one C function');
SELECT trigger_is('tap_onupdate', 'post', 'corm_onupdate', 'corm', 'onupdate', 'post''s trigger runs corm.onupdate');
SELECT trigger_is('tap_onupdate', 'task', 'corm_onupdate', 'corm', 'onupdate', 'task''s trigger runs corm.onupdate');
SELECT is(onupdate_cols('post'), '{updated}', 'post''s trigger sets updated');
SELECT is(onupdate_cols('note'), '{updated}', 'note''s trigger sets updated');
SELECT is(onupdate_cols('doc'), '{edits,revision,touched,updated}', 'doc''s trigger sets its four columns');
SELECT is(onupdate_cols('page'), '{version}', 'page''s trigger sets only page''s own column');
SELECT is(onupdate_cols('task'), '{last_done,updated}', 'task''s trigger sets both subclasses'' columns');
SELECT is(onupdate_cols('item'), '{stamp}', 'item''s trigger sets stamp');

-- ------------------------------------------------------------- semantics
INSERT INTO doc (id, body) VALUES (1, 'one'), (2, 'two');
SELECT results_eq($$SELECT id, updated, revision, touched, edits FROM doc ORDER BY id$$,
                  $$VALUES (1, NULL::timestamp, 0, NULL::timestamptz, '{}'::text[]), (2, NULL, 0, NULL, '{}')$$,
                  'an INSERT sets no onupdate column');
UPDATE doc SET body = 'uno' WHERE id = 1;
SELECT results_eq($$SELECT id, body, revision, edits, updated = now()::timestamp, touched >= now() FROM doc ORDER BY id$$,
                  $$VALUES (1, 'uno', 1, '{one}'::text[], true, true), (2, 'two', 0, '{}', NULL, NULL)$$,
                  'the unchanged columns get their onupdate values, from the old row; other rows are untouched');
UPDATE doc SET body = 'dos', updated = '2001-02-03', revision = 41, touched = '2001-02-03 04:05:06+00',
               edits = '{x}' WHERE id = 2;
SELECT results_eq($$SELECT body, updated, revision, touched, edits FROM doc WHERE id = 2$$,
                  $$VALUES ('dos', '2001-02-03'::timestamp, 41, '2001-02-03 04:05:06+00'::timestamptz, '{x}'::text[])$$,
                  'explicit new values win over every onupdate');
UPDATE doc SET revision = 7 WHERE id = 2;
SELECT results_eq($$SELECT revision, edits, updated = now()::timestamp, touched >= now() FROM doc WHERE id = 2$$,
                  $$VALUES (7, '{x,dos}'::text[], true, true)$$,
                  'one explicit column wins, the others get their onupdate values');
UPDATE doc SET touched = NULL WHERE id = 2;
SELECT results_eq($$SELECT touched, revision FROM doc WHERE id = 2$$,
                  $$VALUES (NULL::timestamptz, 8)$$, 'setting a column to NULL is an explicit new value too');
UPDATE doc SET body = body WHERE id = 1;
SELECT results_eq($$SELECT revision, edits FROM doc WHERE id = 1$$,
                  $$VALUES (2, '{one,uno}'::text[])$$, 'an UPDATE that changes nothing still counts');
UPDATE doc SET revision = revision, edits = edits WHERE id = 2;
SELECT results_eq($$SELECT revision, edits, updated = now()::timestamp, touched >= now() FROM doc WHERE id = 2$$,
                  $$VALUES (8, '{x,dos,dos}'::text[], true, true)$$,
                  'a column the SET list names keeps its value, even its old one (SQLAlchemy''s rule); the others get onupdate');
UPDATE doc SET body = body || '!';
SELECT results_eq($$SELECT id, body, revision, edits FROM doc ORDER BY id$$,
                  $$VALUES (1, 'uno!', 3, '{one,uno,uno}'::text[]), (2, 'dos!', 9, '{x,dos,dos,dos}')$$,
                  'one UPDATE of several rows: each row from its own old row');
UPDATE doc SET body = 'eins', revision = revision + 100, edits = edits || body WHERE id = 1;
SELECT results_eq($$SELECT body, revision, edits FROM doc WHERE id = 1$$,
                  $$VALUES ('eins', 103, '{one,uno,uno,uno!}'::text[])$$,
                  'explicit values computed by the UPDATE itself are kept, not computed again');

-- a value equal to the old one though stored differently (numeric scale)
SELECT corm.register_model('Tally', model_class => 'IdModel', columns => 'n numeric NOT NULL DEFAULT 1.0, note text',
                           onupdate => 'n = n + 1');
INSERT INTO tally (id) VALUES (1);
UPDATE tally SET n = 1.00 WHERE id = 1;
SELECT is((SELECT n::text FROM tally WHERE id = 1), '1.00',
          'numeric 1.00, equal to the old 1.0, named by the SET list: kept as given');

-- any expression the server accepts, over the old row
CREATE TABLE tap_onupdate.labels (code text PRIMARY KEY, label text);
INSERT INTO tap_onupdate.labels VALUES ('new', 'fresh'), ('seen', 'known');
CREATE SEQUENCE tap_onupdate.ticket_seq;
SELECT lives_ok($$SELECT corm.register_model('Gadget', model_class => 'IdModel',
      columns  => 'name text, status text NOT NULL DEFAULT ''new'', shout text, label text, ticket bigint, blob text',
      onupdate => 'status = CASE WHEN status = ''new'' THEN ''seen'' ELSE ''old'' END, shout = upper(name),
                   label = (SELECT l.label FROM tap_onupdate.labels l WHERE l.code = gadget.status),
                   ticket = nextval(''tap_onupdate.ticket_seq''), blob = blob || ''+''')$$,
                'Gadget: a CASE, a function call, a subquery on another table, nextval, an operator');
SELECT is(onupdate_cols('gadget'), '{blob,label,shout,status,ticket}', 'gadget''s trigger sets its five columns');
INSERT INTO gadget (id, name, blob) VALUES (1, 'a', (SELECT string_agg(md5(i::text), '') FROM generate_series(1, 10000) i)),
                                           (2, 'b', 'small');
SELECT is((SELECT is_called FROM ticket_seq), false, 'the sequence is untouched by the INSERT');
UPDATE gadget SET name = 'A2' WHERE id = 1;
SELECT results_eq($$SELECT name, status, shout, label, ticket, length(blob), right(blob, 1) FROM gadget WHERE id = 1$$,
                  $$VALUES ('A2', 'seen', 'A', 'fresh', 1::bigint, 320001, '+')$$,
                  'CASE, upper(), the subquery and the operator read the old row; nextval gives 1; a toasted value is appended to');
UPDATE gadget SET name = name;
SELECT results_eq($$SELECT id, status, shout, label FROM gadget ORDER BY id$$,
                  $$VALUES (1, 'old', 'A2', 'known'), (2, 'seen', 'B', 'fresh')$$,
                  'two rows in one UPDATE: each from its own old row');
SELECT is((SELECT array_agg(ticket ORDER BY ticket) FROM gadget), '{2,3}'::bigint[], 'and each its own nextval');
UPDATE gadget SET ticket = 100, status = 'new' WHERE id = 2;
SELECT results_eq($$SELECT status, ticket, label FROM gadget WHERE id = 2$$,
                  $$VALUES ('new', 100::bigint, 'known')$$, 'explicit values win over nextval and the CASE');
SELECT is((SELECT last_value FROM ticket_seq), 3::bigint,
          'the sequence is not advanced for a column the UPDATE sets itself');
UPDATE gadget SET blob = blob WHERE id = 1;
SELECT is((SELECT length(blob) FROM gadget WHERE id = 1), 320002,
          'a large toasted column set to itself is named: it keeps its value');

-- reserved words and mixed case as table and column names, the row named by its table
SELECT lives_ok($$SELECT corm.register_model('Order', model_class => 'IdModel',
      columns  => '"group" int NOT NULL DEFAULT 0, "Mixed Case" int NOT NULL DEFAULT 0, note text',
      onupdate => '"group" = "group" + 1, "Mixed Case" = "order"."Mixed Case" + 10')$$,
                'Order: reserved and mixed-case names in onupdate');
INSERT INTO "order" (id, note) VALUES (1, 'o');
UPDATE "order" SET note = 'o2';
UPDATE "order" SET note = 'o3', "group" = 5;
SELECT results_eq($$SELECT "group", "Mixed Case", note FROM "order"$$, $$VALUES (5, 20, 'o3')$$,
                  'quoted columns are set, the explicit one wins');

-- ------------------------------------------- the current-time functions
SELECT lives_ok($$SELECT corm.register_model('Clock', model_class => 'IdModel',
      columns  => 'tag text, tz_now timestamptz, ts_now timestamp, tz_cur timestamptz, ts_cur timestamp,
                   tz_local timestamptz, ts_local timestamp, tz_tx timestamptz, ts_tx timestamp,
                   tz_stmt timestamptz, ts_stmt timestamp, tz_clock timestamptz, ts_clock timestamp,
                   tz_q timestamptz, ts0 timestamp(0), tz0 timestamptz(0), ts2_stmt timestamp(2),
                   tz3_clock timestamptz(3), d date',
      onupdate => 'tz_now = now(), ts_now = now(), tz_cur = current_timestamp, ts_cur = current_timestamp,
                   tz_local = localtimestamp, ts_local = localtimestamp,
                   tz_tx = transaction_timestamp(), ts_tx = transaction_timestamp(),
                   tz_stmt = statement_timestamp(), ts_stmt = statement_timestamp(),
                   tz_clock = clock_timestamp(), ts_clock = clock_timestamp(), tz_q = pg_catalog.now(),
                   ts0 = now(), tz0 = now(), ts2_stmt = statement_timestamp(), tz3_clock = clock_timestamp(),
                   d = now()')$$,
                'Clock: every current-time function on timestamp, timestamptz, with typmods, and date');
INSERT INTO clock (id, tag) VALUES (1, 'a'), (2, 'b');
CREATE TABLE tap_onupdate.stmt_seen (round int, id int, st timestamptz, after timestamptz);
SET LOCAL timezone = 'Asia/Tokyo';
WITH u AS (UPDATE clock SET tag = tag || '1' RETURNING id, statement_timestamp() AS st)
INSERT INTO stmt_seen SELECT 1, id, st, clock_timestamp() FROM u;
SELECT results_eq($$SELECT id, tz_now = now(), ts_now = now()::timestamp, tz_cur = now(), ts_cur = localtimestamp,
                           tz_local = now(), ts_local = localtimestamp, tz_tx = now(), ts_tx = transaction_timestamp()::timestamp,
                           tz_q = now()
                      FROM clock ORDER BY id$$,
                  $$VALUES (1, true, true, true, true, true, true, true, true, true),
                           (2, true, true, true, true, true, true, true, true, true)$$,
                  'now(), current_timestamp, localtimestamp, transaction_timestamp() give exactly now() (Asia/Tokyo)');
SELECT results_eq($$SELECT c.id, c.tz_stmt = s.st, c.ts_stmt = s.st::timestamp, c.tz_stmt > now()
                      FROM clock c JOIN stmt_seen s ON s.id = c.id AND s.round = 1 ORDER BY c.id$$,
                  $$VALUES (1, true, true, true), (2, true, true, true)$$,
                  'statement_timestamp() is the UPDATE''s statement_timestamp(), not the transaction''s');
SELECT results_eq($$SELECT c.id, c.tz_clock >= now(), c.tz_clock >= s.st, c.tz_clock <= s.after,
                           c.ts_clock >= s.st::timestamp, c.ts_clock <= s.after::timestamp
                      FROM clock c JOIN stmt_seen s ON s.id = c.id AND s.round = 1 ORDER BY c.id$$,
                  $$VALUES (1, true, true, true, true, true), (2, true, true, true, true, true)$$,
                  'clock_timestamp() is the time of the row''s update: >= now(), within the UPDATE');
SELECT results_eq($$SELECT c.id, c.ts0 = now()::timestamp(0), c.tz0 = now()::timestamptz(0),
                           c.ts2_stmt = s.st::timestamp(2), extract(microseconds FROM c.tz3_clock)::bigint % 1000 = 0
                      FROM clock c JOIN stmt_seen s ON s.id = c.id AND s.round = 1 ORDER BY c.id$$,
                  $$VALUES (1, true, true, true, true), (2, true, true, true, true)$$,
                  'timestamp(0), timestamptz(0), timestamp(2), timestamptz(3) columns get correctly rounded values');
SELECT results_eq($$SELECT id, d FROM clock ORDER BY id$$, $$VALUES (1, current_date), (2, current_date)$$,
                  'a date column with d = now() gets current_date');
SET LOCAL timezone = 'Asia/Kolkata';
WITH u AS (UPDATE clock SET tag = tag || '2' WHERE id = 1 RETURNING id, statement_timestamp() AS st)
INSERT INTO stmt_seen SELECT 2, id, st, clock_timestamp() FROM u;
SELECT results_eq($$SELECT c.ts_now = now()::timestamp, c.ts_cur = localtimestamp, c.ts_local = localtimestamp,
                           c.ts_tx = now()::timestamp, c.ts0 = now()::timestamp(0), c.tz_now = now(),
                           c.tz_local = now(), c.ts_stmt = s.st::timestamp, c.tz_stmt = s.st
                      FROM clock c JOIN stmt_seen s ON s.id = c.id AND s.round = 2$$,
                  $$VALUES (true, true, true, true, true, true, true, true, true)$$,
                  'after SET timezone the timestamp columns get the local time of the new zone');
SELECT ok((SELECT ts_now - (SELECT ts_now FROM clock WHERE id = 2) FROM clock WHERE id = 1) = interval '-3 hours -30 minutes',
          'the same instant in Kolkata is 3:30 behind Tokyo');

-- ------------------------------------------------------ joined inheritance
INSERT INTO doc (id, body) VALUES (3, 'page');
INSERT INTO page (id, title) VALUES (3, 'p');
UPDATE page SET title = 'p2' WHERE id = 3;
SELECT results_eq($$SELECT d.revision, d.updated, p.version FROM doc d JOIN page p USING (id)$$,
                  $$VALUES (0, NULL::timestamp, 2)$$, 'updating the child row fires only the child table''s trigger');
UPDATE doc SET body = 'page2' WHERE id = 3;
SELECT results_eq($$SELECT d.revision, d.updated = now()::timestamp, p.version FROM doc d JOIN page p USING (id)$$,
                  $$VALUES (1, true, 2)$$, 'updating the parent row fires only the parent table''s trigger');
SELECT throws_ok($$SELECT corm.register_model('Memo', parent => 'Doc', model_class => 'IdModel', onupdate => 'body = ''x''')$$,
                 '0A000', NULL, 'an onupdate on a column of the joined parent''s table is refused (0A000)');
SELECT hasnt_table('tap_onupdate', 'memo', 'and Memo has no table');
SELECT lives_ok($$SELECT corm.register_model('Page', parent => 'Doc', mixins => '{Versioned}', columns => 'title text',
                                             onupdate => 'revision = revision + 1')$$,
                'repeating the parent''s own assignment is accepted');
SELECT is(onupdate_cols('page'), '{version}', 'and page''s trigger still sets only version');
SELECT corm.register_model('Page', parent => 'Doc', mixins => '{Versioned}', columns => 'title text');

-- ------------------------------------------------ single-table inheritance
INSERT INTO task (id, kind, done) VALUES (1, 'Chore', false), (2, 'Errand', false), (3, 'Task', false);
UPDATE task SET done = true WHERE id = 1;
SELECT results_eq($$SELECT id, done, last_done = now(), updated = now()::timestamp FROM task ORDER BY id$$,
                  $$VALUES (1, true, true, true), (2, false, NULL, NULL), (3, false, NULL, NULL)$$,
                  'the subclasses'' onupdate columns are set by the shared table''s trigger');

-- ---------------------------------------------- every way to update a row
INSERT INTO post (id, body) VALUES (1, 'p1'), (2, 'p2');
UPDATE post SET updated = '2000-01-01';
UPDATE post p SET body = s.body FROM (VALUES (1, 'from')) s(id, body) WHERE p.id = s.id;
SELECT results_eq($$SELECT id, body, updated = now()::timestamp FROM post ORDER BY id$$,
                  $$VALUES (1, 'from', true), (2, 'p2', false)$$, 'UPDATE ... FROM sets updated');
UPDATE doc SET updated = '2000-01-01', revision = 50 WHERE id = 1;
INSERT INTO doc (id, body) VALUES (1, 'upsert') ON CONFLICT (id) DO UPDATE SET body = excluded.body;
SELECT results_eq($$SELECT body, revision, updated = now()::timestamp, edits[array_upper(edits, 1)] FROM doc WHERE id = 1$$,
                  $$VALUES ('upsert', 51, true, 'eins')$$,
                  'INSERT ... ON CONFLICT DO UPDATE gets the onupdate values');
INSERT INTO doc (id, body) VALUES (1, 'upsert2') ON CONFLICT (id) DO UPDATE SET body = excluded.body, revision = 5;
SELECT is((SELECT revision FROM doc WHERE id = 1), 5, 'ON CONFLICT DO UPDATE: an explicit value still wins');
UPDATE post SET updated = '2000-01-01';
MERGE INTO post p USING (VALUES (2, 'merged')) s(id, body) ON p.id = s.id
 WHEN MATCHED THEN UPDATE SET body = s.body;
SELECT results_eq($$SELECT id, body, updated = now()::timestamp FROM post ORDER BY id$$,
                  $$VALUES (1, 'from', false), (2, 'merged', true)$$, 'MERGE ... WHEN MATCHED THEN UPDATE sets updated');
INSERT INTO item (id, label) VALUES (1, 'i');
UPDATE item SET label = 'j';
SELECT is((SELECT stamp FROM item), now(), 'the abstract parent''s onupdate runs on item');
INSERT INTO note (id, body) VALUES (1, 'n');
UPDATE note SET body = 'n2';
SELECT is((SELECT updated FROM note), now()::timestamp, 'the mixin of a mixin''s onupdate runs on note');

-- ------------------------------------------ refused when registering: 42804
SELECT snap();
SELECT throws_ok($$SELECT corm.register_model('Bad', model_class => 'IdModel', columns => 'n int', onupdate => 'n = now()')$$,
                 '42804', NULL, 'timestamptz into an integer column is refused (42804)');
SELECT throws_ok($$SELECT corm.register_model('Bad', model_class => 'IdModel', columns => 'at timestamp', onupdate => 'at = 1')$$,
                 '42804', NULL, 'an integer into a timestamp column is refused (42804)');
SELECT hasnt_table('tap_onupdate', 'bad', 'no table for Bad');
SELECT ok(unchanged(), 'nothing created: no table, no trigger, no catalog row');
SELECT corm.register_mixin('BadStamp', columns => 'stamp date', onupdate => 'stamp = point(1, 2)');
SELECT snap();
SELECT throws_ok($$SELECT corm.register_model('Bad', model_class => 'IdModel', mixins => '{BadStamp}')$$,
                 '42804', NULL, 'a mixin''s onupdate of the wrong type is refused with the model (42804)');
SELECT ok(unchanged(), 'nothing created for the model using the mixin');
SELECT throws_ok($$SELECT corm.register_model('Doc', model_class => 'IdModel', mixins => '{Timestamps}',
      columns  => 'body text, revision int NOT NULL DEFAULT 0, touched timestamptz, edits text[] NOT NULL DEFAULT ''{}''',
      onupdate => 'revision = body, touched = clock_timestamp(), edits = edits || body')$$,
                 '42804', NULL, 'an existing model re-registered with a wrongly typed onupdate is refused (42804)');
SELECT throws_ok($$SELECT corm.register_mixin('Versioned', columns => 'version int NOT NULL DEFAULT 1',
                                              onupdate => 'version = now()')$$,
                 '42804', NULL, 'a used mixin re-registered with a wrongly typed onupdate is refused (42804)');
SELECT ok(unchanged(), 'both refusals left every trigger and catalog row as it was');
SELECT throws_ok($$SELECT corm.register_model('Bad', model_class => 'IdModel', columns => 'n int', onupdate => 'm = 1')$$,
                 '42703', NULL, 'an onupdate of a column the model does not have is refused (42703)');

-- --------------------------------------------- mixins that disagree: 42701
SELECT corm.register_mixin('OtherStamps', columns => 'updated timestamp', onupdate => 'updated = statement_timestamp()');
SELECT corm.register_mixin('StampA', columns => 'seen timestamptz', onupdate => 'seen = now()');
SELECT corm.register_mixin('StampB', columns => 'seen timestamptz', onupdate => 'seen = now()');
SELECT snap();
SELECT throws_ok($$SELECT corm.register_model('Clash', model_class => 'IdModel', mixins => '{Timestamps, OtherStamps}')$$,
                 '42701', NULL, 'two mixins with different onupdates for one column are refused (42701)');
SELECT ok(unchanged(), 'nothing created for Clash');
SELECT lives_ok($$SELECT corm.register_model('Mine', model_class => 'IdModel', mixins => '{Timestamps, OtherStamps}',
                                             onupdate => 'updated = localtimestamp')$$,
                'the model''s own onupdate settles it');
SELECT is(onupdate_cols('mine'), '{updated}', 'mine''s trigger sets updated once');
SELECT ok(array_to_string(onupdate_args('mine'), ';') LIKE '%localtimestamp%'
          AND array_to_string(onupdate_args('mine'), ';') NOT LIKE '%statement_timestamp%'
          AND array_to_string(onupdate_args('mine'), ';') NOT LIKE '%now()%', 'with the model''s own expression');
INSERT INTO mine (id) VALUES (1);
UPDATE mine SET id = id;
SELECT is((SELECT updated FROM mine), localtimestamp, 'mine.updated is localtimestamp, not statement_timestamp()');
SELECT lives_ok($$SELECT corm.register_model('Both', model_class => 'IdModel', mixins => '{StampA, StampB}')$$,
                'two mixins with the same onupdate for one column are accepted');
SELECT is(onupdate_cols('both'), '{seen}', 'both''s trigger sets seen');

-- ----------------------------------------------- re-registering a mixin
CREATE TABLE tap_onupdate.trig_before AS
SELECT c.relname::text AS tbl, t.oid FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
 WHERE c.relnamespace = 'tap_onupdate'::regnamespace AND t.tgname = 'corm_onupdate';
SELECT lives_ok($$SELECT corm.register_mixin('Timestamps',
      columns  => 'created timestamp NOT NULL DEFAULT now(), updated timestamp',
      onupdate => 'updated = now()')$$, 'Timestamps registered again unchanged');
SELECT lives_ok($$SELECT corm.register_model('Post', model_class => 'IdModel', mixins => '{Timestamps}', columns => 'body text')$$,
                'Post registered again unchanged');
SELECT results_eq($$SELECT c.relname::text, t.oid FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
                     WHERE c.relnamespace = 'tap_onupdate'::regnamespace AND t.tgname = 'corm_onupdate' ORDER BY c.relname$$,
                  $$SELECT tbl, oid FROM tap_onupdate.trig_before ORDER BY tbl COLLATE "C"$$,
                  'registering unchanged keeps every trigger with the same OID');
-- fill the cached state of post's, note's and task's triggers first
UPDATE post SET body = body;
UPDATE note SET body = body;
UPDATE task SET done = done;
SELECT lives_ok($$SELECT corm.register_mixin('Timestamps',
      columns  => 'created timestamp NOT NULL DEFAULT now(), updated timestamp',
      onupdate => 'updated = clock_timestamp()')$$, 'Timestamps registered again with another onupdate');
SELECT ok(array_to_string(onupdate_args('post'), ';') LIKE '%updated = clock_timestamp()%', 'post''s trigger has the new expression');
SELECT ok(array_to_string(onupdate_args('note'), ';') LIKE '%updated = clock_timestamp()%', 'note''s trigger (through Audited) has the new expression');
SELECT ok(array_to_string(onupdate_args('doc'), ';') LIKE '%updated = clock_timestamp()%', 'doc''s trigger has the new expression');
SELECT ok(array_to_string(onupdate_args('task'), ';') LIKE '%updated = clock_timestamp()%', 'task''s trigger (single-table Errand) has the new expression');
SELECT is(onupdate_cols('doc'), '{edits,revision,touched,updated}', 'doc''s trigger keeps its own assignments');
SELECT is(onupdate_cols('task'), '{last_done,updated}', 'task''s trigger keeps Chore''s assignment');
SELECT ok(array_to_string(onupdate_args('post') || onupdate_args('note') || onupdate_args('doc') || onupdate_args('task'), ';')
          NOT LIKE '%updated = now()%', 'the old expression is gone everywhere');
SELECT is(trigger_oid('mine'), (SELECT oid FROM trig_before WHERE tbl = 'mine'), 'mine (own onupdate overrides) keeps its trigger');
SELECT is(trigger_oid('page'), (SELECT oid FROM trig_before WHERE tbl = 'page'), 'page (not using the mixin) keeps its trigger');
SELECT is(trigger_oid('gadget'), (SELECT oid FROM trig_before WHERE tbl = 'gadget'), 'gadget keeps its trigger');
SELECT is(onupdate_tables(), ARRAY['both', 'clock', 'doc', 'gadget', 'item', 'mine', 'note', 'order', 'page', 'post', 'tally', 'task'],
          'still exactly these tables have the trigger');
UPDATE post SET body = body;
UPDATE note SET body = body;
UPDATE task SET done = done;
UPDATE doc SET body = body WHERE id = 2;
SELECT ok((SELECT bool_and(updated > now()::timestamp) FROM post), 'post now gets clock_timestamp(), in the same transaction');
SELECT ok((SELECT bool_and(updated > now()::timestamp) FROM note), 'so does note, through Audited');
SELECT ok((SELECT bool_and(updated > now()::timestamp) FROM task), 'so does task, through its subclass Errand');
SELECT ok((SELECT updated > now()::timestamp FROM doc WHERE id = 2), 'so does doc');
UPDATE mine SET id = id;
SELECT is((SELECT updated FROM mine), localtimestamp, 'mine still gets its own localtimestamp');
SELECT throws_ok($$SELECT corm.register_mixin('StampA', columns => 'seen timestamptz', onupdate => 'seen = clock_timestamp()')$$,
                 '42701', NULL, 'a mixin change that makes two mixins of a model disagree is refused (42701)');
SELECT ok(array_to_string(onupdate_args('both'), ';') NOT LIKE '%clock_timestamp%', 'and both''s trigger is unchanged');

-- ------------------------------------- the cached state follows the table
UPDATE doc SET body = 'again' WHERE id = 1;
CREATE TABLE tap_onupdate.doc_trigger AS SELECT trigger_oid('doc') AS oid;
SELECT results_eq($$SELECT body, revision, edits[array_upper(edits, 1)] FROM doc WHERE id = 1$$,
                  $$VALUES ('again', 6, 'upsert2')$$, 'doc before adding a column');
SELECT lives_ok($$SELECT corm.register_model('Doc', model_class => 'IdModel', mixins => '{Timestamps}',
      columns  => 'body text, revision int NOT NULL DEFAULT 0, touched timestamptz, edits text[] NOT NULL DEFAULT ''{}'', extra int',
      onupdate => 'revision = revision + 1, touched = clock_timestamp(), edits = edits || body')$$,
                'Doc registered again with an extra column');
SELECT has_column('tap_onupdate', 'doc', 'extra', 'doc has the new column');
SELECT is(trigger_oid('doc'), (SELECT oid FROM doc_trigger),
          'doc keeps the same trigger (its cached state must follow the altered table)');
UPDATE doc SET extra = 7 WHERE id = 1;
SELECT results_eq($$SELECT body, revision, extra, edits[array_upper(edits, 1)], updated > now()::timestamp FROM doc WHERE id = 1$$,
                  $$VALUES ('again', 7, 7, 'again', true)$$, 'the next UPDATE in the same session works on the new row');
UPDATE doc SET body = 'last' WHERE id = 1;
SELECT results_eq($$SELECT body, revision, extra, edits[array_upper(edits, 1)] FROM doc WHERE id = 1$$,
                  $$VALUES ('last', 8, 7, 'again')$$, 'and the one after it');
SELECT lives_ok($$SELECT corm.register_model('Doc', model_class => 'IdModel', mixins => '{Timestamps}',
      columns  => 'body text, revision int NOT NULL DEFAULT 0, touched timestamptz, edits text[] NOT NULL DEFAULT ''{}'', extra int, more text',
      onupdate => 'revision = revision + 1, touched = clock_timestamp(), edits = edits || body, extra = extra * 2')$$,
                'Doc registered again with another column and an onupdate for extra');
SELECT is(onupdate_cols('doc'), '{edits,extra,revision,touched,updated}', 'doc''s trigger now also sets extra');
UPDATE doc SET more = 'm' WHERE id = 1;
SELECT results_eq($$SELECT body, revision, extra, more, edits[array_upper(edits, 1)] FROM doc WHERE id = 1$$,
                  $$VALUES ('last', 9, 14, 'm', 'last')$$, 'the new trigger and the new columns are used at once');
UPDATE page SET title = 'p3' WHERE id = 3;
SELECT is((SELECT version FROM page WHERE id = 3), 3, 'the joined child''s trigger still works after its parent changed');

SELECT * FROM finish();
ROLLBACK;
