"""Contacts over /api/v1/contacts (SPEC §2, §3, §12, App. A, App. C):
the record's shape, identity rules (email unique case-insensitively,
phone in E.164 with Vietnam as the default region, 409 with the existing
id), fields a caller may not set, bad input, lifecycle stage history, the
company roll-up, deletion, and one audit row per write."""

import time
import unicodedata

import pytest

from conftest import (CONTACT_KEYS, ENGINE, ISO_UTC, assert_error, db_rows,
                      db_value, uniq, uniq_email)


@pytest.fixture(scope="module")
def rep(crm):
    team = crm.team()
    return crm.user("sales_rep", team)


@pytest.fixture(scope="module")
def crm_other_rep(crm):
    return crm.user("sales_rep", crm.team())


def iso_ms(s):
    """Milliseconds of an API time ("2026-03-01T08:30:00.123Z")."""
    import datetime
    d = datetime.datetime.strptime(s[:19], "%Y-%m-%dT%H:%M:%S").replace(
        tzinfo=datetime.timezone.utc)
    ms = int(s[20:23].ljust(3, "0")) if len(s) > 20 else 0
    return int(d.timestamp()) * 1000 + ms


def stage_rows(crm, cid):
    return [(r["from_stage"], r["to_stage"], r["by_user"], r["reason"])
            for r in db_rows(crm.db, "SELECT * FROM stage_changes WHERE "
                             "contact_id = ? ORDER BY id", (cid,))]


# ---- create and read ----

def test_create_answers_the_record_and_get_reads_it(crm, rep):
    t0 = int(time.time() * 1000)
    nat, e164 = crm.phone()
    camp = crm.campaign()   # source_campaign_id must name a campaign
    c = crm.contact(rep, first_name="Văn An", last_name="Nguyễn",
                    email="An.Nguyen@Example.VN", phone=nat, title="Giám đốc",
                    city="Hà Nội", country="VN", lead_status="new",
                    source="referral", source_campaign_id=camp["id"])
    assert set(c) == CONTACT_KEYS
    assert c["first_name"] == "Văn An" and c["last_name"] == "Nguyễn"
    assert c["email"] == "an.nguyen@example.vn"
    assert c["phone"] == e164
    assert c["owner_id"] == rep.user["id"]          # the creator
    assert (c["company_id"], c["lifecycle_stage"]) == (None, None)
    assert (c["lead_status"], c["source"], c["source_campaign_id"]) == (
        "new", "referral", camp["id"])
    assert (c["score"], c["score_fit"], c["score_engagement"]) == (0, 0, 0)
    assert c["custom"] == {}
    assert ISO_UTC.match(c["created_at"]) and ISO_UTC.match(c["updated_at"])
    assert t0 - 2000 <= iso_ms(c["created_at"]) <= time.time() * 1000 + 2000
    assert crm.get("contacts", c["id"], rep) == c
    # App. C: no stage, no stage_changes row.
    assert stage_rows(crm, c["id"]) == []


def test_text_is_stored_nfc_and_trimmed(crm, rep):
    nfd = unicodedata.normalize("NFD", "Nguyễn Thị Ánh")
    assert nfd != unicodedata.normalize("NFC", nfd)
    c = crm.contact(rep, first_name="  " + nfd + " ", last_name=" ")
    assert c["first_name"] == "Nguyễn Thị Ánh"
    assert c["last_name"] is None                   # blank is no value
    raw = db_value(crm.db, "SELECT first_name FROM contacts WHERE id = ?",
                   (c["id"],))
    assert raw == "Nguyễn Thị Ánh"


def test_a_contact_needs_a_name_an_email_or_a_phone(crm, rep):
    before = crm.snapshot()
    for body in ({}, {"title": "Kế toán"}, {"first_name": " "}):
        crm.refused(rep.post("/api/v1/contacts", json=body), 422, "email",
                    "rule_violation", before)
    for body in ({"first_name": "A"}, {"last_name": "B"},
                 {"email": uniq_email()}, {"phone": crm.phone()[0]}):
        crm.contact(rep, **body)
    # Clearing the only one left is refused too.
    c = crm.contact(rep, email=uniq_email())
    before = crm.snapshot()
    crm.refused(rep.patch("/api/v1/contacts/%d" % c["id"],
                          json={"email": None}), 422, "email", before=before)


# ---- identity ----

MOBILE_FORMS = ["0912 345 678", "+84 912-345-678", "84912345678",
                "0912.345.678", "(+84) 912 345 678", "+84 (0) 912 345 678",
                "0084 912 345 678", "84 0912345678"]


def test_vietnamese_mobile_forms_are_one_number(crm, rep):
    """Each form is stored as +84912345678; once one exists, every form
    is a 409 naming it."""
    for written in MOBILE_FORMS:
        c = crm.contact(rep, first_name="Số", phone=written)
        assert c["phone"] == "+84912345678", written
        assert rep.delete("/api/v1/contacts/%d" % c["id"]).status_code == 204
    first = crm.contact(rep, first_name="Số", phone=MOBILE_FORMS[0])
    before = crm.snapshot()
    for written in MOBILE_FORMS:
        e = crm.refused(rep.post("/api/v1/contacts", json={
            "first_name": "Trùng", "phone": written}), 409, "phone",
            "conflict", before)
        assert e["existing_id"] == first["id"], written


@pytest.mark.parametrize("written, e164", [
    ("024 3825 1234", "+842438251234"),
    ("(028) 3829 5555", "+842838295555"),
    ("+84 24 3825 1235", "+842438251235"),
    ("0398 765 432", "+84398765432"),
    ("+1 415 555 0100", "+14155550100"),
    ("0044 20 7946 0958", "+442079460958"),
])
def test_phone_normalisation(crm, rep, written, e164):
    c = crm.contact(rep, first_name="Máy bàn", phone=written)
    assert c["phone"] == e164
    assert db_value(crm.db, "SELECT phone_key FROM contacts WHERE id = ?",
                    (c["id"],)) == e164


def test_unparseable_phone_kept_as_given_and_not_a_key(crm, rep):
    """Text with enough digits that is not a number (an extension) is
    kept as written, without a dedupe key; too few digits is 422."""
    a = crm.contact(rep, first_name="Ext", phone="0912 000 111 ext 12")
    b = crm.contact(rep, first_name="Ext", phone="0912 000 111 ext 12")
    assert a["phone"] == b["phone"] == "0912 000 111 ext 12"
    before = crm.snapshot()
    for bad in ("12", "abc", "+84"):
        crm.refused(rep.post("/api/v1/contacts", json={
            "first_name": "X", "phone": bad}), 422, "phone", before=before)


def test_email_is_unique_case_insensitively(crm, rep, crm_other_rep):
    email = uniq_email("Trung.Lap")
    c = crm.contact(rep, email=email.upper())
    assert c["email"] == email.lower()
    before = crm.snapshot()
    for who in (rep, crm_other_rep, crm.admin):
        e = crm.refused(who.post("/api/v1/contacts", json={
            "email": email.lower(), "first_name": "B"}), 409, "email",
            "conflict", before)
        # The existing id is given even to a caller who cannot see it
        # (SPEC §2: 409 with the existing id).
        assert e["existing_id"] == c["id"]


def test_patch_to_another_contacts_identity_is_409(crm, rep):
    nat, e164 = crm.phone()
    a = crm.contact(rep, email=uniq_email(), phone=nat)
    b = crm.contact(rep, email=uniq_email())
    before = crm.snapshot()
    e = crm.refused(rep.patch("/api/v1/contacts/%d" % b["id"], json={
        "email": a["email"].upper()}), 409, "email", before=before)
    assert e["existing_id"] == a["id"]
    e = crm.refused(rep.patch("/api/v1/contacts/%d" % b["id"], json={
        "phone": "+84 " + nat[1:]}), 409, "phone", before=before)
    assert e["existing_id"] == a["id"]
    # A contact's own values, rewritten, are no conflict.
    got = crm.patch("contacts", a["id"], rep, email=a["email"].upper(),
                    phone=e164)
    assert (got["email"], got["phone"]) == (a["email"], e164)


def test_freed_identity_can_be_reused(crm, rep):
    nat, e164 = crm.phone()
    email = uniq_email()
    a = crm.contact(rep, email=email, phone=nat)
    crm.patch("contacts", a["id"], rep, email=uniq_email(), phone=None)
    b = crm.contact(rep, email=email, phone=nat)
    assert (b["email"], b["phone"]) == (email, e164)
    assert rep.delete("/api/v1/contacts/%d" % b["id"]).status_code == 204
    c = crm.contact(rep, email=email.upper(), phone=e164)
    assert (c["email"], c["phone"]) == (email, e164)


def test_ids_of_deleted_records_are_never_reused(crm, rep):
    for plural, body in (("contacts", {"first_name": "Một lần"}),
                         ("companies", {"name": "Một lần"}),
                         ("deals", {"name": "Một lần"}),
                         ("activities", {"kind": "note"})):
        a = crm.create(plural, rep, **body)
        assert rep.delete("/api/v1/%s/%d" % (plural, a["id"])
                          ).status_code == 204
        b = crm.create(plural, rep, **body)
        assert b["id"] > a["id"], plural


def long_email(local, total):
    """An otherwise valid address of total characters."""
    left = total - local - 1 - 3
    labels = []
    while left > 0:
        n = min(60, left)
        labels.append("d" * n)
        left -= n + 1
    e = "l" * local + "@" + ".".join(labels)[:total - local - 4] + ".vn"
    assert len(e) == total and ".." not in e and "@." not in e, e
    return e


@pytest.mark.parametrize("email", [
    "không-có-a-còng", "@example.vn", "a@", "a b@example.vn",
    "a@exa mple.vn", "a\u200b@example.vn", "a@example\u200b.vn",
    "a..b@example.vn", ".a@example.vn", "a.@example.vn", "a@example",
    "a@example..vn", "a<b>@example.vn", "a\t@example.vn",
    "x" * 65 + "@example.vn", "nguyễn@example.vn", "a@@example.vn",
    long_email(64, 255), long_email(10, 300)], ids=[
    "no-at", "no-local", "no-domain", "space-local", "space-domain",
    "zero-width-local", "zero-width-domain", "double-dot-local",
    "leading-dot", "trailing-dot-local", "no-dot", "double-dot-domain",
    "angle-brackets", "tab", "local-65", "non-ascii-local", "two-ats",
    "whole-255", "whole-300"])
def test_invalid_email_is_422(crm, rep, email):
    before = crm.snapshot()
    crm.refused(rep.post("/api/v1/contacts", json={"email": email}), 422,
                "email", "rule_violation", before)


@pytest.mark.parametrize("email", [
    long_email(64, 100), long_email(20, 254), "a.b-c+d_e@x.pheu.vn",
    "an@xn--phu-5na.vn", "an@phễu.vn"], ids=[
    "local-64", "whole-254", "punctuation", "punycode", "idn-domain"])
def test_good_email_edges_are_accepted(crm, rep, email):
    c = crm.contact(rep, email=email)
    assert c["email"] == email.lower()
    assert rep.delete("/api/v1/contacts/%d" % c["id"]).status_code == 204


# ---- what a caller may not set, and bad input ----

@pytest.mark.parametrize("field, value", [
    ("id", 5), ("score", 10), ("score_fit", 1), ("score_engagement", 1),
    ("updated_at", "2026-01-01T00:00:00Z")])
def test_read_only_fields_are_422(crm, rep, field, value):
    c = crm.contact(rep, first_name="Chỉ đọc")
    before = crm.snapshot()
    for who in (rep, crm.admin):
        crm.refused(who.post("/api/v1/contacts", json={
            "first_name": "X", field: value}), 422, field, "rule_violation",
            before)
        crm.refused(who.patch("/api/v1/contacts/%d" % c["id"], json={
            field: value}), 422, field, "rule_violation", before)


@pytest.mark.parametrize("body, field", [
    ({"created_at": "2025-01-01T00:00:00Z"}, "created_at"),
    ({"lifecycle_stage": "lead",
      "stage_changed_at": "2025-01-01T00:00:00Z"}, "stage_changed_at"),
])
def test_admin_only_fields_are_422_for_others(crm, rep, body, field):
    c = crm.contact(rep, first_name="Quá khứ")
    before = crm.snapshot()
    crm.refused(rep.post("/api/v1/contacts", json=dict(
        body, first_name="X")), 422, field, "rule_violation", before)
    crm.refused(rep.patch("/api/v1/contacts/%d" % c["id"], json=body), 422,
                field, "rule_violation", before)


def test_admin_backdates_creation_and_stage_change(crm, rep):
    c = crm.contact(crm.admin, first_name="Di cư", owner_id=rep.user["id"],
                    created_at="2024-05-06T07:08:09Z",
                    lifecycle_stage="lead",
                    stage_changed_at="2024-05-07T00:00:00+07:00")
    assert c["created_at"] == "2024-05-06T07:08:09Z"
    assert "stage_changed_at" not in c              # write-only
    rows = db_rows(crm.db, "SELECT from_stage, to_stage, at, by_user, "
                   "reason FROM stage_changes WHERE contact_id = ?",
                   (c["id"],))
    assert rows == [{"from_stage": None, "to_stage": "lead",
                     "at": iso_ms("2024-05-06T17:00:00Z"),
                     "by_user": crm.admin.user["id"], "reason": "manual"}]
    crm.patch("contacts", c["id"], lifecycle_stage="customer",
              stage_changed_at="2025-01-01T00:00:00Z")
    assert db_value(crm.db, "SELECT at FROM stage_changes WHERE contact_id "
                    "= ? AND to_stage = 'customer'", (c["id"],)) == iso_ms(
                        "2025-01-01T00:00:00Z")


def test_stage_date_rules(crm):
    c = crm.contact(first_name="Ngày")
    before = crm.snapshot()
    future = time.strftime("%Y-%m-%dT%H:%M:%SZ",
                           time.gmtime(time.time() + 86400))
    crm.refused(crm.admin.patch("/api/v1/contacts/%d" % c["id"], json={
        "lifecycle_stage": "lead", "stage_changed_at": future}), 422,
        "stage_changed_at", before=before)
    crm.refused(crm.admin.patch("/api/v1/contacts/%d" % c["id"], json={
        "stage_changed_at": "2025-01-01T00:00:00Z"}), 422,
        "stage_changed_at", before=before)
    crm.refused(crm.admin.post("/api/v1/contacts", json={
        "first_name": "X", "created_at": future}), 422, "created_at",
        before=before)


@pytest.mark.parametrize("body, field", [
    ({"nickname": "Bé"}, "nickname"),
    ({"phone_key": "+84912345678"}, "phone_key"),
    ({"contact_ids": [1]}, "contact_ids"),
    ({"Email": "a@b.vn"}, "Email"),
])
def test_unknown_fields_are_400(crm, rep, body, field):
    before = crm.snapshot()
    crm.refused(rep.post("/api/v1/contacts", json=dict(
        body, first_name="X")), 400, field, "invalid", before)


@pytest.mark.parametrize("field, value", [
    ("first_name", 12), ("first_name", ["An"]), ("email", True),
    ("phone", 912345678), ("company_id", "1"), ("company_id", 0),
    ("company_id", -3), ("company_id", 1.5), ("owner_id", "me"),
    ("lifecycle_stage", 3), ("lead_status", {}), ("custom", []),
    ("custom", "x"), ("source_campaign_id", "7"),
    ("created_at", "hôm qua"), ("created_at", 1700000000000),
])
def test_wrong_json_types_are_400(crm, field, value):
    before = crm.snapshot()
    crm.refused(crm.admin.post("/api/v1/contacts", json={
        "first_name": "X", field: value}), 400, field, "invalid", before)


@pytest.mark.parametrize("field, value", [
    ("lifecycle_stage", "Lead"), ("lifecycle_stage", "mql"),
    ("lead_status", "open"), ("source", "Organic Search"),
    ("company_id", 999999), ("owner_id", 999999)])
def test_rule_violations_are_422(crm, rep, field, value):
    before = crm.snapshot()
    crm.refused(rep.post("/api/v1/contacts", json={
        "first_name": "X", field: value}), 422, field, "rule_violation",
        before)


def test_owner_must_be_an_active_user(crm):
    gone = crm.user("sales_rep")
    r = crm.admin.patch("/api/v1/users/%d" % gone.user["id"],
                        json={"active": False})
    assert r.status_code == 200, r.text
    before = crm.snapshot()
    crm.refused(crm.admin.post("/api/v1/contacts", json={
        "first_name": "X", "owner_id": gone.user["id"]}), 422, "owner_id",
        before=before)


@pytest.mark.parametrize("body", [
    b'{"first_name": "A", "first_name": "B"}',
    b'{"first_name": "A\\u0000"}',
    b'{"first_name": "A\x01"}',
    b'{"first_name": "\xff"}',
    b'{"first_name": "A"} x',
    b'{"first_name": "A",}',
    b'{"source_campaign_id": 99999999999999999999999, "first_name": "A"}',
    b'[{"first_name": "A"}]',
    b'"A"',
    b'',
])
def test_bad_json_bodies_are_400(crm, rep, body):
    before = crm.snapshot()
    r = rep.post("/api/v1/contacts", data=body,
                 headers={"Content-Type": "application/json"})
    crm.refused(r, 400, before=before)


@pytest.mark.parametrize("path, status", [
    ("/api/v1/contacts/0", 400), ("/api/v1/contacts/abc", 400),
    ("/api/v1/contacts/-1", 400), ("/api/v1/contacts/999999", 404)])
def test_bad_or_unknown_ids(crm, path, status):
    before = crm.snapshot()
    for method in ("GET", "PATCH", "DELETE"):
        r = crm.admin.request(method, path, json={"first_name": "X"}
                              if method == "PATCH" else None)
        crm.refused(r, status, "id" if status == 400 else None,
                    before=before)


# ---- updates, lifecycle stages, the company roll-up ----

def test_patch_changes_only_what_it_names(crm, rep):
    c = crm.contact(rep, first_name="Cũ", last_name="Họ", city="Huế")
    time.sleep(0.002)
    got = crm.patch("contacts", c["id"], rep, first_name="Mới", city=None)
    assert got["first_name"] == "Mới" and got["city"] is None
    assert got["last_name"] == "Họ"
    assert got["created_at"] == c["created_at"]
    assert iso_ms(got["updated_at"]) > iso_ms(c["updated_at"])
    assert crm.get("contacts", c["id"], rep) == got


def test_stage_changes_are_recorded_forward_and_backward(crm, rep):
    c = crm.contact(rep, first_name="Vòng đời", lifecycle_stage="subscriber")
    me = rep.user["id"]
    crm.patch("contacts", c["id"], rep, lifecycle_stage="lead")
    crm.patch("contacts", c["id"], rep, lifecycle_stage="lead")  # no change
    crm.patch("contacts", c["id"], rep, lifecycle_stage="customer")
    crm.patch("contacts", c["id"], rep, lifecycle_stage="lead")  # explicit
    crm.patch("contacts", c["id"], rep, lifecycle_stage="other")
    crm.patch("contacts", c["id"], rep, lifecycle_stage=None)
    assert stage_rows(crm, c["id"]) == [
        (None, "subscriber", me, "manual"), ("subscriber", "lead", me,
                                             "manual"),
        ("lead", "customer", me, "manual"), ("customer", "lead", me,
                                             "manual"),
        ("lead", "other", me, "manual")]
    assert crm.get("contacts", c["id"])["lifecycle_stage"] is None


def company_stage(crm, co):
    return crm.get("companies", co["id"])["lifecycle_stage"]


def test_company_stage_is_its_most_advanced_contacts(crm, rep):
    co = crm.company(rep)
    assert company_stage(crm, co) is None
    a = crm.contact(rep, first_name="A", company_id=co["id"])
    assert company_stage(crm, co) is None
    crm.patch("contacts", a["id"], rep, lifecycle_stage="other")
    assert company_stage(crm, co) == "other"
    b = crm.contact(rep, first_name="B", company_id=co["id"],
                    lifecycle_stage="subscriber")
    assert company_stage(crm, co) == "subscriber"
    crm.patch("contacts", a["id"], rep, lifecycle_stage="sales_qualified_lead")
    assert company_stage(crm, co) == "sales_qualified_lead"
    crm.patch("contacts", b["id"], rep, lifecycle_stage="evangelist")
    assert company_stage(crm, co) == "evangelist"
    # b leaves: the stage falls back to a's.
    crm.patch("contacts", b["id"], rep, company_id=None)
    assert company_stage(crm, co) == "sales_qualified_lead"
    # b joins another company.
    co2 = crm.company(rep)
    crm.patch("contacts", b["id"], rep, company_id=co2["id"])
    assert company_stage(crm, co2) == "evangelist"
    # a is deleted: nobody left with a stage.
    assert rep.delete("/api/v1/contacts/%d" % a["id"]).status_code == 204
    assert company_stage(crm, co) is None


def test_company_stage_follows_moves_either_way(crm, rep):
    # A move forward only raises the company (decision 0007); a move back
    # reads every contact of it again.
    co = crm.company(rep)
    a = crm.contact(rep, first_name="A", company_id=co["id"],
                    lifecycle_stage="customer")
    b = crm.contact(rep, first_name="B", company_id=co["id"],
                    lifecycle_stage="lead")
    assert company_stage(crm, co) == "customer"
    crm.patch("contacts", b["id"], rep,
              lifecycle_stage="marketing_qualified_lead")
    assert company_stage(crm, co) == "customer"  # forward, still below
    crm.patch("contacts", a["id"], rep, lifecycle_stage="lead")
    assert company_stage(crm, co) == "marketing_qualified_lead"  # a fell
    crm.patch("contacts", b["id"], rep, lifecycle_stage="evangelist")
    assert company_stage(crm, co) == "evangelist"
    crm.patch("contacts", b["id"], rep, lifecycle_stage="other")
    assert company_stage(crm, co) == "lead"  # other ranks lowest
    # forward and to another company at once: the new one is raised, the
    # old one read again
    co2 = crm.company(rep)
    crm.contact(rep, first_name="C", company_id=co2["id"],
                lifecycle_stage="opportunity")
    crm.patch("contacts", a["id"], rep, company_id=co2["id"],
              lifecycle_stage="customer")
    assert company_stage(crm, co2) == "customer"
    assert company_stage(crm, co) == "other"
    # up from other: other is below every funnel stage
    crm.patch("contacts", b["id"], rep, lifecycle_stage="lead")
    assert company_stage(crm, co) == "lead"
    # a stage cleared is no move, yet the company loses it
    crm.patch("contacts", b["id"], rep, lifecycle_stage=None)
    assert company_stage(crm, co) is None
    crm.patch("contacts", a["id"], rep, lifecycle_stage=None)
    assert company_stage(crm, co2) == "opportunity"


def test_moving_company_with_the_same_stage_rolls_up_the_new_company(
        crm, rep):
    old, new = crm.company(rep), crm.company(rep)
    c = crm.contact(rep, first_name="Chuyển", company_id=old["id"],
                    lifecycle_stage="customer")
    assert company_stage(crm, old) == "customer"
    crm.patch("contacts", c["id"], rep, company_id=new["id"],
              lifecycle_stage="customer")
    assert company_stage(crm, old) is None
    assert company_stage(crm, new) == "customer"


def test_company_stage_is_read_only(crm, rep):
    co = crm.company(rep)
    before = crm.snapshot()
    crm.refused(rep.patch("/api/v1/companies/%d" % co["id"], json={
        "lifecycle_stage": "customer"}), 422, "lifecycle_stage",
        before=before)


# ---- delete ----

def test_delete_lets_go_of_everything_that_pointed_at_it(crm, rep):
    co = crm.company(rep)
    c = crm.contact(rep, first_name="Xoá", company_id=co["id"],
                    lifecycle_stage="lead")
    other = crm.contact(rep, first_name="Ở lại")
    d = crm.deal(rep, contact_ids=[c["id"], other["id"]])
    a = crm.activity(rep, kind="call", contact_id=c["id"])
    r = rep.post("/api/v1/contacts/%d/collaborators" % c["id"],
                 json={"user_id": crm.admin.user["id"]})
    assert r.status_code == 201, r.text
    mark = crm.audit_mark()
    r = rep.delete("/api/v1/contacts/%d" % c["id"])
    assert r.status_code == 204 and r.content == b""
    assert_error(rep.get("/api/v1/contacts/%d" % c["id"]), 404, None,
                 "not_found")
    assert_error(rep.delete("/api/v1/contacts/%d" % c["id"]), 404)
    assert crm.get("deals", d["id"], rep)["contact_ids"] == [other["id"]]
    assert crm.get("activities", a["id"], rep)["contact_id"] is None
    assert company_stage(crm, co) is None
    for t in ("stage_changes", "deal_contacts", "search_terms"):
        col = "record_id" if t == "search_terms" else "contact_id"
        extra = " AND kind = 1" if t == "search_terms" else ""
        assert db_value(crm.db, "SELECT COUNT(*) FROM %s WHERE %s = ?%s"
                        % (t, col, extra), (c["id"],)) == 0, t
    assert db_value(crm.db, "SELECT COUNT(*) FROM collaborators WHERE "
                    "object = 'contact' AND record_id = ?", (c["id"],)) == 0
    rows = crm.audit_since(mark)
    assert [(x["action"], x["object"], x["object_id"], x["user_id"])
            for x in rows] == [("delete", "contact", c["id"],
                                rep.user["id"])]
    assert rows[0]["old_values"]["first_name"] == "Xoá"
    assert rows[0]["new_values"] is None


# ---- the audit log ----

def test_each_write_is_one_audit_row(crm, rep):
    mark = crm.audit_mark()
    c = crm.contact(rep, first_name="Kiểm", email=uniq_email())
    rows = crm.audit_since(mark)
    assert [(x["action"], x["object"], x["object_id"], x["user_id"])
            for x in rows] == [("create", "contact", c["id"],
                                rep.user["id"])]
    assert rows[0]["old_values"] is None
    assert rows[0]["new_values"]["email"] == c["email"]
    assert rows[0]["new_values"]["first_name"] == "Kiểm"

    mark = crm.audit_mark()
    crm.patch("contacts", c["id"], rep, first_name="Toán", city="Vinh")
    rows = crm.audit_since(mark)
    assert len(rows) == 1
    assert (rows[0]["action"], rows[0]["object_id"]) == ("update", c["id"])
    assert rows[0]["old_values"] == {"first_name": "Kiểm", "city": None}
    assert rows[0]["new_values"] == {"first_name": "Toán", "city": "Vinh"}

    # A patch that changes nothing writes nothing.
    mark = crm.audit_mark()
    crm.patch("contacts", c["id"], rep, first_name="Toán")
    assert crm.audit_since(mark) == []


def test_list_shape_and_owner_filter(crm):
    """The list answers {"data", "next_cursor"} with full records."""
    r = crm.user("sales_rep")
    made = [crm.contact(r, first_name="Danh sách %d" % i) for i in range(3)]
    data, cursor = crm.page(r, "/api/v1/contacts")
    assert data == made and cursor is None
    data, cursor = crm.page(crm.admin, "/api/v1/contacts",
                            owner_id=r.user["id"])
    assert data == made and cursor is None
