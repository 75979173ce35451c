-- corm: meta policies and binds (SPEC §7): how table names are made
-- (NoNameMeta, snake_case, a naming function), hooks run after a model's
-- objects are generated, and bind keys that send tables to other schemas.
-- A bind's tablespace needs CREATE TABLESPACE, which cannot run inside this
-- file's transaction: sql/meta.sql (pg_regress) covers it.
BEGIN;
SET client_min_messages = warning;
SET lc_messages = 'C';  -- error texts are matched below: in English, whatever the server's
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION corm;
CREATE SCHEMA tap_meta;
SET search_path = tap_meta, public;

SELECT plan(90);

-- the SQLSTATE, message, HINT and CONTEXT of a statement's error
CREATE FUNCTION tap_meta.error_of(call text, OUT state text, OUT message text, OUT hint text, OUT context text)
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE call;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
                            hint = PG_EXCEPTION_HINT, context = PG_EXCEPTION_CONTEXT;
END $$;
-- every relation and function whose name starts with a prefix, in any schema
CREATE FUNCTION tap_meta.objects_like(prefix text) RETURNS text[] LANGUAGE sql AS $$
    SELECT coalesce(array_agg(o ORDER BY o COLLATE "C"), '{}') FROM (
        SELECT c.oid::regclass::text AS o FROM pg_class c WHERE c.relname LIKE prefix || '%'
        UNION ALL
        SELECT p.oid::regprocedure::text FROM pg_proc p WHERE p.proname LIKE prefix || '%'
        UNION ALL
        SELECT t.oid::regtype::text FROM pg_type t
         WHERE t.typname LIKE prefix || '%' AND t.typrelid = 0 AND t.typelem = 0) s
$$;

-- ------------------------------------------------------------- NoNameMeta
SELECT corm.register_model_class('MtManual', primary_key => 'id integer', meta => 'NoNameMeta');
SELECT throws_ok($$SELECT corm.register_model('MtGadget', model_class => 'MtManual')$$,
                 '42P16', NULL, 'NoNameMeta: a model without tablename is invalid_table_definition (42P16)');
SELECT ok((error_of($$SELECT corm.register_model('MtGadget', model_class => 'MtManual')$$)).hint LIKE '%tablename%',
          'with a HINT to pass tablename');
SELECT is(objects_like('mt_gadget'), '{}'::text[], 'nothing was created for MtGadget');
SELECT is((SELECT count(*)::int FROM corm.model WHERE name = 'MtGadget'), 0, 'no catalog row for MtGadget');
SELECT lives_ok($$SELECT corm.register_model('MtWidget', model_class => 'MtManual', tablename => 'mt_widget_tbl')$$,
                'NoNameMeta: a model with a tablename is fine');
SELECT has_table('tap_meta', 'mt_widget_tbl', 'its table has the given name');
SELECT has_view('tap_meta', 'mt_widget_tbl_view', 'and its view follows it');
SELECT hasnt_table('tap_meta', 'mt_widget', 'no generated name');
SELECT corm.register_meta('MtNoneMeta', naming => 'none');
SELECT corm.register_model_class('MtNoneBase', primary_key => 'id integer', meta => 'MtNoneMeta');
SELECT throws_ok($$SELECT corm.register_model('MtUnnamed', model_class => 'MtNoneBase')$$,
                 '42P16', NULL, 'a policy of its own with naming ''none'': 42P16 as well');

-- ------------------------------------------------- a custom naming function
CREATE FUNCTION tap_meta.pluralize(name text) RETURNS text LANGUAGE sql IMMUTABLE
    AS $$ SELECT corm.camel_to_snake_case(name) || 's' $$;
SELECT lives_ok($$SELECT corm.register_meta('MtPluralMeta', naming => 'tap_meta.pluralize(text)')$$,
                'a meta policy with a pluralizing naming function');
SELECT corm.register_model_class('MtPluralBase', primary_key => 'id integer', meta => 'MtPluralMeta');
SELECT lives_ok($$SELECT corm.register_model('MtBlogPost', model_class => 'MtPluralBase', columns => 'title text')$$,
                'MtBlogPost under the pluralizer');
SELECT has_table('tap_meta', 'mt_blog_posts', 'MtBlogPost''s table is mt_blog_posts');
SELECT hasnt_table('tap_meta', 'mt_blog_post', 'not the snake_case name');
SELECT has_view('tap_meta', 'mt_blog_posts_view', 'its view is mt_blog_posts_view');
SELECT is((SELECT "table" FROM corm.models WHERE name = 'MtBlogPost'), 'tap_meta.mt_blog_posts', 'corm.models agrees');
SELECT lives_ok($$SELECT corm.register_model('MtHuman', model_class => 'MtPluralBase', tablename => 'mt_people')$$,
                'an explicit tablename under the pluralizer');
SELECT has_table('tap_meta', 'mt_people', 'the explicit tablename wins over the naming function');
SELECT lives_ok($$SELECT corm.register_model('MtComment', parent => 'MtBlogPost', columns => 'body text')$$,
                'a joined subclass under the pluralizer');
SELECT has_table('tap_meta', 'mt_comments', 'the subclass''s table is named by the function too');

-- its result is checked like any table name
CREATE FUNCTION tap_meta.too_long(name text) RETURNS text LANGUAGE sql AS $$ SELECT repeat('x', 64) $$;
CREATE FUNCTION tap_meta.too_long_bytes(name text) RETURNS text LANGUAGE sql AS $$ SELECT repeat('é', 32) $$;
CREATE FUNCTION tap_meta.no_name(name text) RETURNS text LANGUAGE sql AS $$ SELECT NULL::text $$;
CREATE FUNCTION tap_meta.int_name(n integer) RETURNS text LANGUAGE sql AS $$ SELECT 't' || n $$;
SELECT corm.register_meta('MtLongMeta', naming => 'tap_meta.too_long(text)');
SELECT corm.register_meta('MtLongBytesMeta', naming => 'tap_meta.too_long_bytes(text)');
SELECT corm.register_meta('MtNullMeta', naming => 'tap_meta.no_name(text)');
SELECT corm.register_model_class('MtLongBase', primary_key => 'id integer', meta => 'MtLongMeta');
SELECT corm.register_model_class('MtLongBytesBase', primary_key => 'id integer', meta => 'MtLongBytesMeta');
SELECT corm.register_model_class('MtNullBase', primary_key => 'id integer', meta => 'MtNullMeta');
SELECT throws_ok($$SELECT corm.register_model('MtThing', model_class => 'MtLongBase')$$,
                 '42622', NULL, 'a generated name of 64 bytes: name_too_long (42622)');
SELECT throws_ok($$SELECT corm.register_model('MtThing', model_class => 'MtLongBytesBase')$$,
                 '42622', NULL, '32 two-byte letters are 64 bytes: 42622');
SELECT is((SELECT count(*)::int FROM pg_class WHERE relname LIKE 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx%'), 0,
          'never truncated: no table under the first 63 bytes of the name');
SELECT throws_ok($$SELECT corm.register_model('MtThing', model_class => 'MtNullBase')$$,
                 '22004', NULL, 'a naming function returning NULL: null_value_not_allowed (22004)');
SELECT is((SELECT count(*)::int FROM corm.model WHERE name = 'MtThing'), 0, 'no catalog row for MtThing');
SELECT throws_ok($$SELECT corm.register_meta('MtBadMeta', naming => 'tap_meta.nosuch(text)')$$,
                 '42883', NULL, 'an unknown naming function: undefined_function (42883)');
SELECT throws_ok($$SELECT corm.register_meta('MtBadMeta', naming => 'pg_catalog.length(text)')$$,
                 '42809', NULL, 'a naming function returning integer: wrong_object_type (42809)');
SELECT throws_ok($$SELECT corm.register_meta('MtBadMeta', naming => 'tap_meta.int_name(integer)')$$,
                 '42809', NULL, 'a naming function taking integer: 42809');
SELECT is((SELECT count(*)::int FROM corm.meta WHERE name = 'MtBadMeta'), 0, 'no catalog row for the refused policy');

-- the built-in policies cannot be redefined
SELECT throws_ok($$SELECT corm.register_meta('DefaultMeta', naming => 'none')$$,
                 '42939', NULL, 'redefining DefaultMeta: reserved_name (42939)');
SELECT throws_ok($$SELECT corm.register_meta('NoNameMeta', naming => 'snake_case')$$,
                 '42939', NULL, 'redefining NoNameMeta: 42939');
SELECT throws_ok($$SELECT corm.register_meta('DefaultMeta', hooks => '{tap_meta.pluralize(text)}')$$,
                 '42939', NULL, 'adding hooks to DefaultMeta: 42939');
SELECT results_eq($$SELECT name, naming, binding, hooks FROM corm.meta WHERE builtin ORDER BY name COLLATE "C"$$,
                  $$VALUES ('DefaultMeta', 'snake_case', true, '{}'::text[]), ('NoNameMeta', 'none', true, '{}'::text[])$$,
                  'the built-in policies are unchanged');

-- ------------------------------------------------------------------- hooks
CREATE TABLE tap_meta.seen (seq serial, model text, hook text, has_table boolean, has_view boolean,
                            has_function boolean, xid bigint);
CREATE FUNCTION tap_meta.observe(model text, hook text) RETURNS void LANGUAGE sql AS $$
    INSERT INTO tap_meta.seen (model, hook, has_table, has_view, has_function, xid)
    SELECT model, hook,
           to_regclass(m."table") IS NOT NULL,
           to_regclass(m."table" || '_view') IS NOT NULL,
           EXISTS (SELECT FROM corm.query_methods q WHERE q.model = m.name AND q.method = 'get'
                      AND to_regprocedure(q.function) IS NOT NULL),
           txid_current()
      FROM (SELECT model AS name) n LEFT JOIN corm.models m USING (name)
$$;
CREATE FUNCTION tap_meta.first_hook(model text) RETURNS void LANGUAGE sql AS $$ SELECT tap_meta.observe(model, 'first') $$;
CREATE FUNCTION tap_meta.second_hook(model text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM tap_meta.observe(model, 'second');
END $$;
CREATE FUNCTION tap_meta.refuse(model text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'model % is not welcome', model;
END $$;

SELECT lives_ok($$SELECT corm.register_meta('MtHookedMeta', hooks => '{tap_meta.second_hook(text), tap_meta.first_hook(text)}')$$,
                'a meta policy with two hooks');
SELECT is((SELECT hooks FROM corm.meta WHERE name = 'MtHookedMeta'),
          ARRAY['tap_meta.second_hook(pg_catalog.text)', 'tap_meta.first_hook(pg_catalog.text)'],
          'the hooks are stored schema-qualified, in the order given');
SELECT corm.register_model_class('MtHookedBase', primary_key => 'id integer', meta => 'MtHookedMeta');
SELECT is((SELECT count(*)::int FROM seen), 0, 'registering a model class runs no hook');
SELECT corm.register_model('MtInvoice', model_class => 'MtHookedBase', columns => 'total numeric');
SELECT results_eq($$SELECT model, hook FROM tap_meta.seen ORDER BY seq$$,
                  $$VALUES ('MtInvoice', 'second'), ('MtInvoice', 'first')$$,
                  'both hooks ran once, in the order listed, with the model''s name');
SELECT results_eq($$SELECT bool_and(has_table), bool_and(has_view), bool_and(has_function) FROM tap_meta.seen$$,
                  $$VALUES (true, true, true)$$, 'when the hooks ran, the table, the view and the functions existed');
SELECT is((SELECT DISTINCT xid FROM seen), txid_current(), 'the hooks ran in the caller''s transaction');
DELETE FROM seen;
SELECT corm.register_model('MtInvoiceLine', parent => 'MtInvoice', columns => 'amount numeric');
SELECT results_eq($$SELECT model, hook, has_table AND has_view AND has_function FROM tap_meta.seen ORDER BY seq$$,
                  $$VALUES ('MtInvoiceLine', 'second', true), ('MtInvoiceLine', 'first', true)$$,
                  'a subclass (same model class) runs the hooks for itself, after its objects exist');
SELECT throws_ok($$SELECT corm.register_meta('MtBadHooks', hooks => '{tap_meta.nosuch(text)}')$$,
                 '42883', NULL, 'an unknown hook function: 42883');
SELECT throws_ok($$SELECT corm.register_meta('MtBadHooks', hooks => '{tap_meta.int_name(integer)}')$$,
                 '42809', NULL, 'a hook that does not take text: 42809');
SELECT is((SELECT count(*)::int FROM corm.meta WHERE name = 'MtBadHooks'), 0, 'no catalog row for the refused policy');

-- an error in a hook aborts the registration
DELETE FROM seen;
SELECT corm.register_meta('MtStrictMeta', hooks => '{tap_meta.first_hook(text), tap_meta.refuse(text)}');
SELECT corm.register_model_class('MtStrictBase', primary_key => 'id integer', meta => 'MtStrictMeta');
SELECT throws_ok($$SELECT corm.register_model('MtRefused', model_class => 'MtStrictBase', columns => 'x int')$$,
                 'P0001', 'model MtRefused is not welcome', 'the hook''s error is the registration''s error');
SELECT is(objects_like('mt_refused'), '{}'::text[], 'no table, view, type or function is left');
SELECT is((SELECT count(*)::int FROM corm.model WHERE name = 'MtRefused'), 0, 'no catalog row');
SELECT is((SELECT count(*)::int FROM corm.query_function WHERE model = 'MtRefused'), 0, 'no generated-function rows');
SELECT is((SELECT count(*)::int FROM seen), 0, 'the earlier hook''s work is undone with it: the same transaction');
SELECT is((error_of($$SELECT corm.register_model('MtRefused', model_class => 'MtStrictBase', columns => 'x int')$$)).state,
          'P0001', 'the SQLSTATE is the hook''s own (P0001)');
SELECT ok((error_of($$SELECT corm.register_model('MtRefused', model_class => 'MtStrictBase', columns => 'x int')$$)).context
          LIKE '%hook tap_meta.refuse%',
          'the CONTEXT names the hook');
SELECT ok((error_of($$SELECT corm.register_model('MtRefused', model_class => 'MtStrictBase', columns => 'x int')$$)).context
          LIKE '%MtStrictMeta%MtRefused%',
          'and the policy and the model');
SELECT ok((error_of($$SELECT corm.register_model('MtRefused', model_class => 'MtStrictBase', columns => 'x int')$$)).context
          NOT LIKE '%first_hook%',
          'but not the hook that succeeded');

-- ------------------------------------------------------------------- binds
CREATE ROLE tap_meta_caller SUPERUSER NOLOGIN;
SET ROLE tap_meta_caller;
SELECT lives_ok($$SELECT corm.register_bind('mt_analytics', schema => 'mt_analytics_s')$$, 'a bind mt_analytics');
SELECT lives_ok($$SELECT corm.register_bind('mt_archive', schema => 'mt_archive_s')$$, 'a bind mt_archive');
SELECT corm.register_model_class('MtIdModel', primary_key => 'id integer');
SELECT lives_ok($$SELECT corm.register_model('MtEvent', model_class => 'MtIdModel', bind_key => 'mt_analytics', columns => 'kind text')$$,
                'MtEvent with bind key mt_analytics');
RESET ROLE;
SELECT has_schema('mt_analytics_s', 'the bind''s schema was created');
SELECT schema_owner_is('mt_analytics_s', 'tap_meta_caller', 'owned by the caller');
SELECT has_table('mt_analytics_s', 'mt_event', 'MtEvent''s table is in the bind''s schema');
SELECT hasnt_table('tap_meta', 'mt_event', 'not in the current schema');
SELECT has_view('mt_analytics_s', 'mt_event_view', 'and so is its view');
SELECT has_function('mt_analytics_s', 'mt_event_get', ARRAY['integer'], 'and its functions');
SELECT is((SELECT "table" FROM corm.models WHERE name = 'MtEvent'), 'mt_analytics_s.mt_event', 'corm.models agrees');

-- the bind key is inherited by joined subclasses
SELECT lives_ok($$SELECT corm.register_model('MtClick', parent => 'MtEvent', columns => 'x int, y int')$$,
                'MtClick(MtEvent) without a bind key of its own');
SELECT has_table('mt_analytics_s', 'mt_click', 'the subclass''s table is in the parent''s bind''s schema');
SELECT hasnt_table('tap_meta', 'mt_click', 'not in the current schema');
SELECT fk_ok('mt_analytics_s', 'mt_click', 'id', 'mt_analytics_s', 'mt_event', 'id', 'mt_click.id references mt_event(id)');
SELECT has_view('mt_analytics_s', 'mt_click_view', 'its view is there too');
SELECT lives_ok($$SELECT corm.register_model('MtDoubleClick', parent => 'MtClick', columns => 'gap int')$$,
                'a grandchild');
SELECT has_table('mt_analytics_s', 'mt_double_click', 'inherits the bind key through two levels');
SELECT lives_ok($$INSERT INTO mt_analytics_s.mt_double_click_view (kind, x, gap) VALUES ('dbl', 1, 2)$$,
                'a row through the grandchild''s view');
SELECT results_eq($$SELECT kind, x, gap FROM mt_analytics_s.mt_double_click_view$$, $$VALUES ('dbl', 1, 2)$$,
                  'lands in the bind''s tables');

-- two binds, the same table name
SELECT lives_ok($$SELECT corm.register_model('MtArchivedEvent', model_class => 'MtIdModel', bind_key => 'mt_archive',
                                              tablename => 'mt_event', columns => 'kind text, archived_at timestamptz')$$,
                'MtArchivedEvent: table mt_event in bind mt_archive');
SELECT has_table('mt_archive_s', 'mt_event', 'mt_archive_s.mt_event exists');
SELECT has_column('mt_archive_s', 'mt_event', 'archived_at', 'with MtArchivedEvent''s columns');
SELECT hasnt_column('mt_analytics_s', 'mt_event', 'archived_at', 'mt_analytics_s.mt_event is MtEvent''s');
SELECT has_function('mt_archive_s', 'mt_event_get', ARRAY['integer'], 'each has its functions, in its schema');
SELECT results_eq($$SELECT name, "table" FROM corm.models WHERE name IN ('MtEvent', 'MtArchivedEvent') ORDER BY name COLLATE "C"$$,
                  $$VALUES ('MtArchivedEvent', 'mt_archive_s.mt_event'), ('MtEvent', 'mt_analytics_s.mt_event')$$,
                  'corm.models lists both');

-- an unknown key: 42704, the known keys in the HINT
SELECT throws_ok($$SELECT corm.register_model('MtLost', model_class => 'MtIdModel', bind_key => 'mt_nosuch')$$,
                 '42704', NULL, 'an unknown bind key: undefined_object (42704)');
SELECT ok((error_of($$SELECT corm.register_model('MtLost', model_class => 'MtIdModel', bind_key => 'mt_nosuch')$$)).hint
          LIKE '%mt_analytics%', 'the HINT lists mt_analytics');
SELECT ok((error_of($$SELECT corm.register_model('MtLost', model_class => 'MtIdModel', bind_key => 'mt_nosuch')$$)).hint
          LIKE '%mt_archive%', 'and mt_archive');
SELECT is(objects_like('mt_lost'), '{}'::text[], 'nothing was created for MtLost');
SELECT hasnt_schema('mt_nosuch', 'no schema was created for the unknown key');

-- a single-table subclass cannot have a bind key other than its table's
SELECT corm.register_model('MtShape', model_class => 'MtIdModel', bind_key => 'mt_analytics',
                           columns => 'kind text', polymorphic_on => 'kind');
SELECT lives_ok($$SELECT corm.register_model('MtDot', parent => 'MtShape', model_class => 'Model', columns => 'r int')$$,
                'a single-table subclass inheriting the bind key');
SELECT has_view('mt_analytics_s', 'mt_dot_view', 'its view is in the bind''s schema');
SELECT lives_ok($$SELECT corm.register_model('MtSquare', parent => 'MtShape', model_class => 'Model', bind_key => 'mt_analytics')$$,
                'a single-table subclass naming its table''s bind key is fine');
SELECT throws_ok($$SELECT corm.register_model('MtRing', parent => 'MtShape', model_class => 'Model', bind_key => 'mt_archive', columns => 'inner_r int')$$,
                 '42P16', NULL, 'a single-table subclass with another bind key: 42P16');
SELECT hasnt_column('mt_analytics_s', 'mt_shape', 'inner_r', 'MtRing''s column was not added');
SELECT is(objects_like('mt_ring'), '{}'::text[], 'nothing was created for MtRing');

-- a policy without binding ignores the key (with a WARNING) and uses the current schema
SELECT corm.register_meta('MtLocalMeta', binding => false);
SELECT corm.register_model_class('MtLocalBase', primary_key => 'id integer', meta => 'MtLocalMeta');
-- (a WARNING cannot be caught in SQL: sql/meta.sql's expected output shows it)
SET client_min_messages = error;
SELECT lives_ok($$SELECT corm.register_model('MtLocal', model_class => 'MtLocalBase', bind_key => 'mt_archive')$$,
                'a model with a bind key under a policy without binding is accepted');
SET client_min_messages = warning;
SELECT has_table('tap_meta', 'mt_local', 'its table is in the current schema');
SELECT hasnt_table('mt_archive_s', 'mt_local', 'not in the bind''s');

SELECT * FROM finish();
ROLLBACK;
