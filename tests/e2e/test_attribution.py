"""The attribution report, GET /api/v1/reports/attribution (SPEC §4,
App. A, App. C; decision 0014), on deals, contacts and touchpoints made
through the API: every model's exact credits on one path (worked out by
hand below), a deal of several contacts whose lead entry is another
contact's, touches after the close left out, deals without touches
unattributed, channels from the touch or its campaign, who sees which
deals, currency conversion at settings "fx_rates" and the deals without
a rate, bad parameters, and `pheu report attribution`.

Each test works in a month of 2025 of its own: the module's server is
shared and the report counts deals by the day they were won."""

import json
import sqlite3

import pytest

from conftest import assert_error, cli, cli_ok, is_pg, uniq

try:                           # needed only when the run is on PostgreSQL
    import psycopg2
except ImportError:
    psycopg2 = None


# ---- helpers ----

@pytest.fixture(scope="module")
def won_stage(crm):
    data, _ = crm.page(crm.admin, "/api/v1/pipelines")
    nb = [p for p in data if p["name"] == "New business"][0]
    return [s["id"] for s in nb["stages"] if s["kind"] == "won"][0]


@pytest.fixture(scope="module")
def camps(crm):
    """Three campaigns, in id order: C1 email, C2 social, C3 display."""
    return [crm.campaign(name=uniq("Chiến dịch %s " % n), channel=ch)
            for n, ch in (("1", "email"), ("2", "social"),
                          ("3", "display"))]


def contact(crm, stage=None, at=None, owner=None):
    """A contact, entered into stage at time at (an admin backdating)."""
    f = {"first_name": uniq("Khách ")}
    if stage:
        f.update(lifecycle_stage=stage, stage_changed_at=at)
    if owner:
        f["owner_id"] = owner
    return crm.contact(**f)["id"]


def touch(crm, cid, at, campaign=None, channel=None, kind="page_view"):
    body = {"contact_id": cid, "kind": kind, "at": at}
    if campaign:
        body["campaign_id"] = campaign["id"]
    if channel:
        body["channel"] = channel
    r = crm.admin.post("/api/v1/touchpoints", json=body)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def won(crm, stage_id, amount, contacts, created, closed, currency=None,
        owner=None):
    """A deal won at closed (created at created) with its contacts."""
    f = {"name": uniq("Thương vụ "), "amount": amount,
         "contact_ids": contacts, "stage_id": stage_id,
         "created_at": created, "closed_at": closed}
    if currency:
        f["currency"] = currency
    if owner:
        f["owner_id"] = owner
    d = crm.deal(**f)
    assert (d["status"], d["closed_at"]) == ("won", closed), d
    return d["id"]


def report(client, model, by, won_from, won_to, status=200, **extra):
    r = client.get("/api/v1/reports/attribution", params=dict(
        model=model, by=by, won_from=won_from, won_to=won_to, **extra))
    assert r.status_code == status, (r.status_code, r.text)
    return r.json()


def rows(doc):
    """The rows as (key, name, revenue, touchpoints), in order."""
    return [(x["key"], x["name"], x["revenue"], x["touchpoints"])
            for x in doc["rows"]]


def set_setting(db, key, value):
    """Writes a settings row straight into the database (the settings API
    is not this report's), or deletes it when value is None."""
    if is_pg(db):
        con = psycopg2.connect(str(db))
        con.autocommit = True
        cur, p = con.cursor(), "%s"
    else:
        con = sqlite3.connect(str(db), timeout=10)
        cur, p = con, "?"
    try:
        cur.execute("DELETE FROM settings WHERE key = %s" % p, (key,))
        if value is not None:
            cur.execute("INSERT INTO settings (key, value) VALUES (%s, %s)"
                        % (p, p), (key, value))
        if not is_pg(db):
            con.commit()
    finally:
        con.close()


NO_CAMP = "(no campaign)"
NO_CHAN = "(no channel)"


# ---- one path, every model ----

@pytest.fixture(scope="module")
def path(crm, camps, won_stage):
    """One deal of 3,100,000 VND won 2025-03-01T03:00Z, created
    2025-02-23, whose contact became a lead 2025-02-08T03:00Z, with
    touches 28, 21, 14, 7 and 0 days before the close:
      t1 Feb 1  C1            first
      t2 Feb 8  C2            lead creation (at the lead entry itself)
      t2b Feb 15 C3, its own channel paid_search (C3 is display)
      t3 Feb 22 no campaign, channel seo      deal creation
      t4 Mar 1 03:00:00 C1    last (at the close: included)
    and a touch one second after the close (C2), left out."""
    c1, c2, c3 = camps
    k = contact(crm, "lead", "2025-02-08T03:00:00Z")
    touch(crm, k, "2025-02-01T03:00:00Z", c1)
    touch(crm, k, "2025-02-08T03:00:00Z", c2)
    touch(crm, k, "2025-02-15T03:00:00Z", c3, channel="paid_search")
    touch(crm, k, "2025-02-22T03:00:00Z", channel="seo")
    touch(crm, k, "2025-03-01T03:00:00Z", c1)
    touch(crm, k, "2025-03-01T03:00:01Z", c2)
    won(crm, won_stage, 3100000, [k], "2025-02-23T03:00:00Z",
        "2025-03-01T03:00:00Z")
    return c1["id"], c2["id"], c3["id"]


def by_campaign(crm, camps, model):
    return report(crm.admin, model, "campaign", "2025-03-01", "2025-03-31")


def test_document_shape(crm, camps, path):
    doc = by_campaign(crm, camps, "linear")
    assert doc == {
        "model": "linear", "by": "campaign", "currency": "VND",
        "won_from": "2025-03-01", "won_to": "2025-03-31",
        "total_revenue": 3100000, "deals": 1, "rows": doc["rows"],
        "unattributed": {"revenue": 0, "deals": 0},
        "excluded": {"deals": 0, "revenue_by_currency": {}}}


def test_first_and_last_touch(crm, camps, path):
    c1, c2, c3 = path
    name = camps[0]["name"]
    assert rows(by_campaign(crm, camps, "first_touch")) == [
        (c1, name, 3100000, 1)]
    # the touch one second after the close (C2) would be the last
    assert rows(by_campaign(crm, camps, "last_touch")) == [
        (c1, name, 3100000, 1)]


def test_linear(crm, camps, path):
    c1, c2, c3 = path
    n = [c["name"] for c in camps]
    # 620,000 to each of the five touches
    assert rows(by_campaign(crm, camps, "linear")) == [
        (c1, n[0], 1240000, 2), (c2, n[1], 620000, 1),
        (c3, n[2], 620000, 1), (None, NO_CAMP, 620000, 1)]


def test_u_shaped(crm, camps, path):
    c1, c2, c3 = path
    n = [c["name"] for c in camps]
    # t1 40% and t2 40%: 1,240,000 each; the rest's 620,000 over t2b, t3,
    # t4: 206,666 each and 2 left over, to the largest share, the
    # earliest of the two 40% touches: t1
    assert rows(by_campaign(crm, camps, "u_shaped")) == [
        (c1, n[0], 1240002 + 206666, 2), (c2, n[1], 1240000, 1),
        (c3, n[2], 206666, 1), (None, NO_CAMP, 206666, 1)]


def test_w_shaped(crm, camps, path):
    c1, c2, c3 = path
    n = [c["name"] for c in camps]
    # t1, t2, t3 30% (930,000); the rest's 310,000 over t2b and t4. C2
    # and (no campaign) tie: by key, null last
    assert rows(by_campaign(crm, camps, "w_shaped")) == [
        (c1, n[0], 930000 + 155000, 2), (c2, n[1], 930000, 1),
        (None, NO_CAMP, 930000, 1), (c3, n[2], 155000, 1)]


def test_full_path(crm, camps, path):
    c1, c2, c3 = path
    n = [c["name"] for c in camps]
    # first, lead, deal creation and last 22.5% (697,500); t2b the rest
    assert rows(by_campaign(crm, camps, "full_path")) == [
        (c1, n[0], 1395000, 2), (c2, n[1], 697500, 1),
        (None, NO_CAMP, 697500, 1), (c3, n[2], 310000, 1)]


def test_time_decay(crm, camps, path):
    c1, c2, c3 = path
    n = [c["name"] for c in camps]
    # weights 1/16, 1/8, 1/4, 1/2, 1 of 31/16: 100k, 200k, 400k, 800k,
    # 1,600k
    assert rows(by_campaign(crm, camps, "time_decay")) == [
        (c1, n[0], 1700000, 2), (None, NO_CAMP, 800000, 1),
        (c3, n[2], 400000, 1), (c2, n[1], 200000, 1)]


def test_by_channel_own_or_the_campaigns(crm, camps, path):
    doc = report(crm.admin, "linear", "channel", "2025-03-01", "2025-03-31")
    assert doc["by"] == "channel"
    # t1, t4: C1's email; t2: C2's social; t2b its own paid_search (not
    # C3's display); t3 its own seo. Equal revenue: by key.
    assert rows(doc) == [("email", "email", 1240000, 2),
                         ("paid_search", "paid_search", 620000, 1),
                         ("seo", "seo", 620000, 1),
                         ("social", "social", 620000, 1)]
    doc = report(crm.admin, "first_touch", "channel", "2025-03-01",
                 "2025-03-31")
    assert rows(doc) == [("email", "email", 3100000, 1)]


def test_the_period_is_whole_days_in_the_business_time_zone(crm, path):
    # closed 2025-03-01T03:00Z is 10:00 on 1 March in Hà Nội
    assert report(crm.admin, "linear", "campaign", "2025-02-01",
                  "2025-02-28")["deals"] == 0
    assert report(crm.admin, "linear", "campaign", "2025-03-01",
                  "2025-03-01")["total_revenue"] == 3100000


# ---- several contacts, unattributed, what is not counted ----

def test_several_contacts_and_unattributed_deals(crm, camps, won_stage):
    c1, c2, _ = camps
    # X became a lead on 25 March; Y an MQL (skipping lead) on 12 March:
    # the deal's lead moment is Y's, and the last touch at or before it
    # is Y's y1 of 10 March.
    x = contact(crm, "lead", "2025-03-25T03:00:00Z")
    y = contact(crm, "marketing_qualified_lead", "2025-03-12T03:00:00Z")
    touch(crm, x, "2025-03-01T03:00:00Z", c1)                  # x1
    touch(crm, y, "2025-03-10T03:00:00Z", c2)                  # y1
    touch(crm, x, "2025-03-20T03:00:00Z")                      # x2: nothing
    touch(crm, y, "2025-04-20T03:00:00Z", c2)                  # after close
    won(crm, won_stage, 1000, [x, y], "2025-03-01T02:00:00Z",
        "2025-04-05T03:00:00Z")
    lonely = contact(crm, "lead", "2025-03-01T03:00:00Z")     # no touches
    won(crm, won_stage, 5000, [lonely], "2025-03-01T03:00:00Z",
        "2025-04-06T03:00:00Z")
    won(crm, won_stage, 700, [], "2025-03-01T03:00:00Z",
        "2025-04-07T03:00:00Z")
    # not counted: open, lost, and won in May
    crm.deal(name=uniq("Mở "), amount=9999, contact_ids=[x])
    won(crm, won_stage, 8888, [x], "2025-03-01T03:00:00Z",
        "2025-05-02T03:00:00Z")
    q = ("2025-04-01", "2025-04-30")
    n1, n2 = c1["name"], c2["name"]
    # x1 first (and deal creation: before every touch), y1 lead creation
    u = report(crm.admin, "u_shaped", "campaign", *q)
    assert rows(u) == [(c1["id"], n1, 400, 1), (c2["id"], n2, 400, 1),
                       (None, NO_CAMP, 200, 1)]
    assert (u["total_revenue"], u["deals"], u["unattributed"]) == (
        6700, 3, {"revenue": 5700, "deals": 2})
    w = report(crm.admin, "w_shaped", "campaign", *q)
    assert rows(w) == [(c1["id"], n1, 600, 1), (c2["id"], n2, 300, 1),
                       (None, NO_CAMP, 100, 1)]
    last = report(crm.admin, "last_touch", "campaign", *q)
    assert rows(last) == [(None, NO_CAMP, 1000, 1)]
    ch = report(crm.admin, "u_shaped", "channel", *q)
    assert rows(ch) == [("email", "email", 400, 1),
                        ("social", "social", 400, 1),
                        (None, NO_CHAN, 200, 1)]
    assert ch["unattributed"] == {"revenue": 5700, "deals": 2}
    # May alone: the 8,888 deal of x only: x1 first, x2 lead creation
    # (the last touch at or before x's lead entry of 25 March); no
    # unnamed touch, so the rest goes half to each: 50/50
    may = report(crm.admin, "u_shaped", "campaign", "2025-05-01",
                 "2025-05-31")
    assert rows(may) == [(c1["id"], n1, 4444, 1), (None, NO_CAMP, 4444, 1)]


# ---- visibility ----

def test_each_caller_counts_the_deals_they_may_see(crm, camps, won_stage):
    c1, c2, _ = camps
    r1 = crm.user("sales_rep", crm.team())
    r2 = crm.user("sales_rep", crm.team())
    mk = crm.user("marketer", crm.team(kind="marketing"))
    # R1's deal has a contact only R2 may see: its touches still count
    k1 = contact(crm, "lead", "2025-06-01T03:00:00Z", owner=r2.user["id"])
    k2 = contact(crm, "lead", "2025-06-01T03:00:00Z", owner=r2.user["id"])
    touch(crm, k1, "2025-06-02T03:00:00Z", c1)
    touch(crm, k2, "2025-06-02T03:00:00Z", c2)
    d1 = won(crm, won_stage, 100, [k1], "2025-06-01T03:00:00Z",
             "2025-06-10T03:00:00Z", owner=r1.user["id"])
    won(crm, won_stage, 300, [k2], "2025-06-01T03:00:00Z",
        "2025-06-11T03:00:00Z", owner=r2.user["id"])
    q = ("linear", "campaign", "2025-06-01", "2025-06-30")
    assert rows(report(crm.admin, *q)) == [
        (c2["id"], c2["name"], 300, 1), (c1["id"], c1["name"], 100, 1)]
    mine = report(r1, *q)
    assert rows(mine) == [(c1["id"], c1["name"], 100, 1)]
    assert (mine["total_revenue"], mine["deals"]) == (100, 1)
    assert rows(report(r2, *q)) == [(c2["id"], c2["name"], 300, 1)]
    # marketing sees every contact but no other team's deal amounts
    none = report(mk, *q)
    assert (none["rows"], none["total_revenue"], none["deals"]) == ([], 0, 0)
    # a collaborator on R1's deal counts it too
    r = r1.post("/api/v1/deals/%d/collaborators" % d1,
                json={"user_id": r2.user["id"]})
    assert r.status_code == 201, r.text
    assert report(r2, *q)["total_revenue"] == 400


# ---- currency ----

def test_currency_conversion_and_deals_without_a_rate(crm, camps,
                                                      won_stage):
    c1 = camps[0]
    k = contact(crm, "lead", "2025-07-01T03:00:00Z")
    touch(crm, k, "2025-07-02T03:00:00Z", c1)
    won(crm, won_stage, 1000000, [k], "2025-07-01T03:00:00Z",
        "2025-07-10T03:00:00Z")
    won(crm, won_stage, 12345, [k], "2025-07-01T03:00:00Z",
        "2025-07-11T03:00:00Z", currency="USD")             # $123.45
    won(crm, won_stage, 5000, [k], "2025-07-01T03:00:00Z",
        "2025-07-12T03:00:00Z", currency="EUR")             # €50.00
    won(crm, won_stage, 700, [], "2025-07-01T03:00:00Z",
        "2025-07-13T03:00:00Z", currency="USD")             # $7.00
    q = ("linear", "campaign", "2025-07-01", "2025-07-31")
    try:
        set_setting(crm.db, "fx_rates", None)
        doc = report(crm.admin, *q)             # no rates: VND only
        assert (doc["total_revenue"], doc["deals"]) == (1000000, 1)
        assert doc["excluded"] == {"deals": 3, "revenue_by_currency": {
            "USD": 13045, "EUR": 5000}}
        set_setting(crm.db, "fx_rates", '{"USD": 25400}')
        doc = report(crm.admin, *q)
        # $123.45 x 25,400 = 3,135,630; $7.00 = 177,800 (unattributed)
        assert rows(doc) == [(c1["id"], c1["name"], 4135630, 2)]
        assert (doc["currency"], doc["total_revenue"], doc["deals"]) == (
            "VND", 4313430, 3)
        assert doc["unattributed"] == {"revenue": 177800, "deals": 1}
        assert doc["excluded"] == {"deals": 1, "revenue_by_currency": {
            "EUR": 5000}}
        # in USD: 1,000,000 / 25,400 = 39.3700 -> 3,937 cents
        usd = report(crm.admin, *q, currency="USD")
        assert usd["currency"] == "USD"
        assert rows(usd) == [(c1["id"], c1["name"], 3937 + 12345, 2)]
        assert usd["unattributed"] == {"revenue": 700, "deals": 1}
        set_setting(crm.db, "fx_rates", '{"USD": 25400, "EUR": 27500.5}')
        # €50 x 27,500.5 = 1,375,025 VND; in USD 5000 x 27500.5 / 25400
        # = 5,413.48 -> 5,413 cents
        doc = report(crm.admin, *q)
        assert rows(doc) == [(c1["id"], c1["name"], 5510655, 3)]
        assert doc["excluded"] == {"deals": 0, "revenue_by_currency": {}}
        usd = report(crm.admin, *q, currency="USD")
        assert rows(usd) == [(c1["id"], c1["name"], 3937 + 12345 + 5413,
                              3)]
        # a currency without a rate: only its own deals count
        jpy = report(crm.admin, *q, currency="JPY")
        assert (jpy["deals"], jpy["excluded"]["deals"]) == (0, 4)
        assert jpy["excluded"]["revenue_by_currency"] == {
            "VND": 1000000, "USD": 13045, "EUR": 5000}
        # a malformed rate table is the settings' fault, said so
        for bad in ('[25400]', '{"USD": "25400"}', '{"USD": 0}',
                    '{"usd": 25400}', 'nonsense'):
            set_setting(crm.db, "fx_rates", bad)
            r = crm.admin.get("/api/v1/reports/attribution", params=dict(
                model="linear", by="campaign", won_from="2025-07-01",
                won_to="2025-07-31"))
            assert_error(r, 422, "fx_rates")
    finally:
        set_setting(crm.db, "fx_rates", None)


# ---- bad parameters ----

GOOD = {"model": "linear", "by": "campaign", "won_from": "2025-01-01",
        "won_to": "2025-01-31"}


@pytest.mark.parametrize("change,field", [
    ({"model": None}, "model"),
    ({"model": "linear_decay"}, "model"),
    ({"model": "LINEAR"}, "model"),
    ({"by": None}, "by"),
    ({"by": "owner"}, "by"),
    ({"won_from": None}, "won_from"),
    ({"won_to": None}, "won_to"),
    ({"won_from": "2025-02-30"}, "won_from"),
    ({"won_from": "2025/01/01"}, "won_from"),
    ({"won_to": "2025-01-31T00:00:00Z"}, "won_to"),
    ({"won_from": "2025-02-01"}, "won_from"),       # after won_to
    ({"currency": "usd"}, "currency"),
    ({"currency": "DOLLAR"}, "currency"),
    ({"from": "2025-01-01"}, "from"),
    ({"group_by": "campaign"}, "group_by"),
])
def test_bad_parameters_are_400(crm, change, field):
    params = dict(GOOD)
    for k, v in change.items():
        if v is None:
            del params[k]
        else:
            params[k] = v
    r = crm.admin.get("/api/v1/reports/attribution", params=params)
    assert_error(r, 400, field)


def test_repeated_parameter_and_no_session(crm):
    r = crm.admin.get("/api/v1/reports/attribution?model=linear&by=campaign"
                      "&won_from=2025-01-01&won_to=2025-01-31&model=linear")
    assert_error(r, 400, "model")
    r = crm.srv.client().get("/api/v1/reports/attribution", params=GOOD)
    assert r.status_code == 401


# ---- the command line ----

def test_cli_prints_the_api_document_a_table_and_csv(crm, camps, path):
    c1, c2, c3 = path
    args = ("report", "attribution", "--model", "w_shaped", "--from",
            "2025-03-01", "--to", "2025-03-31")
    doc = json.loads(cli_ok(*args, "--format", "json", db=crm.db).stdout)
    assert doc == report(crm.admin, "w_shaped", "campaign", "2025-03-01",
                         "2025-03-31")
    table = cli_ok(*args, db=crm.db).stdout.splitlines()
    assert table[0] == ("Attribution, w_shaped by campaign, deals won from "
                        "2025-03-01 to 2025-03-31")
    assert table[1] == "Total revenue VND 3,100,000 over 1 deals"
    first = table[4].split()
    assert first[:4] == ["1,085,000", "35.0%", "2", str(c1)]
    assert " ".join(first[4:]) == camps[0]["name"]
    csv = cli_ok(*args, "--format", "csv", "--by", "channel",
                 db=crm.db).stdout.splitlines()
    assert csv[0] == "key,name,revenue,share,touchpoints"
    # W by channel: email t1 + t4 = 1,085,000; seo t3, social t2 930,000
    assert csv[1] == "email,email,1085000,0.350000,2"
    assert csv[2] == "seo,seo,930000,0.300000,1"
    # without --from and --to the period is open at both ends: every won
    # deal, as a period that holds them all gives
    doc = json.loads(cli_ok("report", "attribution", "--model", "linear",
                            "--format", "json", db=crm.db).stdout)
    assert doc["won_from"] is None and doc["won_to"] is None
    wide = report(crm.admin, "linear", "campaign", "1971-01-01",
                  "2099-12-31")
    assert doc["total_revenue"] == wide["total_revenue"] > 0
    assert doc["rows"] == wide["rows"]
    assert cli("report", "attribution", "--model", "w_shaped", "--by",
               "owner", db=crm.db).returncode == 2
    p = cli("report", "attribution", "--model", "linear", "--from",
            "2025-13-01", db=crm.db)
    assert p.returncode == 2 and "--from" in p.stderr
    p = cli("report", "attribution", "--by", "channel", db=crm.db)
    assert p.returncode == 2 and "--model" in p.stderr


# ---- the two-thread path ----

def test_two_threads_give_the_same_document(crm, camps, won_stage):
    """With more than one batch of deals the second half of the batches
    runs on a thread and connection of its own and its sums are merged.
    PHEU_ATTR_BATCH=1 puts
    every deal of this module in a batch of its own, so the CLI takes
    that path where the server, with the default batch, takes one."""
    from conftest import base_env
    # one more deal, late in the year: in the second half
    late = crm.campaign(name=uniq("Chiến dịch muộn "), channel="event")
    k = contact(crm, "lead", "2025-12-01T03:00:00Z")
    touch(crm, k, "2025-12-02T03:00:00Z", late)
    won(crm, won_stage, 4321, [k], "2025-12-01T03:00:00Z",
        "2025-12-10T03:00:00Z")
    env = dict(base_env(), PHEU_ATTR_BATCH="1")
    for model in ("first_touch", "u_shaped", "full_path", "time_decay"):
        for by in ("campaign", "channel"):
            api = report(crm.admin, model, by, "2025-01-01", "2025-12-31")
            assert api["deals"] >= 8, api
            p = cli_ok("report", "attribution", "--model", model, "--by", by,
                       "--from", "2025-01-01", "--to", "2025-12-31",
                       "--format", "json", db=crm.db, env=env)
            assert json.loads(p.stdout) == api, (model, by)
            if by == "campaign":
                assert (late["id"], late["name"], 4321, 1) in rows(api)
