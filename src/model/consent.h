/* Consent records (SPEC §7): per contact and purpose, append-only rows
 * of consent given or withdrawn, with the text shown, the source, the
 * time and the address it came from. Forms write them now; email
 * sending, unsubscribes and imports use the same rows
 * (docs/decisions/0017-forms.md). */
#ifndef PHEU_MODEL_CONSENT_H
#define PHEU_MODEL_CONSENT_H

#include <jansson.h>
#include <stdint.h>

#include "store/db.h"
#include "util/err.h"

/* SPEC §7's purposes, NULL-ended. */
extern const char *const CONSENT_PURPOSES[];

/* Whether s is one of CONSENT_PURPOSES. */
int consent_purpose_valid(const char *s);

/* One consent row to record; unset pointers and ids are NULL. */
struct consent_in {
    int64_t contact_id;
    const char *purpose;        /* one of CONSENT_PURPOSES */
    int granted;                /* 1 given, 0 withdrawn */
    const char *text;           /* the exact text shown */
    const char *source;         /* "form", "api", "import", ... */
    int64_t form_id, submission_id, by_user;
    const char *ip, *user_agent;
    int64_t at;                 /* ms UTC */
};

/* Appends a consent row in the caller's transaction; sets *id. */
int consent_record(struct db_conn *c, const struct consent_in *in,
                   int64_t *id, struct err *err);

/* The consent rows of contact, newest first, as a new JSON array of
 * {"id","purpose","granted","text","source","form_id","submission_id",
 * "ip","user_agent","at","by_user"}. The caller checks visibility. */
int consent_list(struct db_conn *c, int64_t contact, json_t **out,
                 struct err *err);

#endif
