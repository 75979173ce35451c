#!/usr/bin/python3
"""corm's onupdate against SQLAlchemy 1.4's, side by side (TAP).

The same UPDATEs run twice: on plain tables, where SQLAlchemy itself adds
its onupdate to the SET list, and on corm's tables and views, where
corm.onupdate() does.  Each case compares what happened to the onupdate
columns (kept at their fixed old value, or moved to the transaction's
now()) and, for joined inheritance, which tables the UPDATE wrote.

Runs against the server the PG* environment variables name, in a database
of its own that it drops at the end; needs corm installed there and the
Debian packages python3-sqlalchemy (1.4) and python3-psycopg2:

    PGHOST=... PGPORT=... /usr/bin/python3 test/onupdate_sqlalchemy.py
"""
import os
import sys

import psycopg2
import sqlalchemy as sa
from sqlalchemy import orm

DB = "corm_sa_onupdate_%d" % os.getpid()
OLD = "2001-01-01 00:00:00"
tests = []


def ok(cond, name, detail=None):
    tests.append((bool(cond), name, detail))


def admin(sql):
    conn = psycopg2.connect(dbname=os.environ.get("PGDATABASE", "postgres"))
    conn.autocommit = True
    conn.cursor().execute(sql)
    conn.close()


def state(conn, table, id_):
    """'kept', 'moved' or the value itself, for a row's updated column"""
    return conn.execute(sa.text(
        "SELECT CASE WHEN updated = :old THEN 'kept' WHEN updated = now()::timestamp THEN 'moved'"
        " ELSE updated::text END FROM %s WHERE id = :id" % table), {"old": OLD, "id": id_}).scalar()


def main():
    engine = sa.create_engine("postgresql+psycopg2:///" + DB, future=True)
    try:
        compare(engine)
    finally:
        engine.dispose()


def compare(engine):
    meta = sa.MetaData()
    # SQLAlchemy's side: plain tables, SQLAlchemy's onupdate
    post = sa.Table("sa_post", meta,
                    sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("author_id", sa.Integer),
                    sa.Column("updated", sa.DateTime, onupdate=sa.func.now()))
    entry = sa.Table("sa_entry", meta,
                     sa.Column("id", sa.Integer, primary_key=True),
                     sa.Column("body", sa.Text),
                     sa.Column("updated", sa.DateTime, onupdate=sa.func.now()))
    story = sa.Table("sa_story", meta,
                     sa.Column("id", sa.Integer, sa.ForeignKey("sa_entry.id"), primary_key=True),
                     sa.Column("title", sa.Text),
                     sa.Column("version", sa.Integer, nullable=False, default=1,
                               onupdate=sa.text("version + 1")))
    with engine.begin() as conn:
        meta.create_all(conn)
        # corm's side: the same models, corm's onupdate
        conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS corm"))
        for call in [
            "corm.register_model_class('SaRowed', primary_key => 'id integer')",
            "corm.register_mixin('SaStamps', columns => 'updated timestamp', onupdate => 'updated = now()')",
            "corm.register_model('CormPost', model_class => 'SaRowed', mixins => '{SaStamps}', columns => 'author_id int')",
            "corm.register_model('CormEntry', model_class => 'SaRowed', mixins => '{SaStamps}', columns => 'body text')",
            "corm.register_model('CormStory', parent => 'CormEntry', columns => 'title text, version int NOT NULL DEFAULT 1',"
            " onupdate => 'version = version + 1')",
        ]:
            conn.execute(sa.text("SELECT count(*) FROM " + call))
        conn.execute(sa.text(
            "CREATE OR REPLACE TRIGGER corm_view_columns BEFORE UPDATE ON corm_story_view"
            " FOR EACH STATEMENT EXECUTE FUNCTION corm.view_trigger()"))
        conn.execute(sa.text("INSERT INTO sa_post VALUES (1, 1, :old)"), {"old": OLD})
        conn.execute(sa.text("INSERT INTO corm_post (id, author_id, updated) VALUES (1, 1, :old)"), {"old": OLD})
    corm_post = sa.Table("corm_post", sa.MetaData(), autoload_with=engine)

    # Core: a column the SET list names keeps its value, even its old one
    cases = [
        ("SET updated = updated, author_id = ...", lambda t: {"updated": t.c.updated, "author_id": 2}),
        ("SET author_id = ...", lambda t: {"author_id": 3}),
        ("SET updated = a new value", lambda t: {"updated": sa.text("'2002-02-02'")}),
    ]
    for name, values in cases:
        with engine.connect() as conn, conn.begin() as tx:
            conn.execute(post.update().where(post.c.id == 1).values(values(post)))
            conn.execute(corm_post.update().where(corm_post.c.id == 1).values(values(corm_post)))
            sa_state, corm_state = state(conn, "sa_post", 1), state(conn, "corm_post", 1)
            ok(sa_state == corm_state, "%s: SQLAlchemy %s, corm %s" % (name, sa_state, corm_state))
            tx.rollback()

    # ORM, joined inheritance: a change of the subclass's columns alone
    # writes only the subclass's table; the parent's onupdate stays
    class Base:
        pass

    reg = orm.registry()

    class Entry(Base):
        pass

    class Story(Entry):
        pass

    reg.map_imperatively(Entry, entry)
    reg.map_imperatively(Story, story, inherits=Entry)
    written = []

    @sa.event.listens_for(engine, "before_cursor_execute")
    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("UPDATE"):
            written.append(statement.split()[1])

    with orm.Session(engine) as session, session.begin():
        session.add(Story(id=1, body="b", title="t", updated=sa.text("'%s'" % OLD)))
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO corm_story_view (id, body, title, updated) VALUES (1, 'b', 't', :old)"),
                     {"old": OLD})
    for name, change, corm_sql in [
        ("the subclass's column", {"title": "t2"}, "UPDATE corm_story_view SET title = 't2' WHERE id = 1"),
        ("the parent's column", {"body": "b2"}, "UPDATE corm_story_view SET body = 'b2' WHERE id = 1"),
        ("both", {"title": "t3", "body": "b3"},
         "UPDATE corm_story_view SET title = 't3', body = 'b3' WHERE id = 1"),
    ]:
        session = orm.Session(engine)
        session.begin()
        s = session.get(Story, 1)
        del written[:]
        for k, v in change.items():
            setattr(s, k, v)
        session.flush()
        conn = session.connection()
        sa_tables = sorted(written)
        sa_state = state(conn, "sa_entry", 1)
        sa_version = conn.execute(sa.text("SELECT version FROM sa_story WHERE id = 1")).scalar()
        before = conn.execute(sa.text(
            "SELECT e.xmin::text, s.xmin::text FROM corm_entry e JOIN corm_story s USING (id) WHERE id = 1")).one()
        conn.execute(sa.text(corm_sql))
        after = conn.execute(sa.text(
            "SELECT e.xmin::text, s.xmin::text FROM corm_entry e JOIN corm_story s USING (id) WHERE id = 1")).one()
        corm_tables = sorted(t for t, b, a in zip(["sa_entry", "sa_story"], before, after) if b != a)
        corm_state = state(conn, "corm_entry", 1)
        corm_version = conn.execute(sa.text("SELECT version FROM corm_story WHERE id = 1")).scalar()
        ok(sa_tables == corm_tables, "joined, %s: tables written, SQLAlchemy %s, corm %s"
           % (name, sa_tables, corm_tables))
        ok((sa_state, sa_version) == (corm_state, corm_version),
           "joined, %s: parent's updated and subclass's version, SQLAlchemy %s, corm %s"
           % (name, (sa_state, sa_version), (corm_state, corm_version)))
        session.rollback()
        session.close()


if __name__ == "__main__":
    admin('CREATE DATABASE "%s"' % DB)
    try:
        main()
    except Exception as e:  # a failure to run is a failed test, with its reason
        ok(False, "the comparison ran", repr(e))
    finally:
        admin('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % DB)
    print("1..%d" % len(tests))
    for i, (passed, name, detail) in enumerate(tests, 1):
        print("%s %d - %s" % ("ok" if passed else "not ok", i, name))
        if detail:
            print("# " + detail)
    sys.exit(0 if all(p for p, _, _ in tests) else 1)
