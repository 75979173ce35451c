-- Column lists are read by the server's own parser (SPEC §2): column
-- definitions and table constraints mixed, as between the parentheses of
-- CREATE TABLE; anything else is refused with the server's message and a
-- position in the text the user wrote.
CREATE SCHEMA coldef;
SET search_path = coldef;
SELECT corm.register_model_class('ColdefKeyed', primary_key => 'id bigint');

-- every kind of clause survives as written
SELECT corm.register_model('Everything', model_class => 'ColdefKeyed', columns => $$
    name varchar(40) NOT NULL DEFAULT 'staff',   -- a comment, then a newline
    code text COLLATE "C" UNIQUE,
    qty integer CHECK (qty >= 0) DEFAULT 0,
    tags text[] DEFAULT ARRAY['a', 'b'],
    price numeric(10, 2) /* a block comment */ NOT NULL,
    ratio double precision GENERATED ALWAYS AS (price::float8 / 2) STORED,
    seq bigserial,
    "Mixed Case" text,
    CONSTRAINT positive_price CHECK (price > 0),
    UNIQUE (name, code)
$$);
\d everything
SELECT corm.ddl('Everything');

-- identity only for a single integer key without a default of its own
SELECT corm.register_model('Uuid', columns => 'id uuid PRIMARY KEY DEFAULT gen_random_uuid()');
SELECT corm.register_model('TextKeyed', columns => 'code text PRIMARY KEY');
SELECT corm.register_model('Counted', columns => 'n smallint PRIMARY KEY');
SELECT "table", name, type, "default", primary_key FROM corm.columns
 WHERE model IN ('Uuid', 'TextKeyed', 'Counted') ORDER BY model, position;

-- syntax errors: the server's message, positioned in the user's text
SELECT corm.register_model('Bad', model_class => 'ColdefKeyed', columns => 'a int, b varchar varchar');
SELECT corm.register_model('Bad', model_class => 'ColdefKeyed', columns => 'a int,');
SELECT corm.register_model('Bad', model_class => 'ColdefKeyed', columns => 'a int DEFAULT ''unterminated');
SELECT corm.register_mixin('BadMixin', columns => 'x int NOT NULL DEFAULT (1');

-- text that would escape the list is refused, nothing runs
CREATE TABLE canary (x int);
SELECT corm.register_model('Bad', model_class => 'ColdefKeyed', columns => 'a int); DROP TABLE canary; CREATE TABLE y (b int');
SELECT corm.register_model('Bad', model_class => 'ColdefKeyed', columns => 'a int) INHERITS (canary');
SELECT corm.register_model('Bad', model_class => 'ColdefKeyed', columns => 'a int) WITH (fillfactor = 10');
SELECT corm.register_model('Bad', model_class => 'ColdefKeyed', columns => 'LIKE canary');
SELECT corm.register_mixin('BadMixin', columns => 'x int', onupdate => 'x = 1 WHERE false');
SELECT corm.register_mixin('BadMixin', columns => 'x int', onupdate => 'x = 1; DROP TABLE canary');
SELECT corm.register_mixin('BadMixin', columns => 'x int', onupdate => 'x = 1 RETURNING *');
SELECT corm.register_mixin('BadMixin', columns => 'x int', onupdate => '(x, x) = (1, 2)');
SELECT corm.register_mixin('BadMixin', columns => 'x int', onupdate => 'y = 1');
SELECT corm.register_mixin('BadMixin', columns => 'x int', onupdate => 'x = 1, x = 2');
SELECT to_regclass('canary') IS NOT NULL AS canary_still_there;
SELECT count(*) AS no_bad_rows FROM corm.model WHERE name = 'Bad';
SELECT count(*) AS no_bad_mixins FROM corm.mixin WHERE name = 'BadMixin';

-- types are checked when registered, by the server
SELECT corm.register_model('Bad', model_class => 'ColdefKeyed', columns => 'a int, b nosuchtype');
SELECT corm.register_mixin('BadMixin', columns => 'a int, b int[][', onupdate => NULL);
SELECT corm.register_model_class('BadClass', primary_key => 'id nosuchtype');
SELECT corm.register_model_class('BadClass', primary_key => 'id int, other int');
SELECT corm.register_model_class('BadClass', primary_key => 'PRIMARY KEY (id)');

-- names: duplicates, system columns, 64-byte identifiers
SELECT corm.register_model('Bad', model_class => 'ColdefKeyed', columns => 'a int, a text');
SELECT corm.register_model('Bad', model_class => 'ColdefKeyed', columns => 'xmin int');
SELECT corm.register_model('Bad', model_class => 'ColdefKeyed',
  columns => 'a_column_name_that_is_much_too_long_for_postgresql_to_keep_whole int');

-- a comment is a comment: what follows it on its line is not SQL
SELECT corm.register_model('Commented', model_class => 'ColdefKeyed', columns => 'a int -- ) ; DROP TABLE canary');
SELECT corm.ddl('Commented');
SELECT to_regclass('canary') IS NOT NULL AS canary_still_there;

-- an empty or blank list is no columns
SELECT corm.register_model('Blank', model_class => 'ColdefKeyed', columns => '   ');
SELECT corm.register_model('Comment', model_class => 'ColdefKeyed', columns => '-- nothing here');
SELECT model, count(*) FROM corm.columns WHERE model IN ('Blank', 'Comment') GROUP BY model ORDER BY model;
