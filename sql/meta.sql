-- Meta policies and binds (SPEC §7): how table names are made, where
-- tables go, and hooks that run after a model's objects are generated.
CREATE SCHEMA meta;
SET search_path = meta;

-- NoNameMeta: no generated names, an explicit tablename is required
SELECT corm.register_model_class('ManualBase', primary_key => 'id integer', meta => 'NoNameMeta');
SELECT corm.register_model('Widget', model_class => 'ManualBase', tablename => 'widget_tbl');
SELECT corm.register_model('Gadget', model_class => 'ManualBase');
SELECT "table" FROM corm.models WHERE name = 'Widget';

-- a custom naming function: its result is checked like any table name
CREATE FUNCTION pluralize(name text) RETURNS text LANGUAGE sql IMMUTABLE
    AS $$ SELECT corm.camel_to_snake_case(name) || 's' $$;
SELECT corm.register_meta('PluralMeta', naming => 'meta.pluralize(text)');
SELECT name, naming, binding, hooks FROM corm.meta WHERE name = 'PluralMeta';
SELECT corm.register_model_class('PluralBase', primary_key => 'id integer', meta => 'PluralMeta');
SELECT corm.register_model('BlogPost', model_class => 'PluralBase', columns => 'title text');
SELECT corm.register_model('Human', model_class => 'PluralBase', tablename => 'people');
SELECT name, "table" FROM corm.models WHERE name IN ('BlogPost', 'Human') ORDER BY name COLLATE "C";
-- naming functions must exist and take and return text
SELECT corm.register_meta('BadMeta', naming => 'meta.nosuch(text)');
SELECT corm.register_meta('BadMeta', naming => 'pg_catalog.length(text)');
CREATE FUNCTION too_long(name text) RETURNS text LANGUAGE sql AS $$ SELECT repeat('x', 70) $$;
CREATE FUNCTION no_name(name text) RETURNS text LANGUAGE sql AS $$ SELECT NULL::text $$;
SELECT corm.register_meta('LongMeta', naming => 'meta.too_long(text)');
SELECT corm.register_meta('NullMeta', naming => 'meta.no_name(text)');
SELECT corm.register_model_class('LongBase', primary_key => 'id integer', meta => 'LongMeta');
SELECT corm.register_model_class('NullBase', primary_key => 'id integer', meta => 'NullMeta');
SELECT corm.register_model('Thing', model_class => 'LongBase');
SELECT corm.register_model('Thing', model_class => 'NullBase');
-- the built-in policies cannot be redefined
SELECT corm.register_meta('DefaultMeta', naming => 'none');

-- hooks run in order after the model's objects exist, in the same transaction
CREATE TABLE seen (model text, step int, has_table boolean);
CREATE FUNCTION record_model(model text) RETURNS void LANGUAGE sql
    AS $$ INSERT INTO meta.seen SELECT model, 1,
              EXISTS (SELECT FROM corm.models m WHERE m.name = model AND m."table" IS NOT NULL) $$;
CREATE FUNCTION grant_view(model text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO meta.seen VALUES (model, 2, NULL);
END $$;
SELECT corm.register_meta('AuditedMeta', hooks => '{meta.record_model(text), meta.grant_view}');
SELECT hooks FROM corm.meta WHERE name = 'AuditedMeta';
SELECT corm.register_model_class('AuditedBase', primary_key => 'id integer', meta => 'AuditedMeta');
SELECT corm.register_model('Invoice', model_class => 'AuditedBase', columns => 'total numeric');
SELECT corm.register_model('Receipt', model_class => 'AuditedBase');
SELECT * FROM seen ORDER BY model COLLATE "C", step;
-- an error in a hook aborts the registration and names the hook
CREATE FUNCTION refuse(model text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'model % is not welcome', model;
END $$;
SELECT corm.register_meta('StrictMeta', hooks => '{meta.refuse(text)}');
SELECT corm.register_model_class('StrictBase', primary_key => 'id integer', meta => 'StrictMeta');
SELECT corm.register_model('Refused', model_class => 'StrictBase');
SELECT to_regclass('refused') IS NULL AS no_table, NOT EXISTS (SELECT FROM corm.model WHERE name = 'Refused') AS no_row;
SELECT corm.register_meta('BadHooks', hooks => '{meta.nosuch(text)}');

-- binds: a bind key sends a model's table to the bind's schema, created
-- when missing; subclasses inherit the key
SELECT corm.register_bind('analytics', schema => 'analytics');
SELECT corm.register_bind('archive', schema => 'archive');
SELECT corm.register_model_class('IdModel3', primary_key => 'id integer');
SELECT corm.register_model('Visit', model_class => 'IdModel3', bind_key => 'analytics', columns => 'kind text');
SELECT corm.register_model('Click', parent => 'Visit', columns => 'x int, y int');
SELECT name, bind_key, "table" FROM corm.models WHERE name IN ('Visit', 'Click') ORDER BY name COLLATE "C";
\d analytics.click
SELECT nspname, pg_get_userbyid(nspowner) = current_user AS owned_by_caller
  FROM pg_namespace WHERE nspname = 'analytics';
-- the same table name in two binds
SELECT corm.register_model('ArchivedVisit', model_class => 'IdModel3', bind_key => 'archive',
                           tablename => 'visit', columns => 'kind text, archived_at timestamptz');
SELECT name, "table" FROM corm.models WHERE "table" LIKE '%.visit' ORDER BY name COLLATE "C";
-- an unknown key is 42704, with the known keys in the HINT
SELECT corm.register_model('Lost', model_class => 'IdModel3', bind_key => 'nosuch');
-- a single-table subclass cannot have a bind key of its own
SELECT corm.register_model('Shape3', model_class => 'IdModel3', bind_key => 'analytics',
                           columns => 'kind text', polymorphic_on => 'kind');
SELECT corm.register_model('Dot', parent => 'Shape3', model_class => 'Model', columns => 'r int');
SELECT corm.register_model('Ring', parent => 'Shape3', model_class => 'Model', bind_key => 'archive');
-- under a policy without binding the key is ignored, with a WARNING
SELECT corm.register_meta('LocalMeta', binding => false);
SELECT corm.register_model_class('LocalBase', primary_key => 'id integer', meta => 'LocalMeta');
SELECT corm.register_model('Local', model_class => 'LocalBase', bind_key => 'analytics');
SELECT "table" FROM corm.models WHERE name = 'Local';

-- a bind's tablespace holds its tables and their indexes
SET allow_in_place_tablespaces = on;
SET client_min_messages = warning;
DROP TABLESPACE IF EXISTS corm_regress_space;  -- left by an interrupted run
RESET client_min_messages;
CREATE TABLESPACE corm_regress_space LOCATION '';
SELECT corm.register_bind('cold', schema => 'cold', tablespace => 'corm_regress_space');
SELECT corm.register_model('Log', model_class => 'IdModel3', bind_key => 'cold', columns => 'line text UNIQUE');
SELECT c.relname, t.spcname FROM pg_class c JOIN pg_tablespace t ON t.oid = c.reltablespace
 WHERE c.relnamespace = 'cold'::regnamespace ORDER BY c.relname;
SHOW default_tablespace;
SELECT corm.ddl('Log');
SELECT corm.register_bind('frozen', schema => 'frozen', tablespace => 'nosuch');
SELECT corm.drop_model('Log');
DROP TABLESPACE corm_regress_space;

-- the SQLSTATE of each refusal, as a client sees it
CREATE FUNCTION sqlstate_of(call text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE call;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE;
END $$;
SELECT call, sqlstate_of(call) FROM (VALUES
    ($$SELECT corm.register_model('Gadget', model_class => 'ManualBase')$$),
    ($$SELECT corm.register_meta('BadMeta', naming => 'meta.nosuch(text)')$$),
    ($$SELECT corm.register_meta('BadMeta', naming => 'pg_catalog.length(text)')$$),
    ($$SELECT corm.register_model('Thing', model_class => 'LongBase')$$),
    ($$SELECT corm.register_model('Thing', model_class => 'NullBase')$$),
    ($$SELECT corm.register_meta('DefaultMeta', naming => 'none')$$),
    ($$SELECT corm.register_model('Refused', model_class => 'StrictBase')$$),
    ($$SELECT corm.register_model('Lost', model_class => 'IdModel3', bind_key => 'nosuch')$$),
    ($$SELECT corm.register_model('Ring', parent => 'Shape3', model_class => 'Model', bind_key => 'archive')$$),
    ($$SELECT corm.register_bind('frozen', schema => 'frozen', tablespace => 'nosuch')$$),
    ($$SELECT corm.register_bind('frozen', schema => NULL)$$)
) AS t(call);
