/* Unit tests for demo/names.c: determinism, the Vietnamese name
 * distribution, ASCII e-mails and domains, E.164 phones, and bounded
 * output into small buffers. */
#include <criterion/criterion.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "demo/names.h"

/* Returns 1 when s is well-formed UTF-8 (no overlongs, no surrogates). */
static int utf8_valid(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned c = *p;
        size_t n;
        unsigned cp;
        if (c < 0x80) {
            p++;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            n = 1;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            cp = c & 0x07;
        } else {
            return 0;
        }
        for (size_t i = 1; i <= n; i++) {
            if ((p[i] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (p[i] & 0x3F);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
            cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        p += n + 1;
    }
    return 1;
}

/* Returns the number of code points in valid UTF-8 s. */
static size_t utf8_count(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

/* Returns 1 when s is made only of lower-case ASCII letters, digits and
 * the characters in extra. */
static int ascii_lower(const char *s, const char *extra)
{
    for (; *s; s++) {
        char c = *s;
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
            continue;
        if (strchr(extra, c) == NULL)
            return 0;
    }
    return 1;
}

/* Returns 1 when s matches ^\+84[35789][0-9]{8}$. */
static int phone_ok(const char *s)
{
    if (strncmp(s, "+84", 3) != 0 || strlen(s) != 12)
        return 0;
    if (strchr("35789", s[3]) == NULL)
        return 0;
    for (int i = 4; i < 12; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* Fills buf with one line made of every generator's output for r. */
static void draw_all(struct rng *r, char *buf, size_t len)
{
    struct person_name p;
    char full[160], email[200], company[200], domain[120], phone[20];
    names_person(r, &p);
    names_full(&p, full, sizeof full);
    names_email(&p, "demo.pheu.vn", 7, email, sizeof email);
    names_company(r, company, sizeof company);
    names_company_domain(company, 3, domain, sizeof domain);
    names_phone(r, phone, sizeof phone);
    snprintf(buf, len, "%s|%d|%s|%s|%s|%s|%s|%s", full, p.female, email,
             company, domain, phone, names_city(r), names_industry(r));
}

Test(names, same_seed_same_sequence)
{
    struct rng a, b;
    char x[1024], y[1024];
    rng_seed(&a, 42);
    rng_seed(&b, 42);
    for (int i = 0; i < 1000; i++) {
        draw_all(&a, x, sizeof x);
        draw_all(&b, y, sizeof y);
        cr_assert_str_eq(x, y, "draw %d differs", i);
    }
}

Test(names, different_seeds_differ)
{
    struct rng a, b;
    char x[1024], y[1024];
    int same = 0;
    rng_seed(&a, 1);
    rng_seed(&b, 2);
    for (int i = 0; i < 100; i++) {
        draw_all(&a, x, sizeof x);
        draw_all(&b, y, sizeof y);
        same += strcmp(x, y) == 0;
    }
    cr_assert_lt(same, 5, "%d of 100 draws identical", same);
}

Test(names, full_name_is_family_middle_given)
{
    struct person_name p = {"An", "Văn", "Nguyễn", 0};
    char buf[64];
    names_full(&p, buf, sizeof buf);
    cr_assert_str_eq(buf, "Nguyễn Văn An");

    struct person_name q = {"Linh", "", "Trần", 1};
    names_full(&q, buf, sizeof buf);
    cr_assert_str_eq(buf, "Trần Linh");
}

Test(names, email_folds_tone_marks_and_d_bar)
{
    struct person_name p = {"Đăng", "Văn", "Trần", 0};
    char buf[128];
    names_email(&p, "demo.pheu.vn", 0, buf, sizeof buf);
    cr_assert_str_eq(buf, "dang.tran@demo.pheu.vn");
    names_email(&p, "demo.pheu.vn", 42, buf, sizeof buf);
    cr_assert_str_eq(buf, "dang.tran42@demo.pheu.vn");
    cr_assert(strncmp(buf, "dang.tran", 9) == 0);

    struct person_name q = {"Hương", "Thị", "Đặng", 1};
    names_email(&q, "Example.COM", 0, buf, sizeof buf);
    cr_assert_str_eq(buf, "huong.dang@example.com");
}

Test(names, emails_are_ascii_lower_and_keep_every_letter)
{
    struct rng r;
    rng_seed(&r, 7);
    for (int i = 0; i < 5000; i++) {
        struct person_name p;
        char buf[160];
        names_person(&r, &p);
        names_email(&p, "demo.pheu.vn", 0, buf, sizeof buf);
        cr_assert(ascii_lower(buf, ".@"), "not ascii lower: %s", buf);
        cr_assert_null(strchr(buf, ' '));
        /* Every letter folds to one ASCII letter: none is dropped. */
        size_t local = (size_t)(strchr(buf, '@') - buf);
        cr_assert_eq(local, utf8_count(p.first) + 1 + utf8_count(p.last),
                     "letter lost in %s (%s %s)", buf, p.first, p.last);
    }
}

Test(names, uses_both_dang_spellings)
{
    struct rng r;
    int given_dang = 0, family_dang = 0;
    rng_seed(&r, 99);
    for (int i = 0; i < 20000; i++) {
        struct person_name p;
        names_person(&r, &p);
        given_dang += strcmp(p.first, "Đăng") == 0;
        family_dang += strcmp(p.last, "Đặng") == 0;
    }
    cr_assert_gt(given_dang, 0);
    cr_assert_gt(family_dang, 0);
}

Test(names, nguyen_share_is_realistic)
{
    struct rng r;
    int nguyen = 0, female = 0;
    rng_seed(&r, 2024);
    for (int i = 0; i < 10000; i++) {
        struct person_name p;
        names_person(&r, &p);
        nguyen += strcmp(p.last, "Nguyễn") == 0;
        female += p.female;
        cr_assert_str_neq(p.first, p.middle);
    }
    cr_assert(nguyen >= 3000 && nguyen <= 4600, "Nguyễn: %d / 10000", nguyen);
    cr_assert(female >= 4500 && female <= 5500, "female: %d", female);
}

Test(names, middle_names_follow_gender)
{
    struct rng r;
    rng_seed(&r, 5);
    for (int i = 0; i < 5000; i++) {
        struct person_name p;
        names_person(&r, &p);
        if (p.female)
            cr_assert_str_neq(p.middle, "Văn");
        else
            cr_assert_str_neq(p.middle, "Thị");
    }
}

Test(names, phones_are_vietnamese_mobile_e164)
{
    struct rng r;
    rng_seed(&r, 11);
    for (int i = 0; i < 10000; i++) {
        char buf[20];
        names_phone(&r, buf, sizeof buf);
        cr_assert(phone_ok(buf), "bad phone %s", buf);
    }
}

Test(names, companies_vary_and_domains_are_ascii)
{
    struct rng r;
    char first[200] = "";
    int differ = 0;
    rng_seed(&r, 3);
    for (int i = 0; i < 2000; i++) {
        char company[200], domain[120];
        names_company(&r, company, sizeof company);
        cr_assert(utf8_valid(company));
        cr_assert(strlen(company) > 10);
        if (i == 0)
            snprintf(first, sizeof first, "%s", company);
        differ += strcmp(first, company) != 0;
        names_company_domain(company, (uint64_t)i, domain, sizeof domain);
        cr_assert(ascii_lower(domain, ".-"), "bad domain %s", domain);
        cr_assert(strstr(domain, ".vn") || strstr(domain, ".com"));
    }
    cr_assert_gt(differ, 1900);
}

Test(names, company_domain_known_answers)
{
    char buf[64];
    names_company_domain("Công ty TNHH Thương mại Minh Phát", 0, buf,
                         sizeof buf);
    cr_assert(strncmp(buf, "minhphat.", 9) == 0, "got %s", buf);
    names_company_domain("Công ty Cổ phần Công nghệ Sao Việt", 42, buf,
                         sizeof buf);
    cr_assert(strncmp(buf, "saoviet42.", 10) == 0, "got %s", buf);

    char again[64];
    names_company_domain("Công ty Cổ phần Công nghệ Sao Việt", 42, again,
                         sizeof again);
    cr_assert_str_eq(buf, again);
    names_company_domain("", 0, buf, sizeof buf);
    cr_assert(strncmp(buf, "congty.", 7) == 0, "got %s", buf);
}

Test(names, city_and_industry_come_from_their_lists)
{
    struct rng r;
    int hcm = 0, hn = 0;
    rng_seed(&r, 8);
    for (int i = 0; i < 10000; i++) {
        const char *c = names_city(&r);
        const char *ind = names_industry(&r);
        cr_assert(utf8_valid(c));
        cr_assert(ascii_lower(ind, "_"), "bad slug %s", ind);
        hcm += strcmp(c, "TP. Hồ Chí Minh") == 0;
        hn += strcmp(c, "Hà Nội") == 0;
    }
    cr_assert_gt(hcm, hn);
    cr_assert_gt(hn, 1500);
}

Test(names, all_output_is_valid_utf8)
{
    struct rng r;
    rng_seed(&r, 123);
    for (int i = 0; i < 5000; i++) {
        char line[1024];
        draw_all(&r, line, sizeof line);
        cr_assert(utf8_valid(line), "invalid UTF-8: %s", line);
    }
}

Test(names, small_buffers_truncate_at_character_boundary)
{
    struct person_name p = {"Đăng", "Văn", "Nguyễn", 0};
    struct rng r;
    char buf[32];

    /* Every size from 1 up: NUL-terminated, valid, guard byte intact. */
    for (size_t len = 1; len < 24; len++) {
        memset(buf, 'X', sizeof buf);
        names_full(&p, buf, len);
        cr_assert_lt(strlen(buf), len);
        cr_assert(utf8_valid(buf), "len %zu: split character", len);
        cr_assert_eq(buf[len], 'X', "overrun at len %zu", len);

        memset(buf, 'X', sizeof buf);
        names_email(&p, "demo.pheu.vn", 12345, buf, len);
        cr_assert_lt(strlen(buf), len);
        cr_assert_eq(buf[len], 'X');

        rng_seed(&r, len);
        memset(buf, 'X', sizeof buf);
        names_company(&r, buf, len);
        cr_assert_lt(strlen(buf), len);
        cr_assert(utf8_valid(buf));
        cr_assert_eq(buf[len], 'X');

        memset(buf, 'X', sizeof buf);
        names_company_domain("Công ty TNHH Minh Phát", 9, buf, len);
        cr_assert_lt(strlen(buf), len);
        cr_assert_eq(buf[len], 'X');

        memset(buf, 'X', sizeof buf);
        names_phone(&r, buf, len);
        cr_assert_lt(strlen(buf), len);
        cr_assert_eq(buf[len], 'X');
    }

    /* "Nguyễn" is N g u y ễ(3 bytes) n: 6 bytes leave room for "Nguy". */
    names_full(&p, buf, 6);
    cr_assert_str_eq(buf, "Nguy");
    names_full(&p, buf, 8);
    cr_assert_str_eq(buf, "Nguyễ");

    /* len 0 writes nothing at all. */
    memset(buf, 'X', sizeof buf);
    names_full(&p, buf, 0);
    names_email(&p, "d.vn", 1, buf, 0);
    names_phone(&r, buf, 0);
    cr_assert_eq(buf[0], 'X');
}
