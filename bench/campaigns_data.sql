-- bench/campaigns_data.sql: the data of bench_campaigns.sh (SPEC §14 /
-- issue 6: campaign performance for 500 campaigns in < 1 s) on top of
-- `pheu demo --contacts 1000000`, one script for both engines (sqlite3
-- and psql run it as it is), whatever campaigns the demo has: 500
-- campaigns over the 16 channels, each with a cost entry on the 15th of
-- every month of 2026 (6,000 entries); two contacts in five get one of
-- them as their original campaign (their funnel dates are the demo's);
-- 2,000,000 touchpoints over every contact and 300 days of 2026, nine in
-- ten with a campaign; 20,000 deals won in 2026 with a source campaign
-- and one contact each. Values come from integer arithmetic, not
-- random(): the same data on both engines. Ids are read back as "the
-- largest id before + i": one session writes.

CREATE TEMP TABLE bench_base (contacts_lo BIGINT, contacts_n BIGINT,
                              deals BIGINT, campaigns BIGINT);
INSERT INTO bench_base SELECT (SELECT MIN(id) FROM contacts),
    (SELECT COUNT(*) FROM contacts),
    (SELECT COALESCE(MAX(id), 0) FROM deals),
    (SELECT COALESCE(MAX(id), 0) FROM campaigns);
-- the contacts by rank, so that gaps in their ids do not matter
CREATE TEMP TABLE bench_contacts AS
    SELECT ROW_NUMBER() OVER (ORDER BY id) - 1 AS n, id FROM contacts;
CREATE UNIQUE INDEX bench_contacts_n ON bench_contacts (n);
CREATE TEMP TABLE bench_owners AS
    SELECT ROW_NUMBER() OVER (ORDER BY id) - 1 AS n, id FROM users
    WHERE role IN ('sales_rep', 'account_executive');
CREATE TEMP TABLE bench_channels (n BIGINT, channel TEXT);
INSERT INTO bench_channels VALUES (0, 'email'), (1, 'social'),
    (2, 'paid_search'), (3, 'display'), (4, 'seo'), (5, 'content'),
    (6, 'direct_mail'), (7, 'radio'), (8, 'tv'), (9, 'event'),
    (10, 'webinar'), (11, 'pr'), (12, 'referral'), (13, 'brand_ambassador'),
    (14, 'partner'), (15, 'other');

-- 2026-01-01T00:00:00Z = 1767225600000; a day = 86400000 ms

INSERT INTO campaigns (name, channel, status, start_date, end_date, budget,
                       currency, utm_campaign, utm_key, created_at,
                       updated_at)
WITH RECURSIVE n(i) AS (SELECT CAST(1 AS BIGINT) UNION ALL
                        SELECT i + 1 FROM n WHERE i < 500)
SELECT 'Bench perf campaign ' || i, (SELECT channel FROM bench_channels
    WHERE bench_channels.n = i % 16), 'active', '2026-01-01', '2026-12-31',
    100000000 + i * 1000000, 'VND', 'bench-perf-' || i, 'bench-perf-' || i,
    1767225600000, 1767225600000
FROM n;

INSERT INTO campaign_costs (campaign_id, date, amount, currency, note,
                            created_at)
WITH RECURSIVE n(i) AS (SELECT CAST(0 AS BIGINT) UNION ALL
                        SELECT i + 1 FROM n WHERE i < 5999)
SELECT b.campaigns + 1 + i % 500,
    '2026-' || CASE WHEN i / 500 < 9 THEN '0' ELSE '' END
        || CAST(i / 500 + 1 AS TEXT) || '-15',
    1000000 + (i * 7919 % 1000) * 10000, 'VND', NULL, 1767225600000
FROM n, bench_base b;

UPDATE contacts SET source_campaign_id = (SELECT b.campaigns + 1
    + contacts.id / 5 % 500 FROM bench_base b)
WHERE id % 5 < 2;

INSERT INTO touchpoints (contact_id, kind, channel, campaign_id, at,
                         created_at)
WITH RECURSIVE n(i) AS (SELECT CAST(1 AS BIGINT) UNION ALL
                        SELECT i + 1 FROM n WHERE i < 2000000)
SELECT (SELECT k.id FROM bench_contacts k
         WHERE k.n = i * 7 % b.contacts_n), 'page_view', NULL,
    CASE WHEN i % 10 <> 0 THEN b.campaigns + 1 + i / 10 % 500 END,
    1767225600000 + (i * 7919 % 432000) * 60000,
    1767225600000
FROM n, bench_base b;

INSERT INTO deals (name, amount, currency, pipeline_id, stage_id, status,
                   closed_at, owner_id, source_campaign_id, created_at,
                   updated_at)
WITH RECURSIVE n(i) AS (SELECT CAST(1 AS BIGINT) UNION ALL
                        SELECT i + 1 FROM n WHERE i < 20000)
SELECT 'Bench perf deal ' || i, 1000000 + (i * 7907 % 500) * 100000, 'VND',
    (SELECT id FROM pipelines WHERE name = 'New business'),
    (SELECT s.id FROM pipeline_stages s JOIN pipelines p
         ON p.id = s.pipeline_id WHERE p.name = 'New business'
         AND s.kind = 'won'),
    'won',
    1767225600000 + (30 + i * 31 % 270) * 86400000 + (i % 86400) * 1000,
    (SELECT id FROM bench_owners WHERE bench_owners.n =
         i % (SELECT COUNT(*) FROM bench_owners)),
    b.campaigns + 1 + i % 500,
    1767225600000 + (i * 31 % 270) * 86400000,
    1767225600000 + (i * 31 % 270) * 86400000
FROM n, bench_base b;

INSERT INTO deal_contacts (deal_id, contact_id)
WITH RECURSIVE n(i) AS (SELECT CAST(1 AS BIGINT) UNION ALL
                        SELECT i + 1 FROM n WHERE i < 20000)
SELECT b.deals + i, (SELECT k.id FROM bench_contacts k
                    WHERE k.n = i * 53 % b.contacts_n)
FROM n, bench_base b;
