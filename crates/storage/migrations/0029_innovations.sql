-- 群众性技术创新 (issue #12, point 5; the roadmap's innovation results): workers'
-- innovation results and the workers who made them.
--
-- A result belongs to an enterprise (`org_id`), optionally to one of its studios
-- (`studio_id`). `itype`: five_small, suggestion, renovation, patent, other.
-- `patent_no` is kept normalised (ZL…) and unique. `benefit_x100`: 经济效益 in 万元 × 100.
-- `status`: a filed result follows its case on the workflow engine (`case_id`:
-- submitted, in_review, returned, approved, rejected); an imported one is `recorded`
-- (a decision already taken). Approved and recorded results count.
-- `featured`: 1 when the city showcases it (职工科技创新周).
CREATE TABLE innovations (
    id {{ID}},
    code TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    itype TEXT NOT NULL,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    studio_id BIGINT REFERENCES studios(id),
    year BIGINT NOT NULL,
    patent_no TEXT UNIQUE,
    benefit_x100 BIGINT,
    summary TEXT,
    case_id BIGINT,
    status TEXT NOT NULL,
    featured BIGINT NOT NULL DEFAULT 0,
    created_by BIGINT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX innovations_org ON innovations(org_id, year);
CREATE INDEX innovations_studio ON innovations(studio_id);

CREATE TABLE innovation_authors (
    id {{ID}},
    innovation_id BIGINT NOT NULL REFERENCES innovations(id),
    worker_id BIGINT NOT NULL REFERENCES workers(id),
    position BIGINT NOT NULL,
    UNIQUE (innovation_id, worker_id)
);
CREATE INDEX innovation_authors_worker ON innovation_authors(worker_id);
