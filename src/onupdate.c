/*
 * onupdate.c — corm.onupdate(), the BEFORE UPDATE trigger behind onupdate
 *
 * One C function serves every table; its arguments are the table's
 * assignments, "column = expression".  A column gets its onupdate value
 * when the UPDATE's SET list does not name it, as with SQLAlchemy, which
 * leaves out its onupdate for any column the statement names:
 * "UPDATE post SET updated = updated" keeps updated.  PostgreSQL gives a
 * row trigger the columns the statement names (tg_updatedcols, which also
 * holds the generated columns that depend on them).  Expressions read the
 * row as it was before the UPDATE, as a SET list does.
 *
 * A BEFORE UPDATE trigger of the table that fires before this one (its
 * name sorts first) may have set a column the statement does not name:
 * such a change wins, as it would over an onupdate written into the SET
 * list.  Only then are values compared: a column such a trigger left as it
 * was (the type's equality, as IS NOT DISTINCT FROM has it; byte equality
 * for types without one) gets its onupdate value.  A caller that gives no
 * tg_updatedcols at all is met the same way.  Only the expressions of the
 * columns to set are evaluated, so a volatile one (nextval()) has no side
 * effect for a column the UPDATE sets itself.
 *
 * Everything that does not change from row to row is resolved once per
 * trigger and cached: attribute numbers, types, equality functions, whether
 * another BEFORE UPDATE trigger fires first, and a prepared plan for each
 * expression that needs the executor.  The current-time functions (now(),
 * current_timestamp, localtimestamp, transaction_timestamp(),
 * statement_timestamp(), clock_timestamp()) need no executor at all.  A
 * relcache invalidation of the table (ALTER TABLE, CREATE or DROP TRIGGER)
 * drops the cached state.
 */
#include "corm.h"

#include "access/htup_details.h"
#include "access/sysattr.h"
#include "access/xact.h"
#include "catalog/pg_trigger.h"
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
#include "utils/typcache.h"

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
	int			updatedcol;		/* attnum as tg_updatedcols holds it */
	Oid			typid;
	int16		typlen;
	bool		typbyval;
	Oid			collation;
	FmgrInfo   *equal;			/* the type's equality, NULL: compare bytes */
	OnupdateSource source;
	SPIPlanPtr	plan;			/* SOURCE_EXPRESSION: the expression over the old row */
} OnupdateColumn;

typedef struct OnupdateEntry
{
	Oid			tgoid;			/* hash key: the trigger */
	Oid			relid;
	bool		valid;
	int			busy;			/* firings using it now (nested via expressions) */
	bool		after_others;	/* another BEFORE UPDATE row trigger fires first */
	MemoryContext cxt;
	int			ncols;
	OnupdateColumn *cols;
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

/* free what an entry holds, before it is built again */
static void
release_entry(OnupdateEntry *entry)
{
	for (int i = 0; i < entry->ncols; i++)
		if (entry->cols[i].plan)
			SPI_freeplan(entry->cols[i].plan);
	if (entry->cxt)
		MemoryContextDelete(entry->cxt);
	entry->cxt = NULL;
	entry->ncols = 0;
}

/* a plan computing one expression, cast to its column's type, over the old row */
static SPIPlanPtr
prepare_expression(Relation rel, CormAssignment *a, Form_pg_attribute attr)
{
	Oid			rowtype = RelationGetForm(rel)->reltype;
	char	   *sql = psprintf("SELECT (%s)::%s FROM (SELECT ($1).*) AS %s", a->text,
							   format_type_with_typemod(attr->atttypid, attr->atttypmod),
							   quote_identifier(RelationGetRelationName(rel)));
	SPIPlanPtr	plan;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	plan = SPI_prepare(sql, 1, &rowtype);
	if (plan == NULL)
		elog(ERROR, "could not prepare the onupdate expression of column \"%s\": %s",
			 a->column, SPI_result_code_string(SPI_result));
	SPI_keepplan(plan);
	SPI_finish();
	return plan;
}

/* whether a BEFORE UPDATE row trigger of the table fires before this one */
static bool
fires_after_others(Relation rel, Oid tgoid)
{
	TriggerDesc *trigdesc = rel->trigdesc;

	for (int i = 0; trigdesc && i < trigdesc->numtriggers; i++)
	{
		Trigger    *other = &trigdesc->triggers[i];

		if (other->tgoid == tgoid)
			return false;
		if (TRIGGER_TYPE_MATCHES(other->tgtype, TRIGGER_TYPE_ROW, TRIGGER_TYPE_BEFORE,
								 TRIGGER_TYPE_UPDATE))
			return true;
	}
	return false;
}

/* resolve a trigger's assignments against its table, once */
static void
build_entry(OnupdateEntry *entry, TriggerData *td)
{
	Trigger    *tg = td->tg_trigger;
	Relation	rel = td->tg_relation;
	TupleDesc	desc = RelationGetDescr(rel);
	int			n = Max(tg->tgnargs, 1);

	/*
	 * A firing further up the stack may still use the old state (an
	 * expression that updated the table again after an invalidation): then
	 * it is left for that firing to finish with, and goes with the new state
	 * (its saved plans stay until the backend exits: a rare case).
	 */
	MemoryContext previous = NULL;

	if (entry->busy == 0)
		release_entry(entry);
	else
		previous = entry->cxt;
	entry->valid = false;
	entry->ncols = 0;
	entry->relid = RelationGetRelid(rel);
	entry->after_others = fires_after_others(rel, tg->tgoid);
	entry->cxt = AllocSetContextCreate(CacheMemoryContext, "corm onupdate",
									   ALLOCSET_SMALL_SIZES);
	if (previous)
		MemoryContextSetParent(previous, entry->cxt);
	entry->cols = MemoryContextAllocZero(entry->cxt, sizeof(OnupdateColumn) * n);
	entry->replace_cols = MemoryContextAlloc(entry->cxt, sizeof(int) * n);
	entry->replace_values = MemoryContextAlloc(entry->cxt, sizeof(Datum) * n);
	entry->replace_nulls = MemoryContextAlloc(entry->cxt, sizeof(bool) * n);

	for (int i = 0; i < tg->tgnargs; i++)
	{
		const char *what = psprintf("onupdate of table %s",
									quote_identifier(RelationGetRelationName(rel)));
		List	   *assignments = corm_parse_onupdate(tg->tgargs[i], what);
		CormAssignment *a;
		OnupdateColumn *col;
		Form_pg_attribute attr;
		AttrNumber	attnum;
		TypeCacheEntry *type;

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
		col->updatedcol = attnum - FirstLowInvalidHeapAttributeNumber;
		col->typid = attr->atttypid;
		col->typlen = attr->attlen;
		col->typbyval = attr->attbyval;
		col->collation = attr->attcollation;
		type = lookup_type_cache(attr->atttypid, TYPECACHE_EQ_OPR_FINFO);
		if (OidIsValid(type->eq_opr_finfo.fn_oid))
		{
			col->equal = MemoryContextAlloc(entry->cxt, sizeof(FmgrInfo));
			fmgr_info_cxt(type->eq_opr_finfo.fn_oid, col->equal, entry->cxt);
		}
		col->source = time_source(a->expr, attr->atttypid, attr->atttypmod);
		if (col->source == SOURCE_EXPRESSION)
			col->plan = prepare_expression(rel, a, attr);
	}
	entry->valid = true;
}

/* whether a column is as it was: NEW IS NOT DISTINCT FROM OLD */
static bool
unchanged(OnupdateColumn *col, HeapTuple oldtup, HeapTuple newtup, TupleDesc desc)
{
	bool		oldnull;
	bool		newnull;
	Datum		oldval = heap_getattr(oldtup, col->attnum, desc, &oldnull);
	Datum		newval = heap_getattr(newtup, col->attnum, desc, &newnull);

	if (oldnull || newnull)
		return oldnull && newnull;
	if (datum_image_eq(oldval, newval, col->typbyval, col->typlen))
		return true;
	return col->equal &&
		DatumGetBool(FunctionCall2Coll(col->equal, col->collation, oldval, newval));
}

/* the value of an expression over the old row, copied out of SPI */
static Datum
expression_value(OnupdateColumn *col, HeapTuple oldtup, TupleDesc desc, TriggerData *td,
				 bool *isnull)
{
	MemoryContext caller = CurrentMemoryContext;
	Datum		row = heap_copy_tuple_as_datum(oldtup, desc);
	Datum		value;
	MemoryContext old;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_plan(col->plan, &row, NULL, false, 2) != SPI_OK_SELECT)
		elog(ERROR, "could not run an onupdate expression");
	/* a set-returning expression in a trigger made by hand */
	if (SPI_processed != 1)
		ereport(ERROR,
				(errcode(ERRCODE_CARDINALITY_VIOLATION),
				 errmsg("the expression setting column \"%s\" of table %s in trigger \"%s\" gave %s rows, not one value",
						NameStr(TupleDescAttr(desc, col->attnum - 1)->attname),
						quote_identifier(RelationGetRelationName(td->tg_relation)),
						td->tg_trigger->tgname,
						SPI_processed == 0 ? "no" : "several"),
				 errhint("Set the column to a single value; set-returning functions are not allowed.")));
	value = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, isnull);
	old = MemoryContextSwitchTo(caller);
	value = *isnull ? (Datum) 0 : datumCopy(value, col->typbyval, col->typlen);
	MemoryContextSwitchTo(old);
	SPI_finish();
	return value;
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
		entry->ncols = 0;
		entry->busy = 0;
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
	OnupdateColumn *cols;
	int			ncols;
	int		   *replace_cols;
	Datum	   *replace_values;
	bool	   *replace_nulls;
	const Bitmapset *named;
	bool		compare;
	volatile int n = 0;

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
	named = td->tg_updatedcols;
	compare = entry->after_others || named == NULL;

	/* this firing's state: kept even if a nested firing rebuilds the entry */
	cols = entry->cols;
	ncols = entry->ncols;
	if (entry->busy == 0)
	{
		replace_cols = entry->replace_cols;
		replace_values = entry->replace_values;
		replace_nulls = entry->replace_nulls;
	}
	else
	{
		/* nested in a firing of the same trigger: work space of its own */
		replace_cols = palloc(sizeof(int) * Max(ncols, 1));
		replace_values = palloc(sizeof(Datum) * Max(ncols, 1));
		replace_nulls = palloc(sizeof(bool) * Max(ncols, 1));
	}
	entry->busy++;
	PG_TRY();
	{
		for (int i = 0; i < ncols; i++)
		{
			OnupdateColumn *col = &cols[i];

			if (bms_is_member(col->updatedcol, named))
				continue;		/* named by the UPDATE: its value stays */
			if (compare && !unchanged(col, oldtup, newtup, desc))
				continue;		/* set by a trigger that fired first */
			replace_cols[n] = col->attnum;
			if (col->source == SOURCE_EXPRESSION)
				replace_values[n] = expression_value(col, oldtup, desc, td,
													   &replace_nulls[n]);
			else
			{
				replace_values[n] = time_value(col);
				replace_nulls[n] = false;
			}
			n++;
		}
	}
	PG_FINALLY();
	{
		entry->busy--;
	}
	PG_END_TRY();
	if (n == 0)
		return PointerGetDatum(newtup);
	return PointerGetDatum(heap_modify_tuple_by_cols(newtup, desc, n, replace_cols,
													 replace_values, replace_nulls));
}

