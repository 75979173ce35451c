-- a parent's column retyped while a joined child has relationships both ways with it is refused: type "public.genre_pagination" does not exist
-- The same when the model class's key is retyped (IdModel id integer -> bigint). Adding a column works (case 102).
-- (found by seed 8, history 1)
-- @A
SELECT corm.register_model_class('IdModel', primary_key => 'id integer');
SELECT corm.register_model('Author', columns => 'n int', model_class => 'IdModel');
SELECT corm.register_model('Genre', columns => 'author_id integer REFERENCES author', parent => 'Author');
SELECT corm.register_relationship('Genre', 'author', 'Author', foreign_key => 'author_id');
SELECT corm.register_relationship('Author', 'genres', 'Genre', foreign_key => 'author_id');
SELECT corm.register_model('Author', columns => 'n bigint', model_class => 'IdModel');
-- @B
SELECT corm.register_model_class('IdModel', primary_key => 'id integer');
SELECT corm.register_model('Author', columns => 'n bigint', model_class => 'IdModel');
SELECT corm.register_model('Genre', columns => 'author_id integer REFERENCES author', parent => 'Author');
SELECT corm.register_relationship('Genre', 'author', 'Author', foreign_key => 'author_id');
SELECT corm.register_relationship('Author', 'genres', 'Genre', foreign_key => 'author_id');
