-- Touchpoint CSV files imported through the API (POST /api/v1/imports
-- ?object=touchpoints, issue 6 item 2): the imports table's object check
-- gains 'touchpoints'. Lines starting with @PG@ run on PostgreSQL only,
-- @SQLITE@ on SQLite only (store/db.c): PostgreSQL swaps the constraint;
-- SQLite cannot alter a CHECK, so both import tables are rebuilt with
-- their rows, ids and id sequence.

@PG@ ALTER TABLE imports DROP CONSTRAINT imports_object_check;
@PG@ ALTER TABLE imports ADD CONSTRAINT imports_object_check CHECK (object IN ('contacts', 'companies', 'deals', 'activities', 'touchpoints'));

@SQLITE@ CREATE TABLE imports_new (id INTEGER PRIMARY KEY AUTOINCREMENT, object TEXT NOT NULL CHECK (object IN ('contacts', 'companies', 'deals', 'activities', 'touchpoints')), status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')), dry_run INTEGER NOT NULL DEFAULT 0, file_name TEXT, file_path TEXT, file_sha256 TEXT NOT NULL, mapping TEXT, rows_total BIGINT NOT NULL DEFAULT 0, rows_done BIGINT NOT NULL DEFAULT 0, rows_ok BIGINT NOT NULL DEFAULT 0, rows_failed BIGINT NOT NULL DEFAULT 0, created INTEGER NOT NULL DEFAULT 0, updated INTEGER NOT NULL DEFAULT 0, message TEXT, created_by BIGINT, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL);
@SQLITE@ INSERT INTO imports_new SELECT id, object, status, dry_run, file_name, file_path, file_sha256, mapping, rows_total, rows_done, rows_ok, rows_failed, created, updated, message, created_by, created_at, updated_at FROM imports;
@SQLITE@ CREATE TABLE import_errors_new (id INTEGER PRIMARY KEY AUTOINCREMENT, import_id BIGINT NOT NULL REFERENCES imports_new (id) DEFERRABLE INITIALLY IMMEDIATE, row_number BIGINT NOT NULL, column_name TEXT, reason TEXT NOT NULL);
@SQLITE@ INSERT INTO import_errors_new SELECT id, import_id, row_number, column_name, reason FROM import_errors;
@SQLITE@ UPDATE sqlite_sequence SET seq = (SELECT seq FROM sqlite_sequence WHERE name = 'imports') WHERE name = 'imports_new' AND EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'imports');
@SQLITE@ UPDATE sqlite_sequence SET seq = (SELECT seq FROM sqlite_sequence WHERE name = 'import_errors') WHERE name = 'import_errors_new' AND EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'import_errors');
@SQLITE@ DROP TABLE import_errors;
@SQLITE@ DROP TABLE imports;
@SQLITE@ ALTER TABLE imports_new RENAME TO imports;
@SQLITE@ ALTER TABLE import_errors_new RENAME TO import_errors;
@SQLITE@ CREATE INDEX imports_sha ON imports (file_sha256, object);
@SQLITE@ CREATE INDEX imports_user ON imports (created_by, id);
@SQLITE@ CREATE INDEX import_errors_import ON import_errors (import_id, row_number);
