"""Shared set-up of the end-to-end tests: the pheu binary, demo databases,
`pheu serve` processes on free loopback ports, and HTTP clients.

The binary comes from $PHEU_BIN (default: ./pheu at the repository root).
With $PHEU_TEST_PG_URL set (a PostgreSQL server URL without a database,
as tests/pg.sh prints), every database is a PostgreSQL database instead of
a SQLite file: the same tests run on both engines.
Every process started here is checked when it ends: `pheu serve` must exit 0
within 10 s of SIGTERM, and no process may print a sanitizer report."""

import atexit
import itertools
import json
import os
import re
import selectors
import shutil
import signal
import socket
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
import requests

PG_URL = os.environ.get("PHEU_TEST_PG_URL")
ENGINE = "postgres" if PG_URL else "sqlite"
if PG_URL:
    import psycopg2
    import psycopg2.extras

REPO = Path(__file__).resolve().parents[2]
BIN = os.environ.get("PHEU_BIN") or str(REPO / "pheu")
ADMIN_EMAIL = "admin@demo.pheu.vn"
DEMO_PASSWORD = "pheu-demo"
ROLES = ("admin", "marketing_manager", "marketer", "sales_manager",
         "sales_rep", "sales_specialist", "account_executive",
         "customer_success")
USER_KEYS = {"id", "email", "name", "role", "team_id", "locale",
             "sales_mode", "phone", "active", "created_at", "updated_at"}
TEAM_KEYS = {"id", "name", "kind", "parent_id", "manager_id", "created_at",
             "updated_at"}
ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")

SANITIZER_MARKS = ("AddressSanitizer", "LeakSanitizer", "runtime error")
LIVE = set()                # pheu serve processes not yet reaped
SANITIZER_REPORTS = []      # (what, stderr) of every process that had one

_seq = itertools.count(1)


def uniq(prefix="e2e"):
    """A name no other test of this run uses."""
    return "%s%d.%d" % (prefix, os.getpid() % 10000, next(_seq))


def uniq_email(prefix="e2e"):
    return "%s@test.pheu.vn" % uniq(prefix)


def base_env(**extra):
    """The environment for pheu processes: none of the caller's PHEU_*
    settings leak in, sanitizers fail hard."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHEU_")}
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=1")
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
    env.update({k: str(v) for k, v in extra.items()})
    return env


def check_sanitizer(what, stderr):
    """Records and fails on a sanitizer report in a process's stderr."""
    if any(m in stderr for m in SANITIZER_MARKS):
        SANITIZER_REPORTS.append((what, stderr))
        pytest.fail("sanitizer report from %s:\n%s" % (what, stderr[-4000:]))


@atexit.register
def _kill_leftovers():
    """A run that dies half-way leaves no server behind."""
    for p in list(LIVE):
        if p.poll() is None:
            p.kill()
            p.wait()


def pytest_sessionfinish(session, exitstatus):
    if SANITIZER_REPORTS:
        for what, err in SANITIZER_REPORTS:
            print("\n==== sanitizer report from %s ====\n%s" % (what, err))
        session.exitstatus = 1


# ---- the command line ----

def cli(*args, db=None, stdin=None, env=None, timeout=60, cwd=None):
    """Runs `pheu ARGS [--db DB]`; returns the CompletedProcess (text)."""
    argv = [BIN] + [str(a) for a in args]
    if db is not None:
        argv += ["--db", str(db)]
    p = subprocess.run(argv, input=stdin, capture_output=True, timeout=timeout,
                       env=env if env is not None else base_env(), cwd=cwd,
                       encoding="utf-8", errors="replace")
    check_sanitizer(" ".join(argv), p.stderr)
    return p


def cli_ok(*args, **kw):
    p = cli(*args, **kw)
    assert p.returncode == 0, "pheu %s: exit %d\n%s" % (
        " ".join(map(str, args)), p.returncode, p.stderr)
    return p


def cli_token(db, email, name="e2e"):
    """A new API token for email, made with `pheu token create`."""
    p = cli_ok("token", "create", "--email", email, "--name", name, db=db)
    assert re.fullmatch(r"\S+\n", p.stdout), repr(p.stdout)
    return p.stdout.strip()


def is_pg(db):
    return str(db).startswith(("postgres://", "postgresql://"))


def pg_admin(sql):
    """Runs one statement on the server's maintenance database."""
    con = psycopg2.connect(PG_URL + "/postgres")
    con.autocommit = True
    try:
        con.cursor().execute(sql)
    finally:
        con.close()


def pg_new_db(template=None):
    """A new, empty (or template-copied) PostgreSQL database's URL."""
    name = "t_%d_%d" % (os.getpid(), next(_seq))
    # FILE_COPY, not PostgreSQL 15's default WAL_LOG: a WAL_LOG copy
    # inherits the template's pre-logged sequence values, so after a crash
    # (test_pg's restart) its id sequences went backwards and new rows hit
    # "already exists". Seen on 15.20; FILE_COPY checkpoints and is exact.
    pg_admin("CREATE DATABASE %s%s" % (
        name, " TEMPLATE %s STRATEGY FILE_COPY" % str(template).rsplit(
            "/", 1)[1] if template else ""))
    return "%s/%s" % (PG_URL, name)


def new_db(path):
    """Where a test's new database lives: the SQLite path given, or a new
    PostgreSQL database when the run is on PostgreSQL."""
    return pg_new_db() if PG_URL else Path(path)


def copy_db(src, dst):
    """Copies a closed database: SQLite files (and any WAL files) to dst,
    or a PostgreSQL database as a template into a new one (dst unused)."""
    if is_pg(src):
        return pg_new_db(template=src)
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(str(src) + suffix):
            shutil.copyfile(str(src) + suffix, str(dst) + suffix)
    return Path(dst)


# ---- reading the database (read-only) ----

class _PgRo:
    """A read-only PostgreSQL connection with sqlite3's execute() shape:
    "?" parameters, rows that convert with dict() and tuple()."""

    def __init__(self, url):
        self.con = psycopg2.connect(url)
        self.con.set_session(readonly=True, autocommit=True)

    def execute(self, sql, params=()):
        cur = self.con.cursor(cursor_factory=psycopg2.extras.DictCursor)
        cur.execute(sql.replace("%", "%%").replace("?", "%s"), params)
        return cur

    def close(self):
        self.con.close()


def db_ro(path):
    if is_pg(path):
        return _PgRo(str(path))
    con = sqlite3.connect("file:%s?mode=ro" % path, uri=True, timeout=10)
    con.row_factory = sqlite3.Row
    return con


def _as_dict(row):
    return dict(row.items()) if hasattr(row, "items") and not isinstance(
        row, sqlite3.Row) else dict(row)


def db_rows(path, sql, params=()):
    con = db_ro(path)
    try:
        return [_as_dict(r) for r in con.execute(sql, params).fetchall()]
    finally:
        con.close()


def db_value(path, sql, params=()):
    con = db_ro(path)
    try:
        return con.execute(sql, params).fetchone()[0]
    finally:
        con.close()


def db_snapshot(path, tables=("users", "teams", "team_closure", "audit_log",
                              "api_tokens", "sessions")):
    """Every row of the given tables, for before/after comparisons."""
    con = db_ro(path)
    try:
        return {t: [tuple(r) for r in con.execute(
            "SELECT * FROM %s ORDER BY 1, 2" % t).fetchall()]
            for t in tables}
    finally:
        con.close()


# ---- HTTP clients ----

class Client(requests.Session):
    """A requests.Session bound to one server; paths start with '/'."""

    def __init__(self, base):
        super().__init__()
        self.base = base.rstrip("/")
        self.trust_env = False          # no proxies from the environment

    def request(self, method, url, *args, **kw):
        if url.startswith("/"):
            url = self.base + url
        kw.setdefault("timeout", 60)
        return super().request(method, url, *args, **kw)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def raw_http(port, data, timeout=20, source=None):
    """Sends raw bytes, returns (status, headers, body) of the response.
    Headers are lower-cased; the body is read by Content-Length, or to
    the end of the connection."""
    s = socket.socket()
    s.settimeout(timeout)
    if source:
        s.bind((source, 0))
    s.connect(("127.0.0.1", port))
    try:
        s.sendall(data)
        return read_response(s)
    finally:
        s.close()


def read_response(s):
    buf = b""
    while b"\r\n\r\n" not in buf:
        d = s.recv(65536)
        if not d:
            raise ConnectionError("connection closed before the headers: %r"
                                  % buf)
        buf += d
    head, body = buf.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, v = line.split(":", 1)
        headers[k.strip().lower()] = v.strip()
    if "content-length" in headers:
        n = int(headers["content-length"])
        while len(body) < n:
            d = s.recv(65536)
            if not d:
                break
            body += d
        body = body[:n]
    elif status not in (204, 304):
        while True:
            try:
                d = s.recv(65536)
            except (socket.timeout, ConnectionResetError):
                break
            if not d:
                break
            body += d
    return status, headers, body


def raw_get(port, path, method="GET", headers=None):
    """A request whose path goes to the server exactly as written."""
    h = "".join("%s: %s\r\n" % kv for kv in (headers or {}).items())
    req = ("%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%sConnection: close\r\n\r\n"
           % (method, path, h)).encode("latin-1")
    return raw_http(port, req)


def error_of(resp):
    """The {"code","message",...} of an error response, checking its shape."""
    assert resp.headers.get("Content-Type", "").startswith("application/json")
    body = resp.json()
    assert set(body) == {"error"}, body
    e = body["error"]
    assert isinstance(e.get("code"), str) and e["code"], body
    assert isinstance(e.get("message"), str) and e["message"], body
    return e


def assert_error(resp, status, field=..., code=None):
    """Checks the status, the error shape and, when given, the field it
    names (None: names no field) and the code."""
    assert resp.status_code == status, (resp.status_code, resp.text)
    e = error_of(resp)
    if field is not ...:
        assert e.get("field") == field, e
    if code is not None:
        assert e["code"] == code, e
    return e


# ---- pheu serve ----

class Server:
    """One `pheu serve` process on a database file."""

    def __init__(self, db, workdir, env=None, args=(), log_level="info",
                 listen=None, flags=True):
        self.db = db if is_pg(db) else Path(db)
        self.workdir = Path(workdir)
        self.extra_env = env or {}
        self.args = list(args)
        self.log_level = log_level
        self.port = free_port()
        self.listen = listen
        self.flags = flags       # False: no --db/--listen/--log-level
        self.url = "http://127.0.0.1:%d" % self.port
        self.proc = None
        self.stopped_rc = None
        self.err_path = self.workdir / ("serve-%d.stderr" % self.port)
        self._tokens = {}
        self.ready_line = None

    # starting and stopping

    def start(self, wait_health=True, expect_ready=True, timeout=30):
        argv = [BIN, "serve"]
        if self.flags:
            argv += ["--db", str(self.db),
                     "--listen", self.listen or "127.0.0.1:%d" % self.port]
            if self.log_level:
                argv += ["--log-level", self.log_level]
        argv += self.args
        self.stopped_rc = None
        self.err_file = open(self.err_path, "ab")
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE,
                                     stderr=self.err_file,
                                     env=base_env(**self.extra_env))
        LIVE.add(self.proc)
        self.ready_line = self._read_ready(timeout)
        if self.ready_line is None:
            if expect_ready:
                rc = self.wait()
                raise AssertionError("pheu serve did not start (exit %s):\n%s"
                                     % (rc, self.stderr()))
            return self
        m = re.fullmatch(r"Phễu is running at (http://127\.0\.0\.1:(\d+))/?\n",
                         self.ready_line)
        assert m, self.ready_line
        if self.flags and not self.listen:
            assert int(m.group(2)) == self.port, self.ready_line
        self.url = m.group(1)
        self.port = int(m.group(2))
        if wait_health:
            self.wait_healthy()
        return self

    def _read_ready(self, timeout):
        """The 'Phễu is running at URL' line, or None if the process ended
        first."""
        sel = selectors.DefaultSelector()
        sel.register(self.proc.stdout, selectors.EVENT_READ)
        out = b""
        deadline = time.monotonic() + timeout
        try:
            while b"\n" not in out:
                left = deadline - time.monotonic()
                if left <= 0:
                    self.proc.kill()
                    raise AssertionError("pheu serve printed no ready line in "
                                         "%ss:\n%s" % (timeout, self.stderr()))
                if not sel.select(left):
                    continue
                d = os.read(self.proc.stdout.fileno(), 4096)
                if not d:
                    return None
                out += d
        finally:
            sel.close()
        return out.decode("utf-8")

    def wait_healthy(self, timeout=20):
        deadline = time.monotonic() + timeout
        while True:
            try:
                r = self.client().get("/healthz", timeout=5)
                if r.status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            assert self.proc.poll() is None, self.stderr()
            assert time.monotonic() < deadline, "no /healthz in %ss" % timeout
            time.sleep(0.05)

    def kill(self, sig=signal.SIGTERM):
        self.proc.send_signal(sig)

    def wait(self, timeout=10):
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("pheu serve did not exit within %ss of the "
                                 "signal" % timeout)
        self.stopped_rc = rc
        LIVE.discard(self.proc)
        self.err_file.close()
        self.proc.stdout.close()
        check_sanitizer("pheu serve", self.stderr())
        return rc

    def stop(self, sig=signal.SIGTERM, timeout=10):
        """Stops the server; returns its exit code (checked by callers)."""
        if self.proc is None or self.stopped_rc is not None:
            return self.stopped_rc
        if self.proc.poll() is None:
            self.kill(sig)
        return self.wait(timeout)

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    # logs

    def stderr(self):
        try:
            return self.err_path.read_text("utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def wait_log(self, text, timeout=5):
        """Waits for text to appear in stderr (the log is buffered)."""
        deadline = time.monotonic() + timeout
        while text not in self.stderr():
            assert time.monotonic() < deadline, (
                "%r not in the log:\n%s" % (text, self.stderr()[-3000:]))
            time.sleep(0.05)
        return self.stderr()

    # clients

    def client(self):
        return Client(self.url)

    def bearer(self, token):
        c = Client(self.url)
        c.headers["Authorization"] = "Bearer " + token
        return c

    def token(self, email):
        """A bearer client for email, its token made once with the CLI."""
        if email not in self._tokens:
            self._tokens[email] = cli_token(self.db, email)
        return self.bearer(self._tokens[email])

    def login_response(self, email, password=DEMO_PASSWORD, **kw):
        return self.client().post("/api/v1/auth/login",
                                  json={"email": email, "password": password},
                                  **kw)

    def login(self, email=ADMIN_EMAIL, password=DEMO_PASSWORD):
        """A cookie-authenticated client with its CSRF token set."""
        c = Client(self.url)
        r = c.post("/api/v1/auth/login",
                   json={"email": email, "password": password})
        assert r.status_code == 200, (r.status_code, r.text)
        body = r.json()
        c.csrf = body["csrf_token"]
        c.user = body["user"]
        c.headers["X-CSRF-Token"] = c.csrf
        return c


# ---- fixtures ----

@pytest.fixture(scope="session")
def pheu_bin():
    if not os.access(BIN, os.X_OK):
        pytest.exit("pheu binary not found at %s (make pheu, or set PHEU_BIN)"
                    % BIN, returncode=1)
    return BIN


@pytest.fixture(scope="session")
def demo_db(pheu_bin, tmp_path_factory):
    """A database made once with `pheu init` and `pheu demo`; copy it with
    copy_db before writing to it."""
    d = tmp_path_factory.mktemp("template")
    db = new_db(d / "demo.db")
    cli_ok("init", db=db)
    cli_ok("demo", db=db)
    return db


@pytest.fixture(scope="session")
def server(demo_db, tmp_path_factory):
    """The shared server for read-mostly tests (demo data). Tests that write
    use unique names; tests that need clean state use fresh_server."""
    d = tmp_path_factory.mktemp("shared")
    srv = Server(copy_db(demo_db, d / "pheu.db"), d).start()
    yield srv
    rc = srv.stop()
    assert rc == 0, "pheu serve exited %s on SIGTERM:\n%s" % (rc,
                                                              srv.stderr())


@pytest.fixture(scope="session")
def admin(server):
    """Bearer client of the demo admin on the shared server."""
    return server.token(ADMIN_EMAIL)


@pytest.fixture(scope="session")
def admin_cookie(server):
    """Cookie (logged-in) client of the demo admin on the shared server."""
    return server.login()


@pytest.fixture
def fresh_server(demo_db, tmp_path):
    """Factory: fresh_server(env=..., args=..., start=True) starts a server
    on its own copy of the demo database. Each is stopped (and must exit 0)
    when the test ends unless the test stopped it."""
    started = []

    def make(env=None, args=(), start=True, wait_health=True, db=None,
             log_level="info", listen=None, flags=True):
        d = tmp_path / ("srv%d" % len(started))
        d.mkdir()
        path = copy_db(db or demo_db, d / "pheu.db")
        srv = Server(path, d, env=env, args=args, log_level=log_level,
                     listen=listen, flags=flags)
        started.append(srv)
        if start:
            srv.start(wait_health=wait_health)
        return srv

    yield make
    problems = []
    for srv in started:
        if srv.proc is None or srv.stopped_rc is not None:
            continue                    # never started, or the test stopped it
        running = srv.running()
        try:
            rc = srv.stop()
        except (Exception, pytest.fail.Exception) as e:
            problems.append(str(e))
            continue
        if not running:
            problems.append("pheu serve died during the test (exit %s):\n%s"
                            % (rc, srv.stderr()[-4000:]))
        elif rc != 0:
            problems.append("pheu serve exited %s on SIGTERM:\n%s"
                            % (rc, srv.stderr()[-4000:]))
    assert not problems, "\n".join(problems)


# ---- helpers for writing through the API ----

def upload(client, body, **params):
    """POST /api/v1/imports with a CSV body (text or bytes)."""
    data = body.encode() if isinstance(body, str) else body
    return client.post("/api/v1/imports", params=params, data=data,
                       headers={"Content-Type": "text/csv"})


def wait_import(client, iid, timeout=120):
    """Polls an import until it is done or failed; its last status."""
    end = time.time() + timeout
    while time.time() < end:
        r = client.get("/api/v1/imports/%d" % iid)
        assert r.status_code == 200, r.text
        if r.json()["status"] in ("done", "failed"):
            return r.json()
        time.sleep(0.1)
    pytest.fail("import %d did not finish" % iid)


def make_team(client, name=None, kind="sales", parent_id=None,
              manager_id=None):
    body = {"name": name or uniq("Team "), "kind": kind}
    if parent_id is not None:
        body["parent_id"] = parent_id
    if manager_id is not None:
        body["manager_id"] = manager_id
    r = client.post("/api/v1/teams", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def make_user(client, role="sales_rep", team_id=None, password=None,
              email=None, name=None):
    body = {"email": email or uniq_email(), "name": name or uniq("Người "),
            "role": role}
    if team_id is not None:
        body["team_id"] = team_id
    if password is not None:
        body["password"] = password
    r = client.post("/api/v1/users", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def api_token(admin_client, user_id, name="e2e"):
    """A token for any user, made by an admin through POST /api/v1/tokens."""
    r = admin_client.post("/api/v1/tokens",
                          json={"name": name, "user_id": user_id})
    assert r.status_code == 201, r.text
    return r.json()["token"]


def dumps(obj):
    return json.dumps(obj, ensure_ascii=False)


# ---- the CRM (issue 4): a server per module on an empty business ----

CRM_ADMIN = "crm-admin@test.pheu.vn"
# Every table a CRM write may touch: a refused request leaves them as
# they were (snapshots compare every row).
CRM_TABLES = ("companies", "contacts", "pipelines", "pipeline_stages",
              "deals", "deal_contacts", "activities", "collaborators",
              "custom_fields", "stage_changes", "search_terms",
              "saved_views", "audit_log", "campaigns", "campaign_costs",
              "touchpoints", "forms", "form_submissions", "consents")
CONTACT_KEYS = {"id", "first_name", "last_name", "email", "phone",
                "company_id", "title", "city", "country", "owner_id",
                "lifecycle_stage", "lead_status", "source",
                "source_campaign_id", "score", "score_fit",
                "score_engagement", "custom", "created_at", "updated_at",
                # the funnel's first entries (SPEC §3, issue 5)
                "became_subscriber_at", "became_lead_at",
                "became_marketing_qualified_lead_at",
                "became_sales_qualified_lead_at", "became_opportunity_at",
                "became_customer_at", "became_evangelist_at",
                "became_other_at", "highest_stage"}
COMPANY_KEYS = {"id", "name", "domain", "industry", "size_band", "country",
                "city", "phone", "owner_id", "parent_id", "lifecycle_stage",
                "custom", "created_at", "updated_at"}
DEAL_KEYS = {"id", "name", "amount", "currency", "pipeline_id", "stage_id",
             "status", "close_date", "closed_at", "owner_id", "company_id",
             "contact_ids", "source_campaign_id", "forecast_category",
             "won_reason", "lost_reason", "custom", "created_at",
             "updated_at"}
CAMPAIGN_KEYS = {"id", "name", "channel", "status", "start_date", "end_date",
                 "budget", "currency", "cost", "utm_campaign", "parent_id",
                 "owner_id", "goals", "created_at", "updated_at"}
ACTIVITY_KEYS = {"id", "kind", "subject", "body", "due_at", "done_at",
                 "outcome", "owner_id", "contact_id", "company_id",
                 "deal_id", "custom", "created_at", "updated_at"}


@pytest.fixture(scope="session")
def crm_db(pheu_bin, tmp_path_factory):
    """A database with the schema and one admin (CRM_ADMIN) and nothing
    else: the CRM tests count exact rows, whatever `pheu demo` loads."""
    d = tmp_path_factory.mktemp("crm-template")
    db = new_db(d / "crm.db")
    cli_ok("init", db=db)
    cli_ok("user", "add", "--email", CRM_ADMIN, "--name", "Quản trị CRM",
           "--role", "admin", db=db)
    return db


def crm_snapshot(con, tables=CRM_TABLES):
    """Every row of the tables, through an open db_ro connection, in an
    order that does not depend on the engine's plan."""
    return {t: sorted((tuple(r) for r in con.execute(
        "SELECT * FROM %s" % t).fetchall()), key=repr) for t in tables}


def crm_fault_sweep(base, workdir, send, ok_status, stride=5, limit=400,
                    env=None):
    """Fault injection for one CRM write (after test_audit's fault_sweep,
    sampled): starts servers on copies of the closed database base with
    PHEU_FAULT_DB_STEP=N, for N from the first that lets the server start
    on in steps of stride, and sends the request (send(srv) -> response)
    to each. A request that fails must answer 500 and leave every CRM
    table as it was, and the same request then succeeds. Returns how
    many N failed it, once one N is past its last step. env: more
    environment for the servers."""
    failed, n, started = 0, 0, False
    while n < limit:
        n += stride if started else 1
        d = Path(workdir) / ("n%d" % n)
        d.mkdir()
        db = copy_db(base, d / "pheu.db")
        con = db_ro(db)
        try:
            before = crm_snapshot(con)
        finally:
            con.close()
        srv = Server(db, d, env=dict(env or {}, PHEU_FAULT_DB_STEP=n))
        srv.start(wait_health=False, expect_ready=False)
        if srv.ready_line is None:
            srv.wait()                  # the fault hit start-up
            assert not started, "start-up failed after it had worked"
            continue
        started = True
        try:
            r = send(srv)
            done = r.status_code == ok_status
            if not done:
                assert r.status_code == 500, (n, r.status_code, r.text)
                error_of(r)
                con = db_ro(db)
                try:
                    after = crm_snapshot(con)
                finally:
                    con.close()
                for t in before:
                    assert after[t] == before[t], (
                        "a 500 (fault at step %d) changed table %s" % (n, t))
                failed += 1
                r = send(srv)
                assert r.status_code == ok_status, (n, r.status_code,
                                                    r.text)
        finally:
            rc = srv.stop()
        assert rc == 0, srv.stderr()
        if done:
            return failed
    pytest.fail("the request never succeeded within %d steps" % limit)


class Crm:
    """A module's CRM server with helpers: users with bearer clients,
    record creation that checks the answer, paged reads, snapshots."""

    def __init__(self, srv):
        self.srv = srv
        self.db = srv.db
        self._phones = itertools.count(1)
        self.admin = srv.token(CRM_ADMIN)
        self.admin.user = self.admin.get("/api/v1/me").json()

    # people

    def team(self, kind="sales", parent=None, manager=None, name=None):
        return make_team(self.admin, name=name, kind=kind,
                         parent_id=parent and parent["id"],
                         manager_id=manager and manager.user["id"])

    def user(self, role="sales_rep", team=None, name=None):
        """A new user's bearer client; its .user is the user."""
        u = make_user(self.admin, role=role, team_id=team and team["id"],
                      name=name)
        c = self.srv.bearer(api_token(self.admin, u["id"]))
        c.user = u
        return c

    # values no other record of the module has

    def phone(self):
        """A new Vietnamese mobile number in national form, and its E.164."""
        n = next(self._phones)
        nat = "0913%06d" % n
        return nat, "+84" + nat[1:]

    # records

    def create(self, plural, client=None, **fields):
        r = (client or self.admin).post("/api/v1/" + plural, json=fields)
        assert r.status_code == 201, (plural, fields, r.status_code, r.text)
        body = r.json()
        assert r.headers["Location"] == "/api/v1/%s/%d" % (plural,
                                                           body["id"])
        return body

    def contact(self, client=None, **fields):
        return self.create("contacts", client, **fields)

    def company(self, client=None, **fields):
        fields.setdefault("name", uniq("Công ty "))
        return self.create("companies", client, **fields)

    def deal(self, client=None, **fields):
        fields.setdefault("name", uniq("Thương vụ "))
        return self.create("deals", client, **fields)

    def activity(self, client=None, **fields):
        fields.setdefault("kind", "note")
        return self.create("activities", client, **fields)

    def campaign(self, client=None, **fields):
        fields.setdefault("name", uniq("Chiến dịch "))
        fields.setdefault("channel", "email")
        return self.create("campaigns", client, **fields)

    def get(self, plural, rid, client=None):
        r = (client or self.admin).get("/api/v1/%s/%d" % (plural, rid))
        assert r.status_code == 200, (plural, rid, r.status_code, r.text)
        return r.json()

    def patch(self, plural, rid, client=None, **fields):
        r = (client or self.admin).patch("/api/v1/%s/%d" % (plural, rid),
                                         json=fields)
        assert r.status_code == 200, (plural, rid, fields, r.text)
        return r.json()

    def page(self, client, path, **params):
        """One list page: (records, next_cursor), checking the shape."""
        r = client.get(path, params=params)
        assert r.status_code == 200, (path, params, r.status_code, r.text)
        body = r.json()
        assert set(body) == {"data", "next_cursor"}, body
        return body["data"], body["next_cursor"]

    def all(self, client, path, **params):
        """Every record of a list, following next_cursor."""
        out, cursor, pages = [], None, 0
        while True:
            p = dict(params)
            if cursor:
                p["cursor"] = cursor
            data, cursor = self.page(client, path, **p)
            out += data
            pages += 1
            assert pages < 1000
            if not cursor:
                return out

    def ids(self, client, path, **params):
        return [x["id"] for x in self.all(client, path, **params)]

    # the database

    def snapshot(self, tables=CRM_TABLES):
        """Every row of the tables (one read-only connection, kept)."""
        if getattr(self, "_ro", None) is None:
            self._ro = db_ro(self.db)
        return crm_snapshot(self._ro, tables)

    def close(self):
        if getattr(self, "_ro", None) is not None:
            self._ro.close()
            self._ro = None

    def audit_mark(self):
        return db_value(self.db, "SELECT COALESCE(MAX(id), 0) FROM "
                        "audit_log")

    def audit_since(self, mark):
        rows = db_rows(self.db, "SELECT * FROM audit_log WHERE id > ? "
                       "ORDER BY id", (mark,))
        for r in rows:
            for k in ("old_values", "new_values"):
                r[k] = json.loads(r[k]) if r[k] is not None else None
        return rows

    def refused(self, resp, status, field=..., code=None, before=None):
        """assert_error, and (given a snapshot) that nothing changed."""
        e = assert_error(resp, status, field=field, code=code)
        if before is not None:
            after = self.snapshot()
            for t in before:
                assert after[t] == before[t], "table %s changed" % t
        return e


@pytest.fixture(scope="module")
def crm(crm_db, tmp_path_factory):
    """The module's own CRM server (an empty business and CRM_ADMIN)."""
    d = tmp_path_factory.mktemp("crm")
    srv = Server(copy_db(crm_db, d / "pheu.db"), d).start()
    c = Crm(srv)
    yield c
    c.close()
    rc = srv.stop()
    assert rc == 0, "pheu serve exited %s on SIGTERM:\n%s" % (rc,
                                                              srv.stderr())
