"""Exports (SPEC §12, App. B, App. C; docs/decisions/0009-export.md):
`GET /api/v1/exports/{object}` streamed as CSV, JSON or NDJSON with the
list's filters, sort and search and the caller's visibility, and
`pheu export` on the command line. Cells that a spreadsheet would run as
a formula are prefixed with ', phone numbers stay E.164 and read back as
the same number, custom fields are custom.<name> columns."""

import csv
import io
import json

import pytest

from conftest import (ADMIN_EMAIL, assert_error, cli, cli_ok, db_rows,
                      db_value, uniq)

CONTACT_COLUMNS = [
    "id", "first_name", "last_name", "email", "phone", "company_id",
    "title", "city", "country", "owner_id", "lifecycle_stage",
    "lead_status", "source", "source_campaign_id", "score", "score_fit",
    "score_engagement", "created_at", "updated_at", "became_subscriber_at",
    "became_lead_at", "became_marketing_qualified_lead_at",
    "became_sales_qualified_lead_at", "became_opportunity_at",
    "became_customer_at", "became_evangelist_at", "became_other_at",
    "highest_stage"]


def parse_csv(text):
    """Rows of a CSV export as dicts, after checking the line ends."""
    assert text.endswith("\r\n") or text == ""
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header = rows[0]
    return header, [dict(zip(header, r)) for r in rows[1:]]


def export(client, obj, params=None, fmt=None):
    p = dict(params or {})
    if fmt:
        p["format"] = fmt
    r = client.get("/api/v1/exports/%s" % obj, params=p)
    assert r.status_code == 200, (r.status_code, r.text[:500])
    return r


def list_all(client, obj, params=None):
    """Every record of a list, through its pages."""
    out, p = [], dict(params or {}, limit=500)
    while True:
        r = client.get("/api/v1/%s" % obj, params=p)
        assert r.status_code == 200, r.text
        body = r.json()
        out += body["data"]
        if not body["next_cursor"]:
            return out
        p["cursor"] = body["next_cursor"]


def user_of(db, role, team_like=None):
    sql = ("SELECT u.id, u.email, u.team_id FROM users u LEFT JOIN teams t "
           "ON t.id = u.team_id WHERE u.role = ?")
    args = [role]
    if team_like:
        sql += " AND t.name LIKE ?"
        args.append(team_like)
    return db_rows(db, sql + " ORDER BY u.id LIMIT 1", args)[0]


# ---- shape ----

def test_csv_export_of_every_contact(server, admin):
    r = export(admin, "contacts")
    assert r.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert r.headers["Content-Disposition"] == \
        'attachment; filename="contacts.csv"'
    assert r.headers.get("Transfer-Encoding") == "chunked"
    header, rows = parse_csv(r.content.decode("utf-8"))
    assert header[:len(CONTACT_COLUMNS)] == CONTACT_COLUMNS
    n = db_value(server.db, "SELECT COUNT(*) FROM contacts")
    assert n >= 3000 and len(rows) == n
    ids = [int(x["id"]) for x in rows]
    assert ids == sorted(ids) and len(set(ids)) == n


def test_csv_cells_match_the_api(admin):
    _, rows = parse_csv(export(admin, "contacts", {
        "lifecycle_stage": "customer"}).text)
    assert rows
    for row in rows[:20]:
        api = admin.get("/api/v1/contacts/%s" % row["id"]).json()
        for k in CONTACT_COLUMNS:
            v = api[k]
            assert row[k] == ("" if v is None else str(v)), (k, row, api)


def test_json_export_is_an_array_of_api_objects(admin):
    r = export(admin, "deals", {"status": "won"}, fmt="json")
    assert r.headers["Content-Type"] == "application/json"
    deals = r.json()
    assert deals and all(d["status"] == "won" for d in deals)
    assert deals == list_all(admin, "deals", {"status": "won"})
    one = admin.get("/api/v1/deals/%d" % deals[0]["id"]).json()
    assert deals[0] == one and one["contact_ids"]


def test_ndjson_export_is_one_object_a_line(admin):
    r = export(admin, "activities", {"kind": "demo"}, fmt="ndjson")
    assert r.headers["Content-Type"] == "application/x-ndjson"
    lines = r.text.split("\n")
    assert lines[-1] == "" and len(lines) > 2
    objs = [json.loads(x) for x in lines[:-1]]
    assert {o["kind"] for o in objs} == {"demo"}


def test_empty_exports(admin):
    q = {"email": uniq("nobody") + "@nowhere.example"}
    assert export(admin, "contacts", q).text == \
        ",".join(CONTACT_COLUMNS) + "\r\n"
    assert export(admin, "contacts", q, fmt="json").json() == []
    assert export(admin, "contacts", q, fmt="ndjson").text == ""


def test_deal_contact_ids_join_with_semicolons(server, admin):
    did = db_value(server.db, "SELECT MIN(deal_id) FROM deal_contacts")
    c2 = admin.post("/api/v1/contacts", json={
        "first_name": "Hai", "email": uniq("dc") + "@ex.vn"}).json()
    d = admin.get("/api/v1/deals/%d" % did).json()
    r = admin.patch("/api/v1/deals/%d" % did,
                    json={"contact_ids": d["contact_ids"] + [c2["id"]]})
    assert r.status_code == 200, r.text
    _, rows = parse_csv(export(admin, "deals", {"id": did}).text)
    want = ";".join(str(i) for i in sorted(d["contact_ids"] + [c2["id"]]))
    assert rows[0]["contact_ids"] == want


# ---- filters, sort, search ----

def test_filters_and_sort_give_the_list(server, admin):
    rep = user_of(server.db, "sales_rep")
    q = {"lifecycle_stage": "lead", "owner_id": rep["id"],
         "sort": "-created_at"}
    _, rows = parse_csv(export(admin, "contacts", q).text)
    listed = list_all(admin, "contacts", q)
    assert [int(x["id"]) for x in rows] == [c["id"] for c in listed]
    assert rows and all(x["lifecycle_stage"] == "lead" and
                        x["owner_id"] == str(rep["id"]) for x in rows)
    times = [x["created_at"] for x in rows]
    assert times == sorted(times, reverse=True)


def test_search_exports_the_ranked_matches(admin):
    q = {"q": "nguyen van"}
    r = export(admin, "contacts", q, fmt="json").json()
    listed = list_all(admin, "contacts", q)
    assert r and [c["id"] for c in r] == [c["id"] for c in listed]


@pytest.mark.parametrize("params, field", [
    ({"bogus": "1"}, "bogus"),
    ({"lifecycle_stage": "nope"}, "lifecycle_stage"),
    ({"limit": "10"}, "limit"),
    ({"cursor": "abc"}, "cursor"),
    ({"format": "xml"}, "format"),
    ({"sort": "custom"}, "sort"),
    ({"q": "%%"}, "q"),
])
def test_bad_queries_answer_400_before_any_row(admin, params, field):
    r = admin.get("/api/v1/exports/contacts", params=params)
    assert_error(r, 400, field=field)


def test_unknown_object_and_no_credentials(server, admin):
    assert_error(admin.get("/api/v1/exports/users"), 404)
    assert_error(admin.get("/api/v1/exports/contact"), 404)
    assert_error(server.client().get("/api/v1/exports/contacts"), 401)


# ---- App. C: formulas, phones ----

# (text sent, whether its exported cell is guarded); the API may trim
# spaces first, so the cell is "'" + the stored text when guarded
RISKY = [
    ("=1+2", True),
    ("+SUM(A1)", True),
    ("-2+3+cmd|' /C calc'!A0", True),
    ("@SUM(1)", True),
    ("\uff1dHYPERLINK(\"http://x\")", True),
    ("\uff0b1", True),
    ("\uff0d1", True),
    ("\uff20x", True),
    ("  =1", True),
    ("\u3000=1", True),
    ("\t=1", True),
    ("\tplain", True),
    ("Nguyễn = An", False),
    ("a-b", False),
    ("an@x.vn", False),
    ("'=1", False),
]


def test_formula_cells_are_neutralised(admin):
    tag = uniq("fx")
    made = []
    for i, (raw, _) in enumerate(RISKY):
        r = admin.post("/api/v1/contacts", json={
            "first_name": raw, "title": raw, "last_name": "Trần",
            "email": "%s.%d@ex.vn" % (tag, i)})
        assert r.status_code == 201, (raw, r.text)
        made.append(r.json())
    q = {"email[contains]": tag, "sort": "id"}
    _, rows = parse_csv(export(admin, "contacts", q).text)
    assert [int(x["id"]) for x in rows] == [c["id"] for c in made]
    for (raw, guarded), c, row in zip(RISKY, made, rows):
        want = ("'" if guarded else "") + c["first_name"]
        assert row["first_name"] == want, (raw, row["first_name"])
        assert row["title"] == ("'" if guarded else "") + c["title"]
    assert rows[0]["first_name"] == "'=1+2"
    assert rows[4]["first_name"] == "'\uff1dHYPERLINK(\"http://x\")"
    assert rows[10]["first_name"] == "'\t=1"
    # JSON carries the text as it is: no spreadsheet reads it
    objs = export(admin, "contacts", q, fmt="json").json()
    assert [o["first_name"] for o in objs] == [c["first_name"] for c in made]


def test_phone_numbers_stay_e164_and_read_back(admin):
    tag = uniq("ph")
    n = int(tag.rsplit(".", 1)[1]) % 1000
    typed = ["0399 71%d %03d" % (n % 10, n), "024 37%02d %04d" % (
        n % 100, n)]
    made = []
    for i, t in enumerate(typed):
        r = admin.post("/api/v1/contacts", json={
            "first_name": "Phone", "phone": t,
            "email": "%s.%d@ex.vn" % (tag, i)})
        if r.status_code == 409:
            pytest.skip("number taken by the demo data")
        assert r.status_code == 201, r.text
        made.append(r.json())
    _, rows = parse_csv(export(admin, "contacts", {
        "email[contains]": tag, "sort": "id"}).text)
    assert [x["phone"] for x in rows] == [c["phone"] for c in made]
    assert rows[0]["phone"].startswith("+84399")
    assert rows[1]["phone"].startswith("+84243")
    # the exported text is the same number: creating it again is a duplicate
    for x in rows:
        r = admin.post("/api/v1/contacts", json={"phone": x["phone"]})
        e = assert_error(r, 409, field="phone")
        assert e["existing_id"] == int(x["id"])


def test_unparseable_phone_text_is_guarded(admin):
    tag = uniq("pt")
    # kept as typed (an extension makes it unparseable): not E.164, so a
    # leading + is guarded like any text
    r = admin.post("/api/v1/contacts", json={
        "first_name": "X", "phone": "+84 912 345 678 ext 9",
        "email": tag + "@ex.vn"})
    assert r.status_code == 201, r.text
    assert r.json()["phone"] == "+84 912 345 678 ext 9"
    _, rows = parse_csv(export(admin, "contacts", {
        "email": tag + "@ex.vn"}).text)
    assert rows[0]["phone"] == "'+84 912 345 678 ext 9"


def test_custom_fields_are_columns(server, admin):
    name = "x" + uniq("cf").replace(".", "_").lower()
    r = admin.post("/api/v1/custom-fields", json={
        "object": "contact", "name": name, "label": "Ghi chú", "type":
        "text"})
    assert r.status_code == 201, r.text
    tags = name + "t"
    r = admin.post("/api/v1/custom-fields", json={
        "object": "contact", "name": tags, "label": "Nhãn",
        "type": "multiselect", "options": ["vip", "partner"]})
    assert r.status_code == 201, r.text
    email = uniq("cfv") + "@ex.vn"
    r = admin.post("/api/v1/contacts", json={
        "first_name": "Cf", "email": email,
        "custom": {name: "=danger()", tags: ["vip", "partner"]}})
    assert r.status_code == 201, r.text
    header, rows = parse_csv(export(admin, "contacts", {"email": email}).text)
    assert "custom." + name in header and "custom." + tags in header
    assert header.index("custom." + name) >= len(CONTACT_COLUMNS)
    assert rows[0]["custom." + name] == "'=danger()"
    assert rows[0]["custom." + tags] == "vip;partner"


# ---- visibility ----

def test_a_rep_exports_only_their_records(server, admin):
    rep = user_of(server.db, "sales_rep")
    c = server.token(rep["email"])
    for obj in ("contacts", "companies", "deals", "activities"):
        _, rows = parse_csv(export(c, obj).text)
        mine = db_value(server.db, "SELECT COUNT(*) FROM %s WHERE owner_id = ?"
                        % obj, (rep["id"],))
        owners = {x["owner_id"] for x in rows}
        assert owners <= {str(rep["id"])}, (obj, owners)
        if obj != "deals":          # deals may add collaborations
            assert len(rows) == mine, obj
        assert mine > 0 or obj == "deals"
    # a filter cannot widen it
    other = db_value(server.db, "SELECT MIN(owner_id) FROM contacts WHERE "
                     "owner_id <> ?", (rep["id"],))
    _, rows = parse_csv(export(c, "contacts", {"owner_id": other}).text)
    assert rows == []


def test_the_manager_sees_the_teams_records(server, admin):
    mgr = user_of(server.db, "sales_manager", "Kinh doanh Hà Nội")
    team_users = {r["id"] for r in db_rows(
        server.db, "SELECT id FROM users WHERE team_id = ?",
        (mgr["team_id"],))}
    c = server.token(mgr["email"])
    _, rows = parse_csv(export(c, "contacts").text)
    owners = {int(x["owner_id"]) for x in rows if x["owner_id"]}
    assert owners and owners <= team_users
    n = db_value(server.db, "SELECT COUNT(*) FROM contacts WHERE owner_id IN "
                 "(SELECT id FROM users WHERE team_id = ?)",
                 (mgr["team_id"],))
    assert len(rows) == n
    everyone = db_value(server.db, "SELECT COUNT(*) FROM contacts")
    assert n < everyone


def test_a_cookie_session_exports_too(server):
    c = server.login()
    r = c.get("/api/v1/exports/companies", params={"format": "json"})
    assert r.status_code == 200 and len(r.json()) == db_value(
        server.db, "SELECT COUNT(*) FROM companies")


# ---- the command line ----

def test_cli_exports_what_the_api_exports(server, admin, tmp_path):
    q = {"lifecycle_stage": "customer", "sort": "-created_at"}
    api = export(admin, "contacts", q).content
    p = cli_ok("export", "contacts", "--filter",
               "lifecycle_stage=customer&sort=-created_at", db=server.db)
    assert p.stdout.encode("utf-8") == api.replace(b"\r\n", b"\n") or \
        p.stdout.replace("\n", "\r\n").encode("utf-8") == api
    out = tmp_path / "c.json"
    p = cli_ok("export", "deals", "--format", "json", "--output", out,
               db=server.db)
    assert p.stdout == "" and "exported" in p.stderr
    assert json.loads(out.read_text("utf-8")) == export(
        admin, "deals", fmt="json").json()


def test_cli_output_bytes(server, tmp_path):
    out = tmp_path / "a.csv"
    cli_ok("export", "activities", "--filter", "kind=note", "--output", out,
           db=server.db)
    data = out.read_bytes()
    assert data.startswith(b"id,kind,subject,body,") and b"\r\n" in data
    assert not list(tmp_path.glob("a.csv.tmp*"))


def test_cli_percent_escapes_and_plus(server):
    p = cli_ok("export", "contacts", "--format", "json", "--filter",
               "q=nguy%E1%BB%85n%20v%C4%83n", db=server.db)
    assert json.loads(p.stdout)
    phone = db_value(server.db, "SELECT phone FROM contacts WHERE phone "
                     "LIKE '+849%' ORDER BY id LIMIT 1")
    p = cli_ok("export", "contacts", "--format", "json", "--filter",
               "phone=" + phone, db=server.db)
    assert [c["phone"] for c in json.loads(p.stdout)] == [phone]


@pytest.mark.parametrize("args", [
    ["export"],
    ["export", "users"],
    ["export", "contacts", "extra"],
    ["export", "contacts", "--format", "xml"],
    ["export", "contacts", "--filter", "bogus=1"],
    ["export", "contacts", "--filter", "limit=5"],
    ["export", "contacts", "--filter", "noequals"],
    ["export", "contacts", "--filter", "a=%zz"],
    ["export", "contacts", "--filter", "city=A&city=B"],
])
def test_cli_bad_usage_exits_2(server, args):
    p = cli(*args, db=server.db)
    assert p.returncode == 2, p.stderr
    assert p.stdout == "" and len(p.stderr.splitlines()) == 1


def test_cli_unwritable_output_exits_1(server, tmp_path):
    p = cli("export", "contacts", "--output", tmp_path / "no" / "x.csv",
            db=server.db)
    assert p.returncode == 1 and p.stderr.startswith("pheu: ")
