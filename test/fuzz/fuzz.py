#!/usr/bin/env python3
"""
fuzz.py -- a bounded fuzzing pass over every SQL function of corm.

Builds, from a seed, cases: short call sequences (a scenario) whose
arguments are drawn from the corpus in corpus/*.txt, mutated, or left valid,
so that a fuzzed value reaches the code deep inside a valid set-up too.  Each
case runs in one transaction of ONE long psql session, each call in a
savepoint of its own; the case is rolled back at its end.  After every call:

  failed call     a clean ERROR, not an internal one (class XX, or a message
                  quoting SQLSTATE XX...), and nothing left behind: a
                  fingerprint of corm's catalog, the objects in the user's
                  schemas, triggers, schemas and the injection targets is the
                  same as before the call
  successful call every model's table and view, every recorded function
                  exist; no relation or function in the user's schemas
                  belongs to no model; the injection targets are intact
  end of a case   the same, and corm.check() finds no drift, and the server
                  has not restarted

The injection targets: table canary (an injected DROP or DELETE), table
pwned (an injected INSERT), sequence pwned_seq (an injected nextval(): a
sequence is not transactional, so it shows a statement that ran even inside
a call that failed), table pwned_t (an injected CREATE TABLE).

Before the random cases, two fixed passes: the cases of
corpus/regressions.txt, and the injection pass (every text argument of every
function, in a valid call, gets every entry of corpus/injections.txt).

A backend crash ends the psql session: the case, the call and the exact
statement are reported, the fuzzed values are added to corpus/found.txt and
the case to corpus/regressions.txt, and the run goes on in a new session
once the server is back.

Environment: PG* name the server, and
  FUZZ_SEED         the seed (default 20261126)
  FUZZ_CALLS        random calls to make (default 1200)
  FUZZ_TIME_LIMIT   stop starting cases after this many seconds (default 75
                    without FUZZ_CALLS, else 0: never)
  FUZZ_MAX_CRASHES  stop after this many crashes outside the regressions (5)
  FUZZ_DB           the database (default corm_fuzz_<pid>; dropped first and
                    at the end, unless FUZZ_KEEP_DB=1)
  FUZZ_VERBOSE=1    every call with its SQLSTATE, and counts per function
  FUZZ_NO_SAVE=1    leave the corpus alone (the default under CI=true)
  FUZZ_EXCLUDE      a regex: cases whose SQL matches it are left out, to set
                    a known bug aside while hunting others
  FUZZ_NO_INJECTIONS=1  skip the injection pass
Exits 0 when every call passed, 1 otherwise, 2 when it could not start.
"""
import os
import random
import re
import select
import subprocess
import sys
import time
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")

SEED = int(os.environ.get("FUZZ_SEED", "20261126"))
CALLS = int(os.environ.get("FUZZ_CALLS", "1200"))
# the bounded pass (FUZZ_CALLS unset) stops starting cases after 75 s, so that
# it ends well within 90 s on a slow machine; a run with FUZZ_CALLS set does not
TIME_LIMIT = float(os.environ.get("FUZZ_TIME_LIMIT", "0" if "FUZZ_CALLS" in os.environ else "75"))
MAX_CRASHES = int(os.environ.get("FUZZ_MAX_CRASHES", "5"))
DB = os.environ.get("FUZZ_DB") or "corm_fuzz_%d" % os.getpid()
KEEP_DB = os.environ.get("FUZZ_KEEP_DB") == "1"
VERBOSE = os.environ.get("FUZZ_VERBOSE") == "1"
# a CI run (CI=true) leaves the corpus as it is, unless FUZZ_NO_SAVE=0
NO_SAVE = os.environ.get("FUZZ_NO_SAVE", "1" if os.environ.get("CI") == "true" else "0") == "1"
# cases whose SQL matches this (a Python regex, "." matching newlines too) are
# not run: a known bug can be set aside while others are hunted
EXCLUDE = re.compile(os.environ["FUZZ_EXCLUDE"], re.S) if os.environ.get("FUZZ_EXCLUDE") else None
STEP_TIMEOUT = 120          # seconds without an answer: a hang
STATEMENT_TIMEOUT = "20s"   # the server's own limit on one call


# ---------------------------------------------------------------------------
# The corpus
# ---------------------------------------------------------------------------

ESCAPE = re.compile(r"\\(\\|n|r|t|x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8})")


def decode(line):
    def one(m):
        e = m.group(1)
        if e == "\\":
            return "\\"
        if e in ("n", "r", "t"):
            return {"n": "\n", "r": "\r", "t": "\t"}[e]
        return chr(int(e[1:], 16))
    return ESCAPE.sub(one, line)


def encode(text):
    out = []
    for ch in text:
        o = ord(ch)
        if ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif o < 0x20 or o == 0x7F or 0xD800 <= o <= 0xDFFF:
            out.append("\\x%02x" % o if o < 0x100 else "\\u%04x" % o)
        else:
            out.append(ch)
    s = "".join(out)
    if s == "":
        return "!!empty"
    if s.startswith("#") or s.startswith("!!"):
        s = "\\x%02x" % ord(s[0]) + s[1:]
    return s


def load(name):
    entries = []
    path = os.path.join(CORPUS, name)
    if not os.path.exists(path):
        return entries
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.rstrip("\n")
            if line == "" or line.startswith("#"):
                continue
            if line == "!!empty":
                entries.append("")
                continue
            m = re.match(r"!!repeat (\d+) (.*)$", line)
            if m:
                entries.append(decode(m.group(2)) * int(m.group(1)))
                continue
            entries.append(decode(line))
    return entries


POOLS = {k: load(k + ".txt") for k in ("names", "columns", "onupdate", "templates", "types", "misc", "found",
                                       "injections")}
REGRESSIONS = load("regressions.txt")

INJECTIONS = POOLS["injections"] + ["; DELETE FROM public.canary", "$q$; DROP TABLE canary; $q$"]
SPICE = list("'\"();,$@-/*\\%:.[]{}=+ \t\n\x01\x1b\x7f") + [
    "ä", "€", "日", "\U0001F642", "\u0301", "\u202e", "\ufeff", "\u2028", "İ", "ẞ", "Σ", "@view@",
    "@pk@", "@function@", "--", "/*", "*/", "$$", "$q$", "%s", "%n", "''", "\"\"", "E'", "U&"]
PLACEHOLDERS = ["@view@", "@table@", "@rowtype@", "@pk@", "@pktype@", "@model@", "@function@",
                "@pagination@"]
LENGTHS = [57, 58, 59, 62, 63, 64, 65, 128, 1000, 10000]


# ---------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------

class Gen:
    """Values for arguments, from a seeded generator."""

    KIND_POOLS = {
        "name": ["names"], "ident": ["names"], "columns": ["columns"], "pk": ["columns", "types"],
        "onupdate": ["onupdate"], "template": ["templates"], "type": ["types"],
        "misc": ["misc"], "any": ["names", "columns", "onupdate", "templates", "types", "misc"],
    }

    def __init__(self, rng):
        self.rng = rng

    def pool(self, kind):
        names = self.KIND_POOLS.get(kind, ["names"])
        if POOLS["found"] and self.rng.random() < 0.05:
            return POOLS["found"]
        if self.rng.random() < 0.1:
            names = self.KIND_POOLS["any"]
        return POOLS[self.rng.choice(names)] or POOLS["names"]

    def corpus(self, kind):
        return self.rng.choice(self.pool(kind))

    def random_text(self):
        n = self.rng.choice([0, 1, 2, 5, 10, 30, 63, 64, 80])
        alphabet = "abcXYZ_019 " * 3
        return "".join(self.rng.choice(alphabet) if self.rng.random() < 0.7 else self.rng.choice(SPICE)
                       for _ in range(n))

    def mutate(self, s):
        rng = self.rng
        for _ in range(rng.choice([1, 1, 2, 3])):
            op = rng.randrange(12)
            i = rng.randint(0, len(s))
            j = rng.randint(i, min(len(s), i + 8))
            if op == 0:
                s = s[:i] + rng.choice(SPICE) + s[i:]
            elif op == 1:
                s = s[:i] + s[j:]
            elif op == 2:
                s = s[:j] + s[i:j] * rng.choice([2, 3, 50]) + s[j:]
            elif op == 3:
                other = self.corpus("any")
                s = s[:i] + other[rng.randint(0, len(other)):]
            elif op == 4:
                left, right = rng.choice([("'", "'"), ('"', '"'), ("(", ")"), ("$$", "$$"),
                                          ("$q$", "$q$"), ("/*", "*/"), ("E'", "'"), ("[", "]")])
                s = left + s + right
            elif op == 5:
                s = s + rng.choice(INJECTIONS)
            elif op == 6:
                s = rng.choice(INJECTIONS) + s
            elif op == 7:
                s = s.swapcase()
            elif op == 8:
                target = rng.choice(LENGTHS)
                unit = s or "a"
                s = (unit * (target // len(unit.encode()) + 1)).encode()[:target].decode("utf-8", "ignore")
            elif op == 9:
                s = s[:i] + rng.choice(PLACEHOLDERS) + s[j:]
            elif op == 10:
                s = s[:i] + rng.choice(SPICE) + s[j:]
            else:
                s = s[:i] + s[i:j][::-1] + s[j:]
        return s

    def value(self, kind):
        r = self.rng.random()
        if r < 0.45:
            return self.corpus(kind)
        if r < 0.85:
            return self.mutate(self.corpus(kind))
        if r < 0.92:
            return None
        return self.random_text()


def lit(s):
    """A string as an SQL literal that psql passes through unchanged."""
    if s is None:
        return "NULL"
    out = []
    for ch in s:
        o = ord(ch)
        if ch == "\\":
            out.append("\\\\")
        elif ch == "'":
            out.append("\\'")
        elif o < 0x20 or o == 0x7F:
            out.append("\\x%02x" % o)
        else:
            out.append(ch)
    return "E'" + "".join(out) + "'"


def qi(s):
    """An identifier, always quoted (control characters as Unicode escapes)."""
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in s):
        body = "".join("\\%04X" % ord(ch) if ord(ch) < 0x20 or ord(ch) == 0x7F
                       else "\\\\" if ch == "\\" else '""' if ch == '"' else ch for ch in s)
        return 'U&"' + body + '"'
    return '"' + s.replace('"', '""') + '"'


def arr(items):
    if items is None:
        return "NULL"
    return "ARRAY[" + ", ".join(lit(x) for x in items) + "]::text[]"


def boolean(b):
    return "NULL" if b is None else ("true" if b else "false")


# ---------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------

class Case:
    """A scenario being built: its statements, each with the function it calls."""

    def __init__(self, number, rng, gen):
        self.number = number
        self.rng = rng
        self.gen = gen
        self.steps = []         # (function, sql)
        self.fuzzed = []        # the fuzzed values, for corpus/found.txt
        self.rate = rng.choice([0.05, 0.1, 0.2, 0.35, 0.6])

    def fz(self, kind, default, rate=None):
        """default, or now and then a fuzzed value in its place."""
        if self.rng.random() < (self.rate if rate is None else rate):
            v = self.gen.value(kind)
            if v is not None:
                self.fuzzed.append(v)
            return v
        return default

    def pick(self, *choices):
        return self.rng.choice(choices)

    def maybe(self, p=0.5):
        return self.rng.random() < p

    def call(self, fn, *positional, **named):
        """SELECT corm.fn(...) with literal arguments; OMIT leaves one out."""
        args = [lit(a) for a in positional]
        for k, v in named.items():
            if isinstance(v, Omit):
                continue
            if isinstance(v, bool) or v is None and k in BOOL_ARGS:
                args.append("%s => %s" % (k, boolean(v)))
            elif isinstance(v, list):
                args.append("%s => %s" % (k, arr(v)))
            else:
                args.append("%s => %s" % (k, lit(v)))
        setof = fn in ("model_columns", "check")
        sql = ("SELECT count(*) FROM corm.%s(%s)" if setof else "SELECT corm.%s(%s)") % (fn, ", ".join(args))
        self.steps.append((fn, sql))

    def sql(self, label, sql):
        self.steps.append((label, sql))

    def on_model(self, model, target, template, val=None):
        self.sql("dml:" + template.split()[0].lower(),
                 "SELECT fuzz.on_model(%s, %s, %s, %s)" % (lit(model), lit(target), lit(template), lit(val)))

    def render_call(self, fn, **named):
        """The SQL of a call, without adding it: for dry_run()."""
        before = len(self.steps)
        self.call(fn, **named)
        return self.steps.pop(before)[1] if len(self.steps) > before else None


class Omit:
    pass


OMIT = Omit()
BOOL_ARGS = {"abstract", "drop_columns", "binding", "cascade"}


def flag(c):
    return c.pick(OMIT, OMIT, True, False, None)


def ids(c):
    """A valid model class with an integer key, the seed's IdModel."""
    c.call("register_model_class", "IdModel", primary_key=c.fz("pk", "id integer"))


def sc_model_class(c):
    mc = c.fz("name", "FzBase")
    c.call("register_model_class", mc, primary_key=c.fz("pk", "id integer"),
           columns=c.fz("columns", c.pick(OMIT, "tenant text NOT NULL", "label text")),
           meta=c.fz("name", c.pick(OMIT, "DefaultMeta", "NoNameMeta")),
           query_class=c.fz("name", c.pick(OMIT, "BaseQuery")), drop_columns=flag(c))
    model = c.fz("name", "Widget")
    c.call("register_model", model, model_class=mc, columns=c.fz("columns", c.pick(OMIT, "size integer")),
           tablename=c.fz("name", c.pick(OMIT, OMIT, "widgets")))
    if c.maybe():
        c.on_model(model, "view", "INSERT INTO %1$s DEFAULT VALUES")
    if c.maybe():
        c.call("register_model_class", mc, primary_key=c.fz("pk", "id integer"),
               columns=c.fz("columns", "tenant text NOT NULL, extra text"), drop_columns=flag(c))
    if c.maybe(0.3):
        c.call("drop_model_class", c.fz("name", mc), cascade=flag(c))
    c.call(c.pick("ddl", "model_columns"), c.fz("name", model))


def sc_mixin(c):
    ids(c)
    mx = c.fz("name", "Stamped")
    inner = None
    if c.maybe(0.4):
        inner = c.fz("name", "Audited")
        c.call("register_mixin", inner, columns=c.fz("columns", "audited_by text"),
               onupdate=c.fz("onupdate", OMIT))
    updated = c.fz("type", c.pick("timestamp", "timestamptz", "timestamp(3)", "date", "text"), 0.3) or "timestamp"
    c.call("register_mixin", mx,
           columns=c.fz("columns", "created timestamp NOT NULL DEFAULT now(), updated %s, "
                                   "revision integer NOT NULL DEFAULT 1" % updated),
           onupdate=c.fz("onupdate", c.pick("updated = now()", "updated = now(), revision = revision + 1")),
           mixins=[c.fz("name", inner)] if inner or c.maybe(0.2) else OMIT, drop_columns=flag(c))
    model = c.fz("name", "Note")
    mixins = [mx] + ([c.fz("name", inner)] if inner and c.maybe() else [])
    c.call("register_model", model, model_class=c.fz("name", "IdModel"), mixins=mixins,
           columns=c.fz("columns", c.pick("body text", "body text, updated timestamptz")),
           onupdate=c.fz("onupdate", OMIT))
    c.on_model(model, "view", "INSERT INTO %1$s DEFAULT VALUES")
    c.on_model(model, "table", c.pick("UPDATE %1$s SET %2$I = %2$I", "UPDATE %1$s SET id = id",
                                      "UPDATE %1$s SET %2$I = DEFAULT"))
    if c.maybe(0.4):
        c.call("register_mixin", mx, columns=c.fz("columns", "created timestamp NOT NULL DEFAULT now(), "
                                                             "updated timestamp, revision integer NOT NULL DEFAULT 1, "
                                                             "touched integer"),
               onupdate=c.fz("onupdate", "updated = now(), touched = 1"), drop_columns=flag(c))
        c.on_model(model, "table", "UPDATE %1$s SET id = id")
    if c.maybe(0.3):
        c.call("drop_mixin", c.fz("name", mx), cascade=flag(c))


def sc_model(c):
    ids(c)
    if c.maybe(0.3):
        c.call("register_bind", "fz", schema=c.fz("name", "fz_bind"))
    parent = None
    if c.maybe(0.4):
        parent = "Base"
        c.call("register_model", parent, model_class="IdModel",
               columns=c.fz("columns", "kind text NOT NULL, name text"),
               polymorphic_on=c.fz("ident", c.pick(OMIT, "kind")), abstract=c.fz("bool", OMIT))
    model = c.fz("name", "Thing")
    c.call("register_model", model,
           columns=c.fz("columns", c.pick(OMIT, "label text", "label text NOT NULL, n integer DEFAULT 0")),
           parent=c.fz("name", parent if parent else OMIT),
           model_class=c.fz("name", c.pick("IdModel", "IdModel", OMIT, "Model")),
           mixins=[c.fz("name", "Missing")] if c.maybe(0.2) else OMIT,
           tablename=c.fz("name", c.pick(OMIT, OMIT, "things", "legacy")),
           abstract=c.pick(OMIT, OMIT, OMIT, True, False),
           bind_key=c.fz("name", c.pick(OMIT, OMIT, "fz")),
           query_class=c.fz("name", c.pick(OMIT, OMIT, "BaseQuery")),
           onupdate=c.fz("onupdate", OMIT),
           polymorphic_on=c.fz("ident", OMIT),
           polymorphic_identity=c.fz("name", OMIT),
           drop_columns=flag(c))
    if c.maybe():
        c.on_model(model, "view", "INSERT INTO %1$s DEFAULT VALUES")
    if c.maybe():
        c.call("register_model", model, columns=c.fz("columns", "label text, added text"),
               model_class="IdModel", drop_columns=flag(c))
    fn = c.pick("ddl", "model_columns", "check")
    if fn == "check":
        c.call(fn)
    else:
        c.call(fn, c.fz("name", model))


def sc_inheritance(c):
    ids(c)
    root = c.fz("name", "Pet")
    disc = c.fz("ident", "kind")
    c.call("register_model", root, columns=c.fz("columns", "id integer PRIMARY KEY, kind text NOT NULL, name text"),
           polymorphic_on=disc, polymorphic_identity=c.fz("name", OMIT), tablename=c.fz("name", OMIT))
    single = c.fz("name", "Dog")
    c.call("register_model", single, parent=root, columns=c.fz("columns", "breed text NOT NULL"),
           polymorphic_identity=c.fz("name", OMIT))
    joined = c.fz("name", "Cat")
    c.call("register_model", joined, parent=root, model_class="IdModel",
           columns=c.fz("columns", "lives integer DEFAULT 9"), polymorphic_identity=c.fz("name", OMIT),
           tablename=c.fz("name", OMIT))
    if c.maybe(0.4):
        grand = c.fz("name", "Kitten")
        c.call("register_model", grand, parent=joined, model_class=c.pick(OMIT, "IdModel"),
               columns=c.fz("columns", "age integer"))
    for model in (single, joined):
        if c.maybe(0.7):
            c.on_model(model, "view", c.pick("INSERT INTO %1$s DEFAULT VALUES",
                                             "INSERT INTO %1$s (%2$I) VALUES (%3$L)",
                                             "INSERT INTO %1$s (%2$I) VALUES (%3$L) RETURNING *"),
                       c.fz("name", "7"))
            c.on_model(model, "view", c.pick("UPDATE %1$s SET %2$I = %3$L", "UPDATE %1$s SET %2$I = %2$I",
                                             "UPDATE %1$s SET kind = %3$L", "DELETE FROM %1$s",
                                             "UPDATE %1$s SET id = id + 1"),
                       c.fz("name", "8"))
    if c.maybe(0.3):
        c.call("drop_model", c.fz("name", root), cascade=flag(c))


def sc_meta(c):
    meta = c.fz("name", "FzMeta")
    c.call("register_meta", meta,
           naming=c.fz("misc", c.pick(OMIT, "snake_case", "none", "public.fuzz_naming(text)")),
           binding=c.pick(OMIT, True, False, None),
           hooks=[c.fz("misc", "public.fuzz_hook(text)") for _ in range(c.pick(0, 1, 2))] if c.maybe() else OMIT)
    c.call("register_model_class", "MetaBase", primary_key="id integer", meta=c.fz("name", meta))
    if c.maybe(0.3):
        c.call("register_bind", "mb", schema=c.fz("name", "fz_meta_bind"))
    model = c.fz("name", "Gadget")
    c.call("register_model", model, model_class="MetaBase", tablename=c.fz("name", c.pick(OMIT, OMIT, "gadgets")),
           bind_key=c.pick(OMIT, OMIT, "mb"))
    if c.maybe(0.4):
        c.call("register_meta", meta, naming=c.fz("misc", "public.fuzz_naming(text)"),
               hooks=[c.fz("misc", "public.fuzz_hook(text)")])
    if c.maybe(0.3):
        c.call("drop_meta", c.fz("name", meta), cascade=flag(c))


def sc_bind(c):
    ids(c)
    key = c.fz("name", "analytics")
    schema = c.fz("name", "fz_analytics")
    c.call("register_bind", key, schema=schema,
           tablespace=c.fz("name", c.pick(OMIT, OMIT, "pg_default", "pg_global")))
    model = c.fz("name", "Event")
    c.call("register_model", model, model_class="IdModel", bind_key=c.fz("name", key),
           columns=c.fz("columns", "payload jsonb"))
    if c.maybe(0.4):
        c.call("register_model", "Event2", model_class="IdModel", bind_key=key, tablename=c.fz("name", "event"))
    if c.maybe(0.4):
        c.call("register_bind", key, schema=c.fz("name", "fz_elsewhere"))
    if c.maybe(0.4):
        c.call("drop_bind", c.fz("name", key), cascade=flag(c))


def sc_query(c):
    ids(c)
    qc = c.fz("name", "GetOrQuery")
    c.call("register_query_class", qc, base=c.fz("name", c.pick(OMIT, "BaseQuery")))
    for _ in range(c.pick(1, 1, 2, 3)):
        c.call("register_query_method", c.fz("name", qc), c.fz("name", c.pick("get_or", "first", "by_name")),
               args=c.fz("template", c.pick("ident @pktype@, \"default\" @rowtype@ DEFAULT NULL", "", "x int")),
               returns=c.fz("template", c.pick("@rowtype@", "bigint", "SETOF @rowtype@")),
               body=c.fz("template", c.pick(
                   "SELECT coalesce((SELECT m FROM @view@ m WHERE m.@pk@ = ident), \"default\")",
                   "SELECT count(*) FROM @view@", "SELECT * FROM @view@")),
               language=c.fz("misc", c.pick(OMIT, "sql", "plpgsql")),
               volatility=c.fz("misc", c.pick(OMIT, "stable", "volatile", "immutable")))
    if c.maybe(0.3):
        sub = c.fz("name", "SubQuery")
        c.call("register_query_class", sub, base=qc)
        qc = sub
    model = c.fz("name", "Post")
    c.call("register_model", model, model_class="IdModel", columns=c.fz("columns", "title text"),
           query_class=c.fz("name", qc))
    if c.maybe(0.5):
        c.on_model(model, "view", "INSERT INTO %1$s DEFAULT VALUES")
        c.sql("keyset", "SELECT fuzz.keyset(%s, %s, %s, %s, %s)" % (
            lit(model), c.pick("NULL", "0", "1", "2", "20", "2147483647", "-1"),
            lit(c.fz("ident", c.pick(None, "title", "title DESC, id", "id DESC", "\"title\" asc"), rate=0.5)),
            c.pick("NULL", "NULL", "1", "3", "10", "40"),
            lit(c.fz("misc", c.pick("A", "_", "-", "=", "", "%"), rate=0.5))))
    if c.maybe(0.3):
        c.call("register_model_class", "QBase", primary_key="id bigint", query_class=c.fz("name", qc))
        c.call("register_model", "Comment", model_class="QBase")
    if c.maybe(0.3):
        c.call("drop_query_method", c.fz("name", qc), c.fz("name", "get_or"))
    if c.maybe(0.3):
        c.call("drop_query_class", c.fz("name", qc), cascade=flag(c))


def sc_relationship(c):
    ids(c)
    atab = c.fz("ident", None, 0.3)
    c.call("register_model", "Author", model_class="IdModel", tablename=atab if atab is not None else OMIT,
           columns=c.fz("columns", "name text"))
    fk = c.fz("ident", "author_id", 0.3)
    fk = "author_id" if fk is None else fk
    ref = qi(atab) if atab is not None else "author"
    btab = c.fz("ident", None, 0.3)
    c.call("register_model", "Book", model_class="IdModel", tablename=btab if btab is not None else OMIT,
           columns=c.fz("columns", "%s integer REFERENCES %s, title text" % (qi(fk), ref)))
    if c.maybe(0.3):
        c.call("register_query_class", "RelQuery")
        c.call("register_query_method", "RelQuery", "titled", args="t text", returns="SETOF @rowtype@",
               body=c.fz("template", "SELECT * FROM @view@ WHERE title = t"))
    c.call("register_relationship", c.fz("name", "Author"), c.fz("name", "books"), c.fz("name", "Book"),
           query_class=c.fz("name", c.pick(OMIT, OMIT, "RelQuery", "BaseQuery")),
           foreign_key=c.fz("ident", c.pick(OMIT, OMIT, fk)))
    if c.maybe():
        c.call("register_relationship", "Book", c.fz("name", "author"), "Author",
               foreign_key=c.fz("ident", OMIT))
    if c.maybe(0.3):
        c.call("rename_model", c.fz("name", "Author"), c.fz("name", "Writer"))
    if c.maybe(0.3):
        c.call("rename_column", "Book", c.fz("ident", "title"), c.fz("ident", "heading"))
    if c.maybe(0.3):
        c.call("drop_relationship", c.fz("name", "Author"), c.fz("name", "books"))
    if c.maybe(0.3):
        c.call("drop_model", c.fz("name", c.pick("Author", "Book")), cascade=flag(c))


# valid column lists that spell their names in unusual ways, and a name of each
SPELLINGS = [
    ('total numeric(10,2) NOT NULL DEFAULT 0, note text, placed date', "note"),
    ('total numeric, "Note" text, placed date', "Note"),
    ('total numeric, U&"n\\006Fte" text, placed date', "note"),
    ('total numeric, /* c */ note /* d */ text -- e\n, placed date', "note"),
    ('total numeric, "no""te" text, placed date', 'no"te'),
    ('total numeric, NOTE text, placed date', "note"),
    ('total numeric, "über" text, placed date', "über"),
    ('total numeric, note text CHECK (note <> \'\'), placed date', "note"),
    ('total numeric, note text, placed date, UNIQUE (note)', "note"),
    ('"%s%s" numeric, note text, placed date', "%s%s"),
    ('total numeric, "@view@" text, placed date', "@view@"),
]


def sc_lifecycle(c):
    ids(c)
    model = c.fz("name", "Order")
    base, note = c.pick(*SPELLINGS)
    c.call("register_model", model, model_class="IdModel", columns=c.fz("columns", base))
    if c.maybe():
        c.on_model(model, "view", "INSERT INTO %1$s DEFAULT VALUES")
    for _ in range(c.pick(1, 2, 3)):
        op = c.rng.randrange(6)
        if op == 0:     # a migration: a column's type, default, nullability
            typ = c.fz("type", "numeric(12,2)")
            c.call("register_model", model, model_class="IdModel",
                   columns="total %s NOT NULL DEFAULT 0, note text, placed date" % (typ if typ is not None else "int"),
                   drop_columns=flag(c))
        elif op == 1:
            c.call("register_model", model, model_class="IdModel", columns=c.fz("columns", "total numeric(10,2)"),
                   drop_columns=flag(c))
        elif op == 2:
            c.call("rename_model", c.fz("name", model), c.fz("name", "Purchase"))
        elif op == 3:
            c.call("rename_column", c.fz("name", model), c.fz("ident", note), c.fz("ident", "remark"))
            if c.maybe():
                c.call("register_model", model, model_class="IdModel", columns=base)
        elif op == 4:
            c.call("register_model", model, model_class="IdModel", columns=base,
                   tablename=c.fz("name", "orders"))
        else:
            c.call("drop_model", c.fz("name", model), cascade=flag(c))
    c.call("check")


def sc_introspect(c):
    for _ in range(c.pick(1, 2, 4)):
        fn = c.rng.randrange(5)
        if fn == 0:
            c.call("camel_to_snake_case", c.fz("name", "CamelCase") if c.maybe(0.3) else c.gen.value("name"))
        elif fn == 1:
            c.call("ddl", c.gen.value("name"))
        elif fn == 2:
            c.call("model_columns", c.gen.value("name"))
        elif fn == 3:
            c.call("check")
        else:
            inner = Case(c.number, c.rng, c.gen)
            inner.rate = 0.5
            rng = c.rng.randrange(4)
            if rng == 0:
                stmt = inner.render_call("register_model", name=inner.fz("name", "Dry"),
                                         columns=inner.fz("columns", "id integer PRIMARY KEY"))
            elif rng == 1:
                stmt = inner.render_call("register_mixin", name=inner.fz("name", "DryMixin"),
                                         columns=inner.fz("columns", "a int"),
                                         onupdate=inner.fz("onupdate", OMIT))
            elif rng == 2:
                stmt = c.gen.value("any")
            else:
                stmt = c.pick("SELECT 1", "COMMIT", "ROLLBACK", "SAVEPOINT x", "VACUUM", "BEGIN",
                              "SELECT corm.dry_run('SELECT 1')", "SELECT * FROM corm.check()",
                              "CREATE DATABASE fz_no", "PREPARE TRANSACTION 'x'", "SET search_path = x",
                              "DO $$ BEGIN RAISE EXCEPTION 'x'; END $$", "SELECT 1/0", "")
            c.fuzzed.extend(inner.fuzzed)
            c.call("dry_run", stmt)


def sc_manual_onupdate(c):
    c.sql("sql", "INSERT INTO fuzzman.t VALUES (1, 1, 'x', now(), now(), 'k', '{}', '(1,2)', '{1,2}')")
    args = []
    for _ in range(c.pick(0, 1, 1, 2, 3)):
        args.append(c.fz("onupdate", c.pick("u = now()", "v = clock_timestamp()", "a = a + 1", "b = b || '!'",
                                           "j = '{}'", "p = point(0,0)", "arr = arr || 3", "k = upper(k)")))
    when = c.pick("BEFORE UPDATE", "BEFORE UPDATE", "BEFORE UPDATE", "AFTER UPDATE", "BEFORE INSERT OR UPDATE")
    level = c.pick("FOR EACH ROW", "FOR EACH ROW", "FOR EACH ROW", "FOR EACH STATEMENT")
    c.sql("sql", "CREATE TRIGGER fz %s ON fuzzman.t %s EXECUTE FUNCTION corm.onupdate(%s)"
          % (when, level, ", ".join(lit(a if a is not None else "") for a in args)))
    for _ in range(c.pick(1, 2)):
        c.sql("trigger:onupdate", c.pick("UPDATE fuzzman.t SET id = id", "UPDATE fuzzman.t SET a = 5",
                                         "UPDATE fuzzman.t SET u = NULL, b = 'y'",
                                         "INSERT INTO fuzzman.t (id) VALUES (2)",
                                         "UPDATE fuzzman.t SET p = point(1,1)"))
    if c.maybe(0.3):
        c.sql("sql", "ALTER TABLE fuzzman.t ADD COLUMN extra int")
        c.sql("trigger:onupdate", "UPDATE fuzzman.t SET id = id")


VIEW_ARGS = ["kind", "C", "2", "fuzzman.r", "id", "3", "id", "name", "kind",
             "fuzzman.c", "id", "3", "title", "n", "code"]


COLUMN_ARGS = [4, 6, 7, 8, 10, 12, 13, 14]     # positions of column names in VIEW_ARGS
TABLE_ARGS = [3, 9]
COUNT_ARGS = [2, 5, 11]


def put(args, i, value):
    if i < len(args):
        args[i] = value


def sc_manual_view_trigger(c):
    args = list(VIEW_ARGS)
    for _ in range(c.pick(1, 1, 1, 2, 3)):
        choice = c.rng.randrange(8)
        if choice in (0, 1, 2):     # another column, of another type, or none
            put(args, c.rng.choice(COLUMN_ARGS), c.pick("id", "code", "title", "n", "name", "kind", "xmin", "ctid",
                                                     "nosuch", "", "ID", '"id"', "tableoid"))
        elif choice == 3:           # another relation
            put(args, c.rng.choice(TABLE_ARGS), c.pick(
                "fuzzman.v", "fuzzman.plain", "fuzzman.seq", "fuzzman.part", "fuzzman.mat", "fuzzman.r_pkey",
                "fuzzman.comp", "fuzzman.other", "fuzzman.t", "fuzzman.r", "fuzzman.c", "nosuch.x", "",
                "fuzzman.r.id", "pg_catalog.pg_description", "fuzzman.", "\"fuzzman\".\"c\""))
        elif choice == 4:           # another count
            put(args, c.rng.choice(COUNT_ARGS), c.pick("0", "-1", "1", "2", "3", "4", "99", "2147483648", "x", "",
                                                    " 1", "1e3", "0x10"))
        elif choice == 5:           # another discriminator or identity
            put(args, c.pick(0, 1), c.pick("", "id", "name", "n", "title", "nosuch") if c.maybe() else
                (c.gen.value("name") or ""))
        elif choice == 6:
            i = c.rng.randrange(len(args))
            del args[i:i + c.pick(1, 2, 5)]
        else:
            i = c.rng.randrange(len(args) + 1)
            args[i:i] = [c.gen.value("name") or "x"]
    c.fuzzed.extend(a for a in args if a not in VIEW_ARGS)
    c.sql("sql", "CREATE TRIGGER fz INSTEAD OF INSERT OR UPDATE OR DELETE ON %s FOR EACH ROW "
                 "EXECUTE FUNCTION corm.view_trigger(%s)"
          % (c.pick("fuzzman.v", "fuzzman.v", "fuzzman.v", "fuzzman.plain"), ", ".join(lit(a) for a in args)))
    for _ in range(c.pick(1, 2, 3)):
        c.sql("trigger:view", c.pick(
            "INSERT INTO fuzzman.v (name, title, n, code) VALUES ('a', 'b', 1.5, 'c') RETURNING *",
            "INSERT INTO fuzzman.v (id, name, kind) VALUES (5, 'a', 'C')",
            "INSERT INTO fuzzman.v (name, kind) VALUES ('a', 'D')",
            "INSERT INTO fuzzman.plain (name) VALUES ('p')",
            "UPDATE fuzzman.v SET title = 'new', name = 'n'",
            "UPDATE fuzzman.v SET kind = 'X'",
            "DELETE FROM fuzzman.v"))
    if c.maybe(0.3):
        c.sql("sql", "ALTER TABLE fuzzman.c ADD COLUMN extra int")
        c.sql("trigger:view", "INSERT INTO fuzzman.v (name) VALUES ('again')")


def sc_helpers(c):
    for _ in range(c.pick(1, 2, 3)):
        k = c.rng.randrange(6)
        ints = lambda: c.pick("NULL", "0", "-1", "1", "2", "20", "2147483647", "-2147483648")
        if k == 0:
            c.sql("not_found", "SELECT corm.not_found(%s, %s, %s)" % (
                c.pick("NULL::int", "NULL::text", "1", "'x'::text", "NULL::public.canary", "ROW(1)"),
                lit(c.gen.value("name")), lit(c.gen.value("name"))))
        elif k == 1:
            c.sql("page_size", "SELECT corm.page_size(%s, %s, %s)" % (ints(), ints(), ints()))
        elif k == 2:
            c.sql("page_items", "SELECT corm.page_items(%s, %s, %s, %s)" % (
                lit(c.gen.value("name")), ints(), ints(), c.pick("ARRAY[1]", "'{}'::int[]", "NULL::text[]",
                                                                 "ARRAY[NULL::int]")))
        elif k == 3:
            c.sql("onupdate", "SELECT corm.onupdate()")
        elif k == 4:
            c.sql("view_trigger", "SELECT corm.view_trigger()")
        elif k == 5 and c.maybe(0.5):
            # corm.keyset() and corm.call() called by hand, with types that do not fit
            c.sql("keyset", "SELECT corm.keyset(%s, %s, %s, %s, %s, %s, %s, %s, %s)" % (
                c.pick("NULL::int", "NULL::public.canary", "ROW(1)", "NULL::record"),
                c.pick("NULL", "'pg_class'::regclass", "'corm.model'::regclass"),
                c.pick("NULL", "'pg_catalog.generate_series(int, int)'::regprocedure"),
                c.pick("NULL::text", "1", "ROW(1)"),
                c.pick("NULL", "'{}'::text[]", "ARRAY['oid']", "ARRAY[NULL]::text[]"),
                ints(), lit(c.gen.value("misc")), c.pick("NULL", "'x'"), lit(c.gen.value("ident"))))
            c.sql("call", "SELECT corm.call(%s, %s%s)" % (
                c.pick("NULL::int", "NULL::text", "NULL::public.canary"),
                c.pick("NULL", "'pg_catalog.now()'::regprocedure", "'corm.check()'::regprocedure"),
                c.pick("", ", 1", ", NULL::text")))
        else:
            c.sql("guard_drop", "SELECT corm.guard_drop()")


FUNCTIONS = {
    "register_model_class": [("name", "name"), ("primary_key", "pk"), ("columns", "columns"), ("meta", "name"),
                             ("query_class", "name"), ("drop_columns", "bool")],
    "register_mixin": [("name", "name"), ("columns", "columns"), ("onupdate", "onupdate"), ("mixins", "names"),
                       ("drop_columns", "bool")],
    "register_model": [("name", "name"), ("columns", "columns"), ("parent", "name"), ("model_class", "name"),
                       ("mixins", "names"), ("tablename", "name"), ("abstract", "bool"), ("bind_key", "name"),
                       ("query_class", "name"), ("onupdate", "onupdate"), ("polymorphic_on", "ident"),
                       ("polymorphic_identity", "name"), ("drop_columns", "bool")],
    "register_meta": [("name", "name"), ("naming", "misc"), ("binding", "bool"), ("hooks", "miscs")],
    "register_bind": [("key", "name"), ("schema", "name"), ("tablespace", "name")],
    "register_query_class": [("name", "name"), ("base", "name")],
    "register_query_method": [("query_class", "name"), ("name", "name"), ("args", "template"),
                              ("returns", "template"), ("body", "template"), ("language", "misc"),
                              ("volatility", "misc")],
    "register_relationship": [("model", "name"), ("name", "name"), ("target", "name"), ("query_class", "name"),
                              ("foreign_key", "ident")],
    "drop_model": [("name", "name"), ("cascade", "bool")],
    "drop_mixin": [("name", "name"), ("cascade", "bool")],
    "drop_model_class": [("name", "name"), ("cascade", "bool")],
    "drop_query_class": [("name", "name"), ("cascade", "bool")],
    "drop_query_method": [("query_class", "name"), ("name", "name")],
    "drop_meta": [("name", "name"), ("cascade", "bool")],
    "drop_bind": [("key", "name"), ("cascade", "bool")],
    "drop_relationship": [("model", "name"), ("name", "name")],
    "rename_model": [("old", "name"), ("new", "name")],
    "rename_column": [("model", "name"), ("old", "ident"), ("new", "ident")],
    "dry_run": [("statement", "any")],
    "ddl": [("model", "name")],
    "model_columns": [("model", "name")],
    "camel_to_snake_case": [("name", "name")],
    "check": [],
}
REQUIRED = {"register_query_method": 5, "register_relationship": 3, "drop_query_method": 2,
            "drop_relationship": 2, "rename_model": 2, "rename_column": 3, "register_bind": 2}


def sc_chaos(c):
    """Any function, every argument from the corpus: what the other scenarios do not think of."""
    if c.maybe():
        ids(c)
        c.call("register_model", "Seed", model_class="IdModel", columns="name text")
    for _ in range(c.pick(2, 4, 6)):
        fn = c.rng.choice(sorted(FUNCTIONS))
        params = FUNCTIONS[fn]
        named = {}
        for n, (param, kind) in enumerate(params):
            if n >= REQUIRED.get(fn, 1) and c.maybe(0.4):
                continue
            if kind == "bool":
                named[param] = c.pick(True, False, None)
            elif kind in ("names", "miscs"):
                named[param] = [c.gen.value(kind[:-1]) for _ in range(c.pick(0, 1, 2))] if c.maybe(0.9) else None
            else:
                v = c.gen.value(kind)
                if c.maybe(0.2):
                    v = c.pick("Seed", "IdModel", "Model", "BaseQuery", "DefaultMeta", "name", "id")
                named[param] = v
            if isinstance(named[param], str):
                c.fuzzed.append(named[param])
        c.call(fn, **named)


SCENARIOS = [
    (sc_model_class, 6), (sc_mixin, 8), (sc_model, 10), (sc_inheritance, 8), (sc_meta, 6), (sc_bind, 5),
    (sc_query, 8), (sc_relationship, 9), (sc_lifecycle, 7), (sc_introspect, 6), (sc_manual_onupdate, 6),
    (sc_manual_view_trigger, 7), (sc_helpers, 3), (sc_chaos, 10),
]


# The injection pass: every text argument of every function, in a valid
# call after a valid set-up, gets every injection of corpus/injections.txt.
# (dry_run's statement is run by design and is left out.)
INJECTION_TARGETS = [
    # set-up, the valid call (function, named arguments), follow-up statements
    ([], ("register_model_class", {"name": "InjBase", "primary_key": "id integer", "columns": "label text",
                                   "meta": "DefaultMeta", "query_class": "BaseQuery"}), []),
    ([], ("register_mixin", {"name": "InjMixin", "columns": "updated timestamp, n integer",
                             "onupdate": "updated = now()", "mixins": []}), []),
    ([("register_mixin", {"name": "Stamp", "columns": "updated timestamp", "onupdate": "updated = now()"}),
      ("register_model", {"name": "InjParent", "model_class": "IdModel", "columns": "kind text",
                          "polymorphic_on": "kind"}),
      ("register_bind", {"key": "inj", "schema": "inj_bind"}),
      ("register_query_class", {"name": "InjQuery"})],
     ("register_model", {"name": "InjModel", "columns": "label text, updated timestamp, n integer DEFAULT 0",
                         "parent": "InjParent", "model_class": "IdModel", "mixins": ["Stamp"],
                         "tablename": "inj_model", "bind_key": "inj", "query_class": "InjQuery",
                         "onupdate": "n = n + 1", "polymorphic_identity": "inj"}),
     ["INSERT INTO %1$s DEFAULT VALUES", "UPDATE %1$s SET id = id"]),
    ([], ("register_model", {"name": "InjRoot", "columns": "id integer PRIMARY KEY, kind text",
                             "polymorphic_on": "kind", "polymorphic_identity": "root"}),
     ["INSERT INTO %1$s (id) VALUES (1)", "UPDATE %1$s SET id = id"]),
    ([], ("register_meta", {"name": "InjMeta", "naming": "public.fuzz_naming(text)",
                            "hooks": ["public.fuzz_hook(text)"]}), []),
    ([], ("register_bind", {"key": "injkey", "schema": "inj_schema", "tablespace": "pg_default"}), []),
    ([], ("register_query_class", {"name": "InjQC", "base": "BaseQuery"}), []),
    ([("register_query_class", {"name": "InjQC"}),
      ("register_model", {"name": "InjQModel", "model_class": "IdModel", "query_class": "InjQC"})],
     ("register_query_method", {"query_class": "InjQC", "name": "inj_get",
                                "args": "ident @pktype@", "returns": "@rowtype@",
                                "body": "SELECT (SELECT m FROM @view@ m WHERE m.@pk@ = ident)",
                                "language": "sql", "volatility": "stable"}), []),
    ([("register_model", {"name": "InjAuthor", "model_class": "IdModel"}),
      ("register_model", {"name": "InjBook", "model_class": "IdModel",
                          "columns": "inj_author_id integer REFERENCES inj_author"})],
     ("register_relationship", {"model": "InjAuthor", "name": "books", "target": "InjBook",
                                "query_class": "BaseQuery", "foreign_key": "inj_author_id"}), []),
    ([("register_model", {"name": "InjR", "model_class": "IdModel", "columns": "note text"})],
     ("rename_model", {"old": "InjR", "new": "InjRenamed"}), []),
    ([("register_model", {"name": "InjC", "model_class": "IdModel", "columns": "note text"})],
     ("rename_column", {"model": "InjC", "old": "note", "new": "remark"}), []),
    ([("register_model", {"name": "InjD", "model_class": "IdModel"})], ("drop_model", {"name": "InjD"}), []),
    ([("register_mixin", {"name": "InjDM"})], ("drop_mixin", {"name": "InjDM"}), []),
    ([("register_model_class", {"name": "InjDC"})], ("drop_model_class", {"name": "InjDC"}), []),
    ([("register_query_class", {"name": "InjDQ"})], ("drop_query_class", {"name": "InjDQ"}), []),
    ([("register_query_class", {"name": "InjDQ"}),
      ("register_query_method", {"query_class": "InjDQ", "name": "m", "args": "", "returns": "int",
                                 "body": "SELECT 1"})],
     ("drop_query_method", {"query_class": "InjDQ", "name": "m"}), []),
    ([("register_meta", {"name": "InjDMeta"})], ("drop_meta", {"name": "InjDMeta"}), []),
    ([("register_bind", {"key": "injd", "schema": "inj_d"})], ("drop_bind", {"key": "injd"}), []),
    ([("register_model", {"name": "InjA2", "model_class": "IdModel"}),
      ("register_model", {"name": "InjB2", "model_class": "IdModel",
                          "columns": "inj_a2_id integer REFERENCES inj_a2"}),
      ("register_relationship", {"model": "InjA2", "name": "bs", "target": "InjB2"})],
     ("drop_relationship", {"model": "InjA2", "name": "bs"}), []),
    ([("register_model", {"name": "InjI", "model_class": "IdModel"})], ("ddl", {"model": "InjI"}), []),
    ([("register_model", {"name": "InjI", "model_class": "IdModel"})], ("model_columns", {"model": "InjI"}), []),
    ([], ("camel_to_snake_case", {"name": "CamelCase"}), []),
]


def injection_cases(rng, gen):
    """One case per function: its set-up, then each argument with each injection."""
    cases = []
    for n, (setup, (fn, valid), after) in enumerate(INJECTION_TARGETS):
        c = Case("injection %d" % (n + 1), rng, gen)
        c.scenario = "injection " + fn
        c.rate = 0              # the set-up stays valid
        ids(c)
        for sfn, sargs in setup:
            c.call(sfn, **sargs)
        for param, value in valid.items():
            for payload in POOLS["injections"]:
                named = dict(valid)
                named[param] = [payload] if isinstance(value, list) else payload
                c.call(fn, **named)
                if fn.startswith("register_model") and fn != "register_model_class":
                    for template in after:
                        c.on_model(named["name"], "view" if "INSERT" in template else "table", template)
        cases.append(c)
    return cases


def build_cases(seed, calls):
    rng = random.Random(seed)
    gen = Gen(rng)
    cases = []
    for n, line in enumerate(REGRESSIONS):
        if EXCLUDE and EXCLUDE.search(line):
            continue
        c = Case("regression %d" % (n + 1), rng, gen)
        for stmt in line.split("\n"):
            if stmt.strip():
                c.sql(re.sub(r"^SELECT corm\.|\(.*$", "", stmt.strip())[:40], stmt)
        cases.append(c)
    if not os.environ.get("FUZZ_NO_INJECTIONS"):
        cases.extend(injection_cases(rng, gen))
    total = 0
    skipped = 0
    weights = [w for _, w in SCENARIOS]
    number = 0
    while total < calls:
        number += 1
        scenario = rng.choices([s for s, _ in SCENARIOS], weights)[0]
        c = Case(number, rng, gen)
        c.scenario = scenario.__name__[3:]
        scenario(c)
        if EXCLUDE and EXCLUDE.search("\n".join(sql for _, sql in c.steps)):
            skipped += 1
            continue
        if total + len(c.steps) > calls:
            c.steps = c.steps[:calls - total]
        total += len(c.steps)
        cases.append(c)
    if skipped:
        print("fuzz: %d cases matching FUZZ_EXCLUDE left out" % skipped)
    return cases


# ---------------------------------------------------------------------------
# The session
# ---------------------------------------------------------------------------

class Died(Exception):
    pass


class Hung(Exception):
    pass


class Session:
    """One psql process; each request ends with an \\echo of a sentinel."""

    def __init__(self, db):
        self.seq = 0
        self.p = subprocess.Popen(["psql", "-X", "-q", "-A", "-t", "-w", "-v", "ON_ERROR_STOP=0", "-d", db],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  env=dict(os.environ, PGCLIENTENCODING="UTF8", PGAPPNAME="corm_fuzz"))
        self.buf = b""
        self.request("SET client_min_messages = error;\nSET statement_timeout = '%s';\n"
                     "SET lock_timeout = '10s';\nSET search_path = public;\n"
                     "SELECT set_config('fuzz.started', pg_postmaster_start_time()::text, false);"
                     % STATEMENT_TIMEOUT)

    def request(self, sql):
        """Send statements; return (sqlstate of the last, output lines)."""
        self.seq += 1
        sentinel = "@@FUZZ%d " % self.seq
        try:
            self.p.stdin.write((sql + "\n\\echo " + sentinel + ":SQLSTATE\n").encode("utf-8"))
            self.p.stdin.flush()
        except (BrokenPipeError, OSError):
            raise Died(self.drain())
        lines = []
        deadline = time.time() + STEP_TIMEOUT
        while True:
            while b"\n" in self.buf:
                line, self.buf = self.buf.split(b"\n", 1)
                text = line.decode("utf-8", "replace")
                if text.startswith(sentinel):
                    return text[len(sentinel):].strip(), lines
                lines.append(text)
            left = deadline - time.time()
            if left <= 0:
                raise Hung("\n".join(lines))
            ready, _, _ = select.select([self.p.stdout], [], [], left)
            if not ready:
                continue
            chunk = os.read(self.p.stdout.fileno(), 65536)
            if not chunk:
                lines.append(self.buf.decode("utf-8", "replace"))
                raise Died("\n".join(lines))
            self.buf += chunk

    def drain(self):
        try:
            rest = self.p.stdout.read() or b""
        except Exception:
            rest = b""
        return (self.buf + rest).decode("utf-8", "replace")

    def close(self):
        try:
            self.p.stdin.close()
        except OSError:
            pass
        try:
            self.p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()


def psql_admin(args, db="postgres", check=True):
    r = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-w", "-v", "ON_ERROR_STOP=1", "-d", db] + args,
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       env=dict(os.environ, PGCLIENTENCODING="UTF8"))
    if check and r.returncode != 0:
        raise RuntimeError(r.stdout.decode("utf-8", "replace"))
    return r.stdout.decode("utf-8", "replace").strip()


def server_start_time(wait):
    """pg_postmaster_start_time(), waiting up to "wait" seconds for the server."""
    deadline = time.time() + wait
    while True:
        try:
            return psql_admin(["-c", "SELECT pg_postmaster_start_time()"], db=DB)
        except RuntimeError:
            if time.time() > deadline:
                return None
            time.sleep(1)


def short(text, limit=600):
    """Long text for a report: runs of a repeated piece shown once, and cut."""
    text = re.sub(r"(.{1,40}?)\1{3,}", lambda m: "%s{x%d}" % (m.group(1), len(m.group(0)) // len(m.group(1))),
                  text)
    return text if len(text) <= limit else text[:limit] + "...(%d more characters)" % (len(text) - limit)


def error_text(lines):
    for i, line in enumerate(lines):
        m = re.search(r"\b(ERROR|FATAL|PANIC):\s+(.*)", line)
        if m:
            return m.group(1) + ": " + m.group(2)
    return " / ".join(l for l in lines if l.strip())[:300]


# ---------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------

class Run:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.states = Counter()
        self.by_function = Counter()
        self.failures = []
        self.crashes = 0

    def fail(self, case, step, kind, detail):
        self.failed += 1
        fn, sql = case.steps[step]
        self.failures.append((case, step, kind, detail))
        print("\nfuzz: FAILURE (%s) in case %s (%s), call %d of %d, %s:\n  %s\n  statement: %s"
              % (kind, case.number, getattr(case, "scenario", "regression"), step + 1, len(case.steps), fn,
                 short(detail), short(sql, 2000)), flush=True)
        print("  reproduce (seed %d):\n    BEGIN;\n%s" % (SEED, "\n".join(
            "    %s;" % short(s, 2000) for _, s in case.steps[:step + 1])), flush=True)


def save(run):
    """The fuzzed values of failing cases into found.txt, the cases into regressions.txt."""
    if NO_SAVE or not run.failures:
        return
    known = set(POOLS["found"]) | set(POOLS["names"]) | set(POOLS["columns"]) | set(POOLS["onupdate"]) | \
        set(POOLS["templates"]) | set(POOLS["types"]) | set(POOLS["misc"])
    regressions = set(REGRESSIONS)
    with open(os.path.join(CORPUS, "found.txt"), "a", encoding="utf-8") as found, \
            open(os.path.join(CORPUS, "regressions.txt"), "a", encoding="utf-8") as regs:
        for case, step, kind, detail in run.failures:
            if str(case.number).startswith("regression"):
                continue
            values = [v for v in dict.fromkeys(case.fuzzed) if v not in known]
            if values:
                found.write("# seed %d, case %s, %s: %s\n" % (SEED, case.number, kind, encode(detail)[:200]))
            for v in values:
                found.write(encode(v) + "\n")
                known.add(v)
            line = "\n".join(s for _, s in case.steps[:step + 1])
            if line not in regressions:
                regs.write("# seed %d, case %s, %s\n%s\n" % (SEED, case.number, kind, encode(line)))
                regressions.add(line)


def alive(session):
    """Whether an idle session still answers: a crash ends every session."""
    try:
        state, _ = session.request("SELECT 1;")
        return state == "00000"
    except (Died, Hung):
        return False


def run_cases(cases, run, started):
    deadline = time.time() + TIME_LIMIT if TIME_LIMIT > 0 else None
    session = Session(DB)
    watcher = Session(DB)
    start_time = server_start_time(5)
    index = 0
    while index < len(cases):
        if deadline and time.time() > deadline:
            print("fuzz: time limit of %gs reached after %d of %d cases" % (TIME_LIMIT, index, len(cases)))
            break
        case = cases[index]
        index += 1
        step = -1
        try:
            session.request("BEGIN;")
            for step, (fn, sql) in enumerate(case.steps):
                state, lines = session.request("SELECT fuzz.mark();\nSAVEPOINT fz;\n" + sql + ";")
                run.states[state] += 1
                run.by_function[(fn, state)] += 1
                message = error_text(lines) if state != "00000" else ""
                if VERBOSE:
                    print("%s.%d %s %s %s" % (case.number, step + 1, state, sql[:160], message[:160]))
                if state.startswith("XX"):
                    run.fail(case, step, "internal error " + state, message)
                    session.request("ROLLBACK TO SAVEPOINT fz;\nRELEASE SAVEPOINT fz;")
                    continue
                if re.search(r"SQLSTATE XX\d\d\d", message):
                    run.fail(case, step, "internal error inside", message)
                    session.request("ROLLBACK TO SAVEPOINT fz;\nRELEASE SAVEPOINT fz;")
                    continue
                if state == "57014":
                    run.fail(case, step, "timeout", "the call ran longer than %s" % STATEMENT_TIMEOUT)
                    session.request("ROLLBACK TO SAVEPOINT fz;\nRELEASE SAVEPOINT fz;")
                    continue
                # dry_run() runs its statement (in a subtransaction it rolls
                # back): a nextval() there is the caller's, not an injection
                reset = "SELECT FROM setval('public.pwned_seq', 1, false);\n" if fn == "dry_run" else ""
                if state == "00000":
                    _, out = session.request("RELEASE SAVEPOINT fz;\n" + reset + "SELECT fuzz.after_success();")
                else:
                    _, out = session.request("ROLLBACK TO SAVEPOINT fz;\nRELEASE SAVEPOINT fz;\n" + reset +
                                             "SELECT fuzz.after_error();")
                verdict = [l for l in out if l.strip()]
                if verdict != ["ok"]:
                    run.fail(case, step, "partial object or injection" if state == "00000"
                             else "left behind after an error", " ".join(verdict) or "(no answer)")
                    # the sequence is not transactional: reset it for the next case
                    session.request("SELECT setval('public.pwned_seq', 1, false);")
                    # a broken state would fail every later call of the case
                    break
                run.passed += 1
            else:
                step = len(case.steps) - 1
                _, out = session.request("SELECT fuzz.end_case();")
                verdict = [l for l in out if l.strip()]
                if verdict != ["ok"] and case.steps:
                    run.fail(case, step, "inconsistent at the end of the case", " ".join(verdict))
            session.request("ROLLBACK;")
        except (Died, Hung) as e:
            hung = isinstance(e, Hung)
            if hung:
                session.p.kill()
            session.close()
            # a crashed backend makes the postmaster end every other session
            # and start afresh: wait for the server, then ask the watcher
            time.sleep(2)
            now_start = server_start_time(90)
            watcher_alive = alive(watcher)
            watcher.close()
            if hung:
                kind = "hang"
            elif now_start is None:
                kind = "crash (the server did not come back)"
            elif now_start != start_time:
                kind = "crash (the server restarted)"
            elif not watcher_alive:
                kind = "backend crash (every session was ended)"
            elif re.search(r"FATAL:", str(e)):
                kind = "session ended by FATAL"
            else:
                kind = "session lost"
            run.states[kind] += 1
            if not str(case.number).startswith("regression"):
                run.crashes += 1       # known ones do not count against the limit
            run.fail(case, max(step, 0), kind, error_text(str(e).splitlines()) or "connection lost")
            if now_start is None or run.crashes >= MAX_CRASHES:
                print("fuzz: stopping after %d crashes" % run.crashes)
                return
            start_time = now_start
            session = Session(DB)
            watcher = Session(DB)
    session.close()
    watcher.close()


def main():
    started = time.time()
    print("fuzz: seed %d, %d calls, database %s (FUZZ_SEED, FUZZ_CALLS to change)" % (SEED, CALLS, DB), flush=True)
    cases = build_cases(SEED, CALLS)
    try:
        psql_admin(["-c", "DROP DATABASE IF EXISTS %s" % qi(DB)])
        psql_admin(["-c", "CREATE DATABASE %s" % qi(DB)])
    except RuntimeError as e:
        print("fuzz: cannot create database %s: %s" % (DB, e), file=sys.stderr)
        return 2
    run = Run()
    try:
        psql_admin(["-f", os.path.join(HERE, "setup.sql")], db=DB)
        run_cases(cases, run, started)
    except RuntimeError as e:
        print("fuzz: cannot set up database %s: %s" % (DB, e), file=sys.stderr)
        return 2
    finally:
        if not KEEP_DB:
            psql_admin(["-c", "DROP DATABASE IF EXISTS %s" % qi(DB)], check=False)
    save(run)
    elapsed = time.time() - started
    print("fuzz: SQLSTATEs: " + ", ".join("%s %d" % (k, v) for k, v in sorted(run.states.items())))
    if VERBOSE:
        for (fn, state), n in sorted(run.by_function.items()):
            print("fuzz:   %-24s %s %d" % (fn, state, n))
    print("fuzz: %d cases, seed %d, %.1fs" % (len(cases), SEED, elapsed))
    print("fuzz: %d passed, %d failed" % (run.passed, run.failed))
    return 0 if run.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
