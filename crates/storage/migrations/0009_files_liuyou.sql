-- Uploaded files (content-addressed on disk) and the 六有 checklist of pilot units.
CREATE TABLE files (
    id {{ID}},
    sha256 TEXT NOT NULL,
    name TEXT NOT NULL,
    mime TEXT NOT NULL,
    byte_size BIGINT NOT NULL,
    org_id BIGINT REFERENCES orgs(id),
    uploaded_by BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX files_org ON files(org_id);

CREATE TABLE liuyou (
    id {{ID}},
    org_id BIGINT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    year BIGINT NOT NULL,
    item TEXT NOT NULL,
    status TEXT NOT NULL,
    text TEXT,
    link TEXT,
    -- JSON list of file ids
    file_ids TEXT NOT NULL DEFAULT '[]',
    reason TEXT,
    submitted_by BIGINT,
    submitted_at BIGINT,
    reviewed_by TEXT,
    reviewed_at BIGINT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (org_id, year, item)
);
CREATE INDEX liuyou_year ON liuyou(year, status);
