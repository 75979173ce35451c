-- a mixin gains a column
-- from the issue ("a migrated database is the fresh one"): passes since corm 0.2's convergence fixes; kept as a regression case
-- @A
SELECT corm.register_model_class('IdModel', primary_key => 'id integer');
SELECT corm.register_mixin('Stamp', columns => 'created date');
SELECT corm.register_model('Note', model_class => 'IdModel', mixins => '{Stamp}', columns => 'body text');
SELECT corm.register_mixin('Stamp', columns => 'created date, revision int');
-- @B
SELECT corm.register_model_class('IdModel', primary_key => 'id integer');
SELECT corm.register_mixin('Stamp', columns => 'created date, revision int');
SELECT corm.register_model('Note', model_class => 'IdModel', mixins => '{Stamp}', columns => 'body text');
