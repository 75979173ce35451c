-- rename_column keeps the old name of the column's constraints
-- (found by seed 20261201, history 8)
-- @A
SELECT corm.register_model('Shelf', columns => 'id integer PRIMARY KEY');
SELECT corm.register_model('Book', columns => 'id integer PRIMARY KEY, shelf_id integer REFERENCES shelf');
SELECT corm.rename_column('Book', 'shelf_id', 'rack_id');
-- @B
SELECT corm.register_model('Shelf', columns => 'id integer PRIMARY KEY');
SELECT corm.register_model('Book', columns => 'id integer PRIMARY KEY, rack_id integer REFERENCES shelf');
