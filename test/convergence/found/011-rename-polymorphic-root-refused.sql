-- rename_model of a root with a discriminator is refused: relation "public.animal" does not exist
-- (found by seed 101 and by hand; a root without a discriminator renames)
-- @A
SELECT corm.register_model('Pet', columns => 'id integer PRIMARY KEY, kind text NOT NULL', polymorphic_on => 'kind');
SELECT corm.rename_model('Pet', 'Animal');
-- @B
SELECT corm.register_model('Animal', columns => 'id integer PRIMARY KEY, kind text NOT NULL', polymorphic_on => 'kind');
