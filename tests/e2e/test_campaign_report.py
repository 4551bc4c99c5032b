"""The campaign performance report, GET /api/v1/reports/campaigns (SPEC
§4, App. A; decision 0015), on campaigns, cost entries, contacts,
touchpoints and deals made through the API: every figure of a small
March 2025 worked out by hand below (costs and touches inside and
outside the period, contacts moving through the funnel, skipping stages,
a won deal with a known linear and first-touch attribution), which
campaigns get a row, the ratios and their nulls, sorting and the channel
filter, who sees what, a campaign in another currency, bad parameters,
and `pheu report campaigns`.

Each test works in a month of 2025 of its own and reads only the rows of
its own campaigns: the module's server is shared."""

import json

import pytest

from conftest import (Crm, Server, assert_error, cli, cli_ok, copy_db,
                      crm_fault_sweep, uniq)
from test_attribution import set_setting

API = "/api/v1/reports/campaigns"


# ---- helpers ----

@pytest.fixture(scope="module")
def won_stage(crm):
    data, _ = crm.page(crm.admin, "/api/v1/pipelines")
    nb = [p for p in data if p["name"] == "New business"][0]
    return [s["id"] for s in nb["stages"] if s["kind"] == "won"][0]


def camp(crm, channel, start, end, **f):
    return crm.campaign(name=uniq("Chiến dịch "), channel=channel,
                        start_date=start, end_date=end, **f)


def cost(crm, c, date, amount):
    r = crm.admin.post("/api/v1/campaigns/%d/costs" % c["id"],
                       json={"date": date, "amount": amount})
    assert r.status_code == 201, r.text


def touch(crm, at, c, cid=None, visitor=None):
    body = {"kind": "page_view", "at": at, "campaign_id": c["id"]}
    if cid:
        body["contact_id"] = cid
    else:
        body["visitor_id"] = visitor
    r = crm.admin.post("/api/v1/touchpoints", json=body)
    assert r.status_code == 201, r.text


def person(crm, created, c, stages=(), owner=None):
    """A contact created at created whose first touch (then) is from
    campaign c, so c is its original campaign; then each (stage, at) of
    stages, backdated by the admin."""
    f = {"first_name": uniq("Khách "), "created_at": created}
    if owner:
        f["owner_id"] = owner
    k = crm.contact(**f)["id"]
    touch(crm, created, c, k)
    for stage, at in stages:
        crm.patch("contacts", k, lifecycle_stage=stage, stage_changed_at=at)
    assert crm.get("contacts", k)["source_campaign_id"] == c["id"]
    return k


def won(crm, stage_id, amount, contacts, created, closed, **f):
    d = crm.deal(name=uniq("Thương vụ "), amount=amount,
                 contact_ids=contacts, stage_id=stage_id, created_at=created,
                 closed_at=closed, **f)
    assert d["status"] == "won", d
    return d["id"]


def report(client, frm, to, status=200, **extra):
    r = client.get(API, params=dict({"from": frm, "to": to}, **extra))
    assert r.status_code == status, (r.status_code, r.text)
    return r.json()


def mine(doc, *camps):
    """The rows of the given campaigns, by campaign id."""
    ids = {c["id"] for c in camps}
    return {r["campaign_id"]: r for r in doc["rows"]
            if r["campaign_id"] in ids}


MARCH = ("2025-03-01", "2025-03-31")
FIGURES = ("budget", "cost", "touchpoints", "new_contacts", "leads", "mqls",
           "sqls", "deals", "customers", "revenue", "cost_per_lead",
           "cost_per_mql", "cac", "roi", "mql_to_sql", "sql_to_customer")
ROW_KEYS = {"campaign_id", "name", "channel", "status", "parent_id",
            *FIGURES}


# ---- March 2025, by hand ----

@pytest.fixture(scope="module")
def march(crm, won_stage):
    """Campaigns A (email, runs in March, budget 10,000,000), B (social,
    ended in February, child of A) and C (display, starts in June):
      costs  A: Feb 28 1,000,000 (out), Mar 1 3,000,000, Mar 31 1,000,000,
                Apr 1 500,000 (out) -> 4,000,000
             B: Mar 15 2,000,000;  C: Jun 2 100,000 (out)
      contacts (original campaign from their first touch):
        k1 A created Mar 2; lead Mar 2, MQL Mar 5, SQL Mar 10
        k2 A created Feb 20 (out); lead Feb 20 (out), MQL Mar 6
        k3 A created Mar 3; straight to customer Mar 20 (skips lead..SQL)
        k4 B created Mar 4; lead Mar 4
        k5 A created Apr 2 (out); lead Apr 2 (out)
      touches  A: k1 Mar 2, k3 Mar 3, an anonymous visitor Mar 9; k2 Feb
               20 and k5 Apr 2 are out -> 3
               B: k4 Mar 4, k1 Mar 8 -> 2
      deals    W1 won, 1,000,000, source A, k1, created Mar 12, closed
               Mar 20: k1's touches A Mar 2, B Mar 8 -> linear 500,000
               each, first touch all to A
               D2 open, source A, created Mar 15; D0 open, source A,
               created Feb 10 (out)
               W3 won, 777, source B, k4, created Mar 25, closed Apr 5
               (its revenue is April's)
    Deals make their contacts opportunities and customers now (2026):
    outside March, but k1 and k4 have become customers since."""
    a = camp(crm, "email", "2025-03-01", "2025-03-31", budget=10000000,
             status="active")
    b = camp(crm, "social", "2025-01-01", "2025-02-15", parent_id=a["id"],
             status="completed")
    c = camp(crm, "display", "2025-06-01", "2025-06-30", status="planned")
    for d, n in (("2025-02-28", 1000000), ("2025-03-01", 3000000),
                 ("2025-03-31", 1000000), ("2025-04-01", 500000)):
        cost(crm, a, d, n)
    cost(crm, b, "2025-03-15", 2000000)
    cost(crm, c, "2025-06-02", 100000)
    k1 = person(crm, "2025-03-02T03:00:00Z", a, (
        ("lead", "2025-03-02T03:00:00Z"),
        ("marketing_qualified_lead", "2025-03-05T03:00:00Z"),
        ("sales_qualified_lead", "2025-03-10T03:00:00Z")))
    person(crm, "2025-02-20T03:00:00Z", a, (
        ("lead", "2025-02-20T03:00:00Z"),
        ("marketing_qualified_lead", "2025-03-06T03:00:00Z")))
    person(crm, "2025-03-03T03:00:00Z", a, (
        ("customer", "2025-03-20T03:00:00Z"),))
    k4 = person(crm, "2025-03-04T03:00:00Z", b, (
        ("lead", "2025-03-04T03:00:00Z"),))
    person(crm, "2025-04-02T03:00:00Z", a, (
        ("lead", "2025-04-02T03:00:00Z"),))
    touch(crm, "2025-03-09T03:00:00Z", a, visitor=uniq("v"))
    touch(crm, "2025-03-08T03:00:00Z", b, k1)
    won(crm, won_stage, 1000000, [k1], "2025-03-12T03:00:00Z",
        "2025-03-20T03:00:00Z", source_campaign_id=a["id"])
    crm.deal(name=uniq("Mở "), amount=5, source_campaign_id=a["id"],
             created_at="2025-03-15T03:00:00Z")
    crm.deal(name=uniq("Mở "), amount=5, source_campaign_id=a["id"],
             created_at="2025-02-10T03:00:00Z")
    won(crm, won_stage, 777, [k4], "2025-03-25T03:00:00Z",
        "2025-04-05T03:00:00Z", source_campaign_id=b["id"])
    return a, b, c


def test_every_figure_of_march(crm, march):
    a, b, c = march
    doc = report(crm.admin, *MARCH)
    rows = mine(doc, a, b, c)
    assert set(rows) == {a["id"], b["id"]}       # C neither ran nor spent
    ra, rb = rows[a["id"]], rows[b["id"]]
    assert set(ra) == ROW_KEYS
    assert (ra["name"], ra["channel"], ra["status"], ra["parent_id"]) == (
        a["name"], "email", "active", None)
    assert (rb["channel"], rb["status"], rb["parent_id"]) == (
        "social", "completed", a["id"])
    # A: 4,000,000 over 2 leads (k1, k3), 3 MQLs (k1, k2, k3), 1 customer
    # (k3); 4,000,000 / 3 = 1,333,333.3 -> 1,333,333; ROI (500,000 -
    # 4,000,000) / 4,000,000. Of the MQLs k1 and k3 became SQL; of the
    # SQLs (k1, k3) both became customers (k1 by W1, now).
    assert {k: ra[k] for k in FIGURES} == {
        "budget": 10000000, "cost": 4000000, "touchpoints": 3,
        "new_contacts": 2, "leads": 2, "mqls": 3, "sqls": 2, "deals": 2,
        "customers": 1, "revenue": 500000, "cost_per_lead": 2000000,
        "cost_per_mql": 1333333, "cac": 4000000, "roi": -0.875,
        "mql_to_sql": pytest.approx(2 / 3), "sql_to_customer": 1.0}
    # B: no budget, no MQL, SQL or customer: those ratios are null
    assert {k: rb[k] for k in FIGURES} == {
        "budget": None, "cost": 2000000, "touchpoints": 2,
        "new_contacts": 1, "leads": 1, "mqls": 0, "sqls": 0, "deals": 1,
        "customers": 0, "revenue": 500000, "cost_per_lead": 2000000,
        "cost_per_mql": None, "cac": None, "roi": -0.75,
        "mql_to_sql": None, "sql_to_customer": None}


def test_document_and_totals(crm, march):
    a, b, _ = march
    doc = report(crm.admin, *MARCH, channel="email")
    assert [r["campaign_id"] for r in doc["rows"]] == [a["id"]]
    assert {k: doc[k] for k in ("from", "to", "model", "currency",
                                "channel", "sort", "excluded")} == {
        "from": "2025-03-01", "to": "2025-03-31", "model": "linear",
        "currency": "VND", "channel": "email", "sort": "-revenue",
        "excluded": {"campaigns": 0}}
    t = doc["totals"]
    assert (t["cost"], t["leads"], t["cost_per_lead"], t["roi"]) == (
        4000000, 2, 2000000, -0.875)
    both = report(crm.admin, *MARCH)
    assert {r["campaign_id"] for r in both["rows"]} == {a["id"], b["id"]}
    t = both["totals"]          # no other test's campaign is March's
    assert (t["cost"], t["budget"], t["touchpoints"], t["leads"],
                t["mqls"], t["revenue"], t["cost_per_lead"],
                t["cost_per_mql"], t["roi"]) == (
            6000000, 10000000, 5, 3, 3, 1000000, 2000000, 2000000,
            pytest.approx(-5 / 6))


def test_revenue_follows_the_model(crm, march):
    a, b, _ = march
    rows = mine(report(crm.admin, *MARCH, model="first_touch"), a, b)
    assert (rows[a["id"]]["revenue"], rows[b["id"]]["revenue"]) == (
        1000000, 0)
    assert rows[a["id"]]["roi"] == -0.75
    # April: W3's 777 all to B (k4's only touch), A's April cost entry
    rows = mine(report(crm.admin, "2025-04-01", "2025-04-30"), a, b)
    assert rows[b["id"]]["revenue"] == 777
    assert (rows[a["id"]]["cost"], rows[a["id"]]["new_contacts"]) == (
        500000, 1)


def test_which_campaigns_have_a_row(crm, march):
    a, b, c = march
    june = mine(report(crm.admin, "2025-06-01", "2025-06-30"), a, b, c)
    assert set(june) == {c["id"]}
    assert (june[c["id"]]["cost"], june[c["id"]]["cost_per_lead"],
            june[c["id"]]["roi"]) == (100000, None, -1.0)
    # a campaign that ran in the period shows, with nothing in it
    aug = camp(crm, "seo", "2025-08-10", None)
    rows = mine(report(crm.admin, "2025-08-01", "2025-08-31"), aug)
    assert rows[aug["id"]]["cost"] == 0 and rows[aug["id"]]["roi"] is None


def test_sort_and_reverse(crm, march):
    a, b, _ = march
    ids = [a["id"], b["id"]]
    def order(sort):
        doc = report(crm.admin, *MARCH, sort=sort)
        assert doc["sort"] == sort
        return [r["campaign_id"] for r in doc["rows"]
                if r["campaign_id"] in ids]
    assert order("cost") == [b["id"], a["id"]]
    assert order("-cost") == [a["id"], b["id"]]
    # equal revenue: by campaign id, reversed with the direction
    assert order("revenue") == ids
    assert order("-revenue") == ids[::-1]
    # nulls last either way (B's cost_per_mql)
    assert order("cost_per_mql") == ids
    assert order("-cost_per_mql") == ids


# ---- visibility ----

def test_each_caller_counts_what_they_may_see(crm, won_stage):
    v = camp(crm, "event", "2025-07-01", "2025-07-31")
    cost(crm, v, "2025-07-02", 900000)
    r1 = crm.user("sales_rep", crm.team())
    mk = crm.user("marketer", crm.team(kind="marketing"))
    mine_k = person(crm, "2025-07-03T03:00:00Z", v,
                    (("lead", "2025-07-03T03:00:00Z"),),
                    owner=r1.user["id"])
    other = person(crm, "2025-07-04T03:00:00Z", v,
                   (("lead", "2025-07-04T03:00:00Z"),))
    touch(crm, "2025-07-05T03:00:00Z", v, visitor=uniq("v"))
    crm.deal(name=uniq("Mở "), amount=5, source_campaign_id=v["id"],
             created_at="2025-07-06T03:00:00Z", owner_id=r1.user["id"])
    won(crm, won_stage, 300000, [other], "2025-07-06T03:00:00Z",
        "2025-07-20T03:00:00Z", source_campaign_id=v["id"])
    july = ("2025-07-01", "2025-07-31")
    pick = ("cost", "touchpoints", "new_contacts", "leads", "deals",
            "revenue", "cost_per_lead")
    def seen(client):
        r = mine(report(client, *july), v)[v["id"]]
        return tuple(r[k] for k in pick)
    assert seen(crm.admin) == (900000, 3, 2, 2, 2, 300000, 450000)
    # the rep: their contact, its touch, their deal; not the admin's won
    # deal; the campaign's cost is everyone's (campaigns are public)
    assert seen(r1) == (900000, 1, 1, 1, 1, 0, 900000)
    # marketing sees the whole audience, but no other team's deals
    assert seen(mk) == (900000, 3, 2, 2, 0, 0, 450000)
    # a collaborator sees the contact as its owner does: its touch and
    # its lead count for the rep now (the contact counts are read from
    # the covering index on SQLite, the collaborators by rowid)
    r = crm.admin.post("/api/v1/contacts/%d/collaborators" % other,
                       json={"user_id": r1.user["id"]})
    assert r.status_code == 201, r.text
    assert seen(r1) == (900000, 2, 2, 2, 1, 0, 450000)


# ---- currency ----

def test_a_campaign_in_another_currency(crm):
    u = camp(crm, "paid_search", "2025-09-01", "2025-09-30",
             currency="USD", budget=50000)
    cost(crm, u, "2025-09-02", 1000)                    # $10.00
    sept = ("2025-09-01", "2025-09-30")
    try:
        set_setting(crm.db, "fx_rates", None)
        doc = report(crm.admin, *sept, channel="paid_search")
        r = mine(doc, u)[u["id"]]
        assert (r["cost"], r["budget"], r["roi"]) == (None, None, None)
        assert doc["excluded"] == {"campaigns": 1}
        set_setting(crm.db, "fx_rates", '{"USD": 25400}')
        doc = report(crm.admin, *sept, channel="paid_search")
        r = mine(doc, u)[u["id"]]
        # $10.00 x 25,400 = 254,000 VND; $500.00 = 12,700,000 VND
        assert (r["cost"], r["budget"]) == (254000, 12700000)
        assert doc["excluded"] == {"campaigns": 0}
        r = mine(report(crm.admin, *sept, currency="USD",
                        channel="paid_search"), u)[u["id"]]
        assert (r["cost"], r["budget"]) == (1000, 50000)
        set_setting(crm.db, "fx_rates", "nonsense")
        r = crm.admin.get(API, params={"from": sept[0], "to": sept[1]})
        assert_error(r, 422, "fx_rates")
        p = cli("report", "campaigns", db=crm.db)
        assert p.returncode == 1 and "fx_rates" in p.stderr
    finally:
        set_setting(crm.db, "fx_rates", None)


# ---- bad parameters ----

GOOD = {"from": "2025-01-01", "to": "2025-01-31"}


@pytest.mark.parametrize("change,field", [
    ({"from": None}, "from"),
    ({"to": None}, "to"),
    ({"from": "2025-02-30"}, "from"),
    ({"to": "2025/01/31"}, "to"),
    ({"to": "2025-01-31T00:00:00Z"}, "to"),
    ({"from": "2025-02-01"}, "from"),               # after to
    ({"model": "linear_decay"}, "model"),
    ({"model": ""}, "model"),
    ({"currency": "usd"}, "currency"),
    ({"channel": "telepathy"}, "channel"),
    ({"channel": "EMAIL"}, "channel"),
    ({"sort": "amount"}, "sort"),
    ({"sort": "--cost"}, "sort"),
    ({"sort": ""}, "sort"),
    ({"by": "campaign"}, "by"),
    ({"won_from": "2025-01-01"}, "won_from"),
])
def test_bad_parameters_are_400(crm, change, field):
    merged = {**GOOD, **change}
    r = crm.admin.get(API, params={k: v for k, v in merged.items()
                                   if v is not None})
    assert_error(r, 400, field)


def test_repeated_parameter_no_session_and_nothing_written(crm, march):
    before = report(crm.admin, *MARCH)
    r = crm.admin.get(API + "?from=2025-03-01&to=2025-03-31&sort=cost"
                      "&sort=-cost")
    assert_error(r, 400, "sort")
    r = crm.srv.client().get(API, params=GOOD)
    assert r.status_code == 401
    assert report(crm.admin, *MARCH) == before


# ---- the command line ----

def test_cli_json_table_and_csv(crm, march):
    a, b, _ = march
    args = ("report", "campaigns", "--from", MARCH[0], "--to", MARCH[1],
            "--model", "first_touch")
    doc = json.loads(cli_ok(*args, "--format", "json", db=crm.db).stdout)
    assert doc == report(crm.admin, *MARCH, model="first_touch")
    table = cli_ok(*args, "--channel", "email", db=crm.db).stdout
    lines = table.splitlines()
    assert lines[0] == ("Campaign performance, 2025-03-01 to 2025-03-31, "
                        "revenue by first_touch, VND")
    first = lines[3].split()
    assert first[:10] == [str(a["id"]), "4,000,000", "3", "2", "2", "3",
                          "2", "2", "1", "1,000,000"]
    assert first[10:13] == ["2,000,000", "4,000,000", "-75.0%"]
    assert " ".join(first[13:]) == a["name"]
    assert lines[4].split()[-1] == "(total)"
    csv = cli_ok(*args, "--format", "csv", "--sort", "cost",
                 db=crm.db).stdout.splitlines()
    assert csv[0].startswith("campaign_id,name,channel,status,budget,cost,")
    assert csv[0].endswith(",mql_to_sql,sql_to_customer,parent_id")
    ours = [x for x in csv[1:] if x.split(",")[0] in (str(a["id"]),
                                                      str(b["id"]))]
    assert ours[0].split(",")[:6] == [str(b["id"]), b["name"], "social",
                                      "completed", "", "2000000"]
    assert ours[1].split(",")[-1] == ""             # A has no parent
    for bad in (("--sort", "nope"), ("--channel", "tv2"),
                ("--from", "2025-13-01"), ("--format", "xml"),
                ("--from", "2025-04-01", "--to", "2025-03-01")):
        p = cli("report", "campaigns", *bad, db=crm.db)
        assert p.returncode == 2, (bad, p.stderr)
        assert bad[0] in p.stderr or "format" in p.stderr


def test_no_campaign_at_all(tmp_path):
    # regression: with no campaign the report sorted and searched a NULL
    # array (UBSan stopped the process)
    db = tmp_path / "empty.db"
    cli_ok("init", db=db)
    doc = json.loads(cli_ok("report", "campaigns", "--format", "json",
                            db=db).stdout)
    assert (doc["rows"], doc["totals"]["cost"], doc["totals"]["roi"]) == (
        [], 0, None)


def test_a_report_cut_at_any_step_answers_500(crm_db, tmp_path):
    """PHEU_FAULT_DB_STEP fails the Nth database step, on whichever of the
    report's threads takes it (the counts, the touchpoint counts, and
    attribution's two halves, one deal per batch): the report answers
    500 with an error, the server carries on, and the same request then
    answers 200."""
    base = copy_db(crm_db, tmp_path / "base.db")
    srv = Server(base, tmp_path).start()
    try:
        c = Crm(srv)
        data, _ = c.page(c.admin, "/api/v1/pipelines")
        nb = [p for p in data if p["name"] == "New business"][0]
        stage = [s["id"] for s in nb["stages"] if s["kind"] == "won"][0]
        a = camp(c, "email", "2025-03-01", "2025-03-31")
        b = camp(c, "social", "2025-03-01", "2025-03-31")
        cost(c, a, "2025-03-02", 1000)
        k1 = person(c, "2025-03-02T03:00:00Z", a,
                    (("lead", "2025-03-03T03:00:00Z"),))
        k2 = person(c, "2025-03-04T03:00:00Z", b)
        touch(c, "2025-03-05T03:00:00Z", b, k1)
        for k in (k1, k2):
            won(c, stage, 1000, [k], "2025-03-10T03:00:00Z",
                "2025-03-20T03:00:00Z")
        token = c.admin.headers["Authorization"].split()[1]
        want = report(c.admin, *MARCH)
        assert mine(want, a, b)[b["id"]]["touchpoints"] == 2
        c.close()
    finally:
        assert srv.stop() == 0, srv.stderr()

    def send(s):
        r = s.bearer(token).get(API, params={"from": MARCH[0],
                                             "to": MARCH[1]})
        if r.status_code == 200:        # never a part of the figures
            assert r.json() == want
        return r

    assert crm_fault_sweep(base, tmp_path, send, 200, stride=1,
                           env={"PHEU_ATTR_BATCH": 1}) >= 10

