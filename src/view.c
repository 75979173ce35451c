/*
 * view.c — every model's full row as a view, <name>_view
 *
 * A model whose row lives in one table gets a simple view, which
 * PostgreSQL itself makes insertable, updatable and deletable; a
 * single-table subclass's view keeps to its rows (its identity and its
 * subclasses') WITH CASCADED CHECK OPTION, and fills the discriminator in.
 * A model whose row spans joined tables gets a join of them, made writable
 * by corm.view_trigger() (viewtrigger.c); its columns default as their
 * tables' columns do, so an INSERT that leaves a column out gets the
 * table's default, the root's generated key among them.
 *
 * The DDL corm ran for a view is kept in the catalog; a view whose
 * definition would be the same again is left alone.
 */
#include "corm.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/regproc.h"

/* the models whose own tables hold a model's row, the root first */
static List *
view_levels(CormResolved *res)
{
	List	   *levels = NIL;

	for (CormResolved *owner = corm_table_owner(res); owner;
		 owner = owner->kind == CORM_JOINED ? corm_table_owner(owner->table_parent) : NULL)
		levels = lcons(owner, levels);
	return levels;
}

/* the key column of a level's table: its one primary key column */
static CormColumn *
level_key(CormResolved *level)
{
	return corm_single_key(level->table_columns);
}

static char *
view_name(CormResolved *res)
{
	char	   *name = psprintf("%s_view", res->basename);

	corm_check_identifier(name, "view name", res->row->name);
	return name;
}

static int
level_of(List *levels, CormColumn *col)
{
	ListCell   *lc;

	foreach(lc, levels)
	{
		CormResolved *level = lfirst(lc);

		if (strcmp(col->table, corm_qualified(level->schema, level->table)) == 0)
			return foreach_current_index(lc);
	}
	elog(ERROR, "column \"%s\" is in none of the tables of its model", col->name);
	return -1;
}

typedef struct PlacedColumn
{
	CormColumn *col;
	int			level;			/* the table that holds it, the root's 0 */
	int			position;		/* in the model's declared row */
} PlacedColumn;

static int
compare_placed(const ListCell *a, const ListCell *b)
{
	PlacedColumn *x = lfirst(a);
	PlacedColumn *y = lfirst(b);

	if (x->level != y->level)
		return x->level - y->level;
	return x->position - y->position;
}

/*
 * The view's columns: the root table's first, then each joined table's;
 * within a table, in the model's declared order (corm.model_columns),
 * never in the order the table happens to hold them.  A column added to a
 * mixin after its tables were made is appended to each table, as
 * PostgreSQL appends every added column, but stands at the mixin's place
 * in the view and its row type, as in a database built afresh.
 */
static List *
view_columns(CormResolved *res, List *levels)
{
	List	   *placed = NIL;
	List	   *result = NIL;
	ListCell   *lc;

	foreach(lc, res->columns)
	{
		PlacedColumn *p = palloc(sizeof(PlacedColumn));

		p->col = lfirst(lc);
		p->level = level_of(levels, p->col);
		p->position = foreach_current_index(lc);
		placed = lappend(placed, p);
	}
	list_sort(placed, compare_placed);
	foreach(lc, placed)
		result = lappend(result, ((PlacedColumn *) lfirst(lc))->col);
	return result;
}

/* the identities of a model and every subclass of it, as SQL literals */
static char *
identities(CormResolved *res)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	foreach(lc, corm_models_to_sync("model", res->row->name))
	{
		CormResolved *d = corm_resolve_model(lfirst(lc), false);

		if (d->kind == CORM_ABSTRACT || d->row->polymorphic_identity == NULL)
			continue;
		appendStringInfo(&buf, "%s%s", buf.len ? ", " : "",
						 quote_literal_cstr(d->row->polymorphic_identity));
	}
	return buf.data;
}

/*
 * The defaults of a table's columns as the server prints them; an identity
 * column's is the next value of its sequence.  Empty before the table exists.
 */
static List *
table_defaults(CormResolved *level)
{
	char	   *table = corm_qualified(level->schema, level->table);
	Oid			argtypes[1] = {TEXTOID};
	Datum		values[1] = {CStringGetTextDatum(table)};
	List	   *result = NIL;

	if (corm_system_spi("SELECT a.attname::text,"
							  "       CASE WHEN a.attidentity <> '' THEN"
							  "            pg_catalog.format('nextval(%L::regclass)',"
							  "                   pg_catalog.pg_get_serial_sequence($1, a.attname))"
							  "       ELSE pg_catalog.pg_get_expr(d.adbin, d.adrelid) END"
							  "  FROM pg_catalog.pg_attribute a"
							  "  LEFT JOIN pg_catalog.pg_attrdef d"
							  "         ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
							  " WHERE a.attrelid = pg_catalog.to_regclass($1) AND a.attnum > 0"
							  "   AND NOT a.attisdropped AND a.attgenerated = ''"
							  "   AND (a.atthasdef OR a.attidentity <> '')"
							  " ORDER BY a.attnum", 1, argtypes, values, NULL) != SPI_OK_SELECT)
		elog(ERROR, "could not read the defaults of table %s", table);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		result = lappend(result, SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1));
		result = lappend(result, SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2));
	}
	return result;
}

/* the arguments of corm.view_trigger() for a joined view */
static char *
trigger_arguments(CormResolved *res, List *levels, const char *disc)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	appendStringInfo(&buf, "%s, %s, '%d'", quote_literal_cstr(disc ? disc : ""),
					 quote_literal_cstr(disc && res->row->polymorphic_identity ?
										res->row->polymorphic_identity : ""),
					 list_length(levels));
	foreach(lc, levels)
	{
		CormResolved *level = lfirst(lc);
		CormColumn *key = level_key(level);
		int			index = foreach_current_index(lc);
		List	   *cols = NIL;
		ListCell   *cc;

		foreach(cc, res->columns)
		{
			CormColumn *col = lfirst(cc);

			if (level_of(levels, col) == index && (index == 0 || strcmp(col->name, key->name) != 0))
				cols = lappend(cols, col->name);
		}
		appendStringInfo(&buf, ",\n        %s, %s, '%d'",
						 quote_literal_cstr(corm_qualified(level->schema, level->table)),
						 quote_literal_cstr(key->name), list_length(cols));
		foreach(cc, cols)
			appendStringInfo(&buf, ", %s", quote_literal_cstr(lfirst(cc)));
	}
	return buf.data;
}

/* a statement trigger of a joined view: corm.view_trigger() without arguments */
static CormStep *
statement_trigger(CormResolved *res, const char *name, const char *event, const char *view)
{
	return corm_make_step(CORM_VIEW, res, NULL,
						  psprintf("CREATE OR REPLACE TRIGGER %s\n"
								   "    %s ON %s\n"
								   "    FOR EACH STATEMENT EXECUTE FUNCTION corm.view_trigger()",
								   name, event, view));
}

/* the statements that (re)create a model's view */
List *
corm_plan_view(CormResolved *res)
{
	List	   *levels = view_levels(res);
	const char *disc = corm_discriminator(res);
	char	   *view = corm_qualified(res->schema, view_name(res));
	StringInfoData sql;
	List	   *steps = NIL;
	ListCell   *lc;

	if (res->kind == CORM_ABSTRACT)
		return NIL;
	foreach(lc, levels)
		if (list_length(levels) > 1 && level_key(lfirst(lc)) == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("model \"%s\" cannot have a view across its tables",
							res->row->name),
					 errdetail("Model \"%s\" has no one-column primary key.",
							   ((CormResolved *) lfirst(lc))->row->name)));

	initStringInfo(&sql);
	appendStringInfo(&sql, "CREATE OR REPLACE VIEW %s AS\nSELECT ", view);
	foreach(lc, view_columns(res, levels))
	{
		CormColumn *col = lfirst(lc);

		appendStringInfo(&sql, "%st%d.%s", foreach_current_index(lc) ? ", " : "",
						 level_of(levels, col), quote_identifier(col->name));
	}
	foreach(lc, levels)
	{
		CormResolved *level = lfirst(lc);
		int			i = foreach_current_index(lc);

		if (i == 0)
			appendStringInfo(&sql, "\n  FROM %s t0", corm_qualified(level->schema, level->table));
		else
			appendStringInfo(&sql, "\n  JOIN %s t%d ON t%d.%s = t0.%s",
							 corm_qualified(level->schema, level->table), i, i,
							 quote_identifier(level_key(level)->name),
							 quote_identifier(level_key(linitial(levels))->name));
	}
	if (res->kind == CORM_SINGLE)
	{
		appendStringInfo(&sql, "\n WHERE t0.%s IN (%s)", quote_identifier(disc), identities(res));
		if (list_length(levels) == 1)
			appendStringInfoString(&sql, "\n  WITH CASCADED CHECK OPTION");
	}
	steps = lappend(steps, corm_make_step(CORM_VIEW, res, NULL, sql.data));

	/* a join's columns default as their tables' do; the discriminator to the identity */
	if (list_length(levels) > 1)
	{
		foreach(lc, levels)
		{
			List	   *defaults = table_defaults(lfirst(lc));

			for (int i = 0; i + 1 < list_length(defaults); i += 2)
			{
				CormColumn *col = corm_find_column(res->columns, list_nth(defaults, i));

				if (col && level_of(levels, col) == foreach_current_index(lc) &&
					!(disc && strcmp(col->name, disc) == 0))
					steps = lappend(steps, corm_make_step(CORM_VIEW, res, NULL,
														  psprintf("ALTER VIEW %s ALTER COLUMN %s SET DEFAULT %s",
																   view, quote_identifier(col->name),
																   (char *) list_nth(defaults, i + 1))));
			}
		}
	}
	if (disc && res->row->polymorphic_identity)
		steps = lappend(steps, corm_make_step(CORM_VIEW, res, NULL,
											  psprintf("ALTER VIEW %s ALTER COLUMN %s SET DEFAULT %s",
													   view, quote_identifier(disc),
													   quote_literal_cstr(res->row->polymorphic_identity))));
	if (list_length(levels) > 1)
		steps = lappend(steps, corm_make_step(CORM_VIEW, res, NULL,
											  psprintf("CREATE OR REPLACE TRIGGER corm_view\n"
													   "    INSTEAD OF INSERT OR UPDATE OR DELETE ON %s\n"
													   "    FOR EACH ROW EXECUTE FUNCTION corm.view_trigger(%s)",
													   view, trigger_arguments(res, levels, disc))));

	/*
	 * PostgreSQL tells an INSTEAD OF row trigger nothing of the UPDATE's SET
	 * list, but a BEFORE statement trigger on the view gets it: the same
	 * function keeps it for the rows, so that onupdate goes by the columns
	 * the statement names, through the view as on a table.
	 */
	if (list_length(levels) > 1)
		steps = lappend(steps, statement_trigger(res, "corm_view_columns", "BEFORE UPDATE", view));

	/*
	 * An INSERT through the view writes the tables through the executor's
	 * insert path, row by row, which fires their row triggers only: the
	 * view's AFTER INSERT statement trigger fires the tables' AFTER
	 * statement triggers, once the view's rows are all in (their BEFORE
	 * statement triggers fire before the first).
	 */
	if (list_length(levels) > 1)
		steps = lappend(steps, statement_trigger(res, "corm_view_inserted", "AFTER INSERT", view));
	return steps;
}

/* whether an existing view's columns are the first of the planned ones */
static bool
columns_extend(Oid viewid, CormResolved *res)
{
	List	   *columns = view_columns(res, view_levels(res));
	Oid			argtypes[1] = {OIDOID};
	Datum		values[1] = {ObjectIdGetDatum(viewid)};

	if (corm_system_spi("SELECT attname::text, atttypid, atttypmod FROM pg_catalog.pg_attribute"
							  " WHERE attrelid = $1 AND attnum > 0 AND NOT attisdropped ORDER BY attnum", 1, argtypes, values, NULL) != SPI_OK_SELECT)
		elog(ERROR, "could not read the columns of view %u", viewid);
	if (SPI_processed > (uint64) list_length(columns))
		return false;
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		CormColumn *col = list_nth(columns, i);
		bool		isnull;
		char	   *name = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
		Oid			type = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2, &isnull));
		int32		typmod = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 3, &isnull));

		if (strcmp(name, col->name) != 0 || type != col->typid ||
			(!col->is_serial && typmod != col->typmod))
			return false;
	}
	return true;
}

/*
 * Grants on a view that corm drops to rebuild it are given again to the
 * new one, within the same call: (model, grantee, privilege, option).
 */
static List *saved_grants = NIL;

void
corm_reset_saved_grants(void)
{
	saved_grants = NIL;
}

/* drop a model's view, keeping its grants for the view that replaces it */
void
corm_drop_view(const char *view, const char *model)
{
	List	   *grants = corm_read_grants(view, false);
	ListCell   *lc;
	MemoryContext old;

	/*
	 * Kept for the transaction, not in the memory of the call (SPI's, which a
	 * nested call frees before the grants are given again).  Switched to
	 * after reading: SPI leaves its own memory current.
	 */
	old = MemoryContextSwitchTo(TopTransactionContext);
	foreach(lc, grants)
	{
		List	   *grant = lfirst(lc);

		saved_grants = lappend(saved_grants,
							   list_make4(pstrdup(model), pstrdup(linitial(grant)),
										  pstrdup(lsecond(grant)), pstrdup(lthird(grant))));
	}
	MemoryContextSwitchTo(old);
	corm_execute(psprintf("DROP VIEW IF EXISTS %s", view));
}

static void
restore_grants(const char *model, const char *view)
{
	ListCell   *lc;

	foreach(lc, saved_grants)
	{
		List	   *saved = lfirst(lc);	/* model, grantee, privilege, option */

		if (strcmp(linitial(saved), model) == 0)
			corm_execute(psprintf("GRANT %s ON %s TO %s%s", (char *) lthird(saved), view,
								  (char *) lsecond(saved), (char *) lfourth(saved)));
	}
	foreach(lc, saved_grants)
		if (strcmp(linitial((List *) lfirst(lc)), model) == 0)
			saved_grants = foreach_delete_current(saved_grants, lc);
}

/*
 * ALTER VIEW ... DROP DEFAULT for each column of an existing view with a
 * default that the plan does not set: CREATE OR REPLACE VIEW keeps a
 * column's default, so one the definition no longer has (a column of a
 * joined model's table whose default was dropped) would stay on the view.
 */
static List *
stale_defaults(CormResolved *res, Oid viewid, const char *view, List *steps)
{
	Oid			argtypes[1] = {OIDOID};
	Datum		values[1] = {ObjectIdGetDatum(viewid)};
	List	   *columns = NIL;
	List	   *result = NIL;
	ListCell   *lc;

	if (corm_system_spi("SELECT a.attname::text FROM pg_catalog.pg_attribute a"
						"  JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
						" WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped"
						" ORDER BY a.attnum", 1, argtypes, values, NULL) != SPI_OK_SELECT)
		elog(ERROR, "could not read the defaults of view %s", view);
	for (uint64 i = 0; i < SPI_processed; i++)
		columns = lappend(columns, SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1));
	foreach(lc, columns)
	{
		const char *column = quote_identifier(lfirst(lc));
		char	   *set = psprintf("ALTER VIEW %s ALTER COLUMN %s SET DEFAULT ", view, column);
		bool		planned = false;
		ListCell   *sc;

		foreach(sc, steps)
			planned |= strncmp(((CormStep *) lfirst(sc))->sql, set, strlen(set)) == 0;
		if (!planned)
			result = lappend(result, corm_make_step(CORM_VIEW, res, NULL,
													psprintf("ALTER VIEW %s ALTER COLUMN %s DROP DEFAULT",
															 view, column)));
	}
	return result;
}

/* bring a model's view to its definition; nothing when it is the same */
void
corm_sync_view(CormResolved *res)
{
	List	   *steps = corm_plan_view(res);
	char	   *definition = corm_plan_text(steps);
	char	   *recorded = corm_view_definition(res->row->name);
	char	   *recorded_name = corm_recorded_view(res->row->name);
	char	   *name = view_name(res);
	char	   *qualified = corm_qualified(res->schema, name);
	Oid			nsp = get_namespace_oid(res->schema, false);
	Oid			viewid = get_relname_relid(name, nsp);
	List	   *stale;

	if (steps == NIL)
		return;
	/* a model with a new table name or schema: its old view goes (if not gone already) */
	if (recorded_name && strcmp(recorded_name, qualified) != 0)
	{
		corm_drop_functions_over(res->row->name);
		if (OidIsValid(RangeVarGetRelid(makeRangeVarFromNameList(stringToQualifiedNameList(recorded_name)),
										NoLock, true)))
			corm_drop_view(recorded_name, res->row->name);
		recorded = NULL;
	}
	stale = OidIsValid(viewid) ? stale_defaults(res, viewid, qualified, steps) : NIL;
	if (OidIsValid(viewid) && recorded && strcmp(recorded, definition) == 0 &&
		!corm_view_changed(res->row->name))
	{
		/* the same view but for a default an earlier call left on it */
		if (stale != NIL)
		{
			corm_run_steps(stale);
			corm_record_view(res->row->name, qualified, definition);
		}
		return;
	}
	if (OidIsValid(viewid) && recorded == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_TABLE),
				 errmsg("relation %s already exists", corm_qualified(res->schema, name)),
				 errdetail("Model \"%s\" would create its view by that name.", res->row->name),
				 errhint("Rename or drop the relation, or give the model another tablename.")));
	if (OidIsValid(viewid) && !columns_extend(viewid, res))
	{
		/* the functions over the view go first; they are made again after it */
		corm_drop_functions_over(res->row->name);
		corm_drop_view(qualified, res->row->name);
		stale = NIL;
	}
	corm_run_steps(list_concat(stale, steps));
	restore_grants(res->row->name, qualified);
	corm_record_view(res->row->name, qualified, definition);
}
