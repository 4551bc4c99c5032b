-- Tracking (SPEC §4, issue 6 item 3; decision 0016). The tracking
-- writer asks, for the visitors of each batch of page views, whether
-- the visitor is already a known contact (its latest touch that has
-- both ids). Only such touches are in this index, so the lookup stays
-- one short probe even for a visitor with thousands of anonymous views.
CREATE INDEX touchpoints_visitor_contact ON touchpoints (visitor_id, at, id)
    WHERE visitor_id IS NOT NULL AND contact_id IS NOT NULL;
