-- corm: every refusal with its SQLSTATE (SPEC §2-§5, §9), that a refusal
-- leaves nothing behind, and that no text argument can inject SQL.
BEGIN;
SET client_min_messages = warning;
SET lc_messages = 'C';  -- error texts are matched below: in English, whatever the server's
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION corm;
CREATE SCHEMA tap_err;
SET search_path = tap_err, public;

SELECT plan(232);

-- canaries: injected SQL would drop the table or call the sequence (whose
-- nextval survives the rollback of a failed call)
CREATE TABLE tap_err.canary (x int);
INSERT INTO tap_err.canary VALUES (1);
CREATE SEQUENCE tap_err.canary_seq;

-- everything a call could leave behind: relations and their columns and
-- constraints outside the system schemas, schemas, functions, corm's catalog
CREATE FUNCTION tap_err.state() RETURNS text[] LANGUAGE sql AS $$
    SELECT array_agg(x ORDER BY x COLLATE "C") FROM (
        SELECT 'rel ' || c.oid::regclass::text || ' ' || c.relkind::text || ' ' ||
               coalesce((SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod) ||
                                           CASE WHEN a.attnotnull THEN ' not null' ELSE '' END, ', ' ORDER BY a.attnum)
                           FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), '')
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname NOT LIKE 'pg\_temp%'
           AND n.nspname NOT LIKE 'pg\_toast\_temp%'
        UNION ALL
        SELECT 'con ' || con.conrelid::regclass::text || ' ' || pg_get_constraintdef(con.oid)
          FROM pg_constraint con JOIN pg_namespace n ON n.oid = con.connamespace
         WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_temp%'
        UNION ALL
        SELECT 'nsp ' || nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\_temp%' AND nspname NOT LIKE 'pg\_toast\_temp%'
        UNION ALL
        SELECT 'fn ' || p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'public')
        UNION ALL SELECT 'model ' || m::text FROM corm.model m
        UNION ALL SELECT 'mixin ' || m::text FROM corm.mixin m
        UNION ALL SELECT 'model_class ' || m::text FROM corm.model_class m
        UNION ALL SELECT 'meta ' || m::text FROM corm.meta m
        UNION ALL SELECT 'query_class ' || m::text FROM corm.query_class m
    ) s(x)
$$;
CREATE TABLE tap_err.snapshot (s text[]);
CREATE FUNCTION tap_err.snap() RETURNS void LANGUAGE sql AS $$
    DELETE FROM tap_err.snapshot; INSERT INTO tap_err.snapshot SELECT tap_err.state();
$$;
-- what differs from the snapshot: + added, - gone
CREATE FUNCTION tap_err.changes() RETURNS text[] LANGUAGE sql AS $$
    SELECT coalesce(array_agg(d ORDER BY d COLLATE "C"), '{}') FROM (
        (SELECT '+ ' || x FROM unnest(tap_err.state()) x EXCEPT SELECT '+ ' || x FROM unnest((SELECT s FROM tap_err.snapshot)) x)
        UNION ALL
        (SELECT '- ' || x FROM unnest((SELECT s FROM tap_err.snapshot)) x EXCEPT SELECT '- ' || x FROM unnest(tap_err.state()) x)
    ) t(d)
$$;
-- a refusal: the SQLSTATE, and afterwards everything is as it was
CREATE FUNCTION tap_err.refused(sql text, code text, description text) RETURNS SETOF text LANGUAGE plpgsql AS $$
BEGIN
    PERFORM tap_err.snap();
    RETURN NEXT throws_ok(sql, code, NULL, description || ': ' || code);
    RETURN NEXT is(tap_err.changes(), '{}'::text[], description || ': nothing left behind');
END
$$;
CREATE FUNCTION tap_err.canary_alive(description text) RETURNS SETOF text LANGUAGE plpgsql AS $$
BEGIN
    RETURN NEXT ok(to_regclass('tap_err.canary') IS NOT NULL AND (SELECT count(*) FROM tap_err.canary) = 1,
                   description || ': canary table intact');
    RETURN NEXT ok(NOT (SELECT is_called FROM tap_err.canary_seq), description || ': canary sequence never called');
END
$$;

SELECT corm.register_model_class('IdModel', primary_key => 'id integer');
SELECT corm.register_mixin('TimestampMixin',
      columns  => 'created timestamp NOT NULL DEFAULT now(), updated timestamp',
      onupdate => 'updated = now()');
SELECT corm.register_model('User', model_class => 'IdModel', columns => 'name varchar');

-- ------------------------------------------------------ 42601: bad syntax
SELECT refused($$SELECT corm.register_model('Bad', model_class => 'IdModel', columns => 'a int,, b int')$$,
               '42601', 'a doubled comma');
SELECT refused($$SELECT corm.register_model('Bad', model_class => 'IdModel', columns => 'a int b int')$$,
               '42601', 'a missing comma');
SELECT refused($$SELECT corm.register_model('Bad', model_class => 'IdModel', columns => ',')$$,
               '42601', 'a lone comma');
SELECT refused($$SELECT corm.register_model('Bad', model_class => 'IdModel', columns => 'CREATE TABLE x (a int)')$$,
               '42601', 'a whole statement');
SELECT refused($$SELECT corm.register_model('Bad', model_class => 'IdModel', columns => 'a text DEFAULT ''abc')$$,
               '42601', 'an unterminated string');
SELECT refused($$SELECT corm.register_model('Bad', model_class => 'IdModel', columns => 'a int /* open')$$,
               '42601', 'an unterminated comment');
SELECT refused($$SELECT corm.register_model('Bad', model_class => 'IdModel', columns => 'a text DEFAULT $x$ open')$$,
               '42601', 'an unterminated dollar quote');
SELECT refused($$SELECT corm.register_model('Bad', model_class => 'IdModel', columns => 'a int (')$$,
               '42601', 'an unbalanced parenthesis');
-- text escaping the list
SELECT refused($$SELECT corm.register_model('Bad', model_class => 'IdModel', columns => 'a int); DROP TABLE canary; CREATE TABLE y (b int')$$,
               '42601', 'columns escaping the list into more statements');
SELECT refused($$SELECT corm.register_model('Bad', model_class => 'IdModel', columns => 'a int); SELECT nextval(''tap_err.canary_seq''); CREATE TABLE y (b int')$$,
               '42601', 'columns escaping the list into a SELECT');
SELECT refused($$SELECT corm.register_model('Bad', model_class => 'IdModel', columns => 'a int) INHERITS (canary')$$,
               '42601', 'columns escaping the list into INHERITS');
SELECT refused($$SELECT corm.register_model('Bad', model_class => 'IdModel', columns => 'a int) PARTITION BY RANGE (a')$$,
               '42601', 'columns escaping the list into PARTITION BY');
SELECT refused($$SELECT corm.register_model('Bad', model_class => 'IdModel', columns => 'a int) WITH (fillfactor = 10')$$,
               '42601', 'columns escaping the list into WITH');
SELECT refused($$SELECT corm.register_model('Bad', model_class => 'IdModel', columns => 'a int) TABLESPACE pg_default --')$$,
               '42601', 'columns escaping the list into TABLESPACE');
SELECT refused($$SELECT corm.register_model('Bad', model_class => 'IdModel', columns => 'a int) USING heap --')$$,
               '42601', 'columns escaping the list into USING');
SELECT refused($$SELECT corm.register_model('Bad', model_class => 'IdModel', columns => 'a int CHECK (a > 0)); DROP TABLE canary; --')$$,
               '42601', 'a CHECK clause escaping the list');
SELECT refused($$SELECT corm.register_model('Bad', model_class => 'IdModel', columns => 'a text DEFAULT ''x\''); DROP TABLE canary; --''')$$,
               '42601', 'a backslash does not escape a quote in a standard string');
SELECT refused($$SELECT corm.register_model('Bad', model_class => 'IdModel', columns => 'a int /* /* */ ); DROP TABLE canary; /* */')$$,
               '42601', 'comments nest as the server''s lexer says');
SELECT refused($$SELECT corm.register_mixin('BadMixin', columns => 'a int); DROP TABLE canary; CREATE TABLE y (b int')$$,
               '42601', 'mixin columns escaping the list');
SELECT refused($$SELECT corm.register_model_class('BadClass', primary_key => 'id int); DROP TABLE canary; CREATE TABLE y (b int')$$,
               '42601', 'a model-class key escaping the list');
SELECT refused($$SELECT corm.register_model_class('BadClass', primary_key => 'id integer', columns => 'a int) INHERITS (canary')$$,
               '42601', 'model-class columns escaping the list');
SELECT refused($$SELECT corm.register_model('Bad', model_class => 'IdModel', mixins => '{TimestampMixin}', onupdate => 'updated = now(); DROP TABLE canary')$$,
               '42601', 'onupdate escaping the SET list');
SELECT refused($$SELECT corm.register_model('Bad', model_class => 'IdModel', mixins => '{TimestampMixin}', onupdate => 'updated = now() WHERE true')$$,
               '42601', 'onupdate with a WHERE');
SELECT refused($$SELECT corm.register_model('Bad', model_class => 'IdModel', mixins => '{TimestampMixin}', onupdate => 'updated = now() RETURNING nextval(''tap_err.canary_seq'')')$$,
               '42601', 'onupdate with a RETURNING');
SELECT refused($$SELECT corm.register_mixin('BadMixin', columns => 'u timestamp', onupdate => 'u = now(); DROP TABLE canary')$$,
               '42601', 'a mixin''s onupdate escaping the SET list');
SELECT canary_alive('after the syntax errors');

-- ---------------------------------------------------- 42704: unknown names
SELECT refused($$SELECT corm.register_model('Bad', model_class => 'IdModel', columns => 'a nosuchtype')$$,
               '42704', 'an unknown type');
SELECT refused($$SELECT corm.register_mixin('BadMixin', columns => 'a nosuchtype')$$,
               '42704', 'an unknown type in a mixin');
SELECT refused($$SELECT corm.register_model_class('BadClass', primary_key => 'id nosuchtype')$$,
               '42704', 'an unknown type in a model-class key');
SELECT refused($$SELECT corm.register_model_class('BadClass', columns => 'a nosuchtype')$$,
               '42704', 'an unknown type in model-class columns');
SELECT refused($$SELECT corm.register_model('Bad', model_class => 'IdModel', mixins => '{NoSuchMixin}')$$,
               '42704', 'an unknown mixin');
SELECT refused($$SELECT corm.register_mixin('BadMixin', columns => 'a int', mixins => '{NoSuchMixin}')$$,
               '42704', 'an unknown included mixin');
SELECT refused($$SELECT corm.register_model('Bad', parent => 'NoSuchModel', columns => 'a int')$$,
               '42704', 'an unknown parent');
SELECT refused($$SELECT corm.register_model('Bad', model_class => 'NoSuchClass')$$,
               '42704', 'an unknown model class');
SELECT refused($$SELECT corm.register_model('Bad', model_class => 'IdModel', query_class => 'NoSuchQuery')$$,
               '42704', 'an unknown query class of a model');
SELECT refused($$SELECT corm.register_model_class('BadClass', primary_key => 'id integer', query_class => 'NoSuchQuery')$$,
               '42704', 'an unknown query class of a model class');
SELECT refused($$SELECT corm.register_model_class('BadClass', primary_key => 'id integer', meta => 'NoSuchMeta')$$,
               '42704', 'an unknown meta');
SELECT refused($$SELECT corm.register_model('Bad', model_class => 'IdModel', bind_key => 'nosuchbind')$$,
               '42704', 'an unknown bind key');
SELECT refused($$SELECT corm.register_model('Bad', model_class => 'IdModel', columns => 'a int REFERENCES nosuchtable')$$,
               '42P01', 'REFERENCES to a missing table');
SELECT throws_like($$SELECT corm.register_model('Bad', model_class => 'IdModel', mixins => '{NoSuchMixin}')$$,
                   '%"NoSuchMixin"%', 'the message names the unknown mixin');
SELECT throws_like($$SELECT corm.register_model('Bad', parent => 'NoSuchModel')$$,
                   '%"NoSuchModel"%', 'the message names the unknown parent');

-- ------------------------------------------------ 42P16: no primary key
SELECT refused($$SELECT corm.register_model('Keyless', columns => 'a int, b text')$$,
               '42P16', 'a model with no primary key');
SELECT refused($$SELECT corm.register_model('Keyless')$$,
               '42P16', 'a model with no columns at all');
SELECT refused($$SELECT corm.register_model('Keyless', columns => 'a int UNIQUE NOT NULL')$$,
               '42P16', 'UNIQUE NOT NULL is not a primary key');
SELECT throws_like($$SELECT corm.register_model('Keyless', columns => 'a int')$$,
                   '%"Keyless"%', 'the message names the model');
SELECT lives_ok($$SELECT corm.register_model('KeylessBase', abstract => true, columns => 'a int')$$,
                'an abstract model needs no primary key');
SELECT refused($$SELECT corm.register_model('KeylessChild', parent => 'KeylessBase', columns => 'b int')$$,
               '42P16', 'a model under a keyless abstract parent, with no key');

-- -------------------------------------------- 42P16: NoNameMeta without tablename
SELECT lives_ok($$SELECT corm.register_model_class('Manual', primary_key => 'id integer', meta => 'NoNameMeta')$$,
                'a model class under NoNameMeta');
SELECT refused($$SELECT corm.register_model('Thing', model_class => 'Manual')$$,
               '42P16', 'NoNameMeta and no tablename');
SELECT throws_like($$SELECT corm.register_model('Thing', model_class => 'Manual')$$,
                   '%"Thing"%', 'the message names the model');
SELECT lives_ok($$SELECT corm.register_model('Thing', model_class => 'Manual', tablename => 'things')$$,
                'NoNameMeta with a tablename');
SELECT has_table('tap_err', 'things', 'the given tablename is used');
SELECT hasnt_table('tap_err', 'thing', 'no generated name');

-- ---------------------------------------------------- 42622: names too long
SELECT refused(format($$SELECT corm.register_model(%L, model_class => 'IdModel')$$, 'X' || repeat('y', 63)),
               '42622', 'a generated table name of 64 bytes');
SELECT refused(format($$SELECT corm.register_model(%L, model_class => 'IdModel')$$, 'X' || repeat('y', 62)),
               '42622', 'a 63-byte table name leaves no room for its <name>_view');
SELECT refused(format($$SELECT corm.register_model(%L, model_class => 'IdModel')$$, 'X' || repeat('y', 50)),
               '42622', 'a 51-byte table name leaves no room for <name>_first_or_404');
SELECT lives_ok(format($$SELECT corm.register_model(%L, model_class => 'IdModel')$$, 'X' || repeat('y', 49)),
                'a generated table name of 50 bytes, and its 63-byte function names');
SELECT has_table('tap_err', ('x' || repeat('y', 49))::name, 'the 50-byte name is used untruncated');
SELECT refused(format($$SELECT corm.register_model('LongName', model_class => 'IdModel', tablename => %L)$$, repeat('t', 64)),
               '42622', 'a given table name of 64 bytes');
SELECT refused(format($$SELECT corm.register_model('LongName', model_class => 'IdModel', tablename => %L)$$, repeat('é', 32)),
               '42622', 'a given table name of 32 two-byte characters (64 bytes)');
SELECT refused(format($$SELECT corm.register_model('LongName', model_class => 'IdModel', columns => %L)$$, repeat('c', 64) || ' int'),
               '42622', 'a column name of 64 bytes');
SELECT refused(format($$SELECT corm.register_model('LongName', model_class => 'IdModel', columns => %L)$$, '"' || repeat('C', 64) || '" int'),
               '42622', 'a quoted column name of 64 bytes');
SELECT refused(format($$SELECT corm.register_model('LongName', model_class => 'IdModel', columns => %L)$$, 'a int REFERENCES ' || repeat('r', 64)),
               '42622', 'a referenced table name of 64 bytes');
SELECT refused(format($$SELECT corm.register_model('LongName', model_class => 'IdModel', columns => %L)$$, 'a int, CONSTRAINT ' || repeat('k', 64) || ' CHECK (a > 0)'),
               '42622', 'a constraint name of 64 bytes');
SELECT refused(format($$SELECT corm.register_mixin('LongMixin', columns => %L)$$, repeat('c', 64) || ' int'),
               '42622', 'a mixin column name of 64 bytes');
SELECT refused(format($$SELECT corm.register_model_class('LongClass', primary_key => %L)$$, repeat('c', 64) || ' integer'),
               '42622', 'a model-class key name of 64 bytes');
SELECT lives_ok(format($$SELECT corm.register_model('LongOk', model_class => 'IdModel', columns => %L)$$,
                       repeat('c', 63) || ' int, "' || repeat('C', 63) || $c$" text DEFAULT '$c$ || repeat('v', 100) ||
                       $c$', e text DEFAULT E'$c$ || repeat('w', 100) || $c$', d text DEFAULT $q$$c$ || repeat('q', 100) || '$q$'),
                '63-byte column names and long string constants are fine');
SELECT lives_ok(format($$SELECT corm.register_model('LongUnicode', model_class => 'IdModel', columns => %L)$$,
                       $c$u text DEFAULT U&'$c$ || repeat('u', 100) || $c$'$c$),
                'a long U&'' '' string constant is not an identifier');
SELECT canary_alive('after the name checks');

-- -------------------------------------------- 42P07: name already taken
CREATE TABLE tap_err.taken (x int);
CREATE VIEW tap_err.taken_view AS SELECT 1 AS x;
SELECT refused($$SELECT corm.register_model('Taken', model_class => 'IdModel')$$,
               '42P07', 'a generated name colliding with an existing table');
SELECT refused($$SELECT corm.register_model('Other', model_class => 'IdModel', tablename => 'taken')$$,
               '42P07', 'a given name colliding with an existing table');
SELECT refused($$SELECT corm.register_model('Other', model_class => 'IdModel', tablename => 'taken_view')$$,
               '42P07', 'a given name colliding with a view');
SELECT refused($$SELECT corm.register_model('Other', model_class => 'IdModel', tablename => 'canary_seq')$$,
               '42P07', 'a given name colliding with a sequence');
SELECT refused($$SELECT corm.register_model('Other', model_class => 'IdModel', tablename => 'user')$$,
               '42P07', 'a given name colliding with another model''s table');
SELECT is((SELECT count(*)::int FROM tap_err.taken), 0, 'the existing table is untouched');
SELECT is(ARRAY(SELECT attname::text FROM pg_attribute WHERE attrelid = 'tap_err.taken'::regclass AND attnum > 0 ORDER BY attnum),
          ARRAY['x'], 'the existing table keeps its columns');

-- -------------------------------------------------- 42P17: cycles
SELECT corm.register_model('Root', model_class => 'IdModel');
SELECT corm.register_model('Branch', parent => 'Root', columns => 'b int');
SELECT corm.register_model('Leaf', parent => 'Branch', columns => 'l int');
SELECT refused($$SELECT corm.register_model('Root', model_class => 'IdModel', parent => 'Leaf')$$,
               '42P17', 'a model inheriting from its own descendant');
SELECT refused($$SELECT corm.register_model('Root', model_class => 'IdModel', parent => 'Root')$$,
               '42P17', 'a model inheriting from itself');
SELECT corm.register_mixin('MixX', columns => 'x1 int');
SELECT corm.register_mixin('MixY', columns => 'y1 int', mixins => '{MixX}');
SELECT corm.register_mixin('MixZ', columns => 'z1 int', mixins => '{MixY}');
SELECT refused($$SELECT corm.register_mixin('MixX', columns => 'x1 int', mixins => '{MixZ}')$$,
               '42P17', 'a mixin cycle of three');
SELECT refused($$SELECT corm.register_mixin('MixX', columns => 'x1 int', mixins => '{MixY}')$$,
               '42P17', 'a mixin cycle of two');
SELECT refused($$SELECT corm.register_mixin('MixX', columns => 'x1 int', mixins => '{MixX}')$$,
               '42P17', 'a mixin including itself');

-- ------------------------------------------------ 42701: duplicate column
SELECT refused($$SELECT corm.register_model('Dup', model_class => 'IdModel', columns => 'a int, a int')$$,
               '42701', 'a column twice in a model''s list');
SELECT refused($$SELECT corm.register_model('Dup', model_class => 'IdModel', columns => 'a int, "a" text')$$,
               '42701', 'a column twice, once quoted');
SELECT refused($$SELECT corm.register_model('Dup', model_class => 'IdModel', columns => 'id integer, id text')$$,
               '42701', 'the key column twice');
SELECT refused($$SELECT corm.register_mixin('DupMixin', columns => 'a int, a text')$$,
               '42701', 'a column twice in a mixin''s list');
SELECT refused($$SELECT corm.register_model_class('DupClass', primary_key => 'id integer', columns => 'a int, a int')$$,
               '42701', 'a column twice in a model class''s list');
SELECT refused($$SELECT corm.register_model('Dup', model_class => 'IdModel', columns => 'xmin int')$$,
               '42701', 'a system column name');
SELECT refused($$SELECT corm.register_model('Dup', model_class => 'IdModel', mixins => '{TimestampMixin}', onupdate => 'updated = now(), updated = now()')$$,
               '42701', 'a column twice in onupdate');

-- -------------------------------------------- 22004: null names, 42939: Model
SELECT refused($$SELECT corm.register_model(NULL, model_class => 'IdModel')$$, '22004', 'a null model name');
SELECT refused($$SELECT corm.register_mixin(NULL, columns => 'a int')$$, '22004', 'a null mixin name');
SELECT refused($$SELECT corm.register_model_class(NULL, primary_key => 'id integer')$$, '22004', 'a null model class name');
SELECT refused($$SELECT corm.register_model('Bad', model_class => 'IdModel', mixins => ARRAY[NULL]::text[])$$, '22004', 'a null mixin in mixins');
SELECT refused($$SELECT corm.register_model_class('Model', primary_key => 'id integer')$$, '42939', 'redefining the built-in Model');
SELECT refused($$SELECT corm.register_model_class('Model')$$, '42939', 'redefining Model even unchanged');
SELECT is((SELECT row(primary_key, columns, meta, query_class)::text FROM corm.model_class WHERE name = 'Model'),
          '(,,DefaultMeta,BaseQuery)', 'Model is still the built-in');

-- ------------------------------------------------------ other refusals
SELECT refused($$SELECT corm.register_model('Bad', model_class => 'IdModel', columns => 'a int', polymorphic_on => 'nosuchcolumn')$$,
               '42703', 'polymorphic_on naming no column');
SELECT refused($$SELECT corm.register_model('Bad', model_class => 'IdModel', columns => 'a int', onupdate => 'b = 1')$$,
               '42703', 'onupdate of an unknown column');
SELECT refused($$SELECT corm.register_mixin('BadMixin', columns => 'a int', onupdate => 'b = 1')$$,
               '42703', 'a mixin''s onupdate of a column it does not have');

-- ---------------------------------------------------------- injection
-- names and literals that would break out of a statement if pasted into it:
-- they either register with the exact name, or are refused cleanly
SELECT lives_ok($$SELECT corm.register_model('Robert"); DROP TABLE canary; --', model_class => 'IdModel')$$,
                'a model name with a double quote and a statement');
SELECT has_table('tap_err', corm.camel_to_snake_case('Robert"); DROP TABLE canary; --')::name,
                 'its generated table name is used literally');
SELECT is((SELECT count(*)::int FROM corm.model WHERE name = 'Robert"); DROP TABLE canary; --'), 1, 'the exact model name is in the catalog');
SELECT lives_ok($$SELECT corm.register_model($n$O'Brien'); DROP TABLE canary; --$n$, model_class => 'IdModel')$$,
                'a model name with a single quote');
SELECT has_table('tap_err', corm.camel_to_snake_case($n$O'Brien'); DROP TABLE canary; --$n$)::name, 'its table exists');
SELECT lives_ok($o$SELECT corm.register_model('$$; DROP TABLE canary; $$', model_class => 'IdModel')$o$, 'a model name with dollar quotes');
SELECT has_table('tap_err', '$$; drop table canary; $$'::name, 'its table exists');
SELECT lives_ok($$SELECT corm.register_model('Note /* x */ -- y', model_class => 'IdModel')$$, 'a model name with comments');
SELECT has_table('tap_err', 'note /* x */ -- y'::name, 'its table exists');
SELECT lives_ok($$SELECT corm.register_model('Quoted', model_class => 'IdModel', tablename => 'x"; DROP TABLE canary; --')$$,
                'a tablename with a double quote and a statement');
SELECT has_table('tap_err', 'x"; DROP TABLE canary; --'::name, 'the tablename is used literally');
SELECT lives_ok($$SELECT corm.register_model('Quoted2', model_class => 'IdModel', tablename => $t$y'); SELECT nextval('tap_err.canary_seq'); --$t$)$$,
                'a tablename with a single quote and a statement');
SELECT has_table('tap_err', $t$y'); SELECT nextval('tap_err.canary_seq'); --$t$::name, 'the tablename is used literally');
SELECT lives_ok($$SELECT corm.register_mixin('Mix"; DROP TABLE canary; --', columns => 'm int')$$, 'a mixin name with a double quote');
SELECT lives_ok($$SELECT corm.register_model('UsesMix', model_class => 'IdModel', mixins => ARRAY['Mix"; DROP TABLE canary; --'])$$,
                'a model using it');
SELECT has_column('tap_err', 'uses_mix', 'm', 'the mixin''s column is there');
SELECT lives_ok($$SELECT corm.register_model_class($n$Cls'); DROP TABLE canary; --$n$, primary_key => '"id""; DROP TABLE canary; --" integer')$$,
                'a model class name and key column name with quotes');
SELECT lives_ok($$SELECT corm.register_model('UsesCls', model_class => $n$Cls'); DROP TABLE canary; --$n$)$$, 'a model using it');
SELECT col_is_pk('tap_err', 'uses_cls', 'id"; DROP TABLE canary; --', 'the key column has the exact name');
SELECT lives_ok($$SELECT corm.register_model('Cols', model_class => 'IdModel', columns => $c$
        "a""); DROP TABLE canary; --" int,
        b text DEFAULT 'x''); DROP TABLE canary; --',
        c text DEFAULT $d$); DROP TABLE canary; --$d$,
        d text DEFAULT E'\'); DROP TABLE canary; --',
        e int /* ); DROP TABLE canary; */ DEFAULT 5,
        f int -- ); DROP TABLE canary;
    $c$)$$, 'column names and defaults carrying statements inside quotes and comments');
SELECT is(ARRAY(SELECT attname::text FROM pg_attribute WHERE attrelid = 'tap_err.cols'::regclass AND attnum > 0 ORDER BY attnum),
          ARRAY['id', 'a"); DROP TABLE canary; --', 'b', 'c', 'd', 'e', 'f'], 'exactly these columns, names literal');
SELECT col_default_is('tap_err', 'cols', 'b', $v$x'); DROP TABLE canary; --$v$::text, 'a quoted default is a literal');
SELECT col_default_is('tap_err', 'cols', 'c', $v$); DROP TABLE canary; --$v$::text, 'a dollar-quoted default is a literal');
SELECT col_default_is('tap_err', 'cols', 'd', $v$'); DROP TABLE canary; --$v$::text, 'an E'' '' default is a literal');
SELECT col_default_is('tap_err', 'cols', 'e', '5'::text, 'a comment inside a column is only a comment');
SELECT lives_ok($$SELECT corm.register_model('Commented', model_class => 'IdModel', tablename => 'a /* b */ -- c')$$,
                'a tablename with comment markers');
SELECT has_table('tap_err', 'a /* b */ -- c'::name, 'the tablename is used literally');
SELECT lives_ok($$SELECT corm.register_model('Stamped', model_class => 'IdModel', mixins => '{TimestampMixin}',
                       onupdate => 'updated = now() -- ; DROP TABLE canary
                                    /* ; SELECT nextval(''tap_err.canary_seq'') */')$$,
                'an onupdate list with statements inside comments');
SELECT refused($$SELECT corm.register_model('Bad', model_class => 'IdModel', columns => 'a "int); DROP TABLE canary; --"')$$,
               '42704', 'a quoted type name carrying a statement is an unknown type');
SELECT refused($$SELECT corm.register_model('Bad', model_class => 'IdModel', columns => 'a int REFERENCES "canary""); DROP TABLE canary; --"')$$,
               '42P01', 'a quoted REFERENCES target carrying a statement is an unknown table');
SELECT refused($$SELECT corm.register_model('Bad"; DROP TABLE canary; --', parent => 'User"; DROP TABLE canary; --')$$,
               '42704', 'a parent name carrying a statement');
SELECT refused($$SELECT corm.register_model('Bad', model_class => $n$IdModel'); DROP TABLE canary; --$n$)$$,
               '42704', 'a model class name carrying a statement');
SELECT refused($$SELECT corm.register_model('Bad', model_class => 'IdModel', query_class => $n$BaseQuery'); DROP TABLE canary; --$n$)$$,
               '42704', 'a query class name carrying a statement');
SELECT refused($$SELECT corm.register_model('Bad', model_class => 'IdModel', bind_key => $n$x'); DROP TABLE canary; --$n$)$$,
               '42704', 'a bind key carrying a statement');
SELECT refused($$SELECT corm.register_model_class('BadClass', primary_key => 'id integer', meta => $n$DefaultMeta'); DROP TABLE canary; --$n$)$$,
               '42704', 'a meta name carrying a statement');
SELECT refused($$SELECT corm.register_model('Bad', model_class => 'IdModel', columns => 'kind text', polymorphic_on => 'kind; DROP TABLE canary')$$,
               '42703', 'a discriminator name carrying a statement');
SELECT lives_ok($$SELECT corm.register_model('Poly', model_class => 'IdModel', columns => '"kind""; DROP TABLE canary; --" text',
                       polymorphic_on => 'kind"; DROP TABLE canary; --', polymorphic_identity => $i$P'); DROP TABLE canary; --$i$)$$,
                'a discriminator column and identity with quotes and statements');
SELECT is((SELECT polymorphic_identity FROM corm.model WHERE name = 'Poly'), $i$P'); DROP TABLE canary; --$i$,
          'the identity is stored literally');
-- a schema whose name needs quoting
CREATE SCHEMA "tap_err""; DROP TABLE canary; --";
SET search_path = "tap_err""; DROP TABLE canary; --", tap_err, public;
SELECT lives_ok($$SELECT corm.register_model('InOddSchema', model_class => 'IdModel', columns => 'u int REFERENCES tap_err."user"')$$,
                'a model created in a schema whose name carries a statement');
SELECT has_table('tap_err"; DROP TABLE canary; --', 'in_odd_schema', 'its table is in that schema');
SELECT lives_ok($$SELECT corm.register_model('OddChild', parent => 'InOddSchema', columns => 'v int')$$,
                'a joined subclass of it');
SELECT fk_ok('tap_err"; DROP TABLE canary; --', 'odd_child', 'id', 'tap_err"; DROP TABLE canary; --', 'in_odd_schema', 'id',
             'the foreign key to its parent names the schema correctly');
SET search_path = tap_err, public;
SELECT canary_alive('after the injection attempts');

SELECT * FROM finish();
ROLLBACK;
