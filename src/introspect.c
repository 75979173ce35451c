/*
 * introspect.c — corm.ddl() and corm.model_columns(), what corm generates
 * for a model and where each of its columns comes from
 */
#include "corm.h"

#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/tuplestore.h"

PG_FUNCTION_INFO_V1(corm_ddl);
PG_FUNCTION_INFO_V1(corm_model_columns);

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
		appendStringInfoString(&buf, corm_plan_text(list_concat(corm_plan_model(res),
																corm_plan_view(res))));
		foreach(lc, corm_plan_functions(res))
			appendStringInfo(&buf, "%s;\n", corm_function_definition(lfirst(lc)));
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
