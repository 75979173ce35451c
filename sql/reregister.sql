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

-- a new column is added, rows are kept
SELECT corm.register_model('Account', model_class => 'RereKeyed',
                           columns => 'email text NOT NULL UNIQUE, plan text DEFAULT ''free'' CHECK (plan <> ''''),
                                       nickname varchar(30) UNIQUE, joined date DEFAULT current_date');
SELECT id, email, plan, nickname, joined = current_date AS joined_today FROM account ORDER BY id;
\d account

-- a model class's new column reaches every model of that class
SELECT corm.register_model_class('RereKeyed', primary_key => 'id integer', columns => 'note text');
SELECT attname FROM pg_attribute WHERE attrelid = 'account'::regclass AND attnum > 0 ORDER BY attnum;
-- (a joined subclass does not repeat it: its parent's table has it)
SELECT attname FROM pg_attribute WHERE attrelid = 'admin'::regclass AND attnum > 0 ORDER BY attnum;

-- other changes are refused, with nothing changed: 0A000
SELECT corm.register_model('Account', model_class => 'RereKeyed',
                           columns => 'email varchar(100) NOT NULL UNIQUE, plan text DEFAULT ''free'' CHECK (plan <> ''''),
                                       nickname varchar(30) UNIQUE, joined date DEFAULT current_date');
SELECT corm.register_model('Account', model_class => 'RereKeyed',
                           columns => 'email text UNIQUE, plan text DEFAULT ''free'' CHECK (plan <> ''''),
                                       nickname varchar(30) UNIQUE, joined date DEFAULT current_date');
SELECT corm.register_model('Account', model_class => 'RereKeyed',
                           columns => 'email text NOT NULL UNIQUE, plan text DEFAULT ''pro'' CHECK (plan <> ''''),
                                       nickname varchar(30) UNIQUE, joined date DEFAULT current_date');
SELECT corm.register_model('Account', model_class => 'RereKeyed',
                           columns => 'email text NOT NULL UNIQUE, plan text DEFAULT ''free'' CHECK (plan <> ''x''),
                                       nickname varchar(30) UNIQUE, joined date DEFAULT current_date');
SELECT corm.register_model('Account', model_class => 'RereKeyed',
                           columns => 'email text NOT NULL, plan text DEFAULT ''free'' CHECK (plan <> ''''),
                                       nickname varchar(30) UNIQUE, joined date DEFAULT current_date');
SELECT corm.register_model('Account', model_class => 'RereKeyed', tablename => 'accounts',
                           columns => 'email text NOT NULL UNIQUE, plan text DEFAULT ''free'' CHECK (plan <> ''''),
                                       nickname varchar(30) UNIQUE, joined date DEFAULT current_date');
SELECT corm.register_model('Admin', model_class => 'RereKeyed', columns => 'level int NOT NULL DEFAULT 1');
-- a column missing from the definition would be dropped: 2BP01
SELECT corm.register_model('Account', model_class => 'RereKeyed',
                           columns => 'email text NOT NULL UNIQUE, plan text DEFAULT ''free'' CHECK (plan <> '''')');
-- a model class change that would alter its models' tables is refused too
SELECT corm.register_model_class('RereKeyed', primary_key => 'id bigint', columns => 'note text');
SELECT columns FROM corm.model WHERE name = 'Account';
SELECT primary_key FROM corm.model_class WHERE name = 'RereKeyed';
SELECT count(*) AS rows_kept FROM account;
