-- The foundation: regions, organisations, users, sessions, the audit log.
-- Written once for SQLite and PostgreSQL. Tokens replaced per backend:
--   {{ID}}  an auto-numbered 64-bit primary key.
-- Flags are BIGINT 0/1 and times BIGINT (milliseconds since the epoch) on both.

CREATE TABLE regions (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    level TEXT NOT NULL,
    parent_code TEXT REFERENCES regions(code),
    sort BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX regions_parent ON regions(parent_code);

CREATE TABLE orgs (
    id {{ID}},
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    uscc TEXT UNIQUE,
    region_code TEXT NOT NULL REFERENCES regions(code),
    parent_id BIGINT REFERENCES orgs(id),
    industry TEXT,
    ownership TEXT,
    chain_leader BIGINT NOT NULL DEFAULT 0,
    size TEXT,
    address TEXT,
    contact TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (name, region_code)
);
CREATE INDEX orgs_region_kind ON orgs(region_code, kind);
CREATE INDEX orgs_parent ON orgs(parent_id);
CREATE INDEX orgs_name ON orgs(name);
CREATE INDEX orgs_kind ON orgs(kind);

CREATE TABLE users (
    id {{ID}},
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    region_code TEXT REFERENCES regions(code),
    org_id BIGINT REFERENCES orgs(id),
    password_hash TEXT NOT NULL,
    disabled BIGINT NOT NULL DEFAULT 0,
    must_change_password BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    last_login_at BIGINT
);
CREATE INDEX users_org ON users(org_id);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL,
    csrf TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY,
    seq BIGINT NOT NULL,
    last_hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, last_hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at_ms BIGINT NOT NULL,
    user_id BIGINT,
    username TEXT NOT NULL,
    action TEXT NOT NULL,
    entity_kind TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    summary TEXT NOT NULL,
    before_json TEXT NOT NULL,
    after_json TEXT NOT NULL,
    ip TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_at ON audit_log(at_ms);
CREATE INDEX audit_user ON audit_log(username, seq);
CREATE INDEX audit_action ON audit_log(action, seq);
CREATE INDEX audit_entity ON audit_log(entity_kind, entity_id);

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
