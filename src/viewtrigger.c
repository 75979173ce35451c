/*
 * viewtrigger.c — corm.view_trigger(), INSTEAD OF INSERT, UPDATE and DELETE
 * on the view of a model stored across joined tables
 *
 * The trigger's arguments describe the view: its discriminator column and
 * the model's identity (or two empty strings), then the tables from the
 * root down, each as: table, key column, number of columns, the view's
 * columns stored in that table.  The key of every table below the root is
 * the root's key.
 *
 * INSERT writes each table in turn, the root first, straight through the
 * executor's own insert path (the one logical replication uses): BEFORE
 * triggers, generated columns, constraints, indexes and AFTER triggers
 * (foreign key checks) all run as for an INSERT statement, without planning
 * and starting a query per row.  The tables are opened once per statement
 * (InsertState, below), whose first row fires their BEFORE statement
 * triggers; the view's AFTER INSERT statement trigger, this function again,
 * queues their AFTER statement triggers.  A table with row-level security,
 * UPDATE and DELETE go through prepared statements instead.  What the
 * tables stored (after defaults and their own triggers) is what RETURNING
 * shows.
 *
 * An UPDATE writes only the tables that hold a column its SET list names,
 * and names there exactly those columns, so each table's own triggers see
 * the view's SET list (tg_updatedcols): the onupdate columns of a table the
 * statement does not touch stay as they are, as SQLAlchemy leaves a table
 * alone when none of its columns change.  PostgreSQL tells an INSTEAD OF
 * row trigger nothing about the SET list, but a BEFORE UPDATE statement
 * trigger on the view gets it; this function, fired so, keeps the set for
 * the row firings of the same statement (they run in the same executor
 * memory, which holds the set and drops it at the statement's end).  A
 * column whose value changes is named, with the statement trigger or
 * without it (then those are all the trigger knows of).
 *
 * The resolved description, and one UPDATE plan per set of a table's
 * columns seen, are cached per trigger and dropped when any of its
 * relations changes.
 */
#include "corm.h"

#include "access/htup_details.h"
#include "access/sysattr.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "lib/ilist.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "optimizer/optimizer.h"
#include "rewrite/rewriteHandler.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/regproc.h"
#include "utils/resowner.h"
#include "utils/rls.h"
#include "utils/varlena.h"

PG_FUNCTION_INFO_V1(corm_view_trigger);

/* an UPDATE of one table naming some of its columns (indexes into the level's) */
typedef struct LevelUpdate
{
	Bitmapset  *cols;
	SPIPlanPtr	plan;
} LevelUpdate;

/* the UPDATE plans a table keeps, one per set of columns; more are planned per row */
#define MAX_LEVEL_UPDATES 32

/* one table of the view */
typedef struct ViewLevel
{
	Oid			relid;
	char	   *table;			/* qualified, quoted: for statements */
	AttrNumber	key;			/* the key's attribute number in the table */
	int			ncols;
	AttrNumber *view_attnos;	/* the view's columns stored here */
	AttrNumber *table_attnos;	/* and where they are in the table */
	Oid		   *types;			/* their types, the statements' parameters */
	SPIPlanPtr	insert_plan;	/* for tables with row-level security */
	List	   *updates;		/* LevelUpdate, in the entry's memory */
	SPIPlanPtr	delete_plan;
} ViewLevel;

typedef struct ViewEntry
{
	Oid			tgoid;			/* hash key */
	bool		valid;
	int			busy;			/* firings using it now */
	MemoryContext cxt;
	Oid			viewid;
	AttrNumber	disc;			/* the discriminator in the view, or 0 */
	Datum		identity;		/* the value it must have */
	int			nlevels;
	ViewLevel  *levels;
	AttrNumber	key;			/* the root key in the view */
	Oid			keytype;
	uint64		generation;		/* a new one each time it is built */
} ViewEntry;

static HTAB *view_cache = NULL;
static uint64 view_generations = 0;

static void
invalidate_views(Datum arg, Oid relid)
{
	HASH_SEQ_STATUS status;
	ViewEntry  *entry;

	hash_seq_init(&status, view_cache);
	while ((entry = hash_seq_search(&status)) != NULL)
	{
		if (relid == InvalidOid || entry->viewid == relid)
			entry->valid = false;
		for (int i = 0; entry->valid && i < entry->nlevels; i++)
			if (entry->levels[i].relid == relid)
				entry->valid = false;
	}
}

static void
release_entry(ViewEntry *entry)
{
	for (int i = 0; i < entry->nlevels; i++)
	{
		ViewLevel  *level = &entry->levels[i];
		ListCell   *lc;

		if (level->insert_plan)
			SPI_freeplan(level->insert_plan);

		foreach(lc, level->updates)
			SPI_freeplan(((LevelUpdate *) lfirst(lc))->plan);
		if (level->delete_plan)
			SPI_freeplan(level->delete_plan);
	}
	entry->nlevels = 0;
	if (entry->cxt)
		MemoryContextDelete(entry->cxt);
	entry->cxt = NULL;
}

static void
bad_arguments(Trigger *tg)
{
	ereport(ERROR,
			(errcode(ERRCODE_TRIGGERED_ACTION_EXCEPTION),
			 errmsg("trigger \"%s\" does not describe a corm view", tg->tgname),
			 errhint("Register the model again to bring its view up to date.")));
}

static AttrNumber
view_attno(TupleDesc desc, const char *name, Trigger *tg)
{
	AttrNumber	attno = SPI_fnumber(desc, name);

	if (attno <= 0)
		bad_arguments(tg);
	return attno;
}

/* read a trigger's arguments against the view and its tables */
static void
build_entry(ViewEntry *entry, TriggerData *td)
{
	Trigger    *tg = td->tg_trigger;
	TupleDesc	desc = RelationGetDescr(td->tg_relation);
	int			arg = 3;
	int			nlevels;

	/*
	 * A firing further up the stack may still use the old state: then it is
	 * left for that firing and goes with the new state (its saved plans stay
	 * until the backend exits: a rare case).
	 */
	MemoryContext previous = NULL;

	if (entry->busy == 0)
		release_entry(entry);
	else
		previous = entry->cxt;
	entry->nlevels = 0;
	entry->cxt = AllocSetContextCreate(CacheMemoryContext, "corm view trigger",
									   ALLOCSET_SMALL_SIZES);
	if (previous)
		MemoryContextSetParent(previous, entry->cxt);
	if (tg->tgnargs < 3)
		bad_arguments(tg);
	entry->viewid = RelationGetRelid(td->tg_relation);
	entry->disc = 0;
	entry->key = 0;
	if (tg->tgargs[0][0] != '\0')
	{
		Form_pg_attribute attr;
		Oid			input;
		Oid			ioparam;
		MemoryContext old;

		entry->disc = view_attno(desc, tg->tgargs[0], tg);
		attr = TupleDescAttr(desc, entry->disc - 1);
		getTypeInputInfo(attr->atttypid, &input, &ioparam);
		old = MemoryContextSwitchTo(entry->cxt);
		entry->identity = OidInputFunctionCall(input, tg->tgargs[1], ioparam, attr->atttypmod);
		MemoryContextSwitchTo(old);
	}
	/* the entry counts its levels only once they are all read */
	nlevels = pg_strtoint32(tg->tgargs[2]);
	if (nlevels < 1 || nlevels > tg->tgnargs)
		bad_arguments(tg);
	entry->levels = MemoryContextAllocZero(entry->cxt, sizeof(ViewLevel) * nlevels);
	for (int i = 0; i < nlevels; i++)
	{
		ViewLevel  *level = &entry->levels[i];
		List	   *names;

		if (arg + 3 > tg->tgnargs)
			bad_arguments(tg);
		names = stringToQualifiedNameList(tg->tgargs[arg]);
		level->relid = RangeVarGetRelid(makeRangeVarFromNameList(names), NoLock, false);
		if (get_rel_relkind(level->relid) != RELKIND_RELATION)
			bad_arguments(tg);
		level->table = MemoryContextStrdup(entry->cxt,
										   quote_qualified_identifier(get_namespace_name(get_rel_namespace(level->relid)),
																	  get_rel_name(level->relid)));
		level->key = get_attnum(level->relid, tg->tgargs[arg + 1]);
		level->ncols = pg_strtoint32(tg->tgargs[arg + 2]);
		arg += 3;
		if (level->key <= 0 || level->ncols < 0 || arg + level->ncols > tg->tgnargs)
			bad_arguments(tg);
		level->view_attnos = MemoryContextAlloc(entry->cxt, sizeof(AttrNumber) * (level->ncols + 1));
		level->table_attnos = MemoryContextAlloc(entry->cxt, sizeof(AttrNumber) * (level->ncols + 1));
		level->types = MemoryContextAlloc(entry->cxt, sizeof(Oid) * (level->ncols + 1));
		for (int j = 0; j < level->ncols; j++, arg++)
		{
			level->view_attnos[j] = view_attno(desc, tg->tgargs[arg], tg);
			level->table_attnos[j] = get_attnum(level->relid, tg->tgargs[arg]);
			level->types[j] = TupleDescAttr(desc, level->view_attnos[j] - 1)->atttypid;
			if (level->table_attnos[j] <= 0 ||
				get_atttype(level->relid, level->table_attnos[j]) != level->types[j])
				bad_arguments(tg);
			if (i == 0 && level->table_attnos[j] == level->key)
				entry->key = level->view_attnos[j];
		}
	}
	if (entry->key == 0)
		bad_arguments(tg);
	entry->nlevels = nlevels;
	entry->keytype = TupleDescAttr(desc, entry->key - 1)->atttypid;
	for (int i = 1; i < entry->nlevels; i++)
		if (get_atttype(entry->levels[i].relid, entry->levels[i].key) != entry->keytype)
			bad_arguments(tg);
	entry->generation = ++view_generations;
	entry->valid = true;
}

static ViewEntry *
lookup_entry(TriggerData *td)
{
	ViewEntry  *entry;
	bool		found;

	if (view_cache == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(Oid);
		ctl.entrysize = sizeof(ViewEntry);
		view_cache = hash_create("corm view triggers", 64, &ctl, HASH_ELEM | HASH_BLOBS);
		CacheRegisterRelcacheCallback(invalidate_views, (Datum) 0);
	}
	entry = hash_search(view_cache, &td->tg_trigger->tgoid, HASH_ENTER, &found);
	if (!found)
	{
		entry->cxt = NULL;
		entry->nlevels = 0;
		entry->busy = 0;
		entry->valid = false;
	}
	if (!entry->valid)
		build_entry(entry, td);
	return entry;
}

/* the row a view's RETURNING sees, being built from what the tables stored */
typedef struct ViewRow
{
	TupleDesc	desc;
	Datum	   *values;
	bool	   *nulls;
} ViewRow;

static void
keep_value(ViewRow *row, AttrNumber attno, Datum value, bool isnull)
{
	Form_pg_attribute attr = TupleDescAttr(row->desc, attno - 1);

	row->nulls[attno - 1] = isnull;
	row->values[attno - 1] = isnull ? (Datum) 0 : datumCopy(value, attr->attbyval, attr->attlen);
}

static char *
identity_text(Oid type, Datum value)
{
	Oid			output;
	bool		isvarlena;

	getTypeOutputInfo(type, &output, &isvarlena);
	return OidOutputFunctionCall(output, value);
}

/* refuse a row of another model through this model's view */
static void
check_discriminator(ViewEntry *entry, ViewRow *row, Relation view)
{
	Form_pg_attribute attr;

	if (entry->disc == 0)
		return;
	attr = TupleDescAttr(row->desc, entry->disc - 1);
	if (row->nulls[entry->disc - 1])
	{
		row->nulls[entry->disc - 1] = false;
		row->values[entry->disc - 1] = entry->identity;
		return;
	}
	if (!datum_image_eq(row->values[entry->disc - 1], entry->identity, attr->attbyval, attr->attlen))
		ereport(ERROR,
				(errcode(ERRCODE_WITH_CHECK_OPTION_VIOLATION),
				 errmsg("new row violates check option for view \"%s\"",
						RelationGetRelationName(view)),
				 errdetail("Rows of this view have %s = %s.", NameStr(attr->attname),
						   identity_text(attr->atttypid, entry->identity))));
}

/*
 * What one INSERT statement through the view keeps from its first row to
 * its last, as the executor keeps it for a statement: each table opened
 * and locked once, with its indexes, a result relation, a slot, and the
 * defaults of the columns the view does not show, ready to run; the
 * privilege and row-level security checks made once.  It lives in memory
 * of its own under the statement's executor memory (the parent of the
 * memory a row firing runs in), and closes what it opened when that memory
 * goes at the statement's end.  An abort of the (sub)transaction that made
 * it forgets it first: the resource owner then releases what it held.
 */
typedef struct InsertLevel
{
	Relation	rel;			/* NULL: row-level security, rows go through SPI */
	ResultRelInfo *rri;
	TupleTableSlot *slot;
	bool	   *covered;		/* the table's columns the row sets */
	ExprState **defaults;		/* the defaults of the others, or NULL */
} InsertLevel;

typedef struct InsertState
{
	MemoryContext statement;	/* with tgoid, the key */
	Oid			tgoid;
	Oid			viewid;
	uint64		generation;		/* of the entry it was made for */
	MemoryContext cxt;			/* its own, a child of "statement" */
	ResourceOwner owner;		/* what holds its relations */
	SubTransactionId subid;
	bool		forgotten;		/* by an abort: nothing to close */
	EState	   *estate;
	int			nlevels;
	InsertLevel *levels;
	MemoryContextCallback close;
	dlist_node node;			/* in insert_states, until closed or forgotten */
} InsertState;

static dlist_head insert_states = DLIST_STATIC_INIT(insert_states);

/* the statement's end: its memory goes, and what the state opened is closed */
static void
close_insert_state(void *arg)
{
	InsertState *state = arg;
	ResourceOwner save = CurrentResourceOwner;

	if (state->forgotten)
		return;
	dlist_delete(&state->node);
	CurrentResourceOwner = state->owner;
	for (int i = 0; i < state->nlevels; i++)
	{
		InsertLevel *il = &state->levels[i];

		if (il->slot)
			ExecDropSingleTupleTableSlot(il->slot);
		if (il->rri)
			ExecCloseIndices(il->rri);
		if (il->rel)
			table_close(il->rel, NoLock);
	}
	CurrentResourceOwner = save;
}

/* an abort of subtransaction "subid" (or of the transaction: 0) and those in it */
static void
forget_insert_states(SubTransactionId subid)
{
	dlist_mutable_iter iter;

	dlist_foreach_modify(iter, &insert_states)
	{
		InsertState *state = dlist_container(InsertState, node, iter.cur);

		if (subid == InvalidSubTransactionId || state->subid >= subid)
		{
			state->forgotten = true;
			dlist_delete(&state->node);
		}
	}
}

static void
insert_xact_callback(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT)
		forget_insert_states(InvalidSubTransactionId);
}

static void
insert_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
						SubTransactionId parentSubid, void *arg)
{
	if (event == SUBXACT_EVENT_ABORT_SUB)
		forget_insert_states(mySubid);
}

static void
check_insert_privilege(Relation rel, ViewLevel *level)
{
	Oid			user = GetUserId();

	if (pg_class_aclcheck(RelationGetRelid(rel), user, ACL_INSERT) == ACLCHECK_OK)
		return;
	for (int j = 0; j < level->ncols; j++)
		if (pg_attribute_aclcheck(RelationGetRelid(rel), level->table_attnos[j], user,
								  ACL_INSERT) != ACLCHECK_OK)
			aclcheck_error(ACLCHECK_NO_PRIV, OBJECT_TABLE, RelationGetRelationName(rel));
}

/* open one table of the view for the statement's rows */
static void
open_insert_level(InsertState *state, InsertLevel *il, ViewLevel *level, bool is_root,
				  Index rti)
{
	TupleDesc	tdesc;

	if (check_enable_rls(level->relid, InvalidOid, false) == RLS_ENABLED)
		return;					/* through SPI, row by row */
	il->rel = table_open(level->relid, RowExclusiveLock);
	check_insert_privilege(il->rel, level);
	tdesc = RelationGetDescr(il->rel);
	il->rri = makeNode(ResultRelInfo);
	InitResultRelInfo(il->rri, il->rel, rti, NULL, 0);
	ExecOpenIndices(il->rri, false);
	il->slot = table_slot_create(il->rel, NULL);
	il->covered = palloc0(sizeof(bool) * tdesc->natts);
	for (int j = 0; j < level->ncols; j++)
		il->covered[level->table_attnos[j] - 1] = true;
	if (!is_root)
		il->covered[level->key - 1] = true;
	for (int a = 0; a < tdesc->natts; a++)
	{
		Form_pg_attribute attr = TupleDescAttr(tdesc, a);
		Node	   *def;

		if (il->covered[a] || attr->attisdropped || attr->attgenerated)
			continue;
		def = build_column_default(il->rel, a + 1);
		if (def == NULL)
			continue;
		if (il->defaults == NULL)
			il->defaults = palloc0(sizeof(ExprState *) * tdesc->natts);
		il->defaults[a] = ExecPrepareExpr((Expr *) def, state->estate);
	}
}

/*
 * The state of the statement running this firing (its memory, the parent
 * of the firing's), made at its first row
 */
static InsertState *
insert_state(ViewEntry *entry)
{
	static bool callbacks = false;
	MemoryContext statement = MemoryContextGetParent(CurrentMemoryContext);
	MemoryContext old;
	InsertState *state;
	List	   *rtable = NIL;
	dlist_iter	iter;

	if (statement == NULL)
		statement = CurrentMemoryContext;
	dlist_foreach(iter, &insert_states)
	{
		state = dlist_container(InsertState, node, iter.cur);
		if (state->statement == statement && state->tgoid == entry->tgoid)
		{
			if (state->generation == entry->generation)
				return state;
			MemoryContextDelete(state->cxt);	/* made for the entry before */
			break;
		}
	}
	if (!callbacks)
	{
		RegisterXactCallback(insert_xact_callback, NULL);
		RegisterSubXactCallback(insert_subxact_callback, NULL);
		callbacks = true;
	}
	state = MemoryContextAllocZero(statement, sizeof(InsertState));
	state->cxt = AllocSetContextCreate(statement, "corm view insert", ALLOCSET_SMALL_SIZES);
	state->statement = statement;
	state->tgoid = entry->tgoid;
	state->viewid = entry->viewid;
	state->generation = entry->generation;
	state->owner = CurrentResourceOwner;
	state->subid = GetCurrentSubTransactionId();
	state->close.func = close_insert_state;
	state->close.arg = state;
	MemoryContextRegisterResetCallback(state->cxt, &state->close);
	dlist_push_head(&insert_states, &state->node);

	old = MemoryContextSwitchTo(state->cxt);
	state->estate = CreateExecutorState();
	state->levels = palloc0(sizeof(InsertLevel) * entry->nlevels);
	for (int i = 0; i < entry->nlevels; i++)
	{
		RangeTblEntry *rte = makeNode(RangeTblEntry);

		rte->rtekind = RTE_RELATION;
		rte->relid = entry->levels[i].relid;
		rte->relkind = RELKIND_RELATION;
		rte->rellockmode = RowExclusiveLock;
		rte->requiredPerms = ACL_INSERT;
		rtable = lappend(rtable, rte);
	}
	ExecInitRangeTable(state->estate, rtable);
	for (int i = 0; i < entry->nlevels; i++)
	{
		open_insert_level(state, &state->levels[i], &entry->levels[i], i == 0, i + 1);
		state->nlevels = i + 1;
	}
	MemoryContextSwitchTo(old);
	/* the tables' BEFORE statement triggers, once a query (PostgreSQL keeps count) */
	for (int i = 0; i < state->nlevels; i++)
		if (state->levels[i].rri)
			ExecBSInsertTriggers(state->estate, state->levels[i].rri);
	return state;
}

/*
 * The view's AFTER INSERT statement trigger: the AFTER statement triggers
 * of the tables its statement wrote, queued now that its rows are all in
 * (after their row triggers'), each once a query as PostgreSQL counts.
 * A table with row-level security was written by statements of its own,
 * which fired its statement triggers.
 */
static void
fire_table_statement_triggers(TriggerData *td)
{
	MemoryContext statement = MemoryContextGetParent(CurrentMemoryContext);
	dlist_iter	iter;

	dlist_foreach(iter, &insert_states)
	{
		InsertState *state = dlist_container(InsertState, node, iter.cur);

		if (state->statement != statement || state->viewid != RelationGetRelid(td->tg_relation))
			continue;
		for (int i = 0; i < state->nlevels; i++)
			if (state->levels[i].rri)
				ExecASInsertTriggers(state->estate, state->levels[i].rri, NULL);
	}
}

/*
 * Insert one table's part of the row through the executor's insert path.
 * Columns of the table that the view does not show get their defaults.
 * Returns false when a BEFORE trigger of the table skipped the row.
 */
static bool
insert_level(InsertState *state, InsertLevel *il, ViewLevel *level, ViewRow *row, Datum key,
			 bool is_root)
{
	EState	   *estate = state->estate;
	TupleTableSlot *slot = il->slot;
	TupleDesc	tdesc = RelationGetDescr(il->rel);
	bool		inserted;

	ResetPerTupleExprContext(estate);
	estate->es_output_cid = GetCurrentCommandId(true);
	ExecClearTuple(slot);
	for (int a = 0; a < tdesc->natts; a++)
	{
		slot->tts_values[a] = (Datum) 0;
		slot->tts_isnull[a] = true;
	}
	for (int j = 0; j < level->ncols; j++)
	{
		AttrNumber	va = level->view_attnos[j];

		slot->tts_values[level->table_attnos[j] - 1] = row->values[va - 1];
		slot->tts_isnull[level->table_attnos[j] - 1] = row->nulls[va - 1];
	}
	if (!is_root)
	{
		slot->tts_values[level->key - 1] = key;
		slot->tts_isnull[level->key - 1] = false;
	}
	for (int a = 0; il->defaults && a < tdesc->natts; a++)
		if (il->defaults[a])
			slot->tts_values[a] = ExecEvalExprSwitchContext(il->defaults[a],
															GetPerTupleExprContext(estate),
															&slot->tts_isnull[a]);
	ExecStoreVirtualTuple(slot);
	ItemPointerSetInvalid(&slot->tts_tid);

	ExecSimpleRelationInsert(il->rri, estate, slot);
	inserted = ItemPointerIsValid(&slot->tts_tid);
	if (inserted)
	{
		slot_getallattrs(slot);
		for (int j = 0; j < level->ncols; j++)
			keep_value(row, level->view_attnos[j], slot->tts_values[level->table_attnos[j] - 1],
					   slot->tts_isnull[level->table_attnos[j] - 1]);
	}
	return inserted;
}

/*
 * A statement over one table: the columns in "cols" (indexes into the
 * level's columns) as $1 .. $n, the key as $n+1 (an INSERT below the root
 * sets the key column from it).  An INSERT sets all the level's columns, a
 * DELETE none; INSERT and UPDATE return all of them.
 */
static SPIPlanPtr
prepare_level(ViewLevel *level, bool is_root, Oid keytype, TupleDesc view, CmdType cmd,
			  Bitmapset *cols)
{
	StringInfoData sql;
	StringInfoData list;
	StringInfoData set;
	Oid		   *types = palloc(sizeof(Oid) * (level->ncols + 1));
	const char *keyname = quote_identifier(get_attname(level->relid, level->key, false));
	int			nparams = 0;
	SPIPlanPtr	plan;

	initStringInfo(&sql);
	initStringInfo(&list);
	initStringInfo(&set);
	for (int j = 0; j < level->ncols; j++)
	{
		const char *name = quote_identifier(NameStr(TupleDescAttr(view, level->view_attnos[j] - 1)->attname));

		appendStringInfo(&list, "%s%s", j ? ", " : "", name);
		if (bms_is_member(j, cols))
		{
			appendStringInfo(&set, "%s%s", nparams ? ", " : "", name);
			types[nparams++] = level->types[j];
		}
	}
	types[nparams] = keytype;
	if (cmd == CMD_INSERT)
	{
		appendStringInfo(&sql, "INSERT INTO %s (%s%s%s) VALUES (", level->table, set.data,
						 is_root ? "" : (nparams ? ", " : ""), is_root ? "" : keyname);
		for (int j = 0; j < nparams + (is_root ? 0 : 1); j++)
			appendStringInfo(&sql, "%s$%d", j ? ", " : "", j + 1);
		appendStringInfo(&sql, ")%s%s", level->ncols ? " RETURNING " : "", list.data);
	}
	else if (cmd == CMD_UPDATE)
	{
		appendStringInfo(&sql, "UPDATE %s SET (%s) = ROW(", level->table, set.data);
		for (int j = 0; j < nparams; j++)
			appendStringInfo(&sql, "%s$%d", j ? ", " : "", j + 1);
		appendStringInfo(&sql, ") WHERE %s = $%d RETURNING %s", keyname, nparams + 1, list.data);
	}
	else
		appendStringInfo(&sql, "DELETE FROM %s WHERE %s = $%d", level->table, keyname, nparams + 1);
	plan = SPI_prepare(sql.data, nparams + 1, types);
	if (plan == NULL)
		elog(ERROR, "could not prepare \"%s\": %s", sql.data, SPI_result_code_string(SPI_result));
	return plan;
}

/* a level's columns, all of them */
static Bitmapset *
all_columns(ViewLevel *level)
{
	return bms_add_range(NULL, 0, level->ncols - 1);
}

/*
 * The plan of an UPDATE of a level naming the columns in "cols": kept for
 * the first sets a level meets, planned for this row alone past them (it
 * lives until SPI_finish).
 */
static SPIPlanPtr
level_update_plan(ViewEntry *entry, ViewLevel *level, bool is_root, TupleDesc view,
				  Bitmapset *cols)
{
	ListCell   *lc;
	LevelUpdate *update;
	MemoryContext old;
	SPIPlanPtr	plan;

	foreach(lc, level->updates)
	{
		update = lfirst(lc);
		if (bms_equal(update->cols, cols))
			return update->plan;
	}
	plan = prepare_level(level, is_root, entry->keytype, view, CMD_UPDATE, cols);
	if (list_length(level->updates) >= MAX_LEVEL_UPDATES)
		return plan;
	SPI_keepplan(plan);
	old = MemoryContextSwitchTo(entry->cxt);
	update = palloc(sizeof(LevelUpdate));
	update->cols = bms_copy(cols);
	update->plan = plan;
	level->updates = lappend(level->updates, update);
	MemoryContextSwitchTo(old);
	return plan;
}

/*
 * Run a level's prepared statement with the row's values of the columns in
 * "cols" and the key; keep what RETURNING gives (all the level's columns),
 * in "keep".  False when no row was affected.
 */
static bool
run_level(ViewLevel *level, SPIPlanPtr plan, ViewRow *row, Datum key, Bitmapset *cols,
		  MemoryContext keep)
{
	Datum	   *values = palloc(sizeof(Datum) * (level->ncols + 1));
	char	   *nulls = palloc(sizeof(char) * (level->ncols + 1));
	int			nargs = 0;
	bool		affected;

	for (int j = 0; j < level->ncols; j++)
	{
		if (!bms_is_member(j, cols))
			continue;
		values[nargs] = row->values[level->view_attnos[j] - 1];
		nulls[nargs] = row->nulls[level->view_attnos[j] - 1] ? 'n' : ' ';
		nargs++;
	}
	values[nargs] = key;
	nulls[nargs] = ' ';
	if (SPI_execute_plan(plan, values, nulls, false, 0) < 0)
		elog(ERROR, "could not change table %s", level->table);
	affected = SPI_processed > 0;
	if (affected && SPI_tuptable != NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(keep);

		for (int j = 0; j < level->ncols; j++)
		{
			bool		isnull;
			Datum		value = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, j + 1, &isnull);

			keep_value(row, level->view_attnos[j], value, isnull);
		}
		MemoryContextSwitchTo(old);
	}
	return affected;
}

/* whether an UPDATE changed a column of the view: NEW IS DISTINCT FROM OLD, bytewise */
static bool
column_changed(AttrNumber attno, HeapTuple oldtup, HeapTuple newtup, TupleDesc desc)
{
	Form_pg_attribute attr = TupleDescAttr(desc, attno - 1);
	bool		oldnull;
	bool		newnull;
	Datum		oldval = heap_getattr(oldtup, attno, desc, &oldnull);
	Datum		newval = heap_getattr(newtup, attno, desc, &newnull);

	return oldnull != newnull ||
		(!oldnull && !datum_image_eq(oldval, newval, attr->attbyval, attr->attlen));
}

/*
 * The view's columns a statement's SET list names, kept by the view's
 * BEFORE UPDATE statement trigger for the row firings of that statement.
 * Both firings run in the statement's per-tuple memory, the key; the set
 * lives in that memory's parent, the statement's executor memory, and
 * leaves the list when that memory goes (at the statement's end, or when
 * it fails).
 */
typedef struct NamedColumns
{
	MemoryContext statement;	/* the key: the firings' memory */
	Oid			viewid;
	Bitmapset  *cols;			/* as tg_updatedcols has them */
	MemoryContextCallback forget;
	dlist_node node;			/* in named_columns */
} NamedColumns;

static dlist_head named_columns = DLIST_STATIC_INIT(named_columns);

static void
forget_named_columns(void *arg)
{
	dlist_delete(&((NamedColumns *) arg)->node);
}

static void
keep_named_columns(TriggerData *td)
{
	MemoryContext statement = CurrentMemoryContext;
	MemoryContext parent = MemoryContextGetParent(statement);
	NamedColumns *named;

	if (parent == NULL)
		return;
	named = MemoryContextAlloc(parent, sizeof(NamedColumns));
	named->statement = statement;
	named->viewid = RelationGetRelid(td->tg_relation);
	named->cols = NULL;
	if (td->tg_updatedcols)
	{
		MemoryContext old = MemoryContextSwitchTo(parent);

		named->cols = bms_copy(td->tg_updatedcols);
		MemoryContextSwitchTo(old);
	}
	dlist_push_head(&named_columns, &named->node);
	named->forget.func = forget_named_columns;
	named->forget.arg = named;
	MemoryContextRegisterResetCallback(parent, &named->forget);
}

/* what the statement trigger kept for this row firing, or NULL */
static NamedColumns *
find_named_columns(MemoryContext statement, Oid viewid)
{
	dlist_iter	iter;

	dlist_foreach(iter, &named_columns)
	{
		NamedColumns *named = dlist_container(NamedColumns, node, iter.cur);

		if (named->statement == statement && named->viewid == viewid)
			return named;
	}
	return NULL;
}

static Datum fire(TriggerData *td, ViewEntry *entry);

/*
 * corm.view_trigger(VARIADIC description) RETURNS trigger: INSTEAD OF
 * INSERT, UPDATE or DELETE FOR EACH ROW; or, without arguments, BEFORE
 * UPDATE FOR EACH STATEMENT, keeping the statement's SET list, or AFTER
 * INSERT FOR EACH STATEMENT, firing the tables' statement triggers
 */
Datum
corm_view_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	ViewEntry  *entry;
	ViewEntry	state;
	Datum		result;

	if (CALLED_AS_TRIGGER(fcinfo) && TRIGGER_FIRED_BY_UPDATE(td->tg_event) &&
		TRIGGER_FIRED_BEFORE(td->tg_event) && !TRIGGER_FIRED_FOR_ROW(td->tg_event) &&
		td->tg_relation->rd_rel->relkind == RELKIND_VIEW)
	{
		keep_named_columns(td);
		return PointerGetDatum(NULL);
	}
	if (CALLED_AS_TRIGGER(fcinfo) && TRIGGER_FIRED_BY_INSERT(td->tg_event) &&
		TRIGGER_FIRED_AFTER(td->tg_event) && !TRIGGER_FIRED_FOR_ROW(td->tg_event) &&
		td->tg_relation->rd_rel->relkind == RELKIND_VIEW)
	{
		fire_table_statement_triggers(td);
		return PointerGetDatum(NULL);
	}
	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_INSTEAD(td->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("corm.view_trigger() must be fired INSTEAD OF ... FOR EACH ROW, BEFORE UPDATE FOR EACH STATEMENT or AFTER INSERT FOR EACH STATEMENT on a view")));
	entry = lookup_entry(td);

	/*
	 * This firing works on a copy: a nested firing may rebuild the entry
	 * (and fail part way, caught by a handler), but leaves the memory this
	 * copy points to alone while busy.
	 */
	state = *entry;
	entry->busy++;
	PG_TRY();
	{
		result = fire(td, &state);
	}
	PG_FINALLY();
	{
		entry->busy--;
	}
	PG_END_TRY();
	return result;
}

/* one row through the view; "entry" stays valid while this firing uses it */
static Datum
fire(TriggerData *td, ViewEntry *entry)
{
	Relation	view = td->tg_relation;
	ViewRow		row;
	HeapTuple	tuple;
	Datum		key;
	bool		isnull;
	MemoryContext caller = CurrentMemoryContext;

	row.desc = RelationGetDescr(view);
	row.values = palloc(sizeof(Datum) * row.desc->natts);
	row.nulls = palloc(sizeof(bool) * row.desc->natts);
	tuple = TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? td->tg_newtuple : td->tg_trigtuple;
	heap_deform_tuple(tuple, row.desc, row.values, row.nulls);

	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
	{
		InsertState *state = insert_state(entry);

		check_discriminator(entry, &row, view);
		key = (Datum) 0;
		for (int i = 0; i < entry->nlevels; i++)
		{
			ViewLevel  *level = &entry->levels[i];
			InsertLevel *il = &state->levels[i];
			bool		done;

			if (il->rel == NULL)
			{
				if (SPI_connect() != SPI_OK_CONNECT)
					elog(ERROR, "SPI_connect failed");
				if (level->insert_plan == NULL)
				{
					level->insert_plan = prepare_level(level, i == 0, entry->keytype, row.desc,
													   CMD_INSERT, all_columns(level));
					SPI_keepplan(level->insert_plan);
				}
				done = run_level(level, level->insert_plan, &row, key, all_columns(level),
								 caller);
				SPI_finish();
			}
			else
				done = insert_level(state, il, level, &row, key, i == 0);
			if (!done)
			{
				if (i == 0)
					return PointerGetDatum(NULL);	/* the root table skipped it */
				ereport(ERROR,
						(errcode(ERRCODE_TRIGGERED_ACTION_EXCEPTION),
						 errmsg("a trigger on table %s skipped part of a row of view \"%s\"",
								level->table, RelationGetRelationName(view))));
			}
			if (i == 0)
				key = row.values[entry->key - 1];
		}
		return PointerGetDatum(heap_form_tuple(row.desc, row.values, row.nulls));
	}

	key = heap_getattr(td->tg_trigtuple, entry->key, row.desc, &isnull);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (TRIGGER_FIRED_BY_UPDATE(td->tg_event))
	{
		NamedColumns *named = find_named_columns(caller, RelationGetRelid(view));

		/* the view shows its subclasses' rows too: only a change of type is refused */
		if (entry->disc && column_changed(entry->disc, td->tg_trigtuple, td->tg_newtuple, row.desc))
			check_discriminator(entry, &row, view);
		for (int i = 0; i < entry->nlevels; i++)
		{
			ViewLevel  *level = &entry->levels[i];
			Bitmapset  *cols = NULL;

			/*
			 * The level's columns the SET list names, and those whose value
			 * changes (named too; they alone count without the statement
			 * trigger, and they cover a second UPDATE of the view in one
			 * query, whose statement trigger PostgreSQL fires only once)
			 */
			for (int j = 0; j < level->ncols; j++)
				if ((named && bms_is_member(level->view_attnos[j] - FirstLowInvalidHeapAttributeNumber,
											named->cols)) ||
					column_changed(level->view_attnos[j], td->tg_trigtuple, td->tg_newtuple, row.desc))
					cols = bms_add_member(cols, j);
			if (cols == NULL)
				continue;
			if (!run_level(level, level_update_plan(entry, level, i == 0, row.desc, cols),
						   &row, key, cols, caller))
			{
				SPI_finish();
				return PointerGetDatum(NULL);
			}
		}
		SPI_finish();
		return PointerGetDatum(heap_form_tuple(row.desc, row.values, row.nulls));
	}

	/* DELETE: the root row; the other tables follow by ON DELETE CASCADE */
	if (entry->levels[0].delete_plan == NULL)
	{
		entry->levels[0].delete_plan = prepare_level(&entry->levels[0], true, entry->keytype,
													 row.desc, CMD_DELETE, NULL);
		SPI_keepplan(entry->levels[0].delete_plan);
	}
	if (!run_level(&entry->levels[0], entry->levels[0].delete_plan, &row, key, NULL, caller))
	{
		SPI_finish();
		return PointerGetDatum(NULL);
	}
	SPI_finish();
	return PointerGetDatum(td->tg_trigtuple);
}
