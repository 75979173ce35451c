-- corm: BaseQuery's keyset pages (SPEC §6, 0.2), as properties: for many
-- orders over a table with NULLs and ties, walking forward from no bookmark
-- gives the rows of ORDER BY <order>, <key> exactly, page by page; walking
-- back from the end gives them again; rows inserted and deleted between pages
-- never make a row that stayed repeat or go missing; a composite key is the
-- tie-breaker as a whole.  Seeded: the same rows every run.
BEGIN;
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION corm;
CREATE SCHEMA tap_keyset;
SET search_path = tap_keyset, public;

SELECT plan(35);

SELECT corm.register_model('KsItem',
       columns => 'id integer PRIMARY KEY, a integer, b text NOT NULL, c integer NOT NULL, d date');
SELECT setseed(0.42);
INSERT INTO ks_item
SELECT g, CASE WHEN random() < 0.2 THEN NULL ELSE (random() * 5)::int END,
       chr(97 + (random() * 3)::int), (random() * 4)::int,
       CASE WHEN random() < 0.3 THEN NULL ELSE date '2000-01-01' + (random() * 6)::int END
  FROM generate_series(1, 97) g;

-- the ids of a forward walk, page by page, and whether every page but the last was full
CREATE FUNCTION tap_keyset.walk(order_by text, per_page integer, OUT ids integer[], OUT full_pages boolean)
LANGUAGE plpgsql AS $$
DECLARE
    p tap_keyset.ks_item_keyset_page;
    b text;
BEGIN
    ids := '{}';
    full_pages := true;
    LOOP
        p := tap_keyset.ks_item_keyset(per_page, after => b, order_by => order_by);
        ids := ids || array(SELECT (x).id FROM unnest(p.items) x);
        EXIT WHEN NOT p.has_next;
        full_pages := full_pages AND cardinality(p.items) = per_page;
        b := p.next;
    END LOOP;
END $$;

-- the ids of a backward walk from the end (the last page's prev bookmark, then before)
CREATE FUNCTION tap_keyset.walk_back(order_by text, per_page integer) RETURNS integer[]
LANGUAGE plpgsql AS $$
DECLARE
    p tap_keyset.ks_item_keyset_page;
    b text;
    last tap_keyset.ks_item_keyset_page;
    ids integer[];
BEGIN
    LOOP
        p := tap_keyset.ks_item_keyset(per_page, after => b, order_by => order_by);
        EXIT WHEN NOT p.has_next;
        b := p.next;
    END LOOP;
    last := p;
    ids := array(SELECT (x).id FROM unnest(last.items) x);
    b := last.prev;
    LOOP
        p := tap_keyset.ks_item_keyset(per_page, before => b, order_by => order_by);
        ids := array(SELECT (x).id FROM unnest(p.items) x) || ids;
        EXIT WHEN NOT p.has_prev;
        b := p.prev;
    END LOOP;
    RETURN ids;
END $$;

-- the ids in the order, as SQL gives them
CREATE FUNCTION tap_keyset.ordered(order_by text) RETURNS integer[] LANGUAGE plpgsql AS $$
DECLARE ids integer[];
BEGIN
    EXECUTE format('SELECT array_agg(id ORDER BY %s) FROM tap_keyset.ks_item',
                   coalesce(order_by || ', ', '') || 'id') INTO ids;
    RETURN ids;
END $$;

CREATE TEMP TABLE orders (order_by text, per_page integer);
INSERT INTO orders VALUES
    (NULL, 10), ('a', 7), ('a DESC', 7), ('b, a', 9), ('b DESC, a DESC', 4), ('a, b DESC', 5),
    ('c, b', 8), ('c DESC, b, a', 6), ('d', 11), ('d DESC, a', 3), ('a DESC, d', 13),
    ('"b" ASC, c DESC', 10), ('id DESC', 20);

SELECT is((walk(order_by, per_page)).ids, ordered(order_by),
          format('forward, %s a page: ORDER BY %s', per_page, coalesce(order_by || ', ', '') || 'id'))
  FROM orders;
SELECT ok((walk(order_by, per_page)).full_pages, format('every page but the last is full: %s', coalesce(order_by, 'the key')))
  FROM orders WHERE order_by IN ('a', 'd DESC, a', 'b DESC, a DESC');
SELECT is(walk_back(order_by, per_page), ordered(order_by),
          format('backward from the end, %s a page: ORDER BY %s', per_page, coalesce(order_by || ', ', '') || 'id'))
  FROM orders;

-- rows change between pages: those that stay are each seen once, in order
CREATE FUNCTION tap_keyset.walk_changing(order_by text, per_page integer) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    p tap_keyset.ks_item_keyset_page;
    b text;
    seen integer[] := '{}';
    stayed integer[];
    n integer := 1000;
BEGIN
    CREATE TEMP TABLE touched (id integer) ON COMMIT DROP;
    LOOP
        p := tap_keyset.ks_item_keyset(per_page, after => b, order_by => order_by);
        seen := seen || array(SELECT (x).id FROM unnest(p.items) x);
        EXIT WHEN NOT p.has_next;
        b := p.next;
        -- a new row somewhere, and a row not yet seen deleted
        n := n + 1;
        INSERT INTO tap_keyset.ks_item VALUES (n, (n % 6), chr(97 + n % 3), n % 4, NULL);
        INSERT INTO touched VALUES (n);
        INSERT INTO touched SELECT id FROM tap_keyset.ks_item
         WHERE id <> ALL (seen) AND id < 1000 ORDER BY id DESC LIMIT 1;
        DELETE FROM tap_keyset.ks_item WHERE id = (SELECT max(id) FROM touched WHERE id < 1000);
    END LOOP;
    -- the rows that were there from start to end, in the order
    EXECUTE format('SELECT array_agg(id ORDER BY %s) FROM tap_keyset.ks_item WHERE id NOT IN (SELECT id FROM touched)',
                   coalesce(order_by || ', ', '') || 'id') INTO stayed;
    RETURN CASE WHEN array(SELECT x FROM unnest(seen) x WHERE x = ANY (stayed)) = stayed
                 AND (SELECT count(*) = count(DISTINCT x) FROM unnest(seen) x)
                THEN 'ok' ELSE format('seen %s, stayed %s', seen, stayed) END;
END $$;
SAVEPOINT changing;
SELECT is(walk_changing('a, b', 6), 'ok', 'inserts and deletes between pages: no row that stayed repeats or goes missing');
ROLLBACK TO changing;
SELECT is(walk_changing('d DESC', 9), 'ok', 'the same in an order over a nullable column, descending');
ROLLBACK TO changing;

-- a composite key is the tie-breaker as a whole
SELECT corm.register_model('KsPair', columns => 'x integer, y integer, v integer, PRIMARY KEY (y, x)');
INSERT INTO ks_pair SELECT g % 4, g / 4, g % 3 FROM generate_series(0, 30) g;
CREATE FUNCTION tap_keyset.walk_pair(order_by text, per_page integer) RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE
    p tap_keyset.ks_pair_keyset_page;
    b text;
    ids text[] := '{}';
BEGIN
    LOOP
        p := tap_keyset.ks_pair_keyset(per_page, after => b, order_by => order_by);
        ids := ids || array(SELECT (r).x || ',' || (r).y FROM unnest(p.items) r);
        EXIT WHEN NOT p.has_next;
        b := p.next;
    END LOOP;
    RETURN ids;
END $$;
SELECT is(walk_pair(NULL, 4), (SELECT array_agg(x || ',' || y ORDER BY y, x) FROM ks_pair),
          'a composite key (y, x): pages in the key''s order');
SELECT is(walk_pair('v DESC', 5), (SELECT array_agg(x || ',' || y ORDER BY v DESC, y, x) FROM ks_pair),
          'an order, then the whole key');

-- with an index matching the order (NOT NULL columns), a page after a
-- bookmark reads a range of the index: per_page + 1 entries, not the rows before it
CREATE INDEX ks_item_c_b ON ks_item (c, b, id);
ANALYZE ks_item;
SET LOCAL enable_seqscan = off;
SELECT (ks_item_keyset(90, order_by => 'c, b')).next AS deep \gset
CREATE TEMP TABLE reads AS
SELECT pg_stat_get_xact_tuples_returned('tap_keyset.ks_item_c_b'::regclass) AS idx_tup_read;
SELECT is(cardinality((ks_item_keyset(5, after => :'deep', order_by => 'c, b')).items), 5, 'a page deep in the order');
SELECT cmp_ok(pg_stat_get_xact_tuples_returned('tap_keyset.ks_item_c_b'::regclass)
              - (SELECT idx_tup_read FROM reads), '<=', 7::bigint,
              'it read the index from the bookmark on: per_page + 1 entries');
RESET enable_seqscan;

SELECT * FROM finish();
ROLLBACK;
