"""/api/v1/me and /api/v1/users: shapes, own settings, fields a caller may
not set (SPEC Appendix C), creating and updating users, email rules,
pagination."""

import unicodedata

import pytest

from conftest import (ADMIN_EMAIL, ISO_UTC, USER_KEYS, api_token,
                      assert_error, db_rows, db_snapshot, make_team,
                      make_user, uniq, uniq_email)


@pytest.fixture(scope="module")
def team(admin):
    return make_team(admin, kind="sales")


@pytest.fixture(scope="module")
def rep(server, admin, team):
    """A sales rep of a new team, with a bearer client."""
    u = make_user(admin, role="sales_rep", team_id=team["id"])
    c = server.bearer(api_token(admin, u["id"]))
    c.user = u
    return c


def snapshot(server):
    return db_snapshot(server.db, ("users", "audit_log", "api_tokens"))


# ---- /me ----

def test_me_shape(rep):
    r = rep.get("/api/v1/me")
    assert r.status_code == 200
    me = r.json()
    assert set(me) == USER_KEYS
    assert me["id"] == rep.user["id"]
    assert me["email"] == rep.user["email"]
    assert me["role"] == "sales_rep"
    assert me["team_id"] == rep.user["team_id"]
    assert me["locale"] == "vi"           # the default
    assert me["sales_mode"] is None and me["phone"] is None
    assert me["active"] is True
    assert ISO_UTC.match(me["created_at"]) and ISO_UTC.match(me["updated_at"])


def test_patch_me_own_settings(rep):
    before = rep.get("/api/v1/me").json()
    change = {"name": "Trần Văn Ánh", "locale": "en", "phone": "+84901234567"}
    r = rep.patch("/api/v1/me", json=change)
    assert r.status_code == 200, r.text
    for k, v in change.items():
        assert r.json()[k] == v
    after = rep.get("/api/v1/me").json()       # not a stale cached copy
    for k, v in change.items():
        assert after[k] == v
    assert after["updated_at"] >= before["updated_at"]
    assert after["created_at"] == before["created_at"]
    r = rep.patch("/api/v1/me", json={"phone": None, "locale": "vi"})
    assert r.status_code == 200
    assert r.json()["phone"] is None and r.json()["locale"] == "vi"


def test_text_is_stored_as_nfc(server, rep):
    nfd = unicodedata.normalize("NFD", "Nguyễn Thị Đặng Hương")
    nfc = unicodedata.normalize("NFC", nfd)
    assert nfd != nfc
    r = rep.patch("/api/v1/me", json={"name": nfd})
    assert r.status_code == 200
    assert r.json()["name"] == nfc
    rows = db_rows(server.db, "SELECT name FROM users WHERE id = ?",
                   (rep.user["id"],))
    assert rows[0]["name"] == nfc


FORBIDDEN_ON_SELF = [
    ("role", "sales_manager"),
    ("role", "admin"),
    ("team_id", None),
    ("active", False),
    ("email", "other.address@test.pheu.vn"),
    ("sales_mode", "inside"),
    # SPEC Appendix C: id and created_at are fields a caller may not set.
    ("id", 1),
    ("created_at", "2020-01-01T00:00:00Z"),
]


@pytest.mark.parametrize("field, value", FORBIDDEN_ON_SELF,
                         ids=["%s=%s" % fv for fv in FORBIDDEN_ON_SELF])
def test_non_admin_may_not_set_on_self(server, rep, field, value):
    before = snapshot(server)
    r = rep.patch("/api/v1/me", json={field: value})
    assert_error(r, 422, field=field)
    # Also when mixed with an allowed change: nothing is written.
    r = rep.patch("/api/v1/me", json={"name": "Không đổi", field: value})
    assert_error(r, 422, field=field)
    assert snapshot(server) == before
    r = rep.patch("/api/v1/users/%d" % rep.user["id"], json={field: value})
    assert_error(r, 422, field=field)
    assert snapshot(server) == before


@pytest.mark.parametrize("path", ["/api/v1/me", "/api/v1/users/1"])
@pytest.mark.parametrize("field, value", [("role", "sales_rep"),
                                          ("active", False)])
def test_admin_may_not_change_own_role_or_active(server, admin, path, field,
                                                  value):
    before = snapshot(server)
    r = admin.patch(path, json={field: value})
    assert_error(r, 422, field=field)
    assert snapshot(server) == before
    assert admin.get("/api/v1/me").json()["role"] == "admin"


@pytest.mark.parametrize("body, status, field", [
    ({"locale": "fr"}, 400, "locale"),
    ({"locale": None}, 400, "locale"),
    ({"name": ""}, 400, "name"),
    ({"name": 5}, 400, "name"),
    ({"name": "a\u0007b"}, 400, "name"),
    ({"phone": 84901234567}, 400, "phone"),
    ({"nickname": "x"}, 400, "nickname"),
    ({"password_hash": "x"}, 400, "password_hash"),
    ({"password": "1234567"}, 422, "password"),
    ({"password": 12345678}, 400, "password"),
])
def test_patch_me_bad_values(server, rep, body, status, field):
    before = snapshot(server)
    assert_error(rep.patch("/api/v1/me", json=body), status, field=field)
    assert snapshot(server) == before


# ---- creating users ----

def test_create_user(server, admin, team):
    email = "Tao.Moi.%s@Test.PHEU.vn" % uniq()
    body = {"email": email, "name": "Lê Thị Hồng", "role": "account_executive",
            "team_id": team["id"], "password": "một-mật-khẩu-dài",
            "sales_mode": "outside", "locale": "en", "phone": "+84912345678"}
    r = admin.post("/api/v1/users", json=body)
    assert r.status_code == 201, r.text
    u = r.json()
    assert set(u) == USER_KEYS
    assert r.headers["Location"] == "/api/v1/users/%d" % u["id"]
    assert u["email"] == email.lower()
    for k in ("name", "role", "team_id", "sales_mode", "locale", "phone"):
        assert u[k] == body[k], k
    assert u["active"] is True
    assert "một-mật-khẩu-dài" not in r.text and "$argon2" not in r.text
    assert admin.get("/api/v1/users/%d" % u["id"]).json() == u
    # The password works.
    assert server.login_response(email, "một-mật-khẩu-dài").status_code == 200


def test_create_user_defaults(admin):
    u = make_user(admin, role="marketer")
    assert u["team_id"] is None and u["sales_mode"] is None
    assert u["phone"] is None and u["locale"] == "vi" and u["active"] is True


def test_duplicate_email_is_409_with_existing_id(server, admin):
    existing = db_rows(server.db, "SELECT id, email FROM users WHERE role = "
                       "'sales_rep' ORDER BY id LIMIT 1")[0]
    before = snapshot(server)
    for email in (existing["email"], existing["email"].upper()):
        r = admin.post("/api/v1/users", json={"email": email, "name": "Trùng",
                                              "role": "sales_rep"})
        e = assert_error(r, 409, field="email", code="conflict")
        assert e["existing_id"] == existing["id"]
    assert snapshot(server) == before


def long_email(local, total):
    domain_len = total - local - 1
    labels, left = [], domain_len - 3          # ".vn"
    while left > 0:
        n = min(60, left)
        labels.append("d" * n)
        left -= n + 1
    domain = ".".join(labels)[:domain_len - 3] + ".vn"
    e = "l" * local + "@" + domain
    assert len(e) == total and ".." not in e and "@." not in e, e
    return e


BAD_EMAILS = [
    "plainaddress", "@test.pheu.vn", "an@", "an@test", "a b@test.pheu.vn",
    "an@te st.vn", "a..b@test.pheu.vn", ".ab@test.pheu.vn",
    "ab.@test.pheu.vn", "an@test..vn", "an@.test.vn", "an@test.pheu.vn.",
    "an@@test.pheu.vn", "a<b>@test.pheu.vn", "a\t@test.pheu.vn",
    " an@test.pheu.vn", "an@test.pheu.vn ", "nguyễn@test.pheu.vn",
    "an\u200b@test.pheu.vn", "an@test\u200b.pheu.vn",
    "an@test.pheu.vn\u200b", "an@test\u00a0.vn", "\ufeffan@test.pheu.vn",
    "l" * 65 + "@test.pheu.vn",
    long_email(64, 255),
    long_email(10, 300),
]


BAD_EMAIL_IDS = [
    "no-at", "no-local", "no-domain", "no-dot", "space-local",
    "space-domain", "double-dot-local", "leading-dot", "trailing-dot-local",
    "double-dot-domain", "domain-leading-dot", "domain-trailing-dot",
    "two-ats", "angle-brackets", "tab", "leading-space", "trailing-space",
    "non-ascii-local", "zero-width-local", "zero-width-domain",
    "zero-width-end", "nbsp-domain", "bom-local", "local-65", "whole-255",
    "whole-300",
]


@pytest.mark.parametrize("email", BAD_EMAILS, ids=BAD_EMAIL_IDS)
def test_bad_email_is_422_naming_email(server, admin, email):
    before = snapshot(server)
    r = admin.post("/api/v1/users", json={"email": email, "name": "Sai",
                                          "role": "sales_rep"})
    assert_error(r, 422, field="email")
    assert snapshot(server) == before


@pytest.mark.parametrize("email", [
    long_email(64, 100), long_email(20, 254), "a.b-c+d_e@x.pheu.vn",
    "an@xn--phu-5na.vn", "an@phễu.vn",
], ids=["local-64", "whole-254", "punctuation", "punycode", "idn-domain"])
def test_good_email_edges_are_accepted(admin, email):
    r = admin.post("/api/v1/users", json={"email": email, "name": "Đúng",
                                          "role": "sales_rep"})
    assert r.status_code == 201, r.text
    assert r.json()["email"] == email.lower()


def create_errors():
    base = {"name": "Người mới", "role": "sales_rep"}
    return [
        ("no-email", dict(base), 400, "email"),
        ("no-name", {"role": "sales_rep"}, 400, "name"),
        ("no-role", {"name": "x"}, 400, "role"),
        ("empty-name", dict(base, name=""), 400, "name"),
        ("role-unknown", dict(base, role="ceo"), 400, "role"),
        ("role-case", dict(base, role="Admin"), 400, "role"),
        ("role-empty", dict(base, role=""), 400, "role"),
        ("role-number", dict(base, role=1), 400, "role"),
        ("team-unknown", dict(base, team_id=999999), 422, "team_id"),
        ("team-string", dict(base, team_id="1"), 400, "team_id"),
        ("team-zero", dict(base, team_id=0), 400, "team_id"),
        ("team-negative", dict(base, team_id=-3), 400, "team_id"),
        ("sales-mode", dict(base, sales_mode="remote"), 400, "sales_mode"),
        ("locale", dict(base, locale="fr"), 400, "locale"),
        ("active-string", dict(base, active="yes"), 400, "active"),
        ("unknown-field", dict(base, salary=1000), 400, "salary"),
        ("password-hash", dict(base, password_hash="$argon2id$x"), 400,
         "password_hash"),
        ("password-short", dict(base, password="1234567"), 422, "password"),
        ("password-number", dict(base, password=12345678), 400, "password"),
        ("set-id", dict(base, id=424242), 422, "id"),
        ("set-created-at", dict(base, created_at="2020-01-01T00:00:00Z"),
         422, "created_at"),
    ]


@pytest.mark.parametrize("case, body, status, field", create_errors(),
                         ids=[c[0] for c in create_errors()])
def test_create_user_errors(server, admin, case, body, status, field):
    body = dict(body)
    if case != "no-email":
        body.setdefault("email", uniq_email("err"))
    before = snapshot(server)
    r = admin.post("/api/v1/users", json=body)
    assert_error(r, status, field=field)
    assert snapshot(server) == before


@pytest.mark.parametrize("role", ["sales_manager", "marketing_manager",
                                  "sales_rep", "customer_success"])
def test_only_admins_create_users(server, admin, role):
    actor = make_user(admin, role=role)
    c = server.bearer(api_token(admin, actor["id"]))
    before = snapshot(server)
    r = c.post("/api/v1/users", json={"email": uniq_email(), "name": "x",
                                      "role": "sales_rep"})
    assert_error(r, 403, code="forbidden")
    assert snapshot(server) == before


# ---- reading and updating users ----

@pytest.mark.parametrize("ident, status", [
    ("0", 400), ("-1", 400), ("abc", 400), ("01", 400), ("1.0", 400),
    ("1e3", 400), ("999999999", 404),
])
def test_get_user_bad_or_unknown_id(admin, ident, status):
    r = admin.get("/api/v1/users/" + ident)
    e = assert_error(r, status)
    if status == 400:
        assert e.get("field") == "id"


def test_admin_updates_any_field(server, admin, team):
    u = make_user(admin, role="sales_rep")
    other = make_team(admin, kind="success")
    change = {"name": "Phạm Thu Trang", "role": "customer_success",
              "team_id": other["id"], "sales_mode": "inside", "locale": "en",
              "phone": "+84987654321", "email": uniq_email("moved"),
              "active": False}
    r = admin.patch("/api/v1/users/%d" % u["id"], json=change)
    assert r.status_code == 200, r.text
    got = admin.get("/api/v1/users/%d" % u["id"]).json()
    for k, v in change.items():
        assert got[k] == v, k
        assert r.json()[k] == v, k
    r = admin.patch("/api/v1/users/%d" % u["id"],
                    json={"team_id": None, "sales_mode": None})
    assert r.status_code == 200
    assert r.json()["team_id"] is None and r.json()["sales_mode"] is None


def test_update_errors(server, admin):
    u = make_user(admin)
    before = snapshot(server)
    path = "/api/v1/users/%d" % u["id"]
    assert_error(admin.patch(path, json={"email": ADMIN_EMAIL}), 409,
                 field="email")
    assert_error(admin.patch(path, json={"email": "bad email@x.vn"}), 422,
                 field="email")
    assert_error(admin.patch(path, json={"team_id": 999999}), 422,
                 field="team_id")
    assert_error(admin.patch(path, json={"role": "boss"}), 400, field="role")
    assert_error(admin.patch(path, json={"bogus": 1}), 400, field="bogus")
    assert_error(admin.patch("/api/v1/users/999999", json={"name": "x"}), 404)
    assert snapshot(server) == before


def test_non_admin_cannot_change_others(server, admin, team, rep):
    mgr = make_user(admin, role="sales_manager", team_id=team["id"])
    c = server.bearer(api_token(admin, mgr["id"]))
    before = snapshot(server)
    # Visible (same team, managed): 403. Invisible: 404.
    r = c.patch("/api/v1/users/%d" % rep.user["id"], json={"name": "x"})
    assert_error(r, 403)
    r = c.patch("/api/v1/users/1", json={"name": "x"})
    assert_error(r, 404)
    r = rep.patch("/api/v1/users/%d" % mgr["id"], json={"name": "x"})
    assert_error(r, 404)
    assert snapshot(server) == before


# ---- lists and pagination ----

def test_admin_list_is_every_user_by_id(server, admin):
    ids = [r["id"] for r in db_rows(server.db,
                                    "SELECT id FROM users ORDER BY id")]
    r = admin.get("/api/v1/users?limit=500")
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"data", "next_cursor"}
    assert [u["id"] for u in body["data"]] == ids[:500]
    assert all(set(u) == USER_KEYS for u in body["data"])
    assert body["next_cursor"] is None


def test_default_limit_is_50(server, admin):
    total = len(db_rows(server.db, "SELECT id FROM users"))
    while total <= 50:
        make_user(admin)
        total += 1
    r = admin.get("/api/v1/users").json()
    assert len(r["data"]) == 50
    assert r["next_cursor"] == str(r["data"][-1]["id"])


@pytest.mark.parametrize("limit", [1, 3, 7])
def test_cursor_walk(server, admin, limit):
    ids = [r["id"] for r in db_rows(server.db,
                                    "SELECT id FROM users ORDER BY id")]
    seen, cursor, pages = [], None, 0
    while True:
        q = "?limit=%d" % limit + ("&cursor=%s" % cursor if cursor else "")
        body = admin.get("/api/v1/users" + q).json()
        assert len(body["data"]) <= limit
        seen += [u["id"] for u in body["data"]]
        cursor = body["next_cursor"]
        pages += 1
        if cursor is None:
            break
        assert isinstance(cursor, str)
        assert len(body["data"]) == limit
        assert pages <= len(ids) + 1
    assert seen == ids


def test_list_of_a_plain_user_is_only_themselves(rep):
    body = rep.get("/api/v1/users?limit=500").json()
    assert [u["id"] for u in body["data"]] == [rep.user["id"]]
    assert body["next_cursor"] is None
