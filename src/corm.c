/*
 * corm.c — the corm extension: Flask-SQLAlchemy's declarative model
 * customization (model classes, mixins, query classes, meta policies)
 * inside PostgreSQL
 */
#include "corm.h"

#include "access/xact.h"
#include "fmgr.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

/*
 * No state of one call may reach another.  Every call starts afresh
 * (corm_begin_call), and when a transaction ends, however it ends, what a
 * call left behind goes too: the resolved models with the grants saved for
 * rebuilt objects, and the listeners to the statements corm runs.  Caches
 * keyed by what they depend on (plans, triggers' states) are invalidated by
 * their own callbacks instead.
 */
static void
corm_end_of_transaction(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_ABORT || event == XACT_EVENT_COMMIT ||
		event == XACT_EVENT_PARALLEL_ABORT || event == XACT_EVENT_PARALLEL_COMMIT)
	{
		corm_reset_resolve_cache();
		corm_reset_collectors();
	}
}

/* the calls an error ended inside a subtransaction leave no listener behind */
static void
corm_end_of_subtransaction(SubXactEvent event, SubTransactionId mySubid,
						   SubTransactionId parentSubid, void *arg)
{
	if (event == SUBXACT_EVENT_ABORT_SUB)
		corm_forget_collectors(mySubid);
}

void
_PG_init(void)
{
	RegisterXactCallback(corm_end_of_transaction, NULL);
	RegisterSubXactCallback(corm_end_of_subtransaction, NULL);
}
