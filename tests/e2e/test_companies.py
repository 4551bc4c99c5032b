"""Companies over /api/v1/companies (SPEC §2, §12, App. C): the shape,
the unique normalised domain (409 with the existing id), the parent
chain without cycles, read-only and unknown fields, deletion letting go
of contacts, deals, activities and child companies, and the audit log."""

import pytest

from conftest import COMPANY_KEYS, ISO_UTC, assert_error, db_value


@pytest.fixture(scope="module")
def rep(crm):
    return crm.user("sales_rep", crm.team())


def test_create_answers_the_record_and_get_reads_it(crm, rep):
    nat, e164 = crm.phone()
    co = crm.company(rep, name=" Công ty Cổ phần Ánh Dương ",
                     domain="AnhDuong.vn", industry="Bán lẻ",
                     size_band="51-200", country="VN", city="Đà Nẵng",
                     phone=nat)
    assert set(co) == COMPANY_KEYS
    assert co["name"] == "Công ty Cổ phần Ánh Dương"
    assert co["domain"] == "anhduong.vn"
    assert (co["industry"], co["size_band"], co["country"], co["city"]) == (
        "Bán lẻ", "51-200", "VN", "Đà Nẵng")
    assert co["phone"] == e164
    assert co["owner_id"] == rep.user["id"]
    assert (co["parent_id"], co["lifecycle_stage"], co["custom"]) == (
        None, None, {})
    assert ISO_UTC.match(co["created_at"]) and ISO_UTC.match(co["updated_at"])
    assert crm.get("companies", co["id"], rep) == co


@pytest.mark.parametrize("written, stored", [
    ("https://www.Sen-Vang.vn/gioi-thieu?x=1", "sen-vang.vn"),
    ("http://sen-vang2.com.vn", "sen-vang2.com.vn"),
    ("WWW.SENVANG3.VN", "senvang3.vn"),
    ("senvang4.vn/", "senvang4.vn"),
    ("senvang5.vn#top", "senvang5.vn"),
    ("phễu-test.vn", "phễu-test.vn"),
])
def test_domain_is_normalised(crm, rep, written, stored):
    co = crm.company(rep, domain=written)
    assert co["domain"] == stored


@pytest.mark.parametrize("domain", [
    "localhost", "sen vang.vn", ".vn", "senvang.", "https://", "a_b.vn",
    "sen@vang.vn", "www."])
def test_bad_domain_is_422(crm, rep, domain):
    before = crm.snapshot()
    crm.refused(rep.post("/api/v1/companies", json={
        "name": "X", "domain": domain}), 422, "domain", "rule_violation",
        before)


def test_domain_is_unique_after_normalising(crm, rep):
    other = crm.user("sales_rep")
    co = crm.company(rep, domain="mot-lan.vn")
    before = crm.snapshot()
    for written in ("mot-lan.vn", "MOT-LAN.VN", "https://www.mot-lan.vn/",
                    "http://Mot-Lan.vn/lien-he"):
        for who in (rep, other):
            e = crm.refused(who.post("/api/v1/companies", json={
                "name": "Trùng", "domain": written}), 409, "domain",
                "conflict", before)
            assert e["existing_id"] == co["id"]
    b = crm.company(rep, domain="hai-lan.vn")
    e = crm.refused(rep.patch("/api/v1/companies/%d" % b["id"], json={
        "domain": "www.mot-lan.vn"}), 409, "domain", before=None)
    assert e["existing_id"] == co["id"]
    # Its own domain rewritten is no conflict; a cleared one is free.
    assert crm.patch("companies", co["id"], rep,
                     domain="https://MOT-LAN.vn")["domain"] == "mot-lan.vn"
    crm.patch("companies", co["id"], rep, domain=None)
    assert crm.patch("companies", b["id"], rep,
                     domain="mot-lan.vn")["domain"] == "mot-lan.vn"
    # Companies without a domain do not clash.
    crm.company(rep)
    crm.company(rep)


def test_name_is_required(crm, rep):
    before = crm.snapshot()
    for body in ({}, {"domain": "khong-ten.vn"}, {"name": ""},
                 {"name": "   "}, {"name": None}):
        crm.refused(rep.post("/api/v1/companies", json=body), 400, "name",
                    "invalid", before)
    co = crm.company(rep)
    for name in ("", None):
        crm.refused(rep.patch("/api/v1/companies/%d" % co["id"], json={
            "name": name}), 400, "name", before=None)
    assert crm.get("companies", co["id"])["name"] == co["name"]


@pytest.mark.parametrize("body, status, field", [
    ({"lifecycle_stage": "lead"}, 422, "lifecycle_stage"),
    ({"id": 1}, 422, "id"),
    ({"updated_at": "2026-01-01T00:00:00Z"}, 422, "updated_at"),
    ({"created_at": "2025-01-01T00:00:00Z"}, 422, "created_at"),
    ({"size_band": "10-20"}, 422, "size_band"),
    ({"parent_id": 999999}, 422, "parent_id"),
    ({"owner_id": 999999}, 422, "owner_id"),
    ({"phone": "123"}, 422, "phone"),
    ({"website": "x.vn"}, 400, "website"),
    ({"name": 5}, 400, "name"),
    ({"domain": ["a.vn"]}, 400, "domain"),
    ({"parent_id": "1"}, 400, "parent_id"),
    ({"custom": None}, 400, "custom"),
    ({"size_band": 50}, 400, "size_band"),
])
def test_refused_fields(crm, rep, body, status, field):
    co = crm.company(rep)
    before = crm.snapshot()
    crm.refused(rep.post("/api/v1/companies", json=dict(
        {"name": "Sai"}, **body)), status, field, before=before)
    crm.refused(rep.patch("/api/v1/companies/%d" % co["id"], json=body),
                status, field, before=before)


def test_admin_backdates_created_at(crm):
    co = crm.company(name="Cũ", created_at="2020-02-29T00:00:00Z")
    assert co["created_at"] == "2020-02-29T00:00:00Z"


def test_parent_chain_has_no_cycles(crm, rep):
    a = crm.company(rep, name="Tập đoàn A")
    b = crm.company(rep, name="Chi nhánh B", parent_id=a["id"])
    c = crm.company(rep, name="Chi nhánh C", parent_id=b["id"])
    assert (b["parent_id"], c["parent_id"]) == (a["id"], b["id"])
    before = crm.snapshot()
    for parent in (a["id"], b["id"], c["id"]):
        crm.refused(rep.patch("/api/v1/companies/%d" % a["id"], json={
            "parent_id": parent}), 422, "parent_id", "rule_violation",
            before)
    # Re-hanging c under a is fine; then a under b is still a cycle.
    assert crm.patch("companies", c["id"], rep,
                     parent_id=a["id"])["parent_id"] == a["id"]
    crm.refused(rep.patch("/api/v1/companies/%d" % a["id"], json={
        "parent_id": b["id"]}), 422, "parent_id")
    assert crm.patch("companies", c["id"], rep,
                     parent_id=None)["parent_id"] is None


def test_delete_lets_go_of_what_pointed_at_it(crm, rep):
    co = crm.company(rep, domain="sap-xoa.vn")
    child = crm.company(rep, parent_id=co["id"])
    k = crm.contact(rep, first_name="Nhân viên", company_id=co["id"],
                    lifecycle_stage="lead")
    d = crm.deal(rep, company_id=co["id"], contact_ids=[k["id"]])
    a = crm.activity(rep, kind="meeting", company_id=co["id"])
    mark = crm.audit_mark()
    assert rep.delete("/api/v1/companies/%d" % co["id"]).status_code == 204
    assert_error(rep.get("/api/v1/companies/%d" % co["id"]), 404, None,
                 "not_found")
    assert crm.get("companies", child["id"])["parent_id"] is None
    got = crm.get("contacts", k["id"])
    assert got["company_id"] is None
    assert got["lifecycle_stage"] == "opportunity"      # the deal's move
    assert crm.get("deals", d["id"])["company_id"] is None
    assert crm.get("activities", a["id"])["company_id"] is None
    assert db_value(crm.db, "SELECT COUNT(*) FROM search_terms WHERE kind = "
                    "2 AND record_id = ?", (co["id"],)) == 0
    rows = crm.audit_since(mark)
    assert [(x["action"], x["object"], x["object_id"]) for x in rows] == [
        ("delete", "company", co["id"])]
    assert rows[0]["old_values"]["domain"] == "sap-xoa.vn"
    # The domain is free again.
    crm.company(rep, domain="sap-xoa.vn")


def test_audit_rows_of_create_and_update(crm, rep):
    mark = crm.audit_mark()
    co = crm.company(rep, name="Kiểm toán", city="Huế")
    crm.patch("companies", co["id"], rep, city="Hội An",
              industry="Du lịch")
    rows = crm.audit_since(mark)
    assert [(x["action"], x["object"], x["object_id"], x["user_id"])
            for x in rows] == [("create", "company", co["id"],
                                rep.user["id"]),
                               ("update", "company", co["id"],
                                rep.user["id"])]
    assert rows[0]["new_values"]["name"] == "Kiểm toán"
    assert rows[1]["old_values"] == {"city": "Huế", "industry": None}
    assert rows[1]["new_values"] == {"city": "Hội An", "industry": "Du lịch"}


def test_list_shows_own_companies_in_id_order(crm):
    r = crm.user("sales_rep")
    made = [crm.company(r) for _ in range(3)]
    data, cursor = crm.page(r, "/api/v1/companies")
    assert (data, cursor) == (made, None)
