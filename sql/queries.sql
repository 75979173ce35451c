-- Query classes (SPEC §6): query methods are templates instantiated as a
-- function per model; BaseQuery's get, get_or_404, count and paginate are
-- built in; relationships give the related rows and scoped methods.
CREATE SCHEMA queries;
SET search_path = queries;
SELECT corm.register_model_class('QModel', primary_key => 'id integer');

-- the seed's GetOrQuery
SELECT corm.register_query_class('GetOrQuery');
SELECT corm.register_query_method('GetOrQuery', 'get_or',
  args    => 'ident @pktype@, "default" @rowtype@ DEFAULT NULL',
  returns => '@rowtype@',
  body    => 'SELECT coalesce((SELECT m FROM @view@ m WHERE m.@pk@ = ident), "default")');
SELECT corm.register_model('Member', model_class => 'QModel', columns => 'name varchar',
                           query_class => 'GetOrQuery');
INSERT INTO member (name) VALUES ('ann'), ('bob'), ('cy');
SELECT * FROM member_get_or(42, ROW(0, 'anonymous')::member_view);
SELECT * FROM member_get_or(2, ROW(0, 'anonymous')::member_view);
SELECT (member_get_or(3)).name;
-- generated functions are plain SQL functions the planner inlines
EXPLAIN (COSTS OFF) SELECT * FROM member_get_or(2);
EXPLAIN (COSTS OFF) SELECT * FROM member_get(2);
SELECT l.lanname, p.provolatile, p.prosecdef, p.proconfig IS NULL AS no_search_path
  FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
 WHERE p.oid = 'member_get_or(integer, member_view)'::regprocedure;

-- BaseQuery's methods, for every model
SELECT * FROM member_get(1);
SELECT * FROM member_get(99);
SELECT * FROM member_get_or_404(1);
SELECT * FROM member_get_or_404(99);
SELECT member_count();
SELECT items, page, per_page, total, pages, has_prev, has_next, prev_num, next_num
  FROM member_paginate(page => 2, per_page => 2);
SELECT items, page, per_page, total, pages, has_prev, has_next, prev_num, next_num
  FROM member_paginate(per_page => 10, max_per_page => 2);
SELECT * FROM member_paginate(page => 3, per_page => 2);
SELECT * FROM member_paginate(page => 0);
SELECT * FROM member_paginate(per_page => 0);
TRUNCATE member;
SELECT items, total, pages, has_prev, has_next FROM member_paginate();

-- query classes inherit methods; a model's query class wins over its model
-- class's, and a subclass gets the functions over its own view
SELECT corm.register_query_class('CountingQuery', base => 'GetOrQuery');
SELECT corm.register_query_method('CountingQuery', 'named',
  args => 'pattern text', returns => 'SETOF @rowtype@',
  body => 'SELECT * FROM @view@ WHERE name LIKE pattern ORDER BY @pk@');
SELECT corm.register_model_class('CountedModel', primary_key => 'id integer', query_class => 'CountingQuery');
SELECT corm.register_model('Client', model_class => 'CountedModel', columns => 'name text');
SELECT corm.register_model('VipClient', parent => 'Client', columns => 'level int');
SELECT corm.register_model('PlainClient', model_class => 'CountedModel', query_class => 'BaseQuery', columns => 'name text');
SELECT model, method, signature FROM corm.query_function
 WHERE model IN ('Client', 'VipClient', 'PlainClient') AND kind = 'function' ORDER BY model COLLATE "C", name;
INSERT INTO vip_client_view (name, level) VALUES ('vic', 1), ('val', 2);
INSERT INTO client_view (name) VALUES ('cal');
SELECT id, name, level FROM vip_client_named('v%');
SELECT id, name FROM client_named('%');

-- changing a query class regenerates exactly its models' functions;
-- removing its base removes the inherited methods' functions
SELECT corm.register_query_class('CountingQuery', base => 'BaseQuery');
SELECT model, method FROM corm.query_function
 WHERE model IN ('Client', 'VipClient') AND kind = 'function' ORDER BY model COLLATE "C", name;
SELECT to_regprocedure('client_get_or(integer, client_view)') IS NULL AS dropped;

-- templates are checked: a bad one is refused, naming the model, and
-- nothing is created
SELECT corm.register_query_method('CountingQuery', 'broken', args => '', returns => 'bigint',
  body => 'SELECT count(*) FROM @view@ WHERE no_such_column = 1');
SELECT corm.register_query_method('CountingQuery', 'evil',
  args => 'x int) RETURNS int LANGUAGE sql AS $$SELECT 1$$; DROP TABLE member; --',
  returns => 'int', body => 'SELECT 1');
SELECT corm.register_query_method('CountingQuery', 'evil2', args => '',
  returns => 'int SECURITY DEFINER', body => 'SELECT 1');
SELECT corm.register_query_method('CountingQuery', 'evil3', args => '', returns => 'int',
  body => 'SELECT 1', language => 'c');
-- a header that opens a comment closed in the body, to bring its own language
SELECT corm.register_query_method('CountingQuery', 'evil4', args => '',
  returns => 'int LANGUAGE plpgsql AS ''BEGIN RETURN 42; END'' /*', body => '*/ STABLE --');
SELECT corm.register_query_method('CountingQuery', 'bad name', args => '', returns => 'int', body => 'SELECT 1');
SELECT corm.register_query_method('CountingQuery', 'x', args => '', returns => 'int', body => 'SELECT 1',
                                  volatility => 'sometimes');
SELECT corm.register_query_method('NoSuchQuery', 'x', args => '', returns => 'int', body => 'SELECT 1');
SELECT corm.register_query_method('BaseQuery', 'x', args => '', returns => 'int', body => 'SELECT 1');
SELECT count(*) AS no_new_methods FROM corm.query_method WHERE name IN ('broken', 'evil', 'evil2', 'evil3', 'evil4');
SELECT to_regclass('member') IS NOT NULL AS member_still_there;
-- query classes cannot inherit from themselves
SELECT corm.register_query_class('CountingQuery', base => 'GetOrQuery');
SELECT corm.register_query_class('GetOrQuery', base => 'CountingQuery');
SELECT corm.register_query_class('CountingQuery', base => 'CountingQuery');
SELECT name, base FROM corm.query_class WHERE name IN ('GetOrQuery', 'CountingQuery') ORDER BY name COLLATE "C";

-- relationships: the foreign key decides the direction
SELECT corm.register_model('Writer', model_class => 'QModel', columns => 'name text');
SELECT corm.register_model('Novel', model_class => 'QModel', columns => 'title text, writer_id int REFERENCES writer');
SELECT corm.register_relationship('Writer', 'novels', 'Novel', query_class => 'GetOrQuery');
SELECT corm.register_relationship('Novel', 'writer', 'Writer');
INSERT INTO writer (name) VALUES ('w1'), ('w2');
INSERT INTO novel (title, writer_id) VALUES ('n1', 1), ('n2', 1), ('n3', 2), ('n4', NULL);
SELECT n.* FROM writer_view w, writer_novels(w) n WHERE w.id = 1 ORDER BY n.id;
SELECT n.title, (novel_writer(n)).name FROM novel_view n ORDER BY n.id;
-- the relationship's methods see only the parent's related rows
SELECT w.name, (writer_novels_get_or(w, 3)).title AS other_writers_novel,
       (writer_novels_get_or(w, 1)).title AS own_novel FROM writer_view w WHERE w.id = 1;
SELECT w.name, writer_novels_count(w) FROM writer_view w ORDER BY w.id;
SELECT n.title, novel_writer_count(n) FROM novel_view n ORDER BY n.id;
SELECT w.name, p.total, p.items FROM writer_view w, writer_novels_paginate(w, per_page => 1) p WHERE w.id = 1;
SELECT * FROM corm.relationships ORDER BY model COLLATE "C", name COLLATE "C";
-- no foreign key, or several: refused with a HINT
SELECT corm.register_relationship('Writer', 'members', 'Member');
SELECT corm.register_model('Review', model_class => 'QModel',
                           columns => 'novel_id int REFERENCES novel, sequel_id int REFERENCES novel');
SELECT corm.register_relationship('Review', 'novel', 'Novel');
SELECT corm.register_relationship('Review', 'novel', 'Novel', foreign_key => 'novel_id');
SELECT r.id, (review_novel(r)).title FROM review_view r;
SELECT corm.register_relationship('Review', 'nothing', 'NoSuchModel');

SELECT * FROM corm.query_methods WHERE model = 'Member' ORDER BY function COLLATE "C";

-- the SQLSTATE of each refusal, as a client sees it
CREATE FUNCTION sqlstate_of(call text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE call;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE;
END $$;
SELECT call, sqlstate_of(call) FROM (VALUES
    ($$SELECT * FROM member_get_or_404(99)$$),
    ($$SELECT * FROM member_paginate(page => 0)$$),
    ($$SELECT * FROM member_paginate(per_page => 0)$$),
    ($$SELECT * FROM client_paginate(page => 9)$$),
    ($$SELECT corm.register_query_method('CountingQuery', 'evil2', args => '', returns => 'int SECURITY DEFINER', body => 'SELECT 1')$$),
    ($$SELECT corm.register_query_method('NoSuchQuery', 'x', args => '', returns => 'int', body => 'SELECT 1')$$),
    ($$SELECT corm.register_query_class('GetOrQuery', base => 'CountingQuery')$$),
    ($$SELECT corm.register_relationship('Writer', 'members', 'Member')$$),
    ($$SELECT corm.register_relationship('Review', 'novel', 'Novel')$$)
) AS t(call);

-- a method returns what it declares: get is one value, the row or NULL,
-- usable in WHERE, CASE and COALESCE (0.2)
BEGIN;
-- an empty model: first_or_404 has nothing to give
SELECT count(*) AS members FROM member_view;
SAVEPOINT empty;
SELECT member_first_or_404();
ROLLBACK TO empty;
INSERT INTO member_view (name) SELECT 'm' || g FROM generate_series(1, 25) g;
SELECT member_get(-1) IS NULL AS get_is_null,
       (coalesce(member_get(-1), ROW(0, 'anonymous')::member_view)).name AS get_or_inline,
       (SELECT count(*) FROM member_view m WHERE member_get(m.id) IS NOT NULL) = member_count() AS in_where,
       CASE WHEN member_get(-1) IS NULL THEN 'missing' END AS in_case;
-- Flask-SQLAlchemy 3.0's Query: first_or_404, get_or_404 with a description,
-- count(estimate), paginate's error_out, count, first and last, iter_pages
SELECT (member_first_or_404()).id = (SELECT min(id) FROM member_view) AS first_or_404;
SAVEPOINT described;
SELECT member_get_or_404(-1, 'no such member');
ROLLBACK TO described;
SELECT member_count(estimate => true) >= 0 AS estimated;
SELECT page, per_page, total, pages, has_prev, has_next, prev_num, next_num, first, last, cardinality(items) AS n
  FROM member_paginate(page => 3, per_page => 10);
SELECT page, total, pages, first, last, cardinality(items) AS n
  FROM member_paginate(page => 99, per_page => 10, error_out => false);
SELECT page, per_page, first, last FROM member_paginate(page => 0, per_page => 0, error_out => false);
SELECT total, pages, has_next, cardinality(items) AS n FROM member_paginate(per_page => 10, count => false);
SELECT array(SELECT corm.iter_pages(member_paginate(12, 1))) AS widget,
       array(SELECT corm.iter_pages(member_paginate(12, 1), 1, 1, 1, 1)) AS narrow;
ROLLBACK;

-- a composite primary key: get and get_or_404 take one argument per key
-- column, in the key's order; first_or_404 and paginate order by the whole key
SELECT count(*) > 0 AS registered FROM corm.register_model('Seat',
       columns => 'row_no integer, seat text, price int, PRIMARY KEY (row_no, seat)');
INSERT INTO seat VALUES (2, 'A', 9), (1, 'B', 12), (1, 'A', 10);
SELECT function_name, function FROM corm.query_methods WHERE model = 'Seat' ORDER BY function_name COLLATE "C";
SELECT seat_get(1, 'B') AS found, seat_get(3, 'A') IS NULL AS missing, (seat_first_or_404()).seat AS first_seat,
       array(SELECT (x).row_no || (x).seat FROM unnest((seat_paginate(1, 2)).items) x) AS page_1;
SELECT seat_get_or_404(9, 'Z');
SELECT count(*) >= 0 AS dropped FROM corm.drop_model('Seat');

-- keyset pages (beyond Flask-SQLAlchemy, whose pagination is OFFSET only):
-- bookmarks forward and back, an order over the model's columns with the key
-- as the tie-breaker, NULLs where PostgreSQL puts them, rows inserted and
-- deleted between pages neither repeated nor skipped; bookmarks and
-- order_by refused as 22023 (42703 for a column that is not the model's)
SELECT count(*) > 0 AS registered FROM corm.register_model('Story',
       columns => 'id integer PRIMARY KEY, title text NOT NULL, score integer');
INSERT INTO story VALUES (1, 'b', 2), (2, 'a', NULL), (3, 'c', 1), (4, 'a', 2), (5, 'b', NULL),
                         (6, 'c', 3), (7, 'a', 1);
SELECT per_page, has_next, has_prev, array(SELECT (x).id FROM unnest(items) x) AS ids,
       next IS NOT NULL AS has_bookmark FROM story_keyset(3);
CREATE FUNCTION pg_temp.story_walk(order_by text, per_page integer DEFAULT 2) RETURNS text[]
LANGUAGE plpgsql AS $$
DECLARE
    p story_keyset_page;
    b text;
    pages text[] := '{}';
BEGIN
    LOOP
        p := story_keyset(per_page, after => b, order_by => order_by);
        pages := pages || array(SELECT (x).id FROM unnest(p.items) x)::text;
        EXIT WHEN NOT p.has_next;
        b := p.next;
    END LOOP;
    RETURN pages;
END $$;
SELECT pg_temp.story_walk(NULL) AS by_key,
       pg_temp.story_walk('score DESC, title') AS by_score_desc,
       pg_temp.story_walk('score, title DESC', 3) AS by_score;
SELECT array_agg(id ORDER BY score DESC, title, id) AS score_desc_order,
       array_agg(id ORDER BY score, title DESC, id) AS score_order FROM story;
-- back from the third page by its prev bookmark, and forward again
WITH p1 AS (SELECT * FROM story_keyset(2, order_by => 'title')),
     p2 AS (SELECT k.* FROM p1, story_keyset(2, after => p1.next, order_by => 'title') k),
     p3 AS (SELECT k.* FROM p2, story_keyset(2, after => p2.next, order_by => 'title') k),
     back AS (SELECT k.* FROM p3, story_keyset(2, before => p3.prev, order_by => 'title') k)
SELECT (SELECT array(SELECT (x).id FROM unnest(items) x) FROM p3) AS third,
       (SELECT array(SELECT (x).id FROM unnest(items) x) FROM back) AS back_to_second,
       (SELECT has_prev FROM back) AS back_has_prev, (SELECT has_next FROM back) AS back_has_next;
-- rows inserted before the bookmark and deleted after it between two pages
SELECT next AS bookmark FROM story_keyset(3) \gset
INSERT INTO story VALUES (0, 'z', 0);
DELETE FROM story WHERE id = 4;
SELECT array(SELECT (x).id FROM unnest(items) x) AS after_changes, has_prev
  FROM story_keyset(3, after => :'bookmark');
SELECT story_keyset(order_by => 'rating');
SELECT story_keyset(order_by => 'title; DROP TABLE story');
SELECT story_keyset(order_by => 'title DESC NULLS FIRST');
SELECT story_keyset(order_by => 'title, title');
SELECT story_keyset(per_page => 0);
SELECT story_keyset(after => 'not a bookmark');
SELECT story_keyset(after => :'bookmark', order_by => 'title');
SELECT story_keyset(after => overlay(:'bookmark' placing 'A' from 3 for 1));
SELECT story_keyset(after => :'bookmark', before => :'bookmark');
-- a relationship's rows page too, scoped to the parent
SELECT count(*) > 0 AS registered FROM corm.register_model('Chapter',
       columns => 'id integer PRIMARY KEY, story_id integer REFERENCES story, n integer');
SELECT count(*) > 0 AS related FROM corm.register_relationship('Story', 'chapters', 'Chapter');
INSERT INTO chapter SELECT g, 1 + g % 2, g FROM generate_series(1, 9) g;
SELECT chapter_keyset(after => :'bookmark');
SELECT s.id, array(SELECT (x).id FROM unnest(k.items) x) AS first_page, k.has_next,
       array(SELECT (x).id FROM unnest((story_chapters_keyset(s, 2, after => k.next, order_by => 'n DESC')).items) x) AS second_page
  FROM story_view s, story_chapters_keyset(s, 2, order_by => 'n DESC') k WHERE s.id IN (1, 2) ORDER BY s.id;
SELECT count(*) >= 0 AS dropped FROM corm.drop_model('Chapter', cascade => true);
SELECT count(*) >= 0 AS dropped FROM corm.drop_model('Story', cascade => true);

-- a method that only reads (stable) runs its SELECT without SPI; one that
-- locks rows is refused as SPI and a SQL function refuse it, and runs when
-- volatile
SELECT count(*) > 0 AS registered FROM corm.register_query_class('LockingQuery');
SELECT count(*) > 0 AS registered FROM corm.register_query_method('LockingQuery', 'lock_one',
       args => 'ident @pktype@', returns => '@rowtype@',
       body => 'SELECT m FROM @view@ m WHERE m.@pk@ = ident FOR UPDATE');
SELECT count(*) > 0 AS registered FROM corm.register_query_method('LockingQuery', 'lock_one_volatile',
       args => 'ident @pktype@', returns => '@rowtype@',
       body => 'SELECT m FROM @view@ m WHERE m.@pk@ = ident FOR UPDATE', volatility => 'volatile');
SELECT count(*) > 0 AS registered FROM corm.register_model('Locker', columns => 'id integer PRIMARY KEY, v text',
       query_class => 'LockingQuery');
INSERT INTO locker VALUES (1, 'x');
SELECT locker_lock_one(1);
SELECT locker_lock_one_volatile(1);
SELECT count(*) >= 0 AS dropped FROM corm.drop_model('Locker');
SELECT count(*) >= 0 AS dropped FROM corm.drop_query_class('LockingQuery');
