-- Lifecycle (SPEC §8): dry runs, drift, renames and drops.
CREATE SCHEMA life;
SET search_path = life;
SELECT corm.register_model_class('LfModel', primary_key => 'id integer');
SELECT corm.register_mixin('LfStamp', columns => 'created timestamptz NOT NULL DEFAULT now()');
SELECT corm.register_model('LfAuthor', model_class => 'LfModel', columns => 'name text NOT NULL');
SELECT corm.register_model('LfBook', model_class => 'LfModel', mixins => '{LfStamp}',
                           columns => 'title text, lf_author_id int REFERENCES lf_author');
SELECT corm.register_relationship('LfAuthor', 'books', 'LfBook');
INSERT INTO lf_author (name) VALUES ('ann');
INSERT INTO lf_book (title, lf_author_id) VALUES ('one', 1);

-- a dry run shows the DDL a call would run, and changes nothing
SELECT * FROM corm.dry_run($$SELECT corm.register_model('LfBook', model_class => 'LfModel', mixins => '{LfStamp}',
                           columns => 'title varchar(200) NOT NULL, lf_author_id int REFERENCES lf_author, isbn text UNIQUE')$$);
SELECT format_type(atttypid, atttypmod) AS title_type FROM pg_attribute
 WHERE attrelid = 'lf_book'::regclass AND attname = 'title';
SELECT * FROM corm.dry_run($$SELECT corm.register_model('LfBook', model_class => 'LfModel', mixins => '{LfStamp}',
                           columns => 'title text, lf_author_id int REFERENCES lf_author')$$) AS unchanged_runs_nothing;
SELECT * FROM corm.dry_run($$SELECT corm.register_model('LfBook', columns => 'x nosuchtype')$$);

-- check() lists drift: what corm would run to bring the database back
SELECT * FROM corm.check();
ALTER TABLE lf_book ADD COLUMN stray int;
ALTER TABLE lf_book ALTER COLUMN created DROP DEFAULT;
DROP VIEW lf_author_view CASCADE;
SELECT model, problem, split_part(fix, E'\n', 1) AS fix FROM corm.check() ORDER BY model COLLATE "C", fix COLLATE "C";
-- registering again mends it
SELECT corm.register_model('LfAuthor', model_class => 'LfModel', columns => 'name text NOT NULL');
SELECT corm.register_model('LfBook', model_class => 'LfModel', mixins => '{LfStamp}',
                           columns => 'title text, lf_author_id int REFERENCES lf_author', drop_columns => true);
SELECT * FROM corm.check();

-- renaming a model renames what is named after it; rows and the table's OID stay
CREATE TEMP TABLE before AS SELECT 'lf_book'::regclass::oid AS oid;
SELECT corm.rename_model('LfBook', 'LfNovel');
SELECT to_regclass('lf_novel')::oid = (SELECT oid FROM before) AS same_table,
       to_regclass('lf_book') IS NULL AS old_name_gone,
       to_regclass('lf_novel_view') IS NOT NULL AS view_renamed,
       to_regprocedure('lf_novel_get(integer)') IS NOT NULL AS functions_renamed;
SELECT title FROM lf_novel_view;
SELECT n.title FROM lf_author_view a, lf_author_books(a) n;
SELECT corm.rename_model('LfNovel', 'LfAuthor');
SELECT corm.rename_model('Nope', 'Other');

-- renaming a column of the model's own definition
SELECT corm.rename_column('LfNovel', 'title', 'heading');
SELECT heading FROM lf_novel_view;
SELECT columns FROM corm.model WHERE name = 'LfNovel';
SELECT corm.rename_column('LfNovel', 'created', 'made');
SELECT corm.rename_column('LfNovel', 'nope', 'x');
SELECT corm.rename_column('LfNovel', 'heading', 'lf_author_id');
SELECT * FROM corm.check();

-- drops refuse while something depends on what they drop
SELECT corm.drop_model('LfAuthor');
SELECT corm.drop_mixin('LfStamp');
SELECT corm.drop_model_class('LfModel');
SELECT corm.drop_model_class('Model');
SELECT corm.drop_query_class('BaseQuery');
SELECT corm.drop_relationship('LfAuthor', 'books');
SELECT to_regprocedure('lf_author_books(lf_author_view)') IS NULL AS relationship_functions_gone;
-- a single-table subclass takes its columns out of the shared table
SELECT corm.register_model('LfShape', model_class => 'LfModel', columns => 'kind text', polymorphic_on => 'kind');
SELECT corm.register_model('LfCircle', parent => 'LfShape', model_class => 'Model', columns => 'radius float8');
SELECT corm.drop_model('LfCircle');
SELECT attname FROM pg_attribute WHERE attrelid = 'lf_shape'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum;
SELECT to_regclass('lf_circle_view') IS NULL AS view_gone;
-- with cascade, the dependents go first
SELECT corm.drop_model_class('LfModel', cascade => true);
SELECT name FROM corm.model WHERE name LIKE 'Lf%';
SELECT to_regclass('lf_author') IS NULL AS author_gone, to_regclass('lf_novel') IS NULL AS novel_gone,
       to_regclass('lf_shape') IS NULL AS shape_gone;
SELECT count(*) AS functions_left FROM corm.query_function WHERE model LIKE 'Lf%';
SELECT corm.drop_mixin('LfStamp');
SELECT corm.drop_mixin('LfStamp');
SELECT * FROM corm.check();
