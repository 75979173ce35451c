/*
 * lifecycle.c — dropping and renaming what was registered, checking for
 * drift, dry runs, and the guard on DROP EXTENSION
 *
 * Every drop_* refuses while other definitions depend on the object
 * (2BP01), unless cascade => true, which drops them first, as DROP ...
 * CASCADE does.  Dropping a model drops what corm generated for it: its
 * functions, its view, its table (with its rows) or, for a single-table
 * subclass, its columns of the shared table.
 */
#include "corm.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/event_trigger.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/resowner.h"

PG_FUNCTION_INFO_V1(corm_drop_model);
PG_FUNCTION_INFO_V1(corm_drop_mixin);
PG_FUNCTION_INFO_V1(corm_drop_model_class);
PG_FUNCTION_INFO_V1(corm_drop_query_class);
PG_FUNCTION_INFO_V1(corm_drop_query_method);
PG_FUNCTION_INFO_V1(corm_drop_meta);
PG_FUNCTION_INFO_V1(corm_drop_bind);
PG_FUNCTION_INFO_V1(corm_drop_relationship);
PG_FUNCTION_INFO_V1(corm_rename_model);
PG_FUNCTION_INFO_V1(corm_rename_column);
PG_FUNCTION_INFO_V1(corm_check);
PG_FUNCTION_INFO_V1(corm_dry_run);
PG_FUNCTION_INFO_V1(corm_guard_drop);
PG_FUNCTION_INFO_V1(corm_sync_all);

static uint64
query(const char *sql, int nargs, const char **args)
{
	Oid			types[3] = {TEXTOID, TEXTOID, TEXTOID};
	Datum		values[3];

	for (int i = 0; i < nargs; i++)
		values[i] = CStringGetTextDatum(args[i]);
	if (corm_catalog_spi(sql, nargs, types, values, NULL) < 0)
		elog(ERROR, "corm catalog query failed");
	return SPI_processed;
}

static List *
names(const char *sql, const char *name)
{
	List	   *result = NIL;
	uint64		n = query(sql, 1, &name);

	for (uint64 i = 0; i < n; i++)
		result = lappend(result, SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1));
	return result;
}

static char *
name_list(List *list)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	foreach(lc, list)
		appendStringInfo(&buf, "%s\"%s\"", buf.len ? ", " : "", (char *) lfirst(lc));
	return buf.data;
}

static void
refuse_dependents(const char *kind, const char *name, const char *what, List *dependents)
{
	ereport(ERROR,
			(errcode(ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST),
			 errmsg("cannot drop %s \"%s\" because other objects depend on it", kind, name),
			 errdetail("%s %s depend on it.", what, name_list(dependents)),
			 errhint("Drop them first, or pass cascade => true to drop them too.")));
}

static void drop_model(const char *name, bool cascade, List **dropped);

/*
 * What a drop with cascade => true takes along is said, as PostgreSQL's own
 * DROP ... CASCADE says it: one NOTICE, each object on a line of its own.
 */
static void
report_cascade(List *dropped)
{
	StringInfoData detail;
	ListCell   *lc;

	if (dropped == NIL)
		return;
	if (list_length(dropped) == 1)
	{
		ereport(NOTICE, (errmsg("drop cascades to %s", (char *) linitial(dropped))));
		return;
	}
	initStringInfo(&detail);
	foreach(lc, dropped)
		appendStringInfo(&detail, "%sdrop cascades to %s", detail.len ? "\n" : "", (char *) lfirst(lc));
	ereport(NOTICE,
			(errmsg("drop cascades to %d other objects", list_length(dropped)),
			 errdetail_internal("%s", detail.data)));
}

/* a model that a drop takes along, as the NOTICE names it */
static char *
dropped_model(CormModelRow *row)
{
	if (row->table_name && row->kind && strcmp(row->kind, "single") == 0)
		return psprintf("model \"%s\" (its columns of table %s)", row->name,
						corm_qualified(row->table_schema, row->table_name));
	if (row->table_name)
		return psprintf("model \"%s\" with table %s", row->name,
						corm_qualified(row->table_schema, row->table_name));
	return psprintf("model \"%s\"", row->name);
}

/*
 * The other models whose tables have a foreign key to a model's table: a
 * REFERENCES in their definition would point at nothing without it.
 */
static List *
referencing_models(const char *name)
{
	return names("SELECT DISTINCT o.name, o.registered FROM corm.model m"
				 "  JOIN pg_catalog.pg_constraint c"
				 "    ON c.contype = 'f'"
				 "   AND c.confrelid = pg_catalog.to_regclass(pg_catalog.format('%I.%I', m.table_schema, m.table_name))"
				 "  JOIN corm.model o"
				 "    ON c.conrelid = pg_catalog.to_regclass(pg_catalog.format('%I.%I', o.table_schema, o.table_name))"
				 " WHERE m.name = $1 AND o.name <> m.name AND o.parent IS DISTINCT FROM m.name"
				 "   AND m.kind IN ('root', 'joined') AND o.kind IN ('root', 'joined')"
				 " ORDER BY o.registered", name);
}

/*
 * Drop a list of models, most recently registered (subclasses) first,
 * adding each to *dropped.
 */
static void
drop_models(List *models, List **dropped)
{
	for (int i = list_length(models) - 1; i >= 0; i--)
	{
		CormModelRow *row = corm_load_model(list_nth(models, i), true);

		if (row == NULL)
			continue;
		*dropped = lappend(*dropped, dropped_model(row));
		drop_model(row->name, true, dropped);
	}
}

/* drop a model and what is generated for it; with cascade, its dependents first */
static void
drop_model(const char *name, bool cascade, List **dropped)
{
	CormModelRow *row = corm_load_model(name, false);
	List	   *children = names("SELECT name FROM corm.model WHERE parent = $1 ORDER BY registered", name);
	List	   *related = names("SELECT model || '.' || name FROM corm.relationship"
								" WHERE target = $1 AND model <> $1 ORDER BY 1", name);
	List	   *referencing = referencing_models(name);
	CormResolved *res;
	char	   *view;

	corm_require_owner("model", "model", "name", name);
	if ((children || related || referencing) && !cascade)
		refuse_dependents("model", name,
						  children ? "Models" : referencing ? "Models whose tables reference it" : "Relationships",
						  children ? children : referencing ? referencing : related);
	drop_models(list_delete_first(corm_models_to_sync("model", name)), dropped);
	drop_models(referencing, dropped);
	corm_reset_resolve_cache();
	res = corm_resolve_model(name, false);
	{
		ListCell   *lc;

		/* other models' relationships that lead here go too */
		foreach(lc, names("SELECT model || '.' || name FROM corm.relationship"
						  " WHERE target = $1 AND model <> $1 ORDER BY 1", name))
			*dropped = lappend(*dropped, psprintf("relationship \"%s\"", (char *) lfirst(lc)));
	}

	/* what is generated over the view, then the view, then the table */
	corm_drop_functions_over(name);
	query("DELETE FROM corm.relationship WHERE model = $1 OR target = $1", 1, &name);
	view = corm_recorded_view(name);
	if (view)
		corm_execute(psprintf("DROP VIEW IF EXISTS %s", view));
	/* with cascade, other tables' foreign keys to it go too, as DROP TABLE ... CASCADE */
	if (res->kind == CORM_ROOT || res->kind == CORM_JOINED)
		corm_execute(psprintf("DROP TABLE IF EXISTS %s%s", corm_qualified(res->schema, res->table),
							  cascade ? " CASCADE" : ""));
	query("DELETE FROM corm.model WHERE name = $1", 1, &name);
	corm_reset_resolve_cache();

	/* a single-table subclass's columns leave the shared table */
	if (res->kind == CORM_SINGLE && row->parent)
	{
		CormResolved *owner = corm_table_owner(corm_resolve_model(row->parent, false));

		corm_sync_models(corm_models_to_sync("model", owner->row->name), true);
	}
}

/* corm.drop_model(name, cascade) */
Datum
corm_drop_model(PG_FUNCTION_ARGS)
{
	char	   *name = corm_name_arg(fcinfo, 0, "model");
	bool		cascade = !PG_ARGISNULL(1) && PG_GETARG_BOOL(1);

	List	   *dropped = NIL;

	corm_begin_call();
	drop_model(name, cascade, &dropped);
	report_cascade(dropped);
	SPI_finish();
	PG_RETURN_VOID();
}

/* corm.drop_mixin(name, cascade) */
Datum
corm_drop_mixin(PG_FUNCTION_ARGS)
{
	char	   *name = corm_name_arg(fcinfo, 0, "mixin");
	bool		cascade = !PG_ARGISNULL(1) && PG_GETARG_BOOL(1);
	List	   *mixins;
	List	   *models;
	List	   *dropped = NIL;
	ListCell   *lc;

	corm_begin_call();
	corm_load_mixin(name, false);
	corm_require_owner("mixin", "mixin", "name", name);
	mixins = names("SELECT name FROM corm.mixin WHERE mixins @> ARRAY[$1] ORDER BY name", name);
	models = names("SELECT name FROM corm.model WHERE mixins @> ARRAY[$1] ORDER BY registered", name);
	if ((mixins || models) && !cascade)
		refuse_dependents("mixin", name, models ? "Models" : "Mixins", models ? models : mixins);
	drop_models(corm_models_to_sync("mixin", name), &dropped);
	foreach(lc, mixins)
	{
		const char *args[1] = {lfirst(lc)};

		query("DELETE FROM corm.mixin WHERE name = $1", 1, args);
		dropped = lappend(dropped, psprintf("mixin \"%s\"", args[0]));
	}
	query("DELETE FROM corm.mixin WHERE name = $1", 1, (const char **) &name);
	report_cascade(dropped);
	SPI_finish();
	PG_RETURN_VOID();
}

/* corm.drop_model_class(name, cascade) */
Datum
corm_drop_model_class(PG_FUNCTION_ARGS)
{
	char	   *name = corm_name_arg(fcinfo, 0, "model class");
	bool		cascade = !PG_ARGISNULL(1) && PG_GETARG_BOOL(1);
	List	   *models;
	List	   *dropped = NIL;

	corm_begin_call();
	if (strcmp(name, "Model") == 0)
		corm_refuse_builtin("model class", name);
	corm_load_model_class(name, false);
	corm_require_owner("model class", "model_class", "name", name);
	models = names("SELECT name FROM corm.model WHERE model_class = $1 ORDER BY registered", name);
	if (models && !cascade)
		refuse_dependents("model class", name, "Models", models);
	drop_models(corm_models_to_sync("model class", name), &dropped);
	query("DELETE FROM corm.model_class WHERE name = $1", 1, (const char **) &name);
	report_cascade(dropped);
	SPI_finish();
	PG_RETURN_VOID();
}

/* corm.drop_meta(name, cascade) */
Datum
corm_drop_meta(PG_FUNCTION_ARGS)
{
	char	   *name = corm_name_arg(fcinfo, 0, "meta policy");
	bool		cascade = !PG_ARGISNULL(1) && PG_GETARG_BOOL(1);
	List	   *classes;
	List	   *dropped = NIL;
	ListCell   *lc;

	corm_begin_call();
	if (strcmp(name, "DefaultMeta") == 0 || strcmp(name, "NoNameMeta") == 0)
		corm_refuse_builtin("meta policy", name);
	corm_load_meta(name, false);
	corm_require_owner("meta policy", "meta", "name", name);
	classes = names("SELECT name FROM corm.model_class WHERE meta = $1 ORDER BY name", name);
	if (classes && !cascade)
		refuse_dependents("meta policy", name, "Model classes", classes);
	drop_models(corm_models_to_sync("meta", name), &dropped);
	foreach(lc, classes)
	{
		const char *args[1] = {lfirst(lc)};

		query("DELETE FROM corm.model_class WHERE name = $1", 1, args);
		dropped = lappend(dropped, psprintf("model class \"%s\"", args[0]));
	}
	query("DELETE FROM corm.meta WHERE name = $1", 1, (const char **) &name);
	report_cascade(dropped);
	SPI_finish();
	PG_RETURN_VOID();
}

/* corm.drop_bind(key, cascade) */
Datum
corm_drop_bind(PG_FUNCTION_ARGS)
{
	char	   *key = corm_name_arg(fcinfo, 0, "bind key");
	bool		cascade = !PG_ARGISNULL(1) && PG_GETARG_BOOL(1);
	List	   *models;
	List	   *dropped = NIL;

	corm_begin_call();
	if (query("SELECT 1 FROM corm.bind WHERE key = $1", 1, (const char **) &key) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("bind key \"%s\" does not exist", key)));
	corm_require_owner("bind", "bind", "key", key);
	models = names("SELECT name FROM corm.model WHERE bind_key = $1 ORDER BY registered", key);
	if (models && !cascade)
		refuse_dependents("bind", key, "Models", models);
	drop_models(corm_models_to_sync("bind", key), &dropped);
	query("DELETE FROM corm.bind WHERE key = $1", 1, (const char **) &key);
	report_cascade(dropped);
	SPI_finish();
	PG_RETURN_VOID();
}

/* corm.drop_query_class(name, cascade) */
Datum
corm_drop_query_class(PG_FUNCTION_ARGS)
{
	char	   *name = corm_name_arg(fcinfo, 0, "query class");
	bool		cascade = !PG_ARGISNULL(1) && PG_GETARG_BOOL(1);
	List	   *dependents;
	List	   *affected;
	List	   *dropped = NIL;
	ListCell   *lc;

	corm_begin_call();
	if (strcmp(name, "BaseQuery") == 0)
		corm_refuse_builtin("query class", name);
	if (!corm_query_class_exists(name))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("query class \"%s\" does not exist", name)));
	corm_require_owner("query class", "query_class", "name", name);
	dependents = names("SELECT 'query class ' || name FROM corm.query_class WHERE base = $1"
					   " UNION ALL SELECT 'model class ' || name FROM corm.model_class WHERE query_class = $1"
					   " UNION ALL SELECT 'model ' || name FROM corm.model WHERE query_class = $1"
					   " UNION ALL SELECT 'relationship ' || model || '.' || name FROM corm.relationship"
					   "  WHERE query_class = $1 ORDER BY 1", name);
	if (dependents && !cascade)
		refuse_dependents("query class", name, "Objects", dependents);
	affected = corm_models_to_sync("query class", name);
	if (dependents)
	{
		/* cascade: what used the class drops with it, as DROP ... CASCADE does */
		List	   *classes = names("SELECT name FROM corm.query_class WHERE base = $1", name);

		foreach(lc, classes)
			DirectFunctionCall2(corm_drop_query_class, CStringGetTextDatum(lfirst(lc)),
								BoolGetDatum(true));
		drop_models(names("SELECT name FROM corm.model WHERE query_class = $1"
						  " OR model_class IN (SELECT name FROM corm.model_class WHERE query_class = $1)"
						  " ORDER BY registered", name), &dropped);
		foreach(lc, names("SELECT 'model class \"' || name || '\"' FROM corm.model_class"
						  " WHERE query_class = $1 UNION ALL"
						  " SELECT 'relationship \"' || model || '.' || name || '\"' FROM corm.relationship"
						  " WHERE query_class = $1 ORDER BY 1", name))
			dropped = lappend(dropped, lfirst(lc));
		query("DELETE FROM corm.model_class WHERE query_class = $1", 1, (const char **) &name);
		query("DELETE FROM corm.relationship WHERE query_class = $1", 1, (const char **) &name);
	}
	query("DELETE FROM corm.query_method WHERE query_class = $1", 1, (const char **) &name);
	query("DELETE FROM corm.query_class WHERE name = $1", 1, (const char **) &name);
	corm_reset_resolve_cache();
	foreach(lc, affected)
		if (corm_load_model(lfirst(lc), true))
			corm_sync_model(lfirst(lc), false, false);
	report_cascade(dropped);
	SPI_finish();
	PG_RETURN_VOID();
}

/* corm.drop_query_method(query_class, name) */
Datum
corm_drop_query_method(PG_FUNCTION_ARGS)
{
	char	   *query_class = corm_name_arg(fcinfo, 0, "query class");
	char	   *name = corm_name_arg(fcinfo, 1, "query method");
	const char *args[2] = {query_class, name};

	corm_begin_call();
	if (strcmp(query_class, "BaseQuery") == 0)
		corm_refuse_builtin("query class", query_class);
	corm_require_owner("query class", "query_class", "name", query_class);
	if (query("DELETE FROM corm.query_method WHERE query_class = $1 AND name = $2", 2, args) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("query method \"%s\" of query class \"%s\" does not exist", name, query_class)));
	corm_sync_models(corm_models_to_sync("query class", query_class), false);
	SPI_finish();
	PG_RETURN_VOID();
}

/* corm.drop_relationship(model, name) */
Datum
corm_drop_relationship(PG_FUNCTION_ARGS)
{
	char	   *model = corm_name_arg(fcinfo, 0, "model");
	char	   *name = corm_name_arg(fcinfo, 1, "relationship");
	const char *args[2] = {model, name};

	corm_begin_call();
	corm_require_owner("model", "model", "name", model);
	if (query("DELETE FROM corm.relationship WHERE model = $1 AND name = $2", 2, args) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("relationship \"%s\" of model \"%s\" does not exist", name, model)));
	corm_sync_functions(corm_resolve_model(model, false));
	SPI_finish();
	PG_RETURN_VOID();
}

/* corm.rename_model(old, new): the class, its table (when named after it), view and functions */
Datum
corm_rename_model(PG_FUNCTION_ARGS)
{
	char	   *old = corm_name_arg(fcinfo, 0, "model");
	char	   *new = corm_name_arg(fcinfo, 1, "model");
	const char *args[2] = {old, new};
	List	   *sync;

	corm_begin_call();
	corm_load_model(old, false);
	corm_require_owner("model", "model", "name", old);
	if (corm_load_model(new, true))
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_OBJECT),
				 errmsg("model \"%s\" already exists", new)));
	query("UPDATE corm.model SET name = $2 WHERE name = $1", 2, args);
	sync = corm_models_to_sync("model", new);
	sync = list_concat(sync, corm_models_to_sync("relationship target", new));
	corm_sync_models(sync, false);
	SPI_finish();
	PG_RETURN_VOID();
}

/* the extent of a column definition's name in its text: [start, end) */
static int
name_end(const char *text, int start)
{
	int			i = start;

	if (text[i] == '"')
	{
		for (i++; text[i]; i++)
			if (text[i] == '"')
			{
				if (text[i + 1] != '"')
					return i + 1;
				i++;
			}
		return i;
	}
	while (text[i] && (isalnum((unsigned char) text[i]) || text[i] == '_' || text[i] == '$' ||
					   IS_HIGHBIT_SET(text[i])))
		i++;
	return i;
}

/* corm.rename_column(model, old, new): a column of the model's own definition */
Datum
corm_rename_column(PG_FUNCTION_ARGS)
{
	char	   *model = corm_name_arg(fcinfo, 0, "model");
	char	   *old = corm_name_arg(fcinfo, 1, "column");
	char	   *new = corm_name_arg(fcinfo, 2, "column");
	CormModelRow *row;
	CormResolved *res;
	CormColumnList *list;
	CormColumn *col;
	ListCell   *lc;
	StringInfoData text;
	const char *args[2];

	corm_begin_call();
	row = corm_load_model(model, false);
	corm_require_owner("model", "model", "name", model);
	res = corm_resolve_model(model, false);
	col = corm_find_column(res->columns, old);
	if (col == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("column \"%s\" of model \"%s\" does not exist", old, model)));
	if (strcmp(col->origin, "own") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("column \"%s\" of model \"%s\" comes from %s", old, model, col->source),
				 errhint("Rename it where it is defined.")));
	corm_check_identifier(new, "column name", model);
	if (corm_find_column(res->columns, new))
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_COLUMN),
				 errmsg("column \"%s\" of model \"%s\" already exists", new, model)));
	list = corm_parse_columns(row->columns, psprintf("columns of model \"%s\"", model));
	foreach(lc, list->elements)
	{
		CormElement *elem = lfirst(lc);

		if (IsA(elem->node, Constraint) || (row->onupdate && strstr(row->onupdate, old)) ||
			(row->polymorphic_on && strcmp(row->polymorphic_on, old) == 0))
		{
			bool		mentions = IsA(elem->node, Constraint) ? strstr(elem->text, old) != NULL : true;

			if (mentions)
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("column \"%s\" of model \"%s\" is named by a table constraint, its onupdate or its discriminator",
								old, model),
						 errhint("Register the model again with the new name everywhere, or rename the column there first.")));
		}
	}

	/* the definition with the column's name replaced, as the user wrote the rest */
	initStringInfo(&text);
	foreach(lc, list->elements)
	{
		CormElement *elem = lfirst(lc);
		ColumnDef  *def;
		int			start;

		if (!IsA(elem->node, ColumnDef) || strcmp(((ColumnDef *) elem->node)->colname, old) != 0)
			continue;
		def = (ColumnDef *) elem->node;
		start = def->location - list->prefix_chars;
		appendBinaryStringInfo(&text, row->columns, start);
		appendStringInfoString(&text, quote_identifier(new));
		appendStringInfoString(&text, row->columns + name_end(row->columns, start));
	}
	corm_execute(psprintf("ALTER TABLE %s RENAME COLUMN %s TO %s",
						  corm_qualified(res->schema, res->table), quote_identifier(old),
						  quote_identifier(new)));
	args[0] = model;
	args[1] = text.data;
	query("UPDATE corm.model SET columns = $2 WHERE name = $1", 2, args);
	corm_reset_resolve_cache();
	corm_sync_models(list_concat(corm_models_to_sync("model", model),
								 corm_models_to_sync("relationship target", model)), false);
	SPI_finish();
	PG_RETURN_VOID();
}

/*
 * Run "work" in a subtransaction that is always rolled back, collecting the
 * statements corm runs.  Returns the error message if it failed, and its
 * SQLSTATE in *code.
 */
static char *
collect_rolled_back(void (*work) (void *), void *arg, List **statements, MemoryContext keep,
					int *code)
{
	MemoryContext caller = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	char	   *volatile failure = NULL;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(caller);
	corm_collect_statements(statements, keep);
	PG_TRY();
	{
		work(arg);
	}
	PG_CATCH();
	{
		ErrorData  *error;

		MemoryContextSwitchTo(keep);
		error = CopyErrorData();
		FlushErrorState();
		failure = psprintf("%s (SQLSTATE %s)", error->message, unpack_sql_state(error->sqlerrcode));
		*code = error->sqlerrcode;
	}
	PG_END_TRY();
	corm_collect_statements(NULL, NULL);
	RollbackAndReleaseCurrentSubTransaction();
	MemoryContextSwitchTo(caller);
	CurrentResourceOwner = owner;
	return failure;
}

static void
run_statement(void *arg)
{
	int			rc;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	rc = SPI_execute((const char *) arg, false, 0);
	if (rc == SPI_ERROR_TRANSACTION)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("corm.dry_run() cannot run transaction control statements"),
				 errhint("Pass the corm.register_* call itself.")));
	if (rc < 0)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("corm.dry_run() could not run the statement: %s", SPI_result_code_string(rc))));
	SPI_finish();
}

/* corm.dry_run(statement text) RETURNS text: the DDL a call would run, changing nothing */
Datum
corm_dry_run(PG_FUNCTION_ARGS)
{
	char	   *statement = text_to_cstring(PG_GETARG_TEXT_PP(0));
	List	   *statements = NIL;
	int			failure_code = 0;
	char	   *failure = collect_rolled_back(run_statement, statement, &statements,
											  CurrentMemoryContext, &failure_code);
	StringInfoData buf;
	ListCell   *lc;

	if (failure)
		ereport(ERROR,
				(errcode(failure_code),
				 errmsg("the statement would fail: %s", failure)));
	initStringInfo(&buf);
	foreach(lc, statements)
		appendStringInfo(&buf, "%s;\n", (char *) lfirst(lc));
	PG_RETURN_TEXT_P(cstring_to_text(buf.data));
}

static void
sync_one(void *arg)
{
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	corm_reset_resolve_cache();
	corm_sync_model((const char *) arg, false, true);
	SPI_finish();
}

/*
 * corm.check() RETURNS SETOF (model, problem, fix): the drift between the
 * catalog and the database.  Each model is brought to its definition in a
 * subtransaction that is rolled back; whatever that would have run is drift.
 */
Datum
corm_check(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext keep = CurrentMemoryContext;
	List	   *models = NIL;
	ListCell   *lc;

	InitMaterializedSRF(fcinfo, 0);
	SPI_connect();
	{
		List	   *found = names("SELECT name FROM corm.model WHERE $1 = $1 ORDER BY registered", "");
		MemoryContext old = MemoryContextSwitchTo(keep);

		foreach(lc, found)
			models = lappend(models, pstrdup(lfirst(lc)));
		MemoryContextSwitchTo(old);
	}
	SPI_finish();
	foreach(lc, models)
	{
		List	   *statements = NIL;
		int			code = 0;
		char	   *failure = collect_rolled_back(sync_one, lfirst(lc), &statements, keep, &code);
		ListCell   *sc;

		if (failure)
		{
			Datum		values[3] = {CStringGetTextDatum(lfirst(lc)), CStringGetTextDatum(failure), 0};
			bool		nulls[3] = {false, false, true};

			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
		foreach(sc, statements)
		{
			Datum		values[3] = {CStringGetTextDatum(lfirst(lc)),
				CStringGetTextDatum("differs from its definition"),
			CStringGetTextDatum(lfirst(sc))};
			bool		nulls[3] = {false, false, false};

			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
	}
	PG_RETURN_VOID();
}

/*
 * corm.sync_all(): bring every model's generated objects to what this
 * version of corm generates for its definition, in the order the models
 * were registered.  An update script runs it when a new version generates
 * something else for the same definitions (0.2: views in declared column
 * order), so that an updated database holds what a fresh install holds.
 * No hook runs and no column is dropped: the definitions are unchanged.
 */
Datum
corm_sync_all(PG_FUNCTION_ARGS)
{
	bool		in_script = creating_extension;

	/*
	 * Objects made while an extension script runs become members of the
	 * extension; a model's are the user's own, as when a registration makes
	 * them, so the script's membership is set aside while they are made.
	 */
	creating_extension = false;
	PG_TRY();
	{
		corm_begin_call();
		corm_sync_models(names("SELECT name FROM corm.model WHERE $1 = $1 ORDER BY registered", ""),
						 false);
		SPI_finish();
	}
	PG_FINALLY();
	{
		creating_extension = in_script;
	}
	PG_END_TRY();
	PG_RETURN_VOID();
}

/*
 * The event trigger on DROP EXTENSION: corm is not dropped while models are
 * registered, unless CASCADE says so (the models' tables and rows stay).
 */
Datum
corm_guard_drop(PG_FUNCTION_ARGS)
{
	EventTriggerData *trigdata;
	DropStmt   *stmt;
	ListCell   *lc;
	bool		corm = false;
	uint64		models;

	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("corm.guard_drop() must be called as an event trigger")));
	trigdata = (EventTriggerData *) fcinfo->context;
	if (!IsA(trigdata->parsetree, DropStmt))
		PG_RETURN_VOID();
	stmt = (DropStmt *) trigdata->parsetree;
	if (stmt->removeType != OBJECT_EXTENSION || stmt->behavior == DROP_CASCADE)
		PG_RETURN_VOID();
	foreach(lc, stmt->objects)
		if (IsA(lfirst(lc), String) && strcmp(strVal(lfirst(lc)), "corm") == 0)
			corm = true;
	if (!corm)
		PG_RETURN_VOID();
	SPI_connect();
	models = query("SELECT 1 FROM corm.model LIMIT 1", 0, NULL);
	SPI_finish();
	if (models > 0)
		ereport(ERROR,
				(errcode(ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST),
				 errmsg("cannot drop extension corm because models are registered"),
				 errdetail("Dropping it would forget the models; their tables would stay."),
				 errhint("Drop the models with corm.drop_model(), or use DROP EXTENSION corm CASCADE to keep their tables without corm.")));
	PG_RETURN_VOID();
}
