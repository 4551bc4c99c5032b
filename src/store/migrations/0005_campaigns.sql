-- Campaigns and their dated cost entries (SPEC §4, App. A; decision
-- 0011). Same dialect as 0002. "cost" is the sum of the campaign's cost
-- entries, kept by the writes of campaign_costs in the same transaction
-- (an increment, so concurrent entries on PostgreSQL add up); utm_key is
-- utm_campaign with ASCII letters lower-cased, unique, so the tracking
-- finds a campaign from a tag whatever its case.

CREATE TABLE campaigns (
    id @ID@,
    name TEXT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('email', 'social',
        'paid_search', 'display', 'seo', 'content', 'direct_mail', 'radio',
        'tv', 'event', 'webinar', 'pr', 'referral', 'brand_ambassador',
        'partner', 'other')),
    status TEXT NOT NULL CHECK (status IN ('planned', 'active', 'paused',
        'completed', 'cancelled')),
    start_date TEXT,            -- YYYY-MM-DD, business time zone
    end_date TEXT,
    budget BIGINT CHECK (budget >= 0),
    currency TEXT NOT NULL,
    cost BIGINT NOT NULL DEFAULT 0,
    utm_campaign TEXT,
    utm_key TEXT,
    parent_id BIGINT REFERENCES campaigns (id)
        DEFERRABLE INITIALLY IMMEDIATE,
    owner_id BIGINT REFERENCES users (id) DEFERRABLE INITIALLY IMMEDIATE,
    goals TEXT NOT NULL DEFAULT '{}',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CHECK (start_date IS NULL OR end_date IS NULL OR start_date <= end_date)
);
CREATE UNIQUE INDEX campaigns_utm ON campaigns (utm_key)
    WHERE utm_key IS NOT NULL;
CREATE INDEX campaigns_parent ON campaigns (parent_id);
CREATE INDEX campaigns_owner ON campaigns (owner_id, created_at);
CREATE INDEX campaigns_created ON campaigns (created_at);

CREATE TABLE campaign_costs (
    id @ID@,
    campaign_id BIGINT NOT NULL REFERENCES campaigns (id)
        DEFERRABLE INITIALLY IMMEDIATE,
    date TEXT NOT NULL,         -- YYYY-MM-DD the money was spent
    amount BIGINT NOT NULL CHECK (amount > 0),
    currency TEXT NOT NULL,     -- always the campaign's
    note TEXT,
    created_at BIGINT NOT NULL,
    by_user BIGINT              -- NULL: the CLI, the demo
);
CREATE INDEX campaign_costs_campaign ON campaign_costs (campaign_id, date);
CREATE INDEX campaign_costs_date ON campaign_costs (date);

-- A campaign cannot be deleted while contacts or deals name it as their
-- source: these make the check one seek.
CREATE INDEX contacts_source_campaign ON contacts (source_campaign_id)
    WHERE source_campaign_id IS NOT NULL;
CREATE INDEX deals_source_campaign ON deals (source_campaign_id)
    WHERE source_campaign_id IS NOT NULL;
