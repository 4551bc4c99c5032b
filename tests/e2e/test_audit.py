"""The audit log: every write leaves exactly one row with the right values
and no secrets; a refused request writes nothing and changes no row; and
with PHEU_FAULT_DB_STEP=N (the Nth database step fails) a failed write
leaves no partial rows behind."""

import json
import time

import pytest

from conftest import (ADMIN_EMAIL, Server, api_token, assert_error,
                      cli_token, copy_db, db_rows, db_snapshot, db_value,
                      error_of, make_team, make_user, uniq, uniq_email)

ALL_TABLES = ("users", "teams", "team_closure", "audit_log", "api_tokens",
              "sessions", "login_failures")


@pytest.fixture(scope="module")
def srv(demo_db, tmp_path_factory):
    """A server of this module's own (no logins: only bearer tokens, so
    the audit log holds only what these tests write)."""
    d = tmp_path_factory.mktemp("audit")
    s = Server(copy_db(demo_db, d / "pheu.db"), d).start()
    yield s
    assert s.stop() == 0, s.stderr()


@pytest.fixture(scope="module")
def root(srv):
    c = srv.token(ADMIN_EMAIL)
    c.user = c.get("/api/v1/me").json()
    return c


def last_id(db):
    return db_value(db, "SELECT COALESCE(MAX(id), 0) FROM audit_log")


def new_rows(db, since):
    rows = db_rows(db, "SELECT * FROM audit_log WHERE id > ? ORDER BY id",
                   (since,))
    for r in rows:
        for k in ("old_values", "new_values"):
            r[k] = json.loads(r[k]) if r[k] is not None else None
    return rows


def now_ms():
    return int(time.time() * 1000)


def all_audit_text(db):
    return json.dumps(db_rows(db, "SELECT * FROM audit_log"))


# ---- each write, one row ----

def test_create_user(srv, root):
    pw = "mật-khẩu-%s" % uniq()
    team = make_team(root, kind="sales")
    since, t0 = last_id(srv.db), now_ms()
    u = make_user(root, role="sales_rep", team_id=team["id"], password=pw)
    rows = new_rows(srv.db, since)
    assert len(rows) == 1, rows
    a = rows[0]
    assert (a["action"], a["object"], a["object_id"], a["user_id"]) == (
        "create", "user", u["id"], root.user["id"])
    assert t0 - 2000 <= a["at"] <= now_ms() + 2000
    assert a["old_values"] is None
    for k in ("email", "name", "role", "team_id", "active"):
        assert a["new_values"][k] == u[k], k
    assert "password" not in a["new_values"]
    text = all_audit_text(srv.db)
    assert pw not in text and "$argon2" not in text


def test_update_user(srv, root):
    u = make_user(root, role="sales_rep", name="Tên Cũ")
    since = last_id(srv.db)
    r = root.patch("/api/v1/users/%d" % u["id"],
                   json={"name": "Tên Mới", "role": "sales_manager"})
    assert r.status_code == 200
    rows = new_rows(srv.db, since)
    assert len(rows) == 1, rows
    a = rows[0]
    assert (a["action"], a["object"], a["object_id"], a["user_id"]) == (
        "update", "user", u["id"], root.user["id"])
    assert a["old_values"]["name"] == "Tên Cũ"
    assert a["old_values"]["role"] == "sales_rep"
    assert a["new_values"]["name"] == "Tên Mới"
    assert a["new_values"]["role"] == "sales_manager"


def test_own_password_change_keeps_no_secret(srv, root):
    u = make_user(root, role="marketer")
    me = srv.bearer(api_token(root, u["id"]))
    pw = "mật-khẩu-mới-%s" % uniq()
    since = last_id(srv.db)
    assert me.patch("/api/v1/me", json={"password": pw}).status_code == 200
    rows = new_rows(srv.db, since)
    assert len(rows) == 1, rows
    assert (rows[0]["action"], rows[0]["object"], rows[0]["object_id"],
            rows[0]["user_id"]) == ("update", "user", u["id"], u["id"])
    text = all_audit_text(srv.db)
    assert pw not in text and "$argon2" not in text


def test_create_and_move_team(srv, root):
    since = last_id(srv.db)
    parent = make_team(root, kind="marketing")
    t = make_team(root, kind="marketing", name="Nhóm Kiểm toán")
    rows = new_rows(srv.db, since)
    assert [(a["action"], a["object"], a["object_id"]) for a in rows] == [
        ("create", "team", parent["id"]), ("create", "team", t["id"])]
    assert rows[1]["old_values"] is None
    assert rows[1]["new_values"]["name"] == "Nhóm Kiểm toán"
    assert rows[1]["new_values"]["kind"] == "marketing"
    since = last_id(srv.db)
    r = root.patch("/api/v1/teams/%d" % t["id"],
                   json={"parent_id": parent["id"]})
    assert r.status_code == 200
    rows = new_rows(srv.db, since)
    assert len(rows) == 1, rows
    a = rows[0]
    assert (a["action"], a["object"], a["object_id"], a["user_id"]) == (
        "update", "team", t["id"], root.user["id"])
    assert a["old_values"]["parent_id"] is None
    assert a["new_values"]["parent_id"] == parent["id"]


def test_token_create_and_revoke(srv, root):
    since = last_id(srv.db)
    r = root.post("/api/v1/tokens", json={"name": "audit"})
    assert r.status_code == 201
    t = r.json()
    rows = new_rows(srv.db, since)
    assert len(rows) == 1, rows
    assert (rows[0]["object"], rows[0]["object_id"], rows[0]["user_id"]) == (
        "api_token", t["id"], root.user["id"])
    since = last_id(srv.db)
    assert root.delete("/api/v1/tokens/%d" % t["id"]).status_code == 204
    rows = new_rows(srv.db, since)
    assert len(rows) == 1, rows
    assert (rows[0]["object"], rows[0]["object_id"]) == ("api_token", t["id"])
    assert t["token"] not in all_audit_text(srv.db)


# ---- refused requests write nothing ----

def refused_cases():
    """(name, who, method, path, body, status, field)."""
    return [
        ("dup-email", "admin", "POST", "/api/v1/users",
         {"email": ADMIN_EMAIL, "name": "x", "role": "admin"}, 409, "email"),
        ("bad-email", "admin", "POST", "/api/v1/users",
         {"email": "no at sign", "name": "x", "role": "admin"}, 422, "email"),
        ("unknown-team", "admin", "POST", "/api/v1/users",
         {"email": "t@test.pheu.vn", "name": "x", "role": "sales_rep",
          "team_id": 999999}, 422, "team_id"),
        ("short-password", "admin", "POST", "/api/v1/users",
         {"email": "p@test.pheu.vn", "name": "x", "role": "sales_rep",
          "password": "short"}, 422, "password"),
        ("unknown-field", "admin", "POST", "/api/v1/users",
         {"email": "u@test.pheu.vn", "name": "x", "role": "sales_rep",
          "nickname": "y"}, 400, "nickname"),
        ("not-admin", "rep", "POST", "/api/v1/users",
         {"email": "n@test.pheu.vn", "name": "x", "role": "admin"}, 403, None),
        ("own-role", "rep", "PATCH", "/api/v1/me",
         {"name": "x", "role": "admin"}, 422, "role"),
        ("own-team", "rep", "PATCH", "/api/v1/me",
         {"locale": "en", "team_id": 1}, 422, "team_id"),
        ("admin-own-active", "admin", "PATCH", "/api/v1/me",
         {"active": False}, 422, "active"),
        ("other-user", "rep", "PATCH", "/api/v1/users/1", {"name": "x"},
         404, None),
        ("team-cycle", "admin", "PATCH", "/api/v1/teams/{root_team}",
         {"name": "vòng", "parent_id": "{child_team}"}, 422, "parent_id"),
        ("team-self-parent", "admin", "PATCH", "/api/v1/teams/{root_team}",
         {"parent_id": "{root_team}"}, 422, "parent_id"),
        ("team-unknown-manager", "admin", "POST", "/api/v1/teams",
         {"name": "x", "kind": "sales", "manager_id": 999999}, 422,
         "manager_id"),
        ("team-not-admin", "rep", "POST", "/api/v1/teams",
         {"name": "x", "kind": "sales"}, 403, None),
        ("token-for-other", "rep", "POST", "/api/v1/tokens",
         {"name": "x", "user_id": 1}, 422, "user_id"),
        ("revoke-other", "rep", "DELETE", "/api/v1/tokens/{admin_token}",
         None, 404, None),
        ("malformed-json", "admin", "POST", "/api/v1/teams",
         b'{"name": "x", "kind": "sales"', 400, None),
        ("duplicate-keys", "admin", "POST", "/api/v1/teams",
         b'{"name": "x", "kind": "sales", "kind": "success"}', 400, None),
        ("no-credentials", "anon", "POST", "/api/v1/teams",
         {"name": "x", "kind": "sales"}, 401, None),
    ]


@pytest.fixture(scope="module")
def refused_ctx(srv, root):
    rep_user = make_user(root, role="sales_rep")
    a = make_team(root)
    b = make_team(root, parent_id=a["id"])
    tok = root.post("/api/v1/tokens", json={"name": "admin's"}).json()
    return {
        "clients": {"admin": root, "anon": srv.client(),
                    "rep": srv.bearer(api_token(root, rep_user["id"]))},
        "ids": {"root_team": a["id"], "child_team": b["id"],
                "admin_token": tok["id"]},
    }


def fill(value, ids):
    if isinstance(value, str) and value.startswith("{") and \
            value.endswith("}") and value[1:-1] in ids:
        return ids[value[1:-1]]
    if isinstance(value, dict):
        return {k: fill(v, ids) for k, v in value.items()}
    return value


@pytest.mark.parametrize("name, who, method, path, body, status, field",
                         refused_cases(), ids=[c[0] for c in refused_cases()])
def test_refused_request_changes_nothing(srv, refused_ctx, name, who, method,
                                         path, body, status, field):
    ids = refused_ctx["ids"]
    path = path.format(**ids)
    kw = {}
    if isinstance(body, bytes):
        kw = {"data": body, "headers": {"Content-Type": "application/json"}}
    elif body is not None:
        kw = {"json": fill(body, ids)}
    before = db_snapshot(srv.db, ALL_TABLES)
    r = refused_ctx["clients"][who].request(method, path, **kw)
    assert_error(r, status, field=field)
    assert db_snapshot(srv.db, ALL_TABLES) == before


# ---- fault injection: a failed write leaves nothing ----

def changes(before, after):
    """Rows added and removed per table, for failure messages."""
    out = {}
    for t in before:
        b, a = set(before[t]), set(after[t])
        if a != b:
            out[t] = {"added": sorted(a - b)[:5], "removed": sorted(b - a)[:5]}
    return out


def fault_sweep(demo_db, tmp_path, prepare, send, ok_status, verify_done,
                tables=ALL_TABLES, limit=60):
    """For N = 1, 2, ... starts a server on a copy of the prepared database
    with PHEU_FAULT_DB_STEP=N and sends the request. Until N passes the
    last step of the request, the request fails (500) and must leave every
    table as it was; the server must then carry on, and the same request
    succeed. Returns how many N made the request fail. verify_done may
    read the database but not call the server: its fault may be ahead."""
    base = copy_db(demo_db, tmp_path / "base.db")
    ctx = prepare(base)
    failed = 0
    for n in range(1, limit):
        d = tmp_path / ("n%d" % n)
        d.mkdir()
        db = copy_db(base, d / "pheu.db")
        before = db_snapshot(db, tables)
        srv = Server(db, d, env={"PHEU_FAULT_DB_STEP": n})
        srv.start(wait_health=False, expect_ready=False)
        if srv.ready_line is None:
            srv.wait()                  # the fault hit start-up: no server
            assert failed == 0, "start-up failed after requests had failed"
            continue
        try:
            r = send(srv, ctx)
            finished = r.status_code == ok_status
            if not finished:
                assert r.status_code == 500, (n, r.status_code, r.text)
                error_of(r)
                after = db_snapshot(db, tables)
                assert after == before, (
                    "the request answered 500 (fault at step %d) but "
                    "changed the database: %s" % (n, changes(before, after)))
                failed += 1
                r = send(srv, ctx)
                assert r.status_code == ok_status, (n, r.status_code, r.text)
            verify_done(srv, ctx, r)
        finally:
            rc = srv.stop()
        assert rc == 0, srv.stderr()
        if finished:
            return failed
    pytest.fail("the request never succeeded within %d steps" % limit)


def test_fault_in_user_create_leaves_nothing(demo_db, tmp_path):
    def prepare(db):
        return {"token": cli_token(db, ADMIN_EMAIL),
                "team": db_value(db, "SELECT MIN(id) FROM teams"),
                "email": uniq_email("fault")}

    def send(srv, ctx):
        return srv.bearer(ctx["token"]).post("/api/v1/users", json={
            "email": ctx["email"], "name": "Lỗi Ghi", "role": "sales_rep",
            "team_id": ctx["team"]})

    def done(srv, ctx, r):
        uid = r.json()["id"]
        assert db_value(srv.db, "SELECT COUNT(*) FROM users WHERE email = ?",
                        (ctx["email"],)) == 1
        assert db_value(srv.db, "SELECT COUNT(*) FROM audit_log WHERE "
                        "object = 'user' AND object_id = ?", (uid,)) == 1

    # Authentication, the team check, the insert, the read-back and the
    # audit row each take a step: at least four of them can fail.
    assert fault_sweep(demo_db, tmp_path, prepare, send, 201, done) >= 4


def test_fault_in_team_move_leaves_the_tree_whole(demo_db, tmp_path):
    def prepare(db):
        child = db_rows(db, "SELECT id, parent_id FROM teams WHERE parent_id "
                        "IS NOT NULL ORDER BY id LIMIT 1")[0]
        roots = [r["id"] for r in db_rows(
            db, "SELECT id FROM teams WHERE parent_id IS NULL AND id != ? "
            "ORDER BY id", (child["parent_id"],))]
        assert roots
        audited = db_value(db, "SELECT COUNT(*) FROM audit_log WHERE "
                           "object = 'team' AND object_id = ?", (child["id"],))
        return {"token": cli_token(db, ADMIN_EMAIL), "team": child["id"],
                "to": roots[0], "audited": audited}

    def send(srv, ctx):
        return srv.bearer(ctx["token"]).patch(
            "/api/v1/teams/%d" % ctx["team"],
            json={"parent_id": ctx["to"], "name": "Đã chuyển"})

    def done(srv, ctx, r):
        assert r.json()["parent_id"] == ctx["to"]
        pairs = {(x["ancestor_id"], x["descendant_id"]) for x in db_rows(
            srv.db, "SELECT * FROM team_closure")}
        assert (ctx["to"], ctx["team"]) in pairs
        assert db_value(srv.db, "SELECT COUNT(*) FROM audit_log WHERE "
                        "object = 'team' AND object_id = ?",
                        (ctx["team"],)) == ctx["audited"] + 1

    # The closure is rebuilt by a delete and an insert: a fault between
    # them must not leave the tree without its closure rows.
    assert fault_sweep(demo_db, tmp_path, prepare, send, 200, done) >= 5


def test_fault_in_token_create_leaves_nothing(demo_db, tmp_path):
    def prepare(db):
        return {"token": cli_token(db, ADMIN_EMAIL)}

    def send(srv, ctx):
        return srv.bearer(ctx["token"]).post("/api/v1/tokens",
                                             json={"name": "fault"})

    def done(srv, ctx, r):
        # Only the database is read here: the fault may still be ahead.
        t = r.json()
        assert db_value(srv.db, "SELECT COUNT(*) FROM api_tokens WHERE "
                        "name = 'fault'") == 1
        assert db_value(srv.db, "SELECT COUNT(*) FROM audit_log WHERE "
                        "object = 'api_token' AND object_id = ?",
                        (t["id"],)) == 1

    assert fault_sweep(demo_db, tmp_path, prepare, send, 201, done) >= 3


def test_fault_in_team_create_leaves_nothing(demo_db, tmp_path):
    def prepare(db):
        return {"token": cli_token(db, ADMIN_EMAIL),
                "parent": db_value(db, "SELECT MIN(id) FROM teams"),
                "name": uniq("Nhóm lỗi ")}

    def send(srv, ctx):
        return srv.bearer(ctx["token"]).post("/api/v1/teams", json={
            "name": ctx["name"], "kind": "marketing",
            "parent_id": ctx["parent"]})

    def done(srv, ctx, r):
        tid = r.json()["id"]
        assert db_value(srv.db, "SELECT COUNT(*) FROM teams WHERE name = ?",
                        (ctx["name"],)) == 1
        assert db_value(srv.db, "SELECT COUNT(*) FROM team_closure WHERE "
                        "ancestor_id = ? AND descendant_id = ?",
                        (ctx["parent"], tid)) == 1
        assert db_value(srv.db, "SELECT COUNT(*) FROM audit_log WHERE "
                        "object = 'team' AND object_id = ?", (tid,)) == 1

    assert fault_sweep(demo_db, tmp_path, prepare, send, 201, done) >= 4
