-- corm benchmark: the catalog every benchmark database starts with
-- (a model class and three mixins; see test/bench/models.sql for the models)
CREATE EXTENSION IF NOT EXISTS corm;
SELECT corm.register_model_class('IdModel', primary_key => 'id integer');
-- the seed's TimestampMixin
SELECT corm.register_mixin('TimestampMixin',
    columns  => 'created timestamp NOT NULL DEFAULT now(), updated timestamp',
    onupdate => 'updated = now()');
-- a couple of text columns
SELECT corm.register_mixin('NoteMixin',
    columns => 'note text, tag varchar(32)');
-- a mixin that includes another mixin
SELECT corm.register_mixin('TrackedMixin',
    columns => 'version integer NOT NULL DEFAULT 1, changed_by text',
    mixins  => '{TimestampMixin}');
