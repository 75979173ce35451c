/*
 * keyset.c — corm.keyset(): BaseQuery's keyset pages
 *
 * A keyset page is the rows after (or before) a bookmark in an order over
 * the model's columns with the primary key appended, so that no row repeats
 * or goes missing between pages while others are inserted or deleted, and a
 * page deep in a big table costs what the first one costs when an index
 * matches the order: the bookmark is a position in the order, found by the
 * index, not a count of rows to skip.
 *
 * order_by is read by corm, not by the SQL parser: a list of the row type's
 * columns, each optionally ASC or DESC (NULLs last ascending and first
 * descending, PostgreSQL's defaults).  The statement is built from quoted
 * names; every value is a parameter.
 *
 * A bookmark is text: base64 (URL-safe) of the row type, the order and the
 * values of the order's columns at the position, with a checksum.  One that
 * does not decode, was edited, or is of another model or order is refused
 * (22023).  It positions a page and nothing else: its values become typed
 * parameters of the statement, never SQL.
 */
#include "corm.h"

#include "access/htup_details.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "common/base64.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "rewrite/rewriteHandler.h"
#include "parser/parsetree.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"
#include "parser/scansup.h"
#include "utils/regproc.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"
#include "utils/typcache.h"
#include "access/relation.h"

PG_FUNCTION_INFO_V1(corm_keyset);

#define BOOKMARK_SEED UINT64CONST(0x636f726d6b657973)	/* a fixed seed: a checksum, not a secret */

typedef struct OrderKey
{
	int			att;			/* 0-based column of the row type */
	bool		desc;
	bool		not_null;		/* the column is NOT NULL in its table */
} OrderKey;

static void
order_error(const char *order_by, const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid order_by for keyset: %s", what),
			 errdetail("order_by was: %s", order_by),
			 errhint("Give the model's columns separated by commas, each optionally followed by ASC or DESC.")));
}

/* an identifier as the SQL scanner reads it: quoted as written, else down-cased */
static char *
read_identifier(const char **p, const char *order_by)
{
	StringInfoData buf;
	const char *s = *p;

	initStringInfo(&buf);
	if (*s == '"')
	{
		for (s++;; s++)
		{
			if (*s == '\0')
				order_error(order_by, "an unterminated quoted identifier");
			if (*s == '"' && s[1] == '"')
			{
				appendStringInfoChar(&buf, '"');
				s++;
			}
			else if (*s == '"')
				break;
			else
				appendStringInfoChar(&buf, *s);
		}
		s++;
		if (buf.len == 0)
			order_error(order_by, "an empty quoted identifier");
	}
	else if (isalpha((unsigned char) *s) || *s == '_' || IS_HIGHBIT_SET(*s))
	{
		for (; isalnum((unsigned char) *s) || *s == '_' || *s == '$' || IS_HIGHBIT_SET(*s); s++)
			appendStringInfoChar(&buf, pg_ascii_tolower((unsigned char) *s));
	}
	else
		return NULL;
	*p = s;
	return buf.data;
}

static void
skip_space(const char **p)
{
	while (**p && scanner_isspace(**p))
		(*p)++;
}

/* whether a view's column is a NOT NULL column of a table (through the view's definition) */
static bool
column_not_null(Relation view, Query *vq, int att)
{
	ListCell   *lc;

	if (vq == NULL)
		return false;
	foreach(lc, vq->targetList)
	{
		TargetEntry *tle = lfirst_node(TargetEntry, lc);
		Var		   *var = (Var *) tle->expr;
		RangeTblEntry *rte;
		HeapTuple	tup;
		bool		result;

		if (tle->resjunk || tle->resno != att + 1)
			continue;
		if (!IsA(var, Var) || var->varlevelsup != 0 || var->varattno <= 0 ||
			var->varno < 1 || var->varno > list_length(vq->rtable))
			return false;
		rte = rt_fetch(var->varno, vq->rtable);
		if (rte->rtekind != RTE_RELATION)
			return false;
		tup = SearchSysCache2(ATTNUM, ObjectIdGetDatum(rte->relid), Int16GetDatum(var->varattno));
		if (!HeapTupleIsValid(tup))
			return false;
		result = ((Form_pg_attribute) GETSTRUCT(tup))->attnotnull;
		ReleaseSysCache(tup);
		return result;
	}
	return false;
}

/*
 * The order: order_by's columns, then the key's columns not already in it,
 * ascending.  Sets *normal to the order as corm writes it (for bookmarks).
 */
static List *
parse_order(const char *order_by, TupleDesc desc, Oid relid, ArrayType *key, char **normal)
{
	List	   *result = NIL;
	Datum	   *keys;
	bool	   *keynulls;
	int			nkeys;
	StringInfoData buf;
	Relation	view = NULL;
	Query	   *vq = NULL;
	ListCell   *lc;

	if (OidIsValid(relid))
	{
		view = relation_open(relid, AccessShareLock);
		if (view->rd_rel->relkind == RELKIND_VIEW)
			vq = get_view_query(view);
	}

	if (order_by)
	{
		const char *p = order_by;

		for (;;)
		{
			char	   *name;
			OrderKey   *k = palloc0(sizeof(OrderKey));

			skip_space(&p);
			name = read_identifier(&p, order_by);
			if (name == NULL)
				order_error(order_by, *p ? psprintf("unexpected \"%c\"", *p) : "a column is missing");
			k->att = -1;
			for (int i = 0; i < desc->natts; i++)
				if (!TupleDescAttr(desc, i)->attisdropped &&
					strcmp(NameStr(TupleDescAttr(desc, i)->attname), name) == 0)
					k->att = i;
			if (k->att < 0)
				ereport(ERROR,
						(errcode(ERRCODE_UNDEFINED_COLUMN),
						 errmsg("column \"%s\" of order_by is not a column of %s", name,
								format_type_be(desc->tdtypeid)),
						 errhint("keyset orders by the model's columns only.")));
			foreach(lc, result)
				if (((OrderKey *) lfirst(lc))->att == k->att)
					order_error(order_by, psprintf("column \"%s\" is given twice", name));
			skip_space(&p);
			if (pg_strncasecmp(p, "desc", 4) == 0 && !isalnum((unsigned char) p[4]) && p[4] != '_')
			{
				k->desc = true;
				p += 4;
			}
			else if (pg_strncasecmp(p, "asc", 3) == 0 && !isalnum((unsigned char) p[3]) && p[3] != '_')
				p += 3;
			result = lappend(result, k);
			skip_space(&p);
			if (*p == '\0')
				break;
			if (*p != ',')
				order_error(order_by, psprintf("unexpected \"%c\" after column \"%s\"", *p, name));
			p++;
		}
	}

	/* the primary key, the tie-breaker, ascending */
	deconstruct_array(key, TEXTOID, -1, false, TYPALIGN_INT, &keys, &keynulls, &nkeys);
	if (nkeys == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("keyset of %s needs the model's primary key", format_type_be(desc->tdtypeid))));
	for (int i = 0; i < nkeys; i++)
	{
		char	   *name = keynulls[i] ? "" : TextDatumGetCString(keys[i]);
		int			att = -1;
		bool		seen = false;

		for (int a = 0; a < desc->natts; a++)
			if (!TupleDescAttr(desc, a)->attisdropped &&
				strcmp(NameStr(TupleDescAttr(desc, a)->attname), name) == 0)
				att = a;
		if (att < 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("key column \"%s\" is not a column of %s", name, format_type_be(desc->tdtypeid))));
		foreach(lc, result)
			if (((OrderKey *) lfirst(lc))->att == att)
				seen = true;
		if (!seen)
		{
			OrderKey   *k = palloc0(sizeof(OrderKey));

			k->att = att;
			result = lappend(result, k);
		}
	}

	initStringInfo(&buf);
	foreach(lc, result)
	{
		OrderKey   *k = lfirst(lc);

		k->not_null = column_not_null(view, vq, k->att);
		appendStringInfo(&buf, "%s%s%s", foreach_current_index(lc) ? ", " : "",
						 quote_identifier(NameStr(TupleDescAttr(desc, k->att)->attname)),
						 k->desc ? " DESC" : "");
	}
	if (view)
		relation_close(view, NoLock);
	*normal = buf.data;
	return result;
}

/* ---------- bookmarks ---------- */

static void
append_field(StringInfo buf, const char *value)
{
	if (value == NULL)
		appendStringInfoString(buf, "-;");
	else
		appendStringInfo(buf, "%d:%s;", (int) strlen(value), value);
}

static char *
make_bookmark(const char *rowtype, const char *order, int nvalues, char **values)
{
	StringInfoData payload;
	char	   *encoded;
	int			len;

	initStringInfo(&payload);
	append_field(&payload, "1");
	append_field(&payload, rowtype);
	append_field(&payload, order);
	for (int i = 0; i < nvalues; i++)
		append_field(&payload, values[i]);
	appendStringInfo(&payload, "%016" INT64_MODIFIER "x",
					 hash_bytes_extended((const unsigned char *) payload.data, payload.len, BOOKMARK_SEED));
	encoded = palloc(pg_b64_enc_len(payload.len) + 1);
	len = pg_b64_encode(payload.data, payload.len, encoded, pg_b64_enc_len(payload.len));
	if (len < 0)
		elog(ERROR, "could not encode a keyset bookmark");
	/* URL-safe, without padding: a bookmark goes into links */
	while (len > 0 && encoded[len - 1] == '=')
		len--;
	encoded[len] = '\0';
	for (char *c = encoded; *c; c++)
		*c = *c == '+' ? '-' : *c == '/' ? '_' : *c;
	return encoded;
}

static void
bookmark_error(const char *which, const char *why)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid keyset bookmark in \"%s\": %s", which, why),
			 errhint("Pass the next or prev bookmark of a page of the same model and order_by, unchanged.")));
}

/* read one field of a payload; false at a malformed one */
static bool
read_field(const char **p, const char *end, char **value)
{
	const char *s = *p;
	long		len = 0;

	if (s < end && *s == '-')
	{
		if (s + 1 >= end || s[1] != ';')
			return false;
		*value = NULL;
		*p = s + 2;
		return true;
	}
	if (s >= end || !isdigit((unsigned char) *s))
		return false;
	for (; s < end && isdigit((unsigned char) *s); s++)
	{
		len = len * 10 + (*s - '0');
		if (len > end - *p)
			return false;
	}
	if (s >= end || *s != ':' || s + 1 + len >= end || s[1 + len] != ';')
		return false;
	*value = pnstrdup(s + 1, len);
	*p = s + 2 + len;
	return true;
}

/* the values of a bookmark, checked to be corm's, for this row type and order */
static char **
read_bookmark(const char *which, const char *bookmark, const char *rowtype, const char *order,
			  int nvalues)
{
	int			blen = strlen(bookmark);
	char	   *b64 = palloc(blen + 4);
	char	   *payload;
	int			len;
	const char *p;
	const char *end;
	char	  **values = palloc0(sizeof(char *) * Max(nvalues, 1));
	char	   *field;
	char		sum[17];

	for (int i = 0; i < blen; i++)
	{
		char		c = bookmark[i];

		if (!(isalnum((unsigned char) c) || c == '-' || c == '_'))
			bookmark_error(which, "it is not a bookmark");
		b64[i] = c == '-' ? '+' : c == '_' ? '/' : c;
	}
	while (blen % 4)
		b64[blen++] = '=';
	b64[blen] = '\0';
	payload = palloc(pg_b64_dec_len(blen) + 1);
	len = pg_b64_decode(b64, blen, payload, pg_b64_dec_len(blen));
	if (len < 16)
		bookmark_error(which, "it is not a bookmark");
	payload[len] = '\0';
	snprintf(sum, sizeof(sum), "%016" INT64_MODIFIER "x",
			 hash_bytes_extended((const unsigned char *) payload, len - 16, BOOKMARK_SEED));
	if (memcmp(sum, payload + len - 16, 16) != 0)
		bookmark_error(which, "it was changed");
	p = payload;
	end = payload + len - 16;
	if (!read_field(&p, end, &field) || field == NULL || strcmp(field, "1") != 0)
		bookmark_error(which, "it is of another version of corm");
	if (!read_field(&p, end, &field) || field == NULL || strcmp(field, rowtype) != 0)
		bookmark_error(which, psprintf("it is a bookmark of %s, not of %s", field ? field : "?", rowtype));
	if (!read_field(&p, end, &field) || field == NULL || strcmp(field, order) != 0)
		bookmark_error(which, psprintf("it is a bookmark in the order %s, not %s", field ? field : "?", order));
	for (int i = 0; i < nvalues; i++)
		if (!read_field(&p, end, &values[i]))
			bookmark_error(which, "it is not a bookmark");
	if (p != end)
		bookmark_error(which, "it is not a bookmark");
	return values;
}

/* ---------- the page ---------- */

/*
 * The statements of keyset pages, prepared once per session and statement
 * (its text and its parameters' types): a page costs no planning, and the
 * plan cache makes a plan again when a relation it reads changes.
 */
#define PAGE_KEY_SIZE 1024
#define PAGE_PLANS_MAX 512

typedef struct PagePlan
{
	char		key[PAGE_KEY_SIZE];
	SPIPlanPtr	plan;
} PagePlan;

static HTAB *page_plans = NULL;

static SPIPlanPtr
page_plan(const char *sql, int nparams, Oid *types)
{
	StringInfoData key;
	PagePlan   *entry;
	bool		found;
	SPIPlanPtr	plan;

	initStringInfo(&key);
	appendStringInfoString(&key, sql);
	for (int i = 0; i < nparams; i++)
		appendStringInfo(&key, "|%u", types[i]);
	if (page_plans == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = PAGE_KEY_SIZE;
		ctl.entrysize = sizeof(PagePlan);
		ctl.hcxt = CacheMemoryContext;
		page_plans = hash_create("corm keyset plans", 32, &ctl, HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	}
	if (key.len < PAGE_KEY_SIZE)
	{
		entry = hash_search(page_plans, key.data, HASH_FIND, NULL);
		if (entry)
			return entry->plan;
	}
	/*
	 * One plan for every bookmark: planned for a bookmark's own values the
	 * statement looks cheaper (few rows past it), so the plan cache would
	 * plan it again on every page
	 */
	plan = SPI_prepare_cursor(sql, nparams, types, CURSOR_OPT_GENERIC_PLAN);
	if (plan == NULL)
		elog(ERROR, "could not prepare a keyset page: %s", SPI_result_code_string(SPI_result));
	/* a statement too long for the key, or one more than the cache holds, runs unkept */
	if (key.len >= PAGE_KEY_SIZE || hash_get_num_entries(page_plans) >= PAGE_PLANS_MAX)
		return plan;
	if (SPI_keepplan(plan) != 0)
		elog(ERROR, "could not keep a keyset page's plan");
	entry = hash_search(page_plans, key.data, HASH_ENTER, &found);
	entry->plan = plan;
	return plan;
}

static Oid
first_argtype(Oid fn)
{
	HeapTuple	tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(fn));
	Oid			result;

	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for function %u", fn);
	result = ((Form_pg_proc) GETSTRUCT(tup))->pronargs > 0 ?
		((Form_pg_proc) GETSTRUCT(tup))->proargtypes.values[0] : InvalidOid;
	ReleaseSysCache(tup);
	return result;
}

/*
 * The condition for the rows past a position, in the direction of travel:
 * forward (after) the order as given, backward (before) the order reversed.
 * With every column NOT NULL and one direction, a row comparison that a
 * matching index answers as one range; else each column in turn, with the
 * first column's bound added so that an index on it still applies.
 */
static char *
past_condition(List *order, TupleDesc desc, char **values, bool backward, int *nparams,
			   Oid *types, Datum *params)
{
	StringInfoData buf;
	ListCell   *lc;
	bool		simple = true;
	bool		first_desc = ((OrderKey *) linitial(order))->desc;
	int			n = list_length(order);
	char	  **refs = palloc(sizeof(char *) * n);
	int			i = 0;

	/* each value, read with its column type's input function */
	foreach(lc, order)
	{
		OrderKey   *k = lfirst(lc);
		Form_pg_attribute att = TupleDescAttr(desc, k->att);

		if (k->desc != first_desc || !k->not_null)
			simple = false;
		if (values[i] == NULL)
		{
			refs[i] = NULL;
			simple = false;
		}
		else
		{
			Oid			input;
			Oid			ioparam;

			getTypeInputInfo(att->atttypid, &input, &ioparam);
			types[*nparams] = att->atttypid;
			params[*nparams] = OidInputFunctionCall(input, values[i], ioparam, att->atttypmod);
			(*nparams)++;
			refs[i] = psprintf("$%d", *nparams);
		}
		i++;
	}

	initStringInfo(&buf);
	if (simple)
	{
		/* (a, b, id) > ($1, $2, $3), or < */
		bool		greater = first_desc == backward;

		appendStringInfoString(&buf, "ROW(");
		foreach(lc, order)
			appendStringInfo(&buf, "%scorm_row.%s", foreach_current_index(lc) ? ", " : "",
							 quote_identifier(NameStr(TupleDescAttr(desc, ((OrderKey *) lfirst(lc))->att)->attname)));
		appendStringInfo(&buf, ") %s ROW(", greater ? ">" : "<");
		for (i = 0; i < n; i++)
			appendStringInfo(&buf, "%s%s", i ? ", " : "", refs[i]);
		appendStringInfoChar(&buf, ')');
		return buf.data;
	}

	/* the first column's bound: at or past the position */
	{
		OrderKey   *k = linitial(order);
		const char *col = quote_identifier(NameStr(TupleDescAttr(desc, k->att)->attname));
		bool		later_is_greater = k->desc == backward;	/* ascending travel over the column */
		bool		nulls_later = !k->desc != backward;	/* NULLs come after the values */

		if (refs[0] == NULL && nulls_later)
			appendStringInfo(&buf, "corm_row.%s IS NULL AND (", col);
		else if (refs[0] == NULL)
			appendStringInfoString(&buf, "TRUE AND (");
		else
			appendStringInfo(&buf, "(corm_row.%s %s %s%s%s%s) AND (", col, later_is_greater ? ">=" : "<=",
							 refs[0], nulls_later ? " OR corm_row." : "", nulls_later ? col : "",
							 nulls_later ? " IS NULL" : "");
	}
	for (i = 0; i < n; i++)
	{
		ListCell   *pc;
		int			j = 0;
		OrderKey   *k = list_nth(order, i);
		const char *col = quote_identifier(NameStr(TupleDescAttr(desc, k->att)->attname));
		bool		later_is_greater = k->desc == backward;
		bool		nulls_later = !k->desc != backward;

		appendStringInfoString(&buf, i ? " OR (" : "(");
		foreach(pc, order)
		{
			const char *pcol;

			if (j == i)
				break;
			pcol = quote_identifier(NameStr(TupleDescAttr(desc, ((OrderKey *) lfirst(pc))->att)->attname));
			if (refs[j])
				appendStringInfo(&buf, "corm_row.%s = %s AND ", pcol, refs[j]);
			else
				appendStringInfo(&buf, "corm_row.%s IS NULL AND ", pcol);
			j++;
		}
		/* past the value in this column */
		if (refs[i] == NULL && nulls_later)
			appendStringInfoString(&buf, "FALSE");
		else if (refs[i] == NULL)
			appendStringInfo(&buf, "corm_row.%s IS NOT NULL", col);
		else if (nulls_later)
			appendStringInfo(&buf, "(corm_row.%s %s %s OR corm_row.%s IS NULL)", col,
							 later_is_greater ? ">" : "<", refs[i], col);
		else
			appendStringInfo(&buf, "corm_row.%s %s %s", col, later_is_greater ? ">" : "<", refs[i]);
		appendStringInfoChar(&buf, ')');
	}
	appendStringInfoChar(&buf, ')');
	return buf.data;
}

static char *
order_clause(List *order, TupleDesc desc, bool reversed)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	foreach(lc, order)
	{
		OrderKey   *k = lfirst(lc);

		appendStringInfo(&buf, "%scorm_row.%s%s", foreach_current_index(lc) ? ", " : "",
						 quote_identifier(NameStr(TupleDescAttr(desc, k->att)->attname)),
						 k->desc != reversed ? " DESC" : "");
	}
	return buf.data;
}

/*
 * corm.keyset(page anyelement, rows regclass, scope regprocedure,
 *             parent "any", key text[], per_page integer, after text,
 *             before text, order_by text) RETURNS anyelement
 *
 * One keyset page of the rows of a view (rows), or of a relationship's
 * function for a parent row (scope, parent), as the page's row type:
 * (items, per_page, has_next, has_prev, next, prev).
 */
Datum
corm_keyset(PG_FUNCTION_ARGS)
{
	Oid			pagetype = get_fn_expr_argtype(fcinfo->flinfo, 0);
	Oid			rows = PG_ARGISNULL(1) ? InvalidOid : PG_GETARG_OID(1);
	Oid			scope = PG_ARGISNULL(2) ? InvalidOid : PG_GETARG_OID(2);
	Oid			parenttype = get_fn_expr_argtype(fcinfo->flinfo, 3);
	ArrayType  *key = PG_ARGISNULL(4) ? NULL : PG_GETARG_ARRAYTYPE_P(4);
	int			per_page = PG_ARGISNULL(5) ? 20 : PG_GETARG_INT32(5);
	char	   *after = PG_ARGISNULL(6) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(6));
	char	   *before = PG_ARGISNULL(7) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(7));
	char	   *order_by = PG_ARGISNULL(8) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(8));
	TupleDesc	pagedesc;
	TupleDesc	rowdesc;
	Oid			rowtype;
	char	   *rowtype_name;
	char	   *normal;
	List	   *order;
	char	  **values = NULL;
	bool		backward = before != NULL;
	StringInfoData sql;
	Oid			types[INDEX_MAX_KEYS * 2 + 2];
	Datum		params[INDEX_MAX_KEYS * 2 + 2];
	int			nparams = 0;
	int			n;
	int			got;
	Datum	   *items;
	Datum		result[6];
	bool		nulls[6] = {false, false, false, false, false, false};
	MemoryContext caller = CurrentMemoryContext;

	/* the page's type and the rows': corm.keyset() may be called by hand */
	if (!type_is_rowtype(pagetype))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("type %s is not a keyset page", format_type_be(pagetype))));
	pagedesc = lookup_rowtype_tupdesc_copy(pagetype, -1);
	{
		static const Oid shape[6] = {InvalidOid, INT4OID, BOOLOID, BOOLOID, TEXTOID, TEXTOID};
		bool		ok = pagedesc->natts == 6;

		for (int i = 0; ok && i < 6; i++)
			ok = !TupleDescAttr(pagedesc, i)->attisdropped &&
				(i == 0 ? OidIsValid(get_element_type(TupleDescAttr(pagedesc, 0)->atttypid)) &&
				 type_is_rowtype(get_element_type(TupleDescAttr(pagedesc, 0)->atttypid)) :
				 TupleDescAttr(pagedesc, i)->atttypid == shape[i]);
		if (!ok)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("type %s is not a keyset page", format_type_be(pagetype)),
					 errdetail("A keyset page is (items <row type>[], per_page integer, has_next boolean, has_prev boolean, next text, prev text)."),
					 errhint("Register the model again to make its keyset page type again.")));
	}
	rowtype = get_element_type(TupleDescAttr(pagedesc, 0)->atttypid);
	if (OidIsValid(scope) && !SearchSysCacheExists1(PROCOID, ObjectIdGetDatum(scope)))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FUNCTION),
				 errmsg("function with OID %u does not exist", scope)));
	if (OidIsValid(rows) == OidIsValid(scope) ||
		(OidIsValid(rows) && get_rel_type_id(rows) != rowtype) ||
		(OidIsValid(scope) && (get_func_rettype(scope) != rowtype || !get_func_retset(scope) ||
							   get_func_nargs(scope) != 1)) ||
		key == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("corm.keyset() needs the rows of %s: a view of that type, or a function returning a set of it",
						format_type_be(rowtype))));
	if (per_page < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("per_page must be at least 1, not %d", per_page)));
	if (after && before)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("keyset takes after or before, not both"),
				 errhint("Pass a page's next bookmark as after to go forward, its prev bookmark as before to go back.")));
	rowdesc = lookup_rowtype_tupdesc_copy(rowtype, -1);
	rowtype_name = format_type_be_qualified(rowtype);
	order = parse_order(order_by, rowdesc, get_typ_typrelid(rowtype), key, &normal);
	if (after || before)
		values = read_bookmark(after ? "after" : "before", after ? after : before, rowtype_name,
							   normal, list_length(order));

	/* the statement: the row, and each order column as text for the bookmarks */
	initStringInfo(&sql);
	appendStringInfoString(&sql, "SELECT corm_row");
	{
		ListCell   *lc;

		foreach(lc, order)
			appendStringInfo(&sql, ", corm_row.%s::pg_catalog.text",
							 quote_identifier(NameStr(TupleDescAttr(rowdesc, ((OrderKey *) lfirst(lc))->att)->attname)));
	}
	if (OidIsValid(rows))
		appendStringInfo(&sql, " FROM %s corm_row", corm_qualified(get_namespace_name(get_rel_namespace(rows)),
																  get_rel_name(rows)));
	else
	{
		if (first_argtype(scope) != parenttype)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("the parent of corm.keyset() is not the argument of %s", format_procedure(scope))));
		types[nparams] = parenttype;
		params[nparams] = PG_GETARG_DATUM(3);
		nparams++;
		appendStringInfo(&sql, " FROM %s($1) corm_row",
						 corm_qualified(get_namespace_name(get_func_namespace(scope)), get_func_name(scope)));
	}
	if (values)
		appendStringInfo(&sql, " WHERE %s",
						 past_condition(order, rowdesc, values, backward, &nparams, types, params));
	appendStringInfo(&sql, " ORDER BY %s LIMIT " INT64_FORMAT, order_clause(order, rowdesc, backward),
					 (int64) per_page + 1);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (OidIsValid(scope) && PG_ARGISNULL(3))
		n = 0;					/* no parent: no rows */
	else
	{
		if (SPI_execute_plan(page_plan(sql.data, nparams, types), params, NULL, true, 0) != SPI_OK_SELECT)
			elog(ERROR, "could not read a keyset page of %s", rowtype_name);
		n = (int) SPI_processed;
	}
	got = Min(n, per_page);
	items = MemoryContextAlloc(caller, sizeof(Datum) * Max(got, 1));	/* outlives SPI */
	for (int i = 0; i < got; i++)
	{
		/* backward, the rows come last first: the page shows them in the order */
		int			row = backward ? got - 1 - i : i;
		bool		isnull;
		Datum		d = SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, 1, &isnull);
		MemoryContext spi = MemoryContextSwitchTo(caller);

		if (isnull)
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("a row that corm.keyset() read from %s is null", format_procedure(scope)),
					 errhint("The rows of a keyset page are a view's, or a relationship function's.")));
		items[i] = datumCopy(d, false, -1);
		MemoryContextSwitchTo(spi);
	}
	/* the bookmarks of the page's first and last rows */
	if (got > 0)
	{
		int			nvals = list_length(order);
		char	  **firstv = palloc(sizeof(char *) * nvals);
		char	  **lastv = palloc(sizeof(char *) * nvals);
		int			firstrow = backward ? got - 1 : 0;
		int			lastrow = backward ? 0 : got - 1;
		char	   *next;
		char	   *prev;
		MemoryContext spi;

		for (int c = 0; c < nvals; c++)
		{
			firstv[c] = SPI_getvalue(SPI_tuptable->vals[firstrow], SPI_tuptable->tupdesc, c + 2);
			lastv[c] = SPI_getvalue(SPI_tuptable->vals[lastrow], SPI_tuptable->tupdesc, c + 2);
		}
		spi = MemoryContextSwitchTo(caller);
		prev = make_bookmark(rowtype_name, normal, nvals, firstv);
		next = make_bookmark(rowtype_name, normal, nvals, lastv);
		result[4] = CStringGetTextDatum(next);
		result[5] = CStringGetTextDatum(prev);
		MemoryContextSwitchTo(spi);
	}
	else
	{
		nulls[4] = true;
		nulls[5] = true;
	}
	SPI_finish();

	{
		int16		typlen;
		bool		typbyval;
		char		typalign;
		get_typlenbyvalalign(rowtype, &typlen, &typbyval, &typalign);
		result[0] = PointerGetDatum(construct_array(items, got, rowtype, typlen, typbyval, typalign));
	}
	result[1] = Int32GetDatum(per_page);
	/* more rows in the direction of travel; a bookmark behind means rows there */
	result[2] = BoolGetDatum(backward ? true : n > per_page);
	result[3] = BoolGetDatum(backward ? n > per_page : after != NULL);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(pagedesc, result, nulls)));
}
