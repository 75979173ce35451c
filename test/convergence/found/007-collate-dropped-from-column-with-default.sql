-- COLLATE dropped from a column that has a default: the registration does not converge in one call
-- (found by seed 202, history 27; seed 2, history 24)
-- @A
SELECT corm.register_model('Parcel', columns => 'id integer PRIMARY KEY, code varchar(10) COLLATE "POSIX" DEFAULT ''''');
SELECT corm.register_model('Parcel', columns => 'id integer PRIMARY KEY, code varchar(10) DEFAULT ''''');
-- @B
SELECT corm.register_model('Parcel', columns => 'id integer PRIMARY KEY, code varchar(10) DEFAULT ''''');
