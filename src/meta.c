/*
 * meta.c — what a meta policy runs: naming functions and hooks
 *
 * A meta policy names functions by signature, e.g. 'my_schema.pluralize(text)'.
 * corm looks them up once when the policy is registered and stores the
 * qualified signature, so pg_dump and pg_restore keep the catalog valid.
 * Functions run as the caller, who needs EXECUTE on them.
 */
#include "corm.h"

#include "access/htup_details.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/regproc.h"
#include "utils/syscache.h"

/* to_regproc() or to_regprocedure(): InvalidOid for no such function */
static Oid
to_reg(PGFunction fn, const char *name)
{
	LOCAL_FCINFO(fcinfo, 1);
	Datum		result;

	InitFunctionCallInfoData(*fcinfo, NULL, 1, InvalidOid, NULL, NULL);
	fcinfo->args[0].value = CStringGetTextDatum(name);
	fcinfo->args[0].isnull = false;
	result = (*fn) (fcinfo);
	return fcinfo->isnull ? InvalidOid : DatumGetObjectId(result);
}

/*
 * The function a signature names: one that takes one text argument (and,
 * for naming, returns text).  "what" names it for messages.
 */
Oid
corm_lookup_function(const char *signature, const char *what, bool returns_text)
{
	Oid			fn;
	HeapTuple	tup;
	Form_pg_proc proc;
	bool		fits;

	fn = to_reg(strchr(signature, '(') ? to_regprocedure : to_regproc, signature);
	if (!OidIsValid(fn))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FUNCTION),
				 errmsg("function %s for %s does not exist", signature, what),
				 errhint("Name it with its argument types, e.g. 'my_schema.pluralize(text)'.")));
	tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(fn));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for function %u", fn);
	proc = (Form_pg_proc) GETSTRUCT(tup);
	fits = proc->pronargs == 1 && proc->proargtypes.values[0] == TEXTOID &&
		proc->prokind == PROKIND_FUNCTION && !proc->proretset &&
		(!returns_text || proc->prorettype == TEXTOID);
	ReleaseSysCache(tup);
	if (!fits)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("function %s cannot serve as %s", signature, what),
				 errhint(returns_text ?
						 "A naming function takes the class name as text and returns the table name as text." :
						 "A hook is a function that takes the model's name as text.")));
	return fn;
}

/* call a function of one text argument as the current user */
Datum
corm_call_text_function(Oid fn, const char *arg, bool *isnull)
{
	LOCAL_FCINFO(fcinfo, 1);
	FmgrInfo	flinfo;
	AclResult	acl = pg_proc_aclcheck(fn, GetUserId(), ACL_EXECUTE);
	Datum		result;

	if (acl != ACLCHECK_OK)
		aclcheck_error(acl, OBJECT_FUNCTION, get_func_name(fn));
	fmgr_info(fn, &flinfo);
	InitFunctionCallInfoData(*fcinfo, &flinfo, 1, InvalidOid, NULL, NULL);
	fcinfo->args[0].value = CStringGetTextDatum(arg);
	fcinfo->args[0].isnull = false;
	result = FunctionCallInvoke(fcinfo);
	*isnull = fcinfo->isnull;
	return result;
}

/* the table name a naming function gives a model */
char *
corm_call_naming(const char *signature, const char *meta, const char *model)
{
	Oid			fn = corm_lookup_function(signature,
										  psprintf("naming of meta policy \"%s\"", meta), true);
	bool		isnull;
	Datum		result = corm_call_text_function(fn, model, &isnull);

	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("naming function %s of meta policy \"%s\" returned NULL for model \"%s\"",
						signature, meta, model)));
	return TextDatumGetCString(result);
}
