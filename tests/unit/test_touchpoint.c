/* Unit tests for the original-source rules of model/touchpoint.c
 * (decision 0013's table, first match wins): one test per rule, and
 * the referrer host matching at its edges. */
#include <criterion/criterion.h>

#include "model/touchpoint.h"

#define SRC(k, m, s, r) touchpoint_source(k, m, s, r)

Test(touchpoint_source, offline_kinds_win_over_tags)
{
    cr_assert_str_eq(SRC("event_attended", "cpc", "google", NULL),
                     "offline");
    cr_assert_str_eq(SRC("call", NULL, NULL, NULL), "offline");
    cr_assert_str_eq(SRC("meeting", NULL, NULL, "https://google.com/"),
                     "offline");
}

Test(touchpoint_source, paid_media)
{
    cr_assert_str_eq(SRC("page_view", "cpc", NULL, NULL), "paid_search");
    cr_assert_str_eq(SRC("ad_click", "PPC", NULL, "https://www.google.com/"),
                     "paid_search");
    cr_assert_str_eq(SRC("page_view", "paidsearch", NULL, NULL),
                     "paid_search");
    cr_assert_str_eq(SRC("page_view", "sem", NULL, NULL), "paid_search");
}

Test(touchpoint_source, social_media_and_sites)
{
    cr_assert_str_eq(SRC("page_view", "social", NULL, NULL), "social");
    cr_assert_str_eq(SRC("page_view", "Paid_Social", NULL, NULL), "social");
    cr_assert_str_eq(SRC("page_view", NULL, "Zalo", NULL), "social");
    cr_assert_str_eq(SRC("page_view", NULL, NULL,
                         "https://l.facebook.com/l.php?u=x"), "social");
    cr_assert_str_eq(SRC("page_view", NULL, NULL, "https://t.co/abc"),
                     "social");
    /* a look-alike domain is not the site */
    cr_assert_str_eq(SRC("page_view", NULL, NULL,
                         "https://notfacebook.com/"), "referral");
}

Test(touchpoint_source, email)
{
    cr_assert_str_eq(SRC("page_view", "email", NULL, NULL), "email");
    cr_assert_str_eq(SRC("page_view", "Newsletter", NULL, NULL), "email");
    cr_assert_str_eq(SRC("email_click", NULL, NULL, NULL), "email");
    cr_assert_str_eq(SRC("email_open", NULL, NULL, NULL), "email");
}

Test(touchpoint_source, organic_search_engines)
{
    cr_assert_str_eq(SRC("page_view", "organic", NULL, NULL),
                     "organic_search");
    cr_assert_str_eq(SRC("page_view", NULL, NULL,
                         "https://www.google.com.vn/search?q=crm"),
                     "organic_search");
    cr_assert_str_eq(SRC("page_view", NULL, NULL, "http://coccoc.com/"),
                     "organic_search");
    cr_assert_str_eq(SRC("page_view", NULL, NULL, "https://www.bing.com/"),
                     "organic_search");
    cr_assert_str_eq(SRC("page_view", NULL, NULL,
                         "https://search.yahoo.com/x"), "organic_search");
    cr_assert_str_eq(SRC("page_view", NULL, NULL, "https://GOOGLE.DE:443/"),
                     "organic_search");
    cr_assert_str_eq(SRC("page_view", NULL, NULL,
                         "https://googleads.example.com/"), "referral");
}

Test(touchpoint_source, referral)
{
    cr_assert_str_eq(SRC("page_view", "referral", NULL, NULL), "referral");
    cr_assert_str_eq(SRC("page_view", NULL, NULL, "https://blog.vn/p"),
                     "referral");
    cr_assert_str_eq(SRC("referral", NULL, NULL, NULL), "referral");
}

Test(touchpoint_source, other_and_direct)
{
    cr_assert_str_eq(SRC("page_view", "display", NULL, NULL), "other");
    cr_assert_str_eq(SRC("page_view", NULL, "partner-x", NULL), "other");
    cr_assert_str_eq(SRC("page_view", NULL, NULL, NULL), "direct");
    cr_assert_str_eq(SRC("order", "", "", ""), "direct");
    cr_assert_str_eq(SRC(NULL, NULL, NULL, NULL), "direct");
}
