"""Campaigns over /api/v1/campaigns (SPEC §4, App. A; decision 0011):
every field, defaults, each validation (channel, status, dates in order,
goals, utm_campaign unique whatever its case, parents without cycles,
unknown and read-only fields), dated cost entries and the cost they sum
to, who may write (marketing roles and admins) and read (everyone),
deletion rules, contacts' and deals' source_campaign_id, lists, exports
and the audit log."""

import csv
import io

import pytest

from conftest import CAMPAIGN_KEYS, ISO_UTC, ROLES, assert_error, uniq

CHANNELS = ("email", "social", "paid_search", "display", "seo", "content",
            "direct_mail", "radio", "tv", "event", "webinar", "pr",
            "referral", "brand_ambassador", "partner", "other")
STATUSES = ("planned", "active", "paused", "completed", "cancelled")
WRITERS = ("admin", "marketing_manager", "marketer")
READERS = tuple(r for r in ROLES if r not in WRITERS)


@pytest.fixture(scope="module")
def users(crm):
    """A bearer client per role (the admin's own for admin)."""
    mk = crm.team(kind="marketing")
    sales = crm.team(kind="sales")
    out = {"admin": crm.admin}
    for role in ROLES[1:]:
        out[role] = crm.user(role, mk if role.startswith("market")
                             else sales)
    return out


@pytest.fixture(scope="module")
def marketer(users):
    return users["marketer"]


def costs_of(crm, client, cid):
    return crm.all(client, "/api/v1/campaigns/%d/costs" % cid)


# ---- create, read, update ----

def test_create_with_every_field(crm, marketer):
    parent = crm.campaign(marketer, name="Tết 2026", channel="other")
    c = crm.campaign(marketer, name="Tết 2026 — Facebook", channel="social",
                     status="active", start_date="2026-01-05",
                     end_date="2026-02-15", budget=150000000,
                     currency="VND", utm_campaign="tet2026-fb",
                     parent_id=parent["id"],
                     goals={"leads": 500, "mqls": 120,
                            "revenue": 900000000})
    assert set(c) == CAMPAIGN_KEYS
    assert (c["name"], c["channel"], c["status"]) == (
        "Tết 2026 — Facebook", "social", "active")
    assert (c["start_date"], c["end_date"]) == ("2026-01-05", "2026-02-15")
    assert (c["budget"], c["currency"], c["cost"]) == (150000000, "VND", 0)
    assert (c["utm_campaign"], c["parent_id"]) == ("tet2026-fb",
                                                   parent["id"])
    assert c["goals"] == {"leads": 500, "mqls": 120, "revenue": 900000000}
    assert c["owner_id"] == marketer.user["id"]
    assert ISO_UTC.match(c["created_at"]) and ISO_UTC.match(c["updated_at"])
    assert crm.get("campaigns", c["id"], marketer) == c


def test_defaults(crm, marketer):
    c = crm.campaign(marketer, name="Tối thiểu", channel="seo")
    assert (c["status"], c["currency"], c["cost"], c["budget"]) == (
        "planned", "VND", 0, None)
    assert c["goals"] == {"leads": None, "mqls": None, "revenue": None}
    assert (c["start_date"], c["end_date"], c["utm_campaign"],
            c["parent_id"]) == (None, None, None, None)


@pytest.mark.parametrize("channel", CHANNELS)
def test_every_channel(crm, marketer, channel):
    assert crm.campaign(marketer, channel=channel)["channel"] == channel


@pytest.mark.parametrize("status", STATUSES)
def test_every_status(crm, marketer, status):
    c = crm.campaign(marketer)
    assert crm.patch("campaigns", c["id"], marketer,
                     status=status)["status"] == status


def test_update_goals_replace_and_dates(crm, marketer):
    c = crm.campaign(marketer, goals={"leads": 10, "mqls": 2})
    assert c["goals"] == {"leads": 10, "mqls": 2, "revenue": None}
    c = crm.patch("campaigns", c["id"], marketer, goals={"revenue": 5000})
    # goals is replaced as a whole: keys left out become null
    assert c["goals"] == {"leads": None, "mqls": None, "revenue": 5000}
    c = crm.patch("campaigns", c["id"], marketer, start_date="2026-03-01",
                  end_date="2026-03-01", budget=0, utm_campaign=None)
    assert (c["start_date"], c["end_date"], c["budget"]) == (
        "2026-03-01", "2026-03-01", 0)


# ---- validation: status, field, nothing written ----

@pytest.mark.parametrize("body, status, field", [
    ({"channel": "email"}, 400, "name"),
    ({"name": "x"}, 400, "channel"),
    ({"name": "  ", "channel": "email"}, 400, "name"),
    ({"name": "x", "channel": "sms"}, 422, "channel"),
    ({"name": "x", "channel": "Email"}, 422, "channel"),
    ({"name": "x", "channel": None}, 400, "channel"),
    ({"name": "x", "channel": "email", "status": "running"}, 422, "status"),
    ({"name": "x", "channel": "email", "status": None}, 400, "status"),
    ({"name": "x", "channel": "email", "start_date": "2026-02-30"}, 400,
     "start_date"),
    ({"name": "x", "channel": "email", "end_date": "1/3/2026"}, 400,
     "end_date"),
    ({"name": "x", "channel": "email", "start_date": "2026-03-02",
      "end_date": "2026-03-01"}, 422, "end_date"),
    ({"name": "x", "channel": "email", "budget": -1}, 422, "budget"),
    ({"name": "x", "channel": "email", "budget": "100"}, 400, "budget"),
    ({"name": "x", "channel": "email", "budget": 1.5}, 400, "budget"),
    ({"name": "x", "channel": "email", "currency": "vnd"}, 400, "currency"),
    ({"name": "x", "channel": "email", "goals": [1]}, 400, "goals"),
    ({"name": "x", "channel": "email", "goals": None}, 400, "goals"),
    ({"name": "x", "channel": "email", "goals": {"sales": 1}}, 400,
     "goals.sales"),
    ({"name": "x", "channel": "email", "goals": {"leads": "5"}}, 400,
     "goals.leads"),
    ({"name": "x", "channel": "email", "goals": {"mqls": 2.5}}, 400,
     "goals.mqls"),
    ({"name": "x", "channel": "email", "goals": {"revenue": -1}}, 422,
     "goals.revenue"),
    ({"name": "x", "channel": "email", "utm_campaign": "tết sale"}, 422,
     "utm_campaign"),
    ({"name": "x", "channel": "email", "parent_id": 999999}, 422,
     "parent_id"),
    ({"name": "x", "channel": "email", "parent_id": 0}, 400, "parent_id"),
    ({"name": "x", "channel": "email", "owner_id": 999999}, 422,
     "owner_id"),
    ({"name": "x", "channel": "email", "cost": 5}, 422, "cost"),
    ({"name": "x", "channel": "email", "id": 5}, 422, "id"),
    ({"name": "x", "channel": "email", "utm_key": "x"}, 400, "utm_key"),
    ({"name": "x", "channel": "email", "custom": {}}, 400, "custom"),
    ({"name": "x", "channel": "email", "products": []}, 400, "products"),
    ({"name": "x", "channel": "email", "created_at":
      "2025-01-01T00:00:00Z"}, 201, None),
])
def test_create_validation(crm, marketer, body, status, field):
    before = crm.snapshot()
    r = marketer.post("/api/v1/campaigns", json=body)
    if status == 201:
        # created_at is for admins (migrations) only
        crm.refused(r, 422, "created_at", before=before)
        r = crm.admin.post("/api/v1/campaigns", json=body)
        assert r.status_code == 201 and r.json()["created_at"] == \
            "2025-01-01T00:00:00Z"
        return
    crm.refused(r, status, field, before=before)


def test_dates_order_checked_against_the_stored_ones(crm, marketer):
    c = crm.campaign(marketer, start_date="2026-05-01", end_date="2026-05-31")
    before = crm.snapshot()
    r = marketer.patch("/api/v1/campaigns/%d" % c["id"],
                       json={"start_date": "2026-06-01"})
    crm.refused(r, 422, "start_date", before=before)
    r = marketer.patch("/api/v1/campaigns/%d" % c["id"],
                       json={"end_date": "2026-04-30"})
    crm.refused(r, 422, "end_date", before=before)
    c = crm.patch("campaigns", c["id"], marketer, end_date=None,
                  start_date="2026-06-01")
    assert (c["start_date"], c["end_date"]) == ("2026-06-01", None)


def test_utm_campaign_unique_whatever_the_case(crm, marketer):
    tag = uniq("Summer_Sale-")
    a = crm.campaign(marketer, utm_campaign=tag)
    assert a["utm_campaign"] == tag         # kept as written
    before = crm.snapshot()
    for other in (tag, tag.lower(), tag.upper()):
        r = marketer.post("/api/v1/campaigns", json={
            "name": "x", "channel": "email", "utm_campaign": other})
        crm.refused(r, 409, "utm_campaign", before=before)
    b = crm.campaign(marketer)
    before = crm.snapshot()
    r = marketer.patch("/api/v1/campaigns/%d" % b["id"],
                       json={"utm_campaign": tag.swapcase()})
    crm.refused(r, 409, "utm_campaign", before=before)
    # the campaign itself may change the case of its own tag
    assert crm.patch("campaigns", a["id"], marketer,
                     utm_campaign=tag.upper())["utm_campaign"] == tag.upper()
    # once freed, the tag can be taken
    crm.patch("campaigns", a["id"], marketer, utm_campaign=None)
    assert crm.patch("campaigns", b["id"], marketer,
                     utm_campaign=tag)["utm_campaign"] == tag


def test_parent_cycles_refused(crm, marketer):
    a = crm.campaign(marketer, name="A")
    b = crm.campaign(marketer, name="B", parent_id=a["id"])
    c = crm.campaign(marketer, name="C", parent_id=b["id"])
    before = crm.snapshot()
    for target, parent in ((a, a), (a, b), (a, c), (b, c)):
        r = marketer.patch("/api/v1/campaigns/%d" % target["id"],
                           json={"parent_id": parent["id"]})
        crm.refused(r, 422, "parent_id", before=before)
    # moving a subtree elsewhere is fine
    d = crm.campaign(marketer, name="D")
    assert crm.patch("campaigns", b["id"], marketer,
                     parent_id=d["id"])["parent_id"] == d["id"]
    assert crm.patch("campaigns", a["id"], marketer,
                     parent_id=c["id"])["parent_id"] == c["id"]


def test_bad_json_and_ids(crm, marketer):
    r = marketer.post("/api/v1/campaigns", data=b"{",
                      headers={"Content-Type": "application/json"})
    assert_error(r, 400)
    assert_error(marketer.get("/api/v1/campaigns/abc"), 400, "id")
    assert_error(marketer.get("/api/v1/campaigns/99999999"), 404)
    assert_error(marketer.patch("/api/v1/campaigns/99999999",
                                json={"name": "x"}), 404)
    assert_error(marketer.delete("/api/v1/campaigns/99999999"), 404)


# ---- cost entries ----

def test_cost_entries_sum_list_and_delete(crm, marketer):
    c = crm.campaign(marketer, budget=10000000, currency="VND")
    path = "/api/v1/campaigns/%d/costs" % c["id"]
    entries = [("2026-01-15", 2500000, "Quảng cáo Facebook tuần 3"),
               ("2026-02-01", 1200000, None),
               ("2026-01-15", 300000, "Thiết kế banner"),
               ("2025-12-20", 4000000, "Đặt cọc")]
    made = []
    for date, amount, note in entries:
        body = {"date": date, "amount": amount}
        if note:
            body["note"] = note
        r = marketer.post(path, json=body)
        assert r.status_code == 201, r.text
        e = r.json()
        assert set(e) == {"id", "campaign_id", "date", "amount", "currency",
                          "note", "created_at", "by_user"}
        assert (e["campaign_id"], e["date"], e["amount"], e["currency"],
                e["note"], e["by_user"]) == (c["id"], date, amount, "VND",
                                             note, marketer.user["id"])
        assert r.headers["Location"] == "%s/%d" % (path, e["id"])
        made.append(e)
    assert crm.get("campaigns", c["id"])["cost"] == 8000000
    listed = costs_of(crm, marketer, c["id"])
    # newest date first; among one day, the newest entry first
    assert [x["id"] for x in listed] == [made[1]["id"], made[2]["id"],
                                         made[0]["id"], made[3]["id"]]
    # paging keeps that order
    page, cur = crm.page(marketer, path, limit=3)
    assert [x["id"] for x in page] == [x["id"] for x in listed[:3]]
    rest, cur2 = crm.page(marketer, path, limit=3, cursor=cur)
    assert [x["id"] for x in rest] == [made[3]["id"]] and cur2 is None
    assert_error(marketer.get(path, params={"cursor": "nope"}), 400,
                 "cursor")
    r = marketer.get("%s/%d" % (path, made[2]["id"]))
    assert r.status_code == 200 and r.json() == made[2]
    # the sum is computed against the campaign row, not only on read
    assert [x["cost"] for x in crm.all(marketer, "/api/v1/campaigns",
                                       **{"id": c["id"]})] == [8000000]
    r = marketer.delete("%s/%d" % (path, made[0]["id"]))
    assert r.status_code == 204
    assert crm.get("campaigns", c["id"])["cost"] == 5500000
    assert_error(marketer.delete("%s/%d" % (path, made[0]["id"])), 404)
    assert len(costs_of(crm, marketer, c["id"])) == 3


def test_cost_entry_validation(crm, marketer):
    c = crm.campaign(marketer, currency="USD")
    other = crm.campaign(marketer)
    path = "/api/v1/campaigns/%d/costs" % c["id"]
    e = marketer.post(path, json={"date": "2026-03-01", "amount": 1999})
    assert e.status_code == 201 and e.json()["currency"] == "USD"
    before = crm.snapshot()
    for body, status, field in [
        ({"amount": 5}, 400, "date"),
        ({"date": "2026-13-01", "amount": 5}, 400, "date"),
        ({"date": 20260301, "amount": 5}, 400, "date"),
        ({"date": "2026-03-01"}, 400, "amount"),
        ({"date": "2026-03-01", "amount": "5"}, 400, "amount"),
        ({"date": "2026-03-01", "amount": 0}, 422, "amount"),
        ({"date": "2026-03-01", "amount": -100}, 422, "amount"),
        ({"date": "2026-03-01", "amount": 10**15 + 1}, 422, "amount"),
        ({"date": "2026-03-01", "amount": 5, "currency": "VND"}, 422,
         "currency"),
        ({"date": "2026-03-01", "amount": 5, "note": 7}, 400, "note"),
        ({"date": "2026-03-01", "amount": 5, "note": "x" * 501}, 400,
         "note"),
        ({"date": "2026-03-01", "amount": 5, "vendor": "x"}, 400, "vendor"),
    ]:
        crm.refused(marketer.post(path, json=body), status, field,
                    before=before)
    crm.refused(marketer.post(path, data=b"[]", headers={
        "Content-Type": "application/json"}), 400, before=before)
    crm.refused(marketer.post("/api/v1/campaigns/99999999/costs", json={
        "date": "2026-03-01", "amount": 5}), 404, before=before)
    # an entry is reached only through its own campaign
    crm.refused(marketer.delete("/api/v1/campaigns/%d/costs/%d" % (
        other["id"], e.json()["id"])), 404, before=before)
    assert_error(marketer.get("/api/v1/campaigns/%d/costs/%d" % (
        other["id"], e.json()["id"])), 404)
    # the same currency, given, is accepted
    r = marketer.post(path, json={"date": "2026-03-02", "amount": 1,
                                  "currency": "USD", "note": ""})
    assert r.status_code == 201 and r.json()["note"] is None
    assert crm.get("campaigns", c["id"])["cost"] == 2000


def test_currency_fixed_while_costs_exist(crm, marketer):
    c = crm.campaign(marketer, currency="USD")
    assert crm.patch("campaigns", c["id"], marketer,
                     currency="EUR")["currency"] == "EUR"
    path = "/api/v1/campaigns/%d/costs" % c["id"]
    e = marketer.post(path, json={"date": "2026-03-01", "amount": 5}).json()
    before = crm.snapshot()
    crm.refused(marketer.patch("/api/v1/campaigns/%d" % c["id"], json={
        "currency": "VND"}), 422, "currency", before=before)
    marketer.delete("%s/%d" % (path, e["id"]))
    assert crm.patch("campaigns", c["id"], marketer,
                     currency="VND")["currency"] == "VND"


# ---- who may do what ----

@pytest.mark.parametrize("role", ROLES)
def test_everyone_reads(crm, users, marketer, role):
    c = crm.campaign(marketer, name=uniq("Đọc "))
    r = marketer.post("/api/v1/campaigns/%d/costs" % c["id"],
                      json={"date": "2026-01-01", "amount": 700})
    assert r.status_code == 201
    u = users[role]
    got = crm.get("campaigns", c["id"], u)
    assert got["cost"] == 700 and got["name"] == c["name"]
    assert c["id"] in crm.ids(u, "/api/v1/campaigns", name=c["name"])
    assert [x["amount"] for x in costs_of(crm, u, c["id"])] == [700]


@pytest.mark.parametrize("role", READERS)
def test_sales_roles_cannot_write(crm, users, marketer, role):
    u = users[role]
    c = crm.campaign(marketer)
    e = marketer.post("/api/v1/campaigns/%d/costs" % c["id"],
                      json={"date": "2026-01-01", "amount": 5}).json()
    before = crm.snapshot()
    for r in (u.post("/api/v1/campaigns", json={"name": "x",
                                                "channel": "email"}),
              u.post("/api/v1/campaigns", json={"bad": 1}),
              u.patch("/api/v1/campaigns/%d" % c["id"], json={"name": "y"}),
              u.delete("/api/v1/campaigns/%d" % c["id"]),
              u.post("/api/v1/campaigns/%d/costs" % c["id"],
                     json={"date": "2026-01-02", "amount": 5}),
              u.delete("/api/v1/campaigns/%d/costs/%d" % (c["id"],
                                                          e["id"]))):
        crm.refused(r, 403, None, code="forbidden", before=before)


@pytest.mark.parametrize("role", WRITERS)
def test_marketing_roles_and_admins_write(crm, users, role):
    u = users[role]
    c = crm.campaign(u)
    c = crm.patch("campaigns", c["id"], u, status="active")
    r = u.post("/api/v1/campaigns/%d/costs" % c["id"],
               json={"date": "2026-01-02", "amount": 5})
    assert r.status_code == 201
    assert u.delete("/api/v1/campaigns/%d/costs/%d" % (
        c["id"], r.json()["id"])).status_code == 204
    assert u.delete("/api/v1/campaigns/%d" % c["id"]).status_code == 204


def test_owner_is_any_active_user(crm, marketer, users):
    rep = users["sales_rep"]
    # a marketer sees only users of their own team subtree, like any
    # other user reference (SPEC §1)
    r = marketer.post("/api/v1/campaigns", json={
        "name": "x", "channel": "event", "owner_id": rep.user["id"]})
    assert_error(r, 422, "owner_id")
    c = crm.campaign(crm.admin, owner_id=rep.user["id"])
    assert c["owner_id"] == rep.user["id"]


# ---- deletion ----

def test_delete_takes_costs_refuses_with_children_or_sources(crm, marketer):
    parent = crm.campaign(marketer)
    child = crm.campaign(marketer, parent_id=parent["id"])
    path = "/api/v1/campaigns/%d/costs" % child["id"]
    marketer.post(path, json={"date": "2026-01-01", "amount": 10})
    before = crm.snapshot()
    crm.refused(marketer.delete("/api/v1/campaigns/%d" % parent["id"]), 409,
                before=before)
    k = crm.contact(marketer, first_name="Nguồn",
                    source_campaign_id=child["id"])
    before = crm.snapshot()
    crm.refused(marketer.delete("/api/v1/campaigns/%d" % child["id"]), 409,
                before=before)
    crm.patch("contacts", k["id"], source_campaign_id=None)
    d = crm.deal(source_campaign_id=child["id"])
    before = crm.snapshot()
    crm.refused(marketer.delete("/api/v1/campaigns/%d" % child["id"]), 409,
                before=before)
    crm.patch("deals", d["id"], source_campaign_id=None)
    mark = crm.audit_mark()
    assert marketer.delete("/api/v1/campaigns/%d" %
                           child["id"]).status_code == 204
    assert_error(marketer.get("/api/v1/campaigns/%d" % child["id"]), 404)
    n = crm.snapshot(("campaign_costs",))["campaign_costs"]
    assert not [r for r in n if r[1] == child["id"]]
    rows = crm.audit_since(mark)
    assert [(r["action"], r["object"], r["object_id"]) for r in rows] == [
        ("delete", "campaign", child["id"])]
    assert marketer.delete("/api/v1/campaigns/%d" %
                           parent["id"]).status_code == 204


# ---- source_campaign_id of contacts and deals ----

def test_source_campaign_must_exist(crm, marketer):
    c = crm.campaign(marketer)
    k = crm.contact(marketer, first_name="Có nguồn",
                    source_campaign_id=c["id"])
    assert k["source_campaign_id"] == c["id"]
    d = crm.deal(source_campaign_id=c["id"])
    assert d["source_campaign_id"] == c["id"]
    before = crm.snapshot()
    for plural, body in (("contacts", {"first_name": "x"}),
                         ("deals", {"name": "x"})):
        r = crm.admin.post("/api/v1/" + plural,
                           json=dict(body, source_campaign_id=99999999))
        crm.refused(r, 422, "source_campaign_id", before=before)
    crm.refused(crm.admin.patch("/api/v1/contacts/%d" % k["id"], json={
        "source_campaign_id": 99999999}), 422, "source_campaign_id",
        before=before)
    # a sales rep may name any campaign: everyone sees campaigns
    rep_deal = crm.deal(crm.user("sales_rep"), source_campaign_id=c["id"])
    assert rep_deal["source_campaign_id"] == c["id"]
    # filters by it
    assert crm.ids(marketer, "/api/v1/contacts",
                   source_campaign_id=c["id"]) == [k["id"]]


# ---- lists, exports, audit ----

def test_list_filters_and_sort(crm, marketer):
    tag = uniq("L")
    a = crm.campaign(marketer, name=tag + " a", channel="tv", budget=300)
    b = crm.campaign(marketer, name=tag + " b", channel="radio", budget=100)
    c = crm.campaign(marketer, name=tag + " c", channel="tv", budget=200,
                     status="active")
    marketer.post("/api/v1/campaigns/%d/costs" % b["id"],
                  json={"date": "2026-01-01", "amount": 900})
    q = {"name[starts]": tag}
    assert crm.ids(marketer, "/api/v1/campaigns", sort="budget", **q) == [
        b["id"], c["id"], a["id"]]
    assert crm.ids(marketer, "/api/v1/campaigns", sort="-cost", **q)[0] == \
        b["id"]
    assert crm.ids(marketer, "/api/v1/campaigns", channel="tv",
                   sort="name", **q) == [a["id"], c["id"]]
    assert crm.ids(marketer, "/api/v1/campaigns", status="active",
                   **q) == [c["id"]]
    assert crm.ids(marketer, "/api/v1/campaigns", **{"cost[gt]": 0}, **q) \
        == [b["id"]]
    assert_error(marketer.get("/api/v1/campaigns", params={"goals": "1"}),
                 400, "goals")
    assert_error(marketer.get("/api/v1/campaigns", params={"q": "x"}), 400,
                 "q")


def test_export_csv(crm, marketer):
    tag = uniq("X")
    c = crm.campaign(marketer, name=tag, goals={"leads": 3}, budget=5)
    r = marketer.get("/api/v1/exports/campaigns",
                     params={"format": "csv", "name": tag})
    assert r.status_code == 200, r.text
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert len(rows) == 1
    row = rows[0]
    assert set(row) == CAMPAIGN_KEYS
    assert (row["id"], row["name"], row["budget"], row["cost"]) == (
        str(c["id"]), tag, "5", "0")
    assert row["goals"] == '{"leads":3,"mqls":null,"revenue":null}'


def test_campaigns_are_not_imported(crm):
    r = crm.admin.post("/api/v1/imports", params={"object": "campaigns"},
                       data=b"name,channel\nx,email\n",
                       headers={"Content-Type": "text/csv"})
    assert_error(r, 400, "object")


def test_audit(crm, marketer):
    mark = crm.audit_mark()
    c = crm.campaign(marketer, name="Kiểm toán", budget=10)
    crm.patch("campaigns", c["id"], marketer, budget=20)
    e = marketer.post("/api/v1/campaigns/%d/costs" % c["id"],
                      json={"date": "2026-01-01", "amount": 7}).json()
    marketer.delete("/api/v1/campaigns/%d/costs/%d" % (c["id"], e["id"]))
    rows = crm.audit_since(mark)
    got = [(r["action"], r["object"], r["object_id"], r["user_id"])
           for r in rows]
    uid = marketer.user["id"]
    assert got == [("create", "campaign", c["id"], uid),
                   ("update", "campaign", c["id"], uid),
                   ("create", "campaign_cost", e["id"], uid),
                   ("delete", "campaign_cost", e["id"], uid)]
    assert rows[0]["new_values"]["name"] == "Kiểm toán"
    assert (rows[1]["old_values"], rows[1]["new_values"]) == (
        {"budget": 10}, {"budget": 20})
    assert rows[2]["new_values"]["amount"] == 7
    assert rows[3]["old_values"]["amount"] == 7
