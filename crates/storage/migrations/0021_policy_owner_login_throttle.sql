-- Policy documents belong to the region whose office published them (the city's
-- reform office, a district's, a town's). Documents recorded before this are the
-- city's: until now only the city and the districts could add them, and nothing said
-- which. Editing and deleting are limited to the owner's subtree (storage/policies.rs).
ALTER TABLE policies ADD COLUMN owner_region TEXT REFERENCES regions(code);
UPDATE policies SET owner_region = (SELECT MIN(code) FROM regions WHERE parent_code IS NULL);
CREATE INDEX policies_owner ON policies(owner_region);

-- Login throttling shared by every server process on the database. One row per
-- account (`u:<name>`) or client address (`ip:<addr>`): attempts in the window that
-- started at window_start (ms). An attempt is reserved by an atomic upsert before the
-- password is checked, so simultaneous guesses all count (web/src/throttle.rs).
CREATE TABLE login_throttle (
    key TEXT PRIMARY KEY,
    attempts BIGINT NOT NULL,
    window_start BIGINT NOT NULL
);
