"""The funnel report (SPEC §3, App. A/B; issue 5): a HubSpot export with
`Became a … Date` columns imported, then every number of the report, in
both modes, checked against values computed by hand here; group_by, the
click-through filters, visibility, the CLI, stage history kept per
contact through backward moves, deals and merges, and bad parameters."""

import json

import pytest

from conftest import (Crm, Server, assert_error, cli, cli_ok, copy_db,
                      crm_fault_sweep, db_rows, uniq)

from conftest import upload, wait_import

DAY = 86400000

# Cohort January 2025 (Hà Nội time). Hand-computed below.
#   A: subscriber Jan 2 09:00, lead Jan 5 09:00, MQL Jan 8 09:00,
#      SQL Jan 10 21:00, opportunity Jan 20 09:00, customer Feb 19 09:00
#   B: subscriber Jan 3, lead Jan 4
#   C: lead Jan 10, MQL Jan 12, SQL Jan 15 (never a subscriber)
#   D: subscriber Jan 31 23:30 (still January in Hà Nội, not in UTC)
#   E: created and lead Feb 1 00:30 (January 31 in UTC: not in January)
#   F: created Jan 15, no stage at all
#   G: customer Jan 25 (skipped everything), evangelist Mar 1
HUBSPOT = (
    "First Name,Last Name,Email,Create Date,Lifecycle Stage,Original Source,"
    "Became a Subscriber Date,Became a Lead Date,"
    "Became a Marketing Qualified Lead Date,"
    "Became a Sales Qualified Lead Date,Became an Opportunity Date,"
    "Became a Customer Date,Became an Evangelist Date\n"
    "A,An,a@funnel.vn,2025-01-02 09:00,Customer,Organic Search,"
    "2025-01-02 09:00,2025-01-05 09:00,2025-01-08 09:00,2025-01-10 21:00,"
    "2025-01-20 09:00,2025-02-19 09:00,\n"
    "B,Bình,b@funnel.vn,2025-01-03,Lead,Paid Search,2025-01-03,2025-01-04,"
    ",,,,\n"
    "C,Cường,c@funnel.vn,2025-01-10,Sales Qualified Lead,Organic Search,,"
    "2025-01-10,2025-01-12,2025-01-15,,,\n"
    "D,Dung,d@funnel.vn,2025-01-31 23:30,Subscriber,Referrals,"
    "2025-01-31 23:30,,,,,,\n"
    "E,Em,e@funnel.vn,2025-02-01 00:30,Lead,Organic Search,,"
    "2025-02-01 00:30,,,,,\n"
    "F,Phúc,f@funnel.vn,2025-01-15,,Paid Search,,,,,,,\n"
    "G,Giang,g@funnel.vn,2025-01-20,Evangelist,Referrals,,,,,,2025-01-25,"
    "2025-03-01\n")

STAGES = ["subscriber", "lead", "marketing_qualified_lead",
          "sales_qualified_lead", "opportunity", "customer", "evangelist"]
PARTS = ["TOFU", "TOFU", "MOFU", "MOFU", "BOFU", "BOFU", "post"]

COHORT = {
    "contacts": 6,
    "counts": [5, 4, 3, 3, 2, 2, 1],
    "conversion": [4 / 5, 3 / 4, 3 / 3, 2 / 3, 2 / 2, 1 / 2, None],
    # sub: A 3, B 1; lead: A 3, C 2; MQL: A 2.5, C 3; SQL: A 9.5;
    # opportunity: A 30; customer: G 35 (Jan 25 -> Mar 1)
    "velocity": [(2.0, 2.5), (2.5, 2.75), (2.75, 2.875), (9.5, 9.5),
                 (30.0, 30.0), (35.0, 35.0), None],
    "parts": [5, 3, 2],
    "overall": 2 / 5,
}
PERIOD = {
    "contacts": 5,                      # A B C D G
    "counts": [3, 3, 2, 2, 1, 1, 0],
    "conversion": [3 / 3, 2 / 3, 2 / 2, 1 / 2, 1 / 1, 0 / 1, None],
    "velocity": [(2.0, 2.5), (2.5, 2.75), (2.75, 2.875), (9.5, 9.5),
                 (30.0, 30.0), (35.0, 35.0), None],
    "parts": [4, 2, 2],                 # TOFU A B C D; MOFU A C; BOFU A G
    "overall": 1 / 3,
}


def funnel(client, **params):
    r = client.get("/api/v1/reports/funnel", params=params)
    assert r.status_code == 200, r.text
    return r.json()


def check_funnel(f, want, mode):
    """Every number of funnel f against the hand-computed want."""
    what = "reached" if mode == "cohort" else "entered"
    assert f["contacts"] == want["contacts"]
    assert [s["stage"] for s in f["stages"]] == STAGES
    assert [s["part"] for s in f["stages"]] == PARTS
    assert [s[what] for s in f["stages"]] == want["counts"]
    other = "entered" if what == "reached" else "reached"
    assert all(other not in s for s in f["stages"])
    for s, c in zip(f["stages"], want["conversion"]):
        if c is None:
            assert s["conversion_to_next"] is None
        else:
            assert s["conversion_to_next"] == pytest.approx(c, abs=1e-12)
    for s, v in zip(f["stages"], want["velocity"]):
        if v is None:
            assert s["velocity_days"] is None, s
        else:
            assert s["velocity_days"] == pytest.approx(
                {"median": v[0], "p75": v[1]}, abs=1e-9), s["stage"]
    assert f["parts"] == [{"part": p, what: n} for p, n in
                          zip(["TOFU", "MOFU", "BOFU"], want["parts"])]
    assert f["overall"] == pytest.approx(want["overall"], abs=1e-12)


@pytest.fixture(scope="module")
def imported(crm):
    r = upload(crm.admin, HUBSPOT, object="contacts")
    assert r.status_code == 202, r.text
    st = wait_import(crm.admin, r.json()["id"])
    assert (st["status"], st["rows_ok"], st["rows_failed"]) == ("done", 7, 0)
    rows = db_rows(crm.db, "SELECT id, email FROM contacts WHERE email LIKE "
                   "'%@funnel.vn'")
    return {r["email"][0].upper(): r["id"] for r in rows}


def test_first_entries_are_kept_on_the_contact(crm, imported):
    a = crm.get("contacts", imported["A"])
    # 2025-01-05 09:00 in Hà Nội is 02:00 UTC
    assert a["became_lead_at"] == "2025-01-05T02:00:00Z"
    assert a["became_customer_at"] == "2025-02-19T02:00:00Z"
    assert a["became_evangelist_at"] is None
    assert a["highest_stage"] == "customer"
    g = crm.get("contacts", imported["G"])
    assert g["highest_stage"] == "evangelist"
    assert g["became_subscriber_at"] is None
    f = crm.get("contacts", imported["F"])
    assert f["highest_stage"] is None and f["lifecycle_stage"] is None
    # the columns agree with the history
    rows = db_rows(crm.db, "SELECT c.id, s.to_stage, MIN(s.at) AS first "
                   "FROM contacts c JOIN stage_changes s ON s.contact_id = "
                   "c.id WHERE c.email LIKE '%@funnel.vn' GROUP BY c.id, "
                   "s.to_stage")
    assert rows
    for r in rows:
        col = db_rows(crm.db, "SELECT became_%s_at AS v FROM contacts WHERE "
                      "id = %d" % (r["to_stage"], r["id"]))[0]["v"]
        assert col == r["first"], r


def test_cohort_funnel_every_number(crm, imported):
    f = funnel(crm.admin, **{"from": "2025-01-01", "to": "2025-01-31"})
    assert (f["mode"], f["from"], f["to"]) == ("cohort", "2025-01-01",
                                               "2025-01-31")
    check_funnel(f, COHORT, "cohort")
    assert f["groups"] == []
    # mode=cohort is the default
    assert funnel(crm.admin, mode="cohort", **{
        "from": "2025-01-01", "to": "2025-01-31"}) == f


def test_period_funnel_every_number(crm, imported):
    f = funnel(crm.admin, mode="period", **{"from": "2025-01-01",
                                            "to": "2025-01-31"})
    assert f["mode"] == "period"
    check_funnel(f, PERIOD, "period")
    # February: A's customer entry and E's lead entry (Feb 1 in Hà Nội)
    feb = funnel(crm.admin, mode="period", **{"from": "2025-02-01",
                                              "to": "2025-02-28"})
    assert [s["entered"] for s in feb["stages"]] == [0, 1, 0, 0, 0, 1, 0]
    assert feb["contacts"] == 2


def test_one_day_and_empty_periods(crm, imported):
    # January 31 alone: only D was created that day in Hà Nội
    f = funnel(crm.admin, **{"from": "2025-01-31", "to": "2025-01-31"})
    assert f["contacts"] == 1
    assert [s["reached"] for s in f["stages"]] == [1, 0, 0, 0, 0, 0, 0]
    assert f["stages"][0]["conversion_to_next"] == 0
    assert f["stages"][0]["velocity_days"] is None
    empty = funnel(crm.admin, **{"from": "2020-01-01", "to": "2020-12-31"})
    assert empty["contacts"] == 0
    assert [s["reached"] for s in empty["stages"]] == [0] * 7
    assert all(s["velocity_days"] is None for s in empty["stages"])
    assert empty["overall"] == 0


def test_group_by_source(crm, imported):
    f = funnel(crm.admin, group_by="source", **{"from": "2025-01-01",
                                                 "to": "2025-01-31"})
    check_funnel(f, COHORT, "cohort")       # the total is unchanged
    groups = {g["key"]: g for g in f["groups"]}
    assert set(groups) == {"organic_search", "paid_search", "referral"}
    org, paid, ref = (groups["organic_search"], groups["paid_search"],
                      groups["referral"])
    # organic: A and C (E was created in February)
    assert org["contacts"] == 2
    assert [s["reached"] for s in org["stages"]] == [2, 2, 2, 2, 1, 1, 0]
    assert org["overall"] == pytest.approx(0.5)
    # paid: B, and F without a stage
    assert paid["contacts"] == 2
    assert [s["reached"] for s in paid["stages"]] == [1, 1, 0, 0, 0, 0, 0]
    # referral: D and G
    assert [s["reached"] for s in ref["stages"]] == [2, 1, 1, 1, 1, 1, 1]
    assert ref["stages"][5]["velocity_days"] == {"median": 35.0,
                                                 "p75": 35.0}
    assert ref["name"] == "referral"
    # largest first: organic and referral reach 2 subscribers, paid 1
    assert [g["key"] for g in f["groups"]][-1] == "paid_search"


def test_group_by_month(crm, imported):
    f = funnel(crm.admin, group_by="month", **{"from": "2025-01-01",
                                                "to": "2025-02-28"})
    assert [g["key"] for g in f["groups"]] == ["2025-01", "2025-02"]
    jan, feb = f["groups"]
    check_funnel(jan, COHORT, "cohort")
    assert feb["contacts"] == 1 and feb["stages"][1]["reached"] == 1
    # period mode: each entry in the month it happened
    p = funnel(crm.admin, group_by="month", mode="period", **{
        "from": "2025-01-01", "to": "2025-03-31"})
    months = {g["key"]: [s["entered"] for s in g["stages"]]
              for g in p["groups"]}
    assert months == {"2025-01": [3, 3, 2, 2, 1, 1, 0],
                      "2025-02": [0, 1, 0, 0, 0, 1, 0],
                      "2025-03": [0, 0, 0, 0, 0, 0, 1]}


# 2023-06-01T00:00:00+07:00: a month no other test of this module uses
JUN23 = 1685552400000


def test_group_by_campaign_names_each_group(crm):
    """group_by=campaign keys each group by the contacts' original
    campaign (their first touch's) and names it; contacts without one
    are the null group."""
    day = 86400000
    named = crm.campaign(name=uniq("Hội thảo SME "), channel="webinar")
    other = crm.campaign(name=uniq("Quảng cáo tìm kiếm "),
                         channel="paid_search")
    ids = []
    for camp, n in ((named, 2), (other, 1), (None, 1)):
        for i in range(n):
            cid = backdated_contact(crm, None, JUN23 + i * day, [
                ("subscriber", JUN23 + i * day),
                ("lead", JUN23 + (i + 2) * day)])
            ids.append(cid)
            if camp:
                r = crm.admin.post("/api/v1/touchpoints", json={
                    "contact_id": cid, "kind": "webinar_attended",
                    "campaign_id": camp["id"], "at": iso(JUN23 + i * day - 1)})
                assert r.status_code == 201, r.text
    for cid, camp in zip(ids, (named, named, other, None)):
        got = crm.get("contacts", cid)["source_campaign_id"]
        assert got == (camp["id"] if camp else None)
    f = funnel(crm.admin, group_by="campaign", **{"from": "2023-06-01",
                                                   "to": "2023-06-30"})
    groups = [(g["key"], g["name"], g["contacts"],
               [s["reached"] for s in g["stages"]][:2]) for g in f["groups"]]
    assert groups == [(named["id"], named["name"], 2, [2, 2]),
                      (other["id"], other["name"], 1, [1, 1]),
                      (None, None, 1, [1, 1])]


def list_ids(client, query):
    r = client.get("/api/v1/contacts?" + query + "&limit=500")
    assert r.status_code == 200, (query, r.text)
    return sorted(c["id"] for c in r.json()["data"])


def test_click_through_lists_exactly_the_contacts_of_a_bar(crm, imported):
    i = imported
    f = funnel(crm.admin, group_by="source", **{"from": "2025-01-01",
                                                 "to": "2025-01-31"})
    want = [[i["A"], i["B"], i["C"], i["D"], i["G"]],
            [i["A"], i["B"], i["C"], i["G"]],
            [i["A"], i["C"], i["G"]], [i["A"], i["C"], i["G"]],
            [i["A"], i["G"]], [i["A"], i["G"]], [i["G"]]]
    for s, ids in zip(f["stages"], want):
        assert list_ids(crm.admin, s["contacts_filter"]) == sorted(ids), s
        assert len(ids) == s["reached"]
    for g in f["groups"]:
        for s in g["stages"]:
            assert len(list_ids(crm.admin, s["contacts_filter"])) == \
                s["reached"], (g["key"], s)
    p = funnel(crm.admin, mode="period", **{"from": "2025-01-01",
                                            "to": "2025-01-31"})
    for s in p["stages"]:
        assert len(list_ids(crm.admin, s["contacts_filter"])) == \
            s["entered"], s
    assert list_ids(crm.admin, p["stages"][5]["contacts_filter"]) == [i["G"]]


def test_contact_filters_apply(crm, imported):
    f = funnel(crm.admin, source="referral", **{"from": "2025-01-01",
                                                 "to": "2025-01-31"})
    assert [s["reached"] for s in f["stages"]] == [2, 1, 1, 1, 1, 1, 1]
    f = funnel(crm.admin, **{"from": "2025-01-01", "to": "2025-01-31",
                             "lifecycle_stage[in]": "lead,subscriber"})
    assert f["contacts"] == 2
    assert "lifecycle_stage[in]=lead,subscriber" in \
        f["stages"][0]["contacts_filter"]


def backdated_contact(crm, owner, created, moves):
    """A contact owned by owner, created on day created (ms), then moved
    through moves [(stage, ms)] as an admin migrating history would."""
    fields = {"owner_id": owner} if owner else {}
    c = crm.contact(first_name=uniq("Phễu "), created_at=iso(created), lifecycle_stage=moves[0][0],
                    stage_changed_at=iso(moves[0][1]), **fields)
    for stage, at in moves[1:]:
        crm.patch("contacts", c["id"], lifecycle_stage=stage,
                  stage_changed_at=iso(at))
    return c["id"]


def iso(ms):
    import datetime
    d = datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc)
    frac = ".%03d" % (ms % 1000) if ms % 1000 else ""
    return d.strftime("%Y-%m-%dT%H:%M:%S") + frac + "Z"     # as the API


# 2024-03-01T00:00:00+07:00
MAR = 1709226000000


def test_visibility_a_rep_counts_only_what_they_see(crm):
    team = crm.team()
    rep = crm.user(team=team)
    other = crm.user(team=crm.team())
    mine = [backdated_contact(crm, rep.user["id"], MAR + DAY,
                              [("lead", MAR + DAY),
                               ("marketing_qualified_lead", MAR + 3 * DAY)]),
            backdated_contact(crm, rep.user["id"], MAR + 2 * DAY,
                              [("subscriber", MAR + 2 * DAY)])]
    backdated_contact(crm, other.user["id"], MAR + DAY,
                      [("lead", MAR + DAY), ("customer", MAR + 9 * DAY)])
    q = {"from": "2024-03-01", "to": "2024-03-31"}
    everyone = funnel(crm.admin, **q)
    assert everyone["contacts"] == 3
    # mine: MQL and subscriber; the other rep's: lead then customer
    assert [s["reached"] for s in everyone["stages"]] == [3, 2, 2, 1, 1, 1,
                                                          0]
    seen = funnel(rep, **q)
    assert seen["contacts"] == 2
    assert [s["reached"] for s in seen["stages"]] == [2, 1, 1, 0, 0, 0, 0]
    assert seen["stages"][1]["velocity_days"] == {"median": 2.0, "p75": 2.0}
    # grouped by owner: the rep sees only their own group
    g = funnel(rep, group_by="owner", **q)
    assert [x["key"] for x in g["groups"]] == [rep.user["id"]]
    assert g["groups"][0]["name"] == rep.user["name"]
    t = funnel(crm.admin, group_by="team", **q)
    assert {x["key"]: x["contacts"] for x in t["groups"]}[team["id"]] == 2
    assert list_ids(rep, seen["stages"][0]["contacts_filter"]) == \
        sorted(mine)


def test_a_manager_of_many_owners_counts_their_team_and_collaborations(crm):
    """A viewer who sees 32 owners or more reads the covering index on
    SQLite (INDEXED BY contacts_funnel, decision 0010): the same counts
    as the visibility rules give, collaborations included."""
    import datetime
    hanoi = datetime.timezone(datetime.timedelta(hours=7))
    may = int(datetime.datetime(2023, 5, 1, tzinfo=hanoi).timestamp()
              * 1000)
    boss = crm.user(role="sales_manager")
    team = crm.team(manager=boss)
    reps = [crm.user(team=team) for _ in range(33)]
    outsider = crm.user(team=crm.team())
    backdated_contact(crm, reps[0].user["id"], may + DAY,
                      [("lead", may + DAY), ("customer", may + 5 * DAY)])
    backdated_contact(crm, reps[32].user["id"], may + 2 * DAY,
                      [("subscriber", may + 2 * DAY)])
    shared = backdated_contact(crm, outsider.user["id"], may + 3 * DAY,
                               [("lead", may + 3 * DAY),
                                ("opportunity", may + 4 * DAY)])
    backdated_contact(crm, outsider.user["id"], may + 4 * DAY,
                      [("evangelist", may + 4 * DAY)])
    r = outsider.post("/api/v1/contacts/%d/collaborators" % shared,
                      json={"user_id": boss.user["id"]})
    assert r.status_code == 201, r.text
    q = {"from": "2023-05-01", "to": "2023-05-31"}
    assert funnel(crm.admin, **q)["contacts"] == 4
    seen = funnel(boss, **q)
    assert seen["contacts"] == 3
    # rep 0: lead -> customer; rep 32: subscriber; shared: lead -> opp.
    assert [s["reached"] for s in seen["stages"]] == [3, 2, 2, 2, 2, 1, 0]
    assert seen["stages"][1]["velocity_days"] == {"median": 2.5,
                                                  "p75": 3.25}
    g = funnel(boss, group_by="owner", **q)
    assert sorted(x["key"] for x in g["groups"]) == sorted(
        [reps[0].user["id"], reps[32].user["id"], outsider.user["id"]])
    p = funnel(boss, mode="period", **q)
    assert p["contacts"] == 3
    assert [s["entered"] for s in p["stages"]] == [1, 2, 0, 0, 1, 1, 0]


def test_stage_history_backward_moves_deals_and_merges(crm):
    t0 = MAR + 40 * DAY
    cid = backdated_contact(crm, None, t0, [
        ("lead", t0), ("marketing_qualified_lead", t0 + DAY),
        ("lead", t0 + 2 * DAY)])       # recycled by sales (§5)
    c = crm.get("contacts", cid)
    assert c["lifecycle_stage"] == "lead"
    assert c["highest_stage"] == "marketing_qualified_lead"
    assert c["became_lead_at"] == iso(t0)
    rows = db_rows(crm.db, "SELECT from_stage, to_stage FROM stage_changes "
                   "WHERE contact_id = %d ORDER BY at" % cid)
    assert [(r["from_stage"], r["to_stage"]) for r in rows] == [
        (None, "lead"), ("lead", "marketing_qualified_lead"),
        ("marketing_qualified_lead", "lead")]
    # an open deal makes it an opportunity, a won one a customer
    d = crm.deal(contact_ids=[cid])
    c = crm.get("contacts", cid)
    assert c["lifecycle_stage"] == "opportunity"
    assert c["highest_stage"] == "opportunity"
    assert c["became_opportunity_at"] is not None
    # a backdated change earlier than the kept first entry replaces it
    crm.patch("contacts", cid, lifecycle_stage="subscriber",
              stage_changed_at=iso(t0 - DAY))
    c = crm.get("contacts", cid)
    assert c["became_subscriber_at"] == iso(t0 - DAY)
    assert c["highest_stage"] == "opportunity"
    # a merge: the survivor keeps the earliest entries of both
    other = backdated_contact(crm, None, t0, [("lead", t0 - 5 * DAY),
                                              ("customer", t0 + 3 * DAY)])
    r = crm.admin.post("/api/v1/contacts/%d/merge" % cid,
                       json={"merge_id": other})
    assert r.status_code == 200, r.text
    c = crm.get("contacts", cid)
    assert c["became_lead_at"] == iso(t0 - 5 * DAY)
    assert c["became_customer_at"] == iso(t0 + 3 * DAY)
    assert c["highest_stage"] == "customer"
    assert d["id"]
    # the future is refused and changes nothing
    r = crm.admin.patch("/api/v1/contacts/%d" % cid, json={
        "lifecycle_stage": "evangelist",
        "stage_changed_at": "2099-01-01T00:00:00Z"})
    assert_error(r, 422, "stage_changed_at")
    assert crm.get("contacts", cid)["highest_stage"] == "customer"


@pytest.mark.parametrize("params,field", [
    ({"to": "2025-01-31"}, "from"),
    ({"from": "2025-01-01"}, "to"),
    ({"from": "2025-02-01", "to": "2025-01-31"}, "from"),
    ({"from": "2025-02-30", "to": "2025-03-31"}, "from"),
    ({"from": "2025/01/01", "to": "2025-03-31"}, "from"),
    ({"from": "2025-01-01T00:00:00Z", "to": "2025-03-31"}, "from"),
    ({"from": "2025-01-01", "to": "yesterday"}, "to"),
    ({"from": "2025-01-01", "to": "2025-01-31", "group_by": "country"},
     "group_by"),
    ({"from": "2025-01-01", "to": "2025-01-31", "mode": "funnel"}, "mode"),
    ({"from": "2025-01-01", "to": "2025-01-31", "colour": "red"}, "colour"),
    ({"from": "2025-01-01", "to": "2025-01-31", "owner_id": "me"},
     "owner_id"),
    ({"from": "2025-01-01", "to": "2025-01-31", "limit": "5"}, "limit"),
    ({"from": "2025-01-01", "to": "2025-01-31",
      "created_at[gte]": "2025-01-10"}, "created_at[gte]"),
    ({"from": "2025-01-01", "to": "2025-01-31",
      "became_lead_at[gte]": "2025-01-10"}, "became_lead_at[gte]"),
])
def test_bad_parameters_are_400(crm, params, field):
    r = crm.admin.get("/api/v1/reports/funnel", params=params)
    assert_error(r, 400, field)


def test_repeated_parameter_and_no_session(crm):
    r = crm.admin.get("/api/v1/reports/funnel?from=2025-01-01&to=2025-01-31"
                      "&to=2025-02-28")
    assert_error(r, 400, "to")
    r = crm.srv.client().get("/api/v1/reports/funnel", params={
        "from": "2025-01-01", "to": "2025-01-31"})
    assert r.status_code == 401


def test_cli_prints_the_api_document_a_table_and_csv(crm, imported):
    args = ("report", "funnel", "--from", "2025-01-01", "--to", "2025-01-31",
            "--group-by", "source")
    doc = json.loads(cli_ok(*args, "--format", "json", db=crm.db).stdout)
    api = funnel(crm.admin, group_by="source", **{"from": "2025-01-01",
                                                   "to": "2025-01-31"})
    assert doc == api
    table = cli_ok(*args, db=crm.db).stdout.splitlines()
    assert table[0] == "Funnel, cohort mode, 2025-01-01 to 2025-01-31: 6 " \
        "contacts"
    lead = [ln for ln in table if ln.startswith("lead ")][0]
    assert lead.split()[:6] == ["lead", "TOFU", "4", "75.0%", "2.5", "2.8"]
    assert "\u2588" in lead
    assert "== organic_search (2 contacts)" in table
    csv = cli_ok(*args, "--format", "csv", "--mode", "period",
                 db=crm.db).stdout.splitlines()
    assert csv[0] == ("group_key,group_name,stage,part,entered,"
                      "conversion_to_next,velocity_median_days,"
                      "velocity_p75_days")
    assert csv[1] == ",,subscriber,TOFU,3,1.000000,2.0000,2.5000"
    assert csv[7] == ",,evangelist,post,0,,,"
    p = cli("report", "funnel", "--from", "2025-02-01", "--to", "2025-01-01",
            db=crm.db)
    assert p.returncode == 2 and "from" in p.stderr
    p = cli("report", "funnel", "--from", "2025-01-01", "--to", "2025-01-31",
            "--group-by", "colour", db=crm.db)
    assert p.returncode == 2 and "group-by" in p.stderr
    assert cli("report", "attribution", db=crm.db).returncode == 2
    assert cli("report", "funnel", "--from", "2025-01-01", "--to",
               "2025-01-31", "--format", "xml", db=crm.db).returncode == 2


def test_a_report_cut_at_any_step_answers_500(crm_db, tmp_path):
    """The report reads the contacts by creation-time slices on two
    connections, every other slice each (decision 0010).
    PHEU_FAULT_DB_STEP fails the Nth database step, on whichever reader
    takes it: the report answers 500 with an error, the server carries
    on, and every 200 is the whole document."""
    base = copy_db(crm_db, tmp_path / "base.db")
    srv = Server(base, tmp_path).start()
    try:
        c = Crm(srv)
        r = upload(c.admin, HUBSPOT, object="contacts")
        assert r.status_code == 202, r.text
        assert wait_import(c.admin, r.json()["id"])["rows_ok"] == 7
        token = c.admin.headers["Authorization"].split()[1]
        params = {"from": "2025-01-01", "to": "2025-01-31",
                  "group_by": "source"}
        want = funnel(c.admin, **params)
        check_funnel(want, COHORT, "cohort")
        c.close()
    finally:
        assert srv.stop() == 0, srv.stderr()

    def send(s):
        r = s.bearer(token).get("/api/v1/reports/funnel", params=params)
        if r.status_code == 200:        # never a part of the figures
            assert r.json() == want
        return r

    assert crm_fault_sweep(base, tmp_path, send, 200, stride=1) >= 10
