-- Registering again (SPEC §8, first step): the same definition issues no
-- DDL at all; new columns are added with the rows kept; any other change is
-- refused and nothing changes.
CREATE SCHEMA rereg;
SET search_path = rereg;
SELECT corm.register_model_class('RereKeyed', primary_key => 'id integer');
SELECT corm.register_model('Account', model_class => 'RereKeyed',
                           columns => 'email text NOT NULL UNIQUE, plan text DEFAULT ''free'' CHECK (plan <> '''')');
SELECT corm.register_model('Admin', parent => 'Account', columns => 'level int NOT NULL DEFAULT 1');
INSERT INTO account (email) VALUES ('a@example.com'), ('b@example.com');
INSERT INTO admin (id) VALUES (1);

CREATE TEMP TABLE before AS
SELECT c.relname, c.oid, c.relfilenode, c.xmin::text AS row_version FROM pg_class c
 WHERE c.relnamespace = 'rereg'::regnamespace;

-- the same definitions again: not one catalog row of the tables changes
SELECT corm.register_model('Account', model_class => 'RereKeyed',
                           columns => 'email text NOT NULL UNIQUE, plan text DEFAULT ''free'' CHECK (plan <> '''')');
-- spelled differently, meaning the same: still nothing
SELECT corm.register_model('Account', model_class => 'RereKeyed',
                           columns => 'email TEXT not null unique,
                                       plan pg_catalog.text check (plan <> '''') default ''free''');
SELECT corm.register_model('Admin', parent => 'Account', columns => 'level integer NOT NULL DEFAULT 1');
SELECT corm.register_model_class('RereKeyed', primary_key => 'id int4');
SELECT b.relname, c.oid = b.oid AS same_oid, c.relfilenode = b.relfilenode AS same_file,
       c.xmin::text = b.row_version AS untouched
  FROM before b JOIN pg_class c ON c.relname = b.relname AND c.relnamespace = 'rereg'::regnamespace
 ORDER BY b.relname;

-- a new column is added, rows are kept; they get its default, today's date
-- (one transaction: the same day for the ALTER and the check)
BEGIN;
SELECT corm.register_model('Account', model_class => 'RereKeyed',
                           columns => 'email text NOT NULL UNIQUE, plan text DEFAULT ''free'' CHECK (plan <> ''''),
                                       nickname varchar(30) UNIQUE, joined date DEFAULT current_date');
SELECT id, email, plan, nickname, joined = current_date AS joined_today FROM account ORDER BY id;
COMMIT;
\d account

-- a model class's new column reaches every model of that class
SELECT corm.register_model_class('RereKeyed', primary_key => 'id integer', columns => 'note text');
SELECT attname FROM pg_attribute WHERE attrelid = 'account'::regclass AND attnum > 0 ORDER BY attnum;
-- (a joined subclass does not repeat it: its parent's table has it)
SELECT attname FROM pg_attribute WHERE attrelid = 'admin'::regclass AND attnum > 0 ORDER BY attnum;

-- any other change migrates the table in place, keeping its rows
GRANT SELECT ON account, account_view TO PUBLIC;
-- a type, the existing rows cast
SELECT corm.register_model('Account', model_class => 'RereKeyed',
                           columns => 'email varchar(100) NOT NULL UNIQUE, plan text DEFAULT ''free'' CHECK (plan <> ''''),
                                       nickname varchar(30) UNIQUE, joined date DEFAULT current_date');
-- NOT NULL dropped, a default changed, a CHECK changed, a UNIQUE dropped
SELECT corm.register_model('Account', model_class => 'RereKeyed',
                           columns => 'email varchar(100), plan text DEFAULT ''pro'' CHECK (plan <> ''x''),
                                       nickname varchar(30) UNIQUE, joined date DEFAULT current_date');
\d account
-- a new tablename renames the table: rows, grants and the view stay usable
SELECT corm.register_model('Account', model_class => 'RereKeyed', tablename => 'accounts',
                           columns => 'email varchar(100), plan text DEFAULT ''pro'' CHECK (plan <> ''x''),
                                       nickname varchar(30) UNIQUE, joined date DEFAULT current_date');
SELECT to_regclass('account') IS NULL AS old_name_gone, count(*) AS rows_kept,
       has_table_privilege('public', 'accounts', 'SELECT') AS grant_kept FROM accounts;
SELECT to_regclass('accounts_view') IS NOT NULL AS view_renamed, to_regclass('account_view') IS NULL AS old_view_gone,
       has_table_privilege('public', 'accounts_view', 'SELECT') AS view_grant_kept;
SELECT to_regprocedure('accounts_get(integer)') IS NOT NULL AS functions_renamed;
-- a cast that the rows do not survive fails with the server's error, and nothing changes
UPDATE accounts SET email = 'not a number' WHERE id = 1;
SELECT corm.register_model('Account', model_class => 'RereKeyed', tablename => 'accounts',
                           columns => 'email integer, plan text DEFAULT ''pro'' CHECK (plan <> ''x''),
                                       nickname varchar(30) UNIQUE, joined date DEFAULT current_date');
SELECT format_type(atttypid, atttypmod) AS email_type FROM pg_attribute
 WHERE attrelid = 'accounts'::regclass AND attname = 'email';
-- how a model is stored cannot change: 0A000
SELECT corm.register_model('Admin', model_class => 'RereKeyed', columns => 'level int NOT NULL DEFAULT 1');
-- a column missing from the definition is dropped only when told: 2BP01
SELECT corm.register_model('Account', model_class => 'RereKeyed', tablename => 'accounts',
                           columns => 'email varchar(100), plan text DEFAULT ''pro'' CHECK (plan <> ''x'')');
SELECT corm.register_model('Account', model_class => 'RereKeyed', tablename => 'accounts',
                           columns => 'email varchar(100), plan text DEFAULT ''pro'' CHECK (plan <> ''x'')',
                           drop_columns => true);
SELECT attname FROM pg_attribute WHERE attrelid = 'accounts'::regclass AND attnum > 0 AND NOT attisdropped
 ORDER BY attnum;
-- a model class change migrates every model of the class
SELECT corm.register_model_class('RereKeyed', primary_key => 'id bigint', columns => 'note text');
SELECT attrelid::regclass, format_type(atttypid, atttypmod) FROM pg_attribute
 WHERE attrelid IN ('accounts'::regclass, 'admin'::regclass) AND attname = 'id' ORDER BY attrelid::regclass::text COLLATE "C";
SELECT count(*) AS rows_kept FROM accounts;
SELECT * FROM corm.check();
