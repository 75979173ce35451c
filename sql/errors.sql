-- Refusals (SPEC §9): each with its SQLSTATE, a message naming the object,
-- a HINT where the fix is not obvious; nothing is left behind.
CREATE SCHEMA errors;
SET search_path = errors;
-- sqlstate_of() runs a call and gives its SQLSTATE, for the summary at the end
CREATE FUNCTION sqlstate_of(call text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE call;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE;
END $$;
SELECT corm.register_model_class('ErrKeyed', primary_key => 'id integer');

-- unknown objects: 42704
SELECT corm.register_model('A', parent => 'NoSuchModel');
SELECT corm.register_model('A', model_class => 'NoSuchClass');
SELECT corm.register_model('A', model_class => 'ErrKeyed', query_class => 'NoSuchQuery');
SELECT corm.register_model('A', model_class => 'ErrKeyed', bind_key => 'nosuchbind');
SELECT corm.register_model_class('K2', meta => 'NoSuchMeta');
SELECT corm.register_model_class('K2', query_class => 'NoSuchQuery');

-- no primary key: 42P16
SELECT corm.register_model('NoKey', columns => 'a int');

-- table names: NoNameMeta wants a tablename (42P16), too long (42622),
-- taken (42P07)
SELECT corm.register_model_class('ErrManual', primary_key => 'id integer', meta => 'NoNameMeta');
SELECT corm.register_model('ErrWidget', model_class => 'ErrManual');
SELECT corm.register_model('ErrWidget', model_class => 'ErrManual', tablename => 'widget_tbl');
SELECT corm.register_model('AVeryLongClassNameThatBecomesATableNameLongerThanSixtyThreeBytes', model_class => 'ErrKeyed');
SELECT corm.register_model('Short', model_class => 'ErrKeyed', tablename => repeat('t', 64));
CREATE TABLE taken (x int);
SELECT corm.register_model('Taken', model_class => 'ErrKeyed');
SELECT corm.register_model('Other', model_class => 'ErrKeyed', tablename => 'widget_tbl');
SELECT count(*) AS rows_left FROM corm.model
 WHERE name IN ('A', 'NoKey', 'Short', 'Taken', 'Other')
    OR name LIKE 'AVeryLong%';

-- bad names: 22004, 42602
SELECT corm.register_model(NULL);
SELECT corm.register_model('');
SELECT corm.register_mixin(E'tab\there');
SELECT corm.register_model_class(NULL);

-- built-ins cannot be redefined: 42939
SELECT corm.register_model_class('Model', primary_key => 'id integer');

-- names with quotes and semicolons are only names
SELECT corm.register_model('Robert''); DROP TABLE taken; --', model_class => 'ErrKeyed');
SELECT corm.register_model('Quote"Name', model_class => 'ErrKeyed');
SELECT name, "table" FROM corm.models WHERE name LIKE 'Robert%' OR name LIKE 'Quote%' ORDER BY name COLLATE "C";
SELECT to_regclass('taken') IS NOT NULL AS taken_still_there;

-- the SQLSTATE of each refusal, as a client sees it
SELECT call, sqlstate_of(call) FROM (VALUES
    ($$SELECT corm.register_model('A', parent => 'NoSuchModel')$$),
    ($$SELECT corm.register_model('A', model_class => 'NoSuchClass')$$),
    ($$SELECT corm.register_model('A', model_class => 'ErrKeyed', query_class => 'NoSuchQuery')$$),
    ($$SELECT corm.register_model('A', model_class => 'ErrKeyed', bind_key => 'nosuchbind')$$),
    ($$SELECT corm.register_model('A', model_class => 'ErrKeyed', mixins => '{NoSuchMixin}')$$),
    ($$SELECT corm.register_model('A', model_class => 'ErrKeyed', columns => 'x nosuchtype')$$),
    ($$SELECT corm.register_model_class('K2', meta => 'NoSuchMeta')$$),
    ($$SELECT corm.register_model('NoKey', columns => 'a int')$$),
    ($$SELECT corm.register_model('ErrGadget', model_class => 'ErrManual')$$),
    ($$SELECT corm.register_model('Short', model_class => 'ErrKeyed', tablename => repeat('t', 64))$$),
    ($$SELECT corm.register_model('Taken', model_class => 'ErrKeyed')$$),
    ($$SELECT corm.register_model('A', model_class => 'ErrKeyed', columns => 'a int,, b int')$$),
    ($$SELECT corm.register_model('A', model_class => 'ErrKeyed', columns => 'a int, a int')$$),
    ($$SELECT corm.register_model(NULL)$$),
    ($$SELECT corm.register_model('')$$),
    ($$SELECT corm.register_model_class('Model')$$),
    ($$SELECT corm.register_model('ErrKeyed2', parent => 'ErrKeyed2')$$),
    ($$SELECT corm.register_mixin('M', mixins => '{M}')$$)
) AS t(call);
