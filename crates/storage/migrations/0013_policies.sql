-- 政策文件库: the programme's documents with a character-bigram index for Chinese
-- full-text search that works the same on SQLite and PostgreSQL.
CREATE TABLE policies (
    id {{ID}},
    title TEXT NOT NULL,
    doc_no TEXT,
    issuer TEXT,
    category TEXT NOT NULL,
    level TEXT NOT NULL,
    issued_on TEXT,
    body TEXT NOT NULL,
    file_id BIGINT REFERENCES files(id),
    created_by BIGINT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX policies_category ON policies(category, issued_on);

CREATE TABLE policy_grams (
    policy_id BIGINT NOT NULL REFERENCES policies(id) ON DELETE CASCADE,
    gram TEXT NOT NULL,
    -- occurrences in the title (ranked higher) and in the body
    in_title BIGINT NOT NULL,
    hits BIGINT NOT NULL,
    PRIMARY KEY (gram, policy_id)
);
