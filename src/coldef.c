/*
 * coldef.c — the user's column lists and onupdate lists, read by the
 * server's own lexer and parser
 *
 * A column list is the text that would stand between the parentheses of
 * CREATE TABLE; an onupdate list is the SET list of an UPDATE; an index is
 * the text that follows ON <table> in CREATE INDEX.  Each is
 * wrapped into a statement and handed to raw_parser(), and the result must
 * be exactly that one statement with nothing else set, so no text can
 * escape the list it was given for.  The lexer supplies the exact extent of
 * every element and clause, so corm can later emit a clause again as the
 * user wrote it: always a whole sequence of tokens.
 */
#include "corm.h"

#include "access/htup_details.h"
#include "catalog/heap.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "mb/pg_wchar.h"
#include "nodes/nodeFuncs.h"
#include "parser/parse_node.h"
#include "parser/parse_type.h"
#include "parser/parser.h"
#include "parser/scanner.h"
#include "utils/builtins.h"

/*
 * Accessors flex generates for the server's scanner; exported by the server
 * but declared in no header.  They give where the token just read ends.
 */
extern char *core_yyget_text(core_yyscan_t yyscanner);
extern int	core_yyget_leng(core_yyscan_t yyscanner);

#define COLUMNS_PREFIX "CREATE TABLE corm_columns ("
#define ONUPDATE_PREFIX "UPDATE corm_onupdate SET "
#define INDEX_RELATION "corm_index"

/* a token of the user's text: [start, end) in bytes, and paren depth */
typedef struct CormToken
{
	int			start;
	int			end;
	int			depth;			/* nesting of () and [] before the token */
	char		ch;				/* the character, for one-character tokens */
} CormToken;

typedef struct CormTokens
{
	const char *text;
	CormToken  *tokens;
	int			count;
} CormTokens;

static void
text_error_callback(void *arg)
{
	CormTextContext *ctx = (CormTextContext *) arg;
	int			pos = geterrposition();

	if (ctx->gap_at > 0 && pos > ctx->gap_at)
		pos = Max(pos - ctx->gap_chars, ctx->gap_at);
	if (pos > ctx->prefix_chars)
	{
		int			textchars = pg_mbstrlen(ctx->text);

		errposition(0);
		internalerrposition(Min(pos - ctx->prefix_chars, textchars + 1));
		internalerrquery(ctx->text);
	}
	if (ctx->what)
		errcontext("%s", ctx->what);
}

void
corm_push_text_context(CormTextContext *ctx, const char *text,
					   int prefix_chars, const char *what)
{
	ctx->text = text;
	ctx->prefix_chars = prefix_chars;
	ctx->what = what;
	ctx->gap_at = 0;
	ctx->gap_chars = 0;
	ctx->callback.callback = text_error_callback;
	ctx->callback.arg = ctx;
	ctx->callback.previous = error_context_stack;
	error_context_stack = &ctx->callback;
}

void
corm_pop_text_context(CormTextContext *ctx)
{
	error_context_stack = ctx->callback.previous;
}

/*
 * An identifier longer than NAMEDATALEN - 1 bytes would be truncated by the
 * server; corm refuses it instead, as it never truncates a name.
 */
static void
check_token_length(const char *text, int start, int end, const char *what)
{
	const char *tok = text + start;
	int			len = end - start;
	int			namelen = 0;

	if (len <= 0)
		return;
	if (len > 2 && (tok[0] == 'U' || tok[0] == 'u') && tok[1] == '&')
	{
		/* U&'string' is no name; U&"name" is measured like "name" */
		if (tok[2] != '"')
			return;
		tok += 2;
		len -= 2;
	}
	if (tok[0] == '"')
	{
		for (int i = 1; i < len - 1; i++)
		{
			if (tok[i] == '"')
				i++;
			namelen++;
		}
	}
	else if ((IS_HIGHBIT_SET(tok[0]) || isalpha((unsigned char) tok[0]) || tok[0] == '_') &&
			 !(len > 1 && tok[1] == '\''))
		namelen = len;
	if (namelen >= NAMEDATALEN)
		ereport(ERROR,
				(errcode(ERRCODE_NAME_TOO_LONG),
				 errmsg("identifier \"%.*s\" is too long", len, tok),
				 errposition(pg_mbstrlen_with_len(text, start) + 1),
				 errdetail("Identifiers may be at most %d bytes long; corm never truncates a name.",
						   NAMEDATALEN - 1)));
}

/*
 * Run the server's lexer over the user's text and record where each token
 * starts and ends.  Lexer errors (unterminated strings and the like) are the
 * server's own, positioned in the user's text.
 */
static CormTokens *
lex_text(const char *text, const char *what)
{
	CormTokens *toks = palloc0(sizeof(CormTokens));
	int			alloc = 64;
	int			depth = 0;
	core_yy_extra_type yyextra;
	core_YYSTYPE yylval;
	YYLTYPE		yylloc;
	core_yyscan_t scanner;
	CormTextContext ctx;

	toks->text = text;
	toks->tokens = palloc(alloc * sizeof(CormToken));

	corm_push_text_context(&ctx, text, 0, what);
	scanner = scanner_init(text, &yyextra, &ScanKeywords, ScanKeywordTokens);
	for (;;)
	{
		int			tok = core_yylex(&yylval, &yylloc, scanner);
		CormToken  *t;

		if (tok == 0)
			break;
		if (toks->count == alloc)
		{
			alloc *= 2;
			toks->tokens = repalloc(toks->tokens, alloc * sizeof(CormToken));
		}
		t = &toks->tokens[toks->count++];
		t->start = yylloc;
		t->end = (core_yyget_text(scanner) - yyextra.scanbuf) + core_yyget_leng(scanner);
		t->ch = (tok < 256) ? (char) tok : '\0';
		if (t->ch == ')' || t->ch == ']')
			depth--;
		t->depth = depth;
		if (t->ch == '(' || t->ch == '[')
			depth++;
		check_token_length(text, t->start, t->end, what);
	}
	scanner_finish(scanner);
	corm_pop_text_context(&ctx);
	return toks;
}

/*
 * The source text from the token starting at or after "start" to the end of
 * the last token starting before "limit", leaving out top-level commas at
 * the end.  NULL when there is no such token.
 */
static char *
slice_tokens(CormTokens *toks, int start, int limit)
{
	int			first = -1;
	int			last = -1;

	for (int i = 0; i < toks->count; i++)
	{
		CormToken  *t = &toks->tokens[i];

		if (t->start < start)
			continue;
		if (t->start >= limit)
			break;
		if (first < 0)
			first = i;
		if (!(t->ch == ',' && t->depth == 0))
			last = i;
	}
	if (first < 0 || last < first)
		return NULL;
	return pnstrdup(toks->text + toks->tokens[first].start,
					toks->tokens[last].end - toks->tokens[first].start);
}

/*
 * Where a REFERENCES clause of a column list names its table (the clause's
 * RangeVar): the bytes [*start, *end) of the list's text that hold the
 * name's tokens, t or s.t as written.  False when no name starts there.
 */
bool
corm_reference_extent(CormColumnList *list, RangeVar *rv, int *start, int *end)
{
	CormTokens *toks = lex_text(list->text, list->what);
	int			from = rv->location - list->prefix_chars;
	int			i = 0;

	while (i < toks->count && toks->tokens[i].start < from)
		i++;
	if (i == toks->count || toks->tokens[i].start != from || toks->tokens[i].ch != '\0')
		return false;
	*start = from;
	*end = toks->tokens[i].end;
	while (i + 2 < toks->count && toks->tokens[i + 1].ch == '.' && toks->tokens[i + 2].ch == '\0')
	{
		i += 2;
		*end = toks->tokens[i].end;
	}
	return true;
}

static void
refuse_onupdate(const char *what, const char *text)
{
	ereport(ERROR,
			(errcode(ERRCODE_SYNTAX_ERROR),
			 errmsg("invalid onupdate list in %s", what),
			 errdetail("An onupdate list is the SET list of an UPDATE: column = expression, and nothing else."),
			 errhint("Check the parentheses and quotes of: %s", text)));
}

static void
refuse_list(const char *what, const char *text)
{
	ereport(ERROR,
			(errcode(ERRCODE_SYNTAX_ERROR),
			 errmsg("invalid column list in %s", what),
			 errdetail("Column lists hold column definitions and table constraints, as between the parentheses of CREATE TABLE, and nothing else."),
			 errhint("Check the parentheses and quotes of: %s", text)));
}

static int
clause_location(Node *node)
{
	if (IsA(node, Constraint))
		return ((Constraint *) node)->location;
	return ((CollateClause *) node)->location;
}

static int
compare_clause_locations(const ListCell *a, const ListCell *b)
{
	return clause_location(lfirst(a)) - clause_location(lfirst(b));
}

/* split a column definition into the text of each of its clauses */
static void
split_column_clauses(CormElement *elem, CormTokens *toks, int prefix, int limit)
{
	ColumnDef  *def = (ColumnDef *) elem->node;
	List	   *nodes = list_copy(def->constraints);
	ListCell   *lc;

	if (def->collClause)
		nodes = lappend(nodes, def->collClause);
	list_sort(nodes, compare_clause_locations);
	foreach(lc, nodes)
	{
		int			from = clause_location(lfirst(lc)) - prefix;
		int			to = (lnext(nodes, lc) != NULL) ?
			clause_location(lfirst(lnext(nodes, lc))) - prefix : limit;
		char	   *clause = slice_tokens(toks, from, to);

		if (clause == NULL)
			elog(ERROR, "could not find the text of a clause of column \"%s\"",
				 def->colname);
		elem->clauses = lappend(elem->clauses, clause);
		elem->clause_nodes = lappend(elem->clause_nodes, lfirst(lc));
	}
}

static bool
text_is_blank(const char *text)
{
	return text == NULL || text[strspn(text, " \t\r\n\f\v")] == '\0';
}

/* the only statement of a parse, or an error if there is not exactly one */
static Node *
only_statement(List *parsetree, NodeTag tag, const char *what, const char *text)
{
	void		(*refuse) (const char *, const char *) =
		(tag == T_UpdateStmt) ? refuse_onupdate : refuse_list;

	if (list_length(parsetree) != 1 ||
		nodeTag(linitial_node(RawStmt, parsetree)->stmt) != tag)
		refuse(what, text);
	return linitial_node(RawStmt, parsetree)->stmt;
}

/* the parse tree of "prefix || text || suffix", errors pointing into text */
static List *
parse_wrapped(const char *sql, const char *text, int prefix_chars, const char *what)
{
	CormTextContext ctx;
	List	   *parsetree;

	corm_push_text_context(&ctx, text, prefix_chars, what);
	parsetree = raw_parser(sql, RAW_PARSE_DEFAULT);
	corm_pop_text_context(&ctx);
	return parsetree;
}

/*
 * Parse a column list.  "what" names the list for messages, e.g.
 * 'columns of mixin "TimestampMixin"'.
 */
CormColumnList *
corm_parse_columns(const char *text, const char *what)
{
	CormColumnList *list = palloc0(sizeof(CormColumnList));
	CormTokens *toks;
	CreateStmt *stmt;
	int			prefix = strlen(COLUMNS_PREFIX);
	int			textlen;
	ListCell   *lc;
	List	   *names = NIL;

	list->text = text;
	list->what = what;
	list->prefix_chars = prefix;
	if (text_is_blank(text))
		return list;
	toks = lex_text(text, what);
	if (toks->count == 0)
		return list;
	textlen = strlen(text);

	/* the newline ends a trailing "--" comment before the parenthesis */
	list->sql = psprintf("%s%s\n)", COLUMNS_PREFIX, text);
	stmt = (CreateStmt *) only_statement(parse_wrapped(list->sql, text, prefix, what),
										 T_CreateStmt, what, text);
	if (stmt->inhRelations || stmt->partbound || stmt->partspec ||
		stmt->ofTypename || stmt->constraints || stmt->options ||
		stmt->oncommit != ONCOMMIT_NOOP || stmt->tablespacename ||
		stmt->accessMethod || stmt->if_not_exists ||
		stmt->relation->relpersistence != RELPERSISTENCE_PERMANENT ||
		strcmp(stmt->relation->relname, "corm_columns") != 0 ||
		stmt->relation->schemaname != NULL)
		refuse_list(what, text);

	foreach(lc, stmt->tableElts)
	{
		Node	   *node = lfirst(lc);
		Node	   *next = lnext(stmt->tableElts, lc) ? lfirst(lnext(stmt->tableElts, lc)) : NULL;
		CormElement *elem = palloc0(sizeof(CormElement));
		int			start;
		int			limit;

		elem->list = list;
		elem->node = node;
		if (IsA(node, ColumnDef))
			start = ((ColumnDef *) node)->location;
		else if (IsA(node, Constraint))
			start = ((Constraint *) node)->location;
		else
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("LIKE is not supported in %s", what),
					 errhint("List the columns themselves, or put shared columns in a mixin.")));
		if (next == NULL)
			limit = textlen + 1;
		else if (IsA(next, ColumnDef))
			limit = ((ColumnDef *) next)->location - prefix;
		else if (IsA(next, Constraint))
			limit = ((Constraint *) next)->location - prefix;
		else
			limit = textlen + 1;	/* refused when its turn comes */
		start -= prefix;
		elem->text = slice_tokens(toks, start, limit);
		if (elem->text == NULL)
			elog(ERROR, "could not find the text of an element of %s", what);

		if (IsA(node, ColumnDef))
		{
			ColumnDef  *def = (ColumnDef *) node;
			ListCell   *nc;

			if (def->fdwoptions)
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("OPTIONS are not supported for column \"%s\" in %s",
								def->colname, what)));
			if (SystemAttributeByName(def->colname) != NULL)
				ereport(ERROR,
						(errcode(ERRCODE_DUPLICATE_COLUMN),
						 errmsg("column name \"%s\" conflicts with a system column name",
								def->colname),
						 errcontext("%s", what)));
			foreach(nc, names)
			{
				if (strcmp(lfirst(nc), def->colname) == 0)
					ereport(ERROR,
							(errcode(ERRCODE_DUPLICATE_COLUMN),
							 errmsg("column \"%s\" specified more than once in %s",
									def->colname, what)));
			}
			names = lappend(names, def->colname);
			split_column_clauses(elem, toks, prefix, limit);
		}
		list->elements = lappend(list->elements, elem);
	}
	return list;
}

static bool
is_serial_type(TypeName *tn)
{
	char	   *name;

	if (tn->arrayBounds || tn->typmods || tn->pct_type || tn->setof)
		return false;
	if (list_length(tn->names) == 2 &&
		strcmp(strVal(linitial(tn->names)), "pg_catalog") == 0)
		name = strVal(lsecond(tn->names));
	else if (list_length(tn->names) == 1)
		name = strVal(linitial(tn->names));
	else
		return false;
	return strcmp(name, "smallserial") == 0 || strcmp(name, "serial2") == 0 ||
		strcmp(name, "serial") == 0 || strcmp(name, "serial4") == 0 ||
		strcmp(name, "bigserial") == 0 || strcmp(name, "serial8") == 0;
}

/*
 * The type of a column, looked up by the server: an unknown type is the
 * server's 42704 with a position in the user's text.
 */
void
corm_resolve_type(CormElement *elem, const char *what,
				  Oid *typid, int32 *typmod, bool *is_serial)
{
	ColumnDef  *def = (ColumnDef *) elem->node;
	ParseState *pstate;
	CormTextContext ctx;

	*is_serial = is_serial_type(def->typeName);
	if (*is_serial)
	{
		char	   *name = strVal(llast(def->typeName->names));

		if (strcmp(name, "smallserial") == 0 || strcmp(name, "serial2") == 0)
			*typid = INT2OID;
		else if (strcmp(name, "bigserial") == 0 || strcmp(name, "serial8") == 0)
			*typid = INT8OID;
		else
			*typid = INT4OID;
		*typmod = -1;
		return;
	}
	pstate = make_parsestate(NULL);
	pstate->p_sourcetext = elem->list->sql;
	corm_push_text_context(&ctx, elem->list->text, elem->list->prefix_chars,
						   what ? what : elem->list->what);
	typenameTypeIdAndMod(pstate, def->typeName, typid, typmod);
	corm_pop_text_context(&ctx);
	free_parsestate(pstate);
}

/* find the '=' of an assignment that starts at "from" */
static int
assignment_value_start(CormTokens *toks, int from)
{
	for (int i = 0; i < toks->count; i++)
	{
		CormToken  *t = &toks->tokens[i];

		if (t->start >= from && t->ch == '=' && t->depth == 0)
			return (i + 1 < toks->count) ? toks->tokens[i + 1].start : t->end;
	}
	return from;
}

/*
 * Parse an onupdate list, the SET list of an UPDATE: "a = expr, b = expr".
 * Returns a list of CormAssignment.
 */
List *
corm_parse_onupdate(const char *text, const char *what)
{
	CormTokens *toks;
	UpdateStmt *stmt;
	char	   *sql;
	int			prefix = strlen(ONUPDATE_PREFIX);
	List	   *result = NIL;
	ListCell   *lc;

	if (text_is_blank(text))
		return NIL;
	toks = lex_text(text, what);
	if (toks->count == 0)
		return NIL;
	sql = psprintf("%s%s\n", ONUPDATE_PREFIX, text);
	stmt = (UpdateStmt *) only_statement(parse_wrapped(sql, text, prefix, what),
										 T_UpdateStmt, what, text);
	if (stmt->whereClause || stmt->fromClause || stmt->returningList ||
		stmt->withClause || stmt->relation->schemaname != NULL ||
		strcmp(stmt->relation->relname, "corm_onupdate") != 0 ||
		!stmt->relation->inh || stmt->relation->alias)
		refuse_onupdate(what, text);

	foreach(lc, stmt->targetList)
	{
		ResTarget  *rt = lfirst_node(ResTarget, lc);
		CormAssignment *a;
		int			limit;
		ListCell   *prev;

		if (rt->indirection != NIL || IsA(rt->val, MultiAssignRef))
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("%s assigns to several columns at once or to part of column \"%s\"",
							what, rt->name),
					 errhint("Write one \"column = expression\" per column.")));
		if (IsA(rt->val, SetToDefault))
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("%s cannot set column \"%s\" to DEFAULT", what, rt->name),
					 errhint("Write the default's expression itself.")));
		foreach(prev, result)
		{
			if (strcmp(((CormAssignment *) lfirst(prev))->column, rt->name) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_DUPLICATE_COLUMN),
						 errmsg("column \"%s\" is assigned more than once in %s",
								rt->name, what)));
		}
		limit = lnext(stmt->targetList, lc) ?
			lfirst_node(ResTarget, lnext(stmt->targetList, lc))->location - prefix :
			(int) strlen(text) + 1;
		a = palloc0(sizeof(CormAssignment));
		a->column = pstrdup(rt->name);
		a->expr = rt->val;
		a->text = slice_tokens(toks, assignment_value_start(toks, rt->location - prefix), limit);
		if (a->text == NULL)
			elog(ERROR, "could not find the expression of \"%s\" in %s", rt->name, what);
		result = lappend(result, a);
	}
	return result;
}

/* the names of the columns an expression reads (ColumnRef's last field) */
bool
corm_column_refs(Node *node, List **names)
{
	if (node == NULL)
		return false;
	if (IsA(node, ColumnRef))
	{
		Node	   *last = llast(((ColumnRef *) node)->fields);

		if (IsA(last, String))
			*names = lappend(*names, strVal(last));
		return false;
	}
	return raw_expression_tree_walker(node, corm_column_refs, (void *) names);
}

static void
refuse_index(const char *what, const char *text, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_SYNTAX_ERROR),
			 errmsg("invalid index in %s", what),
			 errdetail("%s", detail),
			 errhint("An index is what follows ON <table> in CREATE INDEX, with UNIQUE and a name allowed in front: %s",
					 text)));
}

static bool
token_is(CormTokens *toks, int i, const char *word)
{
	CormToken  *t = &toks->tokens[i];

	return i < toks->count && t->end - t->start == (int) strlen(word) &&
		pg_strncasecmp(toks->text + t->start, word, strlen(word)) == 0;
}

/*
 * The extent of a name holding %(table)s at byte "start" (unquoted: letters,
 * digits, _ and $ around the token), or -1 when there is none there.
 */
static int
template_name_end(const char *text, int start)
{
	int			i = start;
	bool		token = false;

	for (;;)
	{
		if (strncmp(text + i, "%(table)s", 9) == 0)
		{
			token = true;
			i += 9;
		}
		else if (isalnum((unsigned char) text[i]) || text[i] == '_' || text[i] == '$' ||
				 IS_HIGHBIT_SET(text[i]))
			i++;
		else
			break;
	}
	return token ? i : -1;
}

/*
 * Parse one index: [UNIQUE] [name] then what follows ON <table> in CREATE
 * INDEX.  The server parses "CREATE [UNIQUE] INDEX [name] ON corm_index
 * <rest>", which must be that one statement and nothing more; errors point
 * into the user's text.
 */
CormIndexDef *
corm_parse_index(const char *text, const char *what)
{
	CormIndexDef *def = palloc0(sizeof(CormIndexDef));
	CormTokens *toks;
	StringInfoData sql;
	int			i = 0;
	int			body;
	int			name_start;
	int			gap_at = 0;
	int			gap_chars = 0;
	char	   *name_sql = NULL;
	char	   *template = NULL;
	List	   *parsetree;
	IndexStmt  *stmt;
	ListCell   *lc;

	def->text = text;
	def->what = what;
	if (text_is_blank(text))
		refuse_index(what, "", "The index is empty.");
	toks = lex_text(text, what);
	if (token_is(toks, i, "unique"))
	{
		def->unique = true;
		i++;
	}
	if (i >= toks->count)
		refuse_index(what, text, "The index has no columns.");
	if (token_is(toks, i, "on"))
		refuse_index(what, text, "The table is the model's: leave out ON <table>.");
	body = toks->tokens[i].start;
	name_start = body;
	if (toks->tokens[i].ch != '(' && !token_is(toks, i, "using"))
	{
		int			end = template_name_end(text, toks->tokens[i].start);

		if (end >= 0)
		{
			/* a name holding %(table)s: parsed as a placeholder */
			template = pnstrdup(text + body, end - body);
			for (char *c = template; *c; c++)
				if (*c >= 'A' && *c <= 'Z')
					*c += 'a' - 'A';
			name_sql = "corm_index_name";
			body = end;
		}
		else
		{
			name_sql = pnstrdup(text + toks->tokens[i].start,
								toks->tokens[i].end - toks->tokens[i].start);
			body = toks->tokens[i].end;
		}
	}
	body += strspn(text + body, " \t\r\n\f\v");
	/* up to the end of the last token: a trailing comment stays out */
	def->body = pnstrdup(text + body, Max(toks->tokens[toks->count - 1].end - body, 0));
	if (text_is_blank(def->body))
		refuse_index(what, text, "The index has no columns.");

	/*
	 * The statement is the user's text with " ON corm_index " put between
	 * the name and the rest: errors before that gap and after it point at
	 * the same characters of the user's text.
	 */
	initStringInfo(&sql);
	appendStringInfo(&sql, "CREATE %sINDEX ", def->unique ? "UNIQUE " : "");
	def->prefix_chars = pg_mbstrlen(sql.data) - pg_mbstrlen_with_len(text, name_start);
	if (name_sql)
	{
		appendStringInfo(&sql, "%s", name_sql);
		gap_at = pg_mbstrlen(sql.data);
		appendStringInfoChar(&sql, ' ');
	}
	appendStringInfoString(&sql, "ON " INDEX_RELATION " ");
	gap_chars = pg_mbstrlen(sql.data) - def->prefix_chars - pg_mbstrlen_with_len(text, body);
	if (!name_sql)
		def->prefix_chars += gap_chars;
	appendStringInfo(&sql, "%s\n", def->body);
	def->sql = sql.data;
	{
		CormTextContext ctx;

		corm_push_text_context(&ctx, text, def->prefix_chars, what);
		if (name_sql)
		{
			ctx.gap_at = gap_at;
			ctx.gap_chars = gap_chars;
		}
		parsetree = raw_parser(def->sql, RAW_PARSE_DEFAULT);
		corm_pop_text_context(&ctx);
	}
	if (list_length(parsetree) != 1 || !IsA(linitial_node(RawStmt, parsetree)->stmt, IndexStmt))
		refuse_index(what, text, "It must be one index, and nothing else.");
	stmt = (IndexStmt *) linitial_node(RawStmt, parsetree)->stmt;
	if (stmt->relation->schemaname || strcmp(stmt->relation->relname, INDEX_RELATION) != 0 ||
		!stmt->relation->inh || stmt->concurrent || stmt->if_not_exists)
		refuse_index(what, text, "It must be one index, and nothing else.");
	if (stmt->tableSpace)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("an index in %s cannot name a tablespace", what),
				 errdetail("A model's indexes go to the tablespace of its bind, as its table does."),
				 errhint("Leave out TABLESPACE; register_bind() gives a bind a tablespace.")));
	def->stmt = stmt;
	if (template)
		def->name = template;
	else if (stmt->idxname)
		def->name = stmt->idxname;

	/* the columns it reads, and its key when that is columns only */
	foreach(lc, stmt->indexParams)
	{
		IndexElem  *elem = lfirst_node(IndexElem, lc);

		if (elem->name)
		{
			def->columns = lappend(def->columns, elem->name);
			def->key_columns = lappend(def->key_columns, elem->name);
		}
		else
			corm_column_refs(elem->expr, &def->columns);
	}
	foreach(lc, stmt->indexParams)
		if (lfirst_node(IndexElem, lc)->name == NULL)
		{
			def->key_columns = NIL;
			break;
		}
	foreach(lc, stmt->indexIncludingParams)
	{
		IndexElem  *elem = lfirst_node(IndexElem, lc);

		if (elem->name)
			def->columns = lappend(def->columns, elem->name);
		else
			corm_column_refs(elem->expr, &def->columns);
	}
	corm_column_refs(stmt->whereClause, &def->columns);
	return def;
}
