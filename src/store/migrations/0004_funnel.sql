-- The funnel (SPEC §3): per contact, the first time it entered each
-- lifecycle stage and the furthest funnel stage it ever entered, kept
-- with every stage change so that the funnel report reads one row per
-- contact instead of re-scanning stage_changes. HubSpot calls these the
-- "Became a … date" properties. Backfilled here from the history.

ALTER TABLE contacts ADD COLUMN became_subscriber_at BIGINT;
ALTER TABLE contacts ADD COLUMN became_lead_at BIGINT;
ALTER TABLE contacts ADD COLUMN became_marketing_qualified_lead_at BIGINT;
ALTER TABLE contacts ADD COLUMN became_sales_qualified_lead_at BIGINT;
ALTER TABLE contacts ADD COLUMN became_opportunity_at BIGINT;
ALTER TABLE contacts ADD COLUMN became_customer_at BIGINT;
ALTER TABLE contacts ADD COLUMN became_evangelist_at BIGINT;
ALTER TABLE contacts ADD COLUMN became_other_at BIGINT;
-- the furthest of stages 1-7 ever entered (never "other"); NULL if none
ALTER TABLE contacts ADD COLUMN highest_stage TEXT CHECK (highest_stage IN
    ('subscriber', 'lead', 'marketing_qualified_lead',
     'sales_qualified_lead', 'opportunity', 'customer', 'evangelist'));

-- The funnel report's scan: every column it reads, so that a cohort is a
-- range of this index and a period a scan of it, never of the table
-- (1M contacts: 530 ms -> 255 ms for the whole cohort on SQLite).
CREATE INDEX contacts_funnel ON contacts (created_at, became_subscriber_at,
    became_lead_at, became_marketing_qualified_lead_at,
    became_sales_qualified_lead_at, became_opportunity_at,
    became_customer_at, became_evangelist_at, owner_id, source,
    source_campaign_id);

UPDATE contacts SET
    became_subscriber_at = (SELECT MIN(at) FROM stage_changes s
        WHERE s.contact_id = contacts.id AND s.to_stage = 'subscriber'),
    became_lead_at = (SELECT MIN(at) FROM stage_changes s
        WHERE s.contact_id = contacts.id AND s.to_stage = 'lead'),
    became_marketing_qualified_lead_at = (SELECT MIN(at) FROM stage_changes s
        WHERE s.contact_id = contacts.id
          AND s.to_stage = 'marketing_qualified_lead'),
    became_sales_qualified_lead_at = (SELECT MIN(at) FROM stage_changes s
        WHERE s.contact_id = contacts.id
          AND s.to_stage = 'sales_qualified_lead'),
    became_opportunity_at = (SELECT MIN(at) FROM stage_changes s
        WHERE s.contact_id = contacts.id AND s.to_stage = 'opportunity'),
    became_customer_at = (SELECT MIN(at) FROM stage_changes s
        WHERE s.contact_id = contacts.id AND s.to_stage = 'customer'),
    became_evangelist_at = (SELECT MIN(at) FROM stage_changes s
        WHERE s.contact_id = contacts.id AND s.to_stage = 'evangelist'),
    became_other_at = (SELECT MIN(at) FROM stage_changes s
        WHERE s.contact_id = contacts.id AND s.to_stage = 'other')
WHERE id IN (SELECT contact_id FROM stage_changes);

UPDATE contacts SET highest_stage = CASE
    WHEN became_evangelist_at IS NOT NULL THEN 'evangelist'
    WHEN became_customer_at IS NOT NULL THEN 'customer'
    WHEN became_opportunity_at IS NOT NULL THEN 'opportunity'
    WHEN became_sales_qualified_lead_at IS NOT NULL
        THEN 'sales_qualified_lead'
    WHEN became_marketing_qualified_lead_at IS NOT NULL
        THEN 'marketing_qualified_lead'
    WHEN became_lead_at IS NOT NULL THEN 'lead'
    WHEN became_subscriber_at IS NOT NULL THEN 'subscriber'
    END
WHERE id IN (SELECT contact_id FROM stage_changes);
