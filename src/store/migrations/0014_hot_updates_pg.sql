-- Room on each page of the CRM tables for the next version of a row
-- (PostgreSQL only, @PG@ lines; issue 3, CRUD within 2 x of SQLite).
-- PostgreSQL writes an update as a new row version; when it fits on the
-- same page and no indexed column changed (a title, a custom field, a
-- deal's amount...), it is a HOT update: none of the table's indexes is
-- touched (contacts has twenty). Pages filled to 100 % by the demo, an
-- import or months of inserts leave no room, so such a PATCH also wrote
-- an entry into every index: on 100k demo contacts 42 % of updates were
-- HOT, and 100 % at fillfactor 85, PostgreSQL's CPU per PATCH of a
-- contact's title 558-751 -> 469-483 us (bench/cpu_per_request.sh). The
-- setting applies to pages written from now on; an existing database
-- gains it as its rows are rewritten (VACUUM FULL rewrites them at once).
-- SQLite updates a row in place: nothing to do there.
@PG@ ALTER TABLE contacts SET (fillfactor = 85);
@PG@ ALTER TABLE companies SET (fillfactor = 85);
@PG@ ALTER TABLE deals SET (fillfactor = 85);
