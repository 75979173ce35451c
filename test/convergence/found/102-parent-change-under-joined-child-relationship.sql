-- a parent's columns change while a joined child has a relationship back to it
-- from the issue ("a migrated database is the fresh one"): passes since corm 0.2's convergence fixes; kept as a regression case
-- @A
SELECT corm.register_model_class('IdModel', primary_key => 'id integer');
SELECT corm.register_model('Person', model_class => 'IdModel', columns => 'name text');
SELECT corm.register_model('Staff', parent => 'Person', columns => 'boss_id integer REFERENCES person');
SELECT corm.register_relationship('Staff', 'boss', 'Person', foreign_key => 'boss_id');
SELECT corm.register_model('Person', model_class => 'IdModel', columns => 'name text, email text');
-- @B
SELECT corm.register_model_class('IdModel', primary_key => 'id integer');
SELECT corm.register_model('Person', model_class => 'IdModel', columns => 'name text, email text');
SELECT corm.register_model('Staff', parent => 'Person', columns => 'boss_id integer REFERENCES person');
SELECT corm.register_relationship('Staff', 'boss', 'Person', foreign_key => 'boss_id');
