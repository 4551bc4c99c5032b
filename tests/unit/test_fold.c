/* Unit tests for util/fold.c: Vietnamese-aware search folding (SPEC §12):
 * tone marks and đ fold away, NFC and NFD agree, marks survive in the
 * lower-cased form, other scripts pass through, words split as the search
 * index needs them. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/fold.h"

/* "Nguyễn Văn An" written in NFD: ễ = e U+0302 U+0303, ă = a U+0306. */
#define NGUYEN_NFD "Nguye\xcc\x82\xcc\x83n Va\xcc\x86n An"
/* "NGUYỄN" in NFD: Ễ = E U+0302 U+0303. */
#define NGUYEN_UPPER_NFD "NGUYE\xcc\x82\xcc\x83N"
/* "Đặng" in NFD: ặ = a U+0323 U+0306 (dot below sorts first). */
#define DANG_DOT_NFD "\xc4\x90\x61\xcc\xa3\xcc\x86ng" /* \x61 = a */

/* Asserts fold_text(in) is want, freeing the result. */
static void text_is(const char *in, const char *want)
{
    char *got = fold_text(in);
    cr_assert_not_null(got, "fold_text(\"%s\") failed", in);
    cr_assert_str_eq(got, want, "fold_text(\"%s\")", in);
    free(got);
}

/* Asserts fold_lower(in) is want, freeing the result. */
static void lower_is(const char *in, const char *want)
{
    char *got = fold_lower(in);
    cr_assert_not_null(got, "fold_lower(\"%s\") failed", in);
    cr_assert_str_eq(got, want, "fold_lower(\"%s\")", in);
    free(got);
}

/* The words fold_words reported, "folded/marked" joined by '|'. */
struct seen {
    char text[512];
    int calls;
    int stop_after; /* 0: never stop */
};

/* Appends one word to the struct seen at ctx. */
static int collect(const char *folded, const char *marked, void *ctx)
{
    struct seen *w = ctx;
    size_t used = strlen(w->text);
    snprintf(w->text + used, sizeof(w->text) - used, "%s%s/%s", used ? "|" : "",
             folded, marked);
    w->calls++;
    if (w->stop_after && w->calls == w->stop_after)
        return 7;
    return 0;
}

/* Runs fold_words on s and returns the joined words. */
static const char *words(const char *s, struct seen *w)
{
    memset(w, 0, sizeof(*w));
    cr_assert_eq(fold_words(s, collect, w), 0, "fold_words(\"%s\")", s);
    return w->text;
}

Test(fold, ascii_is_lower_cased)
{
    text_is("nguyen van an", "nguyen van an");
    text_is("Nguyen VAN An", "nguyen van an");
    text_is("", "");
    text_is("0912 345 678", "0912 345 678");
}

Test(fold, vietnamese_name_loses_marks_nfc)
{
    text_is("Nguyễn Văn An", "nguyen van an");
    text_is("Nguyễn Văn Đăng", "nguyen van dang");
    text_is("NGUYỄN", "nguyen");
}

Test(fold, vietnamese_name_loses_marks_nfd)
{
    text_is(NGUYEN_NFD, "nguyen van an");
    text_is(NGUYEN_UPPER_NFD, "nguyen");
    text_is(DANG_DOT_NFD, "dang");
}

Test(fold, d_bar_folds_to_d)
{
    text_is("Đặng", "dang");
    text_is("đ", "d");
    text_is("Đ", "d");
    text_is("ĐỖ ĐỨC", "do duc");
}

Test(fold, nfc_and_nfd_give_the_same_bytes)
{
    const char *pairs[][2] = {
        {"Nguyễn Văn An", NGUYEN_NFD},
        {"NGUYỄN", NGUYEN_UPPER_NFD},
        {"Đặng", DANG_DOT_NFD},
        /* ặ with its marks in the other (non-canonical) order */
        {"Đặng", "\xc4\x90\x61\xcc\x86\xcc\xa3ng"},
    };
    for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
        char *a = fold_text(pairs[i][0]), *b = fold_text(pairs[i][1]);
        char *c = fold_lower(pairs[i][0]), *d = fold_lower(pairs[i][1]);
        cr_assert_str_eq(a, b);
        cr_assert_str_eq(c, d);
        free(a);
        free(b);
        free(c);
        free(d);
    }
}

Test(fold, lower_keeps_marks_as_nfc)
{
    lower_is("NGUYỄN", "nguyễn");
    lower_is(NGUYEN_UPPER_NFD, "nguyễn");
    lower_is("Đặng", "đặng");
    lower_is(DANG_DOT_NFD, "đặng");
    lower_is("Nguyễn Văn An", "nguyễn văn an");
}

Test(fold, tone_marks_differ_only_in_marked_form)
{
    char *f1 = fold_text("Đăng"), *f2 = fold_text("Đặng");
    char *m1 = fold_lower("Đăng"), *m2 = fold_lower("Đặng");
    cr_assert_str_eq(f1, "dang");
    cr_assert_str_eq(f1, f2);
    cr_assert_str_eq(m1, "đăng");
    cr_assert_str_eq(m2, "đặng");
    cr_assert_str_neq(m1, m2);
    free(f1);
    free(f2);
    free(m1);
    free(m2);
}

Test(fold, other_latin_diacritics_fold_by_unicode)
{
    text_is("Ærø", "ærø"); /* æ and ø are letters, not marked letters */
    text_is("Ångström", "angstrom");
    text_is("Łódź", "łodz");
    text_is("Straße", "strasse"); /* full case folding */
    text_is("ÇA VA", "ca va");
    text_is("ΣΊΣΥΦΟΣ", "σισυφοσ"); /* final sigma folds with sigma */
    lower_is("Ærø", "ærø");
}

Test(fold, cjk_and_emoji_pass_through)
{
    text_is("東京", "東京");
    text_is("서울", "서울"); /* Hangul decomposes and recomposes */
    text_is("\xf0\x9f\x98\x80 ok", "\xf0\x9f\x98\x80 ok");
    lower_is("東京 ABC", "東京 abc");
}

Test(fold, invalid_utf8_gives_null)
{
    const char *bad[] = {
        "\xff",
        "abc\xc3",
        "\xc3\x28",
        "\xed\xa0\x80",     /* surrogate */
        "\xc0\xaf",         /* overlong */
        "\xf4\x90\x80\x80", /* > U+10FFFF */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cr_assert_null(fold_text(bad[i]), "case %zu", i);
        cr_assert_null(fold_lower(bad[i]), "case %zu", i);
        cr_assert_eq(fold_words(bad[i], collect, NULL), -1, "case %zu", i);
    }
    cr_assert_null(fold_text(NULL));
}

Test(fold, text_is_idempotent_and_strips_lower)
{
    const char *in[] = {"Nguyễn Văn Đăng", NGUYEN_NFD, "Straße Ærø",
                        "\xe1\xbe\xb3"}; /* ᾳ: alpha + ypogegrammeni */
    for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
        char *t = fold_text(in[i]), *tt = fold_text(t);
        char *l = fold_lower(in[i]), *lt = fold_text(l);
        cr_assert_str_eq(t, tt);
        cr_assert_str_eq(t, lt);
        free(t);
        free(tt);
        free(l);
        free(lt);
    }
}

Test(fold, words_split_on_non_letters)
{
    struct seen w;
    cr_assert_str_eq(words("an.nguyen@x.vn", &w),
                     "an/an|nguyen/nguyen|x/x|vn/vn");
    cr_assert_str_eq(words("  Trần Văn Đăng, 0912-345 ", &w),
                     "tran/trần|van/văn|dang/đăng|0912/0912|345/345");
    cr_assert_str_eq(words("O'Brien snake_case", &w),
                     "o/o|brien/brien|snake/snake|case/case");
    cr_assert_str_eq(words("", &w), "");
    cr_assert_str_eq(words(" ,;- ", &w), "");
    cr_assert_eq(w.calls, 0);
}

Test(fold, words_from_nfd_match_nfc)
{
    struct seen a, b;
    words("Nguyễn Văn An", &a);
    words(NGUYEN_NFD, &b);
    cr_assert_str_eq(a.text, "nguyen/nguyễn|van/văn|an/an");
    cr_assert_str_eq(a.text, b.text);
}

Test(fold, words_keep_cjk_runs_and_skip_stray_marks)
{
    struct seen w;
    cr_assert_str_eq(words("東京 Tower", &w), "東京/東京|tower/tower");
    /* a combining acute after a space belongs to no word (\x62 = b) */
    cr_assert_str_eq(words("a \xcc\x81\x62", &w), "a/a|b/b");
    /* "≠" decomposes to "=" U+0338: the mark follows no letter */
    cr_assert_str_eq(words("a\xe2\x89\xa0\x62", &w), "a/a|b/b");
}

Test(fold, words_stop_when_callback_says_so)
{
    struct seen w;
    memset(&w, 0, sizeof(w));
    w.stop_after = 2;
    cr_assert_eq(fold_words("một hai ba bốn", collect, &w), 7);
    cr_assert_eq(w.calls, 2);
    cr_assert_str_eq(w.text, "mot/một|hai/hai");
}
