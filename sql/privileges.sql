-- Privileges (SPEC §9): ordinary roles use corm with the rights they have;
-- what corm generates belongs to them; another role cannot change it, and
-- no role writes corm's catalog except through corm's functions.
SET client_min_messages = warning;
DROP ROLE IF EXISTS corm_regress_alice;
DROP ROLE IF EXISTS corm_regress_bob;
RESET client_min_messages;
CREATE ROLE corm_regress_alice;
CREATE ROLE corm_regress_bob;
CREATE SCHEMA priv_alice AUTHORIZATION corm_regress_alice;
CREATE SCHEMA priv_bob AUTHORIZATION corm_regress_bob;
GRANT USAGE ON SCHEMA priv_alice TO corm_regress_bob;

SET ROLE corm_regress_alice;
SET search_path = priv_alice;
SELECT corm.register_model_class('PrAliceModel', primary_key => 'id integer');
SELECT corm.register_mixin('PrAliceStamp', columns => 'created timestamptz DEFAULT now()');
SELECT corm.register_model('PrNote', model_class => 'PrAliceModel', mixins => '{PrAliceStamp}',
                           columns => 'body text');
INSERT INTO pr_note_view (body) VALUES ('mine') RETURNING id, body;
SELECT name, owner FROM corm.models WHERE name = 'PrNote';
SELECT c.relname, pg_get_userbyid(c.relowner) AS owner FROM pg_class c
 WHERE c.relnamespace = 'priv_alice'::regnamespace AND c.relkind IN ('r', 'v') ORDER BY 1;
SELECT DISTINCT pg_get_userbyid(proowner) AS function_owner, prosecdef FROM pg_proc
 WHERE pronamespace = 'priv_alice'::regnamespace;
RESET ROLE;

-- another role reads the catalog, but cannot change alice's definitions
SET ROLE corm_regress_bob;
SET search_path = priv_bob;
SELECT name, kind FROM corm.models WHERE name = 'PrNote';
SELECT corm.register_model('PrNote', model_class => 'PrAliceModel', columns => 'body text, evil int');
SELECT corm.register_mixin('PrAliceStamp', columns => 'created timestamptz');
SELECT corm.register_model_class('PrAliceModel', primary_key => 'id bigint');
SELECT corm.drop_model('PrNote');
SELECT corm.rename_model('PrNote', 'PrStolen');
SELECT corm.rename_column('PrNote', 'body', 'text');
SELECT corm.register_relationship('PrNote', 'self', 'PrNote');
-- nor write the catalog directly
INSERT INTO corm.model (name) VALUES ('PrSneaky');
UPDATE corm.model SET columns = 'evil int' WHERE name = 'PrNote';
DELETE FROM corm.mixin WHERE name = 'PrAliceStamp';
-- nor read alice's rows without her grant
SELECT * FROM priv_alice.pr_note_view;
-- creating in a schema needs CREATE on it, as CREATE TABLE does
SET search_path = priv_alice;
SELECT corm.register_model('PrIntruder', model_class => 'PrAliceModel', columns => 'x int');
SELECT count(*) AS no_intruder FROM corm.model WHERE name = 'PrIntruder';
SET search_path = priv_bob;
-- bob uses alice's model class and mixin for models of his own
SELECT corm.register_model('PrTask', model_class => 'PrAliceModel', mixins => '{PrAliceStamp}',
                           columns => 'done boolean DEFAULT false');
SELECT name, owner FROM corm.models WHERE name = 'PrTask';
-- corm's own queries do not use functions a caller puts on its search_path
CREATE FUNCTION priv_bob.unnest(anyarray) RETURNS SETOF anyelement LANGUAGE sql
    AS $$ SELECT NULL::text::anyelement WHERE (SELECT count(*) FROM pg_class) < 0 $$;
CREATE FUNCTION priv_bob.cardinality(anyarray) RETURNS integer LANGUAGE sql AS $$ SELECT 0 $$;
SET search_path = priv_bob, pg_catalog;
SELECT corm.register_model('PrTag', model_class => 'PrAliceModel', columns => 'label text, pr_task_id int REFERENCES priv_bob.pr_task');
SELECT corm.register_relationship('PrTag', 'task', 'PrTask');
SELECT "table" FROM corm.models WHERE name = 'PrTag';
RESET ROLE;

-- alice's change to her mixin reaches bob's model only with bob's rights:
-- she does not own his table, so the change is refused as a whole
SET ROLE corm_regress_alice;
SELECT corm.register_mixin('PrAliceStamp', columns => 'created timestamptz DEFAULT now(), touched timestamptz');
RESET ROLE;
SELECT attname FROM pg_attribute WHERE attrelid = 'priv_alice.pr_note'::regclass AND attnum > 0 ORDER BY attnum;

-- a member of the owning role may change it
GRANT corm_regress_alice TO corm_regress_bob;
SET ROLE corm_regress_bob;
SELECT corm.register_model('PrNote', model_class => 'PrAliceModel', mixins => '{PrAliceStamp}',
                           columns => 'body text, pinned boolean');
RESET ROLE;

-- no function of corm is SECURITY DEFINER
SELECT count(*) AS security_definer_functions FROM pg_proc
 WHERE pronamespace = 'corm'::regnamespace AND prosecdef;

-- grants on a model's functions outlive corm making them again (a changed
-- column type makes the view and its functions again; so does a rename)
SELECT current_setting('search_path') AS saved_path \gset
SET ROLE corm_regress_alice;
SET search_path = priv_alice;
GRANT EXECUTE ON FUNCTION pr_note_count(boolean) TO corm_regress_bob WITH GRANT OPTION;
REVOKE EXECUTE ON FUNCTION pr_note_get(integer) FROM PUBLIC;
CREATE TEMP TABLE pr_note_functions AS
SELECT oid FROM pg_proc WHERE pronamespace = 'priv_alice'::regnamespace;
SELECT corm.register_model('PrNote', model_class => 'PrAliceModel', mixins => '{PrAliceStamp}',
                           columns => 'body varchar, pinned boolean');
SELECT count(*) AS made_again FROM pg_proc
 WHERE pronamespace = 'priv_alice'::regnamespace AND oid NOT IN (SELECT oid FROM pr_note_functions);
SELECT corm.rename_model('PrNote', 'PrMemo');
SELECT p.proname, CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END AS grantee,
       a.is_grantable
  FROM pg_proc p, aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
 WHERE p.pronamespace = 'priv_alice'::regnamespace AND p.proname IN ('pr_memo_count', 'pr_memo_get')
 ORDER BY 1, CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END COLLATE "C";
SELECT corm.rename_model('PrMemo', 'PrNote');
DROP TABLE pr_note_functions;
RESET ROLE;
SET search_path = :saved_path;

-- a get reads the key's index itself (src/method.c) and keeps the view's
-- privileges and row security: as a member of alice, after the membership
-- is revoked, granted, revoked and under a policy, in one session, bob gets
-- what the view shows him
SET ROLE corm_regress_alice;
GRANT EXECUTE ON FUNCTION priv_alice.pr_note_get(integer) TO corm_regress_bob;
RESET ROLE;
SET ROLE corm_regress_bob;
SELECT (priv_alice.pr_note_get(1)).body AS as_member;
RESET ROLE;
REVOKE corm_regress_alice FROM corm_regress_bob;
SET ROLE corm_regress_bob;
SELECT (priv_alice.pr_note_get(1)).body AS no_longer_member;
RESET ROLE;
SET ROLE corm_regress_alice;
GRANT SELECT ON priv_alice.pr_note_view TO corm_regress_bob;
RESET ROLE;
SET ROLE corm_regress_bob;
SELECT (priv_alice.pr_note_get(1)).body AS granted;
RESET ROLE;
SET ROLE corm_regress_alice;
REVOKE SELECT ON priv_alice.pr_note_view FROM corm_regress_bob;
RESET ROLE;
SET ROLE corm_regress_bob;
SELECT (priv_alice.pr_note_get(1)).body AS revoked;
RESET ROLE;
SET ROLE corm_regress_alice;
GRANT SELECT ON priv_alice.pr_note_view TO corm_regress_bob;
ALTER TABLE priv_alice.pr_note ENABLE ROW LEVEL SECURITY;
ALTER TABLE priv_alice.pr_note FORCE ROW LEVEL SECURITY;
CREATE POLICY pr_none ON priv_alice.pr_note USING (body <> 'mine');
RESET ROLE;
SET ROLE corm_regress_bob;
SELECT priv_alice.pr_note_get(1) IS NULL AS hidden_by_policy,
       (SELECT count(*) FROM priv_alice.pr_note_view) AS view_rows;
RESET ROLE;
SET ROLE corm_regress_alice;
DROP POLICY pr_none ON priv_alice.pr_note;
ALTER TABLE priv_alice.pr_note NO FORCE ROW LEVEL SECURITY;
ALTER TABLE priv_alice.pr_note DISABLE ROW LEVEL SECURITY;
REVOKE SELECT ON priv_alice.pr_note_view FROM corm_regress_bob;
RESET ROLE;
GRANT corm_regress_alice TO corm_regress_bob;

-- clean up as the owners
SET ROLE corm_regress_bob;
SELECT corm.drop_model('PrTag');
SELECT corm.drop_model('PrTask');
RESET ROLE;
SET ROLE corm_regress_alice;
SELECT corm.drop_model('PrNote');
SELECT corm.drop_mixin('PrAliceStamp');
SELECT corm.drop_model_class('PrAliceModel');
RESET ROLE;
DROP SCHEMA priv_alice CASCADE;
DROP SCHEMA priv_bob CASCADE;
DROP ROLE corm_regress_alice;
DROP ROLE corm_regress_bob;
