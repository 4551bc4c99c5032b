"""PostgreSQL only: statements sent without waiting (libpq pipeline mode,
db_run_nowait) whose error surfaces later still fail the whole request
with the error's own status, and leave nothing written. A test trigger
refuses, as a unique violation, any audit or search row holding the word
"zrefuse": a search row fails at the read-back that follows it, an audit
row at the COMMIT it travels with."""

import psycopg2
import pytest

from conftest import PG_URL

pytestmark = pytest.mark.skipif(not PG_URL, reason="needs PHEU_TEST_PG_URL")

TRIGGER = """
CREATE FUNCTION e2e_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF to_jsonb(NEW)::text ILIKE '%zrefuse%' THEN
        RAISE unique_violation USING MESSAGE = 'refused by the test';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER e2e_refuse BEFORE INSERT ON audit_log
    FOR EACH ROW EXECUTE FUNCTION e2e_refuse();
CREATE TRIGGER e2e_refuse BEFORE INSERT ON search_terms
    FOR EACH ROW EXECUTE FUNCTION e2e_refuse();
"""


@pytest.fixture(scope="module")
def refusing(crm):
    con = psycopg2.connect(str(crm.db))
    con.autocommit = True
    con.cursor().execute(TRIGGER)
    con.close()
    return crm


def test_a_refused_search_row_fails_the_patch_and_changes_nothing(refusing):
    crm = refusing
    c = crm.contact(first_name="Thư", last_name="Võ", lifecycle_stage="lead")
    before = crm.snapshot()
    r = crm.admin.patch("/api/v1/contacts/%d" % c["id"], json={
        "first_name": "Zrefuse", "lifecycle_stage": "customer",
        "title": "Giám đốc"})
    crm.refused(r, 409, before=before)
    assert crm.get("contacts", c["id"]) == c
    assert crm.ids(crm.admin, "/api/v1/contacts", q="vo thu") == [c["id"]]


def test_a_refused_audit_row_fails_the_commit_and_changes_nothing(refusing):
    crm = refusing
    c = crm.contact(first_name="Lan", last_name="Phạm")
    before = crm.snapshot()
    # title is not searched: the audit row is the last statement queued,
    # so its error comes back with the COMMIT
    r = crm.admin.patch("/api/v1/contacts/%d" % c["id"],
                        json={"title": "zrefuse", "city": "Huế"})
    crm.refused(r, 409, before=before)
    assert crm.get("contacts", c["id"]) == c
    # and the connection serves the next write normally
    assert crm.patch("contacts", c["id"], title="Kế toán")["title"] == \
        "Kế toán"


def test_a_refused_create_adds_nothing(refusing):
    crm = refusing
    before = crm.snapshot()
    r = crm.admin.post("/api/v1/contacts", json={
        "first_name": "Zrefuse", "last_name": "Trần",
        "lifecycle_stage": "lead"})
    crm.refused(r, 409, before=before)
