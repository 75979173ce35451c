-- Where columns come from (SPEC §5): primary key, model-class columns, each
-- mixin in the order listed (a mixin's included mixins first), then the
-- model's own.  The model's own definition overrides with a NOTICE; two
-- sources that disagree are an error naming both.
CREATE SCHEMA mixins;
SET search_path = mixins;
SELECT corm.register_model_class('Stamped', primary_key => 'id bigint',
                                 columns => 'version int NOT NULL DEFAULT 1');
SELECT corm.register_mixin('Created', columns => 'created timestamptz NOT NULL DEFAULT now()');
SELECT corm.register_mixin('Updated', columns => 'updated timestamptz',
                           onupdate => 'updated = now()');
SELECT corm.register_mixin('Timestamps', mixins => '{Created, Updated}',
                           columns => 'touched_by text');
SELECT corm.register_mixin('Described', columns => 'description text, UNIQUE (description)');

SELECT corm.register_model('Article', model_class => 'Stamped',
                           mixins => '{Described, Timestamps}', columns => 'title text NOT NULL');
SELECT position, name, type, not_null, "default", origin FROM corm.columns
 WHERE model = 'Article' ORDER BY position;
\d article

-- the model's own definition wins, with a NOTICE
SELECT corm.register_model('Note', model_class => 'Stamped', mixins => '{Described}',
                           columns => 'description varchar(200) NOT NULL, version bigint');
SELECT position, name, type, not_null, origin FROM corm.columns WHERE model = 'Note' ORDER BY position;
-- the same definition again is no override: no NOTICE
SELECT corm.register_model('Memo', model_class => 'Stamped', mixins => '{Described}',
                           columns => 'description text');

-- two mixins that define a column the same way are fine
SELECT corm.register_mixin('AlsoCreated', columns => 'created timestamptz NOT NULL DEFAULT now()');
SELECT corm.register_model('Event', model_class => 'Stamped', mixins => '{Created, AlsoCreated}');
-- two that disagree are an error naming both; nothing is created
SELECT corm.register_mixin('OtherCreated', columns => 'created date');
SELECT corm.register_model('Clash', model_class => 'Stamped', mixins => '{Created, OtherCreated}');
SELECT to_regclass('clash') IS NULL AS no_table;
-- a mixin that disagrees with the model class is an error too
SELECT corm.register_mixin('Versioned', columns => 'version text');
SELECT corm.register_model('Clash', model_class => 'Stamped', mixins => '{Versioned}');

-- mixins must exist, appear once, and not include themselves
SELECT corm.register_model('Clash', model_class => 'Stamped', mixins => '{NoSuchMixin}');
SELECT corm.register_model('Clash', model_class => 'Stamped', mixins => '{Created, Created}');
SELECT corm.register_model('Clash', model_class => 'Stamped', mixins => '{Created, NULL}');
SELECT corm.register_mixin('Created', mixins => '{Timestamps}',
                           columns => 'created timestamptz NOT NULL DEFAULT now()');
SELECT corm.register_mixin('Selfish', mixins => '{Selfish}');

-- a mixin's onupdate names its own columns (or its included mixins')
SELECT corm.register_mixin('Touched', mixins => '{Updated}', onupdate => 'updated = clock_timestamp()');
SELECT corm.register_mixin('Broken', columns => 'a int', onupdate => 'b = 1');

-- changing a mixin adds its new columns to every model that uses it,
-- directly or through another mixin
INSERT INTO article (title) VALUES ('kept');
SELECT corm.register_mixin('Created', columns => 'created timestamptz NOT NULL DEFAULT now(), created_by text');
SELECT attname FROM pg_attribute WHERE attrelid = 'article'::regclass AND attnum > 0 ORDER BY attnum;
SELECT attname FROM pg_attribute WHERE attrelid = 'event'::regclass AND attnum > 0 ORDER BY attnum;
SELECT title FROM article;
