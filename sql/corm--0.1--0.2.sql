/* corm 0.1 → 0.2 */

\echo Use "ALTER EXTENSION corm UPDATE TO '0.2'" to load this file. \quit

-- self-referencing keys become triggers: pg_dump warned about them
ALTER TABLE corm.query_class DROP CONSTRAINT query_class_base_fkey;
ALTER TABLE corm.model DROP CONSTRAINT model_parent_fkey;

/*
 * A model's parent and a query class's base name a row of the same table.
 * A foreign key would say so, but pg_dump cannot order the rows of a
 * configuration table that references itself and warns that the dump may
 * not restore; these triggers keep the same rule instead: the row named
 * must exist when the transaction commits (deferred, so rows restore in any
 * order), renaming it renames the references (ON UPDATE CASCADE), and it
 * cannot be deleted while referenced (NO ACTION).  Arguments: the key
 * column, the referencing column, what a row is called in messages.
 */
CREATE FUNCTION corm.catalog_reference() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    key_col  text := TG_ARGV[0];
    ref_col  text := TG_ARGV[1];
    what     text := TG_ARGV[2];
    tab      text := format('%I.%I', TG_TABLE_SCHEMA, TG_TABLE_NAME);
    old_key  text;
    new_key  text;
    ref      text;
    found_it boolean;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        EXECUTE format('SELECT ($1).%I', key_col) INTO old_key USING OLD;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        EXECUTE format('SELECT ($1).%I, ($1).%I', key_col, ref_col) INTO new_key, ref USING NEW;
    END IF;

    IF TG_WHEN = 'AFTER' AND TG_NARGS = 4 THEN
        -- the cascade: a renamed row takes its references along
        IF old_key IS DISTINCT FROM new_key THEN
            EXECUTE format('UPDATE %s SET %I = $1 WHERE %I = $2', tab, ref_col, ref_col)
                USING new_key, old_key;
        END IF;
        RETURN NULL;
    END IF;

    -- the deferred checks, at commit: a row that still names another
    -- (not changed or deleted since) names one that exists ...
    IF TG_OP IN ('INSERT', 'UPDATE') AND ref IS NOT NULL THEN
        EXECUTE format('SELECT NOT EXISTS (SELECT FROM %s WHERE %I = $1 AND %I = $2)
                            OR EXISTS (SELECT FROM %s WHERE %I = $2)',
                       tab, key_col, ref_col, tab, key_col)
            INTO found_it USING new_key, ref;
        IF NOT found_it THEN
            RAISE EXCEPTION '% "%" names % "%", which does not exist', what, new_key, ref_col, ref
                  USING ERRCODE = 'foreign_key_violation',
                        HINT = format('Register the %s first, or register "%s" without it.', what, new_key);
        END IF;
    END IF;
    -- ... and a deleted or renamed row leaves no reference behind
    IF TG_OP IN ('UPDATE', 'DELETE') AND old_key IS DISTINCT FROM new_key THEN
        EXECUTE format('SELECT (SELECT %I FROM %s WHERE %I = $1 LIMIT 1), EXISTS (SELECT FROM %s WHERE %I = $1)',
                       key_col, tab, ref_col, tab, key_col)
            INTO ref, found_it USING old_key;
        IF ref IS NOT NULL AND NOT found_it THEN
            RAISE EXCEPTION '% "%" is still the % of % "%"', what, old_key, ref_col, what, ref
                  USING ERRCODE = 'foreign_key_violation',
                        HINT = format('Drop or change "%s" first.', ref);
        END IF;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER model_parent_rename AFTER UPDATE OF name ON corm.model
    FOR EACH ROW EXECUTE FUNCTION corm.catalog_reference('name', 'parent', 'model', 'cascade');
CREATE CONSTRAINT TRIGGER model_parent_check AFTER INSERT OR UPDATE OR DELETE ON corm.model
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION corm.catalog_reference('name', 'parent', 'model');
CREATE TRIGGER query_class_base_rename AFTER UPDATE OF name ON corm.query_class
    FOR EACH ROW EXECUTE FUNCTION corm.catalog_reference('name', 'base', 'query class', 'cascade');
CREATE CONSTRAINT TRIGGER query_class_base_check AFTER INSERT OR UPDATE OR DELETE ON corm.query_class
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION corm.catalog_reference('name', 'base', 'query class');

CREATE FUNCTION corm.diagram(format text DEFAULT 'mermaid', models text[] DEFAULT NULL)
    RETURNS text
    AS 'MODULE_PATHNAME', 'corm_diagram'
    LANGUAGE C STABLE;

COMMENT ON FUNCTION corm.diagram(text, text[]) IS
    'the models as an entity-relationship diagram: mermaid or dot (Graphviz)';

-- generated views, functions and types are compared with what corm made of
-- them, as the system catalogs held it, so that corm.check() sees one changed
-- by hand (filled in below, once every object is what 0.2 makes)
ALTER TABLE corm.model ADD COLUMN view_catalog_form text;
ALTER TABLE corm.query_function ADD COLUMN catalog_form text;
-- a query method that returns one value runs in corm_method (src/method.c),
-- which keeps its plan for the session; its SQL is kept here
ALTER TABLE corm.query_function ADD COLUMN body text;
CREATE INDEX ON corm.query_function (signature);

-- indexes declared with model classes, mixins and models; a subclass's
-- inheritance asked for; the indexes corm made on each model's table
ALTER TABLE corm.model_class ADD COLUMN indexes text[] NOT NULL DEFAULT '{}';
ALTER TABLE corm.mixin ADD COLUMN indexes text[] NOT NULL DEFAULT '{}';
ALTER TABLE corm.model ADD COLUMN indexes text[] NOT NULL DEFAULT '{}';
ALTER TABLE corm.model ADD COLUMN inheritance text CHECK (inheritance IN ('single', 'joined'));
ALTER TABLE corm.model ADD COLUMN table_indexes name[];

-- a bind to another database: a postgres_fdw foreign server
ALTER TABLE corm.bind ADD COLUMN server name;

-- relationships: many-to-many through an association, self-referential
-- many-to-one, the reverse relationship registered with one
ALTER TABLE corm.relationship ADD COLUMN secondary text;
ALTER TABLE corm.relationship ADD COLUMN remote_side text;
ALTER TABLE corm.relationship ADD COLUMN backref text;

/*
 * What a generated object is, as the system catalogs hold it: a view's
 * definition, column defaults and triggers; a function's whole definition;
 * a composite type's attributes.  corm records it when it makes the object
 * and compares it on every sync (and so in corm.check()), which is how a
 * view, function or type changed by hand is seen.  NULL when the object
 * does not exist.
 */
CREATE FUNCTION corm.catalog_form(kind text, object text) RETURNS text
    AS 'MODULE_PATHNAME', 'corm_catalog_form' LANGUAGE C STABLE;

-- every register_*, drop_* and rename_* returns the statements it ran, one
-- row each (0.1: void); dry_run says what each statement locks, rewrites
-- and scans (0.1: the statements as one text).  A return type cannot be
-- changed in place: each function is made again.
DROP FUNCTION corm.register_model_class(text, text, text, text, text, boolean);
CREATE FUNCTION corm.register_model_class(name text,
                                          primary_key text DEFAULT NULL,
                                          columns text DEFAULT NULL,
                                          meta text DEFAULT 'DefaultMeta',
                                          query_class text DEFAULT 'BaseQuery',
                                          indexes text[] DEFAULT '{}',
                                          drop_columns boolean DEFAULT false)
    RETURNS SETOF text
    AS 'MODULE_PATHNAME', 'corm_register_model_class'
    LANGUAGE C VOLATILE;
DROP FUNCTION corm.register_mixin(text, text, text, text[], boolean);
CREATE FUNCTION corm.register_mixin(name text,
                                    columns text DEFAULT NULL,
                                    onupdate text DEFAULT NULL,
                                    mixins text[] DEFAULT '{}',
                                    indexes text[] DEFAULT '{}',
                                    drop_columns boolean DEFAULT false)
    RETURNS SETOF text
    AS 'MODULE_PATHNAME', 'corm_register_mixin'
    LANGUAGE C VOLATILE;
DROP FUNCTION corm.register_model(text, text, text, text, text[], text, boolean, text, text, text, text, text, boolean);
CREATE FUNCTION corm.register_model(name text,
                                    columns text DEFAULT NULL,
                                    parent text DEFAULT NULL,
                                    model_class text DEFAULT NULL,
                                    mixins text[] DEFAULT '{}',
                                    tablename text DEFAULT NULL,
                                    abstract boolean DEFAULT false,
                                    bind_key text DEFAULT NULL,
                                    query_class text DEFAULT NULL,
                                    onupdate text DEFAULT NULL,
                                    polymorphic_on text DEFAULT NULL,
                                    polymorphic_identity text DEFAULT NULL,
                                    indexes text[] DEFAULT '{}',
                                    inheritance text DEFAULT NULL,
                                    drop_columns boolean DEFAULT false)
    RETURNS SETOF text
    AS 'MODULE_PATHNAME', 'corm_register_model'
    LANGUAGE C VOLATILE;
DROP FUNCTION corm.register_meta(text, text, boolean, text[]);
CREATE FUNCTION corm.register_meta(name text,
                                   naming text DEFAULT 'snake_case',
                                   binding boolean DEFAULT true,
                                   hooks text[] DEFAULT '{}')
    RETURNS SETOF text
    AS 'MODULE_PATHNAME', 'corm_register_meta'
    LANGUAGE C VOLATILE;
DROP FUNCTION corm.register_bind(text, name, name);
CREATE FUNCTION corm.register_bind(key text, schema name, tablespace name DEFAULT NULL,
                                   server name DEFAULT NULL)
    RETURNS SETOF text
    AS 'MODULE_PATHNAME', 'corm_register_bind'
    LANGUAGE C VOLATILE;
DROP FUNCTION corm.register_query_class(text, text);
CREATE FUNCTION corm.register_query_class(name text, base text DEFAULT 'BaseQuery')
    RETURNS SETOF text
    AS 'MODULE_PATHNAME', 'corm_register_query_class'
    LANGUAGE C VOLATILE;
DROP FUNCTION corm.register_query_method(text, text, text, text, text, text, text);
CREATE FUNCTION corm.register_query_method(query_class text, name text,
                                           args text, returns text, body text,
                                           language text DEFAULT 'sql',
                                           volatility text DEFAULT 'stable')
    RETURNS SETOF text
    AS 'MODULE_PATHNAME', 'corm_register_query_method'
    LANGUAGE C VOLATILE;
DROP FUNCTION corm.register_relationship(text, text, text, text, text);
CREATE FUNCTION corm.register_relationship(model text, name text, target text,
                                           query_class text DEFAULT NULL,
                                           foreign_key text DEFAULT NULL,
                                           secondary text DEFAULT NULL,
                                           remote_side text DEFAULT NULL,
                                           backref text DEFAULT NULL)
    RETURNS SETOF text
    AS 'MODULE_PATHNAME', 'corm_register_relationship'
    LANGUAGE C VOLATILE;
DROP FUNCTION corm.drop_model(text, boolean);
CREATE FUNCTION corm.drop_model(name text, cascade boolean DEFAULT false) RETURNS SETOF text
    AS 'MODULE_PATHNAME', 'corm_drop_model' LANGUAGE C VOLATILE;
DROP FUNCTION corm.drop_mixin(text, boolean);
CREATE FUNCTION corm.drop_mixin(name text, cascade boolean DEFAULT false) RETURNS SETOF text
    AS 'MODULE_PATHNAME', 'corm_drop_mixin' LANGUAGE C VOLATILE;
DROP FUNCTION corm.drop_model_class(text, boolean);
CREATE FUNCTION corm.drop_model_class(name text, cascade boolean DEFAULT false) RETURNS SETOF text
    AS 'MODULE_PATHNAME', 'corm_drop_model_class' LANGUAGE C VOLATILE;
DROP FUNCTION corm.drop_query_class(text, boolean);
CREATE FUNCTION corm.drop_query_class(name text, cascade boolean DEFAULT false) RETURNS SETOF text
    AS 'MODULE_PATHNAME', 'corm_drop_query_class' LANGUAGE C VOLATILE;
DROP FUNCTION corm.drop_query_method(text, text);
CREATE FUNCTION corm.drop_query_method(query_class text, name text) RETURNS SETOF text
    AS 'MODULE_PATHNAME', 'corm_drop_query_method' LANGUAGE C VOLATILE;
DROP FUNCTION corm.drop_meta(text, boolean);
CREATE FUNCTION corm.drop_meta(name text, cascade boolean DEFAULT false) RETURNS SETOF text
    AS 'MODULE_PATHNAME', 'corm_drop_meta' LANGUAGE C VOLATILE;
DROP FUNCTION corm.drop_bind(text, boolean);
CREATE FUNCTION corm.drop_bind(key text, cascade boolean DEFAULT false) RETURNS SETOF text
    AS 'MODULE_PATHNAME', 'corm_drop_bind' LANGUAGE C VOLATILE;
DROP FUNCTION corm.drop_relationship(text, text);
CREATE FUNCTION corm.drop_relationship(model text, name text) RETURNS SETOF text
    AS 'MODULE_PATHNAME', 'corm_drop_relationship' LANGUAGE C VOLATILE;
DROP FUNCTION corm.rename_model(text, text);
CREATE FUNCTION corm.rename_model(old text, new text) RETURNS SETOF text
    AS 'MODULE_PATHNAME', 'corm_rename_model' LANGUAGE C VOLATILE;
DROP FUNCTION corm.rename_column(text, text, text);
CREATE FUNCTION corm.rename_column(model text, old text, new text) RETURNS SETOF text
    AS 'MODULE_PATHNAME', 'corm_rename_column' LANGUAGE C VOLATILE;
DROP FUNCTION corm.dry_run(text);
CREATE FUNCTION corm.dry_run(statement text,
                             OUT step integer, OUT ddl text, OUT relation text,
                             OUT lock text, OUT rewrite boolean, OUT scan boolean)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'corm_dry_run' LANGUAGE C VOLATILE STRICT;

-- a query method that returns one value: its function is one call of this,
-- which runs the method's SQL (corm.query_function.body) with a plan kept
-- for the session, as the caller (src/method.c)
CREATE FUNCTION corm.call(result anyelement, method regprocedure)
    RETURNS anyelement AS 'MODULE_PATHNAME', 'corm_call' LANGUAGE C STABLE;
CREATE FUNCTION corm.call(result anyelement, method regprocedure, VARIADIC args "any")
    RETURNS anyelement AS 'MODULE_PATHNAME', 'corm_call' LANGUAGE C STABLE;
CREATE FUNCTION corm.call_volatile(result anyelement, method regprocedure)
    RETURNS anyelement AS 'MODULE_PATHNAME', 'corm_call' LANGUAGE C VOLATILE;
CREATE FUNCTION corm.call_volatile(result anyelement, method regprocedure, VARIADIC args "any")
    RETURNS anyelement AS 'MODULE_PATHNAME', 'corm_call' LANGUAGE C VOLATILE;

-- BaseQuery's keyset pages: the rows of a view (rows), or of a
-- relationship's function for a parent row (scope, parent), past a bookmark
-- in an order over the model's columns with the key (key) as the tie-breaker;
-- the page as the model's <name>_keyset_page type (src/keyset.c)
CREATE FUNCTION corm.keyset(page anyelement, rows regclass, scope regprocedure, parent "any",
                            key text[], per_page integer, after text, before text, order_by text)
    RETURNS anyelement AS 'MODULE_PATHNAME', 'corm_keyset' LANGUAGE C STABLE;

-- BaseQuery as Flask-SQLAlchemy 3.0's Query: get_or_404(ident, description),
-- first_or_404(description), count(estimate), paginate(..., error_out,
-- count) with first and last, corm.iter_pages(); the helpers they use
DROP FUNCTION corm.not_found(anyelement, text, text);
-- get_or_404's and first_or_404's refusal: no_data_found naming the model
-- and the key, or the description given (Flask's abort(404, description))
CREATE FUNCTION corm.not_found(anyelement, model text, ident text, description text DEFAULT NULL)
    RETURNS anyelement
    AS 'MODULE_PATHNAME', 'corm_not_found'
    LANGUAGE C STABLE;

-- count(estimate => true): the planner's estimate of a relation's rows,
-- in constant time (volatile only because EXPLAIN is refused otherwise)
CREATE FUNCTION corm.estimate_count(relation regclass) RETURNS bigint
    LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog AS $$
DECLARE
    plan json;
BEGIN
    EXECUTE format('EXPLAIN (FORMAT JSON) SELECT 1 FROM %s', relation) INTO plan;
    RETURN (plan -> 0 -> 'Plan' ->> 'Plan Rows')::bigint;
END $$;

-- paginate's arguments as Flask-SQLAlchemy 3.0's Pagination prepares them:
-- NULL page and per_page are 1 and 20, per_page is capped at max_per_page;
-- a page or per_page below 1 is an error with error_out (22023), else
-- page 1 and 20 per page
CREATE FUNCTION corm.page_args(page integer, per_page integer, max_per_page integer,
                               error_out boolean, OUT number integer, OUT n integer)
    LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    number := coalesce(page, 1);
    n := coalesce(per_page, 20);
    IF max_per_page IS NOT NULL THEN
        n := least(n, max_per_page);
    END IF;
    IF (number < 1 OR n < 1) AND coalesce(error_out, true) THEN
        RAISE EXCEPTION 'page must be at least 1 and per_page at least 1, not page % and per_page %',
                        number, n
              USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF number < 1 THEN
        number := 1;
    END IF;
    IF n < 1 THEN
        n := 20;
    END IF;
END $$;

-- a page past the end, other than page 1, is Flask-SQLAlchemy's 404 with
-- error_out, and an empty page without
CREATE FUNCTION corm.page_rows(model text, page integer, error_out boolean, items anyarray)
    RETURNS anyarray LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF page > 1 AND coalesce(cardinality(items), 0) = 0 AND coalesce(error_out, true) THEN
        RAISE EXCEPTION 'page % of % not found', page, model
              USING ERRCODE = 'no_data_found';
    END IF;
    RETURN items;
END $$;

-- the page numbers of a pagination widget, NULL for each gap, exactly as
-- Flask-SQLAlchemy 3.0's Pagination.iter_pages; any model's Pagination
CREATE FUNCTION corm.iter_pages(pagination anyelement, left_edge integer DEFAULT 2,
                                left_current integer DEFAULT 2, right_current integer DEFAULT 4,
                                right_edge integer DEFAULT 2)
    RETURNS SETOF integer LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    pages_end integer := coalesce(pagination.pages, 0) + 1;
    left_end integer;
    mid_start integer;
    mid_end integer;
    right_start integer;
BEGIN
    IF pages_end = 1 THEN
        RETURN;
    END IF;
    left_end := least(1 + left_edge, pages_end);
    RETURN QUERY SELECT g FROM generate_series(1, left_end - 1) g;
    IF left_end = pages_end THEN
        RETURN;
    END IF;
    mid_start := greatest(left_end, pagination.page - left_current);
    mid_end := least(pagination.page + right_current + 1, pages_end);
    IF mid_start - left_end > 0 THEN
        RETURN NEXT NULL;
    END IF;
    RETURN QUERY SELECT g FROM generate_series(mid_start, mid_end - 1) g;
    IF mid_end = pages_end THEN
        RETURN;
    END IF;
    right_start := greatest(mid_end, pages_end - right_edge);
    IF right_start - mid_end > 0 THEN
        RETURN NEXT NULL;
    END IF;
    RETURN QUERY SELECT g FROM generate_series(right_start, pages_end - 1) g;
END $$;

DELETE FROM corm.query_method WHERE builtin;
/*
 * BaseQuery's methods, Flask-SQLAlchemy 3.0's Query: templates like any
 * user's, instantiated for every model (see corm.register_query_method).
 */
INSERT INTO corm.query_method (query_class, name, args, returns, body, language, volatility, builtin) VALUES
('BaseQuery', 'get', '@keyparams@', '@rowtype@',
 'SELECT (SELECT corm_row FROM @view@ corm_row WHERE @keymatch@)', 'sql', 'stable', true),
('BaseQuery', 'get_or_404', '@keyparams@, description text DEFAULT NULL', '@rowtype@',
 'SELECT coalesce((SELECT corm_row FROM @view@ corm_row WHERE @keymatch@),
                 corm.not_found(NULL::@rowtype@, @model@, @keytext@, description))', 'sql', 'stable', true),
('BaseQuery', 'first_or_404', 'description text DEFAULT NULL', '@rowtype@',
 'SELECT coalesce((SELECT corm_row FROM @view@ corm_row ORDER BY @keyorder@ LIMIT 1),
                 corm.not_found(NULL::@rowtype@, @model@, NULL, description))', 'sql', 'stable', true),
('BaseQuery', 'count', 'estimate boolean DEFAULT false', 'bigint',
 'SELECT CASE WHEN @function@.estimate AND @relation@ IS NOT NULL
             THEN corm.estimate_count(@relation@)
             ELSE (SELECT count(*) FROM @view@) END', 'sql', 'stable', true),
('BaseQuery', 'paginate',
 'page integer DEFAULT 1, per_page integer DEFAULT 20, max_per_page integer DEFAULT NULL, error_out boolean DEFAULT true, count boolean DEFAULT true',
 '@pagination@',
 'SELECT ROW(p.items, p.page, p.n, p.total, p.pages, p.page > 1, p.page < p.pages,
            CASE WHEN p.page > 1 THEN p.page - 1 END,
            CASE WHEN p.page < p.pages THEN p.page + 1 END,
            CASE WHEN cardinality(p.items) > 0 THEN (p.page - 1) * p.n + 1 ELSE 0 END,
            CASE WHEN cardinality(p.items) > 0 THEN (p.page - 1) * p.n + cardinality(p.items) ELSE 0 END
           )::@pagination@
  FROM (SELECT a.number AS page, a.n, t.total,
               CASE WHEN coalesce(t.total, 0) = 0 THEN 0 ELSE ((t.total + a.n - 1) / a.n)::integer END AS pages,
               corm.page_rows(@model@, a.number, @function@.error_out,
                   ARRAY(SELECT corm_row FROM @view@ corm_row ORDER BY @keyorder@
                          LIMIT a.n OFFSET (a.number - 1)::bigint * a.n)) AS items
          FROM corm.page_args(@function@.page, @function@.per_page, @function@.max_per_page,
                              @function@.error_out) a,
               LATERAL (SELECT CASE WHEN coalesce(@function@.count, true)
                                    THEN (SELECT count(*) FROM @view@) END AS total) t) p',
 'sql', 'stable', true),
('BaseQuery', 'keyset',
 'per_page integer DEFAULT 20, after text DEFAULT NULL, before text DEFAULT NULL, order_by text DEFAULT NULL',
 '@keyset@',
 'SELECT corm.keyset(NULL::@keyset@, @keysource@, @keycolumns@, @function@.per_page,
                    @function@.after, @function@.before, @function@.order_by)',
 'sql', 'stable', true);

-- the indexes a model's table gets from its definitions
CREATE FUNCTION corm.model_indexes(model text,
                                   OUT name name,
                                   OUT "table" text,
                                   OUT "unique" boolean,
                                   OUT definition text,
                                   OUT origin text)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'corm_model_indexes'
    LANGUAGE C STABLE STRICT;
CREATE VIEW corm.indexes AS
SELECT m.name AS model, i.*
  FROM corm.model m,
       LATERAL corm.model_indexes(m.name) i
 ORDER BY m.registered, i.name COLLATE "C";
GRANT SELECT ON corm.indexes TO PUBLIC;
CREATE OR REPLACE VIEW corm.relationships AS
SELECT r.model, r.name, r.target, r.query_class, r.foreign_key,
       (SELECT f.signature FROM corm.query_function f
         WHERE f.model = r.model AND f.relationship = r.name AND f.method IS NULL
         ORDER BY f.name LIMIT 1) AS function,
       (SELECT CASE WHEN r.secondary IS NOT NULL THEN 'many-to-many'
                    WHEN p.proretset AND p.prorows <> 1 THEN 'one-to-many' ELSE 'many-to-one' END
          FROM corm.query_function f, pg_catalog.pg_proc p
         WHERE f.model = r.model AND f.relationship = r.name AND f.method IS NULL
           AND p.oid = pg_catalog.to_regprocedure(f.signature)
         ORDER BY f.name LIMIT 1) AS direction,
       r.secondary, r.remote_side, r.backref
  FROM corm.relationship r;

-- 0.2 gives every foreign key an index (unless a declared one starts with
-- its columns): sync_all below makes them for the models of 0.1.
-- 0.2 generates views (and so row types) in each model's declared column
-- order, where 0.1 followed the order of the table's columns: every
-- model's objects are brought to what 0.2 makes of its definition, as a
-- fresh 0.2 install would hold them (grants kept)
CREATE FUNCTION corm.sync_all() RETURNS void
    AS 'MODULE_PATHNAME', 'corm_sync_all' LANGUAGE C VOLATILE;
SELECT corm.sync_all();
UPDATE corm.model SET view_catalog_form = corm.catalog_form('view', view_name)
 WHERE view_name IS NOT NULL AND view_catalog_form IS NULL;
UPDATE corm.query_function SET catalog_form = corm.catalog_form(kind, signature)
 WHERE catalog_form IS NULL;
DROP FUNCTION corm.sync_all();
-- 0.1's paginate helpers, which no generated function calls any more
DROP FUNCTION corm.page_size(integer, integer, integer);
DROP FUNCTION corm.page_items(text, integer, bigint, anyarray);
