#!/usr/bin/python3
"""A Flask-SQLAlchemy 3.0 application on corm's tables, side by side (TAP).

The models of Flask-SQLAlchemy's "Customizing" page -- IdModel with a
cascading `id` (so Employee(User) is joined-table inheritance), the
TimestampMixin, the GetOrQuery query class, User, Employee, Author and Post
with the relationship Author.posts -- are registered with corm through
psycopg2 in a database of its own; then a Flask application maps the same
Python classes onto the tables corm made (it never calls create_all there)
and writes and reads through the ORM beside corm's views, onupdate trigger,
query functions and relationship functions, and asserts that the two agree:

  onupdate     an ORM UPDATE (SQLAlchemy puts its onupdate value in the SET
               list) keeps the value SQLAlchemy sent; a plain SQL UPDATE that
               does not name `updated` gets corm's value; one that names it
               (even `SET updated = updated`) keeps it
  get_or       User.query.get_or(...) against user_get_or(...), and the
               BaseQuery methods get, get_or_404 and count
  paginate     User.query.paginate(...) against user_paginate(...) on a grid
               of pages and page sizes, past the last page too
  relationships  Author.posts (count, get_or) and Post.author against
               author_posts(a), author_posts_count(a), author_posts_get_or(a, id)
               and post_author(p)
  joined       a row inserted through employee_view loads as an Employee; an
               Employee the ORM inserts shows in employee_view and user_view
  alembic      compare_metadata(the database, db.metadata) finds only the
               documented differences (DOCUMENTED below)
  differences  the documented differences of doc/flask-sqlalchemy.md that
               this application meets, shown against Flask-SQLAlchemy's own
               schema (db.create_all() in a separate scratch database)

Runs against the server the PG* environment variables name, in two
databases of its own that it drops at the end; needs corm installed there
and the Debian packages python3-flask-sqlalchemy (3.0), python3-sqlalchemy
(1.4), python3-alembic and python3-psycopg2:

    PGHOST=... PGPORT=... /usr/bin/python3 test/flask/flask_app.py

No timestamp is compared with the clock: each is compared with a value the
test set, with the value SQLAlchemy sent (recorded from the statement's
parameters), or with now() in the same transaction.
"""
import datetime
import os
import sys
import warnings

import psycopg2
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.model import Model
from flask_sqlalchemy.query import Query  # BaseQuery, renamed in Flask-SQLAlchemy 3.0
from sqlalchemy.orm import declared_attr
from werkzeug.exceptions import NotFound

warnings.simplefilter("ignore", DeprecationWarning)   # Query.get is legacy in SQLAlchemy 1.4

DB = "corm_flask_%d" % os.getpid()          # corm's tables, the application mapped onto them
SCRATCH = "corm_flask_sa_%d" % os.getpid()  # Flask-SQLAlchemy's own schema, db.create_all()
OLD = datetime.datetime(2001, 1, 1)
SET = datetime.datetime(2002, 2, 2, 12, 30)
tests = []


def ok(cond, name, detail=None, todo=None):
    tests.append((bool(cond), name, detail, todo))
    return bool(cond)


def same(got, want, name):
    """ok when equal; the two values in the failure's detail"""
    return ok(got == want, name, None if got == want else "Flask-SQLAlchemy %r, corm %r" % (got, want))


def admin(sql):
    conn = psycopg2.connect(dbname=os.environ.get("PGDATABASE", "postgres"))
    conn.autocommit = True
    conn.cursor().execute(sql)
    conn.close()


# ---------------------------------------------------------------------------
# corm's side: the seed's models registered in SQL
# ---------------------------------------------------------------------------

REGISTRATIONS = [
    "CREATE EXTENSION corm",
    """SELECT count(*) FROM corm.register_query_class('GetOrQuery')""",
    """SELECT count(*) FROM corm.register_query_method('GetOrQuery', 'get_or',
         args    => 'ident @pktype@, "default" @rowtype@ DEFAULT NULL',
         returns => '@rowtype@',
         body    => 'SELECT coalesce((SELECT m FROM @view@ m WHERE m.@pk@ = ident), "default")')""",
    """SELECT count(*) FROM corm.register_model_class('IdModel', primary_key => 'id integer',
         query_class => 'GetOrQuery')""",
    # datetime.utcnow is UTC: the form doc/flask-sqlalchemy.md gives to match it
    """SELECT count(*) FROM corm.register_mixin('TimestampMixin',
         columns  => 'created timestamp NOT NULL DEFAULT (now() AT TIME ZONE ''utc''), updated timestamp',
         onupdate => 'updated = now() AT TIME ZONE ''utc''')""",
    """SELECT count(*) FROM corm.register_model('User', model_class => 'IdModel', columns => 'name varchar')""",
    """SELECT count(*) FROM corm.register_model('Employee', parent => 'User', columns => 'title varchar')""",
    """SELECT count(*) FROM corm.register_model('Author', model_class => 'IdModel', columns => 'name varchar')""",
    """SELECT count(*) FROM corm.register_model('Post', model_class => 'IdModel', mixins => '{TimestampMixin}',
         columns => 'body text, author_id integer REFERENCES author')""",
    """SELECT count(*) FROM corm.register_relationship('Author', 'posts', 'Post')""",
    """SELECT count(*) FROM corm.register_relationship('Post', 'author', 'Author')""",
]


def register_corm():
    conn = psycopg2.connect(dbname=DB)
    with conn, conn.cursor() as cur:
        for sql in REGISTRATIONS:
            cur.execute(sql)
    conn.close()


# ---------------------------------------------------------------------------
# Flask-SQLAlchemy's side: the seed's classes, as the page writes them
# (declared_attr.cascading, as the page means: a joined table for Employee)
# ---------------------------------------------------------------------------

class IdModel(Model):
    @declared_attr.cascading
    def id(cls):
        for base in cls.__mro__[1:-1]:
            if getattr(base, "__table__", None) is not None:
                type = sa.ForeignKey(base.id)
                break
        else:
            type = sa.Integer
        return sa.Column(type, primary_key=True)


class GetOrQuery(Query):
    def get_or(self, ident, default=None):
        return self.get(ident) or default


db = SQLAlchemy(model_class=IdModel, query_class=GetOrQuery)


class TimestampMixin(object):
    created = db.Column(db.DateTime, nullable=False, default=datetime.datetime.utcnow)
    updated = db.Column(db.DateTime, onupdate=datetime.datetime.utcnow)


class User(db.Model):
    name = db.Column(db.String)


class Employee(User):
    title = db.Column(db.String)


class Author(db.Model):
    name = db.Column(db.String)
    # lazy="dynamic": a query of the model's query class, so count() and get_or()
    posts = db.relationship("Post", lazy="dynamic", back_populates="author")


class Post(TimestampMixin, db.Model):
    body = db.Column(db.Text)
    # index=True: the index corm makes for every foreign key (doc/flask-sqlalchemy.md)
    author_id = db.Column(db.Integer, db.ForeignKey("author.id"), index=True)
    author = db.relationship("Author", back_populates="posts")


def make_app(database):
    app = Flask(__name__)
    # no host: libpq takes the server from the PG* environment variables
    app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg2:///" + database
    db.init_app(app)
    return app


# ---------------------------------------------------------------------------
# The comparisons
# ---------------------------------------------------------------------------

class Recorder:
    """the INSERT and UPDATE statements SQLAlchemy sends, with their parameters"""

    def __init__(self, engine):
        self.statements = []
        sa.event.listen(engine, "before_cursor_execute", self.record)

    def record(self, conn, cursor, statement, parameters, context, executemany):
        if statement.startswith(("INSERT", "UPDATE")):
            self.statements.append((statement, parameters))

    def last(self, verb, table):
        for statement, parameters in reversed(self.statements):
            if statement.startswith("%s %s " % (verb, table)):
                return statement, parameters
        return None, None


def sql(query, **params):
    """a plain SQL statement in the ORM session's transaction"""
    return db.session.execute(sa.text(query), params)


def updated_state(post_id, before):
    """what happened to post.updated: kept, moved to corm's onupdate value, or the value"""
    return sql("SELECT CASE WHEN updated = :before THEN 'kept'"
               " WHEN updated = (now() AT TIME ZONE 'utc') THEN 'moved' ELSE updated::text END"
               " FROM post WHERE id = :id", before=before, id=post_id).scalar()


def check_onupdate(recorder):
    author = Author(name="Ada")
    post = Post(body="first", author=author)
    db.session.add_all([author, post])
    db.session.commit()
    statement, params = recorder.last("INSERT INTO", "post")
    created = params.get("created") if isinstance(params, dict) else None
    stored = sql("SELECT created, updated FROM post WHERE id = :id", id=post.id).one()
    ok(created is not None and stored.created == created and stored.updated is None,
       "onupdate: an ORM INSERT stores the created SQLAlchemy sent, and no updated",
       "sent %r, stored %r" % (created, tuple(stored)))

    # a SET list that names updated with a value: kept
    sql("UPDATE post SET updated = :old WHERE id = :id", old=OLD, id=post.id)
    same(updated_state(post.id, OLD), "kept", "onupdate: UPDATE post SET updated = <a value> keeps the value")
    db.session.commit()

    # the ORM changes body: SQLAlchemy adds its onupdate value to the SET list
    post.body = "second"
    db.session.commit()
    statement, params = recorder.last("UPDATE", "post")
    sent = params.get("updated") if isinstance(params, dict) else None
    stored = sql("SELECT updated FROM post WHERE id = :id", id=post.id).scalar()
    ok(statement is not None and "updated=" in statement.replace(" ", "") and sent is not None,
       "onupdate: SQLAlchemy's UPDATE of body names updated in its SET list", repr((statement, params)))
    ok(sent is not None and stored == sent and stored != OLD,
       "onupdate: an ORM UPDATE keeps the updated value SQLAlchemy sent",
       "sent %r, stored %r" % (sent, stored))
    same(post.updated, stored, "onupdate: the ORM's own updated is the stored one")

    # the ORM sets updated itself
    post.body = "third"
    post.updated = SET
    db.session.commit()
    same(sql("SELECT updated FROM post WHERE id = :id", id=post.id).scalar(), SET,
         "onupdate: an ORM UPDATE that sets updated keeps the value set")

    # plain SQL that does not name updated: corm's onupdate sets it
    for query, name in [
        ("UPDATE post SET body = 'fourth' WHERE id = :id", "UPDATE post SET body = ..."),
        ("UPDATE post_view SET body = 'fifth' WHERE id = :id", "UPDATE post_view SET body = ..."),
    ]:
        sql("UPDATE post SET updated = :old WHERE id = :id", old=OLD, id=post.id)
        sql(query, id=post.id)
        same(updated_state(post.id, OLD), "moved", "onupdate: %s moves updated (corm's onupdate)" % name)
        moved = sql("SELECT updated FROM post WHERE id = :id", id=post.id).scalar()
        db.session.commit()
        db.session.expire(post)
        same(post.updated, moved, "onupdate: %s: the ORM loads corm's updated" % name)

    # plain SQL that names updated: kept, as SQLAlchemy keeps a column its statement names
    for query, name in [
        ("UPDATE post SET updated = updated WHERE id = :id", "UPDATE post SET updated = updated"),
        ("UPDATE post SET updated = updated, body = 'sixth' WHERE id = :id",
         "UPDATE post SET updated = updated, body = ..."),
        ("UPDATE post_view SET updated = updated, body = 'seventh' WHERE id = :id",
         "UPDATE post_view SET updated = updated, body = ..."),
        ("UPDATE post SET body = 'eighth', updated = :old WHERE id = :id", "UPDATE post SET body = ..., updated = <old value>"),
    ]:
        sql("UPDATE post SET updated = :old WHERE id = :id", old=OLD, id=post.id)
        sql(query, id=post.id, old=OLD)
        same(updated_state(post.id, OLD), "kept", "onupdate: %s keeps updated" % name)
        db.session.commit()

    # SQLAlchemy's Core update through the view, onupdate in the SET list
    view = sa.Table("post_view", sa.MetaData(), autoload_with=db.session.connection())
    db.session.commit()
    sql("UPDATE post SET updated = :old WHERE id = :id", old=OLD, id=post.id)
    db.session.execute(view.update().where(view.c.id == post.id).values(body="ninth", updated=SET))
    same(sql("SELECT updated FROM post WHERE id = :id", id=post.id).scalar(), SET,
         "onupdate: SQLAlchemy Core's UPDATE of post_view that names updated keeps its value")
    db.session.commit()


def check_get_or():
    ada = User(name="Ada")
    grace = Employee(name="Grace", title="admiral")
    db.session.add_all([ada, grace])
    db.session.commit()
    anonymous = User(id=0, name="anonymous")   # transient, never added
    row = lambda u: None if u is None else (u.id, u.name)
    erow = lambda e: None if e is None else (e.id, e.name, e.title)
    for ident, name in [(ada.id, "a user"), (grace.id, "an employee's user row"), (999, "no such user")]:
        same(row(User.query.get_or(ident, anonymous)),
             tuple(sql("SELECT * FROM user_get_or(:id, ROW(0, 'anonymous')::user_view)", id=ident).one()),
             "get_or: User.query.get_or(%s, anonymous) = user_get_or(...) (%s)" % ("<id>" if ident != 999 else 999, name))
    same(User.query.get_or(999), None, "get_or: User.query.get_or(999) is None")
    ok(sql("SELECT user_get_or(999) IS NULL").scalar(), "get_or: user_get_or(999) IS NULL")
    for ident, name in [(grace.id, "an employee"), (ada.id, "a user who is no employee")]:
        same(erow(Employee.query.get_or(ident)),
             None if sql("SELECT employee_get_or(:id) IS NULL", id=ident).scalar()
             else tuple(sql("SELECT * FROM employee_get_or(:id)", id=ident).one()),
             "get_or: Employee.query.get_or(<id>) = employee_get_or(<id>) (%s)" % name)
    same(row(User.query.get(ada.id)), tuple(sql("SELECT * FROM user_get(:id)", id=ada.id).one()),
         "get: User.query.get(<id>) = user_get(<id>)")
    for model, function in [(User, "user_get_or_404"), (Employee, "employee_get_or_404")]:
        try:
            model.query.get_or_404(999)
            flask_side = "found"
        except NotFound:
            flask_side = "404"
        try:
            with db.session.begin_nested():
                sql("SELECT * FROM %s(999)" % function)
            corm_side = "found"
        except sa.exc.DBAPIError as e:
            corm_side = "404" if e.orig.pgcode == "P0002" else e.orig.pgcode
        same(flask_side, corm_side, "get_or_404: %s.query.get_or_404(999) aborts with 404, %s(999) raises P0002"
             % (model.__name__, function))
    for model, function in [(User, "user_count"), (Employee, "employee_count"), (Post, "post_count")]:
        same(model.query.count(), sql("SELECT %s()" % function).scalar(),
             "count: %s.query.count() = %s()" % (model.__name__, function))
    db.session.commit()


def pagination_fields(p):
    return (p.page, p.per_page, p.total, p.pages, p.has_prev, p.has_next, p.prev_num, p.next_num,
            [u.id for u in p.items], [u.name for u in p.items])


def corm_page(page, per_page, max_per_page=None):
    r = sql("SELECT p.page, p.per_page, p.total, p.pages, p.has_prev, p.has_next, p.prev_num, p.next_num,"
            " coalesce((SELECT array_agg(u.id ORDER BY o) FROM unnest(p.items) WITH ORDINALITY u(id, name, o)), '{}'),"
            " coalesce((SELECT array_agg(u.name ORDER BY o) FROM unnest(p.items) WITH ORDINALITY u(id, name, o)), '{}')"
            " FROM user_paginate(:page, :per_page, :max) p", page=page, per_page=per_page, max=max_per_page).one()
    return tuple(r[:8]) + (list(r[8]), list(r[9]))


def check_paginate():
    """User.query.paginate against user_paginate; called on an empty table, then on more rows"""
    total = User.query.count()
    # items by primary key, as corm orders them (a query without order_by has no order)
    query = User.query.order_by(User.id)
    grid = [(page, per_page) for per_page in (1, 2, 3, 4, 7, 20) for page in
            range(1, max(1, -(-total // per_page)) + 1)]
    agree = 0
    for page, per_page in grid:
        flask_side = pagination_fields(query.paginate(page=page, per_page=per_page, error_out=False))
        corm_side = corm_page(page, per_page)
        if same(flask_side, corm_side, "paginate: %d rows, page %d, per_page %d" % (total, page, per_page)):
            agree += 1
    flask_side = pagination_fields(query.paginate(page=1, per_page=150, max_per_page=3, error_out=False))
    same(flask_side, corm_page(1, 150, 3), "paginate: %d rows, per_page 150 capped by max_per_page 3" % total)
    flask_side = pagination_fields(query.paginate(page=1, per_page=150, error_out=False))
    same(flask_side, corm_page(1, 150), "paginate: %d rows, per_page 150, no max_per_page" % total)
    # past the last page (page 1 of an empty table is no error on either side)
    for per_page in (1, 3):
        page = max(1, -(-total // per_page)) + 1
        try:
            query.paginate(page=page, per_page=per_page)
            flask_side = "page"
        except NotFound:
            flask_side = "404"
        try:
            with db.session.begin_nested():
                corm_page(page, per_page)
            corm_side = "page"
        except sa.exc.DBAPIError as e:
            corm_side = "404" if e.orig.pgcode == "P0002" else e.orig.pgcode
        same(flask_side, corm_side, "paginate: %d rows, page %d past the last of per_page %d: 404 / P0002"
             % (total, page, per_page))
    db.session.commit()


def check_relationships():
    a1 = Author.query.filter_by(name="Ada").one()   # check_onupdate's, with one post
    a2 = Author(name="Grace")
    a3 = Author(name="Alan")
    db.session.add_all([a2, a3])
    db.session.add_all([Post(body="p%d" % i, author=a2) for i in range(3)])
    db.session.add(Post(body="orphan"))
    db.session.commit()
    for a in (a1, a2, a3):
        orm_posts = sorted((p.id, p.body) for p in a.posts.all())
        corm_posts = sorted(tuple(r) for r in sql(
            "SELECT p.id, p.body FROM author_view a, author_posts(a) p WHERE a.id = :id", id=a.id))
        same(orm_posts, corm_posts, "relationship: Author.posts = author_posts(a), author with %d posts"
             % len(orm_posts))
        same(a.posts.count(), sql("SELECT author_posts_count(a) FROM author_view a WHERE a.id = :id",
                                  id=a.id).scalar(),
             "relationship: Author.posts.count() = author_posts_count(a), author with %d posts" % len(orm_posts))
    # the query class's methods on the relationship: SQLAlchemy 1.4's Query.get() refuses a
    # query with criteria, which a dynamic relationship's is, so get_or cannot run there
    # (doc/flask-sqlalchemy.md); corm's author_posts_get_or(a, id) sees only a's posts
    own = a2.posts.order_by(Post.id).first()
    other = a1.posts.first()
    try:
        got = a2.posts.get_or(own.id)
        flask_side = None if got is None else got.id
    except sa.exc.InvalidRequestError as e:
        flask_side = str(e).strip()
    same(flask_side, "Query.get() being called on a Query with existing criterion.",
         "relationship: Author.posts.get_or(<id>) (lazy='dynamic') is refused by SQLAlchemy's Query.get()")
    for post, name in [(own, "its own post"), (other, "another author's post")]:
        found = a2.posts.filter_by(id=post.id).one_or_none()
        same(None if found is None else found.id,
             sql("SELECT (author_posts_get_or(a, :pid)).id FROM author_view a WHERE a.id = :id",
                 id=a2.id, pid=post.id).scalar(),
             "relationship: Author.posts.filter_by(id=<id>).one_or_none() = author_posts_get_or(a, <id>), %s"
             % name)
    for p in Post.query.order_by(Post.id).all():
        orm_author = None if p.author is None else (p.author.id, p.author.name)
        corm_author = sql("SELECT (post_author(p)).id, (post_author(p)).name FROM post_view p WHERE p.id = :id",
                          id=p.id).one()
        same(orm_author, None if corm_author[0] is None else tuple(corm_author),
             "relationship: Post.author = post_author(p), post %s" % ("with an author" if p.author else "without"))
    db.session.commit()


def check_joined(raw):
    with raw.cursor() as cur:   # another client, autocommit
        cur.execute("INSERT INTO employee_view (name, title) VALUES ('Barbara', 'engineer') RETURNING id")
        vid = cur.fetchone()[0]
    db.session.expire_all()
    e = db.session.get(Employee, vid)
    same(None if e is None else (type(e).__name__, e.id, e.name, e.title), ("Employee", vid, "Barbara", "engineer"),
         "joined: a row inserted through employee_view loads as an Employee with its parent's columns")
    u = db.session.get(User, vid)
    same(None if u is None else u.name, "Barbara", "joined: ... and as a User")

    linus = Employee(name="Linus", title="maintainer")
    db.session.add(linus)
    db.session.commit()
    with raw.cursor() as cur:
        cur.execute("SELECT id, name, title FROM employee_view WHERE id = %s", (linus.id,))
        same(cur.fetchall(), [(linus.id, "Linus", "maintainer")], "joined: an Employee the ORM inserts shows in employee_view")
        cur.execute("SELECT id, name FROM user_view WHERE id = %s", (linus.id,))
        same(cur.fetchall(), [(linus.id, "Linus")], "joined: ... and in user_view")
        cur.execute("SELECT (employee_get(%s)).title", (linus.id,))
        same(cur.fetchone()[0], "maintainer", "joined: ... and employee_get(<id>) finds it")

    # updates both ways
    linus.title = "fellow"
    linus.name = "Linus T."
    db.session.commit()
    with raw.cursor() as cur:
        cur.execute("SELECT name, title FROM employee_view WHERE id = %s", (linus.id,))
        same(cur.fetchone(), ("Linus T.", "fellow"), "joined: an ORM update of both tables shows in employee_view")
        cur.execute("UPDATE employee_view SET name = 'Barbara L.', title = 'professor' WHERE id = %s", (vid,))
    db.session.expire_all()
    same((e.name, e.title), ("Barbara L.", "professor"), "joined: an UPDATE of employee_view loads through the ORM")

    # the ORM's delete of an Employee (employee's row, then user's) and employee_view's delete
    db.session.delete(linus)
    db.session.commit()
    with raw.cursor() as cur:
        cur.execute("SELECT (SELECT count(*) FROM \"user\" WHERE id = %s), (SELECT count(*) FROM employee WHERE id = %s)",
                    (linus.id, linus.id))
        same(cur.fetchone(), (0, 0), "joined: the ORM's delete of an Employee removes both rows")
        cur.execute("DELETE FROM employee_view WHERE id = %s", (vid,))
    db.session.expire_all()
    same(db.session.get(User, vid), None, "joined: a row deleted through employee_view is gone for the ORM")
    db.session.commit()


# alembic's differences between the database corm made and the application's
# metadata (compare_type and compare_server_default on) that doc/flask-sqlalchemy.md
# documents: each is (the reason, how many there must be, a predicate on one
# difference).  Any difference none of them matches fails the test, and so
# does a documented one that is missing (the documentation would be stale).
# A column difference is ("modify_default", schema, table, column,
# {existing_...}, the database's default, the metadata's default).
ROOTS = ("user", "author", "post")   # the tables that hold an IdModel key of their own


def _identity_key(d):
    return (d[0] == "modify_default" and d[2] in ROOTS and d[3] == "id" and d[6] is None
            and isinstance(d[5], sa.Identity) and not d[5].always and d[5].start == 1 and d[5].increment == 1)


def _created_default(d):
    return (d[0] == "modify_default" and (d[2], d[3]) == ("post", "created") and d[6] is None
            and isinstance(d[5], sa.DefaultClause) and d[5].arg.text == "(now() AT TIME ZONE 'utc'::text)")


def _joined_fk(d, op, ondelete):
    fk = d[1]
    return (d[0] == op and fk.parent.name == "employee" and [c.name for c in fk.columns] == ["id"]
            and fk.referred_table.name == "user" and [e.column.name for e in fk.elements] == ["id"]
            and fk.ondelete == ondelete and fk.onupdate is None)


DOCUMENTED = [
    ("identity columns instead of SERIAL: each root table's integer key is GENERATED BY DEFAULT AS "
     "IDENTITY, which alembic reports as a server default the metadata lacks (SERIAL it ignores)",
     len(ROOTS), _identity_key),
    ("defaults run in the database: the mixin's default=datetime.utcnow is corm's "
     "DEFAULT (now() AT TIME ZONE 'utc') on post.created",
     1, _created_default),
    ("a DELETE of a joined parent's row cascades: employee(id) REFERENCES \"user\" ON DELETE CASCADE "
     "(alembic: drop the database's key)",
     1, lambda d: _joined_fk(d, "remove_fk", "CASCADE")),
    ("... and add the metadata's, sa.ForeignKey(base.id) without ondelete",
     1, lambda d: _joined_fk(d, "add_fk", None)),
]


def flatten(diffs):
    """compare_metadata's list: column changes come as a list of tuples of their own"""
    for d in diffs:
        if isinstance(d, list):
            yield from d
        else:
            yield d


def describe(d):
    if d[0] in ("modify_default", "modify_type", "modify_nullable", "modify_comment"):
        default = lambda x: x.arg.text if isinstance(x, sa.DefaultClause) else x
        return "%s %s.%s: database %r, metadata %r" % (d[0], d[2], d[3], default(d[5]), default(d[6]))
    if d[0] in ("add_fk", "remove_fk"):
        fk = d[1]
        return "%s %s(%s) REFERENCES %s ON DELETE %s" % (d[0], fk.parent.name, ", ".join(c.name for c in fk.columns),
                                                       fk.referred_table.name, fk.ondelete)
    return repr(d)


def check_alembic(scratch_engine):
    opts = {"compare_type": True, "compare_server_default": True}
    with db.engine.connect() as conn:
        diffs = list(flatten(compare_metadata(MigrationContext.configure(conn, opts=opts), db.metadata)))
    counts = [0] * len(DOCUMENTED)
    undocumented = []
    for d in diffs:
        for i, (why, n, matches) in enumerate(DOCUMENTED):
            try:
                if matches(d):
                    counts[i] += 1
                    break
            except (AttributeError, IndexError, KeyError, TypeError):
                pass
        else:
            undocumented.append(d)
    ok(not undocumented, "alembic: compare_metadata(corm's database, db.metadata) finds only documented differences",
       "; ".join(describe(d) for d in undocumented) or None)
    for (why, n, matches), count in zip(DOCUMENTED, counts):
        ok(count == n, "alembic: documented, found %d of %d: %s" % (count, n, why))
    # without index=True on Post.author_id, the foreign key index corm makes is the one more
    # difference ("every foreign key is indexed"): the reason the application declares it
    bare = sa.MetaData()
    for table in db.metadata.sorted_tables:
        table.to_metadata(bare)
    bare.tables["post"].indexes.clear()
    with db.engine.connect() as conn:
        more = [d for d in flatten(compare_metadata(MigrationContext.configure(conn, opts=opts), bare))
                if not any(m(d) for _, _, m in DOCUMENTED)]
    more = [(d[0], d[1].name, [c.name for c in d[1].columns]) if d[0].endswith("_index") else describe(d)
            for d in more]
    ok(more == [("remove_index", "ix_post_author_id", ["author_id"])],
       "alembic: without index=True on Post.author_id, corm's ix_post_author_id is the one more difference",
       "alembic reports %r" % more)
    # with ondelete="CASCADE" on Employee's key (as doc/flask-sqlalchemy.md suggests),
    # the foreign key pair goes away
    cascading = sa.MetaData()
    for table in db.metadata.sorted_tables:
        table.to_metadata(cascading)
    for fk in cascading.tables["employee"].foreign_key_constraints:
        fk.ondelete = "CASCADE"
        for element in fk.elements:
            element.ondelete = "CASCADE"
    with db.engine.connect() as conn:
        fks = [describe(d) for d in flatten(compare_metadata(MigrationContext.configure(conn, opts=opts), cascading))
               if d[0].endswith("_fk")]
    ok(not fks, "alembic: with ForeignKey(base.id, ondelete='CASCADE') on Employee.id the keys agree",
       "alembic reports %r" % fks)
    # the comparison itself, on Flask-SQLAlchemy's own schema: nothing
    with scratch_engine.connect() as conn:
        diffs = list(flatten(compare_metadata(MigrationContext.configure(conn, opts=opts), db.metadata)))
    ok(not diffs, "alembic: compare_metadata(db.create_all()'s database, db.metadata) finds nothing",
       "; ".join(describe(d) for d in diffs) or None)


def check_differences(raw, scratch_app):
    """the documented differences this application meets, on both schemas"""
    # a DELETE of a joined parent's row: corm's key cascades, Flask-SQLAlchemy's refuses
    with raw.cursor() as cur:
        cur.execute("INSERT INTO employee_view (name, title) VALUES ('Edsger', 'professor') RETURNING id")
        eid = cur.fetchone()[0]
        cur.execute('DELETE FROM "user" WHERE id = %s', (eid,))
        cur.execute("SELECT count(*) FROM employee WHERE id = %s", (eid,))
        same(cur.fetchone()[0], 0, "difference: DELETE FROM \"user\" of an employee's row cascades to employee (corm)")
    with scratch_app.app_context():
        e = Employee(name="Edsger", title="professor")
        db.session.add(e)
        db.session.commit()
        try:
            with db.session.begin_nested():
                sql('DELETE FROM "user" WHERE id = :id', id=e.id)
            outcome = "deleted"
        except sa.exc.IntegrityError as err:
            outcome = err.orig.pgcode
        same(outcome, "23503", "difference: the same DELETE on db.create_all()'s schema is a foreign key violation")
        # a plain INSERT that leaves out created: corm's DEFAULT, Flask-SQLAlchemy's NOT NULL
        try:
            with db.session.begin_nested():
                sql("INSERT INTO post (body) VALUES ('plain')")
            outcome = "inserted"
        except sa.exc.IntegrityError as err:
            outcome = err.orig.pgcode
        same(outcome, "23502", "difference: INSERT INTO post (body) on db.create_all()'s schema lacks created (23502)")
        db.session.rollback()
    with raw.cursor() as cur:
        cur.execute("BEGIN")
        cur.execute("INSERT INTO post (body) VALUES ('plain') RETURNING created = (now() AT TIME ZONE 'utc')")
        same(cur.fetchone()[0], True, "difference: the same INSERT on corm's table gets corm's default for created")
        cur.execute("ROLLBACK")


def main():
    register_corm()
    app = make_app(DB)
    scratch_app = make_app(SCRATCH)
    with scratch_app.app_context():
        db.create_all()
        scratch_engine = db.engine
    raw = psycopg2.connect(dbname=DB)
    raw.autocommit = True
    try:
        with app.app_context():
            recorder = Recorder(db.engine)
            check_paginate()                  # an empty table
            check_onupdate(recorder)
            check_get_or()
            with raw.cursor() as cur:
                cur.execute("INSERT INTO user_view (name) SELECT 'u' || i FROM generate_series(1, 5) i")
            check_paginate()                  # 7 rows, 2 of them employees
            check_relationships()
            check_joined(raw)
            check_alembic(scratch_engine)
            db.session.remove()
        check_differences(raw, scratch_app)
    finally:
        raw.close()
        for a in (app, scratch_app):
            with a.app_context():
                db.session.remove()
                db.engine.dispose()


if __name__ == "__main__":
    created = []
    try:
        for name in (DB, SCRATCH):
            admin('CREATE DATABASE "%s"' % name)
            created.append(name)
        main()
    except Exception as e:  # a failure to run is a failed test, with its reason
        ok(False, "the application ran", "%s: %s" % (type(e).__name__, e))
    finally:
        for name in created:
            admin('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % name)
    print("1..%d" % len(tests))
    failed = 0
    for i, (passed, name, detail, todo) in enumerate(tests, 1):
        print("%s %d - %s%s" % ("ok" if passed else "not ok", i, name, " # TODO " + todo if todo else ""))
        if detail and (not passed or todo):
            for line in str(detail).splitlines():
                print("# " + line)
        if not passed and not todo:
            failed += 1
    print("# %d passed, %d failed" % (len(tests) - failed, failed))
    sys.exit(1 if failed else 0)
