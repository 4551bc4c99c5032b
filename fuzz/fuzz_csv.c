/* libFuzzer target for the import's CSV reader and value mapping
 * (import/csvin.c, import/mapping.c): arbitrary bytes as a file. Every
 * record's fields must be NUL-terminated at their length and numbered
 * in order; header cells go through the column mapping and data cells
 * through the value readers. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import/csvin.h"
#include "import/mapping.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Checks one record and maps its cells. */
static int visit(const struct csv_record *r, void *ctx)
{
    int64_t *last = ctx, ms, amount;
    if (r->number != *last + 1 || r->nfields > CSVIN_MAX_COLS)
        abort();
    *last = r->number;
    for (int i = 0; i < r->nfields; i++) {
        if (strlen(r->fields[i]) > r->lens[i])
            abort();
        if (r->number == 1) {
            struct col_map m = mapping_column(&OBJ_CONTACT, r->fields[i],
                                              "a=email");
            if (m.kind == COL_FIELD && object_field(&OBJ_CONTACT,
                                                    m.target) < 0)
                abort();
        } else {
            mapping_stage(r->fields[i]);
            mapping_source(r->fields[i]);
            mapping_time(r->fields[i], &ms);
            mapping_amount(r->fields[i], i % 3, &amount);
            mapping_size_band(r->fields[i]);
        }
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    FILE *f = fmemopen((void *)data, size, "rb");
    if (!f)
        return 0;
    char msg[160];
    int64_t at, last = 0;
    csvin_read(f, visit, &last, msg, sizeof(msg), &at);
    fclose(f);
    return 0;
}
