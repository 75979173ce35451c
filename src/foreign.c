/*
 * foreign.c — a model bound to another database: its table there and the
 * foreign table over it here
 *
 * The table of a model under a bind with a server is made from the same
 * plan as a local one (corm_plan_model), its statements sent to the
 * server's database; here the model gets a foreign table of the same
 * schema and name over it, so that its view and functions read as they do
 * over a local table.
 *
 * A migration compares each side with its own catalogs.  There, read over
 * corm's connection: the table's columns (type as format_type gives it,
 * NOT NULL), its constraints (pg_get_constraintdef, read back by the
 * parser here and compared clause by clause), its declared indexes
 * (pg_get_indexdef, read back by the parser here and cooked with the
 * planned ones over the foreign table), its onupdate trigger's arguments
 * and its identity trigger's function.  Here: the foreign table's columns
 * and their defaults, which are the definition's (below).
 *
 * Inserts through the view: postgres_fdw sends every column of the foreign
 * table, NULL for one the INSERT does not give, so the remote table's own
 * defaults never apply.  A column's default is therefore the foreign
 * table's too (evaluated here, as the INSERT's other values are).  A
 * generated column is generated in the foreign table too, for which
 * postgres_fdw sends DEFAULT: so is an identity column GENERATED ALWAYS
 * (as NULL), which the remote table then numbers.  An identity column BY
 * DEFAULT or a serial column, whose sequence is in the other database,
 * gets its next value from a BEFORE INSERT trigger there that reads NULL
 * as "not given" (such a column is NOT NULL, so no NULL can have been
 * meant).
 */
#include "corm.h"

#include "access/amapi.h"
#include "access/reloptions.h"
#include "access/table.h"
#include "catalog/heap.h"
#include "catalog/index.h"
#include "catalog/namespace.h"
#include "catalog/pg_attribute.h"
#include "catalog/pg_class.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_index.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parse_coerce.h"
#include "parser/parse_collate.h"
#include "parser/parse_expr.h"
#include "parser/parse_node.h"
#include "parser/parse_relation.h"
#include "parser/parse_type.h"
#include "parser/parse_utilcmd.h"
#include "parser/parser.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/ruleutils.h"
#include "utils/syscache.h"

static Oid	local_table(const char *schema, const char *table);

/* a step that runs in the server's database */
static CormStep *
remote_step(CormResolved *res, CormStepKind kind, const char *object, char *sql)
{
	CormStep   *step = corm_make_step(kind, res, object, sql);

	step->server = res->server;
	step->bind = res->bind_key;
	return step;
}

static List *
query(CormResolved *res, const char *sql, const char *param)
{
	return corm_remote_query(res->server, res->bind_key, sql, param ? 1 : 0,
							 param ? (const char *const *) &param : NULL);
}

static bool
remote_relation_exists(CormResolved *res, const char *schema, const char *table)
{
	List	   *rows = query(res, "SELECT pg_catalog.to_regclass($1) IS NOT NULL",
							 corm_qualified(schema, table));

	return ((char *) linitial(linitial(rows)))[0] == 't';
}

static bool
remote_schema_exists(CormResolved *res)
{
	return query(res, "SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1",
				 res->schema) != NIL;
}

/* the remote table's columns: name, format_type, attnotnull, collation's name per row */
static List *
remote_columns(CormResolved *res)
{
	return query(res, "SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod),"
				 "       a.attnotnull::text,"
				 "       (SELECT c.collname FROM pg_catalog.pg_collation c WHERE c.oid = a.attcollation)"
				 "  FROM pg_catalog.pg_attribute a"
				 " WHERE a.attrelid = pg_catalog.to_regclass($1) AND a.attnum > 0"
				 "   AND NOT a.attisdropped ORDER BY a.attnum",
				 corm_qualified(res->schema, res->table));
}

static List *
find_row(List *rows, const char *name)
{
	ListCell   *lc;

	foreach(lc, rows)
		if (strcmp(linitial(lfirst(lc)), name) == 0)
		return lfirst(lc);
	return NIL;
}

static char *
column_type(CormColumn *col)
{
	return format_type_with_typemod(col->typid, col->is_serial ? -1 : col->typmod);
}

/* ALTER COLUMN ... TYPE with the column's COLLATE, as a fresh table has it */
static char *
retype_action(CormColumn *col, bool cast)
{
	const char *qcol = quote_identifier(col->name);
	char	   *collate = col->def->collClause
		? psprintf(" COLLATE %s", generate_collation_name(corm_column_collation(col))) : "";

	return cast ? psprintf("ALTER COLUMN %s TYPE %s%s USING %s::%s", qcol, column_type(col), collate,
						   qcol, column_type(col))
		: psprintf("ALTER COLUMN %s TYPE %s%s", qcol, column_type(col), collate);
}

static bool
sequence_generated(CormColumn *col)
{
	return col->identity || col->is_serial || corm_has_constraint(col->def, CONSTR_IDENTITY);
}

/* an identity column GENERATED ALWAYS: nobody gives it a value */
static bool
always_identity(CormColumn *col)
{
	ListCell   *lc;

	foreach(lc, col->def->constraints)
	{
		Constraint *con = lfirst(lc);

		if (con->contype == CONSTR_IDENTITY)
			return con->generated_when == ATTRIBUTE_IDENTITY_ALWAYS;
	}
	return false;
}

/*
 * A column of the foreign table: its type and collation, and its default
 * or generation expression, which apply here (see the top of the file); an
 * identity or serial column has neither (its trigger there numbers it).
 * postgres_fdw sends DEFAULT for a generated column of a foreign table, so
 * an identity column GENERATED ALWAYS is generated here too, as nothing
 * (NULL): an INSERT that gives it a value is refused here as it would be
 * there, and the remote table numbers it.
 */
static char *
foreign_column_sql(CormColumn *col)
{
	StringInfoData buf;
	char	   *dflt = corm_column_default(col);

	initStringInfo(&buf);
	appendStringInfo(&buf, "%s %s", quote_identifier(col->name), column_type(col));
	if (col->def->collClause)
		appendStringInfo(&buf, " COLLATE %s",
						 generate_collation_name(get_collation_oid(col->def->collClause->collname,
																   false)));
	if (always_identity(col))
		appendStringInfo(&buf, " GENERATED ALWAYS AS (NULL::%s) STORED", column_type(col));
	else if (dflt && !sequence_generated(col))
		appendStringInfo(&buf, corm_has_constraint(col->def, CONSTR_GENERATED) ? " %s" : " DEFAULT %s",
						 dflt);
	return buf.data;
}

static char *
foreign_table_sql(CormResolved *res)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	appendStringInfo(&buf, "CREATE FOREIGN TABLE %s (", corm_qualified(res->schema, res->table));
	foreach(lc, res->table_columns)
		appendStringInfo(&buf, "%s\n    %s", foreach_current_index(lc) ? "," : "",
						 foreign_column_sql(lfirst(lc)));
	appendStringInfo(&buf, "\n) SERVER %s OPTIONS (schema_name %s, table_name %s)",
					 quote_identifier(res->server), quote_literal_cstr(res->schema),
					 quote_literal_cstr(res->table));
	return buf.data;
}

/* the function that numbers the identity columns of a table there: <table>_identity */
static char *
identity_function_of(const char *schema, const char *table)
{
	return corm_qualified(schema, makeObjectName(table, NULL, "identity"));
}

static char *
identity_function(CormResolved *res)
{
	return identity_function_of(res->schema, res->table);
}

/*
 * The body of the function behind the BEFORE INSERT trigger there that
 * gives an identity (BY DEFAULT) or serial column its next value when
 * postgres_fdw sent NULL for it; NULL when the table has no such column.
 * It reads the table's name from the trigger, so that a renamed table
 * keeps it working.
 */
static char *
identity_body(CormResolved *res)
{
	StringInfoData body;
	ListCell   *lc;
	bool		any = false;

	initStringInfo(&body);
	appendStringInfoString(&body, "BEGIN\n");
	foreach(lc, res->table_columns)
	{
		CormColumn *col = lfirst(lc);
		const char *qcol = quote_identifier(col->name);

		if (!sequence_generated(col) || always_identity(col))
			continue;
		any = true;
		appendStringInfo(&body,
						 "    IF NEW.%s IS NULL THEN\n"
						 "        NEW.%s := pg_catalog.nextval(pg_catalog.pg_get_serial_sequence("
						 "pg_catalog.format('%%I.%%I', TG_TABLE_SCHEMA, TG_TABLE_NAME), %s));\n"
						 "    END IF;\n", qcol, qcol, quote_literal_cstr(col->name));
	}
	appendStringInfoString(&body, "    RETURN NEW;\nEND");
	return any ? body.data : NULL;
}

static CormStep *
identity_function_step(CormResolved *res, const char *body, bool replace)
{
	return remote_step(res, CORM_TRIGGER, NULL,
					   psprintf("CREATE %sFUNCTION %s() RETURNS trigger LANGUAGE plpgsql AS %s",
								replace ? "OR REPLACE " : "", identity_function(res),
								quote_literal_cstr(body)));
}

static CormStep *
identity_trigger_step(CormResolved *res)
{
	return remote_step(res, CORM_TRIGGER, NULL,
					   psprintf("CREATE TRIGGER corm_identity BEFORE INSERT ON %s\n"
								"    FOR EACH ROW EXECUTE FUNCTION %s()",
								corm_qualified(res->schema, res->table), identity_function(res)));
}

static List *
plan_identity_trigger(CormResolved *res)
{
	char	   *body = identity_body(res);

	if (body == NULL)
		return NIL;
	return list_make2(identity_function_step(res, body, false), identity_trigger_step(res));
}

/*
 * The identity trigger there brought to the plan: its function's body
 * compared with the planned one (a column renamed, one that became or
 * stopped being an identity column), the trigger made when missing.
 */
static List *
diff_identity_trigger(CormResolved *res)
{
	const char *params[2] = {psprintf("%s()", identity_function(res)),
	corm_qualified(res->schema, res->table)};
	List	   *rows = corm_remote_query(res->server, res->bind_key,
										 "SELECT p.prosrc, EXISTS (SELECT FROM pg_catalog.pg_trigger t"
										 "  WHERE t.tgrelid = pg_catalog.to_regclass($2)"
										 "    AND t.tgname = 'corm_identity')::text"
										 "  FROM (SELECT pg_catalog.to_regprocedure($1) AS f) x"
										 "  LEFT JOIN pg_catalog.pg_proc p ON p.oid = x.f",
										 2, params);
	char	   *existing = linitial(linitial(rows));
	bool		triggered = ((char *) lsecond(linitial(rows)))[0] == 't';
	char	   *body = identity_body(res);
	List	   *steps = NIL;

	if (body == NULL)
	{
		if (triggered)
			steps = lappend(steps, remote_step(res, CORM_TRIGGER, NULL,
											   psprintf("DROP TRIGGER corm_identity ON %s",
														corm_qualified(res->schema, res->table))));
		if (existing)
			steps = lappend(steps, remote_step(res, CORM_TRIGGER, NULL,
											   psprintf("DROP FUNCTION %s()", identity_function(res))));
		return steps;
	}
	if (existing == NULL || strcmp(existing, body) != 0)
		steps = lappend(steps, identity_function_step(res, body, existing != NULL));
	if (!triggered)
		steps = lappend(steps, identity_trigger_step(res));
	return steps;
}

/*
 * corm's onupdate trigger function there, for a model with onupdate
 * columns: the remote database needs corm installed.
 */
static void
require_remote_corm(CormResolved *res)
{
	if (query(res, "SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'corm'", NULL) != NIL)
		return;
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_OBJECT),
			 errmsg("extension \"corm\" is not installed in the database of server \"%s\"",
					res->server),
			 errdetail("Model \"%s\" has onupdate columns, whose trigger there is corm's.",
					   res->row->name),
			 errhint("Run CREATE EXTENSION corm in that database, or register the model without onupdate.")));
}

/* the onupdate trigger's arguments there, or NIL when it has none; *exists whether it is there */
static List *
remote_trigger_args(CormResolved *res, bool *exists)
{
	List	   *rows = query(res, "SELECT pg_catalog.encode(t.tgargs, 'hex') FROM pg_catalog.pg_trigger t"
							 " WHERE t.tgrelid = pg_catalog.to_regclass($1) AND t.tgname = 'corm_onupdate'",
							 corm_qualified(res->schema, res->table));
	List	   *args = NIL;
	StringInfoData arg;
	const char *hex;

	*exists = rows != NIL;
	if (rows == NIL)
		return NIL;
	hex = linitial(linitial(rows));
	initStringInfo(&arg);
	/* tgargs: each argument followed by a zero byte */
	for (const char *p = hex; p[0] && p[1]; p += 2)
	{
		char		byte = (char) strtol(pnstrdup(p, 2), NULL, 16);

		if (byte == '\0')
		{
			args = lappend(args, pstrdup(arg.data));
			resetStringInfo(&arg);
		}
		else
			appendStringInfoChar(&arg, byte);
	}
	return args;
}

static List *
diff_remote_trigger(CormResolved *res)
{
	List	   *planned = corm_onupdate_args(res->table_onupdate);
	bool		exists;
	List	   *existing = remote_trigger_args(res, &exists);
	List	   *steps = NIL;
	ListCell   *lc;

	if (corm_same_names(planned, existing) && exists == (planned != NIL))
		return NIL;
	if (planned)
		require_remote_corm(res);
	foreach(lc, corm_plan_trigger(res, planned, exists))
	{
		CormStep   *step = lfirst(lc);

		steps = lappend(steps, remote_step(res, step->kind, step->object, step->sql));
	}
	return steps;
}

/*
 * Every statement that makes a model's table there and the foreign table
 * here, as a plan (corm.ddl shows it): nothing is asked of the server.
 */
List *
corm_plan_remote_model(CormResolved *res, List **indexes)
{
	List	   *steps = NIL;
	ListCell   *lc;

	foreach(lc, corm_plan_model(res, indexes))
	{
		CormStep   *step = lfirst(lc);

		steps = lappend(steps, remote_step(res, step->kind, step->object, step->sql));
	}
	steps = list_concat(steps, plan_identity_trigger(res));
	steps = lappend(steps, corm_make_step(CORM_CREATE_SCHEMA, res, NULL,
										  psprintf("CREATE SCHEMA IF NOT EXISTS %s",
												   quote_identifier(res->schema))));
	steps = lappend(steps, corm_make_step(CORM_CREATE_TABLE, res, NULL, foreign_table_sql(res)));
	return steps;
}

/* the plan above, for a server that may have the schema already and must have corm for onupdate */
static List *
plan_create(CormResolved *res, List **indexes)
{
	List	   *steps = NIL;
	ListCell   *lc;

	if (res->table_onupdate)
		require_remote_corm(res);
	foreach(lc, corm_plan_remote_model(res, indexes))
	{
		CormStep   *step = lfirst(lc);

		if (step->kind == CORM_CREATE_SCHEMA && step->server && remote_schema_exists(res))
			continue;
		steps = lappend(steps, step);
	}
	return steps;
}

static CormStep *
alter_remote(CormResolved *res, CormStepKind kind, CormColumn *col, const char *action)
{
	return remote_step(res, kind, col ? col->name : NULL,
					   psprintf("ALTER TABLE %s %s", corm_qualified(res->schema, res->table), action));
}

static CormStep *
alter_foreign(CormResolved *res, CormStepKind kind, const char *action)
{
	return corm_make_step(kind, res, NULL,
						  psprintf("ALTER FOREIGN TABLE %s %s",
								   corm_qualified(res->schema, res->table), action));
}

/*
 * The remote table's columns brought to the plan: a column added, retyped
 * (with a cast of its rows), made NOT NULL or nullable; one that left the
 * definition dropped only with drop_columns.
 */
static List *
diff_remote_columns(CormResolved *res, bool drop_columns, bool *rebuild, List **new_columns)
{
	List	   *existing = remote_columns(res);
	List	   *steps = NIL;
	ListCell   *lc;

	foreach(lc, res->table_columns)
	{
		CormColumn *col = lfirst(lc);
		List	   *row = find_row(existing, col->name);
		const char *qcol = quote_identifier(col->name);
		bool		not_null = corm_column_not_null(col);

		if (row == NIL)
		{
			CormStep   *add = corm_plan_add_column(res, col);

			steps = lappend(steps, remote_step(res, add->kind, add->object, add->sql));
			*new_columns = lappend(*new_columns, col->name);
			continue;
		}
		if (strcmp(lsecond(row), column_type(col)) != 0 ||
			(OidIsValid(corm_column_collation(col)) && lfourth(row) &&
			 strcmp(lfourth(row), get_collation_name(corm_column_collation(col))) != 0))
		{
			steps = lappend(steps, alter_remote(res, CORM_ALTER_COLUMN, col, retype_action(col, true)));
			*rebuild = true;
		}
		if ((((char *) lthird(row))[0] == 't') != not_null)
			steps = lappend(steps, alter_remote(res, CORM_ALTER_COLUMN, col,
												psprintf("ALTER COLUMN %s %s NOT NULL", qcol,
														 not_null ? "SET" : "DROP")));
	}
	foreach(lc, existing)
	{
		char	   *name = linitial(lfirst(lc));

		if (corm_find_column(res->table_columns, name))
			continue;
		if (!drop_columns)
			ereport(ERROR,
					(errcode(ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST),
					 errmsg("column \"%s\" of table %s on server \"%s\" is not in the new definition of model \"%s\"",
							name, corm_qualified(res->schema, res->table), res->server,
							res->row->name),
					 errdetail("corm never drops a column, and its rows, unless told to."),
					 errhint("Keep the column in the definition, or pass drop_columns => true to drop it.")));
		steps = lappend(steps, alter_remote(res, CORM_DROP_COLUMN, NULL,
											psprintf("DROP COLUMN %s", quote_identifier(name))));
		*rebuild = true;
	}
	return steps;
}

/* a constraint as ALTER TABLE ... ADD takes it, read by the server's parser */
static Constraint *
parse_constraint(const char *text)
{
	char	   *sql = psprintf("ALTER TABLE corm_compared ADD %s", text);
	RawStmt    *raw = linitial_node(RawStmt, raw_parser(sql, RAW_PARSE_DEFAULT));
	AlterTableStmt *stmt = castNode(AlterTableStmt, raw->stmt);
	AlterTableCmd *cmd = linitial_node(AlterTableCmd, stmt->cmds);

	return castNode(Constraint, cmd->def);
}

/* two lists of a parse tree's String nodes name the same, in order */
static bool
same_nodes(List *a, List *b)
{
	return corm_same_names(corm_string_names(a), corm_string_names(b));
}

/* a CHECK expression as the foreign table's columns give it meaning, constants folded */
static Node *
cooked_check(Relation rel, Node *raw)
{
	ParseState *pstate = make_parsestate(NULL);
	ParseNamespaceItem *nsitem = addRangeTableEntryForRelation(pstate, rel, AccessShareLock,
															   NULL, false, true);
	Node	   *expr;

	addNSItemToQuery(pstate, nsitem, true, true, true);
	expr = transformExpr(pstate, copyObject(raw), EXPR_KIND_CHECK_CONSTRAINT);
	expr = coerce_to_boolean(pstate, expr, "CHECK");
	assign_expr_collations(pstate, expr);
	free_parsestate(pstate);
	return eval_const_expressions(NULL, expr);
}

/*
 * A planned constraint and one the remote table has (as pg_get_constraintdef
 * gives it there) are the same: kind, deferral, a name the definition
 * gives, and every clause — a key's columns, INCLUDE and NULLS NOT
 * DISTINCT; a foreign key's columns, target table, target columns (when
 * the definition names them), actions and match type; a CHECK's
 * expression, cooked here over the foreign table's columns (the same names
 * and types) with constants folded, so that the remote's explicit casts
 * count as the implicit ones they stand for.
 */
static bool
same_remote_constraint(Relation rel, Constraint *p, Constraint *e)
{
	if (p->contype != e->contype || p->deferrable != e->deferrable ||
		p->initdeferred != e->initdeferred ||
		(p->conname && strcmp(p->conname, e->conname) != 0))
		return false;
	switch (p->contype)
	{
		case CONSTR_PRIMARY:
		case CONSTR_UNIQUE:
			return same_nodes(p->keys, e->keys) && same_nodes(p->including, e->including) &&
				p->nulls_not_distinct == e->nulls_not_distinct;
		case CONSTR_FOREIGN:
			return same_nodes(p->fk_attrs, e->fk_attrs) &&
				(p->pk_attrs == NIL || same_nodes(p->pk_attrs, e->pk_attrs)) &&
				strcmp(p->pktable->relname, e->pktable->relname) == 0 &&
				p->fk_upd_action == e->fk_upd_action && p->fk_del_action == e->fk_del_action &&
				p->fk_matchtype == e->fk_matchtype;
		case CONSTR_CHECK:
			return p->is_no_inherit == e->is_no_inherit &&
				(rel == NULL || equal(cooked_check(rel, p->raw_expr), cooked_check(rel, e->raw_expr)));
		default:
			/* an exclusion constraint: its access method and number of elements */
			return strcmp(p->access_method ? p->access_method : "gist",
						  e->access_method ? e->access_method : "gist") == 0 &&
				list_length(p->exclusions) == list_length(e->exclusions);
	}
}

/*
 * The name PostgreSQL gives an unnamed constraint in a fresh build of the
 * table: <table>_<columns>_<label>, numbered after the first that takes it
 * (a CHECK names its column when it reads exactly one).
 */
static char *
fresh_constraint_name(const char *table, Constraint *con, List **taken)
{
	const char *label;
	char	   *columns = NULL;
	char	   *name;

	switch (con->contype)
	{
		case CONSTR_PRIMARY:
			label = "pkey";
			break;
		case CONSTR_UNIQUE:
			label = "key";
			columns = corm_joined_names(list_concat(corm_string_names(con->keys), corm_string_names(con->including)));
			break;
		case CONSTR_FOREIGN:
			label = "fkey";
			columns = corm_joined_names(corm_string_names(con->fk_attrs));
			break;
		case CONSTR_CHECK:
			{
				List	   *reads = NIL;
				ListCell   *lc;
				bool		one;

				corm_column_refs(con->raw_expr, &reads);
				one = reads != NIL;
				foreach(lc, reads)
					one = one && strcmp(lfirst(lc), linitial(reads)) == 0;
				label = "check";
				if (one)
					columns = linitial(reads);
			}
			break;
		default:
			{
				List	   *elems = NIL;
				ListCell   *lc;

				foreach(lc, con->exclusions)
				{
					IndexElem  *ie = linitial(lfirst(lc));

					if (ie->name)
						elems = lappend(elems, ie->name);
				}
				label = "excl";
				columns = corm_joined_names(elems);
			}
			break;
	}
	if (columns && *columns == '\0')
		columns = NULL;
	name = makeObjectName(table, columns, label);
	for (int pass = 1; corm_name_in(*taken, name); pass++)
		name = makeObjectName(table, columns, psprintf("%s%d", label, pass));
	*taken = lappend(*taken, name);
	return name;
}

/*
 * The remote table's constraints brought to the plan: *drops those no
 * definition plans (to run before the columns change), *adds those it
 * lacks.  A column's own constraint on a column being added comes with
 * the column; a CHECK over a new column is added without comparing.
 */
static void
diff_remote_constraints(CormResolved *res, List *new_columns, List **drops, List **adds)
{
	const char *table = corm_qualified(res->schema, res->table);
	List	   *rows = query(res, "SELECT c.conname, pg_catalog.pg_get_constraintdef(c.oid)"
							 "  FROM pg_catalog.pg_constraint c"
							 " WHERE c.conrelid = pg_catalog.to_regclass($1)"
							 "   AND c.contype IN ('p', 'u', 'f', 'c', 'x') ORDER BY c.conname",
							 table);
	Oid			relid = local_table(res->schema, res->table);
	Relation	rel = OidIsValid(relid) ? table_open(relid, AccessShareLock) : NULL;
	List	   *existing = NIL;
	List	   *existing_names = NIL;
	bool	   *matched = palloc0(sizeof(bool) * (list_length(rows) + 1));
	List	   *planned_list = corm_plan_constraints(res);
	List	   *parsed = NIL;
	List	   *expected = NIL;
	List	   *taken = NIL;
	ListCell   *lc;

	foreach(lc, rows)
	{
		existing = lappend(existing,
						   parse_constraint(psprintf("CONSTRAINT %s %s",
													 quote_identifier(linitial(lfirst(lc))),
													 (char *) lsecond(lfirst(lc)))));
		existing_names = lappend(existing_names, linitial(lfirst(lc)));
	}
	/* the names of a fresh build: the given ones, then the generated in order */
	foreach(lc, planned_list)
	{
		Constraint *p = parse_constraint(((CormPlannedConstraint *) lfirst(lc))->sql);

		parsed = lappend(parsed, p);
		if (p->conname)
			taken = lappend(taken, p->conname);
	}
	foreach(lc, parsed)
	{
		Constraint *p = lfirst(lc);

		expected = lappend(expected, p->conname ? p->conname :
						   fresh_constraint_name(res->table, p, &taken));
	}
	foreach(lc, planned_list)
	{
		CormPlannedConstraint *planned = lfirst(lc);
		char	   *name = list_nth(expected, foreach_current_index(lc));
		Constraint *p;
		List	   *reads = NIL;
		bool		over_new = false;
		bool		found = false;
		ListCell   *ec;

		if (planned->column && corm_name_in(new_columns, planned->column))
			continue;
		p = list_nth(parsed, foreach_current_index(lc));
		if (p->contype == CONSTR_CHECK)
			corm_column_refs(p->raw_expr, &reads);
		foreach(ec, reads)
			over_new = over_new || corm_name_in(new_columns, lfirst(ec));
		foreach(ec, existing)
		{
			if (over_new || matched[foreach_current_index(ec)] ||
				!same_remote_constraint(rel, p, lfirst(ec)))
				continue;
			matched[foreach_current_index(ec)] = found = true;
			/*
			 * under the name a fresh build gives it (a table or column
			 * renamed since), when no other constraint there has that name
			 */
			if (strcmp(name, ((Constraint *) lfirst(ec))->conname) != 0 &&
				!corm_name_in(existing_names, name))
				*adds = lappend(*adds, remote_step(res, CORM_ALTER_COLUMN, NULL,
												   psprintf("ALTER TABLE %s RENAME CONSTRAINT %s TO %s",
															table,
															quote_identifier(((Constraint *) lfirst(ec))->conname),
															quote_identifier(name))));
			break;
		}
		if (!found)
			*adds = lappend(*adds, remote_step(res, CORM_ADD_CONSTRAINT, NULL,
											   psprintf("ALTER TABLE %s ADD %s", table, planned->sql)));
	}
	foreach(lc, existing)
		if (!matched[foreach_current_index(lc)])
			*drops = lappend(*drops, remote_step(res, CORM_DROP_CONSTRAINT, NULL,
												 psprintf("ALTER TABLE %s DROP CONSTRAINT %s", table,
														  quote_identifier(((Constraint *) lfirst(lc))->conname))));
	if (rel)
		table_close(rel, AccessShareLock);
}

/* the raw expression of a column's constraint of this type, or NULL */
static Node *
constraint_raw(ColumnDef *def, ConstrType type)
{
	ListCell   *lc;

	foreach(lc, def->constraints)
	{
		Constraint *con = lfirst(lc);

		if (con->contype == type)
			return con->raw_expr;
	}
	return NULL;
}

/*
 * Whether the foreign table's default of a column is the planned one, both
 * cooked (the foreign table carries the definition's defaults, see the top
 * of the file): what a migration of a default compares.
 */
static bool
same_default(Relation rel, CormColumn *col, Form_pg_attribute attr)
{
	Node	   *raw = constraint_raw(col->def, CONSTR_DEFAULT);
	TupleConstr *constr = RelationGetDescr(rel)->constr;
	Node	   *existing = NULL;
	ParseState *pstate;
	CormTextContext ctx;
	Node	   *cooked;

	for (int i = 0; constr && i < constr->num_defval; i++)
		if (constr->defval[i].adnum == attr->attnum)
			existing = stringToNode(constr->defval[i].adbin);
	if (raw == NULL || existing == NULL)
		return raw == NULL && existing == NULL;
	pstate = make_parsestate(NULL);
	pstate->p_sourcetext = col->elem->list->sql;
	corm_push_text_context(&ctx, col->elem->list->text, col->elem->list->prefix_chars,
						   col->elem->list->what);
	cooked = cookDefault(pstate, copyObject(raw), col->typid, col->typmod, col->name, '\0');
	corm_pop_text_context(&ctx);
	free_parsestate(pstate);
	return equal(cooked, existing);
}

/* a new default, or none: set there and here alike */
static List *
plan_default(CormResolved *res, CormColumn *col)
{
	char	   *dflt = corm_column_default(col);
	char	   *action = dflt ? psprintf("ALTER COLUMN %s SET DEFAULT %s", quote_identifier(col->name), dflt)
		: psprintf("ALTER COLUMN %s DROP DEFAULT", quote_identifier(col->name));

	return list_make2(alter_remote(res, CORM_ALTER_COLUMN, col, action),
					  alter_foreign(res, CORM_ALTER_COLUMN, action));
}

/* the foreign table's columns brought to the plan, compared with this database's catalog */
static List *
diff_foreign_columns(CormResolved *res, Oid relid, bool *rebuild)
{
	Relation	rel = table_open(relid, AccessShareLock);
	TupleDesc	desc = RelationGetDescr(rel);
	List	   *steps = NIL;
	ListCell   *lc;

	foreach(lc, res->table_columns)
	{
		CormColumn *col = lfirst(lc);
		Form_pg_attribute attr = NULL;

		for (int i = 0; i < desc->natts; i++)
			if (!TupleDescAttr(desc, i)->attisdropped &&
				strcmp(NameStr(TupleDescAttr(desc, i)->attname), col->name) == 0)
				attr = TupleDescAttr(desc, i);
		if (attr == NULL)
			steps = lappend(steps, alter_foreign(res, CORM_ADD_COLUMN,
												 psprintf("ADD COLUMN %s", foreign_column_sql(col))));
		else if (attr->atttypid != col->typid || (!col->is_serial && attr->atttypmod != col->typmod) ||
				 (OidIsValid(corm_column_collation(col)) && attr->attcollation != corm_column_collation(col)))
		{
			steps = lappend(steps, alter_foreign(res, CORM_ALTER_COLUMN, retype_action(col, false)));
			*rebuild = true;
		}
		if (attr && !sequence_generated(col) && !corm_has_constraint(col->def, CONSTR_GENERATED) &&
			!same_default(rel, col, attr))
			steps = list_concat(steps, plan_default(res, col));
	}
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute attr = TupleDescAttr(desc, i);

		if (attr->attisdropped || corm_find_column(res->table_columns, NameStr(attr->attname)))
			continue;
		steps = lappend(steps, alter_foreign(res, CORM_DROP_COLUMN,
											 psprintf("DROP COLUMN %s",
													  quote_identifier(NameStr(attr->attname)))));
		*rebuild = true;
	}
	table_close(rel, AccessShareLock);
	return steps;
}

/*
 * The declared indexes of the remote table, compared by meaning.
 *
 * What is there is read as pg_get_indexdef gives it, over corm's
 * connection (so that its names are written as the statements corm sends
 * there resolve them), and read back by the server's parser here.  Each
 * side is then cooked as DefineIndex would cook it, over the foreign table
 * (whose columns are the model's, with their types and collations): the
 * access method, uniqueness and NULLS NOT DISTINCT; each key column or
 * expression (a column in parentheses being the column, a top-level
 * COLLATE being the key's collation) with its collation, operator class
 * and its options, order and nulls order (DESC meaning NULLS FIRST, and
 * neither counting for an access method that does not order); the INCLUDE
 * columns; the storage options; the predicate.  Expressions are compared
 * with their constants folded, so that the remote's explicit casts count
 * as the implicit ones they stand for (as for a CHECK, above).  The name
 * and the table are not compared: the index is the one under the name.
 */

/* the columns a raw index statement reads: keys, INCLUDE and predicate */
static List *
index_reads(IndexStmt *stmt)
{
	List	   *names = NIL;
	ListCell   *lc;

	foreach(lc, list_concat_copy(stmt->indexParams, stmt->indexIncludingParams))
	{
		IndexElem  *elem = lfirst_node(IndexElem, lc);

		if (elem->name)
			names = lappend(names, elem->name);
		else
			corm_column_refs(elem->expr, &names);
	}
	corm_column_refs(stmt->whereClause, &names);
	return names;
}

/* every one of the columns is one the foreign table has */
static bool
reads_present_columns(Relation rel, List *columns)
{
	ListCell   *lc;

	foreach(lc, columns)
		if (get_attnum(RelationGetRelid(rel), lfirst(lc)) <= 0)
			return false;
	return true;
}

static const char *
access_method(IndexStmt *stmt)
{
	return stmt->accessMethod ? stmt->accessMethod : DEFAULT_INDEX_TYPE;
}

/*
 * Two index statements cooked over rel (transformIndexStmt) make the same
 * index; *comparable is set false when an operator class is not here.
 */
static bool
same_cooked_index(Relation rel, IndexStmt *a, IndexStmt *b, bool *comparable)
{
	Oid			amoid = get_index_am_oid(access_method(a), false);
	bool		amcanorder = GetIndexAmRoutineByAmId(amoid, false)->amcanorder;
	ListCell   *la;
	ListCell   *lb;

	if (strcmp(access_method(a), access_method(b)) != 0 || a->unique != b->unique ||
		a->nulls_not_distinct != b->nulls_not_distinct ||
		list_length(a->indexParams) != list_length(b->indexParams) ||
		list_length(a->indexIncludingParams) != list_length(b->indexIncludingParams))
		return false;
	forboth(la, a->indexParams, lb, b->indexParams)
	{
		CormIndexKey ka = corm_index_key(rel, lfirst(la), amoid, amcanorder);
		CormIndexKey kb = corm_index_key(rel, lfirst(lb), amoid, amcanorder);

		if (ka.missing || kb.missing || !OidIsValid(ka.opclass) || !OidIsValid(kb.opclass))
		{
			*comparable = false;
			return false;
		}
		if (ka.attnum != kb.attnum || !equal(ka.expr, kb.expr) || ka.collation != kb.collation ||
			ka.opclass != kb.opclass || ka.option != kb.option ||
			!corm_same_names(ka.opclass_options, kb.opclass_options))
			return false;
	}
	forboth(la, a->indexIncludingParams, lb, b->indexIncludingParams)
	{
		IndexElem  *ea = lfirst_node(IndexElem, la);
		IndexElem  *eb = lfirst_node(IndexElem, lb);

		if (ea->name == NULL || eb->name == NULL || strcmp(ea->name, eb->name) != 0)
			return false;
	}
	return equal(corm_index_predicate(a->whereClause), corm_index_predicate(b->whereClause)) &&
		corm_same_names(corm_option_texts(a->options), corm_option_texts(b->options));
}

/*
 * Whether a raw expression names something this database does not have: a
 * function by that name taking that many arguments, an operator by that
 * name, a type, a collation (a walker: true stops it).  What is here by
 * name but not for these types (a function of the same name and another
 * signature here) is the parser's error when the index is cooked.
 */
static bool
missing_here(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, FuncCall))
	{
		FuncCall   *call = (FuncCall *) node;
		int			nargs = list_length(call->args);
		ListCell   *lc;

		/* one that takes as many arguments (named ones aside) */
		foreach(lc, call->args)
			if (IsA(lfirst(lc), NamedArgExpr))
				nargs = -1;
		if (FuncnameGetCandidates(call->funcname, nargs, NIL, true, true, false, true) == NULL)
			return true;
	}
	else if (IsA(node, A_Expr))
	{
		A_Expr	   *e = (A_Expr *) node;

		if ((e->kind == AEXPR_OP || e->kind == AEXPR_OP_ANY || e->kind == AEXPR_OP_ALL) &&
			OpernameGetCandidates(e->name, '\0', true) == NULL)
			return true;
	}
	else if (IsA(node, TypeName))
	{
		Type		type = LookupTypeName(NULL, (TypeName *) node, NULL, true);

		if (type == NULL)
			return true;
		ReleaseSysCache(type);
	}
	else if (IsA(node, CollateClause))
	{
		if (!OidIsValid(get_collation_oid(((CollateClause *) node)->collname, true)))
			return true;
	}
	return raw_expression_tree_walker(node, missing_here, context);
}

/* every name of an index statement is here: access method, operator classes, collations, expressions' */
static bool
names_here(IndexStmt *stmt)
{
	Oid			amoid = get_index_am_oid(access_method(stmt), true);
	ListCell   *lc;

	if (!OidIsValid(amoid))
		return false;
	foreach(lc, stmt->indexParams)
	{
		IndexElem  *elem = lfirst_node(IndexElem, lc);

		if ((elem->collation && !OidIsValid(get_collation_oid(elem->collation, true))) ||
			(elem->opclass && !OidIsValid(get_opclass_oid(amoid, elem->opclass, true))) ||
			missing_here(elem->expr, NULL))
			return false;
	}
	return !missing_here(stmt->whereClause, NULL);
}

/*
 * A name of a raw tree with its schema taken off: a function, type,
 * operator, operator class or collation written as pg_get_indexdef writes
 * it there, qualified or not by that connection's search_path.
 */
static List *
unqualified(List *names)
{
	return names ? list_make1(llast(names)) : NIL;
}

static bool
unqualify_names(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, FuncCall))
		((FuncCall *) node)->funcname = unqualified(((FuncCall *) node)->funcname);
	else if (IsA(node, TypeName))
		((TypeName *) node)->names = unqualified(((TypeName *) node)->names);
	else if (IsA(node, A_Expr) && ((A_Expr *) node)->kind == AEXPR_OP)
		((A_Expr *) node)->name = unqualified(((A_Expr *) node)->name);
	else if (IsA(node, CollateClause))
		((CollateClause *) node)->collname = unqualified(((CollateClause *) node)->collname);
	return raw_expression_tree_walker(node, unqualify_names, context);
}

/*
 * An index statement as the parser read it, in one form for what is left
 * implicit (ASC, NULLS LAST after ASC and NULLS FIRST after DESC), without
 * its name and table, and with the names it uses unqualified.
 */
static IndexStmt *
raw_index_form(IndexStmt *stmt)
{
	IndexStmt  *form = copyObject(stmt);
	ListCell   *lc;

	form->idxname = NULL;
	form->relation = NULL;
	form->accessMethod = (char *) access_method(form);
	foreach(lc, list_concat_copy(form->indexParams, form->indexIncludingParams))
	{
		IndexElem  *elem = lfirst_node(IndexElem, lc);

		elem->indexcolname = NULL;
		if (elem->ordering == SORTBY_DEFAULT)
			elem->ordering = SORTBY_ASC;
		if (elem->nulls_ordering == SORTBY_NULLS_DEFAULT)
			elem->nulls_ordering = elem->ordering == SORTBY_DESC ? SORTBY_NULLS_FIRST : SORTBY_NULLS_LAST;
		elem->opclass = unqualified(elem->opclass);
		elem->collation = unqualified(elem->collation);
		unqualify_names(elem->expr, NULL);
	}
	unqualify_names(form->whereClause, NULL);
	return form;
}

/* a CREATE INDEX statement that pg_get_indexdef gave, as the parser reads it */
static IndexStmt *
parse_index_definition(const char *sql)
{
	List	   *parsetree = raw_parser(sql, RAW_PARSE_DEFAULT);

	if (list_length(parsetree) != 1 || !IsA(linitial_node(RawStmt, parsetree)->stmt, IndexStmt))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("the definition of a remote index is not one CREATE INDEX statement"),
				 errdetail("pg_get_indexdef() gave: %s", sql),
				 errhint("The bind's server must be a PostgreSQL server.")));
	return (IndexStmt *) linitial_node(RawStmt, parsetree)->stmt;
}

/*
 * Whether the index there under a planned index's name (its definition as
 * pg_get_indexdef gives it) is the planned one.  One that reads a column
 * this migration adds, or one the foreign table does not have, is not: it
 * is made again (after the column).  Both are cooked over the foreign
 * table when all they name is here too.  An index that names what only
 * the database there has (a function or operator class of an extension
 * installed there), or a table whose foreign table is not here (dropped,
 * made again by this migration), is compared as the parser reads the two
 * texts, in one form (raw_index_form): written as pg_get_indexdef writes
 * it there, it is the same.
 */
static bool
same_remote_index(CormResolved *res, Relation rel, CormPlannedIndex *p, const char *definition,
				  List *new_columns)
{
	char	   *what = psprintf("index %s of table %s on server \"%s\"", quote_identifier(p->name),
								corm_qualified(res->schema, res->table), res->server);
	IndexStmt  *there;
	IndexStmt  *planned;
	CormTextContext ctx;
	ListCell   *lc;
	bool		comparable = true;
	bool		same;

	corm_push_text_context(&ctx, definition, 0, what);
	there = parse_index_definition(definition);
	corm_pop_text_context(&ctx);
	foreach(lc, index_reads(p->stmt))
		if (corm_name_in(new_columns, lfirst(lc)))
			return false;
	if (rel && (!reads_present_columns(rel, index_reads(p->stmt)) ||
				!reads_present_columns(rel, index_reads(there))))
		return false;
	if (rel == NULL || !names_here(p->stmt) || !names_here(there))
		return equal(raw_index_form(p->stmt), raw_index_form(there));
	corm_push_text_context(&ctx, p->index->def->text, p->index->def->prefix_chars,
						   p->index->def->what);
	planned = transformIndexStmt(RelationGetRelid(rel), copyObject(p->stmt), p->index->def->sql);
	corm_pop_text_context(&ctx);
	corm_push_text_context(&ctx, definition, 0, what);
	same = same_cooked_index(rel, planned,
							 transformIndexStmt(RelationGetRelid(rel), copyObject(there), definition),
							 &comparable);
	corm_pop_text_context(&ctx);
	return comparable ? same : equal(raw_index_form(p->stmt), raw_index_form(there));
}

/*
 * The remote table's declared indexes brought to the plan, by name: one
 * planned and missing there is made; one there under a planned name that
 * is not the planned index (above) is made again, dropped first; one
 * there that corm made and no model plans any more is dropped; one made
 * by hand is reported (check()) and stays.  The drops go to *drops, to
 * run before the columns change (a column dropped takes its indexes
 * with it); the statements returned make indexes.
 */
static List *
diff_remote_indexes(CormResolved *res, List *planned, List *new_columns, List **drops)
{
	List	   *existing = query(res, "SELECT c.relname, pg_catalog.pg_get_indexdef(i.indexrelid)"
								 "  FROM pg_catalog.pg_index i"
								 "  JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid"
								 " WHERE i.indrelid = pg_catalog.to_regclass($1)"
								 "   AND NOT EXISTS (SELECT FROM pg_catalog.pg_constraint k"
								 "                    WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid)",
								 corm_qualified(res->schema, res->table));
	Oid			relid = local_table(res->schema, res->table);
	Relation	rel = OidIsValid(relid) ? table_open(relid, AccessShareLock) : NULL;
	List	   *steps = NIL;
	ListCell   *lc;

	foreach(lc, planned)
	{
		CormPlannedIndex *p = lfirst(lc);
		List	   *there = find_row(existing, p->name);

		if (there != NIL && same_remote_index(res, rel, p, lsecond(there), new_columns))
			continue;
		if (there != NIL)
			*drops = lappend(*drops, remote_step(res, CORM_DROP_INDEX, p->name,
												 psprintf("DROP INDEX %s",
														  corm_qualified(res->schema, p->name))));
		steps = lappend(steps, remote_step(res, CORM_CREATE_INDEX, p->name, p->sql));
	}
	if (rel)
		table_close(rel, AccessShareLock);
	foreach(lc, existing)
	{
		char	   *name = linitial(lfirst(lc));
		bool		wanted = false;
		ListCell   *pc;

		foreach(pc, planned)
			if (strcmp(((CormPlannedIndex *) lfirst(pc))->name, name) == 0)
			wanted = true;
		if (wanted)
			continue;
		if (corm_name_in(res->row->table_indexes, name))
			*drops = lappend(*drops, remote_step(res, CORM_DROP_INDEX, name,
												 psprintf("DROP INDEX %s", corm_qualified(res->schema, name))));
		else
			corm_report(psprintf("index %s of table %s on server \"%s\" is not declared by any model",
								 quote_identifier(name), corm_qualified(res->schema, res->table),
								 res->server));
	}
	return steps;
}

static Oid
local_table(const char *schema, const char *table)
{
	Oid			nsp = get_namespace_oid(schema, true);

	return OidIsValid(nsp) ? get_relname_relid(table, nsp) : InvalidOid;
}

/*
 * The indexes corm made on a table being renamed there, under the names
 * the new table name gives them (ALTER INDEX ... RENAME, no rebuild): the
 * recorded names and the planned ones correspond in order when the
 * declarations did not change, and each pair must agree on uniqueness and
 * columns besides.  Any other index is left to the comparison after the
 * move, which makes what is missing and drops what is no longer declared.
 */
static List *
rename_indexes(CormResolved *res)
{
	CormModelRow *row = res->row;
	List	   *planned = corm_plan_indexes(res, list_make1(res));
	List	   *existing;
	List	   *steps = NIL;
	ListCell   *lc;

	if (list_length(planned) != list_length(row->table_indexes))
		return NIL;
	existing = query(res, "SELECT c.relname, i.indisunique::text,"
					 "       pg_catalog.array_to_string(ARRAY(SELECT a.attname FROM pg_catalog.pg_attribute a"
					 "                                         WHERE a.attrelid = i.indexrelid ORDER BY a.attnum), ',')"
					 "  FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid"
					 " WHERE i.indrelid = pg_catalog.to_regclass($1)",
					 corm_qualified(row->table_schema, row->table_name));
	foreach(lc, planned)
	{
		CormPlannedIndex *p = lfirst(lc);
		char	   *old = list_nth(row->table_indexes, foreach_current_index(lc));
		List	   *there = find_row(existing, old);
		StringInfoData columns;
		ListCell   *cc;

		if (there == NIL || strcmp(old, p->name) == 0 ||
			(((char *) lsecond(there))[0] == 't') != p->index->def->unique)
			continue;
		initStringInfo(&columns);
		foreach(cc, p->index->def->key_columns)
			appendStringInfo(&columns, "%s%s", foreach_current_index(cc) ? "," : "",
							 (char *) lfirst(cc));
		if (p->index->def->key_columns == NIL || strcmp(columns.data, lthird(there)) != 0)
			continue;
		steps = lappend(steps, remote_step(res, CORM_ALTER_COLUMN, NULL,
										   psprintf("ALTER INDEX %s RENAME TO %s",
													corm_qualified(row->table_schema, old),
													quote_identifier(p->name))));
	}
	return steps;
}

/*
 * The names a renamed table's constraints and identity sequences get in a
 * fresh build: <table>_..._pkey, <table>_<column>_seq.  A constraint whose
 * name starts with the old table's name (and that the definition does not
 * name) gets the new one in front; a sequence named <table>_<column>_seq
 * is renamed after the new table.  Run there after the table's rename.
 */
static List *
rename_generated_names(CormResolved *res)
{
	CormModelRow *row = res->row;
	const char *table = corm_qualified(row->table_schema, res->table);
	const char *old = corm_qualified(row->table_schema, row->table_name);
	char	   *prefix = psprintf("%s_", row->table_name);
	List	   *given = NIL;
	List	   *steps = NIL;
	ListCell   *lc;

	foreach(lc, corm_plan_constraints(res))
	{
		Constraint *con = parse_constraint(((CormPlannedConstraint *) lfirst(lc))->sql);

		if (con->conname)
			given = lappend(given, con->conname);
	}
	foreach(lc, query(res, "SELECT c.conname FROM pg_catalog.pg_constraint c"
					  " WHERE c.conrelid = pg_catalog.to_regclass($1) ORDER BY 1", old))
	{
		char	   *name = linitial(lfirst(lc));
		char	   *renamed;

		if (strncmp(name, prefix, strlen(prefix)) != 0 || corm_name_in(given, name))
			continue;
		renamed = psprintf("%s_%s", res->table, name + strlen(prefix));
		if (strlen(renamed) >= NAMEDATALEN)
			continue;
		steps = lappend(steps, remote_step(res, CORM_ALTER_COLUMN, NULL,
										   psprintf("ALTER TABLE %s RENAME CONSTRAINT %s TO %s", table,
													quote_identifier(name), quote_identifier(renamed))));
	}
	foreach(lc, query(res, "SELECT a.attname, s.relname FROM pg_catalog.pg_attribute a"
					  "  JOIN pg_catalog.pg_class s"
					  "    ON s.oid = pg_catalog.pg_get_serial_sequence($1, a.attname)::pg_catalog.regclass"
					  " WHERE a.attrelid = pg_catalog.to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped"
					  "   AND pg_catalog.pg_get_serial_sequence($1, a.attname) IS NOT NULL", old))
	{
		char	   *column = linitial(lfirst(lc));
		char	   *seq = lsecond(lfirst(lc));

		if (strcmp(seq, makeObjectName(row->table_name, column, "seq")) != 0)
			continue;
		steps = lappend(steps, remote_step(res, CORM_ALTER_COLUMN, NULL,
										   psprintf("ALTER SEQUENCE %s RENAME TO %s",
													corm_qualified(row->table_schema, seq),
													quote_identifier(makeObjectName(res->table, column, "seq")))));
	}
	return steps;
}

/*
 * A model's table under a new name or in a new schema, on both sides: the
 * remote table renamed or moved (rows, indexes and triggers stay with it),
 * the foreign table here too, with its options naming the new place.
 */
static void
move_tables(CormResolved *res)
{
	CormModelRow *row = res->row;
	List	   *steps = NIL;
	const char *old = corm_qualified(row->table_schema, row->table_name);
	const char *renamed = corm_qualified(row->table_schema, res->table);
	bool		numbered;

	bool		moved_there = false;

	if (remote_relation_exists(res, res->schema, res->table))
	{
		/*
		 * Moved there already, and not here: a local commit that failed
		 * after the remote one (the window that is not atomic).  The
		 * foreign table follows it.
		 */
		moved_there = !remote_relation_exists(res, row->table_schema, row->table_name);
		if (!moved_there)
			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_TABLE),
					 errmsg("relation %s already exists in the database of server \"%s\"",
							corm_qualified(res->schema, res->table), res->server),
					 errdetail("Model \"%s\" would move its table %s there.", row->name, old),
					 errhint("Give model \"%s\" another tablename.", row->name)));
		ereport(NOTICE,
				(errmsg("table %s of model \"%s\" is %s on server \"%s\" already",
						old, row->name, corm_qualified(res->schema, res->table), res->server)));
	}
	numbered = query(res, "SELECT 1 WHERE pg_catalog.to_regprocedure($1) IS NOT NULL",
					 psprintf("%s()", identity_function_of(row->table_schema, row->table_name))) != NIL;
	if (strcmp(row->table_name, res->table) != 0)
	{
		steps = lappend(steps, remote_step(res, CORM_ALTER_COLUMN, NULL,
										   psprintf("ALTER TABLE %s RENAME TO %s", old,
													quote_identifier(res->table))));
		if (numbered)
			steps = lappend(steps, remote_step(res, CORM_ALTER_COLUMN, NULL,
											   psprintf("ALTER FUNCTION %s() RENAME TO %s",
														identity_function_of(row->table_schema, row->table_name),
														quote_identifier(makeObjectName(res->table, NULL, "identity")))));
		steps = lappend(steps, corm_make_step(CORM_ALTER_COLUMN, res, NULL,
											  psprintf("ALTER FOREIGN TABLE %s RENAME TO %s", old,
													   quote_identifier(res->table))));
	}
	if (strcmp(row->table_name, res->table) != 0)
	{
		/* read before the rename: they name the table by its old name */
		List	   *generated = rename_generated_names(res);

		steps = list_concat(steps, rename_indexes(res));
		steps = list_concat(steps, generated);
	}
	if (strcmp(row->table_schema, res->schema) != 0)
	{
		if (!remote_schema_exists(res))
			steps = lappend(steps, remote_step(res, CORM_CREATE_SCHEMA, NULL,
											   psprintf("CREATE SCHEMA %s",
														quote_identifier(res->schema))));
		steps = lappend(steps, remote_step(res, CORM_ALTER_COLUMN, NULL,
										   psprintf("ALTER TABLE %s SET SCHEMA %s", renamed,
													quote_identifier(res->schema))));
		if (numbered)
			steps = lappend(steps, remote_step(res, CORM_ALTER_COLUMN, NULL,
											   psprintf("ALTER FUNCTION %s() SET SCHEMA %s",
														identity_function_of(row->table_schema, res->table),
														quote_identifier(res->schema))));
		steps = lappend(steps, corm_make_step(CORM_CREATE_SCHEMA, res, NULL,
											  psprintf("CREATE SCHEMA IF NOT EXISTS %s",
													   quote_identifier(res->schema))));
		steps = lappend(steps, corm_make_step(CORM_ALTER_COLUMN, res, NULL,
											  psprintf("ALTER FOREIGN TABLE %s SET SCHEMA %s", renamed,
													   quote_identifier(res->schema))));
	}
	steps = lappend(steps, alter_foreign(res, CORM_ALTER_COLUMN,
										 psprintf("OPTIONS (SET schema_name %s, SET table_name %s)",
												  quote_literal_cstr(res->schema),
												  quote_literal_cstr(res->table))));
	if (moved_there)
	{
		List	   *here = NIL;
		ListCell   *lc;

		foreach(lc, steps)
			if (((CormStep *) lfirst(lc))->server == NULL)
				here = lappend(here, lfirst(lc));
		steps = here;
	}
	corm_run_steps(steps);
	corm_rename_references(row->table_schema, row->table_name, res->schema, res->table);
}

/*
 * A model's table stays in the database it was made in: a model that
 * gains a bind to another database, or leaves one (its bind_key changed),
 * would have to move its rows between databases, which corm does not do.
 * Called for every model with a table of its own before it is compared.
 */
void
corm_refuse_database_move(CormResolved *res)
{
	CormModelRow *row = res->row;
	Oid			relid;
	bool		foreign;

	if (row->table_name == NULL || res->kind == CORM_ABSTRACT)
		return;
	relid = local_table(row->table_schema, row->table_name);
	if (!OidIsValid(relid))
		return;
	foreign = get_rel_relkind(relid) == RELKIND_FOREIGN_TABLE;
	if (foreign == (res->server != NULL))
		return;
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("model \"%s\" cannot move its table %s %s", row->name,
					corm_qualified(row->table_schema, row->table_name),
					res->server ? psprintf("to the database of server \"%s\"", res->server) :
					"from another database into this one"),
			 res->bind_key ? errdetail("Its bind key is now \"%s\".", res->bind_key) :
			 errdetail("It has no bind key now."),
			 errhint("Register a new model under the other bind, and move the rows there.")));
}

static void
refuse_shared_table(CormResolved *res)
{
	if (res->kind == CORM_ROOT)
		return;
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("model \"%s\" cannot inherit from a model bound to another database", res->row->name),
			 errdetail("Its table would be on server \"%s\".", res->server),
			 errhint("Register it as a model of its own (no parent) under that bind.")));
}

/*
 * The steps that bring the table of a model bound to another database, and
 * the foreign table over it, to its plan; *indexes gets the indexes its
 * table is to have.  A table moved by a new name moves now.
 */
List *
corm_plan_remote_table(CormResolved *res, bool drop_columns, bool *rebuild, List **indexes)
{
	CormModelRow *row = res->row;
	List	   *steps;
	List	   *new_columns = NIL;
	List	   *drops = NIL;
	List	   *adds = NIL;
	List	   *creates;
	Oid			relid;

	refuse_shared_table(res);
	if (row->table_name &&
		(strcmp(row->table_schema, res->schema) != 0 || strcmp(row->table_name, res->table) != 0))
		move_tables(res);
	if (!remote_relation_exists(res, res->schema, res->table))
	{
		if (row->table_name)
			ereport(WARNING,
					(errmsg("table %s of model \"%s\" on server \"%s\" was dropped outside corm; creating it again",
							corm_qualified(res->schema, res->table), row->name, res->server)));
		else if (OidIsValid(local_table(res->schema, res->table)))
			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_TABLE),
					 errmsg("relation %s already exists", corm_qualified(res->schema, res->table)),
					 errdetail("Model \"%s\" would create a foreign table by that name.", row->name),
					 errhint("Pass another tablename => '...' for model \"%s\".", row->name)));
		if (OidIsValid(local_table(res->schema, res->table)))
			return list_concat(list_make1(corm_make_step(CORM_DROP_COLUMN, res, NULL,
														 psprintf("DROP FOREIGN TABLE %s CASCADE",
																  corm_qualified(res->schema, res->table)))),
							   plan_create(res, indexes));
		return plan_create(res, indexes);
	}
	if (row->table_name == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_TABLE),
				 errmsg("relation %s already exists in the database of server \"%s\"",
						corm_qualified(res->schema, res->table), res->server),
				 errdetail("Model \"%s\" would create a table by that name there.", row->name),
				 errhint("Pass another tablename => '...' for model \"%s\", or drop that table.", row->name)));
	*indexes = corm_plan_indexes(res, list_make1(res));
	steps = diff_remote_columns(res, drop_columns, rebuild, &new_columns);
	/* constraints and indexes: drops before the columns change, adds after */
	diff_remote_constraints(res, new_columns, &drops, &adds);
	creates = diff_remote_indexes(res, *indexes, new_columns, &drops);
	steps = list_concat(list_concat(list_concat(drops, steps), adds), creates);
	steps = list_concat(steps, diff_remote_trigger(res));
	steps = list_concat(steps, diff_identity_trigger(res));
	relid = local_table(res->schema, res->table);
	if (OidIsValid(relid))
		steps = list_concat(steps, diff_foreign_columns(res, relid, rebuild));
	else
		steps = lappend(steps, corm_make_step(CORM_CREATE_TABLE, res, NULL, foreign_table_sql(res)));
	return steps;
}

/* drop a model's foreign table here and its table there (with cascade, what depends on it there too) */
void
corm_drop_remote_table(CormResolved *res, bool cascade)
{
	corm_execute(psprintf("DROP FOREIGN TABLE IF EXISTS %s%s", corm_qualified(res->schema, res->table),
						  cascade ? " CASCADE" : ""));
	if (!remote_relation_exists(res, res->schema, res->table))
		return;
	corm_execute_remote(res->server, res->bind_key,
						psprintf("DROP TABLE %s%s", corm_qualified(res->schema, res->table),
								 cascade ? " CASCADE" : ""));
	corm_execute_remote(res->server, res->bind_key,
						psprintf("DROP FUNCTION IF EXISTS %s()", identity_function(res)));
}

/* a column renamed on both sides: postgres_fdw names the remote column by the local name */
void
corm_rename_remote_column(CormResolved *res, const char *old, const char *new)
{
	char	   *action = psprintf("RENAME COLUMN %s TO %s", quote_identifier(old), quote_identifier(new));

	corm_execute_remote(res->server, res->bind_key,
						psprintf("ALTER TABLE %s %s", corm_qualified(res->schema, res->table), action));
	corm_execute(psprintf("ALTER FOREIGN TABLE %s %s", corm_qualified(res->schema, res->table), action));
}
