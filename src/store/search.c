/* The search index and its ranked queries (see search.h). */
#include "store/search.h"
#include "util/buf.h"
#include "util/fold.h"
#include "util/phone.h"
#include "util/xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WORDS 6         /* query words used (the longest) */
#define MAX_TERMS 64        /* index rows per record */
#define MAX_TERM_LEN 64     /* longer words are cut at a character */
#define TOP "\xf4\x8f\xbf\xbf"  /* U+10FFFF: sorts after any text */

/* ---- indexing ---- */

struct collect {
    struct sterm *t;
    int n;
    struct arena *a;
};

/* Cuts s to at most MAX_TERM_LEN bytes at a character boundary. */
static const char *cut(const char *s, struct arena *a)
{
    size_t n = strlen(s);
    if (n <= MAX_TERM_LEN)
        return arena_strdup(a, s);
    n = MAX_TERM_LEN;
    while (n && ((unsigned char)s[n] & 0xc0) == 0x80)
        n--;
    return arena_strndup(a, s, n);
}

/* Adds one (term, word) pair unless present. */
static void add_term(struct collect *c, const char *term, const char *word)
{
    if (c->n == MAX_TERMS || !*term)
        return;
    const char *t = cut(term, c->a), *w = cut(word, c->a);
    for (int i = 0; i < c->n; i++)
        if (!strcmp(c->t[i].term, t) && !strcmp(c->t[i].word, w))
            return;
    c->t[c->n].term = t;
    c->t[c->n].word = w;
    c->n++;
}

/* fold_words callback: one index row per word. */
static int on_word(const char *folded, const char *marked, void *ctx)
{
    add_term(ctx, folded, marked);
    return 0;
}

/* Adds the digit forms of a phone number: all its digits, and for a
 * Vietnamese number also the national form with its leading 0 and the
 * national significant number without it ("912 345 678"). */
static void add_phone(struct collect *c, const char *phone)
{
    char d[40];
    size_t n = 0;
    for (const char *p = phone; *p && n < sizeof(d) - 1; p++)
        if (*p >= '0' && *p <= '9')
            d[n++] = *p;
    d[n] = '\0';
    if (n < 3)
        return;
    add_term(c, d, d);
    if (phone[0] == '+' && !strncmp(d, "84", 2)) {
        char nat[40];
        nat[0] = '0';
        memcpy(nat + 1, d + 2, n - 1);
        add_term(c, nat, nat);
        add_term(c, nat + 1, nat + 1);
    }
}

int search_terms_of(const char *const *texts, int ntexts,
                    const char *const *phones, int nphones,
                    struct sterm **out, struct arena *a)
{
    return search_terms_memo(texts, ntexts, 0, phones, nphones, out, a,
                             NULL);
}

/* ---- the memo of folded texts ---- */

#define MEMO_CAP 65536      /* texts remembered at most (a power of 2) */
#define MEMO_TEXT 128       /* longer texts are folded every time */

struct memo_entry {
    char *text;
    int nwords;
    char **words;           /* folded, marked, folded, marked, ... */
};

struct search_memo {
    struct memo_entry *e;   /* MEMO_CAP * 2 slots, open addressing */
    size_t n;
};

struct search_memo *search_memo_new(void)
{
    struct search_memo *m = xcalloc(1, sizeof(*m));
    m->e = xcalloc(MEMO_CAP * 2, sizeof(*m->e));
    return m;
}

void search_memo_free(struct search_memo *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < MEMO_CAP * 2; i++) {
        for (int j = 0; j < m->e[i].nwords * 2; j++)
            free(m->e[i].words[j]);
        free(m->e[i].words);
        free(m->e[i].text);
    }
    free(m->e);
    free(m);
}

/* The slot of text: where it is, or the empty slot where it would go. */
static struct memo_entry *memo_slot(struct search_memo *m, const char *text)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        h = (h ^ *p) * 0x100000001b3ULL;
    size_t i = (size_t)(h ^ (h >> 32)) & (MEMO_CAP * 2 - 1);
    while (m->e[i].text && strcmp(m->e[i].text, text))
        i = (i + 1) & (MEMO_CAP * 2 - 1);
    return &m->e[i];
}

/* A text being folded and remembered. */
struct memo_fill {
    struct collect *c;
    struct memo_entry *e;
};

/* fold_words callback that indexes a word and remembers it. */
static int on_word_memo(const char *folded, const char *marked, void *ctx)
{
    struct memo_fill *f = ctx;
    add_term(f->c, folded, marked);
    f->e->words = xrealloc(f->e->words, sizeof(char *) *
                           (size_t)(f->e->nwords + 1) * 2);
    f->e->words[f->e->nwords * 2] = xstrdup(folded);
    f->e->words[f->e->nwords * 2 + 1] = xstrdup(marked);
    f->e->nwords++;
    return 0;
}

/* Indexes the words of text through the memo: replayed when it was
 * folded before, else folded and remembered (while there is room).
 * Returns fold_words' result. */
static int words_memo(struct collect *c, const char *text,
                      struct search_memo *m)
{
    if (strlen(text) > MEMO_TEXT || m->n == MEMO_CAP)
        return fold_words(text, on_word, c);
    struct memo_entry *e = memo_slot(m, text);
    if (e->text) {
        for (int j = 0; j < e->nwords; j++)
            add_term(c, e->words[j * 2], e->words[j * 2 + 1]);
        return 0;
    }
    struct memo_entry fresh = {0};
    struct memo_fill f = {c, &fresh};
    int r = fold_words(text, on_word_memo, &f);
    if (r < 0) {                /* not valid UTF-8: nothing remembered */
        for (int j = 0; j < fresh.nwords * 2; j++)
            free(fresh.words[j]);
        free(fresh.words);
        return r;
    }
    fresh.text = xstrdup(text);
    *e = fresh;
    m->n++;
    return r;
}

int search_terms_memo(const char *const *texts, int ntexts, unsigned mask,
                      const char *const *phones, int nphones,
                      struct sterm **out, struct arena *a,
                      struct search_memo *m)
{
    struct collect c = {arena_alloc(a, sizeof(struct sterm) * MAX_TERMS), 0,
                        a};
    for (int i = 0; i < ntexts; i++) {
        if (!texts[i])
            continue;
        int r = m && (mask >> i & 1) ? words_memo(&c, texts[i], m)
                                     : fold_words(texts[i], on_word, &c);
        if (r < 0)
            return -1;
    }
    for (int i = 0; i < nphones; i++)
        if (phones[i])
            add_phone(&c, phones[i]);
    *out = c.t;
    return c.n;
}

int search_unindex(struct db_conn *c, int kind, int64_t id, struct err *err)
{
    return db_run_nowait(c, err, "DELETE FROM search_terms WHERE kind = ? "
                         "AND "
                  "record_id = ?", "ii", (int64_t)kind, id);
}

int search_index(struct db_conn *c, int kind, int64_t id,
                 const char *const *texts, int ntexts,
                 const char *const *phones, int nphones, struct arena *a,
                 struct err *err)
{
    struct sterm *t;
    int n = search_terms_of(texts, ntexts, phones, nphones, &t, a);
    if (n < 0)
        return err_set(err, E_INVALID, NULL, "text is not valid UTF-8");
    int rc = search_unindex(c, kind, id, err);
    for (int i = 0; !rc && i < n; i++)
        rc = db_run_nowait(c, err, "INSERT INTO search_terms (kind, term, "
                           "record_id, word) VALUES (?, ?, ?, ?)", "itit",
                           (int64_t)kind, t[i].term, id, t[i].word);
    return rc;
}

/* ---- queries ---- */

/* fold_words callback that only notes a word exists. */
static int any_word(const char *folded, const char *marked, void *ctx)
{
    (void)folded;
    (void)marked;
    *(int *)ctx = 1;
    return 1;
}

int search_check_query(const char *q, struct err *err)
{
    int found = 0;
    if (strlen(q) > 200)
        return err_set(err, E_INVALID, "q", "must be at most 200 bytes");
    if (fold_words(q, any_word, &found) < 0)
        return err_set(err, E_INVALID, "q", "is not valid UTF-8");
    return found ? 0 : err_set(err, E_INVALID, "q", "must contain a letter "
                               "or a digit");
}

struct qword {
    const char *folded, *marked;
    const char *alt;        /* a phone query's second form, or NULL */
};

struct qwords {
    struct qword w[16];
    int n;
    struct arena *a;
};

/* fold_words callback collecting distinct query words. */
static int on_qword(const char *folded, const char *marked, void *ctx)
{
    struct qwords *q = ctx;
    for (int i = 0; i < q->n; i++)
        if (!strcmp(q->w[i].folded, folded) &&
            !strcmp(q->w[i].marked, marked))
            return 0;
    if (q->n == 16)
        return 1;
    q->w[q->n].folded = cut(folded, q->a);
    q->w[q->n].marked = cut(marked, q->a);
    q->w[q->n].alt = NULL;
    q->n++;
    return 0;
}

/* Orders query words longest first (the longest drives the scan). */
static int cmp_len(const void *x, const void *y)
{
    const struct qword *a = x, *b = y;
    size_t la = strlen(a->folded), lb = strlen(b->folded);
    return (la < lb) - (la > lb);
}

struct cand {
    int64_t id;
    unsigned exact, marks;  /* bit per query word */
};

struct cands {
    struct cand *c;
    int n, cap;
    int *slots;             /* open addressing: index + 1, 0 = empty */
    int nslots;
};

/* Finds or adds the candidate for id. */
static struct cand *cand_get(struct cands *cs, int64_t id)
{
    unsigned h = (unsigned)((uint64_t)id * 0x9E3779B97F4A7C15ULL >> 40);
    for (int i = 0; i < cs->nslots; i++) {
        int *s = &cs->slots[(h + (unsigned)i) % (unsigned)cs->nslots];
        if (*s && cs->c[*s - 1].id == id)
            return &cs->c[*s - 1];
        if (!*s) {
            if (cs->n == cs->cap)
                return NULL;
            cs->c[cs->n] = (struct cand){id, 0, 0};
            *s = ++cs->n;
            return &cs->c[cs->n - 1];
        }
    }
    return NULL;
}

/* Whether word (as indexed) matches query word w: exact folded term, and
 * whether its marks agree with what was typed. */
static void judge(const struct qword *w, const char *term, const char *word,
                  int bit, struct cand *cd)
{
    int exact = !strcmp(term, w->folded) || (w->alt && !strcmp(term,
                                                               w->alt));
    size_t ml = strlen(w->marked);
    int marks = exact ? !strcmp(word, w->marked)
                      : !strncmp(word, w->marked, ml);
    if (exact)
        cd->exact |= 1u << bit;
    if (marks)
        cd->marks |= 1u << bit;
}

/* Runs one pass: candidates whose driving word satisfies pred (with its
 * parameters already in pp) and whose other words have prefix matches. */
static int run_pass(struct db_conn *c, const struct object *o,
                    const struct qwords *q, const char *pred,
                    const struct sqlp *pp, const char *where,
                    const struct sqlp *wp, struct cands *cs,
                    struct arena *a, struct err *err)
{
    struct buf sql;
    struct sqlp p = {0};
    buf_init(&sql, 1 << 20);
    buf_adds(&sql, "SELECT t0.record_id, t0.term, t0.word");
    for (int i = 1; i < q->n; i++)
        buf_addf(&sql, ", t%d.term, t%d.word", i, i);
    /* the records' table only when a filter needs it: a join per index
     * row costs as much as the index row itself */
    buf_adds(&sql, " FROM search_terms t0");
    if (*where)
        buf_addf(&sql, " JOIN %s t ON t.id = t0.record_id", o->table);
    for (int i = 1; i < q->n; i++) {
        buf_addf(&sql, " JOIN search_terms t%d ON t%d.kind = t0.kind AND "
                 "t%d.record_id = t0.record_id AND t%d.term >= ? AND "
                 "t%d.term < ?", i, i, i, i, i);
        sqlp_text(&p, q->w[i].folded);
        sqlp_text(&p, arena_printf(a, "%s" TOP, q->w[i].folded));
    }
    buf_addf(&sql, " WHERE t0.kind = ? AND %s%s LIMIT ?", pred, where);
    sqlp_int(&p, o->search_kind);
    for (int i = 0; i < pp->n; i++) {
        if (pp->kinds[i] == 'i')
            sqlp_int(&p, pp->ints[i]);
        else
            sqlp_text(&p, pp->texts[i]);
    }
    for (int i = 0; i < wp->n; i++) {
        if (wp->kinds[i] == 'i')
            sqlp_int(&p, wp->ints[i]);
        else
            sqlp_text(&p, wp->texts[i]);
    }
    sqlp_int(&p, (int64_t)(cs->cap - cs->n) * 4);
    struct db_stmt *st = NULL;
    int rc = db_prepare(c, buf_cstr(&sql), &st, err), r = DB_DONE;
    buf_release(&sql);
    if (!rc)
        rc = sqlp_bind(st, &p, 1, err);
    while (!rc && (r = db_step(st, err)) == DB_ROW) {
        struct cand *cd = cand_get(cs, db_col_int(st, 0));
        if (!cd)
            break;
        for (int i = 0; i < q->n; i++)
            judge(&q->w[i], db_col_text(st, 1 + 2 * i),
                  db_col_text(st, 2 + 2 * i), i, cd);
    }
    db_done(st);
    if (!rc && r < 0)
        rc = err->code;
    return rc;
}

/* Best first: more exact words, then more words with matching marks,
 * then the oldest record. */
static int cmp_cand(const void *x, const void *y)
{
    const struct cand *a = x, *b = y;
    int ea = __builtin_popcount(a->exact), eb = __builtin_popcount(b->exact);
    if (ea != eb)
        return eb - ea;
    int ma = __builtin_popcount(a->marks), mb = __builtin_popcount(b->marks);
    if (ma != mb)
        return mb - ma;
    return (a->id > b->id) - (a->id < b->id);
}

/* Reads q into query words: a phone-like query is one word with its
 * national and international digit forms. */
static int parse_query(const char *q, struct qwords *qw)
{
    char forms[2][24];
    int nf = phone_query_forms(q, forms);
    if (nf > 0) {
        qw->w[0].folded = arena_strdup(qw->a, forms[0]);
        qw->w[0].marked = qw->w[0].folded;
        qw->w[0].alt = nf > 1 ? arena_strdup(qw->a, forms[1]) : NULL;
        qw->n = 1;
        return 0;
    }
    if (fold_words(q, on_qword, qw) < 0)
        return -1;
    qsort(qw->w, (size_t)qw->n, sizeof(qw->w[0]), cmp_len);
    if (qw->n > MAX_WORDS)
        qw->n = MAX_WORDS;
    return 0;
}

int search_ranked(struct db_conn *c, const struct object *o, const char *q,
                  const char *where, const struct sqlp *wp, int64_t **ids,
                  int *n, struct arena *a, struct err *err)
{
    struct qwords qw = {.a = a};
    struct cands cs = {0};
    *n = 0;
    *ids = NULL;
    if (!o->search_kind)
        return err_set(err, E_INVALID, "q", "this list cannot be searched");
    if (parse_query(q, &qw) < 0)
        return err_set(err, E_INVALID, "q", "is not valid UTF-8");
    if (!qw.n)
        return 0;
    cs.cap = SEARCH_CANDIDATES;
    cs.c = xmalloc(sizeof(struct cand) * (size_t)cs.cap);
    cs.nslots = cs.cap * 2;
    cs.slots = xcalloc((size_t)cs.nslots, sizeof(int));
    const struct qword *d = &qw.w[0];
    int rc = 0;
    int marked = strcmp(d->folded, d->marked) != 0;
    const char *forms[2] = {d->folded, d->alt};
    for (int f = 0; f < 2 && forms[f] && !rc; f++) {
        struct sqlp pp = {0};
        /* 1: the exact word with the marks typed */
        if (marked && f == 0) {
            sqlp_text(&pp, forms[f]);
            sqlp_text(&pp, d->marked);
            rc = run_pass(c, o, &qw, "t0.term = ? AND t0.word = ?", &pp,
                          where, wp, &cs, a, err);
        }
        /* 2: the exact word, other marks */
        pp.n = 0;
        sqlp_text(&pp, forms[f]);
        sqlp_text(&pp, marked && f == 0 ? d->marked : "");
        if (!rc && cs.n < cs.cap)
            rc = run_pass(c, o, &qw, "t0.term = ? AND t0.word <> ?", &pp,
                          where, wp, &cs, a, err);
        /* 3: longer words starting with it */
        pp.n = 0;
        sqlp_text(&pp, forms[f]);
        sqlp_text(&pp, arena_printf(a, "%s" TOP, forms[f]));
        if (!rc && cs.n < cs.cap)
            rc = run_pass(c, o, &qw, "t0.term > ? AND t0.term < ?", &pp,
                          where, wp, &cs, a, err);
    }
    if (!rc) {
        qsort(cs.c, (size_t)cs.n, sizeof(struct cand), cmp_cand);
        *ids = arena_alloc(a, sizeof(int64_t) * (size_t)(cs.n + 1));
        for (int i = 0; i < cs.n; i++)
            (*ids)[i] = cs.c[i].id;
        *n = cs.n;
    }
    free(cs.c);
    free(cs.slots);
    return rc;
}
