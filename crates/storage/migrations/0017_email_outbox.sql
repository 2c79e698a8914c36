-- E-mail notifications (issue #4): an optional address per account, and the in-app
-- notifications table doubles as the outbox. A row is e-mailed at most once: a sender
-- claims it with a conditional UPDATE (email_tries moves on, email_next_at is set far
-- ahead while the message is in flight), then records emailed_at, or on failure the
-- error and when to try again.
ALTER TABLE users ADD COLUMN email TEXT;
ALTER TABLE notifications ADD COLUMN emailed_at BIGINT;
ALTER TABLE notifications ADD COLUMN email_tries BIGINT NOT NULL DEFAULT 0;
ALTER TABLE notifications ADD COLUMN email_next_at BIGINT;
ALTER TABLE notifications ADD COLUMN email_error TEXT;
CREATE INDEX notifications_unsent ON notifications(emailed_at, created_at);
