"""The command line (SPEC Appendix B): exit codes 0/1/2, one-line errors
on bad usage, init, demo, user add|passwd|list, token create, help and
version, and the PHEU_* environment fallbacks."""

import re
import socket
import subprocess
import time

import pytest

from conftest import (ADMIN_EMAIL, BIN, DEMO_PASSWORD, ROLES, Server,
                      base_env, cli, cli_ok, cli_token, copy_db, db_rows,
                      db_value, make_user, uniq, uniq_email)

COMMANDS = ("serve", "init", "demo", "user", "token", "version", "help")


# ---- help and version ----

@pytest.mark.parametrize("args", [["version"], ["--version"]])
def test_version(args):
    p = cli_ok(*args)
    assert re.match(r"^pheu \d+\.\d+\.\d+", p.stdout)
    assert p.stdout.count("\n") == 1


def test_help_lists_every_command():
    p = cli_ok("help")
    for c in COMMANDS:
        assert re.search(r"^\s+%s\s" % c, p.stdout, re.M), c
    assert cli_ok("--help").stdout == p.stdout


@pytest.mark.parametrize("cmd", ["serve", "init", "demo", "version"])
def test_command_help(cmd):
    a = cli_ok("help", cmd)
    b = cli_ok(cmd, "--help")
    assert a.stdout == b.stdout
    assert a.stdout.startswith("usage: pheu %s" % cmd)
    if cmd != "version":
        assert "--db" in a.stdout


def test_serve_help_names_its_options_and_env():
    out = cli_ok("serve", "--help").stdout
    for opt, env in (("--db", "PHEU_DB"), ("--listen", "PHEU_LISTEN"),
                     ("--workers", "PHEU_WORKERS"),
                     ("--log-level", "PHEU_LOG")):
        assert opt in out and env in out


@pytest.mark.parametrize("args", [
    ["user", "--help"], ["user", "add", "--help"],
    ["user", "passwd", "--help"],
    ["user", "list", "--help"], ["token", "--help"],
    ["token", "create", "--help"],
])
def test_subcommand_help(args):
    p = cli_ok(*args)
    assert p.stdout.startswith("usage: pheu %s" % args[0])


# ---- bad usage: exit 2, one line on stderr, nothing on stdout ----

BAD_USAGE = [
    ["nosuch"],
    ["help", "nosuch"],
    ["serve", "--bogus"],
    ["serve", "stray-argument"],
    ["serve", "--workers", "0"],
    ["serve", "--workers", "257"],
    ["serve", "--workers", "abc"],
    ["serve", "--workers", "2x"],
    ["serve", "--log-level", "loud"],
    ["serve", "--track-queue-mb", "0"],
    ["serve", "--track-queue-mb", "65537"],
    ["serve", "--track-busy-rate", "0"],
    ["serve", "--track-busy-rate", "-5"],
    ["serve", "--track-defer-ms", "-1"],
    ["serve", "--track-defer-ms", "3600001"],
    ["serve", "--track-defer-ms", "abc"],
    ["serve", "--secure-cookies=yes"],
    ["serve", "--db"],
    ["init", "--db"],
    ["init", "--nope"],
    ["init", "extra"],
    ["demo", "--bogus"],
    ["demo", "--seed", "abc"],
    ["demo", "--contacts", "-1"],
    ["version", "--bogus"],
    ["user"],
    ["user", "frob"],
    ["user", "add", "--email", "a@test.pheu.vn"],
    ["user", "add", "--email", "a@test.pheu.vn", "--name", "A"],
    ["user", "add", "--email", "a@test.pheu.vn", "--name", "A", "--role",
     "ceo"],
    ["user", "add", "--email", "a@test.pheu.vn", "--name", "A", "--role",
     "sales_rep", "--password-stdin=x"],
    ["user", "passwd", "--email", "a@test.pheu.vn"],
    ["user", "passwd", "--password-stdin"],
    ["user", "list", "--bogus"],
    ["token"],
    ["token", "frob"],
    ["token", "create", "--email", ADMIN_EMAIL],
    ["token", "create", "--name", "x"],
    ["token", "create", "--email", ADMIN_EMAIL, "--name", ""],
]


@pytest.mark.parametrize("args", BAD_USAGE, ids=[" ".join(a) or "-"
                                                 for a in BAD_USAGE])
def test_bad_usage_exits_2_with_one_line(tmp_path, args):
    # Run where a default ./pheu.db would appear: bad usage creates nothing.
    p = cli(*args, stdin="", timeout=30, cwd=tmp_path)
    assert p.returncode == 2, (p.returncode, p.stderr)
    assert p.stdout == ""
    lines = p.stderr.splitlines()
    assert len(lines) == 1 and lines[0].strip(), p.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("env", [
    {"PHEU_WORKERS": "abc"}, {"PHEU_WORKERS": "0"}, {"PHEU_LOG": "loud"},
])
def test_bad_environment_exits_2(tmp_path, env):
    p = cli("serve", env=base_env(**env), timeout=30, cwd=tmp_path)
    assert p.returncode == 2, p.stderr
    assert len(p.stderr.splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_no_command_is_bad_usage():
    p = cli()
    assert p.returncode == 2


# ---- init and demo ----

def test_init_creates_and_is_idempotent(tmp_path):
    db = tmp_path / "new.db"
    cli_ok("init", db=db)
    tables = {r["name"] for r in db_rows(
        db, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"users", "teams", "team_closure", "sessions", "api_tokens",
            "audit_log"} <= tables
    assert db_value(db, "SELECT COUNT(*) FROM users") == 0
    schema = db_rows(db, "SELECT name, sql FROM sqlite_master ORDER BY name")
    cli_ok("init", db=db)
    assert db_rows(db, "SELECT name, sql FROM sqlite_master "
                   "ORDER BY name") == schema
    assert cli_ok("user", "list", db=db).stdout == ""


def test_init_in_a_missing_directory_fails(tmp_path):
    p = cli("init", db=tmp_path / "no" / "such" / "dir.db")
    assert p.returncode == 1
    assert len(p.stderr.splitlines()) == 1 and p.stderr.startswith("pheu:")


def test_demo_loads_the_business_once(tmp_path):
    db = tmp_path / "demo.db"
    cli_ok("init", db=db)
    out = cli_ok("demo", db=db).stdout
    m = re.search(r"(\d+) teams, (\d+) users", out)
    assert m, out
    teams = db_value(db, "SELECT COUNT(*) FROM teams")
    users = db_value(db, "SELECT COUNT(*) FROM users")
    assert (int(m.group(1)), int(m.group(2))) == (teams, users)
    assert teams == 6 and 20 <= users <= 30
    assert ADMIN_EMAIL in out and DEMO_PASSWORD in out
    roles = {r["role"] for r in db_rows(db, "SELECT role FROM users")}
    assert roles == set(ROLES)          # every role of SPEC §1
    kinds = {r["kind"] for r in db_rows(db, "SELECT kind FROM teams")}
    assert kinds == {"marketing", "sales", "success"}
    # Again: nothing new.
    before = cli_ok("user", "list", db=db).stdout
    cli_ok("demo", db=db)
    assert cli_ok("user", "list", db=db).stdout == before
    assert db_value(db, "SELECT COUNT(*) FROM teams") == teams


def test_demo_same_seed_same_people(tmp_path):
    outs = []
    for i in range(2):
        db = tmp_path / ("s%d.db" % i)
        cli_ok("init", db=db)
        cli_ok("demo", "--seed", "7", db=db)
        outs.append(cli_ok("user", "list", db=db).stdout)
    assert outs[0] == outs[1] and outs[0]


def test_demo_users_share_the_password(server):
    email = db_rows(server.db, "SELECT email FROM users WHERE role = "
                    "'customer_success' ORDER BY id LIMIT 1")[0]["email"]
    assert server.login_response(email).status_code == 200


# ---- users ----

def list_lines(db):
    out = cli_ok("user", "list", db=db).stdout
    assert out.endswith("\n")
    return out[:-1].split("\n")


def test_user_list_format_and_order(demo_db):
    lines = list_lines(demo_db)
    emails = [r["email"] for r in db_rows(
        demo_db, "SELECT email FROM users ORDER BY email")]
    rows = [line.split("\t") for line in lines]
    assert all(len(r) == 4 for r in rows)
    assert [r[0] for r in rows] == emails
    assert [r[0] for r in rows] == sorted(r[0] for r in rows)
    assert all(r[2] in ROLES and r[3] in ("active", "inactive") for r in rows)
    admin = [r for r in rows if r[0] == ADMIN_EMAIL][0]
    assert (admin[2], admin[3]) == ("admin", "active")


def test_user_add(tmp_path, demo_db):
    db = copy_db(demo_db, tmp_path / "u.db")
    team = db_rows(db, "SELECT id, name FROM teams WHERE parent_id IS NOT "
                   "NULL ORDER BY id LIMIT 1")[0]
    email = "Mai.Anh.%s@Test.PHEU.vn" % uniq()
    p = cli_ok("user", "add", "--email", email, "--name", "Nguyễn Mai Anh",
               "--role", "sales_rep", "--team", team["name"], db=db)
    assert re.fullmatch(r"[1-9]\d*\n", p.stdout), p.stdout
    uid = int(p.stdout)
    row = db_rows(db, "SELECT * FROM users WHERE id = ?", (uid,))[0]
    assert row["email"] == email.lower()
    assert row["name"] == "Nguyễn Mai Anh"
    assert (row["role"], row["team_id"], row["active"]) == (
        "sales_rep", team["id"], 1)
    assert "%s\tNguyễn Mai Anh\tsales_rep\tactive" % email.lower() in \
        list_lines(db)
    # By team id, and with no team.
    p = cli_ok("user", "add", "--email", uniq_email(), "--name", "B",
               "--role", "marketer", "--team", str(team["id"]), db=db)
    assert db_value(db, "SELECT team_id FROM users WHERE id = ?",
                    (int(p.stdout),)) == team["id"]
    p = cli_ok("user", "add", "--email", uniq_email(), "--name", "C",
               "--role", "admin", db=db)
    assert db_value(db, "SELECT team_id FROM users WHERE id = ?",
                    (int(p.stdout),)) is None


@pytest.mark.parametrize("case, extra", [
    ("duplicate", ["--email", ADMIN_EMAIL.upper()]),
    ("bad-email", ["--email", "not an email"]),
    ("unknown-team-name", ["--team", "Không có nhóm này"]),
    ("unknown-team-id", ["--team", "999999"]),
])
def test_user_add_failures_exit_1(tmp_path, demo_db, case, extra):
    db = copy_db(demo_db, tmp_path / "u.db")
    before = list_lines(db)
    args = {"--email": uniq_email(), "--name": "X", "--role": "sales_rep"}
    for i in range(0, len(extra), 2):
        args[extra[i]] = extra[i + 1]
    argv = [x for kv in args.items() for x in kv]
    p = cli("user", "add", *argv, db=db)
    assert p.returncode == 1, (p.returncode, p.stderr)
    assert p.stdout == ""
    assert len(p.stderr.splitlines()) == 1 and p.stderr.startswith("pheu:")
    assert list_lines(db) == before


def test_user_add_with_password_then_log_in(server):
    email, pw = uniq_email("cli"), "Mật khẩu dài %s" % uniq()
    cli_ok("user", "add", "--email", email, "--name", "Đăng Nhập",
           "--role", "marketer", "--password-stdin", db=server.db,
           stdin=pw + "\n")
    r = server.login_response(email, pw)
    assert r.status_code == 200, r.text
    assert r.json()["user"]["role"] == "marketer"


@pytest.mark.parametrize("stdin", ["short\n", ""])
def test_user_add_refuses_a_bad_password(tmp_path, demo_db, stdin):
    db = copy_db(demo_db, tmp_path / "u.db")
    email = uniq_email()
    p = cli("user", "add", "--email", email, "--name", "X", "--role",
            "sales_rep", "--password-stdin", db=db, stdin=stdin)
    assert p.returncode == 1, p.stderr
    assert db_value(db, "SELECT COUNT(*) FROM users WHERE email = ?",
                    (email,)) == 0


def test_user_passwd(server):
    email, old, new = uniq_email("pw"), "old-password-1", "new-password-2"
    cli_ok("user", "add", "--email", email, "--name", "Đổi Mật Khẩu",
           "--role", "sales_rep", "--password-stdin", db=server.db,
           stdin=old + "\n")
    p = cli("user", "passwd", "--email", email, "--password-stdin",
            db=server.db, stdin="short\n")
    assert p.returncode == 1
    p = cli_ok("user", "passwd", "--email", email.upper(), "--password-stdin",
               db=server.db, stdin=new + "\n")
    assert email in p.stdout
    assert server.login_response(email, old).status_code == 401
    assert server.login_response(email, new).status_code == 200


def test_user_passwd_unknown_email(demo_db, tmp_path):
    db = copy_db(demo_db, tmp_path / "u.db")
    p = cli("user", "passwd", "--email", "nobody@test.pheu.vn",
            "--password-stdin", db=db, stdin="long-enough-password\n")
    assert p.returncode == 1
    assert len(p.stderr.splitlines()) == 1


def test_user_list_shows_inactive(server, admin):
    u = make_user(admin)
    r = admin.patch("/api/v1/users/%d" % u["id"], json={"active": False})
    assert r.status_code == 200
    line = "%s\t%s\t%s\tinactive" % (u["email"], u["name"], u["role"])
    assert line in list_lines(server.db)


# ---- tokens ----

def test_token_create_prints_only_the_token(server):
    p = cli_ok("token", "create", "--email", ADMIN_EMAIL, "--name", "cli",
               db=server.db)
    assert re.fullmatch(r"\S{20,}\n", p.stdout), repr(p.stdout)
    r = server.bearer(p.stdout.strip()).get("/api/v1/me")
    assert r.status_code == 200 and r.json()["email"] == ADMIN_EMAIL
    # A second token is a different one.
    assert cli_token(server.db, ADMIN_EMAIL) != p.stdout.strip()


def test_token_create_for_a_deactivated_user(server, admin):
    u = make_user(admin)
    assert admin.patch("/api/v1/users/%d" % u["id"],
                       json={"active": False}).status_code == 200
    before = db_value(server.db, "SELECT COUNT(*) FROM api_tokens")
    p = cli("token", "create", "--email", u["email"], "--name", "x",
            db=server.db)
    assert p.returncode == 1 and p.stdout == ""
    assert db_value(server.db, "SELECT COUNT(*) FROM api_tokens") == before


def test_token_create_for_unknown_email(demo_db, tmp_path):
    db = copy_db(demo_db, tmp_path / "t.db")
    p = cli("token", "create", "--email", "nobody@test.pheu.vn", "--name",
            "x", db=db)
    assert p.returncode == 1 and p.stdout == ""
    assert db_value(db, "SELECT COUNT(*) FROM api_tokens") == 0


# ---- environment fallbacks ----

def test_pheu_db_fallback(demo_db):
    with_flag = cli_ok("user", "list", db=demo_db).stdout
    p = cli("user", "list", env=base_env(PHEU_DB=demo_db))
    assert p.returncode == 0 and p.stdout == with_flag


def test_serve_from_environment(fresh_server):
    srv = fresh_server(start=False, flags=False)
    srv.extra_env = {"PHEU_DB": srv.db, "PHEU_LISTEN": "127.0.0.1:%d" %
                     srv.port, "PHEU_WORKERS": "1", "PHEU_LOG": "off"}
    port = srv.port
    srv.start()
    assert srv.port == port
    assert "127.0.0.1:%d" % port in srv.ready_line
    c = srv.token(ADMIN_EMAIL)
    assert c.get("/api/v1/me").status_code == 200
    time.sleep(0.6)                 # the log is flushed five times a second
    assert "method=" not in srv.stderr()


def test_flags_override_environment(fresh_server):
    srv = fresh_server(start=False, env={"PHEU_LOG": "off",
                                         "PHEU_LISTEN": "nonsense",
                                         "PHEU_WORKERS": "1"},
                       args=["--workers", "3"])
    srv.start()
    assert srv.client().get("/healthz").status_code == 200
    srv.wait_log("method=GET path=/healthz status=200")


def test_serve_on_a_busy_port_exits_1(demo_db, tmp_path):
    db = copy_db(demo_db, tmp_path / "b.db")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        port = s.getsockname()[1]
        p = subprocess.run([BIN, "serve", "--db", str(db), "--listen",
                            "127.0.0.1:%d" % port], capture_output=True,
                           text=True, timeout=30, env=base_env())
    assert p.returncode == 1, p.stderr
    assert "Phễu is running" not in p.stdout


@pytest.mark.parametrize("listen", [
    "nonsense", "127.0.0.1:99999", "127.0.0.1:http", "999.1.1.1:80",
    "127.0.0.1:", "127.0.0.1:-1", "127.0.0.1:80x", ":8080",
])
def test_serve_bad_listen_exits_2(demo_db, tmp_path, listen):
    srv = Server(copy_db(demo_db, tmp_path / "l.db"), tmp_path, listen=listen,
                 log_level=None)
    srv.start(wait_health=False, expect_ready=False)
    if srv.ready_line is not None:
        srv.stop()
        pytest.fail("--listen %r was accepted: %s" % (listen, srv.ready_line))
    assert srv.wait() == 2, srv.stderr()
    assert len(srv.stderr().splitlines()) == 1, srv.stderr()
