"""/api/v1/tokens: API tokens are shown once, act as their user, list
without their secret, and stop working the moment they are revoked.
Other users' tokens are 404 (admins may revoke any)."""

import pytest

from conftest import (ISO_UTC, api_token, assert_error, cli_token,
                      db_snapshot, make_user, uniq)

LIST_KEYS = {"id", "name", "user_id", "created_at", "revoked_at"}


@pytest.fixture
def alice(server, admin):
    u = make_user(admin, role="sales_rep")
    c = server.bearer(api_token(admin, u["id"]))
    c.user = u
    return c


@pytest.fixture
def bob(server, admin):
    u = make_user(admin, role="sales_manager")
    c = server.bearer(api_token(admin, u["id"]))
    c.user = u
    return c


def listed(client):
    r = client.get("/api/v1/tokens?limit=500")
    assert r.status_code == 200
    return r


def test_name_is_answered_as_stored_nfc(server, alice):
    # "đồng" typed decomposed (NFD): o + circumflex + grave
    r = alice.post("/api/v1/tokens",
                   json={"name": "\u0111o\u0302\u0300ng b\u00f4\u0323"})
    assert r.status_code == 201, r.text
    t = r.json()
    assert t["name"] == "đồng bộ"
    assert [x["name"] for x in listed(alice).json()["data"]
            if x["id"] == t["id"]] == ["đồng bộ"]


def test_create_use_list(server, alice):
    r = alice.post("/api/v1/tokens", json={"name": "Zapier đồng bộ"})
    assert r.status_code == 201, r.text
    t = r.json()
    assert set(t) == {"id", "name", "user_id", "token"}
    assert t["name"] == "Zapier đồng bộ"
    assert t["user_id"] == alice.user["id"]
    assert len(t["token"]) >= 32
    me = server.bearer(t["token"]).get("/api/v1/me")
    assert me.status_code == 200 and me.json()["id"] == alice.user["id"]
    r = listed(alice)
    rows = r.json()["data"]
    assert all(set(x) == LIST_KEYS for x in rows)
    mine = [x for x in rows if x["id"] == t["id"]]
    assert len(mine) == 1
    assert mine[0]["name"] == t["name"]
    assert mine[0]["revoked_at"] is None
    assert ISO_UTC.match(mine[0]["created_at"])
    assert t["token"] not in r.text          # shown once only
    assert {x["user_id"] for x in rows} == {alice.user["id"]}


def test_revoke_is_immediate(server, alice):
    t = alice.post("/api/v1/tokens", json={"name": "tạm"}).json()
    c = server.bearer(t["token"])
    for _ in range(3):                       # warm any credential cache
        assert c.get("/api/v1/me").status_code == 200
    r = alice.delete("/api/v1/tokens/%d" % t["id"])
    assert r.status_code == 204 and r.content == b""
    assert_error(c.get("/api/v1/me"), 401, code="unauthenticated")
    assert_error(c.patch("/api/v1/me", json={"locale": "en"}), 401)
    assert_error(alice.delete("/api/v1/tokens/%d" % t["id"]), 404)
    row = [x for x in listed(alice).json()["data"] if x["id"] == t["id"]]
    assert row and ISO_UTC.match(row[0]["revoked_at"] or "")


def test_revoking_the_token_in_use(server, admin, alice):
    t = admin.post("/api/v1/tokens", json={"name": "tự thu hồi",
                                           "user_id": alice.user["id"]})
    assert t.status_code == 201 and t.json()["user_id"] == alice.user["id"]
    c = server.bearer(t.json()["token"])
    assert c.get("/api/v1/me").json()["id"] == alice.user["id"]
    assert c.delete("/api/v1/tokens/%d" % t.json()["id"]).status_code == 204
    assert_error(c.get("/api/v1/me"), 401)


def test_other_users_tokens_are_not_found(server, admin, alice, bob):
    t = alice.post("/api/v1/tokens", json={"name": "của Alice"}).json()
    before = db_snapshot(server.db, ("api_tokens", "audit_log"))
    assert_error(bob.delete("/api/v1/tokens/%d" % t["id"]), 404,
                 code="not_found")
    assert db_snapshot(server.db, ("api_tokens", "audit_log")) == before
    assert server.bearer(t["token"]).get("/api/v1/me").status_code == 200
    assert t["id"] not in [x["id"] for x in listed(bob).json()["data"]]
    # Admins see and revoke everyone's tokens.
    assert t["id"] in [x["id"] for x in listed(admin).json()["data"]]
    assert admin.delete("/api/v1/tokens/%d" % t["id"]).status_code == 204
    assert_error(server.bearer(t["token"]).get("/api/v1/me"), 401)


@pytest.mark.parametrize("body, status, field", [
    ({}, 400, ...),
    ({"name": ""}, 400, "name"),
    ({"name": 5}, 400, "name"),
    ({"name": None}, 400, "name"),
    ({"name": "x", "scope": "all"}, 400, ...),   # exactly the listed keys
    ({"name": "x" * 101}, 400, "name"),
    ({"name": "x", "user_id": "1"}, 400, "user_id"),
    ({"name": "x", "user_id": 0}, 400, "user_id"),
    ({"name": "x", "user_id": 1}, 422, "user_id"),      # someone else
])
def test_token_errors(server, alice, body, status, field):
    before = db_snapshot(server.db, ("api_tokens", "audit_log"))
    assert_error(alice.post("/api/v1/tokens", json=body), status, field=field)
    assert db_snapshot(server.db, ("api_tokens", "audit_log")) == before


def test_own_user_id_is_allowed(alice):
    r = alice.post("/api/v1/tokens", json={"name": "x",
                                           "user_id": alice.user["id"]})
    assert r.status_code == 201 and r.json()["user_id"] == alice.user["id"]


def test_admin_token_for_unknown_or_inactive_user_is_422(server, admin):
    gone = make_user(admin)
    r = admin.patch("/api/v1/users/%d" % gone["id"], json={"active": False})
    assert r.status_code == 200
    before = db_snapshot(server.db, ("api_tokens", "audit_log"))
    for uid in (999999, gone["id"]):
        r = admin.post("/api/v1/tokens", json={"name": "x", "user_id": uid})
        assert_error(r, 422, field="user_id")
    assert db_snapshot(server.db, ("api_tokens", "audit_log")) == before


@pytest.mark.parametrize("ident, status", [
    ("999999", 404), ("0", 400), ("abc", 400),
])
def test_delete_unknown_or_bad_id(admin, ident, status):
    assert_error(admin.delete("/api/v1/tokens/" + ident), status)


def test_cli_token_acts_as_its_user(server, admin):
    u = make_user(admin, role="customer_success")
    tok = cli_token(server.db, u["email"].upper(), name=uniq("cli"))
    r = server.bearer(tok).get("/api/v1/me")
    assert r.status_code == 200 and r.json()["id"] == u["id"]


def test_bearer_scheme_is_case_insensitive(server, alice):
    tok = alice.post("/api/v1/tokens", json={"name": "case"}).json()["token"]
    r = server.client().get("/api/v1/me",
                            headers={"Authorization": "bearer " + tok})
    assert r.status_code == 200


def test_bearer_wins_over_a_bad_cookie(server, alice):
    tok = alice.post("/api/v1/tokens", json={"name": "both"}).json()["token"]
    r = server.client().patch("/api/v1/me", json={"locale": "en"},
                              headers={"Authorization": "Bearer " + tok},
                              cookies={"pheu_session": "stale"})
    assert r.status_code == 200, r.text
