-- Titles held by people (产业教授, 龙城工匠, 劳动模范, 五一劳动奖章, 技术能手): a
-- designation may name a worker of the registry as well as the organisation. 0 = held by
-- the organisation itself (so that the natural key stays unique on both backends).

CREATE TABLE designations_v2 (
    id {{ID}},
    dtype TEXT NOT NULL,
    level TEXT NOT NULL,
    year BIGINT NOT NULL,
    holder_org_id BIGINT NOT NULL REFERENCES orgs(id),
    holder_worker_id BIGINT NOT NULL DEFAULT 0,
    holder_name TEXT,
    document_no TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (dtype, level, year, holder_org_id, holder_worker_id)
);
INSERT INTO designations_v2 (id, dtype, level, year, holder_org_id, holder_worker_id, holder_name, document_no, version, created_at, updated_at)
    SELECT id, dtype, level, year, holder_org_id, 0, holder_name, document_no, version, created_at, updated_at FROM designations;
DROP TABLE designations;
ALTER TABLE designations_v2 RENAME TO designations;
CREATE INDEX designations_holder ON designations(holder_org_id);
CREATE INDEX designations_worker ON designations(holder_worker_id);
