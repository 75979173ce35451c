-- a parent whose table moves into a bind while a joined child is rebuilt: the child's view went to the bind before its table
-- (found by seed 20261201, history 1, with indexes among the features; minimized from 14 to 6 steps)
-- @A
SELECT corm.register_model_class('IdModel', primary_key => 'id integer');
SELECT corm.register_bind('stats', schema => 'stats');
SELECT corm.register_model('Customer', columns => 'extra text', model_class => 'IdModel');
SELECT corm.register_model('Reader', parent => 'Customer');
SELECT corm.rename_model('Customer', 'Order');
SELECT corm.register_model('Order', columns => 'extra text COLLATE "POSIX"', model_class => 'IdModel', bind_key => 'stats');
-- B: the final definitions, registered in a fresh database
-- @B
SELECT corm.register_bind('stats', schema => 'stats');
SELECT corm.register_model_class('IdModel', primary_key => 'id integer');
SELECT corm.register_model('Order', columns => 'extra text COLLATE "POSIX"', model_class => 'IdModel', bind_key => 'stats');
SELECT corm.register_model('Reader', parent => 'Order');
