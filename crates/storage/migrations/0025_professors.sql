-- 产业教授 (issue #12, point 2): a professor is a designation (产业教授) held by a
-- registered worker; an engagement is what they do at a college in a year — courses or
-- projects, hours — and its yearly review.
CREATE TABLE professor_engagements (
    id {{ID}},
    designation_id BIGINT NOT NULL REFERENCES designations(id) ON DELETE CASCADE,
    worker_id BIGINT NOT NULL REFERENCES workers(id),
    college_org_id BIGINT NOT NULL REFERENCES orgs(id),
    year BIGINT NOT NULL,
    courses TEXT,
    projects TEXT,
    hours BIGINT NOT NULL DEFAULT 0,
    -- excellent / pass / fail (优秀 / 合格 / 不合格), once the year is reviewed
    review TEXT,
    review_note TEXT,
    reviewed_at BIGINT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (designation_id, college_org_id, year)
);
CREATE INDEX professor_engagements_worker ON professor_engagements(worker_id, year);
