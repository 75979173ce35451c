-- a CHECK over a column retyped from date to timestamp keeps the expression PostgreSQL rewrote
-- Also timestamptz -> timestamp (found by seed 20261201, history 9; seed 202).
-- @A
SELECT corm.register_model('Writer', columns => 'id integer PRIMARY KEY, score date CHECK (score > ''2000-01-01'')');
SELECT corm.register_model('Writer', columns => 'id integer PRIMARY KEY, score timestamp CHECK (score > ''2000-01-01'')');
-- @B
SELECT corm.register_model('Writer', columns => 'id integer PRIMARY KEY, score timestamp CHECK (score > ''2000-01-01'')');
