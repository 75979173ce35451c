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
#include "utils/array.h"
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
	if ((res->kind == CORM_ROOT || res->kind == CORM_JOINED) && res->server)
		corm_drop_remote_table(res, cascade);
	else if (res->kind == CORM_ROOT || res->kind == CORM_JOINED)
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
	CormCollector collector;
	char	   *name = corm_name_arg(fcinfo, 0, "model");
	bool		cascade = !PG_ARGISNULL(1) && PG_GETARG_BOOL(1);

	List	   *dropped = NIL;

	corm_start_call(&collector);
	drop_model(name, cascade, &dropped);
	report_cascade(dropped);
	return corm_finish_call(fcinfo, &collector);
}

/* corm.drop_mixin(name, cascade) */
Datum
corm_drop_mixin(PG_FUNCTION_ARGS)
{
	CormCollector collector;
	char	   *name = corm_name_arg(fcinfo, 0, "mixin");
	bool		cascade = !PG_ARGISNULL(1) && PG_GETARG_BOOL(1);
	List	   *mixins;
	List	   *models;
	List	   *dropped = NIL;
	ListCell   *lc;

	corm_start_call(&collector);
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
	return corm_finish_call(fcinfo, &collector);
}

/* corm.drop_model_class(name, cascade) */
Datum
corm_drop_model_class(PG_FUNCTION_ARGS)
{
	CormCollector collector;
	char	   *name = corm_name_arg(fcinfo, 0, "model class");
	bool		cascade = !PG_ARGISNULL(1) && PG_GETARG_BOOL(1);
	List	   *models;
	List	   *dropped = NIL;

	corm_start_call(&collector);
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
	return corm_finish_call(fcinfo, &collector);
}

/* corm.drop_meta(name, cascade) */
Datum
corm_drop_meta(PG_FUNCTION_ARGS)
{
	CormCollector collector;
	char	   *name = corm_name_arg(fcinfo, 0, "meta policy");
	bool		cascade = !PG_ARGISNULL(1) && PG_GETARG_BOOL(1);
	List	   *classes;
	List	   *dropped = NIL;
	ListCell   *lc;

	corm_start_call(&collector);
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
	return corm_finish_call(fcinfo, &collector);
}

/* corm.drop_bind(key, cascade) */
Datum
corm_drop_bind(PG_FUNCTION_ARGS)
{
	CormCollector collector;
	char	   *key = corm_name_arg(fcinfo, 0, "bind key");
	bool		cascade = !PG_ARGISNULL(1) && PG_GETARG_BOOL(1);
	List	   *models;
	List	   *dropped = NIL;

	corm_start_call(&collector);
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
	return corm_finish_call(fcinfo, &collector);
}

/* corm.drop_query_class(name, cascade) */
Datum
corm_drop_query_class(PG_FUNCTION_ARGS)
{
	CormCollector collector;
	char	   *name = corm_name_arg(fcinfo, 0, "query class");
	bool		cascade = !PG_ARGISNULL(1) && PG_GETARG_BOOL(1);
	List	   *dependents;
	List	   *affected;
	List	   *dropped = NIL;
	ListCell   *lc;

	corm_start_call(&collector);
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
	return corm_finish_call(fcinfo, &collector);
}

/* corm.drop_query_method(query_class, name) */
Datum
corm_drop_query_method(PG_FUNCTION_ARGS)
{
	CormCollector collector;
	char	   *query_class = corm_name_arg(fcinfo, 0, "query class");
	char	   *name = corm_name_arg(fcinfo, 1, "query method");
	const char *args[2] = {query_class, name};

	corm_start_call(&collector);
	if (strcmp(query_class, "BaseQuery") == 0)
		corm_refuse_builtin("query class", query_class);
	corm_require_owner("query class", "query_class", "name", query_class);
	if (query("DELETE FROM corm.query_method WHERE query_class = $1 AND name = $2", 2, args) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("query method \"%s\" of query class \"%s\" does not exist", name, query_class)));
	corm_sync_models(corm_models_to_sync("query class", query_class), false);
	return corm_finish_call(fcinfo, &collector);
}

/* corm.drop_relationship(model, name) */
Datum
corm_drop_relationship(PG_FUNCTION_ARGS)
{
	CormCollector collector;
	char	   *model = corm_name_arg(fcinfo, 0, "model");
	char	   *name = corm_name_arg(fcinfo, 1, "relationship");
	const char *args[2] = {model, name};

	corm_start_call(&collector);
	corm_require_owner("model", "model", "name", model);
	if (query("DELETE FROM corm.relationship WHERE model = $1 AND name = $2", 2, args) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("relationship \"%s\" of model \"%s\" does not exist", name, model)));
	corm_sync_functions(corm_resolve_model(model, false));
	return corm_finish_call(fcinfo, &collector);
}

/*
 * A model's polymorphic identity defaults to its name.  Renamed, it takes
 * the new name, as a model registered under that name would (a fresh
 * database built from the definitions holds it so), and its rows follow:
 * their discriminator changes from the old identity to the new.  An
 * identity given explicitly (another text than the name) stays.
 */
static bool
rename_identity(const char *old, const char *new)
{
	const char *args[2] = {old, new};

	return query("UPDATE corm.model SET polymorphic_identity = $2"
				 " WHERE name = $2 AND polymorphic_identity = $1", 2, args) > 0;
}

/*
 * The rows of a renamed model whose identity followed the rename: after the
 * sync, so that the table goes by the name it has now, and in the table that
 * holds the discriminator (the root's, for a joined subclass).
 */
static void
rename_identity_rows(const char *old, const char *new)
{
	CormResolved *res;
	CormResolved *holder;
	const char *disc;
	char	   *sql;
	uint64		rows = 0;

	corm_reset_resolve_cache();
	res = corm_resolve_model(new, false);
	disc = corm_discriminator(res);
	if (disc == NULL || res->kind == CORM_ABSTRACT)
		return;
	holder = corm_table_owner(res);
	while (holder->table_parent && !corm_find_column(holder->table_columns, disc))
		holder = corm_table_owner(holder->table_parent);
	sql = psprintf("UPDATE %s SET %s = %s WHERE %s = %s",
				   corm_qualified(holder->schema, holder->table), quote_identifier(disc),
				   quote_literal_cstr(new), quote_identifier(disc), quote_literal_cstr(old));
	/*
	 * A table in another database is updated over corm's own connection,
	 * in the remote transaction that renamed it: postgres_fdw's would not
	 * see it under its new name before the commit.
	 */
	if (holder->server)
		rows = corm_remote_update(holder->server, holder->bind_key, sql);
	else if (SPI_execute(sql, false, 0) != SPI_OK_UPDATE)
		elog(ERROR, "could not update the discriminator of %s", holder->table);
	else
		rows = SPI_processed;
	ereport(NOTICE,
			(errmsg_plural("model \"%s\" takes the polymorphic identity \"%s\", and so does its %llu row of table %s",
						   "model \"%s\" takes the polymorphic identity \"%s\", and so do its %llu rows of table %s",
						   rows, new, new, (unsigned long long) rows,
						   corm_qualified(holder->schema, holder->table)),
			 errdetail("Its identity was its old name, \"%s\".", old),
			 errhint("To keep an identity through a rename, give it explicitly (polymorphic_identity => '...') before renaming.")));
}

/* corm.rename_model(old, new): the class, its table (when named after it), view and functions */
Datum
corm_rename_model(PG_FUNCTION_ARGS)
{
	CormCollector collector;
	char	   *old = corm_name_arg(fcinfo, 0, "model");
	char	   *new = corm_name_arg(fcinfo, 1, "model");
	const char *args[2] = {old, new};
	List	   *sync;
	bool		identity;

	corm_start_call(&collector);
	corm_load_model(old, false);
	corm_require_owner("model", "model", "name", old);
	if (corm_load_model(new, true))
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_OBJECT),
				 errmsg("model \"%s\" already exists", new)));
	query("UPDATE corm.model SET name = $2 WHERE name = $1", 2, args);
	identity = rename_identity(old, new);
	sync = corm_models_to_sync("model", new);
	sync = list_concat(sync, corm_models_to_sync("relationship target", new));
	corm_sync_models(sync, false);
	if (identity)
		rename_identity_rows(old, new);
	return corm_finish_call(fcinfo, &collector);
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
	CormCollector collector;
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

	corm_start_call(&collector);
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

	foreach(lc, row->indexes)
	{
		CormIndexDef *index = corm_parse_index(lfirst(lc), psprintf("indexes of model \"%s\"", model));
		ListCell   *cc;

		foreach(cc, index->columns)
			if (strcmp(lfirst(cc), old) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("column \"%s\" of model \"%s\" is named by its index \"%s\"",
								old, model, index->text),
						 errhint("Register the model again with the new name everywhere, or rename the column there first.")));
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
	if (res->server)
		corm_rename_remote_column(res, old, new);
	else
		corm_execute(psprintf("ALTER TABLE %s RENAME COLUMN %s TO %s",
							  corm_qualified(res->schema, res->table), quote_identifier(old),
							  quote_identifier(new)));
	args[0] = model;
	args[1] = text.data;
	query("UPDATE corm.model SET columns = $2 WHERE name = $1", 2, args);
	corm_reset_resolve_cache();
	corm_sync_models(list_concat(corm_models_to_sync("model", model),
								 corm_models_to_sync("relationship target", model)), false);
	return corm_finish_call(fcinfo, &collector);
}

/*
 * Run "work" in a subtransaction that is always rolled back, with
 * "collector" listening to the statements corm runs.  Returns the error
 * message if it failed, and its SQLSTATE in *code.
 */
static char *
collect_rolled_back(void (*work) (void *), void *arg, CormCollector *collector, int *code)
{
	MemoryContext caller = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	char	   *volatile failure = NULL;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(caller);
	corm_start_collecting(collector);
	PG_TRY();
	{
		work(arg);
	}
	PG_CATCH();
	{
		ErrorData  *error;

		MemoryContextSwitchTo(collector->cxt);
		error = CopyErrorData();
		FlushErrorState();
		failure = psprintf("%s (SQLSTATE %s)", error->message, unpack_sql_state(error->sqlerrcode));
		*code = error->sqlerrcode;
	}
	PG_END_TRY();
	corm_stop_collecting(collector);
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

/*
 * What a dry run sees of each statement, measured in the rolled-back run
 * rather than guessed: for every relation of the user's (tables, views,
 * materialized and foreign tables), the lock modes this backend holds on it,
 * its file and how many sequential scans the transaction made of it, read
 * just before and just after the statement.  A mode held after and not
 * before is a lock the statement took (PostgreSQL records every mode it
 * grants, a weaker one beside a stronger one); a new file is a rewrite; a
 * new scan is a scan of the rows (validating a constraint, NOT NULL, a
 * rewrite's copy).
 */
static const char *const lock_modes[] = {
	"AccessShareLock", "RowShareLock", "RowExclusiveLock", "ShareUpdateExclusiveLock",
	"ShareLock", "ShareRowExclusiveLock", "ExclusiveLock", "AccessExclusiveLock"
};

typedef struct RelationState
{
	Oid			relid;
	char	   *name;			/* schema-qualified */
	Oid			filenode;
	int64		scans;
	int			modes;			/* bit n: lock_modes[n] held */
} RelationState;

typedef struct DryRunStep
{
	int			step;
	char	   *ddl;
	char	   *relation;		/* NULL: the statement touched none */
	const char *lock;
	bool		rewrite;
	bool		scan;
} DryRunStep;

typedef struct DryRun
{
	MemoryContext cxt;
	List	   *before;			/* RelationState *, by OID */
	List	   *steps;			/* DryRunStep * */
	int			step;
} DryRun;

static List *
relation_states(MemoryContext cxt)
{
	List	   *states = NIL;
	Datum		modes[lengthof(lock_modes)];
	Oid			argtypes[1] = {TEXTARRAYOID};
	Datum		values[1];
	MemoryContext old;

	for (int m = 0; m < (int) lengthof(lock_modes); m++)
		modes[m] = CStringGetTextDatum(lock_modes[m]);
	values[0] = PointerGetDatum(construct_array(modes, lengthof(lock_modes), TEXTOID,
												-1, false, TYPALIGN_INT));
	if (corm_system_spi("WITH held AS ("
						"  SELECT l.relation, pg_catalog.bit_or(1 << (pg_catalog.array_position($1, l.mode) - 1)) AS modes"
						"    FROM pg_catalog.pg_locks l"
						"   WHERE l.locktype = 'relation' AND l.granted AND l.pid = pg_catalog.pg_backend_pid()"
						"     AND l.database = (SELECT d.oid FROM pg_catalog.pg_database d"
						"                        WHERE d.datname = pg_catalog.current_database())"
						"   GROUP BY l.relation)"
						" SELECT c.oid, pg_catalog.format('%I.%I', n.nspname, c.relname),"
						"        coalesce(pg_catalog.pg_relation_filenode(c.oid), 0),"
						"        coalesce(pg_catalog.pg_stat_get_xact_numscans(c.oid), 0),"
						"        coalesce(h.modes, 0)"
						"   FROM pg_catalog.pg_class c"
						"   JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
						"   LEFT JOIN held h ON h.relation = c.oid"
						"  WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')"
						"    AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast', 'corm')"
						"  ORDER BY c.oid", 1, argtypes, values, NULL) != SPI_OK_SELECT)
		elog(ERROR, "could not read the relations of the database");
	old = MemoryContextSwitchTo(cxt);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		RelationState *state = palloc(sizeof(RelationState));
		bool		isnull;

		state->relid = DatumGetObjectId(SPI_getbinval(tup, desc, 1, &isnull));
		state->name = SPI_getvalue(tup, desc, 2);
		state->filenode = DatumGetObjectId(SPI_getbinval(tup, desc, 3, &isnull));
		state->scans = DatumGetInt64(SPI_getbinval(tup, desc, 4, &isnull));
		state->modes = DatumGetInt32(SPI_getbinval(tup, desc, 5, &isnull));
		states = lappend(states, state);
	}
	MemoryContextSwitchTo(old);
	return states;
}

static void
add_dry_run_step(DryRun *run, const char *sql, const char *relation, int modes,
				 bool rewrite, bool scan)
{
	MemoryContext old = MemoryContextSwitchTo(run->cxt);
	DryRunStep *step = palloc0(sizeof(DryRunStep));

	step->step = run->step;
	step->ddl = pstrdup(sql);
	step->relation = relation ? pstrdup(relation) : NULL;
	for (int m = lengthof(lock_modes) - 1; m >= 0; m--)
		if (modes & (1 << m))
		{
			step->lock = lock_modes[m];
			break;
		}
	step->rewrite = rewrite;
	step->scan = scan;
	run->steps = lappend(run->steps, step);
	MemoryContextSwitchTo(old);
}

static int
compare_dry_run_steps(const ListCell *a, const ListCell *b)
{
	DryRunStep *x = lfirst(a);
	DryRunStep *y = lfirst(b);

	if (x->step != y->step)
		return x->step - y->step;
	if (x->relation == NULL || y->relation == NULL)
		return (x->relation == NULL) - (y->relation == NULL);
	return strcmp(x->relation, y->relation);
}

/* the observer of a dry run: compares each statement's after with its before */
static void
observe_statement(const char *sql, bool done, void *arg)
{
	DryRun	   *run = arg;
	List	   *after;
	ListCell   *b;
	ListCell   *a;
	bool		touched = false;

	if (!done)
	{
		run->before = relation_states(run->cxt);
		return;
	}
	run->step++;
	after = relation_states(run->cxt);
	b = list_head(run->before);
	a = list_head(after);
	while (a || b)
	{
		RelationState *x = b ? lfirst(b) : NULL;
		RelationState *y = a ? lfirst(a) : NULL;

		if (y && (x == NULL || y->relid < x->relid))
		{
			/* made by the statement */
			if (y->modes)
			{
				add_dry_run_step(run, sql, y->name, y->modes, false, false);
				touched = true;
			}
			a = lnext(after, a);
		}
		else if (x && (y == NULL || x->relid < y->relid))
		{
			/* dropped by it: DROP takes ACCESS EXCLUSIVE, and then it is gone */
			add_dry_run_step(run, sql, x->name, 1 << (lengthof(lock_modes) - 1), false, false);
			touched = true;
			b = lnext(run->before, b);
		}
		else
		{
			int			taken = y->modes & ~x->modes;
			bool		rewrite = x->filenode != y->filenode;
			bool		scan = y->scans > x->scans;

			if (taken || rewrite || scan)
			{
				add_dry_run_step(run, sql, y->name, taken ? taken : y->modes, rewrite, scan);
				touched = true;
			}
			a = lnext(after, a);
			b = lnext(run->before, b);
		}
	}
	if (!touched)
		add_dry_run_step(run, sql, NULL, 0, false, false);
	run->before = NIL;
}

/*
 * corm.dry_run(statement text) RETURNS TABLE(step, ddl, relation, lock,
 * rewrite, scan): the statements a call would run and what each does to
 * every relation it touches, measured in a run that is rolled back, so
 * that nothing changes.  (0.1 declared it RETURNS text, the statements
 * alone: a database not yet updated gets that.)
 */
Datum
corm_dry_run(PG_FUNCTION_ARGS)
{
	char	   *statement = text_to_cstring(PG_GETARG_TEXT_PP(0));
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	bool		measure = rsinfo && IsA(rsinfo, ReturnSetInfo);
	DryRun		run = {CurrentMemoryContext, NIL, NIL, 0};
	CormCollector collector = {NIL, CurrentMemoryContext, NULL, NULL};
	int			failure_code = 0;
	char	   *failure;
	ListCell   *lc;

	if (measure)
	{
		collector.observe = observe_statement;
		collector.arg = &run;
	}
	failure = collect_rolled_back(run_statement, statement, &collector, &failure_code);
	if (failure)
		ereport(ERROR,
				(errcode(failure_code),
				 errmsg("the statement would fail: %s", failure)));
	if (!measure)
	{
		StringInfoData buf;

		initStringInfo(&buf);
		foreach(lc, collector.statements)
			appendStringInfo(&buf, "%s;\n", (char *) lfirst(lc));
		PG_RETURN_TEXT_P(cstring_to_text(buf.data));
	}
	InitMaterializedSRF(fcinfo, 0);
	list_sort(run.steps, compare_dry_run_steps);
	foreach(lc, run.steps)
	{
		DryRunStep *step = lfirst(lc);
		Datum		values[6] = {Int32GetDatum(step->step), CStringGetTextDatum(step->ddl),
			step->relation ? CStringGetTextDatum(step->relation) : (Datum) 0,
			step->lock ? CStringGetTextDatum(step->lock) : (Datum) 0,
		BoolGetDatum(step->rewrite), BoolGetDatum(step->scan)};
		bool		nulls[6] = {false, false, step->relation == NULL, step->lock == NULL,
		step->relation == NULL, step->relation == NULL};

		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
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
		CormCollector collector = {NIL, keep, NULL, NULL};
		int			code = 0;
		char	   *failure = collect_rolled_back(sync_one, lfirst(lc), &collector, &code);
		ListCell   *sc;

		if (failure)
		{
			Datum		values[3] = {CStringGetTextDatum(lfirst(lc)), CStringGetTextDatum(failure), 0};
			bool		nulls[3] = {false, false, true};

			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
		foreach(sc, collector.statements)
		{
			Datum		values[3] = {CStringGetTextDatum(lfirst(lc)),
				CStringGetTextDatum("differs from its definition"),
			CStringGetTextDatum(lfirst(sc))};
			bool		nulls[3] = {false, false, false};

			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
		/* what corm leaves alone: one row each, with nothing to run */
		foreach(sc, collector.problems)
		{
			Datum		values[3] = {CStringGetTextDatum(lfirst(lc)), CStringGetTextDatum(lfirst(sc)), 0};
			bool		nulls[3] = {false, false, true};

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
