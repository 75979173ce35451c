/*
 * remote.c — the database of a bind's foreign server: corm's connection
 * to it and the remote transaction that follows the caller's
 *
 * A bind with a server (a postgres_fdw foreign server) keeps its models'
 * tables in that server's database.  corm makes and migrates them there
 * over a libpq connection of its own, opened with the server's options and
 * the caller's user mapping, as postgres_fdw opens its own.  The remote
 * work is tied to the local transaction the way postgres_fdw ties its
 * queries: the first statement of a local transaction starts a remote one
 * (REPEATABLE READ, or SERIALIZABLE under a serializable local one), a
 * statement run inside a local subtransaction first sets a savepoint per
 * level, a subtransaction's commit releases its savepoint and its abort
 * rolls back to it, the local pre-commit commits the remote transaction
 * (its failure aborts the local one) and the local abort rolls it back.
 * The one window that is not atomic is the local commit failing after the
 * remote one succeeded.
 *
 * The connection is not postgres_fdw's: what corm makes there in a
 * transaction is seen through the foreign table once it commits, and a
 * lock postgres_fdw's connection holds there for this transaction (a read
 * through a view) is one corm's would wait for; the caller's lock_timeout
 * is set there, so that such a wait ends as a lock wait here does.
 *
 * Connections last one local transaction: the options of a server or a
 * user mapping changed since are read again by the next one, and nothing
 * is kept across transactions but the callbacks.
 */
#include "corm.h"

#include "libpq-fe.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_user_mapping.h"
#include "commands/defrem.h"
#include "foreign/foreign.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "pgstat.h"
#include "storage/latch.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

/* one connection of the current transaction: a server as one role sees it */
typedef struct RemoteConnection
{
	Oid			serverid;
	Oid			userid;
	char	   *server;			/* its name, for messages */
	PGconn	   *conn;
	int			depth;			/* remote nesting: 0 none, 1 transaction, n savepoints to level n */
	bool		broken;			/* a rollback failed: the transaction cannot commit */
	char	   *lock_timeout;	/* the lock_timeout set there, or NULL */
} RemoteConnection;

static List *connections = NIL;	/* RemoteConnection *, in TopMemoryContext */
static bool callbacks_registered = false;

/* the server by name, checked to be a postgres_fdw one */
static ForeignServer *
lookup_server(const char *server, const char *bind)
{
	ForeignServer *fs = GetForeignServerByName(server, true);
	ForeignDataWrapper *fdw;

	if (fs == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("server \"%s\" of bind \"%s\" does not exist", server, bind),
				 errhint("Create it with CREATE SERVER %s FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '...', dbname '...').",
						 quote_identifier(server))));
	if (pg_foreign_server_aclcheck(fs->serverid, GetUserId(), ACL_USAGE) != ACLCHECK_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied for server \"%s\" of bind \"%s\"", server, bind),
				 errhint("Its owner can grant it: GRANT USAGE ON FOREIGN SERVER %s TO %s.",
						 quote_identifier(server),
						 quote_identifier(GetUserNameFromId(GetUserId(), false)))));
	fdw = GetForeignDataWrapper(fs->fdwid);
	if (strcmp(fdw->fdwname, "postgres_fdw") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("server \"%s\" of bind \"%s\" is not a postgres_fdw server", server, bind),
				 errdetail("Its foreign-data wrapper is \"%s\".", fdw->fdwname),
				 errhint("A bind's tables live in another PostgreSQL database, reached through postgres_fdw.")));
	return fs;
}

/* the caller's user mapping for the server (its own, else PUBLIC's) */
static UserMapping *
lookup_user_mapping(ForeignServer *fs, const char *bind)
{
	Oid			userid = GetUserId();
	HeapTuple	tup = SearchSysCache2(USERMAPPINGUSERSERVER, ObjectIdGetDatum(userid),
									  ObjectIdGetDatum(fs->serverid));

	if (!HeapTupleIsValid(tup))
		tup = SearchSysCache2(USERMAPPINGUSERSERVER, ObjectIdGetDatum(InvalidOid),
							  ObjectIdGetDatum(fs->serverid));
	if (!HeapTupleIsValid(tup))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("user mapping for \"%s\" on server \"%s\" of bind \"%s\" does not exist",
						GetUserNameFromId(userid, false), fs->servername, bind),
				 errhint("Create one with CREATE USER MAPPING FOR CURRENT_USER SERVER %s OPTIONS (user '...', password '...').",
						 quote_identifier(fs->servername))));
	ReleaseSysCache(tup);
	return GetUserMapping(userid, fs->serverid);
}

/*
 * A bind's server as register_bind() takes it: a postgres_fdw server with
 * a user mapping for the caller.  Whether it answers is learnt when a model
 * first needs it.
 */
void
corm_check_server(const char *server, const char *bind)
{
	lookup_user_mapping(lookup_server(server, bind), bind);
}

/* whether keyword is a connection option libpq knows (not a debug one) */
static bool
libpq_option(PQconninfoOption *defaults, const char *keyword)
{
	for (PQconninfoOption *o = defaults; o->keyword; o++)
		if (strcmp(o->keyword, keyword) == 0)
			return strchr(o->dispchar, 'D') == NULL;
	return false;
}

static bool
option_value(List *options, const char *name, char **value)
{
	ListCell   *lc;

	foreach(lc, options)
	{
		DefElem    *d = lfirst(lc);

		if (strcmp(d->defname, name) == 0)
		{
			*value = defGetString(d);
			return true;
		}
	}
	return false;
}

/*
 * A role other than a superuser connects only with a password: without one
 * the remote server might let it in as the operating system user this
 * server runs as.  A superuser's user mapping may say password_required
 * 'false' (as postgres_fdw's may).
 */
static bool
password_required(UserMapping *um)
{
	char	   *value;

	if (superuser_arg(um->userid))
		return false;
	if (option_value(um->options, "password_required", &value))
		return defGetBoolean(makeDefElem("password_required", (Node *) makeString(value), -1));
	return true;
}

/* the text of libpq's last error, without its final newline */
static char *
connection_error(PGconn *conn)
{
	return pchomp(PQerrorMessage(conn));
}

/* the remote server's notices (a schema that exists already, ...) are not the caller's */
static void
ignore_notice(void *arg, const char *message)
{
}

/*
 * PQconnectdbParams, but waiting on the latch and the socket between the
 * steps of the connection (PQconnectPoll), so that a cancel or a
 * termination of this backend ends a connection attempt to a server that
 * does not answer.
 */
static PGconn *
connect_interruptibly(const char *const *keywords, const char *const *values)
{
	PGconn	   *volatile conn = PQconnectStartParams(keywords, values, false);

	if (conn == NULL || PQstatus(conn) == CONNECTION_BAD)
		return conn;
	PG_TRY();
	{
		PostgresPollingStatusType status = PGRES_POLLING_WRITING;

		while (status != PGRES_POLLING_OK && status != PGRES_POLLING_FAILED)
		{
			int			io = status == PGRES_POLLING_READING ? WL_SOCKET_READABLE : WL_SOCKET_WRITEABLE;
			int			events = WaitLatchOrSocket(MyLatch, WL_LATCH_SET | WL_EXIT_ON_PM_DEATH | io,
												   PQsocket(conn), -1L, PG_WAIT_EXTENSION);

			if (events & WL_LATCH_SET)
			{
				ResetLatch(MyLatch);
				CHECK_FOR_INTERRUPTS();
			}
			if (events & io)
				status = PQconnectPoll(conn);
		}
	}
	PG_CATCH();
	{
		PQfinish(conn);
		PG_RE_THROW();
	}
	PG_END_TRY();
	return conn;
}

static PGconn *
connect_server(ForeignServer *fs, UserMapping *um, const char *bind)
{
	PQconninfoOption *defaults = PQconndefaults();
	List	   *options = list_concat_copy(fs->options, um->options);
	int			n = list_length(options) + 3;
	const char **keywords = palloc0(n * sizeof(char *));
	const char **values = palloc0(n * sizeof(char *));
	int			i = 0;
	char	   *password;
	bool		need_password = password_required(um);
	PGconn	   *conn;
	ListCell   *lc;

	if (defaults == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	foreach(lc, options)
	{
		DefElem    *d = lfirst(lc);

		if (!libpq_option(defaults, d->defname))
			continue;
		keywords[i] = d->defname;
		values[i] = defGetString(d);
		i++;
	}
	PQconninfoFree(defaults);
	keywords[i] = "fallback_application_name";
	values[i++] = "corm";
	keywords[i] = "client_encoding";
	values[i++] = GetDatabaseEncodingName();
	keywords[i] = values[i] = NULL;

	if (need_password && (!option_value(um->options, "password", &password) || *password == '\0'))
		ereport(ERROR,
				(errcode(ERRCODE_S_R_E_PROHIBITED_SQL_STATEMENT_ATTEMPTED),
				 errmsg("user mapping for \"%s\" on server \"%s\" of bind \"%s\" has no password",
						GetUserNameFromId(um->userid, false), fs->servername, bind),
				 errdetail("A role that is not a superuser connects to another database only with a password."),
				 errhint("Add one with ALTER USER MAPPING FOR CURRENT_USER SERVER %s OPTIONS (ADD password '...').",
						 quote_identifier(fs->servername))));

	conn = connect_interruptibly(keywords, values);
	if (conn == NULL || PQstatus(conn) != CONNECTION_OK)
	{
		char	   *detail = conn ? connection_error(conn) : pstrdup("out of memory");

		PQfinish(conn);
		ereport(ERROR,
				(errcode(ERRCODE_SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION),
				 errmsg("could not connect to server \"%s\" of bind \"%s\"", fs->servername, bind),
				 errdetail_internal("%s", detail),
				 errhint("Check the server's options (host, port, dbname) and that it accepts connections.")));
	}
	PQsetNoticeProcessor(conn, ignore_notice, NULL);
	if (need_password && !PQconnectionUsedPassword(conn))
	{
		PQfinish(conn);
		ereport(ERROR,
				(errcode(ERRCODE_S_R_E_PROHIBITED_SQL_STATEMENT_ATTEMPTED),
				 errmsg("server \"%s\" of bind \"%s\" did not ask for the password", fs->servername, bind),
				 errdetail("A role that is not a superuser connects to another database only with a password."),
				 errhint("Have the remote server authenticate this role by password (pg_hba.conf).")));
	}
	return conn;
}

/*
 * The result of the statement sent on conn, waiting for it so that a
 * cancel or a termination of this backend interrupts the wait.  The caller
 * owns the result (PQclear).
 */
static PGresult *
wait_result(RemoteConnection *rc)
{
	PGresult   *volatile last = NULL;

	PG_TRY();
	{
		for (;;)
		{
			PGresult   *res;

			while (PQisBusy(rc->conn))
			{
				int			events = WaitLatchOrSocket(MyLatch,
													   WL_LATCH_SET | WL_SOCKET_READABLE |
													   WL_EXIT_ON_PM_DEATH,
													   PQsocket(rc->conn), -1L, PG_WAIT_EXTENSION);

				ResetLatch(MyLatch);
				CHECK_FOR_INTERRUPTS();
				if ((events & WL_SOCKET_READABLE) && !PQconsumeInput(rc->conn))
				{
					rc->broken = true;
					ereport(ERROR,
							(errcode(ERRCODE_CONNECTION_FAILURE),
							 errmsg("lost the connection to server \"%s\"", rc->server),
							 errdetail_internal("%s", connection_error(rc->conn))));
				}
			}
			res = PQgetResult(rc->conn);
			if (res == NULL)
				break;
			PQclear(last);
			last = res;
		}
	}
	PG_CATCH();
	{
		PQclear(last);
		PG_RE_THROW();
	}
	PG_END_TRY();
	return last;
}

/* a remote error as a local one: its SQLSTATE, message, detail and hint */
static void
report_remote_error(RemoteConnection *rc, PGresult *res, const char *sql)
{
	char	   *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	char	   *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	char	   *detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
	char	   *hint = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_HINT) : NULL;
	int			code = ERRCODE_CONNECTION_FAILURE;

	if (state && strlen(state) == 5)
		code = MAKE_SQLSTATE(state[0], state[1], state[2], state[3], state[4]);
	primary = primary ? pstrdup(primary) : connection_error(rc->conn);
	detail = detail ? pstrdup(detail) : NULL;
	hint = hint ? pstrdup(hint) : NULL;
	PQclear(res);
	if (PQstatus(rc->conn) != CONNECTION_OK)
		rc->broken = true;
	ereport(ERROR,
			(errcode(code),
			 errmsg_internal("%s", primary),
			 detail ? errdetail_internal("%s", detail) : 0,
			 hint ? errhint("%s", hint) : 0,
			 errcontext("remote SQL command on server \"%s\": %s", rc->server, sql)));
}

/* run one statement remotely; its result, checked, for the caller to clear */
static PGresult *
remote_exec(RemoteConnection *rc, const char *sql, int nparams, const char *const *params)
{
	PGresult   *res;
	ExecStatusType status;

	if (!PQsendQueryParams(rc->conn, sql, nparams, NULL, params, NULL, NULL, 0))
		report_remote_error(rc, NULL, sql);
	res = wait_result(rc);
	status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
		report_remote_error(rc, res, sql);
	return res;
}

static void
remote_command(RemoteConnection *rc, const char *sql)
{
	PQclear(remote_exec(rc, sql, 0, NULL));
}

/* how long an abort waits for a server to answer before it gives the connection up */
#define QUIET_WAIT_MS 30000

/*
 * The results of what runs on conn, read until it ends or the deadline
 * passes (false then, or when the connection is lost); *ok, when given,
 * whether the last result was a success.  No error is thrown: this is for
 * a transaction's abort, where interrupts wait for later.
 */
static bool
drain_results(PGconn *conn, TimestampTz deadline, bool *ok)
{
	for (;;)
	{
		PGresult   *res;

		while (PQisBusy(conn))
		{
			long		wait = TimestampDifferenceMilliseconds(GetCurrentTimestamp(), deadline);
			int			events;

			if (wait <= 0)
				return false;
			events = WaitLatchOrSocket(MyLatch, WL_LATCH_SET | WL_SOCKET_READABLE | WL_TIMEOUT |
									   WL_EXIT_ON_PM_DEATH, PQsocket(conn), wait, PG_WAIT_EXTENSION);
			ResetLatch(MyLatch);
			if ((events & WL_SOCKET_READABLE) && !PQconsumeInput(conn))
				return false;
		}
		res = PQgetResult(conn);
		if (res == NULL)
			return true;
		if (ok)
			*ok = PQresultStatus(res) == PGRES_COMMAND_OK;
		PQclear(res);
	}
}

/*
 * Run a statement where no error may be thrown (a transaction's abort):
 * whether it succeeded within QUIET_WAIT_MS.  A statement still running is
 * cancelled first.  A server that does not answer in time gets its
 * connection closed by the caller, which ends its transaction there too.
 */
static bool
remote_command_quietly(RemoteConnection *rc, const char *sql)
{
	TimestampTz deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), QUIET_WAIT_MS);
	bool		ok = false;

	if (PQstatus(rc->conn) != CONNECTION_OK)
		return false;
	if (PQtransactionStatus(rc->conn) == PQTRANS_ACTIVE)
	{
		PGcancel   *cancel = PQgetCancel(rc->conn);
		char		errbuf[256];
		bool		sent = cancel && PQcancel(cancel, errbuf, sizeof(errbuf));

		PQfreeCancel(cancel);
		if (!sent || !drain_results(rc->conn, deadline, NULL))
			return false;
	}
	if (!PQsendQuery(rc->conn, sql) || !drain_results(rc->conn, deadline, &ok))
		return false;
	return ok;
}

static void
close_connections(void)
{
	ListCell   *lc;

	foreach(lc, connections)
	{
		RemoteConnection *rc = lfirst(lc);

		PQfinish(rc->conn);
		pfree(rc->server);
		if (rc->lock_timeout)
			pfree(rc->lock_timeout);
		pfree(rc);
	}
	list_free(connections);
	connections = NIL;
}

/*
 * The end of the local transaction: the remote ones commit just before it
 * commits (an error there aborts it), and roll back when it aborts.
 */
static void
remote_xact_callback(XactEvent event, void *arg)
{
	ListCell   *lc;

	if (connections == NIL)
		return;
	switch (event)
	{
		case XACT_EVENT_PRE_COMMIT:
		case XACT_EVENT_PARALLEL_PRE_COMMIT:
			foreach(lc, connections)
			{
				RemoteConnection *rc = lfirst(lc);

				if (rc->depth == 0)
					continue;
				if (rc->broken)
					ereport(ERROR,
							(errcode(ERRCODE_CONNECTION_FAILURE),
							 errmsg("the transaction on server \"%s\" cannot commit", rc->server),
							 errdetail("A rollback to a savepoint there failed.")));
				remote_command(rc, "COMMIT TRANSACTION");
				rc->depth = 0;
			}
			break;
		case XACT_EVENT_PRE_PREPARE:
			foreach(lc, connections)
				if (((RemoteConnection *) lfirst(lc))->depth > 0)
					ereport(ERROR,
							(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
							 errmsg("cannot prepare a transaction that changed a table on server \"%s\"",
									((RemoteConnection *) lfirst(lc))->server),
							 errhint("Commit it instead: corm does not prepare remote transactions.")));
			break;
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
			foreach(lc, connections)
			{
				RemoteConnection *rc = lfirst(lc);

				/* a failed rollback ends the connection, which rolls back too */
				if (rc->depth > 0)
					remote_command_quietly(rc, "ROLLBACK TRANSACTION");
			}
			close_connections();
			break;
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_PREPARE:
			close_connections();
			break;
	}
}

/* a subtransaction's end: its savepoint on each server is released or rolled back to */
static void
remote_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
						SubTransactionId parentSubid, void *arg)
{
	int			level = GetCurrentTransactionNestLevel();
	ListCell   *lc;

	if (event != SUBXACT_EVENT_PRE_COMMIT_SUB && event != SUBXACT_EVENT_ABORT_SUB)
		return;
	foreach(lc, connections)
	{
		RemoteConnection *rc = lfirst(lc);

		if (rc->depth < level)
			continue;
		if (event == SUBXACT_EVENT_PRE_COMMIT_SUB)
			remote_command(rc, psprintf("RELEASE SAVEPOINT corm_s%d", level));
		else if (rc->broken ||
				 !remote_command_quietly(rc, psprintf("ROLLBACK TO SAVEPOINT corm_s%d", level)) ||
				 !remote_command_quietly(rc, psprintf("RELEASE SAVEPOINT corm_s%d", level)))
			rc->broken = true;
		/* a setting made inside the savepoint went with it */
		if (event == SUBXACT_EVENT_ABORT_SUB && rc->lock_timeout)
		{
			pfree(rc->lock_timeout);
			rc->lock_timeout = NULL;
		}
		rc->depth = level - 1;
	}
}

/*
 * The caller's lock_timeout holds there too: a lock corm waits for there
 * fails the call as one here does (55P03).  That is also what ends the
 * wait for a lock that this very transaction holds there through
 * postgres_fdw's own connection (a SELECT through a model's view before
 * a migration of its table), which no deadlock detector can see.
 */
static void
share_lock_timeout(RemoteConnection *rc)
{
	const char *value = GetConfigOption("lock_timeout", false, false);

	if (rc->lock_timeout && strcmp(rc->lock_timeout, value) == 0)
		return;
	PQclear(remote_exec(rc, "SELECT pg_catalog.set_config('lock_timeout', $1, true)", 1, &value));
	if (rc->lock_timeout)
		pfree(rc->lock_timeout);
	rc->lock_timeout = MemoryContextStrdup(TopMemoryContext, value);
}

/*
 * The connection to a bind's server for the current transaction, its
 * remote transaction open to the current subtransaction level.
 */
static RemoteConnection *
remote_connection(const char *server, const char *bind)
{
	ForeignServer *fs = lookup_server(server, bind);
	UserMapping *um = lookup_user_mapping(fs, bind);
	int			level = GetCurrentTransactionNestLevel();
	RemoteConnection *rc = NULL;
	ListCell   *lc;

	if (!callbacks_registered)
	{
		RegisterXactCallback(remote_xact_callback, NULL);
		RegisterSubXactCallback(remote_subxact_callback, NULL);
		callbacks_registered = true;
	}
	foreach(lc, connections)
	{
		RemoteConnection *c = lfirst(lc);

		if (c->serverid == fs->serverid && c->userid == um->userid)
			rc = c;
	}
	if (rc == NULL)
	{
		PGconn	   *conn = connect_server(fs, um, bind);
		MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

		rc = palloc0(sizeof(RemoteConnection));
		rc->serverid = fs->serverid;
		rc->userid = um->userid;
		rc->server = pstrdup(fs->servername);
		rc->conn = conn;
		connections = lappend(connections, rc);
		MemoryContextSwitchTo(old);
	}
	if (rc->broken)
		ereport(ERROR,
				(errcode(ERRCODE_IN_FAILED_SQL_TRANSACTION),
				 errmsg("the transaction on server \"%s\" failed", rc->server),
				 errhint("Roll back this transaction and try again.")));
	if (rc->depth == 0)
	{
		remote_command(rc, IsolationIsSerializable() ?
					   "START TRANSACTION ISOLATION LEVEL SERIALIZABLE" :
					   "START TRANSACTION ISOLATION LEVEL REPEATABLE READ");
		rc->depth = 1;
	}
	while (rc->depth < level)
	{
		remote_command(rc, psprintf("SAVEPOINT corm_s%d", rc->depth + 1));
		rc->depth++;
	}
	share_lock_timeout(rc);
	return rc;
}

/* run one statement of DDL in the database of a bind's server */
void
corm_remote_command(const char *server, const char *bind, const char *sql)
{
	remote_command(remote_connection(server, bind), sql);
}

/*
 * Run a query in the database of a bind's server, with text parameters:
 * its rows, each a List of char * (NULL for a null).
 */
List *
corm_remote_query(const char *server, const char *bind, const char *sql,
				  int nparams, const char *const *params)
{
	RemoteConnection *rc = remote_connection(server, bind);
	PGresult   *res = remote_exec(rc, sql, nparams, params);
	List	   *rows = NIL;

	for (int i = 0; i < PQntuples(res); i++)
	{
		List	   *row = NIL;

		for (int j = 0; j < PQnfields(res); j++)
			row = lappend(row, PQgetisnull(res, i, j) ? NULL : pstrdup(PQgetvalue(res, i, j)));
		rows = lappend(rows, row);
	}
	PQclear(res);
	return rows;
}

/* run an INSERT, UPDATE or DELETE in the database of a bind's server: the rows it touched */
uint64
corm_remote_update(const char *server, const char *bind, const char *sql)
{
	PGresult   *res = remote_exec(remote_connection(server, bind), sql, 0, NULL);
	uint64		rows = strtoull(PQcmdTuples(res), NULL, 10);

	PQclear(res);
	return rows;
}
