/* The demo's web forms (issue 6 item 7): a newsletter sign-up, a
 * consultation request, a webinar registration and an archived first-round
 * offer form, each for a campaign of the demo (demo/marketing.c), with
 * submissions and consent records for a sample of the contacts whose
 * form_submit touchpoint of that campaign is the moment they entered the
 * stage the form gives: the touchpoint is the submission's. Written after
 * the records (demo/records.c), in the demo's transaction; the forms'
 * keys are random (they are public), everything else follows the data. */
#include "demo/forms.h"
#include "model/form.h"
#include "store/audit.h"
#include "util/arena.h"
#include "util/clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SAMPLE 120              /* submissions per form at most */
#define DAY_MS 86400000LL

struct demo_form {
    const char *body;           /* the POST /api/v1/forms body */
    const char *channel;        /* its campaign: the one of the channel
                                 * with the most forms submitted, or for
                                 * an archived form the first */
    const char *pick;           /* which contacts submitted it (SQL) */
    const char *at;             /* the column of their submission time */
    int archive;
    int named;                  /* named after its campaign */
};

static const struct demo_form FORMS[] = {
    {"{\"name\":\"Nhận bản tin hàng tháng\",\"target_stage\":\"subscriber\","
     "\"fields\":[{\"name\":\"ten\",\"label\":\"Tên\",\"type\":\"text\","
     "\"maps_to\":\"first_name\"},{\"name\":\"email\",\"label\":\"Email\","
     "\"type\":\"email\",\"required\":true,\"maps_to\":\"email\"}],"
     "\"consent_text\":\"Tôi đồng ý nhận bản tin và ưu đãi qua email từ "
     "Phễu. Tôi có thể hủy đăng ký bất cứ lúc nào.\",\"consent_required\":"
     "true,\"thank_you_message\":\"Cảm ơn bạn đã đăng ký! Bản tin đầu tiên "
     "sẽ đến hộp thư của bạn trong tuần này.\"}",
     "email", "1 = 1", "became_subscriber_at", 0, 0},
    {"{\"name\":\"Đăng ký nhận tư vấn\",\"fields\":["
     "{\"name\":\"ho\",\"label\":\"Họ\",\"type\":\"text\",\"maps_to\":"
     "\"last_name\"},{\"name\":\"ten\",\"label\":\"Tên\",\"type\":\"text\","
     "\"required\":true,\"maps_to\":\"first_name\"},{\"name\":\"email\","
     "\"label\":\"Email công việc\",\"type\":\"email\",\"required\":true,"
     "\"maps_to\":\"email\"},{\"name\":\"dien_thoai\",\"label\":\"Số điện "
     "thoại\",\"type\":\"phone\",\"maps_to\":\"phone\"},{\"name\":"
     "\"chuc_danh\",\"label\":\"Chức danh\",\"type\":\"text\",\"maps_to\":"
     "\"title\"},{\"name\":\"nhu_cau\",\"label\":\"Bạn cần tư vấn về "
     "điều gì?\",\"type\":\"textarea\"}],\"consent_text\":\"Tôi đồng ý để "
     "Phễu liên hệ và gửi thông tin về sản phẩm qua email.\","
     "\"submit_label\":\"Gửi yêu cầu\"}",
     "paid_search", "1 = 1", "became_lead_at", 0, 0},
    {"{\"name\":\"Webinar: Bán hàng đa kênh 2026\",\"fields\":["
     "{\"name\":\"ho_ten\",\"label\":\"Họ và tên\",\"type\":\"text\","
     "\"required\":true,\"maps_to\":\"first_name\"},{\"name\":\"email\","
     "\"label\":\"Email\",\"type\":\"email\",\"required\":true,\"maps_to\":"
     "\"email\"},{\"name\":\"quy_mo\",\"label\":\"Quy mô doanh nghiệp\","
     "\"type\":\"select\",\"options\":[\"1–10 nhân viên\",\"11–50 nhân "
     "viên\",\"51–200 nhân viên\",\"Trên 200 nhân viên\"]}],"
     "\"consent_text\":\"Tôi đồng ý nhận email nhắc lịch và tài liệu của "
     "webinar.\"}",
     "webinar", "1 = 1", "became_lead_at", 0, 1},
    {"{\"name\":\"Ưu đãi khách hàng mới (đợt 1)\",\"locale\":\"vi\",\"fields\":["
     "{\"name\":\"ten\",\"label\":\"Tên\",\"type\":\"text\",\"maps_to\":"
     "\"first_name\"},{\"name\":\"dien_thoai\",\"label\":\"Số điện "
     "thoại\",\"type\":\"phone\",\"required\":true,\"maps_to\":\"phone\"}],"
     "\"consent_text\":\"Tôi đồng ý nhận tin nhắn về chương trình khuyến "
     "mãi.\",\"consent_purpose\":\"sms_marketing\"}",
     "social", "k.phone IS NOT NULL", "became_lead_at", 1, 0},
};

/* The campaign of form d: of its channel, the one whose touchpoints
 * hold the most form submissions (an archived form: the first with
 * any). 0 when none has, and on error (err set). */
static int64_t campaign_of(struct db_conn *c, const struct demo_form *d,
                           struct err *err)
{
    int64_t id = 0;
    int rc = db_int(c, err, &id, d->archive
                    ? "SELECT MIN(t.campaign_id) FROM touchpoints t JOIN "
                      "campaigns c ON c.id = t.campaign_id WHERE t.kind = "
                      "'form_submit' AND c.channel = ?"
                    : "SELECT t.campaign_id FROM touchpoints t JOIN "
                      "campaigns c ON c.id = t.campaign_id WHERE t.kind = "
                      "'form_submit' AND c.channel = ? GROUP BY "
                      "t.campaign_id ORDER BY COUNT(*) DESC, t.campaign_id "
                      "LIMIT 1", "t", d->channel);
    return rc ? 0 : id;
}

/* The demo's marketing manager (the forms' owner), or 0. */
static int64_t manager(struct db_conn *c, struct err *err)
{
    int64_t id = 0;
    int rc = db_int(c, err, &id, "SELECT id FROM users WHERE role = "
                    "'marketing_manager' ORDER BY id LIMIT 1", NULL);
    return rc ? 0 : id;
}

/* Creates form d through the model (its rules, its audit row). */
static int create(struct db_conn *c, const struct demo_form *d,
                  int64_t owner, int64_t *id, struct arena *a,
                  struct err *err)
{
    json_t *body = json_loads(d->body, 0, NULL);
    struct wctx w = {.c = c, .privileged = 1, .reason = "demo", .a = a};
    int64_t campaign = campaign_of(c, d, err);
    if (!body)
        return err_set(err, E_INTERNAL, NULL, "demo form: bad JSON");
    if (campaign)
        json_object_set_new(body, "campaign_id", json_integer(campaign));
    if (campaign && d->named) {
        struct db_stmt *st;
        int rc = db_query(c, &st, err, "SELECT name FROM campaigns WHERE id "
                          "= ?", "i", campaign);
        if (!rc && db_step(st, err) == DB_ROW)
            json_object_set_new(body, "name", json_string(arena_printf(
                                a, "Đăng ký %s", db_col_text(st, 0))));
        if (!rc)
            db_done(st);
    }
    if (owner)
        json_object_set_new(body, "owner_id", json_integer(owner));
    int rc = form_create(&w, body, id, err);
    json_decref(body);
    return rc;
}

/* One sampled contact: what it would have typed. */
struct person {
    int64_t id, at, created;
    const char *first, *last, *email, *phone, *title;
};

/* The value field fd of form f gets from person p (NULL: left empty). */
static json_t *value_for(const struct form_field *fd, const struct person *p,
                         int i)
{
    const char *m = fd->maps_to;
    if (fd->type == FORM_SELECT)
        return json_string(fd->options[i % fd->noptions]);
    if (fd->type == FORM_TEXTAREA)
        return i % 3 ? NULL : json_string("Tôi muốn dùng thử bản quản lý "
                                          "khách hàng cho đội bán hàng.");
    if (!m)
        return NULL;
    const char *v = !strcmp(m, "first_name") ? p->first
        : !strcmp(m, "last_name") ? p->last
        : !strcmp(m, "email") ? p->email
        : !strcmp(m, "phone") ? p->phone
        : !strcmp(m, "title") ? p->title : NULL;
    return v ? json_string(v) : NULL;
}

/* Writes p's submission of f (its touchpoint is already there) and,
 * for two in three, the consent. */
static int submit(struct db_conn *c, const struct form *f,
                  const struct person *p, int i, struct err *err)
{
    json_t *data = json_object();
    int64_t sub = 0, cid;
    char ip[32];
    for (int k = 0; k < f->nfields; k++) {
        json_t *v = value_for(&f->fields[k], p, i);
        if (v)
            json_object_set_new(data, f->fields[k].name, v);
    }
    char *text = json_dumps(data, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(data);
    /* documentation addresses (RFC 5737), never anyone's */
    snprintf(ip, sizeof(ip), "%s.%d", i % 2 ? "198.51.100" : "203.0.113",
             1 + (int)(p->id % 250));
    const char *url = "https://www.pheu.vn/dang-ky";
    int rc = db_int(c, err, &sub, "INSERT INTO form_submissions (form_id, "
                    "contact_id, action, data, page_url, ip, user_agent, at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                    "iittttti", f->id, p->id, p->at - p->created < DAY_MS
                    ? "created" : "updated", text, url, ip,
                    "Mozilla/5.0 (demo)", p->at);
    free(text);
    if (!rc && f->consent_text && i % 3 != 2)
        rc = db_int(c, err, &cid, "INSERT INTO consents (contact_id, "
                    "purpose, granted, text, source, form_id, submission_id, "
                    "ip, user_agent, at) VALUES (?, ?, 1, ?, 'form', ?, ?, ?, "
                    "?, ?) RETURNING id", "ittiitti", p->id,
                    f->consent_purpose, f->consent_text, f->id, sub, ip,
                    "Mozilla/5.0 (demo)", p->at);
    return rc;
}

/* The sampled contacts of d, each submitting f at its own time, in time
 * order (submission ids follow time, as live ones do). */
static int submissions(struct db_conn *c, const struct demo_form *d,
                       const struct form *f, int64_t today, int *n,
                       struct arena *a, struct err *err)
{
    struct db_stmt *st;
    struct person *ps = arena_alloc(a, sizeof(*ps) * SAMPLE);
    int count = 0, r, rc;
    const char *sql = arena_printf(a, "SELECT k.id, t.at, k.created_at, "
                                   "k.first_name, k.last_name, k.email, "
                                   "k.phone, k.title FROM touchpoints t JOIN "
                                   "contacts k ON k.id = t.contact_id WHERE "
                                   "t.kind = 'form_submit' AND t.campaign_id "
                                   "= ? AND t.at = k.%s AND %s AND t.at < ? "
                                   "ORDER BY t.at, k.id LIMIT %d", d->at,
                                   d->pick, SAMPLE);
    if (!f->campaign_id)
        return 0;
    rc = db_query(c, &st, err, sql, "ii", f->campaign_id, today);
    if (rc)
        return rc;
    while ((r = db_step(st, err)) == DB_ROW) {
        struct person *p = &ps[count++];
        p->id = db_col_int(st, 0);
        p->at = db_col_int(st, 1);
        p->created = db_col_int(st, 2);
        p->first = arena_strdup(a, db_col_text(st, 3));
        p->last = arena_strdup(a, db_col_text(st, 4));
        p->email = arena_strdup(a, db_col_text(st, 5));
        p->phone = arena_strdup(a, db_col_text(st, 6));
        p->title = arena_strdup(a, db_col_text(st, 7));
    }
    db_done(st);
    if (r < 0)
        return err->code;
    for (int i = 0; !rc && i < count; i++)
        rc = submit(c, f, &ps[i], i, err);
    *n += count;
    return rc;
}

/* Dates the form a week before its first submission (else before
 * today), as if it had been made for the campaign. */
static int backdate(struct db_conn *c, int64_t id, int64_t today,
                    struct err *err)
{
    int64_t first = 0;
    int rc = db_int(c, err, &first, "SELECT COALESCE(MIN(at), ?) FROM "
                    "form_submissions WHERE form_id = ?", "ii", today, id);
    if (!rc)
        rc = db_run(c, err, "UPDATE forms SET created_at = ?, updated_at = ? "
                    "WHERE id = ?", "iii", first - 7 * DAY_MS,
                    first - 7 * DAY_MS, id);
    return rc;
}

int demo_forms(struct db_conn *c, int64_t today_ms, struct err *err)
{
    struct arena a;
    int rc = 0, n = 0;
    int64_t owner = manager(c, err);
    arena_init(&a);
    for (size_t i = 0; !rc && i < sizeof(FORMS) / sizeof(FORMS[0]); i++) {
        struct form f;
        int64_t id;
        rc = create(c, &FORMS[i], owner, &id, &a, err);
        if (!rc)
            rc = form_load(c, id, &f, &a, err);
        if (!rc)
            rc = submissions(c, &FORMS[i], &f, today_ms, &n, &a, err);
        if (!rc)
            rc = backdate(c, id, today_ms, err);
        if (!rc && FORMS[i].archive)
            rc = db_run(c, err, "UPDATE forms SET archived_at = ? WHERE id = "
                        "?", "ii", today_ms - 30 * DAY_MS, id);
    }
    arena_release(&a);
    return rc;
}
