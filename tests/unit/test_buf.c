/* Unit tests for util/buf.c (growth, the hard cap, formatted appends,
 * detach) and util/arena.c (alignment, chunk growth, large allocations,
 * string helpers). */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "util/buf.h"

/* ---- buf ---- */

Test(buf, starts_empty_with_empty_cstr)
{
    struct buf b;
    buf_init(&b, 100);
    cr_assert_eq(b.len, 0);
    cr_assert_null(b.data);
    cr_assert_str_eq(buf_cstr(&b), "");
    buf_release(&b);
}

Test(buf, appends_and_terminates)
{
    struct buf b;
    buf_init(&b, 100);
    cr_assert_eq(buf_add(&b, "abc", 3), 0);
    cr_assert_eq(buf_adds(&b, "def"), 0);
    cr_assert_eq(b.len, 6);
    cr_assert_str_eq(buf_cstr(&b), "abcdef");
    cr_assert_eq(b.data[6], '\0');
    buf_release(&b);
    cr_assert_eq(b.len, 0);
    cr_assert_eq(b.max, 100);
    cr_assert_str_eq(buf_cstr(&b), "");
}

Test(buf, holds_binary_bytes)
{
    struct buf b;
    buf_init(&b, 100);
    cr_assert_eq(buf_add(&b, "a\0b", 3), 0);
    cr_assert_eq(b.len, 3);
    cr_assert_eq(memcmp(b.data, "a\0b", 3), 0);
    buf_release(&b);
}

Test(buf, empty_append_succeeds)
{
    struct buf b;
    buf_init(&b, 0);
    cr_assert_eq(buf_add(&b, "", 0), 0);
    cr_assert_eq(b.len, 0);
    cr_assert_str_eq(buf_cstr(&b), "");
    cr_assert_eq(buf_adds(&b, "x"), -1);
    buf_release(&b);
}

Test(buf, max_is_inclusive)
{
    struct buf b;
    buf_init(&b, 5);
    cr_assert_eq(buf_adds(&b, "abcde"), 0);
    cr_assert_eq(b.len, 5);
    cr_assert_eq(buf_adds(&b, "f"), -1);
    cr_assert_eq(b.len, 5);
    cr_assert_str_eq(buf_cstr(&b), "abcde");
    buf_release(&b);
}

Test(buf, add_past_max_appends_nothing)
{
    struct buf b;
    buf_init(&b, 10);
    cr_assert_eq(buf_adds(&b, "1234567"), 0);
    cr_assert_eq(buf_adds(&b, "abcd"), -1); /* would make 11 */
    cr_assert_eq(b.len, 7);
    cr_assert_str_eq(buf_cstr(&b), "1234567");
    cr_assert_eq(buf_adds(&b, "abc"), 0); /* exactly 10 */
    cr_assert_str_eq(buf_cstr(&b), "1234567abc");
    buf_release(&b);
}

Test(buf, huge_length_does_not_wrap)
{
    struct buf b;
    buf_init(&b, (size_t)-1);
    cr_assert_eq(buf_adds(&b, "ab"), 0);
    /* len + n overflows size_t: refused, not wrapped */
    cr_assert_eq(buf_add(&b, "x", SIZE_MAX), -1);
    cr_assert_eq(buf_add(&b, "x", SIZE_MAX - 1), -1);
    cr_assert_eq(b.len, 2);
    buf_release(&b);
}

Test(buf, grows_across_many_appends)
{
    struct buf b;
    buf_init(&b, 1 << 20);
    for (int i = 0; i < 10000; i++)
        cr_assert_eq(buf_add(&b, &"0123456789"[i % 10], 1), 0);
    cr_assert_eq(b.len, 10000);
    cr_assert_geq(b.cap, 10001);
    for (int i = 0; i < 10000; i++)
        cr_assert_eq(b.data[i], '0' + i % 10, "byte %d", i);
    cr_assert_eq(b.data[10000], '\0');
    buf_release(&b);
}

Test(buf, addf_formats)
{
    struct buf b;
    buf_init(&b, 100);
    cr_assert_eq(buf_addf(&b, "%s=%d", "n", 42), 0);
    cr_assert_eq(buf_addf(&b, ",%05.1f", 3.14159), 0);
    cr_assert_str_eq(buf_cstr(&b), "n=42,003.1");
    cr_assert_eq(b.len, 10);
    buf_release(&b);
}

Test(buf, addf_past_max_appends_nothing)
{
    struct buf b;
    buf_init(&b, 8);
    cr_assert_eq(buf_addf(&b, "%d", 1234), 0);
    cr_assert_eq(buf_addf(&b, "%s", "56789"), -1);
    cr_assert_eq(b.len, 4);
    cr_assert_str_eq(buf_cstr(&b), "1234");
    cr_assert_eq(buf_addf(&b, "%s", "5678"), 0);
    cr_assert_str_eq(buf_cstr(&b), "12345678");
    buf_release(&b);
}

Test(buf, addf_long_output_grows)
{
    struct buf b;
    buf_init(&b, 1 << 20);
    char *big = malloc(5001);
    cr_assert_not_null(big);
    memset(big, 'q', 5000);
    big[5000] = '\0';
    cr_assert_eq(buf_addf(&b, "<%s>", big), 0);
    cr_assert_eq(b.len, 5002);
    cr_assert_eq(b.data[0], '<');
    cr_assert_eq(b.data[5001], '>');
    cr_assert_eq(b.data[5002], '\0');
    free(big);
    buf_release(&b);
}

Test(buf, addf_empty_output_is_fine)
{
    struct buf b;
    buf_init(&b, 4);
    cr_assert_eq(buf_addf(&b, "%s", ""), 0);
    cr_assert_eq(b.len, 0);
    cr_assert_str_eq(buf_cstr(&b), "");
    buf_release(&b);
}

Test(buf, detach_hands_over_storage)
{
    struct buf b;
    buf_init(&b, 100);
    cr_assert_eq(buf_adds(&b, "hello"), 0);
    size_t len = 0;
    char *s = buf_detach(&b, &len);
    cr_assert_eq(len, 5);
    cr_assert_str_eq(s, "hello");
    cr_assert_null(b.data);
    cr_assert_eq(b.len, 0);
    cr_assert_eq(b.max, 100);
    free(s);
    /* the buffer is usable again */
    cr_assert_eq(buf_adds(&b, "x"), 0);
    cr_assert_str_eq(buf_cstr(&b), "x");
    buf_release(&b);
}

Test(buf, detach_of_empty_buffer_is_empty_string)
{
    struct buf b;
    buf_init(&b, 100);
    size_t len = 99;
    char *s = buf_detach(&b, &len);
    cr_assert_not_null(s);
    cr_assert_eq(len, 0);
    cr_assert_str_eq(s, "");
    free(s);
    s = buf_detach(&b, NULL);
    cr_assert_str_eq(s, "");
    free(s);
}

/* ---- arena ---- */

static int aligned16(const void *p)
{
    return ((uintptr_t)p & 15) == 0;
}

Test(buf, add_int_writes_every_int64)
{
    struct buf b;
    buf_init(&b, 1 << 10);
    const long long v[] = {0, 7, -7, 10, 1234567890123LL, INT64_MAX,
                           INT64_MIN};
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        buf_adds(&b, "|");
        cr_assert_eq(buf_add_int(&b, v[i]), 0);
    }
    cr_assert_str_eq(buf_cstr(&b), "|0|7|-7|10|1234567890123"
                     "|9223372036854775807|-9223372036854775808");
    buf_release(&b);
    buf_init(&b, 3);            /* past max: nothing appended */
    cr_assert_eq(buf_add_int(&b, 12), 0);
    cr_assert_eq(buf_add_int(&b, 345), -1);
    cr_assert_str_eq(buf_cstr(&b), "12");
    buf_release(&b);
}

Test(arena, allocations_are_aligned_to_16)
{
    struct arena a;
    arena_init(&a);
    for (size_t n = 0; n < 300; n++) {
        void *p = arena_alloc(&a, n % 37);
        cr_assert_not_null(p);
        cr_assert(aligned16(p), "alloc %zu (size %zu) at %p", n, n % 37, p);
    }
    arena_release(&a);
}

Test(arena, alignment_holds_when_the_arena_is_misaligned)
{
    /* an arena placed at an odd address inside a larger block */
    char *raw = malloc(sizeof(struct arena) + 64);
    cr_assert_not_null(raw);
    for (size_t off = 0; off < 16; off += 8) {
        struct arena *a = (struct arena *)(void *)(raw + 16 + off);
        arena_init(a);
        for (int i = 0; i < 100; i++)
            cr_assert(aligned16(arena_alloc(a, 3)), "offset %zu alloc %d", off,
                      i);
        arena_release(a);
    }
    free(raw);
}

Test(arena, allocations_do_not_overlap)
{
    struct arena a;
    arena_init(&a);
    enum { N = 2000 };
    unsigned char *ptrs[N];
    for (int i = 0; i < N; i++) {
        size_t n = (size_t)(i % 50) + 1;
        ptrs[i] = arena_alloc(&a, n);
        memset(ptrs[i], i & 0xff, n);
    }
    for (int i = 0; i < N; i++) {
        size_t n = (size_t)(i % 50) + 1;
        for (size_t k = 0; k < n; k++)
            cr_assert_eq(ptrs[i][k], i & 0xff, "alloc %d byte %zu", i, k);
    }
    arena_release(&a);
}

Test(arena, large_allocations_succeed)
{
    struct arena a;
    arena_init(&a);
    (void)arena_alloc(&a, 10);
    size_t sizes[] = {1024, 8192, 8193, 100000, 5u << 20, 17};
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        unsigned char *p = arena_alloc(&a, sizes[i]);
        cr_assert(aligned16(p));
        memset(p, 0xab, sizes[i]); /* ASan checks the whole range */
        cr_assert_eq(p[sizes[i] - 1], 0xab);
    }
    arena_release(&a);
}

Test(arena, zero_size_gives_distinct_pointers)
{
    struct arena a;
    arena_init(&a);
    void *p = arena_alloc(&a, 0), *q = arena_alloc(&a, 0);
    cr_assert_not_null(p);
    cr_assert_not_null(q);
    cr_assert_neq(p, q);
    arena_release(&a);
}

Test(arena, strndup_copies_and_terminates)
{
    struct arena a;
    arena_init(&a);
    char *s = arena_strndup(&a, "hello world", 5);
    cr_assert_str_eq(s, "hello");
    char *e = arena_strndup(&a, "", 0);
    cr_assert_str_eq(e, "");
    cr_assert_str_eq(arena_strdup(&a, "xin ch\xc3\xa0o"), "xin ch\xc3\xa0o");
    cr_assert_null(arena_strdup(&a, NULL));
    arena_release(&a);
}

Test(arena, printf_formats_short_and_long_strings)
{
    struct arena a;
    arena_init(&a);
    cr_assert_str_eq(arena_printf(&a, "%s-%d", "id", 7), "id-7");
    cr_assert_str_eq(arena_printf(&a, "%s", ""), "");
    /* exactly at and past the 256-byte stack buffer */
    for (size_t n = 250; n < 260; n++) {
        char *want = malloc(n + 1);
        cr_assert_not_null(want);
        memset(want, 'z', n);
        want[n] = '\0';
        char *got = arena_printf(&a, "%s", want);
        cr_assert_eq(strlen(got), n);
        cr_assert_str_eq(got, want);
        free(want);
    }
    char *big = malloc(20001);
    cr_assert_not_null(big);
    memset(big, 'k', 20000);
    big[20000] = '\0';
    char *got = arena_printf(&a, "[%s]%d", big, 12);
    cr_assert_eq(strlen(got), 20004);
    cr_assert_eq(got[0], '[');
    cr_assert_eq(got[20001], ']');
    cr_assert_str_eq(got + 20002, "12");
    free(big);
    arena_release(&a);
}

Test(arena, release_allows_reuse)
{
    struct arena a;
    arena_init(&a);
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 500; i++)
            memset(arena_alloc(&a, 100), round, 100);
        arena_release(&a);
        arena_init(&a);
    }
    cr_assert_str_eq(arena_strdup(&a, "again"), "again");
    arena_release(&a);
}
