-- corm: BaseQuery's get read from the primary key's index (SPEC §6, §9, §10).
-- A get over a view that is a plain projection of one table reads the key's
-- index directly; every other case runs the method's SQL.  Either way its
-- answer is the view's: each test below compares <model>_get(k) with
-- (SELECT v FROM <model>_view v WHERE key = k) for many keys, as the
-- privileges, row security, the view's definition and the table change
-- under it within one session.
BEGIN;
SET client_min_messages = warning;
SET lc_messages = 'C';
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION corm;
CREATE SCHEMA tap_get;
SET search_path = tap_get, public;

SELECT plan(30);

CREATE FUNCTION tap_get.error_of(call text, OUT state text, OUT message text)
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE call;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT;
END $$;

-- get(k) and the view's row, as text, for keys 0..n+1 and NULL: the rows that differ
CREATE FUNCTION tap_get.differ(model text, n integer) RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE
    result text[] := '{}';
    got text;
    want text;
    k integer;
BEGIN
    FOR k IN SELECT g FROM generate_series(0, n + 1) g UNION ALL SELECT NULL LOOP
        EXECUTE format('SELECT tap_get.%I($1)::text', model || '_get') INTO got USING k;
        EXECUTE format('SELECT (SELECT v FROM tap_get.%I v WHERE v.id = $1)::text', model || '_view')
            INTO want USING k;
        IF got IS DISTINCT FROM want THEN
            result := result || format('%s: %s, not %s', k, coalesce(got, 'NULL'), coalesce(want, 'NULL'));
        END IF;
    END LOOP;
    RETURN result;
END $$;

SELECT corm.register_model_class('GtIdModel', primary_key => 'id integer');
SELECT corm.register_model('GtUser', model_class => 'GtIdModel', columns => 'name text, score integer');
INSERT INTO gt_user_view (name, score) SELECT 'u' || g, g * 10 FROM generate_series(1, 40) g;
UPDATE gt_user SET score = NULL WHERE id % 7 = 0;

-- ------------------------------------------------------------ a plain model
SELECT is(differ('gt_user', 40), '{}', 'get gives the view''s row for every key, NULL for a missing or NULL key');
SELECT is(gt_user_get(3)::text, '(3,u3,30)', 'get(3) is the row');
SELECT ok(gt_user_get(99) IS NULL, 'a missing key is NULL, not a row of NULLs');
SELECT ok(gt_user_get(NULL) IS NULL, 'a NULL key is NULL');
SELECT is((SELECT count(*) FROM gt_user_get(99)), 1::bigint, 'in FROM, a missing key is one row of NULLs, as for any scalar function');
SELECT is(coalesce(gt_user_get(99), ROW(0, 'anonymous', NULL)::gt_user_view)::text, '(0,anonymous,)',
          'get composes in COALESCE');
SELECT is((SELECT array_agg(id ORDER BY id) FROM gt_user_view u WHERE gt_user_get(u.id + 38) IS NOT NULL),
          '{1,2}', 'get composes in WHERE');

-- the same statement's snapshot: a row deleted by the statement is still the statement's
WITH d AS (DELETE FROM gt_user WHERE id = 5 RETURNING id)
SELECT is(gt_user_get(5)::text, '(5,u5,50)', 'a row the same statement deletes is still seen, as by the view') FROM d;
SELECT ok(gt_user_get(5) IS NULL, 'and gone for the next statement');
UPDATE gt_user SET name = 'changed' WHERE id = 6;
SELECT is(gt_user_get(6)::text, '(6,changed,60)', 'an update of the same transaction is seen');

-- ------------------------------------------- the view replaced by hand
CREATE OR REPLACE VIEW gt_user_view AS SELECT t0.id, t0.name, t0.score FROM tap_get.gt_user t0 WHERE t0.id % 2 = 0;
SELECT is(differ('gt_user', 40), '{}', 'a view given a condition by hand: get follows the view');
CREATE OR REPLACE VIEW gt_user_view AS SELECT t0.id, upper(t0.name) AS name, t0.score FROM tap_get.gt_user t0;
SELECT is(differ('gt_user', 40), '{}', 'a view given an expression by hand: get follows the view');
CREATE OR REPLACE VIEW gt_user_view AS SELECT t0.id, t0.name, t0.score FROM tap_get.gt_user t0;
SELECT is(differ('gt_user', 40), '{}', 'the view as corm made it again');

-- ---------------------------------------------------- a child table by hand
CREATE TABLE gt_user_more () INHERITS (gt_user);
INSERT INTO gt_user_more (id, name, score) VALUES (41, 'child', 1);
SELECT is(differ('gt_user', 41), '{}', 'a table with an inheritance child: get finds the child''s rows, as the view');
DROP TABLE gt_user_more;

-- -------------------------------------------------- privileges and row security
CREATE ROLE tap_get_reader;
GRANT USAGE ON SCHEMA tap_get TO tap_get_reader;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA tap_get TO tap_get_reader;
SET ROLE tap_get_reader;
SELECT is((error_of('SELECT tap_get.gt_user_get(1)')).state, '42501', 'without SELECT on the view, get is refused');
RESET ROLE;
GRANT SELECT ON gt_user_view TO tap_get_reader;
SET ROLE tap_get_reader;
SELECT is(differ('gt_user', 40), '{}', 'granted SELECT on the view, the reader gets every row (the view''s owner reads the table)');
RESET ROLE;
REVOKE SELECT ON gt_user_view FROM tap_get_reader;
SET ROLE tap_get_reader;
SELECT is((error_of('SELECT tap_get.gt_user_get(1)')).state, '42501', 'revoked again in the same session: refused again');
RESET ROLE;
GRANT SELECT ON gt_user_view TO tap_get_reader;
-- the view's owner reads the table, so row security applies to a view owned by a role it binds
CREATE ROLE tap_get_owner;
GRANT USAGE ON SCHEMA tap_get TO tap_get_owner;
GRANT SELECT ON gt_user TO tap_get_owner;
ALTER VIEW gt_user_view OWNER TO tap_get_owner;
ALTER TABLE gt_user ENABLE ROW LEVEL SECURITY;
CREATE POLICY gt_even ON gt_user USING (id % 2 = 0);
SET ROLE tap_get_reader;
SELECT is(differ('gt_user', 40), '{}', 'under row-level security get gives the policy''s rows, as the view');
SELECT ok(gt_user_get(3) IS NULL AND gt_user_get(4) IS NOT NULL, 'row security hides an odd key');
RESET ROLE;
ALTER TABLE gt_user DISABLE ROW LEVEL SECURITY;
SET ROLE tap_get_reader;
SELECT ok(gt_user_get(3) IS NOT NULL, 'row security disabled again in the same session: the odd key is back');
RESET ROLE;
ALTER VIEW gt_user_view OWNER TO CURRENT_USER;
ALTER VIEW gt_user_view SET (security_invoker = true);
SET ROLE tap_get_reader;
SELECT is((error_of('SELECT tap_get.gt_user_get(1)')).state, '42501',
          'a security_invoker view: the reader needs SELECT on the table as well');
RESET ROLE;
GRANT SELECT ON gt_user TO tap_get_reader;
SET ROLE tap_get_reader;
SELECT is(differ('gt_user', 40), '{}', 'and with it gets every row');
RESET ROLE;
ALTER VIEW gt_user_view RESET (security_invoker);

-- ------------------------------------- joined inheritance, text and composite keys
SELECT corm.register_model('GtAdmin', parent => 'GtUser', columns => 'level integer');
INSERT INTO gt_admin_view (name, score, level) SELECT 'a' || g, g, g FROM generate_series(1, 5) g;
SELECT is(differ('gt_admin', 50), '{}', 'a joined subclass (a view over two tables): get gives the view''s row');
SELECT corm.register_model('GtTag', columns => 'id varchar(20) PRIMARY KEY, label text');
INSERT INTO gt_tag_view VALUES ('1', 'one'), ('2', 'two');
SELECT is(gt_tag_get('2')::text, '(2,two)', 'a text key');
SELECT ok(gt_tag_get('3') IS NULL, 'a missing text key');
SELECT corm.register_model('GtPair', columns => 'a integer, b integer, v text, PRIMARY KEY (b, a)');
INSERT INTO gt_pair_view VALUES (1, 2, 'x'), (2, 1, 'y');
SELECT is(ARRAY[gt_pair_get(ident_b => 2, ident_a => 1)::text, gt_pair_get(ident_b => 1, ident_a => 2)::text,
                gt_pair_get(ident_b => 1, ident_a => 1)::text],
          ARRAY['(1,2,x)', '(2,1,y)', NULL], 'a composite key, one argument per key column in the key''s order (b, a)');

-- ------------------------------------- the seed's get_or: a get with a default
SELECT corm.register_query_class('GtGetOrQuery');
SELECT corm.register_query_method('GtGetOrQuery', 'get_or',
  args => 'ident @pktype@, "default" @rowtype@ DEFAULT NULL', returns => '@rowtype@',
  body => 'SELECT coalesce((SELECT m FROM @view@ m WHERE m.@pk@ = ident), "default")');
SELECT corm.register_model('GtSeed', model_class => 'GtIdModel', columns => 'name text',
                           query_class => 'GtGetOrQuery');
INSERT INTO gt_seed_view (name) SELECT 's' || g FROM generate_series(1, 20) g;
SELECT is((SELECT array_agg(k) FROM generate_series(0, 22) k
            WHERE gt_seed_get_or(k, ROW(0, 'anonymous')::gt_seed_view)::text IS DISTINCT FROM
                  coalesce((SELECT v FROM gt_seed_view v WHERE v.id = k), ROW(0, 'anonymous')::gt_seed_view)::text),
          NULL, 'get_or gives the row, or the default, for every key');
SELECT is(ARRAY[gt_seed_get_or(NULL, ROW(0, 'anonymous')::gt_seed_view)::text, gt_seed_get_or(99)::text,
                gt_seed_get_or(3)::text],
          ARRAY['(0,anonymous)', NULL, '(3,s3)'], 'a NULL key gives the default; no default gives NULL');
UPDATE gt_seed SET name = NULL WHERE id = 4;
SELECT is(gt_seed_get_or(4, ROW(0, 'anonymous')::gt_seed_view)::text, '(4,)',
          'a row with NULL columns is the row, not the default (coalesce tests the row, not its columns)');
CREATE OR REPLACE VIEW gt_seed_view AS SELECT t0.id, t0.name FROM tap_get.gt_seed t0 WHERE t0.id > 10;
SELECT is(gt_seed_get_or(3, ROW(0, 'anonymous')::gt_seed_view)::text, '(0,anonymous)',
          'the view given a condition by hand: get_or follows the view');

SELECT * FROM finish();
ROLLBACK;
