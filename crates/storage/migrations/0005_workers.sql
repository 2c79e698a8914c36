-- The worker registry (职工). 身份证号 and phone are stored encrypted (AES-256-GCM) with
-- a keyed hash for exact search and a masked form for display; the key is not in the
-- database.

CREATE TABLE workers (
    id {{ID}},
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    name TEXT NOT NULL,
    id_enc TEXT NOT NULL,
    id_hash TEXT NOT NULL UNIQUE,
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
    updated_at BIGINT NOT NULL
);
CREATE INDEX workers_org ON workers(org_id);
CREATE INDEX workers_phone ON workers(phone_hash);
CREATE INDEX workers_skill ON workers(org_id, skill_level);
