-- of two unnamed CHECKs over one column, the one left keeps the number PostgreSQL gave its name
-- (found by seed 3, history 38)
-- @A
SELECT corm.register_model('T', columns => 'id integer PRIMARY KEY, n int CHECK (n >= 0), CHECK (n < 100)');
SELECT corm.register_model('T', columns => 'id integer PRIMARY KEY, n int, CHECK (n < 100)');
-- @B
SELECT corm.register_model('T', columns => 'id integer PRIMARY KEY, n int, CHECK (n < 100)');
