-- a model whose foreign key references a table that moves keeps the old name in its definition
-- The same after the referenced table is renamed (tablename, a naming policy) and for a model
-- referencing itself (found by seed 20261201, history 18; seed 2, histories 8 and 54).
-- @A
SELECT corm.register_bind('archive', schema => 'archive');
SELECT corm.register_model('Parcel', columns => 'id integer PRIMARY KEY', bind_key => 'archive');
SELECT corm.register_model('LineItem', columns => 'id integer PRIMARY KEY, parcel_id integer REFERENCES archive.parcel ON DELETE SET NULL');
SELECT corm.register_bind('archive', schema => 'archive2');
-- @B
SELECT corm.register_bind('archive', schema => 'archive2');
SELECT corm.register_model('Parcel', columns => 'id integer PRIMARY KEY', bind_key => 'archive');
SELECT corm.register_model('LineItem', columns => 'id integer PRIMARY KEY, parcel_id integer REFERENCES archive2.parcel ON DELETE SET NULL');
