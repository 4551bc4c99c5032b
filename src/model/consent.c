/* Consent records (see consent.h). */
#include "model/consent.h"
#include "util/clock.h"

#include <string.h>

const char *const CONSENT_PURPOSES[] = {"email_marketing", "sms_marketing",
                                        "profiling", NULL};

int consent_purpose_valid(const char *s)
{
    for (int i = 0; s && CONSENT_PURPOSES[i]; i++)
        if (!strcmp(s, CONSENT_PURPOSES[i]))
            return 1;
    return 0;
}

int consent_record(struct db_conn *c, const struct consent_in *in,
                   int64_t *id, struct err *err)
{
    if (!consent_purpose_valid(in->purpose))
        return err_set(err, E_RULE, "purpose", "is not a consent purpose");
    return db_int(c, err, id, "INSERT INTO consents (contact_id, purpose, "
                  "granted, text, source, form_id, submission_id, ip, "
                  "user_agent, at, by_user) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
                  "?, ?, ?) RETURNING id", "itittIIttiI", in->contact_id,
                  in->purpose, (int64_t)(in->granted ? 1 : 0), in->text,
                  in->source, in->form_id, in->submission_id, in->ip,
                  in->user_agent, in->at, in->by_user);
}

/* A text column as JSON (null for NULL). */
static json_t *text_or_null(struct db_stmt *st, int i)
{
    return db_col_null(st, i) ? json_null() : json_string(db_col_text(st, i));
}

/* An id column as JSON (null for NULL). */
static json_t *id_or_null(struct db_stmt *st, int i)
{
    return db_col_null(st, i) ? json_null() : json_integer(db_col_int(st, i));
}

int consent_list(struct db_conn *c, int64_t contact, json_t **out,
                 struct err *err)
{
    struct db_stmt *st;
    *out = NULL;
    int rc = db_query(c, &st, err, "SELECT id, purpose, granted, text, "
                      "source, form_id, submission_id, ip, user_agent, at, "
                      "by_user FROM consents WHERE contact_id = ? ORDER BY "
                      "at DESC, id DESC LIMIT 500", "i", contact);
    if (rc)
        return rc;
    json_t *arr = json_array();
    int r;
    while ((r = db_step(st, err)) == DB_ROW) {
        char iso[40];
        clock_iso(db_col_int(st, 9), iso, sizeof(iso));
        json_t *j = json_object();
        json_object_set_new(j, "id", json_integer(db_col_int(st, 0)));
        json_object_set_new(j, "purpose", json_string(db_col_text(st, 1)));
        json_object_set_new(j, "granted", json_boolean(db_col_int(st, 2)));
        json_object_set_new(j, "text", text_or_null(st, 3));
        json_object_set_new(j, "source", json_string(db_col_text(st, 4)));
        json_object_set_new(j, "form_id", id_or_null(st, 5));
        json_object_set_new(j, "submission_id", id_or_null(st, 6));
        json_object_set_new(j, "ip", text_or_null(st, 7));
        json_object_set_new(j, "user_agent", text_or_null(st, 8));
        json_object_set_new(j, "at", json_string(iso));
        json_object_set_new(j, "by_user", id_or_null(st, 10));
        json_array_append_new(arr, j);
    }
    db_done(st);
    if (r < 0) {
        json_decref(arr);
        return err->code;
    }
    *out = arr;
    return 0;
}
