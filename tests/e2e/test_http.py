"""HTTP rules shared by every endpoint: routing, credentials, the JSON body
rules of SPEC Appendix C, query strings, body limits, the static UI and
path traversal, and the request log."""

import re
import time

import pytest

from conftest import (assert_error, db_snapshot, raw_get,
                      raw_http, uniq)

JSON = {"Content-Type": "application/json"}


# ---- routing ----

def test_healthz(server):
    r = server.client().get("/healthz")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/json")
    assert r.json() == {"status": "ok"}


@pytest.mark.parametrize("method, path, status, code", [
    ("GET", "/api/v1/nope", 404, "not_found"),
    ("GET", "/api/v2/users", 404, "not_found"),
    ("GET", "/api/v1/users/1/teams", 404, "not_found"),
    ("GET", "/api/v1/users/", 404, "not_found"),
    ("POST", "/api/v1/nope", 404, "not_found"),
    ("POST", "/index.html", 404, "not_found"),
    ("DELETE", "/api/v1/users", 405, "method_not_allowed"),
    ("PUT", "/api/v1/me", 405, "method_not_allowed"),
    ("DELETE", "/api/v1/teams/1", 405, "method_not_allowed"),
    ("GET", "/api/v1/auth/login", 405, "method_not_allowed"),
    ("POST", "/healthz", 405, "method_not_allowed"),
    ("PATCH", "/api/v1/tokens/1", 405, "method_not_allowed"),
])
def test_routing(admin, method, path, status, code):
    r = admin.request(method, path)
    assert_error(r, status, code=code)


@pytest.mark.parametrize("method, path, allowed", [
    ("DELETE", "/api/v1/users", {"GET", "POST"}),
    ("PUT", "/api/v1/me", {"GET", "PATCH"}),
    ("POST", "/healthz", {"GET"}),
    ("GET", "/api/v1/auth/login", {"POST"}),
    ("PUT", "/api/v1/teams/1", {"GET", "PATCH"}),
])
def test_405_names_the_allowed_methods(admin, method, path, allowed):
    # RFC 9110 §15.5.6: a 405 response carries Allow.
    r = admin.request(method, path)
    assert r.status_code == 405
    got = {m.strip() for m in r.headers.get("Allow", "").split(",")
           if m.strip()}
    assert allowed <= got and method not in got, r.headers


@pytest.mark.parametrize("headers", [
    {},
    {"Authorization": "Bearer nonsense"},
    {"Authorization": "Bearer "},
    {"Authorization": "Basic YWRtaW46cGhldS1kZW1v"},
    {"Authorization": "pheu_abc"},
    {"Cookie": "pheu_session=nonsense"},
    {"Cookie": "pheu_session="},
], ids=["none", "bad-bearer", "empty-bearer", "basic", "no-scheme",
        "bad-cookie", "empty-cookie"])
@pytest.mark.parametrize("method, path", [
    ("GET", "/api/v1/me"),
    ("GET", "/api/v1/users"),
    ("GET", "/api/v1/users/1"),
    ("POST", "/api/v1/teams"),
    ("GET", "/api/v1/tokens"),
])
def test_no_valid_credentials_is_401(server, headers, method, path):
    body = {"name": "x", "kind": "sales"} if method == "POST" else None
    r = server.client().request(method, path, headers=headers, json=body)
    assert_error(r, 401, code="unauthenticated")


# ---- JSON bodies (SPEC Appendix C) ----

def deep(n, inner="1"):
    return "[" * n + inner + "]" * n


BAD_JSON = [
    ("malformed", b'{"name": "a", "kind": '),
    ("not-json", b"name=a&kind=sales"),
    ("unquoted-key", b'{name: "a"}'),
    ("duplicate-keys", b'{"name": "a", "name": "b", "kind": "sales"}'),
    ("duplicate-keys-nested", b'{"name": "a", "kind": "sales", '
                              b'"x": {"k": 1, "k": 2}}'),
    ("nul-escape", b'{"name": "a\\u0000b", "kind": "sales"}'),
    ("raw-control-char", b'{"name": "a\x01b", "kind": "sales"}'),
    ("raw-newline-in-string", b'{"name": "a\nb", "kind": "sales"}'),
    ("raw-tab-in-string", b'{"name": "a\tb", "kind": "sales"}'),
    ("invalid-utf8", b'{"name": "\xff\xfe", "kind": "sales"}'),
    ("overlong-utf8", b'{"name": "\xc0\xaf", "kind": "sales"}'),
    ("truncated-utf8", b'{"name": "\xe1\xba", "kind": "sales"}'),
    ("utf16-surrogate-in-utf8", b'{"name": "\xed\xa0\x80", "kind": "sales"}'),
    ("lone-surrogate-escape", b'{"name": "\\ud800", "kind": "sales"}'),
    ("trailing-data", b'{"name": "a", "kind": "sales"} x'),
    ("two-documents", b'{"name": "a", "kind": "sales"}{}'),
    ("trailing-comma", b'{"name": "a", "kind": "sales",}'),
    ("nesting-33", ('{"name": "a", "kind": "sales", "x": %s}'
                    % deep(32)).encode()),
    ("nesting-1000", deep(1000).encode()),
    ("int-too-big", b'{"name": "a", "kind": "sales", '
                    b'"parent_id": 9223372036854775808}'),
    ("int-too-small", b'{"name": "a", "kind": "sales", '
                      b'"parent_id": -9223372036854775809}'),
    ("huge-int", b'{"name": "a", "kind": "sales", "parent_id": 1'
                 + b"0" * 400 + b"}"),
    ("real-overflow", b'{"name": "a", "kind": "sales", "parent_id": 1e400}'),
    ("nan", b'{"name": "a", "kind": "sales", "parent_id": NaN}'),
    ("single-quotes", b"{'name': 'a', 'kind': 'sales'}"),
]


@pytest.mark.parametrize("body", [b for _, b in BAD_JSON],
                         ids=[i for i, _ in BAD_JSON])
def test_bad_json_is_400_and_changes_nothing(server, admin, body):
    before = db_snapshot(server.db, ("teams", "team_closure", "audit_log"))
    r = admin.post("/api/v1/teams", data=body, headers=JSON)
    e = assert_error(r, 400, code="invalid")
    # A parse error names no field of the document.
    assert e.get("field") in (None, ""), e
    assert db_snapshot(server.db, ("teams", "team_closure",
                                   "audit_log")) == before


def test_nesting_32_is_parsed(admin):
    # 32 levels (the object plus 31 arrays) parse; the body then fails
    # validation on the unknown field, which proves it was parsed.
    body = '{"x": %s}' % deep(31)
    r = admin.post("/api/v1/teams", data=body.encode(), headers=JSON)
    assert_error(r, 400, field="x")


def test_nesting_33_is_refused_before_validation(admin):
    body = '{"x": %s}' % deep(32)
    r = admin.post("/api/v1/teams", data=body.encode(), headers=JSON)
    assert_error(r, 400, field=None)


def test_max_int_parses_then_fails_on_the_reference(admin):
    r = admin.post("/api/v1/teams", data=b'{"name": "a", "kind": "sales", '
                   b'"parent_id": 9223372036854775807}', headers=JSON)
    assert_error(r, 422, field="parent_id")


@pytest.mark.parametrize("body, status", [
    (b"", 400),                 # a write needs a body
    (b"[]", 400),
    (b'"text"', 400),
    (b"42", 400),
    (b"null", 400),
])
def test_body_must_be_an_object(admin, body, status):
    r = admin.post("/api/v1/teams", data=body, headers=JSON)
    assert_error(r, status)


@pytest.mark.parametrize("ctype", [
    None, "text/plain", "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x", "application/jsonx",
    "application/json-patch+json", "text/json",
])
def test_non_json_content_type_is_415(server, admin, ctype):
    before = db_snapshot(server.db, ("teams",))
    headers = {"Content-Type": ctype} if ctype else {}
    # requests adds no Content-Type for bytes bodies.
    r = admin.post("/api/v1/teams", headers=headers,
                   data=b'{"name": "%s", "kind": "sales"}'
                   % uniq("t415 ").encode())
    assert_error(r, 415, code="unsupported_media_type")
    assert db_snapshot(server.db, ("teams",)) == before


@pytest.mark.parametrize("ctype", [
    "application/json", "application/json; charset=utf-8",
    "Application/JSON",
])
def test_json_content_types_are_accepted(admin, ctype):
    name = uniq("tct ")
    r = admin.post("/api/v1/teams", headers={"Content-Type": ctype},
                   data=('{"name": "%s", "kind": "sales"}' % name).encode())
    assert r.status_code == 201, r.text
    assert r.json()["name"] == name


# ---- query strings ----

@pytest.mark.parametrize("path", ["/api/v1/users", "/api/v1/teams",
                                  "/api/v1/tokens"])
@pytest.mark.parametrize("query, field", [
    ("limit=0", "limit"),
    ("limit=501", "limit"),
    ("limit=-1", "limit"),
    ("limit=abc", "limit"),
    ("limit=1.5", "limit"),
    ("limit=", "limit"),
    ("limit=99999999999999999999", "limit"),
    ("limit=1&limit=2", "limit"),
    ("cursor=abc", "cursor"),
    ("cursor=-5", "cursor"),
    ("cursor=1&cursor=1", "cursor"),
    ("foo=1", "foo"),
    ("limit=5&zzz=1", "zzz"),
    ("Limit=5", "Limit"),
])
def test_bad_query_is_400_naming_the_parameter(admin, path, query, field):
    r = admin.get(path + "?" + query)
    assert_error(r, 400, field=field, code="invalid")


@pytest.mark.parametrize("path", ["/api/v1/users", "/api/v1/teams"])
def test_limit_bounds_are_accepted(admin, path):
    for limit, most in (("1", 1), ("500", 500)):
        r = admin.get(path + "?limit=" + limit)
        assert r.status_code == 200, r.text
        assert 1 <= len(r.json()["data"]) <= most


# ---- body size limits (SPEC Appendix C: over 10 MiB -> 413) ----

MIB = 1024 * 1024


def test_413_on_content_length_before_reading_the_body(server, admin):
    token = admin.headers["Authorization"]
    head = ("POST /api/v1/teams HTTP/1.1\r\nHost: x\r\nAuthorization: %s\r\n"
            "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n"
            % (token, 10 * MIB + 1)).encode()
    status, _, body = raw_http(server.port, head)   # body never sent
    assert status == 413
    assert b'"too_large"' in body


def test_413_on_content_length_without_credentials(server):
    head = ("POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\n"
            "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n"
            % (64 * MIB)).encode()
    status, _, body = raw_http(server.port, head)
    assert status == 413


def test_413_on_chunked_body(server, admin):
    before = db_snapshot(server.db, ("teams",))
    name = uniq("chunked ")
    doc = ('{"name": "%s", "kind": "sales"}' % name).encode()
    payload = doc + b" " * (10 * MIB + 1 - len(doc))   # valid JSON, too big

    def chunks():
        for i in range(0, len(payload), MIB):
            yield payload[i:i + MIB]

    r = admin.post("/api/v1/teams", data=chunks(), headers=JSON)
    assert_error(r, 413, code="too_large")
    assert db_snapshot(server.db, ("teams",)) == before


def test_body_of_exactly_10_mib_is_accepted(admin):
    name = uniq("big ")
    doc = ('{"name": "%s", "kind": "sales"}' % name).encode()
    payload = doc + b" " * (10 * MIB - len(doc))
    r = admin.post("/api/v1/teams", data=payload, headers=JSON)
    assert r.status_code == 201, r.text[:300]
    assert r.json()["name"] == name


@pytest.mark.parametrize("path", [
    "/" + "a" * 9000,
    "/api/v1/users/" + "9" * 9000,
    "/api/v1/users?limit=" + "9" * 9000,
    "/" + "%2e%2e/" * 3000,
    "/" + "/".join(["x"] * 4000),
])
def test_long_urls_are_refused_cleanly(server, path):
    status, _, body = raw_get(server.port, path)
    assert status in (400, 401, 404, 414), (status, body[:200])
    assert server.client().get("/healthz").status_code == 200


def test_huge_url_is_414(server):
    status, _, _ = raw_get(server.port, "/" + "a" * 70000)
    assert status in (414, 431)
    assert server.client().get("/healthz").status_code == 200


# ---- the static UI ----

def index_or_skip(server):
    r = server.client().get("/index.html")
    if r.status_code == 404:
        pytest.skip("web/index.html is not embedded yet")
    return r


def test_index_served_at_root(server):
    idx = index_or_skip(server)
    r = server.client().get("/")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/html")
    assert r.content == idx.content
    assert b"<html" in r.content.lower()
    assert r.headers.get("ETag")


def test_etag_if_none_match_gives_304(server):
    idx = index_or_skip(server)
    etag = idx.headers["ETag"]
    c = server.client()
    r = c.get("/", headers={"If-None-Match": etag})
    assert r.status_code == 304
    assert r.content == b""
    assert r.headers.get("ETag") == etag
    r = c.get("/", headers={"If-None-Match": '"not-the-etag"'})
    assert r.status_code == 200
    assert r.content == idx.content


def test_head_of_index(server):
    idx = index_or_skip(server)
    status, headers, body = raw_get(server.port, "/", method="HEAD")
    assert status == 200
    assert body == b""
    assert headers["etag"] == idx.headers["ETag"]


TRAVERSAL = [
    "/../etc/passwd",
    "/../../../../../../etc/passwd",
    "/%2e%2e/%2e%2e/etc/passwd",
    "/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/..%2f..%2f..%2fetc%2fpasswd",
    "/..%252f..%252fetc%252fpasswd",
    "/%2fetc%2fpasswd",
    "/etc/passwd",
    "//etc/passwd",
    "///etc/passwd",
    "/web/index.html",
    "/web/app.js",
    "/src/main.c",
    "/index.html/",
    "/index.html/.",
    "/./index.html",
    "/css/../index.html",
    "/api/../index.html",
    "/app.js%00.html",
    "/index.html%00",
    "/index.html%00.js",
    "/..\\..\\etc\\passwd",
    "/%5c..%5c..%5cetc%5cpasswd",
    "/index.html\\",
    "\\index.html",
    "/INDEX.HTML",
    "/index.html.bak",
    "/index.html~",
    "/.git/config",
    "/pheu.db",
    "/proc/self/environ",
]


@pytest.mark.parametrize("path", TRAVERSAL)
def test_nothing_outside_the_embedded_set(server, path):
    status, headers, body = raw_get(server.port, path)
    assert status in (400, 404), (status, body[:200])
    assert b"root:" not in body
    assert b"<html" not in body.lower()
    assert b"import " not in body and b"function" not in body
    assert b"SQLite format" not in body
    assert not headers.get("content-type", "").startswith(
        ("text/html", "text/javascript"))


# ---- the request log ----

def test_request_log_line(server):
    c = server.client()
    assert c.get("/healthz").status_code == 200
    server.wait_log("method=GET path=/healthz status=200 us=")
    path = "/api/v1/%s" % uniq("missing")
    assert c.get(path).status_code == 404
    server.wait_log("method=GET path=%s status=404 us=" % path)


LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z "
                      r"(debug|info|warn|error) ")


FORGERIES = [
    "/x%0a2026-01-01T00:00:00.000Z%20info%20http%20method=GET%20path=/forged"
    "%20status=200%20us=1",
    "/api/v1/x%0d%0a2026-01-01T00:00:00.000Z%20error%20forged",
    "/x%0d2026-01-01T00:00:00.000Z%20warn%20forged",
]


def test_request_log_lines_cannot_be_forged(fresh_server):
    """A request writes one log line, whatever its path holds."""
    srv = fresh_server()
    for path in FORGERIES:
        assert raw_get(srv.port, path)[0] == 404
    assert raw_get(srv.port, "/healthz")[0] == 200
    srv.wait_log("method=GET path=/healthz status=200 us=")
    srv.stop()
    lines = srv.stderr().splitlines()
    for line in lines:
        assert LOG_LINE.match(line), "forged or broken log line: %r" % line
    forged = [line for line in lines
              if line.startswith("2026-01-01T00:00:00.000Z")]
    assert forged == []
    assert len([line for line in lines if " status=404 " in line]) == 3


def test_clean_start_logs_no_warnings(fresh_server):
    srv = fresh_server()
    assert srv.client().get("/healthz").status_code == 200
    srv.wait_log("method=GET path=/healthz status=200")
    warnings = [line for line in srv.stderr().splitlines()
                if re.match(r"^\S+ (warn|error) ", line)]
    assert warnings == []


def test_log_keeps_no_secrets(fresh_server):
    srv = fresh_server()
    secret = "Secret-Passw0rd-%d" % time.time_ns()
    r = srv.login_response("admin@demo.pheu.vn", secret)
    assert r.status_code == 401
    good = srv.login_response("admin@demo.pheu.vn")
    assert good.status_code == 200
    cookie = good.cookies["pheu_session"]
    csrf = good.json()["csrf_token"]
    r = srv.client().get("/api/v1/me", cookies={"pheu_session": cookie})
    assert r.status_code == 200
    log = srv.wait_log("method=GET path=/api/v1/me status=200")
    assert "method=POST path=/api/v1/auth/login status=401" in log
    for s in (secret, "pheu-demo", cookie, csrf):
        assert s not in log
    srv.stop()
    for s in (secret, "pheu-demo", cookie, csrf):
        assert s not in srv.stderr()
