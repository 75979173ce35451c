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

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/namespace.h"
#include "catalog/pg_am.h"
#include "catalog/pg_index.h"
#include "catalog/pg_operator.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "parser/parse_oper.h"
#include "parser/parser.h"
#include "parser/parsetree.h"
#include "rewrite/rewriteHandler.h"
#include "tcop/dest.h"
#include "tcop/utility.h"
#include "storage/lmgr.h"
#include "utils/rel.h"
#include "utils/typcache.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"
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

/*
 * A get by the whole primary key, read from the key's index: what corm
 * found in the view's definition and the table's key, for a method whose
 * body is exactly SELECT (SELECT r FROM <its view> r WHERE r.<key> = <arg>
 * [AND ...]).  Made again when the view, the table or a role changes.
 */
typedef struct DirectGet
{
	Oid			view;
	Oid			table;
	Oid			index;
	Oid			check_as;		/* who reads the table: the view's owner, or the caller */
	Oid			allowed;		/* the user the privileges were last found for */
	int			nkeys;
	int			keyarg[INDEX_MAX_KEYS];	/* the argument each index column is matched with */
	RegProcedure keyproc[INDEX_MAX_KEYS];
	Oid			keytype[INDEX_MAX_KEYS];	/* the operator's right-hand type */
	int			natts;			/* the view's columns ... */
	AttrNumber *attmap;			/* ... each a column of the table */
} DirectGet;

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
	bool		one_select;		/* one SELECT, run by the executor without SPI */
	int			nargs;
	Oid			argtypes[FUNC_MAX_ARGS];
	Oid			allowed;		/* the user last found to have EXECUTE */
	/* the body's shape is a get by the key (see DirectGet) */
	bool		is_get;
	int			get_default;	/* coalesce(get, <this argument>), else -1 */
	List	   *get_where;		/* (column name, argument number) pairs, in cxt */
	RangeVar   *get_from;
	bool		get_derived;	/* direct was worked out since the last change */
	DirectGet  *direct;			/* NULL: the plan runs instead */
	MemoryContext get_cxt;
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
	{
		entry->valid = false;
		entry->allowed = InvalidOid;
	}
}

/*
 * A view or table changed (its definition, privileges, row security, a
 * statistics update), or a role's memberships: every direct get is worked
 * out again on its next call.
 */
static void
method_invalidate_direct(Datum arg, Oid relid)
{
	HASH_SEQ_STATUS status;
	MethodPlan *entry;

	hash_seq_init(&status, method_plans);
	while ((entry = hash_seq_search(&status)) != NULL)
	{
		if (entry->direct && OidIsValid(relid) &&
			relid != entry->direct->view && relid != entry->direct->table &&
			relid != entry->direct->index)
			continue;
		entry->get_derived = false;
		if (entry->direct)
			entry->direct->allowed = InvalidOid;
	}
}

static void
method_invalidate_roles(Datum arg, int cacheid, uint32 hashvalue)
{
	method_invalidate_direct(arg, InvalidOid);
	method_invalidate(arg, cacheid, hashvalue);
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

/* a column reference of one name, or NULL */
static const char *
single_name(Node *node)
{
	ColumnRef  *ref = (ColumnRef *) node;

	if (node == NULL || !IsA(node, ColumnRef) || list_length(ref->fields) != 1 ||
		!IsA(linitial(ref->fields), String))
		return NULL;
	return strVal(linitial(ref->fields));
}

/* a SELECT of nothing but a target list (and FROM, WHERE when allowed) */
static bool
plain_select(Node *node, bool from_where)
{
	SelectStmt *s = (SelectStmt *) node;

	return node && IsA(node, SelectStmt) && s->op == SETOP_NONE && s->distinctClause == NIL &&
		s->intoClause == NULL && list_length(s->targetList) == 1 &&
		(from_where || (s->fromClause == NIL && s->whereClause == NULL)) &&
		s->groupClause == NIL && s->havingClause == NULL && s->windowClause == NIL &&
		s->valuesLists == NIL && s->sortClause == NIL && s->limitOffset == NULL &&
		s->limitCount == NULL && s->lockingClause == NIL && s->withClause == NULL &&
		linitial_node(ResTarget, s->targetList)->name == NULL &&
		linitial_node(ResTarget, s->targetList)->indirection == NIL;
}

/* "<alias>.<column> = <argument>", as (column, argument number) */
static bool
key_equality(Node *node, const char *alias, char **argnames, int nargs, List **where)
{
	A_Expr	   *e = (A_Expr *) node;
	ColumnRef  *col;
	int			arg = -1;

	if (!IsA(node, A_Expr) || e->kind != AEXPR_OP || list_length(e->name) != 1 ||
		strcmp(strVal(linitial(e->name)), "=") != 0 || !IsA(e->lexpr, ColumnRef))
		return false;
	col = (ColumnRef *) e->lexpr;
	if (list_length(col->fields) != 2 || !IsA(linitial(col->fields), String) ||
		!IsA(lsecond(col->fields), String) || strcmp(strVal(linitial(col->fields)), alias) != 0)
		return false;
	if (IsA(e->rexpr, ParamRef))
		arg = ((ParamRef *) e->rexpr)->number - 1;
	else if (single_name(e->rexpr) && argnames)
		for (int i = 0; i < nargs; i++)
			if (argnames[i] && strcmp(argnames[i], single_name(e->rexpr)) == 0)
				arg = i;
	if (arg < 0 || arg >= nargs)
		return false;
	*where = lappend(*where, list_make2(makeString(strVal(lsecond(col->fields))), makeInteger(arg)));
	return true;
}

/*
 * Whether a body is a get by key: SELECT (SELECT r FROM <schema>.<view> r
 * WHERE r.<column> = <argument> [AND ...]), as BaseQuery's get is, or such
 * a get with a default, SELECT coalesce((SELECT ...), <argument>), as the
 * seed's get_or is (the argument of the row type itself).  Only its shape
 * here; corm works out at the call whether the key's index can answer it
 * (derive_direct).
 */
static void
recognize_get(MethodPlan *entry, HeapTuple proctup, const char *body)
{
	List	   *parse = raw_parser(body, RAW_PARSE_DEFAULT);
	SelectStmt *outer;
	SubLink    *sub;
	SelectStmt *inner;
	RangeVar   *rv;
	char	  **argnames = NULL;
	Oid		   *types;
	char	   *modes;
	List	   *where = NIL;
	Node	   *quals;

	entry->is_get = false;
	entry->get_default = -1;
	if (list_length(parse) != 1 || !plain_select(linitial_node(RawStmt, parse)->stmt, false))
		return;
	outer = (SelectStmt *) linitial_node(RawStmt, parse)->stmt;
	sub = (SubLink *) linitial_node(ResTarget, outer->targetList)->val;
	if (get_func_arg_info(proctup, &types, &argnames, &modes) != entry->nargs)
		return;
	/* a get with a default: coalesce((SELECT ...), <argument of the row type>) */
	if (IsA(sub, CoalesceExpr) && list_length(((CoalesceExpr *) sub)->args) == 2)
	{
		Node	   *fallback = lsecond(((CoalesceExpr *) sub)->args);
		const char *name = single_name(fallback);

		if (IsA(fallback, ParamRef))
			entry->get_default = ((ParamRef *) fallback)->number - 1;
		for (int i = 0; name && argnames && i < entry->nargs; i++)
			if (argnames[i] && strcmp(argnames[i], name) == 0)
				entry->get_default = i;
		if (entry->get_default < 0 || entry->get_default >= entry->nargs ||
			entry->argtypes[entry->get_default] != entry->rettype)
		{
			entry->get_default = -1;
			return;
		}
		sub = linitial(((CoalesceExpr *) sub)->args);
	}
	if (!IsA(sub, SubLink) || sub->subLinkType != EXPR_SUBLINK || !plain_select(sub->subselect, true))
	{
		entry->get_default = -1;
		return;
	}
	inner = (SelectStmt *) sub->subselect;
	if (list_length(inner->fromClause) != 1 || !IsA(linitial(inner->fromClause), RangeVar))
		return;
	rv = linitial(inner->fromClause);
	if (rv->schemaname == NULL || rv->catalogname || !rv->inh || rv->alias == NULL ||
		rv->alias->colnames != NIL ||
		!single_name(linitial_node(ResTarget, inner->targetList)->val) ||
		strcmp(single_name(linitial_node(ResTarget, inner->targetList)->val), rv->alias->aliasname) != 0)
		return;
	quals = inner->whereClause;
	if (quals == NULL)
		return;
	if (IsA(quals, BoolExpr) && ((BoolExpr *) quals)->boolop == AND_EXPR)
	{
		ListCell   *lc;

		foreach(lc, ((BoolExpr *) quals)->args)
			if (!key_equality(lfirst(lc), rv->alias->aliasname, argnames, entry->nargs, &where))
				return;
	}
	else if (!key_equality(quals, rv->alias->aliasname, argnames, entry->nargs, &where))
		return;
	entry->get_from = rv;
	entry->get_where = where;
	entry->is_get = true;
	/* an argument's name that is also a column of the view would be the column */
	for (int i = 0; argnames && i < entry->nargs; i++)
		entry->get_where = lappend(entry->get_where,
								   list_make2(makeString(argnames[i] ? argnames[i] : ""), makeInteger(-1)));
}

/*
 * Work out how the key's index answers a get: the view must be a plain
 * projection of one table's columns (no condition, no join, no
 * expression), the body's equalities exactly the columns of the table's
 * primary key, each by an operator of the index's (non-collatable types
 * only), and the table without row-level security.  Otherwise direct is
 * NULL and the kept plan runs, as for any method.
 */
static void
derive_direct(MethodPlan *entry)
{
	Oid			view;
	Relation	vrel;
	Relation	trel = NULL;
	Relation	irel = NULL;
	Query	   *vq;
	RangeTblEntry *rte;
	DirectGet  *d;
	int			rtindex;
	ListCell   *lc;
	int			nwhere = 0;

	entry->direct = NULL;
	entry->get_derived = true;
	if (entry->get_cxt)
		MemoryContextReset(entry->get_cxt);
	else
		entry->get_cxt = AllocSetContextCreate(CacheMemoryContext, "corm direct get",
											   ALLOCSET_SMALL_SIZES);
	view = RangeVarGetRelid(entry->get_from, AccessShareLock, true);
	if (!OidIsValid(view) || view != get_typ_typrelid(entry->rettype))
		return;
	vrel = relation_open(view, NoLock);
	if (vrel->rd_rel->relkind != RELKIND_VIEW)
		goto done;
	vq = get_view_query(vrel);
	if (vq->commandType != CMD_SELECT || vq->hasAggs || vq->hasWindowFuncs || vq->hasTargetSRFs ||
		vq->hasSubLinks || vq->hasDistinctOn || vq->hasRecursive || vq->hasModifyingCTE ||
		vq->hasForUpdate || vq->hasRowSecurity || vq->cteList || vq->groupClause ||
		vq->groupingSets || vq->havingQual || vq->windowClause || vq->distinctClause ||
		vq->sortClause || vq->limitOffset || vq->limitCount || vq->rowMarks || vq->setOperations ||
		vq->jointree == NULL || vq->jointree->quals ||
		list_length(vq->jointree->fromlist) != 1 || !IsA(linitial(vq->jointree->fromlist), RangeTblRef))
		goto done;
	rtindex = linitial_node(RangeTblRef, vq->jointree->fromlist)->rtindex;
	rte = rt_fetch(rtindex, vq->rtable);
	if (rte->rtekind != RTE_RELATION || rte->relkind != RELKIND_RELATION || rte->tablesample ||
		!rte->inh)
		goto done;
	trel = table_open(rte->relid, AccessShareLock);
	/* ONLY would be the same without children: a table with children is left to the plan */
	if (trel->rd_rel->relrowsecurity || trel->rd_rel->relhassubclass ||
		!OidIsValid(RelationGetPrimaryKeyIndex(trel)))
		goto done;
	irel = index_open(RelationGetPrimaryKeyIndex(trel), AccessShareLock);
	if (irel->rd_rel->relam != BTREE_AM_OID || !irel->rd_index->indisvalid ||
		!irel->rd_index->indimmediate || irel->rd_indexprs || irel->rd_indpred ||
		IndexRelationGetNumberOfKeyAttributes(irel) > INDEX_MAX_KEYS)
		goto done;

	d = MemoryContextAllocZero(entry->get_cxt, sizeof(DirectGet));
	d->view = view;
	d->table = RelationGetRelid(trel);
	d->index = RelationGetRelid(irel);
	d->check_as = RelationHasSecurityInvoker(vrel) ? InvalidOid : vrel->rd_rel->relowner;
	d->natts = RelationGetDescr(vrel)->natts;
	d->attmap = MemoryContextAllocZero(entry->get_cxt, sizeof(AttrNumber) * Max(d->natts, 1));
	d->nkeys = IndexRelationGetNumberOfKeyAttributes(irel);
	foreach(lc, vq->targetList)
	{
		TargetEntry *tle = lfirst_node(TargetEntry, lc);
		Var		   *var = (Var *) tle->expr;

		if (tle->resjunk)
			continue;
		if (tle->resno > d->natts || !IsA(var, Var) || var->varno != rtindex ||
			var->varlevelsup != 0 || var->varattno <= 0 ||
			var->vartype != TupleDescAttr(RelationGetDescr(vrel), tle->resno - 1)->atttypid)
			goto done;
		d->attmap[tle->resno - 1] = var->varattno;
	}
	for (int i = 0; i < d->natts; i++)
		if (d->attmap[i] == 0)
			goto done;
	for (int k = 0; k < d->nkeys; k++)
		d->keyarg[k] = -1;
	foreach(lc, entry->get_where)
	{
		const char *colname = strVal(linitial(lfirst(lc)));
		int			arg = intVal(lsecond(lfirst(lc)));
		AttrNumber	vatt = InvalidAttrNumber;
		AttrNumber	tatt;
		Oid			coltype;
		Operator	op;
		Form_pg_operator form;
		int			k;

		for (int i = 0; i < d->natts; i++)
			if (strcmp(NameStr(TupleDescAttr(RelationGetDescr(vrel), i)->attname), colname) == 0)
				vatt = i + 1;
		if (arg < 0)
		{
			/* an argument's name: a column of the view by that name would be the column */
			if (vatt != InvalidAttrNumber)
				goto done;
			continue;
		}
		if (vatt == InvalidAttrNumber)
			goto done;
		tatt = d->attmap[vatt - 1];
		for (k = 0; k < d->nkeys; k++)
			if (irel->rd_index->indkey.values[k] == tatt)
				break;
		if (k == d->nkeys || d->keyarg[k] >= 0)
			goto done;
		coltype = TupleDescAttr(RelationGetDescr(trel), tatt - 1)->atttypid;
		if (type_is_collatable(coltype) || type_is_collatable(entry->argtypes[arg]))
			goto done;
		/* the operator the body's "=" is, found as the server's parser finds it */
		op = oper(NULL, list_make1(makeString("=")), coltype, entry->argtypes[arg], true, -1);
		if (op == NULL)
			goto done;
		form = (Form_pg_operator) GETSTRUCT(op);
		if (get_op_opfamily_strategy(form->oid, irel->rd_opfamily[k]) != BTEqualStrategyNumber ||
			!IsBinaryCoercible(coltype, form->oprleft) ||
			!IsBinaryCoercible(entry->argtypes[arg], form->oprright) ||
			form->oprleft != irel->rd_opcintype[k])
		{
			ReleaseSysCache(op);
			goto done;
		}
		d->keyarg[k] = arg;
		d->keyproc[k] = form->oprcode;
		d->keytype[k] = form->oprright;
		ReleaseSysCache(op);
		nwhere++;
	}
	if (nwhere != d->nkeys)
		goto done;
	entry->direct = d;
done:
	if (irel)
		index_close(irel, NoLock);
	if (trel)
		table_close(trel, NoLock);
	relation_close(vrel, NoLock);
}

/* the caller may read the view, and the view's owner (or the caller) the table */
static bool
direct_allowed(DirectGet *d)
{
	Oid			user = GetUserId();

	if (d->allowed == user)
		return true;
	if (pg_class_aclcheck(d->view, user, ACL_SELECT) != ACLCHECK_OK ||
		pg_class_aclcheck(d->table, OidIsValid(d->check_as) ? d->check_as : user,
						  ACL_SELECT) != ACLCHECK_OK)
		return false;
	d->allowed = user;
	return true;
}

/*
 * The row by its key, read from the key's index under the statement's
 * snapshot, as the view gives it; false when the plan must run instead.
 */
static bool
direct_get(MethodPlan *entry, FunctionCallInfo fcinfo, Datum *result, bool *isnull)
{
	DirectGet  *d;
	Relation	trel;
	Relation	irel;
	IndexScanDesc scan;
	TupleTableSlot *slot;
	ScanKeyData keys[INDEX_MAX_KEYS];
	TupleDesc	viewdesc;

	if (!ActiveSnapshotSet())
		return false;
	if (!entry->get_derived)
		derive_direct(entry);
	d = entry->direct;
	if (d == NULL)
		return false;
	/*
	 * Locks first, as the plan's are taken before it runs: taking one reads
	 * the invalidations that may have undone what was worked out.
	 */
	LockRelationOid(d->view, AccessShareLock);
	LockRelationOid(d->table, AccessShareLock);
	LockRelationOid(d->index, AccessShareLock);
	if (!entry->get_derived || entry->direct != d || !direct_allowed(d))
		return false;
	trel = table_open(d->table, NoLock);
	irel = index_open(d->index, NoLock);
	*isnull = true;
	for (int k = 0; k < d->nkeys; k++)
	{
		int			arg = d->keyarg[k] + 2;

		if (fcinfo->args[arg].isnull)
		{
			/* no row has a NULL key */
			index_close(irel, NoLock);
			table_close(trel, NoLock);
			if (entry->get_default >= 0)
			{
				*isnull = fcinfo->args[entry->get_default + 2].isnull;
				*result = fcinfo->args[entry->get_default + 2].value;
			}
			return true;
		}
		ScanKeyEntryInitialize(&keys[k], 0, k + 1, BTEqualStrategyNumber,
							   d->keytype[k] == irel->rd_opcintype[k] ? InvalidOid : d->keytype[k],
							   InvalidOid, d->keyproc[k], fcinfo->args[arg].value);
	}
	viewdesc = lookup_rowtype_tupdesc(entry->rettype, -1);
	slot = table_slot_create(trel, NULL);
	scan = index_beginscan(trel, irel, GetActiveSnapshot(), d->nkeys, 0);
	index_rescan(scan, keys, d->nkeys, NULL, 0);
	if (index_getnext_slot(scan, ForwardScanDirection, slot))
	{
		Datum	   *values = palloc(sizeof(Datum) * Max(d->natts, 1));
		bool	   *nulls = palloc(sizeof(bool) * Max(d->natts, 1));

		slot_getallattrs(slot);
		for (int i = 0; i < d->natts; i++)
		{
			values[i] = slot->tts_values[d->attmap[i] - 1];
			nulls[i] = slot->tts_isnull[d->attmap[i] - 1];
		}
		*result = HeapTupleGetDatum(heap_form_tuple(viewdesc, values, nulls));
		*isnull = false;
	}
	else if (entry->get_default >= 0)
	{
		/* none: coalesce's other argument, as it was passed */
		*isnull = fcinfo->args[entry->get_default + 2].isnull;
		*result = fcinfo->args[entry->get_default + 2].value;
	}
	index_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	ReleaseTupleDesc(viewdesc);
	index_close(irel, NoLock);
	table_close(trel, NoLock);
	return true;
}

static MethodPlan *
method_plan(Oid fn)
{
	MethodPlan *entry;
	bool		found;
	HeapTuple	proctup;
	Form_pg_proc proc;
	char	   *body;
	List	   *sources;

	if (method_plans == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(Oid);
		ctl.entrysize = sizeof(MethodPlan);
		ctl.hcxt = CacheMemoryContext;
		method_plans = hash_create("corm method plans", 64, &ctl,
								   HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
		CacheRegisterSyscacheCallback(PROCOID, method_invalidate, (Datum) 0);
		CacheRegisterSyscacheCallback(AUTHMEMROLEMEM, method_invalidate_roles, (Datum) 0);
		CacheRegisterSyscacheCallback(AUTHOID, method_invalidate_roles, (Datum) 0);
		CacheRegisterRelcacheCallback(method_invalidate_direct, (Datum) 0);
	}
	entry = hash_search(method_plans, &fn, HASH_ENTER, &found);
	if (!found)
	{
		entry->valid = false;
		entry->in_use = 0;
		entry->plan = NULL;
		entry->cxt = NULL;
		entry->get_cxt = NULL;
	}
	if (entry->valid)
		return entry;
	if (entry->in_use > 0)
	{
		/* a call of it is running (the method calls itself): that one keeps its plan */
		entry->plan = NULL;
		entry->cxt = NULL;
		entry->get_cxt = NULL;
	}
	if (entry->plan)
		SPI_freeplan(entry->plan);
	if (entry->cxt)
		MemoryContextDelete(entry->cxt);
	if (entry->get_cxt)
		MemoryContextDelete(entry->get_cxt);
	entry->plan = NULL;
	entry->get_cxt = NULL;
	entry->direct = NULL;
	entry->get_derived = false;
	entry->is_get = false;
	entry->allowed = InvalidOid;
	entry->cxt = AllocSetContextCreate(CacheMemoryContext, "corm method", ALLOCSET_SMALL_SIZES);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	proctup = SearchSysCache1(PROCOID, ObjectIdGetDatum(fn));
	if (!HeapTupleIsValid(proctup))
		elog(ERROR, "cache lookup failed for function %u", fn);
	proc = (Form_pg_proc) GETSTRUCT(proctup);
	entry->rettype = proc->prorettype;
	entry->read_only = proc->provolatile != PROVOLATILE_VOLATILE;
	entry->nargs = proc->pronargs;
	memcpy(entry->argtypes, proc->proargtypes.values, sizeof(Oid) * proc->pronargs);
	get_typlenbyval(entry->rettype, &entry->typlen, &entry->typbyval);
	body = recorded_body(fn, entry->nargs, entry->argtypes);
	entry->plan = prepare_body(proctup, body, entry->rettype, entry->cxt);
	if (SPI_keepplan(entry->plan) != 0)
		elog(ERROR, "could not keep the plan of function %u", fn);
	/* one SELECT of a function that only reads: the executor runs it, without SPI */
	sources = SPI_plan_get_plan_sources(entry->plan);
	entry->one_select = entry->read_only && list_length(sources) == 1 &&
		((CachedPlanSource *) linitial(sources))->commandTag == CMDTAG_SELECT;
	if (entry->one_select && type_is_rowtype(entry->rettype))
	{
		MemoryContext old = MemoryContextSwitchTo(entry->cxt);

		recognize_get(entry, proctup, body);
		MemoryContextSwitchTo(old);
	}
	ReleaseSysCache(proctup);
	SPI_finish();
	entry->valid = true;
	return entry;
}

/* where the first column of the first row goes */
typedef struct FirstValue
{
	DestReceiver pub;
	MemoryContext cxt;
	int16		typlen;
	bool		typbyval;
	bool		got;
	bool		isnull;
	Datum		value;
} FirstValue;

static bool
first_value_receive(TupleTableSlot *slot, DestReceiver *self)
{
	FirstValue *dest = (FirstValue *) self;

	if (dest->got)
		return true;
	slot_getsomeattrs(slot, 1);
	dest->got = true;
	dest->isnull = slot->tts_isnull[0];
	if (!dest->isnull)
	{
		MemoryContext old = MemoryContextSwitchTo(dest->cxt);

		dest->value = datumCopy(slot->tts_values[0], dest->typbyval, dest->typlen);
		MemoryContextSwitchTo(old);
	}
	return true;
}

static void
first_value_startup(DestReceiver *self, int operation, TupleDesc typeinfo)
{
}

static void
first_value_nothing(DestReceiver *self)
{
}

/* errors of a method's SQL name the function, as a SQL function's do */
static void
method_error_context(void *arg)
{
	errcontext("SQL function \"%s\"", get_func_name(*(Oid *) arg));
}

/*
 * The kept plan of one SELECT, run by the executor under the statement's
 * snapshot, as SPI would run it read-only, without SPI's connection and
 * result table.
 */
static bool
run_select(MethodPlan *entry, ParamListInfo params, Datum *result, bool *isnull)
{
	CachedPlanSource *source = linitial(SPI_plan_get_plan_sources(entry->plan));
	CachedPlan *cplan;
	PlannedStmt *stmt;
	QueryDesc  *qd;
	FirstValue	dest;

	memset(&dest, 0, sizeof(dest));
	dest.pub.receiveSlot = first_value_receive;
	dest.pub.rStartup = first_value_startup;
	dest.pub.rShutdown = first_value_nothing;
	dest.pub.rDestroy = first_value_nothing;
	dest.pub.mydest = DestNone;
	dest.cxt = CurrentMemoryContext;
	dest.typlen = entry->typlen;
	dest.typbyval = entry->typbyval;

	cplan = GetCachedPlan(source, params, CurrentResourceOwner, NULL);
	stmt = linitial_node(PlannedStmt, cplan->stmt_list);
	/* SELECT ... FOR UPDATE, say: SPI refuses it in a function that only reads */
	if (list_length(cplan->stmt_list) != 1 || !CommandIsReadOnly(stmt))
	{
		ReleaseCachedPlan(cplan, CurrentResourceOwner);
		return false;
	}
	qd = CreateQueryDesc(stmt, source->query_string, GetActiveSnapshot(), InvalidSnapshot,
						 (DestReceiver *) &dest, params, NULL, 0);
	ExecutorStart(qd, 0);
	ExecutorRun(qd, ForwardScanDirection, 1, true);
	ExecutorFinish(qd);
	ExecutorEnd(qd);
	FreeQueryDesc(qd);
	ReleaseCachedPlan(cplan, CurrentResourceOwner);
	*isnull = !dest.got || dest.isnull;
	*result = *isnull ? (Datum) 0 : dest.value;
	return true;
}

/* run_select, counted as a call running the plan (a method calling itself) */
static bool
run_select_counted(MethodPlan *entry, ParamListInfo params, Datum *result, bool *isnull)
{
	bool		ran;

	entry->in_use++;
	PG_TRY();
	{
		ran = run_select(entry, params, result, isnull);
	}
	PG_CATCH();
	{
		entry->in_use--;
		PG_RE_THROW();
	}
	PG_END_TRY();
	entry->in_use--;
	return ran;
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
	Datum		value = (Datum) 0;
	bool		null = true;
	volatile Datum result = (Datum) 0;
	volatile bool isnull = true;
	volatile bool counted = false;
	int			nargs = PG_NARGS() - 2;
	ErrorContextCallback errcallback;
	bool		ran;

	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the method of corm.call() must not be null")));
	fn = PG_GETARG_OID(1);
	/* EXECUTE first (42883 for no such function), before any plan is made */
	entry = method_plans ? hash_search(method_plans, &fn, HASH_FIND, NULL) : NULL;
	if (entry == NULL || !entry->valid || entry->allowed != GetUserId())
	{
		if (!SearchSysCacheExists1(PROCOID, ObjectIdGetDatum(fn)))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_FUNCTION),
					 errmsg("function with OID %u does not exist", fn),
					 errhint("corm.call() runs a query method's function that corm made.")));
		if (pg_proc_aclcheck(fn, GetUserId(), ACL_EXECUTE) != ACLCHECK_OK)
			aclcheck_error(ACLCHECK_NO_PRIV, OBJECT_FUNCTION, get_func_name(fn));
		entry = method_plan(fn);
		entry->allowed = GetUserId();
	}
	/* the types are the call's, checked once for each place that calls */
	if (fcinfo->flinfo->fn_extra != entry)
	{
		if (nargs != entry->nargs || get_fn_expr_argtype(fcinfo->flinfo, 0) != entry->rettype)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("corm.call() of %s with other types than the function's", format_procedure(fn))));
		for (int i = 0; i < entry->nargs; i++)
			if (get_fn_expr_argtype(fcinfo->flinfo, i + 2) != entry->argtypes[i])
				ereport(ERROR,
						(errcode(ERRCODE_DATATYPE_MISMATCH),
						 errmsg("corm.call() of %s with other types than the function's", format_procedure(fn))));
		fcinfo->flinfo->fn_extra = entry;
	}
	if (entry->is_get && direct_get(entry, fcinfo, &value, &null))
	{
		if (null)
			PG_RETURN_NULL();
		PG_RETURN_DATUM(value);
	}
	params = makeParamList(entry->nargs);
	for (int i = 0; i < entry->nargs; i++)
	{
		ParamExternData *p = &params->params[i];

		p->value = fcinfo->args[i + 2].value;
		p->isnull = fcinfo->args[i + 2].isnull;
		p->pflags = PARAM_FLAG_CONST;
		p->ptype = entry->argtypes[i];
	}
	if (entry->one_select && ActiveSnapshotSet())
	{
		errcallback.callback = method_error_context;
		errcallback.arg = &fn;
		errcallback.previous = error_context_stack;
		error_context_stack = &errcallback;
		ran = run_select_counted(entry, params, &value, &null);
		error_context_stack = errcallback.previous;
		if (ran && null)
			PG_RETURN_NULL();
		if (ran)
			PG_RETURN_DATUM(value);
	}
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
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
			value = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &null);

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
