-- Placeholder: the schema follows.
CREATE TABLE store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
