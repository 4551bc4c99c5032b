-- CSV imports (SPEC §12, App. C): one row per import run, with the
-- checkpoint that makes a crashed import resumable (rows_done is written
-- in the same transaction as the batch it counts), and the per-row error
-- report.

CREATE TABLE imports (
    id @ID@,
    object TEXT NOT NULL CHECK (object IN ('contacts', 'companies', 'deals',
        'activities')),
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done',
        'failed')),
    dry_run INTEGER NOT NULL DEFAULT 0,
    file_name TEXT,
    file_path TEXT,             -- uploads kept until done (API imports)
    file_sha256 TEXT NOT NULL,
    mapping TEXT,               -- the --map overrides, as given
    rows_total BIGINT NOT NULL DEFAULT 0,
    rows_done BIGINT NOT NULL DEFAULT 0,   -- data rows committed
    rows_ok BIGINT NOT NULL DEFAULT 0,
    rows_failed BIGINT NOT NULL DEFAULT 0,
    created INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL DEFAULT 0,
    message TEXT,
    created_by BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX imports_sha ON imports (file_sha256, object);
CREATE INDEX imports_user ON imports (created_by, id);

CREATE TABLE import_errors (
    id @ID@,
    import_id BIGINT NOT NULL REFERENCES imports (id)
        DEFERRABLE INITIALLY IMMEDIATE,
    row_number BIGINT NOT NULL,
    column_name TEXT,
    reason TEXT NOT NULL
);
CREATE INDEX import_errors_import ON import_errors (import_id, row_number);
