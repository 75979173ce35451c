-- a default dropped from a column that a joined view shows stays on the view
-- The same happens for a joined model's own column and for a mixin's column
-- (found by seed 20261201, history 4; seed 101).
-- @A
SELECT corm.register_model_class('IdModel', primary_key => 'id integer');
SELECT corm.register_model('P', model_class => 'IdModel', columns => 'a int DEFAULT 1, b int DEFAULT 2');
SELECT corm.register_model('C', parent => 'P', columns => 'c int');
SELECT corm.register_model('P', model_class => 'IdModel', columns => 'a int DEFAULT 5, b int');
-- @B
SELECT corm.register_model_class('IdModel', primary_key => 'id integer');
SELECT corm.register_model('P', model_class => 'IdModel', columns => 'a int DEFAULT 5, b int');
SELECT corm.register_model('C', parent => 'P', columns => 'c int');
