-- Convergence (SPEC §8, 0.2): a migrated database holds what a fresh one
-- built from the final definitions holds, and corm.check() sees every
-- difference.  One section per defect that once broke the promise.
CREATE SCHEMA conv;
SET search_path = conv;
\set VERBOSITY default

-- a constraint's definition as PostgreSQL holds it
CREATE FUNCTION conv.cons(t regclass) RETURNS TABLE (name name, definition text)
    LANGUAGE sql AS $$
    SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
     WHERE conrelid = t AND contype <> 'n' ORDER BY conname COLLATE "C" $$;

-- ===================================================== foreign key actions
SELECT corm.register_model_class('CvModel', primary_key => 'id integer');
SELECT corm.register_model('CvUser', model_class => 'CvModel', tablename => 'cv_user');
SELECT corm.register_model('CvEditor', model_class => 'CvModel');
SELECT corm.register_model('CvPet', model_class => 'CvModel', columns => 'owner_id integer REFERENCES cv_user');
INSERT INTO cv_user VALUES (1); INSERT INTO cv_editor VALUES (1); INSERT INTO cv_pet (owner_id) VALUES (1);
-- ON DELETE CASCADE is a change: the dry run shows it, registering makes it
SELECT * FROM corm.dry_run($$SELECT corm.register_model('CvPet', model_class => 'CvModel',
                      columns => 'owner_id integer REFERENCES cv_user ON DELETE CASCADE')$$);
SELECT corm.register_model('CvPet', model_class => 'CvModel',
                           columns => 'owner_id integer REFERENCES cv_user ON DELETE CASCADE');
SELECT * FROM conv.cons('cv_pet');
SELECT * FROM corm.check();
-- and registering it again unchanged runs nothing
SELECT * FROM corm.dry_run($$SELECT corm.register_model('CvPet', model_class => 'CvModel',
                      columns => 'owner_id integer REFERENCES cv_user ON DELETE CASCADE')$$) AS unchanged;
-- a new target, ON UPDATE, DEFERRABLE: each is the constraint's own
SELECT corm.register_model('CvPet', model_class => 'CvModel',
                           columns => 'owner_id integer REFERENCES cv_editor ON DELETE SET NULL DEFERRABLE');
SELECT * FROM conv.cons('cv_pet');
SELECT corm.register_model('CvPet', model_class => 'CvModel',
                           columns => 'owner_id integer REFERENCES cv_editor ON DELETE SET NULL ON UPDATE CASCADE DEFERRABLE INITIALLY DEFERRED');
SELECT * FROM conv.cons('cv_pet');
-- drift made by hand: check() sees the action that changed
ALTER TABLE cv_pet DROP CONSTRAINT cv_pet_owner_id_fkey;
ALTER TABLE cv_pet ADD FOREIGN KEY (owner_id) REFERENCES cv_editor DEFERRABLE INITIALLY DEFERRED;
SELECT model, fix FROM corm.check();
SELECT corm.register_model('CvPet', model_class => 'CvModel',
                           columns => 'owner_id integer REFERENCES cv_editor ON DELETE SET NULL ON UPDATE CASCADE DEFERRABLE INITIALLY DEFERRED');
SELECT count(*) AS drift FROM corm.check();

-- ===================================================== unique keys and names
SELECT corm.register_model('CvSlot', model_class => 'CvModel',
                           columns => 'a int, b int, n int, UNIQUE (a, b), CONSTRAINT n_positive CHECK (n > 0)');
-- (b, a) is another index than (a, b): the order of a key's columns counts
SELECT corm.register_model('CvSlot', model_class => 'CvModel',
                           columns => 'a int, b int, n int, UNIQUE (b, a), CONSTRAINT n_positive CHECK (n > 0)');
SELECT * FROM conv.cons('cv_slot');
-- a constraint given another name is renamed, not made again
SELECT * FROM corm.dry_run($$SELECT corm.register_model('CvSlot', model_class => 'CvModel',
                      columns => 'a int, b int, n int, UNIQUE (b, a), CONSTRAINT n_above_zero CHECK (n > 0)')$$);
SELECT corm.register_model('CvSlot', model_class => 'CvModel',
                           columns => 'a int, b int, n int, UNIQUE (b, a), CONSTRAINT n_above_zero CHECK (n > 0)');
SELECT * FROM conv.cons('cv_slot');
-- INCLUDE and NULLS NOT DISTINCT are part of a unique key
SELECT corm.register_model('CvSlot', model_class => 'CvModel',
                           columns => 'a int, b int, n int, UNIQUE NULLS NOT DISTINCT (b, a) INCLUDE (n), CONSTRAINT n_above_zero CHECK (n > 0)');
SELECT * FROM conv.cons('cv_slot');
SELECT count(*) AS drift FROM corm.check();

-- ===================================================== a mixin gains a column
-- The table gets it last (PostgreSQL appends every added column); the view
-- and its row type have it at the mixin's place, as a fresh build does.
SELECT corm.register_mixin('CvStamp', columns => 'created date NOT NULL DEFAULT ''2020-01-01''');
SELECT corm.register_model('CvNote', model_class => 'CvModel', mixins => '{CvStamp}', columns => 'body text');
GRANT SELECT ON cv_note_view TO PUBLIC;
SELECT corm.register_mixin('CvStamp', columns => 'created date NOT NULL DEFAULT ''2020-01-01'', revision int NOT NULL DEFAULT 0');
SELECT attname FROM pg_attribute WHERE attrelid = 'cv_note'::regclass AND attnum > 0 ORDER BY attnum;
SELECT attname FROM pg_attribute WHERE attrelid = 'cv_note_view'::regclass AND attnum > 0 ORDER BY attnum;
SELECT position, name, origin FROM corm.model_columns('CvNote');
SELECT (ROW(1, '2021-02-03', 4, 'hello')::cv_note_view).*;
SELECT has_table_privilege('public', 'cv_note_view', 'SELECT') AS grant_kept;
SELECT corm.drop_model('CvNote');
SELECT corm.drop_mixin('CvStamp');

-- ===================================================== a parent changes under a joined child that leads back to it
-- the views go and come back first, then the functions over them, the
-- parent's Pagination type before the child's relationship that returns it
SELECT count(*) > 0 AS registered FROM corm.register_model('CvPerson', model_class => 'CvModel', columns => 'name text');
SELECT count(*) > 0 AS registered FROM corm.register_model('CvClerk', parent => 'CvPerson',
                           columns => 'title text, boss_id int REFERENCES cv_person');
SELECT count(*) > 0 AS registered FROM corm.register_relationship('CvClerk', 'boss', 'CvPerson', foreign_key => 'boss_id');
SELECT count(*) > 0 AS migrated FROM corm.register_model('CvPerson', model_class => 'CvModel', columns => 'name varchar(50)');
SELECT proname FROM pg_proc WHERE proname LIKE 'cv\_clerk\_boss%' ORDER BY 1;
SELECT count(*) AS drift FROM corm.check();
SELECT count(*) >= 0 AS dropped FROM corm.drop_model('CvPerson', cascade => true);

-- ===================================================== a single-table subclass's columns and constraints
-- leave the shared table with it: a dropped column, its UNIQUE, a changed CHECK
SELECT count(*) > 0 AS registered FROM corm.register_model('CvBeast', columns => 'id integer PRIMARY KEY, kind text NOT NULL',
                                                     polymorphic_on => 'kind');
SELECT count(*) > 0 AS registered FROM corm.register_model('CvDog', parent => 'CvBeast',
                                                     columns => 'bark text UNIQUE, size int CHECK (size > 0)');
SELECT count(*) > 0 AS migrated FROM corm.register_model('CvDog', parent => 'CvBeast', columns => 'size int CHECK (size > 1)',
                                                   drop_columns => true);
SELECT attname FROM pg_attribute WHERE attrelid = 'cv_beast'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum;
SELECT * FROM conv.cons('cv_beast');
-- renamed, a subclass whose identity was its name takes the new one, and its rows with it
INSERT INTO cv_dog_view (id, size) VALUES (1, 5);
SELECT count(*) > 0 AS renamed FROM corm.rename_model('CvDog', 'CvHound');
SELECT * FROM cv_beast;
SELECT * FROM cv_hound_view;
SELECT count(*) AS drift FROM corm.check();
SELECT count(*) >= 0 AS dropped FROM corm.drop_model('CvBeast', cascade => true);

-- ===================================================== COLLATE is part of a column
SELECT count(*) > 0 AS registered FROM corm.register_model('CvTag', model_class => 'CvModel', columns => 'label varchar(10)');
SELECT * FROM corm.register_model('CvTag', model_class => 'CvModel', columns => 'label varchar(10) COLLATE "C"') s
 WHERE s LIKE 'ALTER TABLE%';
SELECT attcollation::regcollation FROM pg_attribute WHERE attrelid = 'cv_tag'::regclass AND attname = 'label';
-- and stays through a change of type
SELECT count(*) > 0 AS migrated FROM corm.register_model('CvTag', model_class => 'CvModel', columns => 'label text COLLATE "C"');
SELECT attcollation::regcollation FROM pg_attribute WHERE attrelid = 'cv_tag'::regclass AND attname = 'label';
SELECT count(*) AS drift FROM corm.check();
SELECT count(*) >= 0 AS dropped FROM corm.drop_model('CvTag');

-- ===================================================== a retyped single-table subclass keeps others' relationships
-- the views over the shared table go and come back, and so do the
-- functions of other models' relationships that lead to them
SELECT count(*) > 0 AS registered FROM corm.register_model('CvKeeper', model_class => 'CvModel', columns => 'name text');
SELECT count(*) > 0 AS registered FROM corm.register_model('CvCritter',
    columns => 'id integer PRIMARY KEY, kind text NOT NULL, keeper_id int REFERENCES cv_keeper', polymorphic_on => 'kind');
SELECT count(*) > 0 AS registered FROM corm.register_model('CvPup', parent => 'CvCritter', columns => 'bark varchar(10)');
SELECT count(*) > 0 AS registered FROM corm.register_relationship('CvKeeper', 'critters', 'CvCritter');
SELECT count(*) > 0 AS retyped FROM corm.register_model('CvPup', parent => 'CvCritter', columns => 'bark text');
SELECT proname FROM pg_proc WHERE proname LIKE 'cv\_keeper\_critters%' ORDER BY proname COLLATE "C";
SELECT count(*) AS drift FROM corm.check();
SELECT count(*) >= 0 AS dropped FROM corm.drop_model('CvKeeper', cascade => true);

-- ===================================================== check() sees what was changed by hand
-- every kind of object corm makes: a Pagination type, a function, a view,
-- a table dropped and its model registered again
SELECT count(*) > 0 AS registered FROM corm.register_model('CvLabel', model_class => 'CvModel', columns => 'label text');
ALTER TYPE cv_label_pagination DROP ATTRIBUTE next_num;
SELECT split_part(fix, E'\n', 1) AS fix FROM corm.check() WHERE model = 'CvLabel';
SELECT count(*) > 0 AS mended FROM corm.register_model('CvLabel', model_class => 'CvModel', columns => 'label text');
SELECT (cv_label_paginate()).next_num IS NULL AS paginates;
CREATE OR REPLACE FUNCTION cv_label_count(estimate boolean DEFAULT false) RETURNS bigint LANGUAGE sql STABLE AS 'SELECT 42::bigint';
SELECT split_part(fix, E'\n', 1) AS fix FROM corm.check() WHERE model = 'CvLabel';
CREATE OR REPLACE VIEW cv_label_view AS SELECT t0.id, t0.label FROM cv_label t0 WHERE t0.id > 5;
SELECT split_part(fix, E'\n', 1) AS fix FROM corm.check() WHERE model = 'CvLabel';
SELECT count(*) > 0 AS mended FROM corm.register_model('CvLabel', model_class => 'CvModel', columns => 'label text');
SELECT cv_label_count() AS counted, pg_get_viewdef('cv_label_view') NOT LIKE '%> 5%' AS view_mended;
SET client_min_messages = warning;
DROP TABLE cv_label CASCADE;
RESET client_min_messages;
SELECT count(*) > 0 AS registered_again FROM corm.register_model('CvLabel', model_class => 'CvModel', columns => 'label text');
SELECT (cv_label_paginate()).total AS paginates_again;
SELECT count(*) AS drift FROM corm.check();
SELECT count(*) >= 0 AS dropped FROM corm.drop_model('CvLabel');

-- ===================================================== no state of one call reaches another
-- drop_columns => true of one call (here a rolled-back drop of a
-- single-table subclass, which drops its columns from the shared table)
-- once stayed set for the next call, which then dropped a column and its
-- rows that its own call had not been told to drop
SELECT corm.register_model('CvAnimal', columns => 'id integer PRIMARY KEY, kind text NOT NULL',
                           polymorphic_on => 'kind');
SELECT corm.register_model('CvCat', parent => 'CvAnimal', columns => 'lives int');
SELECT corm.register_model('CvAuthor', columns => 'id integer PRIMARY KEY');
ALTER TABLE cv_author ADD COLUMN note text;
INSERT INTO cv_author VALUES (1, 'keep me');
BEGIN;
SELECT corm.rename_model('CvAuthor', 'CvWriter');
ROLLBACK;
BEGIN;
SELECT corm.drop_model('CvCat');
ROLLBACK;
SELECT corm.rename_model('CvAuthor', 'CvWriter');
SELECT * FROM cv_author;
-- and after an error inside corm.check()
SELECT count(*) >= 0 AS checked FROM corm.check();
SELECT corm.rename_model('CvAuthor', 'CvWriter');
SELECT * FROM cv_author;

-- ===================================================== what a call would lock, rewrite and scan
-- measured in the rolled-back run, as PostgreSQL decides it: a longer
-- varchar is no rewrite, int to bigint is; a new CHECK and SET NOT NULL scan
-- the rows; a foreign key also locks the table it references
SELECT corm.register_model('CvItem', model_class => 'CvModel', columns => 'code varchar(10), qty int, cv_user_id int');
SELECT step, relation, lock, rewrite, scan, ddl FROM corm.dry_run($$SELECT corm.register_model('CvItem', model_class => 'CvModel',
    columns => 'code varchar(20), qty int, cv_user_id int')$$) WHERE ddl LIKE 'ALTER TABLE%';
SELECT step, relation, lock, rewrite, scan, ddl FROM corm.dry_run($$SELECT corm.register_model('CvItem', model_class => 'CvModel',
    columns => 'code varchar(10), qty bigint, cv_user_id int')$$) WHERE ddl LIKE 'ALTER TABLE%';
SELECT step, relation, lock, rewrite, scan, ddl FROM corm.dry_run($$SELECT corm.register_model('CvItem', model_class => 'CvModel',
    columns => 'code varchar(10) NOT NULL, qty int CHECK (qty > 0), cv_user_id int REFERENCES cv_user')$$)
 WHERE ddl LIKE 'ALTER TABLE%' ORDER BY step, relation COLLATE "C";
-- a statement that touches no relation (a function is not one) still has its row
SELECT step, relation, lock, rewrite, scan, ddl FROM corm.dry_run($$SELECT corm.register_model('CvItem', model_class => 'CvModel',
    columns => 'code varchar(10), qty bigint, cv_user_id int')$$) WHERE relation IS NULL ORDER BY step LIMIT 1;
-- and nothing happened
SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'cv_item'::regclass AND attname IN ('code', 'qty') ORDER BY attnum;
SELECT corm.drop_model('CvItem');

-- ===================================================== cascade says what it drops
SELECT corm.register_model('CvBoard', model_class => 'CvModel');
SELECT corm.register_model('CvOrg', model_class => 'CvModel', columns => 'board_id int REFERENCES cv_board');
SELECT corm.register_model('CvMember', model_class => 'CvModel', columns => 'org_id int REFERENCES cv_org');
SELECT corm.register_model('CvAdmin', parent => 'CvMember', columns => 'level int');
SELECT corm.register_relationship('CvBoard', 'orgs', 'CvOrg');
SELECT corm.drop_model('CvOrg');
SELECT corm.drop_model('CvOrg', cascade => true);
SELECT name FROM corm.model WHERE name IN ('CvOrg', 'CvMember', 'CvAdmin', 'CvBoard') ORDER BY name COLLATE "C";
SELECT corm.drop_model('CvBoard');

-- ===================================================== a parent retyped under a joined child, relationships both ways
-- each model's functions return the other's Pagination type: the one made
-- first makes its target's type too
SELECT count(*) > 0 AS registered FROM corm.register_model('CvShelf', model_class => 'CvModel', columns => 'n int');
SELECT count(*) > 0 AS registered FROM corm.register_model('CvBin', parent => 'CvShelf',
                           columns => 'shelf_id int REFERENCES cv_shelf');
SELECT count(*) > 0 AS registered FROM corm.register_relationship('CvBin', 'shelf', 'CvShelf', foreign_key => 'shelf_id');
SELECT count(*) > 0 AS registered FROM corm.register_relationship('CvShelf', 'bins', 'CvBin', foreign_key => 'shelf_id');
SELECT count(*) > 0 AS migrated FROM corm.register_model('CvShelf', model_class => 'CvModel', columns => 'n bigint');
SELECT format_type(atttypid, atttypmod) AS n FROM pg_attribute WHERE attrelid = 'cv_bin_view'::regclass AND attname = 'n';
SELECT proname FROM pg_proc WHERE proname IN ('cv_shelf_bins_paginate', 'cv_bin_shelf_paginate') ORDER BY 1;
SELECT count(*) AS drift FROM corm.check() WHERE model IN ('CvShelf', 'CvBin');
SELECT count(*) >= 0 AS dropped FROM corm.drop_model('CvShelf', cascade => true);

-- ===================================================== a default dropped under a joined view
-- CREATE OR REPLACE VIEW keeps a column's default: the one the definition
-- no longer has is dropped from the view, as is one set on it by hand
CREATE FUNCTION conv.view_defaults(v regclass) RETURNS TABLE (col name, dflt text)
    LANGUAGE sql AS $$
    SELECT a.attname, pg_get_expr(d.adbin, d.adrelid) FROM pg_attribute a
      JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
     WHERE a.attrelid = v ORDER BY a.attnum $$;
SELECT count(*) > 0 AS registered FROM corm.register_model('CvRoot', model_class => 'CvModel',
                           columns => 'a int DEFAULT 1, b int DEFAULT 2');
SELECT count(*) > 0 AS registered FROM corm.register_model('CvLeaf', parent => 'CvRoot', columns => 'c int DEFAULT 3');
SELECT * FROM conv.view_defaults('cv_leaf_view');
SELECT ddl FROM corm.register_model('CvRoot', model_class => 'CvModel', columns => 'a int DEFAULT 5, b int') AS ddl
 WHERE ddl LIKE 'ALTER VIEW conv.cv_leaf_view%';
SELECT * FROM conv.view_defaults('cv_leaf_view');
SELECT count(*) AS drift FROM corm.check() WHERE model IN ('CvRoot', 'CvLeaf');
ALTER VIEW cv_leaf_view ALTER COLUMN b SET DEFAULT 9;
SELECT model, fix FROM corm.check() WHERE model IN ('CvRoot', 'CvLeaf') AND fix LIKE '%DEFAULT%';
SELECT count(*) > 0 AS mended FROM corm.register_model('CvLeaf', parent => 'CvRoot', columns => 'c int DEFAULT 3');
SELECT * FROM conv.view_defaults('cv_leaf_view');
SELECT count(*) AS drift FROM corm.check() WHERE model IN ('CvRoot', 'CvLeaf');
-- a view an earlier call left with the default, recorded as corm made it
ALTER VIEW cv_leaf_view ALTER COLUMN b SET DEFAULT 2;
UPDATE corm.model SET view_catalog_form = corm.catalog_form('view', view_name) WHERE name = 'CvLeaf';
SELECT model, fix FROM corm.check() WHERE model IN ('CvRoot', 'CvLeaf');
SELECT ddl FROM corm.register_model('CvLeaf', parent => 'CvRoot', columns => 'c int DEFAULT 3') AS ddl;
SELECT count(*) AS drift FROM corm.check() WHERE model IN ('CvRoot', 'CvLeaf');
SELECT count(*) >= 0 AS dropped FROM corm.drop_model('CvRoot', cascade => true);
DROP FUNCTION conv.view_defaults(regclass);

-- ===================================================== a model leaves its bind
-- its table, view and functions come out of the bind's schema into the
-- current one, as a fresh database makes them
SELECT count(*) AS statements FROM corm.register_bind('cv_archive', schema => 'cv_archive');
SELECT count(*) > 0 AS registered FROM corm.register_model('CvTome', model_class => 'CvModel',
                           columns => 'title text', bind_key => 'cv_archive');
INSERT INTO cv_archive.cv_tome (title) VALUES ('kept');
SELECT ddl FROM corm.register_model('CvTome', model_class => 'CvModel', columns => 'title text') AS ddl
 WHERE ddl LIKE 'ALTER TABLE%';
SELECT c.relname, n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relname LIKE 'cv\_tome%' ORDER BY 1;
SELECT p.proname, n.nspname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE p.proname = 'cv_tome_get';
SELECT table_schema, view_name FROM corm.model WHERE name = 'CvTome';
SELECT title FROM cv_tome;
SELECT count(*) AS drift FROM corm.check() WHERE model = 'CvTome';
SELECT count(*) >= 0 AS dropped FROM corm.drop_model('CvTome');
SELECT count(*) >= 0 AS dropped FROM corm.drop_bind('cv_archive');
DROP SCHEMA cv_archive;

-- ===================================================== COLLATE dropped from a column with a default
-- ALTER TYPE ... COLLATE recasts the default: it is dropped first and set
-- again after, as for a new type, so that one call converges
SELECT count(*) > 0 AS registered FROM corm.register_model('CvLabel', model_class => 'CvModel',
                           columns => $$code varchar(10) COLLATE "POSIX" DEFAULT ''$$);
SELECT ddl FROM corm.register_model('CvLabel', model_class => 'CvModel',
                           columns => $$code varchar(10) DEFAULT ''$$) AS ddl WHERE ddl LIKE 'ALTER TABLE%';
SELECT collname, pg_get_expr(d.adbin, d.adrelid) AS dflt FROM pg_attribute a
  JOIN pg_collation c ON c.oid = a.attcollation JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
 WHERE a.attrelid = 'cv_label'::regclass AND a.attname = 'code';
SELECT count(*) AS drift FROM corm.check() WHERE model = 'CvLabel';
SELECT count(*) AS statements FROM corm.register_model('CvLabel', model_class => 'CvModel',
                           columns => $$code varchar(10) DEFAULT ''$$);
SELECT count(*) >= 0 AS dropped FROM corm.drop_model('CvLabel');

-- ===================================================== a CHECK over a column retyped from date to timestamp
-- ALTER TYPE keeps the CHECK cooked for the old type (a date literal); the
-- CHECK is dropped and added again after the change, cooked for the new one
SELECT count(*) > 0 AS registered FROM corm.register_model('CvEntry', model_class => 'CvModel',
                           columns => $$at date CHECK (at > '2000-01-01'), CONSTRAINT at_known CHECK (at IS NOT NULL OR id < 0)$$);
SELECT ddl FROM corm.register_model('CvEntry', model_class => 'CvModel',
                           columns => $$at timestamp CHECK (at > '2000-01-01'), CONSTRAINT at_known CHECK (at IS NOT NULL OR id < 0)$$) AS ddl
 WHERE ddl LIKE 'ALTER TABLE%';
SELECT * FROM conv.cons('cv_entry');
SELECT count(*) AS drift FROM corm.check() WHERE model = 'CvEntry';
SELECT count(*) >= 0 AS dropped FROM corm.drop_model('CvEntry');

-- ===================================================== a single-table sibling's key makes a relationship ambiguous
-- the sibling's key is in the shared table, so the relationship could follow
-- either: registering the sibling is refused, as registering the
-- relationship after it would be
SELECT count(*) > 0 AS registered FROM corm.register_model('CvCritic', model_class => 'CvModel');
SELECT count(*) > 0 AS registered FROM corm.register_model('CvPiece', columns => 'id integer PRIMARY KEY, kind text',
                           polymorphic_on => 'kind');
SELECT count(*) > 0 AS registered FROM corm.register_model('CvEssay', parent => 'CvPiece',
                           columns => 'critic_id integer REFERENCES cv_critic');
SELECT count(*) > 0 AS registered FROM corm.register_relationship('CvCritic', 'essays', 'CvEssay');
SELECT corm.register_model('CvPoem', parent => 'CvPiece', columns => 'judge_id integer REFERENCES cv_critic');
SELECT name FROM corm.model WHERE name = 'CvPoem';
-- naming the key the relationship follows lets the sibling in
SELECT count(*) AS statements FROM corm.register_relationship('CvCritic', 'essays', 'CvEssay',
                           foreign_key => 'critic_id');
SELECT count(*) > 0 AS registered FROM corm.register_model('CvPoem', parent => 'CvPiece',
                           columns => 'judge_id integer REFERENCES cv_critic');
SELECT count(*) AS drift FROM corm.check() WHERE model IN ('CvCritic', 'CvPiece', 'CvEssay', 'CvPoem');
SELECT count(*) >= 0 AS dropped FROM corm.drop_model('CvPiece', cascade => true);
SELECT count(*) >= 0 AS dropped FROM corm.drop_model('CvCritic', cascade => true);

-- ===================================================== a referenced table renamed or moved
-- the foreign keys follow the table; the REFERENCES text of the models that
-- name it is made to name it as it is now, as a fresh database needs
SELECT count(*) AS statements FROM corm.register_bind('cv_store', schema => 'cv_store');
SELECT count(*) > 0 AS registered FROM corm.register_model('CvCrate', columns => 'id integer PRIMARY KEY',
                           bind_key => 'cv_store');
SELECT count(*) > 0 AS registered FROM corm.register_model('CvPallet', model_class => 'CvModel', bind_key => 'cv_store',
                           columns => 'crate_id integer REFERENCES cv_store.cv_crate, up_id integer REFERENCES cv_store.cv_pallet');
SELECT count(*) > 0 AS registered FROM corm.register_model('CvDock', model_class => 'CvModel');
SELECT count(*) > 0 AS registered FROM corm.register_model('CvTruck', model_class => 'CvModel',
                           columns => 'crate_id integer REFERENCES cv_store.cv_crate ON DELETE SET NULL, dock_id integer REFERENCES cv_dock');
-- moved with its bind: qualified names follow, a model's reference to itself too
SELECT count(*) > 0 AS moved FROM corm.register_bind('cv_store', schema => 'cv_store2');
SELECT name, columns FROM corm.model WHERE name IN ('CvPallet', 'CvTruck') ORDER BY name;
-- renamed: an unqualified name stays unqualified
SELECT count(*) > 0 AS renamed FROM corm.register_model('CvCrate', columns => 'id integer PRIMARY KEY',
                           bind_key => 'cv_store', tablename => 'cv_box');
SELECT count(*) > 0 AS renamed FROM corm.register_model('CvDock', model_class => 'CvModel', tablename => 'cv_pier');
SELECT name, columns FROM corm.model WHERE name IN ('CvPallet', 'CvTruck') ORDER BY name;
SELECT * FROM conv.cons('cv_truck');
SELECT count(*) AS drift FROM corm.check() WHERE model IN ('CvCrate', 'CvPallet', 'CvDock', 'CvTruck');
SELECT count(*) >= 0 AS dropped FROM corm.drop_model('CvTruck');
SELECT count(*) >= 0 AS dropped FROM corm.drop_model('CvDock');
SELECT count(*) >= 0 AS dropped FROM corm.drop_model('CvPallet');
SELECT count(*) >= 0 AS dropped FROM corm.drop_model('CvCrate');
SELECT count(*) >= 0 AS dropped FROM corm.drop_bind('cv_store');
DROP SCHEMA cv_store;
DROP SCHEMA cv_store2;

-- ===================================================== a joined root moved and retyped in one call
-- the views over its table are made again: its joined child's table moves
-- with it first, where the child's view joins it
SELECT count(*) AS statements FROM corm.register_bind('cv_den', schema => 'cv_den');
SELECT count(*) > 0 AS registered FROM corm.register_model('CvFox', model_class => 'CvModel', columns => 'age int');
SELECT count(*) > 0 AS registered FROM corm.register_model('CvCub', parent => 'CvFox', columns => 'toy text');
INSERT INTO cv_cub_view (age, toy) VALUES (1, 'ball');
SELECT count(*) > 0 AS migrated FROM corm.register_model('CvFox', model_class => 'CvModel', columns => 'age bigint',
                           bind_key => 'cv_den');
SELECT name, table_schema, view_name FROM corm.model WHERE name IN ('CvFox', 'CvCub') ORDER BY name;
SELECT age, toy FROM cv_den.cv_cub_view;
SELECT count(*) AS drift FROM corm.check() WHERE model IN ('CvFox', 'CvCub');
SELECT count(*) >= 0 AS dropped FROM corm.drop_model('CvFox', cascade => true);
SELECT count(*) >= 0 AS dropped FROM corm.drop_bind('cv_den');
DROP SCHEMA cv_den;

-- ===================================================== clean up
SELECT corm.drop_model('CvCat');
SELECT corm.drop_model('CvAnimal');
SELECT corm.drop_model('CvAuthor');
SELECT corm.drop_model('CvSlot');
SELECT corm.drop_model('CvPet');
SELECT corm.drop_model('CvEditor');
SELECT corm.drop_model('CvUser');
SELECT corm.drop_model_class('CvModel');
DROP FUNCTION conv.cons(regclass);
DROP SCHEMA conv;
RESET search_path;
