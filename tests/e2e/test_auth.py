"""Log in and out, session cookies, CSRF, bearer tokens on writes, login
rate limits (SPEC §12, Appendix C), and what deactivation and password
changes do to existing credentials."""

import json
import unicodedata
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import (ADMIN_EMAIL, DEMO_PASSWORD, USER_KEYS, api_token,
                      assert_error, db_rows, db_snapshot, make_user,
                      raw_http, uniq, uniq_email)


def cookie_attrs(resp):
    """The attributes of the pheu_session Set-Cookie header, lower-cased."""
    sc = resp.headers.get("Set-Cookie", "")
    assert sc.startswith("pheu_session="), sc
    return [a.strip().lower() for a in sc.split(";")]


# ---- logging in ----

def test_login_returns_user_csrf_and_cookie(server):
    r = server.login_response(ADMIN_EMAIL)
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"user", "csrf_token"}
    assert set(body["user"]) == USER_KEYS
    assert body["user"]["email"] == ADMIN_EMAIL
    assert body["user"]["role"] == "admin"
    csrf = body["csrf_token"]
    assert isinstance(csrf, str) and len(csrf) >= 16
    assert "password" not in r.text and "$argon2" not in r.text
    attrs = cookie_attrs(r)
    assert "httponly" in attrs
    assert "samesite=lax" in attrs
    assert "secure" not in attrs
    token = r.cookies["pheu_session"]
    assert len(token) >= 32
    me = server.client().get("/api/v1/me", cookies={"pheu_session": token})
    assert me.status_code == 200
    assert me.json()["id"] == body["user"]["id"]


def test_cookie_is_secure_behind_https_proxy(server):
    r = server.login_response(ADMIN_EMAIL,
                              headers={"X-Forwarded-Proto": "https"})
    assert r.status_code == 200
    assert "secure" in cookie_attrs(r)


def test_cookie_is_secure_with_secure_cookies_flag(fresh_server):
    srv = fresh_server(args=["--secure-cookies"])
    r = srv.login_response(ADMIN_EMAIL)
    assert r.status_code == 200
    assert {"secure", "httponly", "samesite=lax"} <= set(cookie_attrs(r))


def test_login_email_is_case_insensitive(server):
    r = server.login_response("Admin@Demo.PHEU.vn")
    assert r.status_code == 200, r.text
    assert r.json()["user"]["email"] == ADMIN_EMAIL


def test_wrong_password_and_unknown_email_look_the_same(server):
    wrong = server.login_response(ADMIN_EMAIL, "not-the-password")
    unknown = server.login_response(uniq_email("nobody"), DEMO_PASSWORD)
    for r in (wrong, unknown):
        e = assert_error(r, 401)
        assert e["code"] in ("invalid", "unauthenticated"), e
        assert "Set-Cookie" not in r.headers or \
            "pheu_session=;" in r.headers["Set-Cookie"]
    assert wrong.json() == unknown.json()   # no account enumeration


@pytest.mark.parametrize("body, field", [
    ({}, "email"),
    ({"email": ADMIN_EMAIL}, "password"),
    ({"password": DEMO_PASSWORD}, "email"),
    ({"email": 5, "password": DEMO_PASSWORD}, "email"),
    ({"email": ADMIN_EMAIL, "password": None}, "password"),
    ({"email": ADMIN_EMAIL, "password": ["pheu-demo"]}, "password"),
])
def test_login_bad_input_is_400(server, body, field):
    r = server.client().post("/api/v1/auth/login", json=body)
    assert_error(r, 400, field=field)


def test_login_extra_field_is_400(server):
    body = {"email": ADMIN_EMAIL, "password": DEMO_PASSWORD, "remember": True}
    r = server.client().post("/api/v1/auth/login", json=body)
    assert_error(r, 400)
    assert "Set-Cookie" not in r.headers


# ---- /me with a cookie or a token ----

def test_me_with_cookie_carries_the_csrf_token(admin_cookie):
    r = admin_cookie.get("/api/v1/me", headers={"X-CSRF-Token": None})
    assert r.status_code == 200
    body = r.json()
    assert set(body) == USER_KEYS | {"csrf_token"}
    assert body["csrf_token"] == admin_cookie.csrf
    assert body["email"] == ADMIN_EMAIL


def test_me_with_bearer_has_no_csrf_token(admin):
    r = admin.get("/api/v1/me")
    assert r.status_code == 200
    assert set(r.json()) == USER_KEYS


# ---- CSRF on cookie-authenticated writes ----

def csrf_cases():
    return [
        ("PATCH", "/api/v1/me", {"locale": "en"}),
        ("POST", "/api/v1/tokens", {"name": "csrf"}),
        ("POST", "/api/v1/teams", {"name": "csrf team", "kind": "sales"}),
        ("POST", "/api/v1/users", {"email": "csrf@test.pheu.vn",
                                   "name": "CSRF", "role": "sales_rep"}),
        ("PATCH", "/api/v1/users/2", {"name": "CSRF"}),
        ("PATCH", "/api/v1/teams/1", {"name": "CSRF"}),
        ("DELETE", "/api/v1/tokens/1", None),
        ("POST", "/api/v1/auth/logout", None),
    ]


@pytest.fixture(scope="module")
def other_cookie(server):
    """A second cookie session (another user), for a foreign CSRF token."""
    email = db_rows(server.db, "SELECT email FROM users WHERE role = "
                    "'marketer' ORDER BY id LIMIT 1")[0]["email"]
    return server.login(email)


@pytest.mark.parametrize("method, path, body", csrf_cases(),
                         ids=[m + " " + p for m, p, _ in csrf_cases()])
@pytest.mark.parametrize("token", ["missing", "empty", "wrong", "foreign",
                                   "prefix", "longer"])
def test_cookie_write_without_right_csrf_is_403(server, admin_cookie,
                                                other_cookie, method, path,
                                                body, token):
    value = {
        "missing": None,
        "empty": "",
        "wrong": "x" * len(admin_cookie.csrf),
        "foreign": other_cookie.csrf,
        "prefix": admin_cookie.csrf[:-1],
        "longer": admin_cookie.csrf + "x",
    }[token]
    before = db_snapshot(server.db)
    r = admin_cookie.request(method, path, json=body,
                             headers={"X-CSRF-Token": value})
    assert_error(r, 403, code="forbidden")
    assert db_snapshot(server.db) == before
    # The session is still valid (a refused logout did not log out).
    assert admin_cookie.get("/api/v1/me").status_code == 200


def test_cookie_write_with_csrf_works(admin_cookie):
    r = admin_cookie.patch("/api/v1/me", json={"locale": "vi"})
    assert r.status_code == 200, r.text
    assert r.json()["locale"] == "vi"


def test_cookie_reads_need_no_csrf(admin_cookie):
    for path in ("/api/v1/me", "/api/v1/users", "/api/v1/teams",
                 "/api/v1/tokens"):
        r = admin_cookie.get(path, headers={"X-CSRF-Token": None})
        assert r.status_code == 200, (path, r.text)


def test_bearer_writes_need_no_csrf(admin):
    r = admin.patch("/api/v1/me", json={"locale": "vi"})
    assert r.status_code == 200, r.text
    r = admin.post("/api/v1/tokens", json={"name": uniq("nocsrf")})
    assert r.status_code == 201, r.text


# ---- logging out ----

def test_logout_ends_only_that_session(server, admin_cookie):
    c = server.login()
    assert c.get("/api/v1/me").status_code == 200
    token = c.cookies["pheu_session"]
    r = c.post("/api/v1/auth/logout")
    assert r.status_code == 204, r.text
    assert r.content == b""
    attrs = cookie_attrs(r)
    assert "max-age=0" in attrs or any(a.startswith("expires=") for a in attrs)
    stale = server.client()
    stale.headers["X-CSRF-Token"] = c.csrf
    stale.cookies.set("pheu_session", token)
    assert_error(stale.get("/api/v1/me"), 401, code="unauthenticated")
    assert_error(stale.post("/api/v1/auth/logout"), 401)
    assert_error(stale.patch("/api/v1/me", json={"locale": "en"}), 401)
    # Another session of the same user is untouched.
    assert admin_cookie.get("/api/v1/me").status_code == 200


# ---- deactivation and password changes ----

def test_deactivated_user_loses_every_credential(server, admin):
    pw = "Mật-khẩu-%s" % uniq()
    u = make_user(admin, role="sales_rep", password=pw)
    cookie = server.login(u["email"], pw)
    bearer = server.bearer(api_token(admin, u["id"]))
    assert cookie.get("/api/v1/me").status_code == 200
    assert bearer.get("/api/v1/me").status_code == 200
    r = admin.patch("/api/v1/users/%d" % u["id"], json={"active": False})
    assert r.status_code == 200 and r.json()["active"] is False
    assert_error(cookie.get("/api/v1/me"), 401)
    assert_error(bearer.get("/api/v1/me"), 401)
    assert_error(server.login_response(u["email"], pw), 401)
    r = admin.patch("/api/v1/users/%d" % u["id"], json={"active": True})
    assert r.status_code == 200 and r.json()["active"] is True
    assert bearer.get("/api/v1/me").status_code == 200


def test_password_change_through_me(server, admin):
    old, new = "old-pass-%s" % uniq(), "new-pass-%s" % uniq()
    u = make_user(admin, role="marketer", password=old)
    me = server.bearer(api_token(admin, u["id"]))
    r = me.patch("/api/v1/me", json={"password": "short"})
    assert_error(r, 422, field="password")
    r = me.patch("/api/v1/me", json={"password": new})
    assert r.status_code == 200, r.text
    assert "password" not in r.json()
    assert_error(server.login_response(u["email"], old), 401)
    assert server.login_response(u["email"], new).status_code == 200


def test_password_composed_or_decomposed_is_the_same(server, admin):
    """Text is NFC (SPEC Appendix C): a Vietnamese password typed on a
    keyboard that sends decomposed marks still logs in."""
    nfc = "Mật khẩu Đặng %s" % uniq()
    nfd = unicodedata.normalize("NFD", nfc)
    assert nfd != nfc
    u = make_user(admin, role="sales_rep", password=nfd)
    assert server.login_response(u["email"], nfc).status_code == 200
    assert server.login_response(u["email"], nfd).status_code == 200


# ---- rate limits (fresh servers: the IP limit would lock out others) ----

def raw_login(port, email, password, source=None, headers=None):
    body = json.dumps({"email": email, "password": password}).encode()
    extra = "".join("%s: %s\r\n" % kv for kv in (headers or {}).items())
    req = ("POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
           "Content-Type: application/json\r\nContent-Length: %d\r\n%s"
           "Connection: close\r\n\r\n" % (len(body), extra)).encode() + body
    status, _, data = raw_http(port, req, source=source, timeout=60)
    return status, data


def fail_logins(srv, emails):
    """Sends one wrong-password login per email, two at a time; returns
    the statuses."""
    with ThreadPoolExecutor(max_workers=2) as ex:
        return list(ex.map(
            lambda e: raw_login(srv.port, e, "wrong-password")[0], emails))


def demo_emails(srv, role, n):
    rows = db_rows(srv.db, "SELECT email FROM users WHERE role = ? "
                   "ORDER BY id LIMIT ?", (role, n))
    assert len(rows) == n
    return [r["email"] for r in rows]


def test_account_locked_after_10_failures(fresh_server):
    srv = fresh_server()
    a, b = demo_emails(srv, "sales_rep", 2)
    # Nine failures: the right password still works.
    assert fail_logins(srv, [a] * 9) == [401] * 9
    assert srv.login_response(a).status_code == 200
    # Ten failures: even the right password is refused, in any case.
    assert fail_logins(srv, [b] * 10) == [401] * 10
    assert_error(srv.login_response(b), 429, code="rate_limited")
    assert_error(srv.login_response(b, "wrong-password"), 429)
    assert_error(srv.login_response(b.upper()), 429)
    # Other accounts are not affected.
    assert srv.login_response(ADMIN_EMAIL).status_code == 200


def test_address_limited_after_50_failures(fresh_server):
    srv = fresh_server()
    strangers = [uniq_email("stranger") for _ in range(50)]
    assert fail_logins(srv, strangers[:49]) == [401] * 49
    status, body = raw_login(srv.port, ADMIN_EMAIL, DEMO_PASSWORD)
    assert status == 200, body
    assert fail_logins(srv, strangers[49:]) == [401]
    status, body = raw_login(srv.port, ADMIN_EMAIL, DEMO_PASSWORD)
    assert status == 429, body
    assert json.loads(body)["error"]["code"] == "rate_limited"
    # A forwarded-for header from the client does not lift the limit.
    status, _ = raw_login(srv.port, ADMIN_EMAIL, DEMO_PASSWORD,
                          headers={"X-Forwarded-For": "203.0.113.9"})
    assert status == 429
    # Another address is not limited.
    status, body = raw_login(srv.port, ADMIN_EMAIL, DEMO_PASSWORD,
                             source="127.0.0.2")
    assert status == 200, body
