-- a joined root that gains a bind while a column of it is retyped leaves its child's table behind: relation "archive.kit" does not exist
-- The views over the root's table are made again in the same call (a retype or a dropped
-- column), the child's joining its table where the bind puts it, before the child's own
-- sync had moved it there (found by seed 4242, histories 137 and 139, all features, 20 steps).
-- @A
SELECT corm.register_model_class('IdModel', primary_key => 'id integer');
SELECT corm.register_bind('archive', schema => 'archive');
SELECT corm.register_model('Cat', columns => 'lives int', model_class => 'IdModel');
SELECT corm.register_model('Kit', columns => 'x int', parent => 'Cat');
SELECT corm.register_model('Cat', columns => 'lives bigint', model_class => 'IdModel', bind_key => 'archive');
-- @B
SELECT corm.register_model_class('IdModel', primary_key => 'id integer');
SELECT corm.register_bind('archive', schema => 'archive');
SELECT corm.register_model('Cat', columns => 'lives bigint', model_class => 'IdModel', bind_key => 'archive');
SELECT corm.register_model('Kit', columns => 'x int', parent => 'Cat');
