/* Unit tests for util/json.c: the JSON body rules of SPEC Appendix C
 * (duplicate keys, \u0000, raw control characters, invalid UTF-8,
 * trailing data, nesting deeper than 32, numbers out of range). */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util/buf.h"
#include "util/json.h"

static struct err err;
static json_t *doc;

static void setup(void)
{
    memset(&err, 0, sizeof(err));
    doc = NULL;
}

static void teardown(void)
{
    json_decref(doc);
    doc = NULL;
}

TestSuite(json, .init = setup, .fini = teardown);

/* Parses len bytes of s into doc. */
static int parse_n(const char *s, size_t len)
{
    json_decref(doc);
    doc = NULL;
    memset(&err, 0, sizeof(err));
    return json_parse_body(s, len, &doc, &err);
}

static int parse(const char *s)
{
    return parse_n(s, strlen(s));
}

/* Builds depth nested arrays around a 1: "[[[1]]]". */
static char *nested(int depth, char open, char close, struct buf *b)
{
    buf_init(b, 1 << 20);
    for (int i = 0; i < depth; i++) {
        if (open == '{')
            cr_assert_eq(buf_adds(b, "{\"k\":"), 0);
        else
            cr_assert_eq(buf_add(b, &open, 1), 0);
    }
    cr_assert_eq(buf_adds(b, "1"), 0);
    for (int i = 0; i < depth; i++)
        cr_assert_eq(buf_add(b, &close, 1), 0);
    return b->data;
}

Test(json, login_body_parses)
{
    cr_assert_eq(parse("{\"email\":\"admin@demo.pheu.vn\","
                       "\"password\":\"pheu-demo\"}"),
                 0);
    cr_assert(json_is_object(doc));
    cr_assert_str_eq(json_string_value(json_object_get(doc, "email")),
                     "admin@demo.pheu.vn");
}

Test(json, values_of_every_type_parse)
{
    cr_assert_eq(parse(" {\"s\":\"x\",\"i\":-12,\"r\":1.5e3,\"t\":true,"
                       "\"f\":false,\"n\":null,\"a\":[1,[2],{}],"
                       "\"o\":{\"p\":[]}}\n"),
                 0);
    cr_assert_eq(json_integer_value(json_object_get(doc, "i")), -12);
    cr_assert_float_eq(json_real_value(json_object_get(doc, "r")), 1500.0,
                       1e-9);
    cr_assert(json_is_true(json_object_get(doc, "t")));
    cr_assert(json_is_null(json_object_get(doc, "n")));
    cr_assert_eq(json_array_size(json_object_get(doc, "a")), 3);
}

Test(json, top_level_array_parses)
{
    cr_assert_eq(parse("[1,2,3]"), 0);
    cr_assert(json_is_array(doc));
}

Test(json, unicode_escapes_and_raw_utf8_parse)
{
    cr_assert_eq(
        parse("{\"name\":\"Nguy\\u1ec5n \xe1\xbb\x85 \\ud83d\\ude00\"}"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(doc, "name")),
                     "Nguy\xe1\xbb\x85n \xe1\xbb\x85 \xf0\x9f\x98\x80");
}

Test(json, duplicate_keys_are_refused)
{
    cr_assert_eq(parse("{\"a\":1,\"a\":2}"), E_INVALID);
    cr_assert_null(doc);
    cr_assert_eq(err.code, E_INVALID);
    cr_assert_eq(parse("{\"o\":{\"role\":\"x\",\"role\":\"admin\"}}"),
                 E_INVALID);
    /* the same key in different objects is fine */
    cr_assert_eq(parse("{\"a\":{\"a\":1},\"b\":{\"a\":2}}"), 0);
}

Test(json, escaped_nul_is_refused)
{
    cr_assert_eq(parse("{\"name\":\"a\\u0000b\"}"), E_INVALID);
    cr_assert_eq(parse("{\"a\\u0000\":1}"), E_INVALID);
}

Test(json, raw_control_characters_in_strings_are_refused)
{
    for (int c = 1; c < 0x20; c++) {
        char body[32];
        int n = snprintf(body, sizeof(body), "{\"k\":\"a%cb\"}", c);
        cr_expect_eq(parse_n(body, (size_t)n), E_INVALID, "char 0x%02x", c);
    }
    /* escaped forms are fine */
    cr_assert_eq(parse("{\"k\":\"a\\tb\\nc\\u0007\"}"), 0);
}

Test(json, raw_nul_byte_is_refused)
{
    static const char body[] = "{\"k\":\"a\0b\"}";
    cr_assert_eq(parse_n(body, sizeof(body) - 1), E_INVALID);
    static const char after[] = "{\"k\":1}\0";
    cr_assert_eq(parse_n(after, sizeof(after) - 1), E_INVALID);
}

Test(json, invalid_utf8_is_refused)
{
    static const char *const bodies[] = {
        "{\"k\":\"\xff\"}",             /* never valid */
        "{\"k\":\"\xc3\"}",             /* truncated sequence */
        "{\"k\":\"\xc0\xaf\"}",         /* overlong '/' */
        "{\"k\":\"\xed\xa0\x80\"}",     /* UTF-16 surrogate */
        "{\"k\":\"\xf4\x90\x80\x80\"}", /* beyond U+10FFFF */
        "{\"\xe1\xbb\":1}",             /* in a key */
    };
    for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++)
        cr_expect_eq(parse(bodies[i]), E_INVALID, "body %zu", i);
}

Test(json, lone_surrogate_escape_is_refused)
{
    cr_assert_eq(parse("{\"k\":\"\\ud800\"}"), E_INVALID);
    cr_assert_eq(parse("{\"k\":\"\\udc00\"}"), E_INVALID);
}

Test(json, trailing_data_is_refused)
{
    cr_assert_eq(parse("{\"a\":1}x"), E_INVALID);
    cr_assert_eq(parse("{\"a\":1}{\"b\":2}"), E_INVALID);
    cr_assert_eq(parse("[1] [2]"), E_INVALID);
    cr_assert_eq(parse("{\"a\":1},"), E_INVALID);
    /* trailing whitespace is not data */
    cr_assert_eq(parse("{\"a\":1} \r\n\t"), 0);
}

Test(json, nesting_of_32_is_accepted)
{
    struct buf b;
    cr_assert_eq(parse(nested(JSON_MAX_DEPTH, '[', ']', &b)), 0);
    buf_release(&b);
    cr_assert_eq(parse(nested(JSON_MAX_DEPTH, '{', '}', &b)), 0);
    buf_release(&b);
}

Test(json, nesting_of_33_is_refused)
{
    struct buf b;
    cr_assert_eq(parse(nested(JSON_MAX_DEPTH + 1, '[', ']', &b)), E_INVALID);
    buf_release(&b);
    cr_assert_eq(parse(nested(JSON_MAX_DEPTH + 1, '{', '}', &b)), E_INVALID);
    buf_release(&b);
    cr_assert_null(doc);
}

Test(json, deep_hostile_nesting_is_refused_quickly)
{
    struct buf b;
    buf_init(&b, 1 << 20);
    for (int i = 0; i < 200000; i++)
        cr_assert_eq(buf_adds(&b, "["), 0);
    cr_assert_eq(parse_n(b.data, b.len), E_INVALID);
    buf_release(&b);
}

Test(json, brackets_inside_strings_do_not_count_as_nesting)
{
    struct buf b;
    buf_init(&b, 1 << 16);
    cr_assert_eq(buf_adds(&b, "{\"k\":\""), 0);
    for (int i = 0; i < 100; i++)
        cr_assert_eq(buf_adds(&b, "[{\\\""), 0); /* [{\" */
    cr_assert_eq(buf_adds(&b, "\"}"), 0);
    cr_assert_eq(parse_n(b.data, b.len), 0);
    buf_release(&b);
}

Test(json, mixed_nesting_counts_arrays_and_objects_together)
{
    struct buf b;
    buf_init(&b, 1 << 16);
    for (int i = 0; i < 17; i++)
        cr_assert_eq(buf_adds(&b, "{\"k\":["), 0); /* 34 levels */
    for (int i = 0; i < 17; i++)
        cr_assert_eq(buf_adds(&b, "]}"), 0);
    cr_assert_eq(parse_n(b.data, b.len), E_INVALID);
    buf_release(&b);
}

Test(json, integers_within_int64_parse)
{
    cr_assert_eq(parse("{\"max\":9223372036854775807,"
                       "\"min\":-9223372036854775808}"),
                 0);
    cr_assert_eq(json_integer_value(json_object_get(doc, "max")), INT64_MAX);
    cr_assert_eq(json_integer_value(json_object_get(doc, "min")), INT64_MIN);
}

Test(json, integers_beyond_int64_are_refused)
{
    cr_assert_eq(parse("{\"n\":9223372036854775808}"), E_INVALID);
    cr_assert_eq(parse("{\"n\":-9223372036854775809}"), E_INVALID);
    cr_assert_eq(parse("[123456789012345678901234567890]"), E_INVALID);
}

Test(json, reals_out_of_range_are_refused)
{
    cr_assert_eq(parse("{\"n\":1e400}"), E_INVALID);
    cr_assert_eq(parse("{\"n\":-1e400}"), E_INVALID);
}

Test(json, malformed_documents_are_refused_with_a_position)
{
    static const char *const bodies[] = {
        "",         " ",         "{",         "}",     "{\"a\"}",
        "{\"a\":}", "{'a':1}",   "{a:1}",     "[1,]",  "{\"a\":1,}",
        "[01]",     "[+1]",      "[.5]",      "[NaN]", "[Infinity]",
        "[1 2]",    "{\"a\" 1}", "[\"\\x\"]",
    };
    for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        cr_expect_eq(parse(bodies[i]), E_INVALID, "'%s'", bodies[i]);
        cr_expect_null(doc, "'%s'", bodies[i]);
    }
    cr_assert_eq(parse("{\n\"a\" 1}"), E_INVALID);
    cr_assert(strstr(err.msg, "line 2") != NULL, "msg: %s", err.msg);
}

Test(json, length_bounds_the_input)
{
    /* only the first len bytes are read: the rest is not trailing data */
    static const char s[] = "{\"a\":1}garbage";
    cr_assert_eq(parse_n(s, 7), 0);
    cr_assert_eq(json_integer_value(json_object_get(doc, "a")), 1);
}
