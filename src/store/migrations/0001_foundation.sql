-- Users, teams, sessions, API tokens, login failures and the audit log.
-- Shared SQL for SQLite and PostgreSQL: @ID@ is the engine's integer
-- identity primary key, times are integer milliseconds UTC. Foreign keys
-- are DEFERRABLE so "pheu migrate-data" can load rows in id order and
-- have them checked at commit.

CREATE TABLE teams (
    id @ID@,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('marketing', 'sales', 'success')),
    parent_id BIGINT REFERENCES teams (id)
        DEFERRABLE INITIALLY IMMEDIATE,
    manager_id BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX teams_parent ON teams (parent_id);
CREATE INDEX teams_manager ON teams (manager_id);

-- Every (ancestor, descendant) pair of the team tree, a team with itself
-- included: "records owned by anyone in my subtree" is one indexed join.
CREATE TABLE team_closure (
    ancestor_id BIGINT NOT NULL REFERENCES teams (id)
        DEFERRABLE INITIALLY IMMEDIATE,
    descendant_id BIGINT NOT NULL REFERENCES teams (id)
        DEFERRABLE INITIALLY IMMEDIATE,
    depth INTEGER NOT NULL,
    PRIMARY KEY (ancestor_id, descendant_id)
);
CREATE INDEX team_closure_desc ON team_closure (descendant_id);

CREATE TABLE users (
    id @ID@,
    email TEXT NOT NULL UNIQUE,  -- stored lower-cased
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'marketing_manager',
        'marketer', 'sales_manager', 'sales_rep', 'sales_specialist',
        'account_executive', 'customer_success')),
    team_id BIGINT REFERENCES teams (id)
        DEFERRABLE INITIALLY IMMEDIATE,
    sales_mode TEXT CHECK (sales_mode IN ('inside', 'outside')),
    locale TEXT NOT NULL DEFAULT 'vi' CHECK (locale IN ('vi', 'en')),
    phone TEXT,
    password_hash TEXT,
    active INTEGER NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX users_team ON users (team_id);

CREATE TABLE sessions (
    id @ID@,
    token_hash TEXT NOT NULL UNIQUE,
    user_id BIGINT NOT NULL REFERENCES users (id)
        DEFERRABLE INITIALLY IMMEDIATE,
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id @ID@,
    user_id BIGINT NOT NULL REFERENCES users (id)
        DEFERRABLE INITIALLY IMMEDIATE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE login_failures (
    id @ID@,
    email TEXT NOT NULL,
    ip TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX login_failures_email ON login_failures (email, at);
CREATE INDEX login_failures_ip ON login_failures (ip, at);

-- Append-only: written in the same transaction as the change it records.
CREATE TABLE audit_log (
    id @ID@,
    at BIGINT NOT NULL,
    user_id BIGINT,
    action TEXT NOT NULL,       -- create | update | delete | login | ...
    object TEXT NOT NULL,       -- user | team | api_token | ...
    object_id BIGINT,
    old_values TEXT,            -- JSON object of changed fields, or NULL
    new_values TEXT
);
CREATE INDEX audit_log_object ON audit_log (object, object_id);

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT INTO settings (key, value) VALUES ('currency', 'VND');
INSERT INTO settings (key, value) VALUES ('time_zone', 'Asia/Ho_Chi_Minh');
