/*
 * execute.c — the one place where corm runs the DDL it generated
 *
 * Every statement goes through corm_execute(), which tells the listeners
 * of the call (the statements a register_* call returns, a dry run's
 * measurements, check()'s drift) and converts a lock wait beyond
 * lock_timeout into an error that names the relation.  It calls nothing
 * of corm above it: plans arrive here as data (CormStep).
 */
#include "corm.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"

/*
 * Who listens to the statements corm runs: a call that returns what it ran,
 * a dry run, check().  They nest (a dry run of a registration that returns
 * its statements), so they are a stack, and every one of them hears every
 * statement.  A listener that its call's error left behind is removed by
 * the enclosing one (corm_stop_collecting) or when the transaction ends.
 */
static List *collectors = NIL;	/* CormCollector *, innermost last */
/*
 * The subtransaction each was pushed in, kept here and not read through
 * the pointer: a listener left behind by an error lives in a stack frame
 * that the error has already unwound.
 */
static List *collector_subids = NIL;

void
corm_start_collecting(CormCollector *collector)
{
	MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

	collector->subid = GetCurrentSubTransactionId();
	collector->problems = NIL;
	collectors = lappend(collectors, collector);
	collector_subids = lappend_int(collector_subids, (int) collector->subid);
	MemoryContextSwitchTo(old);
}

/*
 * A subtransaction aborted (an error caught by PL/pgSQL's EXCEPTION, say):
 * the listeners pushed inside it belonged to calls that the error ended.
 */
void
corm_forget_collectors(SubTransactionId since)
{
	int			n = list_length(collectors);

	while (n > 0 && (SubTransactionId) list_nth_int(collector_subids, n - 1) >= since)
		n--;
	collectors = list_truncate(collectors, n);
	collector_subids = list_truncate(collector_subids, n);
}

/* stop listening with "collector" and with every one pushed after it */
void
corm_stop_collecting(CormCollector *collector)
{
	int			n = list_length(collectors);

	while (n > 0 && list_nth(collectors, n - 1) != collector)
		n--;
	if (n > 0)
	{
		collectors = list_truncate(collectors, n - 1);
		collector_subids = list_truncate(collector_subids, n - 1);
	}
}

void
corm_reset_collectors(void)
{
	list_free(collectors);
	list_free(collector_subids);
	collectors = NIL;
	collector_subids = NIL;
}

/* run one statement of generated DDL */
void
corm_execute(const char *sql)
{
	int			rc;
	ListCell   *lc;

	foreach(lc, collectors)
	{
		CormCollector *c = lfirst(lc);

		if (c->observe)
			c->observe(sql, false, c->arg);
	}
	rc = SPI_execute(sql, false, 0);
	if (rc != SPI_OK_UTILITY)
		elog(ERROR, "corm could not run \"%s\": %s", sql, SPI_result_code_string(rc));
	foreach(lc, collectors)
	{
		CormCollector *c = lfirst(lc);
		MemoryContext old = MemoryContextSwitchTo(c->cxt);

		c->statements = lappend(c->statements, pstrdup(sql));
		MemoryContextSwitchTo(old);
		if (c->observe)
			c->observe(sql, true, c->arg);
	}
}

/*
 * Run one statement of generated DDL in the database of a bind's server;
 * the listeners hear it with the server named in front (a dry run sees it
 * touch no relation here: its locks are taken there).
 */
void
corm_execute_remote(const char *server, const char *bind, const char *sql)
{
	char	   *shown = psprintf("/* server %s */ %s", quote_identifier(server), sql);
	ListCell   *lc;

	foreach(lc, collectors)
	{
		CormCollector *c = lfirst(lc);

		if (c->observe)
			c->observe(shown, false, c->arg);
	}
	corm_remote_command(server, bind, sql);
	foreach(lc, collectors)
	{
		CormCollector *c = lfirst(lc);
		MemoryContext old = MemoryContextSwitchTo(c->cxt);

		c->statements = lappend(c->statements, pstrdup(shown));
		MemoryContextSwitchTo(old);
		if (c->observe)
			c->observe(shown, true, c->arg);
	}
}

/*
 * Run one statement of a plan.  A lock it waits for longer than
 * lock_timeout fails the call (55P03) with a message that names the
 * relation, where PostgreSQL's own says only that it timed out; as for any
 * error, the whole call is undone.
 */
/*
 * Drift that corm sees but does not mend (an index made by hand): told to
 * the call's listeners, so that corm.check() lists it.
 */
void
corm_report(const char *problem)
{
	ListCell   *lc;

	foreach(lc, collectors)
	{
		CormCollector *c = lfirst(lc);
		MemoryContext old = MemoryContextSwitchTo(c->cxt);

		c->problems = lappend(c->problems, pstrdup(problem));
		MemoryContextSwitchTo(old);
	}
}

static void
run_step(CormStep *step)
{
	MemoryContext cxt = CurrentMemoryContext;

	PG_TRY();
	{
		if (step->server)
			corm_execute_remote(step->server, step->bind, step->sql);
		else
			corm_execute(step->sql);
	}
	PG_CATCH();
	{
		ErrorData  *error;

		MemoryContextSwitchTo(cxt);
		error = CopyErrorData();
		if (error->sqlerrcode != ERRCODE_LOCK_NOT_AVAILABLE || step->table == NULL)
			PG_RE_THROW();
		FlushErrorState();
		ereport(ERROR,
				(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
				 errmsg("could not lock relation %s within lock_timeout",
						corm_qualified(step->schema, step->table)),
				 errdetail("%s, while running: %s", error->message, step->sql),
				 step->server ?
				 errhint("A transaction holds a lock on it on server \"%s\", perhaps this one through postgres_fdw (a read through a view earlier in it). Nothing was changed: run the registration in a transaction of its own.",
						 step->server) :
				 errhint("Another transaction holds a lock on it. Nothing was changed: try again when it has finished, or with a longer lock_timeout.")));
	}
	PG_END_TRY();
}

/*
 * Run a plan's statements.  Settings a plan makes (SET LOCAL) last only
 * while it runs, and a schema that exists already is not created again.
 */
void
corm_run_steps(List *steps)
{
	int			nestlevel = NewGUCNestLevel();
	ListCell   *lc;

	foreach(lc, steps)
	{
		CormStep   *step = lfirst(lc);

		if (step->kind == CORM_CREATE_SCHEMA && step->server == NULL &&
			OidIsValid(get_namespace_oid(step->schema, true)))
			continue;
		run_step(step);
	}
	AtEOXact_GUC(true, nestlevel);
}
