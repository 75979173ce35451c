-- Indexes (SPEC §2, 0.2): declared with model classes, mixins and models in
-- CREATE INDEX's own syntax, one for every foreign key, compared by meaning.
CREATE SCHEMA idx;
SET search_path = idx;
\set VERBOSITY default

-- the indexes of a table as PostgreSQL holds them
CREATE FUNCTION idx.indexes_of(t regclass) RETURNS SETOF text LANGUAGE sql AS $$
    SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
     WHERE i.indrelid = t ORDER BY c.relname COLLATE "C" $$;

-- ===================================================== declared indexes
SELECT corm.register_model_class('IxModel', primary_key => 'id integer');
-- a SoftDeleteMixin carries its partial index to every table that gets its column
SELECT corm.register_mixin('SoftDeleteMixin', columns => 'deleted_at timestamp',
                           indexes => ARRAY['ix_%(table)s_live (id) WHERE deleted_at IS NULL']);
SELECT * FROM corm.register_model('IxUser', model_class => 'IxModel', mixins => '{SoftDeleteMixin}',
       columns => 'email text NOT NULL, org_id integer, slug text, tags text[], created timestamp, title text',
       indexes => ARRAY['(org_id, slug)',
                        'ix_user_email (lower(email))',
                        'UNIQUE ix_user_live_slug (org_id, slug) WHERE deleted_at IS NULL',
                        'USING gin (tags)',
                        '(created DESC) INCLUDE (title)',
                        '(title text_pattern_ops) WITH (fillfactor = 70)',
                        '(upper(title))']);
SELECT * FROM idx.indexes_of('ix_user');
SELECT name, "table", "unique", origin FROM corm.indexes WHERE model = 'IxUser';
-- registered again unchanged: no statement at all, for every kind above
SELECT * FROM corm.register_model('IxUser', model_class => 'IxModel', mixins => '{SoftDeleteMixin}',
       columns => 'email text NOT NULL, org_id integer, slug text, tags text[], created timestamp, title text',
       indexes => ARRAY['(org_id, slug)',
                        'ix_user_email (lower(email))',
                        'UNIQUE ix_user_live_slug (org_id, slug) WHERE deleted_at IS NULL',
                        'USING gin (tags)',
                        '(created DESC) INCLUDE (title)',
                        '(title text_pattern_ops) WITH (fillfactor = 70)',
                        '(upper(title))']);
SELECT count(*) AS drift FROM corm.check();
-- a COLLATE inside the parentheses is the key's collation, as PostgreSQL
-- reads it: "((title COLLATE "C"))" is the column in "C"; unchanged, nothing runs
SELECT count(*) > 0 AS made FROM corm.register_model('IxColl', model_class => 'IxModel', columns => 'title text',
       indexes => ARRAY['ix_coll_title ((title COLLATE "C"))', 'ix_coll_lower ((lower(title) COLLATE "C"))']);
SELECT * FROM idx.indexes_of('ix_coll');
SELECT * FROM corm.register_model('IxColl', model_class => 'IxModel', columns => 'title text',
       indexes => ARRAY['ix_coll_title ((title COLLATE "C"))', 'ix_coll_lower ((lower(title) COLLATE "C"))']);
SELECT count(*) AS drift FROM corm.check() WHERE model = 'IxColl';
SELECT count(*) > 0 AS dropped FROM corm.drop_model('IxColl');
-- an operator class's options are part of the index: the same ones run
-- nothing, another siglen makes it again
SELECT count(*) > 0 AS made FROM corm.register_model('IxDoc', model_class => 'IxModel', columns => 'body tsvector',
       indexes => ARRAY['ix_doc_body USING gist (body tsvector_ops (siglen = 100))']);
SELECT * FROM corm.register_model('IxDoc', model_class => 'IxModel', columns => 'body tsvector',
       indexes => ARRAY['ix_doc_body USING gist (body tsvector_ops (siglen = 100))']);
SELECT * FROM corm.register_model('IxDoc', model_class => 'IxModel', columns => 'body tsvector',
       indexes => ARRAY['ix_doc_body USING gist (body tsvector_ops (siglen = 200))']);
SELECT * FROM idx.indexes_of('ix_doc') WHERE indexes_of LIKE '%gist%';
SELECT count(*) > 0 AS dropped FROM corm.drop_model('IxDoc');

-- a change of meaning replaces the index; the dry run says what it locks
SELECT step, ddl, relation, lock FROM corm.dry_run($$SELECT corm.register_model('IxUser', model_class => 'IxModel', mixins => '{SoftDeleteMixin}',
       columns => 'email text NOT NULL, org_id integer, slug text, tags text[], created timestamp, title text',
       indexes => ARRAY['(org_id, slug)', 'ix_user_email (lower(email))',
                        'UNIQUE ix_user_live_slug (org_id, slug) WHERE deleted_at IS NULL', 'USING gin (tags)',
                        '(created) INCLUDE (title)', '(title text_pattern_ops) WITH (fillfactor = 80)',
                        '(upper(title))'])$$) ORDER BY step, relation COLLATE "C";
SELECT * FROM corm.register_model('IxUser', model_class => 'IxModel', mixins => '{SoftDeleteMixin}',
       columns => 'email text NOT NULL, org_id integer, slug text, tags text[], created timestamp, title text',
       indexes => ARRAY['(org_id, slug)', 'ix_user_email (lower(email))',
                        'UNIQUE ix_user_live_slug (org_id, slug) WHERE deleted_at IS NULL', 'USING gin (tags)',
                        '(created) INCLUDE (title)', '(title text_pattern_ops) WITH (fillfactor = 80)',
                        '(upper(title))']);
-- an index left out of the definition is dropped: corm made it
SELECT * FROM corm.register_model('IxUser', model_class => 'IxModel', mixins => '{SoftDeleteMixin}',
       columns => 'email text NOT NULL, org_id integer, slug text, tags text[], created timestamp, title text',
       indexes => ARRAY['(org_id, slug)', 'ix_user_email (lower(email))']);

-- an index made by hand stays, and corm.check() lists it, with nothing to run
CREATE INDEX by_hand ON ix_user (slug);
SELECT * FROM corm.register_model('IxUser', model_class => 'IxModel', mixins => '{SoftDeleteMixin}',
       columns => 'email text NOT NULL, org_id integer, slug text, tags text[], created timestamp, title text',
       indexes => ARRAY['(org_id, slug)', 'ix_user_email (lower(email))']);
SELECT * FROM corm.check();
DROP INDEX by_hand;
-- a declared index dropped by hand is drift, and registering makes it again
DROP INDEX ix_user_email;
SELECT * FROM corm.check();
SELECT * FROM corm.register_model('IxUser', model_class => 'IxModel', mixins => '{SoftDeleteMixin}',
       columns => 'email text NOT NULL, org_id integer, slug text, tags text[], created timestamp, title text',
       indexes => ARRAY['(org_id, slug)', 'ix_user_email (lower(email))']);

-- ===================================================== foreign keys
-- each gets an index, unless a declared index or key already starts with it
SELECT * FROM corm.register_model('IxPost', model_class => 'IxModel', mixins => '{SoftDeleteMixin}',
       columns => 'author_id integer REFERENCES ix_user, editor_id integer REFERENCES ix_user,
                   a integer, b integer, FOREIGN KEY (b, a) REFERENCES ix_pair (x, y)',
       indexes => ARRAY['(editor_id, created)']) LIMIT 0;
SELECT count(*) > 0 AS registered FROM corm.register_model('IxPair', columns => 'x integer, y integer, PRIMARY KEY (x, y)');
SELECT count(*) > 0 AS registered FROM corm.register_model('IxPost', model_class => 'IxModel', mixins => '{SoftDeleteMixin}',
       columns => 'author_id integer REFERENCES ix_user, editor_id integer REFERENCES ix_user, created timestamp,
                   a integer, b integer, FOREIGN KEY (b, a) REFERENCES ix_pair (x, y)',
       indexes => ARRAY['(editor_id, created)']);
SELECT * FROM idx.indexes_of('ix_post');
-- a joined subclass's key is its foreign key to the parent: its primary key serves it
SELECT count(*) > 0 AS registered FROM corm.register_model('IxAdmin', parent => 'IxUser', columns => 'level int');
SELECT * FROM idx.indexes_of('ix_admin');
-- a relationship reads the child table by that index
SELECT count(*) > 0 AS registered FROM corm.register_relationship('IxUser', 'posts', 'IxPost', foreign_key => 'author_id');
INSERT INTO ix_user (email) SELECT 'u' || g FROM generate_series(1, 50) g;
INSERT INTO ix_post (author_id) SELECT 1 + g % 50 FROM generate_series(1, 500) g;
ANALYZE ix_post;
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM ix_post WHERE author_id = 7;
RESET enable_seqscan;
SELECT ix_user_posts_count(u) FROM ix_user_view u WHERE id = 7;
-- a covering index whose key starts with the foreign key's column serves it: one author's
-- rows are one range of it, and corm makes no ix_ix_note_author_id beside it
SELECT * FROM corm.register_model('IxNote', model_class => 'IxModel',
       columns => 'author_id integer NOT NULL REFERENCES ix_user, title text, body text',
       indexes => ARRAY['(author_id, id) INCLUDE (title, body)']) s WHERE s LIKE 'CREATE%INDEX%';
SELECT * FROM idx.indexes_of('ix_note');
SELECT name, origin FROM corm.indexes WHERE model = 'IxNote';
SELECT to_regclass('ix_ix_note_author_id') IS NULL AS no_foreign_key_index;
-- CLUSTER, the other way to put one author's rows together, is no drift: registering again
-- runs nothing
CLUSTER ix_note USING ix_ix_note_author_id_id;
SELECT count(*) AS drift FROM corm.check();
SELECT * FROM corm.register_model('IxNote', model_class => 'IxModel',
       columns => 'author_id integer NOT NULL REFERENCES ix_user, title text, body text',
       indexes => ARRAY['(author_id, id) INCLUDE (title, body)']);

-- ===================================================== single-table inheritance
SELECT count(*) > 0 AS registered FROM corm.register_model('IxPet', model_class => 'IxModel',
       columns => 'kind text NOT NULL, name text', polymorphic_on => 'kind', indexes => ARRAY['(name)']);
SELECT count(*) > 0 AS registered FROM corm.register_model('IxDog', parent => 'IxPet', inheritance => 'single',
       columns => 'owner_id integer REFERENCES ix_user, breed text', indexes => ARRAY['(breed)']);
-- the subclass's own index and its foreign key's go on the shared table
SELECT * FROM idx.indexes_of('ix_pet');
SELECT model, name, origin FROM corm.indexes WHERE model LIKE 'IxPet' OR model LIKE 'IxDog' ORDER BY model, name;
-- without inheritance => 'single', the model class's key makes a table of its own, and a NOTICE says so
SELECT count(*) > 0 AS registered FROM corm.register_model('IxCat', parent => 'IxPet', columns => 'lives int');
SELECT count(*) AS drift FROM corm.check();

-- ===================================================== renames
SELECT * FROM corm.register_model('IxPost', model_class => 'IxModel', mixins => '{SoftDeleteMixin}',
       tablename => 'ix_article',
       columns => 'author_id integer REFERENCES ix_user, editor_id integer REFERENCES ix_user, created timestamp,
                   a integer, b integer, FOREIGN KEY (b, a) REFERENCES ix_pair (x, y)',
       indexes => ARRAY['(editor_id, created)']) s WHERE s LIKE 'ALTER %';
SELECT * FROM idx.indexes_of('ix_article');
SELECT count(*) AS drift FROM corm.check();

-- ===================================================== refusals
-- a second statement, another table, a missing column, a tablespace: the server's own errors, nothing created
SELECT corm.register_model('IxBad', model_class => 'IxModel', columns => 'a int', indexes => ARRAY['(a); DROP TABLE ix_user']);
SELECT corm.register_model('IxBad', model_class => 'IxModel', columns => 'a int', indexes => ARRAY['ON ix_user (email)']);
SELECT corm.register_model('IxBad', model_class => 'IxModel', columns => 'a int', indexes => ARRAY['(b)']);
SELECT corm.register_model('IxBad', model_class => 'IxModel', columns => 'a int', indexes => ARRAY['(lower(a::text) ']);
SELECT corm.register_model('IxBad', model_class => 'IxModel', columns => 'a int', indexes => ARRAY['ix_bad (a) USING btree']);
SELECT corm.register_model('IxBad', model_class => 'IxModel', columns => 'a int', indexes => ARRAY['(a) TABLESPACE pg_default']);
SELECT corm.register_model('IxBad', model_class => 'IxModel', columns => 'a int', indexes => ARRAY['(a)', NULL]);
SELECT corm.register_model('IxBad', model_class => 'IxModel', columns => 'a int', indexes => ARRAY['(no_such_function(a))']);
-- two indexes that would get one name (42P07); a name longer than 63 bytes (42622), never truncated
SELECT corm.register_model('IxBad', model_class => 'IxModel', columns => 'a int', indexes => ARRAY['(a)', 'UNIQUE (a)']);
SELECT corm.register_model('IxBad', model_class => 'IxModel', columns => 'abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij int',
                           indexes => ARRAY['(abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij)']);
-- a mixin's name without %(table)s collides on the second table of a schema
SELECT corm.register_mixin('IxFixed', columns => 'code text', indexes => ARRAY['ix_code (code)']);
SELECT count(*) > 0 AS registered FROM corm.register_model('IxOne', model_class => 'IxModel', mixins => '{IxFixed}');
SELECT corm.register_model('IxTwo', model_class => 'IxModel', mixins => '{IxFixed}');
-- an own index of a joined subclass that reads the parent's column
SELECT corm.register_model('IxAdmin', parent => 'IxUser', columns => 'level int', indexes => ARRAY['(email)']);
-- inheritance asked for what cannot be
SELECT corm.register_model('IxBad', parent => 'IxPet', model_class => 'Model', inheritance => 'joined', columns => 'x int');
SELECT corm.register_model('IxBad', parent => 'IxPet', inheritance => 'single', columns => 'x int PRIMARY KEY');
SELECT corm.register_model('IxBad', parent => 'IxPet', inheritance => 'table');
SELECT to_regclass('ix_bad') IS NULL AND to_regclass('ix_two') IS NULL AS nothing_created,
       (SELECT count(*) FROM corm.model WHERE name IN ('IxBad', 'IxTwo')) AS models_recorded;

-- corm.ddl shows the indexes
SELECT line FROM regexp_split_to_table(corm.ddl('IxPet'), E'\n') line WHERE line LIKE 'CREATE %INDEX%';

SELECT count(*) >= 0 AS dropped FROM corm.drop_model('IxCat');
SELECT count(*) >= 0 AS dropped FROM corm.drop_model('IxDog');
SELECT count(*) >= 0 AS dropped FROM corm.drop_model('IxPet');
SELECT count(*) >= 0 AS dropped FROM corm.drop_model('IxOne');
SELECT count(*) >= 0 AS dropped FROM corm.drop_mixin('IxFixed');
SELECT count(*) >= 0 AS dropped FROM corm.drop_relationship('IxUser', 'posts');
SELECT count(*) >= 0 AS dropped FROM corm.drop_model('IxPost');
SELECT count(*) >= 0 AS dropped FROM corm.drop_model('IxNote');
SELECT count(*) >= 0 AS dropped FROM corm.drop_model('IxPair');
SELECT count(*) >= 0 AS dropped FROM corm.drop_model('IxAdmin');
SELECT count(*) >= 0 AS dropped FROM corm.drop_model('IxUser');
SELECT count(*) >= 0 AS dropped FROM corm.drop_mixin('SoftDeleteMixin');
SELECT count(*) >= 0 AS dropped FROM corm.drop_model_class('IxModel');
DROP SCHEMA idx CASCADE;
