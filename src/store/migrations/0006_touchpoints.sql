-- Touchpoints (SPEC §4, issue 6 item 2; decision 0013): one interaction
-- of a contact, or of an anonymous visitor joined to a contact later.
-- Same dialect as 0002. A contact's original source is its existing
-- "source" and "source_campaign_id" columns, set from its first
-- touchpoint by model/touchpoint.c: no new contact columns.

CREATE TABLE touchpoints (
    id @ID@,
    contact_id BIGINT REFERENCES contacts (id)
        DEFERRABLE INITIALLY IMMEDIATE,
    visitor_id TEXT,            -- first-party visitor id (tracking)
    kind TEXT NOT NULL CHECK (kind IN ('page_view', 'form_submit',
        'email_open', 'email_click', 'ad_click', 'event_attended',
        'webinar_attended', 'social_engagement', 'call', 'meeting',
        'referral', 'order')),
    channel TEXT CHECK (channel IN ('email', 'social', 'paid_search',
        'display', 'seo', 'content', 'direct_mail', 'radio', 'tv', 'event',
        'webinar', 'pr', 'referral', 'brand_ambassador', 'partner',
        'other')),
    campaign_id BIGINT REFERENCES campaigns (id)
        DEFERRABLE INITIALLY IMMEDIATE,
    utm_source TEXT,
    utm_medium TEXT,
    utm_campaign TEXT,          -- as received, even when it names no campaign
    utm_term TEXT,
    utm_content TEXT,
    url TEXT,
    referrer TEXT,
    at BIGINT NOT NULL,         -- ms UTC when it happened
    created_at BIGINT NOT NULL, -- ms UTC when it was recorded
    by_user BIGINT,             -- NULL: the CLI, an import, the tracking
    CHECK (contact_id IS NOT NULL OR visitor_id IS NOT NULL)
);
-- A contact's touches in time order: the timeline, its first touch
-- (original source) and attribution.
CREATE INDEX touchpoints_contact ON touchpoints (contact_id, at, id)
    WHERE contact_id IS NOT NULL;
-- A visitor's touches, joined to the contact when they identify.
CREATE INDEX touchpoints_visitor ON touchpoints (visitor_id, at)
    WHERE visitor_id IS NOT NULL;
-- Campaign reports by period.
CREATE INDEX touchpoints_campaign ON touchpoints (campaign_id, at)
    WHERE campaign_id IS NOT NULL;
-- Period scans (attribution, performance, the list's default order).
CREATE INDEX touchpoints_at ON touchpoints (at, id);
