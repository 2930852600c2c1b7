-- Accounts, roles, sessions, API tokens, login attempts and the audit log (issue 10).
-- The PostgreSQL folder holds the same version.

-- A local account. The e-mail is kept lowercase; the password as an argon2id PHC string.
CREATE TABLE account (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0
);

-- An account's role in an organisation: what it may read and change there.
CREATE TABLE membership (
    account_id      INTEGER NOT NULL REFERENCES account (id),
    organisation_id INTEGER NOT NULL REFERENCES organisation (id),
    role            TEXT NOT NULL CHECK (role IN ('admin', 'engineer', 'assessor', 'viewer')),
    created_at      TEXT NOT NULL,
    PRIMARY KEY (account_id, organisation_id)
);
CREATE INDEX membership_organisation ON membership (organisation_id);

-- A login session. Only the SHA-256 of the cookie's random id is kept, so a copy of
-- the database does not let anyone take a session over; every server process sees it.
CREATE TABLE login_session (
    id_hash      TEXT PRIMARY KEY,
    account_id   INTEGER NOT NULL REFERENCES account (id),
    created_at   TEXT NOT NULL,
    expires_unix INTEGER NOT NULL
);
CREATE INDEX login_session_account ON login_session (account_id);

-- An API token of one organisation with one role; the secret is shown once and only
-- its SHA-256 is kept.
CREATE TABLE api_token (
    id              INTEGER PRIMARY KEY,
    token_hash      TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    organisation_id INTEGER NOT NULL REFERENCES organisation (id),
    role            TEXT NOT NULL CHECK (role IN ('admin', 'engineer', 'assessor', 'viewer')),
    created_by      TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    revoked_at      TEXT
);
CREATE INDEX api_token_organisation ON api_token (organisation_id);

-- Login attempts, for the rate limit that holds across server processes.
CREATE TABLE login_attempt (
    id      INTEGER PRIMARY KEY,
    email   TEXT NOT NULL,
    client  TEXT NOT NULL,
    at_unix INTEGER NOT NULL,
    success INTEGER NOT NULL
);
CREATE INDEX login_attempt_email ON login_attempt (email, at_unix);
CREATE INDEX login_attempt_client ON login_attempt (client, at_unix);

-- Every change, hash-chained: `hash` is the SHA-256 of the previous entry's hash and
-- this entry's canonical content (see medsec_store::audit). `seq` counts from 1
-- without gaps. Append-only: the triggers refuse changes and deletions.
CREATE TABLE audit_log (
    seq             INTEGER PRIMARY KEY,
    at              TEXT NOT NULL,
    actor           TEXT NOT NULL,
    organisation_id INTEGER,
    action          TEXT NOT NULL,
    record_kind     TEXT NOT NULL,
    record_id       TEXT NOT NULL,
    reason          TEXT,
    before_json     TEXT,
    after_json      TEXT,
    prev_hash       TEXT NOT NULL,
    hash            TEXT NOT NULL
);
CREATE INDEX audit_log_organisation ON audit_log (organisation_id, seq);

CREATE TRIGGER audit_log_append_only_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_append_only_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
