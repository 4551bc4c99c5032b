/* Role names and properties. */
#include "model/role.h"

#include <string.h>

static const char *const names[ROLE_COUNT] = {
    "admin", "marketing_manager", "marketer", "sales_manager", "sales_rep",
    "sales_specialist", "account_executive", "customer_success",
};

enum role role_parse(const char *s)
{
    for (int i = 0; s && i < ROLE_COUNT; i++)
        if (!strcmp(s, names[i]))
            return (enum role)i;
    return ROLE_NONE;
}

const char *role_name(enum role r)
{
    return r >= 0 && r < ROLE_COUNT ? names[r] : "unknown";
}

int role_is_manager(enum role r)
{
    return r == ROLE_SALES_MANAGER || r == ROLE_MARKETING_MANAGER;
}

int role_is_marketing(enum role r)
{
    return r == ROLE_MARKETING_MANAGER || r == ROLE_MARKETER;
}
