-- The cohort funnel on PostgreSQL (SPEC §3, issue 5; decision 0010,
-- "Contacts with one first entry counted by the server"). Sending one
-- row per contact was most of a whole-base cohort's time there (1M rows:
-- ~0.1 s to scan contacts_funnel, ~0.4 s more to send them). A contact
-- with at most one first entry gives no velocity sample, only its stage:
-- two out of three contacts of the demo. The report counts those in SQL
-- (GROUP BY the stage and the group's column) and reads rows only for
-- contacts with two entries or more. One covering index for each half,
-- with the report's own predicates (num_nonnulls is immutable), so that
-- each half is an index-only scan of its own contacts. PostgreSQL only
-- (@PG@ lines): SQLite reads its rows in-process at a fraction of the
-- cost. A stage move writes one entry more: into the half the contact is
-- in after the move.
@PG@ CREATE INDEX contacts_funnel_single ON contacts (created_at, became_subscriber_at, became_lead_at, became_marketing_qualified_lead_at, became_sales_qualified_lead_at, became_opportunity_at, became_customer_at, became_evangelist_at, owner_id, source, source_campaign_id) WHERE num_nonnulls(became_subscriber_at, became_lead_at, became_marketing_qualified_lead_at, became_sales_qualified_lead_at, became_opportunity_at, became_customer_at, became_evangelist_at) <= 1;
@PG@ CREATE INDEX contacts_funnel_multi ON contacts (created_at, became_subscriber_at, became_lead_at, became_marketing_qualified_lead_at, became_sales_qualified_lead_at, became_opportunity_at, became_customer_at, became_evangelist_at, owner_id, source, source_campaign_id) WHERE num_nonnulls(became_subscriber_at, became_lead_at, became_marketing_qualified_lead_at, became_sales_qualified_lead_at, became_opportunity_at, became_customer_at, became_evangelist_at) >= 2;
