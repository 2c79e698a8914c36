-- The data version (issue #11, the request path): one number that every transaction
-- changing what cached reads depend on — the indicator aggregates (`agg`), the
-- organisations and the regions — raises before it commits (`db::data_changed`). The
-- number is read with the session in a request's first statement; a server keeps such
-- reads keyed by it, so a change committed by any process is seen by every process at
-- its next request, and nothing is ever served from before it.
-- `Db::migrate` also runs this file before the first migration (every commit may raise
-- the version), so it is written to run twice.
CREATE TABLE IF NOT EXISTS data_version (
    id BIGINT PRIMARY KEY,
    version BIGINT NOT NULL
);
INSERT INTO data_version (id, version) SELECT 1, 1 WHERE NOT EXISTS (SELECT 1 FROM data_version);
