-- corm: indexes (SPEC §2 "Indexes (0.2)") and inheritance => 'single' |
-- 'joined' (§5, 0.2): each declared kind made with its name; a mixin's and a
-- model class's indexes on every table that gets their columns; one btree
-- index for every foreign key no other index starts with; a single-table
-- subclass's indexes on the shared table; compared by meaning when registered
-- again (no DDL when unchanged), replaced when changed, dropped when left out;
-- a hand-made index kept and listed by check(); refusals that leave nothing.
BEGIN;
SET client_min_messages = warning;
SET lc_messages = 'C';  -- error texts are matched below: in English, whatever the server's
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION corm;
CREATE SCHEMA tap_ix;
SET search_path = tap_ix, public, tap_helpers;
\ir helpers.psql

SELECT plan(216);

-- every DDL command run, by anyone (corm's own statements included)
CREATE TABLE tap_ix.ddl_log (tag text, identity text);
CREATE FUNCTION tap_ix.log_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO tap_ix.ddl_log SELECT command_tag, object_identity FROM pg_event_trigger_ddl_commands();
END
$$;
CREATE EVENT TRIGGER tap_ix_log_ddl ON ddl_command_end EXECUTE FUNCTION tap_ix.log_ddl();
CREATE FUNCTION tap_ix.ddl_count() RETURNS int LANGUAGE sql AS $$ SELECT count(*)::int FROM tap_ix.ddl_log $$;

-- the names of the indexes on table tap_ix.t
CREATE FUNCTION tap_ix.ixnames(t name) RETURNS name[] LANGUAGE sql AS $$
    SELECT coalesce(array_agg(ci.relname ORDER BY ci.relname COLLATE "C"), '{}')
      FROM pg_index x
      JOIN pg_class ci ON ci.oid = x.indexrelid
      JOIN pg_class ct ON ct.oid = x.indrelid
     WHERE ct.relnamespace = 'tap_ix'::regnamespace AND ct.relname = t
$$;
-- one index of schema tap_ix, by name
CREATE FUNCTION tap_ix.ixoid(i name) RETURNS oid LANGUAGE sql AS $$
    SELECT c.oid FROM pg_class c WHERE c.relnamespace = 'tap_ix'::regnamespace AND c.relname = i AND c.relkind = 'i'
$$;
CREATE FUNCTION tap_ix.ixtable(i name) RETURNS name LANGUAGE sql AS $$
    SELECT ct.relname FROM pg_index x JOIN pg_class ct ON ct.oid = x.indrelid WHERE x.indexrelid = tap_ix.ixoid(i)
$$;
CREATE FUNCTION tap_ix.ixpred(i name) RETURNS text LANGUAGE sql AS $$
    SELECT pg_get_expr(x.indpred, x.indrelid) FROM pg_index x WHERE x.indexrelid = tap_ix.ixoid(i)
$$;
CREATE FUNCTION tap_ix.ixunique(i name) RETURNS boolean LANGUAGE sql AS $$
    SELECT x.indisunique FROM pg_index x WHERE x.indexrelid = tap_ix.ixoid(i)
$$;
-- indoption per key column: 1 DESC, 2 NULLS FIRST
CREATE FUNCTION tap_ix.ixoption(i name) RETURNS int[] LANGUAGE sql AS $$
    SELECT ARRAY(SELECT unnest(x.indoption::int2[])::int) FROM pg_index x WHERE x.indexrelid = tap_ix.ixoid(i)
$$;
-- the operator class of each key column
CREATE FUNCTION tap_ix.ixopclass(i name) RETURNS name[] LANGUAGE sql AS $$
    SELECT array_agg(oc.opcname ORDER BY k.n)
      FROM pg_index x, unnest(x.indclass::oid[]) WITH ORDINALITY k(opc, n), pg_opclass oc
     WHERE x.indexrelid = tap_ix.ixoid(i) AND oc.oid = k.opc
$$;
-- key columns, all columns (key + INCLUDE)
CREATE FUNCTION tap_ix.ixnatts(i name) RETURNS int[] LANGUAGE sql AS $$
    SELECT ARRAY[x.indnkeyatts::int, x.indnatts::int] FROM pg_index x WHERE x.indexrelid = tap_ix.ixoid(i)
$$;
CREATE FUNCTION tap_ix.ixreloptions(i name) RETURNS text[] LANGUAGE sql AS $$
    SELECT c.reloptions FROM pg_class c WHERE c.oid = tap_ix.ixoid(i)
$$;
CREATE FUNCTION tap_ix.ixdef(i name) RETURNS text LANGUAGE sql AS $$
    SELECT pg_get_indexdef(tap_ix.ixoid(i))
$$;
-- the OIDs of the indexes on table t, by name: what a rebuild would change
CREATE TABLE tap_ix.remembered (relname name PRIMARY KEY, oid oid);
CREATE FUNCTION tap_ix.remember(t name) RETURNS void LANGUAGE sql AS $$
    DELETE FROM tap_ix.remembered;
    INSERT INTO tap_ix.remembered
    SELECT ci.relname, ci.oid FROM pg_index x JOIN pg_class ci ON ci.oid = x.indexrelid
     WHERE x.indrelid = ('tap_ix.' || quote_ident(t))::regclass;
$$;
-- the remembered indexes whose OID is no longer that of the same name
CREATE FUNCTION tap_ix.rebuilt() RETURNS name[] LANGUAGE sql AS $$
    SELECT coalesce(array_agg(r.relname ORDER BY r.relname COLLATE "C"), '{}')
      FROM tap_ix.remembered r WHERE tap_ix.ixoid(r.relname) IS DISTINCT FROM r.oid
$$;
-- the statements a registration returns, sorted
CREATE FUNCTION tap_ix.sorted(s text[]) RETURNS text[] LANGUAGE sql AS $$
    SELECT coalesce(array_agg(e ORDER BY e COLLATE "C"), '{}') FROM unnest(s) e
$$;

-- IxUser, with every kind of declared index
CREATE FUNCTION tap_ix.user_indexes() RETURNS text[] LANGUAGE sql AS $$
    SELECT ARRAY['(code)',
                 '(org_id, slug)',
                 'ix_user_email (lower(email))',
                 'UNIQUE ix_user_live_slug (org_id, slug) WHERE deleted_at IS NULL',
                 'UNIQUE (email)',
                 'USING gin (tags)',
                 'USING hash (h)',
                 'USING brin (b)',
                 '(created DESC) INCLUDE (title)',
                 '(n DESC NULLS LAST)',
                 '(title text_pattern_ops) WITH (fillfactor = 70)',
                 '(upper(title))']
$$;
CREATE FUNCTION tap_ix.reg_user(idx text[]) RETURNS text[] LANGUAGE sql AS $$
    SELECT coalesce(array_agg(s), '{}') FROM corm.register_model('IxUser', model_class => 'IxModel',
        mixins => '{SoftDeleteMixin}',
        columns => 'email text NOT NULL, org_id integer, slug text, tags text[], created timestamp, title text,
                    h integer, b integer, n integer, code text',
        indexes => idx) s
$$;

-- ===================================================== declared indexes
SELECT lives_ok($$SELECT corm.register_model_class('IxModel', primary_key => 'id integer', columns => 'tenant integer',
                                                   indexes => ARRAY['(tenant)'])$$,
                'a model class with a key, a column and an index on it');
SELECT lives_ok($$SELECT corm.register_mixin('SoftDeleteMixin', columns => 'deleted_at timestamp',
                                             indexes => ARRAY['ix_%(table)s_live (id) WHERE deleted_at IS NULL'])$$,
                'a mixin with a partial index whose name holds %(table)s');
SELECT lives_ok($$SELECT tap_ix.reg_user(tap_ix.user_indexes())$$, 'IxUser with every kind of index');
SELECT indexes_are('tap_ix', 'ix_user',
       ARRAY['ix_ix_user_b', 'ix_ix_user_code', 'ix_ix_user_created', 'ix_ix_user_email', 'ix_ix_user_h',
             'ix_ix_user_live', 'ix_ix_user_n', 'ix_ix_user_org_id_slug', 'ix_ix_user_tags', 'ix_ix_user_tenant',
             'ix_ix_user_title', 'ix_user_email', 'ix_user_live_slug', 'ix_user_pkey', 'ix_user_upper_idx'],
       'ix_user has exactly the declared indexes, the mixin''s and model class''s, and its key');
-- plain and multi-column: ix_<table>_<col>...
SELECT has_index('tap_ix', 'ix_user', 'ix_ix_user_code', ARRAY['code'], 'plain: ix_ix_user_code (code)');
SELECT index_is_type('tap_ix', 'ix_user', 'ix_ix_user_code', 'btree', 'plain: btree');
SELECT is(ixunique('ix_ix_user_code'), false, 'plain: not unique');
SELECT is(ixpred('ix_ix_user_code'), NULL, 'plain: not partial');
SELECT has_index('tap_ix', 'ix_user', 'ix_ix_user_org_id_slug', ARRAY['org_id', 'slug'],
                 'multi-column: ix_ix_user_org_id_slug (org_id, slug), in order');
-- expression: a given name, PostgreSQL's name when unnamed
SELECT has_index('tap_ix', 'ix_user', 'ix_user_email', ARRAY['lower(email)'], 'expression, named: ix_user_email (lower(email))');
SELECT has_index('tap_ix', 'ix_user', 'ix_user_upper_idx', ARRAY['upper(title)'],
                 'expression, unnamed: PostgreSQL''s name ix_user_upper_idx');
-- UNIQUE, named and unnamed; partial
SELECT index_is_unique('tap_ix', 'ix_user', 'ix_user_live_slug', 'UNIQUE, named: ix_user_live_slug is unique');
SELECT has_index('tap_ix', 'ix_user', 'ix_user_live_slug', ARRAY['org_id', 'slug'], 'ix_user_live_slug (org_id, slug)');
SELECT is(ixpred('ix_user_live_slug'), '(deleted_at IS NULL)', 'partial: ix_user_live_slug WHERE deleted_at IS NULL');
SELECT index_is_unique('tap_ix', 'ix_user', 'ix_ix_user_email', 'UNIQUE, unnamed: ix_ix_user_email is unique');
SELECT has_index('tap_ix', 'ix_user', 'ix_ix_user_email', ARRAY['email'], 'ix_ix_user_email (email)');
-- access methods
SELECT index_is_type('tap_ix', 'ix_user', 'ix_ix_user_tags', 'gin', 'USING gin: ix_ix_user_tags');
SELECT index_is_type('tap_ix', 'ix_user', 'ix_ix_user_h', 'hash', 'USING hash: ix_ix_user_h');
SELECT index_is_type('tap_ix', 'ix_user', 'ix_ix_user_b', 'brin', 'USING brin: ix_ix_user_b');
SELECT index_is_type('tap_ix', 'ix_user', 'ix_user_live_slug', 'btree', 'without USING: btree');
-- order, INCLUDE, opclass, WITH
SELECT is(ixoption('ix_ix_user_created'), ARRAY[3], 'DESC: ix_ix_user_created is DESC (NULLS FIRST, the default for DESC)');
SELECT is(ixnatts('ix_ix_user_created'), ARRAY[1, 2], 'INCLUDE: one key column, two columns in all');
SELECT has_index('tap_ix', 'ix_user', 'ix_ix_user_created', ARRAY['created', 'title'], 'ix_ix_user_created (created) INCLUDE (title)');
SELECT is(ixoption('ix_ix_user_n'), ARRAY[1], 'DESC NULLS LAST: ix_ix_user_n');
SELECT is(ixopclass('ix_ix_user_title'), ARRAY['text_pattern_ops']::name[], 'opclass: ix_ix_user_title uses text_pattern_ops');
SELECT is(ixreloptions('ix_ix_user_title'), ARRAY['fillfactor=70'], 'WITH: ix_ix_user_title has fillfactor=70');
SELECT is(ixopclass('ix_ix_user_code'), ARRAY['text_ops']::name[], 'without an opclass: the default one');
SELECT is(ixreloptions('ix_ix_user_code'), NULL, 'without WITH: no options');
-- the mixin's and the model class's
SELECT has_index('tap_ix', 'ix_user', 'ix_ix_user_live', ARRAY['id'], 'the mixin''s index, %(table)s replaced: ix_ix_user_live (id)');
SELECT is(ixpred('ix_ix_user_live'), '(deleted_at IS NULL)', 'with its WHERE');
SELECT has_index('tap_ix', 'ix_user', 'ix_ix_user_tenant', ARRAY['tenant'], 'the model class''s index: ix_ix_user_tenant (tenant)');
-- corm.indexes
SELECT results_eq($$SELECT name::text COLLATE "default", "table", "unique", origin FROM corm.indexes WHERE model = 'IxUser' ORDER BY name COLLATE "C"$$,
                  $$VALUES ('ix_ix_user_b', 'tap_ix.ix_user', false, 'own'), ('ix_ix_user_code', 'tap_ix.ix_user', false, 'own'),
                           ('ix_ix_user_created', 'tap_ix.ix_user', false, 'own'), ('ix_ix_user_email', 'tap_ix.ix_user', true, 'own'),
                           ('ix_ix_user_h', 'tap_ix.ix_user', false, 'own'),
                           ('ix_ix_user_live', 'tap_ix.ix_user', false, 'mixin SoftDeleteMixin'),
                           ('ix_ix_user_n', 'tap_ix.ix_user', false, 'own'), ('ix_ix_user_org_id_slug', 'tap_ix.ix_user', false, 'own'),
                           ('ix_ix_user_tags', 'tap_ix.ix_user', false, 'own'),
                           ('ix_ix_user_tenant', 'tap_ix.ix_user', false, 'model class IxModel'),
                           ('ix_ix_user_title', 'tap_ix.ix_user', false, 'own'), ('ix_user_email', 'tap_ix.ix_user', false, 'own'),
                           ('ix_user_live_slug', 'tap_ix.ix_user', true, 'own'), ('ix_user_upper_idx', 'tap_ix.ix_user', false, 'own')$$,
                  'corm.indexes: every declared index of IxUser, its table, uniqueness and origin (the key is not listed)');
SELECT is((SELECT definition FROM corm.indexes WHERE model = 'IxUser' AND name = 'ix_user_live_slug'),
          'CREATE UNIQUE INDEX ix_user_live_slug ON tap_ix.ix_user (org_id, slug) WHERE deleted_at IS NULL',
          'corm.indexes.definition is the statement corm runs');
SELECT is_empty($$SELECT * FROM corm.check()$$, 'check() finds nothing to mend');

-- ===================================================== foreign keys
SELECT lives_ok($$SELECT corm.register_model('IxPair', columns => 'x integer, y integer, PRIMARY KEY (x, y)')$$,
                'IxPair: a composite key');
SELECT lives_ok($$SELECT corm.register_model('IxPost', model_class => 'IxModel', mixins => '{SoftDeleteMixin}',
       columns => 'author_id integer REFERENCES ix_user, editor_id integer REFERENCES ix_user, created timestamp,
                   a integer, b integer, FOREIGN KEY (b, a) REFERENCES ix_pair (x, y)',
       indexes => ARRAY['(editor_id, created)'])$$, 'IxPost: three foreign keys, one covered by a declared index');
SELECT indexes_are('tap_ix', 'ix_post',
       ARRAY['ix_ix_post_author_id', 'ix_ix_post_b_a', 'ix_ix_post_editor_id_created', 'ix_ix_post_live',
             'ix_ix_post_tenant', 'ix_post_pkey'],
       'ix_post: one index per uncovered foreign key, the declared one, the mixin''s and the model class''s');
SELECT has_index('tap_ix', 'ix_post', 'ix_ix_post_author_id', ARRAY['author_id'], 'a foreign key''s index: ix_ix_post_author_id (author_id)');
SELECT index_is_type('tap_ix', 'ix_post', 'ix_ix_post_author_id', 'btree', 'a btree');
SELECT is(ixunique('ix_ix_post_author_id'), false, 'not unique');
SELECT has_index('tap_ix', 'ix_post', 'ix_ix_post_b_a', ARRAY['b', 'a'], 'a composite foreign key''s index: its columns in its order');
SELECT hasnt_index('tap_ix', 'ix_post', 'ix_ix_post_editor_id', 'no index of its own for a foreign key a declared index starts with');
SELECT has_index('tap_ix', 'ix_post', 'ix_ix_post_live', ARRAY['id'], 'the mixin''s index on a second table, %(table)s replaced: ix_ix_post_live');
SELECT is(ixpred('ix_ix_post_live'), '(deleted_at IS NULL)', 'with its WHERE');
SELECT results_eq($$SELECT name::text COLLATE "default", origin FROM corm.indexes WHERE model = 'IxPost' ORDER BY name COLLATE "C"$$,
                  $$VALUES ('ix_ix_post_author_id', 'foreign key'), ('ix_ix_post_b_a', 'foreign key'),
                           ('ix_ix_post_editor_id_created', 'own'), ('ix_ix_post_live', 'mixin SoftDeleteMixin'),
                           ('ix_ix_post_tenant', 'model class IxModel')$$,
                  'corm.indexes: the foreign keys'' indexes have origin ''foreign key''');
SELECT lives_ok($$SELECT corm.register_model('IxMember', columns => 'user_id integer REFERENCES ix_user, k integer, PRIMARY KEY (user_id, k)')$$,
                'IxMember: a foreign key the primary key starts with');
SELECT indexes_are('tap_ix', 'ix_member', ARRAY['ix_member_pkey'], 'no index for a foreign key the primary key starts with');
SELECT lives_ok($$SELECT corm.register_model('IxTag', model_class => 'IxModel',
                                             columns => 'user_id integer REFERENCES ix_user, label text, UNIQUE (user_id, label)')$$,
                'IxTag: a foreign key a unique key starts with');
SELECT indexes_are('tap_ix', 'ix_tag', ARRAY['ix_ix_tag_tenant', 'ix_tag_pkey', 'ix_tag_user_id_label_key'],
                   'no index for a foreign key a unique key starts with');
SELECT lives_ok($$SELECT corm.register_model('IxLong', model_class => 'IxModel',
                  columns => 'abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij integer REFERENCES ix_user')$$,
                'IxLong: a foreign key whose ix_ name would be over 63 bytes');
SELECT is((SELECT name::text FROM corm.indexes WHERE model = 'IxLong' AND origin = 'foreign key'),
          'ix_long_abcdefghijabcdefghijabcdefghijabcdefghijabcdefghija_idx',
          'its automatic index gets the name PostgreSQL would choose');
SELECT has_index('tap_ix', 'ix_long', 'ix_long_abcdefghijabcdefghijabcdefghijabcdefghijabcdefghija_idx',
                 ARRAY['abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij'], 'on the foreign key''s column');

-- a foreign key's index follows the declared ones when registered again
CREATE FUNCTION tap_ix.reg_comment(idx text[]) RETURNS text[] LANGUAGE sql AS $$
    SELECT coalesce(array_agg(s), '{}') FROM corm.register_model('IxComment',
        columns => 'id integer PRIMARY KEY, author_id integer REFERENCES ix_user, created timestamp', indexes => idx) s
$$;
SELECT lives_ok($$SELECT tap_ix.reg_comment('{}')$$, 'IxComment: a foreign key, no declared index');
SELECT indexes_are('tap_ix', 'ix_comment', ARRAY['ix_comment_pkey', 'ix_ix_comment_author_id'], 'the foreign key gets its index');
SELECT is(sorted(reg_comment(ARRAY['(author_id, created)'])),
          ARRAY['CREATE INDEX ix_ix_comment_author_id_created ON tap_ix.ix_comment (author_id, created)',
                'DROP INDEX tap_ix.ix_ix_comment_author_id'],
          'a declared index that starts with the foreign key replaces its automatic index');
SELECT indexes_are('tap_ix', 'ix_comment', ARRAY['ix_comment_pkey', 'ix_ix_comment_author_id_created'], 'so one index serves it');
SELECT lives_ok($$SELECT tap_ix.reg_comment(ARRAY['(author_id)'])$$, 'the foreign key''s own index declared');
SELECT is((SELECT name::text || ' ' || origin FROM corm.indexes WHERE model = 'IxComment'), 'ix_ix_comment_author_id own',
          'one index, the declared one, under the automatic index''s name');
SELECT is(cardinality(reg_comment('{}')), 0, 'the declaration removed: the same index is the automatic one, no statement');
SELECT is((SELECT name::text || ' ' || origin FROM corm.indexes WHERE model = 'IxComment'), 'ix_ix_comment_author_id foreign key',
          'corm.indexes says so');

-- ===================================================== joined subclasses
SELECT lives_ok($$SELECT corm.register_model('IxAdmin', parent => 'IxUser', columns => 'level integer', indexes => ARRAY['(level)'])$$,
                'IxAdmin: a joined subclass with an index of its own');
SELECT indexes_are('tap_ix', 'ix_admin', ARRAY['ix_admin_pkey', 'ix_ix_admin_level'],
                   'ix_admin: its own index and its key; not the model class''s or the parent''s mixin''s');
SELECT has_index('tap_ix', 'ix_admin', 'ix_ix_admin_level', ARRAY['level'], 'ix_ix_admin_level (level)');
SELECT col_is_fk('tap_ix', 'ix_admin', 'id', 'ix_admin.id is a foreign key to ix_user');
SELECT has_index('tap_ix', 'ix_admin', 'ix_admin_pkey', ARRAY['id'], 'whose index is the primary key''s: no ix_ix_admin_id');
SELECT lives_ok($$SELECT corm.register_model_class('IxPosModel', primary_key => 'id integer', indexes => ARRAY['(id) WHERE id > 0'])$$,
                'a model class with an index on its key');
SELECT lives_ok($$SELECT corm.register_model('IxNode', model_class => 'IxPosModel', columns => 'label text')$$, 'IxNode uses it');
SELECT lives_ok($$SELECT corm.register_model('IxLeaf', parent => 'IxNode', columns => 'depth integer')$$, 'IxLeaf: a joined subclass');
SELECT indexes_are('tap_ix', 'ix_leaf', ARRAY['ix_ix_leaf_id', 'ix_leaf_pkey'],
                   'a joined subclass''s table holding every column of a model class''s index gets it');
SELECT is(ixpred('ix_ix_leaf_id'), '(id > 0)', 'ix_ix_leaf_id with its WHERE');

-- ===================================================== single-table subclasses
SELECT lives_ok($$SELECT corm.register_model('IxPet', model_class => 'IxModel',
       columns => 'kind text NOT NULL, name text', polymorphic_on => 'kind', indexes => ARRAY['(name)'])$$,
                'IxPet: a root with a discriminator and an index');
SELECT lives_ok($$SELECT corm.register_model('IxDog', parent => 'IxPet', inheritance => 'single',
       columns => 'owner_id integer REFERENCES ix_user, breed text', indexes => ARRAY['(breed)'])$$,
                'IxDog: inheritance => ''single'' under a model class with a key');
SELECT hasnt_table('tap_ix', 'ix_dog', 'a single-table subclass gets no table of its own');
SELECT is((SELECT kind || ' ' || table_name FROM corm.model WHERE name = 'IxDog'), 'single ix_pet', 'corm.model: single, in ix_pet');
SELECT is(cols('tap_ix', 'ix_pet'), ARRAY['id', 'tenant', 'kind', 'name', 'owner_id', 'breed']::name[],
          'its columns are in the parent''s table');
SELECT indexes_are('tap_ix', 'ix_pet',
       ARRAY['ix_ix_pet_breed', 'ix_ix_pet_name', 'ix_ix_pet_owner_id', 'ix_ix_pet_tenant', 'ix_pet_pkey'],
       'the subclass''s index and its foreign key''s go on the shared table');
SELECT has_index('tap_ix', 'ix_pet', 'ix_ix_pet_breed', ARRAY['breed'], 'named after the shared table: ix_ix_pet_breed');
SELECT results_eq($$SELECT name::text COLLATE "default", "table", origin FROM corm.indexes WHERE model = 'IxDog' ORDER BY name COLLATE "C"$$,
                  $$VALUES ('ix_ix_pet_breed', 'tap_ix.ix_pet', 'own'), ('ix_ix_pet_owner_id', 'tap_ix.ix_pet', 'foreign key')$$,
                  'corm.indexes: the subclass''s indexes, on ix_pet');
SELECT lives_ok($$SELECT corm.register_model('IxCat', parent => 'IxPet', columns => 'lives integer')$$,
                'without inheritance, the model class''s key decides');
SELECT has_table('tap_ix', 'ix_cat', 'a joined subclass: a table of its own');
SELECT lives_ok($$SELECT corm.register_model('IxBird', parent => 'IxPet', inheritance => 'joined', columns => 'wings integer')$$,
                'inheritance => ''joined'' with the model class''s key');
SELECT is((SELECT kind FROM corm.model WHERE name = 'IxBird'), 'joined', 'IxBird is joined');
SELECT is_empty($$SELECT * FROM corm.check()$$, 'check() finds nothing to mend');

-- ===================================================== unchanged: no DDL
SELECT remember('ix_user');
DELETE FROM ddl_log;
SELECT is(cardinality(reg_user(user_indexes())), 0, 'IxUser registered again unchanged: no statement');
SELECT is((SELECT count(*)::int FROM corm.register_model('IxPost', model_class => 'IxModel', mixins => '{SoftDeleteMixin}',
       columns => 'author_id integer REFERENCES ix_user, editor_id integer REFERENCES ix_user, created timestamp,
                   a integer, b integer, FOREIGN KEY (b, a) REFERENCES ix_pair (x, y)',
       indexes => ARRAY['(editor_id, created)'])), 0, 'IxPost (foreign keys'' indexes) registered again unchanged: no statement');
SELECT is((SELECT count(*)::int FROM corm.register_model('IxDog', parent => 'IxPet', inheritance => 'single',
       columns => 'owner_id integer REFERENCES ix_user, breed text', indexes => ARRAY['(breed)'])), 0,
          'IxDog (single-table, foreign key) registered again unchanged: no statement');
SELECT is((SELECT count(*)::int FROM corm.register_mixin('SoftDeleteMixin', columns => 'deleted_at timestamp',
       indexes => ARRAY['ix_%(table)s_live (id) WHERE deleted_at IS NULL'])), 0, 'the mixin registered again unchanged: no statement');
SELECT is((SELECT count(*)::int FROM corm.register_model_class('IxModel', primary_key => 'id integer', columns => 'tenant integer',
       indexes => ARRAY['(tenant)'])), 0, 'the model class registered again unchanged: no statement');
SELECT is(ddl_count(), 0, 'no DDL command ran at all');
SELECT is(rebuilt(), '{}'::name[], 'every index of ix_user keeps its OID');

-- each kind alone, registered twice, then written another way with the same meaning
CREATE FUNCTION tap_ix.reg_kind(idx text) RETURNS int LANGUAGE sql AS $$
    SELECT count(*)::int FROM corm.register_model('IxKind', model_class => 'IxModel',
        columns => 'a integer, b integer, t text, tags text[]', indexes => ARRAY[idx])
$$;
CREATE FUNCTION tap_ix.kind_case(kind text, idx text, same text, ixname name) RETURNS SETOF text LANGUAGE plpgsql AS $$
BEGIN
    PERFORM tap_ix.reg_kind(idx);
    RETURN NEXT is(tap_ix.ixnames('ix_kind'), tap_ix.sorted(ARRAY[ixname, 'ix_ix_kind_tenant', 'ix_kind_pkey'])::name[],
                   kind || ': made as ' || ixname);
    DELETE FROM tap_ix.ddl_log;
    RETURN NEXT is(tap_ix.reg_kind(idx), 0, kind || ': registered again unchanged, no statement');
    RETURN NEXT is(tap_ix.reg_kind(same), 0, kind || ': ' || same || ' means the same, no statement');
    RETURN NEXT is(tap_ix.ddl_count(), 0, kind || ': no DDL command ran');
END
$$;
SELECT kind_case('plain', '(a)', 'USING btree (a ASC NULLS LAST)', 'ix_ix_kind_a');
SELECT kind_case('multi-column', '(a, b)', '("a",b)', 'ix_ix_kind_a_b');
SELECT kind_case('expression', '(lower(t))', '((lower(t)))', 'ix_kind_lower_idx');
SELECT kind_case('UNIQUE', 'UNIQUE (a)', 'UNIQUE ix_ix_kind_a (a)', 'ix_ix_kind_a');
SELECT kind_case('gin', 'USING gin (tags)', 'USING GIN (tags array_ops)', 'ix_ix_kind_tags');
SELECT kind_case('hash', 'USING hash (a)', 'using HASH (a int4_ops)', 'ix_ix_kind_a');
SELECT kind_case('brin', 'USING brin (a)', 'USING BRIN ("a" int4_minmax_ops)', 'ix_ix_kind_a');
SELECT kind_case('DESC', '(a DESC)', '(a DESC NULLS FIRST)', 'ix_ix_kind_a');
SELECT kind_case('NULLS LAST', '(a DESC NULLS LAST)', '(a desc nulls last)', 'ix_ix_kind_a');
SELECT kind_case('opclass', '(t text_pattern_ops)', '(t pg_catalog.text_pattern_ops)', 'ix_ix_kind_t');
SELECT kind_case('INCLUDE', '(a) INCLUDE (b, t)', '(a) INCLUDE ("b", t)', 'ix_ix_kind_a');
SELECT kind_case('WITH', '(a) WITH (fillfactor = 70)', '(a) WITH (FILLFACTOR=70)', 'ix_ix_kind_a');
SELECT kind_case('partial', '(a) WHERE b > 0', '(a) WHERE ((b > 0))', 'ix_ix_kind_a');
SELECT kind_case('COLLATE', '(t COLLATE "C")', '(t COLLATE pg_catalog."C")', 'ix_ix_kind_t');

-- ===================================================== a changed index is replaced
SELECT remember('ix_user');
SELECT is(sorted(reg_user(ARRAY['(code)', '(org_id, slug)', 'ix_user_email (lower(email))',
                 'UNIQUE ix_user_live_slug (org_id, slug) WHERE deleted_at IS NULL', 'UNIQUE (email)', 'USING gin (tags)',
                 'USING hash (h)', 'USING brin (b)', '(created) INCLUDE (title)', '(n DESC NULLS LAST)',
                 '(title text_pattern_ops) WITH (fillfactor = 80)', '(upper(title))'])),
          ARRAY['CREATE INDEX ix_ix_user_created ON tap_ix.ix_user (created) INCLUDE (title)',
                'CREATE INDEX ix_ix_user_title ON tap_ix.ix_user (title text_pattern_ops) WITH (fillfactor = 80)',
                'DROP INDEX tap_ix.ix_ix_user_created', 'DROP INDEX tap_ix.ix_ix_user_title'],
          'two indexes changed (DESC removed, fillfactor changed): each dropped and made again, nothing else');
SELECT is(rebuilt(), ARRAY['ix_ix_user_created', 'ix_ix_user_title']::name[], 'only those two are new indexes; the others keep their OIDs');
SELECT is(ixoption('ix_ix_user_created'), ARRAY[0], 'ix_ix_user_created, same name, now ascending');
SELECT is(ixnatts('ix_ix_user_created'), ARRAY[1, 2], 'still with its INCLUDE column');
SELECT is(ixreloptions('ix_ix_user_title'), ARRAY['fillfactor=80'], 'ix_ix_user_title, same name, now fillfactor=80');
SELECT is(ixopclass('ix_ix_user_title'), ARRAY['text_pattern_ops']::name[], 'still text_pattern_ops');
-- a mixin's change reaches every table using it; so does a model class's
SELECT is(sorted(ARRAY(SELECT corm.register_mixin('SoftDeleteMixin', columns => 'deleted_at timestamp',
                       indexes => ARRAY['ix_%(table)s_live (id, deleted_at) WHERE deleted_at IS NULL']))),
          ARRAY['CREATE INDEX ix_ix_post_live ON tap_ix.ix_post (id, deleted_at) WHERE deleted_at IS NULL',
                'CREATE INDEX ix_ix_user_live ON tap_ix.ix_user (id, deleted_at) WHERE deleted_at IS NULL',
                'DROP INDEX tap_ix.ix_ix_post_live', 'DROP INDEX tap_ix.ix_ix_user_live'],
          'a mixin''s changed index is replaced on both its tables');
SELECT has_index('tap_ix', 'ix_user', 'ix_ix_user_live', ARRAY['id', 'deleted_at'], 'ix_ix_user_live (id, deleted_at)');
SELECT has_index('tap_ix', 'ix_post', 'ix_ix_post_live', ARRAY['id', 'deleted_at'], 'ix_ix_post_live (id, deleted_at)');
SELECT lives_ok($$SELECT corm.register_model_class('IxModel', primary_key => 'id integer', columns => 'tenant integer',
                                                   indexes => ARRAY['USING hash (tenant)'])$$,
                'the model class''s index changed to hash');
SELECT is((SELECT array_agg(ixtable(i.name) || ' ' || am.amname ORDER BY i.name COLLATE "C")
             FROM (SELECT DISTINCT name FROM corm.indexes WHERE origin = 'model class IxModel') i
             JOIN pg_class c ON c.oid = ixoid(i.name) JOIN pg_am am ON am.oid = c.relam),
          ARRAY['ix_kind hash', 'ix_long hash', 'ix_pet hash', 'ix_post hash', 'ix_tag hash', 'ix_user hash'],
          'on the table of every model using the model class');

-- ===================================================== an index left out is dropped
SELECT remember('ix_user');
SELECT is(sorted(reg_user(ARRAY['(code)', '(org_id, slug)', 'ix_user_email (lower(email))'])),
          ARRAY['DROP INDEX tap_ix.ix_ix_user_b', 'DROP INDEX tap_ix.ix_ix_user_created', 'DROP INDEX tap_ix.ix_ix_user_email',
                'DROP INDEX tap_ix.ix_ix_user_h', 'DROP INDEX tap_ix.ix_ix_user_n', 'DROP INDEX tap_ix.ix_ix_user_tags',
                'DROP INDEX tap_ix.ix_ix_user_title', 'DROP INDEX tap_ix.ix_user_live_slug', 'DROP INDEX tap_ix.ix_user_upper_idx'],
          'the indexes left out of the definition are dropped, nothing else');
SELECT indexes_are('tap_ix', 'ix_user',
       ARRAY['ix_ix_user_code', 'ix_ix_user_live', 'ix_ix_user_org_id_slug', 'ix_ix_user_tenant', 'ix_user_email', 'ix_user_pkey'],
       'ix_user keeps the rest');
SELECT is(rebuilt(), ARRAY['ix_ix_user_b', 'ix_ix_user_created', 'ix_ix_user_email', 'ix_ix_user_h', 'ix_ix_user_n',
                           'ix_ix_user_tags', 'ix_ix_user_title', 'ix_user_live_slug', 'ix_user_upper_idx']::name[],
          'only the dropped ones are gone; the kept ones keep their OIDs');
SELECT is((SELECT indexes FROM corm.model WHERE name = 'IxUser'),
          ARRAY['(code)', '(org_id, slug)', 'ix_user_email (lower(email))'], 'corm.model has the new list');

-- ===================================================== by hand
CREATE INDEX by_hand ON ix_user (slug);
DELETE FROM ddl_log;
SELECT is(cardinality(reg_user(ARRAY['(code)', '(org_id, slug)', 'ix_user_email (lower(email))'])), 0,
          'a hand-made index: registering again runs nothing');
SELECT is(ddl_count(), 0, 'no DDL command ran');
SELECT has_index('tap_ix', 'ix_user', 'by_hand', ARRAY['slug'], 'the hand-made index is kept');
SELECT results_eq($$SELECT model, problem, fix FROM corm.check()$$,
                  $$VALUES ('IxUser'::text, 'index by_hand of table tap_ix.ix_user is not declared by any model'::text, NULL::text)$$,
                  'check() lists it as undeclared, with fix NULL');
SELECT has_index('tap_ix', 'ix_user', 'by_hand', ARRAY['slug'], 'check() did not drop it');
DROP INDEX by_hand;
SELECT is_empty($$SELECT * FROM corm.check()$$, 'once gone, check() finds nothing');
DROP INDEX ix_user_email;
SELECT results_eq($$SELECT model, problem, fix FROM corm.check()$$,
                  $$VALUES ('IxUser'::text, 'differs from its definition'::text,
                            'CREATE INDEX ix_user_email ON tap_ix.ix_user (lower(email))'::text)$$,
                  'a declared index dropped by hand: check() gives the CREATE INDEX that mends it');
SELECT is(reg_user(ARRAY['(code)', '(org_id, slug)', 'ix_user_email (lower(email))']),
          ARRAY['CREATE INDEX ix_user_email ON tap_ix.ix_user (lower(email))'], 'registering again makes it again');
SELECT has_index('tap_ix', 'ix_user', 'ix_user_email', ARRAY['lower(email)'], 'ix_user_email is back');
SELECT is_empty($$SELECT * FROM corm.check()$$, 'check() finds nothing to mend');

-- ===================================================== refusals
SELECT remember('ix_user');
SELECT throws_ok($$SELECT corm.register_model('IxBad', model_class => 'IxModel', columns => 'a int', indexes => ARRAY['(a); DROP TABLE ix_user'])$$,
                 '42601', 'invalid index in indexes of model "IxBad"', 'a second statement: 42601');
SELECT throws_ok($$SELECT corm.register_model('IxBad', model_class => 'IxModel', columns => 'a int', indexes => ARRAY['ON ix_user (email)'])$$,
                 '42601', 'invalid index in indexes of model "IxBad"', 'ON another table: 42601');
SELECT throws_ok($$SELECT corm.register_model('IxBad', model_class => 'IxModel', columns => 'a int', indexes => ARRAY['(lower(a::text) '])$$,
                 '42601', 'syntax error at end of input', 'a syntax error: 42601, the server''s');
SELECT throws_ok($$SELECT corm.register_model('IxBad', model_class => 'IxModel', columns => 'a int', indexes => ARRAY['ix_bad (a) USING btree'])$$,
                 '42601', NULL, 'USING after the columns: 42601');
SELECT throws_ok($$SELECT corm.register_mixin('IxBadMixin', columns => 'q int', indexes => ARRAY['(q'])$$,
                 '42601', NULL, 'a syntax error in a mixin''s index: 42601');
SELECT throws_ok($$SELECT corm.register_model_class('IxBadClass', primary_key => 'id int', indexes => ARRAY['(q'])$$,
                 '42601', NULL, 'a syntax error in a model class''s index: 42601');
SELECT throws_ok($$SELECT corm.register_model('IxBad', model_class => 'IxModel', columns => 'a int', indexes => ARRAY['(b)'])$$,
                 '42703', 'column "b" does not exist', 'a missing column: 42703');
SELECT throws_ok($$SELECT corm.register_model('IxBad', model_class => 'IxModel', columns => 'a int', indexes => ARRAY['(lower(b))'])$$,
                 '42703', NULL, 'a missing column in an expression: 42703');
SELECT lives_ok($$SELECT corm.register_mixin('IxLater', columns => 'q int', indexes => ARRAY['(zz)'])$$,
                'a mixin''s index may read a column its models bring');
SELECT throws_ok($$SELECT corm.register_model('IxBad', model_class => 'IxModel', mixins => '{IxLater}')$$,
                 '42703', 'column "zz" does not exist', 'a model without that column: 42703');
SELECT throws_ok($$SELECT corm.register_model('IxBad', model_class => 'IxModel', columns => 'a int', indexes => ARRAY['(a)', 'UNIQUE (a)'])$$,
                 '42P07', 'two indexes of table tap_ix.ix_bad would be named "ix_ix_bad_a"', 'two indexes with one name: 42P07');
SELECT throws_ok($$SELECT corm.register_model('IxBad', model_class => 'IxModel', columns => 'a int, b int',
                                              indexes => ARRAY['ix_same (a)', 'ix_same (b)'])$$,
                 '42P07', NULL, 'two indexes given one name: 42P07');
SELECT throws_ok($$SELECT corm.register_model('IxBad', model_class => 'IxModel', columns => 'a int', indexes => ARRAY['(tenant DESC)'])$$,
                 '42P07', NULL, 'an own index named as the model class''s: 42P07');
SELECT throws_ok($$SELECT corm.register_model('IxBad', model_class => 'IxModel',
                   columns => 'abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij int',
                   indexes => ARRAY['(abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij)'])$$,
                 '42622', 'index name "ix_ix_bad_abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij" is too long',
                 'an ix_ name over 63 bytes: 42622, never truncated');
SELECT throws_ok($$SELECT corm.register_model('IxBad', model_class => 'IxModel', columns => 'a int',
                   indexes => ARRAY['ix_abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijk (a)'])$$,
                 '42622', NULL, 'a given name of 64 bytes: 42622, never truncated');
SELECT lives_ok($$SELECT corm.register_model('IxEdge', model_class => 'IxModel', columns => 'a int',
                   indexes => ARRAY['ix_abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij (a)'])$$,
                'a given name of exactly 63 bytes is taken');
SELECT has_index('tap_ix', 'ix_edge', 'ix_abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij', ARRAY['a'], 'as it is');
SELECT lives_ok($$SELECT corm.register_mixin('IxLongMixin', columns => 'q int',
                   indexes => ARRAY['ix_%(table)s_abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefgh (q)'])$$,
                'a mixin''s name with %(table)s, long but under 63 bytes as written');
SELECT throws_ok($$SELECT corm.register_model('IxBad', model_class => 'IxModel', mixins => '{IxLongMixin}')$$,
                 '42622', 'index name "ix_ix_bad_abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefgh" is too long',
                 'over 63 bytes once %(table)s is replaced: 42622');
SELECT throws_ok($$SELECT corm.register_model('IxBad', model_class => 'IxModel', columns => 'a int', indexes => ARRAY['(a) TABLESPACE pg_default'])$$,
                 '0A000', 'an index in indexes of model "IxBad" cannot name a tablespace', 'TABLESPACE: 0A000');
SELECT throws_ok($$SELECT corm.register_model_class('IxBadClass', primary_key => 'id int', indexes => ARRAY['(id) TABLESPACE pg_default'])$$,
                 '0A000', NULL, 'TABLESPACE in a model class''s index: 0A000');
SELECT throws_ok($$SELECT corm.register_model('IxBad', model_class => 'IxModel', columns => 'a int', indexes => ARRAY['(a)', NULL])$$,
                 '22004', 'indexes of model "IxBad" must not contain null', 'a NULL element: 22004');
SELECT throws_ok($$SELECT corm.register_mixin('IxBadMixin', columns => 'q int', indexes => ARRAY[NULL, '(q)'])$$,
                 '22004', 'indexes of mixin "IxBadMixin" must not contain null', 'a NULL element in a mixin''s: 22004');
SELECT lives_ok($$SELECT corm.register_mixin('IxFixed', columns => 'code2 text', indexes => ARRAY['ix_code2 (code2)'])$$,
                'a mixin''s index named without %(table)s');
SELECT lives_ok($$SELECT corm.register_model('IxOne', model_class => 'IxModel', mixins => '{IxFixed}')$$, 'on a first table');
SELECT throws_ok($$SELECT corm.register_model('IxTwo', model_class => 'IxModel', mixins => '{IxFixed}')$$,
                 '42P07', NULL, 'collides on a second table of the schema: 42P07');
SELECT throws_ok($$SELECT corm.register_model('IxBad', parent => 'IxPet', inheritance => 'single', columns => 'x int',
                                              indexes => ARRAY['(name DESC)'])$$,
                 '42P07', 'two indexes of table tap_ix.ix_pet would be named "ix_ix_pet_name"',
                 'a single-table subclass''s index named as its parent''s on the shared table: 42P07');
SELECT hasnt_column('tap_ix', 'ix_pet', 'x', 'the shared table is not altered');
SELECT throws_ok($$SELECT corm.register_model('IxBad', parent => 'IxUser', columns => 'level2 int', indexes => ARRAY['(email)'])$$,
                 '0A000', 'index "(email)" of model "IxBad" reads column "email", which is in the table of model "IxUser"',
                 'a joined subclass''s own index on its parent''s column: 0A000');
SELECT throws_ok($$SELECT corm.register_model('IxAdmin', parent => 'IxUser', columns => 'level integer', indexes => ARRAY['(level, email)'])$$,
                 '0A000', NULL, 'an existing joined subclass, an index reading its own and its parent''s column: 0A000');
SELECT indexes_are('tap_ix', 'ix_admin', ARRAY['ix_admin_pkey', 'ix_ix_admin_level'], 'ix_admin keeps its indexes');
SELECT throws_ok($$SELECT corm.register_model('IxBad', parent => 'IxPet', model_class => 'Model', inheritance => 'joined', columns => 'x int')$$,
                 '42P16', 'model "IxBad" asks for joined-table inheritance but has no primary key',
                 'inheritance => ''joined'' without a key: 42P16');
SELECT throws_ok($$SELECT corm.register_model('IxBad', parent => 'IxPet', inheritance => 'single', columns => 'x int PRIMARY KEY')$$,
                 '42P16', 'model "IxBad" asks for single-table inheritance but declares a primary key of its own',
                 'inheritance => ''single'' with a key of its own: 42P16');
SELECT throws_ok($$SELECT corm.register_model('IxBad', parent => 'IxPet', inheritance => 'table')$$,
                 '22023', 'invalid inheritance "table" for model "IxBad"', 'an invalid inheritance: 22023');
-- a refused change to an existing model changes nothing
SELECT throws_ok($$SELECT tap_ix.reg_user(ARRAY['(code)', '(org_id, slug)', 'ix_user_email (lower(email))', '(nope)'])$$,
                 '42703', NULL, 'IxUser with an index on a missing column: 42703');
SELECT throws_ok($$SELECT tap_ix.reg_user(ARRAY['(code DESC)', '(org_id, slug)', 'ix_user_email (lower(email))', '(x) TABLESPACE pg_default'])$$,
                 '0A000', NULL, 'IxUser with a changed index and a TABLESPACE: 0A000');
SELECT is(rebuilt(), '{}'::name[], 'ix_user keeps every index, with its OID');
SELECT indexes_are('tap_ix', 'ix_user',
       ARRAY['ix_ix_user_code', 'ix_ix_user_live', 'ix_ix_user_org_id_slug', 'ix_ix_user_tenant', 'ix_user_email', 'ix_user_pkey'],
       'and no other');
SELECT is((SELECT indexes FROM corm.model WHERE name = 'IxUser'),
          ARRAY['(code)', '(org_id, slug)', 'ix_user_email (lower(email))'], 'corm.model keeps the last accepted list');
-- nothing is left of a refused registration
SELECT is(ARRAY(SELECT c.relname FROM pg_class c WHERE c.relnamespace = 'tap_ix'::regnamespace
                   AND c.relname IN ('ix_bad', 'ix_two', 'ix_bad_view', 'ix_two_view') ORDER BY 1),
          '{}'::name[], 'no table or view of a refused model');
SELECT is((SELECT count(*)::int FROM corm.model WHERE name IN ('IxBad', 'IxTwo')), 0, 'no catalog row of a refused model');
SELECT is((SELECT count(*)::int FROM corm.mixin WHERE name = 'IxBadMixin'), 0, 'no catalog row of a refused mixin');
SELECT is((SELECT count(*)::int FROM corm.model_class WHERE name = 'IxBadClass'), 0, 'no catalog row of a refused model class');
SELECT is((SELECT count(*)::int FROM corm.indexes WHERE model IN ('IxBad', 'IxTwo')), 0, 'no index of theirs in corm.indexes');
SELECT is_empty($$SELECT * FROM corm.check()$$, 'check() finds nothing to mend');

SELECT * FROM finish();
ROLLBACK;
