#!/usr/bin/python3
"""corm's paginate, iter_pages, get_or_404, first_or_404 and count(estimate)
against Flask-SQLAlchemy 3.0's own, as an oracle (TAP).

A model Item is registered with corm through psycopg2 in a database of its
own; a Flask application maps a class onto the table corm made (it never
calls create_all there), and for every point of a grid

    rows         N in 0, 1, 5, 20, 21, 45
    page         -1, 0, 1, 2, 3, 10, None
    per_page     -1, 0, 1, 3, 20, None
    max_per_page None, 2, 100
    error_out    True, False
    count        True, False

db.paginate(select(Item).order_by(Item.id), ...) -- Flask-SQLAlchemy's real
SelectPagination -- is compared with item_paginate(...): every field (items
by primary key in order, page, per_page, total, pages, has_prev, has_next,
prev_num, next_num, first, last) and iter_pages() with its defaults.  Where
Flask-SQLAlchemy aborts with 404, corm must raise:

    P0002 (no_data_found)          for a page past the end (not page 1)
    22023 (invalid_parameter_value) for page < 1 or per_page < 1 with
                                   error_out -- SPEC section 6 maps this 404
                                   to 22023 on purpose (a bad argument, not a
                                   missing row); exactly this mapping is
                                   accepted, nothing else

Which of the two 404s Flask-SQLAlchemy meant is told by its own
Pagination._prepare_page_args: the argument check aborts there.

None for page and per_page: outside a request Flask-SQLAlchemy takes 1 and
20, as corm takes NULL; inside a request it reads ?page= and ?per_page=,
which corm has no notion of -- the grid runs outside a request, and a few
cases in a request without those arguments show the same defaults.

Pagination.iter_pages(left_edge, left_current, right_current, right_edge)
is also compared with corm.iter_pages() on a grid of (pages, page), with the
defaults and a few other tuples, None for NULL.

Then get_or_404 / first_or_404 (found, not found, with and without a
description: corm's message is the description Flask-SQLAlchemy puts in its
NotFound, and without one SPEC's "Item 999 not found" / "no Item found"
where Flask-SQLAlchemy has werkzeug's generic text), and count(estimate =>
true) after ANALYZE on 10,000 rows: the planner's estimate, so only within
10% of the exact count.

Runs against the server the PG* environment variables name, in one database
of its own and one connection, dropping the database at the end; needs corm
installed there and python3-flask-sqlalchemy (3.0), python3-sqlalchemy (1.4)
and python3-psycopg2:

    PGHOST=... PGPORT=... /usr/bin/python3 test/flask/pagination_oracle.py
"""
import itertools
import os
import sys
import time
import warnings

import psycopg2
import sqlalchemy as sa
from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.pagination import Pagination
from werkzeug.exceptions import NotFound

warnings.simplefilter("ignore", DeprecationWarning)   # Query.get is legacy in SQLAlchemy 1.4

DB = "corm_flask_pages_%d" % os.getpid()
TOTALS = (0, 1, 5, 20, 21, 45)
PAGES = (-1, 0, 1, 2, 3, 10, None)
PER_PAGES = (-1, 0, 1, 3, 20, None)
MAX_PER_PAGES = (None, 2, 100)
BOOLS = (True, False)
# (left_edge, left_current, right_current, right_edge); the first is the default
ITER_ARGS = ((2, 2, 4, 2), (0, 0, 0, 0), (1, 1, 1, 1), (3, 2, 5, 1), (0, 3, 3, 0), (1, 0, 2, 3), (5, 5, 5, 5))
ITER_PAGES = tuple(range(0, 16)) + (20, 45, 100)
FIELDS = ("items", "page", "per_page", "total", "pages", "has_prev", "has_next",
          "prev_num", "next_num", "first", "last", "iter_pages")

# Mismatches that are corm's bugs, reported and not fixed here: a predicate on
# the case's inputs and the reason, printed as the TAP "# TODO" directive.
KNOWN = [
]

tests = []


def ok(cond, name, detail=None, todo=None):
    tests.append((bool(cond), name, detail, todo))
    return bool(cond)


def known(kind, **inputs):
    for k, predicate, reason in KNOWN:
        if k == kind and predicate(**inputs):
            return reason
    return None


def admin(sql):
    conn = psycopg2.connect(dbname=os.environ.get("PGDATABASE", "postgres"))
    conn.autocommit = True
    conn.cursor().execute(sql)
    conn.close()


REGISTRATIONS = [
    "CREATE EXTENSION corm",
    "SELECT count(*) FROM corm.register_model_class('IdModel', primary_key => 'id integer')",
    "SELECT count(*) FROM corm.register_model('Item', model_class => 'IdModel', columns => 'name varchar')",
    "SELECT count(*) FROM corm.register_model('Big', model_class => 'IdModel', columns => 'name varchar')",
]


def register_corm():
    conn = psycopg2.connect(dbname=DB)
    with conn, conn.cursor() as cur:
        for sql in REGISTRATIONS:
            cur.execute(sql)
    conn.close()


db = SQLAlchemy()


class Item(db.Model):
    __tablename__ = "item"
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String)


class Big(db.Model):
    __tablename__ = "big"
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String)


class FixedPagination(Pagination):
    """Flask-SQLAlchemy's Pagination with a given total and no query, for iter_pages"""

    def _query_items(self):
        return []

    def _query_count(self):
        return self._query_args["total"]


def sql(query, **params):
    return db.session.execute(sa.text(query), params)


def pgerror(f):
    """f()'s value, or ("error", SQLSTATE, message) in a savepoint"""
    try:
        with db.session.begin_nested():
            return f()
    except sa.exc.DBAPIError as e:
        return ("error", e.orig.pgcode, e.orig.diag.message_primary)


def flask_side(page, per_page, max_per_page, error_out, count):
    try:
        Pagination._prepare_page_args(page=page, per_page=per_page,
                                      max_per_page=max_per_page, error_out=error_out)
    except NotFound:
        return ("404", "arguments")
    try:
        p = db.paginate(sa.select(Item).order_by(Item.id), page=page, per_page=per_page,
                        max_per_page=max_per_page, error_out=error_out, count=count)
    except NotFound:
        return ("404", "past the end")
    return dict(items=[i.id for i in p.items], page=p.page, per_page=p.per_page, total=p.total,
                pages=p.pages, has_prev=p.has_prev, has_next=p.has_next, prev_num=p.prev_num,
                next_num=p.next_num, first=p.first, last=p.last, iter_pages=list(p.iter_pages()))


CORM_PAGE = """
SELECT coalesce((SELECT array_agg(u.id ORDER BY u.o) FROM unnest(p.items) WITH ORDINALITY u(id, name, o)), '{}'),
       p.page, p.per_page, p.total, p.pages, p.has_prev, p.has_next, p.prev_num, p.next_num, p.first, p.last,
       ARRAY(SELECT corm.iter_pages(p))
  FROM item_paginate(CAST(:page AS integer), CAST(:per_page AS integer), CAST(:max_per_page AS integer),
                     CAST(:error_out AS boolean), CAST(:count AS boolean)) p"""


def corm_side(page, per_page, max_per_page, error_out, count):
    def run():
        r = sql(CORM_PAGE, page=page, per_page=per_page, max_per_page=max_per_page,
                error_out=error_out, count=count).one()
        return dict(zip(FIELDS, [list(r[0])] + list(r[1:11]) + [list(r[11])]))
    return pgerror(run)


def args_text(n, page, per_page, max_per_page, error_out, count):
    return "%d rows, page %s, per_page %s, max_per_page %s, error_out %s, count %s" % (
        n, page, per_page, max_per_page, error_out, count)


def compare(n, page, per_page, max_per_page, error_out, count, note=""):
    want = flask_side(page, per_page, max_per_page, error_out, count)
    got = corm_side(page, per_page, max_per_page, error_out, count)
    name = "paginate: " + args_text(n, page, per_page, max_per_page, error_out, count) + note
    todo = known("paginate", n=n, page=page, per_page=per_page, max_per_page=max_per_page,
                 error_out=error_out, count=count)
    if isinstance(want, tuple):
        # the one accepted mapping of Flask-SQLAlchemy's 404s
        sqlstate = {"arguments": "22023", "past the end": "P0002"}[want[1]]
        passed = isinstance(got, tuple) and got[1] == sqlstate
        detail = None if passed else "Flask-SQLAlchemy: 404 (%s), so %s; corm: %r" % (want[1], sqlstate, got)
        return ok(passed, name + " -> 404 (%s) / %s" % (want[1], sqlstate), detail, todo)
    if isinstance(got, tuple):
        return ok(False, name, "Flask-SQLAlchemy: %r; corm: %r" % (want, got), todo)
    diffs = ["%s: Flask-SQLAlchemy %r, corm %r" % (f, want[f], got[f]) for f in FIELDS if want[f] != got[f]]
    return ok(not diffs, name, "\n".join(diffs) or None, todo)


def load_rows(model, table, n):
    sql('TRUNCATE "%s" RESTART IDENTITY' % table)
    sql('INSERT INTO "%s" (name) SELECT \'r\' || i FROM generate_series(1, :n) i' % table, n=n)
    db.session.commit()   # expires what the session loaded of the rows before
    return sql('SELECT count(*) FROM "%s"' % table).scalar()


def check_paginate_grid():
    cases = 0
    for n in TOTALS:
        ok(load_rows(Item, "item", n) == n, "paginate: the table holds %d rows" % n)
        for page, per_page, max_per_page, error_out, count in itertools.product(
                PAGES, PER_PAGES, MAX_PER_PAGES, BOOLS, BOOLS):
            compare(n, page, per_page, max_per_page, error_out, count)
            cases += 1
        db.session.commit()
    return cases


def check_request_defaults(app):
    """in a request without ?page= or ?per_page=, Flask-SQLAlchemy's None is 1 and 20 too"""
    load_rows(Item, "item", 45)
    with app.test_request_context("/items"):
        for page, per_page in ((None, None), (None, 3), (2, None)):
            compare(45, page, per_page, None, True, True, " (in a request without ?page= and ?per_page=)")
    db.session.commit()


CORM_ITER = """
SELECT ARRAY(SELECT corm.iter_pages(ROW(NULL, :page, 1, :pages, :pages, false, false, NULL, NULL, 0, 0)::item_pagination,
                                    :le, :lc, :rc, :re))"""


def check_iter_pages():
    cases = 0
    for pages in ITER_PAGES:
        for page in sorted(set(range(1, pages + 3)) if pages <= 20 else
                           {1, 2, 3, 4, 5, 6, 7, pages // 2, pages - 6, pages - 5, pages - 4,
                            pages - 3, pages - 2, pages - 1, pages, pages + 1}):
            # per_page 1, so the Pagination's pages is its total
            p = FixedPagination(page=page, per_page=1, max_per_page=None, error_out=False, count=True,
                                total=pages)
            assert p.pages == pages and p.page == page
            for le, lc, rc, re in ITER_ARGS:
                want = list(p.iter_pages(left_edge=le, left_current=lc, right_current=rc, right_edge=re))
                got = pgerror(lambda: list(sql(CORM_ITER, page=page, pages=pages, le=le, lc=lc, rc=rc,
                                               re=re).scalar()))
                todo = known("iter_pages", pages=pages, page=page, args=(le, lc, rc, re))
                ok(want == got, "iter_pages: pages %d, page %d, (left_edge, left_current, right_current,"
                   " right_edge) = (%d, %d, %d, %d)" % (pages, page, le, lc, rc, re),
                   None if want == got else "Flask-SQLAlchemy %r, corm %r" % (want, got), todo)
                cases += 1
    return cases


def flask_404(f):
    try:
        return ("row", f().id)
    except NotFound as e:
        return ("404", e.description)


def corm_404(query, **params):
    r = pgerror(lambda: sql(query, **params).one())
    if r and r[0] == "error":
        return r
    return ("row", r[0])


def check_or_404():
    load_rows(Item, "item", 5)
    first_id = sql("SELECT min(id) FROM item").scalar()
    generic = NotFound.description   # werkzeug's text, which corm does not copy
    for ident in (first_id, first_id + 4):
        same_row = (flask_404(lambda: Item.query.get_or_404(ident)),
                    corm_404("SELECT (item_get_or_404(:i)).id", i=ident))
        ok(same_row[0] == same_row[1], "get_or_404(<id of a row>) finds the same row",
           "Flask-SQLAlchemy %r, corm %r" % same_row)
    for description in ("gone", "", "50% off: %s %d", "l'élément n'existe pas", "two\nlines"):
        want = flask_404(lambda: Item.query.get_or_404(999, description=description))
        got = corm_404("SELECT (item_get_or_404(999, :d)).id", d=description)
        ok(want == ("404", description) and got == ("error", "P0002", description),
           "get_or_404(999, description => %r): 404 / P0002 with the description as the message"
           % description, "Flask-SQLAlchemy %r, corm %r" % (want, got))
    want = flask_404(lambda: Item.query.get_or_404(999))
    got = corm_404("SELECT (item_get_or_404(999)).id")
    ok(want == ("404", generic) and got == ("error", "P0002", "Item 999 not found"),
       "get_or_404(999): 404 with werkzeug's text / P0002 \"Item 999 not found\"",
       "Flask-SQLAlchemy %r, corm %r" % (want, got))
    got = corm_404("SELECT (item_get_or_404(999, NULL)).id")
    ok(got == ("error", "P0002", "Item 999 not found"),
       "get_or_404(999, NULL): as no description, P0002 \"Item 999 not found\"", "corm %r" % (got,))
    # first_or_404: the first row by primary key, on rows and on none
    want = flask_404(lambda: Item.query.order_by(Item.id).first_or_404())
    got = corm_404("SELECT (item_first_or_404()).id")
    ok(want == got == ("row", first_id), "first_or_404(): the first row by primary key",
       "Flask-SQLAlchemy %r, corm %r" % (want, got))
    want = flask_404(lambda: Item.query.order_by(Item.id).first_or_404(description="unused"))
    got = corm_404("SELECT (item_first_or_404('unused')).id")
    ok(want == got == ("row", first_id), "first_or_404(description): the first row when there is one",
       "Flask-SQLAlchemy %r, corm %r" % (want, got))
    load_rows(Item, "item", 0)
    for description in ("no items yet", "", "100%"):
        want = flask_404(lambda: Item.query.order_by(Item.id).first_or_404(description=description))
        got = corm_404("SELECT (item_first_or_404(:d)).id", d=description)
        ok(want == ("404", description) and got == ("error", "P0002", description),
           "first_or_404(%r) on no rows: 404 / P0002 with the description" % description,
           "Flask-SQLAlchemy %r, corm %r" % (want, got))
    want = flask_404(lambda: Item.query.order_by(Item.id).first_or_404())
    got = corm_404("SELECT (item_first_or_404()).id")
    ok(want == ("404", generic) and got == ("error", "P0002", "no Item found"),
       "first_or_404() on no rows: 404 with werkzeug's text / P0002 \"no Item found\"",
       "Flask-SQLAlchemy %r, corm %r" % (want, got))
    db.session.commit()


def check_count_estimate():
    load_rows(Big, "big", 10000)
    sql("ANALYZE big")
    exact = Big.query.count()
    ok(exact == 10000, "count: Big.query.count() is 10000", "got %r" % exact)
    ok(sql("SELECT big_count()").scalar() == exact, "count: big_count() = Big.query.count()")
    ok(sql("SELECT big_count(false)").scalar() == exact, "count: big_count(false) = Big.query.count()")
    estimate = sql("SELECT big_count(estimate => true)").scalar()
    ok(isinstance(estimate, int) and abs(estimate - exact) <= exact // 10,
       "count: big_count(estimate => true) after ANALYZE is within 10%% of %d" % exact,
       "the estimate %r" % (estimate,))
    sql("DELETE FROM big WHERE id > 5000")
    sql("ANALYZE big")
    estimate = sql("SELECT big_count(estimate => true)").scalar()
    ok(isinstance(estimate, int) and abs(estimate - 5000) <= 500,
       "count: after deleting half and ANALYZE, the estimate is within 10% of 5000",
       "the estimate %r" % (estimate,))
    db.session.commit()


def main():
    register_corm()
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg2:///" + DB
    # one connection for both sides
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"poolclass": sa.pool.StaticPool}
    db.init_app(app)
    try:
        with app.app_context():
            # the columns of corm's Pagination type, as CORM_ITER builds one
            columns = [r[0] for r in sql("SELECT attname FROM pg_attribute WHERE attrelid = 'item_pagination'::regclass"
                                         " AND attnum > 0 AND NOT attisdropped ORDER BY attnum")]
            ok(columns == list(FIELDS[:-1]), "item_pagination's columns are Pagination's fields, in order",
               "got %r" % columns)
            start = time.time()
            cases = check_paginate_grid()
            print("# the paginate grid: %d cases in %.1f s" % (cases, time.time() - start))
            check_request_defaults(app)
            start = time.time()
            cases = check_iter_pages()
            print("# iter_pages: %d cases in %.1f s" % (cases, time.time() - start))
            check_or_404()
            check_count_estimate()
            db.session.remove()
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    created = False
    try:
        admin('CREATE DATABASE "%s"' % DB)
        created = True
        main()
    except Exception as e:  # a failure to run is a failed test, with its reason
        ok(False, "the oracle ran", "%s: %s" % (type(e).__name__, e))
    finally:
        if created:
            admin('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % DB)
    print("1..%d" % len(tests))
    failed = todo_failed = 0
    for i, (passed, name, detail, todo) in enumerate(tests, 1):
        print("%s %d - %s%s" % ("ok" if passed else "not ok", i, name.replace("#", "\\#"),
                                " # TODO " + todo if todo else ""))
        if detail and (not passed or todo):
            for line in str(detail).splitlines():
                print("# " + line)
        if not passed:
            if todo:
                todo_failed += 1
            else:
                failed += 1
    print("# %d passed, %d failed, %d known corm bugs (TODO)" % (len(tests) - failed - todo_failed, failed, todo_failed))
    sys.exit(1 if failed else 0)
