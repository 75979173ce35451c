/*
 * introspect.c — corm.ddl() and corm.model_columns(), what corm generates
 * for a model and where each of its columns comes from
 */
#include "corm.h"

#include "executor/spi.h"
#include "access/relation.h"
#include "catalog/pg_type.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/typcache.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/tuplestore.h"

PG_FUNCTION_INFO_V1(corm_ddl);
PG_FUNCTION_INFO_V1(corm_model_columns);
PG_FUNCTION_INFO_V1(corm_model_indexes);

/* corm.ddl(model text) RETURNS text: the DDL of everything generated for a model */
Datum
corm_ddl(PG_FUNCTION_ARGS)
{
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	MemoryContext caller = CurrentMemoryContext;
	CormResolved *res;
	text	   *result = NULL;

	SPI_connect();
	corm_reset_resolve_cache();
	res = corm_resolve_model(name, false);
	if (res->kind != CORM_ABSTRACT)
	{
		StringInfoData buf;
		ListCell   *lc;
		MemoryContext old;

		initStringInfo(&buf);
		appendStringInfoString(&buf, corm_plan_text(list_concat(res->server ?
																corm_plan_remote_model(res, NULL) :
																corm_plan_model(res, NULL),
																corm_plan_view(res))));
		foreach(lc, corm_plan_functions(res))
		{
			char	   *body = corm_function_body(lfirst(lc));

			appendStringInfo(&buf, "%s;\n", corm_function_definition(lfirst(lc)));
			if (body)
			{
				/* what its corm.call() runs, as a comment of the script */
				appendStringInfoString(&buf, "-- which runs, with a plan kept for the session:\n--   ");
				for (const char *c = body; *c; c++)
				{
					/* a line comment ends at either: each line gets its own */
					appendStringInfoChar(&buf, *c == '\r' ? '\n' : *c);
					if (*c == '\n' || *c == '\r')
						appendStringInfoString(&buf, "--   ");
				}
				appendStringInfoChar(&buf, '\n');
			}
		}
		old = MemoryContextSwitchTo(caller);
		result = cstring_to_text(buf.data);
		MemoryContextSwitchTo(old);
	}
	SPI_finish();
	if (result == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(result);
}

/*
 * corm.model_columns(model text) RETURNS SETOF (position, name, type,
 * not_null, default, primary_key, origin, table): a model's full row.
 */
Datum
corm_model_columns(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	CormResolved *res;
	ListCell   *lc;
	int			position = 0;

	InitMaterializedSRF(fcinfo, 0);
	SPI_connect();
	corm_reset_resolve_cache();
	res = corm_resolve_model(name, false);
	foreach(lc, res->columns)
	{
		CormColumn *col = lfirst(lc);
		Datum		values[8];
		bool		nulls[8] = {0};
		char	   *def = corm_column_default(col);
		NameData	colname;

		namestrcpy(&colname, col->name);
		values[0] = Int32GetDatum(++position);
		values[1] = NameGetDatum(&colname);
		values[2] = CStringGetTextDatum(corm_type_sql(col));
		values[3] = BoolGetDatum(corm_column_not_null(col));
		values[4] = def ? CStringGetTextDatum(def) : (Datum) 0;
		nulls[4] = (def == NULL);
		values[5] = BoolGetDatum(col->primary_key);
		values[6] = CStringGetTextDatum(col->origin);
		values[7] = col->table ? CStringGetTextDatum(col->table) : (Datum) 0;
		nulls[7] = (col->table == NULL);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	SPI_finish();
	PG_RETURN_VOID();
}

/*
 * corm.model_indexes(model text) RETURNS SETOF (name, table, unique,
 * definition, origin): the indexes a model puts on its table (a
 * single-table subclass: on the shared one), declared or made for a
 * foreign key, with the statement that makes each.
 */
Datum
corm_model_indexes(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	CormResolved *res;
	CormResolved *owner;
	ListCell   *lc;

	InitMaterializedSRF(fcinfo, 0);
	SPI_connect();
	corm_reset_resolve_cache();
	res = corm_resolve_model(name, false);
	if (res->kind == CORM_ABSTRACT)
	{
		SPI_finish();
		PG_RETURN_VOID();
	}
	owner = corm_table_owner(res);
	foreach(lc, corm_plan_indexes(owner, lcons(owner, corm_single_sharers(owner))))
	{
		CormPlannedIndex *p = lfirst(lc);
		Datum		values[5];
		bool		nulls[5] = {0};
		NameData	indexname;

		if (p->holder != res)
			continue;
		namestrcpy(&indexname, p->name);
		values[0] = NameGetDatum(&indexname);
		values[1] = CStringGetTextDatum(corm_qualified(owner->schema, owner->table));
		values[2] = BoolGetDatum(p->index->def->unique);
		values[3] = CStringGetTextDatum(p->sql);
		values[4] = CStringGetTextDatum(p->index->origin);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	SPI_finish();
	PG_RETURN_VOID();
}

/*
 * corm.catalog_form(kind text, object text) RETURNS text: what a generated
 * object is, as the system catalogs hold it — a view's definition with its
 * column defaults and triggers, a function's whole definition, a composite
 * type's attributes — or NULL when it does not exist.  corm records it when
 * it makes the object and compares it on every sync (and so in
 * corm.check()): that is how an object changed by hand is seen.  Names are
 * printed with search_path set to pg_catalog, so the form does not depend
 * on the caller's.
 */
PG_FUNCTION_INFO_V1(corm_catalog_form);

static char *
view_form(Oid relid)
{
	StringInfoData buf;
	Relation	rel;
	TupleConstr *constr;

	if (get_rel_relkind(relid) != RELKIND_VIEW)
		return NULL;
	initStringInfo(&buf);
	appendStringInfoString(&buf, TextDatumGetCString(DirectFunctionCall1(pg_get_viewdef,
																		 ObjectIdGetDatum(relid))));
	rel = relation_open(relid, AccessShareLock);
	constr = RelationGetDescr(rel)->constr;
	for (int i = 0; constr && i < constr->num_defval; i++)
		appendStringInfo(&buf, "\n%s DEFAULT %s",
						 NameStr(TupleDescAttr(RelationGetDescr(rel), constr->defval[i].adnum - 1)->attname),
						 TextDatumGetCString(DirectFunctionCall2(pg_get_expr,
																 CStringGetTextDatum(constr->defval[i].adbin),
																 ObjectIdGetDatum(relid))));
	for (int i = 0; rel->trigdesc && i < rel->trigdesc->numtriggers; i++)
		if (!rel->trigdesc->triggers[i].tgisinternal)
			appendStringInfo(&buf, "\n%s",
							 TextDatumGetCString(DirectFunctionCall1(pg_get_triggerdef,
																	 ObjectIdGetDatum(rel->trigdesc->triggers[i].tgoid))));
	relation_close(rel, AccessShareLock);
	return buf.data;
}

static char *
type_form(Oid typid)
{
	StringInfoData buf;
	TupleDesc	desc;

	if (get_typtype(typid) != TYPTYPE_COMPOSITE)
		return NULL;
	desc = lookup_rowtype_tupdesc(typid, -1);
	initStringInfo(&buf);
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute attr = TupleDescAttr(desc, i);

		if (!attr->attisdropped)
			appendStringInfo(&buf, "%s%s %s", buf.len ? ", " : "", NameStr(attr->attname),
							 format_type_with_typemod(attr->atttypid, attr->atttypmod));
	}
	ReleaseTupleDesc(desc);
	return buf.data;
}

/* to_regclass() and its siblings, which return NULL for a name that is not there */
static Oid
lookup_oid(PGFunction to_reg, text *name)
{
	LOCAL_FCINFO(call, 1);
	Datum		result;

	InitFunctionCallInfoData(*call, NULL, 1, InvalidOid, NULL, NULL);
	call->args[0].value = PointerGetDatum(name);
	call->args[0].isnull = false;
	result = to_reg(call);
	return call->isnull ? InvalidOid : DatumGetObjectId(result);
}

Datum
corm_catalog_form(PG_FUNCTION_ARGS)
{
	char	   *kind;
	text	   *object;
	char	   *form = NULL;
	int			nestlevel;
	Oid			oid;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	kind = text_to_cstring(PG_GETARG_TEXT_PP(0));
	object = PG_GETARG_TEXT_PP(1);
	nestlevel = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	if (strcmp(kind, "view") == 0)
	{
		oid = lookup_oid(to_regclass, object);
		if (OidIsValid(oid))
			form = view_form(oid);
	}
	else if (strcmp(kind, "type") == 0)
	{
		oid = lookup_oid(to_regtype, object);
		if (OidIsValid(oid))
			form = type_form(oid);
	}
	else if (strcmp(kind, "function") == 0)
	{
		oid = lookup_oid(to_regprocedure, object);
		if (OidIsValid(oid))
			form = TextDatumGetCString(DirectFunctionCall1(pg_get_functiondef,
															  ObjectIdGetDatum(oid)));
	}
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown kind of generated object \"%s\"", kind),
				 errhint("The kinds are view, type and function.")));
	AtEOXact_GUC(true, nestlevel);
	if (form == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(form));
}
