"""Who sees which CRM records (SPEC §1, issue 4): a rep sees what they
own or collaborate on, and cannot read, list, search, change, delete,
merge, follow the timeline of or reference another rep's records (404,
or 422 when referenced, never 403); their manager sees the whole team
subtree; marketing roles see every contact and company but no deals of
others; admins see everything. A refused request changes nothing."""

import pytest

from conftest import assert_error


class World:
    pass


@pytest.fixture(scope="module")
def w(crm):
    """T1 (manager M1; reps R1, R2) > T1a (rep R4); T2 (rep R3, specialist
    S); marketing team (marketer MK). R1, R2, R3 and R4 each own a
    company, a contact in it, a deal with that contact and an activity."""
    x = World()
    t1 = crm.team("sales")
    t1a = crm.team("sales", parent=t1)
    t2 = crm.team("sales")
    tm = crm.team("marketing")
    x.M1 = crm.user("sales_manager", t1, name="Quản lý Một")
    crm.admin.patch("/api/v1/teams/%d" % t1["id"],
                    json={"manager_id": x.M1.user["id"]})
    x.R1 = crm.user("sales_rep", t1)
    x.R2 = crm.user("sales_rep", t1)
    x.R4 = crm.user("sales_rep", t1a)
    x.R3 = crm.user("sales_rep", t2)
    x.S = crm.user("sales_specialist", t2)
    x.MK = crm.user("marketer", tm)
    x.rec = {}
    for who in ("R1", "R2", "R3", "R4"):
        c = getattr(x, who)
        co = crm.company(c, name="Công ty của %s" % who)
        k = crm.contact(c, first_name="Khách", last_name="Của%s" % who,
                        company_id=co["id"])
        d = crm.deal(c, name="Thương vụ %s" % who, contact_ids=[k["id"]],
                     company_id=co["id"], amount=1000)
        a = crm.activity(c, kind="call", contact_id=k["id"])
        x.rec[who] = {"companies": co["id"], "contacts": k["id"],
                      "deals": d["id"], "activities": a["id"]}
    return x


def visible_ids(crm, client, plural):
    return crm.ids(client, "/api/v1/" + plural, limit=500)


def owned(w, plural, *owners):
    return sorted(w.rec[o][plural] for o in owners)


PLURALS = ("companies", "contacts", "deals", "activities")


@pytest.mark.parametrize("plural", PLURALS)
def test_lists_are_the_visible_sets(crm, w, plural):
    assert visible_ids(crm, w.R1, plural) == owned(w, plural, "R1")
    assert visible_ids(crm, w.R2, plural) == owned(w, plural, "R2")
    assert visible_ids(crm, w.R3, plural) == owned(w, plural, "R3")
    assert visible_ids(crm, w.M1, plural) == owned(w, plural, "R1", "R2",
                                                   "R4")
    assert visible_ids(crm, w.S, plural) == []
    everyone = owned(w, plural, "R1", "R2", "R3", "R4")
    mk = everyone if plural in ("companies", "contacts") else []
    assert visible_ids(crm, w.MK, plural) == mk
    assert visible_ids(crm, crm.admin, plural) == everyone


@pytest.mark.parametrize("plural", PLURALS)
def test_reads_writes_and_deletes_of_invisible_records_are_404(crm, w,
                                                               plural):
    rid = w.rec["R1"][plural]
    path = "/api/v1/%s/%d" % (plural, rid)
    viewers = [w.R2, w.R3, w.S]
    if plural in ("deals", "activities"):
        viewers.append(w.MK)
    body = {"name": "Đổi"} if plural in ("companies", "deals") else \
        {"subject": "Đổi"} if plural == "activities" else {"title": "Đổi"}
    before = crm.snapshot()
    for c in viewers:
        crm.refused(c.get(path), 404, None, "not_found")
        crm.refused(c.patch(path, json=body), 404, None, "not_found")
        crm.refused(c.delete(path), 404, None, "not_found")
        # The answer does not depend on whether the record exists.
        crm.refused(c.get("/api/v1/%s/999999" % plural), 404, None,
                    "not_found")
    for c in viewers:
        if plural != "activities":
            crm.refused(c.get(path + "/timeline"), 404, None, "not_found")
            crm.refused(c.get(path + "/collaborators"), 404, None,
                        "not_found")
            crm.refused(c.post(path + "/collaborators", json={
                "user_id": c.user["id"]}), 404, None, "not_found")
            crm.refused(c.delete(path + "/collaborators/%d" % c.user["id"]),
                        404, None, "not_found")
    crm.refused(w.R2.get(path), 404, before=before)


@pytest.mark.parametrize("plural", PLURALS)
def test_the_manager_and_admin_read_and_change_the_teams_records(crm, w,
                                                                 plural):
    for who in ("R1", "R2", "R4"):
        rid = w.rec[who][plural]
        assert crm.get(plural, rid, w.M1)["id"] == rid
    assert_error(w.M1.get("/api/v1/%s/%d" % (plural, w.rec["R3"][plural])),
                 404, None, "not_found")
    assert crm.get(plural, w.rec["R3"][plural])["id"] == w.rec["R3"][plural]


def test_marketing_sees_the_audience_but_not_deals(crm, w):
    for who in ("R1", "R3"):
        assert crm.get("contacts", w.rec[who]["contacts"], w.MK)
        assert crm.get("companies", w.rec[who]["companies"], w.MK)
        assert_error(w.MK.get("/api/v1/deals/%d" % w.rec[who]["deals"]),
                     404)
        assert_error(w.MK.get("/api/v1/activities/%d"
                              % w.rec[who]["activities"]), 404)
    # Totals of the board count only the deals one sees.
    r = w.MK.get("/api/v1/pipelines/1/totals")
    assert r.status_code == 200 and r.json()["data"] == []


def test_search_finds_only_visible_records(crm, w):
    def found(c, q, plural="contacts"):
        return crm.ids(c, "/api/v1/" + plural, q=q)

    assert found(w.R2, "khach") == [w.rec["R2"]["contacts"]]
    assert found(w.R2, "CủaR1") == []
    assert found(w.R2, "cong ty cua r1", "companies") == []
    assert found(w.R2, "thuong vu r1", "deals") == []
    assert found(w.M1, "khach") == owned(w, "contacts", "R1", "R2", "R4")
    assert found(w.MK, "khach") == owned(w, "contacts", "R1", "R2", "R3",
                                         "R4")
    assert found(w.MK, "thuong vu", "deals") == []
    assert found(w.S, "khach") == []


def test_collaborators_see_the_record_until_removed(crm, w):
    k, d, co = (w.rec["R1"][p] for p in ("contacts", "deals", "companies"))
    mark = crm.audit_mark()
    r = w.R1.post("/api/v1/contacts/%d/collaborators" % k,
                  json={"user_id": w.S.user["id"]})
    assert r.status_code == 201 and r.json() == {"user_id": w.S.user["id"]}
    rows = crm.audit_since(mark)
    assert [(a["action"], a["object"], a["object_id"], a["user_id"])
            for a in rows] == [("collaborator_add", "contact", k,
                                w.R1.user["id"])]
    data, _ = crm.page(w.R1, "/api/v1/contacts/%d/collaborators" % k)
    assert data == [{"user_id": w.S.user["id"], "name": w.S.user["name"],
                     "email": w.S.user["email"]}]
    # S sees the contact everywhere, and only it.
    assert crm.get("contacts", k, w.S)["id"] == k
    assert visible_ids(crm, w.S, "contacts") == [k]
    assert crm.ids(w.S, "/api/v1/contacts", q="CủaR1") == [k]
    assert visible_ids(crm, w.S, "deals") == []
    assert visible_ids(crm, w.S, "companies") == []
    assert_error(w.S.get("/api/v1/deals/%d" % d), 404)
    r = w.S.get("/api/v1/contacts/%d/timeline" % k)
    assert r.status_code == 200
    # A collaborator changes the record like its owner.
    crm.patch("contacts", k, w.S, title="Kỹ sư")
    # Twice is a conflict; a user who does not exist is a rule violation.
    before = crm.snapshot()
    crm.refused(w.R1.post("/api/v1/contacts/%d/collaborators" % k, json={
        "user_id": w.S.user["id"]}), 409, "user_id", "conflict", before)
    crm.refused(w.R1.post("/api/v1/contacts/%d/collaborators" % k, json={
        "user_id": 999999}), 422, "user_id", before=before)
    for body, field in (({}, "user_id"), ({"user_id": "5"}, "user_id"),
                        ({"user_id": 0}, "user_id"),
                        ({"user_id": w.S.user["id"], "x": 1}, "x")):
        crm.refused(w.R1.post("/api/v1/contacts/%d/collaborators" % k,
                              json=body), 400, field, before=before)
    # On the deal too.
    r = w.R1.post("/api/v1/deals/%d/collaborators" % d,
                  json={"user_id": w.S.user["id"]})
    assert r.status_code == 201
    assert visible_ids(crm, w.S, "deals") == [d]
    r = w.S.get("/api/v1/pipelines/1/totals")
    assert [(x["count"], x["amount"]) for x in r.json()["data"]] == [
        (1, 1000)]
    # Removed: gone again.
    mark = crm.audit_mark()
    r = w.R1.delete("/api/v1/contacts/%d/collaborators/%d"
                    % (k, w.S.user["id"]))
    assert r.status_code == 204
    assert [(a["action"], a["object_id"], a["old_values"])
            for a in crm.audit_since(mark)] == [
        ("collaborator_remove", k, {"user_id": w.S.user["id"]})]
    assert_error(w.S.get("/api/v1/contacts/%d" % k), 404)
    assert visible_ids(crm, w.S, "contacts") == []
    crm.refused(w.R1.delete("/api/v1/contacts/%d/collaborators/%d"
                            % (k, w.S.user["id"])), 404)
    assert w.R1.delete("/api/v1/deals/%d/collaborators/%d"
                       % (d, w.S.user["id"])).status_code == 204
    assert visible_ids(crm, w.S, "deals") == []
    # Company collaborators work the same way.
    assert w.R1.post("/api/v1/companies/%d/collaborators" % co, json={
        "user_id": w.S.user["id"]}).status_code == 201
    assert visible_ids(crm, w.S, "companies") == [co]
    assert w.R1.delete("/api/v1/companies/%d/collaborators/%d"
                       % (co, w.S.user["id"])).status_code == 204
    assert visible_ids(crm, w.S, "companies") == []


REFERENCES = [
    # (who, method, plural, body, field): the body names R1's records
    ("R2", "POST", "contacts", {"first_name": "X",
                                "company_id": "R1.companies"}, "company_id"),
    ("R2", "POST", "deals", {"name": "X", "company_id": "R1.companies"},
     "company_id"),
    ("R2", "POST", "deals", {"name": "X", "contact_ids": ["R1.contacts"]},
     "contact_ids"),
    ("R2", "POST", "deals", {"name": "X", "contact_ids": [
        "R2.contacts", "R1.contacts"]}, "contact_ids"),
    ("R2", "POST", "activities", {"kind": "call",
                                  "contact_id": "R1.contacts"},
     "contact_id"),
    ("R2", "POST", "activities", {"kind": "call", "deal_id": "R1.deals"},
     "deal_id"),
    ("R2", "POST", "activities", {"kind": "call",
                                  "company_id": "R1.companies"},
     "company_id"),
    ("R2", "POST", "companies", {"name": "X", "parent_id": "R1.companies"},
     "parent_id"),
    ("R2", "PATCH", "R2.contacts", {"company_id": "R1.companies"},
     "company_id"),
    ("R2", "PATCH", "R2.deals", {"contact_ids": ["R1.contacts"]},
     "contact_ids"),
    ("MK", "POST", "deals", {"name": "X", "contact_ids": ["R1.contacts"],
                             "owner_id": "R3"}, "owner_id"),
    ("MK", "POST", "activities", {"kind": "call", "deal_id": "R1.deals"},
     "deal_id"),
    # owners outside one's visibility
    ("R2", "POST", "contacts", {"first_name": "X", "owner_id": "R1"},
     "owner_id"),
    ("R2", "PATCH", "R2.contacts", {"owner_id": "R1"}, "owner_id"),
    ("R2", "PATCH", "R2.deals", {"owner_id": "M1"}, "owner_id"),
    ("M1", "POST", "contacts", {"first_name": "X", "owner_id": "R3"},
     "owner_id"),
    ("M1", "PATCH", "R1.contacts", {"owner_id": "R3"}, "owner_id"),
    ("MK", "POST", "companies", {"name": "X", "owner_id": "R1"},
     "owner_id"),
]


@pytest.mark.parametrize("who, method, target, body, field", REFERENCES,
                         ids=["%s-%s-%s-%s" % (c[0], c[1], c[2], c[4])
                              for c in REFERENCES])
def test_referencing_what_one_cannot_see_is_422(crm, w, who, method, target,
                                                body, field):
    def resolve(v):
        if isinstance(v, list):
            return [resolve(x) for x in v]
        if isinstance(v, str) and v[:2] in ("R1", "R2", "R3", "R4", "M1"):
            owner, _, plural = v.partition(".")
            return w.rec[owner][plural] if plural else \
                getattr(w, owner).user["id"]
        return v

    body = {k: resolve(v) for k, v in body.items()}
    if "." in target:
        owner, plural = target.split(".")
        path = "/api/v1/%s/%d" % (plural, w.rec[owner][plural])
    else:
        path = "/api/v1/" + target
    before = crm.snapshot()
    crm.refused(getattr(w, who).request(method, path, json=body), 422,
                field, "rule_violation", before)


def test_references_to_visible_records_are_fine(crm, w):
    # Marketing may link deals to any contact: it sees them all.
    d = crm.deal(w.MK, contact_ids=[w.rec["R1"]["contacts"]],
                 company_id=w.rec["R3"]["companies"])
    assert d["owner_id"] == w.MK.user["id"]
    # The manager assigns within the team; the new owner sees it, the
    # old one no longer does.
    k = crm.contact(w.R1, first_name="Chuyển giao")
    crm.patch("contacts", k["id"], w.M1, owner_id=w.R2.user["id"])
    assert crm.get("contacts", k["id"], w.R2)["owner_id"] == w.R2.user["id"]
    assert_error(w.R1.get("/api/v1/contacts/%d" % k["id"]), 404)


def test_merging_another_reps_records_is_refused(crm, w):
    mine = crm.contact(w.R2, first_name="Của tôi")
    theirs = w.rec["R1"]["contacts"]
    before = crm.snapshot()
    crm.refused(w.R2.post("/api/v1/contacts/%d/merge" % mine["id"], json={
        "merge_id": theirs}), 422, "merge_id", "rule_violation", before)
    crm.refused(w.R2.post("/api/v1/contacts/%d/merge" % theirs, json={
        "merge_id": mine["id"]}), 404, None, "not_found", before)
    myco = crm.company(w.R2)
    before = crm.snapshot()
    crm.refused(w.R2.post("/api/v1/companies/%d/merge" % myco["id"], json={
        "merge_id": w.rec["R1"]["companies"]}), 422, "merge_id",
        before=before)
    crm.refused(w.R2.post("/api/v1/companies/%d/merge"
                          % w.rec["R1"]["companies"],
                          json={"merge_id": myco["id"]}), 404,
                before=before)
    # Their manager can.
    r = w.M1.post("/api/v1/contacts/%d/merge" % mine["id"],
                  json={"merge_id": crm.contact(w.R1, email="gop@vis.vn")
                        ["id"]})
    assert r.status_code == 200, r.text
    assert r.json()["email"] == "gop@vis.vn"


def test_admin_sees_and_changes_everything(crm, w):
    for who in ("R1", "R3"):
        for plural in PLURALS:
            assert crm.get(plural, w.rec[who][plural])["id"] == \
                w.rec[who][plural]
    k = crm.patch("contacts", w.rec["R3"]["contacts"],
                  owner_id=w.R1.user["id"])
    assert k["owner_id"] == w.R1.user["id"]
    assert crm.get("contacts", k["id"], w.R1)["id"] == k["id"]
    crm.patch("contacts", k["id"], owner_id=w.R3.user["id"])
