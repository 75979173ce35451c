-- corm: the lifecycle (SPEC §8): drop_* refuse while dependents exist
-- (2BP01) and with cascade => true drop them and everything generated for
-- them; built-ins cannot be dropped (42939); unknown names are 42704;
-- rename_model / rename_column keep the table and its rows; dry_run shows the
-- DDL and changes nothing; check() lists drift with the statement that mends
-- it; DROP EXTENSION corm is refused while models are registered.
BEGIN;
SET client_min_messages = warning;
SET lc_messages = 'C';  -- error texts are matched below: in English, whatever the server's
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION corm;
CREATE SCHEMA tap_life;
SET search_path = tap_life, public;

SELECT plan(197);

-- relations (tables, views, sequences, composite types) and functions in the
-- test's schemas whose names match a LIKE pattern
CREATE FUNCTION tap_life.relations_like(pattern text) RETURNS text[] LANGUAGE sql AS $$
    SELECT coalesce(array_agg(c.oid::regclass::text ORDER BY c.oid::regclass::text COLLATE "C"), '{}')
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname LIKE 'tap\_life%' AND c.relname LIKE pattern
$$;
CREATE FUNCTION tap_life.functions_like(pattern text) RETURNS text[] LANGUAGE sql AS $$
    SELECT coalesce(array_agg(p.oid::regprocedure::text ORDER BY p.oid::regprocedure::text COLLATE "C"), '{}')
      FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE n.nspname LIKE 'tap\_life%' AND p.proname LIKE pattern
$$;
-- what corm's catalog still says about some models
CREATE FUNCTION tap_life.catalog_rows(models text[]) RETURNS text[] LANGUAGE sql AS $$
    SELECT coalesce(array_agg(x ORDER BY x COLLATE "C"), '{}') FROM (
        SELECT 'model ' || name FROM corm.model WHERE name = ANY (models)
        UNION ALL
        SELECT 'function ' || model || ' ' || name FROM corm.query_function
         WHERE model = ANY (models) OR target = ANY (models)
        UNION ALL
        SELECT 'relationship ' || model || '.' || name FROM corm.relationship
         WHERE model = ANY (models) OR target = ANY (models)
    ) s(x)
$$;
CREATE FUNCTION tap_life.cols(rel regclass) RETURNS name[] LANGUAGE sql AS $$
    SELECT array_agg(a.attname ORDER BY a.attnum) FROM pg_attribute a
     WHERE a.attrelid = rel AND a.attnum > 0 AND NOT a.attisdropped
$$;
-- run a statement, read a probe, and roll both back
CREATE FUNCTION tap_life.after_rolled_back(stmt text, probe text) RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE
    result text[];
BEGIN
    BEGIN
        EXECUTE stmt;
        EXECUTE probe INTO result;
        RAISE EXCEPTION 'roll back' USING ERRCODE = 'LF001';
    EXCEPTION WHEN SQLSTATE 'LF001' THEN
        RETURN result;
    END;
END
$$;
CREATE TABLE tap_life.remembered (name text PRIMARY KEY, oid oid);

SELECT corm.register_model_class('LfIdModel', primary_key => 'id integer');
SELECT corm.register_mixin('LfStamp', columns => 'created timestamptz NOT NULL DEFAULT now()');
SELECT is_empty($$SELECT * FROM corm.check()$$, 'check() finds nothing to mend in an empty catalog');

-- ===================================================== drop_model
-- a joined hierarchy three deep
SELECT corm.register_model('LfPerson', model_class => 'LfIdModel', columns => 'name text');
SELECT corm.register_model('LfStaff', parent => 'LfPerson', columns => 'title text');
SELECT corm.register_model('LfBoss', parent => 'LfStaff', columns => 'reports int');
INSERT INTO lf_boss_view (name, title, reports) VALUES ('ann', 'ceo', 3);
SELECT throws_ok($$SELECT corm.drop_model('LfPerson')$$, '2BP01', NULL,
                 'drop_model refuses while a subclass exists (2BP01)');
SELECT throws_ok($$SELECT corm.drop_model('LfStaff')$$, '2BP01', NULL,
                 'so it does for the middle of the hierarchy');
SELECT is(relations_like('lf\_person%') || relations_like('lf\_staff%'),
          ARRAY['lf_person', 'lf_person_id_seq', 'lf_person_keyset_page', 'lf_person_pagination', 'lf_person_pkey',
                'lf_person_view', 'lf_staff', 'lf_staff_keyset_page', 'lf_staff_pagination', 'lf_staff_pkey', 'lf_staff_view'],
          'after the refusals everything is still there');
SELECT is((SELECT count(*)::int FROM lf_boss_view), 1, 'and so are the rows');
SELECT lives_ok($$SELECT corm.drop_model('LfBoss')$$, 'a model without dependents is dropped without cascade');
SELECT is(relations_like('lf\_boss%'), '{}'::text[], 'its table, view and pagination type are gone');
SELECT is(functions_like('lf\_boss%'), '{}'::text[], 'its functions are gone');
SELECT is(catalog_rows('{LfBoss}'), '{}'::text[], 'its catalog rows are gone');
SELECT results_eq($$SELECT name, title FROM tap_life.lf_staff_view$$, $$VALUES ('ann', 'ceo')$$,
                  'its parent''s view still shows the row');
SELECT is_empty($$SELECT * FROM corm.check()$$, 'check() finds nothing to mend after drop_model');
SELECT lives_ok($$SELECT corm.drop_model('LfPerson', cascade => true)$$, 'with cascade => true the subclasses go too');
SELECT hasnt_table('tap_life', 'lf_person', 'lf_person is gone');
SELECT hasnt_table('tap_life', 'lf_staff', 'lf_staff is gone');
SELECT hasnt_view('tap_life', 'lf_person_view', 'lf_person_view is gone');
SELECT hasnt_view('tap_life', 'lf_staff_view', 'lf_staff_view is gone');
SELECT is(relations_like('lf\_person%') || relations_like('lf\_staff%'), '{}'::text[],
          'no relation of either is left (sequence, pagination types)');
SELECT is(functions_like('lf\_person%') || functions_like('lf\_staff%'), '{}'::text[], 'no function of either is left');
SELECT is(catalog_rows('{LfPerson,LfStaff,LfBoss}'), '{}'::text[], 'no catalog row of either is left');
SELECT is_empty($$SELECT * FROM corm.check()$$, 'check() finds nothing to mend after a cascade');

-- a relationship targeting the model
SELECT corm.register_model('LfShelf', model_class => 'LfIdModel', columns => 'label text');
SELECT corm.register_model('LfVolume', model_class => 'LfIdModel', columns => 'title text, lf_shelf_id int REFERENCES lf_shelf');
SELECT corm.register_relationship('LfShelf', 'volumes', 'LfVolume');
INSERT INTO lf_shelf (label) VALUES ('top');
INSERT INTO lf_volume (title, lf_shelf_id) VALUES ('one', 1);
SELECT throws_ok($$SELECT corm.drop_model('LfVolume')$$, '2BP01', NULL,
                 'drop_model refuses while a relationship targets the model (2BP01)');
SELECT has_function('tap_life', 'lf_shelf_volumes', ARRAY['tap_life.lf_shelf_view'], 'the relationship function is still there');
SELECT has_table('tap_life', 'lf_volume', 'and the table');
SELECT lives_ok($$SELECT corm.drop_model('LfVolume', cascade => true)$$, 'with cascade => true the relationship goes too');
SELECT hasnt_table('tap_life', 'lf_volume', 'lf_volume is gone');
SELECT hasnt_view('tap_life', 'lf_volume_view', 'lf_volume_view is gone');
SELECT is(functions_like('lf\_volume%'), '{}'::text[], 'lf_volume''s functions are gone');
SELECT is(functions_like('lf\_shelf\_volumes%'), '{}'::text[], 'so are the relationship''s functions');
SELECT is(catalog_rows('{LfVolume}'), '{}'::text[], 'and every catalog row naming LfVolume');
SELECT has_table('tap_life', 'lf_shelf', 'the model that had the relationship stays');
SELECT has_function('tap_life', 'lf_shelf_get', ARRAY['integer'], 'with its own functions');
SELECT is((SELECT count(*)::int FROM lf_shelf), 1, 'and its rows');
SELECT is_empty($$SELECT * FROM corm.check()$$, 'check() finds nothing to mend');

-- a single-table subclass leaves the shared table
SELECT corm.register_model('LfShape', model_class => 'LfIdModel', columns => 'kind text', polymorphic_on => 'kind');
SELECT corm.register_model('LfCircle', parent => 'LfShape', model_class => 'Model', columns => 'radius float8');
SELECT corm.register_model('LfSquare', parent => 'LfShape', model_class => 'Model', columns => 'side float8');
INSERT INTO lf_square_view (side) VALUES (2);
INSERT INTO lf_circle_view (radius) VALUES (1);
SELECT is(cols('lf_shape'), ARRAY['id', 'kind', 'radius', 'side']::name[], 'the shared table has both subclasses'' columns');
SELECT lives_ok($$SELECT corm.drop_model('LfCircle')$$, 'a single-table subclass is dropped');
SELECT is(cols('lf_shape'), ARRAY['id', 'kind', 'side']::name[], 'its column is dropped from the shared table');
SELECT hasnt_view('tap_life', 'lf_circle_view', 'its view is gone');
SELECT is(functions_like('lf\_circle%'), '{}'::text[], 'its functions are gone');
SELECT is(catalog_rows('{LfCircle}'), '{}'::text[], 'its catalog rows are gone');
SELECT hasnt_column('tap_life', 'lf_shape_view', 'radius', 'the root''s view no longer shows the column');
SELECT results_eq($$SELECT side FROM tap_life.lf_square_view$$, $$VALUES (2::float8)$$, 'the other subclass''s view still works');
SELECT is_empty($$SELECT * FROM corm.check()$$, 'check() finds nothing to mend');

-- ===================================================== drop_mixin
SELECT corm.register_mixin('LfBase', columns => 'note text');
SELECT corm.register_mixin('LfAudit', columns => 'audited_by text', mixins => '{LfBase}');
SELECT corm.register_mixin('LfTag', columns => 'tag text');
SELECT corm.register_mixin('LfUnused', columns => 'unused text');
SELECT corm.register_model('LfTagged', model_class => 'LfIdModel', mixins => '{LfTag}');
SELECT throws_ok($$SELECT corm.drop_mixin('LfBase')$$, '2BP01', NULL, 'drop_mixin refuses while a mixin includes it (2BP01)');
SELECT throws_ok($$SELECT corm.drop_mixin('LfTag')$$, '2BP01', NULL, 'drop_mixin refuses while a model uses it (2BP01)');
SELECT has_table('tap_life', 'lf_tagged', 'the model''s table is still there');
SELECT lives_ok($$SELECT corm.drop_mixin('LfUnused')$$, 'a mixin nothing uses is dropped');
SELECT is((SELECT count(*)::int FROM corm.mixin WHERE name = 'LfUnused'), 0, 'its catalog row is gone');
SELECT lives_ok($$SELECT corm.drop_mixin('LfTag', cascade => true)$$, 'with cascade => true the models using it go too');
SELECT hasnt_table('tap_life', 'lf_tagged', 'lf_tagged is gone');
SELECT is(relations_like('lf\_tagged%') || functions_like('lf\_tagged%'), '{}'::text[], 'with its view, type and functions');
SELECT is(catalog_rows('{LfTagged}'), '{}'::text[], 'and its catalog rows');
SELECT is((SELECT count(*)::int FROM corm.mixin WHERE name = 'LfTag'), 0, 'the mixin is gone');
SELECT lives_ok($$SELECT corm.drop_mixin('LfBase', cascade => true)$$, 'with cascade => true the mixins including it go too');
SELECT is((SELECT count(*)::int FROM corm.mixin WHERE name IN ('LfBase', 'LfAudit')), 0, 'LfBase and LfAudit are gone');
SELECT is((SELECT count(*)::int FROM corm.mixin WHERE name = 'LfStamp'), 1, 'an unrelated mixin stays');
SELECT is_empty($$SELECT * FROM corm.check()$$, 'check() finds nothing to mend');

-- ===================================================== drop_model_class
SELECT corm.register_model_class('LfOtherModel', primary_key => 'id bigint');
SELECT corm.register_model('LfWidget', model_class => 'LfOtherModel', columns => 'x int');
SELECT throws_ok($$SELECT corm.drop_model_class('LfOtherModel')$$, '2BP01', NULL,
                 'drop_model_class refuses while a model uses it (2BP01)');
SELECT has_table('tap_life', 'lf_widget', 'the model''s table is still there');
SELECT lives_ok($$SELECT corm.drop_model_class('LfOtherModel', cascade => true)$$, 'with cascade => true its models go too');
SELECT hasnt_table('tap_life', 'lf_widget', 'lf_widget is gone');
SELECT is(relations_like('lf\_widget%') || functions_like('lf\_widget%'), '{}'::text[], 'with its view, type and functions');
SELECT is(catalog_rows('{LfWidget}'), '{}'::text[], 'and its catalog rows');
SELECT is((SELECT count(*)::int FROM corm.model_class WHERE name = 'LfOtherModel'), 0, 'the model class is gone');
SELECT throws_ok($$SELECT corm.drop_model_class('Model')$$, '42939', NULL, 'the built-in Model cannot be dropped (42939)');
SELECT is_empty($$SELECT * FROM corm.check()$$, 'check() finds nothing to mend');

-- ===================================================== drop_meta
SELECT corm.register_meta('LfMeta', naming => 'snake_case');
SELECT corm.register_model_class('LfMetaModel', primary_key => 'id integer', meta => 'LfMeta');
SELECT corm.register_model('LfGadget', model_class => 'LfMetaModel');
SELECT throws_ok($$SELECT corm.drop_meta('LfMeta')$$, '2BP01', NULL, 'drop_meta refuses while a model class uses it (2BP01)');
SELECT has_table('tap_life', 'lf_gadget', 'the model''s table is still there');
SELECT lives_ok($$SELECT corm.drop_meta('LfMeta', cascade => true)$$, 'with cascade => true its model classes and models go too');
SELECT hasnt_table('tap_life', 'lf_gadget', 'lf_gadget is gone');
SELECT is(relations_like('lf\_gadget%') || functions_like('lf\_gadget%'), '{}'::text[], 'with its view, type and functions');
SELECT is(catalog_rows('{LfGadget}'), '{}'::text[], 'and its catalog rows');
SELECT is((SELECT count(*)::int FROM corm.model_class WHERE name = 'LfMetaModel'), 0, 'the model class is gone');
SELECT is((SELECT count(*)::int FROM corm.meta WHERE name = 'LfMeta'), 0, 'the meta policy is gone');
SELECT throws_ok($$SELECT corm.drop_meta('DefaultMeta')$$, '42939', NULL, 'the built-in DefaultMeta cannot be dropped (42939)');
SELECT throws_ok($$SELECT corm.drop_meta('NoNameMeta')$$, '42939', NULL, 'the built-in NoNameMeta cannot be dropped (42939)');
SELECT is_empty($$SELECT * FROM corm.check()$$, 'check() finds nothing to mend');

-- ===================================================== drop_bind
SELECT corm.register_bind('LfBind', 'tap_life_bound');
SELECT corm.register_model('LfBound', model_class => 'LfIdModel', bind_key => 'LfBind');
SELECT has_table('tap_life_bound', 'lf_bound', 'the bound model''s table is in the bind''s schema');
SELECT throws_ok($$SELECT corm.drop_bind('LfBind')$$, '2BP01', NULL, 'drop_bind refuses while a model uses it (2BP01)');
SELECT has_table('tap_life_bound', 'lf_bound', 'the table is still there');
SELECT lives_ok($$SELECT corm.drop_bind('LfBind', cascade => true)$$, 'with cascade => true its models go too');
SELECT hasnt_table('tap_life_bound', 'lf_bound', 'lf_bound is gone');
SELECT is(relations_like('lf\_bound%') || functions_like('lf\_bound%'), '{}'::text[], 'with its view, type and functions');
SELECT is(catalog_rows('{LfBound}'), '{}'::text[], 'and its catalog rows');
SELECT is((SELECT count(*)::int FROM corm.bind WHERE key = 'LfBind'), 0, 'the bind is gone');
SELECT is_empty($$SELECT * FROM corm.check()$$, 'check() finds nothing to mend');

-- ===================================================== query classes and methods
SELECT corm.register_query_class('LfQuery');
SELECT corm.register_query_method('LfQuery', 'first', args => '', returns => '@rowtype@',
                                  body => 'SELECT m FROM @view@ m ORDER BY m.@pk@ LIMIT 1');
SELECT corm.register_query_class('LfSubQuery', base => 'LfQuery');
SELECT corm.register_model('LfCard', model_class => 'LfIdModel', columns => 'x int', query_class => 'LfQuery');
SELECT corm.register_model_class('LfQModel', primary_key => 'id integer', query_class => 'LfSubQuery');
SELECT corm.register_model('LfDeck', model_class => 'LfQModel', columns => 'lf_card_id int REFERENCES lf_card');
SELECT corm.register_model('LfSlot', model_class => 'LfIdModel', columns => 'lf_shelf_id int REFERENCES lf_shelf');
SELECT corm.register_relationship('LfSlot', 'shelf', 'LfShelf', query_class => 'LfQuery');
SELECT is(functions_like('%\_first'),
          ARRAY['lf_card_first()', 'lf_deck_first()', 'lf_slot_shelf_first(lf_slot_view)'],
          'the method is instantiated for each model and relationship using the class');
SELECT lives_ok($$SELECT corm.drop_query_method('LfQuery', 'first')$$, 'drop_query_method');
SELECT is(functions_like('%\_first'), '{}'::text[], 'the method''s functions are gone from every model and relationship');
SELECT is((SELECT count(*)::int FROM corm.query_function WHERE method = 'first'), 0, 'and from the catalog');
SELECT is((SELECT count(*)::int FROM corm.query_method WHERE query_class = 'LfQuery'), 0, 'the method is gone');
SELECT has_function('tap_life', 'lf_card_get', ARRAY['integer'], 'the other methods stay');
SELECT has_function('tap_life', 'lf_slot_shelf', ARRAY['tap_life.lf_slot_view'], 'so does the relationship function');
SELECT is_empty($$SELECT * FROM corm.check()$$, 'check() finds nothing to mend');
SELECT throws_ok($$SELECT corm.drop_query_method('LfQuery', 'first')$$, '42704', NULL, 'a method that is not there: 42704');
SELECT throws_ok($$SELECT corm.drop_query_method('BaseQuery', 'get')$$, '42939', NULL,
                 'a built-in BaseQuery method cannot be dropped (42939)');
SELECT has_function('tap_life', 'lf_card_get', ARRAY['integer'], 'and is still there');
SELECT throws_ok($$SELECT corm.drop_query_class('LfQuery')$$, '2BP01', NULL,
                 'drop_query_class refuses while models, model classes, subclasses or relationships use it (2BP01)');
SELECT throws_ok($$SELECT corm.drop_query_class('BaseQuery')$$, '42939', NULL, 'the built-in BaseQuery cannot be dropped (42939)');
SELECT lives_ok($$SELECT corm.drop_query_class('LfQuery', cascade => true)$$, 'with cascade => true its dependents go too');
SELECT hasnt_table('tap_life', 'lf_card', 'lf_card, whose query class it was, is gone');
SELECT hasnt_table('tap_life', 'lf_deck', 'lf_deck, through its model class and a subclass of the query class, is gone');
SELECT is(relations_like('lf\_card%') || relations_like('lf\_deck%') || functions_like('lf\_card%') || functions_like('lf\_deck%'),
          '{}'::text[], 'with their views, types and functions');
SELECT is(catalog_rows('{LfCard,LfDeck}'), '{}'::text[], 'and their catalog rows');
SELECT is((SELECT count(*)::int FROM corm.query_class WHERE name IN ('LfQuery', 'LfSubQuery')), 0,
          'the query class and its subclass are gone');
SELECT is((SELECT count(*)::int FROM corm.model_class WHERE name = 'LfQModel'), 0, 'the model class using it is gone');
SELECT is((SELECT count(*)::int FROM corm.relationship WHERE query_class = 'LfQuery'), 0, 'the relationships using it are gone');
SELECT has_table('tap_life', 'lf_slot', 'the model that had such a relationship stays');
SELECT is(functions_like('lf\_slot\_shelf%'), '{}'::text[], 'without the relationship''s functions');
SELECT is_empty($$SELECT * FROM corm.check()$$, 'check() finds nothing to mend');

-- ===================================================== unknown names
SELECT throws_ok($$SELECT corm.drop_model('LfNope')$$, '42704', NULL, 'drop_model of an unknown model: 42704');
SELECT throws_ok($$SELECT corm.drop_mixin('LfNope')$$, '42704', NULL, 'drop_mixin of an unknown mixin: 42704');
SELECT throws_ok($$SELECT corm.drop_model_class('LfNope')$$, '42704', NULL, 'drop_model_class of an unknown class: 42704');
SELECT throws_ok($$SELECT corm.drop_meta('LfNope')$$, '42704', NULL, 'drop_meta of an unknown policy: 42704');
SELECT throws_ok($$SELECT corm.drop_bind('LfNope')$$, '42704', NULL, 'drop_bind of an unknown key: 42704');
SELECT throws_ok($$SELECT corm.drop_query_class('LfNope')$$, '42704', NULL, 'drop_query_class of an unknown class: 42704');
SELECT throws_ok($$SELECT corm.drop_query_method('LfNope', 'first')$$, '42704', NULL, 'drop_query_method of an unknown class: 42704');
SELECT throws_ok($$SELECT corm.drop_relationship('LfShelf', 'nope')$$, '42704', NULL, 'drop_relationship of an unknown relationship: 42704');
SELECT throws_ok($$SELECT corm.drop_relationship('LfNope', 'nope')$$, '42704', NULL, 'drop_relationship of an unknown model: 42704');
SELECT throws_ok($$SELECT corm.rename_model('LfNope', 'LfOther')$$, '42704', NULL, 'rename_model of an unknown model: 42704');
SELECT throws_ok($$SELECT corm.rename_column('LfNope', 'a', 'b')$$, '42704', NULL, 'rename_column of an unknown model: 42704');

-- ===================================================== rename_model
SELECT corm.register_model('LfAuthor', model_class => 'LfIdModel', columns => 'name text NOT NULL');
SELECT corm.register_model('LfBook', model_class => 'LfIdModel', mixins => '{LfStamp}',
                           columns => 'title text, lf_author_id int REFERENCES lf_author');
SELECT corm.register_relationship('LfAuthor', 'books', 'LfBook');
SELECT corm.register_model('LfThing', model_class => 'LfIdModel', columns => 'label text', tablename => 'lf_things');
INSERT INTO lf_author (name) VALUES ('ann');
INSERT INTO lf_book (title, lf_author_id) VALUES ('one', 1);
INSERT INTO lf_things (label) VALUES ('x');
INSERT INTO remembered VALUES ('lf_book', 'lf_book'::regclass), ('lf_things', 'lf_things'::regclass);
SELECT lives_ok($$SELECT corm.rename_model('LfBook', 'LfNovel')$$, 'rename_model LfBook to LfNovel');
SELECT has_table('tap_life', 'lf_novel', 'the generated table name follows: lf_novel');
SELECT hasnt_table('tap_life', 'lf_book', 'lf_book is gone');
SELECT is(to_regclass('tap_life.lf_novel')::oid, (SELECT oid FROM remembered WHERE name = 'lf_book'),
          'it is the same table, renamed (same oid)');
SELECT results_eq($$SELECT title FROM tap_life.lf_novel$$, $$VALUES ('one')$$, 'the rows are kept');
SELECT has_view('tap_life', 'lf_novel_view', 'the view is lf_novel_view');
SELECT hasnt_view('tap_life', 'lf_book_view', 'lf_book_view is gone');
SELECT has_function('tap_life', 'lf_novel_get', ARRAY['integer'], 'the functions are lf_novel_*');
SELECT is(functions_like('lf\_book%'), '{}'::text[], 'no lf_book_* function is left');
SELECT results_eq($$SELECT title FROM tap_life.lf_novel_get(1)$$, $$VALUES ('one')$$, 'lf_novel_get works');
SELECT is(catalog_rows('{LfBook}'), '{}'::text[], 'the catalog no longer knows LfBook');
SELECT is((SELECT table_name::text FROM corm.model WHERE name = 'LfNovel'), 'lf_novel', 'it knows LfNovel and its table');
SELECT is((SELECT target FROM corm.relationship WHERE model = 'LfAuthor' AND name = 'books'), 'LfNovel',
          'the relationship targeting it follows');
SELECT results_eq($$SELECT n.title FROM tap_life.lf_author_view a, tap_life.lf_author_books(a) n$$, $$VALUES ('one')$$,
                  'and its function returns the renamed model''s rows');
SELECT lives_ok($$SELECT corm.rename_model('LfThing', 'LfItem')$$, 'rename_model of a model with an explicit tablename');
SELECT has_table('tap_life', 'lf_things', 'the explicit tablename is kept');
SELECT is(to_regclass('tap_life.lf_things')::oid, (SELECT oid FROM remembered WHERE name = 'lf_things'), 'the same table');
SELECT hasnt_table('tap_life', 'lf_item', 'no table lf_item');
SELECT has_view('tap_life', 'lf_things_view', 'the view keeps the table''s name');
SELECT has_function('tap_life', 'lf_things_get', ARRAY['integer'], 'so do the functions');
SELECT results_eq($$SELECT label FROM tap_life.lf_things_get(1)$$, $$VALUES ('x')$$, 'which work');
SELECT is((SELECT count(*)::int FROM corm.model WHERE name IN ('LfThing', 'LfItem')), 1, 'the catalog has LfItem only');
SELECT is((SELECT name FROM corm.model WHERE table_name = 'lf_things'), 'LfItem', 'LfItem, with table lf_things');
SELECT throws_ok($$SELECT corm.rename_model('LfNovel', 'LfAuthor')$$, '42710', NULL, 'renaming onto an existing model: 42710');
SELECT is_empty($$SELECT * FROM corm.check()$$, 'check() finds nothing to mend after the renames');

-- ===================================================== rename_column
SELECT lives_ok($$SELECT corm.rename_column('LfNovel', 'title', 'heading')$$, 'rename_column of a model''s own column');
SELECT is(cols('lf_novel'), ARRAY['id', 'created', 'heading', 'lf_author_id']::name[], 'the column is renamed in place');
SELECT is(to_regclass('tap_life.lf_novel')::oid, (SELECT oid FROM remembered WHERE name = 'lf_book'), 'the same table');
SELECT results_eq($$SELECT heading FROM tap_life.lf_novel$$, $$VALUES ('one')$$, 'the rows are kept');
SELECT has_column('tap_life', 'lf_novel_view', 'heading', 'the view shows the new name');
SELECT hasnt_column('tap_life', 'lf_novel_view', 'title', 'and not the old');
SELECT results_eq($$SELECT heading FROM tap_life.lf_novel_get(1)$$, $$VALUES ('one')$$, 'the functions return the new row');
SELECT is((SELECT columns FROM corm.model WHERE name = 'LfNovel'), 'heading text, lf_author_id int REFERENCES lf_author',
          'the definition in the catalog has the new name');
SELECT is_empty($$SELECT * FROM corm.check()$$, 'check() finds nothing to mend after rename_column');
SELECT throws_ok($$SELECT corm.rename_column('LfNovel', 'created', 'made')$$, '0A000', NULL,
                 'a column from a mixin cannot be renamed through the model (0A000)');
SELECT throws_ok($$SELECT corm.rename_column('LfNovel', 'nope', 'x')$$, '42703', NULL, 'an unknown column: 42703');
SELECT throws_ok($$SELECT corm.rename_column('LfNovel', 'heading', 'lf_author_id')$$, '42701', NULL,
                 'a name another column has: 42701');
SELECT is(cols('lf_novel'), ARRAY['id', 'created', 'heading', 'lf_author_id']::name[], 'after the refusals the table is unchanged');

-- ===================================================== dry_run
SELECT alike((SELECT string_agg(ddl, E';\n' ORDER BY step) FROM corm.dry_run($$SELECT corm.register_model('LfDry', model_class => 'LfIdModel', columns => 'x int')$$)),
             '%CREATE TABLE tap_life.lf_dry (%', 'dry_run returns the DDL, CREATE TABLE included');
SELECT hasnt_table('tap_life', 'lf_dry', 'afterwards there is no table');
SELECT is(relations_like('lf\_dry%') || functions_like('lf\_dry%'), '{}'::text[], 'nor view, type or function');
SELECT is((SELECT count(*)::int FROM corm.model WHERE name = 'LfDry'), 0, 'nor catalog row');
SELECT alike((SELECT string_agg(ddl, E';\n' ORDER BY step) FROM corm.dry_run($$SELECT corm.register_model('LfNovel', model_class => 'LfIdModel', mixins => '{LfStamp}',
                                   columns => 'heading varchar(200), lf_author_id int REFERENCES lf_author')$$)),
             '%ALTER TABLE tap_life.lf_novel ALTER COLUMN heading TYPE character varying(200)%',
             'dry_run of a change returns the ALTER TABLE');
SELECT results_eq($$SELECT relation, lock, rewrite FROM corm.dry_run($q$SELECT corm.register_model('LfNovel', model_class => 'LfIdModel', mixins => '{LfStamp}',
                                   columns => 'heading varchar(200), lf_author_id int REFERENCES lf_author')$q$)
                     WHERE ddl LIKE 'ALTER TABLE tap_life.lf_novel ALTER COLUMN heading TYPE%'$$,
                  $$VALUES ('tap_life.lf_novel', 'AccessExclusiveLock', true)$$,
                  'dry_run measures the lock and the rewrite of a type change');
SELECT col_type_is('tap_life', 'lf_novel', 'heading', 'text', 'and the column keeps its type');
SELECT is_empty($$SELECT * FROM corm.dry_run($q$SELECT corm.register_model('LfNovel', model_class => 'LfIdModel', mixins => '{LfStamp}',
                                columns => 'heading text, lf_author_id int REFERENCES lf_author')$q$)$$,
          'dry_run of an unchanged definition returns nothing');
SELECT throws_like($$SELECT corm.dry_run($q$SELECT corm.register_model('LfDry', columns => 'x lfnosuchtype')$q$)$$,
                   '%lfnosuchtype%', 'dry_run of a failing call reports the error');
SELECT is_empty($$SELECT * FROM corm.check()$$, 'check() finds nothing to mend after the dry runs');

-- ===================================================== check(): drift
ALTER TABLE tap_life.lf_author ADD COLUMN stray int;
SELECT ok(EXISTS (SELECT 1 FROM corm.check() WHERE model = 'LfAuthor'
                   AND fix = 'ALTER TABLE tap_life.lf_author DROP COLUMN stray'),
          'a column added by hand: check() lists the model with ALTER TABLE ... DROP COLUMN stray');
SELECT is((SELECT array_agg(DISTINCT model) FROM corm.check()), '{LfAuthor}'::text[], 'and only that model');
SELECT has_column('tap_life', 'lf_author', 'stray', 'check() changed nothing');
ALTER TABLE tap_life.lf_author DROP COLUMN stray;
SELECT is_empty($$SELECT * FROM corm.check()$$, 'with the column dropped again there is nothing to mend');
DROP VIEW tap_life.lf_author_view CASCADE;
SELECT ok(EXISTS (SELECT 1 FROM corm.check() WHERE model = 'LfAuthor'
                   AND fix ~ '^CREATE (OR REPLACE )?VIEW tap_life\.lf_author_view AS'),
          'a view dropped by hand: check() lists the CREATE VIEW that mends it');
SELECT hasnt_view('tap_life', 'lf_author_view', 'check() changed nothing');
SELECT lives_ok($$SELECT corm.register_model('LfAuthor', model_class => 'LfIdModel', columns => 'name text NOT NULL')$$,
                'registering the model again');
SELECT has_view('tap_life', 'lf_author_view', 'makes the view again');
SELECT is_empty($$SELECT * FROM corm.check()$$, 'and leaves nothing to mend');

-- ===================================================== drop_relationship
SELECT lives_ok($$SELECT corm.drop_relationship('LfAuthor', 'books')$$, 'drop_relationship');
SELECT is(functions_like('lf\_author\_books%'), '{}'::text[], 'the relationship''s functions are gone');
SELECT is((SELECT count(*)::int FROM corm.relationship WHERE model = 'LfAuthor'), 0, 'its catalog row is gone');
SELECT is((SELECT count(*)::int FROM corm.query_function WHERE model = 'LfAuthor' AND relationship = 'books'), 0,
          'and the rows of its functions');
SELECT has_function('tap_life', 'lf_author_get', ARRAY['integer'], 'the model''s own functions stay');
SELECT has_table('tap_life', 'lf_novel', 'the target stays');
SELECT throws_ok($$SELECT corm.drop_relationship('LfAuthor', 'books')$$, '42704', NULL, 'dropping it again: 42704');
SELECT is_empty($$SELECT * FROM corm.check()$$, 'check() finds nothing to mend');

-- ===================================================== a model another model's table references
SELECT corm.register_model('LfCustomer', model_class => 'LfIdModel', columns => 'name text');
SELECT corm.register_model('LfOrder', model_class => 'LfIdModel', columns => 'lf_customer_id int REFERENCES lf_customer');
SELECT throws_ok($$SELECT corm.drop_model('LfCustomer')$$, '2BP01', NULL,
                 'drop_model refuses while another model''s table references it (2BP01)');
SELECT has_table('tap_life', 'lf_customer', 'its table stays');
SELECT is(after_rolled_back($$SELECT corm.drop_model('LfCustomer', cascade => true)$$,
                            $$SELECT coalesce(array_agg(model || ': ' || coalesce(fix, problem)), '{}') FROM corm.check()$$),
          '{}'::text[], 'after drop_model with cascade => true, check() finds no model left broken');

-- ===================================================== DROP EXTENSION
-- (catalog writes queue deferred constraint checks: fire them, so that only
-- corm's guard can stop the drop)
SET CONSTRAINTS ALL IMMEDIATE;
SELECT throws_ok($$DROP EXTENSION corm$$, '2BP01', NULL, 'DROP EXTENSION corm is refused while models are registered (2BP01)');
SELECT throws_like($$DROP EXTENSION corm$$, '%model%', 'the refusal says models are registered');
SELECT has_table('tap_life', 'lf_author', 'the models'' tables stay');
SELECT is((SELECT count(*)::int FROM corm.model WHERE name = 'LfAuthor'), 1, 'and so does corm''s catalog');

-- with every model dropped, nothing of them is left and corm may go
SELECT lives_ok($$SELECT corm.drop_model_class('LfIdModel', cascade => true)$$, 'every remaining model dropped by cascade');
SELECT is((SELECT count(*)::int FROM corm.model), 0, 'no model is registered');
SELECT is(relations_like('lf\_%') || functions_like('lf\_%'), '{}'::text[], 'no generated relation or function is left');
SELECT is_empty($$SELECT * FROM corm.check()$$, 'check() finds nothing to mend');
-- (catalog writes queue deferred constraint checks; fire them before dropping the catalog)
SET CONSTRAINTS ALL IMMEDIATE;
SELECT lives_ok($$DROP EXTENSION corm$$, 'DROP EXTENSION corm with no models registered');

SELECT * FROM finish();
ROLLBACK;
