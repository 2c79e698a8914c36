-- Enterprise contact points (企业联系点, 双沟通双促进) and pairing (结对共建), issue #4.
-- Officials are user accounts (region staff or member-unit staff); their names and
-- phones live in `users`, so no personal data is copied here.
CREATE TABLE contact_points (
    id {{ID}},
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    official_user_id BIGINT NOT NULL REFERENCES users(id),
    -- The assignment's period, YYYY-MM-DD; end_on NULL = still assigned.
    start_on TEXT NOT NULL,
    end_on TEXT,
    note TEXT,
    created_by BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX contact_points_org ON contact_points(org_id);
CREATE INDEX contact_points_official ON contact_points(official_user_id);

CREATE TABLE contact_visits (
    id {{ID}},
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    official_user_id BIGINT REFERENCES users(id),
    official_name TEXT NOT NULL,
    visited_on TEXT NOT NULL,
    -- on_site, phone, online
    form TEXT NOT NULL,
    summary TEXT NOT NULL,
    created_by BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX contact_visits_org ON contact_visits(org_id, visited_on);

CREATE TABLE contact_problems (
    id {{ID}},
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    -- The visit during which the official recorded it, if any.
    visit_id BIGINT REFERENCES contact_visits(id),
    -- head, worker, official
    source TEXT NOT NULL,
    -- employment, training, pay, safety, policy, other
    category TEXT NOT NULL,
    description TEXT NOT NULL,
    raised_on TEXT NOT NULL,
    responsible_unit TEXT,
    -- open, in_progress, resolved, closed
    status TEXT NOT NULL,
    resolution TEXT,
    resolved_on TEXT,
    closed_reason TEXT,
    created_by BIGINT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX contact_problems_org ON contact_problems(org_id, status);

CREATE TABLE pairs (
    id {{ID}},
    -- state_private (org_a state-owned, org_b private) or chain (org_a the chain leader)
    kind TEXT NOT NULL,
    org_a BIGINT NOT NULL REFERENCES orgs(id),
    org_b BIGINT NOT NULL REFERENCES orgs(id),
    chain TEXT,
    start_year BIGINT NOT NULL,
    goals TEXT,
    created_by BIGINT,
    created_at BIGINT NOT NULL,
    UNIQUE (kind, org_a, org_b)
);
CREATE INDEX pairs_b ON pairs(org_b);
CREATE INDEX pairs_chain ON pairs(chain);

CREATE TABLE pair_activities (
    id {{ID}},
    pair_id BIGINT NOT NULL REFERENCES pairs(id) ON DELETE CASCADE,
    held_on TEXT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT,
    participants BIGINT NOT NULL,
    created_by BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX pair_activities_pair ON pair_activities(pair_id, held_on);
