-- rename_model of a root with a discriminator is refused: relation "public.animal" does not exist
-- known-failing: A refuses the rename with 42P01 (the rows' identity is updated in the table under its new name before the table is renamed: UPDATE public.animal SET kind = 'Animal' WHERE kind = 'Pet'), so A keeps Pet and table pet; B has Animal
-- Once the rename works, the names of case 004 (pet_pkey, pet_id_seq) remain until that is fixed too.
-- (found by seed 101 and by hand; a root without a discriminator renames)
-- @A
SELECT corm.register_model('Pet', columns => 'id integer PRIMARY KEY, kind text NOT NULL', polymorphic_on => 'kind');
SELECT corm.rename_model('Pet', 'Animal');
-- @B
SELECT corm.register_model('Animal', columns => 'id integer PRIMARY KEY, kind text NOT NULL', polymorphic_on => 'kind');
