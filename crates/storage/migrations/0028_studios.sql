-- 劳模（工匠）创新工作室 (issue #12, point 5): studios, their members and yearly reviews.
--
-- A studio sits in an enterprise (`org_id`), is led by a registered worker
-- (`leader_worker_id`) and holds its recognition at `level` — the registry's
-- `innovation_studio` designation (`designation_id`), which follows each review's
-- outcome. `status`: active or revoked.
-- A review is one year's, run as a case on the workflow engine (`case_id`); its expert
-- score decides `outcome` (kept, upgraded, downgraded, revoked).
CREATE TABLE studios (
    id {{ID}},
    name TEXT NOT NULL,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    leader_worker_id BIGINT NOT NULL REFERENCES workers(id),
    level TEXT NOT NULL,
    founded BIGINT NOT NULL,
    designation_id BIGINT,
    status TEXT NOT NULL DEFAULT 'active',
    created_by BIGINT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (org_id, name)
);
CREATE INDEX studios_org ON studios(org_id);

CREATE TABLE studio_members (
    id {{ID}},
    studio_id BIGINT NOT NULL REFERENCES studios(id),
    worker_id BIGINT NOT NULL REFERENCES workers(id),
    created_at BIGINT NOT NULL,
    UNIQUE (studio_id, worker_id)
);

CREATE TABLE studio_reviews (
    id {{ID}},
    studio_id BIGINT NOT NULL REFERENCES studios(id),
    year BIGINT NOT NULL,
    case_id BIGINT,
    status TEXT NOT NULL,
    score_x100 BIGINT,
    outcome TEXT,
    level_before TEXT NOT NULL,
    level_after TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (studio_id, year)
);
