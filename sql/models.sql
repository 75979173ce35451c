-- The seed's models (SPEC §5), registered in SQL, give the schema
-- Flask-SQLAlchemy creates for the equivalent classes.
CREATE SCHEMA seed;
SET search_path = seed;

SELECT corm.register_model_class('IdModel', primary_key => 'id integer');
SELECT corm.register_model('User', model_class => 'IdModel', columns => 'name varchar');
SELECT corm.register_model('Employee', parent => 'User', columns => 'title varchar');
SELECT corm.register_mixin('TimestampMixin',
  columns  => 'created timestamp NOT NULL DEFAULT now(), updated timestamp',
  onupdate => 'updated = now()');
SELECT corm.register_model('Author', model_class => 'IdModel');
SELECT corm.register_model('Post', model_class => 'IdModel', mixins => '{TimestampMixin}');

\d "user"
\d employee
\d author
\d post

-- the tables are ordinary tables: rows go in, keys are generated
INSERT INTO "user" (name) VALUES ('ann'), ('bob') RETURNING *;
INSERT INTO employee (id, title) VALUES (1, 'cto');
INSERT INTO post DEFAULT VALUES RETURNING id, created IS NOT NULL AS has_created, updated;
-- deleting a user deletes the employee row with it
DELETE FROM "user" WHERE id = 1;
SELECT count(*) AS employees FROM employee;

-- reserved words are quoted wherever corm emits them
SELECT corm.register_model('Order', model_class => 'IdModel', columns => 'total numeric(10,2), "select" text');
SELECT corm.register_model('Group', model_class => 'IdModel', columns => 'user_id integer REFERENCES "user"');
\d "order"
\d "group"

-- a model with its own primary key and no model class key
SELECT corm.register_model('Tag', columns => 'label text PRIMARY KEY, weight int DEFAULT 1');
SELECT corm.register_model('Pair', columns => 'a int, b int, PRIMARY KEY (a, b)');
\d tag
\d pair

-- an explicit tablename wins over the generated one
SELECT corm.register_model('Settings', model_class => 'IdModel', tablename => 'app_settings',
                           columns => 'key text NOT NULL UNIQUE, value jsonb');
\d app_settings

SELECT name, kind, parent, model_class, mixins, "table" FROM corm.models
 WHERE "table" LIKE 'seed.%' ORDER BY name COLLATE "C";
