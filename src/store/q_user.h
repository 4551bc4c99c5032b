/* Queries on users. Rows are read into struct user with strings copied
 * into the caller's arena. */
#ifndef PHEU_STORE_Q_USER_H
#define PHEU_STORE_Q_USER_H

#include "model/user.h"
#include "store/db.h"
#include "store/visibility.h"

/* Loads user id; E_NOTFOUND when absent. */
int q_user_get(struct db_conn *c, int64_t id, struct user *u,
               struct arena *a, struct err *err);
/* Loads user id when v may see it, else E_NOTFOUND. */
int q_user_get_visible(struct db_conn *c, const struct vis *v, int64_t id,
                       struct user *u, struct arena *a, struct err *err);
/* Loads the user with this (lower-case) email and its password hash
 * (NULL when none); E_NOTFOUND when absent. */
int q_user_by_email(struct db_conn *c, const char *email, struct user *u,
                    const char **hash, struct arena *a, struct err *err);
/* Lists users visible to v with id > after, by id, at most limit; sets
 * *n. out must hold limit entries. */
int q_user_list(struct db_conn *c, const struct vis *v, int64_t after,
                int limit, struct user *out, int *n, struct arena *a,
                struct err *err);
/* Lists every user ordered by email into a callback-free array (CLI). */
int q_user_all(struct db_conn *c, struct user **out, int *n,
               struct arena *a, struct err *err);
/* Inserts a user (hash may be NULL); sets *id. E_CONFLICT with err->id
 * when the email is taken. */
int q_user_insert(struct db_conn *c, const struct user_in *in,
                  const char *hash, int64_t *id, struct err *err);
/* Updates the fields given in *in (and the password hash when non-NULL). */
int q_user_update(struct db_conn *c, int64_t id, const struct user_in *in,
                  const char *hash, struct err *err);

#endif
