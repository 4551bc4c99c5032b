/* What an import's columns mean (SPEC §12): our field names, and the
 * column names of HubSpot's and Salesforce's exports, so a business can
 * move in without a mapping step; plus the value conversions those
 * exports need (stage labels, dates in the business time zone, amounts,
 * employee counts). */
#ifndef PHEU_IMPORT_MAPPING_H
#define PHEU_IMPORT_MAPPING_H

#include <stdint.h>

#include "model/object.h"

enum col_kind {
    COL_IGNORE,     /* a column we do not use */
    COL_FIELD,      /* a field of the object (name in target) */
    COL_OWNER,      /* a user by email or name -> owner_id */
    COL_COMPANY,    /* a company by name (found or created) */
    COL_CONTACT,    /* a contact by email (deals, activities) */
    COL_PIPELINE,   /* a deal pipeline by name */
    COL_STAGE,      /* a deal stage by name */
    COL_BECAME      /* "Became a … Date": when the contact entered target */
};

struct col_map {
    enum col_kind kind;
    const char *target;     /* field name, or the stage of COL_BECAME */
};

/* Maps one header cell for object o, after the overrides of map
 * ("Header=field,…"; NULL for none). Unknown columns are COL_IGNORE. */
struct col_map mapping_column(const struct object *o, const char *header,
                              const char *map);
/* Checks map's syntax and targets ("a=b,c=d", each b a field or
 * owner/company/contact/pipeline/stage/became_<stage>); the bad part in
 * msg. */
int mapping_check(const struct object *o, const char *map, char *msg,
                  size_t len);

/* Our lifecycle stage for a value in our, HubSpot's internal or
 * HubSpot's label form ("marketingqualifiedlead", "Marketing Qualified
 * Lead"), or NULL. */
const char *mapping_stage(const char *v);
/* Our original source for a HubSpot "Original Source" label or our own
 * value; anything else is "other". */
const char *mapping_source(const char *v);
/* Reads a date or time: ISO 8601 with an offset or Z as written;
 * "YYYY-MM-DD[ HH:MM[:SS]]" (or with T) in the business time zone.
 * Returns 0 and ms, or -1. */
int mapping_time(const char *v, int64_t *ms);
/* Reads an amount ("50000000", "1,250.50", "1250.5") into minor units of
 * a currency with the given decimals. Returns 0, or -1. */
int mapping_amount(const char *v, int decimals, int64_t *out);
/* The size band of an employee count ("120" -> "51-200"), or NULL. */
const char *mapping_size_band(const char *v);
/* Lower-cases and strips all but letters and digits ("First Name" ->
 * "firstname"), into out. */
void mapping_key(const char *s, char *out, size_t len);

#endif
