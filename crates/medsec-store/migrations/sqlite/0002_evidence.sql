-- Test results and evidence (issue 7). The PostgreSQL folder holds the same version.

-- Evidence files, each stored once by the SHA-256 of its bytes.
CREATE TABLE evidence_blob (
    sha256  TEXT PRIMARY KEY,
    size    INTEGER NOT NULL,
    content BLOB NOT NULL
);

-- Recorded test results, append-only: a later row for the same device version and test
-- supersedes an earlier one, and both stay. The triggers refuse changes and deletions.
CREATE TABLE test_result (
    id            INTEGER PRIMARY KEY,
    manufacturer  TEXT NOT NULL,
    device        TEXT NOT NULL,
    version       TEXT NOT NULL,
    test_id       TEXT NOT NULL,
    outcome       TEXT NOT NULL CHECK (outcome IN ('pass', 'fail', 'not-applicable')),
    tester        TEXT NOT NULL,
    laboratory    TEXT,
    accreditation TEXT,
    performed_on  TEXT NOT NULL,
    tools         TEXT NOT NULL,   -- JSON array of "tool version"
    notes         TEXT,
    recorded_at   TEXT NOT NULL
);
CREATE INDEX test_result_device ON test_result (manufacturer, device, version, test_id);

CREATE TABLE test_result_evidence (
    result_id INTEGER NOT NULL REFERENCES test_result (id),
    seq       INTEGER NOT NULL,
    name      TEXT NOT NULL,
    sha256    TEXT NOT NULL REFERENCES evidence_blob (sha256),
    PRIMARY KEY (result_id, seq)
);

CREATE TRIGGER test_result_append_only_update BEFORE UPDATE ON test_result
BEGIN SELECT RAISE(ABORT, 'test results are append-only'); END;
CREATE TRIGGER test_result_append_only_delete BEFORE DELETE ON test_result
BEGIN SELECT RAISE(ABORT, 'test results are append-only'); END;
CREATE TRIGGER test_result_evidence_append_only_update BEFORE UPDATE ON test_result_evidence
BEGIN SELECT RAISE(ABORT, 'test results are append-only'); END;
CREATE TRIGGER test_result_evidence_append_only_delete BEFORE DELETE ON test_result_evidence
BEGIN SELECT RAISE(ABORT, 'test results are append-only'); END;
CREATE TRIGGER evidence_blob_append_only_update BEFORE UPDATE ON evidence_blob
BEGIN SELECT RAISE(ABORT, 'evidence files are append-only'); END;
CREATE TRIGGER evidence_blob_append_only_delete BEFORE DELETE ON evidence_blob
BEGIN SELECT RAISE(ABORT, 'evidence files are append-only'); END;
