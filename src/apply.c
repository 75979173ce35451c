/*
 * apply.c — compare a model's plan with what exists, and run the difference
 *
 * What exists is read from the system catalogs, never from a remembered
 * copy: a column is compared by type, collation, NOT NULL, identity and its
 * cooked default; a constraint by every clause (a CHECK by its cooked
 * expression) and by its name, which for an unnamed one is the name
 * PostgreSQL gives it in a fresh build; an index by its definition.  A
 * definition registered again unchanged runs no DDL; a column that leaves a
 * definition is dropped only when the caller says so.
 */
#include "corm.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/dependency.h"
#include "catalog/heap.h"
#include "catalog/index.h"
#include "catalog/pg_am.h"
#include "catalog/pg_index.h"
#include "access/amapi.h"
#include "access/reloptions.h"
#include "optimizer/optimizer.h"
#include "parser/parse_utilcmd.h"
#include "utils/syscache.h"
#include "catalog/pg_attribute.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "executor/spi.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "parser/parse_coerce.h"
#include "parser/parse_collate.h"
#include "parser/parse_expr.h"
#include "parser/parse_node.h"
#include "parser/parse_relation.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/regproc.h"
#include "utils/rel.h"
#include "utils/ruleutils.h"

/*
 * A constraint corm expects on a table, or one that is there, with every
 * clause that makes it what it is: a planned one and an existing one are
 * the same constraint only when all of them agree (a foreign key's target,
 * columns in order, actions, match type and deferral; a unique key's
 * columns in order, INCLUDE and NULLS NOT DISTINCT; a CHECK's cooked
 * expression), and then a name the definition gives must be the name it has.
 */
typedef struct ConKey
{
	char		contype;
	List	   *columns;		/* sorted column names (which columns it names) */
	List	   *keys;			/* key columns in their order */
	List	   *including;		/* unique/primary key: INCLUDE columns */
	bool		nulls_not_distinct;
	Oid			target;			/* foreign key: the referenced table */
	List	   *target_keys;	/* its referenced columns, in order */
	char		upd_action;
	char		del_action;
	char		match_type;
	bool		deferrable;
	bool		deferred;
	bool		no_inherit;
	Node	   *check;			/* cooked CHECK expression */
	Node	   *raw;			/* planned: raw CHECK expression */
	CormElement *elem;			/* planned table constraint, else NULL */
	CormColumnList *list;		/* where the planned one was written */
	bool		matched;
	bool		required;		/* planned by the model being synced */
	char	   *add_sql;		/* planned: what ALTER TABLE ... ADD takes */
	char	   *name;			/* existing: its name; planned: the one given, or NULL */
	char	   *expected;		/* planned: the name it has in a fresh build */
} ConKey;


static Node *
constraint_expr(ColumnDef *def, ConstrType type)
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

/* a parse state over an existing relation, for cooking the user's expressions */
static ParseState *
relation_pstate(Relation rel, CormColumnList *list)
{
	ParseState *pstate = make_parsestate(NULL);
	ParseNamespaceItem *nsitem;

	pstate->p_sourcetext = list->sql;
	nsitem = addRangeTableEntryForRelation(pstate, rel, AccessShareLock, NULL, false, true);
	addNSItemToQuery(pstate, nsitem, true, true, true);
	return pstate;
}

static Node *
existing_default(Relation rel, AttrNumber attnum)
{
	TupleConstr *constr = RelationGetDescr(rel)->constr;

	if (constr == NULL)
		return NULL;
	for (int i = 0; i < constr->num_defval; i++)
		if (constr->defval[i].adnum == attnum)
			return stringToNode(constr->defval[i].adbin);
	return NULL;
}

static bool
same_default(Relation rel, CormColumn *col, Form_pg_attribute attr, Node *raw)
{
	Node	   *existing = existing_default(rel, attr->attnum);
	ParseState *pstate;
	CormTextContext ctx;
	Node	   *cooked;

	if (existing == NULL)
		return false;
	pstate = relation_pstate(rel, col->elem->list);
	corm_push_text_context(&ctx, col->elem->list->text, col->elem->list->prefix_chars,
						   col->elem->list->what);
	cooked = cookDefault(pstate, raw, attr->atttypid, attr->atttypmod,
						 NameStr(attr->attname), attr->attgenerated);
	corm_pop_text_context(&ctx);
	return equal(cooked, existing);
}

/* how a column's identity is generated: ALWAYS when it says so, else BY DEFAULT */
static char
identity_kind(CormColumn *col)
{
	ListCell   *lc;

	foreach(lc, col->def->constraints)
	{
		Constraint *con = lfirst(lc);

		if (con->contype == CONSTR_IDENTITY)
			return con->generated_when;
	}
	return ATTRIBUTE_IDENTITY_BY_DEFAULT;
}

static CormStep *
alter_column(CormResolved *res, CormColumn *col, const char *action)
{
	return corm_make_step(CORM_ALTER_COLUMN, res, col->name,
						  psprintf("ALTER TABLE %s ALTER COLUMN %s %s",
								   corm_qualified(res->schema, res->table),
								   quote_identifier(col->name), action));
}

/*
 * The steps that bring an existing column to its definition: type (with a
 * cast of the existing rows), default, NOT NULL and identity.  A changed
 * generation expression cannot be altered in place and is refused.
 */
static List *
migrate_column(Relation rel, CormResolved *res, CormColumn *col, Form_pg_attribute attr,
			   bool *retyped)
{
	List	   *steps = NIL;
	bool		not_null = corm_column_not_null(col);
	bool		identity = col->identity || corm_has_constraint(col->def, CONSTR_IDENTITY);
	bool		had_identity = attr->attidentity != '\0';
	Node	   *raw_default = constraint_expr(col->def, CONSTR_DEFAULT);
	Node	   *raw_generated = constraint_expr(col->def, CONSTR_GENERATED);
	bool		new_type = attr->atttypid != col->typid ||
		(!col->is_serial && attr->atttypmod != col->typmod);
	bool		new_default = false;
	char	   *type = format_type_with_typemod(col->typid, col->is_serial ? -1 : col->typmod);
	Oid			collation = corm_column_collation(col);
	bool		new_collation = OidIsValid(collation) && attr->attcollation != collation;
	bool		new_type_or_collation;

	if ((attr->attgenerated != '\0') != (raw_generated != NULL) ||
		(raw_generated && !new_type && !same_default(rel, col, attr, raw_generated)))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot change how column \"%s\" of table %s is generated",
						col->name, corm_qualified(res->schema, res->table)),
				 errhint("PostgreSQL cannot change a generated column in place; add a new column instead.")));
	/* ALTER TYPE for a new collation recasts the default as a new type does */
	new_type_or_collation = new_type || new_collation;
	if (!col->is_serial && raw_generated == NULL)
		new_default = (raw_default != NULL) != (bool) attr->atthasdef ||
			(raw_default && (new_type_or_collation || !same_default(rel, col, attr, raw_default)));

	if (had_identity && !identity)
		steps = lappend(steps, alter_column(res, col, "DROP IDENTITY"));
	if (attr->atthasdef && (new_default || new_type_or_collation) && !col->is_serial &&
		raw_generated == NULL)
		steps = lappend(steps, alter_column(res, col, "DROP DEFAULT"));
	if (new_type || new_collation)
	{
		/* a COLLATE the definition gives goes with the type, as in CREATE TABLE */
		char	   *collate = col->def->collClause
			? psprintf(" COLLATE %s", generate_collation_name(collation)) : "";

		steps = lappend(steps, alter_column(res, col,
											psprintf("TYPE %s%s USING %s::%s", type, collate,
													 quote_identifier(col->name), type)));
		*retyped = true;
	}
	if (raw_default && (new_default || (new_type_or_collation && attr->atthasdef)) &&
		raw_generated == NULL && !col->is_serial)
		steps = lappend(steps, alter_column(res, col,
											psprintf("SET DEFAULT %s", corm_column_default(col))));
	/* an identity column is NOT NULL first */
	if (attr->attnotnull != not_null)
		steps = lappend(steps, alter_column(res, col, not_null ? "SET NOT NULL" : "DROP NOT NULL"));
	if (identity && !had_identity)
		steps = lappend(steps, alter_column(res, col,
											psprintf("ADD GENERATED %s AS IDENTITY",
													 identity_kind(col) == ATTRIBUTE_IDENTITY_ALWAYS ?
													 "ALWAYS" : "BY DEFAULT")));
	else if (identity && had_identity && attr->attidentity != identity_kind(col))
		steps = lappend(steps, alter_column(res, col,
											identity_kind(col) == ATTRIBUTE_IDENTITY_ALWAYS ?
											"SET GENERATED ALWAYS" : "SET GENERATED BY DEFAULT"));
	return steps;
}

/* the primary key columns of a table, in order */
static List *
primary_key_names(Oid relid)
{
	Oid			argtypes[1] = {OIDOID};
	Datum		values[1] = {ObjectIdGetDatum(relid)};
	List	   *names = NIL;

	if (corm_system_spi("SELECT a.attname::text"
						"  FROM pg_catalog.pg_constraint c,"
						"       pg_catalog.unnest(c.conkey) WITH ORDINALITY k(attnum, n)"
						"  JOIN pg_catalog.pg_attribute a ON a.attnum = k.attnum"
						" WHERE c.conrelid = $1 AND c.contype = 'p' AND a.attrelid = c.conrelid"
						" ORDER BY k.n", 1, argtypes, values, NULL) != SPI_OK_SELECT)
		elog(ERROR, "could not read the primary key of relation %u", relid);
	for (uint64 i = 0; i < SPI_processed; i++)
		names = lappend(names, SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1));
	return names;
}

/*
 * The table a foreign key of res's table references.  An unqualified name
 * is looked for in the table's own schema first, where the table was made
 * beside it, then on the search_path, so that the answer does not depend
 * on the search_path of the call that compares.
 */
static Oid
referenced_table(CormResolved *res, RangeVar *rv)
{
	if (rv->schemaname == NULL)
	{
		Oid			nsp = get_namespace_oid(res->schema, true);
		Oid			relid = OidIsValid(nsp) ? get_relname_relid(rv->relname, nsp) : InvalidOid;

		if (OidIsValid(relid))
			return relid;
	}
	return RangeVarGetRelid(rv, NoLock, true);
}

static void
read_planned_clauses(CormResolved *res, ConKey *key)
{
	char	   *sql = psprintf("ALTER TABLE corm_planned ADD %s", key->add_sql);
	RawStmt    *raw = linitial_node(RawStmt, raw_parser(sql, RAW_PARSE_DEFAULT));
	AlterTableStmt *stmt = castNode(AlterTableStmt, raw->stmt);
	AlterTableCmd *cmd = linitial_node(AlterTableCmd, stmt->cmds);
	Constraint *con = castNode(Constraint, cmd->def);

	key->name = con->conname;
	key->deferrable = con->deferrable;
	key->deferred = con->initdeferred;
	key->no_inherit = con->is_no_inherit;
	key->nulls_not_distinct = con->nulls_not_distinct;
	key->including = corm_string_names(con->including);
	if (con->contype == CONSTR_FOREIGN)
	{
		key->keys = corm_string_names(con->fk_attrs);
		key->target = referenced_table(res, con->pktable);
		key->target_keys = corm_string_names(con->pk_attrs);
		if (key->target_keys == NIL && OidIsValid(key->target))
			key->target_keys = primary_key_names(key->target);
		key->upd_action = con->fk_upd_action;
		key->del_action = con->fk_del_action;
		key->match_type = con->fk_matchtype;
	}
	else if (con->contype == CONSTR_PRIMARY || con->contype == CONSTR_UNIQUE)
		key->keys = corm_string_names(con->keys);
}

static ConKey *
planned_key(CormResolved *res, char contype, List *columns, CormElement *elem,
			CormColumnList *list, Node *raw, bool required, char *add_sql)
{
	ConKey	   *key = palloc0(sizeof(ConKey));

	key->add_sql = add_sql;
	read_planned_clauses(res, key);

	key->contype = contype;
	key->columns = list_copy(columns);
	key->elem = elem;
	key->list = list;
	key->raw = raw;
	key->required = required;
	if (raw)
		corm_column_refs(raw, &key->columns);
	list_sort(key->columns, corm_compare_names);
	return key;
}

/* the constraints a model puts on its table */
static List *
planned_constraints(CormResolved *res, bool required)
{
	List	   *keys = NIL;
	ListCell   *lc;

	foreach(lc, res->table_columns)
	{
		CormColumn *col = lfirst(lc);
		List	   *self = list_make1(col->name);
		ListCell   *cc;

		const char *qcol = quote_identifier(col->name);

		if (col->add_pk_clause && col->primary_key)
			keys = lappend(keys, planned_key(res, 'p', self, NULL, col->elem->list, NULL, required,
											 psprintf("PRIMARY KEY (%s)", qcol)));
		if (col->references)
			keys = lappend(keys, planned_key(res, 'f', self, NULL, col->elem->list, NULL, required,
											 psprintf("FOREIGN KEY (%s) %s", qcol, col->references)));
		foreach(cc, col->def->constraints)
		{
			Constraint *con = lfirst(cc);
			char		c = corm_constraint_char(con->contype);

			if (c != '\0')
				keys = lappend(keys, planned_key(res, c, c == 'c' ? NIL : self, NULL, col->elem->list,
												 c == 'c' ? con->raw_expr : NULL, required,
												 corm_column_constraint_sql(col, con, c)));
		}
	}
	foreach(lc, res->constraints)
	{
		CormElement *elem = lfirst(lc);
		Constraint *con = (Constraint *) elem->node;
		char		c = corm_constraint_char(con->contype);
		List	   *cols = NIL;

		if (c == 'f')
			cols = corm_string_names(con->fk_attrs);
		else if (c == 'x')
		{
			ListCell   *ec;

			foreach(ec, con->exclusions)
			{
				IndexElem  *ie = linitial(lfirst(ec));

				if (ie->name)
					cols = lappend(cols, ie->name);
			}
		}
		else if (c != 'c')
			cols = corm_string_names(con->keys);
		keys = lappend(keys, planned_key(res, c, cols, elem, elem->list,
										 c == 'c' ? con->raw_expr : NULL, required,
										 elem->text));
	}
	return keys;
}

/* the constraints on a table, from pg_constraint */
static List *
existing_constraints(Oid relid)
{
	Oid			argtypes[1] = {OIDOID};
	Datum		values[1] = {ObjectIdGetDatum(relid)};
	List	   *keys = NIL;
	uint64		n;

	if (corm_system_spi("SELECT c.contype::text, c.conname::text,"
						" ARRAY(SELECT a.attname::text"
						"         FROM pg_catalog.unnest(c.conkey) WITH ORDINALITY k(attnum, n)"
						"         JOIN pg_catalog.pg_attribute a"
						"           ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.n),"
						" c.conbin::text, c.confrelid,"
						" ARRAY(SELECT a.attname::text"
						"         FROM pg_catalog.unnest(c.confkey) WITH ORDINALITY k(attnum, n)"
						"         JOIN pg_catalog.pg_attribute a"
						"           ON a.attrelid = c.confrelid AND a.attnum = k.attnum ORDER BY k.n),"
						" NULL,"
						" c.confupdtype::text, c.confdeltype::text, c.confmatchtype::text,"
						" c.condeferrable, c.condeferred, c.connoinherit,"
						" ARRAY(SELECT a.attname::text"
						"         FROM pg_catalog.pg_index i,"
						"              pg_catalog.unnest(i.indkey::pg_catalog.int2[]) WITH ORDINALITY k(attnum, n)"
						"         JOIN pg_catalog.pg_attribute a ON a.attnum = k.attnum"
						"        WHERE i.indexrelid = c.conindid AND a.attrelid = i.indrelid"
						"          AND c.contype IN ('p', 'u') AND k.n > i.indnkeyatts ORDER BY k.n),"
						" coalesce((SELECT i.indnullsnotdistinct FROM pg_catalog.pg_index i"
						"            WHERE i.indexrelid = c.conindid AND c.contype IN ('p', 'u')), false)"
						" FROM pg_catalog.pg_constraint c"
						" WHERE c.conrelid = $1 AND c.contype IN ('p', 'u', 'f', 'c', 'x')"
						" ORDER BY c.oid",
						1, argtypes, values, NULL) != SPI_OK_SELECT)
		elog(ERROR, "could not read the constraints of relation %u", relid);
	n = SPI_processed;
	for (uint64 i = 0; i < n; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		ConKey	   *key = palloc0(sizeof(ConKey));
		bool		isnull;
		Datum		arr = SPI_getbinval(tup, desc, 3, &isnull);
		char	   *bin = SPI_getvalue(tup, desc, 4);
		Datum	   *elems;
		int			nelems;

		key->contype = SPI_getvalue(tup, desc, 1)[0];
		key->name = SPI_getvalue(tup, desc, 2);
		deconstruct_array(DatumGetArrayTypeP(arr), TEXTOID, -1, false, TYPALIGN_INT,
						  &elems, NULL, &nelems);
		for (int j = 0; j < nelems; j++)
			key->keys = lappend(key->keys, TextDatumGetCString(elems[j]));
		key->columns = list_copy(key->keys);
		list_sort(key->columns, corm_compare_names);
		if (bin)
			key->check = stringToNode(bin);
		key->target = DatumGetObjectId(SPI_getbinval(tup, desc, 5, &isnull));
		deconstruct_array(DatumGetArrayTypeP(SPI_getbinval(tup, desc, 6, &isnull)), TEXTOID, -1,
						  false, TYPALIGN_INT, &elems, NULL, &nelems);
		for (int j = 0; j < nelems; j++)
			key->target_keys = lappend(key->target_keys, TextDatumGetCString(elems[j]));
		key->upd_action = SPI_getvalue(tup, desc, 8)[0];
		key->del_action = SPI_getvalue(tup, desc, 9)[0];
		key->match_type = SPI_getvalue(tup, desc, 10)[0];
		key->deferrable = DatumGetBool(SPI_getbinval(tup, desc, 11, &isnull));
		key->deferred = DatumGetBool(SPI_getbinval(tup, desc, 12, &isnull));
		key->no_inherit = DatumGetBool(SPI_getbinval(tup, desc, 13, &isnull));
		deconstruct_array(DatumGetArrayTypeP(SPI_getbinval(tup, desc, 14, &isnull)), TEXTOID, -1,
						  false, TYPALIGN_INT, &elems, NULL, &nelems);
		for (int j = 0; j < nelems; j++)
			key->including = lappend(key->including, TextDatumGetCString(elems[j]));
		key->nulls_not_distinct = DatumGetBool(SPI_getbinval(tup, desc, 15, &isnull));
		keys = lappend(keys, key);
	}
	return keys;
}

/*
 * A planned constraint and an existing one are the same constraint: every
 * clause agrees (the name aside, see diff_constraints).  A planned foreign
 * key that names no columns of its target references its primary key.
 */
static bool
same_constraint(ConKey *p, ConKey *e)
{
	if (p->contype != e->contype || p->deferrable != e->deferrable || p->deferred != e->deferred)
		return false;
	switch (p->contype)
	{
		case 'c':
			return p->no_inherit == e->no_inherit && equal(p->check, e->check);
		case 'f':

			/*
			 * A target that no longer resolves is a table renamed under
			 * the definition (rename_model renames a model's table but not
			 * the REFERENCES of other models' text): the constraint the
			 * table has is taken to be it, its columns and clauses still
			 * compared.
			 */
			return corm_same_names(p->keys, e->keys) &&
				(p->target == e->target || !OidIsValid(p->target)) &&
				(corm_same_names(p->target_keys, e->target_keys) || !OidIsValid(p->target)) &&
				p->upd_action == e->upd_action && p->del_action == e->del_action &&
				p->match_type == e->match_type;
		case 'p':
		case 'u':
			return corm_same_names(p->keys, e->keys) && corm_same_names(p->including, e->including) &&
				p->nulls_not_distinct == e->nulls_not_distinct;
		default:
			return corm_same_names(p->columns, e->columns);
	}
}

static Node *
cook_check(Relation rel, ConKey *key)
{
	ParseState *pstate = relation_pstate(rel, key->list);
	CormTextContext ctx;
	Node	   *expr;

	corm_push_text_context(&ctx, key->list->text, key->list->prefix_chars, key->list->what);
	expr = transformExpr(pstate, copyObject(key->raw), EXPR_KIND_CHECK_CONSTRAINT);
	expr = coerce_to_boolean(pstate, expr, "CHECK");
	assign_expr_collations(pstate, expr);
	corm_pop_text_context(&ctx);
	return expr;
}

static bool
mentions_any(List *columns, List *names)
{
	ListCell   *lc;

	foreach(lc, columns)
	{
		ListCell   *nc;

		foreach(nc, names)
			if (strcmp(lfirst(lc), lfirst(nc)) == 0)
			return true;
	}
	return false;
}

/*
 * The name PostgreSQL gives an unnamed constraint when the table is made
 * fresh from the plan (makeObjectName, as ChooseConstraintName and
 * ChooseIndexName do): <table>_<columns>_<label>, numbered after the first
 * one of the table that takes it.  A CHECK names its column only when it
 * reads exactly one.
 */
static char *
generated_name(ConKey *p, const char *table, List **taken)
{
	const char *label;
	char	   *columns = NULL;
	char	   *name;

	switch (p->contype)
	{
		case 'p':
			label = "pkey";
			break;
		case 'u':
			/* an index's name counts its INCLUDE columns too */
			label = "key";
			columns = corm_joined_names(list_concat_copy(p->keys, p->including));
			break;
		case 'f':
			label = "fkey";
			columns = corm_joined_names(p->keys);
			break;
		case 'x':
			label = "excl";
			columns = corm_joined_names(p->columns);
			break;
		default:
			{
				bool		one = p->columns != NIL;
				ListCell   *lc;

				foreach(lc, p->columns)
					if (strcmp(lfirst(lc), linitial(p->columns)) != 0)
					one = false;
				label = "check";
				if (one)
					columns = linitial(p->columns);
			}
			break;
	}
	if (columns && *columns == '\0')
		columns = NULL;
	name = makeObjectName(table, columns, label);
	for (int pass = 1; list_member(*taken, makeString(name)); pass++)
		name = makeObjectName(table, columns, psprintf("%s%d", label, pass));
	*taken = lappend(*taken, makeString(name));
	return name;
}

/*
 * A constraint can take its expected name: no other constraint of the table
 * that stays has it, and for one with an index no other relation of the
 * schema does.  (When one does, the constraint keeps its name and the next
 * registration, once the other has moved, renames it.)
 */
static bool
name_free(Relation rel, List *existing, ConKey *p)
{
	ListCell   *lc;

	foreach(lc, existing)
	{
		ConKey	   *e = lfirst(lc);

		if (e->matched && strcmp(e->name, p->expected) == 0)
			return false;
	}
	if (strchr("pux", p->contype) &&
		OidIsValid(get_relname_relid(p->expected, RelationGetNamespace(rel))))
		return false;
	return true;
}

/*
 * Match the planned constraints with the table's.  Those on columns being
 * added come with them; a planned one the table lacks is added, and with
 * "full" (res owns the table) one that no model plans is dropped.  A CHECK
 * that reads a column changing type ("retyped") is dropped and added again
 * after the change: ALTER TYPE would keep its expression as cooked for the
 * old type (a date literal compared with a timestamp), where a fresh table
 * cooks it for the new one.
 */
static List *
diff_constraints(Relation rel, CormResolved *res, List *planned, List *new_columns,
				 List *retyped, bool full)
{
	List	   *existing = existing_constraints(RelationGetRelid(rel));
	List	   *steps = NIL;
	List	   *adds = NIL;
	List	   *taken = NIL;
	char	   *table = corm_qualified(res->schema, res->table);
	ListCell   *pc;
	ListCell   *ec;

	/* the names a fresh build gives: the given ones, then the generated */
	foreach(pc, planned)
		if (((ConKey *) lfirst(pc))->name)
			taken = lappend(taken, makeString(((ConKey *) lfirst(pc))->name));
	foreach(pc, planned)
	{
		ConKey	   *p = lfirst(pc);

		p->expected = p->name ? p->name : generated_name(p, res->table, &taken);
	}
	foreach(pc, planned)
	{
		ConKey	   *p = lfirst(pc);

		if (mentions_any(p->columns, new_columns))
		{
			if (p->elem && p->required)
				adds = lappend(adds, corm_plan_add_constraint(res, p->elem));
			continue;
		}
		if (p->contype == 'c' && p->required && mentions_any(p->columns, retyped))
		{
			adds = lappend(adds, corm_make_step(CORM_ADD_CONSTRAINT, res, NULL,
												psprintf("ALTER TABLE %s ADD %s", table, p->add_sql)));
			continue;
		}
		if (p->contype == 'c')
			p->check = cook_check(rel, p);
		foreach(ec, existing)
		{
			ConKey	   *e = lfirst(ec);

			if (!e->matched && same_constraint(p, e))
			{
				e->matched = p->matched = true;
				/*
				 * the same constraint under the name the definition gives
				 * it, or a fresh build would give it (a table or column
				 * renamed since, a twin dropped)
				 */
				if (strcmp(p->expected, e->name) != 0 && p->required &&
					name_free(rel, existing, p))
					adds = lappend(adds, corm_make_step(CORM_ALTER_COLUMN, res, NULL,
														psprintf("ALTER TABLE %s RENAME CONSTRAINT %s TO %s",
																 table, quote_identifier(e->name),
																 quote_identifier(p->expected))));
				break;
			}
		}
		if (!p->matched && p->required)
			adds = lappend(adds, corm_make_step(CORM_ADD_CONSTRAINT, res, NULL,
												psprintf("ALTER TABLE %s ADD %s", table, p->add_sql)));
	}
	if (full)
	{
		/* drops first: a changed constraint is dropped and added again */
		foreach(ec, existing)
		{
			ConKey	   *e = lfirst(ec);

			if (!e->matched)
				steps = lappend(steps, corm_make_step(CORM_DROP_CONSTRAINT, res, e->name,
													  psprintf("ALTER TABLE %s DROP CONSTRAINT %s",
															   table, quote_identifier(e->name))));
		}
	}
	return list_concat(steps, adds);
}

/*
 * A planned index and an existing one are the same index: the same access
 * method, uniqueness, key (columns or cooked expressions, with operator
 * class and its options, collation, order and nulls order each; see
 * corm_index_key), INCLUDE columns, options
 * and cooked predicate, as DefineIndex would make the planned one on this
 * table.  The name is not compared (see diff_indexes).
 */
static bool
same_index(Relation rel, IndexStmt *stmt, Oid indexoid)
{
	Oid			relid = RelationGetRelid(rel);
	HeapTuple	tup = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(indexoid));
	HeapTuple	classtup;
	Form_pg_index index;
	Form_pg_class indexclass;
	Oid			amoid;
	IndexAmRoutine *am;
	oidvector  *indclass;
	oidvector  *indcollation;
	int2vector *indoption;
	Datum		d;
	bool		isnull;
	List	   *exprs = NIL;
	bool		same = true;
	ListCell   *lc;
	int			i = 0;

	if (!HeapTupleIsValid(tup))
		return false;
	index = (Form_pg_index) GETSTRUCT(tup);
	classtup = SearchSysCache1(RELOID, ObjectIdGetDatum(indexoid));
	if (!HeapTupleIsValid(classtup))
		elog(ERROR, "cache lookup failed for relation %u", indexoid);
	indexclass = (Form_pg_class) GETSTRUCT(classtup);
	amoid = get_index_am_oid(stmt->accessMethod, false);
	am = GetIndexAmRoutineByAmId(amoid, false);
	d = SysCacheGetAttr(INDEXRELID, tup, Anum_pg_index_indclass, &isnull);
	indclass = (oidvector *) DatumGetPointer(d);
	d = SysCacheGetAttr(INDEXRELID, tup, Anum_pg_index_indcollation, &isnull);
	indcollation = (oidvector *) DatumGetPointer(d);
	d = SysCacheGetAttr(INDEXRELID, tup, Anum_pg_index_indoption, &isnull);
	indoption = (int2vector *) DatumGetPointer(d);

	if (indexclass->relam != amoid || index->indisunique != stmt->unique ||
		index->indnullsnotdistinct != stmt->nulls_not_distinct ||
		index->indnkeyatts != list_length(stmt->indexParams) ||
		index->indnatts != list_length(stmt->indexParams) + list_length(stmt->indexIncludingParams))
		same = false;
	foreach(lc, same ? stmt->indexParams : NIL)
	{
		CormIndexKey key = corm_index_key(rel, lfirst_node(IndexElem, lc), amoid, am->amcanorder);

		if (key.missing || !OidIsValid(key.opclass) || index->indkey.values[i] != key.attnum ||
			indcollation->values[i] != key.collation || indoption->values[i] != key.option ||
			indclass->values[i] != key.opclass ||
			!corm_same_names(corm_option_array_texts(get_attoptions(indexoid, i + 1)),
							 key.opclass_options))
		{
			same = false;
			break;
		}
		if (key.expr)
			exprs = lappend(exprs, key.expr);
		i++;
	}
	foreach(lc, same ? stmt->indexIncludingParams : NIL)
	{
		IndexElem  *elem = lfirst_node(IndexElem, lc);

		if (elem->name == NULL || index->indkey.values[i] != get_attnum(relid, elem->name))
			same = false;
		i++;
	}
	if (same)
	{
		d = SysCacheGetAttr(INDEXRELID, tup, Anum_pg_index_indexprs, &isnull);
		if (isnull != (exprs == NIL) ||
			(!isnull && !equal(exprs, eval_const_expressions(NULL, stringToNode(TextDatumGetCString(d))))))
			same = false;
	}
	if (same)
	{
		d = SysCacheGetAttr(INDEXRELID, tup, Anum_pg_index_indpred, &isnull);
		if (isnull != (stmt->whereClause == NULL) ||
			(!isnull && !equal(corm_index_predicate(stmt->whereClause),
							   eval_const_expressions(NULL, stringToNode(TextDatumGetCString(d))))))
			same = false;
	}
	if (same)
	{
		d = SysCacheGetAttr(RELOID, classtup, Anum_pg_class_reloptions, &isnull);
		if (!corm_same_names(corm_option_array_texts(isnull ? (Datum) 0 : d),
							 corm_option_texts(stmt->options)))
			same = false;
	}
	ReleaseSysCache(classtup);
	ReleaseSysCache(tup);
	return same;
}

/* the indexes of a table that no constraint owns: (oid, name), by name */
static List *
existing_indexes(Oid relid)
{
	Oid			argtypes[1] = {OIDOID};
	Datum		values[1] = {ObjectIdGetDatum(relid)};
	List	   *result = NIL;

	if (corm_system_spi("SELECT i.indexrelid, c.relname::text FROM pg_catalog.pg_index i"
						"  JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid"
						" WHERE i.indrelid = $1 AND NOT EXISTS (SELECT FROM pg_catalog.pg_constraint k"
						"        WHERE k.conrelid = i.indrelid AND k.conindid = i.indexrelid"
						"          AND k.contype IN ('p', 'u', 'x'))"
						" ORDER BY c.relname COLLATE \"C\"", 1, argtypes, values, NULL) != SPI_OK_SELECT)
		elog(ERROR, "could not read the indexes of relation %u", relid);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		bool		isnull;
		Oid			oid = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc,
														 1, &isnull));

		result = lappend(result, list_make2(makeInteger((int) oid),
											SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2)));
	}
	return result;
}

/*
 * Match the planned indexes with the table's by meaning.  One the table
 * lacks is made (those on columns being added always are); one under
 * another name is renamed; one that corm made and no model plans any more
 * is dropped, and one made by hand stays, reported to corm.check() as
 * undeclared.  *drops gets the drops, to run before the columns change.
 */
static List *
diff_indexes(Relation rel, CormResolved *owner, List *planned, List *new_columns, List **drops)
{
	List	   *existing = existing_indexes(RelationGetRelid(rel));
	List	   *steps = NIL;
	bool	   *matched = palloc0(sizeof(bool) * (list_length(existing) + 1));
	ListCell   *pc;
	ListCell   *ec;

	foreach(pc, planned)
	{
		CormPlannedIndex *p = lfirst(pc);
		IndexStmt  *stmt;
		CormTextContext ctx;
		bool		found = false;

		if (mentions_any(p->index->def->columns, new_columns))
		{
			steps = lappend(steps, corm_make_step(CORM_CREATE_INDEX, owner, p->name, p->sql));
			continue;
		}
		corm_push_text_context(&ctx, p->index->def->text, p->index->def->prefix_chars,
							   p->index->def->what);
		stmt = transformIndexStmt(RelationGetRelid(rel), copyObject(p->stmt), p->index->def->sql);
		corm_pop_text_context(&ctx);
		foreach(ec, existing)
		{
			List	   *e = lfirst(ec);
			char	   *name = lsecond(e);

			if (matched[foreach_current_index(ec)] ||
				!same_index(rel, stmt, (Oid) intVal(linitial(e))))
				continue;
			matched[foreach_current_index(ec)] = found = true;
			if (strcmp(name, p->name) != 0 &&
				!OidIsValid(get_relname_relid(p->name, RelationGetNamespace(rel))))
				steps = lappend(steps, corm_make_step(CORM_ALTER_COLUMN, owner, p->name,
													  psprintf("ALTER INDEX %s RENAME TO %s",
															   corm_qualified(owner->schema, name),
															   quote_identifier(p->name))));
			break;
		}
		if (!found)
			steps = lappend(steps, corm_make_step(CORM_CREATE_INDEX, owner, p->name, p->sql));
	}
	foreach(ec, existing)
	{
		char	   *name = lsecond((List *) lfirst(ec));

		if (matched[foreach_current_index(ec)])
			continue;
		if (corm_name_in(owner->row->table_indexes, name))
			*drops = lappend(*drops, corm_make_step(CORM_DROP_INDEX, owner, name,
													psprintf("DROP INDEX %s",
															 corm_qualified(owner->schema, name))));
		else
			corm_report(psprintf("index %s of table %s is not declared by any model",
								 quote_identifier(name), corm_qualified(owner->schema, owner->table)));
	}
	return steps;
}

/*
 * An identity column's sequence under the name a fresh build gives it,
 * <table>_<column>_seq, when the table or the column was renamed since and
 * no other relation of the schema has that name.
 */
static List *
diff_sequence_names(Relation rel, CormResolved *res)
{
	TupleDesc	desc = RelationGetDescr(rel);
	List	   *steps = NIL;

	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute attr = TupleDescAttr(desc, i);
		Oid			seq;
		char	   *expected;

		if (attr->attisdropped || attr->attidentity == '\0')
			continue;
		seq = getIdentitySequence(RelationGetRelid(rel), attr->attnum, true);
		if (!OidIsValid(seq))
			continue;
		expected = makeObjectName(RelationGetRelationName(rel), NameStr(attr->attname), "seq");
		if (strcmp(get_rel_name(seq), expected) == 0 ||
			OidIsValid(get_relname_relid(expected, get_rel_namespace(seq))))
			continue;
		steps = lappend(steps, corm_make_step(CORM_ALTER_COLUMN, res, NULL,
											  psprintf("ALTER SEQUENCE %s RENAME TO %s",
													   corm_qualified(get_namespace_name(get_rel_namespace(seq)),
																	  get_rel_name(seq)),
													   quote_identifier(expected))));
	}
	return steps;
}

static Form_pg_attribute
find_attribute(TupleDesc desc, const char *name)
{
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute attr = TupleDescAttr(desc, i);

		if (!attr->attisdropped && strcmp(NameStr(attr->attname), name) == 0)
			return attr;
	}
	return NULL;
}

/*
 * The steps that bring an existing table to the plan: res's columns and
 * constraints.  "full" when res owns the table: then the columns and
 * constraints of its single-table subclasses are brought too, and every
 * column and constraint of the table must be planned by one of them; a
 * column of the table that none plans is dropped with "drop_columns",
 * else refused.  *rebuild is set when the views over the
 * table must go first (a column changes type or is dropped).
 */
static List *
diff_table(CormResolved *res, Oid relid, bool full, bool drop_columns, bool *rebuild,
		   List **indexes)
{
	Relation	rel = table_open(relid, AccessShareLock);
	TupleDesc	desc = RelationGetDescr(rel);
	List	   *steps = NIL;
	List	   *new_columns = NIL;
	List	   *retyped = NIL;
	List	   *planned = planned_constraints(res, true);
	List	   *constraint_steps;
	ListCell   *lc;

	List	   *holders = list_make1(res);
	ListCell   *hc;

	/* with "full", the single-table subclasses' columns are the table's too */
	if (full)
		holders = list_concat(holders, corm_single_sharers(res));
	foreach(hc, holders)
	{
		CormResolved *holder = lfirst(hc);

		if (holder != res)
			planned = list_concat(planned, planned_constraints(holder, true));
		foreach(lc, holder->table_columns)
		{
			CormColumn *col = lfirst(lc);
			Form_pg_attribute attr = find_attribute(desc, col->name);

			if (attr == NULL)
			{
				steps = lappend(steps, corm_plan_add_column(holder, col));
				new_columns = lappend(new_columns, col->name);
			}
			else
			{
				if (attr->atttypid != col->typid ||
					(!col->is_serial && attr->atttypmod != col->typmod))
					retyped = lappend(retyped, col->name);
				steps = list_concat(steps, migrate_column(rel, holder, col, attr, rebuild));
			}
		}
	}
	if (full)
	{
		List	   *expected = NIL;

		foreach(hc, holders)
			expected = list_concat(expected, list_copy(((CormResolved *) lfirst(hc))->table_columns));
		for (int i = 0; i < desc->natts; i++)
		{
			Form_pg_attribute attr = TupleDescAttr(desc, i);

			if (attr->attisdropped || corm_find_column(expected, NameStr(attr->attname)))
				continue;
			if (!drop_columns)
				ereport(ERROR,
						(errcode(ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST),
						 errmsg("column \"%s\" of table %s is not in the new definition of model \"%s\"",
								NameStr(attr->attname), corm_qualified(res->schema, res->table),
								res->row->name),
						 errdetail("corm never drops a column, and its rows, unless told to."),
						 errhint("Keep the column in the definition, or pass drop_columns => true to drop it.")));
			steps = lappend(steps, corm_make_step(CORM_DROP_COLUMN, res, NameStr(attr->attname),
												  psprintf("ALTER TABLE %s DROP COLUMN %s",
														   corm_qualified(res->schema, res->table),
														   quote_identifier(NameStr(attr->attname)))));
			*rebuild = true;
		}
	}
	/* constraints go before the column changes (a type change rebuilds them) */
	constraint_steps = diff_constraints(rel, res, planned, new_columns, retyped, full);
	foreach(lc, constraint_steps)
	{
		CormStep   *step = lfirst(lc);

		if (step->kind == CORM_DROP_CONSTRAINT)
			steps = lcons(step, steps);
		else
			steps = lappend(steps, step);
	}
	steps = list_concat(steps, diff_sequence_names(rel, res));
	{
		List	   *drops = NIL;
		List	   *creates;

		*indexes = corm_plan_indexes(res, holders);
		creates = diff_indexes(rel, res, *indexes, new_columns, &drops);

		if (creates && res->tablespace)
			steps = lappend(steps, corm_make_step(CORM_SET, res, NULL,
												  psprintf("SET LOCAL default_tablespace = %s",
														   quote_identifier(res->tablespace))));
		steps = list_concat(drops, list_concat(steps, creates));
	}
	table_close(rel, AccessShareLock);
	return steps;
}

static Oid
table_oid(const char *schema, const char *table)
{
	Oid			nsp = get_namespace_oid(schema, true);

	return OidIsValid(nsp) ? get_relname_relid(table, nsp) : InvalidOid;
}

static void
refuse_kind_change(CormResolved *res)
{
	CormModelRow *row = res->row;
	const char *kind = corm_kind_name(res->kind);

	if (row->kind && strcmp(row->kind, kind) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("model \"%s\" would change from %s to %s", row->name, row->kind, kind),
				 errhint("corm cannot change how an existing model is stored; register a new model and move the rows.")));
}

/*
 * Drop the views over a model's table, and the functions over them, before
 * a column of it changes type or is dropped; they are made again when each
 * model is synced.
 */
static void
drop_views_over(CormResolved *owner)
{
	ListCell   *lc;

	foreach(lc, corm_models_to_sync("model", owner->row->name))
	{
		char	   *view = corm_recorded_view(lfirst(lc));

		if (view == NULL ||
			!OidIsValid(RangeVarGetRelid(makeRangeVarFromNameList(stringToQualifiedNameList(view)),
										 NoLock, true)))
			continue;
		corm_drop_functions_over(lfirst(lc));
		corm_drop_view(view, lfirst(lc));
	}
}

/*
 * A model's table under a new name or in a new schema is the same table:
 * ALTER TABLE ... RENAME / SET SCHEMA keeps its rows, grants and
 * dependent objects.  Returns the table.
 */
static Oid
move_table(CormResolved *res)
{
	CormModelRow *row = res->row;
	Oid			relid = table_oid(row->table_schema, row->table_name);
	List	   *steps = NIL;

	if (!OidIsValid(relid))
		return InvalidOid;
	if (OidIsValid(table_oid(res->schema, res->table)))
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_TABLE),
				 errmsg("relation %s already exists", corm_qualified(res->schema, res->table)),
				 errdetail("Model \"%s\" would move its table %s there.", row->name,
						   corm_qualified(row->table_schema, row->table_name)),
				 errhint("Give model \"%s\" another tablename.", row->name)));
	if (strcmp(row->table_name, res->table) != 0)
		steps = lappend(steps, corm_make_step(CORM_ALTER_COLUMN, res, NULL,
											  psprintf("ALTER TABLE %s RENAME TO %s",
													   corm_qualified(row->table_schema, row->table_name),
													   quote_identifier(res->table))));
	if (strcmp(row->table_schema, res->schema) != 0)
	{
		steps = lappend(steps, corm_make_step(CORM_CREATE_SCHEMA, res, NULL,
											  psprintf("CREATE SCHEMA IF NOT EXISTS %s",
													   quote_identifier(res->schema))));
		steps = lappend(steps, corm_make_step(CORM_ALTER_COLUMN, res, NULL,
											  psprintf("ALTER TABLE %s SET SCHEMA %s",
													   corm_qualified(row->table_schema, res->table),
													   quote_identifier(res->schema))));
	}
	corm_run_steps(steps);
	corm_rename_references(row->table_schema, row->table_name, res->schema, res->table);
	return relid;
}

/* the steps that bring a model's own table to its plan */
static List *
plan_own_table(CormResolved *res, bool drop_columns, bool *rebuild, List **indexes)
{
	Oid			relid = table_oid(res->schema, res->table);

	if (res->row->table_name &&
		(strcmp(res->row->table_schema, res->schema) != 0 ||
		 strcmp(res->row->table_name, res->table) != 0))
		relid = move_table(res);

	if (res->row->table_name == NULL)
	{
		if (OidIsValid(relid))
			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_TABLE),
					 errmsg("relation %s already exists",
							corm_qualified(res->schema, res->table)),
					 errdetail("Model \"%s\" would create a table by that name.", res->row->name),
					 errhint("Pass another tablename => '...' for model \"%s\".", res->row->name)));
		return corm_plan_model(res, indexes);
	}
	if (!OidIsValid(relid))
	{
		ereport(WARNING,
				(errmsg("table %s of model \"%s\" was dropped outside corm; creating it again",
						corm_qualified(res->schema, res->table), res->row->name)));
		return corm_plan_model(res, indexes);
	}
	return diff_table(res, relid, true, drop_columns, rebuild, indexes);
}

/*
 * An onupdate expression must be assignable to its column, checked when
 * registering (as UPDATE itself would check it), not on the first UPDATE.
 */
static void
check_onupdate_type(Relation rel, CormAssignment *a)
{
	ParseState *pstate = make_parsestate(NULL);
	ParseNamespaceItem *nsitem;
	AttrNumber	attnum = attnameAttNum(rel, a->column, false);
	Form_pg_attribute attr;
	Node	   *expr;
	Oid			type;

	if (attnum <= 0)
		elog(ERROR, "column \"%s\" of %s is missing", a->column, RelationGetRelationName(rel));
	attr = TupleDescAttr(RelationGetDescr(rel), attnum - 1);
	nsitem = addRangeTableEntryForRelation(pstate, rel, AccessShareLock, NULL, false, true);
	addNSItemToQuery(pstate, nsitem, true, true, true);
	expr = transformExpr(pstate, copyObject(a->expr), EXPR_KIND_UPDATE_SOURCE);
	type = exprType(expr);
	if (coerce_to_target_type(pstate, expr, type, attr->atttypid, attr->atttypmod,
							  COERCION_ASSIGNMENT, COERCE_IMPLICIT_CAST, -1) == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("column \"%s\" is of type %s but its onupdate expression is of type %s",
						a->column, format_type_be(attr->atttypid), format_type_be(type)),
				 errdetail("The expression is: %s", a->text),
				 errhint("Rewrite or cast the expression in %s.", a->source)));
	free_parsestate(pstate);
}

/* bring the onupdate trigger of owner's table to its assignments */
static List *
diff_trigger(CormResolved *owner)
{
	Relation	rel = table_open(table_oid(owner->schema, owner->table), AccessShareLock);
	List	   *assignments = corm_table_onupdate(owner);
	List	   *args = corm_onupdate_args(assignments);
	Trigger    *existing = NULL;
	bool		same;
	ListCell   *lc;

	foreach(lc, assignments)
		check_onupdate_type(rel, lfirst(lc));
	for (int i = 0; rel->trigdesc && i < rel->trigdesc->numtriggers; i++)
		if (strcmp(rel->trigdesc->triggers[i].tgname, "corm_onupdate") == 0)
			existing = &rel->trigdesc->triggers[i];
	same = existing ? existing->tgnargs == list_length(args) : args == NIL;
	for (int i = 0; same && existing && i < existing->tgnargs; i++)
		same = strcmp(existing->tgargs[i], list_nth(args, i)) == 0;
	table_close(rel, AccessShareLock);
	return same ? NIL : corm_plan_trigger(owner, args, existing != NULL);
}


/*
 * The order in which to make the functions of "models" again: a model's
 * relationship functions return its target's row and Pagination type, so
 * a target among them comes before the models that lead to it (as far as
 * the relationships do not go round in a circle; then in the order given).
 */
static List *
functions_order(List *models)
{
	List	   *pending = list_copy(models);
	List	   *order = NIL;
	List	   *leads = NIL;	/* per pending model: the models it leads from */
	ListCell   *lc;

	foreach(lc, pending)
		leads = lappend(leads, corm_models_to_sync("relationship target", lfirst(lc)));
	while (pending != NIL)
	{
		bool		progress = false;

		for (int i = 0; i < list_length(pending); i++)
		{
			char	   *m = list_nth(pending, i);
			bool		ready = true;

			/* m is ready when no other pending model is a target of m's */
			for (int j = 0; j < list_length(pending) && ready; j++)
				if (j != i && corm_name_in(list_nth(leads, j), m))
					ready = false;
			if (ready)
			{
				order = lappend(order, m);
				pending = list_delete_nth_cell(pending, i);
				leads = list_delete_nth_cell(leads, i);
				progress = true;
				break;
			}
		}
		if (!progress)
			return list_concat(order, pending);
	}
	return order;
}

/*
 * The joined tables below a table whose views are made again, when they
 * move with it (a bind gained or moved under their hierarchy): they move
 * first, since the views join them where they are to be.  Each is recorded
 * there, and the model's own sync then finds it in place.
 */
static void
move_joined_tables(List *models)
{
	ListCell   *lc;

	foreach(lc, models)
	{
		CormResolved *other = corm_resolve_model(lfirst(lc), false);
		CormModelRow *row = other->row;

		if (other->kind != CORM_JOINED || row->table_name == NULL ||
			(strcmp(row->table_schema, other->schema) == 0 &&
			 strcmp(row->table_name, other->table) == 0) ||
			!OidIsValid(move_table(other)))
			continue;
		corm_record_table(row->name, corm_kind_name(other->kind), other->schema, other->table);
		row->table_schema = other->schema;
		row->table_name = other->table;
	}
}

/*
 * A single-table subclass's foreign keys are in the table it shares: the
 * relationships of every other model whose row is in that table, and of
 * the models that lead to one, may follow them too.  They are planned
 * again, so that a key that makes one of them ambiguous is refused now, as
 * registering the relationship after it is.
 */
static void
sync_sharers_relationships(CormResolved *res)
{
	CormResolved *owner = corm_table_owner(res);
	ListCell   *lc;

	foreach(lc, corm_models_to_sync("model", owner->row->name))
	{
		CormResolved *other;
		ListCell   *rc;

		if (strcmp(lfirst(lc), res->row->name) == 0)
			continue;
		other = corm_resolve_model(lfirst(lc), false);
		if (other->kind == CORM_ABSTRACT)
			continue;
		corm_sync_functions(other);
		foreach(rc, corm_models_to_sync("relationship target", other->row->name))
			corm_sync_functions(corm_resolve_model(lfirst(rc), false));
	}
}

/*
 * Bring the objects generated for one model to its current definition;
 * "drop_columns" is the caller's drop_columns => (a column of its table
 * that no definition has any more is dropped, not refused).
 */
void
corm_sync_model(const char *name, bool notices, bool drop_columns)
{
	CormResolved *res = corm_resolve_model(name, notices);
	List	   *steps = NIL;
	bool		rebuild = false;
	List	   *indexes = NIL;
	ListCell   *lc;

	refuse_kind_change(res);
	corm_refuse_database_move(res);
	switch (res->kind)
	{
		case CORM_ABSTRACT:
			break;
		case CORM_ROOT:
		case CORM_JOINED:
			if (res->server)
				steps = corm_plan_remote_table(res, drop_columns, &rebuild, &indexes);
			else
				steps = plan_own_table(res, drop_columns, &rebuild, &indexes);
			break;
		case CORM_SINGLE:
			if (res->server)
				steps = corm_plan_remote_table(res, drop_columns, &rebuild, &indexes);
			else
			{
				Oid			relid = table_oid(res->schema, res->table);

				if (!OidIsValid(relid))
					ereport(ERROR,
							(errcode(ERRCODE_UNDEFINED_TABLE),
							 errmsg("table %s of model \"%s\" does not exist",
									corm_qualified(res->schema, res->table),
									res->table_parent->row->name),
							 errhint("Register model \"%s\" again to create it.",
									 res->table_parent->row->name)));
				/*
				 * The shared table as a whole: its owner's columns and
				 * every single-table subclass's, so that a column or a
				 * constraint a subclass no longer has goes as it would
				 * from the owner's own definition.
				 */
				steps = diff_table(corm_table_owner(res), relid, true, drop_columns, &rebuild,
								   &indexes);
				break;
			}
	}
	if (rebuild)
		drop_views_over(corm_table_owner(res));
	corm_run_steps(steps);
	/* the table is where the definition puts it now: so says the call's resolved model */
	if (res->kind == CORM_ROOT || res->kind == CORM_JOINED)
	{
		res->row->table_schema = res->schema;
		res->row->table_name = res->table;
	}
	if (res->kind != CORM_ABSTRACT)
	{
		List	   *names = NIL;

		foreach(lc, indexes)
			names = lappend(names, ((CormPlannedIndex *) lfirst(lc))->name);
		corm_record_table_indexes(corm_table_owner(res)->row->name, names);
	}
	if (rebuild)
	{
		List	   *over = corm_models_to_sync("model", corm_table_owner(res)->row->name);

		move_joined_tables(over);
		/*
		 * Every view over the table went: make them all again first, then
		 * the functions over them, since a function of one model may
		 * return another's row (a relationship back to a parent).
		 */
		foreach(lc, over)
		{
			CormResolved *other = corm_resolve_model(lfirst(lc), false);

			if (other->kind != CORM_ABSTRACT && !corm_table_moves(other))
				corm_sync_view(other);
		}
		/* and the relationships of other models that lead to one of them */
		foreach(lc, over)
		{
			ListCell   *rc;

			foreach(rc, corm_models_to_sync("relationship target", lfirst(lc)))
				if (!corm_name_in(over, lfirst(rc)))
					over = lappend(over, lfirst(rc));
		}
		foreach(lc, functions_order(over))
		{
			CormResolved *other = corm_resolve_model(lfirst(lc), false);

			if (other->kind != CORM_ABSTRACT && !corm_table_moves(other))
				corm_sync_functions(other);
		}
	}
	if (res->kind != CORM_ABSTRACT)
	{
		/* (a remote table's trigger is compared there, with its table) */
		if (corm_table_owner(res)->server == NULL)
			corm_run_steps(diff_trigger(corm_table_owner(res)));
		corm_sync_view(res);
		corm_sync_functions(res);
		/* single-table ancestors list the identities of their subclasses */
		for (const char *p = res->row->parent; p;)
		{
			CormResolved *ancestor = corm_resolve_model(p, false);

			if (ancestor->kind == CORM_SINGLE)
				corm_sync_view(ancestor);
			p = ancestor->row->parent;
		}
		/*
		 * relationships of other models that lead here (one whose own table
		 * is still to move makes them when its turn comes)
		 */
		foreach(lc, corm_models_to_sync("relationship target", name))
		{
			CormResolved *other = corm_resolve_model(lfirst(lc), false);

			if (!corm_table_moves(other))
				corm_sync_functions(other);
		}
		if (res->kind == CORM_SINGLE)
			sync_sharers_relationships(res);
	}
	corm_record_table(name, corm_kind_name(res->kind),
					  res->kind == CORM_ABSTRACT ? NULL : res->schema,
					  res->kind == CORM_ABSTRACT ? NULL : res->table);
}

/* sync models in the order given (parents before children) */
void
corm_sync_models(List *names, bool drop_columns)
{
	ListCell   *lc;

	foreach(lc, names)
		corm_sync_model(lfirst(lc), false, drop_columns);
}
