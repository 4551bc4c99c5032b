-- bench/campaigns_clear.sql: takes the demo's own marketing data out
-- (its campaigns, their cost entries, every touchpoint, the original
-- campaigns they gave contacts and deals, the forms' campaigns), so that
-- bench/campaigns_data.sql then measures exactly its 500 campaigns as
-- the target states (the demo brings about 570 more at 1M contacts).
-- One script for both engines.
DELETE FROM touchpoints;
DELETE FROM campaign_costs;
UPDATE forms SET campaign_id = NULL WHERE campaign_id IS NOT NULL;
UPDATE contacts SET source_campaign_id = NULL
    WHERE source_campaign_id IS NOT NULL;
UPDATE deals SET source_campaign_id = NULL
    WHERE source_campaign_id IS NOT NULL;
UPDATE campaigns SET parent_id = NULL WHERE parent_id IS NOT NULL;
DELETE FROM campaigns;
