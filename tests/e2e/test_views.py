"""Saved list views, /api/v1/views (issue 4): a name and a list's query
string per user and object; each user lists and removes only their own
(another's is 404); bad input is 400 or 422 and changes nothing; every
write is audited."""

import pytest

from conftest import ISO_UTC, assert_error

VIEW_KEYS = {"id", "object", "name", "query", "created_at"}


@pytest.fixture(scope="module")
def users(crm):
    return crm.user("sales_rep"), crm.user("sales_rep")


def make(client, status=201, **body):
    r = client.post("/api/v1/views", json=body)
    assert r.status_code == status, r.text
    return r.json()


def names(crm, client, **params):
    data, cur = crm.page(client, "/api/v1/views", **params)
    assert cur is None
    return [(v["object"], v["name"]) for v in data]


def test_create_list_and_delete_own_views(crm, users):
    a, b = users
    v1 = make(a, object="contacts", name="Khách ở Hà Nội",
              query="city=Hà Nội&sort=-created_at")
    assert set(v1) == VIEW_KEYS
    assert (v1["object"], v1["name"], v1["query"]) == (
        "contacts", "Khách ở Hà Nội", "city=Hà Nội&sort=-created_at")
    assert ISO_UTC.match(v1["created_at"])
    v2 = make(a, object="deals", name="Sắp chốt",
              query="stage_id[in]=4,5")
    v3 = make(a, object="contacts", name="Của tôi")
    assert v3["query"] == ""
    vb = make(b, object="contacts", name="Của B", query="q=an")
    # Own views only, ordered by object then name.
    assert names(crm, a) == [("contacts", "Của tôi"),
                             ("contacts", "Khách ở Hà Nội"),
                             ("deals", "Sắp chốt")]
    assert names(crm, a, object="deals") == [("deals", "Sắp chốt")]
    assert names(crm, a, object="companies") == []
    assert names(crm, b) == [("contacts", "Của B")]
    data, _ = crm.page(a, "/api/v1/views", object="deals")
    assert data == [v2]
    # Another's view is not found, and stays.
    before = crm.snapshot()
    crm.refused(a.delete("/api/v1/views/%d" % vb["id"]), 404, None,
                "not_found", before)
    assert names(crm, b) == [("contacts", "Của B")]
    assert a.delete("/api/v1/views/%d" % v1["id"]).status_code == 204
    assert names(crm, a) == [("contacts", "Của tôi"), ("deals", "Sắp chốt")]
    crm.refused(a.delete("/api/v1/views/%d" % v1["id"]), 404, None,
                "not_found")
    # Even an admin removes only their own.
    crm.refused(crm.admin.delete("/api/v1/views/%d" % vb["id"]), 404)


def test_views_are_audited(crm, users):
    a, _ = users
    mark = crm.audit_mark()
    v = make(a, object="companies", name="Kiểm toán")
    assert a.delete("/api/v1/views/%d" % v["id"]).status_code == 204
    rows = crm.audit_since(mark)
    assert [(x["action"], x["object"], x["object_id"], x["user_id"])
            for x in rows] == [("create", "saved_view", v["id"],
                                a.user["id"]),
                               ("delete", "saved_view", v["id"],
                                a.user["id"])]
    assert rows[0]["new_values"]["name"] == "Kiểm toán"


@pytest.mark.parametrize("body, status, field", [
    ({"name": "x"}, 400, "object"),
    ({"object": "leads", "name": "x"}, 400, "object"),
    ({"object": "contact", "name": "x"}, 400, "object"),
    ({"object": "contacts"}, 400, "name"),
    ({"object": "contacts", "name": ""}, 400, "name"),
    ({"object": "contacts", "name": 5}, 400, "name"),
    ({"object": "contacts", "name": "x" * 201}, 400, "name"),
    ({"object": "contacts", "name": "x", "query": 5}, 400, "query"),
    ({"object": "contacts", "name": "x", "query": "a" * 4001}, 400,
     "query"),
    ({"object": "contacts", "name": "x", "shared": True}, 400, "shared"),
    ({"object": "contacts", "name": "x", "id": 1}, 422, "id"),
    ({"object": "contacts", "name": "x", "created_at": "2026-01-01"}, 422,
     "created_at"),
])
def test_bad_views(crm, users, body, status, field):
    before = crm.snapshot()
    crm.refused(users[0].post("/api/v1/views", json=body), status, field,
                before=before)


def test_bad_requests(crm, users):
    a, _ = users
    assert_error(a.get("/api/v1/views", params={"limit": "5"}), 400,
                 "limit")
    assert_error(a.get("/api/v1/views", params=[("object", "contacts"),
                                                ("object", "deals")]),
                 400, "object")
    assert_error(a.delete("/api/v1/views/abc"), 400, "id")
    assert_error(a.delete("/api/v1/views/999999"), 404)
