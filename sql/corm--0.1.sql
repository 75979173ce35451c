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
    CHECK (key <> '')
);

CREATE TABLE corm.query_class (
    name        text PRIMARY KEY,
    base        text REFERENCES corm.query_class ON UPDATE CASCADE,
    owner       regrole NOT NULL DEFAULT current_role::regrole,
    builtin     boolean NOT NULL DEFAULT false,
    CHECK (name <> ''),
    CHECK (base IS DISTINCT FROM name)
);
CREATE INDEX ON corm.query_class (base);

CREATE TABLE corm.model_class (
    name        text PRIMARY KEY,
    primary_key text,
    columns     text,
    meta        text NOT NULL DEFAULT 'DefaultMeta' REFERENCES corm.meta ON UPDATE CASCADE,
    query_class text NOT NULL DEFAULT 'BaseQuery' REFERENCES corm.query_class ON UPDATE CASCADE,
    owner       regrole NOT NULL DEFAULT current_role::regrole,
    builtin     boolean NOT NULL DEFAULT false,
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
    CHECK (name <> '')
);
CREATE INDEX ON corm.mixin USING gin (mixins);

CREATE TABLE corm.model (
    name                 text PRIMARY KEY,
    columns              text,
    parent               text REFERENCES corm.model ON UPDATE CASCADE,
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
    view_definition      text,   -- the view DDL corm last ran for the model
    owner                regrole NOT NULL DEFAULT current_role::regrole,
    registered           bigserial,
    CHECK (name <> ''),
    CHECK (parent IS DISTINCT FROM name)
);
CREATE INDEX ON corm.model (parent);
CREATE INDEX ON corm.model (model_class);
CREATE INDEX ON corm.model (query_class);
CREATE INDEX ON corm.model USING gin (mixins);
CREATE UNIQUE INDEX ON corm.model (table_schema, table_name, name);

INSERT INTO corm.meta (name, naming, binding, builtin) VALUES
    ('DefaultMeta', 'snake_case', true, true),
    ('NoNameMeta', 'none', true, true);
INSERT INTO corm.query_class (name, base, builtin) VALUES ('BaseQuery', NULL, true);
INSERT INTO corm.model_class (name, builtin) VALUES ('Model', true);

SELECT pg_catalog.pg_extension_config_dump('corm.meta', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('corm.query_class', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('corm.model_class', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('corm.mixin', '');
SELECT pg_catalog.pg_extension_config_dump('corm.bind', '');
SELECT pg_catalog.pg_extension_config_dump('corm.model', '');
SELECT pg_catalog.pg_extension_config_dump('corm.model_registered_seq', '');

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
                                          query_class text DEFAULT 'BaseQuery')
    RETURNS void
    AS 'MODULE_PATHNAME', 'corm_register_model_class'
    LANGUAGE C VOLATILE;

CREATE FUNCTION corm.register_mixin(name text,
                                    columns text DEFAULT NULL,
                                    onupdate text DEFAULT NULL,
                                    mixins text[] DEFAULT '{}')
    RETURNS void
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
                                    polymorphic_identity text DEFAULT NULL)
    RETURNS void
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
    RETURNS void
    AS 'MODULE_PATHNAME', 'corm_register_meta'
    LANGUAGE C VOLATILE;

CREATE FUNCTION corm.register_bind(key text, schema name, tablespace name DEFAULT NULL)
    RETURNS void
    AS 'MODULE_PATHNAME', 'corm_register_bind'
    LANGUAGE C VOLATILE;

-- INSTEAD OF INSERT, UPDATE and DELETE on the view of a model whose row
-- is stored across joined tables; its arguments describe the tables
CREATE FUNCTION corm.view_trigger() RETURNS trigger
    AS 'MODULE_PATHNAME', 'corm_view_trigger'
    LANGUAGE C;

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

CREATE VIEW corm.columns AS
SELECT m.name AS model, c.*
  FROM corm.model m,
       LATERAL corm.model_columns(m.name) c
 ORDER BY m.registered, c."position";

GRANT USAGE ON SCHEMA corm TO PUBLIC;
GRANT SELECT ON ALL TABLES IN SCHEMA corm TO PUBLIC;
