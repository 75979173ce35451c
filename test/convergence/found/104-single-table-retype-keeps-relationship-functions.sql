-- retyping a single-table subclass's column keeps another model's relationship functions
-- from the issue ("a migrated database is the fresh one"): passes since corm 0.2's convergence fixes; kept as a regression case
-- @A
SELECT corm.register_model_class('IdModel', primary_key => 'id integer');
SELECT corm.register_model('Owner', model_class => 'IdModel');
SELECT corm.register_model('Pet', columns => 'id integer PRIMARY KEY, kind text NOT NULL, owner_id integer REFERENCES owner', polymorphic_on => 'kind');
SELECT corm.register_model('Dog', parent => 'Pet', columns => 'age int');
SELECT corm.register_relationship('Owner', 'pets', 'Pet');
SELECT corm.register_model('Dog', parent => 'Pet', columns => 'age bigint');
-- @B
SELECT corm.register_model_class('IdModel', primary_key => 'id integer');
SELECT corm.register_model('Owner', model_class => 'IdModel');
SELECT corm.register_model('Pet', columns => 'id integer PRIMARY KEY, kind text NOT NULL, owner_id integer REFERENCES owner', polymorphic_on => 'kind');
SELECT corm.register_model('Dog', parent => 'Pet', columns => 'age bigint');
SELECT corm.register_relationship('Owner', 'pets', 'Pet');
