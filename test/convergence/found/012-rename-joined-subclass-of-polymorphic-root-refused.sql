-- rename_model of a joined subclass of a root with a discriminator is refused: relation "public.writer" does not exist
-- (found by seed 707, history 12)
-- @A
SELECT corm.register_model_class('IdModel', primary_key => 'id integer');
SELECT corm.register_model('Note', columns => 'kind text', model_class => 'IdModel', polymorphic_on => 'kind');
SELECT corm.register_model('Tag', parent => 'Note');
SELECT corm.rename_model('Tag', 'Writer');
-- @B
SELECT corm.register_model_class('IdModel', primary_key => 'id integer');
SELECT corm.register_model('Note', columns => 'kind text', model_class => 'IdModel', polymorphic_on => 'kind');
SELECT corm.register_model('Writer', parent => 'Note');
