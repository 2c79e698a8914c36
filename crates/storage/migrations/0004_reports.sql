-- The yearly reform statistics (产改统计表): one report per organisation and period,
-- draft → submitted → approved → locked (or returned with a reason). Money in 万元 is
-- stored ×100 as an integer.

CREATE TABLE reports (
    id {{ID}},
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    period TEXT NOT NULL,
    status TEXT NOT NULL,
    workers BIGINT,
    frontline_workers BIGINT,
    high_skilled BIGINT,
    high_skilled_new BIGINT,
    training_person_times BIGINT,
    training_spend_wan BIGINT,
    proposals BIGINT,
    innovations BIGINT,
    innovation_benefit_wan BIGINT,
    return_reason TEXT,
    submitted_by TEXT,
    submitted_at BIGINT,
    reviewed_by TEXT,
    reviewed_at BIGINT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (org_id, period)
);
CREATE INDEX reports_period_status ON reports(period, status);

-- Reminders sent to organisations that have not reported (shown on their home page).
CREATE TABLE reminders (
    id {{ID}},
    org_id BIGINT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    period TEXT NOT NULL,
    sent_by TEXT NOT NULL,
    sent_at BIGINT NOT NULL
);
CREATE INDEX reminders_org ON reminders(org_id, period);
