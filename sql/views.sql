-- Model views (SPEC §5): every model's full row as <name>_view, writable:
-- joined inheritance through corm's INSTEAD OF trigger, single-table
-- subclasses through a checked, filtered view.
CREATE SCHEMA views;
SET search_path = views;
SELECT corm.register_model_class('Keyed4', primary_key => 'id integer');
SELECT corm.register_model('Person', model_class => 'Keyed4',
                           columns => 'name text NOT NULL, kind text, joined date DEFAULT ''2024-02-29''',
                           polymorphic_on => 'kind');
SELECT corm.register_model('Staff', parent => 'Person', columns => 'title text NOT NULL DEFAULT ''staff''');
SELECT corm.register_model('Manager', parent => 'Staff', columns => 'reports int CHECK (reports >= 0)');
-- a single-table subclass beside the joined ones
SELECT corm.register_model('Guest', parent => 'Person', model_class => 'Model', columns => 'host text');
\d+ manager_view
SELECT name, "table" FROM corm.models WHERE name IN ('Person', 'Staff', 'Manager', 'Guest') ORDER BY name COLLATE "C";

-- INSERT through a depth-3 view: rows in three tables, the root's key, the
-- tables' defaults, the discriminator filled in, RETURNING what was stored
INSERT INTO manager_view (name, reports) VALUES ('ann', 3) RETURNING *;
INSERT INTO manager_view (id, name, title, reports, joined) VALUES (100, 'bob', 'cto', 0, '2020-01-01')
RETURNING id, name, kind, title, reports, joined;
INSERT INTO staff_view (name) VALUES ('cy') RETURNING id, name, kind, title;
SELECT * FROM person ORDER BY id;
SELECT * FROM staff ORDER BY id;
SELECT * FROM manager ORDER BY id;

-- the root's view shows every row with its identity: polymorphic loading
INSERT INTO guest_view (name, host) VALUES ('dee', 'ann') RETURNING id, name, kind, host;
INSERT INTO person_view (name) VALUES ('eve') RETURNING id, name, kind;
SELECT id, name, kind FROM person_view ORDER BY id;
SELECT id, name, kind, title FROM staff_view ORDER BY id;
SELECT id, name, kind, host FROM guest_view ORDER BY id;

-- UPDATE: only the tables whose columns change are touched
CREATE TEMP TABLE versions AS
SELECT 'person' AS t, xmin::text AS v FROM person WHERE id = 1
UNION ALL SELECT 'staff', xmin::text FROM staff WHERE id = 1
UNION ALL SELECT 'manager', xmin::text FROM manager WHERE id = 1;
UPDATE manager_view SET reports = 4 WHERE id = 1 RETURNING id, name, title, reports;
SELECT v.t, x.v = v.v AS untouched FROM versions v JOIN (
    SELECT 'person' AS t, xmin::text AS v FROM person WHERE id = 1
    UNION ALL SELECT 'staff', xmin::text FROM staff WHERE id = 1
    UNION ALL SELECT 'manager', xmin::text FROM manager WHERE id = 1) x USING (t) ORDER BY v.t COLLATE "C";
UPDATE manager_view SET name = 'anne', title = 'ceo' WHERE id = 1 RETURNING id, name, title, reports;
WITH u AS (UPDATE staff_view SET title = upper(title) RETURNING id, kind, title)
SELECT * FROM u ORDER BY id;
-- a row cannot change its type through a view
UPDATE manager_view SET kind = 'Staff' WHERE id = 1;

-- errors name the real table and column; a failed row leaves nothing
INSERT INTO manager_view (name, reports) VALUES (NULL, 1);
INSERT INTO manager_view (name, reports) VALUES ('fay', -1);
INSERT INTO manager_view (id, name) VALUES (100, 'dup');
INSERT INTO manager_view (name, kind) VALUES ('gus', 'Guest');
SELECT count(*) AS people FROM person;

-- a single-table view keeps to its rows
INSERT INTO guest_view (name, kind) VALUES ('hal', 'Staff');
UPDATE guest_view SET kind = 'Person';
SELECT count(*) AS guests_unchanged FROM guest_view;

-- DELETE through a child's view, or the root's, removes the whole object
DELETE FROM manager_view WHERE id = 100 RETURNING id, name;
DELETE FROM person_view WHERE id = 1;
SELECT (SELECT count(*) FROM person) AS people, (SELECT count(*) FROM staff) AS staff,
       (SELECT count(*) FROM manager) AS managers;

-- a new column reaches the views of the model and its subclasses
SELECT corm.register_model('Staff', parent => 'Person', columns => 'title text NOT NULL DEFAULT ''staff'', badge text');
SELECT attname FROM pg_attribute WHERE attrelid = 'manager_view'::regclass AND attnum > 0 ORDER BY attnum;
INSERT INTO manager_view (name, badge) VALUES ('ida', 'B7') RETURNING id, name, badge, title;

-- a view name that is taken is refused
CREATE TABLE taken_v_view (x int);
SELECT corm.register_model('TakenV', model_class => 'Keyed4');
SELECT to_regclass('taken_v') IS NULL AS no_table;

-- a write through the view that, from a trigger on one of the tables,
-- invalidates the tables' caches (a GRANT) and writes through the view again:
-- the nested firing reads the trigger's arguments again, the outer one keeps
-- what it started with; a nested failure caught by a handler leaves it alone
CREATE FUNCTION staff_echo() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.title = 'echo' THEN
    EXECUTE 'GRANT SELECT ON views.staff TO PUBLIC';
    INSERT INTO manager_view (name, title, reports) VALUES ('echoed', 'nested', 1);
    BEGIN
      EXECUTE 'GRANT SELECT ON views.person TO PUBLIC';
      INSERT INTO manager_view (name, title, reports) VALUES ('refused', 'nested', -1);
    EXCEPTION WHEN check_violation THEN
      RAISE NOTICE 'nested insert refused: %', SQLERRM;
    END;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER staff_echo AFTER INSERT ON staff FOR EACH ROW EXECUTE FUNCTION staff_echo();
INSERT INTO manager_view (name, title, reports) VALUES ('outer', 'echo', 2) RETURNING name, title, reports;
SELECT name, title, reports FROM manager_view WHERE name IN ('outer', 'echoed', 'refused') ORDER BY name COLLATE "C";
DROP TRIGGER staff_echo ON staff;
DROP FUNCTION staff_echo();

-- An INSERT of many rows keeps each table open from its first row to its
-- last, as the executor does, and lets go at the statement's end, whether
-- the statement ends well, fails, or fails inside a subtransaction.
-- Defaults and CHECK constraints hold on every row:
INSERT INTO manager_view (name, reports) SELECT 'm' || g, g FROM generate_series(1, 5) g
RETURNING name, title, reports, kind;
-- the third row fails: nothing of the statement stays
INSERT INTO manager_view (name, reports) SELECT 'n' || g, 2 - g FROM generate_series(1, 4) g;
SELECT count(*) AS n_rows FROM person WHERE name LIKE 'n%';
-- in a transaction: a failed statement under a savepoint, then more rows;
-- the tables are free for ALTER TABLE once each statement has ended
BEGIN;
INSERT INTO manager_view (name, reports) SELECT 'p' || g, g FROM generate_series(1, 3) g;
SAVEPOINT s;
INSERT INTO manager_view (name, reports) SELECT 'q' || g, 1 - g FROM generate_series(1, 3) g;
ROLLBACK TO s;
INSERT INTO manager_view (name, reports) SELECT 'r' || g, g FROM generate_series(1, 3) g;
ALTER TABLE manager ALTER COLUMN reports SET STATISTICS -1;
INSERT INTO manager_view (name) VALUES ('s1') RETURNING name, reports;
COMMIT;
SELECT left(name, 1) AS batch, count(*) FROM person WHERE name ~ '^[pqrs][0-9]$' GROUP BY 1 ORDER BY 1;
-- a handler that catches a failed statement and goes on writing in the same function
DO $$
BEGIN
  BEGIN
    INSERT INTO manager_view (name, reports) SELECT 't' || g, 2 - g FROM generate_series(1, 4) g;
  EXCEPTION WHEN check_violation THEN
    RAISE NOTICE 'caught: %', SQLERRM;
  END;
  INSERT INTO manager_view (name, reports) SELECT 'u' || g, g FROM generate_series(1, 2) g;
END $$;
SELECT left(name, 1) AS batch, count(*) FROM person WHERE name ~ '^[tu][0-9]$' GROUP BY 1 ORDER BY 1;
-- a trigger on a table that invalidates the view's description (a GRANT)
-- on one row: the rows after it are written with the description read again
CREATE FUNCTION staff_grant() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.title = 'grant' THEN
    EXECUTE 'GRANT SELECT ON views.manager_view TO PUBLIC';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER staff_grant BEFORE INSERT ON staff FOR EACH ROW EXECUTE FUNCTION staff_grant();
INSERT INTO manager_view (name, title, reports)
SELECT 'v' || g, CASE g WHEN 2 THEN 'grant' ELSE 'staff' END, g FROM generate_series(1, 4) g
RETURNING name, title, reports;
DROP TRIGGER staff_grant ON staff;
DROP FUNCTION staff_grant();
-- a failure later in the transaction: the rows of every statement go
BEGIN;
INSERT INTO manager_view (name, reports) SELECT 'w' || g, g FROM generate_series(1, 3) g;
SELECT 1 / 0;
ROLLBACK;
SELECT count(*) AS w_rows FROM person WHERE name ~ '^w[0-9]$';
-- two inserts into one view in one query share what the statement opened
WITH a AS (INSERT INTO manager_view (name, reports) SELECT 'z' || g, g FROM generate_series(1, 2) g RETURNING name),
     b AS (INSERT INTO manager_view (name, reports) SELECT 'zz' || g, g FROM generate_series(1, 2) g RETURNING name)
SELECT name FROM a UNION ALL SELECT name FROM b ORDER BY name;
SELECT count(*) AS z_managers FROM manager WHERE id IN (SELECT id FROM person WHERE name LIKE 'z%');
-- the tables' statement triggers fire once for the view's statement: BEFORE
-- ones before its first row, AFTER ones after its last row's triggers and
-- after the view's own AFTER statement triggers
CREATE TABLE stmt_log (n serial, what text);
CREATE FUNCTION log_statement() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO views.stmt_log (what) VALUES (TG_WHEN || ' ' || TG_LEVEL || ' ' || TG_TABLE_NAME ||
    CASE WHEN TG_LEVEL = 'ROW' THEN ' ' || NEW.id ELSE '' END);
  RETURN NEW;
END $$;
CREATE TRIGGER log_b BEFORE INSERT ON staff FOR EACH STATEMENT EXECUTE FUNCTION log_statement();
CREATE TRIGGER log_a AFTER INSERT ON staff FOR EACH STATEMENT EXECUTE FUNCTION log_statement();
CREATE TRIGGER log_r AFTER INSERT ON staff FOR EACH ROW EXECUTE FUNCTION log_statement();
CREATE TRIGGER log_pa AFTER INSERT ON person FOR EACH STATEMENT EXECUTE FUNCTION log_statement();
CREATE TRIGGER log_v AFTER INSERT ON manager_view FOR EACH STATEMENT EXECUTE FUNCTION log_statement();
INSERT INTO manager_view (id, name, reports) SELECT 900 + g, 'st' || g, g FROM generate_series(1, 3) g;
SELECT what FROM stmt_log ORDER BY n;
TRUNCATE stmt_log;
-- a statement of no rows writes no table, and fires none of theirs
INSERT INTO manager_view (name, reports) SELECT 'none', 1 WHERE false;
SELECT what FROM stmt_log ORDER BY n;
DROP TRIGGER log_b ON staff;
DROP TRIGGER log_a ON staff;
DROP TRIGGER log_r ON staff;
DROP TRIGGER log_pa ON person;
DROP TRIGGER log_v ON manager_view;
DROP TABLE stmt_log;
DROP FUNCTION log_statement();
-- COPY into the view runs the same trigger, row by row
COPY manager_view (name, reports) FROM stdin;
y1	1
y2	2
\.
SELECT name, title, reports FROM manager_view WHERE name LIKE 'y%' ORDER BY name;
