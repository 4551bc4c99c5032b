"""Web forms (SPEC §4, App. A; issue 6 item 4; decision 0017): the forms
API (create, read, change, archive or delete; who may write; field
errors), the embeddable snippet, and the public POST /f/{key} in both
encodings: contacts created or filled (dedupe by email, then phone, never
overwriting), the stage moved only forward, the form_submit touchpoint
joining the visitor's anonymous touches (original source and campaign
from the first touch), consent with text, time and address, honeypot
and rate limit answered as a success with nothing written, malformed
bodies, CORS from the tracked sites, and no partial write when a
submission fails midway (fault injection)."""

import json
import re
import time

import pytest
import requests

from conftest import (CONTACT_KEYS, Crm, Server, assert_error, copy_db,
                      crm_fault_sweep, db_rows, db_value, error_of, uniq,
                      uniq_email)

FORM_KEYS = {"id", "key", "name", "fields", "target_stage", "campaign_id",
             "consent_text", "consent_purpose", "consent_required",
             "redirect_url", "thank_you_message", "submit_label",
             "honeypot_field", "locale", "owner_id", "contact_owner_id",
             "created_by", "archived", "archived_at", "submissions",
             "last_submission_at", "created_at", "updated_at"}
FORM_TABLES = ("contacts", "stage_changes", "touchpoints", "audit_log",
               "forms", "form_submissions", "consents", "search_terms")
VID = "0123456789abcdef%016d"       # a visitor id as /t.js makes them
FIELDS = [
    {"name": "ten", "label": "Tên", "type": "text", "required": True,
     "maps_to": "first_name"},
    {"name": "ho", "label": "Họ", "type": "text", "maps_to": "last_name"},
    {"name": "email", "label": "Email", "type": "email",
     "maps_to": "email"},
    {"name": "sdt", "label": "Số điện thoại", "type": "phone",
     "maps_to": "phone"},
    {"name": "chuc_danh", "label": "Chức danh", "type": "text",
     "maps_to": "title"},
    {"name": "nhu_cau", "label": "Nhu cầu", "type": "textarea"},
]


@pytest.fixture(scope="module")
def crm(crm_db, tmp_path_factory):
    """This module's server: no practical limit on submissions from the
    test's one address (the limit has its own server below)."""
    d = tmp_path_factory.mktemp("forms")
    srv = Server(copy_db(crm_db, d / "pheu.db"), d,
                 args=["--form-rate", "1000", "--form-burst", "1000"]).start()
    c = Crm(srv)
    yield c
    c.close()
    assert srv.stop() == 0, srv.stderr()


@pytest.fixture(scope="module")
def teams(crm):
    return crm.team(kind="marketing"), crm.team(kind="sales")


@pytest.fixture(scope="module")
def marketer(crm, teams):
    return crm.user("marketer", teams[0])


@pytest.fixture(scope="module")
def rep(crm, teams):
    return crm.user("sales_rep", teams[1])


@pytest.fixture(scope="module")
def anon(crm):
    """A client with no credentials: what a web page is."""
    return crm.srv.client()


def make_form(crm, client=None, status=201, **body):
    body.setdefault("name", uniq("Biểu mẫu "))
    body.setdefault("fields", FIELDS)
    r = (client or crm.admin).post("/api/v1/forms", json=body)
    assert r.status_code == status, (body, r.status_code, r.text)
    if status != 201:
        return r
    f = r.json()
    assert r.headers["Location"] == "/api/v1/forms/%d" % f["id"]
    return f


def post_form(client, key, data=None, js=None, **kw):
    """A submission: urlencoded (data) or JSON (js); no redirects."""
    kw.setdefault("allow_redirects", False)
    if js is not None:
        return client.post("/f/%s" % key, json=js, **kw)
    return client.post("/f/%s" % key, data=data, **kw)


def contacts_with(crm, email=None, phone=None):
    sql, arg = (("SELECT * FROM contacts WHERE email = ?", email.lower())
                if email else ("SELECT * FROM contacts WHERE phone = ?",
                               phone))
    return db_rows(crm.db, sql, (arg,))


def the_contact(crm, **kw):
    rows = contacts_with(crm, **kw)
    assert len(rows) == 1, rows
    return crm.get("contacts", rows[0]["id"])


def unchanged(crm, before):
    after = crm.snapshot(FORM_TABLES)
    for t in before:
        assert after[t] == before[t], "table %s changed" % t


# ---- the forms API ----

def test_create_read_and_defaults(crm, marketer):
    camp = crm.campaign(marketer, channel="social")
    f = make_form(crm, marketer, campaign_id=camp["id"],
                  consent_text="Tôi đồng ý nhận email",
                  redirect_url="https://shop.vn/cam-on")
    assert set(f) == FORM_KEYS
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", f["key"])
    assert (f["target_stage"], f["campaign_id"], f["consent_purpose"],
            f["consent_required"], f["honeypot_field"], f["locale"],
            f["archived"], f["submissions"], f["last_submission_at"]) == (
        "lead", camp["id"], "email_marketing", False, "fax_number", "vi",
        False, 0, None)
    assert (f["owner_id"], f["created_by"], f["contact_owner_id"]) == (
        marketer.user["id"], marketer.user["id"], None)
    assert f["fields"][1] == {"name": "ho", "label": "Họ", "type": "text",
                              "required": False, "maps_to": "last_name"}
    assert crm.get("forms", f["id"], marketer) == f
    listed = crm.all(marketer, "/api/v1/forms")
    assert f["id"] in [x["id"] for x in listed]
    assert listed == sorted(listed, key=lambda x: -x["id"])
    # every form gets its own key
    g = make_form(crm, marketer)
    assert g["key"] != f["key"]
    # no target stage at all is allowed
    h = make_form(crm, marketer, target_stage=None)
    assert h["target_stage"] is None


def test_who_may_write(crm, marketer, rep, anon):
    f = make_form(crm, marketer)
    before = crm.snapshot(FORM_TABLES)
    for r in (rep.post("/api/v1/forms", json={"name": "x",
                                               "fields": FIELDS}),
              rep.patch("/api/v1/forms/%d" % f["id"], json={"name": "y"}),
              rep.delete("/api/v1/forms/%d" % f["id"])):
        assert_error(r, 403, code="forbidden")
    # a body that is not even JSON gets the same 403: roles come first
    r = rep.post("/api/v1/forms", data="{", headers={
        "Content-Type": "application/json"})
    assert r.status_code in (400, 403)
    unchanged(crm, before)
    # everyone signed in reads forms
    assert crm.get("forms", f["id"], rep)["name"] == f["name"]
    assert rep.get("/api/v1/forms/%d/embed" % f["id"]).status_code == 200
    assert_error(anon.get("/api/v1/forms"), 401)
    assert_error(anon.get("/api/v1/forms/%d" % f["id"]), 401)
    mm = crm.user("marketing_manager")
    crm.patch("forms", f["id"], mm, name="Đổi tên")


@pytest.mark.parametrize("body,status,field", [
    ({"fields": FIELDS}, 400, "name"),
    ({"name": "x"}, 400, "fields"),
    ({"name": "x", "fields": []}, 422, "fields"),
    ({"name": "x", "fields": [{"name": "t", "type": "text"}]}, 422,
     "fields"),
    ({"name": "x", "fields": FIELDS + [{"name": "ten", "type": "text"}]},
     422, "fields[6].name"),
    ({"name": "x", "fields": [{"name": "e", "type": "email",
                               "maps_to": "email", "size": 3}]}, 400,
     "fields[0].size"),
    ({"name": "x", "fields": [{"name": "e", "type": "radio",
                               "maps_to": "email"}]}, 422,
     "fields[0].type"),
    ({"name": "x", "fields": [{"name": "e", "type": "email",
                               "maps_to": "owner_id"}]}, 422,
     "fields[0].maps_to"),
    ({"name": "x", "fields": [{"name": "e", "type": "email",
                               "maps_to": "custom.no_such"}]}, 422,
     "fields[0].maps_to"),
    ({"name": "x", "fields": FIELDS, "target_stage": "other"}, 422,
     "target_stage"),
    ({"name": "x", "fields": FIELDS, "campaign_id": 999999}, 422,
     "campaign_id"),
    ({"name": "x", "fields": FIELDS, "campaign_id": "1"}, 400,
     "campaign_id"),
    ({"name": "x", "fields": FIELDS, "owner_id": 999999}, 422, "owner_id"),
    ({"name": "x", "fields": FIELDS, "redirect_url": "javascript:alert(1)"},
     422, "redirect_url"),
    ({"name": "x", "fields": FIELDS, "redirect_url": "https://a b.vn/"},
     422, "redirect_url"),
    ({"name": "x", "fields": FIELDS, "consent_required": True}, 422,
     "consent_required"),
    ({"name": "x", "fields": FIELDS, "consent_purpose": "spam"}, 422,
     "consent_purpose"),
    ({"name": "x", "fields": FIELDS, "locale": "fr"}, 422, "locale"),
    ({"name": "x", "fields": FIELDS, "honeypot_field": "ten"}, 422,
     "fields[0].name"),
    ({"name": "x", "fields": FIELDS, "honeypot_field": "utm_source"}, 422,
     "honeypot_field"),
    ({"name": "x", "fields": FIELDS, "key": "abc"}, 422, "key"),
    ({"name": "x", "fields": FIELDS, "submissions": 3}, 422, "submissions"),
    ({"name": "x", "fields": FIELDS, "archived": True}, 422, "archived"),
    ({"name": "x", "fields": FIELDS, "colour": "red"}, 400, "colour"),
    ({"name": "x" * 301, "fields": FIELDS}, 400, "name"),
])
def test_create_refused(crm, marketer, body, status, field):
    before = crm.snapshot(FORM_TABLES)
    r = marketer.post("/api/v1/forms", json=body)
    assert_error(r, status, field=field)
    unchanged(crm, before)


def test_custom_field_mapping(crm, marketer):
    r = crm.admin.post("/api/v1/custom-fields", json={
        "object": "contact", "name": uniq("ngan_sach_").replace(".", "_"),
        "label": "Ngân sách", "type": "money"})
    assert r.status_code == 201, r.text
    name = r.json()["name"]
    fields = FIELDS[:3] + [{"name": "ngan_sach", "type": "text",
                            "maps_to": "custom." + name}]
    f = make_form(crm, marketer, fields=fields)
    bad = FIELDS[:3] + [{"name": "ngan_sach", "type": "checkbox",
                         "maps_to": "custom." + name}]
    assert_error(make_form(crm, marketer, 422, fields=bad), 422,
                 field="fields[3].maps_to")
    email = uniq_email()
    r = post_form(crm.srv.client(), f["key"], js={
        "ten": "Lan", "email": email, "ngan_sach": "25000000"})
    assert r.status_code == 200, r.text
    assert the_contact(crm, email=email)["custom"] == {name: 25000000}
    r = post_form(crm.srv.client(), f["key"], js={
        "ten": "Lan", "email": uniq_email(), "ngan_sach": "nhiều"})
    assert r.status_code == 422
    assert r.json()["errors"] == [{"field": "ngan_sach", "code": "invalid",
                                   "message": "must be a whole amount"}]


def test_patch_archive_and_delete(crm, marketer, anon):
    f = make_form(crm, marketer)
    g = crm.patch("forms", f["id"], marketer, name="Tên mới",
                  fields=FIELDS[:3], thank_you_message="Cảm ơn!",
                  locale="en")
    assert (g["name"], len(g["fields"]), g["thank_you_message"],
            g["locale"], g["key"]) == ("Tên mới", 3, "Cảm ơn!", "en",
                                       f["key"])
    mark = crm.audit_mark()
    crm.patch("forms", f["id"], marketer, honeypot_field="website_hp")
    rows = [r for r in crm.audit_since(mark) if r["object"] == "form"]
    assert [(r["action"], r["old_values"], r["new_values"]) for r in rows] \
        == [("update", {"honeypot_field": "fax_number"},
             {"honeypot_field": "website_hp"})]
    # the honeypot may not take a field's name
    r = marketer.patch("/api/v1/forms/%d" % f["id"],
                       json={"honeypot_field": "email"})
    assert_error(r, 422, field="honeypot_field")
    # no submissions: deleted for good
    r = marketer.delete("/api/v1/forms/%d" % f["id"])
    assert r.status_code == 204, r.text
    assert_error(marketer.get("/api/v1/forms/%d" % f["id"]), 404)
    assert_error(post_form(anon, f["key"], js={"email": "a@b.vn"}), 404)
    # with a submission: archived instead, and submissions answer 410
    f = make_form(crm, marketer)
    assert post_form(anon, f["key"], js={
        "ten": "An", "email": uniq_email()}).status_code == 200
    r = marketer.delete("/api/v1/forms/%d" % f["id"])
    assert r.status_code == 200, r.text
    assert (r.json()["archived"], r.json()["submissions"]) == (True, 1)
    ids = [x["id"] for x in crm.all(marketer, "/api/v1/forms")]
    assert f["id"] not in ids
    ids = [x["id"] for x in crm.all(marketer, "/api/v1/forms",
                                    archived="true")]
    assert f["id"] in ids
    before = crm.snapshot(FORM_TABLES)
    r = post_form(anon, f["key"], js={"ten": "An", "email": uniq_email()})
    assert r.status_code == 410
    assert error_of(r)["code"] == "gone"
    r = post_form(anon, f["key"], data={"ten": "An",
                                        "email": uniq_email()})
    assert r.status_code == 410
    assert r.headers["Content-Type"].startswith("text/html")
    assert "không còn nhận thông tin" in r.text
    unchanged(crm, before)
    # restored, it takes submissions again
    crm.patch("forms", f["id"], marketer, archived=False)
    assert post_form(anon, f["key"], js={
        "ten": "An", "email": uniq_email()}).status_code == 200
    assert_error(marketer.get("/api/v1/forms", params={"archived": "yes"}),
                 400, field="archived")


def test_campaign_of_a_form_is_not_deleted(crm, marketer):
    camp = crm.campaign(marketer)
    make_form(crm, marketer, campaign_id=camp["id"])
    r = marketer.delete("/api/v1/campaigns/%d" % camp["id"])
    e = assert_error(r, 409)
    assert "forms" in e["message"]


# ---- the snippet ----

def test_embed_snippet(crm, marketer):
    fields = FIELDS + [
        {"name": "goi", "label": "Gói <Pro>", "type": "select",
         "options": ["Cơ bản", "\"Nâng cao\""]},
        {"name": "nguon", "type": "hidden", "value": "hội chợ"}]
    f = make_form(crm, marketer, fields=fields,
                  consent_text="Tôi đồng ý <nhận> email", submit_label="Gửi")
    r = marketer.get("/api/v1/forms/%d/embed" % f["id"])
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"action_url", "html"}
    assert body["action_url"] == "%s/f/%s" % (crm.srv.url, f["key"])
    html = body["html"]
    assert html.startswith('<form class="pheu-form" method="post" action="%s"'
                           % body["action_url"])
    for s in ('name="ten"', 'required', 'type="email" name="email"',
              'type="tel" name="sdt"', '<textarea rows="4" name="nhu_cau"',
              'Gói &lt;Pro&gt;', '<option value="&quot;Nâng cao&quot;">',
              '<input type="hidden" name="nguon" value="hội chợ">',
              'Tôi đồng ý &lt;nhận&gt; email',
              'name="fax_number"', 'tabindex="-1" autocomplete="off"',
              'name="utm_campaign"', 'name="visitor_id"', 'name="page_url"',
              '<button type="submit">Gửi</button>', '_pheu_vid',
              'window.pheu'):
        assert s in html, s
    assert "<Pro>" not in html and "<nhận>" not in html
    assert html.count("<script>") == 1
    assert_error(marketer.get("/api/v1/forms/999999/embed"), 404)


# ---- submissions ----

def test_urlencoded_submission_creates_a_lead(crm, marketer, anon):
    camp = crm.campaign(marketer, channel="paid_search")
    f = make_form(crm, marketer, campaign_id=camp["id"],
                  consent_text="Tôi đồng ý nhận email tiếp thị")
    email = uniq_email()
    page = "https://shop.vn/dang-ky?utm_source=google&utm_medium=cpc"
    r = post_form(anon, f["key"], data={
        "ten": " Bình ", "ho": "Trần", "email": email.upper(),
        "sdt": "0912 777 001", "nhu_cau": "Dùng thử\r\nbản Pro",
        "consent": "yes", "utm_source": "google", "utm_medium": "cpc",
        "page_url": page, "page_referrer": "https://www.google.com/",
        "submit": "Gửi"}, headers={"User-Agent": "Mozilla/5.0 test"})
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "Cảm ơn bạn" in r.text
    c = the_contact(crm, email=email)
    assert set(c) == CONTACT_KEYS
    assert (c["first_name"], c["last_name"], c["phone"],
            c["lifecycle_stage"], c["owner_id"], c["source"],
            c["source_campaign_id"]) == (
        "Bình", "Trần", "+84912777001", "lead", marketer.user["id"],
        "paid_search", camp["id"])
    # the stage history and the timeline say the form did it
    stages = db_rows(crm.db, "SELECT from_stage, to_stage, by_user, reason "
                     "FROM stage_changes WHERE contact_id = ?", (c["id"],))
    assert stages == [{"from_stage": None, "to_stage": "lead",
                       "by_user": None, "reason": "form"}]
    tl = crm.all(crm.admin, "/api/v1/contacts/%d/timeline" % c["id"])
    created = [e for e in tl if e["type"] == "created"]
    assert created[0]["via"] == {"kind": "form", "id": f["id"]}
    assert created[0]["user_id"] is None
    audit = db_rows(crm.db, "SELECT action, user_id, via FROM audit_log "
                    "WHERE object = 'contact' AND object_id = ?", (c["id"],))
    assert audit == [{"action": "create", "user_id": 0,
                      "via": "form:%d" % f["id"]}]
    # the touchpoint
    tps = crm.all(crm.admin, "/api/v1/touchpoints", contact_id=c["id"])
    assert len(tps) == 1
    t = tps[0]
    assert (t["kind"], t["campaign_id"], t["channel"], t["utm_source"],
            t["utm_medium"], t["url"], t["referrer"], t["visitor_id"],
            t["by_user"]) == ("form_submit", camp["id"], "paid_search",
                              "google", "cpc", page,
                              "https://www.google.com/", None, None)
    # the submission keeps every value, the unmapped one too
    subs = crm.all(marketer, "/api/v1/forms/%d/submissions" % f["id"])
    assert len(subs) == 1
    s = subs[0]
    assert (s["contact_id"], s["action"], s["page_url"]) == (
        c["id"], "created", page)
    assert s["data"] == {"ten": "Bình", "ho": "Trần", "email": email.lower(),
                         "sdt": "+84912777001",
                         "nhu_cau": "Dùng thử\nbản Pro"}
    assert s["contact"] == {"first_name": "Bình", "last_name": "Trần",
                            "email": email.lower()}
    # the consent: the exact text, the time, the address
    cons = crm.all(crm.admin, "/api/v1/contacts/%d/consents" % c["id"])
    assert len(cons) == 1
    k = cons[0]
    assert (k["purpose"], k["granted"], k["text"], k["source"],
            k["form_id"], k["submission_id"], k["ip"], k["user_agent"]) == (
        "email_marketing", True, "Tôi đồng ý nhận email tiếp thị", "form",
        f["id"], s["id"], "127.0.0.1", "Mozilla/5.0 test")
    assert k["at"] == s["at"]
    g = crm.get("forms", f["id"])
    assert (g["submissions"], g["last_submission_at"]) == (1, s["at"])


def test_json_submission_and_redirect(crm, marketer, anon):
    f = make_form(crm, marketer, thank_you_message="Hẹn gặp lại!")
    email = uniq_email()
    r = post_form(anon, f["key"], js={"ten": "Chi", "email": email})
    assert r.status_code == 200
    assert r.json() == {"ok": True, "message": "Hẹn gặp lại!",
                        "redirect_url": None}
    assert the_contact(crm, email=email)["first_name"] == "Chi"
    # no consent text: no consent row even when "consent" is sent
    g = make_form(crm, marketer, redirect_url="https://shop.vn/cam-on")
    email = uniq_email()
    r = post_form(anon, g["key"], data={"ten": "Dung", "email": email,
                                        "consent": "yes"})
    assert r.status_code == 303
    assert r.headers["Location"] == "https://shop.vn/cam-on"
    c = the_contact(crm, email=email)
    assert crm.all(crm.admin, "/api/v1/contacts/%d/consents" % c["id"]) == []
    r = post_form(anon, g["key"], js={"ten": "Dung", "email": email})
    assert r.json()["redirect_url"] == "https://shop.vn/cam-on"


def test_field_errors(crm, marketer, anon):
    f = make_form(crm, marketer, fields=FIELDS + [
        {"name": "goi", "type": "select", "options": ["A", "B"]}],
        consent_text="Đồng ý", consent_required=True)
    before = crm.snapshot(FORM_TABLES)
    r = post_form(anon, f["key"], js={"ten": "", "email": "an@", "sdt": "12",
                                      "goi": "C", "consent": "no"})
    assert r.status_code == 422
    body = r.json()
    assert body["error"]["code"] == "rule_violation"
    assert body["error"]["field"] == "ten"
    assert [(e["field"], e["code"]) for e in body["errors"]] == [
        ("ten", "required"), ("email", "invalid_email"),
        ("sdt", "invalid_phone"), ("goi", "invalid_option"),
        ("consent", "required")]
    # neither email nor phone: the email field is required
    r = post_form(anon, f["key"], js={"ten": "An", "consent": True})
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [
        ("email", "required")]
    # a JSON value of the wrong type is a field error, not a 400
    r = post_form(anon, f["key"], js={"ten": 5, "email": "a@b.vn",
                                      "consent": True})
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [
        ("ten", "invalid")]
    # urlencoded: an HTML page listing the fields by their labels
    r = post_form(anon, f["key"], data={"ten": "", "email": "x",
                                        "page_url": "https://shop.vn/a"})
    assert r.status_code == 422
    assert r.headers["Content-Type"].startswith("text/html")
    assert "<strong>Tên</strong>: cần được điền" in r.text
    assert "<strong>Email</strong>: không phải địa chỉ email hợp lệ" in r.text
    assert '<a href="https://shop.vn/a">' in r.text
    # an empty urlencoded post
    r = anon.post("/f/%s" % f["key"], headers={
        "Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 422 and "cần được điền" in r.text
    unchanged(crm, before)


def test_dedupe_by_email_fills_only_empty_properties(crm, marketer, anon):
    f = make_form(crm, marketer)
    email = uniq_email("Dedupe")
    nat, e164 = crm.phone()
    c = crm.contact(marketer, first_name="Hà", email=email,
                    lifecycle_stage="subscriber")
    mark = crm.audit_mark()
    r = post_form(anon, f["key"], data={
        "ten": "Someone Else", "ho": "Lê", "email": email.upper(),
        "sdt": nat, "chuc_danh": "Giám đốc"})
    assert r.status_code == 200
    d = crm.get("contacts", c["id"])
    assert (d["first_name"], d["last_name"], d["phone"], d["title"],
            d["lifecycle_stage"]) == ("Hà", "Lê", e164, "Giám đốc", "lead")
    assert len(contacts_with(crm, email=email)) == 1
    rows = [r for r in crm.audit_since(mark) if r["object"] == "contact"]
    assert len(rows) == 1
    assert (rows[0]["action"], rows[0]["user_id"], rows[0]["via"]) == (
        "update", 0, "form:%d" % f["id"])
    assert rows[0]["new_values"]["last_name"] == "Lê"
    assert "first_name" not in rows[0]["new_values"]
    subs = crm.all(marketer, "/api/v1/forms/%d/submissions" % f["id"])
    assert [(s["contact_id"], s["action"]) for s in subs] == [
        (c["id"], "updated")]
    # the submission keeps what was typed, the contact what it had
    assert subs[0]["data"]["ten"] == "Someone Else"


def test_dedupe_by_phone(crm, marketer, anon):
    f = make_form(crm, marketer)
    nat, e164 = crm.phone()
    c = crm.contact(marketer, first_name="Khoa", phone=nat)
    email = uniq_email()
    spaced = "+84 %s %s %s" % (e164[3:6], e164[6:9], e164[9:])
    r = post_form(anon, f["key"], js={"ten": "Khoa", "email": email,
                                      "sdt": spaced})
    assert r.status_code == 200
    d = crm.get("contacts", c["id"])
    assert (d["email"], d["phone"]) == (email, e164)
    assert len(contacts_with(crm, phone=e164)) == 1


def test_email_match_never_takes_another_contacts_phone(crm, marketer, anon):
    f = make_form(crm, marketer)
    nat, e164 = crm.phone()
    a = crm.contact(marketer, first_name="An", email=uniq_email())
    b = crm.contact(marketer, first_name="Bảo", phone=nat)
    r = post_form(anon, f["key"], js={"ten": "An", "email": a["email"],
                                      "sdt": nat})
    assert r.status_code == 200
    assert crm.get("contacts", a["id"])["phone"] is None
    assert crm.get("contacts", b["id"])["email"] is None


@pytest.mark.parametrize("before,target,after", [
    (None, "lead", "lead"),
    ("subscriber", "lead", "lead"),
    ("lead", "lead", "lead"),
    ("marketing_qualified_lead", "lead", "marketing_qualified_lead"),
    ("customer", "lead", "customer"),
    ("other", "lead", "other"),
    ("lead", "marketing_qualified_lead", "marketing_qualified_lead"),
    ("lead", None, "lead"),
])
def test_stage_moves_only_forward(crm, marketer, anon, before, target,
                                  after):
    f = make_form(crm, marketer, target_stage=target)
    fields = {"first_name": "Giang", "email": uniq_email()}
    if before:
        fields["lifecycle_stage"] = before
    c = crm.contact(marketer, **fields)
    n = db_value(crm.db, "SELECT COUNT(*) FROM stage_changes WHERE "
                 "contact_id = ?", (c["id"],))
    r = post_form(anon, f["key"], js={"ten": "Giang", "email": c["email"]})
    assert r.status_code == 200
    assert crm.get("contacts", c["id"])["lifecycle_stage"] == after
    rows = db_rows(crm.db, "SELECT from_stage, to_stage, reason FROM "
                   "stage_changes WHERE contact_id = ? ORDER BY id",
                   (c["id"],))
    if after != before:
        assert rows[n:] == [{"from_stage": before, "to_stage": after,
                             "reason": "form"}]
    else:
        assert len(rows) == n


def test_new_contact_owner(crm, marketer, rep, anon):
    # a marketer assigns only users they can see (their team's)
    r = make_form(crm, marketer, 422, contact_owner_id=rep.user["id"])
    assert_error(r, 422, field="contact_owner_id")
    f = make_form(crm, crm.admin, contact_owner_id=rep.user["id"])
    email = uniq_email()
    assert post_form(anon, f["key"], js={"ten": "Hoa",
                                         "email": email}).status_code == 200
    c = the_contact(crm, email=email)
    assert c["owner_id"] == rep.user["id"]
    # the rep sees the submission of their contact, not the others'
    g = make_form(crm, marketer)
    assert post_form(anon, g["key"], js={"ten": "Ý", "email": uniq_email()}
                     ).status_code == 200
    assert len(crm.all(rep, "/api/v1/forms/%d/submissions" % f["id"])) == 1
    assert crm.all(rep, "/api/v1/forms/%d/submissions" % g["id"]) == []
    assert len(crm.all(marketer, "/api/v1/forms/%d/submissions"
                       % g["id"])) == 1
    other = the_contact(crm, email=crm.all(
        marketer, "/api/v1/forms/%d/submissions" % g["id"])[0]["contact"][
            "email"])
    assert_error(rep.get("/api/v1/contacts/%d/consents" % other["id"]), 404)


def test_visitor_touches_join_the_contact(crm, marketer, anon):
    fb = crm.campaign(marketer, channel="social",
                      utm_campaign=uniq("fb-tet-"))
    ads = crm.campaign(marketer, channel="paid_search")
    f = make_form(crm, marketer, campaign_id=ads["id"])
    vid = VID % next_n()
    other = VID % next_n()
    for at, url in (("2026-03-01T08:00:00Z", "https://shop.vn/?a"),
                    ("2026-03-02T08:00:00Z", "https://shop.vn/gia")):
        r = marketer.post("/api/v1/touchpoints", json={
            "visitor_id": vid, "kind": "page_view", "url": url, "at": at,
            "utm_source": "facebook", "utm_medium": "paid_social",
            "utm_campaign": fb["utm_campaign"].upper()})
        assert r.status_code == 201, r.text
    r = marketer.post("/api/v1/touchpoints", json={
        "visitor_id": other, "kind": "page_view", "at": "2026-03-01T07:00:00Z"})
    assert r.status_code == 201
    email = uniq_email()
    r = post_form(anon, f["key"], data={"ten": "Minh", "email": email,
                                        "visitor_id": vid,
                                        "page_url": "https://shop.vn/gia"})
    assert r.status_code == 200
    c = the_contact(crm, email=email)
    tps = crm.all(crm.admin, "/api/v1/touchpoints", contact_id=c["id"])
    assert [(t["kind"], t["visitor_id"], t["campaign_id"]) for t in tps] == [
        ("form_submit", vid, ads["id"]),
        ("page_view", vid, fb["id"]),
        ("page_view", vid, fb["id"])]
    # the original source and campaign follow the first touch, not the form
    assert (c["source"], c["source_campaign_id"]) == ("social", fb["id"])
    # the other visitor's touch stays anonymous
    left = crm.all(crm.admin, "/api/v1/touchpoints", visitor_id=other)
    assert [t["contact_id"] for t in left] == [None]
    # a visitor id the tracking would not make is ignored, not refused
    r = post_form(anon, f["key"], js={"ten": "Ngọc", "email": uniq_email(),
                                      "visitor_id": "x"})
    assert r.status_code == 200


_n = iter(range(1, 10 ** 6))


def next_n():
    return next(_n)


def test_honeypot_answers_success_and_writes_nothing(crm, marketer, anon):
    f = make_form(crm, marketer, redirect_url="https://shop.vn/ok")
    before = crm.snapshot(FORM_TABLES)
    r = post_form(anon, f["key"], js={"ten": "Bot", "email": uniq_email(),
                                      "fax_number": "http://spam.example"})
    assert (r.status_code, r.json()) == (200, {
        "ok": True, "message": "Cảm ơn bạn! Chúng tôi đã nhận được thông "
        "tin của bạn.", "redirect_url": "https://shop.vn/ok"})
    r = post_form(anon, f["key"], data={"ten": "", "email": "not valid",
                                        "fax_number": "x"})
    assert (r.status_code, r.headers["Location"]) == (303,
                                                       "https://shop.vn/ok")
    unchanged(crm, before)


def test_merge_and_delete_take_submissions_and_consents(crm, marketer, anon):
    f = make_form(crm, marketer, consent_text="Đồng ý")
    e1, e2 = uniq_email(), uniq_email()
    for e in (e1, e2):
        assert post_form(anon, f["key"], js={"ten": "T", "email": e,
                                             "consent": True}
                         ).status_code == 200
    a, b = the_contact(crm, email=e1), the_contact(crm, email=e2)
    r = crm.admin.post("/api/v1/contacts/%d/merge" % a["id"],
                       json={"merge_id": b["id"]})
    assert r.status_code == 200, r.text
    subs = crm.all(marketer, "/api/v1/forms/%d/submissions" % f["id"])
    assert {s["contact_id"] for s in subs} == {a["id"]}
    assert len(crm.all(crm.admin, "/api/v1/contacts/%d/consents"
                       % a["id"])) == 2
    r = crm.admin.delete("/api/v1/contacts/%d" % a["id"])
    assert r.status_code == 204, r.text
    assert crm.all(marketer, "/api/v1/forms/%d/submissions" % f["id"]) == []
    assert db_value(crm.db, "SELECT COUNT(*) FROM consents WHERE "
                    "contact_id = ?", (a["id"],)) == 0


# ---- malformed requests ----

def test_malformed_bodies(crm, marketer):
    f = make_form(crm, marketer)
    port = crm.srv.port
    before = crm.snapshot(FORM_TABLES)
    url = crm.srv.url + "/f/" + f["key"]
    cases = [
        (b"[1,2]", "application/json", 400),
        (b'{"ten":', "application/json", 400),
        (b'{"ten":"a","ten":"b"}', "application/json", 400),
        (b"ten=a", "text/plain", 415),
        (b"ten=a", "multipart/form-data; boundary=x", 415),
        (b"ten=a&ten=b&email=a%40b.vn", "application/x-www-form-urlencoded",
         400),
        (b"ten=a%00b&email=a%40b.vn", "application/x-www-form-urlencoded",
         400),
        (b"ten=%FF&email=a%40b.vn", "application/x-www-form-urlencoded", 400),
        (b"=x&email=a%40b.vn", "application/x-www-form-urlencoded", 400),
        (b"email=a%40b.vn&" + b"x=" + b"a" * (64 * 1024),
         "application/x-www-form-urlencoded", 413),
    ]
    for body, ctype, status in cases:
        r = requests.post(url, data=body, headers={"Content-Type": ctype},
                          allow_redirects=False, timeout=30)
        assert r.status_code == status, (body[:40], ctype, r.status_code,
                                         r.text)
        error_of(r)
    anon = crm.srv.client()
    assert_error(post_form(anon, "A" * 22, js={"email": "a@b.vn"}), 404)
    assert_error(post_form(anon, "A" * 300, js={"email": "a@b.vn"}), 404)
    assert_error(anon.delete("/f/%s" % f["key"]), 405)
    assert_error(anon.post("/f/%s?x=1" % f["key"], json={}), 400)
    unchanged(crm, before)
    assert port == crm.srv.port


def test_cors_for_tracked_sites(crm, marketer):
    f = make_form(crm, marketer)
    site = "http://127.0.0.1:%d" % crm.srv.port
    r = crm.admin.patch("/api/v1/settings", json={
        "tracking_origins": ["https://shop.vn", "HTTPS://Blog.Shop.vn:443"]})
    assert r.status_code == 200, r.text
    anon = crm.srv.client()
    r = anon.options("/f/%s" % f["key"], headers={
        "Origin": "https://blog.shop.vn",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert r.status_code == 204
    assert r.headers["Access-Control-Allow-Origin"] == "https://blog.shop.vn"
    assert r.headers["Access-Control-Allow-Methods"] == "POST"
    assert r.headers["Access-Control-Allow-Headers"] == "Content-Type"
    assert "Origin" in r.headers["Vary"]
    r = post_form(anon, f["key"], js={"ten": "A", "email": uniq_email()},
                  headers={"Origin": "https://shop.vn"})
    assert r.status_code == 200
    assert r.headers["Access-Control-Allow-Origin"] == "https://shop.vn"
    for origin in ("https://evil.vn", "https://shop.vn.evil.vn", site,
                   "null"):
        r = anon.options("/f/%s" % f["key"], headers={"Origin": origin})
        assert "Access-Control-Allow-Origin" not in r.headers, origin
        r = post_form(anon, f["key"], js={"ten": "A",
                                          "email": uniq_email()},
                      headers={"Origin": origin})
        # a server-to-server post has no Origin rule: it is stored, the
        # browser just cannot read the answer
        assert r.status_code == 200
        assert "Access-Control-Allow-Origin" not in r.headers, origin


# ---- the rate limit ----

def test_rate_limit_answers_success_and_writes_nothing(crm_db,
                                                        tmp_path_factory):
    d = tmp_path_factory.mktemp("forms-rate")
    srv = Server(copy_db(crm_db, d / "pheu.db"), d,
                 args=["--form-rate", "1", "--form-burst", "3"]).start()
    try:
        c = Crm(srv)
        f = make_form(c, redirect_url="https://shop.vn/ok")
        anon = srv.client()
        sent = 20
        t0 = time.monotonic()
        answers = set()
        for i in range(sent):
            r = post_form(anon, f["key"], js={"ten": "R%d" % i,
                                              "email": uniq_email("rate")})
            answers.add((r.status_code, r.text))
        elapsed = time.monotonic() - t0
        assert len(answers) == 1, answers       # all alike
        assert answers.pop()[0] == 200
        made = db_value(srv.db, "SELECT COUNT(*) FROM form_submissions")
        # the burst of 3, then one a second at most
        assert 3 <= made <= 3 + int(elapsed) + 1, (made, elapsed)
        assert made < sent
        assert db_value(srv.db, "SELECT COUNT(*) FROM contacts") == made
        c.close()
    finally:
        assert srv.stop() == 0, srv.stderr()
    cli = __import__("conftest").cli
    # a given 0 is refused like -1, not taken for the default
    for bad in ("--form-rate=-1", "--form-rate=0", "--form-burst=0",
                "--track-rate=0", "--track-burst=0", "--track-batch-ms=0"):
        p = cli("serve", bad, db=d / "pheu.db")
        assert p.returncode == 2, (bad, p.returncode, p.stderr)
        assert bad.split("=")[0] in p.stderr, (bad, p.stderr)


# ---- the hosted page ----

def test_hosted_page_allows_exactly_its_script(crm, marketer, anon):
    """GET /f/{key} is a page of its own holding the snippet; its CSP
    allows no script but the snippet's, by the hash of its text."""
    import base64
    import hashlib
    f = make_form(crm, marketer, name="Đăng ký <hội thảo> & demo",
                  consent_text="Tôi đồng ý")
    r = anon.get("/f/%s?utm_source=zalo&utm_campaign=chia-se&fbclid=x1"
                 % f["key"])
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == "text/html; charset=utf-8"
    html = r.text
    assert html.startswith("<!doctype html>")
    assert "<title>Đăng ký &lt;hội thảo&gt; &amp; demo</title>" in html
    assert 'action="/f/%s"' % f["key"] in html
    snippet = marketer.get("/api/v1/forms/%d/embed" % f["id"]).json()["html"]
    assert snippet.split('action="', 1)[1].split('"', 1)[1] in html
    scripts = re.findall(r"<script>(.*?)</script>", html, re.S)
    assert len(scripts) == 1 and "<script src" not in html
    digest = base64.b64encode(hashlib.sha256(
        scripts[0].encode()).digest()).decode()
    csp = r.headers["Content-Security-Policy"]
    assert csp == ("default-src 'none'; script-src 'sha256-%s'; style-src "
                   "'unsafe-inline'; img-src 'self' data:; base-uri 'none'; "
                   "frame-ancestors 'none'" % digest)
    assert r.headers["X-Frame-Options"] == "DENY"
    # an unknown key, opened in a browser: a page that says so, in HTML
    for key in ("A" * 22, "A" * 300):
        r = anon.get("/f/%s" % key)
        assert r.status_code == 404
        assert r.headers["Content-Type"].startswith("text/html")
        assert "Không tìm thấy biểu mẫu" in r.text and "<form" not in r.text
        assert "Form not found" in r.text and "<script" not in r.text
    # archived: the page says so, with 410
    r = marketer.patch("/api/v1/forms/%d" % f["id"], json={"archived": True})
    assert r.status_code == 200, r.text
    r = anon.get("/f/%s" % f["key"])
    assert r.status_code == 410 and "<form" not in r.text
    assert "default-src 'self'" in r.headers["Content-Security-Policy"]


def consent_ip(crm, email):
    (c,) = contacts_with(crm, email=email)
    (k,) = crm.all(crm.admin, "/api/v1/contacts/%d/consents" % c["id"])
    return k["ip"]


def test_forwarded_for_only_through_trusted_proxies(crm, crm_db,
                                                    tmp_path_factory):
    """Behind a proxy listed in --trusted-proxies the client is the
    rightmost X-Forwarded-For address that is not a listed proxy: the
    consent keeps it and the rate limit counts it, per client. Without
    the option the header is a client's claim and is ignored."""
    body = {"ten": "Lan", "consent": "1"}
    f = make_form(crm, consent_text="Tôi đồng ý")
    e = uniq_email("xff")
    r = post_form(crm.srv.client(), f["key"], js=dict(body, email=e),
                  headers={"X-Forwarded-For": "203.0.113.7"})
    assert r.status_code == 200, r.text
    assert consent_ip(crm, e) == "127.0.0.1"
    d = tmp_path_factory.mktemp("forms-proxy")
    srv = Server(copy_db(crm_db, d / "pheu.db"), d, args=[
        "--form-rate", "1", "--form-burst", "2",
        "--trusted-proxies", "127.0.0.1, 10.0.0.0/8"]).start()
    try:
        c = Crm(srv)
        f = make_form(c, consent_text="Tôi đồng ý")
        anon = srv.client()

        def send(xff):
            e = uniq_email("xff")
            r = post_form(anon, f["key"], js=dict(body, email=e),
                          headers={"X-Forwarded-For": xff})
            assert r.status_code == 200, r.text
            return e, len(contacts_with(c, email=e))
        # a spoofed left entry, the client, then the proxy's own hop
        e1, n1 = send("6.6.6.6, 203.0.113.7, 10.1.2.3")
        assert n1 == 1 and consent_ip(c, e1) == "203.0.113.7"
        assert send("203.0.113.7")[1] == 1          # its burst of 2
        assert send("203.0.113.7")[1] == 0          # over: dropped
        e4, n4 = send("198.51.100.9")               # another client
        assert n4 == 1 and consent_ip(c, e4) == "198.51.100.9"
        c.close()
    finally:
        assert srv.stop() == 0, srv.stderr()
    p = __import__("conftest").cli("serve", "--trusted-proxies=10.0.0.0/40",
                                   db=d / "pheu.db")
    assert p.returncode == 2 and "--trusted-proxies" in p.stderr, p.stderr


# ---- no partial write ----

def test_failing_submission_writes_nothing(crm_db, tmp_path_factory):
    """Fault injection: every database step of a submission that fails
    leaves every table as it was (crm_fault_sweep), for a submission that
    updates a contact, joins a visitor's touch and records consent."""
    d = tmp_path_factory.mktemp("forms-fault")
    base = copy_db(crm_db, d / "base.db")
    srv = Server(base, d).start()
    try:
        c = Crm(srv)
        camp = c.campaign(utm_campaign="fault-camp")
        f = make_form(c, campaign_id=camp["id"], consent_text="Đồng ý",
                      target_stage="marketing_qualified_lead")
        c.contact(first_name="Lỗi", email="fault@test.pheu.vn",
                  lifecycle_stage="lead")
        r = c.admin.post("/api/v1/touchpoints", json={
            "visitor_id": VID % 999, "kind": "page_view",
            "utm_campaign": "fault-camp", "at": "2026-01-05T00:00:00Z"})
        assert r.status_code == 201
        c.close()
    finally:
        assert srv.stop() == 0
    body = {"ten": "Lỗi", "ho": "Thử", "email": "fault@test.pheu.vn",
            "sdt": "0912000999", "consent": True, "visitor_id": VID % 999}

    def send(s):
        return s.client().post("/f/%s" % f["key"], json=body)

    failed = crm_fault_sweep(base, d, send, 200, stride=3)
    assert failed > 0
