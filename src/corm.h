/*
 * corm.h — shared declarations of the corm extension
 *
 * The data flows through the files in this order, each calling only the
 * ones above it in this list:
 *   naming.c   names: generated table names, identifiers, quoting
 *   coldef.c   parse the user's text (column lists, onupdate lists, indexes)
 *   catalog.c  read and write corm's catalog rows; read grants
 *   remote.c   the database of a bind's foreign server: connection, remote
 *              transaction tied to the local one
 *   execute.c  run generated DDL (here or on a bind's server), telling the
 *              call's listeners
 *   meta.c     call a meta policy's functions (naming)
 *   method.c   corm.call(): a query method's SQL, with a plan kept per session
 *   keyset.c   corm.keyset(): BaseQuery's keyset pages, bookmarks and their checks
 *   resolve.c  a model's full column list (model class, mixins, parents)
 *   plan.c     the objects a model needs, as plain structures and DDL text
 *              (its table, constraints, indexes, trigger)
 *   query.c    a model's query functions and Pagination type
 *   view.c     a model's view
 *   foreign.c  a model bound to another database: its table there, compared
 *              with that database's catalogs, and the foreign table here
 *   apply.c    compare a model's plan with what exists and run the difference
 *   register.c, lifecycle.c, introspect.c, diagram.c   the SQL-callable
 *              functions (register.c also starts and ends every call)
 */
#ifndef CORM_H
#define CORM_H

#include "postgres.h"

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "nodes/parsenodes.h"
#include "nodes/pg_list.h"
#include "utils/relcache.h"

/* ---------- coldef.c ---------- */

/*
 * One element of a column list: a column definition or a table constraint,
 * with the raw parse tree and the exact source text of each of its clauses.
 * Every text piece is bounded by the server's own lexer, so it is always a
 * whole token sequence (never half a string literal or comment).
 */
typedef struct CormColumnList CormColumnList;

typedef struct CormElement
{
	CormColumnList *list;		/* the list it belongs to */
	Node	   *node;			/* ColumnDef or Constraint (raw) */
	char	   *text;			/* the whole element */
	List	   *clauses;		/* column only: char * per constraint/COLLATE */
	List	   *clause_nodes;	/* matching Constraint / CollateClause nodes */
} CormElement;

struct CormColumnList
{
	const char *text;			/* the list as written */
	const char *what;			/* e.g. columns of mixin "X", for messages */
	char	   *sql;			/* the statement corm had the server parse */
	int			prefix_chars;	/* characters in front of text in sql */
	List	   *elements;		/* CormElement * */
};

/* one assignment of an onupdate list: column = expression */
typedef struct CormAssignment
{
	char	   *column;
	Node	   *expr;			/* raw expression */
	char	   *text;			/* the expression's source text */
	char	   *source;			/* where it was declared, for messages */
} CormAssignment;

/*
 * One index of a definition: the text after ON <table> of CREATE INDEX,
 * UNIQUE and a name allowed in front, as the server's parser read it.
 */
typedef struct CormIndexDef
{
	const char *text;			/* as written */
	const char *what;			/* e.g. indexes of mixin "X", for messages */
	bool		unique;
	char	   *name;			/* the given name (may hold %(table)s), or NULL */
	char	   *body;			/* the text that follows ON <table> */
	IndexStmt  *stmt;			/* raw, on a placeholder relation */
	char	   *sql;			/* the statement corm had the server parse */
	int			prefix_chars;	/* for error positions: see CormTextContext */
	List	   *columns;		/* char *, every column it reads */
	List	   *key_columns;	/* char *, its key when that is columns only, else NIL */
} CormIndexDef;

extern CormIndexDef *corm_parse_index(const char *text, const char *what);
extern bool corm_column_refs(Node *node, List **names);
extern CormColumnList *corm_parse_columns(const char *text, const char *what);
extern bool corm_reference_extent(CormColumnList *list, RangeVar *rv, int *start, int *end);
extern List *corm_parse_onupdate(const char *text, const char *what);
extern void corm_resolve_type(CormElement *elem, const char *what,
							  Oid *typid, int32 *typmod, bool *is_serial);

/*
 * While the server analyses text that corm wrapped around the user's
 * (a prefix such as "CREATE TABLE x ("), errors point into the user's text:
 * push one of these on the error context stack around the analysis.
 */
typedef struct CormTextContext
{
	ErrorContextCallback callback;
	const char *text;			/* the user's text */
	int			prefix_chars;	/* characters corm put in front of it */
	const char *what;			/* context line, e.g. columns of mixin "X" */
	int			gap_at;			/* where corm put text into it (0: nowhere) */
	int			gap_chars;		/* and how many characters more it made */
} CormTextContext;

extern void corm_push_text_context(CormTextContext *ctx, const char *text,
								   int prefix_chars, const char *what);
extern void corm_pop_text_context(CormTextContext *ctx);

/* ---------- naming.c ---------- */

extern char *corm_qualified(const char *schema, const char *name);

extern char *corm_snake_case(const char *name);
extern void corm_check_identifier(const char *name, const char *what, const char *model);
extern bool corm_name_in(List *names, const char *name);
extern List *corm_string_names(List *strings);
extern bool corm_same_names(List *a, List *b);
extern int	corm_compare_names(const ListCell *a, const ListCell *b);
extern char *corm_joined_names(List *names);

/* ---------- register.c ---------- */

extern void corm_begin_call(void);

extern char *corm_text_arg(FunctionCallInfo fcinfo, int n);
extern char *corm_name_arg(FunctionCallInfo fcinfo, int n, const char *kind);
extern void corm_refuse_builtin(const char *kind, const char *name);
struct CormCollector;
extern void corm_start_call(struct CormCollector *collector);
extern Datum corm_finish_call(FunctionCallInfo fcinfo, struct CormCollector *collector);

/* ---------- remote.c ---------- */

extern void corm_check_server(const char *server, const char *bind);
extern void corm_remote_command(const char *server, const char *bind, const char *sql);
extern List *corm_remote_query(const char *server, const char *bind, const char *sql,
							   int nparams, const char *const *params);
extern uint64 corm_remote_update(const char *server, const char *bind, const char *sql);

/* ---------- execute.c ---------- */

extern void corm_run_steps(List *steps);
extern void corm_report(const char *problem);
extern void corm_execute(const char *sql);
extern void corm_execute_remote(const char *server, const char *bind, const char *sql);

/*
 * A listener to the statements corm runs (corm_execute): each is appended
 * to "statements", allocated in "cxt"; "observe", when set, is called just
 * before (done false) and just after (done true) each one runs.
 */
typedef void (*CormObserver) (const char *sql, bool done, void *arg);

typedef struct CormCollector
{
	List	   *statements;		/* char * */
	MemoryContext cxt;
	CormObserver observe;
	void	   *arg;
	SubTransactionId subid;		/* set by corm_start_collecting */
	List	   *problems;		/* char *, drift corm reports but does not mend */
} CormCollector;

extern void corm_start_collecting(CormCollector *collector);
extern void corm_stop_collecting(CormCollector *collector);
extern void corm_forget_collectors(SubTransactionId since);
extern void corm_reset_collectors(void);

/* ---------- meta.c ---------- */

extern Oid	corm_lookup_function(const char *signature, const char *what, bool returns_text);
extern char *corm_call_naming(const char *signature, const char *meta, const char *model);
extern Datum corm_call_text_function(Oid fn, const char *arg, bool *isnull);

/* ---------- catalog.c ---------- */

extern List *corm_read_grants(const char *object, bool function);

typedef struct CormModelRow
{
	char	   *name;
	char	   *columns;
	char	   *parent;
	char	   *model_class;
	List	   *mixins;			/* char * */
	char	   *tablename;
	bool		abstract;
	char	   *bind_key;
	char	   *query_class;
	char	   *onupdate;
	char	   *polymorphic_on;
	char	   *polymorphic_identity;
	char	   *kind;
	char	   *table_schema;
	char	   *table_name;
	List	   *indexes;		/* char *, CREATE INDEX text after ON <table> */
	char	   *inheritance;	/* "single", "joined" or NULL */
	List	   *table_indexes;	/* char *, the indexes corm made on its table */
} CormModelRow;

typedef struct CormMixinRow
{
	char	   *name;
	char	   *columns;
	char	   *onupdate;
	List	   *mixins;
	List	   *indexes;
} CormMixinRow;

typedef struct CormModelClassRow
{
	char	   *name;
	char	   *primary_key;
	char	   *columns;
	char	   *meta;
	char	   *query_class;
	List	   *indexes;
} CormModelClassRow;

typedef struct CormMetaRow
{
	char	   *name;
	char	   *naming;
	bool		binding;
	List	   *hooks;			/* char *, qualified function signatures */
} CormMetaRow;

typedef struct CormBindRow
{
	char	   *key;
	char	   *schema;
	char	   *tablespace;
	char	   *server;			/* a postgres_fdw server, or NULL: this database */
} CormBindRow;

extern int	corm_catalog_spi(const char *sql, int nargs, Oid *types, Datum *values,
							 const char *nulls);
extern int	corm_system_spi(const char *sql, int nargs, Oid *types, Datum *values,
							const char *nulls);
extern Oid	corm_caller(void);
extern void corm_check_owner(const char *kind, const char *name, const char *owner);
extern void corm_require_owner(const char *kind, const char *table, const char *keycol,
							   const char *name);
extern void corm_lock_catalog(void);
extern void corm_forget_catalog_rows(void);
extern CormModelRow *corm_load_model(const char *name, bool missing_ok);
extern CormMixinRow *corm_load_mixin(const char *name, bool missing_ok);
extern CormModelClassRow *corm_load_model_class(const char *name, bool missing_ok);
extern CormMetaRow *corm_load_meta(const char *name, bool missing_ok);
extern CormBindRow *corm_load_bind(const char *key, const char *model);
extern bool corm_query_class_exists(const char *name);
extern List *corm_models_to_sync(const char *kind, const char *name);
extern void corm_record_table(const char *model, const char *kind,
							  const char *schema, const char *table);
extern List *corm_child_models(const char *name);
extern char *corm_model_claiming_table(const char *schema, const char *table,
									   const char *except);
extern char *corm_view_definition(const char *model);
extern void corm_record_view(const char *model, const char *name, const char *definition);
extern char *corm_recorded_view(const char *model);
extern bool corm_view_changed(const char *model);
extern bool corm_is_bind_schema(const char *schema);
extern void corm_rename_references(const char *old_schema, const char *old_table,
								   const char *new_schema, const char *new_table);
extern bool corm_catalog_has(const char *table, const char *column);
extern void corm_record_table_indexes(const char *model, List *names);

/* ---------- resolve.c ---------- */

typedef enum CormKind
{
	CORM_ROOT,
	CORM_JOINED,
	CORM_SINGLE,
	CORM_ABSTRACT
} CormKind;

/* one column of a model's full row */
typedef struct CormColumn
{
	char	   *name;
	CormElement *elem;			/* where it was defined */
	ColumnDef  *def;
	Oid			typid;
	int32		typmod;
	bool		is_serial;
	char	   *origin;			/* "own", "mixin X", "model class X", ... */
	char	   *source;			/* the same for messages: mixin "X" */
	bool		in_table;		/* stored in this model's own table/additions */
	bool		primary_key;	/* part of the model's primary key */
	bool		add_pk_clause;	/* the model class's key: corm adds PRIMARY KEY */
	bool		identity;		/* generated as an identity column */
	bool		nullable_forced;	/* single-table: NOT NULL dropped */
	char	   *references;		/* joined: FK clause to the parent, quoted */
	char	   *table;			/* the table that stores it, quoted */
} CormColumn;

typedef struct CormResolved
{
	CormModelRow *row;
	CormKind	kind;
	struct CormResolved *table_parent;	/* nearest non-abstract ancestor */
	char	   *model_class;
	char	   *bind_key;		/* its own, else its parent's */
	char	   *tablespace;		/* its bind's, for its table and indexes */
	char	   *server;			/* its bind's foreign server: its table is there */
	char	   *schema;			/* where its table is (or its parent's) */
	char	   *table;			/* own table, or the ancestor's for single */
	char	   *basename;		/* table name, or generated name for single */
	List	   *columns;		/* CormColumn *, the full row */
	List	   *table_columns;	/* CormColumn *, those its table (or additions) hold */
	List	   *constraints;	/* CormElement *, added to the table by it */
	List	   *all_constraints;	/* every table constraint of the model */
	List	   *onupdate;		/* CormAssignment *, every one of the model */
	List	   *table_onupdate;	/* those for columns its table holds */
	List	   *indexes;		/* CormIndex *, those it puts on its table */
} CormResolved;

/* an index a model puts on its table, and where it was declared */
typedef struct CormIndex
{
	CormIndexDef *def;
	char	   *origin;			/* "own", "mixin X", "model class X", ... */
	bool		foreign_key;	/* made for a foreign key, not declared */
} CormIndex;

extern CormResolved *corm_resolve_model(const char *name, bool notices);
extern CormResolved *corm_table_owner(CormResolved *res);
extern const char *corm_discriminator(CormResolved *res);
extern List *corm_single_sharers(CormResolved *owner);
extern void corm_reset_resolve_cache(void);
extern const char *corm_kind_name(CormKind kind);
extern CormColumn *corm_find_column(List *columns, const char *name);
extern bool corm_has_constraint(ColumnDef *def, ConstrType type);
extern CormColumn *corm_single_key(List *columns);
extern char *corm_view_qualified(CormResolved *res);
extern bool corm_table_moves(CormResolved *res);

/* ---------- plan.c ---------- */

typedef enum CormStepKind
{
	CORM_CREATE_SCHEMA,
	CORM_SET,
	CORM_CREATE_TABLE,
	CORM_ADD_COLUMN,
	CORM_ADD_CONSTRAINT,
	CORM_TRIGGER,
	CORM_VIEW,
	CORM_ALTER_COLUMN,
	CORM_DROP_COLUMN,
	CORM_DROP_CONSTRAINT,
	CORM_CREATE_INDEX,
	CORM_DROP_INDEX
} CormStepKind;

/* one DDL statement of a plan */
typedef struct CormStep
{
	CormStepKind kind;
	char	   *schema;
	char	   *table;
	char	   *object;			/* column name for ADD COLUMN */
	char	   *sql;
	char	   *server;			/* run on this bind's server, not here (NULL) */
	char	   *bind;
} CormStep;

/* an index a table gets, named, with the statement that makes it */
typedef struct CormPlannedIndex
{
	char	   *name;
	char	   *sql;			/* CREATE INDEX ... */
	CormIndex  *index;
	CormResolved *holder;		/* the model that puts it there */
	IndexStmt  *stmt;			/* raw, on the table and under the name */
} CormPlannedIndex;

/* a constraint a table gets, as ALTER TABLE ... ADD takes it */
typedef struct CormPlannedConstraint
{
	char	   *sql;
	char	   *column;			/* a column's own: its name; a table constraint: NULL */
} CormPlannedConstraint;

extern List *corm_plan_constraints(CormResolved *res);
extern List *corm_plan_indexes(CormResolved *owner, List *holders);
extern List *corm_plan_index_steps(List *planned, CormResolved *only);
extern List *corm_plan_model(CormResolved *res, List **indexes);
extern CormStep *corm_plan_add_column(CormResolved *res, CormColumn *col);
extern CormStep *corm_plan_add_constraint(CormResolved *res, CormElement *elem);
extern CormStep *corm_make_step(CormStepKind kind, CormResolved *res, const char *object, char *sql);
extern char *corm_column_sql(CormColumn *col);
extern char corm_constraint_char(ConstrType type);
extern char *corm_column_constraint_sql(CormColumn *col, Constraint *con, char contype);
extern char *corm_type_sql(CormColumn *col);
extern bool corm_column_not_null(CormColumn *col);
extern char *corm_column_default(CormColumn *col);
extern Oid	corm_column_collation(CormColumn *col);
extern char *corm_plan_text(List *steps);
extern List *corm_table_onupdate(CormResolved *owner);
extern List *corm_onupdate_args(List *assignments);
extern List *corm_plan_trigger(CormResolved *res, List *args, bool replace);

/* one key of a cooked index statement, as DefineIndex makes it */
typedef struct CormIndexKey
{
	bool		missing;		/* a column rel does not have: nothing else is set */
	AttrNumber	attnum;			/* a column, or 0 for an expression */
	Node	   *expr;			/* the expression, constants folded */
	Oid			collation;
	Oid			opclass;		/* InvalidOid: not here */
	List	   *opclass_options;	/* char *, sorted */
	int16		option;			/* INDOPTION_DESC, INDOPTION_NULLS_FIRST */
} CormIndexKey;

extern CormIndexKey corm_index_key(Relation rel, IndexElem *elem, Oid amoid, bool amcanorder);
extern Node *corm_index_predicate(Node *where);
extern List *corm_option_texts(List *options);
extern List *corm_option_array_texts(Datum array);

/* ---------- view.c ---------- */

extern List *corm_plan_view(CormResolved *res);
extern void corm_sync_view(CormResolved *res);
extern void corm_drop_view(const char *view, const char *model);
extern void corm_reset_saved_grants(void);
extern void corm_reset_saved_function_grants(void);

/* ---------- method.c ---------- */

extern void corm_check_method(Oid fn, const char *body);

/* ---------- query.c ---------- */

extern List *corm_plan_functions(CormResolved *res);
extern void corm_sync_functions(CormResolved *res);
extern void corm_drop_functions_over(const char *model);
extern char *corm_function_definition(void *planned);
extern char *corm_function_body(void *planned);

/* ---------- foreign.c ---------- */

extern List *corm_plan_remote_model(CormResolved *res, List **indexes);
extern List *corm_plan_remote_table(CormResolved *res, bool drop_columns, bool *rebuild,
									List **indexes);
extern void corm_drop_remote_table(CormResolved *res, bool cascade);
extern void corm_refuse_database_move(CormResolved *res);
extern void corm_rename_remote_column(CormResolved *res, const char *old, const char *new);

/* ---------- apply.c ---------- */

extern void corm_sync_model(const char *name, bool notices, bool drop_columns);
extern void corm_sync_models(List *names, bool drop_columns);

#endif							/* CORM_H */
