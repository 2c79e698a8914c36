-- Pilots (试点), the one registry of titles and honours (认定与荣誉), and the
-- maintained aggregates behind every indicator.

CREATE TABLE pilots (
    id {{ID}},
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    level TEXT NOT NULL,
    ptype TEXT NOT NULL,
    year BIGINT NOT NULL,
    feature TEXT,
    benchmark BIGINT NOT NULL DEFAULT 0,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (org_id, level)
);
CREATE INDEX pilots_year ON pilots(year);

CREATE TABLE designations (
    id {{ID}},
    dtype TEXT NOT NULL,
    level TEXT NOT NULL,
    year BIGINT NOT NULL,
    holder_org_id BIGINT NOT NULL REFERENCES orgs(id),
    holder_name TEXT,
    document_no TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (dtype, level, year, holder_org_id)
);
CREATE INDEX designations_holder ON designations(holder_org_id);

-- One row per (tree node, period, measure): node is 'r:<region code>' for a region's
-- subtree or 'o:<org id>' for an organisation's. Updated in the same transaction as
-- the facts, so indicators are live and cost the same at any data size.
CREATE TABLE agg (
    node TEXT NOT NULL,
    period TEXT NOT NULL,
    measure TEXT NOT NULL,
    value BIGINT NOT NULL,
    PRIMARY KEY (node, measure, period)
);
