-- bench/attribution_data.sql: the data of bench_attribution.sh (SPEC §14:
-- attribution over 100,000 won deals and 2,000,000 touchpoints), one
-- script for both engines (sqlite3 and psql run it as it is): 300
-- campaigns, 150,000 contacts (two in three entered lead, one in five
-- skipped to MQL), 100,000 deals won in 2025 by the sales reps and
-- account executives, one contact each and a second contact on every
-- other deal, and 2,000,000 touchpoints spread over the contacts and
-- 400 days (some after their deal's close; one in ten without a
-- campaign, one in seven with a channel of its own). Values come from
-- integer arithmetic, not random(): the same data on both engines.
-- Ids are read back as "the largest id before + i": one session writes.

CREATE TEMP TABLE bench_base (contacts BIGINT, deals BIGINT,
                              campaigns BIGINT);
INSERT INTO bench_base SELECT (SELECT COALESCE(MAX(id), 0) FROM contacts),
    (SELECT COALESCE(MAX(id), 0) FROM deals),
    (SELECT COALESCE(MAX(id), 0) FROM campaigns);
CREATE TEMP TABLE bench_owners AS
    SELECT ROW_NUMBER() OVER (ORDER BY id) - 1 AS n, id FROM users
    WHERE role IN ('sales_rep', 'account_executive');
CREATE TEMP TABLE bench_channels (n BIGINT, channel TEXT);
INSERT INTO bench_channels VALUES (0, 'email'), (1, 'social'),
    (2, 'paid_search'), (3, 'display'), (4, 'seo'), (5, 'content'),
    (6, 'direct_mail'), (7, 'radio'), (8, 'tv'), (9, 'event'),
    (10, 'webinar'), (11, 'pr'), (12, 'referral'), (13, 'brand_ambassador'),
    (14, 'partner'), (15, 'other');

-- 2025-01-01T00:00:00Z = 1735689600000; a day = 86400000 ms

INSERT INTO campaigns (name, channel, status, currency, utm_campaign,
                       utm_key, created_at, updated_at)
WITH RECURSIVE n(i) AS (SELECT CAST(1 AS BIGINT) UNION ALL
                        SELECT i + 1 FROM n WHERE i < 300)
SELECT 'Bench campaign ' || i, (SELECT channel FROM bench_channels
    WHERE bench_channels.n = i % 16), 'active', 'VND',
    'bench-attr-' || i, 'bench-attr-' || i, 1735689600000, 1735689600000
FROM n;

INSERT INTO contacts (first_name, last_name, email, lifecycle_stage,
                      became_lead_at, became_marketing_qualified_lead_at,
                      became_customer_at, highest_stage, created_at,
                      updated_at)
WITH RECURSIVE n(i) AS (SELECT CAST(1 AS BIGINT) UNION ALL
                        SELECT i + 1 FROM n WHERE i < 150000)
SELECT 'Khách', 'Bench ' || i, 'bench-attr-' || i || '@bench.pheu.vn',
    'customer',
    CASE WHEN i % 3 <> 0 THEN 1735689600000 + (i * 7919 % 300) * 86400000
    END,
    CASE WHEN i % 5 = 0 THEN 1735689600000 + (i * 104729 % 330) * 86400000
    END,
    1735689600000 + 34560000000, 'customer',
    1733097600000, 1733097600000
FROM n;

INSERT INTO deals (name, amount, currency, pipeline_id, stage_id, status,
                   closed_at, owner_id, created_at, updated_at)
WITH RECURSIVE n(i) AS (SELECT CAST(1 AS BIGINT) UNION ALL
                        SELECT i + 1 FROM n WHERE i < 100000)
SELECT 'Bench deal ' || i, 1000000 + (i * 7907 % 500) * 100000, 'VND',
    (SELECT id FROM pipelines WHERE name = 'New business'),
    (SELECT s.id FROM pipeline_stages s JOIN pipelines p
         ON p.id = s.pipeline_id WHERE p.name = 'New business'
         AND s.kind = 'won'),
    'won',
    1735689600000 + (30 + i * 31 % 330) * 86400000 + (i % 86400) * 1000,
    (SELECT id FROM bench_owners WHERE bench_owners.n =
         i % (SELECT COUNT(*) FROM bench_owners)),
    1735689600000 + (i * 31 % 330) * 86400000,
    1735689600000 + (i * 31 % 330) * 86400000
FROM n;

-- deal i: contact i, and contact 100000 + i / 2 on every other deal
INSERT INTO deal_contacts (deal_id, contact_id)
WITH RECURSIVE n(i) AS (SELECT CAST(1 AS BIGINT) UNION ALL
                        SELECT i + 1 FROM n WHERE i < 100000)
SELECT b.deals + i, b.contacts + i FROM n, bench_base b
UNION ALL
SELECT b.deals + i, b.contacts + 100000 + i / 2 FROM n, bench_base b
WHERE i % 2 = 0;

INSERT INTO touchpoints (contact_id, kind, channel, campaign_id, at,
                         created_at)
WITH RECURSIVE n(i) AS (SELECT CAST(1 AS BIGINT) UNION ALL
                        SELECT i + 1 FROM n WHERE i < 2000000)
SELECT b.contacts + 1 + i % 150000, 'page_view',
    CASE WHEN i % 7 = 0 THEN (SELECT channel FROM bench_channels
         WHERE bench_channels.n = i % 13) END,
    CASE WHEN i % 10 <> 0 THEN b.campaigns + 1 + i * 37 % 300 END,
    1733961600000 + (i * 7919 % 576000) * 60000,
    1735689600000
FROM n, bench_base b;
