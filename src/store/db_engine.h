/* What an engine (db_sqlite.c, db_pg.c) supplies to store/db.c. Engines
 * embed struct db_conn and struct db_stmt as the first member of their
 * own connection and statement structs. Private to src/store. */
#ifndef PHEU_STORE_DB_ENGINE_H
#define PHEU_STORE_DB_ENGINE_H

#include <pthread.h>

#include "store/db.h"

struct db_ops {
    const char *name;       /* "sqlite" | "postgres" */
    const char *id_type;    /* what @ID@ becomes in migrations */
    const char *bytes_collate;  /* @BYTES@: byte-wise text ordering */
    const char *no_rowid;   /* @NOROWID@: table stored in its key */
    /* Writes an SQL expression reading text key k of JSON column col
     * into out (k is a checked identifier, never request text). */
    void (*json_get)(char *out, size_t outlen, const char *col,
                     const char *k, char type);
    const char *ilike;      /* case-insensitive LIKE */
    const char *in_ints;    /* db_in_ints: membership in a JSON array */
    const char *in_texts;   /* db_in_texts: the same, of strings */
    const char *in_select[2];   /* db_in_select: around a subquery */
    int embedded;           /* db_embedded: runs in this process */
    const char *indexed_by;     /* db_add_indexed_by: the clause, or NULL */
    const char *skip_checks;    /* db_skip_checks: the statement, or NULL */
    /* Opens one connection to db->url. */
    int (*conn_open)(struct db *db, struct db_conn **out, struct err *err);
    void (*conn_close)(struct db_conn *c);
    /* Called when a thread takes its connection: reconnects a broken
     * one. Returns 0 or E_UNAVAILABLE. */
    int (*conn_check)(struct db_conn *c, struct err *err);
    int (*exec)(struct db_conn *c, const char *sql, struct err *err);
    int (*prepare)(struct db_conn *c, const char *sql, struct db_stmt **out,
                   struct err *err);
    int (*bind_int)(struct db_stmt *s, int idx, int64_t v, struct err *err);
    int (*bind_text)(struct db_stmt *s, int idx, const char *t,
                     struct err *err);
    int (*step)(struct db_stmt *s, struct err *err);
    /* Sends a bound statement inside a transaction without waiting for
     * its result; a failure surfaces at the connection's next
     * synchronous statement or commit. NULL: db.c steps it to the end. */
    int (*step_nowait)(struct db_stmt *s, struct err *err);
    void (*done)(struct db_stmt *s);
    int64_t (*col_int)(struct db_stmt *s, int i);
    const char *(*col_text)(struct db_stmt *s, int i);
    int (*col_null)(struct db_stmt *s, int i);
    void (*want_binary)(struct db_stmt *s);     /* NULL: nothing to do */
    void (*want_stream)(struct db_stmt *s);     /* NULL: want_binary */
    int (*col_count)(struct db_stmt *s);
    const char *(*col_name)(struct db_stmt *s, int i);
    /* Bulk load (see db_copy_begin); the engine owns its handle. */
    int (*copy_begin)(struct db_conn *c, const char *table,
                      const char *const *cols, int ncols,
                      struct db_copy **out, struct err *err);
    int (*copy_row)(struct db_copy *cp, const char *const *vals,
                    struct err *err);
    int (*copy_end)(struct db_copy *cp, struct err *err);
    /* SQL that defers foreign keys in the current transaction. */
    const char *defer_fks_sql;
    /* Moves table's identity past max(id); NULL when not needed. */
    int (*sync_ids)(struct db_conn *c, const char *table, struct err *err);
    /* Starts a write transaction holding the engine's writer lock. */
    int (*begin_write)(struct db_conn *c, struct err *err);
    /* Whether a transaction is open on c. */
    int (*in_tx)(struct db_conn *c);
    /* Starts and stops a server's background upkeep (db_start_upkeep);
     * NULL when the engine needs none. */
    int (*upkeep_start)(struct db *db, struct err *err);
    void (*upkeep_stop)(struct db *db);
};

#define DB_SPARE 4      /* idle task connections kept per database */

struct db {
    const struct db_ops *ops;
    char *url;
    pthread_key_t key;
    pthread_mutex_t lock;   /* guards conns */
    pthread_mutex_t writer; /* in-process writer lock (SQLite) */
    struct db_conn **conns;
    int nconns, capconns;
    /* connections of finished db_tasks kept for the next ones (also in
     * conns), guarded by lock: a new PostgreSQL connection is a new
     * server process, ~10 ms before its first statement */
    struct db_conn *spare[DB_SPARE];
    int nspare;
    void *upkeep;           /* the engine's upkeep state, or NULL */
};

struct db_conn {
    struct db *db;
    int holds_writer;
    void (*guard)(void *ctx);   /* db_conn_set_guard */
    void *guard_ctx;
};

struct db_stmt {
    struct db_conn *conn;
};

struct db_copy {
    struct db_conn *conn;
    int ncols;
};

/* FNV-1a hash of SQL text: the key of the engines' statement caches. */
uint64_t db_sql_hash(const char *sql);

extern const struct db_ops db_sqlite_ops;
extern const struct db_ops db_pg_ops;

#endif
