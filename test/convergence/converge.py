#!/usr/bin/env python3
"""
converge.py -- corm's differential convergence test (SPEC section 8,
"Convergence"): a migrated database holds what a fresh one built from the
final definitions holds.

For each history -- a seeded random sequence of corm calls: model classes,
mixins, models with columns of several types, defaults, NOT NULL, CHECK,
UNIQUE, foreign keys, joined and single-table inheritance, renames,
relationships, binds, meta policies, drops -- it

  1. applies the history step by step to a database A, each step in a
     transaction of its own.  A step corm refuses with a clean error (an
     SQLSTATE outside class XX) is recorded and the history goes on without
     it; a lost connection (a crash) or an internal error fails the history;
  2. keeps its own model of the definitions as they stand after every step
     corm accepted, and registers only those final definitions, in
     dependency order, in a fresh database B;
  3. fingerprints A and B through the system catalogs (fingerprint.sql:
     tables and columns by name, views and row types with their column order,
     constraints, indexes, triggers, functions, sequences, composite types,
     corm's own catalog) and compares them line by line; corm.check() must
     be empty in both.

The cases of found/*.sql -- every history that ever showed a difference,
minimized, as plain SQL -- are replayed first.  A case marked
"-- known-failing: why" is reported as TAP TODO: it does not fail the run,
and says so when it passes (then the mark can go).

Prints TAP.  Environment (PG* name the server):
  CONVERGE_SEED       the seed (default 20261201)
  CONVERGE_HISTORIES  generated histories (default 40)
  CONVERGE_STEPS      steps of each history (default 14)
  CONVERGE_FEATURES   what histories use: a list of features, "default",
                      "all", or changes to the default ("+rename_model,-fk");
                      see --list-features
  CONVERGE_CORPUS     0: skip the corpus (default 1)
  CONVERGE_ONLY       a regex: only corpus cases whose file name matches
  CONVERGE_NO_SAVE    1: do not minimize or save failing histories (default
                      1 under CI=true, else 0)
  CONVERGE_TIME_LIMIT stop starting histories after this many seconds
                      (default 100 for the bounded pass, 0 otherwise: never)
  CONVERGE_VERBOSE    1: every step with its outcome
  CONVERGE_KEEP_DB    1: keep the databases of the last failing history
Options: --list-features, --print HISTORY (the SQL of one generated history,
A and B, without running anything but the generator against a server),
--case FILE (run one corpus file).
"""
import copy
import difflib
import glob
import json
import os
import random
import re
import sys
import time

try:
    import psycopg2
    import psycopg2.extensions
except ImportError:  # converge.sh checks this first
    sys.stderr.write("converge: python3-psycopg2 is needed (apt-get install python3-psycopg2)\n")
    sys.exit(2)

HERE = os.path.dirname(os.path.abspath(__file__))
FOUND = os.path.join(HERE, "found")
with open(os.path.join(HERE, "fingerprint.sql"), encoding="utf-8") as f:
    FINGERPRINT_SQL = f.read()


def env(name, default):
    v = os.environ.get(name)
    return default if v is None or v == "" else v


SEED = int(env("CONVERGE_SEED", "20261201"))
BOUNDED = "CONVERGE_HISTORIES" not in os.environ and "CONVERGE_STEPS" not in os.environ
HISTORIES = int(env("CONVERGE_HISTORIES", "40"))
STEPS = int(env("CONVERGE_STEPS", "14"))
TIME_LIMIT = float(env("CONVERGE_TIME_LIMIT", "100" if BOUNDED else "0"))
VERBOSE = env("CONVERGE_VERBOSE", "0") == "1"
KEEP_DB = env("CONVERGE_KEEP_DB", "0") == "1"
NO_SAVE = env("CONVERGE_NO_SAVE", "1" if os.environ.get("CI") == "true" else "0") == "1"
RUN_CORPUS = env("CONVERGE_CORPUS", "1") == "1"
ONLY = re.compile(os.environ["CONVERGE_ONLY"]) if os.environ.get("CONVERGE_ONLY") else None
STATEMENT_TIMEOUT = "60s"
RERUN = env("CONVERGE_RERUN", "1") == "1"
LAX_NAMES = env("CONVERGE_LAX_NAMES", "0") == "1"
CHECK_STEPS = env("CONVERGE_CHECK_STEPS", "0") == "1"
MAX_CRASHES = int(env("CONVERGE_MAX_CRASHES", "3"))
MINIMIZE_TIME = float(env("CONVERGE_MINIMIZE_TIME", "300"))
PREFIX = "corm_converge_%d" % os.getpid()

# ---------------------------------------------------------------------------
# Features: what a generated history may do.  DEFAULT_FEATURES are those
# that converge today; the rest are left out of the test command's pass
# until their defects (found/*.sql, known-failing) are fixed.
# ---------------------------------------------------------------------------

FEATURES = {
    "columns": "models with columns added and dropped (drop_columns => true)",
    "types": "column types changed with a cast: int -> bigint, varchar(10) -> varchar(20) -> text, ...",
    "defaults": "defaults set, changed and dropped",
    "notnull": "NOT NULL set and dropped",
    "check": "column CHECKs and named table CHECKs added, changed and dropped",
    "unique": "column UNIQUE and table UNIQUE (a, b), (b, a)",
    "fk": "foreign keys with ON DELETE / ON UPDATE actions, changed actions and targets",
    "collate": "COLLATE \"C\" / \"POSIX\" on text columns, kept or changed through a retype",
    "collate_default": "COLLATE dropped or changed on a column that has a default",
    "twin_checks": "two unnamed CHECKs over one column, one of them dropped (PostgreSQL numbered the other's name)",
    "retype_check": "a column that a CHECK names retyped between date, timestamp and timestamptz",
    "default_drop_joined": "a default dropped from a column that a joined view shows",
    "reorder": "a model's own columns declared in another order",
    "indexes": "declared indexes (plain, DESC, partial, hash, expression, multi-column, UNIQUE) added, changed (a predicate, an expression under the same name) and dropped",
    "mixins": "mixins (columns added, dropped, retyped); models gaining and losing mixins",
    "mixin_move": "a column moved from a model into a mixin and back",
    "model_class": "model classes with columns; models changing model class",
    "pk_type": "a model class's primary key retyped (integer -> bigint)",
    "joined": "joined-table inheritance",
    "single": "single-table inheritance (polymorphic_on) and polymorphic identities",
    "parent_change": "a parent's columns changed under its subclasses",
    "rel_ambiguous": "a second foreign key between the tables of a relationship (one a single-table sibling's, in the shared table)",
    "rel_in_hierarchy": "relationships between a joined subclass and its parent, then the parent's columns retyped",
    "ref_moved": "a table that foreign keys reference renamed or moved to another schema",
    "rename_model": "corm.rename_model",
    "rename_polymorphic": "rename_model of a model whose hierarchy has a discriminator (polymorphic_on)",
    "rename_column": "corm.rename_column",
    "tablename": "tablename => set, changed and dropped (a renamed table)",
    "relationships": "corm.register_relationship, drop_relationship",
    "bind": "register_bind and bind_key; a bind moved to another schema",
    "remote": "a bind to another database (register_bind server =>): a database of the same server per side, behind postgres_fdw, fingerprinted too",
    "bind_leave": "a model leaving its bind (bind_key dropped, or its meta's binding turned off)",
    "meta": "register_meta with naming 'none' and tablename; a meta's binding",
    "drop": "drop_model, drop_mixin, drop_model_class",
    "onupdate": "onupdate of mixins and models",
    "query": "query classes with a method, a model's query_class changed",
}
DEFAULT_FEATURES = [f for f in FEATURES if f not in (
    # each of these has its minimized case in found/, marked known-failing
)]


def parse_features(spec):
    spec = spec.strip()
    if spec in ("", "default"):
        return list(DEFAULT_FEATURES)
    chosen = []
    for word in re.split(r"[,\s]+", spec):
        if not word:
            continue
        if word == "default":
            chosen += [f for f in DEFAULT_FEATURES if f not in chosen]
        elif word == "all":
            chosen += [f for f in FEATURES if f not in chosen]
        elif word[0] in "+-":
            if not chosen:
                chosen = list(DEFAULT_FEATURES)
            name = word[1:]
            if name not in FEATURES:
                raise SystemExit("converge: unknown feature %r (see --list-features)" % name)
            if word[0] == "+" and name not in chosen:
                chosen.append(name)
            elif word[0] == "-" and name in chosen:
                chosen.remove(name)
        elif word in FEATURES:
            if word not in chosen:
                chosen.append(word)
        else:
            raise SystemExit("converge: unknown feature %r (see --list-features)" % word)
    return [f for f in FEATURES if f in chosen]   # a stable order


# ---------------------------------------------------------------------------
# SQL text
# ---------------------------------------------------------------------------

def lit(s):
    if s is None:
        return "NULL"
    return "'" + s.replace("'", "''") + "'"


def ident(s):
    if re.match(r"^[a-z_][a-z0-9_]*$", s) and s not in RESERVED:
        return s
    return '"' + s.replace('"', '""') + '"'


RESERVED = {"user", "order", "group", "table", "select", "check", "default", "references", "primary",
            "unique", "all", "end", "from", "where", "limit", "offset", "window", "grant", "to", "do",
            "as", "on", "in", "is", "or", "and", "not", "null", "desc", "asc", "case", "when", "then",
            "else", "column", "constraint", "foreign", "collate", "analyse", "analyze", "both", "cast",
            "current_user", "session_user", "user", "only", "placing", "returning", "some", "symmetric",
            "union", "using", "variadic", "with", "into", "having", "leading", "trailing", "fetch", "for",
            "lateral", "array", "any", "create", "distinct", "initially", "deferrable", "except",
            "intersect", "current_date", "current_time", "false", "true"}


# the forms of a declared index; {0}, {1} are columns.  Those of one key
# (their columns, "expr" or "isnull") would take one name: a model holds one
# of each, and a form changed into another of its key keeps the name (two
# predicates of ix_<table>_<column>; two expressions of <table>_expr_idx).
INDEX_FORMS = [
    ("({0})", 1, None), ("({0} DESC NULLS LAST)", 1, None), ("({0}) WHERE {0} IS NOT NULL", 1, None),
    ("({0}) WHERE {0} IS NULL", 1, None),
    ("USING hash ({0})", 1, None), ("({0}, {1})", 2, None), ("UNIQUE ({0}, {1})", 2, None),
    ("({0}) INCLUDE ({1})", 2, None), ("(lower({0}::text))", 1, "expr"),
    ("((lower({0}::text) COLLATE \"C\"))", 1, "expr"),
    ("(({0} IS NULL))", 1, "isnull"), ("(({0} IS NOT NULL))", 1, "isnull"),
]


def index_key(ix):
    form = [f for f in INDEX_FORMS if f[0] == ix["form"]][0]
    return form[2] or "/".join(ix["cols"][:1] if "INCLUDE" in ix["form"] else ix["cols"])


def indexes_sql(d):
    """The indexes of a definition whose columns it still has, as text."""
    names = {c["name"] for c in d["cols"]}
    return [ix["form"].format(*[ident(c) for c in ix["cols"]]) for ix in d.get("indexes", [])
            if all(c in names for c in ix["cols"])]


def arr(items):
    return "ARRAY[" + ", ".join(lit(x) for x in items) + "]::text[]" if items else "'{}'"


def snake(name):
    """Flask-SQLAlchemy's camel_to_snake_case, as corm.camel_to_snake_case."""
    s = re.sub(r"((?<=[a-z0-9])[A-Z]|(?!^)[A-Z](?=[a-z]))", r"_\1", name)
    return s.lower().lstrip("_")


def split_sql(text):
    """Statements of a script: split at semicolons outside quotes, comments
    and dollar quotes.  Returns the statements, stripped."""
    out, cur, i, n = [], [], 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "'":
            j = i + 1
            while j < n:
                if text[j] == "'" and j + 1 < n and text[j + 1] == "'":
                    j += 2
                    continue
                if text[j] == "'":
                    break
                j += 1
            cur.append(text[i:j + 1])
            i = j + 1
        elif ch == '"':
            j = text.find('"', i + 1)
            j = n - 1 if j < 0 else j
            cur.append(text[i:j + 1])
            i = j + 1
        elif ch == "-" and text.startswith("--", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            i = j
        elif ch == "$":
            m = re.match(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$", text[i:])
            if m:
                tag = m.group(0)
                j = text.find(tag, i + len(tag))
                j = n - len(tag) if j < 0 else j
                cur.append(text[i:j + len(tag)])
                i = j + len(tag)
            else:
                cur.append(ch)
                i += 1
        elif ch == ";":
            s = "".join(cur).strip()
            if s:
                out.append(s)
            cur = []
            i += 1
        else:
            cur.append(ch)
            i += 1
    s = "".join(cur).strip()
    if s:
        out.append(s)
    return out


# ---------------------------------------------------------------------------
# Definitions: the generator's model of what is declared.  Plain dicts and
# lists, so that a step carries a full definition that can be copied,
# stored and replayed.
#
#   column   {name, type, default, notnull, unique, check, collate, ref, pk}
#            check is a template with {c} for the column's name; ref is
#            {target: model, on_delete, on_update}
#   tcons    {kind: unique|check, cols: [...], expr: template with {0},{1},
#            name: None or a constraint name}
# ---------------------------------------------------------------------------

def col_sql(c, table_of):
    parts = [ident(c["name"]), c["type"]]
    if c.get("collate"):
        parts.append('COLLATE "%s"' % c["collate"])
    if c.get("pk"):
        parts.append("PRIMARY KEY")
    if c.get("notnull"):
        parts.append("NOT NULL")
    if c.get("default") is not None:
        parts.append("DEFAULT " + c["default"])
    if c.get("unique"):
        parts.append("UNIQUE")
    if c.get("check"):
        parts.append("CHECK (%s)" % c["check"].format(c=ident(c["name"])))
    ref = c.get("ref")
    if ref:
        parts.append("REFERENCES " + table_of(ref["target"]))
        if ref.get("on_delete"):
            parts.append("ON DELETE " + ref["on_delete"])
        if ref.get("on_update"):
            parts.append("ON UPDATE " + ref["on_update"])
    return " ".join(parts)


def tcon_sql(t):
    head = "CONSTRAINT %s " % ident(t["name"]) if t.get("name") else ""
    if t["kind"] == "unique":
        return head + "UNIQUE (%s)" % ", ".join(ident(x) for x in t["cols"])
    return head + "CHECK (%s)" % t["expr"].format(*[ident(x) for x in t["cols"]])


def columns_sql(cols, tcons, table_of):
    items = [col_sql(c, table_of) for c in cols] + [tcon_sql(t) for t in tcons or []]
    return ", ".join(items) if items else None


class State:
    """The definitions corm holds, as the generator believes: updated only
    by the steps corm accepted."""

    def __init__(self):
        self.binds = {}         # key -> schema
        self.servers = {}       # key -> server, for a bind to another database
        self.metas = {}         # name -> {naming, binding}
        self.qclasses = {}      # name -> {base}
        self.qmethods = {}      # (class, name) -> {args, returns, body}
        self.mclasses = {}      # name -> {pk, cols, meta, query_class}
        self.mixins = {}        # name -> {cols, onupdate}
        self.models = {}        # name -> definition (below)
        self.rels = {}          # (model, name) -> {target, foreign_key}
        self.rank = 0

    def copy(self):
        return copy.deepcopy(self)

    # -- derived facts ----------------------------------------------------
    def mclass_of(self, m):
        d = self.models[m]
        if d.get("model_class"):
            return d["model_class"]
        if d.get("parent") and d["parent"] in self.models:
            return self.mclass_of(d["parent"])
        return "Model"

    def mclass_pk(self, name):
        mc = self.mclasses.get(name)
        return mc["pk"] if mc else None

    def root_of(self, m):
        seen = set()
        while self.models[m].get("parent") and self.models[m]["parent"] in self.models and m not in seen:
            seen.add(m)
            m = self.models[m]["parent"]
        return m

    def own_pk(self, m):
        d = self.models[m]
        return any(c.get("pk") for c in d["cols"])

    def kind(self, m):
        d = self.models[m]
        if not d.get("parent"):
            return "root"
        if self.mclass_pk(self.mclass_of(m)) or self.own_pk(m):
            return "joined"
        return "single"

    def table_holder(self, m):
        """The model whose table holds m's rows (itself, or for a
        single-table subclass its nearest ancestor with a table)."""
        seen = set()
        while self.kind(m) == "single" and m not in seen:
            seen.add(m)
            m = self.models[m]["parent"]
        return m

    def meta_of(self, m):
        mc = self.mclasses.get(self.mclass_of(m))
        name = mc["meta"] if mc else "DefaultMeta"
        if name == "DefaultMeta":
            return {"naming": "snake_case", "binding": True}
        if name == "NoNameMeta":
            return {"naming": "none", "binding": True}
        return self.metas.get(name, {"naming": "snake_case", "binding": True})

    def bind_of(self, m):
        seen = set()
        while m in self.models and m not in seen:
            seen.add(m)
            d = self.models[m]
            if d.get("bind_key"):
                return d["bind_key"]
            m = d.get("parent")
        return None

    def table_of(self, m):
        """The table corm would give m: (schema, name)."""
        h = self.table_holder(m)
        d = self.models[h]
        name = d.get("tablename")
        if not name:
            meta = self.meta_of(h)
            name = snake(h) if meta["naming"] == "snake_case" else None
        schema = "public"
        b = self.bind_of(h)
        if b and self.meta_of(h)["binding"] and b in self.binds:
            schema = self.binds[b]
        return schema, name

    def columns_of(self, m):
        """Every column name m's row has (roughly: for choosing names)."""
        names = []
        d = self.models[m]
        mc = self.mclasses.get(self.mclass_of(m))
        if mc:
            if mc["pk"]:
                names.append(mc["pk"]["name"])
            names += [c["name"] for c in mc["cols"]]
        if d.get("parent") in self.models:
            names += self.columns_of(d["parent"])
        for x in d.get("mixins", []):
            if x in self.mixins:
                names += [c["name"] for c in self.mixins[x]["cols"]]
        names += [c["name"] for c in d["cols"]]
        out = []
        for n in names:
            if n not in out:
                out.append(n)
        return out

    def hierarchy_columns(self, m):
        """The column names of every model of m's hierarchy (single-table
        subclasses share a table: their columns must not clash)."""
        root = self.root_of(m)
        out = []
        for x in self.models:
            if self.root_of(x) == root:
                out += self.columns_of(x)
        return out

    def in_joined(self, m):
        """Whether m's hierarchy has joined tables (a joined view shows
        m's columns, or m's view is one)."""
        root = self.root_of(m)
        return any(self.root_of(x) == root and self.kind(x) == "joined" for x in self.models)

    def children(self, m):
        return [x for x in self.models if self.models[x].get("parent") == m]

    def referencers(self, m):
        out = []
        for x, d in self.models.items():
            if any(c.get("ref") and c["ref"]["target"] == m for c in d["cols"]):
                out.append(x)
        return out

    def uses_mixin(self, x):
        return [m for m, d in self.models.items() if x in d.get("mixins", [])] + \
            [y for y, d in self.mixins.items() if x in d.get("mixins", [])]

    # -- applying an accepted step ------------------------------------------
    def apply(self, step):
        op = step["op"]
        if op == "bind":
            self.binds[step["key"]] = step["schema"]
            if step.get("server"):
                self.servers[step["key"]] = step["server"]
        elif op == "meta":
            self.metas[step["name"]] = {"naming": step["naming"], "binding": step["binding"]}
        elif op == "query_class":
            self.qclasses[step["name"]] = {"base": step.get("base")}
        elif op == "query_method":
            self.qmethods[(step["query_class"], step["name"])] = {k: step[k] for k in ("args", "returns", "body")}
        elif op == "model_class":
            self.mclasses[step["name"]] = copy.deepcopy(step["def"])
        elif op == "mixin":
            self.mixins[step["name"]] = copy.deepcopy(step["def"])
        elif op == "model":
            d = copy.deepcopy(step["def"])
            old = self.models.get(step["name"])
            d["rank"] = old["rank"] if old else self.rank
            if not old:
                self.rank += 1
            self.models[step["name"]] = d
        elif op == "relationship":
            self.rels[(step["model"], step["name"])] = {"target": step["target"],
                                                        "foreign_key": step.get("foreign_key")}
        elif op == "rename_model":
            old, new = step["old"], step["new"]
            self.models = {(new if k == old else k): v for k, v in self.models.items()}
            for d in self.models.values():
                if d.get("parent") == old:
                    d["parent"] = new
                for c in d["cols"]:
                    if c.get("ref") and c["ref"]["target"] == old:
                        c["ref"]["target"] = new
            self.rels = {((new if m == old else m), n): dict(v, target=(new if v["target"] == old else v["target"]))
                         for (m, n), v in self.rels.items()}
        elif op == "rename_column":
            d = self.models[step["model"]]
            old, new = step["old"], step["new"]
            for c in d["cols"]:
                if c["name"] == old:
                    c["name"] = new
            for t in d.get("tcons", []):
                t["cols"] = [new if x == old else x for x in t["cols"]]
            if d.get("polymorphic_on") == old:
                d["polymorphic_on"] = new
            for (m, n), r in self.rels.items():
                if r.get("foreign_key") == old and (m == step["model"] or r["target"] == step["model"]):
                    r["foreign_key"] = new
        elif op == "drop_model":
            del self.models[step["name"]]
            self.rels = {k: v for k, v in self.rels.items() if step["name"] not in (k[0], v["target"])}
        elif op == "drop_relationship":
            self.rels.pop((step["model"], step["name"]), None)
        elif op == "drop_mixin":
            del self.mixins[step["name"]]
        elif op == "drop_model_class":
            del self.mclasses[step["name"]]
        else:
            raise ValueError("unknown step %r" % op)

    # -- the final definitions, in the order a fresh database needs ---------
    def replay(self):
        steps = []
        for k, s in self.binds.items():
            steps.append(dict({"op": "bind", "key": k, "schema": s},
                              **({"server": self.servers[k]} if k in self.servers else {})))
        for n, d in self.metas.items():
            steps.append({"op": "meta", "name": n, "naming": d["naming"], "binding": d["binding"]})
        done = set()
        for n in self.qclasses:
            self._qclass_order(n, done, steps)
        for (qc, n), d in self.qmethods.items():
            steps.append(dict({"op": "query_method", "query_class": qc, "name": n}, **d))
        for n, d in self.mclasses.items():
            steps.append({"op": "model_class", "name": n, "def": copy.deepcopy(d)})
        done = set()
        for n in self.mixins:
            self._mixin_order(n, done, steps)
        # parents before children, a foreign key's target before the model
        # that references it; otherwise the order models were first made
        order = sorted(self.models, key=lambda m: self.models[m]["rank"])
        placed, out = set(), []
        while len(out) < len(order):
            progressed = False
            for m in order:
                if m in placed:
                    continue
                d = self.models[m]
                needs = set()
                if d.get("parent") in self.models:
                    needs.add(d["parent"])
                for c in d["cols"]:
                    if c.get("ref") and c["ref"]["target"] in self.models and c["ref"]["target"] != m:
                        needs.add(c["ref"]["target"])
                if needs <= placed:
                    placed.add(m)
                    out.append(m)
                    progressed = True
                    break
            if not progressed:   # a cycle: keep the order models were made in
                out += [m for m in order if m not in placed]
                break
        for m in out:
            d = copy.deepcopy(self.models[m])
            d.pop("rank", None)
            steps.append({"op": "model", "name": m, "def": d})
        for (m, n), r in self.rels.items():
            steps.append({"op": "relationship", "model": m, "name": n, "target": r["target"],
                          "foreign_key": r.get("foreign_key")})
        return steps

    def _qclass_order(self, n, done, steps):
        if n in done or n not in self.qclasses:
            return
        done.add(n)
        b = self.qclasses[n].get("base")
        if b:
            self._qclass_order(b, done, steps)
        steps.append({"op": "query_class", "name": n, "base": b})

    def _mixin_order(self, n, done, steps):
        if n in done or n not in self.mixins:
            return
        done.add(n)
        for inner in self.mixins[n].get("mixins", []):
            self._mixin_order(inner, done, steps)
        steps.append({"op": "mixin", "name": n, "def": copy.deepcopy(self.mixins[n])})


def render(step, table_of):
    """A step as the SQL statement that carries it out.  table_of(model)
    gives the qualified table a REFERENCES names."""
    op = step["op"]
    if op == "bind":
        if step.get("server"):
            return "SELECT corm.register_bind(%s, schema => %s, server => %s)" % (
                lit(step["key"]), lit(step["schema"]), lit(step["server"]))
        return "SELECT corm.register_bind(%s, schema => %s)" % (lit(step["key"]), lit(step["schema"]))
    if op == "meta":
        args = [lit(step["name"]), "naming => " + lit(step["naming"])]
        if not step["binding"]:
            args.append("binding => false")
        return "SELECT corm.register_meta(%s)" % ", ".join(args)
    if op == "query_class":
        args = [lit(step["name"])]
        if step.get("base"):
            args.append("base => " + lit(step["base"]))
        return "SELECT corm.register_query_class(%s)" % ", ".join(args)
    if op == "query_method":
        return "SELECT corm.register_query_method(%s, %s, args => %s, returns => %s, body => %s)" % (
            lit(step["query_class"]), lit(step["name"]), lit(step["args"]), lit(step["returns"]), lit(step["body"]))
    if op == "model_class":
        d = step["def"]
        args = [lit(step["name"])]
        if d.get("pk"):
            args.append("primary_key => " + lit(col_sql(d["pk"], table_of)))
        cols = columns_sql(d["cols"], [], table_of)
        if cols:
            args.append("columns => " + lit(cols))
        if d.get("meta", "DefaultMeta") != "DefaultMeta":
            args.append("meta => " + lit(d["meta"]))
        if d.get("query_class", "BaseQuery") != "BaseQuery":
            args.append("query_class => " + lit(d["query_class"]))
        if step.get("drop_columns"):
            args.append("drop_columns => true")
        return "SELECT corm.register_model_class(%s)" % ", ".join(args)
    if op == "mixin":
        d = step["def"]
        args = [lit(step["name"])]
        cols = columns_sql(d["cols"], [], table_of)
        if cols:
            args.append("columns => " + lit(cols))
        if d.get("onupdate"):
            args.append("onupdate => " + lit(d["onupdate"]))
        if d.get("mixins"):
            args.append("mixins => " + arr(d["mixins"]))
        if step.get("drop_columns"):
            args.append("drop_columns => true")
        return "SELECT corm.register_mixin(%s)" % ", ".join(args)
    if op == "model":
        d = step["def"]
        args = [lit(step["name"])]
        cols = columns_sql(d["cols"], d.get("tcons"), table_of)
        if cols:
            args.append("columns => " + lit(cols))
        for k in ("parent", "model_class"):
            if d.get(k):
                args.append("%s => %s" % (k, lit(d[k])))
        if d.get("mixins"):
            args.append("mixins => " + arr(d["mixins"]))
        for k in ("tablename", "bind_key", "query_class", "onupdate", "polymorphic_on", "polymorphic_identity"):
            if d.get(k):
                args.append("%s => %s" % (k, lit(d[k])))
        if indexes_sql(d):
            args.append("indexes => " + arr(indexes_sql(d)))
        if step.get("drop_columns"):
            args.append("drop_columns => true")
        return "SELECT corm.register_model(%s)" % ", ".join(args)
    if op == "relationship":
        args = [lit(step["model"]), lit(step["name"]), lit(step["target"])]
        if step.get("foreign_key"):
            args.append("foreign_key => " + lit(step["foreign_key"]))
        return "SELECT corm.register_relationship(%s)" % ", ".join(args)
    if op == "rename_model":
        return "SELECT corm.rename_model(%s, %s)" % (lit(step["old"]), lit(step["new"]))
    if op == "rename_column":
        return "SELECT corm.rename_column(%s, %s, %s)" % (lit(step["model"]), lit(step["old"]), lit(step["new"]))
    if op == "drop_model":
        return "SELECT corm.drop_model(%s)" % lit(step["name"])
    if op == "drop_relationship":
        return "SELECT corm.drop_relationship(%s, %s)" % (lit(step["model"]), lit(step["name"]))
    if op == "drop_mixin":
        return "SELECT corm.drop_mixin(%s)" % lit(step["name"])
    if op == "drop_model_class":
        return "SELECT corm.drop_model_class(%s)" % lit(step["name"])
    raise ValueError("unknown step %r" % op)


# ---------------------------------------------------------------------------
# The generator: from the current definitions, a random next step
# ---------------------------------------------------------------------------

MODEL_NAMES = ["Author", "Book", "Shelf", "Reader", "Loan", "Genre", "Tag", "Order", "User", "LineItem",
               "Pet", "Dog", "Cat", "Bird", "Note", "Review", "Store", "Parcel", "Hound", "Kitten",
               "Writer", "Volume", "Customer", "Invoice"]
COLUMN_NAMES = ["title", "note", "size", "qty", "price", "code", "slug", "rank", "label", "weight",
                "body", "flag", "score", "color", "amount", "starts", "lives", "breed", "extra", "level"]
RENAMED_COLUMNS = ["heading", "remark", "volume", "quantity", "cost", "tag_code", "handle", "position"]

# type families: a retype moves along the arrows (each has a cast)
TYPES = {
    "int": ["smallint", "integer", "bigint"],
    "text": ["varchar(10)", "varchar(20)", "text"],
    "num": ["numeric(8,2)", "numeric(12,2)", "numeric"],
    "time": ["timestamp", "timestamptz"],
    "date": ["date"],
    "bool": ["boolean"],
}
RETYPE = {
    "smallint": ["integer"], "integer": ["bigint", "smallint"], "bigint": ["integer"],
    "varchar(10)": ["varchar(20)", "text"], "varchar(20)": ["text", "varchar(30)"],
    "varchar(30)": ["text"], "text": ["varchar(30)"],
    "numeric(8,2)": ["numeric(12,2)"], "numeric(12,2)": ["numeric"], "numeric": ["numeric(12,2)"],
    "timestamp": ["timestamptz"], "timestamptz": ["timestamp"], "date": ["timestamp"],
}
DEFAULTS = {
    "int": ["0", "1", "7"], "text": ["'x'", "'none'", "''"], "num": ["0", "1.5"],
    "time": ["now()", "CURRENT_TIMESTAMP"], "date": ["CURRENT_DATE"], "bool": ["false", "true"],
}
CHECKS = {
    "int": ["{c} > 0", "{c} >= 0", "{c} < 1000"], "text": ["{c} <> ''", "length({c}) < 50"],
    "num": ["{c} >= 0", "{c} < 100000"], "time": ["{c} > '2000-01-01'"], "date": ["{c} > '2000-01-01'"],
    "bool": ["{c} IS NOT NULL"],
}
FK_ACTIONS = [None, None, "CASCADE", "SET NULL", "RESTRICT", "NO ACTION", "SET DEFAULT"]


def family(t):
    for f, ts in TYPES.items():
        if t in ts:
            return f
    if t.startswith("varchar"):
        return "text"
    if t.startswith("numeric"):
        return "num"
    if t in ("timestamp", "timestamptz"):
        return "time"
    return "int"


class Gen:
    def __init__(self, rng, features):
        self.rng = rng
        self.f = set(features)

    def has(self, *names):
        return all(n in self.f for n in names)

    def chance(self, p):
        return self.rng.random() < p

    def pick(self, seq):
        return self.rng.choice(list(seq))

    # -- pieces ----------------------------------------------------------------
    def new_column(self, taken, st=None, owner=None, fk=True):
        rng = self.rng
        name = self.pick([n for n in COLUMN_NAMES if n not in taken] or ["c%d" % rng.randrange(1000)])
        fam = self.pick(["int", "int", "text", "text", "num", "time", "date", "bool"])
        if fam == "text":
            t = self.pick(["varchar(10)", "varchar(20)", "text"])
        else:
            t = self.pick(TYPES[fam])
        c = {"name": name, "type": t}
        if self.has("defaults") and self.chance(0.3):
            c["default"] = self.pick(DEFAULTS[fam])
        if self.has("notnull") and self.chance(0.25):
            c["notnull"] = True
        if self.has("unique") and fam in ("int", "text") and self.chance(0.15):
            c["unique"] = True
        if self.has("check") and self.chance(0.2):
            c["check"] = self.pick(CHECKS[fam])
        if self.has("collate") and fam == "text" and self.chance(0.3):
            c["collate"] = self.pick(["C", "POSIX"])
        if fk and st is not None and self.has("fk") and self.chance(0.35):
            targets = [t for t in self.fk_targets(st, owner) if self.may_reference(st, owner, t)]
            if targets:
                tgt = self.pick(targets)
                c = {"name": (snake(tgt) + "_id") if snake(tgt) + "_id" not in taken else name + "_id",
                     "type": "integer" if self.pk_type(st, tgt) != "bigint" else "bigint"}
                c["ref"] = {"target": tgt, "on_delete": self.pick(FK_ACTIONS), "on_update": self.pick(FK_ACTIONS)}
                if c["ref"]["on_delete"] == "SET DEFAULT" or c["ref"]["on_update"] == "SET DEFAULT":
                    c["ref"]["on_delete"] = "SET NULL" if c["ref"]["on_delete"] == "SET DEFAULT" else c["ref"]["on_delete"]
                    c["ref"]["on_update"] = None if c["ref"]["on_update"] == "SET DEFAULT" else c["ref"]["on_update"]
        return c

    def retypable(self, c, checked):
        """Whether c may be retyped: one that a CHECK names is retyped
        between date and time types only under retype_check."""
        if c["type"] not in RETYPE:
            return False
        if checked and family(c["type"]) in ("time", "date") and not self.has("retype_check"):
            return False
        return True

    def may_reference(self, st, owner, target):
        """Whether owner may get a foreign key to target: under
        rel_ambiguous only, when a relationship without foreign_key =>
        joins their tables already."""
        if self.has("rel_ambiguous") or owner not in st.models or target not in st.models:
            return True
        pair = {st.table_holder(owner), st.table_holder(target)}
        for (m, _), r in st.rels.items():
            if r.get("foreign_key") or m not in st.models or r["target"] not in st.models:
                continue
            if {st.table_holder(m), st.table_holder(r["target"])} == pair:
                return False
        return True

    def may_move(self, st, models):
        """Whether the tables of these models may be renamed or moved: one
        that a foreign key references only under ref_moved."""
        if self.has("ref_moved"):
            return True
        holders = {st.table_holder(m) for m in models if m in st.models}
        for d in st.models.values():
            for c in d["cols"]:
                if c.get("ref") and c["ref"]["target"] in st.models and \
                        st.table_holder(c["ref"]["target"]) in holders:
                    return False
        return True

    def bound_models(self, st, key=None):
        return [m for m in st.models if st.bind_of(m) and (key is None or st.bind_of(m) == key)]

    def may_drop_default(self, st, models):
        return self.has("default_drop_joined") or not any(m in st.models and st.in_joined(m) for m in models)

    def pk_type(self, st, m):
        mc = st.mclasses.get(st.mclass_of(m))
        if mc and mc["pk"]:
            return mc["pk"]["type"]
        return "integer"

    def fk_targets(self, st, owner):
        """Models a new foreign key may reference: those made before the
        owner (so that a fresh database can register them in order), and
        the owner itself."""
        rank = st.models[owner]["rank"] if owner in st.models else st.rank
        out = []
        for m, d in st.models.items():
            if d["rank"] < rank and st.kind(m) != "single" and st.table_of(m)[1]:
                out.append(m)
        if owner in st.models and st.kind(owner) != "single" and self.chance(0.15):
            out.append(owner)
        return out

    def unused_model_name(self, st):
        free = [n for n in MODEL_NAMES if n not in st.models]
        return self.pick(free) if free else None

    # -- steps -------------------------------------------------------------------
    def propose(self, st):
        """A random next step (a dict), or None."""
        choices = []

        def add(weight, fn, *need):
            if all(n in self.f for n in need):
                choices.append((weight, fn))

        add(3 if len(st.models) < 3 else 1 if len(st.models) < 7 else 0, self.new_root)
        add(6, self.alter_model)
        add(1.5, self.new_joined, "joined")
        add(1.5, self.new_single, "single")
        add(2, self.alter_parent, "parent_change")
        add(1.5, self.new_mixin, "mixins")
        add(2.5, self.alter_mixin, "mixins")
        add(1.5, self.move_column, "mixin_move")
        add(0.7, self.new_model_class, "model_class")
        add(1, self.alter_model_class, "model_class")
        add(1, self.retype_pk, "pk_type")
        add(1.5, self.rename_model, "rename_model")
        add(1.5, self.rename_column, "rename_column")
        add(1.5, self.change_tablename, "tablename")
        add(4, self.new_relationship, "relationships")
        add(1, self.drop_relationship, "relationships")
        add(1, self.bind, "bind")
        add(1, self.meta, "meta")
        add(1, self.drop, "drop")
        add(1, self.query, "query")
        for _ in range(20):
            total = sum(w for w, _ in choices)
            r = self.rng.random() * total
            for w, fn in choices:
                r -= w
                if r < 0:
                    break
            steps = fn(st)
            if steps:
                return steps
        return None

    def prelude(self, st):
        steps = [{"op": "model_class", "name": "IdModel",
                  "def": {"pk": {"name": "id", "type": "integer"}, "cols": [], "meta": "DefaultMeta"}}]
        if self.has("mixins") and self.chance(0.6):
            cols = [{"name": "created", "type": "timestamp", "notnull": True, "default": "now()"},
                    {"name": "updated", "type": "timestamp"}]
            d = {"cols": cols}
            if self.has("onupdate"):
                d["onupdate"] = "updated = now()"
            steps.append({"op": "mixin", "name": "TimestampMixin", "def": d})
        if self.has("bind", "remote") and self.chance(0.5):
            # early, so that models are made under it
            steps.append({"op": "bind", "key": "far", "schema": "far", "server": REMOTE_SERVER})
        return steps

    def new_root(self, st):
        name = self.unused_model_name(st)
        if not name:
            return None
        d = {"cols": [], "tcons": [], "mixins": []}
        single_root = self.has("single") and self.chance(0.35)
        mclasses = [n for n, mc in st.mclasses.items() if mc["pk"]]
        if single_root or not mclasses or self.chance(0.15):
            d["cols"].append({"name": "id", "type": "integer", "pk": True})
            if st.mclasses and self.has("model_class") and self.chance(0.3):
                nopk = [n for n, mc in st.mclasses.items() if not mc["pk"]]
                if nopk:
                    d["model_class"] = self.pick(nopk)
        else:
            d["model_class"] = self.pick(mclasses)
        if single_root or (self.has("joined") and self.chance(0.2)):
            d["cols"].append({"name": "kind", "type": "text", "notnull": True})
            d["polymorphic_on"] = "kind"
        if self.has("mixins") and st.mixins and self.chance(0.5):
            d["mixins"] = self.rng.sample(sorted(st.mixins), min(len(st.mixins), self.pick([1, 1, 2])))
        st2 = st.copy()
        st2.models[name] = dict(d, rank=st.rank)
        taken = st2.columns_of(name)
        for _ in range(self.pick([1, 2, 2, 3])):
            c = self.new_column(taken, st2, name)
            taken.append(c["name"])
            d["cols"].append(c)
        self.maybe_tcon(d)
        meta = st2.meta_of(name)
        if meta["naming"] == "none" or (self.has("tablename") and self.chance(0.2)):
            d["tablename"] = self.pick(["tbl_", "t_", ""]) + snake(name) + self.pick(["s", "_tab", "es"])
        if self.has("bind") and st.binds and self.chance(0.3):
            d["bind_key"] = self.pick(st.binds)
        if self.has("onupdate") and self.chance(0.15):
            d["cols"].append({"name": "touched", "type": "timestamp"})
            d["onupdate"] = "touched = now()"
        if self.has("query") and st.qclasses and self.chance(0.3):
            d["query_class"] = self.pick(st.qclasses)
        return [{"op": "model", "name": name, "def": d}]

    def change_index(self, d, own):
        """Add an index over the model's own columns, change one's form
        (a replacement) or drop one."""
        ixs = d.setdefault("indexes", [])
        if ixs and self.chance(0.3):
            ixs.remove(self.pick(ixs))
            return
        if ixs and self.chance(0.4):
            ix = self.pick(ixs)
            forms = [f for f in INDEX_FORMS if f[1] == len(ix["cols"]) and f[0] != ix["form"]]
            if forms:
                old = dict(ix)
                ix["form"] = self.pick(forms)[0]
                if any(index_key(o) == index_key(ix) for o in ixs if o is not ix):
                    ix.update(old)
            return
        form, n, _ = self.pick(INDEX_FORMS)
        if len(own) < n:
            return
        ix = {"form": form, "cols": [c["name"] for c in self.rng.sample(own, n)]}
        if all(index_key(o) != index_key(ix) for o in ixs):
            ixs.append(ix)

    def maybe_tcon(self, d):
        cols = [c for c in d["cols"] if not c.get("pk") and not c.get("ref")]
        if len(cols) >= 2 and self.has("unique") and self.chance(0.2):
            a, b = self.rng.sample(cols, 2)
            d["tcons"].append({"kind": "unique", "cols": [a["name"], b["name"]]})
        ints = [c for c in cols if family(c["type"]) == "int"]
        if ints and self.has("check") and self.chance(0.2):
            c = self.pick(ints)
            t = {"kind": "check", "cols": [c["name"]], "expr": self.pick(["{0} <> 13", "{0} BETWEEN -5 AND 5000"])}
            if self.chance(0.5) or (c.get("check") and not self.has("twin_checks")):
                t["name"] = c["name"] + self.pick(["_ok", "_sane"])
            d["tcons"].append(t)

    def new_joined(self, st):
        name = self.unused_model_name(st)
        parents = [m for m in st.models if st.kind(m) in ("root", "joined") and st.mclass_pk(st.mclass_of(m))]
        if not name or not parents:
            return None
        p = self.pick(parents)
        d = {"cols": [], "tcons": [], "mixins": [], "parent": p}
        st2 = st.copy()
        st2.models[name] = dict(d, rank=st.rank)
        taken = st2.hierarchy_columns(name)
        for _ in range(self.pick([1, 1, 2])):
            c = self.new_column(taken, st2, name)
            taken.append(c["name"])
            d["cols"].append(c)
        if self.has("mixins") and st.mixins and self.chance(0.3):
            d["mixins"] = [self.pick(sorted(st.mixins))]
        return [{"op": "model", "name": name, "def": d}]

    def new_single(self, st):
        name = self.unused_model_name(st)
        parents = [m for m in st.models if st.models[st.root_of(m)].get("polymorphic_on")
                   and not st.mclass_pk(st.mclass_of(m)) and st.kind(m) in ("root", "single")]
        if not name or not parents:
            return None
        p = self.pick(parents)
        d = {"cols": [], "tcons": [], "mixins": [], "parent": p}
        st2 = st.copy()
        st2.models[name] = dict(d, rank=st.rank)
        taken = st2.hierarchy_columns(name)
        for _ in range(self.pick([1, 1, 2])):
            c = self.new_column(taken, st2, name)
            taken.append(c["name"])
            d["cols"].append(c)
        if self.chance(0.3):
            d["polymorphic_identity"] = name.lower()
        return [{"op": "model", "name": name, "def": d}]

    def alter_model(self, st, name=None):
        if not st.models:
            return None
        name = name or self.pick(st.models)
        old = st.models[name]
        d = copy.deepcopy(old)
        d.pop("rank", None)
        drop = False
        kind = st.kind(name)
        taken = st.hierarchy_columns(name) if kind != "root" else st.columns_of(name)
        own = [c for c in d["cols"] if not c.get("pk") and c["name"] != d.get("polymorphic_on")]
        changes = []
        if self.has("columns"):
            changes += ["add", "add"]
            if own:
                changes.append("drop")
        if own:
            for feat, ch in (("types", "retype"), ("types", "retype"), ("defaults", "default"),
                             ("notnull", "notnull"), ("check", "check"), ("unique", "unique"),
                             ("collate", "collate"), ("fk", "fk"), ("fk", "fk")):
                if self.has(feat):
                    changes.append(ch)
        if self.has("reorder") and len(own) >= 2:
            changes.append("reorder")
        if self.has("indexes") and own:
            changes += ["index", "index"]
        if self.has("check") or self.has("unique"):
            changes.append("tcon")
        if self.has("mixins") and st.mixins and kind == "root":
            changes.append("mixins")
        if self.has("tablename") and kind != "single":
            changes.append("tablename")
        if self.has("bind") and st.binds and kind == "root":
            changes.append("bind")
        if self.has("single") and kind == "single":
            changes.append("identity")
        if self.has("query") and st.qclasses:
            changes.append("query_class")
        if self.has("model_class") and kind == "root" and len(st.mclasses) > 1:
            changes.append("model_class")
        if not changes:
            return None
        for _ in range(self.pick([1, 1, 1, 2, 3])):
            ch = self.pick(changes)
            own = [c for c in d["cols"] if not c.get("pk") and c["name"] != d.get("polymorphic_on")]
            if ch == "add":
                st2 = st.copy()
                st2.models[name] = dict(d, rank=old["rank"])
                c = self.new_column(taken, st2, name)
                taken.append(c["name"])
                d["cols"].append(c)
            elif ch == "drop" and own:
                c = self.pick(own)
                if d.get("onupdate") and c["name"] in d["onupdate"]:
                    continue
                d["cols"].remove(c)
                d["tcons"] = [t for t in d.get("tcons", []) if c["name"] not in t["cols"]]
                drop = True
            elif ch == "retype" and own:
                c = self.pick([c for c in own if not c.get("ref")] or own)
                checked = bool(c.get("check")) or any(c["name"] in t["cols"] for t in d.get("tcons", [])
                                                      if t["kind"] == "check")
                if self.retypable(c, checked):
                    c["type"] = self.pick(RETYPE[c["type"]])
            elif ch == "default" and own:
                c = self.pick([c for c in own if not c.get("ref")] or own)
                if c.get("default") is not None and self.chance(0.4):
                    if self.may_drop_default(st, [name]):
                        c.pop("default")
                else:
                    c["default"] = self.pick(DEFAULTS[family(c["type"])])
            elif ch == "notnull" and own:
                c = self.pick(own)
                c["notnull"] = not c.get("notnull")
            elif ch == "check" and own:
                c = self.pick([c for c in own if not c.get("ref")] or own)
                if not self.has("twin_checks") and any(c["name"] in t["cols"] and not t.get("name")
                                                       for t in d.get("tcons", []) if t["kind"] == "check"):
                    continue
                if c.get("check") and self.chance(0.4):
                    c.pop("check")
                else:
                    c["check"] = self.pick(CHECKS[family(c["type"])])
            elif ch == "unique" and own:
                c = self.pick(own)
                c["unique"] = not c.get("unique")
            elif ch == "collate" and own:
                texts = [c for c in own if family(c["type"]) == "text"]
                if not self.has("collate_default"):
                    texts = [c for c in texts if c.get("default") is None]
                if texts:
                    c = self.pick(texts)
                    c["collate"] = self.pick([None, "C", "POSIX"])
                    if not c["collate"]:
                        c.pop("collate")
            elif ch == "fk":
                refs = [c for c in own if c.get("ref")]
                if refs and self.chance(0.7):
                    c = self.pick(refs)
                    what = self.pick(["on_delete", "on_update", "target", "drop"])
                    if what == "target":
                        targets = [t for t in self.fk_targets(st, name) if t != c["ref"]["target"]
                                   and self.pk_type(st, t) == self.pk_type(st, c["ref"]["target"])
                                   and self.may_reference(st, name, t)]
                        if targets:
                            c["ref"]["target"] = self.pick(targets)
                    elif what == "drop":
                        c.pop("ref")
                    else:
                        c["ref"][what] = self.pick([a for a in FK_ACTIONS if a != "SET DEFAULT"])
                else:
                    targets = [t for t in self.fk_targets(st, name) if self.may_reference(st, name, t)]
                    ints = [c for c in own if c["type"] == "integer" and not c.get("ref")]
                    if targets and ints:
                        tgt = self.pick(targets)
                        if self.pk_type(st, tgt) == "integer":
                            c = self.pick(ints)
                            c["ref"] = {"target": tgt, "on_delete": self.pick(FK_ACTIONS[:6]),
                                        "on_update": self.pick(FK_ACTIONS[:6])}
            elif ch == "index":
                self.change_index(d, own)
            elif ch == "reorder" and len(own) >= 2:
                a, b = self.rng.sample(range(len(d["cols"])), 2)
                if not d["cols"][a].get("pk") and not d["cols"][b].get("pk"):
                    d["cols"][a], d["cols"][b] = d["cols"][b], d["cols"][a]
            elif ch == "tcon":
                if d.get("tcons") and self.chance(0.5):
                    t = self.pick(d["tcons"])
                    if t["kind"] == "unique" and self.chance(0.5):
                        t["cols"] = list(reversed(t["cols"]))
                    elif t["kind"] == "check" and self.chance(0.5):
                        if t.get("name"):
                            t["name"] = t["cols"][0] + self.pick(["_valid", "_range"])
                        else:
                            t["expr"] = self.pick(["{0} <> 13", "{0} BETWEEN -5 AND 5000", "{0} <> 99"])
                    else:
                        d["tcons"].remove(t)
                else:
                    d.setdefault("tcons", [])
                    self.maybe_tcon(d)
            elif ch == "mixins":
                cur = d.get("mixins", [])
                others = [x for x in sorted(st.mixins) if x not in cur]
                if cur and (not others or self.chance(0.4)):
                    cur.remove(self.pick(cur))
                    drop = True
                elif others:
                    cur.insert(self.rng.randrange(len(cur) + 1), self.pick(others))
                d["mixins"] = cur
            elif ch == "tablename":
                if not self.may_move(st, [name]):
                    continue
                if d.get("tablename") and st.meta_of(name)["naming"] != "none" and self.chance(0.4):
                    d.pop("tablename")
                else:
                    d["tablename"] = self.pick(["tbl_", "t_", "my_"]) + snake(name) + self.pick(["s", "_tab", "2"])
            elif ch == "bind":
                if not self.may_move(st, [name] + [x for x in st.models if st.root_of(x) == name]):
                    continue
                if d.get("bind_key") and self.chance(0.5):
                    if self.has("bind_leave"):
                        d.pop("bind_key")
                else:
                    d["bind_key"] = self.pick(st.binds)
            elif ch == "identity":
                if d.get("polymorphic_identity") and self.chance(0.5):
                    d.pop("polymorphic_identity")
                else:
                    d["polymorphic_identity"] = self.pick([name.lower(), name.upper(), "x_" + name])
            elif ch == "query_class":
                if d.get("query_class") and self.chance(0.5):
                    d.pop("query_class")
                else:
                    d["query_class"] = self.pick(st.qclasses)
            elif ch == "model_class":
                cur = st.mclass_of(name)
                has_pk = bool(st.mclass_pk(cur))
                same = [n for n, mc in st.mclasses.items() if n != cur and bool(mc["pk"]) == has_pk]
                if same and self.may_move(st, [name]):
                    d["model_class"] = self.pick(same)
        if d == {k: v for k, v in old.items() if k != "rank"}:
            return None
        step = {"op": "model", "name": name, "def": d}
        if drop and not self.chance(0.05):
            step["drop_columns"] = True
        return [step]

    def alter_parent(self, st):
        parents = [m for m in st.models if st.children(m)]
        if not parents:
            return None
        return self.alter_model(st, self.pick(parents))

    def new_mixin(self, st):
        names = [n for n in ["TimestampMixin", "AuditMixin", "SoftDeleteMixin", "VersionMixin", "NamedMixin"]
                 if n not in st.mixins]
        if not names:
            return None
        name = self.pick(names)
        presets = {
            "TimestampMixin": [{"name": "created", "type": "timestamp", "notnull": True, "default": "now()"},
                               {"name": "updated", "type": "timestamp"}],
            "AuditMixin": [{"name": "created_by", "type": "text"}],
            "SoftDeleteMixin": [{"name": "deleted_at", "type": "timestamptz"}],
            "VersionMixin": [{"name": "revision", "type": "integer", "notnull": True, "default": "0"}],
            "NamedMixin": [{"name": "display_name", "type": "varchar(20)"}],
        }
        d = {"cols": copy.deepcopy(presets[name])}
        if self.has("onupdate") and name == "TimestampMixin":
            d["onupdate"] = "updated = now()"
        return [{"op": "mixin", "name": name, "def": d}]

    def alter_mixin(self, st):
        if not st.mixins:
            return None
        name = self.pick(st.mixins)
        d = copy.deepcopy(st.mixins[name])
        drop = False
        taken = [c["name"] for c in d["cols"]]
        for m in st.uses_mixin(name):
            if m in st.models:
                taken += st.hierarchy_columns(m)
        what = self.pick(["add", "add", "drop", "retype", "default", "notnull"])
        if what == "add" or not d["cols"]:
            c = self.new_column(taken, fk=False)
            c["name"] = self.pick([n for n in ["revision", "edited_by", "origin", "deleted", "locale", "memo"]
                                   if n not in taken] or ["m%d" % self.rng.randrange(1000)])
            d["cols"].insert(self.rng.randrange(len(d["cols"]) + 1) if self.chance(0.5) else len(d["cols"]), c)
        elif what == "drop":
            c = self.pick(d["cols"])
            if d.get("onupdate") and c["name"] in d["onupdate"]:
                return None
            d["cols"].remove(c)
            drop = True
        elif what == "retype" and self.has("types"):
            c = self.pick(d["cols"])
            if not self.retypable(c, bool(c.get("check"))):
                return None
            c["type"] = self.pick(RETYPE[c["type"]])
        elif what == "default" and self.has("defaults"):
            c = self.pick(d["cols"])
            if c.get("default") is not None:
                if not self.may_drop_default(st, st.uses_mixin(name)):
                    return None
                c.pop("default")
            else:
                c["default"] = self.pick(DEFAULTS[family(c["type"])])
        elif what == "notnull" and self.has("notnull"):
            c = self.pick(d["cols"])
            c["notnull"] = not c.get("notnull")
        else:
            return None
        step = {"op": "mixin", "name": name, "def": d}
        if drop:
            step["drop_columns"] = True
        return [step]

    def move_column(self, st):
        """A column moved from a model into one of its mixins (the mixin
        first gains it, then the model leaves it out), or back."""
        cands = [(m, x) for m, d in st.models.items() for x in d.get("mixins", []) if x in st.mixins]
        if not cands:
            return None
        m, x = self.pick(cands)
        md = copy.deepcopy(st.models[m])
        md.pop("rank", None)
        xd = copy.deepcopy(st.mixins[x])
        own = [c for c in md["cols"] if not c.get("pk") and not c.get("ref") and c["name"] != md.get("polymorphic_on")
               and not any(c["name"] in t["cols"] for t in md.get("tcons", []))
               and not (md.get("onupdate") and c["name"] in md["onupdate"])]
        if own and (self.chance(0.6) or not xd["cols"]):
            c = self.pick(own)
            xd["cols"].append(copy.deepcopy(c))
            md["cols"].remove(c)
            return [{"op": "mixin", "name": x, "def": xd}, {"op": "model", "name": m, "def": md}]
        if not xd["cols"]:
            return None
        c = self.pick(xd["cols"])
        if xd.get("onupdate") and c["name"] in xd["onupdate"]:
            return None
        md["cols"].append(copy.deepcopy(c))
        xd["cols"].remove(c)
        return [{"op": "model", "name": m, "def": md}, {"op": "mixin", "name": x, "def": xd, "drop_columns": True}]

    def new_model_class(self, st):
        names = [n for n in ["BigModel", "TenantModel", "PlainModel", "StampModel"] if n not in st.mclasses]
        if not names:
            return None
        name = self.pick(names)
        d = {"pk": {"name": "id", "type": "bigint" if name == "BigModel" else "integer"}, "cols": [],
             "meta": "DefaultMeta"}
        if name == "TenantModel":
            d["cols"] = [{"name": "tenant", "type": "text", "notnull": True, "default": "'main'"}]
        if name == "StampModel":
            d["pk"] = None
            d["cols"] = [{"name": "stamp", "type": "integer", "default": "0"}]
        if name == "PlainModel" and self.has("meta") and st.metas:
            d["meta"] = self.pick(st.metas)
        return [{"op": "model_class", "name": name, "def": d}]

    def alter_model_class(self, st):
        if not st.mclasses:
            return None
        name = self.pick(st.mclasses)
        d = copy.deepcopy(st.mclasses[name])
        drop = False
        users = [m for m in st.models if st.mclass_of(m) == name]
        taken = []
        for m in users:
            taken += st.hierarchy_columns(m)
        what = self.pick(["add", "drop", "retype", "meta"])
        if what == "add" or (what == "drop" and not d["cols"]):
            c = self.new_column(taken, fk=False)
            d["cols"].append(c)
        elif what == "drop":
            d["cols"].remove(self.pick(d["cols"]))
            drop = True
        elif what == "retype" and d["cols"] and self.has("types"):
            c = self.pick(d["cols"])
            if not self.retypable(c, bool(c.get("check"))):
                return None
            c["type"] = self.pick(RETYPE[c["type"]])
        elif what == "meta" and self.has("meta") and st.metas:
            if not self.may_move(st, users):
                return None
            d["meta"] = self.pick(["DefaultMeta"] + sorted(st.metas))
        else:
            return None
        step = {"op": "model_class", "name": name, "def": d}
        if drop:
            step["drop_columns"] = True
        return [step]

    def retype_pk(self, st):
        cands = [n for n, mc in st.mclasses.items() if mc["pk"]]
        if not cands:
            return None
        name = self.pick(cands)
        d = copy.deepcopy(st.mclasses[name])
        d["pk"]["type"] = {"integer": "bigint", "bigint": "integer", "smallint": "integer"}[d["pk"]["type"]]
        return [{"op": "model_class", "name": name, "def": d}]

    def rename_model(self, st):
        cands = [m for m in st.models if self.may_move(st, [m])
                 and (self.has("rename_polymorphic") or not st.models[st.root_of(m)].get("polymorphic_on"))]
        if not cands:
            return None
        old = self.pick(cands)
        new = self.unused_model_name(st)
        if not new:
            return None
        return [{"op": "rename_model", "old": old, "new": new}]

    def rename_column(self, st):
        cands = []
        for m, d in st.models.items():
            for c in d["cols"]:
                if not c.get("pk") and c["name"] != d.get("polymorphic_on"):
                    cands.append((m, c["name"]))
        if not cands:
            return None
        m, old = self.pick(cands)
        taken = st.hierarchy_columns(m)
        new = self.pick([n for n in RENAMED_COLUMNS if n not in taken] or ["renamed_%d" % self.rng.randrange(100)])
        return [{"op": "rename_column", "model": m, "old": old, "new": new}]

    def change_tablename(self, st):
        cands = [m for m in st.models if st.kind(m) != "single" and self.may_move(st, [m])]
        if not cands:
            return None
        m = self.pick(cands)
        d = copy.deepcopy(st.models[m])
        d.pop("rank", None)
        if d.get("tablename") and st.meta_of(m)["naming"] != "none" and self.chance(0.4):
            d.pop("tablename")
        else:
            d["tablename"] = self.pick(["tbl_", "t_", "my_"]) + snake(m) + self.pick(["s", "_tab", "2"])
        return [{"op": "model", "name": m, "def": d}]

    def new_relationship(self, st):
        pairs = []
        for m, d in st.models.items():
            for c in d["cols"]:
                if c.get("ref") and c["ref"]["target"] in st.models:
                    pairs.append((m, c["ref"]["target"], c["name"]))
        if not pairs:
            return None
        if not self.has("rel_in_hierarchy"):
            pairs = [(m, t, fk) for m, t, fk in pairs if st.root_of(m) != st.root_of(t)
                     or st.kind(m) != "joined" and st.kind(t) != "joined"]
            if not pairs:
                return None
        m, t, fk = self.pick(pairs)
        if self.chance(0.5):
            model, target, name = m, t, snake(t)
        else:
            model, target, name = t, m, snake(m) + "s"
        if name in ("get", "count", "paginate", "get_or_404", "get_or", "rows"):
            name += "_rel"
        if (model, name) in st.rels:
            return None
        step = {"op": "relationship", "model": model, "name": name, "target": target}
        if self.chance(0.5) or model == target or \
                sum(1 for c in st.models[m]["cols"] if c.get("ref") and c["ref"]["target"] == t) > 1 or \
                st.models[m].get("parent") == t or st.models[t].get("parent") == m:
            step["foreign_key"] = fk
        return [step]

    def drop_relationship(self, st):
        if not st.rels:
            return None
        m, n = self.pick(st.rels)
        return [{"op": "drop_relationship", "model": m, "name": n}]

    def bind(self, st):
        key = self.pick(["archive", "stats"] + (["far"] if self.has("remote") else []))
        if key in st.binds:
            schema = self.pick([s for s in ["archive", "archive2", "stats", "stats2", "far", "far2"]
                                if s != st.binds[key] and (s.startswith("far") == (key == "far"))])
        else:
            schema = key
        if schema in st.binds.values():
            return None
        if key in st.binds and not self.may_move(st, self.bound_models(st, key)):
            return None
        if key == "far":
            return [{"op": "bind", "key": key, "schema": schema, "server": REMOTE_SERVER}]
        return [{"op": "bind", "key": key, "schema": schema}]

    def meta(self, st):
        name = self.pick(["PlainMeta", "LooseMeta"])
        if name in st.metas:
            cur = st.metas[name]
            users = [m for m in st.models
                     if (st.mclasses.get(st.mclass_of(m)) or {}).get("meta") == name]
            if not self.may_move(st, users):
                return None
            if self.chance(0.5):
                naming = "snake_case" if cur["naming"] == "none" else "none"
                return [{"op": "meta", "name": name, "naming": naming, "binding": cur["binding"]}]
            if cur["binding"] and not self.has("bind_leave"):
                return None
            return [{"op": "meta", "name": name, "naming": cur["naming"], "binding": not cur["binding"]}]
        return [{"op": "meta", "name": name, "naming": "none" if name == "PlainMeta" else "snake_case",
                 "binding": name == "PlainMeta"}]

    def drop(self, st):
        what = self.pick(["model", "model", "model", "mixin", "model_class"])
        if what == "model" and st.models:
            leaves = [m for m in st.models if not st.children(m) and not
                      [x for x in st.referencers(m) if x != m]]
            if not leaves:
                return None
            m = self.pick(leaves)
            steps = [{"op": "drop_relationship", "model": a, "name": n}
                     for (a, n), r in st.rels.items() if r["target"] == m and a != m]
            return steps + [{"op": "drop_model", "name": m}]
        if what == "mixin" and st.mixins:
            free = [x for x in st.mixins if not st.uses_mixin(x)]
            return [{"op": "drop_mixin", "name": self.pick(free)}] if free else None
        if what == "model_class" and st.mclasses:
            free = [x for x in st.mclasses if not any(st.models[m].get("model_class") == x for m in st.models)]
            return [{"op": "drop_model_class", "name": self.pick(free)}] if free else None
        return None

    def query(self, st):
        if "GetOrQuery" not in st.qclasses:
            return [{"op": "query_class", "name": "GetOrQuery"},
                    {"op": "query_method", "query_class": "GetOrQuery", "name": "get_or",
                     "args": 'ident @pktype@, "default" @rowtype@ DEFAULT NULL', "returns": "@rowtype@",
                     "body": 'SELECT coalesce((SELECT m FROM @view@ m WHERE m.@pk@ = ident), "default")'}]
        if st.models:
            return self.alter_model(st)
        return None


# ---------------------------------------------------------------------------
# Databases
# ---------------------------------------------------------------------------

class Lost(Exception):
    """The server closed the connection: a crash."""


def connect(db, wait=60):
    """A session on db; while the server recovers from a crash (or starts),
    waits up to wait seconds."""
    end = time.time() + wait
    while True:
        try:
            conn = psycopg2.connect(dbname=db)
            break
        except psycopg2.OperationalError as e:
            if time.time() > end or not re.search(r"recovery mode|starting up|shutting down|Connection refused"
                                                  r"|could not connect|server closed", str(e)):
                raise
            time.sleep(1)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SET client_min_messages = error")
        cur.execute("SET statement_timeout = %s", (STATEMENT_TIMEOUT,))
        cur.execute("SET lc_messages = 'C'")
        # constants in defaults and CHECKs print by these (a timestamptz
        # literal by TimeZone): the same output on every machine
        cur.execute("SET TimeZone = 'UTC'")
        cur.execute("SET DateStyle = 'ISO, MDY'")
        cur.execute("SET IntervalStyle = 'postgres'")
        cur.execute("SET extra_float_digits = 1")
    return conn


def admin():
    return connect(os.environ.get("PGDATABASE") or "postgres")


def wait_for_server(timeout=90):
    try:
        admin_wait(timeout).close()
        return True
    except psycopg2.Error:
        return False


def admin_wait(timeout):
    return connect(os.environ.get("PGDATABASE") or "postgres", wait=timeout)


def installed():
    """When corm's installed files last changed (the library and the
    extension's scripts), or None where they cannot be seen: others may
    install a new build while a run goes on."""
    import subprocess
    stamps = []
    try:
        pg_config = os.environ.get("PG_CONFIG") or "pg_config"
        lib = subprocess.run([pg_config, "--pkglibdir"], capture_output=True, text=True).stdout.strip()
        share = subprocess.run([pg_config, "--sharedir"], capture_output=True, text=True).stdout.strip()
        for path in [os.path.join(lib, "corm.so")] + sorted(glob.glob(os.path.join(share, "extension", "corm*"))):
            st = os.stat(path)
            stamps.append((path, st.st_mtime_ns, st.st_size))
    except (OSError, ValueError):
        return None
    return tuple(stamps) or None


class Databases:
    """A template database with corm installed, copied for every A and B;
    made again when corm's installed files change."""

    def __init__(self):
        self.template = PREFIX + "_template"
        self.n = 0
        self.made = []
        self.make_template()

    def make_template(self):
        self.stamp = installed()
        c = admin()
        with c.cursor() as cur:
            cur.execute("DROP DATABASE IF EXISTS %s" % self.template)
            cur.execute("CREATE DATABASE %s" % self.template)
        c.close()
        t = connect(self.template)
        with t.cursor() as cur:
            cur.execute("CREATE EXTENSION corm")
        t.close()

    def fresh(self):
        """The template again if corm was installed anew since it was made;
        True if so."""
        if installed() == self.stamp:
            return False
        time.sleep(2)   # an install in progress: let it end
        self.drop(self.template)
        self.make_template()
        return True

    def new(self, tag):
        self.n += 1
        name = "%s_%s%d" % (PREFIX, tag, self.n)
        c = admin()
        with c.cursor() as cur:
            for db in [name] + ([remote_of(name)] if WITH_REMOTE else []):
                cur.execute("DROP DATABASE IF EXISTS %s" % db)
                cur.execute("CREATE DATABASE %s TEMPLATE %s" % (db, self.template))
        c.close()
        self.made.append(name)
        if WITH_REMOTE:
            serve_remote(name)
        return name

    def drop(self, name):
        try:
            c = admin()
            with c.cursor() as cur:
                cur.execute("DROP DATABASE IF EXISTS %s WITH (FORCE)" % name)
                if WITH_REMOTE:
                    cur.execute("DROP DATABASE IF EXISTS %s WITH (FORCE)" % remote_of(name))
            c.close()
        except psycopg2.Error:
            pass
        if name in self.made:
            self.made.remove(name)

    def close(self, keep=()):
        for name in list(self.made):
            if name not in keep:
                self.drop(name)
        self.drop(self.template)


# A bind to another database (feature "remote"): every database of a
# history has a twin, <name>_r, with corm, reached through a postgres_fdw
# server of this name; the twins are fingerprinted too.
WITH_REMOTE = False
REMOTE_SERVER = "converge_remote"


def remote_of(name):
    return name + "_r"


def serve_remote(name):
    """The postgres_fdw server in database name for its twin: this server,
    reached as this session came (the socket, or the address), with the
    password of the environment in the user mapping when there is one."""
    conn = connect(name)
    with conn.cursor() as cur:
        cur.execute("CREATE EXTENSION IF NOT EXISTS postgres_fdw")
        cur.execute("SELECT coalesce(host(inet_server_addr()),"
                    " split_part(current_setting('unix_socket_directories'), ',', 1)),"
                    " current_setting('port'), current_user")
        host, port, user = cur.fetchone()
        cur.execute("CREATE SERVER %s FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host %s, port %s, dbname %s)"
                    % (REMOTE_SERVER, lit(host), lit(port), lit(remote_of(name))))
        password = os.environ.get("PGPASSWORD")
        if password:
            cur.execute("CREATE USER MAPPING FOR CURRENT_USER SERVER %s OPTIONS (user %s, password %s)"
                        % (REMOTE_SERVER, lit(user), lit(password)))
        else:
            cur.execute("CREATE USER MAPPING FOR CURRENT_USER SERVER %s" % REMOTE_SERVER)
    conn.close()


def remote_fingerprint(name):
    """The twin's fingerprint, each line marked as the remote's."""
    if not WITH_REMOTE:
        return []
    conn = connect(remote_of(name))
    try:
        return ["remote " + l for l in fingerprint(conn)]
    finally:
        conn.close()


def rerun(out, conn, which, statements):
    """The final definitions registered again, unchanged: SPEC section 8
    says nothing runs (a call returns the statements it ran)."""
    for sql in statements:
        try:
            with conn.cursor() as cur:
                cur.execute(sql)
                rows = cur.fetchall() if cur.description else []
        except psycopg2.Error as e:
            if e.pgcode is None or conn.closed:
                raise Lost(str(e).strip())
            out.fail("rerun", "registering the final definitions again in %s fails:\n  %s\n  %s: %s"
                     % (which, sql, e.pgcode, (e.pgerror or "").strip()))
            continue
        ddl = [r[0] for r in rows if r and isinstance(r[0], str) and r[0].strip()]
        if ddl:
            out.fail("rerun", "registering the final definitions again in %s runs DDL:\n  %s\n%s" % (
                which, sql, "\n".join("    " + re.sub(r"\s*\n\s*", " ", d)[:300] for d in ddl[:8])))


def run_statement(conn, sql):
    """Runs one statement in a transaction of its own.  Returns (sqlstate,
    message): ('00000', '') on success.  Raises Lost when the connection is
    gone."""
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
        return "00000", ""
    except psycopg2.Error as e:
        if e.pgcode is None or conn.closed:
            raise Lost(str(e).strip())
        return e.pgcode, (e.pgerror or str(e)).strip()


def internal(state, message):
    return state.startswith("XX") or re.search(r"SQLSTATE XX", message or "") is not None


def lookup_table(conn):
    """table_of() for rendering: the qualified table corm's catalog names
    for a model, read from the database."""
    def table_of(model):
        with conn.cursor() as cur:
            cur.execute("SELECT format('%%I.%%I', table_schema, table_name) FROM corm.model "
                        "WHERE name = %s AND table_name IS NOT NULL", (model,))
            row = cur.fetchone()
        return row[0] if row else None
    return table_of


def fingerprint(conn):
    lines = []
    with conn.cursor() as cur:
        cur.execute("SELECT model, problem, fix FROM corm.check()")
        for model, problem, fix in cur.fetchall():
            lines.append("check %s: %s%s" % (model, problem, "" if fix is None else " -- fix: " + fix))
        cur.execute("SET search_path = pg_catalog")
        try:
            cur.execute(FINGERPRINT_SQL)
            rows = cur.fetchall()
        finally:
            cur.execute("RESET search_path")
    for (line,) in rows:
        line = re.sub(r"\s*\n\s*", " ", line.strip())
        if line.startswith("catalog "):
            # a stored definition as corm rewrote it (rename_column) may
            # quote a name that needs no quotes
            line = re.sub(r'\\"([a-z_][a-z0-9_]*)\\"', r"\1", line)
        if LAX_NAMES:
            line = lax(line)
            if line is None:
                continue
        lines.append(line)
    return sorted(lines)


def lax(line):
    """For a hunt past two known defects of renames (CONVERGE_LAX_NAMES=1):
    the names of constraints, indexes and sequences (a renamed table keeps
    the old ones) and the table a stored REFERENCES names (a model keeps
    the old name of a table it references) are masked."""
    if re.match(r"relation \S+ kind S", line):
        return None
    line = re.sub(r"^(constraint \S+) \S+:", r"\1 *:", line)
    line = re.sub(r"^(index CREATE (UNIQUE )?INDEX) \S+ ON", r"\1 * ON", line)
    line = re.sub(r"^sequence \S+:", "sequence *:", line)
    line = re.sub(r"nextval\('[^']*'::regclass\)", "nextval(*)", line)
    if line.startswith("catalog model "):
        line = re.sub(r"REFERENCES [^ ,\"]+", "REFERENCES *", line)
    return line


# ---------------------------------------------------------------------------
# Running a history and comparing
# ---------------------------------------------------------------------------

class Outcome:
    def __init__(self):
        self.failed = False
        self.reasons = []       # short words: crash, internal, fresh-failed, diff, check
        self.details = []       # text for the TAP diagnostics
        self.a_sql = []         # (sql, state, message) of every step in A
        self.b_sql = []         # the statements of B
        self.diff_keys = set()  # categories of differing lines
        self.refused = 0
        self.steps = []         # the structured steps of a generated history

    def fail(self, reason, detail):
        self.failed = True
        if reason not in self.reasons:
            self.reasons.append(reason)
        self.details.append(detail)

    def signature(self):
        return (tuple(sorted(self.reasons)), tuple(sorted(self.diff_keys)))


def category(line):
    word = line.split(" ", 1)[0]
    if word in ("catalog", "view") and " " in line:
        return word + " " + line.split(" ", 2)[1]
    return word


def compare(out, fa, fb):
    """A's and B's fingerprints into the outcome."""
    checks_a = [l for l in fa if l.startswith("check ")]
    checks_b = [l for l in fb if l.startswith("check ")]
    if checks_a:
        out.fail("check", "corm.check() in the migrated database A is not empty:\n" + "\n".join(checks_a[:20]))
    if checks_b:
        out.fail("check", "corm.check() in the fresh database B is not empty:\n" + "\n".join(checks_b[:20]))
    ra = [l for l in fa if not l.startswith("check ")]
    rb = [l for l in fb if not l.startswith("check ")]
    if ra != rb:
        diff = list(difflib.unified_diff(rb, ra, "B (fresh)", "A (migrated)", n=0, lineterm=""))
        for l in diff[2:]:
            if l[:1] in "+-":
                out.diff_keys.add(category(l[1:]))
        shown = [l for l in diff if not l.startswith("@@")]
        if len(shown) > 80:
            shown = shown[:80] + ["... %d more lines" % (len(shown) - 80)]
        out.fail("diff", "A (migrated) and B (fresh) differ (- only in B, + only in A):\n" + "\n".join(shown))


def generated_names(st):
    out = set()
    for m in st.models:
        try:
            s, t = st.table_of(m)
            single = st.kind(m) == "single"
        except (KeyError, RecursionError):
            continue
        if t:
            out.add(t)
        if not single and t:
            out.update({t + "_view", t + "_pagination"})
        else:
            out.update({snake(m) + "_view", snake(m) + "_pagination"})
    return out


def generated_missing(st, step, msg):
    """Whether a refusal says that something corm generates does not exist:
    a table, view or Pagination type of a model, before or after the step."""
    m = re.search(r'(?:relation|type|function) "([^"]+)" does not exist', msg or "")
    if not m:
        return False
    name = m.group(1).split(".")[-1]
    names = generated_names(st)
    try:
        probe = st.copy()
        probe.apply(step)
        names |= generated_names(probe)
    except (KeyError, ValueError, TypeError, RecursionError):
        pass
    return name in names and (name.endswith("_view") or name.endswith("_pagination")
                              or step["op"] in ("rename_model", "model", "model_class", "mixin", "bind", "meta"))


def table_lookup(conn, st, step):
    """table_of() for rendering a step: the qualified table corm's catalog
    names for a model; for a model the step itself makes (a foreign key to
    itself), the table the definitions give it."""
    from_catalog = lookup_table(conn)

    def table_of(model):
        # a foreign key to the model's own table names the table the step
        # gives it (a fresh database has only that name)
        t = None if step.get("op") == "model" and model == step.get("name") else from_catalog(model)
        if t:
            return t
        probe = st.copy()
        if step.get("op") == "model":
            probe.apply(step)
        if model in probe.models:
            s, t = probe.table_of(model)
            return "%s.%s" % (ident(s), ident(t or snake(model)))
        return ident(snake(model))
    return table_of


def apply_step(conn, st, step, out, i):
    """One step in A: rendered against A's catalog, run, and on success
    applied to the definitions."""
    sql = render(step, table_lookup(conn, st, step))
    out.a_sql.append((sql, "?", "the connection was lost"))
    out.steps.append(step)
    state, msg = run_statement(conn, sql)
    out.a_sql[-1] = (sql, state, msg)
    if VERBOSE:
        print("#   A %d: %s -> %s %s" % (i, sql, state, msg.splitlines()[0] if msg else ""))
    if state == "00000":
        st.apply(step)
        if CHECK_STEPS and "check-step" not in out.reasons:
            with conn.cursor() as cur:
                cur.execute("SELECT model, problem, fix FROM corm.check()")
                rows = cur.fetchall()
            if rows:
                out.fail("check-step", "corm.check() is not empty right after step %d (%s):\n%s" % (
                    i, sql, "\n".join("check %s: %s%s" % (m, p, "" if f is None else " -- fix: " + f)
                                      for m, p, f in rows[:10])))
    else:
        out.refused += 1
        if internal(state, msg):
            out.fail("internal", "step %d: %s\n  failed with an internal error %s: %s" % (i, sql, state, msg))
        elif generated_missing(st, step, msg):
            out.fail("refused-internal", "step %d: %s\n  was refused because an object corm generates is missing "
                     "(corm contradicts itself):\n  %s: %s" % (i, sql, state, msg))


def run_history(dbs, steps=None, gen=None, nsteps=0, keep=False):
    """A history -- the given steps, or steps the generator proposes as it
    goes (it sees what corm accepted) -- applied to A; the final definitions
    registered in B; the two compared.  Returns the outcome."""
    dbs.fresh()
    out = Outcome()
    a = b = None
    na = nb = None
    st = State()
    try:
        na = dbs.new("a")
        a = connect(na)
        if gen is None:
            for i, step in enumerate(steps):
                apply_step(a, st, step, out, i + 1)
        else:
            for step in gen.prelude(st):
                apply_step(a, st, step, out, len(out.steps) + 1)
            tries = 0
            while len(out.steps) < nsteps and tries < nsteps * 4:
                tries += 1
                for step in gen.propose(st) or []:
                    apply_step(a, st, step, out, len(out.steps) + 1)
        nb = dbs.new("b")
        b = connect(nb)
        fresh = State()
        for step in st.replay():
            sql = render(step, table_lookup(b, fresh, step))
            state, msg = run_statement(b, sql)
            out.b_sql.append((sql, state, msg))
            if VERBOSE:
                print("#   B: %s -> %s %s" % (sql, state, msg.splitlines()[0] if msg else ""))
            if state == "00000":
                fresh.apply(step)
            else:
                out.fail("fresh-failed", "the final definitions fail in a fresh database B:\n  %s\n  %s: %s"
                         % (sql, state, msg))
        compare(out, fingerprint(a) + remote_fingerprint(na), fingerprint(b) + remote_fingerprint(nb))
        if RERUN and not out.failed:
            again = [sql for sql, state, _ in out.b_sql if state == "00000"]
            rerun(out, a, "A", again)
            rerun(out, b, "B", again)
    except (Lost, psycopg2.OperationalError, psycopg2.InterfaceError) as e:
        out.fail("crash", "the server closed the connection (a crash?): %s" % str(e).strip())
        wait_for_server()
    finally:
        for c in (a, b):
            if c is not None:
                try:
                    c.close()
                except psycopg2.Error:
                    pass
        if not (keep and out.failed):
            for n in (na, nb):
                if n:
                    dbs.drop(n)
    return out


def run_case(dbs, case):
    """A corpus case: the A statements and the B statements as written."""
    dbs.fresh()
    out = Outcome()
    a = b = None
    na = nb = None
    try:
        na = dbs.new("a")
        a = connect(na)
        for i, sql in enumerate(case["a"]):
            out.a_sql.append((sql, "?", "the connection was lost"))
            state, msg = run_statement(a, sql)
            out.a_sql[-1] = (sql, state, msg)
            if VERBOSE:
                print("#   A %d: %s -> %s %s" % (i + 1, sql, state, msg.splitlines()[0] if msg else ""))
            if internal(state, msg):
                out.fail("internal", "step %d: %s\n  failed with an internal error %s: %s" % (i + 1, sql, state, msg))
        nb = dbs.new("b")
        b = connect(nb)
        for sql in case["b"]:
            state, msg = run_statement(b, sql)
            out.b_sql.append((sql, state, msg))
            if state != "00000":
                out.fail("fresh-failed", "a statement of B fails in a fresh database:\n  %s\n  %s: %s" % (sql, state, msg))
        compare(out, fingerprint(a) + remote_fingerprint(na), fingerprint(b) + remote_fingerprint(nb))
        if RERUN and not out.failed:
            rerun(out, a, "A", case["b"])
            rerun(out, b, "B", case["b"])
    except (Lost, psycopg2.OperationalError, psycopg2.InterfaceError) as e:
        out.fail("crash", "the server closed the connection (a crash?): %s" % str(e).strip())
        wait_for_server()
    finally:
        for c in (a, b):
            if c is not None:
                try:
                    c.close()
                except psycopg2.Error:
                    pass
        if not (KEEP_DB and out.failed):
            for n in (na, nb):
                if n:
                    dbs.drop(n)
    return out


# ---------------------------------------------------------------------------
# Generating, minimizing, saving
# ---------------------------------------------------------------------------

def generator(seed, index, features):
    return Gen(random.Random("%d:%d" % (seed, index)), features)


def simplifications(steps):
    """Smaller variants of a history, for the minimizer: one column, one
    attribute of a column, a table constraint or one parameter left out of
    every step that defines the same object."""
    entities = []
    for s in steps:
        if s["op"] in ("model", "mixin", "model_class"):
            key = (s["op"], s["name"])
            if key not in entities:
                entities.append(key)

    def variant(fn):
        out, changed = [], False
        for s in steps:
            s2 = copy.deepcopy(s)
            if fn(s2):
                changed = True
            out.append(s2)
        return out if changed else None

    for op, name in entities:
        defs = [s["def"] for s in steps if s["op"] == op and s["name"] == name]
        colnames = []
        for d in defs:
            for c in d.get("cols", []):
                if not c.get("pk") and c["name"] not in colnames:
                    colnames.append(c["name"])

        def mine(s, op=op, name=name):
            return s["op"] == op and s["name"] == name

        for cn in colnames:
            def drop_col(s, cn=cn, mine=mine):
                if not mine(s):
                    return False
                d = s["def"]
                before = len(d.get("cols", []))
                d["cols"] = [c for c in d.get("cols", []) if c["name"] != cn]
                d["tcons"] = [t for t in d.get("tcons", []) if cn not in t["cols"]]
                if d.get("onupdate") and cn in d["onupdate"]:
                    d.pop("onupdate")
                if d.get("polymorphic_on") == cn:
                    d.pop("polymorphic_on")
                return len(d["cols"]) != before
            yield variant(drop_col)
        for cn in colnames:
            for attr in ("ref", "check", "unique", "default", "notnull", "collate"):
                def drop_attr(s, cn=cn, attr=attr, mine=mine):
                    if not mine(s):
                        return False
                    hit = False
                    for c in s["def"].get("cols", []):
                        if c["name"] == cn and c.get(attr) is not None and c.get(attr) is not False:
                            c.pop(attr)
                            hit = True
                    return hit
                yield variant(drop_attr)
        for key in ("tcons", "onupdate", "query_class", "bind_key", "tablename", "polymorphic_identity"):
            def drop_key(s, key=key, mine=mine):
                if not mine(s) or not s["def"].get(key):
                    return False
                s["def"].pop(key)
                return True
            yield variant(drop_key)
        mixins = []
        for d in defs:
            for x in d.get("mixins", []):
                if x not in mixins:
                    mixins.append(x)
        for x in mixins:
            def drop_mixin(s, x=x, mine=mine):
                if not mine(s) or x not in s["def"].get("mixins", []):
                    return False
                s["def"]["mixins"].remove(x)
                return True
            yield variant(drop_mixin)


def minimize(dbs, steps, signature, deadline):
    """Deletes steps (chunks, then one at a time), then simplifies the
    definitions, then deletes steps again, while the history still fails the
    same way."""
    def still_fails(cand):
        out = run_history(dbs, cand)
        return out.failed and same_failure(out.signature(), signature)

    def delete_steps(cur):
        chunk = max(1, len(cur) // 2)
        while chunk >= 1 and time.time() < deadline:
            i = 0
            changed = False
            while i < len(cur) and time.time() < deadline:
                cand = cur[:i] + cur[i + chunk:]
                if cand and still_fails(cand):
                    cur = cand
                    changed = True
                else:
                    i += chunk
            if not changed:
                chunk //= 2
        return cur

    cur = delete_steps(list(steps))
    changed = True
    while changed and time.time() < deadline:
        changed = False
        for cand in simplifications(cur):
            if time.time() >= deadline:
                break
            if cand is not None and still_fails(cand):
                cur = cand
                changed = True
                break
    return delete_steps(cur)


def same_failure(sig, orig):
    reasons, keys = sig
    oreasons, okeys = orig
    if not reasons or not set(reasons) <= set(oreasons):
        return False
    if "diff" in oreasons:
        return "diff" in reasons and set(keys) == set(okeys)
    return True


def case_text(title, out, status, note):
    lines = ["-- %s" % title]
    if status:
        lines.append("-- %s" % status)
    for n in note:
        lines.append("-- " + n)
    lines.append("-- A: the history, applied step by step (a refused step is shown with its SQLSTATE)")
    lines.append("-- @A")
    for sql, state, msg in out.a_sql:
        if state != "00000":
            lines.append("-- refused: %s %s" % (state, (msg.splitlines() or [""])[0]))
        lines.append(sql + ";")
    lines.append("-- B: the final definitions, registered in a fresh database")
    lines.append("-- @B")
    for sql, _, _ in out.b_sql:
        lines.append(sql + ";")
    return "\n".join(lines) + "\n"


def canonical(text):
    """A case's SQL with the names of models, columns, mixins and model
    classes replaced by placeholders in the order they appear: two cases
    that differ only in the names the generator drew are the same case."""
    names = {}
    words = set(MODEL_NAMES) | set(COLUMN_NAMES) | set(RENAMED_COLUMNS)
    snakes = {snake(m): m for m in MODEL_NAMES}

    def one(m):
        w = m.group(0)
        base = snakes.get(w, w)
        if base not in words:
            return w
        if base not in names:
            names[base] = "n%d" % (len(names) + 1)
        return names[base] + ("_s" if w in snakes and w != base else "")
    body = text[text.index("-- @A"):] if "-- @A" in text else text
    body = "\n".join(l for l in body.splitlines() if not l.startswith("-- refused"))
    return re.sub(r"[A-Za-z_][A-Za-z0-9_]*", one, body)


def save_case(out, title, note):
    os.makedirs(FOUND, exist_ok=True)
    text = case_text(title, out, None, note)
    mine = canonical(text)
    for path in sorted(glob.glob(os.path.join(FOUND, "*.sql"))):
        with open(path, encoding="utf-8") as f:
            other = f.read()
        if canonical(other) == mine:
            return path, False
    nums = [int(m.group(1)) for p in glob.glob(os.path.join(FOUND, "*.sql"))
            for m in [re.match(r"(\d+)", os.path.basename(p))] if m]
    n = max(nums, default=0) + 1
    words = "-".join(out.reasons) + ("-" + "-".join(sorted(out.diff_keys))[:40] if out.diff_keys else "")
    words = re.sub(r"[^a-z0-9]+", "-", words.lower()).strip("-")
    path = os.path.join(FOUND, "%03d-%s.sql" % (n, words or "failure"))
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path, True


def load_case(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    head, sep, rest = text.partition("-- @A")
    if not sep:
        raise ValueError("%s: no '-- @A' line" % path)
    a_text, sep, b_text = rest.partition("-- @B")
    if not sep:
        raise ValueError("%s: no '-- @B' line" % path)
    known = None
    title = None
    for line in head.splitlines():
        m = re.match(r"--\s*known-failing\s*:?\s*(.*)$", line)
        if m:
            known = m.group(1).strip() or "known-failing"
        elif title is None and line.startswith("--"):
            title = line[2:].strip()
    return {"path": path, "name": os.path.relpath(path, HERE), "title": title, "known": known,
            "a": split_sql(a_text), "b": split_sql(b_text)}


# ---------------------------------------------------------------------------
# TAP
# ---------------------------------------------------------------------------

class Tap:
    def __init__(self):
        self.n = 0
        self.passed = 0
        self.failed = 0
        self.todo = 0
        self.todo_passing = 0

    def diag(self, text):
        for line in text.splitlines():
            print("#   " + line)

    def result(self, ok, desc, details=(), todo=None):
        self.n += 1
        directive = " # TODO %s" % todo if todo else ""
        print("%s %d - %s%s" % ("ok" if ok else "not ok", self.n, desc, directive), flush=True)
        if todo:
            self.todo += 1
            if ok:
                self.todo_passing += 1
                print("#   passes now: remove its known-failing line", flush=True)
        elif ok:
            self.passed += 1
        else:
            self.failed += 1
        if not ok:
            for d in details:
                self.diag(d)
            sys.stdout.flush()


def describe_steps(out):
    refused = [(sql, s, m) for sql, s, m in out.a_sql if s != "00000"]
    return "%d steps, %d refused" % (len(out.a_sql), len(refused))


def main(argv):
    if "--list-features" in argv:
        for k, v in FEATURES.items():
            print("%-14s %s %s" % (k, "*" if k in DEFAULT_FEATURES else " ", v))
        print("(* in the default set)")
        return 0
    features = parse_features(env("CONVERGE_FEATURES", "default"))
    global WITH_REMOTE
    WITH_REMOTE = "remote" in features
    started = time.time()
    tap = Tap()
    only_case = None
    if "--case" in argv:
        only_case = argv[argv.index("--case") + 1]
    print("# converge: seed %d, %d histories of %d steps, features: %s" % (
        SEED, HISTORIES, STEPS, ",".join(features)), flush=True)
    try:
        dbs = Databases()
    except psycopg2.Error as e:
        print("Bail out! cannot set up the template database: %s" % str(e).strip())
        return 2
    keep = []
    try:
        if "--print" in argv:
            index = int(argv[argv.index("--print") + 1])
            out = run_history(dbs, gen=generator(SEED, index, features), nsteps=STEPS)
            sys.stdout.write(case_text("history %d of seed %d" % (index, SEED), out, None, []))
            return 0
        cases = []
        if only_case:
            cases = [load_case(only_case)]
        elif RUN_CORPUS:
            for path in sorted(glob.glob(os.path.join(FOUND, "*.sql"))):
                if ONLY and not ONLY.search(os.path.basename(path)):
                    continue
                cases.append(load_case(path))
        if cases:
            print("# the corpus: %d case%s of found/, replayed first" % (len(cases), "" if len(cases) == 1 else "s"), flush=True)
        for case in cases:
            out = run_case(dbs, case)
            if out.failed and dbs.fresh():
                print("# corm was installed anew during %s: running it again" % case["name"])
                out = run_case(dbs, case)
            details = out.details + ["the case: %s" % case["name"]]
            tap.result(not out.failed, "%s: %s" % (case["name"], case["title"] or ""), details, case["known"])
        if only_case:
            return 0 if tap.failed == 0 else 1
        crashes = 0
        calls, states = {}, {}
        for index in range(1, HISTORIES + 1):
            if TIME_LIMIT and time.time() - started > TIME_LIMIT:
                print("# time limit of %gs reached: %d of %d histories run (CONVERGE_TIME_LIMIT)"
                      % (TIME_LIMIT, index - 1, HISTORIES))
                break
            out = run_history(dbs, gen=generator(SEED, index, features), nsteps=STEPS, keep=KEEP_DB)
            if out.failed and dbs.fresh():
                print("# corm was installed anew during history %d: running it again" % index)
                out = run_history(dbs, gen=generator(SEED, index, features), nsteps=STEPS, keep=KEEP_DB)
            steps = out.steps
            for sql, state, _ in out.a_sql:
                m = re.match(r"SELECT corm\.(\w+)", sql)
                fn = m.group(1) if m else "?"
                calls[fn] = calls.get(fn, 0) + 1
                states[state] = states.get(state, 0) + 1
            desc = "history %d (seed %d, %s)" % (index, SEED, describe_steps(out))
            details = list(out.details)
            if out.failed:
                if not NO_SAVE:
                    small = minimize(dbs, steps, out.signature(), time.time() + MINIMIZE_TIME)
                    sout = run_history(dbs, small)
                    if sout.failed:
                        out = sout
                    path, new = save_case(out, "found by seed %d, history %d (minimized from %d to %d steps)"
                                          % (SEED, index, len(steps), len(small)),
                                          ["features: " + ",".join(features)])
                    details = list(out.details)
                    details.append(("saved as %s" if new else "the same as %s") % os.path.relpath(path, HERE))
                else:
                    details.append("reproduce: CONVERGE_SEED=%d CONVERGE_FEATURES=%s python3 %s --print %d"
                                   % (SEED, ",".join(features), os.path.relpath(__file__), index))
                details.append("the history:")
                details += ["  %s;%s" % (sql, "" if s == "00000" else "  -- refused: " + s)
                            for sql, s, _ in out.a_sql]
                details.append("B, the final definitions:")
                details += ["  %s;" % sql for sql, _, _ in out.b_sql]
            tap.result(not out.failed, desc, details)
            if "crash" in out.reasons:
                crashes += 1
                if crashes >= MAX_CRASHES:
                    print("# stopping after %d crashes (CONVERGE_MAX_CRASHES)" % crashes)
                    break
        if calls:
            print("# calls: " + ", ".join("%s %d" % kv for kv in sorted(calls.items())))
            print("# SQLSTATEs: " + ", ".join("%s %d" % kv for kv in sorted(states.items())))
    finally:
        dbs.close(keep)
    print("1..%d" % tap.n)
    if tap.todo:
        print("# %d known-failing (TODO)%s" % (tap.todo, ", %d of them pass now" % tap.todo_passing
                                              if tap.todo_passing else ""))
    print("# %.0fs" % (time.time() - started))
    print("# %d passed, %d failed" % (tap.passed, tap.failed))
    return 0 if tap.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
