-- corm: model views (SPEC §5 "Views: the model's full row"): every
-- non-abstract model has <name>_view with its full row, inherited columns
-- first; joined views are written through corm.view_trigger() (C, INSTEAD OF),
-- single-table subclasses' views filter and fill in the discriminator.
BEGIN;
SET client_min_messages = warning;
SET lc_messages = 'C';  -- error texts are matched below: in English, whatever the server's
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION corm;
CREATE SCHEMA tap_views;
SET search_path = tap_views, public;

SELECT plan(110);

-- a joined hierarchy three levels deep, single-table subclasses beside it,
-- and an abstract model
SELECT corm.register_model_class('VwIdModel', primary_key => 'id integer');
SELECT corm.register_model('VwPerson', model_class => 'VwIdModel',
       columns => 'name text NOT NULL, kind text, joined timestamptz DEFAULT now(), email text UNIQUE',
       polymorphic_on => 'kind');
SELECT corm.register_model('VwStaff', parent => 'VwPerson',
       columns => 'title text NOT NULL DEFAULT ''x'', badge text UNIQUE');
SELECT corm.register_model('VwManager', parent => 'VwStaff',
       columns => 'reports int CHECK (reports >= 0), note text DEFAULT ''x''');
SELECT corm.register_model('VwGuest', parent => 'VwPerson', model_class => 'Model', columns => 'host text');
SELECT corm.register_model('VwVipGuest', parent => 'VwGuest', columns => 'perk text');
SELECT corm.register_model('VwNamed', abstract => true, columns => 'label text');
SELECT corm.register_model('VwTag', parent => 'VwNamed', model_class => 'VwIdModel');

-- the columns of a relation, in order
CREATE FUNCTION tap_views.cols(rel regclass) RETURNS name[] LANGUAGE sql AS $$
    SELECT array_agg(a.attname ORDER BY a.attnum) FROM pg_attribute a
     WHERE a.attrelid = rel AND a.attnum > 0 AND NOT a.attisdropped
$$;
-- the version of a table's row: a changed xmin or ctid means it was written
CREATE FUNCTION tap_views.row_version(rel text, key int) RETURNS text LANGUAGE plpgsql AS $$
DECLARE v text;
BEGIN
    EXECUTE format('SELECT xmin::text || '' '' || ctid::text FROM %s WHERE id = $1', rel) INTO v USING key;
    RETURN v;
END $$;
CREATE TABLE tap_views.versions (tbl text PRIMARY KEY, v text);
CREATE FUNCTION tap_views.remember_versions(key int) RETURNS void LANGUAGE sql AS $$
    DELETE FROM tap_views.versions;
    INSERT INTO tap_views.versions VALUES
        ('vw_person', tap_views.row_version('tap_views.vw_person', key)),
        ('vw_staff', tap_views.row_version('tap_views.vw_staff', key)),
        ('vw_manager', tap_views.row_version('tap_views.vw_manager', key));
$$;
-- which of the three tables' rows were written since remember_versions()
CREATE FUNCTION tap_views.written(key int) RETURNS text[] LANGUAGE sql AS $$
    SELECT coalesce(array_agg(tbl ORDER BY tbl COLLATE "C"), '{}') FROM tap_views.versions
     WHERE v IS DISTINCT FROM tap_views.row_version('tap_views.' || tbl, key)
$$;
-- the number of rows of id in each of the three joined tables
CREATE FUNCTION tap_views.levels_of(key int) RETURNS int[] LANGUAGE sql AS $$
    SELECT ARRAY[(SELECT count(*)::int FROM tap_views.vw_person WHERE id = key),
                 (SELECT count(*)::int FROM tap_views.vw_staff WHERE id = key),
                 (SELECT count(*)::int FROM tap_views.vw_manager WHERE id = key)]
$$;
CREATE FUNCTION tap_views.counts() RETURNS int[] LANGUAGE sql AS $$
    SELECT ARRAY[(SELECT count(*)::int FROM tap_views.vw_person),
                 (SELECT count(*)::int FROM tap_views.vw_staff),
                 (SELECT count(*)::int FROM tap_views.vw_manager)]
$$;

-- ------------------------------------------------------------- the views
SELECT has_view('tap_views', 'vw_person_view', 'the root VwPerson has vw_person_view');
SELECT has_view('tap_views', 'vw_staff_view', 'the joined VwStaff has vw_staff_view');
SELECT has_view('tap_views', 'vw_manager_view', 'the joined VwManager (depth 3) has vw_manager_view');
SELECT has_view('tap_views', 'vw_guest_view', 'the single-table VwGuest has vw_guest_view');
SELECT has_view('tap_views', 'vw_vip_guest_view', 'the single-table VwVipGuest has vw_vip_guest_view');
SELECT has_view('tap_views', 'vw_tag_view', 'VwTag, subclass of an abstract model, has vw_tag_view');
SELECT hasnt_view('tap_views', 'vw_named_view', 'the abstract VwNamed has no view');
SELECT is((SELECT count(*)::int FROM pg_class WHERE relname LIKE 'vw\_named%'), 0,
          'nor any other relation');

SELECT is(cols('vw_person_view'), ARRAY['id', 'name', 'kind', 'joined', 'email']::name[],
          'vw_person_view: the root''s full row');
SELECT is(cols('vw_staff_view'), ARRAY['id', 'name', 'kind', 'joined', 'email', 'title', 'badge']::name[],
          'vw_staff_view: inherited columns first, then its own');
SELECT is(cols('vw_manager_view'),
          ARRAY['id', 'name', 'kind', 'joined', 'email', 'title', 'badge', 'reports', 'note']::name[],
          'vw_manager_view: VwPerson''s, then VwStaff''s, then its own columns');
SELECT is(cols('vw_guest_view'), ARRAY['id', 'name', 'kind', 'joined', 'email', 'host']::name[],
          'vw_guest_view: the root''s columns, then its own');
SELECT is(cols('vw_vip_guest_view'), ARRAY['id', 'name', 'kind', 'joined', 'email', 'host', 'perk']::name[],
          'vw_vip_guest_view: the whole chain''s columns');
SELECT is(cols('vw_tag_view'), ARRAY['id', 'label']::name[], 'vw_tag_view: the key and the abstract parent''s column');
SELECT col_type_is('tap_views', 'vw_manager_view', 'id', 'integer', 'vw_manager_view.id is integer');
SELECT col_type_is('tap_views', 'vw_manager_view', 'joined', 'timestamp with time zone', 'vw_manager_view.joined keeps its type');
SELECT col_type_is('tap_views', 'vw_manager_view', 'reports', 'integer', 'vw_manager_view.reports is integer');
SELECT has_column('tap_views', 'vw_staff_view', 'badge', 'vw_staff_view has badge');
SELECT hasnt_column('tap_views', 'vw_staff_view', 'reports', 'vw_staff_view does not show its subclass''s columns');
SELECT hasnt_column('tap_views', 'vw_person_view', 'host', 'vw_person_view does not show a single-table subclass''s columns');

SELECT has_trigger('tap_views', 'vw_manager_view', 'corm_view', 'vw_manager_view has corm''s INSTEAD OF trigger');
SELECT has_trigger('tap_views', 'vw_staff_view', 'corm_view', 'vw_staff_view has corm''s INSTEAD OF trigger');
SELECT trigger_is('tap_views', 'vw_manager_view', 'corm_view', 'corm', 'view_trigger',
                  'the trigger runs corm.view_trigger()');
SELECT is((SELECT string_agg(DISTINCT (t.tgtype::int & 64 <> 0 AND t.tgtype::int & 28 = 28)::text, ',')
             FROM pg_trigger t WHERE t.tgrelid IN ('vw_manager_view'::regclass, 'vw_staff_view'::regclass)
              AND t.tgname = 'corm_view'),
          'true', 'INSTEAD OF INSERT OR UPDATE OR DELETE, on both joined views');
SELECT has_function('corm', 'view_trigger', '{}'::name[], 'corm.view_trigger() exists');
SELECT function_returns('corm', 'view_trigger', '{}'::name[], 'trigger', 'corm.view_trigger() is a trigger function');
SELECT function_lang_is('corm', 'view_trigger', '{}'::name[], 'c', 'corm.view_trigger() is written in C');

-- ----------------------------------------- INSERT through the depth-3 view
CREATE TABLE tap_views.ret AS SELECT * FROM vw_manager_view WITH NO DATA;
WITH i AS (INSERT INTO vw_manager_view (name, reports) VALUES ('ann', 3) RETURNING *) INSERT INTO ret SELECT * FROM i;
SELECT is((SELECT count(*)::int FROM ret), 1, 'INSERT ... RETURNING through vw_manager_view returns one row');
SELECT is((SELECT id FROM ret), currval(pg_get_serial_sequence('tap_views.vw_person', 'id'))::int,
          'the key is the root''s identity value');
SELECT is(levels_of((SELECT id FROM ret)), ARRAY[1, 1, 1], 'the row went into vw_person, vw_staff and vw_manager');
SELECT results_eq($$SELECT p.name, p.kind, p.joined, p.email, s.title, s.badge, m.reports, m.note
                      FROM vw_person p JOIN vw_staff s USING (id) JOIN vw_manager m USING (id)
                     WHERE id = (SELECT id FROM tap_views.ret)$$,
                  $$VALUES ('ann', 'VwManager', now(), NULL::text, 'x', NULL::text, 3, 'x')$$,
                  'omitted columns got the tables'' defaults (now(), ''x'') and the discriminator its identity');
SELECT results_eq($$SELECT * FROM tap_views.ret$$,
                  $$SELECT * FROM vw_manager_view WHERE id = (SELECT id FROM tap_views.ret)$$,
                  'RETURNING shows the stored values, defaults included');
SELECT is((SELECT joined FROM ret), now(), 'RETURNING shows joined = now(), not NULL');

DELETE FROM ret;
WITH i AS (INSERT INTO vw_manager_view (id, name, title, reports, joined, email, badge)
           VALUES (100, 'bob', 'cto', 0, '2020-01-01', 'bob@x', 'B1') RETURNING *) INSERT INTO ret SELECT * FROM i;
SELECT results_eq($$SELECT id, name, kind, joined, title, reports, note FROM tap_views.ret$$,
                  $$VALUES (100, 'bob', 'VwManager', '2020-01-01'::timestamptz, 'cto', 0, 'x')$$,
                  'an explicit id and explicit values are kept, RETURNING shows them');
SELECT is(levels_of(100), ARRAY[1, 1, 1], 'an explicit id: a row with that id in every table');

SELECT lives_ok($$INSERT INTO vw_staff_view (name, email) VALUES ('cy', 'cy@x')$$, 'INSERT through vw_staff_view');
SELECT results_eq($$SELECT p.name, p.kind, s.title FROM vw_person p JOIN vw_staff s USING (id) WHERE p.email = 'cy@x'$$,
                  $$VALUES ('cy', 'VwStaff', 'x')$$, 'a VwStaff row: two tables, its own identity');
SELECT is((SELECT count(*)::int FROM vw_manager m JOIN vw_person p USING (id) WHERE p.email = 'cy@x'), 0,
          'and no vw_manager row');

-- ------------------------------------------------ UPDATE through the view
SELECT remember_versions(100);
SELECT lives_ok($$UPDATE vw_manager_view SET reports = 4 WHERE id = 100$$, 'UPDATE a VwManager column');
SELECT is(written(100), ARRAY['vw_manager'], 'only vw_manager''s row was written');
SELECT is((SELECT reports FROM vw_manager WHERE id = 100), 4, 'with the new value');
SELECT remember_versions(100);
SELECT lives_ok($$UPDATE vw_manager_view SET name = 'bobby', title = 'ceo' WHERE id = 100$$,
                'UPDATE a VwPerson and a VwStaff column');
SELECT is(written(100), ARRAY['vw_person', 'vw_staff'], 'vw_person''s and vw_staff''s rows were written, not vw_manager''s');
SELECT results_eq($$SELECT name, title, reports FROM vw_manager_view WHERE id = 100$$,
                  $$VALUES ('bobby', 'ceo', 4)$$, 'the view shows the new values');
SELECT remember_versions(100);
SELECT lives_ok($$UPDATE vw_manager_view SET note = 'n' WHERE id = 100$$, 'UPDATE a VwManager column again');
SELECT is(written(100), ARRAY['vw_manager'], 'again only vw_manager''s row');
SELECT remember_versions(100);
SELECT lives_ok($$UPDATE vw_manager_view SET email = 'robert@x' WHERE id = 100$$, 'UPDATE a root column');
SELECT is(written(100), ARRAY['vw_person'], 'only vw_person''s row');
SELECT results_eq($$WITH u AS (UPDATE vw_manager_view SET reports = reports + 1 WHERE id = 100 RETURNING id, name, reports)
                    SELECT * FROM u$$,
                  $$VALUES (100, 'bobby', 5)$$, 'UPDATE ... RETURNING shows the new row');

-- ------------------------------------------------ errors: the real SQLSTATE
SELECT throws_ok($$INSERT INTO vw_manager_view (name, reports) VALUES (NULL, 1)$$,
                 '23502', NULL, 'a NULL name: not_null_violation (23502)');
SELECT throws_like($$INSERT INTO vw_manager_view (name, reports) VALUES (NULL, 1)$$,
                   '%"name"%"vw_person"%', 'the error names the real column and table');
SELECT throws_ok($$INSERT INTO vw_manager_view (name, reports) VALUES ('fay', -1)$$,
                 '23514', NULL, 'a negative reports: check_violation (23514)');
SELECT throws_ok($$INSERT INTO vw_manager_view (id, name) VALUES (100, 'dup')$$,
                 '23505', NULL, 'a duplicate id: unique_violation (23505)');
SELECT throws_ok($$INSERT INTO vw_manager_view (name, email) VALUES ('dup', 'cy@x')$$,
                 '23505', NULL, 'a duplicate root column: unique_violation (23505)');
SELECT throws_ok($$INSERT INTO vw_manager_view (name, badge) VALUES ('dup', 'B1')$$,
                 '23505', NULL, 'a duplicate VwStaff column: unique_violation (23505)');
SELECT throws_ok($$UPDATE vw_manager_view SET title = NULL WHERE id = 100$$,
                 '23502', NULL, 'UPDATE to a NULL title: not_null_violation (23502)');
SELECT throws_ok($$UPDATE vw_manager_view SET reports = -5 WHERE id = 100$$,
                 '23514', NULL, 'UPDATE to a negative reports: check_violation (23514)');
SELECT is(counts(), ARRAY[3, 3, 2], 'after every failure: no partial rows in any table');
SELECT results_eq($$SELECT name, title, reports FROM vw_manager_view WHERE id = 100$$,
                  $$VALUES ('bobby', 'ceo', 5)$$, 'and the failed UPDATEs changed nothing');

-- failures caught in the same statement's transaction: the parent rows must go too
CREATE FUNCTION tap_views.try_insert(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE q;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE;
END $$;
SELECT is(try_insert($$INSERT INTO vw_manager_view (name, badge, reports) VALUES ('gil', 'G1', -1)$$), '23514',
          'a VwManager failure after its parents were inserted: 23514');
SELECT is((SELECT count(*)::int FROM vw_person WHERE name = 'gil'), 0, 'no vw_person row left');
SELECT is((SELECT count(*)::int FROM vw_staff WHERE badge = 'G1'), 0, 'no vw_staff row left');
SELECT is(try_insert($$INSERT INTO vw_manager_view (name, email) VALUES (NULL, 'hal@x')$$), '23502',
          'a failing parent insert: 23502');
SELECT is(counts(), ARRAY[3, 3, 2], 'a child insert whose parent insert failed leaves nothing in any table');

-- ------------------------------------------------- single-table subclasses
SELECT results_eq($$WITH i AS (INSERT INTO vw_guest_view (name, host) VALUES ('dee', 'ann') RETURNING kind, host) SELECT * FROM i$$,
                  $$VALUES ('VwGuest', 'ann')$$, 'INSERT through vw_guest_view fills in the discriminator');
SELECT results_eq($$WITH i AS (INSERT INTO vw_vip_guest_view (name, perk) VALUES ('ed', 'lounge') RETURNING kind, perk) SELECT * FROM i$$,
                  $$VALUES ('VwVipGuest', 'lounge')$$, 'INSERT through vw_vip_guest_view fills in its identity');
SELECT lives_ok($$INSERT INTO vw_person_view (name) VALUES ('eve')$$, 'INSERT through the root''s view');
SELECT is((SELECT kind FROM vw_person WHERE name = 'eve'), 'VwPerson', 'the root''s view fills in the root''s identity');
SELECT results_eq($$SELECT name, kind FROM vw_guest_view ORDER BY id$$,
                  $$VALUES ('dee', 'VwGuest'), ('ed', 'VwVipGuest')$$,
                  'vw_guest_view shows its own identity and its subclass''s, nothing else');
SELECT results_eq($$SELECT name, kind FROM vw_vip_guest_view ORDER BY id$$,
                  $$VALUES ('ed', 'VwVipGuest')$$, 'vw_vip_guest_view shows only its identity');
SELECT throws_ok($$INSERT INTO vw_guest_view (name, kind) VALUES ('hal', 'VwStaff')$$,
                 '44000', NULL, 'INSERT of another type through vw_guest_view: with_check_option_violation (44000)');
SELECT throws_ok($$INSERT INTO vw_vip_guest_view (name, kind) VALUES ('hal', 'VwGuest')$$,
                 '44000', NULL, 'INSERT of the parent''s type through vw_vip_guest_view: 44000');
SELECT throws_ok($$UPDATE vw_guest_view SET kind = 'VwPerson' WHERE name = 'dee'$$,
                 '44000', NULL, 'UPDATE to another type through vw_guest_view: 44000');
SELECT is((SELECT count(*)::int FROM vw_person WHERE name = 'hal'), 0, 'no row of the refused INSERTs');
SELECT is((SELECT kind FROM vw_person WHERE name = 'dee'), 'VwGuest', 'the refused UPDATE changed nothing');
SELECT lives_ok($$UPDATE vw_guest_view SET host = 'cy' WHERE name = 'dee'$$, 'UPDATE of another column through vw_guest_view');
SELECT is((SELECT host FROM vw_person WHERE name = 'dee'), 'cy', 'is stored');
SELECT is((SELECT count(*)::int FROM vw_guest_view WHERE name = 'bobby'), 0, 'a VwManager is not a VwGuest');

-- polymorphic loading: the root's view returns every row with its identity
SELECT results_eq($$SELECT name, kind FROM vw_person_view ORDER BY name COLLATE "C"$$,
                  $$VALUES ('ann', 'VwManager'), ('bobby', 'VwManager'), ('cy', 'VwStaff'),
                           ('dee', 'VwGuest'), ('ed', 'VwVipGuest'), ('eve', 'VwPerson')$$,
                  'vw_person_view returns every row of the hierarchy with its identity');
SELECT results_eq($$SELECT name, kind FROM vw_staff_view ORDER BY name COLLATE "C"$$,
                  $$VALUES ('ann', 'VwManager'), ('bobby', 'VwManager'), ('cy', 'VwStaff')$$,
                  'vw_staff_view returns VwStaff rows and its subclass''s');

-- the discriminator of a joined view cannot be changed
SELECT throws_ok($$UPDATE vw_manager_view SET kind = 'VwStaff' WHERE id = 100$$,
                 '44000', NULL, 'changing the discriminator through vw_manager_view: 44000');
SELECT throws_ok($$UPDATE vw_staff_view SET kind = 'VwPerson' WHERE name = 'cy'$$,
                 '44000', NULL, 'changing the discriminator through vw_staff_view: 44000');
SELECT throws_ok($$INSERT INTO vw_manager_view (name, kind) VALUES ('gus', 'VwGuest')$$,
                 '44000', NULL, 'inserting another type through vw_manager_view: 44000');
SELECT is((SELECT kind FROM vw_person WHERE id = 100), 'VwManager', 'the row keeps its type');

-- ------------------------------------------------- DELETE through a view
SELECT results_eq($$WITH d AS (DELETE FROM vw_manager_view WHERE id = 100 RETURNING id, name) SELECT * FROM d$$,
                  $$VALUES (100, 'bobby')$$, 'DELETE ... RETURNING through the child''s view');
SELECT is(levels_of(100), ARRAY[0, 0, 0], 'deleting through the child''s view removed every level');
SELECT lives_ok($$DELETE FROM vw_person_view WHERE name = 'ann'$$, 'DELETE through the root''s view');
SELECT is((SELECT count(*)::int FROM vw_manager_view WHERE name = 'ann'), 0, 'ann is gone from vw_manager_view');
SELECT is(counts(), ARRAY[4, 1, 0], 'deleting through the root''s view removed every level');
SELECT lives_ok($$DELETE FROM vw_staff_view WHERE name = 'cy'$$, 'DELETE through the middle view');
SELECT is(counts(), ARRAY[3, 0, 0], 'cy is gone from vw_person and vw_staff');

-- ------------------------------- views rebuilt when a column is added
INSERT INTO vw_manager_view (id, name, title, reports) VALUES (200, 'ida', 'cfo', 2);
SELECT lives_ok($$SELECT corm.register_model('VwStaff', parent => 'VwPerson',
                    columns => 'title text NOT NULL DEFAULT ''x'', badge text UNIQUE, floor int')$$,
                'VwStaff registered again with an extra column');
SELECT is(cols('vw_staff_view'), ARRAY['id', 'name', 'kind', 'joined', 'email', 'title', 'badge', 'floor']::name[],
          'the new column appears in vw_staff_view');
SELECT is(cols('vw_manager_view'),
          ARRAY['id', 'name', 'kind', 'joined', 'email', 'title', 'badge', 'floor', 'reports', 'note']::name[],
          'and in its subclass''s view, among VwStaff''s columns');
SELECT results_eq($$SELECT id, name, title, floor, reports FROM vw_manager_view$$,
                  $$VALUES (200, 'ida', 'cfo', NULL::int, 2)$$, 'the rows are kept');
SELECT lives_ok($$UPDATE vw_manager_view SET floor = 7 WHERE id = 200$$, 'the rebuilt view can be written');
SELECT is((SELECT floor FROM vw_staff WHERE id = 200), 7, 'into the new column');
SELECT has_trigger('tap_views', 'vw_manager_view', 'corm_view', 'the rebuilt view has its trigger');
SELECT lives_ok($$SELECT corm.register_model('VwPerson', model_class => 'VwIdModel',
       columns => 'name text NOT NULL, kind text, joined timestamptz DEFAULT now(), email text UNIQUE, phone text',
       polymorphic_on => 'kind')$$, 'VwPerson registered again with an extra column');
SELECT is(cols('vw_person_view'), ARRAY['id', 'name', 'kind', 'joined', 'email', 'phone']::name[],
          'the root column appears in vw_person_view');
SELECT ok(cols('vw_manager_view') @> ARRAY['phone']::name[] AND cols('vw_staff_view') @> ARRAY['phone']::name[]
          AND cols('vw_guest_view') @> ARRAY['phone']::name[] AND cols('vw_vip_guest_view') @> ARRAY['phone']::name[],
          'and in every subclass''s view, joined and single-table');
SELECT is(cols('vw_vip_guest_view'), ARRAY['id', 'name', 'kind', 'joined', 'email', 'phone', 'host', 'perk']::name[],
          'inherited columns still come first');
SELECT is((SELECT count(*)::int FROM vw_person_view), 4, 'every row is kept');
SELECT results_eq($$WITH i AS (INSERT INTO vw_manager_view (name, phone) VALUES ('jo', '555') RETURNING name, phone, title)
                    SELECT * FROM i$$,
                  $$VALUES ('jo', '555', 'x')$$, 'the rebuilt joined view takes the new column');

-- ---------------------------------------- a view name that is taken: 42P07
CREATE TABLE tap_views.vw_taken_view (x int);
SELECT throws_ok($$SELECT corm.register_model('VwTaken', model_class => 'VwIdModel', columns => 'y int')$$,
                 '42P07', NULL, 'a relation already named vw_taken_view: duplicate_table (42P07)');
SELECT hasnt_table('tap_views', 'vw_taken', 'no table was created');
SELECT is((SELECT count(*)::int FROM corm.model WHERE name = 'VwTaken'), 0, 'no catalog row');
SELECT is((SELECT count(*)::int FROM pg_proc WHERE proname LIKE 'vw\_taken\_%'), 0, 'no functions');
SELECT is((SELECT array_agg(relname ORDER BY relname)::text FROM pg_class WHERE relname LIKE 'vw\_taken%'), '{vw_taken_view}',
          'no other relation: no sequence, no pagination type');
SELECT is(cols('vw_taken_view'), ARRAY['x']::name[], 'the existing relation is untouched');

SELECT * FROM finish();
ROLLBACK;
