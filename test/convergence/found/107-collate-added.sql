-- COLLATE added to a column
-- from the issue ("a migrated database is the fresh one"): passes since corm 0.2's convergence fixes; kept as a regression case
-- @A
SELECT corm.register_model('Word', columns => 'id integer PRIMARY KEY, w text');
SELECT corm.register_model('Word', columns => 'id integer PRIMARY KEY, w text COLLATE "C"');
-- @B
SELECT corm.register_model('Word', columns => 'id integer PRIMARY KEY, w text COLLATE "C"');
