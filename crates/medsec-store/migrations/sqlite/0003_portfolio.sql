-- The product portfolio, monitored findings and triage (issue 8). The PostgreSQL folder
-- holds the same version.

CREATE TABLE organisation (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

CREATE TABLE product (
    id              INTEGER PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES organisation (id),
    name            TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    UNIQUE (organisation_id, name)
);

-- A released version of a product. `seq` orders the versions of a product (the order
-- they were added unless a release date says otherwise): decisions are inherited along it.
CREATE TABLE product_version (
    id             INTEGER PRIMARY KEY,
    product_id     INTEGER NOT NULL REFERENCES product (id),
    version        TEXT NOT NULL,
    release_date   TEXT,
    end_of_support TEXT,
    installed_base INTEGER,
    created_at     TEXT NOT NULL,
    UNIQUE (product_id, version)
);

-- Documents of a version, kept and versioned: every upload is a new revision; the
-- highest revision of a (version, kind, name) is the current one.
CREATE TABLE version_document (
    id                 INTEGER PRIMARY KEY,
    product_version_id INTEGER NOT NULL REFERENCES product_version (id),
    kind               TEXT NOT NULL CHECK (kind IN ('sbom', 'device-model')),
    name               TEXT NOT NULL,
    revision           INTEGER NOT NULL,
    format             TEXT NOT NULL,
    sha256             TEXT NOT NULL,
    size               INTEGER NOT NULL,
    content            BLOB NOT NULL,
    added_at           TEXT NOT NULL,
    UNIQUE (product_version_id, kind, name, revision)
);

-- One finding per (version, component, vulnerability), with its current state.
CREATE TABLE finding (
    id                 INTEGER PRIMARY KEY,
    product_version_id INTEGER NOT NULL REFERENCES product_version (id),
    component          TEXT NOT NULL,
    vulnerability      TEXT NOT NULL,
    open               INTEGER NOT NULL,
    status             TEXT NOT NULL,
    severity           TEXT NOT NULL,
    score              REAL,
    kev                INTEGER NOT NULL,
    content_hash       TEXT NOT NULL,
    detail             TEXT NOT NULL,   -- the scan finding as JSON
    first_seen         TEXT NOT NULL,
    last_changed       TEXT NOT NULL,
    resolved_at        TEXT,
    UNIQUE (product_version_id, component, vulnerability)
);

-- What monitoring saw happen to a finding, append-only.
CREATE TABLE finding_event (
    id         INTEGER PRIMARY KEY,
    finding_id INTEGER NOT NULL REFERENCES finding (id),
    run_id     INTEGER NOT NULL,
    at         TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('new', 'changed', 'resolved', 'reopened')),
    summary    TEXT NOT NULL
);

-- Each monitoring run: what it started from and what it found.
CREATE TABLE monitor_run (
    id          INTEGER PRIMARY KEY,
    started_at  TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    store_batch INTEGER NOT NULL,   -- the last import batch the run had seen
    last_document INTEGER NOT NULL, -- the newest version document the run had seen
    versions    INTEGER NOT NULL,   -- versions re-matched
    new         INTEGER NOT NULL,
    changed     INTEGER NOT NULL,
    resolved    INTEGER NOT NULL
);

-- Triage decisions, append-only (a later decision supersedes an earlier one).
CREATE TABLE triage_decision (
    id                 INTEGER PRIMARY KEY,
    product_version_id INTEGER NOT NULL REFERENCES product_version (id),
    component          TEXT NOT NULL,
    vulnerability      TEXT NOT NULL,
    state              TEXT NOT NULL CHECK (state IN ('in_triage', 'affected', 'not_affected', 'fixed', 'false_positive')),
    justification      TEXT,            -- JSON: {"vocabulary": …, "code": …}
    impact             TEXT,
    action             TEXT,
    author             TEXT NOT NULL,
    rationale          TEXT NOT NULL,
    at                 TEXT NOT NULL,
    adjusted_vector    TEXT,            -- the confirmed (rubric-adjusted) CVSS vector
    adjusted_score     REAL
);
CREATE INDEX triage_decision_key ON triage_decision (component, vulnerability);

-- How many devices of a version are in the field on a day (installed-base snapshots),
-- append-only: the time from patch to deployment is measured from them.
CREATE TABLE deployment_snapshot (
    id                 INTEGER PRIMARY KEY,
    product_version_id INTEGER NOT NULL REFERENCES product_version (id),
    on_day             TEXT NOT NULL,
    installed          INTEGER NOT NULL CHECK (installed >= 0),
    recorded_at        TEXT NOT NULL
);

CREATE TRIGGER finding_event_append_only_update BEFORE UPDATE ON finding_event
BEGIN SELECT RAISE(ABORT, 'finding events are append-only'); END;
CREATE TRIGGER finding_event_append_only_delete BEFORE DELETE ON finding_event
BEGIN SELECT RAISE(ABORT, 'finding events are append-only'); END;
CREATE TRIGGER triage_decision_append_only_update BEFORE UPDATE ON triage_decision
BEGIN SELECT RAISE(ABORT, 'triage decisions are append-only'); END;
CREATE TRIGGER triage_decision_append_only_delete BEFORE DELETE ON triage_decision
BEGIN SELECT RAISE(ABORT, 'triage decisions are append-only'); END;
CREATE TRIGGER version_document_append_only_update BEFORE UPDATE ON version_document
BEGIN SELECT RAISE(ABORT, 'documents are append-only'); END;
CREATE TRIGGER version_document_append_only_delete BEFORE DELETE ON version_document
BEGIN SELECT RAISE(ABORT, 'documents are append-only'); END;
CREATE TRIGGER deployment_snapshot_append_only_update BEFORE UPDATE ON deployment_snapshot
BEGIN SELECT RAISE(ABORT, 'deployment snapshots are append-only'); END;
CREATE TRIGGER deployment_snapshot_append_only_delete BEFORE DELETE ON deployment_snapshot
BEGIN SELECT RAISE(ABORT, 'deployment snapshots are append-only'); END;
