"""Deal pipelines (SPEC §2, App. A, App. C): GET /api/v1/pipelines lists
the default New business and Renewal pipelines with their ordered stages,
win probabilities and kinds; GET /api/v1/pipelines/{id}/totals counts
and sums the caller's visible deals per stage and currency."""

import pytest

from conftest import assert_error

PIPELINES = [
    ("New business", [
        ("Appointment scheduled", 1, 20, "open"),
        ("Qualified to buy", 2, 40, "open"),
        ("Presentation scheduled", 3, 60, "open"),
        ("Decision maker bought-in", 4, 80, "open"),
        ("Contract sent", 5, 90, "open"),
        ("Closed won", 6, 100, "won"),
        ("Closed lost", 7, 0, "lost")]),
    ("Renewal", [
        ("Renewal due", 1, 50, "open"),
        ("In negotiation", 2, 75, "open"),
        ("Renewed", 3, 100, "won"),
        ("Churned", 4, 0, "lost")]),
]


@pytest.fixture(scope="module")
def pl(crm):
    data, cur = crm.page(crm.admin, "/api/v1/pipelines")
    assert cur is None
    return data


def test_default_pipelines(crm, pl):
    assert [(p["name"], [(s["name"], s["position"], s["probability"],
                          s["kind"]) for s in p["stages"]])
            for p in pl] == PIPELINES
    for p in pl:
        assert set(p) == {"id", "name", "stages"}
        for s in p["stages"]:
            assert set(s) == {"id", "name", "position", "probability",
                              "kind"}
    ids = [s["id"] for p in pl for s in p["stages"]]
    assert len(set(ids)) == len(ids)
    # Everyone reads them.
    rep = crm.user("sales_rep")
    data, _ = crm.page(rep, "/api/v1/pipelines")
    assert data == pl
    assert_error(rep.get("/api/v1/pipelines", params={"limit": "1"}), 400,
                 "limit")


def test_totals_per_stage_and_currency(crm, pl):
    nb, rn = pl
    st = {s["name"]: s["id"] for s in nb["stages"]}
    rst = {s["name"]: s["id"] for s in rn["stages"]}
    me, other = crm.user("sales_rep"), crm.user("sales_rep")
    path = "/api/v1/pipelines/%d/totals" % nb["id"]
    data, cur = crm.page(me, path)
    assert (data, cur) == ([], None)
    crm.deal(me, amount=1000000)
    crm.deal(me, amount=2500000)
    crm.deal(me, amount=700, currency="USD")
    crm.deal(me, amount=5000000, stage_id=st["Closed won"])
    crm.deal(me, amount=9, pipeline_id=rn["id"])
    moved = crm.deal(me, amount=300)
    crm.deal(other, amount=123456789)
    crm.patch("deals", moved["id"], me, stage_id=st["Contract sent"])
    data, _ = crm.page(me, path)
    first = st["Appointment scheduled"]
    assert data == [
        {"stage_id": first, "currency": "USD", "count": 1, "amount": 700},
        {"stage_id": first, "currency": "VND", "count": 2,
         "amount": 3500000},
        {"stage_id": st["Contract sent"], "currency": "VND", "count": 1,
         "amount": 300},
        {"stage_id": st["Closed won"], "currency": "VND", "count": 1,
         "amount": 5000000}]
    data, _ = crm.page(me, "/api/v1/pipelines/%d/totals" % rn["id"])
    assert data == [{"stage_id": rst["Renewal due"], "currency": "VND",
                     "count": 1, "amount": 9}]
    data, _ = crm.page(other, path)
    assert data == [{"stage_id": first, "currency": "VND", "count": 1,
                     "amount": 123456789}]


def test_totals_bad_requests(crm):
    assert_error(crm.admin.get("/api/v1/pipelines/999999/totals"), 404,
                 None, "not_found")
    assert_error(crm.admin.get("/api/v1/pipelines/x/totals"), 400, "id")
    assert_error(crm.admin.get("/api/v1/pipelines/0/totals"), 400, "id")
    r = crm.admin.get("/api/v1/pipelines/1/totals", params={"q": "x"})
    assert_error(r, 400, "q")


@pytest.mark.parametrize("method", ["POST", "PATCH", "DELETE", "PUT"])
def test_pipelines_are_read_only(crm, method):
    before = crm.snapshot()
    r = crm.admin.request(method, "/api/v1/pipelines", json={"name": "X"})
    crm.refused(r, 405, before=before)
    assert "GET" in r.headers.get("Allow", "")
