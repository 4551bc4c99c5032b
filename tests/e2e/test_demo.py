"""pheu demo's business (docs/decisions/0005-demo-data.md): companies,
contacts at every lifecycle stage with histories that end at their stage,
deals in every stage of both pipelines, activities of every kind, owned
along the team structure; the same seed gives the same data, on both
engines and as CSV files (`--csv`), which are exactly what `pheu export`
writes of the loaded database."""

import csv
import io
import json
import re
import time

import pytest

from conftest import (ADMIN_EMAIL, cli, cli_ok, db_rows, db_value, is_pg,
                      new_db)

TODAY = "2026-06-01"
TODAY_MS = 1780246800000            # 2026-06-01 00:00 in Asia/Ho_Chi_Minh
DAY_MS = 86400000
STAGES = ["subscriber", "lead", "marketing_qualified_lead",
          "sales_qualified_lead", "opportunity", "customer", "evangelist",
          "other"]
KINDS = ["call", "email", "meeting", "demo", "task", "note", "conference",
         "sms"]

SNAPSHOT = {
    "users": "SELECT id, email, name, role, team_id, sales_mode, phone "
             "FROM users ORDER BY id",
    "teams": "SELECT id, name, kind, parent_id, manager_id FROM teams "
             "ORDER BY id",
    "companies": "SELECT * FROM companies ORDER BY id",
    "contacts": "SELECT * FROM contacts ORDER BY id",
    "stage_changes": "SELECT contact_id, from_stage, to_stage, at, by_user, "
                     "reason FROM stage_changes ORDER BY contact_id, at, id",
    "deals": "SELECT * FROM deals ORDER BY id",
    "deal_contacts": "SELECT * FROM deal_contacts ORDER BY 1, 2",
    "activities": "SELECT * FROM activities ORDER BY id",
    "collaborators": "SELECT * FROM collaborators ORDER BY 1, 2, 3",
    "search_terms": "SELECT kind, term, word, record_id FROM search_terms "
                    "ORDER BY kind, record_id, term, word",
    "campaigns": "SELECT * FROM campaigns ORDER BY id",
    "campaign_costs": "SELECT * FROM campaign_costs ORDER BY id",
    "touchpoints": "SELECT * FROM touchpoints ORDER BY id",
}


def load(db, *args):
    cli_ok("init", db=db)
    return cli_ok("demo", *args, db=db, timeout=300).stdout


def snapshot(db):
    return {t: [tuple(r.values()) for r in db_rows(db, sql)]
            for t, sql in SNAPSHOT.items()}


# ---- determinism ----

def test_same_seed_same_data(tmp_path):
    args = ("--seed", "5", "--contacts", "700", "--today", TODAY)
    a, b, c = (new_db(tmp_path / n) for n in ("a.db", "b.db", "c.db"))
    out = load(a, *args)
    assert re.search(r"\b140 companies, 700 contacts, \d+ stage changes, "
                     r"\d+ deals, \d+ activities in [\d.]+ s", out), out
    load(b, *args)
    sa, sb = snapshot(a), snapshot(b)
    for t in SNAPSHOT:
        assert sa[t] == sb[t], t
    assert len(sa["contacts"]) == 700 and len(sa["search_terms"]) > 7000
    m = re.search(r"^marketing: (\d+) campaigns, (\d+) cost entries, "
                  r"(\d+) touchpoints$", out, re.M)
    assert m, out
    assert [int(x) for x in m.groups()] == [len(sa["campaigns"]),
                                            len(sa["campaign_costs"]),
                                            len(sa["touchpoints"])]
    assert 2100 <= len(sa["touchpoints"]) <= 3500
    load(c, "--seed", "6", "--contacts", "700", "--today", TODAY)
    sc = snapshot(c)
    assert sc["contacts"] != sa["contacts"]
    assert sc["users"] != sa["users"]


def test_csv_files_are_the_loaded_data(tmp_path):
    args = ("--seed", "9", "--contacts", "600", "--today", TODAY)
    d1, d2 = tmp_path / "csv1", tmp_path / "csv2"
    d1.mkdir()                  # d2 is made by pheu demo
    nodb = tmp_path / "never.db"
    out = cli_ok("demo", *args, "--csv", d1, db=nodb).stdout
    assert "600 contacts" in out and not nodb.exists()
    cli_ok("demo", *args, "--csv", d2)
    names = sorted(p.name for p in d1.iterdir())
    assert names == ["activities.csv", "campaign_costs.csv", "campaigns.csv",
                     "companies.csv", "contacts.csv", "deals.csv",
                     "stage_changes.csv", "touchpoints.csv"]
    for n in names:
        assert (d1 / n).read_bytes() == (d2 / n).read_bytes(), n
    db = new_db(tmp_path / "x.db")
    load(db, *args)
    for obj in ("contacts", "companies", "deals", "activities", "campaigns"):
        p = cli_ok("export", obj, "--output", tmp_path / (obj + ".csv"),
                   db=db)
        assert (tmp_path / (obj + ".csv")).read_bytes() == \
            (d1 / (obj + ".csv")).read_bytes(), obj
    rows = list(csv.DictReader(io.StringIO(
        (d1 / "stage_changes.csv").read_text("utf-8"), newline="")))
    assert len(rows) == db_value(db, "SELECT COUNT(*) FROM stage_changes")
    assert set(rows[0]) == {"contact_id", "from_stage", "to_stage", "at",
                            "by_user", "reason"}
    costs = list(csv.DictReader(io.StringIO(
        (d1 / "campaign_costs.csv").read_text("utf-8"), newline="")))
    assert len(costs) == db_value(db, "SELECT COUNT(*) FROM campaign_costs")
    assert sum(int(c["amount"]) for c in costs) == \
        db_value(db, "SELECT SUM(cost) FROM campaigns")
    # touchpoints.csv is what `pheu import touchpoints` takes: every row
    # is accepted by the loaded database (a dry run writes nothing)
    tps = list(csv.DictReader(io.StringIO(
        (d1 / "touchpoints.csv").read_text("utf-8"), newline="")))
    total = db_value(db, "SELECT COUNT(*) FROM touchpoints")
    assert len(tps) == total
    assert "campaign_id" not in tps[0] and "utm_campaign" in tps[0]
    p = cli_ok("import", "touchpoints", d1 / "touchpoints.csv", "--dry-run",
               db=db, timeout=300)
    assert "%d rows: %d ok" % (total, total) in p.stdout, p.stdout + p.stderr
    assert db_value(db, "SELECT COUNT(*) FROM touchpoints") == total


def test_org_only_loads_the_users_the_csv_refers_to(tmp_path):
    db = new_db(tmp_path / "o.db")
    out = load(db, "--org-only", "--contacts", "60000")
    assert db_value(db, "SELECT COUNT(*) FROM contacts") == 0
    # 60,000 contacts size the sales force at 12 reps: 16 + 12 users
    assert db_value(db, "SELECT COUNT(*) FROM users") == 28, out
    d = tmp_path / "csv"
    d.mkdir()
    cli_ok("demo", "--contacts", "1000", "--csv", d, "--seed", "3")
    owners = {int(r["owner_id"]) for r in csv.DictReader(io.StringIO(
        (d / "contacts.csv").read_text("utf-8"), newline=""))}
    db2 = new_db(tmp_path / "o2.db")
    load(db2, "--org-only", "--contacts", "1000", "--seed", "3")
    reps = {r["id"] for r in db_rows(db2, "SELECT id FROM users WHERE role "
                                     "= 'sales_rep'")}
    assert owners and owners <= reps


@pytest.mark.parametrize("args", [
    ["--today", "2026-13-01"],
    ["--today", "yesterday"],
    ["--contacts", "10000001"],
    ["--csv", "/nonexistent/parent/dir"],
])
def test_bad_usage(tmp_path, args):
    p = cli("demo", *args, db=tmp_path / "bad.db")
    assert p.returncode == 2, p.stderr
    assert len(p.stderr.splitlines()) == 1


# ---- the story in the default demo ----

def counts(db, sql):
    return {r["k"]: r["n"] for r in db_rows(db, sql)}


def test_every_stage_pipeline_stage_and_kind_is_present(demo_db):
    st = counts(demo_db, "SELECT lifecycle_stage AS k, COUNT(*) AS n FROM "
                "contacts GROUP BY lifecycle_stage")
    for s in STAGES + [None]:
        assert st.get(s, 0) > 0, (s, st)
    # a funnel: most stop early, fewer reach customer
    assert st["lead"] > st["marketing_qualified_lead"] > st["customer"] > \
        st["evangelist"]
    assert sum(st.values()) == 3000
    ds = counts(demo_db, "SELECT s.id AS k, COUNT(d.id) AS n FROM "
                "pipeline_stages s LEFT JOIN deals d ON d.stage_id = s.id "
                "GROUP BY s.id")
    assert len(ds) == 11 and all(n > 0 for n in ds.values()), ds
    ks = counts(demo_db, "SELECT kind AS k, COUNT(*) AS n FROM activities "
                "GROUP BY kind")
    assert set(ks) == set(KINDS) and all(n > 0 for n in ks.values()), ks
    co = counts(demo_db, "SELECT lifecycle_stage AS k, COUNT(*) AS n FROM "
                "companies GROUP BY lifecycle_stage")
    assert co.get("customer", 0) > 0 and sum(co.values()) == 600
    assert db_value(demo_db, "SELECT COUNT(*) FROM deals WHERE currency <> "
                    "'VND' OR amount < 1000000 OR amount % 100000 <> 0") == 0


def test_sources_convert_differently(demo_db):
    rows = db_rows(demo_db, "SELECT source, COUNT(*) AS n, SUM(CASE WHEN "
                   "lifecycle_stage IN ('customer', 'evangelist') THEN 1 "
                   "ELSE 0 END) AS won FROM contacts GROUP BY source")
    rate = {r["source"]: r["won"] / r["n"] for r in rows}
    assert set(rate) == {"organic_search", "paid_search", "social", "email",
                         "referral", "direct", "offline", "other"}
    assert rate["referral"] > rate["social"]


def test_histories_end_at_the_current_stage(demo_db):
    assert db_value(demo_db, """
        SELECT COUNT(*) FROM contacts k WHERE k.lifecycle_stage IS DISTINCT
        FROM (SELECT s.to_stage FROM stage_changes s WHERE s.contact_id = k.id
              ORDER BY s.at DESC, s.id DESC LIMIT 1)""") == 0
    assert db_value(demo_db, """
        SELECT COUNT(*) FROM stage_changes s WHERE s.from_stage IS DISTINCT
        FROM (SELECT p.to_stage FROM stage_changes p
              WHERE p.contact_id = s.contact_id
                AND (p.at < s.at OR (p.at = s.at AND p.id < s.id))
              ORDER BY p.at DESC, p.id DESC LIMIT 1)""") == 0
    now = int(time.time() * 1000)
    assert db_value(demo_db, "SELECT COUNT(*) FROM stage_changes s JOIN "
                    "contacts k ON k.id = s.contact_id WHERE s.at > ? OR "
                    "s.at < k.created_at", (now,)) == 0
    assert db_value(demo_db, "SELECT MIN(created_at) FROM contacts") > \
        now - 550 * DAY_MS
    # ids ascend with creation
    assert db_value(demo_db, "SELECT COUNT(*) FROM contacts a JOIN contacts "
                    "b ON b.id = a.id + 1 WHERE b.created_at < "
                    "a.created_at") == 0
    # backward moves exist and are explicit
    back = counts(demo_db, "SELECT reason AS k, COUNT(*) AS n FROM "
                  "stage_changes WHERE to_stage = 'lead' AND from_stage IS "
                  "NOT NULL AND from_stage <> 'subscriber' GROUP BY reason")
    assert set(back) == {"rejected", "recycled"}, back


def test_deals_agree_with_their_contacts(demo_db):
    assert db_value(demo_db, """
        SELECT COUNT(*) FROM deals d JOIN deal_contacts dc ON dc.deal_id = d.id
        JOIN contacts k ON k.id = dc.contact_id
        WHERE d.status = 'won' AND k.lifecycle_stage NOT IN
              ('customer', 'evangelist')""") == 0
    assert db_value(demo_db, """
        SELECT COUNT(*) FROM deals d JOIN deal_contacts dc ON dc.deal_id = d.id
        JOIN contacts k ON k.id = dc.contact_id JOIN pipelines p
        ON p.id = d.pipeline_id
        WHERE d.status = 'open' AND p.name = 'New business'
          AND k.lifecycle_stage <> 'opportunity'""") == 0
    assert db_value(demo_db, "SELECT COUNT(*) FROM deals d WHERE NOT EXISTS "
                    "(SELECT 1 FROM deal_contacts dc WHERE dc.deal_id = "
                    "d.id)") == 0
    assert db_value(demo_db, "SELECT COUNT(*) FROM deals WHERE (status = "
                    "'open') <> (closed_at IS NULL)") == 0
    assert db_value(demo_db, "SELECT COUNT(*) FROM deals d JOIN "
                    "pipeline_stages s ON s.id = d.stage_id WHERE s.kind <> "
                    "d.status OR s.pipeline_id <> d.pipeline_id") == 0


def test_owners_follow_the_team_structure(demo_db):
    def roles(sql):
        return {r["role"] for r in db_rows(demo_db, sql)}
    assert roles("SELECT DISTINCT u.role FROM contacts c JOIN users u ON "
                 "u.id = c.owner_id") == {"sales_rep"}
    assert roles("SELECT DISTINCT u.role FROM companies c JOIN users u ON "
                 "u.id = c.owner_id") == {"sales_rep"}
    assert roles("SELECT DISTINCT u.role FROM deals d JOIN users u ON u.id "
                 "= d.owner_id JOIN pipelines p ON p.id = d.pipeline_id "
                 "WHERE p.name = 'Renewal'") == {"customer_success"}
    assert roles("SELECT DISTINCT u.role FROM activities a JOIN users u ON "
                 "u.id = a.owner_id WHERE a.kind = 'demo'") == \
        {"sales_specialist"}
    # reps own what their region's companies hold: same team as the owner
    assert db_value(demo_db, "SELECT COUNT(*) FROM contacts c JOIN "
                    "companies co ON co.id = c.company_id JOIN users a ON "
                    "a.id = c.owner_id JOIN users b ON b.id = co.owner_id "
                    "WHERE a.team_id <> b.team_id") == 0
    # every demo on a deal makes the specialist a collaborator on it
    assert db_value(demo_db, "SELECT COUNT(*) FROM activities a WHERE "
                    "a.kind = 'demo' AND a.deal_id IS NOT NULL AND NOT "
                    "EXISTS (SELECT 1 FROM collaborators c WHERE c.object = "
                    "'deal' AND c.record_id = a.deal_id AND c.user_id = "
                    "a.owner_id)") == 0
    # open tasks and meetings ahead exist for the today list
    now = int(time.time() * 1000)
    assert db_value(demo_db, "SELECT COUNT(*) FROM activities WHERE due_at "
                    "> ? AND done_at IS NULL", (now,)) > 0


def test_people_are_vietnamese(demo_db):
    rows = db_rows(demo_db, "SELECT first_name, last_name, email, phone "
                   "FROM contacts")
    family = [r["last_name"].split(" ")[0] for r in rows]
    share = family.count("Nguyễn") / len(family)
    assert 0.30 < share < 0.46, share
    assert {"Trần", "Lê", "Phạm", "Đặng"} <= set(family)
    phones = [r["phone"] for r in rows if r["phone"]]
    assert len(phones) > 0.8 * len(rows) and len(set(phones)) == len(phones)
    assert all(re.fullmatch(r"\+84(3|5|7|8|9)\d{8}|\+842\d{9}", p)
               for p in phones), [p for p in phones if not re.fullmatch(
                   r"\+84\d{9,10}", p)][:5]
    assert any(p.startswith("+8424") for p in phones)
    emails = [r["email"] for r in rows if r["email"]]
    assert len(set(emails)) == len(emails)
    assert all(re.fullmatch(r"[a-z0-9.]+@[a-z0-9.-]+", e) for e in emails)


def test_campaigns_and_touchpoints_tell_the_story(demo_db):
    """Campaigns on a dozen channels, costs within their dates, every
    contact's first touch at or before its creation and naming its
    original campaign, and attribution that credits many campaigns."""
    ch = counts(demo_db, "SELECT channel AS k, COUNT(*) AS n FROM campaigns "
                "GROUP BY channel")
    assert set(ch) == {"paid_search", "social", "email", "seo", "referral",
                       "content", "event", "webinar", "display", "partner",
                       "pr", "direct_mail"}, ch
    assert 45 <= sum(ch.values()) <= 65
    st = counts(demo_db, "SELECT status AS k, COUNT(*) AS n FROM campaigns "
                "GROUP BY status")
    assert set(st) == {"planned", "active", "completed"}, st
    assert db_value(demo_db, "SELECT COUNT(DISTINCT utm_campaign) FROM "
                    "campaigns") == sum(ch.values())
    assert db_value(demo_db, "SELECT COUNT(*) FROM campaign_costs k JOIN "
                    "campaigns c ON c.id = k.campaign_id WHERE k.date < "
                    "c.start_date OR k.date > c.end_date") == 0
    assert db_value(demo_db, "SELECT COUNT(*) FROM campaigns c WHERE cost "
                    "<> (SELECT COALESCE(SUM(amount), 0) FROM campaign_costs "
                    "k WHERE k.campaign_id = c.id)") == 0
    assert db_value(demo_db, """
        SELECT COUNT(*) FROM contacts k JOIN touchpoints t ON t.id =
          (SELECT x.id FROM touchpoints x WHERE x.contact_id = k.id
           ORDER BY x.at, x.id LIMIT 1)
        WHERE t.at > k.created_at
           OR COALESCE(t.campaign_id, 0) <> COALESCE(k.source_campaign_id, 0)
        """) == 0
    assert db_value(demo_db, "SELECT COUNT(*) FROM contacts k WHERE NOT "
                    "EXISTS (SELECT 1 FROM touchpoints t WHERE t.contact_id "
                    "= k.id)") == 0
    now = int(time.time() * 1000)
    assert db_value(demo_db, "SELECT COUNT(*) FROM touchpoints WHERE at > ?",
                    (now,)) == 0
    n = db_value(demo_db, "SELECT COUNT(*) FROM touchpoints")
    assert 3 * 3000 <= n <= 5 * 3000, n
    # the demo forms name campaigns of their channel, and each
    # submission is one of that campaign's form_submit touches
    forms = db_rows(demo_db, "SELECT f.id, c.channel FROM forms f JOIN "
                    "campaigns c ON c.id = f.campaign_id ORDER BY f.id")
    assert [f["channel"] for f in forms] == ["email", "paid_search",
                                             "webinar", "social"]
    assert db_value(demo_db, "SELECT COUNT(*) FROM form_submissions") > 100
    assert db_value(demo_db, """
        SELECT COUNT(*) FROM form_submissions s JOIN forms f ON f.id = s.form_id
        WHERE NOT EXISTS (SELECT 1 FROM touchpoints t WHERE t.contact_id =
          s.contact_id AND t.at = s.at AND t.kind = 'form_submit' AND
          t.campaign_id = f.campaign_id)""") == 0
    doc = json.loads(cli_ok("report", "attribution", "--model", "u_shaped",
                            "--by", "campaign", "--format", "json",
                            db=demo_db).stdout)
    won = db_value(demo_db, "SELECT COUNT(*) FROM deals WHERE status = "
                   "'won'")
    assert won > 100
    assert doc["unattributed"]["deals"] <= won // 50, doc["unattributed"]
    paid = [r for r in doc["rows"] if r["key"] is not None and
            r["revenue"] > 0]
    assert len(paid) >= 20, len(paid)
    assert sum(r["revenue"] for r in paid) > doc["total_revenue"] // 2


def test_search_finds_the_demo_people(server, admin):
    r = admin.get("/api/v1/contacts", params={"q": "nguyen van",
                                              "limit": 5})
    assert r.status_code == 200 and len(r.json()["data"]) == 5
    for c in r.json()["data"]:
        assert c["last_name"].startswith("Nguyễn")
    phone = db_value(server.db, "SELECT phone FROM contacts WHERE phone LIKE "
                     "'+8491%' ORDER BY id LIMIT 1")
    r = admin.get("/api/v1/contacts", params={"q": "0" + phone[3:]})
    assert phone in [c["phone"] for c in r.json()["data"]]
    co = db_rows(server.db, "SELECT id, name FROM companies ORDER BY id "
                 "LIMIT 1")[0]
    r = admin.get("/api/v1/companies", params={"q": co["name"]})
    assert co["id"] in [c["id"] for c in r.json()["data"]]


def test_a_rep_sees_only_their_demo_contacts(server):
    rep = db_rows(server.db, "SELECT email, id FROM users WHERE role = "
                  "'sales_rep' ORDER BY id LIMIT 1")[0]
    c = server.token(rep["email"])
    r = c.get("/api/v1/contacts", params={"limit": 500})
    data = r.json()["data"]
    assert data and {x["owner_id"] for x in data} == {rep["id"]}


def test_new_records_follow_the_demo_ids(server, admin):
    top = db_value(server.db, "SELECT MAX(id) FROM contacts")
    r = admin.post("/api/v1/contacts", json={"first_name": "Mới",
                                             "email": "moi.%d@ex.vn" % top})
    assert r.status_code == 201, r.text
    assert r.json()["id"] > top
    top = db_value(server.db, "SELECT MAX(id) FROM activities")
    r = admin.post("/api/v1/activities", json={"kind": "note",
                                               "subject": "Ghi chú"})
    assert r.status_code == 201 and r.json()["id"] > top, r.text
