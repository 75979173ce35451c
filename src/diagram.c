/*
 * diagram.c — corm.diagram(): the models as an entity-relationship diagram
 *
 * The diagram is read from corm's catalog views, as a user in psql would
 * read them: corm.model for the models in the order they were registered,
 * corm.model_columns() for each one's full row with where every column
 * came from, pg_constraint for which columns are foreign keys, and
 * corm.relationships for the relationships and their direction.  It is
 * written in one of two languages: mermaid's erDiagram or Graphviz's DOT.
 *
 * Every name is the user's and may hold anything PostgreSQL accepts in a
 * name: quotes, backslashes, newlines, braces, angle brackets, keywords of
 * either language.  No name is ever written where the renderer reads syntax:
 * entities and nodes get generated identifiers (m1, m2, ... in registration
 * order) and names appear only inside quoted strings or labels, escaped for
 * them character by character (see the writers below).  The text depends on
 * nothing but the catalog: no hash order, locale or clock.
 */
#include "corm.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "utils/array.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(corm_diagram);

typedef enum DiagramFormat
{
	DIAGRAM_MERMAID,
	DIAGRAM_DOT
} DiagramFormat;

#define DIAGRAM_FORMATS "mermaid, dot"

typedef struct DiagramColumn
{
	char	   *name;
	char	   *type;
	bool		primary_key;
	bool		foreign_key;
	bool		unique;			/* a key column of a unique index, not the primary key's */
	bool		indexed;		/* the first key column of another index */
	char	   *origin;			/* "own", "mixin X", "model class X", ... */
} DiagramColumn;

typedef struct DiagramModel
{
	char	   *name;
	char	   *kind;			/* root, joined, single or abstract */
	char	   *parent;
	char	   *table;			/* qualified and quoted; NULL when abstract */
	bool		drawn;
	int			id;				/* m<id> in the diagram, once drawn */
	List	   *columns;		/* DiagramColumn * */
} DiagramModel;

typedef struct DiagramRelationship
{
	DiagramModel *model;
	char	   *name;
	DiagramModel *target;
	char	   *direction;		/* one-to-many, many-to-one, or NULL */
} DiagramRelationship;

typedef struct Diagram
{
	List	   *models;			/* DiagramModel *, every model, as registered */
	DiagramModel **by_name;		/* the same, sorted by name, for lookups */
	List	   *drawn;			/* DiagramModel *, those in the diagram */
	List	   *relationships;	/* DiagramRelationship *, between drawn models */
} Diagram;

/* how a model's row relates to the drawn ancestor it inherits from */
typedef enum DiagramInheritance
{
	INHERITS_JOINED,
	INHERITS_SINGLE,
	INHERITS_ABSTRACT
} DiagramInheritance;

static const char *inheritance_label[] = {
	"joined table", "single table", "abstract parent"
};

/*
 * The format, compared as PostgreSQL compares option keywords (case does
 * not matter).
 */
static DiagramFormat
diagram_format(FunctionCallInfo fcinfo)
{
	char	   *format;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("diagram format must not be null"),
				 errhint("The formats are: %s.", DIAGRAM_FORMATS)));
	format = text_to_cstring(PG_GETARG_TEXT_PP(0));
	if (pg_strcasecmp(format, "mermaid") == 0)
		return DIAGRAM_MERMAID;
	if (pg_strcasecmp(format, "dot") == 0)
		return DIAGRAM_DOT;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown diagram format \"%s\"", format),
			 errhint("The formats are: %s.", DIAGRAM_FORMATS)));
	pg_unreachable();
}

static char *
value_or_null(HeapTuple tup, TupleDesc desc, int col)
{
	bool		isnull;

	(void) SPI_getbinval(tup, desc, col, &isnull);
	return isnull ? NULL : SPI_getvalue(tup, desc, col);
}

static bool
bool_value(HeapTuple tup, TupleDesc desc, int col)
{
	bool		isnull;
	Datum		d = SPI_getbinval(tup, desc, col, &isnull);

	return !isnull && DatumGetBool(d);
}

static void
run_query(const char *sql, int nargs, Oid *types, Datum *values)
{
	if (SPI_execute_with_args(sql, nargs, types, values, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "corm.diagram() could not read the catalog: %s",
			 SPI_result_code_string(SPI_result));
}

static int
compare_model_names(const void *a, const void *b)
{
	return strcmp((*(DiagramModel *const *) a)->name, (*(DiagramModel *const *) b)->name);
}

static DiagramModel *
find_model(Diagram *diagram, const char *name)
{
	DiagramModel key;
	DiagramModel *keyp = &key;
	DiagramModel **found;

	if (name == NULL || diagram->models == NIL)
		return NULL;
	key.name = (char *) name;
	found = bsearch(&keyp, diagram->by_name, list_length(diagram->models),
					sizeof(DiagramModel *), compare_model_names);
	return found ? *found : NULL;
}

/* every model of the catalog, in the order they were registered */
static void
load_models(Diagram *diagram)
{
	run_query("SELECT m.name, m.kind, m.parent,"
			  "       CASE WHEN m.table_name IS NOT NULL"
			  "            THEN pg_catalog.format('%I.%I', m.table_schema, m.table_name) END"
			  "  FROM corm.model m ORDER BY m.registered",
			  0, NULL, NULL);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		DiagramModel *m = palloc0(sizeof(DiagramModel));

		m->name = SPI_getvalue(tup, desc, 1);
		m->kind = value_or_null(tup, desc, 2);
		if (m->kind == NULL)
			m->kind = "root";
		m->parent = value_or_null(tup, desc, 3);
		m->table = value_or_null(tup, desc, 4);
		diagram->models = lappend(diagram->models, m);
	}
	if (diagram->models != NIL)
	{
		int			i = 0;
		ListCell   *lc;

		diagram->by_name = palloc(sizeof(DiagramModel *) * list_length(diagram->models));
		foreach(lc, diagram->models)
			diagram->by_name[i++] = lfirst(lc);
		qsort(diagram->by_name, i, sizeof(DiagramModel *), compare_model_names);
	}
}

/*
 * Which models are drawn.  Without a list, every model that has a row of
 * its own: abstract models have no table and no rows, they pass their
 * columns on as a mixin does, and their subclasses' columns already name
 * them as their origin ("inherited from Base"); drawing them as entities
 * would show a table that does not exist.  A list may name an abstract
 * model: it is then drawn, marked abstract, since the user asked for it.
 * The order is always the catalog's, whatever the order of the list.
 */
static void
select_models(Diagram *diagram, FunctionCallInfo fcinfo)
{
	ListCell   *lc;

	if (PG_ARGISNULL(1))
	{
		foreach(lc, diagram->models)
		{
			DiagramModel *m = lfirst(lc);

			m->drawn = (strcmp(m->kind, "abstract") != 0);
		}
	}
	else
	{
		Datum	   *elems;
		bool	   *nulls;
		int			n;

		deconstruct_array(PG_GETARG_ARRAYTYPE_P(1), TEXTOID, -1, false, TYPALIGN_INT,
						  &elems, &nulls, &n);
		for (int i = 0; i < n; i++)
		{
			char	   *name;
			DiagramModel *m;

			if (nulls[i])
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("the models of a diagram must not include null")));
			name = TextDatumGetCString(elems[i]);
			m = find_model(diagram, name);
			if (m == NULL)
				ereport(ERROR,
						(errcode(ERRCODE_UNDEFINED_OBJECT),
						 errmsg("model \"%s\" does not exist", name),
						 errhint("corm.models lists the registered models.")));
			m->drawn = true;
		}
	}
	foreach(lc, diagram->models)
	{
		DiagramModel *m = lfirst(lc);

		if (m->drawn)
		{
			diagram->drawn = lappend(diagram->drawn, m);
			m->id = list_length(diagram->drawn);
		}
	}
}

/*
 * The full row of every drawn model.  A column is a foreign key when a
 * foreign key constraint of the table that stores it, or of the model's own
 * table (a joined subclass's key references its parent's), includes it.
 * Columns are matched by their quoted, qualified names (one set of every
 * foreign key column, hashed), never looked up, so that a schema the caller
 * cannot use is no error.
 */
static void
load_columns(Diagram *diagram)
{
	Datum	   *names;
	Oid			types[1] = {TEXTARRAYOID};
	Datum		values[1];
	int			i = 0;
	ListCell   *lc;
	DiagramModel *m = NULL;

	if (diagram->drawn == NIL)
		return;
	names = palloc(sizeof(Datum) * list_length(diagram->drawn));
	foreach(lc, diagram->drawn)
		names[i++] = CStringGetTextDatum(((DiagramModel *) lfirst(lc))->name);
	values[0] = PointerGetDatum(construct_array(names, i, TEXTOID, -1, false, TYPALIGN_INT));
	run_query("WITH fk AS (SELECT DISTINCT"
			  "                   pg_catalog.format('%I.%I.%I', n.nspname, r.relname, a.attname) AS col"
			  "              FROM pg_catalog.pg_constraint k"
			  "              JOIN pg_catalog.pg_class r ON r.oid = k.conrelid"
			  "              JOIN pg_catalog.pg_namespace n ON n.oid = r.relnamespace"
			  "              JOIN pg_catalog.pg_attribute a"
			  "                   ON a.attrelid = k.conrelid AND a.attnum = ANY (k.conkey)"
			  "             WHERE k.contype = 'f'),"
			  "     ix AS (SELECT pg_catalog.format('%I.%I.%I', n.nspname, r.relname, a.attname) AS col,"
			  "                   pg_catalog.bool_or(i.indisunique AND i.indpred IS NULL) AS uk,"
			  "                   pg_catalog.bool_or(i.indkey[0] = a.attnum) AS lead"
			  "              FROM pg_catalog.pg_index i"
			  "              JOIN pg_catalog.pg_class r ON r.oid = i.indrelid"
			  "              JOIN pg_catalog.pg_namespace n ON n.oid = r.relnamespace"
			  "              JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid"
			  "                   AND a.attnum = ANY ((i.indkey::pg_catalog.int2[])[0:i.indnkeyatts - 1])"
			  "             WHERE NOT i.indisprimary AND i.indisvalid"
			  "             GROUP BY 1),"
			  "     c AS (SELECT m.name AS model, m.registered, c.*,"
			  "                  ARRAY[pg_catalog.format('%s.%I', c.\"table\", c.name),"
			  "                        CASE WHEN m.table_name IS NOT NULL"
			  "                             THEN pg_catalog.format('%I.%I.%I', m.table_schema, m.table_name, c.name)"
			  "                        END] AS cols"
			  "             FROM corm.model m, LATERAL corm.model_columns(m.name) c"
			  "            WHERE m.name = ANY ($1))"
			  "SELECT c.model, c.name, c.type, c.primary_key, c.origin,"
			  "       EXISTS (SELECT FROM fk WHERE fk.col = ANY (c.cols)),"
			  "       COALESCE((SELECT pg_catalog.bool_or(uk) FROM ix WHERE ix.col = ANY (c.cols)), false),"
			  "       COALESCE((SELECT pg_catalog.bool_or(lead) FROM ix WHERE ix.col = ANY (c.cols)), false)"
			  "  FROM c"
			  " ORDER BY c.registered, c.\"position\"",
			  1, types, values);
	for (uint64 row = 0; row < SPI_processed; row++)
	{
		HeapTuple	tup = SPI_tuptable->vals[row];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		char	   *model = SPI_getvalue(tup, desc, 1);
		DiagramColumn *col = palloc0(sizeof(DiagramColumn));

		if (m == NULL || strcmp(m->name, model) != 0)
			m = find_model(diagram, model);
		col->name = SPI_getvalue(tup, desc, 2);
		col->type = SPI_getvalue(tup, desc, 3);
		col->primary_key = bool_value(tup, desc, 4);
		col->origin = SPI_getvalue(tup, desc, 5);
		col->foreign_key = bool_value(tup, desc, 6);
		col->unique = bool_value(tup, desc, 7) && !col->primary_key;
		col->indexed = bool_value(tup, desc, 8) && !col->primary_key && !col->unique;
		m->columns = lappend(m->columns, col);
	}
}

/* the relationships whose both ends are drawn, by model, then by name */
static void
load_relationships(Diagram *diagram)
{
	run_query("SELECT r.model, r.name, r.target, r.direction"
			  "  FROM corm.relationships r JOIN corm.model m ON m.name = r.model"
			  " ORDER BY m.registered, r.name COLLATE \"C\"",
			  0, NULL, NULL);
	for (uint64 row = 0; row < SPI_processed; row++)
	{
		HeapTuple	tup = SPI_tuptable->vals[row];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		DiagramModel *model = find_model(diagram, SPI_getvalue(tup, desc, 1));
		DiagramModel *target = find_model(diagram, SPI_getvalue(tup, desc, 3));
		DiagramRelationship *rel;

		if (model == NULL || target == NULL || !model->drawn || !target->drawn)
			continue;
		rel = palloc0(sizeof(DiagramRelationship));
		rel->model = model;
		rel->name = SPI_getvalue(tup, desc, 2);
		rel->target = target;
		rel->direction = value_or_null(tup, desc, 4);
		diagram->relationships = lappend(diagram->relationships, rel);
	}
}

/*
 * The nearest drawn ancestor of a model: its parent, or when that is not
 * drawn (an abstract model, or one left out of the list), the parent's
 * parent, and so on, so that a subclass stays connected to the hierarchy
 * drawn.  The walk is bounded by the number of models.
 */
static DiagramModel *
drawn_ancestor(Diagram *diagram, DiagramModel *m)
{
	DiagramModel *up = find_model(diagram, m->parent);

	for (int steps = 0; up != NULL && steps < list_length(diagram->models); steps++)
	{
		if (up->drawn)
			return up;
		up = find_model(diagram, up->parent);
	}
	return NULL;
}

static DiagramInheritance
inheritance_of(DiagramModel *m, DiagramModel *ancestor)
{
	if (strcmp(ancestor->kind, "abstract") == 0)
		return INHERITS_ABSTRACT;
	if (strcmp(m->kind, "single") == 0)
		return INHERITS_SINGLE;
	if (strcmp(m->kind, "joined") == 0)
		return INHERITS_JOINED;
	return INHERITS_ABSTRACT;
}

/*
 * The characters of a name, as Unicode code points.  A name is in the
 * server's encoding; it is read as UTF-8 after conversion, and a byte that
 * is not UTF-8 (possible under SQL_ASCII) becomes U+FFFD.  Each character
 * is then made visible: a control character becomes its picture (U+2400 +
 * code, so a newline in a name shows as one symbol and never breaks a
 * line); the C1 controls and the two code points that XML does not allow
 * become U+FFFD.
 */
static pg_wchar *
name_code_points(const char *s, int *count)
{
	const unsigned char *p = (const unsigned char *) pg_server_to_any(s, strlen(s), PG_UTF8);
	const unsigned char *end = p + strlen((const char *) p);
	pg_wchar   *result = palloc(sizeof(pg_wchar) * (end - p + 1));
	int			n = 0;

	while (p < end)
	{
		int			len = pg_utf_mblen(p);
		pg_wchar	c;

		if (len > end - p || !pg_utf8_islegal(p, len))
		{
			c = 0xFFFD;
			len = 1;
		}
		else
			c = utf8_to_unicode(p);
		p += len;
		if (c < 0x20)
			c = 0x2400 + c;
		else if (c == 0x7F)
			c = 0x2421;
		else if ((c >= 0x80 && c <= 0x9F) || c == 0xFFFE || c == 0xFFFF)
			c = 0xFFFD;
		result[n++] = c;
	}
	*count = n;
	return result;
}

/* a character beyond ASCII as itself, in the server's encoding */
static void
append_code_point(StringInfo buf, pg_wchar c)
{
	unsigned char utf8[8];
	int			len;

	unicode_to_utf8(c, utf8);
	len = pg_utf_mblen(utf8);
	utf8[len] = '\0';
	appendStringInfoString(buf, pg_any_to_server((char *) utf8, len, PG_UTF8));
}

/*
 * Characters beyond ASCII are written as themselves in a UTF-8 database;
 * in any other, as references, so that the diagram never holds a character
 * the database cannot (the renderers read UTF-8).
 */
static bool
literal_beyond_ascii(void)
{
	return GetDatabaseEncoding() == PG_UTF8;
}

/*
 * Text inside an HTML-like label of Graphviz (an XML fragment): &, <, >
 * and " as entities, everything else as itself or as a character
 * reference.  DOT finds the label's end by matching angle brackets, which
 * escaped text cannot unbalance.  Graphviz then expands its escapes (\N is
 * the node's name, \G the graph's) in the decoded text, so a backslash is
 * written doubled, as its own escape; a reference (&#92;) would still be
 * expanded.
 */
static void
append_dot_text(StringInfo buf, const char *s)
{
	int			n;
	pg_wchar   *chars = name_code_points(s, &n);

	for (int i = 0; i < n; i++)
	{
		pg_wchar	c = chars[i];

		if (c == '&')
			appendStringInfoString(buf, "&amp;");
		else if (c == '<')
			appendStringInfoString(buf, "&lt;");
		else if (c == '>')
			appendStringInfoString(buf, "&gt;");
		else if (c == '"')
			appendStringInfoString(buf, "&quot;");
		else if (c == '\\')
			appendStringInfoString(buf, "\\\\");
		else if (c < 0x80)
			appendStringInfoChar(buf, (char) c);
		else if (literal_beyond_ascii())
			append_code_point(buf, c);
		else
			appendStringInfo(buf, "&#%u;", (unsigned int) c);
	}
}

/* a column's keys, in both languages: PK, FK, UK (a unique index's column) */
static const char *
column_keys(DiagramColumn *col, const char *sep)
{
	StringInfoData keys;

	initStringInfo(&keys);
	if (col->primary_key)
		appendStringInfoString(&keys, "PK");
	if (col->foreign_key)
		appendStringInfo(&keys, "%sFK", keys.len ? sep : "");
	if (col->unique)
		appendStringInfo(&keys, "%sUK", keys.len ? sep : "");
	return keys.data;
}

/* where a column came from, and that an index leads with it */
static const char *
column_note(DiagramColumn *col)
{
	return col->indexed ? psprintf("%s, indexed", col->origin) : col->origin;
}

/*
 * Text inside a quoted string or a `word` of mermaid.  mermaid turns
 * "#<number>;" into a character reference after parsing, so every
 * character that could mean something to its parser or its preprocessing
 * is written that way: quotes and backquotes (string ends), % (directives,
 * comments), # and ; (references), : (mermaid rewrites lines holding
 * "style ... : ... #"), backslash, brackets, braces.  Letters, digits and
 * _-.,() stay as they are, and spaces inside a block (an entity's
 * attributes).  Outside a block a space is a reference too: mermaid reads
 * any line holding "direction TB" as a direction statement.  A leading or
 * trailing space is always a reference, so that mermaid trims none.
 *
 * mermaid carries references through its parser as U+FB02 U+00B0 ...
 * U+00B6 U+00DF and turns those pairs back into & and ; wherever they
 * appear, even in text that had them as characters: a word joiner (U+2060,
 * invisible) goes between the two of such a pair.
 */
static void
append_mermaid_text(StringInfo buf, const char *s, bool in_block)
{
	int			n;
	pg_wchar   *chars = name_code_points(s, &n);

	for (int i = 0; i < n; i++)
	{
		pg_wchar	c = chars[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			c == '_' || c == '-' || c == '.' || c == ',' || c == '(' || c == ')' ||
			(c == ' ' && in_block && i > 0 && i < n - 1))
			appendStringInfoChar(buf, (char) c);
		else if (c >= 0x80 && literal_beyond_ascii())
			append_code_point(buf, c);
		else
			appendStringInfo(buf, "#%u;", (unsigned int) c);
		if (i + 1 < n && ((c == 0xFB02 && chars[i + 1] == 0xB0) ||
						  (c == 0xB6 && chars[i + 1] == 0xDF)))
		{
			if (literal_beyond_ascii())
				append_code_point(buf, 0x2060);
			else
				appendStringInfoString(buf, "#8288;");
		}
	}
}

/*
 * An attribute's type or name in mermaid: a plain word when it is one
 * that mermaid reads as a word (and not one of its keys PK, FK, UK), else
 * quoted in backquotes.
 */
static void
append_mermaid_word(StringInfo buf, const char *s)
{
	bool		plain = (s[0] != '\0' && !(s[0] >= '0' && s[0] <= '9'));

	for (const char *p = s; *p && plain; p++)
		plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			(*p >= '0' && *p <= '9') || *p == '_';
	if (plain && (pg_strcasecmp(s, "PK") == 0 || pg_strcasecmp(s, "FK") == 0 ||
				  pg_strcasecmp(s, "UK") == 0))
		plain = false;
	if (plain)
		appendStringInfoString(buf, s);
	else
	{
		appendStringInfoChar(buf, '`');
		append_mermaid_text(buf, s, true);
		appendStringInfoChar(buf, '`');
	}
}

/*
 * mermaid's erDiagram.  Each model is an entity with its generated id and
 * its name as the alias; each column an attribute: type, name, PK/FK, and
 * its origin as the comment.  mermaid has no inheritance, so a subclass is
 * a relationship from its parent: exactly one parent row to zero or one
 * subclass row, solid for a joined table (an identifying relationship: the
 * subclass's key is the parent's), dotted for a single table or an
 * abstract parent, labelled which.  A relationship is written from the
 * model that has it, labelled Model.name, with crow's feet for its
 * direction.
 */
static void
write_mermaid(StringInfo buf, Diagram *diagram)
{
	ListCell   *lc;

	appendStringInfoString(buf, "erDiagram\n");
	foreach(lc, diagram->drawn)
	{
		DiagramModel *m = lfirst(lc);
		ListCell   *cc;

		appendStringInfo(buf, "    m%d[\"", m->id);
		append_mermaid_text(buf, m->name, false);
		if (strcmp(m->kind, "abstract") == 0)
			appendStringInfoString(buf, "#32;(abstract)");
		appendStringInfoString(buf, "\"]");
		if (m->columns == NIL)
		{
			appendStringInfoChar(buf, '\n');
			continue;
		}
		appendStringInfoString(buf, " {\n");
		foreach(cc, m->columns)
		{
			DiagramColumn *col = lfirst(cc);
			const char *keys;

			appendStringInfoString(buf, "        ");
			append_mermaid_word(buf, col->type);
			appendStringInfoChar(buf, ' ');
			append_mermaid_word(buf, col->name);
			keys = column_keys(col, ",");
			if (*keys)
				appendStringInfo(buf, " %s", keys);
			appendStringInfoString(buf, " \"");
			append_mermaid_text(buf, column_note(col), true);
			appendStringInfoString(buf, "\"\n");
		}
		appendStringInfoString(buf, "    }\n");
	}
	foreach(lc, diagram->drawn)
	{
		DiagramModel *m = lfirst(lc);
		DiagramModel *up = drawn_ancestor(diagram, m);
		DiagramInheritance how;

		if (up == NULL)
			continue;
		how = inheritance_of(m, up);
		appendStringInfo(buf, "    m%d ||%so| m%d : \"%s\"\n", up->id,
						 how == INHERITS_JOINED ? "--" : "..", m->id, inheritance_label[how]);
	}
	foreach(lc, diagram->relationships)
	{
		DiagramRelationship *rel = lfirst(lc);
		const char *line;

		if (rel->direction == NULL)
			line = "}o..o{";
		else if (strcmp(rel->direction, "one-to-many") == 0)
			line = "|o--o{";
		else
			line = "}o--o|";
		appendStringInfo(buf, "    m%d %s m%d : \"", rel->model->id, line, rel->target->id);
		append_mermaid_text(buf, rel->model->name, false);
		appendStringInfoChar(buf, '.');
		append_mermaid_text(buf, rel->name, false);
		appendStringInfoString(buf, "\"\n");
	}
}

static const char *
dot_header_color(DiagramModel *m)
{
	if (strcmp(m->kind, "joined") == 0)
		return "#d5ebcb";
	if (strcmp(m->kind, "single") == 0)
		return "#fbe3bd";
	if (strcmp(m->kind, "abstract") == 0)
		return "#e4e4e4";
	return "#cadcf3";
}

/* one model as a node whose label is a table: name and storage, then columns */
static void
write_dot_model(StringInfo buf, DiagramModel *m)
{
	ListCell   *lc;

	appendStringInfo(buf, "\tm%d [label=<\n"
					 "<TABLE BORDER=\"1\" CELLBORDER=\"0\" CELLSPACING=\"0\" CELLPADDING=\"4\" COLOR=\"#555555\">\n"
					 "<TR><TD COLSPAN=\"4\" BGCOLOR=\"%s\"><B>",
					 m->id, dot_header_color(m));
	append_dot_text(buf, m->name);
	appendStringInfoString(buf, "</B><BR/><FONT POINT-SIZE=\"9\">");
	if (strcmp(m->kind, "abstract") == 0 || m->table == NULL)
		appendStringInfoString(buf, "abstract, no table");
	else
	{
		if (strcmp(m->kind, "joined") == 0)
			appendStringInfoString(buf, "joined, table ");
		else if (strcmp(m->kind, "single") == 0)
			appendStringInfoString(buf, "single table, in ");
		else
			appendStringInfoString(buf, "table ");
		append_dot_text(buf, m->table);
	}
	appendStringInfoString(buf, "</FONT></TD></TR>\n");
	foreach(lc, m->columns)
	{
		DiagramColumn *col = lfirst(lc);
		const char *key = column_keys(col, " ");

		appendStringInfo(buf, "<TR><TD ALIGN=\"LEFT\">%s%s%s</TD><TD ALIGN=\"LEFT\">",
						 *key ? "<B>" : "", key, *key ? "</B>" : "");
		append_dot_text(buf, col->name);
		appendStringInfoString(buf, "</TD><TD ALIGN=\"LEFT\">");
		append_dot_text(buf, col->type);
		appendStringInfoString(buf, "</TD><TD ALIGN=\"LEFT\"><FONT COLOR=\"#666666\">");
		append_dot_text(buf, column_note(col));
		appendStringInfoString(buf, "</FONT></TD></TR>\n");
	}
	appendStringInfoString(buf, "</TABLE>>];\n");
}

/*
 * Graphviz's DOT.  Every edge runs from the parent or the "one" side to
 * the subclass or the "many" side, so that dot ranks parents above their
 * subclasses and a relationship's one side above its many side.  A
 * subclass has UML's hollow triangle at its parent: solid for a joined
 * table, dashed for a single table, dotted under an abstract parent.  A
 * relationship has crow's feet (zero or one at the one side, zero or many
 * at the other) and is labelled Model.name and its direction.
 */
static void
write_dot(StringInfo buf, Diagram *diagram)
{
	ListCell   *lc;

	appendStringInfoString(buf,
						   "digraph corm {\n"
						   "\tgraph [rankdir=TB, nodesep=0.5, ranksep=0.7, fontname=\"Helvetica\"];\n"
						   "\tnode [shape=plain, fontname=\"Helvetica\", fontsize=11];\n"
						   "\tedge [fontname=\"Helvetica\", fontsize=10, color=\"#444444\"];\n");
	foreach(lc, diagram->drawn)
	{
		appendStringInfoChar(buf, '\n');
		write_dot_model(buf, lfirst(lc));
	}
	if (diagram->drawn != NIL)
		appendStringInfoChar(buf, '\n');
	foreach(lc, diagram->drawn)
	{
		DiagramModel *m = lfirst(lc);
		DiagramModel *up = drawn_ancestor(diagram, m);
		DiagramInheritance how;

		if (up == NULL)
			continue;
		how = inheritance_of(m, up);
		appendStringInfo(buf, "\tm%d -> m%d [dir=back, arrowtail=empty, style=%s, label=<%s>];\n",
						 up->id, m->id,
						 how == INHERITS_JOINED ? "solid" : how == INHERITS_SINGLE ? "dashed" : "dotted",
						 inheritance_label[how]);
	}
	foreach(lc, diagram->relationships)
	{
		DiagramRelationship *rel = lfirst(lc);
		bool		many_to_one = rel->direction && strcmp(rel->direction, "many-to-one") == 0;
		DiagramModel *one = many_to_one ? rel->target : rel->model;
		DiagramModel *many = many_to_one ? rel->model : rel->target;

		appendStringInfo(buf, "\tm%d -> m%d [", one->id, many->id);
		if (rel->direction == NULL)
			appendStringInfoString(buf, "dir=none, style=dotted");
		else
			appendStringInfoString(buf, "dir=both, arrowtail=teeodot, arrowhead=crowodot");
		appendStringInfoString(buf, ", label=<");
		append_dot_text(buf, rel->model->name);
		appendStringInfoChar(buf, '.');
		append_dot_text(buf, rel->name);
		appendStringInfo(buf, "<BR/><FONT POINT-SIZE=\"8\">%s</FONT>>];\n",
						 rel->direction ? rel->direction : "direction unknown");
	}
	appendStringInfoString(buf, "}\n");
}

/*
 * corm.diagram(format text, models text[]) RETURNS text: the models as an
 * entity-relationship diagram, in mermaid or DOT
 */
Datum
corm_diagram(PG_FUNCTION_ARGS)
{
	DiagramFormat format = diagram_format(fcinfo);
	MemoryContext caller = CurrentMemoryContext;
	Diagram		diagram = {0};
	StringInfoData buf;
	text	   *result;
	MemoryContext old;

	SPI_connect();
	load_models(&diagram);
	select_models(&diagram, fcinfo);
	load_columns(&diagram);
	load_relationships(&diagram);
	initStringInfo(&buf);
	if (format == DIAGRAM_MERMAID)
		write_mermaid(&buf, &diagram);
	else
		write_dot(&buf, &diagram);
	old = MemoryContextSwitchTo(caller);
	result = cstring_to_text(buf.data);
	MemoryContextSwitchTo(old);
	SPI_finish();
	PG_RETURN_TEXT_P(result);
}
