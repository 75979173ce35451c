/*
 * diagram.c — corm.diagram(): the models as an entity-relationship diagram
 */
#include "corm.h"

#include "fmgr.h"

PG_FUNCTION_INFO_V1(corm_diagram);

/* corm.diagram(format text, models text[]) RETURNS text */
Datum
corm_diagram(PG_FUNCTION_ARGS)
{
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("corm.diagram() is not built yet")));
	PG_RETURN_NULL();
}
