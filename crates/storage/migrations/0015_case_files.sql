-- Material attached to workflow cases (application documents, review memos).
ALTER TABLE wf_cases ADD COLUMN file_ids TEXT NOT NULL DEFAULT '[]';
