-- Introspection (SPEC §8): corm.models, corm.columns, corm.model_columns()
-- and corm.ddl(), the DDL of everything generated for a model.
CREATE SCHEMA intro;
SET search_path = intro;
SELECT corm.register_model_class('IdModel2', primary_key => 'id integer', columns => 'tenant int NOT NULL DEFAULT 0');
SELECT corm.register_mixin('Stamp', columns => 'created timestamptz NOT NULL DEFAULT now()');
SELECT corm.register_model('Base2', model_class => 'IdModel2', abstract => true, columns => 'label text');
SELECT corm.register_model('Item', parent => 'Base2', mixins => '{Stamp}',
                           columns => 'type text NOT NULL, price numeric', polymorphic_on => 'type');
SELECT corm.register_model('Gift', parent => 'Item', columns => 'wrapped boolean');
SELECT corm.register_model('Voucher', parent => 'Item', model_class => 'Model', columns => 'code text NOT NULL');

SELECT name, kind, parent, model_class, mixins, "table", polymorphic_on, polymorphic_identity
  FROM corm.models WHERE name IN ('Base2', 'Item', 'Gift', 'Voucher');
SELECT model, position, name, type, not_null, "default", primary_key, origin, "table"
  FROM corm.columns WHERE model IN ('Base2', 'Item', 'Gift', 'Voucher');
SELECT corm.ddl('Item');
SELECT corm.ddl('Gift');
SELECT corm.ddl('Voucher');
SELECT corm.ddl('Base2') IS NULL AS abstract_ddl_is_null;

-- the DDL is what corm runs: replaying it gives the same tables
CREATE TEMP TABLE shape AS
SELECT c.relname, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod) AS type,
       a.attnotnull, a.attidentity, pg_get_expr(d.adbin, d.adrelid) AS def
  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
  LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
 WHERE c.relnamespace = 'intro'::regnamespace AND c.relkind = 'r';
CREATE TEMP TABLE script AS
SELECT string_agg(corm.ddl(name), '' ORDER BY registered) AS ddl FROM corm.model
 WHERE name IN ('Item', 'Gift', 'Voucher');
DROP TABLE gift, item CASCADE;
DO $$ BEGIN EXECUTE (SELECT ddl FROM script); END $$;
SELECT s.relname, s.attname, s.type IS NOT DISTINCT FROM r.type AS same_type,
       s.attnotnull = r.attnotnull AS same_null, s.def IS NOT DISTINCT FROM r.def AS same_default
  FROM shape s LEFT JOIN (
       SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod) AS type,
              a.attnotnull, pg_get_expr(d.adbin, d.adrelid) AS def
         FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
         LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
        WHERE c.relnamespace = 'intro'::regnamespace AND c.relkind = 'r') r
       USING (relname, attname)
 ORDER BY s.relname, s.attnum;

-- unknown models
SELECT corm.ddl('Nope');
SELECT * FROM corm.model_columns('Nope');
SELECT corm.ddl(NULL) IS NULL AS strict;
