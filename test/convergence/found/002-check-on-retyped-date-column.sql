-- a CHECK over a column retyped from date to timestamp keeps the expression PostgreSQL rewrote
-- known-failing: A has CHECK ((score > '2000-01-01'::date)), B CHECK ((score > '2000-01-01 00:00:00'::timestamp without time zone)); check() in A wants to drop and add it, the migration did not
-- Also timestamptz -> timestamp (found by seed 20261201, history 9; seed 202).
-- @A
SELECT corm.register_model('Writer', columns => 'id integer PRIMARY KEY, score date CHECK (score > ''2000-01-01'')');
SELECT corm.register_model('Writer', columns => 'id integer PRIMARY KEY, score timestamp CHECK (score > ''2000-01-01'')');
-- @B
SELECT corm.register_model('Writer', columns => 'id integer PRIMARY KEY, score timestamp CHECK (score > ''2000-01-01'')');
