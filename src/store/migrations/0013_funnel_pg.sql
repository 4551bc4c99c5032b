-- The period funnel on PostgreSQL (SPEC §3, issue 5; decision 0010): a
-- contact counts when its first entry into any stage falls in the
-- period, a condition no single index answers, so PostgreSQL scanned the
-- whole table (1M contacts: ~450 ms of the 200 ms budget for one month).
-- One small partial index per funnel stage's first entry lets it OR the
-- seven ranges into a bitmap and read only the contacts of the period
-- (~140 ms server side). PostgreSQL only (@PG@ lines): SQLite reads the
-- covering index contacts_funnel (0004) within budget, and every index
-- there is more pages to write per stage move. A stage move (a new row
-- version on PostgreSQL) adds an entry to each of these whose stage the
-- contact has entered: one to three for most contacts.
@PG@ CREATE INDEX contacts_became_subscriber_at ON contacts (became_subscriber_at) WHERE became_subscriber_at IS NOT NULL;
@PG@ CREATE INDEX contacts_became_lead_at ON contacts (became_lead_at) WHERE became_lead_at IS NOT NULL;
@PG@ CREATE INDEX contacts_became_marketing_qualified_lead_at ON contacts (became_marketing_qualified_lead_at) WHERE became_marketing_qualified_lead_at IS NOT NULL;
@PG@ CREATE INDEX contacts_became_sales_qualified_lead_at ON contacts (became_sales_qualified_lead_at) WHERE became_sales_qualified_lead_at IS NOT NULL;
@PG@ CREATE INDEX contacts_became_opportunity_at ON contacts (became_opportunity_at) WHERE became_opportunity_at IS NOT NULL;
@PG@ CREATE INDEX contacts_became_customer_at ON contacts (became_customer_at) WHERE became_customer_at IS NOT NULL;
@PG@ CREATE INDEX contacts_became_evangelist_at ON contacts (became_evangelist_at) WHERE became_evangelist_at IS NOT NULL;
-- A cohort is an index-only scan of contacts_funnel (decision 0010), which
-- reads the table for every row on a page changed since the last VACUUM:
-- every stage move changes one or two such pages, and ~8,000 moves left
-- 35 % of the rows to fetch. The default autovacuum waits for 20 % of
-- the rows (200,000 moves at 1M contacts); 1 % keeps the visibility map
-- fresh for a few seconds of vacuum work per 10,000 moves.
@PG@ ALTER TABLE contacts SET (autovacuum_vacuum_scale_factor = 0.01);
