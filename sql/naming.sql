-- naming: corm.camel_to_snake_case(name text), the rule that turns a class name
-- into a table name, must give exactly what Flask-SQLAlchemy 3.x's
-- camel_to_snake_case gives:
--   re.sub(r"((?<=[a-z0-9])[A-Z]|(?!^)[A-Z](?=[a-z]))", r"_\1", name).lower().lstrip("_")
-- except that letters outside ASCII are lowercased as PostgreSQL's lower() does
-- (default collation) and never start a new word.
-- The expected values were computed with python3's re.sub using that regex,
-- then lowered with PostgreSQL's lower() and stripped of leading underscores.
-- The non-ASCII rows hold where the database's LC_CTYPE maps case by Unicode
-- (C.UTF-8, the test command's cluster, or en_US.UTF-8); under LC_CTYPE C
-- lower() leaves those letters as they are.
-- Checks: 91 names (every row printed, then the mismatches: none),
-- NULL in gives NULL (STRICT), the function is IMMUTABLE, and it works in an
-- index expression and in a generated column.
SET client_encoding = 'UTF8';
-- the non-ASCII cases need a UTF8 database
SHOW server_encoding;

CREATE TEMP TABLE naming_case (
    n        serial PRIMARY KEY,
    name     text NOT NULL,
    expected text NOT NULL
);
INSERT INTO naming_case (name, expected) VALUES
  -- plain CamelCase
  ('User', 'user'),
  ('CamelCase', 'camel_case'),
  ('UserProfile', 'user_profile'),
  ('BlogPostComment', 'blog_post_comment'),
  ('camelCase', 'camel_case'),
  ('OrderItem', 'order_item'),
  -- acronyms: a capital run ends before the capital that starts a word
  ('HTTPResponse', 'http_response'),
  ('HTTPResponseCode', 'http_response_code'),
  ('APIKey', 'api_key'),
  ('getHTTPResponseCode', 'get_http_response_code'),
  ('XMLHttpRequest', 'xml_http_request'),
  ('URLParserV2', 'url_parser_v2'),
  ('MyAPI', 'my_api'),
  ('SQLAlchemyModel', 'sql_alchemy_model'),
  ('IOError', 'io_error'),
  -- digits: a capital after a digit starts a word, a digit never does
  ('Test2Model', 'test2_model'),
  ('UserV2', 'user_v2'),
  ('IPv4Address', 'i_pv4_address'),
  ('Model2Go', 'model2_go'),
  ('V2', 'v2'),
  ('2Fast', '2_fast'),
  ('HTTP2Server', 'http2_server'),
  ('OAuth2Token', 'o_auth2_token'),
  ('Base64Encoder', 'base64_encoder'),
  ('Model123', 'model123'),
  ('ABC123DEF', 'abc123_def'),
  ('123', '123'),
  ('S3Bucket', 's3_bucket'),
  ('A1B2C3', 'a1_b2_c3'),
  -- underscores: kept (so Snake_Case gives two), leading ones stripped
  ('_Private', 'private'),
  ('__Double', 'double'),
  ('Snake_Case', 'snake__case'),
  ('already_snake', 'already_snake'),
  ('Trailing_', 'trailing_'),
  ('A_B', 'a_b'),
  ('_', ''),
  ('___', ''),
  ('_a', 'a'),
  ('__A', 'a'),
  ('Mixed_CaseName', 'mixed__case_name'),
  ('HTTP_Response', 'http__response'),
  ('__init__', 'init__'),
  -- single letters and very short names
  ('A', 'a'),
  ('a', 'a'),
  ('AB', 'ab'),
  ('Ab', 'ab'),
  ('aB', 'a_b'),
  ('Z9', 'z9'),
  ('9Z', '9_z'),
  ('aBc', 'a_bc'),
  -- all capitals, all lower case
  ('URL', 'url'),
  ('HTTPSCONNECTION', 'httpsconnection'),
  ('lowercase', 'lowercase'),
  ('alllowercasename', 'alllowercasename'),
  -- mixed runs
  ('ABCdef', 'ab_cdef'),
  ('abcDEF', 'abc_def'),
  ('ABCDefGHI', 'abc_def_ghi'),
  ('AbCdEf', 'ab_cd_ef'),
  ('aBcDeF', 'a_bc_de_f'),
  ('ABcDEf', 'a_bc_d_ef'),
  -- letters outside ASCII: lowered by lower(), never start a word, and an ASCII
-- capital after one starts a word only if an ASCII lower-case letter follows it
  ('ÀBC', 'àbc'),
  ('CaféBar', 'café_bar'),
  ('ÉtéModel', 'été_model'),
  ('NaïveBayes', 'naïve_bayes'),
  ('ÜberClass', 'über_class'),
  ('straßeName', 'straße_name'),
  ('fooÉtat', 'fooétat'),
  ('ModelÀ', 'modelà'),
  ('éB', 'éb'),
  ('ÀBc', 'à_bc'),
  ('ÄÖÜ', 'äöü'),
  ('ÇaVa', 'ça_va'),
  ('ŒuvreDArt', 'œuvre_d_art'),
  ('ΣοφίαModel', 'σοφία_model'),
  ('МояМодель', 'моямодель'),
  ('ĲsselMeer', 'ĳssel_meer'),
  ('ẞtraße', 'ßtraße'),
  -- where Python's str.lower() differs from PostgreSQL's lower(), lower() wins:
-- Python gives 'i̇stanbul_city' (i + U+0307) and 'οδος' (final sigma)
  ('İstanbulCity', 'istanbul_city'),
  ('ΟΔΟΣ', 'οδοσ'),
  -- empty string, spaces, quotes, punctuation, a tab
  ('', ''),
  (' ', ' '),
  ('My Model', 'my _model'),
  (' Leading', ' _leading'),
  ('Trailing ', 'trailing '),
  ('O''Reilly', 'o''_reilly'),
  ('Say"Hi"', 'say"_hi"'),
  ('it''s', 'it''s'),
  ('Dotted.Name', 'dotted._name'),
  ('Hyphen-Name', 'hyphen-_name'),
  (E'Tab\tName', E'tab\t_name'),
  -- a long name: the function never truncates (only model names are checked)
  ('AVeryLongClassNameThatGoesOnAndOnWellBeyondTheSixtyThreeByteLimitOfPostgres', 'a_very_long_class_name_that_goes_on_and_on_well_beyond_the_sixty_three_byte_limit_of_postgres');

SELECT count(*) AS names FROM naming_case;

SELECT n, name, expected, corm.camel_to_snake_case(name) AS actual
  FROM naming_case
 ORDER BY n;

-- the rows with blanks again, quoted so the blanks show
SELECT n, quote_literal(name) AS name, quote_literal(expected) AS expected,
       quote_literal(corm.camel_to_snake_case(name)) AS actual
  FROM naming_case
 WHERE name ~ '^$|[[:space:]]'
 ORDER BY n;

-- the mismatches: none
SELECT n, name, expected, corm.camel_to_snake_case(name) AS actual
  FROM naming_case
 WHERE corm.camel_to_snake_case(name) IS DISTINCT FROM expected
 ORDER BY n;

-- STRICT: NULL in, NULL out
SELECT corm.camel_to_snake_case(NULL) IS NULL AS null_gives_null;

-- IMMUTABLE, STRICT, PARALLEL SAFE
SELECT provolatile, proisstrict, proparallel, prorettype::regtype
  FROM pg_proc
 WHERE oid = 'corm.camel_to_snake_case(text)'::regprocedure;

-- usable in an index expression (which needs IMMUTABLE) ...
CREATE TEMP TABLE naming_model (class_name text PRIMARY KEY);
CREATE UNIQUE INDEX naming_model_table_name
    ON naming_model (corm.camel_to_snake_case(class_name));
INSERT INTO naming_model VALUES ('HTTPResponse'), ('UserV2'), ('CaféBar');
SET enable_seqscan = off;
SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF)
SELECT class_name FROM naming_model
 WHERE corm.camel_to_snake_case(class_name) = 'http_response';
SELECT class_name FROM naming_model
 WHERE corm.camel_to_snake_case(class_name) = 'http_response';
RESET enable_seqscan;
RESET enable_bitmapscan;
-- two class names that give the same table name collide
INSERT INTO naming_model VALUES ('HttpResponse');

-- ... and in a generated column
CREATE TEMP TABLE naming_generated (
    class_name text,
    table_name text GENERATED ALWAYS AS (corm.camel_to_snake_case(class_name)) STORED
);
INSERT INTO naming_generated (class_name)
VALUES ('BlogPostComment'), ('IPv4Address'), ('_Private'), ('ÜberClass'), (NULL);
SELECT class_name, table_name FROM naming_generated ORDER BY class_name COLLATE "C" NULLS LAST;
UPDATE naming_generated SET class_name = 'APIKey' WHERE class_name = '_Private';
SELECT class_name, table_name FROM naming_generated ORDER BY class_name COLLATE "C" NULLS LAST;

DROP TABLE naming_case, naming_model, naming_generated;
