/* The storage interface. Every query in Phễu goes through these calls,
 * written in the SQL that SQLite and PostgreSQL share ("?" parameters,
 * RETURNING, ON CONFLICT), so a second engine is a second implementation
 * of this header, not a rewrite: db_sqlite.c and db_pg.c, with the
 * engine-independent half in db.c. */
#ifndef PHEU_STORE_DB_H
#define PHEU_STORE_DB_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

struct buf;

struct db;       /* one database: owns every connection made to it */
struct db_conn;  /* one connection; used by one thread at a time */
struct db_stmt;  /* a prepared statement, cached on its connection */

enum { DB_DONE = 0, DB_ROW = 1 };

/* Opens the database named by url: a SQLite file path (created when
 * missing) or, later, a postgres:// URL. Returns 0 and a new handle in
 * *out (caller frees with db_close), or an error. Does not migrate. */
int db_open(const char *url, struct db **out, struct err *err);
/* Closes every connection and frees the handle. */
void db_close(struct db *db);
/* The engine's name: "sqlite" or "postgres". */
const char *db_engine(const struct db *db);

/* Starts the background upkeep a long-running server needs: on SQLite,
 * WAL checkpoints move off the request path to a thread of their own (a
 * request never waits for pages copied into the database file and their
 * fsync). Nothing on PostgreSQL. db_close stops it. */
int db_start_upkeep(struct db *db, struct err *err);

/* Borrows the calling thread's connection, opening it on first use. */
int db_conn_get(struct db *db, struct db_conn **out, struct err *err);
/* Closes the calling thread's connection, if it has one: a short-lived
 * thread (a report's second half) calls it before it ends, so that its
 * connection does not stay open until db_close. */
void db_conn_release(struct db *db);

/* Sets a function called before c starts a statement, a COPY or a
 * transaction step (NULL removes it): a loader that lends c to a thread
 * of its own (import/bulkload.c) waits there for that thread to be done
 * with it. The function must return at once when called from the thread
 * the connection is lent to. */
void db_conn_set_guard(struct db_conn *c, void (*guard)(void *ctx),
                       void *ctx);

/* Runs one or more statements without parameters. */
int db_exec(struct db_conn *c, const char *sql, struct err *err);
/* Runs a migration file: as db_exec after the engine's rewriting of the
 * shared schema dialect (@ID@ becomes the integer identity key; a line
 * starting @PG@ or @SQLITE@ runs on that engine only). */
int db_exec_schema(struct db_conn *c, const char *sql, struct err *err);

/* Prepares sql (cached per connection) and binds the arguments described
 * by fmt: 'i' int64_t, 'I' int64_t where 0 binds NULL (optional foreign
 * keys), 't' const char * (NULL binds NULL), 'n' NULL.
 * The statement is borrowed until db_done. */
int db_query(struct db_conn *c, struct db_stmt **out, struct err *err,
             const char *sql, const char *fmt, ...);
/* Prepares sql for binding one parameter at a time (dynamic SQL). */
int db_prepare(struct db_conn *c, const char *sql, struct db_stmt **out,
               struct err *err);
/* Binds parameter idx (1-based); text is borrowed until db_done. */
int db_bind_int(struct db_stmt *st, int idx, int64_t v, struct err *err);
int db_bind_text(struct db_stmt *st, int idx, const char *s,
                 struct err *err);

/* Advances to the next row: returns DB_ROW, DB_DONE, or -1 (err set). */
int db_step(struct db_stmt *st, struct err *err);
/* Runs a bound statement whose rows (and row count) the caller does not
 * need; the caller still calls db_done. Inside a transaction on
 * PostgreSQL it is only sent (libpq pipeline mode): it costs no round
 * trip, and its error, mapped as db_step's would be (a unique violation
 * is E_CONFLICT), is returned by the connection's next synchronous call
 * (db_step, db_exec, db_commit, ...) instead, with the transaction left
 * failed, so the write handler's rollback undoes the whole request.
 * Everywhere else (SQLite, autocommit) it steps the statement to its end
 * at once. Returns 0 or an error code. */
int db_step_nowait(struct db_stmt *st, struct err *err);
/* Returns the statement to the cache; safe on NULL. */
void db_done(struct db_stmt *st);

/* Column accessors for the current row; text is valid until the next
 * db_step or db_done, so copy it (arena_strdup) to keep it. */
int64_t db_col_int(struct db_stmt *st, int i);
const char *db_col_text(struct db_stmt *st, int i);  /* NULL for NULL */
int db_col_null(struct db_stmt *st, int i);
/* Asks for st's rows in the engine's binary form, for a scan of many
 * rows read only with db_col_int (integer columns), db_col_text (text
 * columns) and db_col_null: PostgreSQL then sends integers as 8 bytes
 * rather than digits to format and parse (1M funnel rows: see decision
 * 0010); nothing changes on SQLite. Call after db_prepare, before the
 * first db_step; db_done forgets it. */
void db_want_binary(struct db_stmt *st);
/* As db_want_binary, and the rows are handed over as they arrive rather
 * than after the last one: PostgreSQL's single-row mode, so that a scan
 * counts rows while the server still reads them (more client CPU per
 * row, less waiting; decision 0010); nothing changes on SQLite. */
void db_want_stream(struct db_stmt *st);

/* The number of result columns of a prepared statement and their names
 * (valid while the statement is borrowed). */
int db_col_count(struct db_stmt *st);
const char *db_col_name(struct db_stmt *st, int i);

/* Runs a statement that returns no rows (or ignores them). */
int db_run(struct db_conn *c, struct err *err, const char *sql,
           const char *fmt, ...);
/* db_run for statements whose outcome nobody reads before the next
 * statement or the commit (audit rows, search rows, history rows,
 * updated_at touches): see db_step_nowait for when and how an error is
 * reported. */
int db_run_nowait(struct db_conn *c, struct err *err, const char *sql,
                  const char *fmt, ...);
/* Runs a query and stores the first column of its first row in *out;
 * E_NOTFOUND when there is no row. */
int db_int(struct db_conn *c, struct err *err, int64_t *out, const char *sql,
           const char *fmt, ...);

/* Transactions. db_begin_write takes the engine's write lock up front
 * (one writer at a time); every write handler uses it. */
int db_begin(struct db_conn *c, struct err *err);
int db_begin_write(struct db_conn *c, struct err *err);
int db_commit(struct db_conn *c, struct err *err);
/* Rolls back if a transaction is open; never fails. */
void db_rollback(struct db_conn *c);

/* Writes the engine's SQL expression for key k of the JSON column col
 * into out, as type 't' text, 'n' number or 'b' boolean (1/0); k must be
 * a checked identifier ([a-z][a-z0-9_]*). */
void db_json_get(const struct db *db, char *out, size_t outlen,
                 const char *col, const char *k, char type);
/* The collation clause that orders text byte-wise ("" on SQLite). */
const char *db_bytes_collate(const struct db *db);
/* The case-insensitive LIKE operator ("LIKE" or "ILIKE"). */
const char *db_ilike(const struct db *db);
/* The SQL after a column that tests it against a list of integers bound
 * as one text parameter, a JSON array ("[3,5,8]"): one statement for
 * lists of any length, thousands of ids in one round trip. */
const char *db_in_ints(const struct db *db);
/* The same for a list of strings ("[\"a\",\"b\"]"). */
const char *db_in_texts(const struct db *db);
/* The SQL before (close 0) and after (close 1) a one-column subquery
 * that a column is tested against: "IN (" and ")" on SQLite, "= ANY(
 * ARRAY(" and "))" on PostgreSQL, whose planner can put an index under
 * the array where, inside an OR, it scans for the subquery. */
const char *db_in_select(const struct db *db, int close);
/* The database a connection belongs to. */
struct db *db_conn_db(struct db_conn *c);
/* Whether the engine runs in this process (SQLite) rather than as a
 * server (PostgreSQL). Code that picks a way by its cost asks this, never
 * the engine's name: here a row read costs no transfer, so counting rows
 * beats having the server sum them, and rows load through prepared
 * INSERTs, where a server loads by COPY, one table at a time per
 * connection. */
int db_embedded(const struct db *db);
/* Appends " INDEXED BY index" to b on SQLite, nothing elsewhere: the
 * index a query must read where SQLite's planner picks a worse one. */
void db_add_indexed_by(const struct db *db, struct buf *b,
                       const char *index);
/* Turns off CHECK constraints in what connection c compiles from now on,
 * where the engine can (SQLite; a no-op elsewhere): for a writer whose
 * rows are valid by construction. */
int db_skip_checks(struct db_conn *c, struct err *err);

/* ---- bulk loading (pheu migrate-data, imports) ---- */

struct db_copy;

/* Starts loading rows into table's ncols columns inside the caller's
 * transaction: COPY FROM STDIN on PostgreSQL, a prepared INSERT on
 * SQLite. Returns a new handle that db_copy_end frees. */
int db_copy_begin(struct db_conn *c, const char *table,
                  const char *const *cols, int ncols, struct db_copy **out,
                  struct err *err);
/* Adds one row given as text values (NULL for SQL NULL). */
int db_copy_row(struct db_copy *cp, const char *const *vals,
                struct err *err);
/* Finishes the load (even after an error) and frees the handle. */
int db_copy_end(struct db_copy *cp, struct err *err);
/* Defers foreign-key checks to the end of the current transaction. */
int db_defer_fks(struct db_conn *c, struct err *err);
/* After rows were loaded with explicit ids, moves table's id generator
 * past the largest id (PostgreSQL identity; nothing to do on SQLite). */
int db_sync_ids(struct db_conn *c, const char *table, struct err *err);

/* Test-only fault injection: when PHEU_FAULT_DB_STEP=N is set in the
 * environment, the Nth statement step after open fails with E_DB. */
void db_fault_reset(void);

/* ---- work on a thread and a connection of its own ----
 * A report that reads several queries at once runs some of them on a
 * thread of their own, each with its own connection (db_conn_get on that
 * thread; when fn returns, kept idle for the next task, up to DB_SPARE
 * of them, else closed). */
struct db_task {
    int (*fn)(struct db_conn *c, void *ctx, struct err *err);
    void *ctx;
    struct db *db;
    struct err err;             /* fn's error */
    int rc;
    pthread_t thread;
};

/* Starts fn(c, ctx, err) on a thread; 0, or -1 when no thread could
 * start (nothing ran: the caller then runs the work itself). */
int db_task_start(struct db_task *t, struct db *db,
                  int (*fn)(struct db_conn *c, void *ctx, struct err *err),
                  void *ctx);
/* Waits for a started task; returns its result, its error in t->err. */
int db_task_join(struct db_task *t);

#endif
