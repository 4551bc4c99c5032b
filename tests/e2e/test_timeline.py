"""GET /api/v1/{contacts|companies|deals}/{id}/timeline (SPEC §2, issue
4): one history per record, newest first, of its activities, lifecycle
stage changes, creation, field changes and merges; at one instant
changes come before stage changes before activities, then newer ids
first; paged by an opaque cursor that gives every entry exactly once."""

import pytest

from conftest import ENGINE, ISO_UTC, assert_error


@pytest.fixture(scope="module")
def rep(crm):
    return crm.user("sales_rep", crm.team())


def timeline(crm, client, plural, rid, **params):
    return crm.all(client, "/api/v1/%s/%d/timeline" % (plural, rid),
                   **params)


def brief(entries):
    """(type, detail) of each entry: the activity id, the stage move,
    the changed fields."""
    out = []
    for e in entries:
        assert ISO_UTC.match(e["at"]), e
        t = e["type"]
        if t == "activity":
            out.append((t, e["activity"]["id"]))
        elif t == "stage_change":
            out.append((t, e["from"], e["to"], e["reason"]))
        elif t == "field_change":
            out.append((t, tuple(sorted(e["changes"]))))
        elif t == "merged":
            out.append((t, e["merged_id"]))
        else:
            out.append((t,))
    return out


def test_contact_timeline_merges_every_source_newest_first(crm, rep):
    k = crm.contact(crm.admin, first_name="Cũ", owner_id=rep.user["id"],
                    lifecycle_stage="lead",
                    stage_changed_at="2025-01-10T00:00:00Z")
    a1 = crm.activity(crm.admin, kind="call", contact_id=k["id"],
                      owner_id=rep.user["id"],
                      created_at="2025-01-05T00:00:00Z")
    a2 = crm.activity(crm.admin, kind="email", contact_id=k["id"],
                      owner_id=rep.user["id"],
                      created_at="2025-01-20T00:00:00Z")
    crm.patch("contacts", k["id"], rep, first_name="Mới", city="Huế")
    a3 = crm.activity(rep, kind="note", contact_id=k["id"],
                      subject="Ghi chú")
    crm.activity(rep, kind="note")                  # another contact's
    entries = timeline(crm, rep, "contacts", k["id"])
    assert brief(entries) == [
        ("activity", a3["id"]),
        ("field_change", ("city", "first_name")),
        ("created",),
        ("activity", a2["id"]),
        ("stage_change", None, "lead", "manual"),
        ("activity", a1["id"]),
    ]
    # The entries' own fields.
    assert entries[0]["activity"] == crm.get("activities", a3["id"])
    assert entries[0]["user_id"] == rep.user["id"]
    assert entries[0]["at"] == a3["created_at"]
    assert entries[1]["changes"] == {"first_name": ["Cũ", "Mới"],
                                     "city": [None, "Huế"]}
    assert entries[1]["user_id"] == rep.user["id"]
    assert set(entries[2]) == {"type", "at", "user_id"}
    assert entries[2]["user_id"] == crm.admin.user["id"]
    assert entries[4] == {"type": "stage_change",
                          "at": "2025-01-10T00:00:00Z",
                          "user_id": crm.admin.user["id"], "from": None,
                          "to": "lead", "reason": "manual"}
    assert entries[5]["at"] == "2025-01-05T00:00:00Z"
    # Every page size gives the same entries.
    for limit in (1, 2, 4, 500):
        assert timeline(crm, rep, "contacts", k["id"], limit=limit) == \
            entries


def test_ties_at_one_instant_page_exactly_once(crm, rep):
    at = "2025-02-01T00:00:00Z"
    k = crm.contact(crm.admin, first_name="Cùng lúc",
                    owner_id=rep.user["id"], lifecycle_stage="subscriber",
                    stage_changed_at=at)
    acts = [crm.activity(crm.admin, kind="task", contact_id=k["id"],
                         owner_id=rep.user["id"], created_at=at)["id"]
            for _ in range(3)]
    crm.patch("contacts", k["id"], crm.admin, lifecycle_stage="lead",
              stage_changed_at=at)
    want = [("field_change", ("lifecycle_stage",)), ("created",),
            ("stage_change", "subscriber", "lead", "manual"),
            ("stage_change", None, "subscriber", "manual"),
            ("activity", acts[2]), ("activity", acts[1]),
            ("activity", acts[0])]
    for limit in (1, 2, 3, 50):
        assert brief(timeline(crm, rep, "contacts", k["id"],
                              limit=limit)) == want, limit


def test_deal_stage_moves_and_contact_advances(crm, rep):
    data, _ = crm.page(crm.admin, "/api/v1/pipelines")
    stages = {s["name"]: s["id"] for s in data[0]["stages"]}
    k = crm.contact(rep, first_name="Mua")
    d = crm.deal(rep, name="Bán", contact_ids=[k["id"]])
    a = crm.activity(rep, kind="demo", deal_id=d["id"])
    crm.patch("deals", d["id"], rep, stage_id=stages["Closed won"])
    assert brief(timeline(crm, rep, "deals", d["id"])) == [
        ("field_change", ("closed_at", "stage_id", "status")),
        ("activity", a["id"]), ("created",)]
    entries = timeline(crm, rep, "deals", d["id"])
    assert entries[0]["changes"]["status"] == ["open", "won"]
    assert entries[0]["changes"]["stage_id"] == [
        stages["Appointment scheduled"], stages["Closed won"]]
    assert brief(timeline(crm, rep, "contacts", k["id"])) == [
        ("stage_change", "opportunity", "customer", "deal"),
        ("stage_change", None, "opportunity", "deal"),
        ("created",)]


def test_company_timeline_has_its_and_its_contacts_activities(crm, rep):
    co = crm.company(rep, name="Công ty Dòng Thời Gian")
    k = crm.contact(rep, first_name="Nhân viên", company_id=co["id"])
    a1 = crm.activity(rep, kind="meeting", company_id=co["id"])
    a2 = crm.activity(rep, kind="call", contact_id=k["id"])
    crm.activity(rep, kind="call")
    crm.patch("companies", co["id"], rep, city="Cần Thơ")
    assert brief(timeline(crm, rep, "companies", co["id"])) == [
        ("field_change", ("city",)), ("activity", a2["id"]),
        ("activity", a1["id"]), ("created",)]


def test_merged_contact_brings_its_history(crm, rep):
    keep = crm.contact(rep, first_name="Giữ")
    gone = crm.contact(rep, first_name="Bỏ", lifecycle_stage="lead")
    a = crm.activity(rep, kind="sms", contact_id=gone["id"])
    r = rep.post("/api/v1/contacts/%d/merge" % keep["id"],
                 json={"merge_id": gone["id"]})
    assert r.status_code == 200, r.text
    got = brief(timeline(crm, rep, "contacts", keep["id"]))
    assert got[0] == ("merged", gone["id"])
    assert sorted(got[1:]) == sorted([
        ("field_change", ("lifecycle_stage",)),
        ("stage_change", None, "lead", "merge"),
        ("activity", a["id"]),
        ("stage_change", None, "lead", "manual"),
        ("created",)])


def test_timeline_bad_requests(crm, rep):
    k = crm.contact(rep, first_name="Lỗi")
    path = "/api/v1/contacts/%d/timeline" % k["id"]
    for params, field in (({"limit": "0"}, "limit"),
                          ({"limit": "501"}, "limit"),
                          ({"limit": "x"}, "limit"),
                          ({"cursor": "abc"}, "cursor"),
                          ({"cursor": "W10"}, "cursor"),
                          ({"sort": "at"}, "sort"),
                          ({"type": "activity"}, "type")):
        assert_error(rep.get(path, params=params), 400, field, "invalid")
    assert_error(rep.get(path, params=[("limit", "1"), ("limit", "2")]),
                 400, "limit")
    for p in ("/api/v1/contacts/999999/timeline",
              "/api/v1/companies/999999/timeline",
              "/api/v1/deals/999999/timeline"):
        assert_error(rep.get(p), 404, None, "not_found")
    assert_error(rep.get("/api/v1/contacts/x/timeline"), 400, "id")
    assert rep.delete("/api/v1/contacts/%d" % k["id"]).status_code == 204
    assert_error(rep.get(path), 404, None, "not_found")


def test_new_record_does_not_inherit_a_deleted_ones_history(crm, rep):
    old = crm.contact(rep, first_name="Bí mật")
    crm.patch("contacts", old["id"], rep, title="Giám đốc")
    assert rep.delete("/api/v1/contacts/%d" % old["id"]).status_code == 204
    new = crm.contact(rep, first_name="Người mới")
    assert brief(timeline(crm, rep, "contacts", new["id"])) == [
        ("created",)]
