-- The keyed 身份证号 hash stays unique through a named index (workers_id_hash) instead of
-- the column's UNIQUE constraint. SQLite cannot drop the index behind a column constraint;
-- a named one can be dropped and rebuilt, which is what a large worker import does inside
-- its transaction (crates/storage/src/worker_bulk.rs): inserting a million rows into an
-- index keyed by random hashes costs far more than sorting them once, and re-creating the
-- unique index before the commit checks the uniqueness again.
-- Same columns in the same order, same rows, same ids. The index on org_id alone is not
-- re-created: workers_skill (org_id, skill_level) serves every lookup by org_id.
CREATE TABLE workers_v2 (
    id {{ID}},
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    name TEXT NOT NULL,
    id_enc TEXT NOT NULL,
    id_hash TEXT NOT NULL,
    id_masked TEXT NOT NULL,
    phone_enc TEXT,
    phone_hash TEXT,
    phone_masked TEXT,
    gender TEXT,
    birth_year BIGINT,
    occupation TEXT,
    skill_level TEXT,
    certificate_no TEXT,
    certified_on TEXT,
    frontline BIGINT NOT NULL DEFAULT 0,
    political_status TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    certificates TEXT NOT NULL DEFAULT '[]'
);
INSERT INTO workers_v2 (id, org_id, name, id_enc, id_hash, id_masked, phone_enc, phone_hash, phone_masked, gender, birth_year,
        occupation, skill_level, certificate_no, certified_on, frontline, political_status, version, created_at, updated_at, certificates)
    SELECT id, org_id, name, id_enc, id_hash, id_masked, phone_enc, phone_hash, phone_masked, gender, birth_year,
        occupation, skill_level, certificate_no, certified_on, frontline, political_status, version, created_at, updated_at, certificates
    FROM workers;
DROP TABLE workers;
ALTER TABLE workers_v2 RENAME TO workers;
CREATE UNIQUE INDEX workers_id_hash ON workers(id_hash);
CREATE INDEX workers_skill ON workers(org_id, skill_level);
