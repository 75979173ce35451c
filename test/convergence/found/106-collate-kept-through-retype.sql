-- COLLATE kept through a retype
-- from the issue ("a migrated database is the fresh one"): passes since corm 0.2's convergence fixes; kept as a regression case
-- @A
SELECT corm.register_model('Word', columns => 'id integer PRIMARY KEY, w varchar(10) COLLATE "C"');
SELECT corm.register_model('Word', columns => 'id integer PRIMARY KEY, w varchar(20) COLLATE "C"');
-- @B
SELECT corm.register_model('Word', columns => 'id integer PRIMARY KEY, w varchar(20) COLLATE "C"');
