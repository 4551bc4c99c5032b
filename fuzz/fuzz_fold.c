/* libFuzzer target for util/fold.c (search folding) and util/phone.c
 * (E.164 normalisation, query forms). The input, cut at its first NUL,
 * is folded and parsed; the invariants of fold.h and phone.h must hold:
 * folding is UTF-8 in, UTF-8 out, idempotent, NFC/NFD-blind; a phone
 * number that is accepted is "+" and 8..15 digits and normalises to
 * itself. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "util/fold.h"
#include "util/phone.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Whether s is well-formed UTF-8 as utf8proc reads it. */
static int utf8_ok(const char *s)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    utf8proc_ssize_t n = (utf8proc_ssize_t)strlen(s);
    while (n > 0) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate(p, n, &cp);
        if (k <= 0)
            return 0;
        p += k;
        n -= k;
    }
    return 1;
}

/* Aborts unless a and b are both NULL or equal strings; frees b. */
static void same(const char *a, char *b)
{
    if ((a == NULL) != (b == NULL))
        abort();
    if (a && strcmp(a, b) != 0)
        abort();
    free(b);
}

/* fold_words callback: each word is non-empty, its folded form is the
 * fold_text of its marked form, and the marked form is a fixed point of
 * fold_lower. ctx counts the words. */
static int check_word(const char *folded, const char *marked, void *ctx)
{
    if (!*folded || !*marked)
        abort();
    if (!utf8_ok(folded) || !utf8_ok(marked))
        abort();
    same(folded, fold_text(marked));
    same(marked, fold_lower(marked));
    (*(int *)ctx)++;
    return 0;
}

/* Stops fold_words at the first word. */
static int stop_at_once(const char *folded, const char *marked, void *ctx)
{
    (void)folded;
    (void)marked;
    (*(int *)ctx)++;
    return 3;
}

/* Checks fold_text, fold_lower and fold_words on s. */
static void check_fold(const char *s)
{
    int valid = utf8_ok(s);
    char *t = fold_text(s);
    char *l = fold_lower(s);
    if (!valid) {
        if (t || l || fold_words(s, check_word, &(int){0}) != -1)
            abort();
        return;
    }
    if (!t || !l || !utf8_ok(t) || !utf8_ok(l))
        abort();
    same(t, fold_text(t));  /* idempotent */
    same(l, fold_lower(l)); /* idempotent */
    same(t, fold_text(l));  /* folded is the marked form without marks */

    char *nfd = (char *)utf8proc_NFD((const utf8proc_uint8_t *)s);
    char *nfc = (char *)utf8proc_NFC((const utf8proc_uint8_t *)s);
    if (!nfd || !nfc)
        abort();
    same(t, fold_text(nfd));
    same(t, fold_text(nfc));
    same(l, fold_lower(nfd));
    same(l, fold_lower(nfc));

    int words = 0, first = 0;
    if (fold_words(s, check_word, &words) != 0)
        abort();
    int again = fold_words(s, stop_at_once, &first);
    if (again != (words ? 3 : 0) || first != (words ? 1 : 0))
        abort();
    int nfd_words = 0;
    if (fold_words(nfd, check_word, &nfd_words) != 0 || nfd_words != words)
        abort();
    free(nfd);
    free(nfc);
    free(t);
    free(l);
}

/* Whether s is "+" then 8..15 ASCII digits. */
static int e164_ok(const char *s)
{
    size_t n = strlen(s);
    if (s[0] != '+' || n < 9 || n > 16)
        return 0;
    for (size_t i = 1; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* Checks phone_e164 and phone_query_forms on s. */
static void check_phone(const char *s)
{
    char out[PHONE_E164_SIZE], again[PHONE_E164_SIZE];
    if (phone_e164(s, out, sizeof(out)) == 0) {
        if (!e164_ok(out))
            abort();
        if (phone_e164(out, again, sizeof(again)) || strcmp(out, again))
            abort(); /* what we store, we parse back to itself */
        char f[2][24];
        if (phone_query_forms(out, f) < 1 || strcmp(f[0], out + 1))
            abort();
    } else if (out[0] != '\0') {
        abort();
    }
    char forms[2][24];
    memset(forms, 'x', sizeof(forms));
    int k = phone_query_forms(s, forms);
    if (k < 0 || k > 2)
        abort();
    for (int i = 0; i < k; i++) {
        size_t n = strnlen(forms[i], sizeof(forms[i]));
        if (n < 3 || n == sizeof(forms[i]))
            abort();
        for (size_t j = 0; j < n; j++)
            if (forms[i][j] < '0' || forms[i][j] > '9')
                abort();
    }
    if (k == 2 && forms[1][0] != '0')
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    check_fold(s);
    check_phone(s);
    free(s);
    return 0;
}
