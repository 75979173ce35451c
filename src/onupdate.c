/*
 * onupdate.c — corm.onupdate(), the BEFORE UPDATE trigger behind onupdate
 *
 * One C function serves every table; its arguments are the table's
 * assignments, "column = expression".  A column gets its onupdate value only
 * when the UPDATE leaves it unchanged (NEW IS NOT DISTINCT FROM OLD): an
 * explicit new value wins, as with SQLAlchemy's onupdate.  Expressions read
 * the row as it was before the UPDATE, as a SET list does.
 *
 * Everything that does not change from row to row is resolved once per
 * trigger and cached: attribute numbers, types, and one prepared plan for
 * the expressions that need the executor.  The current-time functions
 * (now(), current_timestamp, localtimestamp, transaction_timestamp(),
 * statement_timestamp(), clock_timestamp()) need no executor at all.  A
 * relcache invalidation of the table (ALTER TABLE, CREATE or DROP TRIGGER)
 * drops the cached state.
 */
#include "corm.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "pgtime.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(corm_onupdate);

typedef enum OnupdateSource
{
	SOURCE_TRANSACTION_TIME,
	SOURCE_STATEMENT_TIME,
	SOURCE_CLOCK_TIME,
	SOURCE_EXPRESSION
} OnupdateSource;

typedef struct OnupdateColumn
{
	AttrNumber	attnum;
	Oid			typid;
	int16		typlen;
	bool		typbyval;
	OnupdateSource source;
	int			exprno;			/* column of the plan's result, from 1 */
} OnupdateColumn;

typedef struct OnupdateEntry
{
	Oid			tgoid;			/* hash key: the trigger */
	Oid			relid;
	bool		valid;
	MemoryContext cxt;
	int			ncols;
	OnupdateColumn *cols;
	SPIPlanPtr	plan;			/* the expressions, over the old row */
	/* work space for one row */
	int		   *replace_cols;
	Datum	   *replace_values;
	bool	   *replace_nulls;
} OnupdateEntry;

static HTAB *onupdate_cache = NULL;

static void
invalidate_onupdate(Datum arg, Oid relid)
{
	HASH_SEQ_STATUS status;
	OnupdateEntry *entry;

	hash_seq_init(&status, onupdate_cache);
	while ((entry = hash_seq_search(&status)) != NULL)
		if (relid == InvalidOid || entry->relid == relid)
			entry->valid = false;
}

/* which current-time function an expression is, if it is one */
static OnupdateSource
time_source(Node *expr, Oid typid, int32 typmod)
{
	if (typmod != -1 || (typid != TIMESTAMPTZOID && typid != TIMESTAMPOID))
		return SOURCE_EXPRESSION;
	if (IsA(expr, SQLValueFunction))
	{
		SQLValueFunction *svf = (SQLValueFunction *) expr;

		if ((svf->op == SVFOP_CURRENT_TIMESTAMP || svf->op == SVFOP_LOCALTIMESTAMP) &&
			svf->typmod == -1)
			return SOURCE_TRANSACTION_TIME;
	}
	if (IsA(expr, FuncCall))
	{
		FuncCall   *fc = (FuncCall *) expr;
		char	   *name = strVal(llast(fc->funcname));

		if (fc->args || fc->agg_star || fc->agg_distinct || fc->over ||
			fc->agg_filter || fc->agg_order || fc->func_variadic)
			return SOURCE_EXPRESSION;
		if (list_length(fc->funcname) == 2 &&
			strcmp(strVal(linitial(fc->funcname)), "pg_catalog") != 0)
			return SOURCE_EXPRESSION;
		if (list_length(fc->funcname) > 2)
			return SOURCE_EXPRESSION;
		if (strcmp(name, "now") == 0 || strcmp(name, "transaction_timestamp") == 0)
			return SOURCE_TRANSACTION_TIME;
		if (strcmp(name, "statement_timestamp") == 0)
			return SOURCE_STATEMENT_TIME;
		if (strcmp(name, "clock_timestamp") == 0)
			return SOURCE_CLOCK_TIME;
	}
	return SOURCE_EXPRESSION;
}

/* resolve a trigger's assignments against its table, once */
static void
build_entry(OnupdateEntry *entry, TriggerData *td)
{
	Trigger    *tg = td->tg_trigger;
	Relation	rel = td->tg_relation;
	TupleDesc	desc = RelationGetDescr(rel);
	StringInfoData sql;
	int			nexprs = 0;

	if (entry->plan)
		SPI_freeplan(entry->plan);
	if (entry->cxt)
		MemoryContextDelete(entry->cxt);
	entry->plan = NULL;
	entry->relid = RelationGetRelid(rel);
	entry->cxt = AllocSetContextCreate(CacheMemoryContext, "corm onupdate",
									   ALLOCSET_SMALL_SIZES);
	entry->ncols = 0;
	entry->cols = MemoryContextAllocZero(entry->cxt, sizeof(OnupdateColumn) * Max(tg->tgnargs, 1));
	entry->replace_cols = MemoryContextAlloc(entry->cxt, sizeof(int) * Max(tg->tgnargs, 1));
	entry->replace_values = MemoryContextAlloc(entry->cxt, sizeof(Datum) * Max(tg->tgnargs, 1));
	entry->replace_nulls = MemoryContextAlloc(entry->cxt, sizeof(bool) * Max(tg->tgnargs, 1));

	initStringInfo(&sql);
	appendStringInfoString(&sql, "SELECT ");
	for (int i = 0; i < tg->tgnargs; i++)
	{
		const char *what = psprintf("onupdate of table %s",
									quote_identifier(RelationGetRelationName(rel)));
		List	   *assignments = corm_parse_onupdate(tg->tgargs[i], what);
		CormAssignment *a;
		OnupdateColumn *col;
		Form_pg_attribute attr;
		AttrNumber	attnum;

		if (list_length(assignments) != 1)
			ereport(ERROR,
					(errcode(ERRCODE_TRIGGERED_ACTION_EXCEPTION),
					 errmsg("argument %d of trigger \"%s\" is not one assignment", i + 1, tg->tgname)));
		a = linitial(assignments);
		attnum = SPI_fnumber(desc, a->column);
		if (attnum <= 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("column \"%s\" set by trigger \"%s\" does not exist in table %s",
							a->column, tg->tgname, quote_identifier(RelationGetRelationName(rel))),
					 errhint("Register the model again to bring its trigger up to date.")));
		attr = TupleDescAttr(desc, attnum - 1);
		col = &entry->cols[entry->ncols++];
		col->attnum = attnum;
		col->typid = attr->atttypid;
		col->typlen = attr->attlen;
		col->typbyval = attr->attbyval;
		col->source = time_source(a->expr, attr->atttypid, attr->atttypmod);
		if (col->source == SOURCE_EXPRESSION)
		{
			appendStringInfo(&sql, "%s(%s)::%s", nexprs ? ", " : "", a->text,
							 format_type_with_typemod(attr->atttypid, attr->atttypmod));
			col->exprno = ++nexprs;
		}
	}
	if (nexprs > 0)
	{
		Oid			rowtype = RelationGetForm(rel)->reltype;

		appendStringInfo(&sql, " FROM (SELECT ($1).*) AS %s",
						 quote_identifier(RelationGetRelationName(rel)));
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		entry->plan = SPI_prepare(sql.data, 1, &rowtype);
		if (entry->plan == NULL)
			elog(ERROR, "could not prepare the onupdate expressions of trigger \"%s\": %s",
				 tg->tgname, SPI_result_code_string(SPI_result));
		SPI_keepplan(entry->plan);
		SPI_finish();
	}
	entry->valid = true;
}

static OnupdateEntry *
lookup_entry(TriggerData *td)
{
	OnupdateEntry *entry;
	bool		found;

	if (onupdate_cache == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(Oid);
		ctl.entrysize = sizeof(OnupdateEntry);
		onupdate_cache = hash_create("corm onupdate triggers", 64, &ctl,
									 HASH_ELEM | HASH_BLOBS);
		CacheRegisterRelcacheCallback(invalidate_onupdate, (Datum) 0);
	}
	entry = hash_search(onupdate_cache, &td->tg_trigger->tgoid, HASH_ENTER, &found);
	if (!found)
	{
		entry->cxt = NULL;
		entry->plan = NULL;
		entry->valid = false;
	}
	if (!entry->valid)
		build_entry(entry, td);
	return entry;
}

static Datum
time_value(OnupdateColumn *col)
{
	TimestampTz now;

	switch (col->source)
	{
		case SOURCE_STATEMENT_TIME:
			now = GetCurrentStatementStartTimestamp();
			break;
		case SOURCE_CLOCK_TIME:
			now = GetCurrentTimestamp();
			break;
		default:
			now = GetCurrentTransactionStartTimestamp();
			break;
	}
	if (col->typid == TIMESTAMPOID)
	{
		/* local time of the same instant in the same zone: once, not per row */
		static TimestampTz converted_from = DT_NOBEGIN;
		static pg_tz *converted_in = NULL;
		static Datum converted;

		if (now != converted_from || session_timezone != converted_in)
		{
			converted = DirectFunctionCall1(timestamptz_timestamp, TimestampTzGetDatum(now));
			converted_from = now;
			converted_in = session_timezone;
		}
		return converted;
	}
	return TimestampTzGetDatum(now);
}

/* corm.onupdate(VARIADIC assignments) RETURNS trigger */
Datum
corm_onupdate(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	OnupdateEntry *entry;
	TupleDesc	desc;
	HeapTuple	oldtup;
	HeapTuple	newtup;
	int			n = 0;
	bool		need_plan = false;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("corm.onupdate() must be called as a trigger")));
	if (!TRIGGER_FIRED_BY_UPDATE(td->tg_event) || !TRIGGER_FIRED_BEFORE(td->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("corm.onupdate() must be fired BEFORE UPDATE FOR EACH ROW")));

	entry = lookup_entry(td);
	desc = RelationGetDescr(td->tg_relation);
	oldtup = td->tg_trigtuple;
	newtup = td->tg_newtuple;

	for (int i = 0; i < entry->ncols; i++)
	{
		OnupdateColumn *col = &entry->cols[i];
		bool		oldnull;
		bool		newnull;
		Datum		oldval = heap_getattr(oldtup, col->attnum, desc, &oldnull);
		Datum		newval = heap_getattr(newtup, col->attnum, desc, &newnull);

		if (oldnull != newnull ||
			(!oldnull && !datum_image_eq(oldval, newval, col->typbyval, col->typlen)))
			continue;			/* set by the UPDATE itself: it wins */
		entry->replace_cols[n] = i;
		if (col->source == SOURCE_EXPRESSION)
			need_plan = true;
		else
		{
			entry->replace_values[n] = time_value(col);
			entry->replace_nulls[n] = false;
		}
		n++;
	}
	if (n == 0)
		return PointerGetDatum(newtup);

	if (need_plan)
	{
		MemoryContext caller = CurrentMemoryContext;
		Datum		row = heap_copy_tuple_as_datum(oldtup, desc);
		int			rc;

		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		rc = SPI_execute_plan(entry->plan, &row, NULL, false, 1);
		if (rc != SPI_OK_SELECT || SPI_processed != 1)
			elog(ERROR, "onupdate expressions of trigger \"%s\" returned no row",
				 td->tg_trigger->tgname);
		for (int j = 0; j < n; j++)
		{
			OnupdateColumn *col = &entry->cols[entry->replace_cols[j]];
			Datum		value;
			bool		isnull;
			MemoryContext old;

			if (col->source != SOURCE_EXPRESSION)
				continue;
			value = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc,
								  col->exprno, &isnull);
			old = MemoryContextSwitchTo(caller);
			entry->replace_values[j] = isnull ? (Datum) 0 :
				datumCopy(value, col->typbyval, col->typlen);
			MemoryContextSwitchTo(old);
			entry->replace_nulls[j] = isnull;
		}
		SPI_finish();
	}
	/* from here on the replaced columns are named by attribute number */
	for (int j = 0; j < n; j++)
		entry->replace_cols[j] = entry->cols[entry->replace_cols[j]].attnum;
	return PointerGetDatum(heap_modify_tuple_by_cols(newtup, desc, n, entry->replace_cols,
													 entry->replace_values,
													 entry->replace_nulls));
}
