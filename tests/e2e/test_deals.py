"""Deals over /api/v1/deals (SPEC §2, §3, App. A, App. C): pipeline and
stage defaults, stages of another pipeline, status and closed_at that
follow the stage's kind, the contacts of a deal moving forward (open deal
⇒ opportunity, won deal ⇒ customer, never backwards) with their stage
history and the company roll-up, bad input, deletion and auditing."""

import time

import pytest

from conftest import DEAL_KEYS, ISO_UTC, assert_error, db_rows, db_value


@pytest.fixture(scope="module")
def rep(crm):
    return crm.user("sales_rep", crm.team())


@pytest.fixture(scope="module")
def pl(crm):
    """Pipelines by name: {"id", "stages": {stage name: stage}}."""
    data, _ = crm.page(crm.admin, "/api/v1/pipelines")
    return {p["name"]: {"id": p["id"],
                        "stages": {s["name"]: s for s in p["stages"]}}
            for p in data}


def stage(pl, pipeline, name):
    return pl[pipeline]["stages"][name]["id"]


def now_ms():
    return int(time.time() * 1000)


def iso_ms(s):
    import datetime
    d = datetime.datetime.strptime(s[:19], "%Y-%m-%dT%H:%M:%S").replace(
        tzinfo=datetime.timezone.utc)
    return int(d.timestamp()) * 1000 + (int(s[20:23]) if len(s) > 20 else 0)


def stages_of(crm, cid):
    return [(r["from_stage"], r["to_stage"], r["reason"])
            for r in db_rows(crm.db, "SELECT * FROM stage_changes WHERE "
                             "contact_id = ? ORDER BY id", (cid,))]


# ---- defaults ----

def test_defaults_new_business_and_its_first_open_stage(crm, rep, pl):
    d = crm.deal(rep, name="Hợp đồng phần mềm")
    assert set(d) == DEAL_KEYS
    assert d["pipeline_id"] == pl["New business"]["id"]
    assert d["stage_id"] == stage(pl, "New business", "Appointment scheduled")
    assert (d["status"], d["closed_at"], d["amount"], d["currency"]) == (
        "open", None, 0, "VND")
    assert (d["owner_id"], d["company_id"], d["contact_ids"]) == (
        rep.user["id"], None, [])
    assert (d["close_date"], d["forecast_category"], d["custom"]) == (
        None, None, {})
    assert ISO_UTC.match(d["created_at"])
    assert crm.get("deals", d["id"], rep) == d


def test_renewal_pipeline_starts_at_its_first_open_stage(crm, rep, pl):
    d = crm.deal(rep, pipeline_id=pl["Renewal"]["id"])
    assert d["stage_id"] == stage(pl, "Renewal", "Renewal due")
    # Moving pipeline alone moves to that pipeline's first open stage.
    d = crm.patch("deals", d["id"], rep, pipeline_id=pl["New business"]["id"])
    assert d["stage_id"] == stage(pl, "New business", "Appointment scheduled")


def test_given_values_are_kept(crm, rep, pl):
    co = crm.company(rep)
    camp = crm.campaign()   # source_campaign_id must name a campaign
    d = crm.deal(rep, name="Gia hạn", amount=150000000, currency="USD",
                 pipeline_id=pl["Renewal"]["id"],
                 stage_id=stage(pl, "Renewal", "In negotiation"),
                 close_date="2026-12-31", company_id=co["id"],
                 forecast_category="commit", source_campaign_id=camp["id"])
    assert (d["amount"], d["currency"], d["stage_id"], d["close_date"],
            d["company_id"], d["forecast_category"],
            d["source_campaign_id"]) == (
        150000000, "USD", stage(pl, "Renewal", "In negotiation"),
        "2026-12-31", co["id"], "commit", camp["id"])


# ---- refused input ----

def test_stage_of_another_pipeline_is_422(crm, rep, pl):
    d = crm.deal(rep)
    before = crm.snapshot()
    renewal_stage = stage(pl, "Renewal", "In negotiation")
    crm.refused(rep.post("/api/v1/deals", json={
        "name": "X", "stage_id": renewal_stage}), 422, "stage_id",
        "rule_violation", before)
    crm.refused(rep.post("/api/v1/deals", json={
        "name": "X", "pipeline_id": pl["New business"]["id"],
        "stage_id": renewal_stage}), 422, "stage_id", before=before)
    crm.refused(rep.patch("/api/v1/deals/%d" % d["id"], json={
        "stage_id": renewal_stage}), 422, "stage_id", before=before)
    crm.refused(rep.patch("/api/v1/deals/%d" % d["id"], json={
        "pipeline_id": pl["Renewal"]["id"],
        "stage_id": stage(pl, "New business", "Contract sent")}), 422,
        "stage_id", before=before)


@pytest.mark.parametrize("body, status, field", [
    ({}, 400, "name"),
    ({"name": ""}, 400, "name"),
    ({"name": None}, 400, "name"),
    ({"name": 1}, 400, "name"),
    ({"name": "X", "status": "won"}, 422, "status"),
    ({"name": "X", "closed_at": "2025-01-01T00:00:00Z"}, 422, "closed_at"),
    ({"name": "X", "created_at": "2025-01-01T00:00:00Z"}, 422,
     "created_at"),
    ({"name": "X", "id": 3}, 422, "id"),
    ({"name": "X", "amount": -1}, 422, "amount"),
    ({"name": "X", "amount": 1.5}, 400, "amount"),
    ({"name": "X", "amount": "1000"}, 400, "amount"),
    ({"name": "X", "amount": None}, 400, "amount"),
    ({"name": "X", "currency": "vnd"}, 400, "currency"),
    ({"name": "X", "currency": "VN"}, 400, "currency"),
    ({"name": "X", "currency": None}, 400, "currency"),
    ({"name": "X", "pipeline_id": 999999}, 422, "pipeline_id"),
    ({"name": "X", "pipeline_id": None}, 400, "pipeline_id"),
    ({"name": "X", "stage_id": 999999}, 422, "stage_id"),
    ({"name": "X", "stage_id": "1"}, 400, "stage_id"),
    ({"name": "X", "close_date": "2026-02-30"}, 400, "close_date"),
    ({"name": "X", "close_date": "31/12/2026"}, 400, "close_date"),
    ({"name": "X", "close_date": "2026-12-31T00:00:00Z"}, 400,
     "close_date"),
    ({"name": "X", "forecast_category": "maybe"}, 422, "forecast_category"),
    ({"name": "X", "company_id": 999999}, 422, "company_id"),
    ({"name": "X", "owner_id": 999999}, 422, "owner_id"),
    ({"name": "X", "contact_ids": 5}, 400, "contact_ids"),
    ({"name": "X", "contact_ids": ["5"]}, 400, "contact_ids"),
    ({"name": "X", "contact_ids": [0]}, 400, "contact_ids"),
    ({"name": "X", "contact_ids": list(range(1, 102))}, 400,
     "contact_ids"),
    ({"name": "X", "contact_ids": [999999]}, 422, "contact_ids"),
    ({"name": "X", "stage": "Closed won"}, 400, "stage"),
    ({"name": "X", "pipeline": "Renewal"}, 400, "pipeline"),
])
def test_refused_input(crm, rep, body, status, field):
    before = crm.snapshot()
    crm.refused(rep.post("/api/v1/deals", json=body), status, field,
                before=before)


def test_a_contact_listed_twice_is_422(crm, rep):
    k = crm.contact(rep, first_name="Hai lần")
    before = crm.snapshot()
    crm.refused(rep.post("/api/v1/deals", json={
        "name": "X", "contact_ids": [k["id"], k["id"]]}), 422,
        "contact_ids", before=before)


def test_closed_at_rules_for_admins(crm, pl):
    won = stage(pl, "New business", "Closed won")
    d = crm.deal(stage_id=won, closed_at="2025-06-30T10:00:00Z")
    assert (d["status"], d["closed_at"]) == ("won", "2025-06-30T10:00:00Z")
    future = time.strftime("%Y-%m-%dT%H:%M:%SZ",
                           time.gmtime(time.time() + 86400))
    before = crm.snapshot()
    crm.refused(crm.admin.patch("/api/v1/deals/%d" % d["id"], json={
        "closed_at": future}), 422, "closed_at", before=before)
    d = crm.patch("deals", d["id"], closed_at="2025-07-01T00:00:00Z")
    assert d["closed_at"] == "2025-07-01T00:00:00Z"


# ---- stages, status, closed_at ----

def test_status_and_closed_at_follow_the_stage(crm, rep, pl):
    d = crm.deal(rep)
    t0 = now_ms()
    d = crm.patch("deals", d["id"], rep,
                  stage_id=stage(pl, "New business", "Closed won"))
    assert d["status"] == "won"
    assert t0 - 1000 <= iso_ms(d["closed_at"]) <= now_ms() + 1000
    won_at = d["closed_at"]
    # Another change keeps the close time.
    d = crm.patch("deals", d["id"], rep, amount=5000000)
    assert (d["status"], d["closed_at"]) == ("won", won_at)
    # Reopened: open, no close time.
    d = crm.patch("deals", d["id"], rep,
                  stage_id=stage(pl, "New business", "Contract sent"))
    assert (d["status"], d["closed_at"]) == ("open", None)
    d = crm.patch("deals", d["id"], rep,
                  stage_id=stage(pl, "New business", "Closed lost"),
                  lost_reason="Giá cao")
    assert (d["status"], d["lost_reason"]) == ("lost", "Giá cao")
    assert d["closed_at"] is not None
    # Lost to won in the renewal pipeline.
    d = crm.patch("deals", d["id"], rep, pipeline_id=pl["Renewal"]["id"],
                  stage_id=stage(pl, "Renewal", "Renewed"))
    assert (d["status"], d["pipeline_id"]) == ("won", pl["Renewal"]["id"])
    d = crm.patch("deals", d["id"], rep,
                  stage_id=stage(pl, "Renewal", "Churned"))
    assert d["status"] == "lost"


def test_created_won_is_closed_now(crm, rep, pl):
    t0 = now_ms()
    d = crm.deal(rep, stage_id=stage(pl, "New business", "Closed won"))
    assert d["status"] == "won"
    assert t0 - 1000 <= iso_ms(d["closed_at"]) <= now_ms() + 1000


# ---- contacts move forward ----

def test_open_deal_makes_opportunities_won_deal_customers(crm, rep, pl):
    co = crm.company(rep)
    fresh = crm.contact(rep, first_name="Mới", company_id=co["id"])
    lead = crm.contact(rep, first_name="Lead", lifecycle_stage="lead")
    cust = crm.contact(rep, first_name="Khách", lifecycle_stage="customer")
    evan = crm.contact(rep, first_name="Fan", lifecycle_stage="evangelist")
    ids = [fresh["id"], lead["id"], cust["id"], evan["id"]]
    d = crm.deal(rep, contact_ids=ids)
    assert d["contact_ids"] == sorted(ids)
    stage_now = {k: crm.get("contacts", k)["lifecycle_stage"] for k in ids}
    assert stage_now == {fresh["id"]: "opportunity",
                         lead["id"]: "opportunity",
                         cust["id"]: "customer",
                         evan["id"]: "evangelist"}
    assert crm.get("companies", co["id"])["lifecycle_stage"] == "opportunity"
    assert stages_of(crm, fresh["id"]) == [(None, "opportunity", "deal")]
    assert stages_of(crm, lead["id"]) == [(None, "lead", "manual"),
                                          ("lead", "opportunity", "deal")]
    assert stages_of(crm, cust["id"]) == [(None, "customer", "manual")]
    by = db_value(crm.db, "SELECT by_user FROM stage_changes WHERE "
                  "contact_id = ? AND reason = 'deal'", (fresh["id"],))
    assert by == rep.user["id"]

    crm.patch("deals", d["id"], rep,
              stage_id=stage(pl, "New business", "Closed won"))
    stage_now = {k: crm.get("contacts", k)["lifecycle_stage"] for k in ids}
    assert stage_now == {fresh["id"]: "customer", lead["id"]: "customer",
                         cust["id"]: "customer", evan["id"]: "evangelist"}
    assert crm.get("companies", co["id"])["lifecycle_stage"] == "customer"
    assert stages_of(crm, fresh["id"]) == [
        (None, "opportunity", "deal"), ("opportunity", "customer", "deal")]
    assert stages_of(crm, evan["id"]) == [(None, "evangelist", "manual")]

    # Reopening never moves anybody backwards.
    crm.patch("deals", d["id"], rep,
              stage_id=stage(pl, "New business", "Contract sent"))
    assert crm.get("contacts", fresh["id"])["lifecycle_stage"] == "customer"
    assert len(stages_of(crm, fresh["id"])) == 2


def test_lost_deal_moves_nobody(crm, rep, pl):
    k = crm.contact(rep, first_name="Mất", lifecycle_stage="lead")
    crm.deal(rep, contact_ids=[k["id"]],
             stage_id=stage(pl, "New business", "Closed lost"))
    assert crm.get("contacts", k["id"])["lifecycle_stage"] == "lead"
    assert stages_of(crm, k["id"]) == [(None, "lead", "manual")]


def test_contacts_added_later_move_too(crm, rep, pl):
    a = crm.contact(rep, first_name="A")
    b = crm.contact(rep, first_name="B", lifecycle_stage="subscriber")
    d = crm.deal(rep, contact_ids=[a["id"]])
    d = crm.patch("deals", d["id"], rep, contact_ids=[b["id"]])
    assert d["contact_ids"] == [b["id"]]
    assert crm.get("contacts", b["id"])["lifecycle_stage"] == "opportunity"
    # a keeps its stage when it leaves the deal.
    assert crm.get("contacts", a["id"])["lifecycle_stage"] == "opportunity"
    d = crm.patch("deals", d["id"], rep, contact_ids=[])
    assert d["contact_ids"] == []
    assert db_value(crm.db, "SELECT COUNT(*) FROM deal_contacts WHERE "
                    "deal_id = ?", (d["id"],)) == 0


def test_refused_deal_moves_nobody(crm, rep, pl):
    k = crm.contact(rep, first_name="Không đổi", lifecycle_stage="lead")
    before = crm.snapshot()
    crm.refused(rep.post("/api/v1/deals", json={
        "name": "X", "contact_ids": [k["id"]],
        "stage_id": stage(pl, "Renewal", "Renewed")}), 422, "stage_id",
        before=before)
    crm.refused(rep.post("/api/v1/deals", json={
        "name": "X", "contact_ids": [k["id"], 999999]}), 422, "contact_ids",
        before=before)


# ---- delete, audit ----

def test_delete_lets_go_of_contacts_and_activities(crm, rep, pl):
    k = crm.contact(rep, first_name="Giữ")
    d = crm.deal(rep, contact_ids=[k["id"]])
    a = crm.activity(rep, kind="demo", deal_id=d["id"])
    r = rep.post("/api/v1/deals/%d/collaborators" % d["id"],
                 json={"user_id": crm.admin.user["id"]})
    assert r.status_code == 201, r.text
    mark = crm.audit_mark()
    assert rep.delete("/api/v1/deals/%d" % d["id"]).status_code == 204
    assert_error(rep.get("/api/v1/deals/%d" % d["id"]), 404, None,
                 "not_found")
    assert crm.get("activities", a["id"])["deal_id"] is None
    assert crm.get("contacts", k["id"])["lifecycle_stage"] == "opportunity"
    for sql in ("SELECT COUNT(*) FROM deal_contacts WHERE deal_id = ?",
                "SELECT COUNT(*) FROM collaborators WHERE object = 'deal' "
                "AND record_id = ?",
                "SELECT COUNT(*) FROM search_terms WHERE kind = 3 AND "
                "record_id = ?"):
        assert db_value(crm.db, sql, (d["id"],)) == 0, sql
    rows = crm.audit_since(mark)
    assert [(x["action"], x["object"], x["object_id"]) for x in rows] == [
        ("delete", "deal", d["id"])]
    assert rows[0]["old_values"]["contact_ids"] == [k["id"]]


def test_audit_rows_name_the_changes(crm, rep, pl):
    mark = crm.audit_mark()
    d = crm.deal(rep, name="Kiểm toán", amount=1000)
    crm.patch("deals", d["id"], rep,
              stage_id=stage(pl, "New business", "Qualified to buy"),
              amount=2000)
    rows = crm.audit_since(mark)
    assert [(x["action"], x["object"], x["object_id"], x["user_id"])
            for x in rows] == [
        ("create", "deal", d["id"], rep.user["id"]),
        ("update", "deal", d["id"], rep.user["id"])]
    assert rows[0]["new_values"]["status"] == "open"
    assert rows[1]["old_values"] == {
        "amount": 1000,
        "stage_id": stage(pl, "New business", "Appointment scheduled")}
    assert rows[1]["new_values"] == {
        "amount": 2000, "stage_id": stage(pl, "New business",
                                          "Qualified to buy")}


def test_deals_filter_by_their_contacts(crm):
    a = crm.contact(first_name="Lọc A")
    b = crm.contact(first_name="Lọc B")
    d1 = crm.deal(contact_ids=[a["id"]])
    d2 = crm.deal(contact_ids=[a["id"], b["id"]])
    crm.deal(contact_ids=[])
    ids = lambda **p: [d["id"] for d in crm.admin.get(
        "/api/v1/deals", params=p).json()["data"]]
    assert ids(contact_ids=a["id"], sort="id") == [d1["id"], d2["id"]]
    assert ids(contact_ids=b["id"]) == [d2["id"]]
    assert ids(**{"contact_ids[in]": "%d,%d" % (a["id"], b["id"]),
                  "sort": "id"}) == [d1["id"], d2["id"]]
    r = crm.admin.get("/api/v1/deals", params={"contact_ids": "x"})
    assert r.status_code == 400 and r.json()["error"]["field"] == \
        "contact_ids"
    r = crm.admin.get("/api/v1/deals", params={"contact_ids[gt]": "1"})
    assert r.status_code == 400
