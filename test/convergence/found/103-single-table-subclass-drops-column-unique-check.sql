-- a single-table subclass drops a column, a UNIQUE, changes a CHECK
-- from the issue ("a migrated database is the fresh one"): passes since corm 0.2's convergence fixes; kept as a regression case
-- @A
SELECT corm.register_model('Pet', columns => 'id integer PRIMARY KEY, kind text NOT NULL', polymorphic_on => 'kind');
SELECT corm.register_model('Dog', parent => 'Pet', columns => 'breed text UNIQUE, age int CHECK (age > 0), collar text');
SELECT corm.register_model('Dog', parent => 'Pet', columns => 'breed text, age int CHECK (age >= 0)', drop_columns => true);
-- @B
SELECT corm.register_model('Pet', columns => 'id integer PRIMARY KEY, kind text NOT NULL', polymorphic_on => 'kind');
SELECT corm.register_model('Dog', parent => 'Pet', columns => 'breed text, age int CHECK (age >= 0)');
