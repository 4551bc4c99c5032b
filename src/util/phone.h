/* Phone numbers (SPEC §2, §12): normalisation to E.164 with Vietnam as
 * the default region, for storage and duplicate detection, and the digit
 * strings a search query should match. */
#ifndef PHEU_UTIL_PHONE_H
#define PHEU_UTIL_PHONE_H

#include <stddef.h>

/* Bytes an E.164 number needs: "+", at most 15 digits, NUL. */
#define PHONE_E164_SIZE 17
/* Most digits phone_query_forms looks at: "00" + 15. */
#define PHONE_QUERY_MAX_DIGITS 17

/* Normalises the phone number in to E.164, Vietnam (+84) being the default
 * region, and writes it to out ("+84912345678"); outlen must be at least
 * PHONE_E164_SIZE. Returns 0, or -1 when in is not a number these rules
 * parse (out is then ""; callers keep the text as given).
 *
 * Characters: ASCII digits; the separators space . - / ( ) anywhere; one
 * "+" before the first digit, preceded by nothing but spaces and "(" (so
 * "(+84) 912.345.678" is fine, "84+912" is not). Anything else -- letters,
 * tabs, other punctuation, non-ASCII, an extension such as "x12" or
 * "ext 12" -- makes the text unparseable.
 *
 * A Vietnamese national significant number (NSN) is 9 digits starting with
 * 3, 5, 7, 8 or 9 (mobile) or 10 digits starting with 2 (landline: area
 * code 2x + 8 digits). With the digits read:
 *   "+84" or "0084" then an NSN           -> "+84" NSN
 *   "84" (no "+") then an NSN             -> "+84" NSN
 *   any of these three with the trunk 0 kept before the NSN
 *     ("+84 (0) 912 345 678", "84 0912345678") -> "+84" NSN
 *   "0" then an NSN                       -> "+84" NSN
 *   "+" or "00" then 8..15 digits not starting with 0 nor "84"
 *                                         -> "+" digits (country code not
 *                                            checked further)
 * Everything else is refused: fewer than 8 or more than 15 digits, "+84",
 * "0084", "84" or "0" followed by anything but an NSN (so "0123 456 789"
 * and "+84 1900 1234" are refused), and a number with no prefix at all
 * ("912345678", "1900 1234"). */
int phone_e164(const char *in, char *out, size_t outlen);

/* Writes the digit strings a search for q should match in indexed phone
 * numbers: forms[0] is q with every non-digit removed ("+84 912" ->
 * "84912"); when those digits begin with "0084" or "84" (typed "+84" or
 * not), forms[1] is the national form, "0" and the rest ("0912"), written
 * only when it has at least 3 digits. Returns how many forms were written:
 * 0 when q has fewer than 3 or more than PHONE_QUERY_MAX_DIGITS digits,
 * or holds a letter (an ASCII letter or any non-ASCII character: such a
 * query is text, not a phone number). */
int phone_query_forms(const char *q, char forms[2][24]);

#endif
