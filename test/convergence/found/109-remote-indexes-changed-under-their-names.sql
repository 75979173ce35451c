-- a remote model's indexes changed under their names (an expression, a predicate, hash for DESC, INCLUDE): made again there as a fresh table has them
-- (written by hand: the remote comparison was by name for every index but a plain btree column list, so A kept the first definitions)
-- @A
SELECT corm.register_model_class('IdModel', primary_key => 'id integer');
SELECT corm.register_bind('far', schema => 'far', server => 'converge_remote');
SELECT corm.register_model('Item', model_class => 'IdModel', bind_key => 'far', columns => 'name text, score integer', indexes => ARRAY['ix_item_fold (lower(name))', '(score) WHERE score IS NOT NULL', '(name DESC)', '((score IS NULL)) INCLUDE (name)']);
SELECT corm.register_model('Item', model_class => 'IdModel', bind_key => 'far', columns => 'name text, score integer', indexes => ARRAY['ix_item_fold (upper(name))', '(score) WHERE score IS NULL', 'USING hash (name)', '((score IS NOT NULL)) INCLUDE (name)']);
-- B: the final definitions, registered in a fresh database
-- @B
SELECT corm.register_bind('far', schema => 'far', server => 'converge_remote');
SELECT corm.register_model_class('IdModel', primary_key => 'id integer');
SELECT corm.register_model('Item', model_class => 'IdModel', bind_key => 'far', columns => 'name text, score integer', indexes => ARRAY['ix_item_fold (upper(name))', '(score) WHERE score IS NULL', 'USING hash (name)', '((score IS NOT NULL)) INCLUDE (name)']);
