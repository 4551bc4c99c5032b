/* A user of Phễu (SPEC §1): the record, its validation and its JSON. The
 * password hash never leaves this module's callers' storage layer. */
#ifndef PHEU_MODEL_USER_H
#define PHEU_MODEL_USER_H

#include <jansson.h>
#include <stdint.h>

#include "model/role.h"
#include "util/arena.h"
#include "util/err.h"

struct user {
    int64_t id;
    const char *email, *name, *phone;
    enum role role;
    int64_t team_id;            /* 0 = no team */
    const char *sales_mode;     /* "inside" | "outside" | NULL */
    const char *locale;         /* "vi" | "en" */
    int active;
    int64_t created_at, updated_at;
};

/* Fields given in a create or update body; NULL/unset means "not given". */
struct user_in {
    const char *email, *name, *password, *sales_mode, *locale, *phone;
    enum role role;             /* ROLE_NONE when not given */
    int has_team, has_active, has_sales_mode, has_phone;
    int64_t team_id;            /* 0 with has_team = clear */
    int active;
};

/* Returns a new JSON object for u (caller owns the reference). */
json_t *user_to_json(const struct user *u);

/* Reads a create (creating=1) or update body into *in, normalising the
 * email (lower case) and text (NFC). Unknown keys, wrong types and bad
 * values fail with E_INVALID or E_RULE naming the field. Strings point
 * into body or arena. */
int user_from_json(json_t *body, int creating, struct user_in *in,
                   struct arena *a, struct err *err);

/* Validates an email as SPEC Appendix C says; 0 or E_RULE on "email". */
int user_check_email(const char *email, struct err *err);
/* Checks a new password's strength; 0 or E_RULE on "password". */
int user_check_password(const char *pw, struct err *err);


struct principal;
struct db_conn;

/* Creates a user in its own transaction (hashing the password first) and
 * audits it. actor NULL means the command line; otherwise only admins may
 * create users (E_FORBIDDEN). Fills *out with the stored user (read in
 * the same transaction; strings in a). E_CONFLICT (err->id) on a taken
 * email, E_RULE on a team that does not exist. */
int user_create(struct db_conn *c, const struct principal *actor,
                const struct user_in *in, struct user *out,
                struct arena *a, struct err *err);

/* Updates user id with the fields given, in its own transaction, audited.
 * Admins may change anyone but not their own role or active flag; others
 * only their own name, locale, phone and password (E_RULE naming the
 * field otherwise); a user the actor may not see is E_NOTFOUND. actor
 * NULL means the command line (no limits). Reloads the user into *out. */
int user_update(struct db_conn *c, const struct principal *actor,
                int64_t id, const struct user_in *in, struct user *out,
                struct arena *a, struct err *err);

#endif
