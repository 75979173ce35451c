/*
 * method.c — corm.call(): the SQL query methods that return one value
 *
 * A query method (or relationship) written in SQL that returns one value —
 * a row of the model's view, a count, a Pagination — is created as
 *
 *     CREATE FUNCTION f(args) RETURNS t LANGUAGE sql
 *         AS 'SELECT corm.call(NULL::t, ''f(argtypes)''::regprocedure, $1, ...)'
 *
 * with the method's own SQL recorded in corm.query_function.body.  The
 * server plans a SQL function's body again on every execution of the
 * statement that calls it, but inlines a body like this one into the
 * calling statement; corm.call() plans the method's SQL once per session
 * and function and keeps the plan (SPI_keepplan), which the plan cache
 * invalidates itself when a relation it reads changes, the role changes
 * under row-level security or the search_path changes.  A change to any
 * function drops every kept plan.
 *
 * The body runs as the SQL function would: as the caller (the function is
 * not SECURITY DEFINER), its parameters by name, by $n and qualified by the
 * function's name (the server's own SQL-function parser hooks), read-only
 * unless the function is VOLATILE, and its value is the first row's.  A
 * result of another type than the declared one is cast to it; a row type is
 * built from the body's columns when the body returns them one by one.
 */
#include "corm.h"

#include "access/htup_details.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/regproc.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "executor/functions.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "parser/parse_coerce.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/plancache.h"
#include "utils/syscache.h"

PG_FUNCTION_INFO_V1(corm_call);

typedef struct MethodPlan
{
	Oid			fn;				/* hash key */
	bool		valid;
	int			in_use;			/* calls running it (a method calling itself) */
	SPIPlanPtr	plan;
	MemoryContext cxt;			/* what the plan's parser hook reads */
	Oid			rettype;
	int16		typlen;
	bool		typbyval;
	bool		read_only;
	int			nargs;
	Oid			argtypes[FUNC_MAX_ARGS];
} MethodPlan;

static HTAB *method_plans = NULL;

/* any function changed: every kept plan is made again on its next call */
static void
method_invalidate(Datum arg, int cacheid, uint32 hashvalue)
{
	HASH_SEQ_STATUS status;
	MethodPlan *entry;

	hash_seq_init(&status, method_plans);
	while ((entry = hash_seq_search(&status)) != NULL)
		entry->valid = false;
}

/* the signature corm records a function by: schema.name(argument types) */
static char *
function_signature(Oid fn, int nargs, Oid *argtypes)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "%s(", corm_qualified(get_namespace_name(get_func_namespace(fn)),
											   get_func_name(fn)));
	for (int i = 0; i < nargs; i++)
		appendStringInfo(&buf, "%s%s", i ? ", " : "", format_type_be_qualified(argtypes[i]));
	appendStringInfoChar(&buf, ')');
	return buf.data;
}

/* the body corm recorded for the function */
static char *
recorded_body(Oid fn, int nargs, Oid *argtypes)
{
	char	   *signature = function_signature(fn, nargs, argtypes);
	Oid			types[1] = {TEXTOID};
	Datum		values[1] = {CStringGetTextDatum(signature)};
	char	   *body;

	if (!corm_catalog_has("query_function", "body") ||
		corm_catalog_spi("SELECT body FROM corm.query_function"
						 " WHERE signature = $1 AND body IS NOT NULL", 1, types, values, NULL) != SPI_OK_SELECT ||
		SPI_processed != 1)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FUNCTION),
				 errmsg("function %s is not a query method corm made", signature),
				 errhint("Register the model again to make its functions again.")));
	body = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	return body;
}

/* the result type of a prepared statement's last query */
static TupleDesc
result_desc(SPIPlanPtr plan)
{
	List	   *sources = SPI_plan_get_plan_sources(plan);
	CachedPlanSource *last = sources ? llast(sources) : NULL;

	return last ? last->resultDesc : NULL;
}

/*
 * Prepare a method's body for the function's declared result: as written
 * when its one column has the declared type (or a binary-coercible one),
 * else wrapped in a cast; a row type from several columns is built from
 * them.  Errors are the server's, or 42P13 for a body that returns nothing.
 */
static SPIPlanPtr
prepare_body(HeapTuple proctup, const char *body, Oid rettype, MemoryContext keep)
{
	Form_pg_proc proc = (Form_pg_proc) GETSTRUCT(proctup);
	MemoryContext old = MemoryContextSwitchTo(keep);
	SQLFunctionParseInfoPtr pinfo;
	SPIPlanPtr	plan;
	TupleDesc	desc;
	char	   *wrapped = NULL;

	/* the plan cache calls the parser hook again when it replans: it lives with the plan */
	pinfo = prepare_sql_fn_parse_info(proctup, NULL, InvalidOid);
	MemoryContextSwitchTo(old);
	plan = SPI_prepare_params(body, (ParserSetupHook) sql_fn_parser_setup, pinfo, 0);

	if (plan == NULL)
		elog(ERROR, "could not prepare the body of function %s: %s", NameStr(proc->proname),
			 SPI_result_code_string(SPI_result));
	desc = result_desc(plan);
	if (desc == NULL || desc->natts == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_FUNCTION_DEFINITION),
				 errmsg("return type mismatch in function declared to return %s",
						format_type_be(rettype)),
				 errdetail("The body of function %s returns no value.", NameStr(proc->proname))));
	if (desc->natts == 1 && IsBinaryCoercible(TupleDescAttr(desc, 0)->atttypid, rettype))
		return plan;
	if (desc->natts == 1 &&
		!can_coerce_type(1, &TupleDescAttr(desc, 0)->atttypid, &rettype, COERCION_ASSIGNMENT))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_FUNCTION_DEFINITION),
				 errmsg("return type mismatch in function declared to return %s",
						format_type_be(rettype)),
				 errdetail("The body of function %s returns %s.", NameStr(proc->proname),
						   format_type_be(TupleDescAttr(desc, 0)->atttypid))));
	if (desc->natts == 1)
		wrapped = psprintf("SELECT (corm_body.corm_value)::%s FROM (%s\n) AS corm_body(corm_value)",
						   format_type_be_qualified(rettype), body);
	else if (type_is_rowtype(rettype))
		wrapped = psprintf("SELECT ROW(corm_body.*)::%s FROM (%s\n) AS corm_body",
						   format_type_be_qualified(rettype), body);
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_FUNCTION_DEFINITION),
				 errmsg("return type mismatch in function declared to return %s",
						format_type_be(rettype)),
				 errdetail("The body of function %s returns %d columns.", NameStr(proc->proname),
						   desc->natts)));
	SPI_freeplan(plan);
	plan = SPI_prepare_params(wrapped, (ParserSetupHook) sql_fn_parser_setup, pinfo, 0);
	if (plan == NULL)
		elog(ERROR, "could not prepare the body of function %s: %s", NameStr(proc->proname),
			 SPI_result_code_string(SPI_result));
	return plan;
}

/*
 * Check that a function corm made for a method prepares for its declared
 * result, when corm makes it (errors are the registration's).
 */
void
corm_check_method(Oid fn, const char *body)
{
	HeapTuple	proctup = SearchSysCache1(PROCOID, ObjectIdGetDatum(fn));

	if (!HeapTupleIsValid(proctup))
		elog(ERROR, "cache lookup failed for function %u", fn);
	SPI_freeplan(prepare_body(proctup, body, ((Form_pg_proc) GETSTRUCT(proctup))->prorettype,
							  CurrentMemoryContext));
	ReleaseSysCache(proctup);
}

static MethodPlan *
method_plan(Oid fn)
{
	MethodPlan *entry;
	bool		found;
	HeapTuple	proctup;
	Form_pg_proc proc;

	if (method_plans == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(Oid);
		ctl.entrysize = sizeof(MethodPlan);
		ctl.hcxt = CacheMemoryContext;
		method_plans = hash_create("corm method plans", 64, &ctl,
								   HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
		CacheRegisterSyscacheCallback(PROCOID, method_invalidate, (Datum) 0);
	}
	entry = hash_search(method_plans, &fn, HASH_ENTER, &found);
	if (!found)
	{
		entry->valid = false;
		entry->in_use = 0;
		entry->plan = NULL;
		entry->cxt = NULL;
	}
	if (entry->valid)
		return entry;
	if (entry->in_use > 0)
	{
		/* a call of it is running (the method calls itself): that one keeps its plan */
		entry->plan = NULL;
		entry->cxt = NULL;
	}
	if (entry->plan)
		SPI_freeplan(entry->plan);
	if (entry->cxt)
		MemoryContextDelete(entry->cxt);
	entry->plan = NULL;
	entry->cxt = AllocSetContextCreate(CacheMemoryContext, "corm method", ALLOCSET_SMALL_SIZES);

	proctup = SearchSysCache1(PROCOID, ObjectIdGetDatum(fn));
	if (!HeapTupleIsValid(proctup))
		elog(ERROR, "cache lookup failed for function %u", fn);
	proc = (Form_pg_proc) GETSTRUCT(proctup);
	entry->rettype = proc->prorettype;
	entry->read_only = proc->provolatile != PROVOLATILE_VOLATILE;
	entry->nargs = proc->pronargs;
	memcpy(entry->argtypes, proc->proargtypes.values, sizeof(Oid) * proc->pronargs);
	get_typlenbyval(entry->rettype, &entry->typlen, &entry->typbyval);
	entry->plan = prepare_body(proctup, recorded_body(fn, entry->nargs, entry->argtypes),
							   entry->rettype, entry->cxt);
	ReleaseSysCache(proctup);
	if (SPI_keepplan(entry->plan) != 0)
		elog(ERROR, "could not keep the plan of function %u", fn);
	entry->valid = true;
	return entry;
}

/*
 * corm.call(result anyelement, method regprocedure, VARIADIC "any") RETURNS
 * anyelement: run the method's kept plan with the arguments that follow.
 * The call runs as its caller, who must be able to execute the method's
 * function; the arguments and result must be the function's types.
 */
Datum
corm_call(PG_FUNCTION_ARGS)
{
	MemoryContext caller = CurrentMemoryContext;
	Oid			fn;
	MethodPlan *entry;
	ParamListInfo params;
	volatile Datum result = (Datum) 0;
	volatile bool isnull = true;
	volatile bool counted = false;
	int			nargs = PG_NARGS() - 2;

	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the method of corm.call() must not be null")));
	fn = PG_GETARG_OID(1);
	if (pg_proc_aclcheck(fn, GetUserId(), ACL_EXECUTE) != ACLCHECK_OK)
		aclcheck_error(ACLCHECK_NO_PRIV, OBJECT_FUNCTION, get_func_name(fn));
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	entry = method_plan(fn);
	if (nargs != entry->nargs || get_fn_expr_argtype(fcinfo->flinfo, 0) != entry->rettype)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("corm.call() of %s with other types than the function's", format_procedure(fn))));
	params = makeParamList(entry->nargs);
	for (int i = 0; i < entry->nargs; i++)
	{
		ParamExternData *p = &params->params[i];

		if (get_fn_expr_argtype(fcinfo->flinfo, i + 2) != entry->argtypes[i])
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("corm.call() of %s with other types than the function's", format_procedure(fn))));
		p->value = fcinfo->args[i + 2].value;
		p->isnull = fcinfo->args[i + 2].isnull;
		p->pflags = PARAM_FLAG_CONST;
		p->ptype = entry->argtypes[i];
	}
	PG_TRY();
	{
		int			rc;

		entry->in_use++;
		counted = true;
		rc = SPI_execute_plan_with_paramlist(entry->plan, params, entry->read_only, 1);
		if (rc == SPI_ERROR_TRANSACTION)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TRANSACTION_TERMINATION),
					 errmsg("query method %s cannot commit or roll back", format_procedure(fn)),
					 errhint("A method runs inside its caller's transaction; leave out transaction control.")));
		if (rc < 0)
			elog(ERROR, "could not run function %u: %s", fn, SPI_result_code_string(rc));
		if (SPI_processed > 0 && SPI_tuptable)
		{
			bool		null;
			Datum		value = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &null);

			isnull = null;
			if (!null)
			{
				MemoryContext spi = MemoryContextSwitchTo(caller);

				result = datumCopy(value, entry->typbyval, entry->typlen);
				MemoryContextSwitchTo(spi);
			}
		}
	}
	PG_CATCH();
	{
		ErrorData  *error;
		char	   *at = NULL;

		if (counted && entry->in_use > 0)
			entry->in_use--;

		/*
		 * The method's SQL is corm's to run, as a SQL function's body is the
		 * server's: the context names the function, as for a SQL function,
		 * and not the statement corm kept for it.
		 */
		MemoryContextSwitchTo(caller);
		error = CopyErrorData();
		FlushErrorState();
		for (char *c = error->context; c && (c = strstr(c, "SQL statement \"")) != NULL; c++)
			at = c;
		if (at)
		{
			*at = '\0';
			error->context = psprintf("%sSQL function \"%s\"", error->context, get_func_name(fn));
		}
		ReThrowError(error);
	}
	PG_END_TRY();
	if (counted && entry->in_use > 0)
		entry->in_use--;
	SPI_finish();
	if (isnull)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(result);
}
