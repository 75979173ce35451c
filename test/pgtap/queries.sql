-- corm: query classes and relationships (SPEC §6): query methods become a
-- function per model; BaseQuery's get, get_or_404, count and paginate behave as
-- Flask-SQLAlchemy's Query; the relationship's, model's or model class's query
-- class applies, in that order; relationships give the related rows and methods
-- scoped to them.
BEGIN;
SET client_min_messages = warning;
SET lc_messages = 'C';  -- error texts are matched below: in English, whatever the server's
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION corm;
CREATE SCHEMA tap_queries;
SET search_path = tap_queries, public;

SELECT plan(127);

-- the SQLSTATE, message and HINT of a statement's error
CREATE FUNCTION tap_queries.error_of(call text, OUT state text, OUT message text, OUT hint text)
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE call;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT, hint = PG_EXCEPTION_HINT;
END $$;
-- the JSON plan of a query
CREATE FUNCTION tap_queries.plan_of(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE p json;
BEGIN
    EXECUTE 'EXPLAIN (FORMAT JSON) ' || q INTO p;
    RETURN p::text;
END $$;
-- the functions of tap_queries whose names match a pattern
CREATE FUNCTION tap_queries.functions_like(pattern text) RETURNS text[] LANGUAGE sql AS $$
    SELECT coalesce(array_agg(p.oid::regprocedure::text ORDER BY p.oid::regprocedure::text COLLATE "C"), '{}')
      FROM pg_proc p WHERE p.pronamespace = 'tap_queries'::regnamespace AND p.proname LIKE pattern
$$;

SELECT corm.register_model_class('QrIdModel', primary_key => 'id integer');

-- ------------------------------------------------------ the seed's GetOrQuery
SELECT corm.register_query_class('QrGetOrQuery');
SELECT corm.register_query_method('QrGetOrQuery', 'get_or',
  args    => 'ident @pktype@, "default" @rowtype@ DEFAULT NULL',
  returns => '@rowtype@',
  body    => 'SELECT coalesce((SELECT m FROM @view@ m WHERE m.@pk@ = ident), "default")');
SELECT corm.register_model('QrUser', model_class => 'QrIdModel', columns => 'name varchar',
                           query_class => 'QrGetOrQuery');
-- rows inserted out of key order
INSERT INTO qr_user (id, name) VALUES (5, 'eve'), (3, 'cy'), (1, 'ann'), (4, 'dee'), (2, 'bob');

SELECT has_function('tap_queries', 'qr_user_get_or', ARRAY['integer', 'qr_user_view'], 'qr_user_get_or(integer, qr_user_view) exists');
SELECT results_eq($$SELECT * FROM qr_user_get_or(42, ROW(0, 'anonymous')::qr_user_view)$$,
                  $$VALUES (0, 'anonymous'::varchar)$$, 'qr_user_get_or(42, default) returns the default');
SELECT results_eq($$SELECT * FROM qr_user_get_or(2, ROW(0, 'anonymous')::qr_user_view)$$,
                  $$VALUES (2, 'bob'::varchar)$$, 'qr_user_get_or(2, default) returns the existing row');
SELECT is((qr_user_get_or(3)).name, 'cy'::varchar, 'the default argument may be left out');
SELECT results_eq($$SELECT id IS NULL AND name IS NULL FROM qr_user_get_or(42)$$, $$VALUES (true)$$,
                  'without a default a missing row is NULL');

-- --------------------------------------------------- BaseQuery's methods
SELECT has_function('tap_queries', 'qr_user_get', ARRAY['integer'], 'qr_user_get(integer) exists');
SELECT has_function('tap_queries', 'qr_user_get_or_404', ARRAY['integer', 'text'], 'qr_user_get_or_404(integer, description text) exists');
SELECT has_function('tap_queries', 'qr_user_count', ARRAY['boolean'], 'qr_user_count(estimate boolean) exists');
SELECT has_function('tap_queries', 'qr_user_paginate', ARRAY['integer', 'integer', 'integer', 'boolean', 'boolean'],
                    'qr_user_paginate(page, per_page, max_per_page, error_out, count) exists');
SELECT results_eq($$SELECT * FROM qr_user_get(1)$$, $$VALUES (1, 'ann'::varchar)$$, 'get(1) returns the row');
SELECT results_eq($$SELECT id IS NULL AND name IS NULL FROM qr_user_get(99)$$, $$VALUES (true)$$,
                  'get(99) returns one row of NULLs');
SELECT results_eq($$SELECT * FROM qr_user_get_or_404(4)$$, $$VALUES (4, 'dee'::varchar)$$, 'get_or_404(4) returns the row');
SELECT throws_ok($$SELECT * FROM qr_user_get_or_404(99)$$, 'P0002', 'QrUser 99 not found',
                 'get_or_404(99): no_data_found (P0002), "QrUser 99 not found"');
SELECT throws_ok($$SELECT (qr_user_get_or_404(-7)).name$$, 'P0002', 'QrUser -7 not found',
                 'get_or_404 called in the select list: the same error');
SELECT is(qr_user_count(), 5::bigint, 'count() is 5');

-- paginate, as Flask-SQLAlchemy's Pagination
SELECT is((SELECT array_agg(k) FROM json_object_keys(row_to_json(qr_user_paginate())) k),
          ARRAY['items', 'page', 'per_page', 'total', 'pages', 'has_prev', 'has_next', 'prev_num', 'next_num',
                'first', 'last'],
          'paginate() has the fields of Pagination, in order');
SELECT is(pg_typeof((qr_user_paginate()).items), 'qr_user_view[]'::regtype, 'items is an array of the model''s rows');
SELECT results_eq($$SELECT items::text, page::int, per_page::int, total::int, pages::int, has_prev, has_next,
                           prev_num::int, next_num::int FROM qr_user_paginate()$$,
                  $$VALUES ('{"(1,ann)","(2,bob)","(3,cy)","(4,dee)","(5,eve)"}', 1, 20, 5, 1, false, false, NULL::int, NULL::int)$$,
                  'paginate(): page 1, 20 per page, every row ordered by primary key');
SELECT results_eq($$SELECT items::text, page::int, per_page::int, total::int, pages::int, has_prev, has_next,
                           prev_num::int, next_num::int FROM qr_user_paginate(page => 1, per_page => 2)$$,
                  $$VALUES ('{"(1,ann)","(2,bob)"}', 1, 2, 5, 3, false, true, NULL::int, 2)$$,
                  'page 1 of 3: no previous page, prev_num NULL');
SELECT results_eq($$SELECT items::text, page::int, per_page::int, total::int, pages::int, has_prev, has_next,
                           prev_num::int, next_num::int FROM qr_user_paginate(page => 2, per_page => 2)$$,
                  $$VALUES ('{"(3,cy)","(4,dee)"}', 2, 2, 5, 3, true, true, 1, 3)$$,
                  'page 2 of 3: both neighbours');
SELECT results_eq($$SELECT items::text, page::int, per_page::int, total::int, pages::int, has_prev, has_next,
                           prev_num::int, next_num::int FROM qr_user_paginate(page => 3, per_page => 2)$$,
                  $$VALUES ('{"(5,eve)"}', 3, 2, 5, 3, true, false, 2, NULL::int)$$,
                  'page 3 of 3: the last, partly filled; next_num NULL');
SELECT results_eq($$SELECT items::text, per_page::int, pages::int, has_next, next_num::int
                      FROM qr_user_paginate(per_page => 10, max_per_page => 2)$$,
                  $$VALUES ('{"(1,ann)","(2,bob)"}', 2, 3, true, 2)$$,
                  'per_page is capped at max_per_page');
SELECT results_eq($$SELECT per_page::int, pages::int FROM qr_user_paginate(per_page => 2, max_per_page => 10)$$,
                  $$VALUES (2, 3)$$, 'a max_per_page above per_page changes nothing');
SELECT results_eq($$SELECT per_page::int, pages::int FROM qr_user_paginate(per_page => 4)$$,
                  $$VALUES (4, 2)$$, 'pages = ceil(5 / 4) = 2');
SELECT results_eq($$SELECT per_page::int, pages::int FROM qr_user_paginate(per_page => 5)$$,
                  $$VALUES (5, 1)$$, 'pages = ceil(5 / 5) = 1');
SELECT throws_ok($$SELECT * FROM qr_user_paginate(page => 0)$$, '22023', NULL, 'page 0: invalid_parameter_value (22023)');
SELECT throws_ok($$SELECT * FROM qr_user_paginate(page => -1)$$, '22023', NULL, 'page -1: 22023');
SELECT throws_ok($$SELECT * FROM qr_user_paginate(per_page => 0)$$, '22023', NULL, 'per_page 0: 22023');
SELECT throws_ok($$SELECT * FROM qr_user_paginate(per_page => -5)$$, '22023', NULL, 'per_page -5: 22023');
SELECT throws_ok($$SELECT * FROM qr_user_paginate(page => 4, per_page => 2)$$, 'P0002', NULL,
                 'page 4 of 3: no_data_found (P0002), Flask''s 404');
SELECT throws_ok($$SELECT * FROM qr_user_paginate(page => 2)$$, 'P0002', NULL, 'page 2 of 1: P0002');
SELECT corm.register_model('QrEmpty', model_class => 'QrIdModel', columns => 'x int');
SELECT results_eq($$SELECT items::text, page::int, total::int, pages::int, has_prev, has_next, prev_num::int, next_num::int
                      FROM qr_empty_paginate()$$,
                  $$VALUES ('{}', 1, 0, 0, false, false, NULL::int, NULL::int)$$,
                  'page 1 of an empty table: no items, total 0, pages 0, no neighbours');
SELECT throws_ok($$SELECT * FROM qr_empty_paginate(page => 2)$$, 'P0002', NULL, 'page 2 of an empty table: P0002');
SELECT is(qr_empty_count(), 0::bigint, 'count() of an empty table is 0');
SELECT results_eq($$SELECT id IS NULL FROM qr_empty_get(1)$$, $$VALUES (true)$$, 'get() on an empty table: a row of NULLs');

-- -------------------------------------------- query classes inherit methods
SELECT corm.register_query_class('QrCountingQuery', base => 'QrGetOrQuery');
SELECT corm.register_query_method('QrCountingQuery', 'named',
  args => 'pattern text', returns => 'SETOF @rowtype@',
  body => 'SELECT * FROM @view@ WHERE name LIKE pattern ORDER BY @pk@');
SELECT corm.register_query_class('QrDeepQuery', base => 'QrCountingQuery');
SELECT corm.register_query_method('QrDeepQuery', 'first_named',
  args => 'pattern text', returns => '@rowtype@',
  body => 'SELECT m FROM @view@ m WHERE m.name LIKE pattern ORDER BY m.@pk@ LIMIT 1');
SELECT corm.register_model_class('QrCounted', primary_key => 'id integer', query_class => 'QrCountingQuery');
SELECT corm.register_model('QrClient', model_class => 'QrCounted', columns => 'name text');
SELECT corm.register_model('QrVipClient', parent => 'QrClient', columns => 'level int');
SELECT corm.register_model('QrPlainClient', model_class => 'QrCounted', query_class => 'BaseQuery', columns => 'name text');
SELECT corm.register_model('QrDeep', model_class => 'QrIdModel', query_class => 'QrDeepQuery', columns => 'name text');

-- a model class's default query class
SELECT has_function('tap_queries', 'qr_client_named', ARRAY['text'], 'QrClient gets QrCountingQuery''s method from its model class');
SELECT has_function('tap_queries', 'qr_client_get_or', ARRAY['integer', 'qr_client_view'], 'and QrGetOrQuery''s, its base''s');
SELECT has_function('tap_queries', 'qr_client_get', ARRAY['integer'], 'and BaseQuery''s');
-- a model's own query class over its model class's
SELECT has_function('tap_queries', 'qr_plain_client_get', ARRAY['integer'], 'QrPlainClient (query_class BaseQuery) has get');
SELECT hasnt_function('tap_queries', 'qr_plain_client_named', ARRAY['text'], 'but not its model class''s named');
SELECT hasnt_function('tap_queries', 'qr_plain_client_get_or', ARRAY['integer', 'qr_plain_client_view'], 'nor get_or');
SELECT is(functions_like('qr\_plain\_client\_%'),
          ARRAY['qr_plain_client_count(boolean)', 'qr_plain_client_first_or_404(text)', 'qr_plain_client_get(integer)', 'qr_plain_client_get_or_404(integer,text)', 'qr_plain_client_keyset(integer,text,text,text)',
                'qr_plain_client_paginate(integer,integer,integer,boolean,boolean)'],
          'QrPlainClient has exactly BaseQuery''s functions');
-- three levels of query classes
SELECT is(functions_like('qr\_deep\_%'),
          ARRAY['qr_deep_count(boolean)', 'qr_deep_first_named(text)', 'qr_deep_first_or_404(text)', 'qr_deep_get(integer)', 'qr_deep_get_or(integer,qr_deep_view)',
                'qr_deep_get_or_404(integer,text)', 'qr_deep_keyset(integer,text,text,text)', 'qr_deep_named(text)', 'qr_deep_paginate(integer,integer,integer,boolean,boolean)'],
          'QrDeep has the methods of QrDeepQuery, QrCountingQuery, QrGetOrQuery and BaseQuery');
-- a joined subclass: its own functions over its own view
SELECT has_function('tap_queries', 'qr_vip_client_named', ARRAY['text'], 'the joined QrVipClient inherits the query class: named');
SELECT has_function('tap_queries', 'qr_vip_client_get_or', ARRAY['integer', 'qr_vip_client_view'], 'get_or over its own row type');
SELECT function_returns('tap_queries', 'qr_vip_client_named', ARRAY['text'], 'setof qr_vip_client_view',
                        'qr_vip_client_named returns its own view''s rows');
INSERT INTO qr_vip_client_view (name, level) VALUES ('vic', 1), ('val', 2);
INSERT INTO qr_client_view (name) VALUES ('cal');
INSERT INTO qr_deep (name) VALUES ('zed'), ('zack');
SELECT results_eq($$SELECT id, name, level FROM qr_vip_client_named('v%')$$,
                  $$VALUES (1, 'vic', 1), (2, 'val', 2)$$, 'qr_vip_client_named reads qr_vip_client_view, with level');
SELECT results_eq($$SELECT id, name FROM qr_client_named('%')$$,
                  $$VALUES (1, 'vic'), (2, 'val'), (3, 'cal')$$, 'qr_client_named reads qr_client_view');
SELECT results_eq($$SELECT name FROM qr_vip_client_named('c%')$$, $$SELECT NULL::text WHERE false$$,
                  'a QrClient is not a QrVipClient');
SELECT is(qr_vip_client_count(), 2::bigint, 'qr_vip_client_count() counts its own view');
SELECT results_eq($$SELECT id, name, level FROM qr_vip_client_get(2)$$, $$VALUES (2, 'val', 2)$$,
                  'qr_vip_client_get returns the full row');
SELECT results_eq($$SELECT id IS NULL FROM qr_vip_client_get(3)$$, $$VALUES (true)$$,
                  'qr_vip_client_get does not find a plain QrClient');
SELECT is((qr_deep_first_named('z%')).name, 'zed', 'a method of the query class itself works');
SELECT is((qr_deep_get_or(2)).name, 'zack', 'and one of its grandparent''s');
-- a subclass with its own query class
SELECT corm.register_model('QrOddClient', parent => 'QrClient', query_class => 'QrGetOrQuery', columns => 'odd int');
SELECT has_function('tap_queries', 'qr_odd_client_get_or', ARRAY['integer', 'qr_odd_client_view'], 'a subclass''s own query class applies');
SELECT hasnt_function('tap_queries', 'qr_odd_client_named', ARRAY['text'], 'over its parent''s');

-- ------------------------------------------------------------- relationships
SELECT corm.register_query_class('QrTitleQuery');
SELECT corm.register_query_method('QrTitleQuery', 'titled',
  args => 'pattern text', returns => 'SETOF @rowtype@',
  body => 'SELECT * FROM @view@ WHERE title LIKE pattern ORDER BY @pk@');
SELECT corm.register_model('QrWriter', model_class => 'QrIdModel', columns => 'name text');
SELECT corm.register_model('QrNovel', model_class => 'QrIdModel', query_class => 'QrTitleQuery',
                           columns => 'title text, writer_id int REFERENCES qr_writer');
SELECT lives_ok($$SELECT corm.register_relationship('QrWriter', 'novels', 'QrNovel', query_class => 'QrGetOrQuery')$$,
                'one-to-many QrWriter.novels with its own query class');
SELECT lives_ok($$SELECT corm.register_relationship('QrWriter', 'works', 'QrNovel')$$,
                'one-to-many QrWriter.works without one');
SELECT lives_ok($$SELECT corm.register_relationship('QrNovel', 'writer', 'QrWriter')$$, 'many-to-one QrNovel.writer');
INSERT INTO qr_writer (name) VALUES ('w1'), ('w2'), ('w3');
INSERT INTO qr_novel (title, writer_id) VALUES ('n1', 1), ('n2', 1), ('n3', 2), ('n4', NULL);

SELECT function_returns('tap_queries', 'qr_writer_novels', ARRAY['qr_writer_view'], 'setof qr_novel_view',
                        'one-to-many returns SETOF the target''s view');
SELECT function_returns('tap_queries', 'qr_novel_writer', ARRAY['qr_novel_view'], 'qr_writer_view',
                        'many-to-one returns the target''s row');
SELECT results_eq($$SELECT n.id, n.title FROM qr_writer_view w, qr_writer_novels(w) n WHERE w.id = 1 ORDER BY n.id$$,
                  $$VALUES (1, 'n1'), (2, 'n2')$$, 'qr_writer_novels(w1): w1''s novels');
SELECT results_eq($$SELECT count(*)::int FROM qr_writer_view w, qr_writer_novels(w) n WHERE w.id = 3$$,
                  $$VALUES (0)$$, 'qr_writer_novels(w3): none');
SELECT results_eq($$SELECT n.title, (qr_novel_writer(n)).name FROM qr_novel_view n ORDER BY n.id$$,
                  $$VALUES ('n1', 'w1'), ('n2', 'w1'), ('n3', 'w2'), ('n4', NULL)$$,
                  'qr_novel_writer(n): the writer of each novel');
SELECT is((SELECT qr_novel_writer(n) IS NULL FROM qr_novel_view n WHERE n.id = 4), true,
          'qr_novel_writer of a novel without a writer is NULL');
SELECT results_eq($$SELECT count(*)::int FROM qr_novel_view n, qr_novel_writer(n) w WHERE n.id = 4$$,
                  $$VALUES (1)$$, 'as one row, not none');

-- precedence: the relationship's query class over the target model's
SELECT has_function('tap_queries', 'qr_writer_novels_get_or', ARRAY['qr_writer_view', 'integer', 'qr_novel_view'],
                    'QrWriter.novels: its own query class''s get_or, scoped');
SELECT hasnt_function('tap_queries', 'qr_writer_novels_titled', ARRAY['qr_writer_view', 'text'],
                      'QrWriter.novels: not the target model''s titled');
SELECT has_function('tap_queries', 'qr_writer_works_titled', ARRAY['qr_writer_view', 'text'],
                    'QrWriter.works, without a query class: the target model''s titled');
SELECT hasnt_function('tap_queries', 'qr_writer_works_get_or', ARRAY['qr_writer_view', 'integer', 'qr_novel_view'],
                      'QrWriter.works: no get_or');
SELECT has_function('tap_queries', 'qr_novel_titled', ARRAY['text'], 'QrNovel itself has its query class''s titled');
SELECT hasnt_function('tap_queries', 'qr_novel_get_or', ARRAY['integer', 'qr_novel_view'], 'and not get_or');

-- scoped methods never return another parent's rows
SELECT results_eq($$SELECT r.id IS NULL FROM qr_writer_view w, qr_writer_novels_get_or(w, 3) r WHERE w.id = 1$$,
                  $$VALUES (true)$$, 'qr_writer_novels_get_or(w1, 3): n3 is w2''s, not found');
SELECT results_eq($$SELECT r.title FROM qr_writer_view w, qr_writer_novels_get_or(w, 3, ROW(0, 'none', NULL)::qr_novel_view) r WHERE w.id = 1$$,
                  $$VALUES ('none')$$, 'qr_writer_novels_get_or(w1, 3, default): the default');
SELECT results_eq($$SELECT r.title FROM qr_writer_view w, qr_writer_novels_get_or(w, 2) r WHERE w.id = 1$$,
                  $$VALUES ('n2')$$, 'qr_writer_novels_get_or(w1, 2): w1''s own novel');
SELECT results_eq($$SELECT r.id IS NULL FROM qr_writer_view w, qr_writer_novels_get(w, 3) r WHERE w.id = 1$$,
                  $$VALUES (true)$$, 'qr_writer_novels_get(w1, 3): not found');
SELECT throws_ok($$SELECT r.* FROM qr_writer_view w, qr_writer_novels_get_or_404(w, 3) r WHERE w.id = 1$$,
                 'P0002', NULL, 'qr_writer_novels_get_or_404(w1, 3): P0002');
SELECT results_eq($$SELECT w.id, qr_writer_novels_count(w)::int FROM qr_writer_view w ORDER BY w.id$$,
                  $$VALUES (1, 2), (2, 1), (3, 0)$$, 'qr_writer_novels_count(w) counts only w''s novels');
SELECT results_eq($$SELECT p.total::int, p.items::text FROM qr_writer_view w, qr_writer_novels_paginate(w, per_page => 5) p WHERE w.id = 2$$,
                  $$VALUES (1, '{"(3,n3,2)"}')$$, 'qr_writer_novels_paginate(w2): only w2''s novels');
SELECT results_eq($$SELECT r.title FROM qr_writer_view w, qr_writer_works_titled(w, 'n%') r WHERE w.id = 2$$,
                  $$VALUES ('n3')$$, 'qr_writer_works_titled(w2, ''n%''): only w2''s');
SELECT is((SELECT count(*)::int FROM qr_writer_view w, qr_writer_novels(w) n WHERE n.writer_id IS DISTINCT FROM w.id), 0,
          'no writer''s related rows include another writer''s novel');
SELECT results_eq($$SELECT n.id, qr_novel_writer_count(n)::int FROM qr_novel_view n ORDER BY n.id$$,
                  $$VALUES (1, 1), (2, 1), (3, 1), (4, 0)$$, 'many-to-one scoped count: 1, or 0 without a writer');
SELECT results_eq($$SELECT r.id IS NULL FROM qr_novel_view n, qr_novel_writer_get(n, 1) r WHERE n.id = 3$$,
                  $$VALUES (true)$$, 'qr_novel_writer_get(n3, 1): w1 is not n3''s writer');

-- no foreign key: 42830; several: 42702, foreign_key => resolves it
SELECT throws_ok($$SELECT corm.register_relationship('QrWriter', 'users', 'QrUser')$$,
                 '42830', NULL, 'no foreign key between QrWriter and QrUser: invalid_foreign_key (42830)');
SELECT is(functions_like('qr\_writer\_users%'), '{}'::text[], 'and no function');
SELECT corm.register_model('QrReview', model_class => 'QrIdModel',
       columns => 'novel_id int REFERENCES qr_novel, sequel_id int REFERENCES qr_novel');
SELECT throws_ok($$SELECT corm.register_relationship('QrReview', 'novel', 'QrNovel')$$,
                 '42702', NULL, 'two foreign keys to QrNovel: ambiguous_column (42702)');
SELECT ok((error_of($$SELECT corm.register_relationship('QrReview', 'novel', 'QrNovel')$$)).hint LIKE '%foreign_key%',
          'the HINT names foreign_key');
SELECT is(functions_like('qr\_review\_novel%'), '{}'::text[], 'the ambiguous relationship created no function');
SELECT is((SELECT count(*)::int FROM corm.relationship WHERE model = 'QrReview'), 0, 'nor a catalog row');
SELECT lives_ok($$SELECT corm.register_relationship('QrReview', 'novel', 'QrNovel', foreign_key => 'sequel_id')$$,
                'foreign_key => ''sequel_id'' resolves the ambiguity');
INSERT INTO qr_review (novel_id, sequel_id) VALUES (1, 2);
SELECT is((SELECT (qr_review_novel(r)).title FROM qr_review_view r), 'n2', 'the relationship follows sequel_id');
SELECT function_returns('tap_queries', 'qr_review_novel', ARRAY['qr_review_view'], 'qr_novel_view',
                        'many-to-one through the named foreign key');

-- ---------------------------------------------- bad templates are refused
SELECT throws_ok($$SELECT corm.register_query_method('QrCountingQuery', 'evil',
                   args => 'x int) RETURNS int LANGUAGE sql AS $b$SELECT 1$b$; DROP TABLE tap_queries.qr_user; --',
                   returns => 'int', body => 'SELECT 1')$$,
                 '42601', NULL, 'args that escape the parameter list: syntax_error (42601)');
SELECT throws_ok($$SELECT corm.register_query_method('QrCountingQuery', 'evil2', args => '',
                   returns => 'int SECURITY DEFINER', body => 'SELECT 1')$$,
                 '42601', NULL, 'returns that adds SECURITY DEFINER: 42601');
SELECT throws_ok($$SELECT corm.register_query_method('QrCountingQuery', 'evil3', args => '',
                   returns => 'int SET search_path = public', body => 'SELECT 1')$$,
                 '42601', NULL, 'returns that adds SET search_path: 42601');
SELECT throws_ok($$SELECT corm.register_query_method('QrCountingQuery', 'broken', args => '', returns => 'bigint',
                   body => 'SELECT count(*) FROM @view@ WHERE no_such_column = 1')$$,
                 '42703', NULL, 'a body that does not compile: the server''s error (42703)');
SELECT throws_like($$SELECT corm.register_query_method('QrCountingQuery', 'broken2', args => '', returns => 'bigint',
                     body => 'SELECT count(*) FROM @view@ WHERE no_such_column = 1')$$,
                   '%no_such_column%', 'the server''s own message');
SELECT is((SELECT count(*)::int FROM corm.query_method WHERE name IN ('evil', 'evil2', 'evil3', 'broken', 'broken2')), 0,
          'no catalog row for any refused method');
SELECT is((SELECT count(*)::int FROM pg_proc WHERE proname ~ '_(evil|evil2|evil3|broken|broken2)$'), 0,
          'no function for any refused method');
SELECT has_table('tap_queries', 'qr_user', 'qr_user is still there');
SELECT is((SELECT count(*)::int FROM corm.query_function WHERE method IN ('evil', 'evil2', 'evil3', 'broken', 'broken2')), 0,
          'corm.query_function lists none');

-- ------------------ changing a model's query class drops the functions it loses
SELECT corm.register_model('QrSwitch', model_class => 'QrIdModel', query_class => 'QrCountingQuery', columns => 'name text');
SELECT has_function('tap_queries', 'qr_switch_named', ARRAY['text'], 'QrSwitch under QrCountingQuery has named');
SELECT has_function('tap_queries', 'qr_switch_get_or', ARRAY['integer', 'qr_switch_view'], 'and get_or');
SELECT lives_ok($$SELECT corm.register_model('QrSwitch', model_class => 'QrIdModel', query_class => 'BaseQuery', columns => 'name text')$$,
                'QrSwitch registered again with query_class BaseQuery');
SELECT hasnt_function('tap_queries', 'qr_switch_named', ARRAY['text'], 'named is dropped');
SELECT hasnt_function('tap_queries', 'qr_switch_get_or', ARRAY['integer', 'qr_switch_view'], 'get_or is dropped');
SELECT has_function('tap_queries', 'qr_switch_get', ARRAY['integer'], 'get stays');
SELECT is((SELECT array_agg(method ORDER BY method COLLATE "C") FROM corm.query_methods WHERE model = 'QrSwitch'),
          ARRAY['count', 'first_or_404', 'get', 'get_or_404', 'keyset', 'paginate'], 'corm.query_methods lists only BaseQuery''s');
SELECT lives_ok($$SELECT corm.register_model('QrSwitch', model_class => 'QrIdModel', query_class => 'QrDeepQuery', columns => 'name text')$$,
                'QrSwitch registered again with QrDeepQuery');
SELECT is(functions_like('qr\_switch\_%'),
          ARRAY['qr_switch_count(boolean)', 'qr_switch_first_named(text)', 'qr_switch_first_or_404(text)', 'qr_switch_get(integer)', 'qr_switch_get_or(integer,qr_switch_view)',
                'qr_switch_get_or_404(integer,text)', 'qr_switch_keyset(integer,text,text,text)', 'qr_switch_named(text)', 'qr_switch_paginate(integer,integer,integer,boolean,boolean)'],
          'and gets QrDeepQuery''s methods back');
SELECT lives_ok($$SELECT corm.register_model('QrSwitch', model_class => 'QrIdModel', columns => 'name text')$$,
                'QrSwitch registered again without a query class');
SELECT is(functions_like('qr\_switch\_%'),
          ARRAY['qr_switch_count(boolean)', 'qr_switch_first_or_404(text)', 'qr_switch_get(integer)', 'qr_switch_get_or_404(integer,text)', 'qr_switch_keyset(integer,text,text,text)', 'qr_switch_paginate(integer,integer,integer,boolean,boolean)'],
          'back to its model class''s BaseQuery: only BaseQuery''s functions');

-- ---------------------------------- generated functions: plain, inlinable SQL
SELECT function_lang_is('tap_queries', 'qr_user_get', ARRAY['integer'], 'sql', 'qr_user_get is language sql');
SELECT function_lang_is('tap_queries', 'qr_user_get_or', ARRAY['integer', 'qr_user_view'], 'sql', 'qr_user_get_or is language sql');
SELECT function_lang_is('tap_queries', 'qr_user_paginate', ARRAY['integer', 'integer', 'integer', 'boolean', 'boolean'], 'sql', 'qr_user_paginate is language sql');
SELECT isnt_definer('tap_queries', 'qr_user_get', ARRAY['integer'], 'qr_user_get is not SECURITY DEFINER');
SELECT isnt_definer('tap_queries', 'qr_user_get_or', ARRAY['integer', 'qr_user_view'], 'qr_user_get_or is not SECURITY DEFINER');
SELECT ok((SELECT count(*) > 40 FROM corm.query_function f WHERE f.kind = 'function'),
          'many functions were generated');
CREATE TEMP VIEW generated AS
SELECT f.signature, CASE WHEN f.kind = 'function' THEN to_regprocedure(f.signature) END AS fn
  FROM corm.query_function f WHERE f.kind = 'function';
SELECT is((SELECT array_agg(g.signature ORDER BY g.signature COLLATE "C") FROM generated g JOIN pg_proc p ON p.oid = g.fn
            WHERE p.prolang <> (SELECT oid FROM pg_language WHERE lanname = 'sql')),
          NULL, 'every generated function is language sql');
SELECT is((SELECT array_agg(g.signature ORDER BY g.signature COLLATE "C") FROM generated g JOIN pg_proc p ON p.oid = g.fn
            WHERE p.prosecdef), NULL, 'none is SECURITY DEFINER');
SELECT is((SELECT array_agg(g.signature ORDER BY g.signature COLLATE "C") FROM generated g JOIN pg_proc p ON p.oid = g.fn
            WHERE p.proconfig IS NOT NULL), NULL, 'none has a SET clause (no SET search_path)');
SELECT is((SELECT count(*)::int FROM generated g WHERE g.fn IS NULL), 0, 'every function corm lists exists');
-- a method that returns one value is one function of that type, whose body
-- the planner inlines into the calling statement as a call of corm.call(),
-- which runs the method's SQL with a plan kept for the session
SELECT ok(plan_of('SELECT * FROM tap_queries.qr_user_get(1)') LIKE '%"Function Name": "call"%',
          'SELECT * FROM qr_user_get(1) is inlined into a call of corm.call');
SELECT ok(plan_of('SELECT tap_queries.qr_user_get_or(1)') NOT LIKE '%qr_user_get_or%',
          'SELECT qr_user_get_or(1) (the seed''s body) is inlined: the function is gone from the plan');
SELECT is((SELECT array_agg(p.proname::text ORDER BY p.proname COLLATE "C") FROM pg_proc p
            WHERE p.pronamespace = 'tap_queries'::regnamespace AND p.proretset
              AND p.proname ~ '^qr_(user|vip_client)_(get|get_or|get_or_404|count|paginate)$'),
          NULL, 'get, get_or, get_or_404, count and paginate return one value, not a set');
SELECT is(tap_queries.qr_user_get(-1) IS NULL, true, 'get of a missing key is NULL, not a row of NULLs');
SELECT is((SELECT (coalesce(tap_queries.qr_vip_client_get(-1), tap_queries.qr_vip_client_get(
              (SELECT min(id) FROM tap_queries.qr_vip_client_view)))).id
           = (SELECT min(id) FROM tap_queries.qr_vip_client_view)), true,
          'a joined subclass''s get works in COALESCE');

SELECT * FROM finish();
ROLLBACK;
