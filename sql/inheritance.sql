-- Inheritance (SPEC §5): joined tables, single-table subclasses with a
-- discriminator, abstract models, and how mixin columns travel.
CREATE SCHEMA inherit;
SET search_path = inherit;
SELECT corm.register_model_class('Base', primary_key => 'id integer');

-- joined-table inheritance, three deep: each table holds its own columns,
-- keyed by a foreign key to its parent's key
SELECT corm.register_model('Animal', model_class => 'Base', columns => 'name text NOT NULL');
SELECT corm.register_model('Dog', parent => 'Animal', columns => 'breed text');
SELECT corm.register_model('Puppy', parent => 'Dog', columns => 'born date');
\d animal
\d dog
\d puppy
SELECT model, position, name, origin, "table" FROM corm.columns
 WHERE model IN ('Animal', 'Dog', 'Puppy') ORDER BY model COLLATE "C", position;
INSERT INTO animal (name) VALUES ('rex');
INSERT INTO dog (id, breed) VALUES (1, 'collie');
INSERT INTO puppy (id, born) VALUES (1, '2026-01-01');
DELETE FROM animal;
SELECT (SELECT count(*) FROM dog) AS dogs, (SELECT count(*) FROM puppy) AS puppies;

-- a mixin's column the parent's table has already is not repeated in the
-- child's table (as SQLAlchemy does); a new one is
SELECT corm.register_mixin('Audited', columns => 'audited_by text');
SELECT corm.register_mixin('Flagged', columns => 'flag boolean NOT NULL DEFAULT false');
SELECT corm.register_model('Vehicle', model_class => 'Base', mixins => '{Audited}');
SELECT corm.register_model('Car', parent => 'Vehicle', mixins => '{Audited, Flagged}', columns => 'wheels int');
\d car
-- redeclaring a parent's column in a joined subclass is refused
SELECT corm.register_model('Truck', parent => 'Vehicle', columns => 'audited_by varchar(10)');

-- single-table inheritance: no key of its own, so its columns join the
-- parent's table, nullable; it needs a discriminator on the root
SELECT corm.register_model('Shape', model_class => 'Base',
                           columns => 'kind text NOT NULL, area float8',
                           polymorphic_on => 'kind');
SELECT corm.register_model('Circle', parent => 'Shape', model_class => 'Model',
                           columns => 'radius float8 NOT NULL');
SELECT corm.register_model('Square', parent => 'Shape', model_class => 'Model',
                           columns => 'side float8 NOT NULL CHECK (side > 0)');
SELECT corm.register_model('Unit', parent => 'Square', model_class => 'Model',
                           columns => 'label text');
\d shape
SELECT to_regclass('circle') AS no_circle_table, to_regclass('square') AS no_square_table;
SELECT name, kind, parent, "table", polymorphic_on, polymorphic_identity FROM corm.models
 WHERE name IN ('Shape', 'Circle', 'Square', 'Unit') ORDER BY name COLLATE "C";
SELECT model, position, name, not_null, origin, "table" FROM corm.columns
 WHERE model IN ('Square', 'Unit') ORDER BY model COLLATE "C", position;
SELECT corm.ddl('Circle');

-- without a discriminator on an ancestor, single-table inheritance is refused
SELECT corm.register_model('Plain', model_class => 'Base', columns => 'x int');
SELECT corm.register_model('Sub', parent => 'Plain', model_class => 'Model', columns => 'y int');
SELECT to_regclass('sub') IS NULL AS no_table, NOT EXISTS (SELECT FROM corm.model WHERE name = 'Sub') AS no_row;
SELECT column_name FROM information_schema.columns
 WHERE table_schema = 'inherit' AND table_name = 'plain' ORDER BY ordinal_position;
-- a tablename without a key of its own is refused too
SELECT corm.register_model('Oval', parent => 'Shape', model_class => 'Model', tablename => 'ovals');

-- abstract models have no table; their columns reach their subclasses
SELECT corm.register_model('Named', model_class => 'Base', abstract => true,
                           columns => 'title text NOT NULL', mixins => '{Audited}');
SELECT corm.register_model('Book', parent => 'Named', columns => 'pages int');
SELECT corm.register_model('Film', parent => 'Named', columns => 'minutes int');
SELECT to_regclass('named') AS no_named_table;
\d book
SELECT name, kind, parent, model_class, "table" FROM corm.models
 WHERE name IN ('Named', 'Book', 'Film') ORDER BY name COLLATE "C";
SELECT corm.ddl('Named') IS NULL AS abstract_has_no_ddl;

-- a model cannot be its own ancestor
SELECT corm.register_model('Animal', parent => 'Puppy', model_class => 'Base', columns => 'name text NOT NULL');
SELECT corm.register_model('Loop', parent => 'Loop');
