"""Activities over /api/v1/activities (SPEC §2, §8): every kind, due and
done times, outcome, links to a contact, company and deal (which must
exist and be visible), the owner, lists and filters, deletion and the
audit log."""

import pytest

from conftest import ACTIVITY_KEYS, ISO_UTC, assert_error

KINDS = ("call", "email", "meeting", "demo", "task", "note", "conference",
         "sms")


@pytest.fixture(scope="module")
def rep(crm):
    return crm.user("sales_rep", crm.team())


@pytest.fixture(scope="module")
def linked(crm, rep):
    co = crm.company(rep)
    k = crm.contact(rep, first_name="Liên kết", company_id=co["id"])
    d = crm.deal(rep, company_id=co["id"], contact_ids=[k["id"]])
    return {"company_id": co["id"], "contact_id": k["id"],
            "deal_id": d["id"]}


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind(crm, rep, linked, kind):
    a = crm.activity(rep, kind=kind, subject="Gọi lại cho anh An",
                     body="Nội dung\ndài", due_at="2026-03-02T09:00:00+07:00",
                     done_at="2026-03-02T02:15:00Z", outcome="connected",
                     **linked)
    assert set(a) == ACTIVITY_KEYS
    assert a["kind"] == kind
    assert (a["subject"], a["body"], a["outcome"]) == (
        "Gọi lại cho anh An", "Nội dung\ndài", "connected")
    assert (a["due_at"], a["done_at"]) == ("2026-03-02T02:00:00Z",
                                           "2026-03-02T02:15:00Z")
    assert (a["contact_id"], a["company_id"], a["deal_id"]) == (
        linked["contact_id"], linked["company_id"], linked["deal_id"])
    assert a["owner_id"] == rep.user["id"]
    assert ISO_UTC.match(a["created_at"]) and a["custom"] == {}
    assert crm.get("activities", a["id"], rep) == a


def test_minimal_task_and_marking_it_done(crm, rep):
    a = crm.activity(rep, kind="task")
    assert (a["subject"], a["due_at"], a["done_at"], a["contact_id"]) == (
        None, None, None, None)
    a = crm.patch("activities", a["id"], rep, done_at="2026-01-05T10:00:00Z",
                  outcome="xong")
    assert (a["done_at"], a["outcome"]) == ("2026-01-05T10:00:00Z", "xong")
    a = crm.patch("activities", a["id"], rep, done_at=None)
    assert a["done_at"] is None


@pytest.mark.parametrize("body, status, field", [
    ({}, 400, "kind"),
    ({"kind": None}, 400, "kind"),
    ({"kind": "visit"}, 422, "kind"),
    ({"kind": "Call"}, 422, "kind"),
    ({"kind": 1}, 400, "kind"),
    ({"kind": "call", "due_at": "mai"}, 400, "due_at"),
    ({"kind": "call", "due_at": "2026-03-02T25:00:00Z"}, 400, "due_at"),
    ({"kind": "call", "done_at": 1767225600000}, 400, "done_at"),
    ({"kind": "call", "contact_id": 999999}, 422, "contact_id"),
    ({"kind": "call", "company_id": 999999}, 422, "company_id"),
    ({"kind": "call", "deal_id": 999999}, 422, "deal_id"),
    ({"kind": "call", "deal_id": "1"}, 400, "deal_id"),
    ({"kind": "call", "owner_id": 999999}, 422, "owner_id"),
    ({"kind": "call", "subject": ["a"]}, 400, "subject"),
    ({"kind": "call", "body": "x" * 100001}, 400, "body"),
    ({"kind": "call", "id": 1}, 422, "id"),
    ({"kind": "call", "updated_at": "2026-01-01T00:00:00Z"}, 422,
     "updated_at"),
    ({"kind": "call", "created_at": "2026-01-01T00:00:00Z"}, 422,
     "created_at"),
    ({"kind": "call", "lead_id": 1}, 400, "lead_id"),
    ({"kind": "call", "custom": {"x": 1}}, 400, "custom.x"),
])
def test_refused_input(crm, rep, body, status, field):
    before = crm.snapshot()
    crm.refused(rep.post("/api/v1/activities", json=body), status, field,
                before=before)


def test_kind_cannot_be_cleared(crm, rep):
    a = crm.activity(rep, kind="call")
    before = crm.snapshot()
    crm.refused(rep.patch("/api/v1/activities/%d" % a["id"], json={
        "kind": None}), 400, "kind", before=before)
    assert crm.patch("activities", a["id"], rep, kind="sms")["kind"] == "sms"


def test_admin_backdates_and_assigns(crm, rep):
    a = crm.activity(kind="meeting", owner_id=rep.user["id"],
                     created_at="2025-12-01T03:00:00Z")
    assert (a["owner_id"], a["created_at"]) == (rep.user["id"],
                                                "2025-12-01T03:00:00Z")
    assert crm.get("activities", a["id"], rep) == a


def test_lists_filter_by_link_kind_and_times(crm):
    me = crm.user("sales_rep")
    k1 = crm.contact(me, first_name="K1")
    k2 = crm.contact(me, first_name="K2")
    a1 = crm.activity(me, kind="call", contact_id=k1["id"],
                      due_at="2026-04-01T01:00:00Z")
    a2 = crm.activity(me, kind="email", contact_id=k1["id"])
    a3 = crm.activity(me, kind="call", contact_id=k2["id"],
                      due_at="2026-04-03T01:00:00Z",
                      done_at="2026-04-03T02:00:00Z")
    a4 = crm.activity(me, kind="note")
    path = "/api/v1/activities"
    assert crm.ids(me, path) == [a1["id"], a2["id"], a3["id"], a4["id"]]
    assert crm.ids(me, path, contact_id=k1["id"]) == [a1["id"], a2["id"]]
    assert crm.ids(me, path, kind="call") == [a1["id"], a3["id"]]
    assert crm.ids(me, path, **{"kind[in]": "email,note"}) == [
        a2["id"], a4["id"]]
    assert crm.ids(me, path, **{"done_at[empty]": "false"}) == [a3["id"]]
    assert crm.ids(me, path, **{"contact_id[empty]": "true"}) == [a4["id"]]
    # Dates are whole days in Asia/Ho_Chi_Minh: 01:00Z is 08:00 there.
    assert crm.ids(me, path, due_at="2026-04-01") == [a1["id"]]
    assert crm.ids(me, path, **{"due_at[gt]": "2026-04-01"}) == [a3["id"]]
    # Sorted by due date, no date last either way.
    assert crm.ids(me, path, sort="due_at") == [a1["id"], a3["id"], a2["id"],
                                                a4["id"]]
    assert crm.ids(me, path, sort="-due_at") == [a3["id"], a1["id"],
                                                 a4["id"], a2["id"]]
    # The body is not a filter or sort key.
    assert_error(me.get(path, params={"body": "x"}), 400, "body")
    assert_error(me.get(path, params={"sort": "body"}), 400, "sort")
    assert_error(me.get(path, params={"kind[contains]": "c"}), 400,
                 "kind[contains]")
    # Activities are not searched.
    assert_error(me.get(path, params={"q": "gọi"}), 400, "q")


def test_delete_and_audit(crm, rep):
    mark = crm.audit_mark()
    a = crm.activity(rep, kind="call", subject="Xoá tôi")
    crm.patch("activities", a["id"], rep, outcome="no_answer")
    assert rep.delete("/api/v1/activities/%d" % a["id"]).status_code == 204
    assert_error(rep.get("/api/v1/activities/%d" % a["id"]), 404, None,
                 "not_found")
    assert_error(rep.patch("/api/v1/activities/%d" % a["id"], json={
        "outcome": "x"}), 404)
    rows = crm.audit_since(mark)
    assert [(x["action"], x["object"], x["object_id"], x["user_id"])
            for x in rows] == [
        ("create", "activity", a["id"], rep.user["id"]),
        ("update", "activity", a["id"], rep.user["id"]),
        ("delete", "activity", a["id"], rep.user["id"])]
    assert rows[1]["old_values"] == {"outcome": None}
    assert rows[1]["new_values"] == {"outcome": "no_answer"}
    assert rows[2]["old_values"]["subject"] == "Xoá tôi"
