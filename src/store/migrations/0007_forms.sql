-- Web forms (web-to-lead, SPEC §4; issue 6 item 4; decision 0017): the
-- forms, each submission, and consent records, which SPEC §7's email
-- consent reuses (purpose, granted or withdrawn, the text shown, source,
-- time, IP). Same dialect as 0002. Purposes, sources and field types
-- are checked by the model, not by CHECKs, so new ones need no table
-- rebuild on SQLite.

CREATE TABLE forms (
    id @ID@,
    key TEXT NOT NULL,          -- public, random (16 bytes, base64url)
    name TEXT NOT NULL,
    fields TEXT NOT NULL,       -- JSON array of field definitions
    target_stage TEXT,          -- NULL: submissions leave the stage alone
    campaign_id BIGINT REFERENCES campaigns (id)
        DEFERRABLE INITIALLY IMMEDIATE,
    consent_text TEXT,          -- shown beside the consent checkbox
    consent_purpose TEXT NOT NULL,
    consent_required INTEGER NOT NULL DEFAULT 0,
    redirect_url TEXT,
    thank_you_message TEXT,
    submit_label TEXT,
    honeypot_field TEXT NOT NULL,
    locale TEXT NOT NULL,       -- language of the built-in texts
    owner_id BIGINT REFERENCES users (id) DEFERRABLE INITIALLY IMMEDIATE,
    contact_owner_id BIGINT REFERENCES users (id)
        DEFERRABLE INITIALLY IMMEDIATE,
    created_by BIGINT,
    archived_at BIGINT,         -- NULL: accepts submissions
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX forms_key ON forms (key);
CREATE INDEX forms_created ON forms (created_at);
-- A campaign that forms name is not deleted (as for touchpoints).
CREATE INDEX forms_campaign ON forms (campaign_id)
    WHERE campaign_id IS NOT NULL;

-- One row per accepted submission: which contact it created or
-- updated, and the values sent (fields mapped to nothing live only
-- here). Ids follow the time of recording: lists page by id.
CREATE TABLE form_submissions (
    id @ID@,
    form_id BIGINT NOT NULL REFERENCES forms (id)
        DEFERRABLE INITIALLY IMMEDIATE,
    contact_id BIGINT NOT NULL REFERENCES contacts (id)
        DEFERRABLE INITIALLY IMMEDIATE,
    action TEXT NOT NULL CHECK (action IN ('created', 'updated')),
    data TEXT NOT NULL,         -- JSON object: field name -> value
    page_url TEXT,
    ip TEXT,
    user_agent TEXT,
    at BIGINT NOT NULL
);
CREATE INDEX form_submissions_form ON form_submissions (form_id, id);
CREATE INDEX form_submissions_contact ON form_submissions (contact_id);

-- Consent records (SPEC §7): append-only; a contact's consent for a
-- purpose is its latest row (granted 1: given, 0: withdrawn).
CREATE TABLE consents (
    id @ID@,
    contact_id BIGINT NOT NULL REFERENCES contacts (id)
        DEFERRABLE INITIALLY IMMEDIATE,
    purpose TEXT NOT NULL,      -- email_marketing | sms_marketing | profiling
    granted INTEGER NOT NULL CHECK (granted IN (0, 1)),
    text TEXT,                  -- the exact text the person was shown
    source TEXT NOT NULL,       -- form | api | import | unsubscribe | ...
    form_id BIGINT REFERENCES forms (id) DEFERRABLE INITIALLY IMMEDIATE,
    submission_id BIGINT REFERENCES form_submissions (id)
        DEFERRABLE INITIALLY IMMEDIATE,
    ip TEXT,
    user_agent TEXT,
    at BIGINT NOT NULL,
    by_user BIGINT              -- NULL: the person themselves, the CLI
);
CREATE INDEX consents_contact ON consents (contact_id, purpose, at, id);
CREATE INDEX consents_form ON consents (form_id) WHERE form_id IS NOT NULL;

-- What wrote a change on nobody's behalf ("form:12"): the timeline
-- says a contact was created by a form rather than by nobody.
ALTER TABLE audit_log ADD COLUMN via TEXT;
