/*
 * register.c — corm.register_model_class(), register_mixin(), register_model()
 *
 * Each call checks its arguments, writes the definition into corm's catalog
 * ("create or update") and brings every generated object that depends on it
 * to the new definition, all in the caller's transaction: an error anywhere
 * leaves nothing behind.
 */
#include "corm.h"
#include "access/xact.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "access/tupdesc.h"
#include "utils/tuplestore.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "commands/proclang.h"
#include "commands/tablespace.h"
#include "miscadmin.h"
#include "utils/lsyscache.h"
#include "utils/regproc.h"

PG_FUNCTION_INFO_V1(corm_register_model_class);
PG_FUNCTION_INFO_V1(corm_register_mixin);
PG_FUNCTION_INFO_V1(corm_register_model);
PG_FUNCTION_INFO_V1(corm_register_meta);
PG_FUNCTION_INFO_V1(corm_register_bind);
PG_FUNCTION_INFO_V1(corm_register_query_class);
PG_FUNCTION_INFO_V1(corm_register_query_method);
PG_FUNCTION_INFO_V1(corm_register_relationship);
PG_FUNCTION_INFO_V1(corm_not_found);

char *
corm_text_arg(FunctionCallInfo fcinfo, int n)
{
	return PG_ARGISNULL(n) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(n));
}

/* the name argument: required, and usable as a name */
char *
corm_name_arg(FunctionCallInfo fcinfo, int n, const char *kind)
{
	char	   *name = corm_text_arg(fcinfo, n);

	if (name == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s name must not be null", kind)));
	if (name[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_NAME),
				 errmsg("%s name must not be empty", kind)));
	for (const char *p = name; *p; p++)
		if ((unsigned char) *p < 0x20 || *p == 0x7f)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_NAME),
					 errmsg("%s name \"%s\" contains a control character", kind, name),
					 errhint("Name %ss as Python names classes.", kind)));
	return name;
}

/* a text[] argument as a list of names, each one of an existing "kind" */
static List *
names_arg(FunctionCallInfo fcinfo, int n, const char *kind, const char *self)
{
	ArrayType  *arr;
	Datum	   *elems;
	bool	   *nulls;
	int			count;
	List	   *result = NIL;

	if (PG_ARGISNULL(n))
		return NIL;
	arr = PG_GETARG_ARRAYTYPE_P(n);
	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%ss must be a one-dimensional array", kind)));
	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &count);
	for (int i = 0; i < count; i++)
	{
		char	   *name;
		ListCell   *lc;

		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%ss must not contain null", kind)));
		name = TextDatumGetCString(elems[i]);
		if (self && strcmp(name, self) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
					 errmsg("%s \"%s\" cannot include itself", kind, name)));
		foreach(lc, result)
			if (strcmp(lfirst(lc), name) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_DUPLICATE_OBJECT),
						 errmsg("%s \"%s\" is listed twice", kind, name)));
		if (corm_load_mixin(name, true) == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("%s \"%s\" does not exist", kind, name),
					 errhint("Register it first with corm.register_mixin().")));
		result = lappend(result, name);
	}
	return result;
}

static Datum
names_datum(List *names)
{
	Datum	   *elems = palloc(sizeof(Datum) * (list_length(names) + 1));
	int			i = 0;
	ListCell   *lc;

	foreach(lc, names)
		elems[i++] = CStringGetTextDatum(lfirst(lc));
	return PointerGetDatum(construct_array(elems, i, TEXTOID, -1, false, TYPALIGN_INT));
}

/*
 * Check a column list: it parses, and every type exists.  Returns the
 * column names it defines.
 */
static List *
check_columns(const char *text, const char *what)
{
	CormColumnList *list = corm_parse_columns(text, what);
	List	   *names = NIL;
	ListCell   *lc;

	foreach(lc, list->elements)
	{
		CormElement *elem = lfirst(lc);
		Oid			typid;
		int32		typmod;
		bool		serial;

		if (!IsA(elem->node, ColumnDef))
			continue;
		corm_resolve_type(elem, what, &typid, &typmod, &serial);
		names = lappend(names, ((ColumnDef *) elem->node)->colname);
	}
	return names;
}

void
corm_refuse_builtin(const char *kind, const char *name)
{
	ereport(ERROR,
			(errcode(ERRCODE_RESERVED_NAME),
			 errmsg("%s \"%s\" is built into corm", kind, name),
			 errdetail("Built-in objects cannot be redefined or dropped."),
			 errhint("Register a %s of another name.", kind)));
}

/*
 * No state of one call may reach another.  Every call starts afresh
 * (corm_begin_call), and when a transaction ends, however it ends, what a
 * call left behind goes too: the resolved models, the grants saved for
 * objects being made again, and the listeners to the statements corm runs.
 * Caches keyed by what they depend on (plans, triggers' states) are
 * invalidated by their own callbacks instead.
 */
static void
reset_call_state(void)
{
	corm_reset_resolve_cache();
	corm_reset_saved_grants();
	corm_reset_saved_function_grants();
}

/* (the listeners are not the call's own: a dry run listens to the calls it runs) */
static void
end_of_transaction(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_ABORT || event == XACT_EVENT_COMMIT ||
		event == XACT_EVENT_PARALLEL_ABORT || event == XACT_EVENT_PARALLEL_COMMIT)
	{
		reset_call_state();
		corm_reset_collectors();
	}
}

/*
 * The calls an error ended inside a subtransaction leave no listener and no
 * resolved model behind (their memory is gone with the subtransaction)
 */
static void
end_of_subtransaction(SubXactEvent event, SubTransactionId mySubid,
					  SubTransactionId parentSubid, void *arg)
{
	if (event == SUBXACT_EVENT_ABORT_SUB)
	{
		corm_forget_collectors(mySubid);
		corm_reset_resolve_cache();
	}
}

void		_PG_init(void);

void
_PG_init(void)
{
	RegisterXactCallback(end_of_transaction, NULL);
	RegisterSubXactCallback(end_of_subtransaction, NULL);
}

/*
 * The start of every SQL-callable function that changes the catalog: its SPI
 * connection, a fresh state (see reset_call_state), and corm's catalog
 * lock, which serializes registrations.
 */
void
corm_begin_call(void)
{
	SPI_connect();
	reset_call_state();
	corm_lock_catalog();
}

/*
 * The start and the end of every SQL-callable function that changes
 * anything: between them, the statements it runs are collected, and the
 * function returns them, one row each in the order they ran (SETOF text),
 * no row when nothing changed.  Under a declaration of 0.1, which returned
 * void, it returns void.
 */
void
corm_start_call(CormCollector *collector)
{
	collector->statements = NIL;
	collector->cxt = CurrentMemoryContext;
	collector->observe = NULL;
	collector->arg = NULL;
	corm_start_collecting(collector);
	corm_begin_call();
}

Datum
corm_finish_call(FunctionCallInfo fcinfo, CormCollector *collector)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext old;
	TupleDesc	desc;
	Tuplestorestate *store;
	ListCell   *lc;

	SPI_finish();
	corm_stop_collecting(collector);
	/*
	 * The call's resolved models live in its memory: a call made inside
	 * another (a meta policy's hook calling corm) must not leave its own
	 * behind for the caller, which resolves again what it needs
	 */
	corm_reset_resolve_cache();
	if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo))
		PG_RETURN_VOID();
	if (!(rsinfo->allowedModes & SFRM_Materialize))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("materialize mode required, but it is not allowed in this context")));
	old = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
	desc = CreateTemplateTupleDesc(1);
	TupleDescInitEntry(desc, (AttrNumber) 1, "statement", TEXTOID, -1, 0);
	store = tuplestore_begin_heap(true, false, work_mem);
	MemoryContextSwitchTo(old);
	foreach(lc, collector->statements)
	{
		Datum		value = CStringGetTextDatum(lfirst(lc));
		bool		isnull = false;

		tuplestore_putvalues(store, desc, &value, &isnull);
	}
	rsinfo->returnMode = SFRM_Materialize;
	rsinfo->setResult = store;
	rsinfo->setDesc = desc;
	return (Datum) 0;
}

typedef struct HookContext
{
	const char *hook;
	const char *meta;
	const char *model;
} HookContext;

static void
hook_error_callback(void *arg)
{
	HookContext *ctx = (HookContext *) arg;

	errcontext("hook %s of meta policy \"%s\" for model \"%s\"", ctx->hook, ctx->meta, ctx->model);
}

/*
 * Run the hooks of a model's meta policy, in order, after its objects are
 * generated: the "custom class setup" of a metaclass.
 */
static void
corm_run_hooks(const char *model)
{
	CormResolved *res = corm_resolve_model(model, false);
	CormModelClassRow *mc = corm_load_model_class(res->model_class, false);
	CormMetaRow *meta = corm_load_meta(mc->meta, false);
	ListCell   *lc;

	foreach(lc, meta->hooks)
	{
		HookContext ctx = {lfirst(lc), meta->name, model};
		ErrorContextCallback callback;
		Oid			fn;
		bool		isnull;

		callback.callback = hook_error_callback;
		callback.arg = &ctx;
		callback.previous = error_context_stack;
		error_context_stack = &callback;
		fn = corm_lookup_function(lfirst(lc), psprintf("hook of meta policy \"%s\"", meta->name), false);
		(void) corm_call_text_function(fn, model, &isnull);
		error_context_stack = callback.previous;
	}
}

/*
 * Run a write to the catalog with typed parameters; the caller's role name
 * follows them, as the last parameter, for the owner of a new row.
 */
static void
write_catalog(const char *sql, int nargs, Oid *types, Datum *values, bool *isnull)
{
	char		nulls[16];
	Oid			alltypes[16];
	Datum		allvalues[16];

	Assert(nargs < 16);
	for (int i = 0; i < nargs; i++)
	{
		nulls[i] = isnull[i] ? 'n' : ' ';
		alltypes[i] = types[i];
		allvalues[i] = values[i];
	}
	alltypes[nargs] = TEXTOID;
	allvalues[nargs] = CStringGetTextDatum(GetUserNameFromId(GetUserId(), false));
	nulls[nargs] = ' ';
	if (corm_catalog_spi(sql, nargs + 1, alltypes, allvalues, nulls) < 0)
		elog(ERROR, "could not write corm's catalog");
}

static Datum
text_or_null(const char *s, bool *isnull)
{
	*isnull = (s == NULL);
	return s ? CStringGetTextDatum(s) : (Datum) 0;
}

/* write_catalog with text parameters only, NULL for a missing one */
static void
write_catalog_texts(const char *sql, int nargs, const char **fields)
{
	Oid			types[15];
	Datum		values[15];
	bool		nulls[15];

	Assert(nargs < 15);
	for (int i = 0; i < nargs; i++)
	{
		types[i] = TEXTOID;
		values[i] = text_or_null(fields[i], &nulls[i]);
	}
	write_catalog(sql, nargs, types, values, nulls);
}

/*
 * An indexes argument (text[]): each element parsed now, so that a bad one
 * is refused before anything is written, and kept as written.
 */
static List *
indexes_arg(FunctionCallInfo fcinfo, int n, const char *what)
{
	ArrayType  *arr;
	Datum	   *elems;
	bool	   *nulls;
	int			count;
	List	   *result = NIL;

	if (n >= PG_NARGS() || PG_ARGISNULL(n))
		return NIL;
	arr = PG_GETARG_ARRAYTYPE_P(n);
	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &count);
	for (int i = 0; i < count; i++)
	{
		char	   *index;

		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s must not contain null", what)));
		index = TextDatumGetCString(elems[i]);
		corm_parse_index(index, what);
		result = lappend(result, index);
	}
	return result;
}

/* the indexes (and, for a model, the inheritance) of a catalog row */
static void
write_indexes(const char *table, const char *name, List *indexes, const char *inheritance)
{
	Oid			types[3] = {TEXTOID, TEXTARRAYOID, TEXTOID};
	Datum		values[3] = {CStringGetTextDatum(name), names_datum(indexes),
	inheritance ? CStringGetTextDatum(inheritance) : (Datum) 0};
	char		nulls[3] = {' ', ' ', inheritance ? ' ' : 'n'};

	if (!corm_catalog_has(table, "indexes"))
		return;
	if ((strcmp(table, "model") == 0 ?
		 corm_catalog_spi("UPDATE corm.model SET indexes = $2, inheritance = $3 WHERE name = $1"
						  " AND (indexes, inheritance) IS DISTINCT FROM ($2, $3)",
						  3, types, values, nulls) :
		 corm_catalog_spi(psprintf("UPDATE corm.%s SET indexes = $2 WHERE name = $1"
								   " AND indexes IS DISTINCT FROM $2", table),
						  2, types, values, nulls)) < 0)
		elog(ERROR, "could not write corm's catalog");
}

/* corm.register_model_class(name, primary_key, columns, meta, query_class, indexes) */
Datum
corm_register_model_class(PG_FUNCTION_ARGS)
{
	CormCollector collector;
	char	   *name = corm_name_arg(fcinfo, 0, "model class");
	char	   *primary_key = corm_text_arg(fcinfo, 1);
	char	   *columns = corm_text_arg(fcinfo, 2);
	char	   *meta = corm_text_arg(fcinfo, 3);
	char	   *query_class = corm_text_arg(fcinfo, 4);
	List	   *indexes;

	/* 0.1's signature ends with drop_columns where 0.2's has indexes */
	int			drop_arg = PG_NARGS() > 6 ? 6 : 5;
	bool		drop_columns = PG_NARGS() > drop_arg && !PG_ARGISNULL(drop_arg) &&
		PG_GETARG_BOOL(drop_arg);

	corm_start_call(&collector);
	if (strcmp(name, "Model") == 0)
		corm_refuse_builtin("model class", name);
	corm_require_owner("model class", "model_class", "name", name);
	indexes = indexes_arg(fcinfo, PG_NARGS() > 6 ? 5 : PG_NARGS(),
						  psprintf("indexes of model class \"%s\"", name));
	if (primary_key)
	{
		const char *what = psprintf("primary key of model class \"%s\"", name);
		CormColumnList *pk = corm_parse_columns(primary_key, what);

		if (list_length(pk->elements) != 1 ||
			!IsA(((CormElement *) linitial(pk->elements))->node, ColumnDef))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TABLE_DEFINITION),
					 errmsg("primary key of model class \"%s\" must be one column definition",
							name),
					 errhint("Write it as a column definition, e.g. 'id integer'.")));
		check_columns(primary_key, what);
	}
	check_columns(columns, psprintf("columns of model class \"%s\"", name));
	if (meta == NULL)
		meta = "DefaultMeta";
	corm_load_meta(meta, false);
	if (query_class == NULL)
		query_class = "BaseQuery";
	if (!corm_query_class_exists(query_class))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("query class \"%s\" does not exist", query_class),
				 errhint("Register it first with corm.register_query_class().")));

	write_catalog_texts("INSERT INTO corm.model_class (name, primary_key, columns, meta, query_class, owner)"
						" VALUES ($1, $2, $3, $4, $5, $6::regrole)"
						" ON CONFLICT (name) DO UPDATE SET primary_key = $2, columns = $3,"
						" meta = $4, query_class = $5",
						5, (const char *[]) {name, primary_key, columns, meta, query_class});
	write_indexes("model_class", name, indexes, NULL);
	corm_sync_models(corm_models_to_sync("model class", name), drop_columns);
	return corm_finish_call(fcinfo, &collector);
}

/* the names of the columns a mixin and the mixins it includes define */
static List *
mixin_column_names(const char *name, int depth)
{
	CormMixinRow *mixin = corm_load_mixin(name, false);
	List	   *names = NIL;
	ListCell   *lc;

	if (depth > 100)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
				 errmsg("mixin \"%s\" includes itself", name)));
	foreach(lc, mixin->mixins)
		names = list_concat(names, mixin_column_names(lfirst(lc), depth + 1));
	return list_concat(names, check_columns(mixin->columns,
											psprintf("columns of mixin \"%s\"", name)));
}

static bool
mixin_includes(const char *mixin, const char *target, int depth)
{
	CormMixinRow *row = corm_load_mixin(mixin, false);
	ListCell   *lc;

	if (strcmp(mixin, target) == 0)
		return true;
	if (depth > 100)
		return true;
	foreach(lc, row->mixins)
		if (mixin_includes(lfirst(lc), target, depth + 1))
			return true;
	return false;
}

/* corm.register_mixin(name, columns, onupdate, mixins) */
Datum
corm_register_mixin(PG_FUNCTION_ARGS)
{
	CormCollector collector;
	char	   *name = corm_name_arg(fcinfo, 0, "mixin");
	char	   *columns = corm_text_arg(fcinfo, 1);
	char	   *onupdate = corm_text_arg(fcinfo, 2);
	List	   *mixins;
	List	   *names;
	ListCell   *lc;
	Oid			types[4] = {TEXTOID, TEXTOID, TEXTOID, TEXTARRAYOID};
	Datum		values[4];
	bool		nulls[4] = {false, false, false, false};
	const char *what = psprintf("onupdate of mixin \"%s\"", name);
	List	   *indexes;

	/* 0.1's signature ends with drop_columns where 0.2's has indexes */
	int			drop_arg = PG_NARGS() > 5 ? 5 : 4;
	bool		drop_columns = PG_NARGS() > drop_arg && !PG_ARGISNULL(drop_arg) &&
		PG_GETARG_BOOL(drop_arg);

	corm_start_call(&collector);
	corm_require_owner("mixin", "mixin", "name", name);
	indexes = indexes_arg(fcinfo, PG_NARGS() > 5 ? 4 : PG_NARGS(),
						  psprintf("indexes of mixin \"%s\"", name));
	mixins = names_arg(fcinfo, 3, "mixin", name);
	foreach(lc, mixins)
		if (mixin_includes(lfirst(lc), name, 0))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
					 errmsg("mixin \"%s\" cannot include mixin \"%s\", which includes it",
							name, (char *) lfirst(lc))));
	names = check_columns(columns, psprintf("columns of mixin \"%s\"", name));
	foreach(lc, mixins)
		names = list_concat(names, mixin_column_names(lfirst(lc), 0));
	foreach(lc, corm_parse_onupdate(onupdate, what))
	{
		CormAssignment *a = lfirst(lc);
		ListCell   *nc;
		bool		found = false;

		foreach(nc, names)
			found |= (strcmp(lfirst(nc), a->column) == 0);
		if (!found)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("column \"%s\" in %s is not a column of mixin \"%s\"",
							a->column, what, name),
					 errhint("A mixin's onupdate sets the mixin's own columns.")));
	}

	values[0] = text_or_null(name, &nulls[0]);
	values[1] = text_or_null(columns, &nulls[1]);
	values[2] = text_or_null(onupdate, &nulls[2]);
	values[3] = names_datum(mixins);
	write_catalog("INSERT INTO corm.mixin (name, columns, onupdate, mixins, owner)"
				  " VALUES ($1, $2, $3, $4, $5::regrole)"
				  " ON CONFLICT (name) DO UPDATE SET columns = $2, onupdate = $3, mixins = $4",
				  4, types, values, nulls);
	write_indexes("mixin", name, indexes, NULL);
	corm_sync_models(corm_models_to_sync("mixin", name), drop_columns);
	return corm_finish_call(fcinfo, &collector);
}

/* refuse a parent that is the model itself or one of its descendants */
static void
check_parent(const char *name, const char *parent)
{
	int			depth = 0;

	for (const char *p = parent; p; depth++)
	{
		CormModelRow *row;

		if (strcmp(p, name) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
					 errmsg("model \"%s\" cannot inherit from model \"%s\", which inherits from it",
							name, parent)));
		row = corm_load_model(p, depth > 0);
		if (row == NULL || depth > 1000)
			break;
		p = row->parent;
	}
}

/*
 * corm.register_model(name, columns, parent, model_class, mixins, tablename,
 *                     abstract, bind_key, query_class, onupdate,
 *                     polymorphic_on, polymorphic_identity)
 */
Datum
corm_register_model(PG_FUNCTION_ARGS)
{
	CormCollector collector;
	char	   *name = corm_name_arg(fcinfo, 0, "model");
	char	   *columns = corm_text_arg(fcinfo, 1);
	char	   *parent = corm_text_arg(fcinfo, 2);
	char	   *model_class = corm_text_arg(fcinfo, 3);
	char	   *tablename = corm_text_arg(fcinfo, 5);
	bool		abstract = PG_ARGISNULL(6) ? false : PG_GETARG_BOOL(6);
	char	   *bind_key = corm_text_arg(fcinfo, 7);
	char	   *query_class = corm_text_arg(fcinfo, 8);
	char	   *onupdate = corm_text_arg(fcinfo, 9);
	char	   *polymorphic_on = corm_text_arg(fcinfo, 10);
	char	   *polymorphic_identity = corm_text_arg(fcinfo, 11);
	List	   *mixins;
	List	   *sync;
	Oid			types[12] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTARRAYOID, TEXTOID,
	BOOLOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID};
	Datum		values[12];
	bool		nulls[12] = {0};
	List	   *indexes;
	char	   *inheritance = PG_NARGS() > 14 ? corm_text_arg(fcinfo, 13) : NULL;

	/* 0.1's signature ends with drop_columns where 0.2's has indexes */
	int			drop_arg = PG_NARGS() > 14 ? 14 : 12;
	bool		drop_columns = PG_NARGS() > drop_arg && !PG_ARGISNULL(drop_arg) &&
		PG_GETARG_BOOL(drop_arg);

	corm_start_call(&collector);
	corm_require_owner("model", "model", "name", name);
	indexes = indexes_arg(fcinfo, PG_NARGS() > 14 ? 12 : PG_NARGS(),
						  psprintf("indexes of model \"%s\"", name));
	if (inheritance && strcmp(inheritance, "single") != 0 && strcmp(inheritance, "joined") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid inheritance \"%s\" for model \"%s\"", inheritance, name),
				 errhint("It is 'single' or 'joined', or NULL to let the primary key decide.")));
	if (inheritance && parent == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("model \"%s\" has an inheritance but no parent", name),
				 errhint("inheritance => '%s' says how a subclass is stored; give the parent, or leave it out.",
						 inheritance)));
	mixins = names_arg(fcinfo, 4, "mixin", NULL);
	if (parent && strcmp(parent, name) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
				 errmsg("model \"%s\" cannot inherit from itself", name)));
	if (parent)
	{
		corm_load_model(parent, false);
		check_parent(name, parent);
	}
	if (model_class)
		corm_load_model_class(model_class, false);
	if (query_class && !corm_query_class_exists(query_class))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("query class \"%s\" does not exist", query_class),
				 errhint("Register it first with corm.register_query_class().")));
	if (tablename)
		corm_check_identifier(tablename, "table name", name);
	if (polymorphic_on)
		corm_check_identifier(polymorphic_on, "discriminator", name);
	if (polymorphic_identity == NULL)
		polymorphic_identity = name;

	values[0] = text_or_null(name, &nulls[0]);
	values[1] = text_or_null(columns, &nulls[1]);
	values[2] = text_or_null(parent, &nulls[2]);
	values[3] = text_or_null(model_class, &nulls[3]);
	values[4] = names_datum(mixins);
	values[5] = text_or_null(tablename, &nulls[5]);
	values[6] = BoolGetDatum(abstract);
	values[7] = text_or_null(bind_key, &nulls[7]);
	values[8] = text_or_null(query_class, &nulls[8]);
	values[9] = text_or_null(onupdate, &nulls[9]);
	values[10] = text_or_null(polymorphic_on, &nulls[10]);
	values[11] = text_or_null(polymorphic_identity, &nulls[11]);
	write_catalog("INSERT INTO corm.model (name, columns, parent, model_class, mixins, tablename,"
				  " abstract, bind_key, query_class, onupdate, polymorphic_on, polymorphic_identity, owner)"
				  " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::regrole)"
				  " ON CONFLICT (name) DO UPDATE SET columns = $2, parent = $3, model_class = $4,"
				  " mixins = $5, tablename = $6, abstract = $7, bind_key = $8, query_class = $9,"
				  " onupdate = $10, polymorphic_on = $11, polymorphic_identity = $12",
				  12, types, values, nulls);
	write_indexes("model", name, indexes, inheritance);

	/* the model itself first, reporting overridden columns; then its descendants */
	sync = corm_models_to_sync("model", name);
	corm_sync_model(name, true, drop_columns);
	corm_sync_models(list_delete_first(sync), drop_columns);
	corm_run_hooks(name);
	return corm_finish_call(fcinfo, &collector);
}

/* a text[] argument of function signatures, each checked and qualified */
static List *
functions_arg(FunctionCallInfo fcinfo, int n, const char *what)
{
	ArrayType  *arr;
	Datum	   *elems;
	bool	   *nulls;
	int			count;
	List	   *result = NIL;

	if (PG_ARGISNULL(n))
		return NIL;
	arr = PG_GETARG_ARRAYTYPE_P(n);
	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &count);
	for (int i = 0; i < count; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%ss must not contain null", what)));
		result = lappend(result,
						 format_procedure_qualified(corm_lookup_function(TextDatumGetCString(elems[i]),
																		 what, false)));
	}
	return result;
}

/* corm.register_meta(name, naming, binding, hooks) */
Datum
corm_register_meta(PG_FUNCTION_ARGS)
{
	CormCollector collector;
	char	   *name = corm_name_arg(fcinfo, 0, "meta policy");
	char	   *naming = corm_text_arg(fcinfo, 1);
	bool		binding = PG_ARGISNULL(2) ? true : PG_GETARG_BOOL(2);
	List	   *hooks;
	Oid			types[4] = {TEXTOID, TEXTOID, BOOLOID, TEXTARRAYOID};
	Datum		values[4];
	bool		nulls[4] = {0};
	const char *what = psprintf("naming of meta policy \"%s\"", name);

	corm_start_call(&collector);
	if (strcmp(name, "DefaultMeta") == 0 || strcmp(name, "NoNameMeta") == 0)
		corm_refuse_builtin("meta policy", name);
	corm_require_owner("meta policy", "meta", "name", name);
	if (naming == NULL)
		naming = "snake_case";
	if (strcmp(naming, "snake_case") != 0 && strcmp(naming, "none") != 0)
		naming = format_procedure_qualified(corm_lookup_function(naming, what, true));
	hooks = functions_arg(fcinfo, 3, psprintf("hook of meta policy \"%s\"", name));

	values[0] = text_or_null(name, &nulls[0]);
	values[1] = text_or_null(naming, &nulls[1]);
	values[2] = BoolGetDatum(binding);
	values[3] = names_datum(hooks);
	write_catalog("INSERT INTO corm.meta (name, naming, binding, hooks, owner)"
				  " VALUES ($1, $2, $3, $4, $5::regrole)"
				  " ON CONFLICT (name) DO UPDATE SET naming = $2, binding = $3, hooks = $4",
				  4, types, values, nulls);
	corm_sync_models(corm_models_to_sync("meta", name), false);
	return corm_finish_call(fcinfo, &collector);
}

/*
 * A bind's models keep their tables where the bind first put them: a bind
 * whose server changes while it has models would move tables from one
 * database to another, which corm does not do.
 */
static void
refuse_server_change(const char *key, const char *server)
{
	List	   *models = corm_models_to_sync("bind", key);
	CormBindRow *bind;

	if (models == NIL)
		return;
	bind = corm_load_bind(key, linitial(models));
	if ((bind->server == NULL) == (server == NULL) &&
		(server == NULL || strcmp(bind->server, server) == 0))
		return;
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("bind \"%s\" cannot change its server while it has models", key),
			 errdetail("Model \"%s\" keeps its table %s.", (char *) linitial(models),
					   bind->server ? psprintf("in the database of server \"%s\"", bind->server) :
					   "in this database"),
			 errhint("Register a new bind for the other database, and move the models' rows there.")));
}

/* corm.register_bind(key, schema, tablespace, server) */
Datum
corm_register_bind(PG_FUNCTION_ARGS)
{
	CormCollector collector;
	char	   *key = corm_name_arg(fcinfo, 0, "bind key");
	char	   *schema = PG_ARGISNULL(1) ? NULL : NameStr(*PG_GETARG_NAME(1));
	char	   *tablespace = PG_ARGISNULL(2) ? NULL : NameStr(*PG_GETARG_NAME(2));
	char	   *server = PG_NARGS() < 4 || PG_ARGISNULL(3) ? NULL : NameStr(*PG_GETARG_NAME(3));

	if (schema == NULL || schema[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("bind \"%s\" needs a schema", key)));
	if (tablespace && server)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("bind \"%s\" cannot have both a tablespace and a server", key),
				 errdetail("Its tables are in the database of server \"%s\", not in this one.", server),
				 errhint("Leave out the tablespace; the remote table goes to its database's default tablespace.")));
	if (tablespace && !OidIsValid(get_tablespace_oid(tablespace, true)))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("tablespace \"%s\" of bind \"%s\" does not exist", tablespace, key),
				 errhint("Create it first with CREATE TABLESPACE.")));
	if (server)
		corm_check_server(server, key);
	corm_start_call(&collector);
	corm_require_owner("bind", "bind", "key", key);
	if (PG_NARGS() < 4)
		write_catalog_texts("INSERT INTO corm.bind (key, schema, tablespace, owner)"
							" VALUES ($1, $2, $3, $4::regrole)"
							" ON CONFLICT (key) DO UPDATE SET schema = $2, tablespace = $3",
							3, (const char *[]) {key, schema, tablespace});
	else
	{
		refuse_server_change(key, server);
		write_catalog_texts("INSERT INTO corm.bind (key, schema, tablespace, server, owner)"
							" VALUES ($1, $2, $3, $4, $5::regrole)"
							" ON CONFLICT (key) DO UPDATE SET schema = $2, tablespace = $3, server = $4",
							4, (const char *[]) {key, schema, tablespace, server});
	}
	corm_sync_models(corm_models_to_sync("bind", key), false);
	return corm_finish_call(fcinfo, &collector);
}

/* a name that becomes part of function names: letters, digits, underscores */
static void
check_plain_name(const char *kind, const char *name)
{
	for (const char *p = name; *p; p++)
		if (!(isalnum((unsigned char) *p) || *p == '_' || IS_HIGHBIT_SET(*p)))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_NAME),
					 errmsg("%s name \"%s\" is not a plain identifier", kind, name),
					 errhint("It becomes part of function names: use letters, digits and underscores.")));
}

static void
require_query_class(const char *name)
{
	if (!corm_query_class_exists(name))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("query class \"%s\" does not exist", name),
				 errhint("Register it first with corm.register_query_class().")));
}

/* corm.register_query_class(name, base) */
Datum
corm_register_query_class(PG_FUNCTION_ARGS)
{
	CormCollector collector;
	char	   *name = corm_name_arg(fcinfo, 0, "query class");
	char	   *base = corm_text_arg(fcinfo, 1);
	Oid			types[2] = {TEXTOID, TEXTOID};
	Datum		values[2];
	bool		nulls[2] = {0};

	corm_start_call(&collector);
	if (strcmp(name, "BaseQuery") == 0)
		corm_refuse_builtin("query class", name);
	corm_require_owner("query class", "query_class", "name", name);
	if (base == NULL)
		base = "BaseQuery";
	if (strcmp(base, name) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
				 errmsg("query class \"%s\" cannot inherit from itself", name)));
	require_query_class(base);
	values[0] = text_or_null(name, &nulls[0]);
	values[1] = text_or_null(base, &nulls[1]);
	write_catalog("INSERT INTO corm.query_class (name, base, owner) VALUES ($1, $2, $3::regrole)"
				  " ON CONFLICT (name) DO UPDATE SET base = $2", 2, types, values, nulls);
	/* a base that inherits from the class itself would loop */
	if (corm_catalog_spi("WITH RECURSIVE up(name, depth) AS ("
						 "  SELECT base, 1 FROM corm.query_class WHERE name = $1"
						 "  UNION ALL SELECT q.base, up.depth + 1 FROM corm.query_class q"
						 "    JOIN up ON q.name = up.name WHERE up.depth < 1000)"
						 " SELECT 1 FROM up WHERE name = $1 LIMIT 1",
						 1, types, values, NULL) != SPI_OK_SELECT)
		elog(ERROR, "could not read corm's query classes");
	if (SPI_processed > 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
				 errmsg("query class \"%s\" cannot inherit from query class \"%s\", which inherits from it",
						name, base)));
	corm_sync_models(corm_models_to_sync("query class", name), false);
	return corm_finish_call(fcinfo, &collector);
}

/*
 * corm.register_query_method(query_class, name, args, returns, body,
 *                            language, volatility)
 */
Datum
corm_register_query_method(PG_FUNCTION_ARGS)
{
	CormCollector collector;
	char	   *query_class = corm_name_arg(fcinfo, 0, "query class");
	char	   *name = corm_name_arg(fcinfo, 1, "query method");
	char	   *args = corm_text_arg(fcinfo, 2);
	char	   *returns = corm_text_arg(fcinfo, 3);
	char	   *body = corm_text_arg(fcinfo, 4);
	char	   *language = corm_text_arg(fcinfo, 5);
	char	   *volatility = corm_text_arg(fcinfo, 6);

	if (returns == NULL || body == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("query method \"%s\" needs returns and body", name)));
	if (args == NULL)
		args = "";
	if (language == NULL)
		language = "sql";
	volatility = pstrdup(volatility ? volatility : "stable");
	for (char *p = volatility; *p; p++)
		*p = pg_tolower((unsigned char) *p);
	if (strcmp(volatility, "immutable") != 0 && strcmp(volatility, "stable") != 0 &&
		strcmp(volatility, "volatile") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("volatility of query method \"%s\" must be immutable, stable or volatile, not \"%s\"",
						name, volatility)));
	if (pg_strcasecmp(language, "c") == 0 || pg_strcasecmp(language, "internal") == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("query method \"%s\" cannot be written in language %s", name, language),
				 errhint("Write query methods in SQL or a procedural language such as plpgsql.")));
	if (!OidIsValid(get_language_oid(language, true)))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("language \"%s\" of query method \"%s\" does not exist", language, name)));
	check_plain_name("query method", name);

	corm_start_call(&collector);
	require_query_class(query_class);
	if (strcmp(query_class, "BaseQuery") == 0)
		corm_refuse_builtin("query class", query_class);
	corm_require_owner("query class", "query_class", "name", query_class);
	write_catalog_texts("INSERT INTO corm.query_method (query_class, name, args, returns, body, language,"
						" volatility, owner) VALUES ($1, $2, $3, $4, $5, $6, $7, $8::regrole)"
						" ON CONFLICT (query_class, name) DO UPDATE SET args = $3, returns = $4, body = $5,"
						" language = $6, volatility = $7",
						7, (const char *[]) {query_class, name, args, returns, body, language, volatility});
	if (strstr(body, "@table@") || strstr(args, "@table@") || strstr(returns, "@table@"))
		ereport(NOTICE,
				(errmsg("query method \"%s\" of query class \"%s\" uses @table@: it is made for models, not for relationships",
						name, query_class),
				 errdetail("A relationship's scoped methods see only its related rows; a method over the table would reach all of them.")));
	corm_sync_models(corm_models_to_sync("query class", query_class), false);
	return corm_finish_call(fcinfo, &collector);
}

/* one relationship's catalog row (0.1's catalog: without secondary, remote_side, backref) */
static void
write_relationship(const char *model, const char *name, const char *target,
				   const char *query_class, const char *foreign_key, const char *secondary,
				   const char *remote_side, const char *backref)
{
	if (!corm_catalog_has("relationship", "secondary"))
	{
		if (secondary || remote_side || backref)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("corm's catalog is not yet updated to this version"),
					 errhint("Run ALTER EXTENSION corm UPDATE.")));
		write_catalog_texts("INSERT INTO corm.relationship (model, name, target, query_class, foreign_key, owner)"
							" VALUES ($1, $2, $3, $4, $5, $6::regrole)"
							" ON CONFLICT (model, name) DO UPDATE SET target = $3, query_class = $4,"
							" foreign_key = $5",
							5, (const char *[]) {model, name, target, query_class, foreign_key});
		return;
	}
	write_catalog_texts("INSERT INTO corm.relationship (model, name, target, query_class, foreign_key,"
						" secondary, remote_side, backref, owner)"
						" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::regrole)"
						" ON CONFLICT (model, name) DO UPDATE SET target = $3, query_class = $4,"
						" foreign_key = $5, secondary = $6, remote_side = $7, backref = $8",
						8, (const char *[]) {model, name, target, query_class, foreign_key, secondary,
											 remote_side, backref});
}

/* a model's methods that use @table@: its relationships' scoped copies leave them out */
static void
notice_table_methods(const char *model, const char *name, const char *target, const char *query_class)
{
	if (corm_catalog_spi("WITH RECURSIVE c(name, base, depth) AS ("
						 "  SELECT q.name, q.base, 0 FROM corm.query_class q"
						 "   WHERE q.name = coalesce($2, (SELECT coalesce(m.query_class, mc.query_class)"
						 "                 FROM corm.model m LEFT JOIN corm.model_class mc ON mc.name = m.model_class"
						 "                WHERE m.name = $1), 'BaseQuery')"
						 "  UNION ALL SELECT q.name, q.base, c.depth + 1 FROM corm.query_class q JOIN c ON q.name = c.base"
						 "   WHERE c.depth < 100)"
						 " SELECT string_agg(DISTINCT m.name, ', ' ORDER BY m.name) FROM corm.query_method m JOIN c"
						 "   ON m.query_class = c.name"
						 " WHERE strpos(m.body || m.args || m.returns, '@table@') > 0",
						 2, (Oid[]) {TEXTOID, TEXTOID},
						 (Datum[]) {CStringGetTextDatum(target),
									query_class ? CStringGetTextDatum(query_class) : (Datum) 0},
						 query_class ? "  " : " n") == SPI_OK_SELECT && SPI_processed == 1)
	{
		char	   *methods = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);

		if (methods)
			ereport(NOTICE,
					(errmsg("relationship \"%s\" of model \"%s\" leaves out query methods that use @table@: %s",
							name, model, methods),
					 errdetail("They write or read the whole table of model \"%s\", not the related rows.",
							   target)));
	}
}

/*
 * corm.register_relationship(model, name, target, query_class, foreign_key,
 * secondary, remote_side, backref)
 */
Datum
corm_register_relationship(PG_FUNCTION_ARGS)
{
	CormCollector collector;
	char	   *model = corm_name_arg(fcinfo, 0, "model");
	char	   *name = corm_name_arg(fcinfo, 1, "relationship");
	char	   *target = corm_name_arg(fcinfo, 2, "model");
	char	   *query_class = corm_text_arg(fcinfo, 3);
	char	   *foreign_key = corm_text_arg(fcinfo, 4);
	char	   *secondary = PG_NARGS() > 5 ? corm_text_arg(fcinfo, 5) : NULL;
	char	   *remote_side = PG_NARGS() > 6 ? corm_text_arg(fcinfo, 6) : NULL;
	char	   *backref = PG_NARGS() > 7 ? corm_text_arg(fcinfo, 7) : NULL;
	char	   *back_remote = NULL;

	check_plain_name("relationship", name);
	if (backref)
		check_plain_name("relationship", backref);
	corm_start_call(&collector);
	corm_load_model(model, false);
	corm_load_model(target, false);
	corm_require_owner("model", "model", "name", model);
	if (query_class)
		require_query_class(query_class);
	if (remote_side && strcmp(model, target) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("remote_side of relationship \"%s\" of model \"%s\" is for a model related to itself",
						name, model),
				 errhint("Between two models the foreign key decides the direction; leave remote_side out.")));
	if (remote_side && secondary)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("relationship \"%s\" of model \"%s\" has both secondary and remote_side", name, model)));
	if (backref && strcmp(model, target) == 0 && strcmp(backref, name) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("backref of relationship \"%s\" of model \"%s\" is the relationship itself", name, model)));
	write_relationship(model, name, target, query_class, foreign_key, secondary, remote_side, backref);
	notice_table_methods(model, name, target, query_class);
	corm_sync_functions(corm_resolve_model(model, false));
	if (backref)
	{
		/*
		 * The reverse side: the same foreign key (or association) seen from
		 * the target; for a model related to itself, the other direction.
		 */
		if (strcmp(model, target) == 0 && remote_side == NULL)
		{
			CormColumn *key = corm_single_key(corm_resolve_model(model, false)->columns);

			if (key == NULL)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("backref \"%s\" of model \"%s\" needs a one-column primary key to refer to",
								backref, model)));
			back_remote = key->name;
		}
		corm_require_owner("model", "model", "name", target);
		write_relationship(target, backref, model, NULL, foreign_key, secondary, back_remote, name);
		notice_table_methods(target, backref, model, NULL);
		corm_sync_functions(corm_resolve_model(target, false));
	}
	return corm_finish_call(fcinfo, &collector);
}

/*
 * corm.not_found(anyelement, model, ident, description): get_or_404's and
 * first_or_404's no_data_found, "User 42 not found" or the description
 */
Datum
corm_not_found(PG_FUNCTION_ARGS)
{
	char	   *model = PG_ARGISNULL(1) ? "row" : text_to_cstring(PG_GETARG_TEXT_PP(1));
	char	   *ident = PG_ARGISNULL(2) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(2));

	if (PG_NARGS() > 3 && !PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("%s", text_to_cstring(PG_GETARG_TEXT_PP(3)))));
	if (ident == NULL && PG_NARGS() > 3)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("no %s found", model)));
	ereport(ERROR,
			(errcode(ERRCODE_NO_DATA_FOUND),
			 errmsg("%s %s not found", model, ident ? ident : "NULL")));
	PG_RETURN_NULL();
}
