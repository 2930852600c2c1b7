-- medsec vulnerability store, SQLite. The PostgreSQL folder holds the same version with
-- the same tables, columns and indexes (types spelled for PostgreSQL); a test checks
-- that both folders list the same versions and descriptions.

-- One row per `Store::import` call that committed (one transaction each).
CREATE TABLE import_batch (
    id                INTEGER PRIMARY KEY,
    started           TEXT NOT NULL,
    finished          TEXT,
    outcome           TEXT NOT NULL,   -- running | changed | unchanged
    files             INTEGER NOT NULL DEFAULT 0,
    records_new       INTEGER NOT NULL DEFAULT 0,
    records_replaced  INTEGER NOT NULL DEFAULT 0,
    records_unchanged INTEGER NOT NULL DEFAULT 0,
    records_older     INTEGER NOT NULL DEFAULT 0,
    skipped           INTEGER NOT NULL DEFAULT 0,
    kev_entries       INTEGER NOT NULL DEFAULT 0,
    epss_scores       INTEGER NOT NULL DEFAULT 0
);

-- The inputs of a batch as given (an archive is one row), with their SHA-256.
CREATE TABLE import_file (
    batch_id INTEGER NOT NULL REFERENCES import_batch (id),
    seq      INTEGER NOT NULL,
    path     TEXT NOT NULL,
    sha256   TEXT NOT NULL,
    bytes    INTEGER NOT NULL,
    records  INTEGER NOT NULL,
    skipped  INTEGER NOT NULL,
    PRIMARY KEY (batch_id, seq)
);

-- One advisory record per (source, record key), the full `Advisory` in `body`.
CREATE TABLE record (
    id           INTEGER PRIMARY KEY,
    source       TEXT NOT NULL,     -- nvd | cve5 | osv | csaf
    record_key   TEXT NOT NULL,     -- the advisory id; CSAF: TRACKING-ID/advisory id
    advisory_id  TEXT NOT NULL,
    format       TEXT NOT NULL,     -- nvd2 | cve5 | osv | csaf2
    vuln         TEXT NOT NULL,     -- the merged vulnerability's id (see `alias`)
    published    TEXT,
    modified     TEXT,              -- RFC 3339; compared as a timestamp, not as text
    withdrawn    INTEGER NOT NULL,
    content_hash TEXT NOT NULL,     -- SHA-256 of the body without provenance file/pointer
    encoding     TEXT NOT NULL,     -- json | json+deflate
    body         BLOB NOT NULL,
    batch_id     INTEGER NOT NULL REFERENCES import_batch (id),
    UNIQUE (record_key, source)
);
CREATE INDEX record_vuln ON record (vuln);
CREATE INDEX record_source ON record (source, format);

-- Every id of a record (its own and its aliases), uppercase. `links` = 1 when the id
-- names the vulnerability itself (and so joins records into one), 0 for document ids
-- (a CSAF tracking id, ICSMA/ICSA advisory ids) that several vulnerabilities share.
CREATE TABLE alias (
    alias     TEXT NOT NULL,
    record_id INTEGER NOT NULL REFERENCES record (id),
    kind      TEXT NOT NULL,
    links     INTEGER NOT NULL,
    PRIMARY KEY (alias, record_id)
) WITHOUT ROWID;
CREATE INDEX alias_record ON alias (record_id);

-- The match index: `medsec_match::keys::index_keys` of each record.
CREATE TABLE match_key (
    key       TEXT NOT NULL,
    record_id INTEGER NOT NULL REFERENCES record (id),
    PRIMARY KEY (key, record_id)
) WITHOUT ROWID;
CREATE INDEX match_key_record ON match_key (record_id);

-- Every severity statement of a record, CVSS of every version and qualitative ratings.
CREATE TABLE score (
    record_id      INTEGER NOT NULL REFERENCES record (id),
    seq            INTEGER NOT NULL,
    kind           TEXT NOT NULL,   -- cvss | qualitative
    version        TEXT,            -- 2.0 | 3.0 | 3.1 | 4.0
    vector         TEXT,
    base_score     REAL,            -- as stated by the source
    computed_score REAL,            -- as medsec-score computes it from the vector
    severity       TEXT,            -- stated severity or qualitative rating
    scheme         TEXT,            -- the qualitative rating's scale
    scorer_role    TEXT NOT NULL,
    scorer_name    TEXT,
    PRIMARY KEY (record_id, seq)
);

CREATE TABLE cwe (
    record_id INTEGER NOT NULL REFERENCES record (id),
    cwe       TEXT NOT NULL,
    PRIMARY KEY (record_id, cwe)
);
CREATE INDEX cwe_cwe ON cwe (cwe);

-- The CISA KEV catalog last imported (one row), and its entries.
CREATE TABLE kev_catalog (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    title          TEXT,
    catalog_version TEXT NOT NULL,
    date_released  TEXT NOT NULL,
    entries        INTEGER NOT NULL,
    content_hash   TEXT NOT NULL,
    batch_id       INTEGER NOT NULL REFERENCES import_batch (id)
);
CREATE TABLE kev (
    cve_id              TEXT PRIMARY KEY,
    vendor_project      TEXT NOT NULL,
    product             TEXT NOT NULL,
    vulnerability_name  TEXT NOT NULL,
    date_added          TEXT NOT NULL,
    short_description   TEXT NOT NULL,
    required_action     TEXT NOT NULL,
    due_date            TEXT NOT NULL,
    known_ransomware    TEXT,
    notes               TEXT,
    cwes                TEXT NOT NULL,   -- JSON array
    seq                 INTEGER NOT NULL -- position in the catalog
);

-- The FIRST EPSS snapshot last imported (one row), and its scores.
CREATE TABLE epss_snapshot (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    model_version TEXT,
    score_date    TEXT,
    scores        INTEGER NOT NULL,
    content_hash  TEXT NOT NULL,
    batch_id      INTEGER NOT NULL REFERENCES import_batch (id)
);
CREATE TABLE epss (
    cve        TEXT PRIMARY KEY,
    epss       REAL NOT NULL,
    percentile REAL NOT NULL
);
