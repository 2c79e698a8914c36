-- 工匠培育 (issue #12, point 4): four-level craftsman selection rounds and their
-- nominations.
--
-- A round belongs to the region that holds it (`region_code`: the city, a district or a
-- town) and, for an enterprise round, to the enterprise (`org_id`). `titles` is how many
-- titles it confers, `quota` how many nominees each nominator may put forward.
-- A nomination is one worker put forward by one nominator (`nominator`: the nominating
-- region's code, or `org:<id>` for an enterprise); it runs as a case on the workflow
-- engine (`case_id`) and `status` mirrors the case. Its approval writes the title into
-- the designation registry (`designation_id`).
CREATE TABLE craftsman_rounds (
    id {{ID}},
    name TEXT NOT NULL,
    level TEXT NOT NULL,
    year BIGINT NOT NULL,
    region_code TEXT NOT NULL REFERENCES regions(code),
    org_id BIGINT REFERENCES orgs(id),
    titles BIGINT NOT NULL,
    quota BIGINT NOT NULL,
    closes_on TEXT,
    created_by BIGINT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX craftsman_rounds_region ON craftsman_rounds(region_code, year);

CREATE TABLE craftsman_nominations (
    id {{ID}},
    round_id BIGINT NOT NULL REFERENCES craftsman_rounds(id),
    worker_id BIGINT NOT NULL REFERENCES workers(id),
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    nominator TEXT NOT NULL,
    reason TEXT NOT NULL,
    case_id BIGINT,
    status TEXT NOT NULL,
    designation_id BIGINT,
    created_by BIGINT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (round_id, worker_id)
);
CREATE INDEX craftsman_nominations_round ON craftsman_nominations(round_id, nominator);
