/* Activities (SPEC §2, §8): calls, emails, meetings, demos, tasks,
 * notes, conferences and SMS, with due/done times and an outcome, linked
 * to any of a contact, a company and a deal. Notes are activities of
 * kind "note" (docs/decisions/0007). */
#include "model/crm.h"

static const char *const KINDS[] = {"call", "email", "meeting", "demo",
    "task", "note", "conference", "sms", NULL};

static const struct field FIELDS[] = {
    {"id", FT_ID, FF_RO | FF_NOTNULL, NULL, NULL, 0},
    {"kind", FT_ENUM, FF_REQ | FF_NOTNULL, KINDS, NULL, 0},
    {"subject", FT_TEXT, 0, NULL, NULL, 500},
    {"body", FT_TEXT, FF_NOFILTER, NULL, NULL, 100000},
    {"due_at", FT_TIME, 0, NULL, NULL, 0},
    {"done_at", FT_TIME, 0, NULL, NULL, 0},
    {"outcome", FT_TEXT, 0, NULL, NULL, 200},
    {"owner_id", FT_REF, 0, NULL, "users", 0},
    {"contact_id", FT_REF, 0, NULL, "contacts", 0},
    {"company_id", FT_REF, 0, NULL, "companies", 0},
    {"deal_id", FT_REF, 0, NULL, "deals", 0},
    {"custom", FT_CUSTOM, FF_NOTNULL, NULL, NULL, 0},
    {"created_at", FT_TIME, FF_ADMIN | FF_NOTNULL, NULL, NULL, 0},
    {"updated_at", FT_TIME, FF_RO | FF_NOTNULL, NULL, NULL, 0},
};

const struct object OBJ_ACTIVITY = {
    .name = "activity",
    .plural = "activities",
    .table = "activities",
    .vis = VIS_ACTIVITY,
    .fields = FIELDS,
    .nfields = sizeof(FIELDS) / sizeof(FIELDS[0]),
};
