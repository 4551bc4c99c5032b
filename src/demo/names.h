/* Vietnamese demo-data vocabulary: people, companies, cities, phones.
 * Deterministic generators for `pheu demo`, driven by util/rand.h. Every
 * function writes NFC UTF-8 into caller buffers and never allocates. */
#ifndef PHEU_DEMO_NAMES_H
#define PHEU_DEMO_NAMES_H

#include <stddef.h>
#include <stdint.h>

#include "util/rand.h"

/* One person in Vietnamese order: family name `last`, then `middle`, then
 * the given name `first` (the name people are called by). */
struct person_name {
    char first[48];
    char middle[48];
    char last[48];
    int female;
};

/*
 * Buffer rules for every function below that takes (buf, len): the output
 * is always NUL-terminated when len > 0 and nothing is written when len is
 * 0. Output that does not fit is cut at a character boundary, so it stays
 * valid UTF-8.
 */

/* Draws a person: gender, a family name weighted by its real frequency
 * (Nguyễn about 38%), a gender-appropriate middle and given name. Fills
 * *out completely. */
void names_person(struct rng *r, struct person_name *out);

/* Writes "Last Middle First" ("Nguyễn Văn An") into buf; empty parts are
 * skipped without doubling the space. */
void names_full(const struct person_name *n, char *buf, size_t len);

/* Writes an ASCII e-mail address "first.last[uniq]@domain" into buf:
 * diacritics removed (đ -> d), lower case, no spaces. uniq is appended in
 * decimal when non-zero so callers can make addresses unique. Characters of
 * domain other than ASCII letters, digits, '.' and '-' are dropped. */
void names_email(const struct person_name *n, const char *domain, uint64_t uniq,
                 char *buf, size_t len);

/* Writes a company name made of a legal form, usually a sector and a
 * two-word brand ("Công ty TNHH Thương mại Minh Phát"). */
void names_company(struct rng *r, char *buf, size_t len);

/* Writes an ASCII domain for a company name: its last two words folded
 * and joined, uniq appended when non-zero, then ".vn", ".com.vn" or ".com"
 * chosen from a hash of the name ("minhphat.vn", "saoviet42.com.vn").
 * The same arguments always give the same domain. */
void names_company_domain(const char *company, uint64_t uniq, char *buf,
                          size_t len);

/* Returns a city weighted roughly by urban population (TP. Hồ Chí Minh
 * most often). The string is static; callers borrow it. */
const char *names_city(struct rng *r);

/* Writes a Vietnamese mobile number in E.164 ("+84912345678"): a real
 * carrier prefix weighted by market share, then seven random digits. */
void names_phone(struct rng *r, char *buf, size_t len);

/* Returns an industry slug such as "retail" or "software". The string is
 * static; callers borrow it. */
const char *names_industry(struct rng *r);

/* ---- contacts and companies at scale (pheu demo's records) ---- */

/* Writes a mobile number in E.164 that no other k gives: a carrier
 * prefix weighted by market share (drawn from r), then seven digits that
 * are a fixed permutation of k (k < 10,000,000), so a million contacts
 * get a million different numbers without a lookup. */
void names_phone_unique(struct rng *r, uint64_t k, char *buf, size_t len);

/* Writes a landline number in E.164 for city: the city's area code
 * ("+8424" Hà Nội, "+8428" TP. Hồ Chí Minh, "+84236" Đà Nẵng, …; other
 * cities get theirs or Hà Nội's), a 3, and subscriber digits that are a
 * fixed permutation of k: distinct for distinct k below 10,000,000 with a
 * two-digit area code, below 1,000,000 with a three-digit one. */
void names_landline(const char *city, uint64_t k, char *buf, size_t len);

/* Returns 0 for a city in the north or centre of Vietnam (served from Hà
 * Nội), 1 for the south (served from TP. Hồ Chí Minh). */
int names_city_region(const char *city);

/* Returns a job title ("Giám đốc", "Trưởng phòng Kinh doanh", …),
 * weighted by how often such people are a CRM's contacts. Static. */
const char *names_job_title(struct rng *r);

/* Returns a personal e-mail provider's domain ("gmail.com", …), weighted
 * by use in Vietnam. Static. */
const char *names_email_provider(struct rng *r);

/* Returns a company size band of the API ("1-10" … "5001+"), small
 * businesses most often. Static. */
const char *names_size_band(struct rng *r);

#endif
