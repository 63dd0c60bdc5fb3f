-- wardstock schema, version 7: every change of the site's reference data
-- (items, places, locations, suppliers, users, patients, allergies),
-- attributed: who, when, and the row before and after (JSON).

CREATE TABLE reference_history (
    id      INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users(id),
    kind    TEXT NOT NULL CHECK (kind IN ('item', 'place', 'location', 'supplier', 'user', 'patient', 'allergy')),
    code    TEXT NOT NULL,
    action  TEXT NOT NULL CHECK (action IN ('added', 'changed')),
    before  TEXT,
    after   TEXT NOT NULL
) STRICT;
CREATE INDEX reference_history_code ON reference_history(kind, code);

CREATE TRIGGER reference_history_no_update BEFORE UPDATE ON reference_history
BEGIN
    SELECT RAISE(ABORT, 'reference data history is append-only');
END;

CREATE TRIGGER reference_history_no_delete BEFORE DELETE ON reference_history
BEGIN
    SELECT RAISE(ABORT, 'reference data history is append-only');
END;
