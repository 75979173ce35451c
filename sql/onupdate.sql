-- onupdate (SPEC §2, §4): what a column becomes on every UPDATE that leaves
-- it unchanged, carried out by one trigger function written in C.
CREATE SCHEMA onupd;
SET search_path = onupd;
SELECT corm.register_model_class('Rowed', primary_key => 'id integer');
SELECT corm.register_mixin('OuStamps',
  columns  => 'created timestamp NOT NULL DEFAULT now(), updated timestamp',
  onupdate => 'updated = now()');
SELECT corm.register_model('Doc', model_class => 'Rowed', mixins => '{OuStamps}',
  columns  => 'body text, revision int NOT NULL DEFAULT 0, touched timestamptz, edits text[] DEFAULT ''{}''',
  onupdate => 'revision = revision + 1, touched = clock_timestamp(), edits = edits || body');
\d doc
SELECT corm.ddl('Doc');

INSERT INTO doc (body) VALUES ('one'), ('two');
-- unchanged columns get their onupdate value; the expressions read the old row
BEGIN;
UPDATE doc SET body = 'uno' WHERE id = 1;
SELECT id, body, revision, updated = now()::timestamp AS updated_now,
       touched >= now() AS touched_set, edits FROM doc ORDER BY id;
COMMIT;
-- an explicit new value wins (shown in one format, whatever the DateStyle)
UPDATE doc SET body = 'dos', updated = '2001-02-03', revision = 41 WHERE id = 2;
SELECT id, body, revision, to_char(updated, 'YYYY-MM-DD HH24:MI:SS') AS updated, edits FROM doc WHERE id = 2;
-- every UPDATE counts, also one that changes nothing else; updated is the
-- UPDATE's now() again (compared in its transaction: on any day, with any clock)
BEGIN;
UPDATE doc SET body = body WHERE id = 2;
SELECT id, revision, updated = now()::timestamp AS updated_again FROM doc WHERE id = 2;
COMMIT;
-- setting a column to NULL is an explicit new value too
UPDATE doc SET touched = NULL WHERE id = 2;
SELECT touched IS NOT NULL AS touched_reset_by_onupdate FROM doc WHERE id = 2;

-- the expression's type is checked when registering, not on the first UPDATE
SELECT corm.register_model('OuBad', model_class => 'Rowed', columns => 'n int', onupdate => 'n = now()');
SELECT corm.register_mixin('BadStamp', columns => 'stamp date', onupdate => 'stamp = point(1, 2)');
SELECT corm.register_model('OuBad', model_class => 'Rowed', mixins => '{BadStamp}');
SELECT to_regclass('ou_bad') IS NULL AS no_table;
-- a column the model does not have is refused
SELECT corm.register_model('OuBad', model_class => 'Rowed', columns => 'n int', onupdate => 'm = 1');

-- two mixins that give one column different onupdates are an error; the
-- model's own onupdate overrides them
SELECT corm.register_mixin('OtherStamps', columns => 'updated timestamp', onupdate => 'updated = statement_timestamp()');
SELECT corm.register_model('OuClash', model_class => 'Rowed', mixins => '{OuStamps, OtherStamps}');
SELECT corm.register_model('Mine', model_class => 'Rowed', mixins => '{OuStamps, OtherStamps}',
                           onupdate => 'updated = localtimestamp');
SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = 'mine'::regclass;

-- joined inheritance: each table's trigger sets only that table's columns
SELECT corm.register_mixin('OuVersioned', columns => 'version int NOT NULL DEFAULT 1', onupdate => 'version = version + 1');
SELECT corm.register_model('Page', parent => 'Doc', mixins => '{OuVersioned}', columns => 'title text');
SELECT tgrelid::regclass, pg_get_triggerdef(oid) FROM pg_trigger WHERE tgname = 'corm_onupdate'
   AND tgrelid IN ('doc'::regclass, 'page'::regclass) ORDER BY tgrelid::regclass::text COLLATE "C";
INSERT INTO doc (body) VALUES ('page');
INSERT INTO page (id, title) VALUES (3, 'p');
UPDATE page SET title = 'p2' WHERE id = 3;
UPDATE doc SET body = 'page2' WHERE id = 3;
SELECT d.revision, p.version FROM doc d JOIN page p USING (id);
-- an onupdate on a column of the parent's table belongs to the parent
SELECT corm.register_model('OuNote', parent => 'Doc', model_class => 'Rowed', onupdate => 'body = ''x''');

-- single-table inheritance: the subclass's onupdate joins its table's trigger
SELECT corm.register_model('Task', model_class => 'Rowed', columns => 'kind text, done boolean',
                           polymorphic_on => 'kind');
SELECT corm.register_model('Chore', parent => 'Task', model_class => 'Model',
                           columns => 'last_done timestamptz', onupdate => 'last_done = now()');
SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = 'task'::regclass;
SELECT corm.ddl('Chore');

-- changing a mixin's onupdate changes the trigger of every model using it
SELECT corm.register_mixin('OuStamps',
  columns  => 'created timestamp NOT NULL DEFAULT now(), updated timestamp',
  onupdate => 'updated = clock_timestamp()');
SELECT tgrelid::regclass, pg_get_triggerdef(oid) FROM pg_trigger WHERE tgname = 'corm_onupdate'
   AND tgrelid IN ('doc'::regclass, 'mine'::regclass) ORDER BY tgrelid::regclass::text COLLATE "C";
-- and an unchanged one leaves the trigger alone
CREATE TEMP TABLE trig AS SELECT oid FROM pg_trigger WHERE tgrelid = 'doc'::regclass AND tgname = 'corm_onupdate';
SELECT corm.register_mixin('OuStamps',
  columns  => 'created timestamp NOT NULL DEFAULT now(), updated timestamp',
  onupdate => 'updated = clock_timestamp()');
SELECT oid = (SELECT oid FROM trig) AS same_trigger FROM pg_trigger
 WHERE tgrelid = 'doc'::regclass AND tgname = 'corm_onupdate';

-- the cached state follows the table: new trigger, new column, same session
UPDATE doc SET body = 'again' WHERE id = 1;
SELECT corm.register_model('Doc', model_class => 'Rowed', mixins => '{OuStamps}',
  columns  => 'body text, revision int NOT NULL DEFAULT 0, touched timestamptz, edits text[] DEFAULT ''{}'', extra int',
  onupdate => 'revision = revision + 1, touched = clock_timestamp(), edits = edits || body');
UPDATE doc SET extra = 7 WHERE id = 1;
SELECT id, body, revision, extra, edits FROM doc WHERE id = 1;

-- the trigger function refuses to run any other way
SELECT corm.onupdate();
CREATE TABLE wrong (x int);
CREATE TRIGGER wrong AFTER UPDATE ON wrong FOR EACH ROW EXECUTE FUNCTION corm.onupdate('x = 1');
INSERT INTO wrong VALUES (1);
UPDATE wrong SET x = 2;
DROP TABLE wrong;

-- an expression that invalidates the table's cache (a GRANT) and updates the
-- table again: the nested firing rebuilds the state, the outer one keeps its own
CREATE TABLE nest (id int PRIMARY KEY, a int, u timestamptz);
INSERT INTO nest VALUES (1, 0, NULL), (2, 0, NULL);
CREATE FUNCTION nest_bump(i int) RETURNS int LANGUAGE plpgsql AS $$
BEGIN
  IF i = 1 THEN
    EXECUTE 'GRANT SELECT ON nest TO PUBLIC';
    UPDATE nest SET id = id WHERE id = 2;
  END IF;
  RETURN i * 10;
END $$;
CREATE TRIGGER nest BEFORE UPDATE ON nest FOR EACH ROW
  EXECUTE FUNCTION corm.onupdate('a = nest_bump(id)', 'u = now()');
UPDATE nest SET id = id WHERE id = 1;
SELECT id, a, u IS NOT NULL AS stamped FROM nest ORDER BY id;
UPDATE nest SET id = id;
SELECT id, a, u IS NOT NULL AS stamped FROM nest ORDER BY id;
DROP TABLE nest;
DROP FUNCTION nest_bump(int);

-- a trigger made by hand whose expression returns a set, not one value
CREATE TABLE srf (id int, a int);
INSERT INTO srf VALUES (1, 1);
CREATE TRIGGER srf BEFORE UPDATE ON srf FOR EACH ROW
  EXECUTE FUNCTION corm.onupdate('a = generate_series(1, 0)');
UPDATE srf SET id = 2;
DROP TRIGGER srf ON srf;
CREATE TRIGGER srf BEFORE UPDATE ON srf FOR EACH ROW
  EXECUTE FUNCTION corm.onupdate('a = generate_series(1, 3)');
UPDATE srf SET id = 2;
DROP TABLE srf;
