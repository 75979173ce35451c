/*
 * query.c — query classes and relationships: the functions generated for a
 * model
 *
 * A query method is a template.  For every model whose effective query
 * class has it (the model's own query_class, else its parent's, else its
 * model class's), corm creates <schema>.<name>_<method>(args), with the
 * placeholders replaced by the model's quoted names:
 *
 *   @view@ @table@ @rowtype@ @pk@ @pktype@ @model@   (SPEC)
 *   @function@ @pagination@                           (the generated
 *       function's own name, to qualify its parameters; the model's
 *       Pagination row type)
 *
 * A relationship gives <model>_<name>(parent) over the related rows, and
 * every method of its query class again, scoped to them:
 * <model>_<name>_<method>(parent, args) sees only parent's related rows
 * as @view@.
 *
 * The header a template gives (args, returns) is checked by the server's
 * parser to be exactly one CREATE FUNCTION with nothing added; the body is
 * passed as a quoted literal.  A method that returns the model's row from a
 * single SELECT is created as SETOF that row type, ROWS 1, selecting from
 * the body, so that the planner inlines a call in FROM.
 *
 * Every function corm created is recorded in corm.query_function with the
 * statement that made it; one whose definition would be the same again is
 * left alone.
 */
#include "corm.h"

#include "catalog/namespace.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "parser/parse_type.h"
#include "parser/parser.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/catcache.h"
#include "utils/memutils.h"
#include "utils/lsyscache.h"
#include "utils/regproc.h"
#include "utils/syscache.h"

typedef struct CormMethod
{
	char	   *query_class;
	char	   *name;
	char	   *args;
	char	   *returns;
	char	   *body;
	char	   *language;
	char	   *volatility;
} CormMethod;

/* a generated object: a function, or the model's Pagination type */
typedef struct CormFunction
{
	char	   *name;
	const char *kind;
	char	   *method;
	char	   *relationship;
	char	   *target;
	char	   *signature;
	char	   *definition;
	char	   *body;			/* run by corm.call(): the method's SQL */
	char	   *call;			/* and the function's own body, the call */
	bool		checked;		/* a body of the user's: prepared once when made */
} CormFunction;

typedef struct Placeholders
{
	const char *view;
	const char *table;
	const char *rowtype;
	const char *pk;
	const char *pktype;
	const char *model;
	const char *function;
	const char *pagination;
	const char *relation;		/* the view's name as a literal; NULL when scoped */
	/* the whole primary key, one column or several, as corm_row's */
	const char *keyparams;		/* ident <type>, or ident_<col> <type>, ... */
	const char *keymatch;		/* corm_row.<col> = ident [AND ...] */
	const char *keyorder;		/* corm_row.<col>[, ...] */
	const char *keytext;		/* the key's value as text, for messages */
	const char *keycolumns;		/* the key's column names, a text[] */
	const char *keyset;			/* the model's keyset page row type */
	const char *keysource;		/* the rows corm.keyset() reads: the view, or the scope and parent */
} Placeholders;

static uint64
query(const char *sql, int nargs, const char **args)
{
	Oid			types[4] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID};
	Datum		values[4];
	char		nulls[4] = {' ', ' ', ' ', ' '};

	for (int i = 0; i < nargs; i++)
	{
		values[i] = args[i] ? CStringGetTextDatum(args[i]) : (Datum) 0;
		nulls[i] = args[i] ? ' ' : 'n';
	}
	if (corm_catalog_spi(sql, nargs, types, values, nulls) < 0)
		elog(ERROR, "corm catalog query failed");
	return SPI_processed;
}

static char *
value(uint64 row, int col)
{
	return SPI_getvalue(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col);
}

/* the methods of a query class: its own, and its bases' it does not override */
static List *
class_methods(const char *query_class)
{
	const char *args[1] = {query_class};
	List	   *result = NIL;
	uint64		n;

	n = query("WITH RECURSIVE chain(name, base, depth) AS ("
			  "  SELECT name, base, 0 FROM corm.query_class WHERE name = $1"
			  "  UNION ALL SELECT q.name, q.base, c.depth + 1"
			  "    FROM corm.query_class q JOIN chain c ON q.name = c.base WHERE c.depth < 100)"
			  " SELECT DISTINCT ON (m.name) m.query_class, m.name, m.args, m.returns, m.body,"
			  "        m.language, m.volatility"
			  "   FROM corm.query_method m JOIN chain c ON c.name = m.query_class"
			  "  ORDER BY m.name, c.depth", 1, args);
	for (uint64 i = 0; i < n; i++)
	{
		CormMethod *m = palloc(sizeof(CormMethod));

		m->query_class = value(i, 1);
		m->name = value(i, 2);
		m->args = value(i, 3);
		m->returns = value(i, 4);
		m->body = value(i, 5);
		m->language = value(i, 6);
		m->volatility = value(i, 7);
		result = lappend(result, m);
	}
	return result;
}

/* a model's query class: its own, else its parent's, else its model class's */
static char *
effective_query_class(CormResolved *res)
{
	for (CormResolved *r = res; r;)
	{
		if (r->row->query_class)
			return r->row->query_class;
		r = r->row->parent ? corm_resolve_model(r->row->parent, false) : NULL;
	}
	return corm_load_model_class(res->model_class, false)->query_class;
}

static void
append_placeholder(StringInfo buf, const char *value, const char *name, const char *model)
{
	if (value == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("placeholder @%s@ has no value for model \"%s\"", name, model),
				 errdetail("@pk@ and @pktype@ need a model with a one-column primary key; @keyparams@, @keymatch@, @keyorder@ and @keytext@ take the whole key.")));
	appendStringInfoString(buf, value);
}

/* a template with its placeholders replaced */
static char *
substitute(const char *template, Placeholders *ph)
{
	static const char *const names[] = {"view", "table", "rowtype", "pk", "pktype", "model",
	"function", "pagination", "relation", "keyparams", "keymatch", "keyorder", "keytext",
	"keycolumns", "keyset", "keysource"};
	StringInfoData buf;
	const char *p = template;

	initStringInfo(&buf);
	while (*p)
	{
		bool		replaced = false;

		if (*p == '@')
		{
			for (int i = 0; i < (int) lengthof(names); i++)
			{
				int			len = strlen(names[i]);

				if (strncmp(p + 1, names[i], len) == 0 && p[len + 1] == '@')
				{
					const char *values[] = {ph->view, ph->table, ph->rowtype, ph->pk, ph->pktype,
					ph->model, ph->function, ph->pagination, ph->relation, ph->keyparams,
					ph->keymatch, ph->keyorder, ph->keytext, ph->keycolumns, ph->keyset,
					ph->keysource};

					append_placeholder(&buf, values[i], names[i], ph->model);
					p += len + 2;
					replaced = true;
					break;
				}
			}
		}
		if (!replaced)
			appendStringInfoChar(&buf, *p++);
	}
	return buf.data;
}

/* whether a return type is a set: SETOF ... or TABLE (...) */
static bool
returns_set(const char *returns)
{
	const char *p = returns + strspn(returns, " \t\r\n");

	return pg_strncasecmp(p, "setof", 5) == 0 || pg_strncasecmp(p, "table", 5) == 0;
}

/*
 * The CREATE FUNCTION statement of a generated function, checked by the
 * server's parser to be just that; and the function's signature.
 */
static CormFunction *
plan_function(CormResolved *res, const char *fname, const char *args, const char *returns,
			  const char *body, const char *language, const char *volatility,
			  const char *what)
{
	CormFunction *f = palloc0(sizeof(CormFunction));
	char	   *qualified = corm_qualified(res->schema, fname);
	/* (corm.call() comes with 0.2's catalog: until the update, plain SQL functions) */
	bool		runner = strcmp(language, "sql") == 0 && !returns_set(returns) &&
		corm_catalog_has("query_function", "body");
	char	   *sql_definition;
	List	   *parse;
	CreateFunctionStmt *stmt;
	StringInfoData sig;
	ListCell   *lc;
	int			noptions = 0;

	corm_check_identifier(fname, "function name", res->row->name);
	if (strcmp(volatility, "immutable") != 0 && strcmp(volatility, "stable") != 0 &&
		strcmp(volatility, "volatile") != 0)
		elog(ERROR, "unexpected volatility \"%s\"", volatility);
	f->name = pstrdup(fname);
	f->kind = "function";
	sql_definition = psprintf("CREATE FUNCTION %s(%s%s%s)\n    RETURNS %s\n    LANGUAGE %s %s\n    AS %s",
							  qualified, *args ? "\n        " : "", args, *args ? "\n    " : "",
							  returns, quote_identifier(language), volatility,
							  quote_literal_cstr(body));
	f->definition = sql_definition;

	parse = raw_parser(sql_definition, RAW_PARSE_DEFAULT);
	if (list_length(parse) != 1 || !IsA(linitial_node(RawStmt, parse)->stmt, CreateFunctionStmt))
		goto refuse;
	stmt = (CreateFunctionStmt *) linitial_node(RawStmt, parse)->stmt;
	if (stmt->is_procedure || stmt->replace || stmt->sql_body ||
		list_length(stmt->funcname) != 2 ||
		strcmp(strVal(lsecond(stmt->funcname)), fname) != 0)
		goto refuse;
	/*
	 * Each option as corm wrote it: a header that opens a comment or a
	 * string could otherwise swallow corm's and bring its own.
	 */
	foreach(lc, stmt->options)
	{
		DefElem    *opt = lfirst_node(DefElem, lc);
		bool		same;

		if (strcmp(opt->defname, "language") == 0)
			same = IsA(opt->arg, String) && strcmp(strVal(opt->arg), language) == 0;
		else if (strcmp(opt->defname, "volatility") == 0)
			same = IsA(opt->arg, String) && strcmp(strVal(opt->arg), volatility) == 0;
		else if (strcmp(opt->defname, "as") == 0)
			same = IsA(opt->arg, List) && list_length((List *) opt->arg) == 1 &&
				IsA(linitial((List *) opt->arg), String) &&
				strcmp(strVal(linitial((List *) opt->arg)), body) == 0;
		else
			same = false;
		if (!same)
			goto refuse;
		noptions++;
	}
	if (noptions != 3)
		goto refuse;

	/*
	 * A SQL function that returns one value would have its body planned
	 * again on every execution of the statement that calls it.  Its body
	 * is kept in corm's catalog instead and the function is one call of
	 * corm.call(), which runs it with a plan kept for the session
	 * (src/method.c): a body the planner inlines into the calling
	 * statement, so the call costs no planning either, in a select list
	 * as in FROM.
	 */
	if (runner)
		f->body = pstrdup(body);

	initStringInfo(&sig);
	appendStringInfo(&sig, "%s(", qualified);
	foreach(lc, stmt->parameters)
	{
		FunctionParameter *param = lfirst_node(FunctionParameter, lc);

		if (param->mode == FUNC_PARAM_OUT || param->mode == FUNC_PARAM_TABLE)
			continue;
		appendStringInfo(&sig, "%s%s", sig.data[sig.len - 1] == '(' ? "" : ", ",
						 format_type_be_qualified(typenameTypeId(NULL, param->argType)));
	}
	appendStringInfoChar(&sig, ')');
	f->signature = sig.data;
	if (runner)
	{
		StringInfoData call;
		int			nparams = 0;

		foreach(lc, stmt->parameters)
			if (lfirst_node(FunctionParameter, lc)->mode != FUNC_PARAM_OUT &&
				lfirst_node(FunctionParameter, lc)->mode != FUNC_PARAM_TABLE)
				nparams++;
		initStringInfo(&call);
		/* the return type as the header gave it, which the server parsed as just that */
		appendStringInfo(&call, "SELECT corm.%s(NULL::%s\n, %s::pg_catalog.regprocedure",
						 strcmp(volatility, "volatile") == 0 ? "call_volatile" : "call",
						 returns, quote_literal_cstr(f->signature));
		for (int i = 1; i <= nparams; i++)
			appendStringInfo(&call, ", $%d", i);
		appendStringInfoChar(&call, ')');
		f->call = call.data;
		f->definition = psprintf("CREATE FUNCTION %s(%s%s%s)\n    RETURNS %s\n    LANGUAGE sql %s\n    AS %s",
								 qualified, *args ? "\n        " : "", args, *args ? "\n    " : "",
								 returns, volatility, quote_literal_cstr(f->call));
	}
	return f;

refuse:
	ereport(ERROR,
			(errcode(ERRCODE_SYNTAX_ERROR),
			 errmsg("%s is not a function for model \"%s\"", what, res->row->name),
			 errdetail("Its args and returns must be a parameter list and a return type, and nothing else."),
			 errhint("The statement would be: %s", sql_definition)));
	return NULL;
}

static char *
view_of(CormResolved *res)
{
	return corm_view_qualified(res);
}

/* a model's primary key columns, in the key's order */
static List *
key_columns(CormResolved *res)
{
	List	   *keys = NIL;
	ListCell   *lc;

	foreach(lc, res->all_constraints)
	{
		Constraint *con = (Constraint *) ((CormElement *) lfirst(lc))->node;
		ListCell   *kc;

		if (con->contype != CONSTR_PRIMARY)
			continue;
		foreach(kc, con->keys)
		{
			CormColumn *col = corm_find_column(res->columns, strVal(lfirst(kc)));

			if (col)
				keys = lappend(keys, col);
		}
		return keys;
	}
	foreach(lc, res->columns)
		if (((CormColumn *) lfirst(lc))->primary_key)
			keys = lappend(keys, lfirst(lc));
	return keys;
}

static char *tables_literal(List *tables);

/* @keyparams@, @keymatch@, @keyorder@, @keytext@ and @keycolumns@: the whole key */
static void
key_placeholders(Placeholders *ph, CormResolved *res)
{
	List	   *keys = key_columns(res);
	StringInfoData params;
	StringInfoData match;
	StringInfoData order;
	StringInfoData text;
	ListCell   *lc;

	initStringInfo(&params);
	initStringInfo(&match);
	initStringInfo(&order);
	initStringInfo(&text);
	foreach(lc, keys)
	{
		CormColumn *col = lfirst(lc);
		bool		first = foreach_current_index(lc) == 0;
		char	   *param = list_length(keys) == 1 ? "ident" :
			(char *) quote_identifier(psprintf("ident_%s", col->name));
		char	   *type = col->is_serial ? format_type_with_typemod(col->typid, -1) : corm_type_sql(col);

		appendStringInfo(&params, "%s%s %s", first ? "" : ", ", param, type);
		appendStringInfo(&match, "%scorm_row.%s = %s", first ? "" : " AND ",
						 quote_identifier(col->name), param);
		appendStringInfo(&order, "%scorm_row.%s", first ? "" : ", ", quote_identifier(col->name));
		appendStringInfo(&text, "%s%s::text", first ? "" : ", ", param);
	}
	ph->keyparams = keys ? params.data : NULL;
	ph->keymatch = keys ? match.data : NULL;
	ph->keyorder = keys ? order.data : NULL;
	ph->keytext = keys == NIL ? NULL : list_length(keys) == 1 ? text.data :
		psprintf("concat_ws(', ', %s)", text.data);
	ph->keycolumns = NULL;
	if (keys)
	{
		List	   *names = NIL;

		foreach(lc, keys)
			names = lappend(names, makeString(((CormColumn *) lfirst(lc))->name));
		ph->keycolumns = psprintf("%s::pg_catalog.text[]", quote_literal_cstr(tables_literal(names)));
	}
}

static void
model_placeholders(Placeholders *ph, CormResolved *res, const char *fname)
{
	CormColumn *key = corm_single_key(res->columns);

	ph->view = view_of(res);
	ph->table = corm_qualified(res->schema, res->table);
	ph->rowtype = ph->view;
	ph->pk = key ? quote_identifier(key->name) : NULL;
	ph->pktype = key ? corm_type_sql(key) : NULL;
	if (key && key->is_serial)
		ph->pktype = format_type_with_typemod(key->typid, -1);
	ph->model = quote_literal_cstr(res->row->name);
	ph->function = quote_identifier(fname);
	ph->pagination = corm_qualified(res->schema, psprintf("%s_pagination", res->basename));
	ph->relation = quote_literal_cstr(ph->view);
	ph->keyset = corm_qualified(res->schema, psprintf("%s_keyset_page", res->basename));
	ph->keysource = psprintf("%s::pg_catalog.regclass, NULL::pg_catalog.regprocedure, NULL::pg_catalog.text",
							 ph->relation);
	key_placeholders(ph, res);
}

/*
 * The functions of the methods of a query class, for a model, or for a
 * relationship: then "scope" is the function giving a parent's related
 * rows, which the methods see as @view@.
 */
static List *
plan_methods(CormResolved *res, CormResolved *target, const char *prefix, const char *scope,
			 const char *query_class, const char *relationship)
{
	List	   *result = NIL;
	ListCell   *lc;

	foreach(lc, class_methods(query_class))
	{
		CormMethod *m = lfirst(lc);
		char	   *fname = psprintf("%s_%s", prefix, m->name);
		Placeholders ph;
		char	   *args;
		CormFunction *f;

		/*
		 * A method over @table@ writes the model's table: it is for the
		 * model, not for a relationship's rows (corm.register_relationship
		 * and corm.register_query_method say so in a NOTICE)
		 */
		if (scope && (strstr(m->body, "@table@") || strstr(m->args, "@table@") ||
					  strstr(m->returns, "@table@")))
			continue;
		model_placeholders(&ph, target, fname);
		/* a method over @pk@ or @pktype@ is for models with a one-column key */
		if (ph.pk == NULL && strcmp(m->query_class, "BaseQuery") == 0 &&
			(strstr(m->body, "@pk@") || strstr(m->args, "@pk@") || strstr(m->args, "@pktype@")))
			continue;
		if (scope)
		{
			ph.view = psprintf("%s(%s.parent)", scope, quote_identifier(fname));
			ph.table = ph.view;
			ph.relation = "NULL";
			ph.keysource = psprintf("NULL::pg_catalog.regclass, %s::pg_catalog.regprocedure, %s.parent",
									quote_literal_cstr(psprintf("%s(%s)", scope, view_of(res))),
									quote_identifier(fname));
		}
		args = substitute(m->args, &ph);
		if (scope)
			args = psprintf("parent %s%s%s", view_of(res), *args ? ", " : "", args);
		f = plan_function(res, fname, args, substitute(m->returns, &ph), substitute(m->body, &ph),
						  m->language, m->volatility,
						  psprintf("query method \"%s\" of query class \"%s\"", m->name, m->query_class));
		f->method = m->name;
		/* corm's own templates (BaseQuery's) prepare for every model: no need to try */
		f->checked = f->body && strcmp(m->query_class, "BaseQuery") != 0;
		f->relationship = (char *) relationship;
		f->target = relationship ? target->row->name : NULL;
		result = lappend(result, f);
	}
	return result;
}

/* a foreign key between two models' tables, as found in pg_constraint */
typedef struct ForeignKey
{
	bool		many_to_one;	/* the model's table references the target's */
	char	   *table;			/* the referencing table, as regclass shows it */
	char	   *qualified;		/* and schema-qualified, for SQL text */
	char	   *column;			/* the referencing column */
	char	   *referenced;		/* the referenced column */
} ForeignKey;

/*
 * The tables a model's row lives in: where its definition puts them, and
 * where corm made them when a move is still to come in this call (a
 * foreign key is the same constraint under either name).
 */
static List *
row_tables(CormResolved *res)
{
	List	   *tables = NIL;
	ListCell   *lc;

	foreach(lc, res->columns)
	{
		char	   *table = ((CormColumn *) lfirst(lc))->table;

		if (table && !list_member(tables, makeString(table)))
			tables = lappend(tables, makeString(table));
	}
	for (CormResolved *r = res; r; r = r->table_parent)
	{
		char	   *table;

		if (r->row->table_name == NULL)
			continue;
		table = corm_qualified(r->row->table_schema, r->row->table_name);
		if (!list_member(tables, makeString(table)))
			tables = lappend(tables, makeString(table));
	}
	return tables;
}

static char *
tables_literal(List *tables)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	foreach(lc, tables)
	{
		const char *t = strVal(lfirst(lc));

		appendStringInfo(&buf, "%s\"", foreach_current_index(lc) ? "," : "");
		for (; *t; t++)
		{
			if (*t == '"' || *t == '\\')
				appendStringInfoChar(&buf, '\\');
			appendStringInfoChar(&buf, *t);
		}
		appendStringInfoChar(&buf, '"');
	}
	appendStringInfoChar(&buf, '}');
	return buf.data;
}

/* one-column foreign keys from tables "from" to tables "to", not keys of inheritance */
static List *
foreign_keys(List *from, List *to, bool many_to_one)
{
	const char *args[2] = {tables_literal(from), tables_literal(to)};
	List	   *result = NIL;
	uint64		n;

	n = query("SELECT c.conrelid::regclass::text, a.attname::text, r.attname::text,"
			  "       pg_catalog.format('%I.%I', n.nspname, t.relname)"
			  "  FROM pg_catalog.pg_constraint c"
			  "  JOIN pg_catalog.pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]"
			  "  JOIN pg_catalog.pg_attribute r ON r.attrelid = c.confrelid AND r.attnum = c.confkey[1]"
			  "  JOIN pg_catalog.pg_class t ON t.oid = c.conrelid"
			  "  JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace"
			  " WHERE c.contype = 'f' AND cardinality(c.conkey) = 1"
			  "   AND c.conrelid IN (SELECT pg_catalog.to_regclass(t) FROM pg_catalog.unnest($1::text[]) t)"
			  "   AND c.confrelid IN (SELECT pg_catalog.to_regclass(t) FROM pg_catalog.unnest($2::text[]) t)"
			  "   AND NOT EXISTS (SELECT FROM pg_catalog.pg_constraint p WHERE p.conrelid = c.conrelid"
			  "                   AND p.contype = 'p' AND p.conkey = c.conkey)"
			  " ORDER BY 1, 2", 2, args);
	for (uint64 i = 0; i < n; i++)
	{
		ForeignKey *fk = palloc(sizeof(ForeignKey));

		fk->many_to_one = many_to_one;
		fk->table = value(i, 1);
		fk->column = value(i, 2);
		fk->referenced = value(i, 3);
		fk->qualified = value(i, 4);
		result = lappend(result, fk);
	}
	return result;
}

/*
 * The key of a relationship to or from a model bound to another database:
 * no constraint can span two databases, so foreign_key names the column,
 * in the model's row (many-to-one, to the target's primary key) or in the
 * target's (one-to-many, from the model's primary key).
 */
static ForeignKey *
declared_key(CormResolved *res, const char *name, CormResolved *target, const char *wanted)
{
	bool		mine = wanted && corm_find_column(res->columns, wanted) != NULL;
	CormResolved *from = mine ? res : target;
	CormColumn *key = corm_single_key(mine ? target->columns : res->columns);
	ForeignKey *fk;

	if (wanted == NULL || (!mine && corm_find_column(target->columns, wanted) == NULL))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_FOREIGN_KEY),
				 wanted ?
				 errmsg("foreign_key \"%s\" of relationship \"%s\" of model \"%s\" is a column of neither model",
						wanted, name, res->row->name) :
				 errmsg("relationship \"%s\" of model \"%s\" needs foreign_key => to model \"%s\"",
						name, res->row->name, target->row->name),
				 errdetail("Model \"%s\" is bound to another database: no constraint spans two databases.",
						   res->server ? res->row->name : target->row->name),
				 errhint("Name the referencing column with foreign_key => '...'.")));
	if (key == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_FOREIGN_KEY),
				 errmsg("relationship \"%s\" of model \"%s\" needs a single-column primary key in model \"%s\"",
						name, res->row->name, mine ? target->row->name : res->row->name)));
	fk = palloc(sizeof(ForeignKey));
	fk->many_to_one = mine;
	fk->qualified = corm_qualified(from->schema, from->table);
	fk->table = fk->qualified;
	fk->column = pstrdup(wanted);
	fk->referenced = key->name;
	return fk;
}

/* the foreign key a relationship follows: decided by the schema, or by foreign_key */
static ForeignKey *
relationship_key(CormResolved *res, const char *name, CormResolved *target, const char *wanted)
{
	List	   *mine = row_tables(res);
	List	   *theirs = row_tables(target);
	List	   *candidates = list_concat(foreign_keys(mine, theirs, true),
										 res == target ? NIL : foreign_keys(theirs, mine, false));
	ForeignKey *found = NULL;
	int			count = 0;
	ListCell   *lc;

	foreach(lc, candidates)
	{
		ForeignKey *fk = lfirst(lc);

		if (wanted && strcmp(wanted, fk->column) != 0 &&
			strcmp(wanted, psprintf("%s.%s", fk->table, fk->column)) != 0)
			continue;
		found = fk;
		count++;
	}
	if (count == 1)
		return found;
	ereport(ERROR,
			(errcode(count ? ERRCODE_AMBIGUOUS_COLUMN : ERRCODE_INVALID_FOREIGN_KEY),
			 errmsg(count ? "relationship \"%s\" of model \"%s\" could follow several foreign keys to model \"%s\"" :
					"relationship \"%s\" of model \"%s\" has no foreign key to follow to model \"%s\"",
					name, res->row->name, target->row->name),
			 count ? errhint("Name the referencing column with foreign_key => '...'.") :
			 errhint("Declare a column REFERENCES the other model's table in one of the two models.")));
	return NULL;
}

static CormFunction *
plan_related(CormResolved *res, const char *fname, const char *returns, const char *body,
			 const char *relationship, CormResolved *target)
{
	CormFunction *f = plan_function(res, fname, psprintf("parent %s", view_of(res)), returns, body,
									"sql", "stable",
									psprintf("relationship \"%s\"", relationship));

	f->relationship = pstrdup(relationship);
	f->target = target->row->name;
	return f;
}

/*
 * The functions of one relationship: the related rows, and its query
 * methods over them.  A many-to-one relationship gives the one row (NULL
 * when there is none); its methods see it through <model>_<name>_rows().
 */
/*
 * The tables of a many-to-many relationship's association: a model's, or a
 * plain table named (qualified or on the search_path).
 */
static List *
secondary_tables(CormResolved *res, const char *name, const char *secondary)
{
	Oid			relid;

	if (corm_load_model(secondary, true))
		return row_tables(corm_resolve_model(secondary, false));
	relid = RangeVarGetRelid(makeRangeVarFromNameList(stringToQualifiedNameList(secondary)),
							 NoLock, true);
	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("secondary \"%s\" of relationship \"%s\" of model \"%s\" is neither a model nor a table",
						secondary, name, res->row->name),
				 errhint("Name the association model, or its table.")));
	return list_make1(makeString(corm_qualified(get_namespace_name(get_rel_namespace(relid)),
												get_rel_name(relid))));
}

/* the one foreign key of an association to one side, or an error naming the side */
static ForeignKey *
secondary_key(CormResolved *res, const char *name, List *association, CormResolved *side)
{
	List	   *keys = foreign_keys(association, row_tables(side), true);

	if (list_length(keys) == 1)
		return linitial(keys);
	ereport(ERROR,
			(errcode(keys ? ERRCODE_AMBIGUOUS_COLUMN : ERRCODE_INVALID_FOREIGN_KEY),
			 errmsg(keys ? "the association of relationship \"%s\" of model \"%s\" has several foreign keys to model \"%s\"" :
					"the association of relationship \"%s\" of model \"%s\" has no foreign key to model \"%s\"",
					name, res->row->name, side->row->name),
			 errhint("A secondary has one foreign key to each model of the relationship.")));
	return NULL;
}

/*
 * The functions of one relationship: the related rows, and its query
 * methods over them.  Many-to-one gives the one row (NULL when there is
 * none), and its methods see it through <model>_<name>_rows(); one-to-many
 * and many-to-many (through "secondary") give a set.  A model whose table
 * references itself is one-to-many (the rows that reference the parent)
 * unless "remote_side" names the referenced column: then many-to-one, the
 * row the parent references, as SQLAlchemy's remote_side.
 */
static List *
plan_relationship(CormResolved *res, const char *name, const char *target_name,
				  const char *query_class, const char *foreign_key, const char *secondary,
				  const char *remote_side)
{
	CormResolved *target = corm_resolve_model(target_name, false);
	ForeignKey *fk;
	char	   *fname = psprintf("%s_%s", res->basename, name);
	char	   *tview = view_of(target);
	List	   *result;
	char	   *scope;

	/* a target whose table is still to move makes them when it has moved */
	if (corm_table_moves(target) && target != res)
		return NIL;
	if (query_class == NULL)
		query_class = effective_query_class(target);
	if (secondary)
	{
		List	   *association;
		ForeignKey *mine;
		ForeignKey *theirs;

		/* an association model whose table is still to move: when it has moved */
		if (corm_load_model(secondary, true) &&
			corm_table_moves(corm_resolve_model(secondary, false)))
			return NIL;
		association = secondary_tables(res, name, secondary);
		mine = secondary_key(res, name, association, res);
		theirs = secondary_key(res, name, association, target);

		if (res == target)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("relationship \"%s\" of model \"%s\" is many-to-many with itself", name,
							res->row->name),
					 errhint("Register the association as a model, with a relationship to each side.")));
		result = list_make1(plan_related(res, fname, psprintf("SETOF %s", tview),
										 psprintf("SELECT corm_row.* FROM %s corm_row WHERE corm_row.%s IN"
												  " (SELECT corm_link.%s FROM %s corm_link"
												  " WHERE corm_link.%s = (%s.parent).%s)",
												  tview, quote_identifier(theirs->referenced),
												  quote_identifier(theirs->column), theirs->qualified,
												  quote_identifier(mine->column), quote_identifier(fname),
												  quote_identifier(mine->referenced)),
										 name, target));
		scope = corm_qualified(res->schema, fname);
		return list_concat(result, plan_methods(res, target, fname, scope, query_class, name));
	}
	if (res->server || target->server)
		fk = declared_key(res, name, target, foreign_key);
	else
		fk = relationship_key(res, name, target, foreign_key);
	if (res == target)
	{
		/* self-referential: one-to-many unless remote_side is the referenced column */
		if (remote_side && strcmp(remote_side, fk->referenced) != 0 && strcmp(remote_side, fk->column) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("remote_side \"%s\" of relationship \"%s\" of model \"%s\" is neither column of its foreign key",
							remote_side, name, res->row->name),
					 errhint("remote_side => '%s' makes it many-to-one (the row referenced); leave it out for one-to-many.",
							 fk->referenced)));
		fk->many_to_one = remote_side && strcmp(remote_side, fk->referenced) == 0;
	}

	/* names reach SQL text as arguments, never as a format: they may hold a % */
	if (fk->many_to_one)
	{
		char	   *rows = psprintf("%s_rows", fname);

		result = list_make2(plan_related(res, fname, tview,
										 psprintf("SELECT (SELECT corm_row FROM %s corm_row WHERE corm_row.%s = (%s.parent).%s)",
												  tview, quote_identifier(fk->referenced),
												  quote_identifier(fname), quote_identifier(fk->column)),
										 name, target),
							plan_related(res, rows, psprintf("SETOF %s", tview),
										 psprintf("SELECT corm_row.* FROM %s corm_row WHERE corm_row.%s = (%s.parent).%s",
												  tview, quote_identifier(fk->referenced),
												  quote_identifier(rows), quote_identifier(fk->column)),
										 name, target));
		scope = corm_qualified(res->schema, rows);
	}
	else
	{
		result = list_make1(plan_related(res, fname, psprintf("SETOF %s", tview),
										 psprintf("SELECT corm_row.* FROM %s corm_row WHERE corm_row.%s = (%s.parent).%s",
												  tview, quote_identifier(fk->column),
												  quote_identifier(fname),
												  quote_identifier(fk->referenced)),
										 name, target));
		scope = corm_qualified(res->schema, fname);
	}
	return list_concat(result, plan_methods(res, target, fname, scope, query_class, name));
}

/* a row type corm makes for a model: <name>_<suffix> (attributes) */
static CormFunction *
plan_type(CormResolved *res, const char *suffix, const char *attributes)
{
	CormFunction *f = palloc0(sizeof(CormFunction));

	f->name = psprintf("%s_%s", res->basename, suffix);
	corm_check_identifier(f->name, "type name", res->row->name);
	f->kind = "type";
	f->signature = corm_qualified(res->schema, f->name);
	f->definition = psprintf("CREATE TYPE %s AS (%s)", f->signature, attributes);
	return f;
}

/* the Pagination row type of a model */
static CormFunction *
plan_pagination(CormResolved *res)
{
	return plan_type(res, "pagination",
					 psprintf("items %s[], page integer, per_page integer, total bigint,\n"
							  "    pages integer, has_prev boolean, has_next boolean, prev_num integer,\n"
							  "    next_num integer%s", view_of(res),
	/* 0.1's paginate, until the update, knows no first and last */
							  corm_catalog_has("query_function", "body") ? ", first integer, last integer" : ""));
}

/* the keyset page row type of a model (corm.keyset(), src/keyset.c) */
static CormFunction *
plan_keyset_page(CormResolved *res)
{
	return plan_type(res, "keyset_page",
					 psprintf("items %s[], per_page integer, has_next boolean,\n"
							  "    has_prev boolean, next text, prev text", view_of(res)));
}

/* everything generated for a model's queries */
List *
corm_plan_functions(CormResolved *res)
{
	const char *args[1] = {res->row->name};
	List	   *result;
	uint64		n;

	if (res->kind == CORM_ABSTRACT)
		return NIL;
	result = list_make2(plan_pagination(res), plan_keyset_page(res));
	result = list_concat(result, plan_methods(res, res, res->basename, NULL,
											  effective_query_class(res), NULL));
	n = query(corm_catalog_has("relationship", "secondary") ?
			  "SELECT name, target, query_class, foreign_key, secondary, remote_side"
			  "  FROM corm.relationship WHERE model = $1 ORDER BY name" :
			  "SELECT name, target, query_class, foreign_key, NULL, NULL"
			  "  FROM corm.relationship WHERE model = $1 ORDER BY name", 1, args);
	if (n > 0)
	{
		List	   *rels = NIL;
		ListCell   *lc;

		for (uint64 i = 0; i < n; i++)
		{
			char	  **r = palloc(sizeof(char *) * 6);

			for (int c = 0; c < 6; c++)
				r[c] = value(i, c + 1);
			rels = lappend(rels, r);
		}
		foreach(lc, rels)
		{
			char	  **r = lfirst(lc);

			result = list_concat(result, plan_relationship(res, r[0], r[1], r[2], r[3], r[4], r[5]));
		}
	}
	return result;
}

typedef struct GenerateContext
{
	const char *model;
	CormFunction *f;
} GenerateContext;

static void
generate_error_callback(void *arg)
{
	GenerateContext *ctx = arg;

	if (ctx->f->method)
		errcontext("generating %s for query method \"%s\" of model \"%s\"",
				   ctx->f->signature, ctx->f->method, ctx->model);
	else
		errcontext("generating %s for model \"%s\"", ctx->f->signature, ctx->model);
}

static void
run(const char *sql)
{
	corm_execute(sql);
}

static char *
drop_statement(const char *kind, const char *signature)
{
	return psprintf("DROP %s IF EXISTS %s", strcmp(kind, "type") == 0 ? "TYPE" : "FUNCTION",
					signature);
}

/*
 * Grants on a generated function that corm drops to make it again, within
 * one call (a view made again, a renamed model), are given to the function
 * that replaces it, as corm_drop_view does for views.  A function is known
 * by its model, method and relationship, which a rename leaves alone.
 */
typedef struct SavedGrants
{
	char	   *model;
	char	   *method;			/* "" for none */
	char	   *relationship;	/* "" for none */
	bool		public;			/* PUBLIC may still execute it */
	List	   *grantees;		/* quoted roles, with " WITH GRANT OPTION" */
} SavedGrants;

static List *saved_function_grants = NIL;

void
corm_reset_saved_function_grants(void)
{
	saved_function_grants = NIL;
}

static void
save_function_grants(const char *model, const char *method, const char *relationship,
					 const char *signature)
{
	List	   *grants = corm_read_grants(signature, true);
	MemoryContext old;
	SavedGrants *saved;
	ListCell   *lc;

	/*
	 * Kept for the transaction, not in the memory of the call (SPI's, which a
	 * nested call frees before the grants are given again).  Switched to
	 * after reading: SPI leaves its own memory current.
	 */
	old = MemoryContextSwitchTo(TopTransactionContext);
	saved = palloc0(sizeof(SavedGrants));
	saved->model = pstrdup(model);
	saved->method = pstrdup(method ? method : "");
	saved->relationship = pstrdup(relationship ? relationship : "");
	foreach(lc, grants)
	{
		List	   *grant = lfirst(lc);

		if (strcmp(linitial(grant), "PUBLIC") == 0)
			saved->public = true;
		else
			saved->grantees = lappend(saved->grantees,
									  psprintf("%s%s", (char *) linitial(grant),
											   (char *) lthird(grant)));
	}
	saved_function_grants = lappend(saved_function_grants, saved);
	MemoryContextSwitchTo(old);
}

static void
restore_function_grants(const char *model, CormFunction *f)
{
	ListCell   *lc;

	foreach(lc, saved_function_grants)
	{
		SavedGrants *saved = lfirst(lc);
		ListCell   *gc;

		if (strcmp(saved->model, model) != 0 ||
			strcmp(saved->method, f->method ? f->method : "") != 0 ||
			strcmp(saved->relationship, f->relationship ? f->relationship : "") != 0)
			continue;
		if (!saved->public)
			run(psprintf("REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC", f->signature));
		foreach(gc, saved->grantees)
			run(psprintf("GRANT EXECUTE ON FUNCTION %s TO %s", f->signature, (char *) lfirst(gc)));
		saved_function_grants = foreach_delete_current(saved_function_grants, lc);
	}
}

static bool
object_exists(const char *kind, const char *signature)
{
	const char *args[1] = {signature};

	if (strcmp(kind, "type") == 0)
		return query("SELECT 1 WHERE pg_catalog.to_regtype($1) IS NOT NULL", 1, args) > 0;
	return query("SELECT 1 WHERE pg_catalog.to_regprocedure($1) IS NOT NULL", 1, args) > 0;
}

/*
 * Drop what corm generated over a model's view, its own functions and the
 * relationships of other models that return it, before the view is rebuilt;
 * the next sync creates them again.
 */
void
corm_drop_functions_over(const char *model)
{
	const char *args[1] = {model};
	uint64		n = query("SELECT kind, signature, model, method, relationship FROM corm.query_function"
						  " WHERE model = $1 OR target = $1 ORDER BY kind, signature", 1, args);
	List	   *drops = NIL;
	List	   *rows = NIL;
	ListCell   *lc;

	/* read them all first: the checks below run queries of their own */
	for (uint64 i = 0; i < n; i++)
		rows = lappend(rows, list_make5(value(i, 1), value(i, 2), value(i, 3), value(i, 4),
										value(i, 5)));
	foreach(lc, rows)
	{
		List	   *row = lfirst(lc);
		char	   *kind = linitial(row);
		char	   *signature = lsecond(row);

		if (!object_exists(kind, signature))
			continue;
		if (strcmp(kind, "function") == 0)
			save_function_grants(lthird(row), lfourth(row), list_nth(row, 4), signature);
		/* functions first ("type" sorts last): the Pagination type is their return type */
		drops = lappend(drops, drop_statement(kind, signature));
	}
	query("DELETE FROM corm.query_function WHERE model = $1 OR target = $1", 1, args);
	foreach(lc, drops)
		run(lfirst(lc));
}

static void
record_function(const char *model, CormFunction *f)
{
	Oid			types[9] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID};
	Datum		values[9];
	char		nulls[9];
	const char *fields[8] = {model, f->name, f->kind, f->method, f->relationship, f->target,
	f->signature, f->definition};

	for (int i = 0; i < 8; i++)
	{
		values[i] = fields[i] ? CStringGetTextDatum(fields[i]) : (Datum) 0;
		nulls[i] = fields[i] ? ' ' : 'n';
	}
	/* catalog_form and body came in one update: a catalog has both or neither */
	if (!corm_catalog_has("query_function", "body"))
	{
		/* a catalog of 0.1's, not updated yet */
		if (corm_catalog_spi("INSERT INTO corm.query_function"
							 " (model, name, kind, method, relationship, target, signature, definition)"
							 " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
							 " ON CONFLICT (model, name) DO UPDATE SET kind = $3, method = $4,"
							 " relationship = $5, target = $6, signature = $7, definition = $8",
							 8, types, values, nulls) < 0)
			elog(ERROR, "could not record function %s", f->signature);
		return;
	}
	values[8] = f->body ? CStringGetTextDatum(f->body) : (Datum) 0;
	nulls[8] = f->body ? ' ' : 'n';
	if (corm_catalog_spi("INSERT INTO corm.query_function"
						 " (model, name, kind, method, relationship, target, signature, definition,"
						 "  catalog_form, body)"
						 " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, corm.catalog_form($3, $7), $9)"
						 " ON CONFLICT (model, name) DO UPDATE SET kind = $3, method = $4,"
						 " relationship = $5, target = $6, signature = $7, definition = $8,"
						 " catalog_form = corm.catalog_form($3, $7), body = $9",
						 9, types, values, nulls) < 0)
		elog(ERROR, "could not record function %s", f->signature);
}

/* a text[] of one field of each function, NULL where the field is */
static Datum
field_array(List *functions, int field)
{
	Datum	   *elems = palloc(sizeof(Datum) * (list_length(functions) + 1));
	bool	   *nulls = palloc(sizeof(bool) * (list_length(functions) + 1));
	int			dims[1] = {list_length(functions)};
	int			lbs[1] = {1};
	int			i = 0;
	ListCell   *lc;

	if (functions == NIL)
		return PointerGetDatum(construct_empty_array(TEXTOID));
	foreach(lc, functions)
	{
		CormFunction *f = lfirst(lc);
		const char *fields[7] = {f->name, f->kind, f->method, f->relationship, f->target,
		f->signature, f->body};
		const char *v = field < 7 ? fields[field] : f->definition;

		elems[i] = v ? CStringGetTextDatum(v) : (Datum) 0;
		nulls[i] = v == NULL;
		i++;
	}
	return PointerGetDatum(construct_md_array(elems, nulls, 1, dims, lbs, TEXTOID, -1, false,
											  TYPALIGN_INT));
}

/*
 * The function a signature names, when it is the only function of its name
 * in the schema (as one corm just made or kept usually is), found without
 * parsing the signature's types; else InvalidOid.
 */
static Oid
only_function(const char *schema, const char *name)
{
	Oid			nsp = get_namespace_oid(schema, true);
	CatCList   *candidates = SearchSysCacheList1(PROCNAMEARGSNSP, CStringGetDatum(name));
	Oid			found = InvalidOid;
	int			n = 0;

	for (int i = 0; i < candidates->n_members; i++)
	{
		Form_pg_proc proc = (Form_pg_proc) GETSTRUCT(&candidates->members[i]->tuple);

		if (proc->pronamespace == nsp)
		{
			found = proc->oid;
			n++;
		}
	}
	ReleaseSysCacheList(candidates);
	return n == 1 ? found : InvalidOid;
}

/* the functions' OIDs as only_function finds them, an oid[] with NULLs */
static Datum
oid_array(const char *schema, List *functions)
{
	Datum	   *elems = palloc(sizeof(Datum) * (list_length(functions) + 1));
	bool	   *nulls = palloc(sizeof(bool) * (list_length(functions) + 1));
	int			dims[1] = {list_length(functions)};
	int			lbs[1] = {1};
	int			i = 0;
	ListCell   *lc;

	foreach(lc, functions)
	{
		CormFunction *f = lfirst(lc);
		char	   *qualified = corm_qualified(schema, f->name);
		Oid			fn = InvalidOid;

		/* (a signature names the function by the schema and name it is looked up by) */
		if (strcmp(f->kind, "function") == 0 &&
			strncmp(f->signature, qualified, strlen(qualified)) == 0 &&
			f->signature[strlen(qualified)] == '(')
			fn = only_function(schema, f->name);

		elems[i] = ObjectIdGetDatum(fn);
		nulls[i] = !OidIsValid(fn);
		i++;
	}
	return PointerGetDatum(construct_md_array(elems, nulls, 1, dims, lbs, OIDOID, sizeof(Oid), true,
											  TYPALIGN_INT));
}

/*
 * Record the functions of a model in one statement, each with its catalog
 * form as the system catalogs hold it now that it is made, as
 * record_function does one by one: corm.catalog_form()'s, or for a
 * function found by its name alone pg_get_functiondef()'s, which is what
 * catalog_form() gives for it (the statement runs with search_path set to
 * pg_catalog, as catalog_form() does).
 */
static void
record_functions(CormResolved *res, List *functions)
{
	const char *model = res->row->name;
	Oid			types[10] = {TEXTOID, TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID,
	TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID, OIDARRAYOID};
	Datum		values[10];
	ListCell   *lc;

	if (functions == NIL)
		return;
	if (!corm_catalog_has("query_function", "body"))
	{
		foreach(lc, functions)
			record_function(model, lfirst(lc));
		return;
	}
	values[0] = CStringGetTextDatum(model);
	/* name, kind, method, relationship, target, signature, body, definition */
	for (int i = 0; i < 8; i++)
		values[i + 1] = field_array(functions, i);
	values[9] = oid_array(res->schema, functions);
	if (corm_catalog_spi("INSERT INTO corm.query_function"
						 " (model, name, kind, method, relationship, target, signature, definition,"
						 "  catalog_form, body)"
						 " SELECT $1, f.name, f.kind, f.method, f.relationship, f.target, f.signature,"
						 "        f.definition,"
						 "        CASE WHEN f.fn IS NOT NULL THEN pg_catalog.pg_get_functiondef(f.fn)"
						 "             ELSE corm.catalog_form(f.kind, f.signature) END,"
						 "        f.body"
						 "   FROM ROWS FROM (pg_catalog.unnest($2), pg_catalog.unnest($3), pg_catalog.unnest($4),"
						 "        pg_catalog.unnest($5), pg_catalog.unnest($6), pg_catalog.unnest($7),"
						 "        pg_catalog.unnest($8), pg_catalog.unnest($9), pg_catalog.unnest($10))"
						 "        AS f(name, kind, method, relationship, target, signature, body, definition, fn)"
						 " ON CONFLICT (model, name) DO UPDATE SET kind = excluded.kind,"
						 " method = excluded.method, relationship = excluded.relationship,"
						 " target = excluded.target, signature = excluded.signature,"
						 " definition = excluded.definition, catalog_form = excluded.catalog_form,"
						 " body = excluded.body",
						 10, types, values, NULL) < 0)
		elog(ERROR, "could not record the functions of model \"%s\"", model);
}

/*
 * Make the Pagination and keyset page types of a relationship's target
 * ahead of the target's own functions when they are missing.  Models whose
 * relationships lead to each other in a circle each return the other's
 * types, so when their views are made again (a parent's column retyped
 * under a joined child) one of them comes first; the target's sync then
 * keeps the types, as ones whose definitions are the same.
 */
static void
sync_target_types(const char *target)
{
	CormResolved *res = corm_resolve_model(target, false);
	CormFunction *types[2];

	if (res->kind == CORM_ABSTRACT)
		return;
	types[0] = plan_pagination(res);
	types[1] = plan_keyset_page(res);
	for (int i = 0; i < 2; i++)
	{
		if (object_exists(types[i]->kind, types[i]->signature))
			continue;
		run(types[i]->definition);
		record_function(res->row->name, types[i]);
	}
}

/* whether two fields of a function are the same, either being NULL */
static bool
same_field(const char *a, const char *b)
{
	return a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0;
}

/* a function recorded in corm.query_function, as corm_sync_functions reads it */
typedef struct RecordedFunction
{
	CormFunction row;			/* the recorded fields */
	char	   *made;			/* definition and body, NULL when no longer what corm made */
	bool		has_form;		/* a catalog form was recorded */
} RecordedFunction;

/*
 * Whether a function's row may stay as it is: recorded with a catalog form
 * that matches the object (which was not made again), every field the one
 * it would be given, and no other function of the model of the same name.
 */
static bool
row_stays(RecordedFunction *r, CormFunction *f, List *desired)
{
	ListCell   *lc;

	if (!r->has_form || r->made == NULL ||
		!same_field(r->row.kind, f->kind) || !same_field(r->row.method, f->method) ||
		!same_field(r->row.relationship, f->relationship) ||
		!same_field(r->row.target, f->target) || !same_field(r->row.signature, f->signature) ||
		!same_field(r->row.definition, f->definition) || !same_field(r->row.body, f->body))
		return false;
	foreach(lc, desired)
		if (lfirst(lc) != f && strcmp(((CormFunction *) lfirst(lc))->name, f->name) == 0)
			return false;
	return true;
}

/*
 * Bring the functions of a model to its query class and relationships.
 * What corm made and would make the same again is left alone, its row
 * too; the rest is made again and recorded in one statement, and the rows
 * of functions the model no longer has are deleted.
 */
void
corm_sync_functions(CormResolved *res)
{
	const char *args[1] = {res->row->name};
	bool		has_body = corm_catalog_has("query_function", "body");
	List	   *desired = corm_plan_functions(res);
	List	   *drops = NIL;
	List	   *keep = NIL;
	bool		retype = false;
	bool		stale = false;
	List	   *recorded = NIL;
	List	   *record = NIL;
	ListCell   *lc;
	ListCell   *rc;
	uint64		n;

	/*
	 * What corm made, and whether it is still what corm made: an object
	 * changed by hand since (its catalog form differs from the one recorded)
	 * is made again, as one whose definition changed.
	 */
	n = query(has_body ?
			  "SELECT name, kind, signature,"
			  "       CASE WHEN catalog_form IS NULL OR catalog_form = corm.catalog_form(kind, signature)"
			  "            THEN definition || coalesce(E'\\n' || body, '') END,"
			  "       method, relationship, target, definition, body,"
			  "       (catalog_form IS NOT NULL)::text"
			  "  FROM corm.query_function WHERE model = $1 ORDER BY name" :
			  "SELECT name, kind, signature, definition, method, relationship, target, definition,"
			  "       NULL::text, 'false'"
			  "  FROM corm.query_function WHERE model = $1 ORDER BY name",
			  1, args);
	/* read them all first: the checks below run queries of their own */
	for (uint64 i = 0; i < n; i++)
	{
		RecordedFunction *r = palloc0(sizeof(RecordedFunction));

		r->row.name = value(i, 1);
		r->row.kind = value(i, 2);
		r->row.signature = value(i, 3);
		r->made = value(i, 4);
		r->row.method = value(i, 5);
		r->row.relationship = value(i, 6);
		r->row.target = value(i, 7);
		r->row.definition = value(i, 8);
		r->row.body = value(i, 9);
		r->has_form = strcmp(value(i, 10), "true") == 0;
		recorded = lappend(recorded, r);
	}
	foreach(rc, recorded)
	{
		RecordedFunction *r = lfirst(rc);
		bool		same = false;
		bool		wanted = false;

		foreach(lc, desired)
		{
			CormFunction *f = lfirst(lc);

			if (strcmp(f->name, r->row.name) != 0)
				continue;
			wanted = true;
			if (r->made &&
				strcmp(f->body ? psprintf("%s\n%s", f->definition, f->body) : f->definition,
					   r->made) == 0)
				same = true;
		}
		stale |= !wanted;
		if (same)
			keep = lappend(keep, r);
		else if (strcmp(r->row.kind, "type") == 0)
			retype = true;
		else if (object_exists(r->row.kind, r->row.signature))
		{
			if (strcmp(r->row.kind, "function") == 0)
				save_function_grants(res->row->name, r->row.method, r->row.relationship,
									 r->row.signature);
			drops = lappend(drops, drop_statement(r->row.kind, r->row.signature));
		}
	}
	if (retype)
	{
		/*
		 * The Pagination type changes: everything that returns it goes first,
		 * other models' relationships included, their rows too; all is made
		 * again.
		 */
		corm_drop_functions_over(res->row->name);
		keep = NIL;
		drops = NIL;
		stale = false;
	}
	foreach(lc, drops)
		run(lfirst(lc));
	/* the rows of functions the model no longer has */
	if (stale)
	{
		Oid			types[2] = {TEXTOID, TEXTARRAYOID};
		Datum		values[2] = {CStringGetTextDatum(res->row->name), field_array(desired, 0)};

		if (corm_catalog_spi("DELETE FROM corm.query_function WHERE model = $1"
							 " AND name::text <> ALL ($2)", 2, types, values, NULL) < 0)
			elog(ERROR, "could not record the functions of model \"%s\"", res->row->name);
	}
	foreach(lc, desired)
	{
		CormFunction *f = lfirst(lc);
		RecordedFunction *kept = NULL;
		ListCell   *kc;

		foreach(kc, keep)
			if (strcmp(((RecordedFunction *) lfirst(kc))->row.name, f->name) == 0)
				kept = lfirst(kc);
		if (!kept || !object_exists(f->kind, f->signature))
		{
			GenerateContext ctx = {res->row->name, f};
			ErrorContextCallback callback = {error_context_stack, generate_error_callback, &ctx};

			if (f->target)
				sync_target_types(f->target);
			error_context_stack = &callback;
			run(f->definition);
			if (f->checked)
				corm_check_method(DatumGetObjectId(DirectFunctionCall1(regprocedurein,
																	   CStringGetDatum(f->signature))),
								  f->body);
			error_context_stack = callback.previous;
			if (strcmp(f->kind, "function") == 0)
				restore_function_grants(res->row->name, f);
			kept = NULL;
		}
		/* a function of the same name later in the list is the one recorded */
		if (kept == NULL || !row_stays(kept, f, desired))
		{
			foreach(kc, record)
				if (strcmp(((CormFunction *) lfirst(kc))->name, f->name) == 0)
					record = foreach_delete_current(record, kc);
			record = lappend(record, f);
		}
	}
	record_functions(res, record);
}

/* the statement that creates a planned function or type */
char *
corm_function_definition(void *planned)
{
	return ((CormFunction *) planned)->definition;
}

/* the SQL a planned function's corm.call() runs, or NULL */
char *
corm_function_body(void *planned)
{
	return ((CormFunction *) planned)->body;
}
