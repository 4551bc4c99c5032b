/* Vietnamese demo-data vocabulary: weighted word tables and the small
 * generators `pheu demo` builds people and companies from. The ASCII
 * folding here covers only the letters of these tables; real search
 * folding lives in util/ and uses utf8proc. */
#include "demo/names.h"

#include <string.h>

/* A word and its relative weight in a draw. */
struct wword {
    const char *s;
    unsigned w;
};

/* Gender tags of the given-name and middle-name tables. */
enum { MALE = 1, FEMALE = 2, BOTH = 3 };

/* A name usable for the genders in `g` (MALE, FEMALE or BOTH). */
struct gword {
    const char *s;
    unsigned w;
    int g;
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- word tables ------------------------------------------------------ */

/* Family names; weights in tenths of a percent of the population. */
static const struct wword family[] = {
    {"Nguyễn", 384}, {"Trần", 110}, {"Lê", 95},   {"Phạm", 70}, {"Hoàng", 31},
    {"Huỳnh", 20},   {"Phan", 45},  {"Vũ", 20},   {"Võ", 19},   {"Đặng", 21},
    {"Bùi", 20},     {"Đỗ", 14},    {"Hồ", 13},   {"Ngô", 13},  {"Dương", 10},
    {"Lý", 5},       {"Trương", 8}, {"Đinh", 7},  {"Lâm", 6},   {"Mai", 6},
    {"Trịnh", 6},    {"Đào", 6},    {"Cao", 5},   {"Lương", 5}, {"Tạ", 4},
    {"Hà", 5},       {"Đoàn", 5},   {"Tô", 3},    {"Châu", 3},  {"Kiều", 2},
    {"Lưu", 4},      {"Quách", 2},  {"Thái", 3},  {"La", 2},    {"Chu", 3},
    {"Triệu", 2},    {"Phùng", 3},  {"Lại", 2},   {"Tăng", 2},  {"Vương", 3},
    {"Diệp", 1},     {"Mạc", 1},    {"Khổng", 1}, {"Hứa", 2},
};

/* Middle names; Văn and Thị dominate the older generations. */
static const struct gword middles[] = {
    {"Văn", 30, MALE},   {"Hữu", 6, MALE},      {"Đức", 8, MALE},
    {"Quốc", 6, MALE},   {"Công", 5, MALE},     {"Quang", 5, MALE},
    {"Xuân", 3, BOTH},   {"Gia", 4, MALE},      {"Trọng", 3, MALE},
    {"Đình", 4, MALE},   {"Thế", 3, MALE},      {"Mạnh", 2, MALE},
    {"Bá", 2, MALE},     {"Hoàng", 4, MALE},    {"Tuấn", 3, MALE},
    {"Minh", 10, BOTH},  {"Thanh", 8, BOTH},    {"Anh", 3, MALE},
    {"Thị", 30, FEMALE}, {"Ngọc", 10, FEMALE},  {"Thu", 5, FEMALE},
    {"Thùy", 4, FEMALE}, {"Phương", 4, FEMALE}, {"Kim", 4, FEMALE},
    {"Bảo", 4, BOTH},    {"Hồng", 4, FEMALE},   {"Mỹ", 3, FEMALE},
    {"Khánh", 3, BOTH},  {"Diệu", 2, FEMALE},   {"Quỳnh", 3, FEMALE},
    {"Như", 2, FEMALE},  {"Hoài", 2, BOTH},     {"Bích", 2, FEMALE},
    {"Hải", 3, MALE},    {"Trung", 3, MALE},    {"Cẩm", 2, FEMALE},
};

/* Given names, gender-tagged; unisex names carry BOTH. */
static const struct gword givens[] = {
    {"An", 5, BOTH},      {"Bình", 4, MALE},    {"Châu", 3, FEMALE},
    {"Dũng", 5, MALE},    {"Đăng", 3, MALE},    {"Hà", 4, FEMALE},
    {"Hải", 5, MALE},     {"Hạnh", 4, FEMALE},  {"Hoa", 4, FEMALE},
    {"Hùng", 5, MALE},    {"Hương", 5, FEMALE}, {"Khánh", 4, BOTH},
    {"Lan", 5, FEMALE},   {"Linh", 7, BOTH},    {"Long", 5, MALE},
    {"Mai", 5, FEMALE},   {"Minh", 6, BOTH},    {"Nam", 6, MALE},
    {"Nga", 4, FEMALE},   {"Ngọc", 5, FEMALE},  {"Phong", 4, MALE},
    {"Phúc", 4, MALE},    {"Quân", 5, MALE},    {"Sơn", 5, MALE},
    {"Tâm", 4, BOTH},     {"Thảo", 6, FEMALE},  {"Trang", 7, FEMALE},
    {"Tuấn", 6, MALE},    {"Việt", 4, MALE},    {"Yến", 4, FEMALE},
    {"Anh", 7, BOTH},     {"Bảo", 3, MALE},     {"Cường", 4, MALE},
    {"Đạt", 5, MALE},     {"Duy", 5, MALE},     {"Hiếu", 4, MALE},
    {"Hoàng", 3, MALE},   {"Huy", 6, MALE},     {"Khoa", 4, MALE},
    {"Kiên", 3, MALE},    {"Lộc", 3, MALE},     {"Nghĩa", 3, MALE},
    {"Nhân", 3, MALE},    {"Phát", 3, MALE},    {"Quang", 4, MALE},
    {"Tài", 3, MALE},     {"Thắng", 4, MALE},   {"Thành", 5, MALE},
    {"Thịnh", 3, MALE},   {"Toàn", 3, MALE},    {"Trí", 3, MALE},
    {"Trung", 4, MALE},   {"Tùng", 4, MALE},    {"Vinh", 3, MALE},
    {"Hưng", 4, MALE},    {"Đức", 4, MALE},     {"Tiến", 3, MALE},
    {"Chi", 4, FEMALE},   {"Dung", 4, FEMALE},  {"Giang", 4, BOTH},
    {"Hằng", 5, FEMALE},  {"Hiền", 4, FEMALE},  {"Huyền", 5, FEMALE},
    {"Loan", 3, FEMALE},  {"Ly", 3, FEMALE},    {"My", 4, FEMALE},
    {"Nhung", 4, FEMALE}, {"Oanh", 3, FEMALE},  {"Phương", 5, FEMALE},
    {"Quyên", 3, FEMALE}, {"Quỳnh", 4, FEMALE}, {"Thư", 5, FEMALE},
    {"Thủy", 4, FEMALE},  {"Trâm", 3, FEMALE},  {"Uyên", 3, FEMALE},
    {"Vân", 4, FEMALE},   {"Vy", 5, FEMALE},    {"Nhi", 5, FEMALE},
    {"Ánh", 3, FEMALE},   {"Ngân", 4, FEMALE},  {"Nguyệt", 2, FEMALE},
    {"Hậu", 2, BOTH},     {"Thanh", 4, BOTH},   {"Xuân", 3, FEMALE},
};

/* Legal forms; TNHH and Cổ phần are by far the most common. */
static const struct wword legal_forms[] = {
    {"Công ty TNHH", 45},     {"Công ty Cổ phần", 35},
    {"Công ty TNHH MTV", 10}, {"Doanh nghiệp tư nhân", 5},
    {"Tập đoàn", 3},          {"Hợp tác xã", 2},
};

/* Sector words; the empty string means the name carries no sector. */
static const struct wword sectors[] = {
    {"Thương mại", 14},    {"Công nghệ", 8},
    {"Xây dựng", 7},       {"Dịch vụ", 7},
    {"Đầu tư", 6},         {"Sản xuất", 6},
    {"Vận tải", 4},        {"Du lịch", 3},
    {"Thực phẩm", 4},      {"Dược phẩm", 3},
    {"Giáo dục", 3},       {"Bất động sản", 4},
    {"Truyền thông", 3},   {"Nông nghiệp", 3},
    {"Xuất nhập khẩu", 5}, {"Thương mại và Dịch vụ", 5},
    {"Phần mềm", 3},       {"Logistics", 3},
    {"Điện tử", 2},        {"May mặc", 3},
    {"Nội thất", 2},       {"Cơ khí", 2},
    {"Môi trường", 1},     {"Tư vấn", 3},
    {"Thiết bị Y tế", 2},  {"In ấn", 1},
    {"Năng lượng", 2},     {"Giải pháp Số", 2},
    {"Quảng cáo", 2},      {"", 10},
};

/* First word of a brand. */
static const char *const brand_a[] = {
    "Minh", "Sao",  "Hoàng",  "Phú",  "Đại",  "Tân",   "Thành", "Hưng",
    "An",   "Việt", "Kim",    "Phúc", "Long", "Thiên", "Hải",   "Nam",
    "Bảo",  "Gia",  "Trường", "Đông", "Tâm",  "Quang", "Hòa",   "Vạn",
    "Hồng", "Ánh",  "Bình",   "Đức",  "Nhật", "Thái",  "Toàn",  "Ngọc",
    "Sơn",  "Hà",   "Mekong", "Lạc",
};

/* Second word of a brand. */
static const char *const brand_b[] = {
    "Phát", "Việt", "Long", "Thịnh", "An",   "Thành", "Phú",    "Hưng",
    "Lộc",  "Tín",  "Nam",  "Dương", "Minh", "Quang", "Á",      "Khang",
    "Hà",   "Sơn",  "Tiến", "Hải",   "Mỹ",   "Phong", "Lợi",    "Cường",
    "Đạt",  "Hồng", "Bắc",  "Xanh",  "Vàng", "Kim",   "Nguyên", "Trí",
};

/* Cities; weights roughly follow urban population. */
static const struct wword cities[] = {
    {"TP. Hồ Chí Minh", 300},
    {"Hà Nội", 250},
    {"Hải Phòng", 60},
    {"Đà Nẵng", 60},
    {"Cần Thơ", 45},
    {"Biên Hòa", 40},
    {"Thủ Dầu Một", 30},
    {"Nha Trang", 25},
    {"Huế", 25},
    {"Buôn Ma Thuột", 20},
    {"Vũng Tàu", 20},
    {"Quy Nhơn", 18},
    {"Thái Nguyên", 18},
    {"Vinh", 18},
    {"Hạ Long", 18},
    {"Nam Định", 10},
    {"Long Xuyên", 10},
    {"Rạch Giá", 10},
    {"Đà Lạt", 12},
    {"Bắc Ninh", 12},
    {"Thanh Hóa", 12},
    {"Mỹ Tho", 8},
    {"Phan Thiết", 8},
    {"Pleiku", 8},
    {"Cà Mau", 8},
    {"Việt Trì", 6},
    {"Hải Dương", 8},
};

/* Mobile prefixes after +84 (the national 0 dropped); weights follow the
 * carriers' market shares split over their prefixes. */
static const struct wword phone_prefixes[] = {
    /* Viettel */
    {"86", 50},
    {"96", 70},
    {"97", 70},
    {"98", 70},
    {"32", 30},
    {"33", 30},
    {"34", 30},
    {"35", 30},
    {"36", 30},
    {"37", 30},
    {"38", 30},
    {"39", 30},
    /* Vinaphone */
    {"88", 30},
    {"91", 60},
    {"94", 50},
    {"81", 14},
    {"82", 14},
    {"83", 14},
    {"84", 14},
    {"85", 14},
    /* Mobifone */
    {"89", 30},
    {"90", 60},
    {"93", 50},
    {"70", 14},
    {"76", 12},
    {"77", 12},
    {"78", 12},
    {"79", 12},
    /* Vietnamobile */
    {"92", 20},
    {"56", 10},
    {"58", 10},
    /* Gmobile */
    {"99", 6},
    {"59", 4},
};

/* Industry slugs, shared with the API's company.industry values. */
static const struct wword industries[] = {
    {"retail", 16},      {"manufacturing", 14}, {"software", 10},
    {"logistics", 8},    {"real_estate", 8},    {"education", 7},
    {"healthcare", 7},   {"finance", 7},        {"hospitality", 7},
    {"construction", 8}, {"agriculture", 5},    {"media", 5},
};

/* ASCII letter for each accented Vietnamese letter (both cases). */
static const struct {
    const char *letters;
    char ascii;
} fold_groups[] = {
    {"àáảãạăằắẳẵặâầấẩẫậÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬ", 'a'},
    {"èéẻẽẹêềếểễệÈÉẺẼẸÊỀẾỂỄỆ", 'e'},
    {"ìíỉĩịÌÍỈĨỊ", 'i'},
    {"òóỏõọôồốổỗộơờớởỡợÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢ", 'o'},
    {"ùúủũụưừứửữựÙÚỦŨỤƯỪỨỬỮỰ", 'u'},
    {"ỳýỷỹỵỲÝỶỸỴ", 'y'},
    {"đĐ", 'd'},
};

/* ---- bounded output --------------------------------------------------- */

/* A caller buffer being filled; `full` stops all output after the first
 * piece that did not fit, so truncation never leaves a gap. */
struct out {
    char *buf;
    size_t len;
    size_t pos;
    int full;
};

/* Starts writing into buf (len bytes, may be 0) with an empty string. */
static void out_init(struct out *o, char *buf, size_t len)
{
    o->buf = buf;
    o->len = len;
    o->pos = 0;
    o->full = len == 0;
    if (len)
        buf[0] = '\0';
}

/* Returns the byte length of the UTF-8 sequence led by byte c (1 for a
 * stray continuation byte, so callers always advance). */
static size_t utf8_len(unsigned char c)
{
    if (c >= 0xF0)
        return 4;
    if (c >= 0xE0)
        return 3;
    if (c >= 0xC0)
        return 2;
    return 1;
}

/* Returns 1 when the n bytes at s hold no NUL (a whole sequence). */
static int has_bytes(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] == '\0')
            return 0;
    return 1;
}

/* Appends the n bytes of one character if they fit with the NUL. */
static void out_char_bytes(struct out *o, const char *s, size_t n)
{
    if (o->full || o->len - o->pos <= n) {
        o->full = 1;
        return;
    }
    for (size_t i = 0; i < n; i++)
        o->buf[o->pos++] = s[i];
    o->buf[o->pos] = '\0';
}

/* Appends s, cutting at a character boundary when it does not fit. */
static void out_str(struct out *o, const char *s)
{
    while (*s && !o->full) {
        size_t n = utf8_len((unsigned char)*s);
        if (!has_bytes(s, n))
            break; /* truncated sequence in s: stop here */
        out_char_bytes(o, s, n);
        s += n;
    }
}

/* Appends one ASCII character. */
static void out_ascii(struct out *o, char c)
{
    out_char_bytes(o, &c, 1);
}

/* Appends v in decimal, zero-padded to at least `width` digits. */
static void out_u64(struct out *o, uint64_t v, int width)
{
    char tmp[24];
    int i = (int)sizeof tmp - 1;
    tmp[i] = '\0';
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
        width--;
    } while (v || width > 0);
    out_str(o, tmp + i);
}

/* ---- folding ---------------------------------------------------------- */

/* Returns the ASCII letter for the n-byte character at s, or 0. */
static char fold_char(const char *s, size_t n)
{
    for (size_t g = 0; g < COUNT(fold_groups); g++) {
        const char *p = fold_groups[g].letters;
        while (*p) {
            size_t m = utf8_len((unsigned char)*p);
            if (m == n && memcmp(p, s, n) == 0)
                return fold_groups[g].ascii;
            p += m;
        }
    }
    return 0;
}

/* Appends s folded to lower-case ASCII letters and digits; characters in
 * `keep` pass through, everything else is dropped. */
static void out_fold(struct out *o, const char *s, const char *keep)
{
    while (*s && !o->full) {
        unsigned char c = (unsigned char)*s;
        size_t n = utf8_len(c);
        if (!has_bytes(s, n))
            break;
        if (n == 1) {
            int alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
            if (c >= 'A' && c <= 'Z')
                out_ascii(o, (char)(c - 'A' + 'a'));
            else if (alnum || strchr(keep, c))
                out_ascii(o, (char)c);
        } else {
            char a = fold_char(s, n);
            if (a)
                out_ascii(o, a);
        }
        s += n;
    }
}

/* ---- weighted draws --------------------------------------------------- */

/* Returns one word of t drawn with probability proportional to its w. */
static const char *pick(struct rng *r, const struct wword *t, size_t n)
{
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += t[i].w;
    uint64_t x = rng_below(r, total);
    for (size_t i = 0; i < n; i++) {
        if (x < t[i].w)
            return t[i].s;
        x -= t[i].w;
    }
    return t[n - 1].s;
}

/* Like pick, over the entries of t usable for gender g. */
static const char *pick_g(struct rng *r, const struct gword *t, size_t n, int g)
{
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++)
        if (t[i].g & g)
            total += t[i].w;
    uint64_t x = rng_below(r, total);
    for (size_t i = 0; i < n; i++) {
        if (!(t[i].g & g))
            continue;
        if (x < t[i].w)
            return t[i].s;
        x -= t[i].w;
    }
    return t[n - 1].s;
}

/* Copies s into a fixed field of a person_name. */
static void set_field(char *dst, size_t len, const char *s)
{
    struct out o;
    out_init(&o, dst, len);
    out_str(&o, s);
}

/* ---- public generators ------------------------------------------------ */

void names_person(struct rng *r, struct person_name *out)
{
    int g = rng_below(r, 2) ? FEMALE : MALE;
    const char *last = pick(r, family, COUNT(family));
    const char *middle = pick_g(r, middles, COUNT(middles), g);
    const char *first = pick_g(r, givens, COUNT(givens), g);

    /* "Minh Minh" or "Thanh Thanh" does not occur; redraw (bounded). */
    for (int i = 0; i < 8 && strcmp(first, middle) == 0; i++)
        first = pick_g(r, givens, COUNT(givens), g);

    *out = (struct person_name){0};
    out->female = g == FEMALE;
    set_field(out->last, sizeof out->last, last);
    set_field(out->middle, sizeof out->middle, middle);
    set_field(out->first, sizeof out->first, first);
}

void names_full(const struct person_name *n, char *buf, size_t len)
{
    const char *parts[3] = {n->last, n->middle, n->first};
    struct out o;
    out_init(&o, buf, len);
    for (int i = 0; i < 3; i++) {
        if (!parts[i][0])
            continue;
        if (o.pos)
            out_ascii(&o, ' ');
        out_str(&o, parts[i]);
    }
}

void names_email(const struct person_name *n, const char *domain, uint64_t uniq,
                 char *buf, size_t len)
{
    struct out o;
    out_init(&o, buf, len);
    out_fold(&o, n->first, "");
    if (n->first[0] && n->last[0])
        out_ascii(&o, '.');
    out_fold(&o, n->last, "");
    if (o.pos == 0)
        out_str(&o, "user");
    if (uniq)
        out_u64(&o, uniq, 1);
    out_ascii(&o, '@');
    out_fold(&o, domain, ".-");
}

void names_company(struct rng *r, char *buf, size_t len)
{
    const char *form = pick(r, legal_forms, COUNT(legal_forms));
    const char *sector = pick(r, sectors, COUNT(sectors));
    const char *a = brand_a[rng_below(r, COUNT(brand_a))];
    const char *b = brand_b[rng_below(r, COUNT(brand_b))];

    /* A brand never repeats its word ("Minh Minh"); bounded redraw. */
    for (int i = 0; i < 8 && strcmp(a, b) == 0; i++)
        b = brand_b[rng_below(r, COUNT(brand_b))];

    struct out o;
    out_init(&o, buf, len);
    out_str(&o, form);
    out_ascii(&o, ' ');
    if (sector[0]) {
        out_str(&o, sector);
        out_ascii(&o, ' ');
    }
    out_str(&o, a);
    out_ascii(&o, ' ');
    out_str(&o, b);
}

/* Returns the start of the last `words` space-separated words of s. */
static const char *last_words(const char *s, int words)
{
    const char *end = s + strlen(s);
    while (end > s && end[-1] == ' ')
        end--;
    const char *p = end;
    for (int w = 0; w < words && p > s; w++) {
        while (p > s && p[-1] != ' ')
            p--;
        if (w + 1 < words)
            while (p > s && p[-1] == ' ')
                p--;
    }
    return p;
}

/* 64-bit FNV-1a of s: a stable choice of top-level domain per name. */
static uint64_t fnv1a(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ULL;
    }
    return h;
}

void names_company_domain(const char *company, uint64_t uniq, char *buf,
                          size_t len)
{
    static const char *const tlds[] = {".vn", ".com.vn", ".com"};
    struct out o;
    out_init(&o, buf, len);
    out_fold(&o, last_words(company, 2), "");
    if (o.pos == 0)
        out_str(&o, "congty");
    if (uniq)
        out_u64(&o, uniq, 1);
    out_str(&o, tlds[fnv1a(company) % COUNT(tlds)]);
}

const char *names_city(struct rng *r)
{
    return pick(r, cities, COUNT(cities));
}

void names_phone(struct rng *r, char *buf, size_t len)
{
    const char *prefix = pick(r, phone_prefixes, COUNT(phone_prefixes));
    uint64_t rest = rng_below(r, 10000000);

    struct out o;
    out_init(&o, buf, len);
    out_str(&o, "+84");
    out_str(&o, prefix);
    out_u64(&o, rest, 7);
}

const char *names_industry(struct rng *r)
{
    return pick(r, industries, COUNT(industries));
}

/* ---- contacts and companies at scale ---------------------------------- */

/* One round of a bijective mix of 24-bit values (xor-shifts and odd
 * multipliers are invertible modulo 2^24). */
static uint64_t mix24(uint64_t x)
{
    const uint64_t mask = (1u << 24) - 1;
    x ^= 0x5A5A5A;
    x ^= x >> 12;
    x = (x * 0x9E3779ULL) & mask;
    x ^= x >> 11;
    x = (x * 0x85EBCBULL) & mask;
    x ^= x >> 13;
    return x;
}

/* A fixed, random-looking permutation of [0, n) for n <= 2^24: the mix
 * applied until the value falls inside (cycle walking keeps it a
 * bijection), so distinct k give distinct digits. */
static uint64_t permute(uint64_t k, uint64_t n)
{
    uint64_t x = mix24(k);
    while (x >= n)
        x = mix24(x);
    return x;
}

void names_phone_unique(struct rng *r, uint64_t k, char *buf, size_t len)
{
    const char *prefix = pick(r, phone_prefixes, COUNT(phone_prefixes));
    struct out o;
    out_init(&o, buf, len);
    out_str(&o, "+84");
    out_str(&o, prefix);
    out_u64(&o, permute(k % 10000000, 10000000), 7);
}

/* Area codes (after +84) of the cities of the tables above; 8 digits
 * follow the two-digit codes of Hà Nội and TP. Hồ Chí Minh, 7 the
 * three-digit ones. */
static const struct {
    const char *city, *code;
} area_codes[] = {
    {"Hà Nội", "24"},       {"TP. Hồ Chí Minh", "28"}, {"Đà Nẵng", "236"},
    {"Hải Phòng", "225"},   {"Cần Thơ", "292"},        {"Biên Hòa", "251"},
    {"Thủ Dầu Một", "274"}, {"Nha Trang", "258"},      {"Huế", "234"},
    {"Vũng Tàu", "254"},    {"Quy Nhơn", "256"},       {"Hạ Long", "203"},
    {"Đà Lạt", "263"},      {"Bắc Ninh", "222"},       {"Vinh", "238"},
};

void names_landline(const char *city, uint64_t k, char *buf, size_t len)
{
    const char *code = "24";
    for (size_t i = 0; i < COUNT(area_codes); i++)
        if (!strcmp(city, area_codes[i].city))
            code = area_codes[i].code;
    int two = strlen(code) == 2;
    struct out o;
    out_init(&o, buf, len);
    out_str(&o, "+84");
    out_str(&o, code);
    /* a leading 3 keeps the subscriber number in the usual range */
    out_ascii(&o, '3');
    if (two)
        out_u64(&o, permute(k % 10000000, 10000000), 7);
    else
        out_u64(&o, permute(k % 1000000, 1000000), 6);
}

/* Cities served from the southern (TP. Hồ Chí Minh) team. */
static const char *const southern[] = {
    "TP. Hồ Chí Minh", "Cần Thơ", "Biên Hòa", "Thủ Dầu Một", "Vũng Tàu",
    "Long Xuyên", "Rạch Giá", "Đà Lạt", "Mỹ Tho", "Phan Thiết", "Cà Mau",
    "Nha Trang", "Buôn Ma Thuột",
};

int names_city_region(const char *city)
{
    for (size_t i = 0; i < COUNT(southern); i++)
        if (!strcmp(city, southern[i]))
            return 1;
    return 0;
}

/* Job titles of contacts at companies. */
static const struct wword titles[] = {
    {"Giám đốc", 12},                {"Phó Giám đốc", 6},
    {"Tổng Giám đốc", 3},            {"Trưởng phòng Kinh doanh", 10},
    {"Trưởng phòng Marketing", 8},   {"Kế toán trưởng", 6},
    {"Trưởng phòng Nhân sự", 5},     {"Trưởng phòng IT", 5},
    {"Chuyên viên Kinh doanh", 9},   {"Chuyên viên Marketing", 8},
    {"Nhân viên Kế toán", 5},        {"Trợ lý Giám đốc", 4},
    {"Quản lý Cửa hàng", 4},         {"Trưởng nhóm Chăm sóc Khách hàng", 4},
    {"CEO", 3},                      {"CTO", 2},
    {"Marketing Manager", 3},        {"Sales Manager", 3},
    {"Chủ doanh nghiệp", 6},         {"Trưởng phòng Mua hàng", 4},
};

const char *names_job_title(struct rng *r)
{
    return pick(r, titles, COUNT(titles));
}

/* Personal e-mail providers. */
static const struct wword providers[] = {
    {"gmail.com", 70}, {"yahoo.com", 10}, {"outlook.com", 6},
    {"hotmail.com", 5}, {"icloud.com", 5}, {"fpt.vn", 2}, {"vnn.vn", 2},
};

const char *names_email_provider(struct rng *r)
{
    return pick(r, providers, COUNT(providers));
}

/* Company size bands (employees). */
static const struct wword size_bands[] = {
    {"1-10", 35}, {"11-50", 30}, {"51-200", 18}, {"201-1000", 10},
    {"1001-5000", 5}, {"5001+", 2},
};

const char *names_size_band(struct rng *r)
{
    return pick(r, size_bands, COUNT(size_bands));
}
