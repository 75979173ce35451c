/* corm — declarative models inside PostgreSQL */

\echo Use "CREATE EXTENSION corm" to load this file. \quit

-- the schema belongs to the extension, so DROP EXTENSION removes it too
CREATE SCHEMA corm;

/*
 * The catalog.  Every table keeps the definitions exactly as the user gave
 * them (text that the server's parser reads again whenever corm plans), plus
 * the few facts corm resolved when it generated objects (the table's schema
 * and name).  Objects are named, never referenced by OID, so that pg_dump,
 * pg_restore and pg_upgrade keep the catalog valid.
 */

CREATE TABLE corm.meta (
    name        text PRIMARY KEY,
    naming      text NOT NULL DEFAULT 'snake_case',
    binding     boolean NOT NULL DEFAULT true,
    hooks       text[] NOT NULL DEFAULT '{}',
    owner       regrole NOT NULL DEFAULT current_role::regrole,
    builtin     boolean NOT NULL DEFAULT false,
    CHECK (name <> '')
);

CREATE TABLE corm.bind (
    key         text PRIMARY KEY,
    schema      name NOT NULL,
    tablespace  name,
    owner       regrole NOT NULL DEFAULT current_role::regrole,
    server      name,           -- (0.2) a postgres_fdw foreign server: tables in its database
    CHECK (key <> '')
);

CREATE TABLE corm.query_class (
    name        text PRIMARY KEY,
    base        text,           -- a query class: see corm.catalog_reference below
    owner       regrole NOT NULL DEFAULT current_role::regrole,
    builtin     boolean NOT NULL DEFAULT false,
    CHECK (name <> ''),
    CHECK (base IS DISTINCT FROM name)
);
CREATE INDEX ON corm.query_class (base);

CREATE TABLE corm.query_method (
    query_class text NOT NULL REFERENCES corm.query_class ON UPDATE CASCADE,
    name        text NOT NULL,
    args        text NOT NULL DEFAULT '',
    returns     text NOT NULL,
    body        text NOT NULL,
    language    text NOT NULL DEFAULT 'sql',
    volatility  text NOT NULL DEFAULT 'stable'
                CHECK (volatility IN ('immutable', 'stable', 'volatile')),
    owner       regrole NOT NULL DEFAULT current_role::regrole,
    builtin     boolean NOT NULL DEFAULT false,
    PRIMARY KEY (query_class, name),
    CHECK (name <> '')
);

CREATE TABLE corm.model_class (
    name        text PRIMARY KEY,
    primary_key text,
    columns     text,
    meta        text NOT NULL DEFAULT 'DefaultMeta' REFERENCES corm.meta ON UPDATE CASCADE,
    query_class text NOT NULL DEFAULT 'BaseQuery' REFERENCES corm.query_class ON UPDATE CASCADE,
    owner       regrole NOT NULL DEFAULT current_role::regrole,
    builtin     boolean NOT NULL DEFAULT false,
    indexes     text[] NOT NULL DEFAULT '{}',   -- CREATE INDEX text after ON <table>
    CHECK (name <> '')
);
CREATE INDEX ON corm.model_class (meta);
CREATE INDEX ON corm.model_class (query_class);

CREATE TABLE corm.mixin (
    name        text PRIMARY KEY,
    columns     text,
    onupdate    text,
    mixins      text[] NOT NULL DEFAULT '{}',
    owner       regrole NOT NULL DEFAULT current_role::regrole,
    indexes     text[] NOT NULL DEFAULT '{}',
    CHECK (name <> '')
);
CREATE INDEX ON corm.mixin USING gin (mixins);

CREATE TABLE corm.model (
    name                 text PRIMARY KEY,
    columns              text,
    parent               text,   -- a model: see corm.catalog_reference below
    model_class          text REFERENCES corm.model_class ON UPDATE CASCADE,
    mixins               text[] NOT NULL DEFAULT '{}',
    tablename            text,
    abstract             boolean NOT NULL DEFAULT false,
    bind_key             text,
    query_class          text REFERENCES corm.query_class ON UPDATE CASCADE,
    onupdate             text,
    polymorphic_on       text,
    polymorphic_identity text,
    -- resolved when corm generated the model's objects
    kind                 text CHECK (kind IN ('root', 'joined', 'single', 'abstract')),
    table_schema         name,
    table_name           name,
    view_name            text,   -- the view corm last made for the model, qualified
    view_definition      text,   -- and the DDL it ran for it
    owner                regrole NOT NULL DEFAULT current_role::regrole,
    registered           bigserial,
    view_catalog_form    text,   -- the view as the system catalogs held it when corm made it
    indexes              text[] NOT NULL DEFAULT '{}',
    inheritance          text CHECK (inheritance IN ('single', 'joined')),
    table_indexes        name[], -- the indexes corm made on the model's own table, by name
    CHECK (name <> ''),
    CHECK (parent IS DISTINCT FROM name)
);
CREATE INDEX ON corm.model (parent);
CREATE INDEX ON corm.model (model_class);
CREATE INDEX ON corm.model (query_class);
CREATE INDEX ON corm.model USING gin (mixins);
CREATE UNIQUE INDEX ON corm.model (table_schema, table_name, name);

CREATE TABLE corm.relationship (
    model       text NOT NULL REFERENCES corm.model ON UPDATE CASCADE,
    name        text NOT NULL,
    target      text NOT NULL REFERENCES corm.model ON UPDATE CASCADE,
    query_class text REFERENCES corm.query_class ON UPDATE CASCADE,
    foreign_key text,
    owner       regrole NOT NULL DEFAULT current_role::regrole,
    secondary   text,   -- many-to-many: the association model or table
    remote_side text,   -- self-referential many-to-one: the referenced column
    backref     text,   -- the reverse relationship registered with it
    PRIMARY KEY (model, name),
    CHECK (name <> '')
);
CREATE INDEX ON corm.relationship (target);
CREATE INDEX ON corm.relationship (query_class);

-- the functions corm generated: for each model, its query methods and
-- relationships, by the name and signature they were created with
CREATE TABLE corm.query_function (
    model          text NOT NULL REFERENCES corm.model ON UPDATE CASCADE ON DELETE CASCADE,
    name           name NOT NULL,
    kind           text NOT NULL CHECK (kind IN ('type', 'function')),
    method         text,
    relationship   text,
    target         text REFERENCES corm.model ON UPDATE CASCADE ON DELETE CASCADE,
                                   -- a relationship's target model
    signature      text NOT NULL,  -- schema-qualified name (and argument types)
    definition     text NOT NULL,  -- the statement corm ran
    catalog_form   text,           -- what it made, as the system catalogs held it then
    body           text,           -- a method run by corm_method: the SQL it runs
    PRIMARY KEY (model, name)
);
CREATE INDEX ON corm.query_function (target);
CREATE INDEX ON corm.query_function (signature);

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

INSERT INTO corm.meta (name, naming, binding, builtin) VALUES
    ('DefaultMeta', 'snake_case', true, true),
    ('NoNameMeta', 'none', true, true);
INSERT INTO corm.query_class (name, base, builtin) VALUES ('BaseQuery', NULL, true);
INSERT INTO corm.model_class (name, builtin) VALUES ('Model', true);

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

SELECT pg_catalog.pg_extension_config_dump('corm.meta', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('corm.query_class', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('corm.model_class', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('corm.mixin', '');
SELECT pg_catalog.pg_extension_config_dump('corm.bind', '');
SELECT pg_catalog.pg_extension_config_dump('corm.query_method', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('corm.relationship', '');
SELECT pg_catalog.pg_extension_config_dump('corm.query_function', '');
SELECT pg_catalog.pg_extension_config_dump('corm.model', '');
SELECT pg_catalog.pg_extension_config_dump('corm.model_registered_seq', '');

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

/* Naming */

CREATE FUNCTION corm.camel_to_snake_case(name text) RETURNS text
    AS 'MODULE_PATHNAME', 'corm_camel_to_snake_case'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION corm.camel_to_snake_case(text) IS
    'the table name Flask-SQLAlchemy generates from a class name';

/* Registering */

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

CREATE FUNCTION corm.register_mixin(name text,
                                    columns text DEFAULT NULL,
                                    onupdate text DEFAULT NULL,
                                    mixins text[] DEFAULT '{}',
                                    indexes text[] DEFAULT '{}',
                                    drop_columns boolean DEFAULT false)
    RETURNS SETOF text
    AS 'MODULE_PATHNAME', 'corm_register_mixin'
    LANGUAGE C VOLATILE;

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

/* Generated objects */

-- the BEFORE UPDATE trigger of every table with onupdate columns; its
-- arguments are the table's assignments, "column = expression"
CREATE FUNCTION corm.onupdate() RETURNS trigger
    AS 'MODULE_PATHNAME', 'corm_onupdate'
    LANGUAGE C;

/* Meta policies and binds */

CREATE FUNCTION corm.register_meta(name text,
                                   naming text DEFAULT 'snake_case',
                                   binding boolean DEFAULT true,
                                   hooks text[] DEFAULT '{}')
    RETURNS SETOF text
    AS 'MODULE_PATHNAME', 'corm_register_meta'
    LANGUAGE C VOLATILE;

CREATE FUNCTION corm.register_bind(key text, schema name, tablespace name DEFAULT NULL,
                                   server name DEFAULT NULL)
    RETURNS SETOF text
    AS 'MODULE_PATHNAME', 'corm_register_bind'
    LANGUAGE C VOLATILE;

-- INSTEAD OF INSERT, UPDATE and DELETE on the view of a model whose row
-- is stored across joined tables; its arguments describe the tables
CREATE FUNCTION corm.view_trigger() RETURNS trigger
    AS 'MODULE_PATHNAME', 'corm_view_trigger'
    LANGUAGE C;

/* Query classes */

CREATE FUNCTION corm.register_query_class(name text, base text DEFAULT 'BaseQuery')
    RETURNS SETOF text
    AS 'MODULE_PATHNAME', 'corm_register_query_class'
    LANGUAGE C VOLATILE;

CREATE FUNCTION corm.register_query_method(query_class text, name text,
                                           args text, returns text, body text,
                                           language text DEFAULT 'sql',
                                           volatility text DEFAULT 'stable')
    RETURNS SETOF text
    AS 'MODULE_PATHNAME', 'corm_register_query_method'
    LANGUAGE C VOLATILE;

CREATE FUNCTION corm.register_relationship(model text, name text, target text,
                                           query_class text DEFAULT NULL,
                                           foreign_key text DEFAULT NULL,
                                           secondary text DEFAULT NULL,
                                           remote_side text DEFAULT NULL,
                                           backref text DEFAULT NULL)
    RETURNS SETOF text
    AS 'MODULE_PATHNAME', 'corm_register_relationship'
    LANGUAGE C VOLATILE;

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

/* Lifecycle */

CREATE FUNCTION corm.drop_model(name text, cascade boolean DEFAULT false) RETURNS SETOF text
    AS 'MODULE_PATHNAME', 'corm_drop_model' LANGUAGE C VOLATILE;
CREATE FUNCTION corm.drop_mixin(name text, cascade boolean DEFAULT false) RETURNS SETOF text
    AS 'MODULE_PATHNAME', 'corm_drop_mixin' LANGUAGE C VOLATILE;
CREATE FUNCTION corm.drop_model_class(name text, cascade boolean DEFAULT false) RETURNS SETOF text
    AS 'MODULE_PATHNAME', 'corm_drop_model_class' LANGUAGE C VOLATILE;
CREATE FUNCTION corm.drop_query_class(name text, cascade boolean DEFAULT false) RETURNS SETOF text
    AS 'MODULE_PATHNAME', 'corm_drop_query_class' LANGUAGE C VOLATILE;
CREATE FUNCTION corm.drop_query_method(query_class text, name text) RETURNS SETOF text
    AS 'MODULE_PATHNAME', 'corm_drop_query_method' LANGUAGE C VOLATILE;
CREATE FUNCTION corm.drop_meta(name text, cascade boolean DEFAULT false) RETURNS SETOF text
    AS 'MODULE_PATHNAME', 'corm_drop_meta' LANGUAGE C VOLATILE;
CREATE FUNCTION corm.drop_bind(key text, cascade boolean DEFAULT false) RETURNS SETOF text
    AS 'MODULE_PATHNAME', 'corm_drop_bind' LANGUAGE C VOLATILE;
CREATE FUNCTION corm.drop_relationship(model text, name text) RETURNS SETOF text
    AS 'MODULE_PATHNAME', 'corm_drop_relationship' LANGUAGE C VOLATILE;
CREATE FUNCTION corm.rename_model(old text, new text) RETURNS SETOF text
    AS 'MODULE_PATHNAME', 'corm_rename_model' LANGUAGE C VOLATILE;
CREATE FUNCTION corm.rename_column(model text, old text, new text) RETURNS SETOF text
    AS 'MODULE_PATHNAME', 'corm_rename_column' LANGUAGE C VOLATILE;

-- what a statement (a corm.register_* call) would run, and the lock each
-- statement takes on each relation, whether it rewrites or scans it,
-- measured in a run that is rolled back: nothing changes
CREATE FUNCTION corm.dry_run(statement text,
                             OUT step integer, OUT ddl text, OUT relation text,
                             OUT lock text, OUT rewrite boolean, OUT scan boolean)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'corm_dry_run' LANGUAGE C VOLATILE STRICT;

-- drift between the catalog and the database: what corm would run to mend it
CREATE FUNCTION corm.check(OUT model text, OUT problem text, OUT fix text)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'corm_check' LANGUAGE C VOLATILE;

CREATE FUNCTION corm.guard_drop() RETURNS event_trigger
    AS 'MODULE_PATHNAME', 'corm_guard_drop' LANGUAGE C;
CREATE EVENT TRIGGER corm_guard_drop ON ddl_command_start
    WHEN TAG IN ('DROP EXTENSION') EXECUTE FUNCTION corm.guard_drop();

/* Introspection */

CREATE FUNCTION corm.ddl(model text) RETURNS text
    AS 'MODULE_PATHNAME', 'corm_ddl'
    LANGUAGE C STABLE STRICT;

CREATE FUNCTION corm.model_columns(model text,
                                   OUT "position" integer,
                                   OUT name name,
                                   OUT type text,
                                   OUT not_null boolean,
                                   OUT "default" text,
                                   OUT primary_key boolean,
                                   OUT origin text,
                                   OUT "table" text)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'corm_model_columns'
    LANGUAGE C STABLE STRICT;

-- the indexes a model's table gets from its definitions (corm.indexes)
CREATE FUNCTION corm.model_indexes(model text,
                                   OUT name name,
                                   OUT "table" text,
                                   OUT "unique" boolean,
                                   OUT definition text,
                                   OUT origin text)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'corm_model_indexes'
    LANGUAGE C STABLE STRICT;

CREATE FUNCTION corm.diagram(format text DEFAULT 'mermaid', models text[] DEFAULT NULL)
    RETURNS text
    AS 'MODULE_PATHNAME', 'corm_diagram'
    LANGUAGE C STABLE;

COMMENT ON FUNCTION corm.diagram(text, text[]) IS
    'the models as an entity-relationship diagram: mermaid or dot (Graphviz)';

CREATE VIEW corm.models AS
SELECT m.name,
       m.kind,
       m.parent,
       coalesce(m.model_class,
                (WITH RECURSIVE up(name, parent, model_class, depth) AS (
                     SELECT p.name, p.parent, p.model_class, 1
                       FROM corm.model p WHERE p.name = m.parent
                     UNION ALL
                     SELECT p.name, p.parent, p.model_class, up.depth + 1
                       FROM corm.model p JOIN up ON p.name = up.parent
                      WHERE up.model_class IS NULL)
                 SELECT up.model_class FROM up
                  WHERE up.model_class IS NOT NULL ORDER BY up.depth LIMIT 1),
                'Model') AS model_class,
       m.mixins,
       CASE WHEN m.table_name IS NOT NULL
            THEN pg_catalog.format('%I.%I', m.table_schema, m.table_name) COLLATE "default"
       END AS "table",
       m.tablename,
       m.bind_key,
       m.query_class,
       m.polymorphic_on,
       m.polymorphic_identity,
       m.owner
  FROM corm.model m
 ORDER BY m.registered;

CREATE VIEW corm.query_methods AS
SELECT f.model, f.method, f.relationship, f.signature AS function, f.name AS function_name
  FROM corm.query_function f
 WHERE f.kind = 'function' AND f.method IS NOT NULL;

CREATE VIEW corm.relationships AS
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

CREATE VIEW corm.columns AS
SELECT m.name AS model, c.*
  FROM corm.model m,
       LATERAL corm.model_columns(m.name) c
 ORDER BY m.registered, c."position";

CREATE VIEW corm.indexes AS
SELECT m.name AS model, i.*
  FROM corm.model m,
       LATERAL corm.model_indexes(m.name) i
 ORDER BY m.registered, i.name COLLATE "C";

-- everyone may read the catalog; only corm's functions write it (see
-- corm_catalog_spi() in src/catalog.c), so a role changes only what it owns
GRANT USAGE ON SCHEMA corm TO PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA corm FROM PUBLIC;
GRANT SELECT ON ALL TABLES IN SCHEMA corm TO PUBLIC;
