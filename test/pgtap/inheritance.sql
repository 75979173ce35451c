-- corm: joined-table, single-table and abstract inheritance (SPEC §5 "Inheritance")
BEGIN;
SET client_min_messages = warning;
SET lc_messages = 'C';  -- error texts are matched below: in English, whatever the server's
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION corm;
CREATE SCHEMA tap_inh;
SET search_path = tap_inh, public, tap_helpers;
\ir helpers.psql

SELECT plan(80);

CREATE FUNCTION tap_inh.tables() RETURNS name[] LANGUAGE sql AS $$
    SELECT coalesce(array_agg(c.relname ORDER BY c.relname), '{}')
      FROM pg_class c WHERE c.relnamespace = 'tap_inh'::regnamespace AND c.relkind IN ('r', 'p')
$$;

SELECT corm.register_model_class('IdModel', primary_key => 'id integer');

-- ------------------------------------------------- joined, three levels deep
SELECT lives_ok($$SELECT corm.register_model('Animal', model_class => 'IdModel', columns => 'name text NOT NULL')$$,
                'joined: root Animal');
SELECT lives_ok($$SELECT corm.register_model('Mammal', parent => 'Animal', columns => 'legs int')$$,
                'joined: Mammal(Animal)');
SELECT lives_ok($$SELECT corm.register_model('Dog', parent => 'Mammal', columns => 'breed text DEFAULT ''mutt''')$$,
                'joined: Dog(Mammal)');

SELECT is(cols('tap_inh', 'animal'), ARRAY['id', 'name']::name[], 'animal holds (id, name)');
SELECT is(cols('tap_inh', 'mammal'), ARRAY['id', 'legs']::name[], 'mammal holds only (id, legs)');
SELECT is(cols('tap_inh', 'dog'), ARRAY['id', 'breed']::name[], 'dog holds only (id, breed)');
SELECT is(identity_of('tap_inh', 'animal', 'id'), 'd'::"char", 'the root key is an identity column');
SELECT is(identity_of('tap_inh', 'mammal', 'id'), ''::"char", 'mammal.id is not an identity column');
SELECT is(identity_of('tap_inh', 'dog', 'id'), ''::"char", 'dog.id is not an identity column');
SELECT col_is_pk('tap_inh', 'mammal', 'id', 'mammal.id is its primary key');
SELECT col_is_pk('tap_inh', 'dog', 'id', 'dog.id is its primary key');
SELECT fk_ok('tap_inh', 'mammal', 'id', 'tap_inh', 'animal', 'id', 'mammal.id references animal(id)');
SELECT fk_ok('tap_inh', 'dog', 'id', 'tap_inh', 'mammal', 'id', 'dog.id references mammal(id), its parent, not the root');
SELECT is(fk_delete_rule('tap_inh', 'mammal', 'id'), 'c'::"char", 'mammal.id: ON DELETE CASCADE');
SELECT is(fk_delete_rule('tap_inh', 'dog', 'id'), 'c'::"char", 'dog.id: ON DELETE CASCADE');
SELECT col_default_is('tap_inh', 'dog', 'breed', 'mutt'::text, 'dog.breed keeps its default');
SELECT results_eq($$SELECT name, kind FROM corm.models WHERE name IN ('Animal', 'Mammal', 'Dog') ORDER BY name COLLATE "C"$$,
                  $$VALUES ('Animal', 'root'), ('Dog', 'joined'), ('Mammal', 'joined')$$,
                  'corm.models: Animal root, Mammal and Dog joined');
SELECT results_eq($$SELECT "position", name::text COLLATE "default", origin, "table" COLLATE "default" FROM corm.model_columns('Dog')$$,
                  $$VALUES (1, 'id', 'inherited from Animal', 'tap_inh.animal'),
                           (2, 'name', 'inherited from Animal', 'tap_inh.animal'),
                           (3, 'legs', 'inherited from Mammal', 'tap_inh.mammal'),
                           (4, 'breed', 'own', 'tap_inh.dog')$$,
                  'Dog''s full row: id and name from animal, legs from mammal, breed its own');
-- rows cascade down the chain
INSERT INTO animal (name) VALUES ('rex');
INSERT INTO mammal (id, legs) VALUES (1, 4);
INSERT INTO dog (id) VALUES (1);
DELETE FROM animal WHERE id = 1;
SELECT is((SELECT count(*)::int FROM dog) + (SELECT count(*)::int FROM mammal), 0,
          'deleting the root row deletes the mammal and dog rows');

-- ------------------------------------- joined by a key declared in columns
SELECT lives_ok($$SELECT corm.register_model('Thing', columns => 'id bigint PRIMARY KEY, kind text')$$,
                'a root keyed in its own columns');
SELECT lives_ok($$SELECT corm.register_model('Gadget', parent => 'Thing', columns => 'id bigint PRIMARY KEY, power int')$$,
                'a subclass declaring its own primary key gets a table of its own');
SELECT is(cols('tap_inh', 'gadget'), ARRAY['id', 'power']::name[], 'gadget holds (id, power)');
SELECT fk_ok('tap_inh', 'gadget', 'id', 'tap_inh', 'thing', 'id', 'gadget.id references thing(id)');
SELECT is(fk_delete_rule('tap_inh', 'gadget', 'id'), 'c'::"char", 'gadget.id: ON DELETE CASCADE');

-- --------------------------------------------------------- single table
SELECT lives_ok($$SELECT corm.register_model('Vehicle', model_class => 'IdModel',
                       columns => 'kind text NOT NULL, wheels int NOT NULL DEFAULT 4',
                       polymorphic_on => 'kind')$$,
                'single: root Vehicle with polymorphic_on');
SELECT lives_ok($$SELECT corm.register_model('Car', parent => 'Vehicle', model_class => 'Model',
                       columns => 'doors int NOT NULL, sunroof boolean')$$,
                'single: Car(Vehicle) under Model, no key of its own');
SELECT lives_ok($$SELECT corm.register_model('SportsCar', parent => 'Car', model_class => 'Model',
                       columns => 'turbo boolean NOT NULL DEFAULT true')$$,
                'single: SportsCar(Car), two levels');
SELECT hasnt_table('tap_inh', 'car', 'a single-table subclass gets no table');
SELECT hasnt_table('tap_inh', 'sports_car', 'nor does its single-table subclass');
SELECT is(cols('tap_inh', 'vehicle'), ARRAY['id', 'kind', 'wheels', 'doors', 'sunroof', 'turbo']::name[],
          'the subclasses'' columns are added to vehicle, in registration order');
SELECT col_is_null('tap_inh', 'vehicle', 'doors', 'doors, declared NOT NULL, is nullable in the shared table');
SELECT col_is_null('tap_inh', 'vehicle', 'sunroof', 'sunroof is nullable');
SELECT col_is_null('tap_inh', 'vehicle', 'turbo', 'turbo, declared NOT NULL, is nullable in the shared table');
SELECT col_default_is('tap_inh', 'vehicle', 'turbo', 'true'::text, 'turbo keeps its default');
SELECT col_not_null('tap_inh', 'vehicle', 'kind', 'the root''s own NOT NULL stays');
SELECT col_not_null('tap_inh', 'vehicle', 'wheels', 'the root''s wheels stays NOT NULL');
SELECT results_eq($$SELECT name, kind, "table" COLLATE "default" FROM corm.models WHERE name IN ('Vehicle', 'Car', 'SportsCar') ORDER BY name COLLATE "C"$$,
                  $$VALUES ('Car', 'single', 'tap_inh.vehicle'), ('SportsCar', 'single', 'tap_inh.vehicle'),
                           ('Vehicle', 'root', 'tap_inh.vehicle')$$,
                  'corm.models: Car and SportsCar live in vehicle');
SELECT lives_ok($$INSERT INTO tap_inh.vehicle (kind) VALUES ('Vehicle')$$,
                'a plain vehicle row needs none of the subclasses'' columns');

-- a single-table subclass whose ancestors have no discriminator
SELECT corm.register_model('Plant', model_class => 'IdModel', columns => 'latin text');
SELECT throws_ok($$SELECT corm.register_model('Tree', parent => 'Plant', model_class => 'Model', columns => 'height int')$$,
                 '42P16', NULL, 'single-table inheritance without polymorphic_on is refused (42P16)');
SELECT throws_like($$SELECT corm.register_model('Tree', parent => 'Plant', model_class => 'Model', columns => 'height int')$$,
                   '%"Tree"%', 'the refusal names the model');
SELECT hasnt_column('tap_inh', 'plant', 'height', 'after the refusal plant has no height column');
SELECT is((SELECT count(*)::int FROM corm.model WHERE name = 'Tree'), 0, 'after the refusal no catalog row for Tree');
SELECT is(cols('tap_inh', 'plant'), ARRAY['id', 'latin']::name[], 'after the refusal plant is unchanged');

-- ------------------------------------------------------------- abstract
SELECT lives_ok($$SELECT corm.register_model('Base', model_class => 'IdModel', abstract => true,
                       columns => 'created_by text NOT NULL')$$,
                'abstract: Base');
SELECT hasnt_table('tap_inh', 'base', 'an abstract model gets no table');
SELECT is((SELECT kind FROM corm.models WHERE name = 'Base'), 'abstract', 'corm.models: Base is abstract');
SELECT is((SELECT "table" FROM corm.models WHERE name = 'Base'), NULL, 'corm.models: Base has no table');
SELECT lives_ok($$SELECT corm.register_model('Document', parent => 'Base', columns => 'body text')$$,
                'abstract: Document(Base)');
SELECT is(cols('tap_inh', 'document'), ARRAY['id', 'created_by', 'body']::name[],
          'document holds the key, the abstract parent''s column, then its own');
SELECT is(identity_of('tap_inh', 'document', 'id'), 'd'::"char",
          'under an abstract parent the model is a root: its key is an identity column');
SELECT col_not_null('tap_inh', 'document', 'created_by', 'the abstract parent''s NOT NULL is kept');
SELECT is((SELECT count(*)::int FROM pg_constraint WHERE conrelid = 'tap_inh.document'::regclass AND contype = 'f'),
          0, 'document has no foreign key: an abstract parent has no table');
SELECT lives_ok($$SELECT corm.register_model('Sheet', parent => 'Base', columns => 'cells int')$$,
                'abstract: a second subclass Sheet(Base)');
SELECT is(cols('tap_inh', 'sheet'), ARRAY['id', 'created_by', 'cells']::name[],
          'each subclass of an abstract model gets the columns in its own table');

-- an abstract model between a root and a subclass
SELECT lives_ok($$SELECT corm.register_model('Shape', model_class => 'IdModel', columns => 'kind text', polymorphic_on => 'kind')$$,
                'root Shape');
SELECT lives_ok($$SELECT corm.register_model('Polygon', parent => 'Shape', model_class => 'Model', abstract => true, columns => 'sides int')$$,
                'abstract Polygon(Shape) under Model');
SELECT lives_ok($$SELECT corm.register_model('Square', parent => 'Polygon', model_class => 'IdModel', columns => 'side numeric')$$,
                'Square(Polygon) under IdModel: keyed by the model class, so joined');
SELECT hasnt_table('tap_inh', 'polygon', 'the abstract model in the middle gets no table');
SELECT is(cols('tap_inh', 'square'), ARRAY['id', 'sides', 'side']::name[], 'square holds its key, the abstract model''s column and its own');
SELECT fk_ok('tap_inh', 'square', 'id', 'tap_inh', 'shape', 'id', 'square.id references shape(id), the nearest table');
SELECT lives_ok($$SELECT corm.register_model('Flat', parent => 'Polygon', columns => 'area numeric')$$,
                'Flat(Polygon), taking Polygon''s model class Model: single-table');
SELECT hasnt_table('tap_inh', 'flat', 'Flat gets no table');
SELECT is(cols('tap_inh', 'shape'), ARRAY['id', 'kind', 'sides', 'area']::name[],
          'Flat''s columns, with the abstract model''s, go into shape');
SELECT corm.register_model_class('Tagged', columns => 'tag text NOT NULL');
SELECT lives_ok($$SELECT corm.register_model('Circle', parent => 'Shape', model_class => 'Tagged', columns => 'radius numeric')$$,
                'Circle(Shape) under a model class with columns but no key: single-table');
SELECT hasnt_table('tap_inh', 'circle', 'Circle gets no table');
SELECT is(cols('tap_inh', 'shape'), ARRAY['id', 'kind', 'sides', 'area', 'tag', 'radius']::name[],
          'the model class''s column and Circle''s go into shape');
SELECT col_is_null('tap_inh', 'shape', 'tag', 'the model class''s NOT NULL column is nullable there');

-- ------------------ a joined child does not repeat what its parent has
SELECT corm.register_mixin('Audit', columns => 'note text');
SELECT corm.register_model_class('Tenanted', primary_key => 'id integer', columns => 'tenant int NOT NULL');
SELECT lives_ok($$SELECT corm.register_model('Order', model_class => 'Tenanted', mixins => '{Audit}', columns => 'total numeric')$$,
                'root Order with a model-class column and a mixin');
SELECT lives_ok($$SELECT corm.register_model('RushOrder', parent => 'Order', mixins => '{Audit}', columns => 'deadline date')$$,
                'joined RushOrder(Order) listing the same mixin');
SELECT is(cols('tap_inh', 'order'), ARRAY['id', 'tenant', 'note', 'total']::name[],
          '"order" holds key, model-class column, mixin column, own column');
SELECT is(cols('tap_inh', 'rush_order'), ARRAY['id', 'deadline']::name[],
          'rush_order repeats neither the model-class column tenant nor the mixin column note');
SELECT fk_ok('tap_inh', 'rush_order', 'id', 'tap_inh', 'order', 'id', 'rush_order.id references "order"(id)');

-- a joined child re-declaring its parent's column is refused
SELECT throws_ok($$SELECT corm.register_model('Puppy', parent => 'Dog', columns => 'breed text')$$,
                 '42701', NULL, 'a joined subclass re-declaring its parent''s column is refused (42701)');
SELECT throws_ok($$SELECT corm.register_model('Puppy', parent => 'Dog', columns => 'name text')$$,
                 '42701', NULL, 'a joined subclass re-declaring its grandparent''s column is refused (42701)');
SELECT throws_like($$SELECT corm.register_model('Puppy', parent => 'Dog', columns => 'breed text')$$,
                   '%"breed"%', 'the refusal names the column');
SELECT hasnt_table('tap_inh', 'puppy', 'after the refusal no table puppy');
SELECT is((SELECT count(*)::int FROM corm.model WHERE name = 'Puppy'), 0, 'after the refusal no catalog row for Puppy');
SELECT throws_ok($$SELECT corm.register_model('Coupe', parent => 'Car', model_class => 'Model', columns => 'kind text')$$,
                 '42701', NULL, 'a single-table subclass re-declaring an ancestor''s column is refused (42701)');
SELECT is(cols('tap_inh', 'vehicle'), ARRAY['id', 'kind', 'wheels', 'doors', 'sunroof', 'turbo']::name[],
          'after the refusal vehicle is unchanged');

SELECT is(tables(), ARRAY['animal', 'document', 'dog', 'gadget', 'mammal', 'order', 'plant', 'rush_order', 'shape', 'sheet', 'square', 'thing', 'vehicle']::name[],
          'exactly the expected tables exist');

SELECT * FROM finish();
ROLLBACK;
