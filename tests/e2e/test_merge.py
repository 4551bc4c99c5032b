"""Merging two contacts or two companies, POST /api/v1/{contacts|companies}
/{id}/merge {"merge_id"} (SPEC §2, issue 4): the survivor keeps every
activity, deal link, stage change and collaborator of the other, fills
its blank fields from it, takes the more advanced lifecycle stage and
the union of custom fields; the other is gone; both ids are audited;
the search index and the company roll-up follow. Refused merges change
nothing."""

import pytest

from conftest import (Crm, Server, assert_error, copy_db, crm_fault_sweep,
                      db_rows, db_value, uniq_email)


@pytest.fixture(scope="module")
def rep(crm):
    return crm.user("sales_rep", crm.team())


@pytest.fixture(scope="module")
def fields(crm):
    for name, typ in (("hang", "text"), ("diem", "number")):
        r = crm.admin.post("/api/v1/custom-fields", json={
            "object": "contact", "name": name, "type": typ})
        assert r.status_code == 201, r.text
    r = crm.admin.post("/api/v1/custom-fields", json={
        "object": "company", "name": "nganh", "type": "text"})
    assert r.status_code == 201, r.text


def merge(client, plural, survivor, other):
    return client.post("/api/v1/%s/%d/merge" % (plural, survivor),
                       json={"merge_id": other})


def stage_id(crm, name):
    data, _ = crm.page(crm.admin, "/api/v1/pipelines")
    return {s["name"]: s["id"] for s in data[0]["stages"]}[name]


def search(crm, client, q, plural="contacts"):
    return crm.ids(client, "/api/v1/" + plural, q=q)


def test_contact_merge_keeps_everything(crm, rep, fields):
    helper = crm.user("sales_specialist")
    co = crm.company(rep, name="Công ty Hợp Nhất")
    keep = crm.contact(rep, first_name="Minh", last_name="Trần",
                       lifecycle_stage="lead", city="Huế",
                       custom={"hang": "vàng"})
    nat, e164 = crm.phone()
    email = uniq_email("gone")
    gone = crm.contact(rep, first_name="Minh Tuấn", last_name="Trần Văn",
                       email=email, phone=nat, title="Kế toán trưởng",
                       city="Đà Nẵng", company_id=co["id"],
                       lifecycle_stage="lead",
                       custom={"hang": "bạc", "diem": 8})
    shared = crm.deal(rep, name="Chung", stage_id=stage_id(
        crm, "Closed lost"), contact_ids=[keep["id"], gone["id"]])
    only_gone = crm.deal(rep, name="Riêng", stage_id=stage_id(
        crm, "Closed won"), contact_ids=[gone["id"]])
    a_keep = crm.activity(rep, kind="call", contact_id=keep["id"])
    a_gone = [crm.activity(rep, kind=k, contact_id=gone["id"])["id"]
              for k in ("email", "meeting")]
    assert rep.post("/api/v1/contacts/%d/collaborators" % gone["id"], json={
        "user_id": helper.user["id"]}).status_code == 201
    gone_stages = db_rows(crm.db, "SELECT id FROM stage_changes WHERE "
                          "contact_id = ?", (gone["id"],))
    assert len(gone_stages) == 2        # lead, then customer (the deal)
    mark = crm.audit_mark()

    r = merge(rep, "contacts", keep["id"], gone["id"])
    assert r.status_code == 200, r.text
    got = r.json()
    assert got == crm.get("contacts", keep["id"], rep)
    # Its own values stay, blanks are filled, the stage is the further.
    assert (got["first_name"], got["last_name"], got["city"]) == (
        "Minh", "Trần", "Huế")
    assert (got["email"], got["phone"], got["title"], got["company_id"]) == (
        email, e164, "Kế toán trưởng", co["id"])
    assert got["lifecycle_stage"] == "customer"
    assert got["custom"] == {"hang": "vàng", "diem": 8}
    assert got["owner_id"] == rep.user["id"]
    # The other is gone.
    assert_error(rep.get("/api/v1/contacts/%d" % gone["id"]), 404)
    assert_error(rep.get("/api/v1/contacts/%d/timeline" % gone["id"]), 404)
    # Deals, activities, stage changes and collaborators moved.
    assert crm.get("deals", shared["id"])["contact_ids"] == [keep["id"]]
    assert crm.get("deals", only_gone["id"])["contact_ids"] == [keep["id"]]
    assert crm.get("activities", a_keep["id"])["contact_id"] == keep["id"]
    for a in a_gone:
        assert crm.get("activities", a)["contact_id"] == keep["id"]
    moved = db_rows(crm.db, "SELECT id, contact_id FROM stage_changes "
                    "WHERE id IN (%s)" % ",".join(
                        str(x["id"]) for x in gone_stages))
    assert {x["contact_id"] for x in moved} == {keep["id"]}
    stages = [(x["from_stage"], x["to_stage"], x["reason"]) for x in db_rows(
        crm.db, "SELECT * FROM stage_changes WHERE contact_id = ? ORDER BY "
        "id", (keep["id"],))]
    assert stages == [(None, "lead", "manual"), (None, "lead", "manual"),
                      ("lead", "customer", "deal"),
                      ("lead", "customer", "merge")]
    assert crm.get("contacts", keep["id"], helper)["id"] == keep["id"]
    assert db_value(crm.db, "SELECT COUNT(*) FROM contacts WHERE id = ?",
                    (gone["id"],)) == 0
    assert db_value(crm.db, "SELECT COUNT(*) FROM search_terms WHERE kind = "
                    "1 AND record_id = ?", (gone["id"],)) == 0
    # The company rolls up from the survivor.
    assert crm.get("companies", co["id"])["lifecycle_stage"] == "customer"
    # Search: the other's words lead to the survivor, through its new
    # email and company.
    assert search(crm, rep, "tuan") == []
    assert search(crm, rep, email) == [keep["id"]]
    assert search(crm, rep, "hop nhat") == [keep["id"]]
    assert search(crm, rep, nat) == [keep["id"]]
    # Audited on both ids.
    rows = crm.audit_since(mark)
    acts = [(x["action"], x["object"], x["object_id"], x["user_id"])
            for x in rows]
    assert ("merge", "contact", gone["id"], rep.user["id"]) in acts
    assert ("merge", "contact", keep["id"], rep.user["id"]) in acts
    on_gone = [x for x in rows if x["object_id"] == gone["id"]][0]
    assert on_gone["old_values"]["email"] == email
    assert on_gone["new_values"] == {"merged_into": keep["id"]}
    on_keep = [x for x in rows if x["object_id"] == keep["id"] and
               x["action"] == "merge"][0]
    assert on_keep["new_values"]["merged_id"] == gone["id"]
    assert on_keep["new_values"]["merged"]["title"] == "Kế toán trưởng"
    # The other's identity is the survivor's now: a new one is a 409.
    r = rep.post("/api/v1/contacts", json={"email": email})
    assert_error(r, 409, "email")
    assert r.json()["error"]["existing_id"] == keep["id"]


def test_survivor_keeps_its_own_identity(crm, rep):
    e1, e2 = uniq_email(), uniq_email()
    keep = crm.contact(rep, email=e1, lifecycle_stage="customer")
    gone = crm.contact(rep, email=e2, lifecycle_stage="lead")
    r = merge(rep, "contacts", keep["id"], gone["id"])
    assert r.status_code == 200, r.text
    assert (r.json()["email"], r.json()["lifecycle_stage"]) == (e1,
                                                                "customer")
    # The other's email is free again.
    assert crm.contact(rep, email=e2)["email"] == e2
    # No stage change was needed.
    assert db_value(crm.db, "SELECT COUNT(*) FROM stage_changes WHERE "
                    "contact_id = ? AND reason = 'merge'", (keep["id"],)) == 0


def test_company_merge(crm, rep, fields):
    keep = crm.company(rep, name="Công ty Sao Mai")
    gone = crm.company(rep, name="Công ty Sao Mai Cũ", domain="saomai.vn",
                       industry="Xây dựng", city="Vinh",
                       custom={"nganh": "xây dựng"})
    child = crm.company(rep, parent_id=gone["id"])
    k1 = crm.contact(rep, first_name="Nhân", company_id=keep["id"],
                     lifecycle_stage="lead")
    k2 = crm.contact(rep, first_name="Viên", company_id=gone["id"],
                     lifecycle_stage="customer")
    d = crm.deal(rep, name="Công trình", company_id=gone["id"])
    a = crm.activity(rep, kind="meeting", company_id=gone["id"])
    assert rep.post("/api/v1/companies/%d/collaborators" % gone["id"],
                    json={"user_id": crm.admin.user["id"]}).status_code == 201
    mark = crm.audit_mark()
    r = merge(rep, "companies", keep["id"], gone["id"])
    assert r.status_code == 200, r.text
    got = r.json()
    assert (got["name"], got["domain"], got["industry"], got["city"]) == (
        "Công ty Sao Mai", "saomai.vn", "Xây dựng", "Vinh")
    assert got["custom"] == {"nganh": "xây dựng"}
    assert got["lifecycle_stage"] == "customer"
    assert_error(rep.get("/api/v1/companies/%d" % gone["id"]), 404)
    assert crm.get("contacts", k1["id"])["company_id"] == keep["id"]
    assert crm.get("contacts", k2["id"])["company_id"] == keep["id"]
    assert crm.get("deals", d["id"])["company_id"] == keep["id"]
    assert crm.get("activities", a["id"])["company_id"] == keep["id"]
    assert crm.get("companies", child["id"])["parent_id"] == keep["id"]
    data, _ = crm.page(rep, "/api/v1/companies/%d/collaborators"
                       % keep["id"])
    assert [x["user_id"] for x in data] == [crm.admin.user["id"]]
    # Contacts and deals are found by the survivor's name, not the other's.
    assert search(crm, rep, "sao mai") == [k1["id"], k2["id"]]
    assert search(crm, rep, "cu") == []
    assert search(crm, rep, "sao mai", "deals") == [d["id"]]
    assert search(crm, rep, "saomai", "companies") == [keep["id"]]
    rows = crm.audit_since(mark)
    assert {(x["action"], x["object"], x["object_id"]) for x in rows
            if x["action"] == "merge"} == {
        ("merge", "company", gone["id"]), ("merge", "company", keep["id"])}


def test_refused_merges_change_nothing(crm, rep):
    a = crm.contact(rep, first_name="A")
    b = crm.contact(rep, first_name="B")
    co = crm.company(rep)
    before = crm.snapshot()
    cases = [
        ("contacts", a["id"], {"merge_id": a["id"]}, 422, "merge_id"),
        ("contacts", a["id"], {"merge_id": 999999}, 422, "merge_id"),
        ("contacts", a["id"], {}, 400, "merge_id"),
        ("contacts", a["id"], {"merge_id": str(b["id"])}, 400, "merge_id"),
        ("contacts", a["id"], {"merge_id": 0}, 400, "merge_id"),
        ("contacts", a["id"], {"merge_id": [b["id"]]}, 400, "merge_id"),
        ("contacts", a["id"], {"merge_id": b["id"], "keep": "a"}, 400,
         "keep"),
        ("contacts", 999999, {"merge_id": b["id"]}, 404, None),
        ("companies", co["id"], {"merge_id": co["id"]}, 422, "merge_id"),
        ("companies", co["id"], {"merge_id": 999999}, 422, "merge_id"),
    ]
    for plural, sid, body, status, field in cases:
        r = rep.post("/api/v1/%s/%d/merge" % (plural, sid), json=body)
        crm.refused(r, status, field, before=before)
    crm.refused(rep.post("/api/v1/contacts/abc/merge", json={
        "merge_id": b["id"]}), 400, "id", before=before)
    crm.refused(rep.post("/api/v1/contacts/%d/merge" % a["id"], data=b"x",
                         headers={"Content-Type": "application/json"}), 400,
                before=before)
    # Deals and activities do not merge.
    d1, d2 = crm.deal(rep), crm.deal(rep)
    before = crm.snapshot()
    for plural, x, y in (("deals", d1["id"], d2["id"]),):
        r = rep.post("/api/v1/%s/%d/merge" % (plural, x),
                     json={"merge_id": y})
        assert r.status_code in (404, 405), r.text
        crm.refused(r, r.status_code, before=before)



def test_a_merge_failing_at_any_step_leaves_nothing_behind(crm_db,
                                                           tmp_path):
    """PHEU_FAULT_DB_STEP makes the Nth database step fail: a merge cut
    anywhere answers 500 and changes no row; repeated, it succeeds."""
    base = copy_db(crm_db, tmp_path / "base.db")
    srv = Server(base, tmp_path).start()
    try:
        c = Crm(srv)
        rep = c.user("sales_rep")
        co = c.company(rep)
        keep = c.contact(rep, first_name="Giữ", lifecycle_stage="lead")
        gone = c.contact(rep, email=uniq_email(), phone=c.phone()[0],
                         company_id=co["id"])
        c.deal(rep, contact_ids=[gone["id"]])
        c.activity(rep, kind="call", contact_id=gone["id"])
        assert rep.post("/api/v1/contacts/%d/collaborators" % gone["id"],
                        json={"user_id": c.admin.user["id"]}
                        ).status_code == 201
        token = rep.headers["Authorization"]
        c.close()
    finally:
        assert srv.stop() == 0, srv.stderr()

    def send(s):
        cl = s.client()
        cl.headers["Authorization"] = token
        return cl.post("/api/v1/contacts/%d/merge" % keep["id"],
                       json={"merge_id": gone["id"]})

    # The merge takes about 50 steps: about 10 cuts.
    assert crm_fault_sweep(base, tmp_path, send, 200, stride=5) >= 6
