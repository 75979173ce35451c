/*
 * catalog.c — reading and writing corm's catalog tables
 *
 * Every access goes through SPI with parameters, so no name ever becomes
 * part of a statement's text.  Callers are inside SPI_connect().
 */
#include "corm.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "access/htup_details.h"
#include "catalog/pg_class.h"
#include "executor/spi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "parser/parsetree.h"

/* corm's catalog statements, prepared once per session */
typedef struct CatalogPlan
{
	char		sql[NAMEDATALEN * 32];	/* hash key; longer statements are not kept */
	SPIPlanPtr	plan;
	bool		writes_cached;	/* writes a table whose rows are kept (below) */
} CatalogPlan;

static HTAB *catalog_plans = NULL;

/*
 * The model classes, mixins and meta policies a call has read, kept for the
 * rest of it: resolving a model and its parents reads the same few rows
 * many times over.  Forgotten with the call's resolved models (at the start
 * of every call), when a subtransaction is rolled back, and as soon as corm
 * writes one of those tables.  The rows live as long as the transaction, so
 * that one forgotten while a caller still holds it (a hook's nested call)
 * stays valid.
 */
typedef struct CachedRow
{
	const char *table;
	char	   *name;
	void	   *row;
} CachedRow;

static List *cached_rows = NIL;

void
corm_forget_catalog_rows(void)
{
	cached_rows = NIL;
}

static void *
cached_row(const char *table, const char *name)
{
	ListCell   *lc;

	foreach(lc, cached_rows)
	{
		CachedRow  *c = lfirst(lc);

		if (c->table == table && strcmp(c->name, name) == 0)
			return c->row;
	}
	return NULL;
}

/* the memory a row to be kept is built in (the caller switches back) */
static MemoryContext
keep_rows(void)
{
	return MemoryContextSwitchTo(TopTransactionContext);
}

/* called in the memory keep_rows switched to */
static void
remember_row(const char *table, const char *name, void *row)
{
	CachedRow  *c = palloc(sizeof(CachedRow));

	c->table = table;
	c->name = pstrdup(name);
	c->row = row;
	cached_rows = lappend(cached_rows, c);
}

/* whether a statement writes corm.model_class, corm.mixin or corm.meta */
static bool
writes_cached_table(SPIPlanPtr plan)
{
	Oid			nsp = get_namespace_oid("corm", true);
	Oid			tables[3] = {get_relname_relid("model_class", nsp), get_relname_relid("mixin", nsp),
	get_relname_relid("meta", nsp)};
	ListCell   *lc;

	foreach(lc, SPI_plan_get_plan_sources(plan))
	{
		CachedPlanSource *source = lfirst(lc);
		ListCell   *qc;

		foreach(qc, source->query_list)
		{
			Query	   *query = lfirst_node(Query, qc);
			Oid			relid;

			if (query->hasModifyingCTE)
				return true;
			if (query->commandType == CMD_SELECT || query->resultRelation == 0)
				continue;
			relid = rt_fetch(query->resultRelation, query->rtable)->relid;
			for (int i = 0; i < 3; i++)
				if (relid == tables[i])
					return true;
		}
	}
	return false;
}

static SPIPlanPtr
catalog_plan(const char *sql, int nargs, Oid *types, bool *writes_cached)
{
	CatalogPlan *entry = NULL;
	SPIPlanPtr	plan;
	bool		keep = strlen(sql) < sizeof(entry->sql);
	bool		found = false;

	if (catalog_plans == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(entry->sql);
		ctl.entrysize = sizeof(CatalogPlan);
		catalog_plans = hash_create("corm catalog plans", 64, &ctl, HASH_ELEM | HASH_STRINGS);
	}
	if (keep)
	{
		entry = hash_search(catalog_plans, sql, HASH_FIND, &found);
		if (found)
		{
			*writes_cached = entry->writes_cached;
			return entry->plan;
		}
	}
	plan = SPI_prepare(sql, nargs, types);
	if (plan == NULL)
		elog(ERROR, "could not prepare a catalog statement: %s", SPI_result_code_string(SPI_result));
	*writes_cached = writes_cached_table(plan);
	if (keep)
	{
		SPI_keepplan(plan);
		entry = hash_search(catalog_plans, sql, HASH_ENTER, NULL);
		entry->plan = plan;
		entry->writes_cached = *writes_cached;
	}
	return plan;
}

/*
 * Queries on corm's catalog run as the catalog's owner: roles may read the
 * catalog but not write it, so that the rules corm enforces (a role changes
 * only what it owns) cannot be bypassed.  This is the one place corm acts
 * with rights other than the caller's, for its own fixed, parameterized
 * statements only, with search_path pinned to pg_catalog; every generated
 * object is created by the caller.  The user id and the setting are
 * restored at the end, and by the transaction's abort on an error.
 */
int
corm_catalog_spi(const char *sql, int nargs, Oid *types, Datum *values, const char *nulls)
{
	Oid			model = get_relname_relid("model", get_namespace_oid("corm", false));
	Oid			owner;
	HeapTuple	tup;
	Oid			save_userid;
	int			save_sec;
	int			nestlevel;
	SPIPlanPtr	plan;
	bool		writes_cached;
	int			rc;

	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(model));
	if (!HeapTupleIsValid(tup))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("corm's catalog table corm.model is missing"),
				 errhint("Drop the extension corm and create it again.")));
	owner = ((Form_pg_class) GETSTRUCT(tup))->relowner;
	ReleaseSysCache(tup);
	GetUserIdAndSecContext(&save_userid, &save_sec);
	nestlevel = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	/*
	 * Catalog statements find rows by key, and their plans are kept for the
	 * session: one made while a table was empty (after a VACUUM, with no
	 * minimum size assumed) would scan it whole on every call as one
	 * transaction registers hundreds of models into it.  A statement that
	 * has to scan a table still does, at a cost that would otherwise have
	 * it compiled by JIT, which no catalog statement is worth.
	 */
	(void) set_config_option("enable_seqscan", "off", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	(void) set_config_option("jit", "off", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	SetUserIdAndSecContext(owner, save_sec | SECURITY_LOCAL_USERID_CHANGE);
	/*
	 * The catalog is read as it is now, not as the transaction's snapshot
	 * saw it (REPEATABLE READ): registrations are serialized by the lock,
	 * and each must see what the one before it committed, as PostgreSQL's
	 * own catalogs are read.
	 */
	plan = catalog_plan(sql, nargs, types, &writes_cached);
	if (writes_cached)
		corm_forget_catalog_rows();
	rc = SPI_execute_snapshot(plan, values, nulls,
							  GetLatestSnapshot(), InvalidSnapshot, false, true, 0);
	SetUserIdAndSecContext(save_userid, save_sec);
	AtEOXact_GUC(true, nestlevel);
	return rc;
}

/*
 * A query on the system catalogs, run as the caller but, like the catalog
 * queries above, seeing the catalogs as they are now.
 */
int
corm_system_spi(const char *sql, int nargs, Oid *types, Datum *values, const char *nulls)
{
	bool		writes_cached;

	return SPI_execute_snapshot(catalog_plan(sql, nargs, types, &writes_cached), values, nulls,
								GetLatestSnapshot(), InvalidSnapshot, true, false, 0);
}

/* the role calling corm, whose rights every generated object is made with */
Oid
corm_caller(void)
{
	return GetUserId();
}

/*
 * Refuse a change to a catalog row the caller does not own: "kind" and
 * "name" name it, "owner" is its owner as the catalog stores it.
 */
void
corm_check_owner(const char *kind, const char *name, const char *owner)
{
	Oid			role = DatumGetObjectId(DirectFunctionCall1(regrolein, CStringGetDatum(owner)));

	if (!has_privs_of_role(GetUserId(), role))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("must be owner of %s \"%s\"", kind, name),
				 errdetail("%s \"%s\" belongs to role %s.", kind, name, owner),
				 errhint("Ask %s, or a member of it, to change it.", owner)));
}

/*
 * Refuse to change a catalog row another role owns; "table" and "keycol"
 * are corm's own names, "name" the row's key.  A missing row is no refusal.
 */
void
corm_require_owner(const char *kind, const char *table, const char *keycol, const char *name)
{
	Oid			types[1] = {TEXTOID};
	Datum		values[1] = {CStringGetTextDatum(name)};

	if (corm_catalog_spi(psprintf("SELECT owner::text FROM corm.%s WHERE %s = $1", table, keycol),
						 1, types, values, NULL) != SPI_OK_SELECT)
		elog(ERROR, "could not read corm's catalog");
	if (SPI_processed > 0)
		corm_check_owner(kind, name, SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1));
}

/*
 * Registrations are serialized: a model's table, its parent's and the
 * mixins it uses must not change under it while it is generated.
 */
void
corm_lock_catalog(void)
{
	if (corm_catalog_spi("LOCK TABLE corm.model IN SHARE ROW EXCLUSIVE MODE", 0, NULL, NULL, NULL) != SPI_OK_UTILITY)
		elog(ERROR, "could not lock corm's catalog");
}

/* run a catalog query with text parameters; returns the number of rows */
static uint64
run_query(const char *sql, int nargs, const char **args)
{
	Oid			types[8];
	Datum		values[8];
	char		nulls[8] = {0};
	int			rc;

	Assert(nargs <= 8);
	for (int i = 0; i < nargs; i++)
	{
		types[i] = TEXTOID;
		values[i] = args[i] ? CStringGetTextDatum(args[i]) : (Datum) 0;
		nulls[i] = args[i] ? ' ' : 'n';
	}
	rc = corm_catalog_spi(sql, nargs, types, values, nulls);
	if (rc < 0)
		elog(ERROR, "corm catalog query failed: %s", SPI_result_code_string(rc));
	return SPI_processed;
}

static char *
get_text(int row, int col)
{
	return SPI_getvalue(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col);
}

static bool
get_bool(int row, int col)
{
	bool		isnull;
	Datum		d = SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col, &isnull);

	return !isnull && DatumGetBool(d);
}

static List *
get_text_array(int row, int col)
{
	bool		isnull;
	Datum		d = SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col, &isnull);
	Datum	   *elems;
	bool	   *elnulls;
	int			n;
	List	   *result = NIL;

	if (isnull)
		return NIL;
	deconstruct_array(DatumGetArrayTypeP(d), TEXTOID, -1, false, TYPALIGN_INT,
					  &elems, &elnulls, &n);
	for (int i = 0; i < n; i++)
		if (!elnulls[i])
			result = lappend(result, TextDatumGetCString(elems[i]));
	return result;
}

static void
missing(const char *kind, const char *name)
{
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_OBJECT),
			 errmsg("%s \"%s\" does not exist", kind, name),
			 errhint("Register it first with corm.register_%s().",
					 strcmp(kind, "model class") == 0 ? "model_class" :
					 strcmp(kind, "query class") == 0 ? "query_class" :
					 strcmp(kind, "meta policy") == 0 ? "meta" : kind)));
}

CormModelRow *
corm_load_model(const char *name, bool missing_ok)
{
	CormModelRow *m;

	if (run_query(corm_catalog_has("model", "indexes") ?
				  "SELECT name, columns, parent, model_class, mixins, tablename, abstract,"
				  " bind_key, query_class, onupdate, polymorphic_on, polymorphic_identity,"
				  " kind, table_schema, table_name, indexes, inheritance, table_indexes::text[]"
				  " FROM corm.model WHERE name = $1" :
				  "SELECT name, columns, parent, model_class, mixins, tablename, abstract,"
				  " bind_key, query_class, onupdate, polymorphic_on, polymorphic_identity,"
				  " kind, table_schema, table_name, '{}'::text[], NULL::text, NULL::text[]"
				  " FROM corm.model WHERE name = $1",
				  1, &name) == 0)
	{
		if (!missing_ok)
			missing("model", name);
		return NULL;
	}
	m = palloc0(sizeof(CormModelRow));
	m->name = get_text(0, 1);
	m->columns = get_text(0, 2);
	m->parent = get_text(0, 3);
	m->model_class = get_text(0, 4);
	m->mixins = get_text_array(0, 5);
	m->tablename = get_text(0, 6);
	m->abstract = get_bool(0, 7);
	m->bind_key = get_text(0, 8);
	m->query_class = get_text(0, 9);
	m->onupdate = get_text(0, 10);
	m->polymorphic_on = get_text(0, 11);
	m->polymorphic_identity = get_text(0, 12);
	m->kind = get_text(0, 13);
	m->table_schema = get_text(0, 14);
	m->table_name = get_text(0, 15);
	m->indexes = get_text_array(0, 16);
	m->inheritance = get_text(0, 17);
	m->table_indexes = get_text_array(0, 18);
	return m;
}

CormMixinRow *
corm_load_mixin(const char *name, bool missing_ok)
{
	CormMixinRow *m = cached_row("mixin", name);
	MemoryContext old;

	if (m)
		return m;
	if (run_query(corm_catalog_has("mixin", "indexes") ?
				  "SELECT name, columns, onupdate, mixins, indexes FROM corm.mixin WHERE name = $1" :
				  "SELECT name, columns, onupdate, mixins, '{}'::text[] FROM corm.mixin WHERE name = $1",
				  1, &name) == 0)
	{
		if (!missing_ok)
			missing("mixin", name);
		return NULL;
	}
	old = keep_rows();
	m = palloc0(sizeof(CormMixinRow));
	m->name = get_text(0, 1);
	m->columns = get_text(0, 2);
	m->onupdate = get_text(0, 3);
	m->mixins = get_text_array(0, 4);
	m->indexes = get_text_array(0, 5);
	remember_row("mixin", name, m);
	MemoryContextSwitchTo(old);
	return m;
}

CormModelClassRow *
corm_load_model_class(const char *name, bool missing_ok)
{
	CormModelClassRow *m = cached_row("model_class", name);
	MemoryContext old;

	if (m)
		return m;
	if (run_query(corm_catalog_has("model_class", "indexes") ?
				  "SELECT name, primary_key, columns, meta, query_class, indexes"
				  " FROM corm.model_class WHERE name = $1" :
				  "SELECT name, primary_key, columns, meta, query_class, '{}'::text[]"
				  " FROM corm.model_class WHERE name = $1", 1, &name) == 0)
	{
		if (!missing_ok)
			missing("model class", name);
		return NULL;
	}
	old = keep_rows();
	m = palloc0(sizeof(CormModelClassRow));
	m->name = get_text(0, 1);
	m->primary_key = get_text(0, 2);
	m->columns = get_text(0, 3);
	m->meta = get_text(0, 4);
	m->query_class = get_text(0, 5);
	m->indexes = get_text_array(0, 6);
	remember_row("model_class", name, m);
	MemoryContextSwitchTo(old);
	return m;
}

CormMetaRow *
corm_load_meta(const char *name, bool missing_ok)
{
	CormMetaRow *m = cached_row("meta", name);
	MemoryContext old;

	if (m)
		return m;
	if (run_query("SELECT name, naming, binding, hooks FROM corm.meta WHERE name = $1",
				  1, &name) == 0)
	{
		if (!missing_ok)
			missing("meta policy", name);
		return NULL;
	}
	old = keep_rows();
	m = palloc0(sizeof(CormMetaRow));
	m->name = get_text(0, 1);
	m->naming = get_text(0, 2);
	m->binding = get_bool(0, 3);
	m->hooks = get_text_array(0, 4);
	remember_row("meta", name, m);
	MemoryContextSwitchTo(old);
	return m;
}

/* a bind; an unknown key is an error whose HINT lists the known ones */
CormBindRow *
corm_load_bind(const char *key, const char *model)
{
	CormBindRow *b;
	uint64		n;
	StringInfoData known;

	if (run_query(corm_catalog_has("bind", "server") ?
				  "SELECT key, schema, tablespace, server FROM corm.bind WHERE key = $1" :
				  "SELECT key, schema, tablespace, NULL FROM corm.bind WHERE key = $1", 1, &key) > 0)
	{
		b = palloc0(sizeof(CormBindRow));
		b->key = get_text(0, 1);
		b->schema = get_text(0, 2);
		b->tablespace = get_text(0, 3);
		b->server = get_text(0, 4);
		return b;
	}
	n = run_query("SELECT key FROM corm.bind ORDER BY key", 0, NULL);
	initStringInfo(&known);
	for (uint64 i = 0; i < n; i++)
		appendStringInfo(&known, "%s%s", i ? ", " : "", quote_literal_cstr(get_text(i, 1)));
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_OBJECT),
			 errmsg("bind key \"%s\" of model \"%s\" does not exist", key, model),
			 n ? errhint("Known bind keys: %s.", known.data) :
			 errhint("No bind keys are registered; register one with corm.register_bind().")));
	return NULL;
}

bool
corm_query_class_exists(const char *name)
{
	return run_query("SELECT 1 FROM corm.query_class WHERE name = $1", 1, &name) > 0;
}

/*
 * The models whose objects depend on a definition, with every descendant,
 * parents before children.  kind is "model", "mixin", "model class",
 * "meta" or "bind".
 */
typedef struct Descendant
{
	char	   *name;
	int64		registered;
} Descendant;

static int
compare_registered(const ListCell *a, const ListCell *b)
{
	int64		ra = ((Descendant *) lfirst(a))->registered;
	int64		rb = ((Descendant *) lfirst(b))->registered;

	return ra < rb ? -1 : ra > rb ? 1 : 0;
}

/*
 * A model and its descendants, in the order they were registered: level by
 * level, each an indexed lookup by parent (a recursive query would plan a
 * scan of the whole catalog in a transaction that fills it).
 */
static List *
model_and_descendants(const char *name)
{
	List	   *found = NIL;
	List	   *result = NIL;
	ListCell   *lc;

	if (run_query("SELECT name, registered FROM corm.model WHERE name = $1", 1, &name) == 0)
		return NIL;
	{
		Descendant *d = palloc(sizeof(Descendant));
		bool		isnull;

		d->name = get_text(0, 1);
		d->registered = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
		found = list_make1(d);
	}
	/* "found" grows as it is walked: each model's children join the end */
	for (int i = 0; i < list_length(found); i++)
	{
		const char *parent = ((Descendant *) list_nth(found, i))->name;
		uint64		n = run_query("SELECT name, registered FROM corm.model WHERE parent = $1", 1, &parent);

		for (uint64 r = 0; r < n; r++)
		{
			Descendant *d = palloc(sizeof(Descendant));
			bool		isnull;
			bool		seen = false;

			d->name = get_text(r, 1);
			d->registered = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 2,
														&isnull));
			foreach(lc, found)
				seen |= strcmp(((Descendant *) lfirst(lc))->name, d->name) == 0;
			if (!seen)
				found = lappend(found, d);
		}
		check_stack_depth();
		CHECK_FOR_INTERRUPTS();
	}
	list_sort(found, compare_registered);
	foreach(lc, found)
		result = lappend(result, ((Descendant *) lfirst(lc))->name);
	return result;
}

List *
corm_models_to_sync(const char *kind, const char *name)
{
	const char *sql;
	List	   *result = NIL;
	uint64		n;

	/* most models have no subclass: no need for the recursive query then */
	if (strcmp(kind, "model") == 0 &&
		run_query("SELECT 1 FROM corm.model WHERE parent = $1 LIMIT 1", 1, &name) == 0)
		return run_query("SELECT name FROM corm.model WHERE name = $1", 1, &name) > 0 ?
			list_make1(get_text(0, 1)) : NIL;
	if (strcmp(kind, "model") == 0)
		return model_and_descendants(name);
	if (strcmp(kind, "mixin") == 0)
		sql = "WITH RECURSIVE x(name) AS ("
			"  SELECT $1::text"
			"  UNION SELECT mx.name FROM corm.mixin mx JOIN x ON mx.mixins @> ARRAY[x.name]),"
			" d(name) AS ("
			"  SELECT m.name FROM corm.model m WHERE m.mixins && ARRAY(SELECT name FROM x)"
			"  UNION SELECT m.name FROM corm.model m JOIN d ON m.parent = d.name)"
			" SELECT m.name FROM corm.model m JOIN d USING (name) ORDER BY m.registered";
	else if (strcmp(kind, "meta") == 0)
		sql = "WITH RECURSIVE d(name) AS ("
			"  SELECT m.name FROM corm.model m"
			"   WHERE coalesce(m.model_class, 'Model') IN"
			"         (SELECT c.name FROM corm.model_class c WHERE c.meta = $1)"
			"  UNION SELECT m.name FROM corm.model m JOIN d ON m.parent = d.name)"
			" SELECT m.name FROM corm.model m JOIN d USING (name) ORDER BY m.registered";
	/*
	 * (each model looked up by its key: a join would be free to walk the
	 * whole of corm.model for the few models that have relationships)
	 */
	else if (strcmp(kind, "relationship target") == 0 && corm_catalog_has("relationship", "secondary"))
		/* a relationship's target, or its association model */
		sql = "SELECT r.model, (SELECT m.registered FROM corm.model m WHERE m.name = r.model) AS registered"
			"  FROM (SELECT DISTINCT model FROM corm.relationship"
			"         WHERE (target = $1 OR secondary = $1) AND model <> $1) r"
			" ORDER BY registered";
	else if (strcmp(kind, "relationship target") == 0)
		sql = "SELECT r.model, (SELECT m.registered FROM corm.model m WHERE m.name = r.model) AS registered"
			"  FROM (SELECT DISTINCT model FROM corm.relationship WHERE target = $1 AND model <> $1) r"
			" ORDER BY registered";
	else if (strcmp(kind, "query class") == 0)
		sql = "WITH RECURSIVE q(name) AS ("
			"  SELECT $1::text"
			"  UNION SELECT c.name FROM corm.query_class c JOIN q ON c.base = q.name),"
			" d(name) AS ("
			"  SELECT m.name FROM corm.model m"
			"   WHERE m.query_class IN (SELECT name FROM q)"
			"      OR coalesce(m.model_class, 'Model') IN"
			"         (SELECT c.name FROM corm.model_class c WHERE c.query_class IN (SELECT name FROM q))"
			"      OR m.name IN (SELECT r.model FROM corm.relationship r"
			"                     WHERE r.query_class IN (SELECT name FROM q) OR r.query_class IS NULL)"
			"  UNION SELECT m.name FROM corm.model m JOIN d ON m.parent = d.name)"
			" SELECT m.name FROM corm.model m JOIN d USING (name) ORDER BY m.registered";
	else if (strcmp(kind, "bind") == 0)
		sql = "WITH RECURSIVE d(name) AS ("
			"  SELECT m.name FROM corm.model m WHERE m.bind_key = $1"
			"  UNION SELECT m.name FROM corm.model m JOIN d ON m.parent = d.name)"
			" SELECT m.name FROM corm.model m JOIN d USING (name) ORDER BY m.registered";
	else
		sql = "WITH RECURSIVE d(name) AS ("
			"  SELECT m.name FROM corm.model m WHERE m.model_class = $1"
			"  UNION SELECT m.name FROM corm.model m JOIN d ON m.parent = d.name)"
			" SELECT m.name FROM corm.model m JOIN d USING (name) ORDER BY m.registered";
	n = run_query(sql, 1, &name);
	for (uint64 i = 0; i < n; i++)
		result = lappend(result, get_text(i, 1));
	return result;
}

List *
corm_child_models(const char *name)
{
	List	   *result = NIL;
	uint64		n = run_query("SELECT name FROM corm.model WHERE parent = $1 ORDER BY registered",
							  1, &name);

	for (uint64 i = 0; i < n; i++)
		result = lappend(result, get_text(i, 1));
	return result;
}

void
corm_record_table(const char *model, const char *kind,
				  const char *schema, const char *table)
{
	const char *args[4] = {model, kind, schema, table};

	run_query("UPDATE corm.model SET kind = $2, table_schema = $3, table_name = $4"
			  " WHERE name = $1 AND (kind, table_schema, table_name)"
			  " IS DISTINCT FROM ($2, $3::name, $4::name)", 4, args);
}

/* the model other than "except" whose own table is schema.table, if any */
char *
corm_model_claiming_table(const char *schema, const char *table, const char *except)
{
	const char *args[3] = {schema, table, except};

	if (run_query("SELECT name FROM corm.model WHERE table_schema = $1 AND table_name = $2"
				  " AND name <> $3 AND kind IN ('root', 'joined')", 3, args) == 0)
		return NULL;
	return get_text(0, 1);
}

/* the view definition corm last generated for a model, or NULL */
char *
corm_view_definition(const char *model)
{
	if (run_query("SELECT view_definition FROM corm.model WHERE name = $1", 1, &model) == 0)
		return NULL;
	return get_text(0, 1);
}

/* the qualified name of the view corm last generated for a model, or NULL */
char *
corm_recorded_view(const char *model)
{
	if (run_query("SELECT view_name FROM corm.model WHERE name = $1", 1, &model) == 0)
		return NULL;
	return get_text(0, 1);
}

void
corm_record_view(const char *model, const char *name, const char *definition)
{
	const char *args[3] = {model, definition, name};

	if (!corm_catalog_has("model", "view_catalog_form"))
	{
		run_query("UPDATE corm.model SET view_definition = $2, view_name = $3 WHERE name = $1"
				  " AND (view_definition, view_name) IS DISTINCT FROM ($2, $3)", 3, args);
		return;
	}
	/* (the view's form, printed once) */
	run_query("WITH f AS MATERIALIZED (SELECT corm.catalog_form('view', $3) AS form)"
			  " UPDATE corm.model SET view_definition = $2, view_name = $3, view_catalog_form = f.form"
			  "   FROM f"
			  "  WHERE name = $1 AND (view_definition, view_name, view_catalog_form)"
			  "        IS DISTINCT FROM ($2, $3, f.form)", 3, args);
}

/*
 * Whether corm's catalog has a column of this version's: until ALTER
 * EXTENSION corm UPDATE has run, the library serves a database whose
 * catalog is an earlier version's, and keeps to what that catalog has.
 */
bool
corm_catalog_has(const char *table, const char *column)
{
	Oid			nsp = get_namespace_oid("corm", true);
	Oid			relid = OidIsValid(nsp) ? get_relname_relid(table, nsp) : InvalidOid;

	return OidIsValid(relid) && get_attnum(relid, column) != InvalidAttrNumber;
}

/* the indexes corm made on a model's table (not before the catalog has them) */
void
corm_record_table_indexes(const char *model, List *names)
{
	Oid			types[2] = {TEXTOID, TEXTARRAYOID};
	Datum		values[2];
	Datum	   *elems = palloc(sizeof(Datum) * (list_length(names) + 1));
	ListCell   *lc;

	if (!corm_catalog_has("model", "table_indexes"))
		return;
	foreach(lc, names)
		elems[foreach_current_index(lc)] = CStringGetTextDatum(lfirst(lc));
	values[0] = CStringGetTextDatum(model);
	values[1] = PointerGetDatum(construct_array(elems, list_length(names), TEXTOID, -1, false,
												TYPALIGN_INT));
	corm_catalog_spi("UPDATE corm.model SET table_indexes = $2::name[]"
					 " WHERE name = $1 AND table_indexes IS DISTINCT FROM $2::name[]",
					 2, types, values, NULL);
}

/*
 * Whether a bind puts its models' tables in this schema: a table there
 * whose model has no bind any more went there with the bind it left.
 */
bool
corm_is_bind_schema(const char *schema)
{
	return run_query("SELECT 1 FROM corm.bind WHERE schema = $1", 1, &schema) > 0;
}

/*
 * Whether a REFERENCES clause of a model whose table is in "from" (NULL for
 * none) names schema.table: by its qualified name, or unqualified, as a
 * table of the model's own schema or one that no longer resolves.
 */
static bool
names_table(RangeVar *rv, const char *from, const char *schema, const char *table)
{
	Oid			nsp = from ? get_namespace_oid(from, true) : InvalidOid;

	if (rv->catalogname || strcmp(rv->relname, table) != 0)
		return false;
	if (rv->schemaname)
		return strcmp(rv->schemaname, schema) == 0;
	if (from && strcmp(from, schema) == 0)
		return true;
	return !(OidIsValid(nsp) && OidIsValid(get_relname_relid(table, nsp))) &&
		!OidIsValid(RangeVarGetRelid(rv, NoLock, true));
}

/* the foreign keys' RangeVars of a column list, in the order of the text */
static List *
list_references(CormColumnList *list)
{
	List	   *refs = NIL;
	ListCell   *lc;

	foreach(lc, list->elements)
	{
		CormElement *elem = lfirst(lc);
		List	   *nodes = IsA(elem->node, ColumnDef) ? elem->clause_nodes : list_make1(elem->node);
		ListCell   *nc;

		foreach(nc, nodes)
			if (IsA(lfirst(nc), Constraint) &&
				((Constraint *) lfirst(nc))->contype == CONSTR_FOREIGN)
				refs = lappend(refs, ((Constraint *) lfirst(nc))->pktable);
	}
	return refs;
}

/*
 * corm renamed or moved a model's table (ALTER TABLE ... RENAME / SET
 * SCHEMA): the foreign keys to it follow, PostgreSQL holds them by OID, but
 * the REFERENCES clauses of the models' definitions still name it as it
 * was.  Each is made to name it as it is now (qualified when it was, or
 * when the schema changed), so that every definition says what its table
 * references, as registering it in a fresh database needs.
 */
void
corm_rename_references(const char *old_schema, const char *old_table,
					   const char *new_schema, const char *new_table)
{
	uint64		n = run_query("SELECT name, columns, table_schema FROM corm.model"
							  " WHERE columns IS NOT NULL ORDER BY name", 0, NULL);
	List	   *rows = NIL;
	ListCell   *lc;

	/* read them all first: parsing and updating run queries of their own */
	for (uint64 i = 0; i < n; i++)
		rows = lappend(rows, list_make3(get_text(i, 1), get_text(i, 2), get_text(i, 3)));
	foreach(lc, rows)
	{
		char	   *model = linitial(lfirst(lc));
		char	   *columns = lsecond(lfirst(lc));
		CormColumnList *list = corm_parse_columns(columns,
												  psprintf("columns of model \"%s\"", model));
		StringInfoData text;
		int			done = 0;
		ListCell   *rc;

		initStringInfo(&text);
		foreach(rc, list_references(list))
		{
			RangeVar   *rv = lfirst(rc);
			int			start;
			int			end;

			if (!names_table(rv, lthird(lfirst(lc)), old_schema, old_table) ||
				!corm_reference_extent(list, rv, &start, &end))
				continue;
			appendBinaryStringInfo(&text, columns + done, start - done);
			if (rv->schemaname || strcmp(old_schema, new_schema) != 0)
				appendStringInfo(&text, "%s.", quote_identifier(new_schema));
			appendStringInfoString(&text, quote_identifier(new_table));
			done = end;
		}
		if (done == 0)
			continue;
		appendStringInfoString(&text, columns + done);
		run_query("UPDATE corm.model SET columns = $2 WHERE name = $1", 2,
				  (const char *[]) {model, text.data});
	}
}

/*
 * Whether a model's view is no longer what corm made of it (changed by
 * hand): its catalog form differs from the one recorded when corm made it.
 */
bool
corm_view_changed(const char *model)
{
	if (!corm_catalog_has("model", "view_catalog_form"))
		return false;
	if (run_query("SELECT 1 FROM corm.model WHERE name = $1 AND view_catalog_form IS NOT NULL"
				  "   AND view_catalog_form IS DISTINCT FROM corm.catalog_form('view', view_name)",
				  1, &model) == 0)
		return false;
	return true;
}

/*
 * The grants on a relation or, with "function", a function, but its owner's:
 * (grantee, privilege, " WITH GRANT OPTION" or ""), the grantee quoted or
 * PUBLIC; kept apart, so that a role's name never becomes a format.
 */
List *
corm_read_grants(const char *object, bool function)
{
	Oid			argtypes[2] = {TEXTOID, BOOLOID};
	Datum		values[2] = {CStringGetTextDatum(object), BoolGetDatum(function)};
	List	   *grants = NIL;

	if (corm_system_spi("SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC'"
						"            ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(a.grantee)) END,"
						"       a.privilege_type, a.is_grantable"
						"  FROM (SELECT coalesce(relacl, pg_catalog.acldefault('r', relowner)), relowner"
						"          FROM pg_catalog.pg_class WHERE NOT $2 AND oid = pg_catalog.to_regclass($1)"
						"        UNION ALL"
						"        SELECT coalesce(proacl, pg_catalog.acldefault('f', proowner)), proowner"
						"          FROM pg_catalog.pg_proc WHERE $2 AND oid = pg_catalog.to_regprocedure($1))"
						"       AS o(acl, owner), pg_catalog.aclexplode(o.acl) a"
						" WHERE a.grantee <> o.owner",
						2, argtypes, values, NULL) != SPI_OK_SELECT)
		elog(ERROR, "could not read the grants of %s", object);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		bool		grantable = DatumGetBool(SPI_getbinval(tup, desc, 3, &isnull));

		grants = lappend(grants, list_make3(SPI_getvalue(tup, desc, 1), SPI_getvalue(tup, desc, 2),
											grantable ? " WITH GRANT OPTION" : ""));
	}
	return grants;
}
