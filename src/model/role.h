/* The roles of SPEC §1 and what each may do in general. */
#ifndef PHEU_MODEL_ROLE_H
#define PHEU_MODEL_ROLE_H

enum role {
    ROLE_NONE = -1,
    ROLE_ADMIN,
    ROLE_MARKETING_MANAGER,
    ROLE_MARKETER,
    ROLE_SALES_MANAGER,
    ROLE_SALES_REP,
    ROLE_SALES_SPECIALIST,
    ROLE_ACCOUNT_EXECUTIVE,
    ROLE_CUSTOMER_SUCCESS,
    ROLE_COUNT
};

/* Parses a role name; returns ROLE_NONE when unknown. */
enum role role_parse(const char *s);
/* The role's name as stored and shown in the API. */
const char *role_name(enum role r);
/* Whether the role manages its own team (sees the team's subtree). */
int role_is_manager(enum role r);
/* Whether the role is on the marketing side (sees the whole audience). */
int role_is_marketing(enum role r);

#endif
