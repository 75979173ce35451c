-- corm: column lists (SPEC §2), model classes (§3), mixins (§4), column
-- order and precedence (§5)
BEGIN;
SET client_min_messages = warning;
SET lc_messages = 'C';  -- error texts are matched below: in English, whatever the server's
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION corm;
CREATE SCHEMA tap_cols;
SET search_path = tap_cols, public, tap_helpers;
\ir helpers.psql

SELECT plan(84);

CREATE FUNCTION tap_cols.constraints_of(s name, t name) RETURNS text[] LANGUAGE sql AS $$
    SELECT coalesce(array_agg(pg_get_constraintdef(con.oid) ORDER BY pg_get_constraintdef(con.oid) COLLATE "C"), '{}')
      FROM pg_constraint con
      JOIN pg_class c ON c.oid = con.conrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = s AND c.relname = t
$$;

-- ------------------------------------------------------ order and precedence
SELECT lives_ok($$SELECT corm.register_model_class('Ordered', primary_key => 'id bigint', columns => 'mc1 text, mc2 text')$$,
                'a model class with a key and two columns');
SELECT corm.register_mixin('M1', columns => 'm1 text');
SELECT corm.register_mixin('M0', columns => 'm0 text');
SELECT corm.register_mixin('M2', columns => 'm2 text', mixins => '{M0}');
SELECT lives_ok($$SELECT corm.register_model('Widget', model_class => 'Ordered', mixins => '{M1,M2}', columns => 'own1 text, own2 text')$$,
                'a model with a model class, two mixins (one including another) and own columns');
SELECT is(cols('tap_cols', 'widget'), ARRAY['id', 'mc1', 'mc2', 'm1', 'm0', 'm2', 'own1', 'own2']::name[],
          'order: key, model-class columns, mixins as listed (included mixins first), own last');
SELECT col_type_is('tap_cols', 'widget', 'id', 'bigint', 'the model class''s key type is used');
SELECT is(identity_of('tap_cols', 'widget', 'id'), 'd'::"char", 'a bigint key of a root is an identity column');
SELECT col_is_pk('tap_cols', 'widget', 'id', 'the model class''s key is the primary key');
SELECT lives_ok($$SELECT corm.register_model('Gizmo', model_class => 'Ordered', mixins => '{M2,M1}')$$,
                'the same mixins listed the other way round');
SELECT is(cols('tap_cols', 'gizmo'), ARRAY['id', 'mc1', 'mc2', 'm0', 'm2', 'm1']::name[],
          'the mixins'' columns follow the listed order');
SELECT lives_ok($$SELECT corm.register_model('Bolt', model_class => 'Ordered', mixins => '{M0,M2}')$$,
                'a mixin listed both directly and through another mixin');
SELECT is(cols('tap_cols', 'bolt'), ARRAY['id', 'mc1', 'mc2', 'm0', 'm2']::name[],
          'a mixin reached twice contributes its columns once');
SELECT results_eq($$SELECT name::text COLLATE "default", origin FROM corm.model_columns('Widget')$$,
                  $$VALUES ('id', 'model class Ordered'), ('mc1', 'model class Ordered'), ('mc2', 'model class Ordered'),
                           ('m1', 'mixin M1'), ('m0', 'mixin M0'), ('m2', 'mixin M2'), ('own1', 'own'), ('own2', 'own')$$,
                  'corm.model_columns reports where each column came from');

-- a non-integer key is not an identity column
SELECT corm.register_model_class('UuidModel', primary_key => 'id uuid');
SELECT lives_ok($$SELECT corm.register_model('Token', model_class => 'UuidModel')$$, 'a uuid-keyed model');
SELECT col_type_is('tap_cols', 'token', 'id', 'uuid', 'token.id is uuid');
SELECT is(identity_of('tap_cols', 'token', 'id'), ''::"char", 'a uuid key is not an identity column');
SELECT col_is_pk('tap_cols', 'token', 'id', 'token.id is the primary key');
-- a key with its own default is left alone
SELECT corm.register_model_class('CodeModel', primary_key => 'code int DEFAULT 7');
SELECT lives_ok($$SELECT corm.register_model('Coded', model_class => 'CodeModel')$$, 'a key with a default');
SELECT is(identity_of('tap_cols', 'coded', 'code'), ''::"char", 'a key with its own DEFAULT is not made an identity');
SELECT col_default_is('tap_cols', 'coded', 'code', '7'::text, 'and keeps its default');

-- -------------------------------------------------------------- overriding
SELECT corm.register_mixin('Stamped', columns => 'created timestamp NOT NULL DEFAULT now(), updated timestamp');
SELECT lives_ok($$SELECT corm.register_model('Entry', model_class => 'Ordered', mixins => '{Stamped}', columns => 'created date, title text')$$,
                'a model overriding a mixin''s column registers (with a NOTICE)');
SELECT col_type_is('tap_cols', 'entry', 'created', 'date', 'the model''s own type wins over the mixin''s');
SELECT col_is_null('tap_cols', 'entry', 'created', 'the mixin''s NOT NULL does not survive the override');
SELECT col_hasnt_default('tap_cols', 'entry', 'created', 'the mixin''s default does not survive the override');
SELECT is((SELECT count(*)::int FROM unnest(cols('tap_cols', 'entry')) c WHERE c = 'created'), 1,
          'the overridden column appears once');
SELECT is((SELECT origin FROM corm.model_columns('Entry') WHERE name = 'created'), 'own',
          'corm.model_columns: the overriding column is the model''s own');
SELECT lives_ok($$SELECT corm.register_model('Ledger', model_class => 'Ordered', columns => 'mc1 integer NOT NULL')$$,
                'a model overriding a model-class column');
SELECT col_type_is('tap_cols', 'ledger', 'mc1', 'integer', 'the model''s own type wins over the model class''s');
SELECT col_not_null('tap_cols', 'ledger', 'mc1', 'and its NOT NULL');

-- two mixins: the same column defined differently, or the same way
SELECT corm.register_mixin('MixA', columns => 'flag boolean');
SELECT corm.register_mixin('MixB', columns => 'flag integer');
SELECT corm.register_mixin('MixC', columns => 'flag boolean');
SELECT throws_ok($$SELECT corm.register_model('Clash', model_class => 'Ordered', mixins => '{MixA,MixB}')$$,
                 '42701', NULL, 'two mixins defining a column differently: 42701');
SELECT throws_like($$SELECT corm.register_model('Clash', model_class => 'Ordered', mixins => '{MixA,MixB}')$$,
                   '%"MixA"%"MixB"%', 'the message names both mixins');
SELECT hasnt_table('tap_cols', 'clash', 'after the refusal no table clash');
SELECT is((SELECT count(*)::int FROM corm.model WHERE name = 'Clash'), 0, 'after the refusal no catalog row for Clash');
SELECT corm.register_mixin('MixD', columns => 'flag boolean NOT NULL');
SELECT throws_ok($$SELECT corm.register_model('Clash', model_class => 'Ordered', mixins => '{MixA,MixD}')$$,
                 '42701', NULL, 'two mixins differing only in NOT NULL: 42701');
SELECT corm.register_mixin('MixE', columns => 'flag boolean DEFAULT true');
SELECT throws_ok($$SELECT corm.register_model('Clash', model_class => 'Ordered', mixins => '{MixA,MixE}')$$,
                 '42701', NULL, 'two mixins differing only in DEFAULT: 42701');
SELECT corm.register_mixin('MixMc', columns => 'mc1 integer');
SELECT throws_ok($$SELECT corm.register_model('Clash', model_class => 'Ordered', mixins => '{MixMc}')$$,
                 '42701', NULL, 'a mixin redefining a model-class column differently: 42701');
SELECT lives_ok($$SELECT corm.register_model('Agree', model_class => 'Ordered', mixins => '{MixA,MixC}')$$,
                'two mixins defining a column identically is fine');
SELECT is(cols('tap_cols', 'agree'), ARRAY['id', 'mc1', 'mc2', 'flag']::name[], 'the shared column appears once');
SELECT col_type_is('tap_cols', 'agree', 'flag', 'boolean', 'with the shared type');
SELECT lives_ok($$SELECT corm.register_model('Settle', model_class => 'Ordered', mixins => '{MixA,MixB}', columns => 'flag text')$$,
                'the model''s own definition settles two conflicting mixins');
SELECT col_type_is('tap_cols', 'settle', 'flag', 'text', 'the own type is used');

-- ------------------------------------------------------- table constraints
SELECT corm.register_model_class('IdModel', primary_key => 'id integer');
SELECT corm.register_model('User', model_class => 'IdModel', columns => 'name varchar');
SELECT lives_ok($$SELECT corm.register_model('Membership', model_class => 'IdModel',
        columns => 'a int, b int, c int CHECK (c > 0), user_id int,
                    UNIQUE (a, b), CHECK (a < b), FOREIGN KEY (user_id) REFERENCES "user"')$$,
                'a model with UNIQUE, CHECK and FOREIGN KEY table constraints');
SELECT is(cols('tap_cols', 'membership'), ARRAY['id', 'a', 'b', 'c', 'user_id']::name[],
          'constraints are not columns');
SELECT col_is_unique('tap_cols', 'membership', ARRAY['a', 'b']::name[], 'UNIQUE (a, b) is on the table');
SELECT has_check('tap_cols', 'membership', 'the table has CHECK constraints');
SELECT col_has_check('tap_cols', 'membership', 'c', 'the column CHECK (c > 0) is on c');
SELECT fk_ok('tap_cols', 'membership', 'user_id', 'tap_cols', 'user', 'id', 'FOREIGN KEY (user_id) REFERENCES "user" is on the table');
SELECT is(constraints_of('tap_cols', 'membership'),
          ARRAY['CHECK ((a < b))', 'CHECK ((c > 0))', 'FOREIGN KEY (user_id) REFERENCES "user"(id)', 'PRIMARY KEY (id)', 'UNIQUE (a, b)'],
          'exactly these constraints are on membership');
INSERT INTO "user" (name) VALUES ('ann');
SELECT lives_ok($$INSERT INTO tap_cols.membership (a, b, c, user_id) VALUES (1, 2, 3, 1)$$, 'a row meeting every constraint');
SELECT throws_ok($$INSERT INTO tap_cols.membership (a, b, c) VALUES (1, 2, 3)$$, '23505', NULL, 'UNIQUE (a, b) is enforced');
SELECT throws_ok($$INSERT INTO tap_cols.membership (a, b) VALUES (3, 2)$$, '23514', NULL, 'CHECK (a < b) is enforced');
SELECT throws_ok($$INSERT INTO tap_cols.membership (user_id) VALUES (42)$$, '23503', NULL, 'the foreign key is enforced');
-- constraints in a mixin travel with it
SELECT corm.register_mixin('Coded', columns => 'code text NOT NULL, UNIQUE (code), CHECK (code <> '''')');
SELECT lives_ok($$SELECT corm.register_model('Country', model_class => 'IdModel', mixins => '{Coded}')$$,
                'a model with a mixin carrying table constraints');
SELECT col_is_unique('tap_cols', 'country', ARRAY['code']::name[], 'the mixin''s UNIQUE (code) is on the table');
SELECT has_check('tap_cols', 'country', 'the mixin''s CHECK is on the table');

-- ------------------------------------------------- composite primary key
SELECT lives_ok($$SELECT corm.register_model('Pair', columns => 'a int, b int, note text, PRIMARY KEY (a, b)')$$,
                'a PRIMARY KEY (a, b) table constraint, no model-class key');
SELECT col_is_pk('tap_cols', 'pair', ARRAY['a', 'b']::name[], 'the primary key is (a, b)');
SELECT is(cols('tap_cols', 'pair'), ARRAY['a', 'b', 'note']::name[], 'pair holds (a, b, note)');
SELECT is(identity_of('tap_cols', 'pair', 'a'), ''::"char", 'no identity column in a composite key');
SELECT col_not_null('tap_cols', 'pair', 'a', 'key column a is NOT NULL');
SELECT lives_ok($$SELECT corm.register_model('Solo', columns => 'code int PRIMARY KEY, label text')$$,
                'a column PRIMARY KEY under Model');
SELECT col_is_pk('tap_cols', 'solo', 'code', 'the declared column is the key');
SELECT is(identity_of('tap_cols', 'solo', 'code'), 'd'::"char", 'a single integer key of a root is an identity column');

-- ---------------------------------------------------- reserved-word names
SELECT lives_ok($$SELECT corm.register_model('Order', model_class => 'IdModel')$$, 'model Order');
SELECT lives_ok($$SELECT corm.register_model('Group', model_class => 'IdModel', columns => '"select" int, "from" text, "Mixed Case" text')$$,
                'model Group with reserved-word and mixed-case column names');
SELECT lives_ok($$SELECT corm.register_model('Grant', model_class => 'IdModel', tablename => 'table')$$,
                'a model whose explicit tablename is a reserved word');
SELECT has_table('tap_cols', 'user', 'table "user"');
SELECT has_table('tap_cols', 'order', 'table "order"');
SELECT has_table('tap_cols', 'group', 'table "group"');
SELECT has_table('tap_cols', 'table', 'table "table"');
SELECT is(cols('tap_cols', 'group'), ARRAY['id', 'select', 'from', 'Mixed Case']::name[], 'reserved and mixed-case column names kept exactly');
SELECT lives_ok($$SELECT corm.register_model('LineItem', model_class => 'IdModel', columns => 'order_id int REFERENCES "order"')$$,
                'a REFERENCES to a reserved-word table');
SELECT fk_ok('tap_cols', 'line_item', 'order_id', 'tap_cols', 'order', 'id', 'line_item.order_id references "order"(id)');
SELECT lives_ok($$SELECT corm.register_model('Select', parent => 'Group', columns => 'x int')$$,
                'a joined subclass of a reserved-word table');
SELECT fk_ok('tap_cols', 'select', 'id', 'tap_cols', 'group', 'id', '"select".id references "group"(id)');

-- ---------------------------------------------------------- parsing details
SELECT lives_ok($$SELECT corm.register_model('Typed', model_class => 'IdModel', columns => $c$
        price numeric(10,2) NOT NULL DEFAULT 0,   -- a comment
        tags text[] DEFAULT '{}',
        /* a block comment, with a comma, */ label varchar(20) COLLATE "C" DEFAULT 'a, b',
        at timestamptz DEFAULT now(),
        n int GENERATED ALWAYS AS (1 + 1) STORED,
        title varchar DEFAULT 'staff'
    $c$)$$, 'types with modifiers, arrays, COLLATE, comments, commas inside strings');
SELECT is(cols('tap_cols', 'typed'), ARRAY['id', 'price', 'tags', 'label', 'at', 'n', 'title']::name[], 'every column, in order');
SELECT col_type_is('tap_cols', 'typed', 'price', 'numeric(10,2)', 'numeric(10,2) kept');
SELECT col_not_null('tap_cols', 'typed', 'price', 'NOT NULL kept');
SELECT col_default_is('tap_cols', 'typed', 'price', '0'::text, 'DEFAULT 0 kept');
SELECT col_type_is('tap_cols', 'typed', 'tags', 'text[]', 'text[] kept');
SELECT col_type_is('tap_cols', 'typed', 'label', 'character varying(20)', 'varchar(20) kept');
SELECT is((SELECT collname::text FROM pg_attribute a JOIN pg_collation co ON co.oid = a.attcollation
            WHERE attrelid = 'tap_cols.typed'::regclass AND attname = 'label'), 'C', 'COLLATE "C" kept');
SELECT col_default_is('tap_cols', 'typed', 'label', 'a, b'::text, 'a default with a comma kept whole');
SELECT col_default_is('tap_cols', 'typed', 'title', 'staff'::text, 'DEFAULT ''staff'' kept');
SELECT is((SELECT attgenerated FROM pg_attribute WHERE attrelid = 'tap_cols.typed'::regclass AND attname = 'n'),
          's'::"char", 'a generated column stays generated');

SELECT * FROM finish();
ROLLBACK;
