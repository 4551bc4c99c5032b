-- The CRM core (SPEC §2, §8, §12): companies, contacts, pipelines and
-- their stages, deals, activities, collaborators, custom fields, stage
-- changes, the search index and saved views. Same dialect as 0001; @BYTES@
-- is the byte-wise collation the search index's prefix ranges need and
-- @NOROWID@ stores a table in its primary key (SQLite's WITHOUT ROWID).

CREATE TABLE companies (
    id @ID@,
    name TEXT NOT NULL,
    domain TEXT,                -- lower-cased; unique when present
    industry TEXT,
    size_band TEXT,
    country TEXT,
    city TEXT,
    phone TEXT,
    owner_id BIGINT REFERENCES users (id) DEFERRABLE INITIALLY IMMEDIATE,
    parent_id BIGINT REFERENCES companies (id)
        DEFERRABLE INITIALLY IMMEDIATE,
    lifecycle_stage TEXT,
    custom TEXT NOT NULL DEFAULT '{}',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX companies_domain ON companies (domain)
    WHERE domain IS NOT NULL;
CREATE INDEX companies_owner ON companies (owner_id, created_at);
CREATE INDEX companies_created ON companies (created_at);
CREATE INDEX companies_parent ON companies (parent_id);

CREATE TABLE contacts (
    id @ID@,
    first_name TEXT,
    last_name TEXT,
    email TEXT,                 -- lower-cased; unique when present
    phone TEXT,                 -- E.164 when parseable, else as given
    phone_key TEXT,             -- E.164 when parseable: the dedupe key
    company_id BIGINT REFERENCES companies (id)
        DEFERRABLE INITIALLY IMMEDIATE,
    title TEXT,
    city TEXT,
    country TEXT,
    owner_id BIGINT REFERENCES users (id) DEFERRABLE INITIALLY IMMEDIATE,
    lifecycle_stage TEXT CHECK (lifecycle_stage IN ('subscriber', 'lead',
        'marketing_qualified_lead', 'sales_qualified_lead', 'opportunity',
        'customer', 'evangelist', 'other')),
    lead_status TEXT CHECK (lead_status IN ('new', 'attempting',
        'connected', 'accepted', 'rejected', 'bad_timing')),
    source TEXT,
    source_campaign_id BIGINT,
    score INTEGER NOT NULL DEFAULT 0,
    score_fit INTEGER NOT NULL DEFAULT 0,
    score_engagement INTEGER NOT NULL DEFAULT 0,
    custom TEXT NOT NULL DEFAULT '{}',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX contacts_email ON contacts (email)
    WHERE email IS NOT NULL;
CREATE UNIQUE INDEX contacts_phone ON contacts (phone_key)
    WHERE phone_key IS NOT NULL;
CREATE INDEX contacts_owner ON contacts (owner_id, lifecycle_stage,
    created_at);
CREATE INDEX contacts_owner_created ON contacts (owner_id, created_at);
CREATE INDEX contacts_stage ON contacts (lifecycle_stage, created_at);
CREATE INDEX contacts_created ON contacts (created_at);
CREATE INDEX contacts_company ON contacts (company_id);

CREATE TABLE pipelines (
    id @ID@,
    name TEXT NOT NULL UNIQUE,
    position INTEGER NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE pipeline_stages (
    id @ID@,
    pipeline_id BIGINT NOT NULL REFERENCES pipelines (id)
        DEFERRABLE INITIALLY IMMEDIATE,
    name TEXT NOT NULL,
    position INTEGER NOT NULL,
    probability INTEGER NOT NULL CHECK (probability BETWEEN 0 AND 100),
    kind TEXT NOT NULL CHECK (kind IN ('open', 'won', 'lost')),
    UNIQUE (pipeline_id, position)
);

INSERT INTO pipelines (name, position, created_at, updated_at)
    VALUES ('New business', 1, 0, 0);
INSERT INTO pipelines (name, position, created_at, updated_at)
    VALUES ('Renewal', 2, 0, 0);
INSERT INTO pipeline_stages (pipeline_id, name, position, probability, kind)
    SELECT p.id, s.name, s.position, s.probability, s.kind
    FROM pipelines p, (
        SELECT 'Appointment scheduled' AS name, 1 AS position,
               20 AS probability, 'open' AS kind
        UNION ALL SELECT 'Qualified to buy', 2, 40, 'open'
        UNION ALL SELECT 'Presentation scheduled', 3, 60, 'open'
        UNION ALL SELECT 'Decision maker bought-in', 4, 80, 'open'
        UNION ALL SELECT 'Contract sent', 5, 90, 'open'
        UNION ALL SELECT 'Closed won', 6, 100, 'won'
        UNION ALL SELECT 'Closed lost', 7, 0, 'lost') s
    WHERE p.name = 'New business';
INSERT INTO pipeline_stages (pipeline_id, name, position, probability, kind)
    SELECT p.id, s.name, s.position, s.probability, s.kind
    FROM pipelines p, (
        SELECT 'Renewal due' AS name, 1 AS position, 50 AS probability,
               'open' AS kind
        UNION ALL SELECT 'In negotiation', 2, 75, 'open'
        UNION ALL SELECT 'Renewed', 3, 100, 'won'
        UNION ALL SELECT 'Churned', 4, 0, 'lost') s
    WHERE p.name = 'Renewal';

CREATE TABLE deals (
    id @ID@,
    name TEXT NOT NULL,
    amount BIGINT NOT NULL DEFAULT 0,
    currency TEXT NOT NULL,
    pipeline_id BIGINT NOT NULL REFERENCES pipelines (id)
        DEFERRABLE INITIALLY IMMEDIATE,
    stage_id BIGINT NOT NULL REFERENCES pipeline_stages (id)
        DEFERRABLE INITIALLY IMMEDIATE,
    status TEXT NOT NULL CHECK (status IN ('open', 'won', 'lost')),
    close_date TEXT,            -- YYYY-MM-DD, expected
    closed_at BIGINT,
    owner_id BIGINT REFERENCES users (id) DEFERRABLE INITIALLY IMMEDIATE,
    company_id BIGINT REFERENCES companies (id)
        DEFERRABLE INITIALLY IMMEDIATE,
    source_campaign_id BIGINT,
    forecast_category TEXT CHECK (forecast_category IN ('pipeline',
        'best_case', 'commit', 'omitted', 'closed')),
    won_reason TEXT,
    lost_reason TEXT,
    custom TEXT NOT NULL DEFAULT '{}',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX deals_owner ON deals (owner_id, created_at);
CREATE INDEX deals_stage ON deals (pipeline_id, stage_id);
CREATE INDEX deals_company ON deals (company_id);
CREATE INDEX deals_created ON deals (created_at);
CREATE INDEX deals_closed ON deals (status, closed_at);

CREATE TABLE deal_contacts (
    deal_id BIGINT NOT NULL REFERENCES deals (id)
        DEFERRABLE INITIALLY IMMEDIATE,
    contact_id BIGINT NOT NULL REFERENCES contacts (id)
        DEFERRABLE INITIALLY IMMEDIATE,
    PRIMARY KEY (deal_id, contact_id)
) @NOROWID@;
CREATE INDEX deal_contacts_contact ON deal_contacts (contact_id);

CREATE TABLE activities (
    id @ID@,
    kind TEXT NOT NULL CHECK (kind IN ('call', 'email', 'meeting', 'demo',
        'task', 'note', 'conference', 'sms')),
    subject TEXT,
    body TEXT,
    due_at BIGINT,
    done_at BIGINT,
    outcome TEXT,
    owner_id BIGINT REFERENCES users (id) DEFERRABLE INITIALLY IMMEDIATE,
    contact_id BIGINT REFERENCES contacts (id)
        DEFERRABLE INITIALLY IMMEDIATE,
    company_id BIGINT REFERENCES companies (id)
        DEFERRABLE INITIALLY IMMEDIATE,
    deal_id BIGINT REFERENCES deals (id) DEFERRABLE INITIALLY IMMEDIATE,
    custom TEXT NOT NULL DEFAULT '{}',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX activities_contact ON activities (contact_id, created_at);
CREATE INDEX activities_company ON activities (company_id, created_at);
CREATE INDEX activities_deal ON activities (deal_id, created_at);
CREATE INDEX activities_owner ON activities (owner_id, due_at);
CREATE INDEX activities_created ON activities (created_at);

-- Users added to a record (SPEC §1): they see it as if they owned it.
CREATE TABLE collaborators (
    object TEXT NOT NULL CHECK (object IN ('contact', 'company', 'deal')),
    record_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id)
        DEFERRABLE INITIALLY IMMEDIATE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (object, record_id, user_id)
) @NOROWID@;
CREATE INDEX collaborators_user ON collaborators (user_id, object,
    record_id);

CREATE TABLE custom_fields (
    id @ID@,
    object TEXT NOT NULL CHECK (object IN ('contact', 'company', 'deal',
        'activity')),
    name TEXT NOT NULL,
    label TEXT NOT NULL,
    type TEXT NOT NULL CHECK (type IN ('text', 'number', 'money', 'date',
        'bool', 'select', 'multiselect')),
    options TEXT,               -- JSON array for select and multiselect
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (object, name)
);

-- Every lifecycle-stage change of a contact (SPEC §3).
CREATE TABLE stage_changes (
    id @ID@,
    contact_id BIGINT NOT NULL REFERENCES contacts (id)
        DEFERRABLE INITIALLY IMMEDIATE,
    from_stage TEXT,
    to_stage TEXT NOT NULL,
    at BIGINT NOT NULL,
    by_user BIGINT,
    reason TEXT
);
CREATE INDEX stage_changes_contact ON stage_changes (contact_id, at);
CREATE INDEX stage_changes_at ON stage_changes (at);

-- The search index (SPEC §12): one row per distinct folded word of a
-- record's searchable text; "word" keeps the marks for ranking. kind:
-- 1 contact, 2 company, 3 deal. Prefix search is a range on term; an
-- exact word with its marks is one seek on (term, word).
CREATE TABLE search_terms (
    kind SMALLINT NOT NULL,
    term TEXT @BYTES@ NOT NULL,
    record_id BIGINT NOT NULL,
    word TEXT NOT NULL,
    PRIMARY KEY (kind, term, word, record_id)
) @NOROWID@;
CREATE INDEX search_terms_record ON search_terms (kind, record_id, term);

CREATE TABLE saved_views (
    id @ID@,
    user_id BIGINT NOT NULL REFERENCES users (id)
        DEFERRABLE INITIALLY IMMEDIATE,
    object TEXT NOT NULL,
    name TEXT NOT NULL,
    query TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX saved_views_user ON saved_views (user_id, object);
