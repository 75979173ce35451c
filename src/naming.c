/*
 * naming.c — table names generated from class names
 *
 * corm.camel_to_snake_case() gives exactly what Flask-SQLAlchemy 3.x's
 * camel_to_snake_case gives:
 *
 *     re.sub(r"((?<=[a-z0-9])[A-Z]|(?!^)[A-Z](?=[a-z]))", r"_\1", name)
 *         .lower().lstrip("_")
 *
 * An ASCII capital starts a new word when it follows a lower-case ASCII
 * letter or digit, or when it is not the first character and a lower-case
 * ASCII letter follows it.  Other letters never start a word; everything is
 * then lowercased as PostgreSQL's lower() does.
 */
#include "corm.h"

#include "catalog/pg_collation.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/formatting.h"

PG_FUNCTION_INFO_V1(corm_camel_to_snake_case);

static inline bool
is_ascii_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

static inline bool
is_ascii_lower(char c)
{
	return c >= 'a' && c <= 'z';
}

static inline bool
is_ascii_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* the snake_case name of a class name, palloc'd */
char *
corm_snake_case(const char *name)
{
	int			len = strlen(name);
	StringInfoData buf;
	char	   *lowered;
	char	   *start;

	initStringInfo(&buf);
	for (int i = 0; i < len; i++)
	{
		char		c = name[i];

		if (is_ascii_upper(c) && i > 0 &&
			(is_ascii_lower(name[i - 1]) || is_ascii_digit(name[i - 1]) ||
			 (i + 1 < len && is_ascii_lower(name[i + 1]))))
			appendStringInfoChar(&buf, '_');
		appendStringInfoChar(&buf, c);
	}
	lowered = str_tolower(buf.data, buf.len, DEFAULT_COLLATION_OID);
	start = lowered;
	while (*start == '_')
		start++;
	return pstrdup(start);
}

/*
 * Refuse a name PostgreSQL would truncate or could not hold; "what" says
 * what the name is, e.g. "table name", and "model" whose it is.
 */
void
corm_check_identifier(const char *name, const char *what, const char *model)
{
	if (name[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_NAME),
				 errmsg("%s of model \"%s\" is empty", what, model)));
	if (strlen(name) >= NAMEDATALEN)
		ereport(ERROR,
				(errcode(ERRCODE_NAME_TOO_LONG),
				 errmsg("%s \"%s\" of model \"%s\" is too long", what, name, model),
				 errdetail("The name is %zu bytes; PostgreSQL names hold at most %d.",
						   strlen(name), NAMEDATALEN - 1),
				 errhint("Choose a shorter name; corm never truncates a name.")));
}

/* corm.camel_to_snake_case(name text) RETURNS text */
Datum
corm_camel_to_snake_case(PG_FUNCTION_ARGS)
{
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(0));

	PG_RETURN_TEXT_P(cstring_to_text(corm_snake_case(name)));
}

/* a schema-qualified name, each part quoted where it needs to be */
char *
corm_qualified(const char *schema, const char *name)
{
	return quote_qualified_identifier(schema, name);
}

/* whether a list of names holds this one */
bool
corm_name_in(List *names, const char *name)
{
	ListCell   *lc;

	foreach(lc, names)
		if (strcmp(lfirst(lc), name) == 0)
			return true;
	return false;
}

/* list_sort's comparator for a list of names (char *), in byte order */
int
corm_compare_names(const ListCell *a, const ListCell *b)
{
	return strcmp(lfirst(a), lfirst(b));
}

/* whether two lists of names are the same names in the same order */
bool
corm_same_names(List *a, List *b)
{
	ListCell   *la;
	ListCell   *lb;

	if (list_length(a) != list_length(b))
		return false;
	forboth(la, a, lb, b)
		if (strcmp(lfirst(la), lfirst(lb)) != 0)
		return false;
	return true;
}

/* the names of a list of String nodes (a parse tree's), as char * */
List *
corm_string_names(List *strings)
{
	List	   *names = NIL;
	ListCell   *lc;

	foreach(lc, strings)
		names = lappend(names, strVal(lfirst(lc)));
	return names;
}

/* names joined by "_", as PostgreSQL joins columns in a generated name */
char *
corm_joined_names(List *names)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	foreach(lc, names)
		appendStringInfo(&buf, "%s%s", buf.len ? "_" : "", (char *) lfirst(lc));
	return buf.data;
}
