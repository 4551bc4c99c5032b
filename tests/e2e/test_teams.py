"""/api/v1/teams: the team tree (SPEC §1). Everyone reads it, admins
change it, and a team can never be moved inside its own subtree."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import (TEAM_KEYS, api_token, assert_error, db_rows,
                      db_snapshot, make_team, make_user, uniq)


def snapshot(server):
    return db_snapshot(server.db, ("teams", "team_closure", "audit_log",
                                   "users"))


def test_create_team_round_trip(admin):
    parent = make_team(admin, kind="marketing")
    mgr = make_user(admin, role="marketing_manager")
    body = {"name": "Nhóm Nội dung " + uniq(), "kind": "marketing",
            "parent_id": parent["id"], "manager_id": mgr["id"]}
    r = admin.post("/api/v1/teams", json=body)
    assert r.status_code == 201, r.text
    t = r.json()
    assert set(t) == TEAM_KEYS
    assert r.headers["Location"] == "/api/v1/teams/%d" % t["id"]
    for k, v in body.items():
        assert t[k] == v, k
    assert admin.get("/api/v1/teams/%d" % t["id"]).json() == t


@pytest.mark.parametrize("kind", ["marketing", "sales", "success"])
def test_create_root_team_of_each_kind(admin, kind):
    t = make_team(admin, kind=kind)
    assert t["kind"] == kind
    assert t["parent_id"] is None and t["manager_id"] is None


def create_errors():
    ok = {"name": "Nhóm", "kind": "sales"}
    return [
        ("no-name", {"kind": "sales"}, 400, "name"),
        ("no-kind", {"name": "x"}, 400, "kind"),
        ("empty-name", dict(ok, name=""), 400, "name"),
        ("name-number", dict(ok, name=7), 400, "name"),
        ("name-control", dict(ok, name="a\u001bb"), 400, "name"),
        ("kind-unknown", dict(ok, kind="finance"), 400, "kind"),
        ("kind-case", dict(ok, kind="Sales"), 400, "kind"),
        ("kind-null", dict(ok, kind=None), 400, "kind"),
        ("parent-unknown", dict(ok, parent_id=999999), 422, "parent_id"),
        ("parent-string", dict(ok, parent_id="1"), 400, "parent_id"),
        ("parent-zero", dict(ok, parent_id=0), 400, "parent_id"),
        ("parent-float", dict(ok, parent_id=1.5), 400, "parent_id"),
        ("manager-unknown", dict(ok, manager_id=999999), 422, "manager_id"),
        ("manager-negative", dict(ok, manager_id=-1), 400, "manager_id"),
        ("unknown-field", dict(ok, budget=5), 400, "budget"),
        ("set-id", dict(ok, id=777777), 422, "id"),
    ]


@pytest.mark.parametrize("case, body, status, field", create_errors(),
                         ids=[c[0] for c in create_errors()])
def test_create_team_errors(server, admin, case, body, status, field):
    before = snapshot(server)
    assert_error(admin.post("/api/v1/teams", json=body), status, field=field)
    assert snapshot(server) == before


@pytest.fixture(scope="module")
def managed(server, admin):
    """A team with a sales manager in it who is also its manager_id."""
    t = make_team(admin, kind="sales")
    m = make_user(admin, role="sales_manager", team_id=t["id"])
    r = admin.patch("/api/v1/teams/%d" % t["id"], json={"manager_id": m["id"]})
    assert r.status_code == 200
    return t, server.bearer(api_token(admin, m["id"]))


@pytest.mark.parametrize("role", ["sales_manager", "marketing_manager",
                                  "sales_rep", "marketer"])
def test_only_admins_change_teams(server, admin, managed, role):
    team, mgr = managed
    actor = mgr if role == "sales_manager" else server.bearer(
        api_token(admin, make_user(admin, role=role,
                                   team_id=team["id"])["id"]))
    before = snapshot(server)
    r = actor.post("/api/v1/teams", json={"name": "x", "kind": "sales",
                                          "parent_id": team["id"]})
    assert_error(r, 403, code="forbidden")
    r = actor.patch("/api/v1/teams/%d" % team["id"], json={"name": "x"})
    assert_error(r, 403, code="forbidden")
    assert snapshot(server) == before
    # Reading is for everyone.
    r = actor.get("/api/v1/teams/%d" % team["id"])
    assert r.status_code == 200 and r.json()["name"] == team["name"]
    r = actor.get("/api/v1/teams?limit=500")
    assert r.status_code == 200
    assert team["id"] in [t["id"] for t in r.json()["data"]]


def test_patch_team_fields(admin):
    t = make_team(admin, kind="sales")
    parent = make_team(admin, kind="sales")
    mgr = make_user(admin, role="sales_manager")
    change = {"name": "Kinh doanh Đà Nẵng " + uniq(), "kind": "success",
              "parent_id": parent["id"], "manager_id": mgr["id"]}
    r = admin.patch("/api/v1/teams/%d" % t["id"], json=change)
    assert r.status_code == 200, r.text
    got = admin.get("/api/v1/teams/%d" % t["id"]).json()
    for k, v in change.items():
        assert r.json()[k] == v and got[k] == v, k
    assert got["created_at"] == t["created_at"]
    r = admin.patch("/api/v1/teams/%d" % t["id"],
                    json={"parent_id": None, "manager_id": None})
    assert r.status_code == 200
    assert r.json()["parent_id"] is None and r.json()["manager_id"] is None


@pytest.fixture
def chain(admin):
    """a > b > c, and a separate root d."""
    a = make_team(admin)
    b = make_team(admin, parent_id=a["id"])
    c = make_team(admin, parent_id=b["id"])
    d = make_team(admin)
    return a, b, c, d


@pytest.mark.parametrize("moved, new_parent", [
    ("a", "a"), ("a", "b"), ("a", "c"), ("b", "b"), ("b", "c"), ("c", "c"),
])
def test_no_team_inside_its_own_subtree(server, admin, chain, moved,
                                        new_parent):
    t = dict(zip("abcd", chain))
    before = snapshot(server)
    r = admin.patch("/api/v1/teams/%d" % t[moved]["id"],
                    json={"parent_id": t[new_parent]["id"]})
    assert_error(r, 422, field="parent_id")
    assert snapshot(server) == before


@pytest.mark.parametrize("body, status, field", [
    ({"parent_id": 999999}, 422, "parent_id"),
    ({"manager_id": 999999}, 422, "manager_id"),
    ({"kind": "hr"}, 400, "kind"),
    ({"name": ""}, 400, "name"),
    ({"owner": 1}, 400, "owner"),
])
def test_patch_team_errors(server, admin, chain, body, status, field):
    before = snapshot(server)
    r = admin.patch("/api/v1/teams/%d" % chain[1]["id"], json=body)
    assert_error(r, status, field=field)
    assert snapshot(server) == before


@pytest.mark.parametrize("ident, status", [
    ("999999", 404), ("0", 400), ("x", 400), ("-2", 400),
])
def test_unknown_or_bad_team_id(admin, ident, status):
    assert_error(admin.get("/api/v1/teams/" + ident), status)
    assert_error(admin.patch("/api/v1/teams/" + ident, json={"name": "x"}),
                 status)


def closure_from_parents(server):
    """The (ancestor, descendant) pairs computed from teams.parent_id."""
    parent = {r["id"]: r["parent_id"] for r in
              db_rows(server.db, "SELECT id, parent_id FROM teams")}
    pairs = set()
    for t in parent:
        a, depth = t, 0
        while a is not None:
            pairs.add((a, t, depth))
            a, depth = parent[a], depth + 1
            assert depth < 1000
    return pairs


def stored_closure(server):
    return {(r["ancestor_id"], r["descendant_id"], r["depth"]) for r in
            db_rows(server.db, "SELECT * FROM team_closure")}


def test_moves_keep_the_closure_exact(server, admin, chain):
    a, b, c, d = chain
    assert stored_closure(server) == closure_from_parents(server)
    for team, parent in ((c, d), (b, None), (d, b), (a, c)):
        r = admin.patch("/api/v1/teams/%d" % team["id"],
                        json={"parent_id": parent and parent["id"]})
        assert r.status_code == 200, r.text
        assert stored_closure(server) == closure_from_parents(server)
    # Now b > d > c > a: b is the root of all four.
    got = {t: admin.get("/api/v1/teams/%d" % x["id"]).json()["parent_id"]
           for t, x in zip("abcd", chain)}
    assert got == {"a": c["id"], "b": None, "c": d["id"], "d": b["id"]}


def test_concurrent_creates_all_succeed(server, admin):
    """Writes from many connections at once are serialised, not refused."""
    parent = make_team(admin)
    names = [uniq("song song ") for _ in range(24)]

    def create(name):
        return admin.post("/api/v1/teams", json={
            "name": name, "kind": "sales", "parent_id": parent["id"]})

    with ThreadPoolExecutor(max_workers=8) as ex:
        results = list(ex.map(create, names))
    assert [r.status_code for r in results] == [201] * len(names)
    ids = {r.json()["id"] for r in results}
    assert len(ids) == len(names)
    assert stored_closure(server) == closure_from_parents(server)
    children = {t["id"] for t in admin.get("/api/v1/teams?limit=500").json()
                ["data"] if t["parent_id"] == parent["id"]}
    assert children == ids


def test_list_walk(server, admin):
    ids = [r["id"] for r in db_rows(server.db,
                                    "SELECT id FROM teams ORDER BY id")]
    seen, cursor = [], None
    while True:
        q = "?limit=4" + ("&cursor=" + cursor if cursor else "")
        body = admin.get("/api/v1/teams" + q).json()
        assert set(body) == {"data", "next_cursor"}
        assert all(set(t) == TEAM_KEYS for t in body["data"])
        seen += [t["id"] for t in body["data"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == ids
