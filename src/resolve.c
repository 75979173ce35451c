/*
 * resolve.c — a model's full column list
 *
 * Columns come, in Python's method resolution order, from: the model class's
 * primary key, the model class's columns, an abstract parent's columns, each
 * mixin in the order listed (a mixin's included mixins before its own
 * columns), and last the model's own.  The model's own definition overrides
 * an earlier one with a NOTICE; any other two sources that define a column
 * differently are an error naming both.
 *
 * A model then is one of:
 *   root      no table-holding ancestor; a table of its own
 *   joined    a primary key of its own under a table-holding ancestor: a
 *             table of its own with only its own columns, keyed by a foreign
 *             key to the parent's primary key
 *   single    no primary key of its own: its columns go, nullable, into the
 *             nearest ancestor's table (a discriminator is required)
 *   abstract  no table; its columns pass to its subclasses like a mixin's
 */
#include "corm.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/nodes.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

/*
 * Resolved models of the current call; reset at the start of every call
 * and whenever the call has changed the catalog rows they come from.
 */
static List *resolve_cache = NIL;

void
corm_reset_resolve_cache(void)
{
	resolve_cache = NIL;
	corm_forget_catalog_rows();
}

const char *
corm_kind_name(CormKind kind)
{
	switch (kind)
	{
		case CORM_ROOT:
			return "root";
		case CORM_JOINED:
			return "joined";
		case CORM_SINGLE:
			return "single";
		case CORM_ABSTRACT:
			return "abstract";
	}
	return "?";
}

CormColumn *
corm_find_column(List *columns, const char *name)
{
	ListCell   *lc;

	foreach(lc, columns)
	{
		CormColumn *col = lfirst(lc);

		if (strcmp(col->name, name) == 0)
			return col;
	}
	return NULL;
}

/* whether a column definition has a constraint of a kind */
bool
corm_has_constraint(ColumnDef *def, ConstrType type)
{
	ListCell   *lc;

	foreach(lc, def->constraints)
		if (((Constraint *) lfirst(lc))->contype == type)
			return true;
	return false;
}

/* the one primary key column among columns, or NULL (none, or several) */
CormColumn *
corm_single_key(List *columns)
{
	CormColumn *key = NULL;
	ListCell   *lc;

	foreach(lc, columns)
	{
		CormColumn *col = lfirst(lc);

		if (col->primary_key)
		{
			if (key)
				return NULL;
			key = col;
		}
	}
	return key;
}

/* a model's view, <name>_view in its table's schema, qualified and quoted */
char *
corm_view_qualified(CormResolved *res)
{
	return corm_qualified(res->schema, psprintf("%s_view", res->basename));
}

/* the state of one resolution while sources are merged */
typedef struct Merge
{
	const char *model;
	bool		notices;
	CormColumnList *own;		/* the model's own columns, which settle clashes */
	List	   *columns;
	List	   *constraints;
	List	   *mixins_seen;
} Merge;

static bool
defines_column(CormColumnList *list, const char *name)
{
	ListCell   *lc;

	foreach(lc, list->elements)
	{
		Node	   *node = ((CormElement *) lfirst(lc))->node;

		if (IsA(node, ColumnDef) && strcmp(((ColumnDef *) node)->colname, name) == 0)
			return true;
	}
	return false;
}

static void
merge_element(Merge *m, CormElement *elem, const char *origin, const char *source,
			  bool own, CormColumn *template)
{
	ColumnDef  *def;
	CormColumn *existing;
	CormColumn *col;

	if (IsA(elem->node, Constraint))
	{
		ListCell   *lc;

		foreach(lc, m->constraints)
			if (equal(((CormElement *) lfirst(lc))->node, elem->node))
				return;
		m->constraints = lappend(m->constraints, elem);
		return;
	}
	def = (ColumnDef *) elem->node;
	existing = corm_find_column(m->columns, def->colname);
	if (existing && equal(existing->def, def))
		return;
	if (existing && !own && defines_column(m->own, def->colname))
		return;					/* the model's own definition settles it */
	if (existing && !own)
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_COLUMN),
				 errmsg("column \"%s\" of model \"%s\" is defined differently by %s and %s",
						def->colname, m->model, existing->source, source),
				 errdetail("%s: %s\n%s: %s", existing->source, existing->elem->text,
						   source, elem->text),
				 errhint("Define the column the same way in both, or define it in model \"%s\" itself to override them.",
						 m->model)));
	if (existing && m->notices)
		ereport(NOTICE,
				(errmsg("column \"%s\" of model \"%s\" overrides the one from %s",
						def->colname, m->model, existing->source)));
	col = existing ? existing : palloc0(sizeof(CormColumn));
	if (template)
		*col = *template;
	col->name = def->colname;
	col->elem = elem;
	col->def = def;
	col->origin = (char *) origin;
	col->source = (char *) source;
	if (col->add_pk_clause && corm_has_constraint(def, CONSTR_PRIMARY))
		col->add_pk_clause = false;
	corm_resolve_type(elem, NULL, &col->typid, &col->typmod, &col->is_serial);
	if (existing == NULL)
		m->columns = lappend(m->columns, col);
}

static void
merge_list(Merge *m, CormColumnList *list, const char *origin, const char *source, bool own)
{
	ListCell   *lc;

	foreach(lc, list->elements)
		merge_element(m, lfirst(lc), origin, source, own, NULL);
}

/* a mixin's columns: its included mixins' first, then its own */
static void
merge_mixin(Merge *m, const char *name, int depth)
{
	CormMixinRow *mixin;
	ListCell   *lc;

	foreach(lc, m->mixins_seen)
		if (strcmp(lfirst(lc), name) == 0)
			return;
	if (depth > 100)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
				 errmsg("mixin \"%s\" includes itself", name)));
	m->mixins_seen = lappend(m->mixins_seen, (char *) name);
	mixin = corm_load_mixin(name, false);
	foreach(lc, mixin->mixins)
		merge_mixin(m, lfirst(lc), depth + 1);
	merge_list(m, corm_parse_columns(mixin->columns,
									 psprintf("columns of mixin \"%s\"", name)),
			   psprintf("mixin %s", name), psprintf("mixin \"%s\"", name), false);
}

/* the model class's primary key: one column definition */
static void
merge_primary_key(Merge *m, CormModelClassRow *mc)
{
	CormColumnList *list;
	CormElement *elem;
	CormColumn	template = {0};

	if (mc->primary_key == NULL)
		return;
	list = corm_parse_columns(mc->primary_key,
							  psprintf("primary key of model class \"%s\"", mc->name));
	if (list_length(list->elements) != 1 ||
		!IsA(((CormElement *) linitial(list->elements))->node, ColumnDef))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TABLE_DEFINITION),
				 errmsg("primary key of model class \"%s\" must be one column definition",
						mc->name),
				 errhint("Write it as a column definition, e.g. 'id integer'.")));
	elem = linitial(list->elements);
	template.primary_key = true;
	template.add_pk_clause = !corm_has_constraint((ColumnDef *) elem->node, CONSTR_PRIMARY);
	merge_element(m, elem, psprintf("model class %s", mc->name),
				  psprintf("model class \"%s\"", mc->name), false, &template);
}

static bool
is_integer_type(Oid typid)
{
	return typid == INT2OID || typid == INT4OID || typid == INT8OID;
}

/* mark the primary key columns; true when the model declares any */
static bool
find_primary_key(List *columns, List *constraints)
{
	bool		found = false;
	ListCell   *lc;

	foreach(lc, columns)
	{
		CormColumn *col = lfirst(lc);

		if (corm_has_constraint(col->def, CONSTR_PRIMARY))
			col->primary_key = true;
		found |= col->primary_key;
	}
	foreach(lc, constraints)
	{
		Constraint *con = (Constraint *) ((CormElement *) lfirst(lc))->node;
		ListCell   *kc;

		if (con->contype != CONSTR_PRIMARY)
			continue;
		found = true;
		foreach(kc, con->keys)
		{
			CormColumn *col = corm_find_column(columns, strVal(lfirst(kc)));

			if (col)
				col->primary_key = true;
		}
	}
	return found;
}

static char *
current_creation_schema(void)
{
	List	   *path = fetch_search_path(false);

	if (path == NIL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_SCHEMA),
				 errmsg("no schema has been selected to create in"),
				 errhint("Set search_path to the schema the models' tables belong in.")));
	return get_namespace_name(linitial_oid(path));
}

/*
 * Where a model with a table of its own puts it: its bind's schema and
 * tablespace under a binding meta policy, else the schema it was first
 * created in, else the current schema.  A model that left its bind (its
 * bind_key dropped, its meta policy no longer binding) goes to the current
 * schema, as it would in a fresh database: its table is in a bind's schema.
 */
static void
resolve_bind(CormResolved *res, CormModelClassRow *mc, bool notices)
{
	CormModelRow *row = res->row;
	CormResolved *parent = row->parent ? corm_resolve_model(row->parent, false) : NULL;
	CormMetaRow *meta = corm_load_meta(mc->meta, false);

	res->bind_key = row->bind_key ? row->bind_key : parent ? parent->bind_key : NULL;
	if (res->bind_key && !meta->binding)
	{
		if (notices && row->bind_key)
			ereport(WARNING,
					(errmsg("bind key \"%s\" of model \"%s\" is ignored", res->bind_key, row->name),
					 errdetail("Meta policy \"%s\" of model class \"%s\" does not bind models.",
							   meta->name, mc->name)));
		res->bind_key = NULL;
	}
	if (res->bind_key)
	{
		CormBindRow *bind = corm_load_bind(res->bind_key, row->name);

		res->schema = bind->schema;
		res->tablespace = bind->tablespace;
		res->server = bind->server;
	}
	else if (row->table_schema && row->kind && strcmp(row->kind, "single") != 0 &&
			 !corm_is_bind_schema(row->table_schema))
		res->schema = row->table_schema;
	else
		res->schema = current_creation_schema();
}

/* the table name a model gets under its meta policy */
static char *
model_table_name(CormResolved *res, CormModelClassRow *mc)
{
	CormModelRow *row = res->row;
	CormMetaRow *meta;
	char	   *name;

	if (row->tablename)
		name = row->tablename;
	else
	{
		meta = corm_load_meta(mc->meta, false);
		if (strcmp(meta->naming, "snake_case") == 0)
			name = corm_snake_case(row->name);
		else if (strcmp(meta->naming, "none") == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TABLE_DEFINITION),
					 errmsg("model \"%s\" has no table name", row->name),
					 errdetail("Meta policy \"%s\" of model class \"%s\" does not generate table names.",
							   meta->name, mc->name),
					 errhint("Pass tablename => '...' to corm.register_model().")));
		else
			name = corm_call_naming(meta->naming, meta->name, row->name);
	}
	corm_check_identifier(name, "table name", row->name);
	return name;
}

/* the discriminator column of a model's hierarchy, or NULL */
const char *
corm_discriminator(CormResolved *res)
{
	for (CormResolved *r = res; r; r = r->table_parent)
	{
		if (r->row->polymorphic_on)
			return r->row->polymorphic_on;
		if (r->row->parent)
		{
			CormResolved *p = corm_resolve_model(r->row->parent, false);

			if (p->row->polymorphic_on)
				return p->row->polymorphic_on;
		}
	}
	return NULL;
}

/* validate an onupdate list against the model's full row */
static List *
resolve_onupdate(CormResolved *res, const char *text, const char *what)
{
	List	   *list = corm_parse_onupdate(text, what);
	ListCell   *lc;

	foreach(lc, list)
	{
		CormAssignment *a = lfirst(lc);

		a->source = (char *) what;
		if (!corm_find_column(res->columns, a->column))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("column \"%s\" in %s is not a column of model \"%s\"",
							a->column, what, res->row->name)));
	}
	return list;
}

static CormAssignment *
find_assignment(List *assignments, const char *column)
{
	ListCell   *lc;

	foreach(lc, assignments)
		if (strcmp(((CormAssignment *) lfirst(lc))->column, column) == 0)
			return lfirst(lc);
	return NULL;
}

/*
 * Add assignments in precedence order: the model's own ("own") replace
 * earlier ones; two others that differ for a column the model does not set
 * itself are an error naming both.
 */
static void
merge_assignments(CormResolved *res, List *list, List *own)
{
	ListCell   *lc;

	foreach(lc, list)
	{
		CormAssignment *a = lfirst(lc);
		CormAssignment *existing = find_assignment(res->onupdate, a->column);

		if (existing == NULL)
			res->onupdate = lappend(res->onupdate, a);
		else if (list == own || find_assignment(own, a->column))
			*existing = *a;
		else if (strcmp(existing->text, a->text) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_COLUMN),
					 errmsg("column \"%s\" of model \"%s\" is given different onupdate expressions by %s and %s",
							a->column, res->row->name, existing->source, a->source),
					 errhint("Give the same expression in both, or set the column's onupdate in model \"%s\" itself.",
							 res->row->name)));
	}
}

/*
 * The assignments the model's own table carries.  One for a column of a
 * parent's table must be the parent's already: each table's trigger sets
 * only that table's columns.
 */
static void
place_assignments(CormResolved *res)
{
	ListCell   *lc;

	foreach(lc, res->onupdate)
	{
		CormAssignment *a = lfirst(lc);
		CormAssignment *inherited;

		if (corm_find_column(res->table_columns, a->column))
		{
			res->table_onupdate = lappend(res->table_onupdate, a);
			continue;
		}
		inherited = res->table_parent ?
			find_assignment(res->table_parent->onupdate, a->column) : NULL;
		if (inherited == NULL || strcmp(inherited->text, a->text) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("%s sets column \"%s\", which model \"%s\" stores in the table of model \"%s\"",
							a->source, a->column, res->row->name, res->table_parent->row->name),
					 errhint("Declare the onupdate on model \"%s\", whose table holds the column.",
							 res->table_parent->row->name)));
	}
}

/* onupdate: an abstract parent's, the mixins', then the model's own */
static void
resolve_model_onupdate(CormResolved *res, CormResolved *parent, List *mixins)
{
	List	   *own = resolve_onupdate(res, res->row->onupdate,
										   psprintf("onupdate of model \"%s\"", res->row->name));
	ListCell   *lc;

	if (parent && parent->kind == CORM_ABSTRACT)
		merge_assignments(res, parent->onupdate, own);
	foreach(lc, mixins)
	{
		CormMixinRow *mixin = corm_load_mixin(lfirst(lc), false);

		merge_assignments(res, resolve_onupdate(res, mixin->onupdate,
												psprintf("onupdate of mixin \"%s\"", mixin->name)),
						  own);
	}
	merge_assignments(res, own, own);
}

/* the indexes of one source, parsed, in the order given */
static List *
source_indexes(List *texts, const char *what, const char *origin)
{
	List	   *result = NIL;
	ListCell   *lc;

	foreach(lc, texts)
	{
		CormIndex  *index = palloc0(sizeof(CormIndex));

		index->def = corm_parse_index(lfirst(lc), what);
		index->origin = (char *) origin;
		result = lappend(result, index);
	}
	return result;
}

/*
 * The indexes a model puts on its table: those of its model class, an
 * abstract parent, its mixins (in the order they merged) and its own.  One
 * from a model class or mixin goes where its columns are: a joined
 * subclass's table gets it only when that table holds every column it
 * reads (else its parent's table has it already).  The model's own must
 * read columns of the row it is on.
 */
static void
resolve_indexes(CormResolved *res, CormResolved *parent, CormModelClassRow *mc, List *mixins)
{
	List	   *candidates;
	List	   *on = (res->kind == CORM_JOINED) ? res->table_columns : res->columns;
	ListCell   *lc;

	candidates = source_indexes(mc->indexes, psprintf("indexes of model class \"%s\"", mc->name),
								psprintf("model class %s", mc->name));
	if (parent && parent->kind == CORM_ABSTRACT)
		candidates = list_concat(candidates, parent->indexes);
	foreach(lc, mixins)
	{
		CormMixinRow *mixin = corm_load_mixin(lfirst(lc), false);

		candidates = list_concat(candidates,
								 source_indexes(mixin->indexes,
												psprintf("indexes of mixin \"%s\"", mixin->name),
												psprintf("mixin %s", mixin->name)));
	}
	candidates = list_concat(candidates,
							 source_indexes(res->row->indexes,
											psprintf("indexes of model \"%s\"", res->row->name),
											"own"));
	if (res->kind == CORM_ABSTRACT)
	{
		res->indexes = candidates;
		return;
	}
	foreach(lc, candidates)
	{
		CormIndex  *index = lfirst(lc);
		ListCell   *cc;
		char	   *elsewhere = NULL;

		foreach(cc, index->def->columns)
		{
			if (corm_find_column(on, lfirst(cc)))
				continue;
			if (corm_find_column(res->columns, lfirst(cc)))
				elsewhere = lfirst(cc);
			else
				ereport(ERROR,
						(errcode(ERRCODE_UNDEFINED_COLUMN),
						 errmsg("column \"%s\" does not exist", (char *) lfirst(cc)),
						 errdetail("The index \"%s\" reads it; model \"%s\" has no such column.",
								   index->def->text, res->row->name),
						 errcontext("%s", index->def->what)));
		}
		if (elsewhere == NULL)
			res->indexes = lappend(res->indexes, index);
		else if (strcmp(index->origin, "own") == 0)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("index \"%s\" of model \"%s\" reads column \"%s\", which is in the table of model \"%s\"",
							index->def->text, res->row->name, elsewhere, res->table_parent->row->name),
					 errhint("An index is on one table: declare it on model \"%s\".",
							 res->table_parent->row->name)));
	}
}

/*
 * Whether the model's own definition (its columns or mixins) declares a
 * primary key, not only its model class.
 */
static bool
own_primary_key(List *columns, List *constraints)
{
	ListCell   *lc;

	foreach(lc, constraints)
		if (((Constraint *) ((CormElement *) lfirst(lc))->node)->contype == CONSTR_PRIMARY)
			return true;
	foreach(lc, columns)
	{
		CormColumn *col = lfirst(lc);

		if (col->primary_key && strncmp(col->origin, "model class ", 12) != 0)
			return true;
	}
	return false;
}

/*
 * Whether a model's own table is still to move: the name or schema its
 * definition gives now is not where corm made it.  Its own sync moves it;
 * until then its view and functions stay where they are.
 */
bool
corm_table_moves(CormResolved *res)
{
	CormModelRow *row = res->row;

	return (res->kind == CORM_ROOT || res->kind == CORM_JOINED) && row->table_name &&
		(strcmp(row->table_schema, res->schema) != 0 || strcmp(row->table_name, res->table) != 0);
}

/* the model whose own table holds a model's row (itself unless single-table) */
CormResolved *
corm_table_owner(CormResolved *res)
{
	while (res->kind == CORM_SINGLE)
		res = res->table_parent;
	return res;
}

/* the single-table subclasses whose columns live in owner's table */
List *
corm_single_sharers(CormResolved *owner)
{
	List	   *result = NIL;
	ListCell   *lc;

	foreach(lc, corm_models_to_sync("model", owner->row->name))
	{
		CormResolved *d;

		if (strcmp(lfirst(lc), owner->row->name) == 0)
			continue;
		d = corm_resolve_model(lfirst(lc), false);
		if (d->kind == CORM_SINGLE && corm_table_owner(d) == owner)
			result = lappend(result, d);
	}
	return result;
}

static CormColumn *
copy_column(CormColumn *col)
{
	CormColumn *copy = palloc(sizeof(CormColumn));

	*copy = *col;
	return copy;
}

/*
 * Split the merged columns of a subclass into those its parent's row has
 * already and the ones its table (or, single-table, its additions) holds.
 */
static void
resolve_subclass(CormResolved *res, Merge *m, CormResolved *tp)
{
	ListCell   *lc;

	foreach(lc, tp->columns)
	{
		CormColumn *col = copy_column(lfirst(lc));

		col->in_table = false;
		if (strncmp(col->origin, "inherited from ", 15) != 0)
		{
			col->origin = psprintf("inherited from %s", tp->row->name);
			col->source = psprintf("model \"%s\"", tp->row->name);
		}
		col->identity = false;
		res->columns = lappend(res->columns, col);
	}
	foreach(lc, m->columns)
	{
		CormColumn *col = lfirst(lc);
		CormColumn *inherited = corm_find_column(tp->columns, col->name);

		if (res->kind == CORM_JOINED && col->primary_key)
		{
			CormColumn *ppk = NULL;
			ListCell   *pc;
			int			npk = 0;

			foreach(pc, tp->columns)
			{
				if (((CormColumn *) lfirst(pc))->primary_key)
				{
					ppk = lfirst(pc);
					npk++;
				}
			}
			if (npk != 1)
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("model \"%s\" cannot inherit from model \"%s\" by joined tables",
								res->row->name, tp->row->name),
						 errdetail("Joined-table inheritance needs a parent with a one-column primary key.")));
			col->in_table = true;
			if (!corm_has_constraint(col->def, CONSTR_FOREIGN))
				col->references = psprintf("REFERENCES %s (%s) ON DELETE CASCADE",
										   corm_qualified(tp->schema, tp->table),
										   quote_identifier(ppk->name));
			res->table_columns = lappend(res->table_columns, col);
			if (!inherited)
				res->columns = lappend(res->columns, col);
			continue;
		}
		if (inherited)
		{
			if (strcmp(col->origin, "own") == 0)
				ereport(ERROR,
						(errcode(ERRCODE_DUPLICATE_COLUMN),
						 errmsg("column \"%s\" of model \"%s\" is already a column of model \"%s\"",
								col->name, res->row->name, tp->row->name),
						 errhint("A subclass inherits its parent's columns; remove it from model \"%s\" or give it another name.",
								 res->row->name)));
			continue;			/* a mixin's column the parent has already */
		}
		col->in_table = true;
		col->nullable_forced = (res->kind == CORM_SINGLE);
		res->columns = lappend(res->columns, col);
		res->table_columns = lappend(res->table_columns, col);
	}
	foreach(lc, m->constraints)
	{
		CormElement *elem = lfirst(lc);
		ListCell   *pc;
		bool		known = false;

		foreach(pc, tp->all_constraints)
			known |= equal(((CormElement *) lfirst(pc))->node, elem->node);
		if (!known)
			res->constraints = lappend(res->constraints, elem);
	}
	res->all_constraints = list_concat(list_copy(tp->all_constraints), res->constraints);
}

static CormResolved *
resolve_uncached(const char *name, bool notices)
{
	CormResolved *res = palloc0(sizeof(CormResolved));
	CormModelRow *row = corm_load_model(name, false);
	CormResolved *parent = NULL;
	CormModelClassRow *mc;
	Merge		m = {0};
	bool		has_pk;
	ListCell   *lc;

	res->row = row;
	if (row->parent)
	{
		parent = corm_resolve_model(row->parent, false);
		res->table_parent = (parent->kind == CORM_ABSTRACT) ? parent->table_parent : parent;
	}
	res->model_class = row->model_class ? row->model_class :
		parent ? parent->model_class : "Model";
	mc = corm_load_model_class(res->model_class, false);

	m.model = row->name;
	m.notices = notices;
	m.own = corm_parse_columns(row->columns, psprintf("columns of model \"%s\"", row->name));
	merge_primary_key(&m, mc);
	merge_list(&m, corm_parse_columns(mc->columns,
									  psprintf("columns of model class \"%s\"", mc->name)),
			   psprintf("model class %s", mc->name),
			   psprintf("model class \"%s\"", mc->name), false);
	if (parent && parent->kind == CORM_ABSTRACT)
	{
		foreach(lc, parent->columns)
		{
			CormColumn *col = lfirst(lc);

			merge_element(&m, col->elem,
						  strcmp(col->origin, "own") == 0 ?
						  psprintf("inherited from %s", parent->row->name) : col->origin,
						  strcmp(col->origin, "own") == 0 ?
						  psprintf("model \"%s\"", parent->row->name) : col->source,
						  false, col);
		}
		foreach(lc, parent->constraints)
			merge_element(&m, lfirst(lc), NULL, NULL, false, NULL);
	}
	foreach(lc, row->mixins)
		merge_mixin(&m, lfirst(lc), 0);
	merge_list(&m, m.own, "own", psprintf("model \"%s\"", row->name), true);

	has_pk = find_primary_key(m.columns, m.constraints);

	if (row->abstract)
	{
		res->kind = CORM_ABSTRACT;
		res->bind_key = row->bind_key ? row->bind_key : parent ? parent->bind_key : NULL;
		res->columns = m.columns;
		res->constraints = m.constraints;
		res->all_constraints = m.constraints;
		resolve_model_onupdate(res, parent, m.mixins_seen);
		resolve_indexes(res, parent, mc, m.mixins_seen);
		return res;
	}
	if (res->table_parent == NULL)
	{
		if (!has_pk)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TABLE_DEFINITION),
					 errmsg("could not assemble any primary key for model \"%s\"", row->name),
					 errdetail("Neither its model class \"%s\", its mixins nor its columns declare a primary key.",
							   mc->name),
					 errhint("Use a model class with a primary_key, or declare one in columns, e.g. 'id integer PRIMARY KEY'.")));
		res->kind = CORM_ROOT;
		res->columns = m.columns;
		res->table_columns = m.columns;
		res->constraints = m.constraints;
		res->all_constraints = m.constraints;
		foreach(lc, res->columns)
		{
			CormColumn *col = lfirst(lc);

			col->in_table = true;
		}
	}
	else
	{
		const char *asked = row->inheritance;

		res->kind = has_pk ? CORM_JOINED : CORM_SINGLE;
		if (asked && strcmp(asked, "joined") == 0 && !has_pk)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TABLE_DEFINITION),
					 errmsg("model \"%s\" asks for joined-table inheritance but has no primary key",
							row->name),
					 errhint("A table of its own needs a primary key: use a model class with a primary_key, or declare one in its columns.")));
		if (asked && strcmp(asked, "single") == 0 && has_pk)
		{
			if (own_primary_key(m.columns, m.constraints))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_TABLE_DEFINITION),
						 errmsg("model \"%s\" asks for single-table inheritance but declares a primary key of its own",
								row->name),
						 errhint("Its rows go into the table of model \"%s\": leave the primary key out.",
								 res->table_parent->row->name)));
			res->kind = CORM_SINGLE;
		}
		if (asked == NULL && has_pk && notices && !own_primary_key(m.columns, m.constraints) &&
			corm_discriminator(res) != NULL)
			ereport(NOTICE,
					(errmsg("model \"%s\" gets a table of its own (joined-table inheritance) from the primary key of model class \"%s\"",
							row->name, mc->name),
					 errhint("Pass inheritance => 'single' to keep its rows in the table of model \"%s\".",
							 corm_table_owner(res->table_parent)->row->name)));
	}

	if (res->kind == CORM_SINGLE)
	{
		if (row->tablename)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TABLE_DEFINITION),
					 errmsg("model \"%s\" has a tablename but no primary key of its own",
							row->name),
					 errhint("A table of its own needs a primary key; without tablename its columns join the table of model \"%s\".",
							 res->table_parent->row->name)));
		if (corm_discriminator(res) == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TABLE_DEFINITION),
					 errmsg("model \"%s\" needs a discriminator for single-table inheritance",
							row->name),
					 errdetail("It has no primary key of its own, so its rows go into the table of model \"%s\".",
							   res->table_parent->row->name),
					 errhint("Pass polymorphic_on => 'column' when registering model \"%s\", or give model \"%s\" a primary key of its own for joined-table inheritance.",
							 res->table_parent->row->name, row->name)));
		if (row->bind_key &&
			strcmp(row->bind_key, corm_table_owner(res->table_parent)->bind_key ?
				   corm_table_owner(res->table_parent)->bind_key : "") != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TABLE_DEFINITION),
					 errmsg("model \"%s\" has bind key \"%s\" but its rows go into the table of model \"%s\"",
							row->name, row->bind_key, corm_table_owner(res->table_parent)->row->name),
					 errhint("A single-table subclass lives in its parent's table; drop its bind_key, or give it a primary key of its own.")));
		res->bind_key = corm_table_owner(res->table_parent)->bind_key;
		res->schema = res->table_parent->schema;
		res->server = res->table_parent->server;
		res->table = res->table_parent->table;
		res->basename = corm_snake_case(row->name);
	}
	else
	{
		resolve_bind(res, mc, notices);
		res->table = model_table_name(res, mc);
		res->basename = res->table;
	}
	if (res->kind != CORM_ROOT)
		resolve_subclass(res, &m, res->table_parent);
	foreach(lc, res->table_columns)
		((CormColumn *) lfirst(lc))->table = corm_qualified(res->schema, res->table);

	/* a single integer key of a root is an identity column */
	if (res->kind == CORM_ROOT)
	{
		CormColumn *only = NULL;
		int			npk = 0;

		foreach(lc, res->columns)
		{
			CormColumn *col = lfirst(lc);

			if (col->primary_key)
			{
				only = col;
				npk++;
			}
		}
		if (npk == 1 && is_integer_type(only->typid) && !only->is_serial &&
			!corm_has_constraint(only->def, CONSTR_DEFAULT) &&
			!corm_has_constraint(only->def, CONSTR_IDENTITY) &&
			!corm_has_constraint(only->def, CONSTR_GENERATED))
			only->identity = true;
	}

	if (row->polymorphic_on && !corm_find_column(res->columns, row->polymorphic_on))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("discriminator \"%s\" of model \"%s\" is not one of its columns",
						row->polymorphic_on, row->name)));

	resolve_model_onupdate(res, parent, m.mixins_seen);
	place_assignments(res);
	resolve_indexes(res, parent, mc, m.mixins_seen);
	return res;
}

typedef struct CacheEntry
{
	char	   *name;
	CormResolved *res;
} CacheEntry;

/*
 * Resolve a model, once per call.  "notices" reports overridden columns;
 * only the model being registered does.
 */
CormResolved *
corm_resolve_model(const char *name, bool notices)
{
	ListCell   *lc;
	CacheEntry *entry;

	foreach(lc, resolve_cache)
	{
		entry = lfirst(lc);
		if (strcmp(entry->name, name) == 0)
			return entry->res;
	}
	check_stack_depth();
	entry = palloc(sizeof(CacheEntry));
	entry->name = pstrdup(name);
	entry->res = resolve_uncached(name, notices);
	resolve_cache = lappend(resolve_cache, entry);
	return entry->res;
}
