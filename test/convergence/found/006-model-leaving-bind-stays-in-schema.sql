-- a model that leaves its bind (bind_key dropped) keeps its table, view and functions in the bind's schema
-- (found by seed 202, histories 14 and 16)
-- @A
SELECT corm.register_bind('archive', schema => 'archive');
SELECT corm.register_model('Book', columns => 'id integer PRIMARY KEY, kind text', bind_key => 'archive');
SELECT corm.register_model('Book', columns => 'id integer PRIMARY KEY, kind text');
-- @B
SELECT corm.register_bind('archive', schema => 'archive');
SELECT corm.register_model('Book', columns => 'id integer PRIMARY KEY, kind text');
