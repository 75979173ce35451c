-- rename_model of a single-table subclass: its view filters on the new identity
-- from the issue ("a migrated database is the fresh one"): passes since corm 0.2's convergence fixes; kept as a regression case
-- @A
SELECT corm.register_model('Pet', columns => 'id integer PRIMARY KEY, kind text NOT NULL', polymorphic_on => 'kind');
SELECT corm.register_model('Dog', parent => 'Pet', columns => 'breed text');
SELECT corm.rename_model('Dog', 'Hound');
-- @B
SELECT corm.register_model('Pet', columns => 'id integer PRIMARY KEY, kind text NOT NULL', polymorphic_on => 'kind');
SELECT corm.register_model('Hound', parent => 'Pet', columns => 'breed text');
