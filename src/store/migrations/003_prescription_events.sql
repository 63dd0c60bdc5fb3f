-- wardstock schema, version 3: every change of a prescription, attributed.

CREATE TABLE prescription_events (
    id              INTEGER PRIMARY KEY,
    prescription_id INTEGER NOT NULL REFERENCES prescriptions(id),
    at              TEXT NOT NULL,
    user_id         INTEGER NOT NULL REFERENCES users(id),
    action          TEXT NOT NULL CHECK (action IN ('created', 'validated', 'rejected', 'suspended', 'resumed', 'stopped', 'completed', 'edited')),
    comment         TEXT,
    -- The findings a validation accepted (JSON), so the bedside check knows
    -- which allergy the pharmacist overrode.
    findings        TEXT
) STRICT;
CREATE INDEX prescription_events_rx ON prescription_events(prescription_id);

CREATE TRIGGER prescription_events_no_update BEFORE UPDATE ON prescription_events
BEGIN
    SELECT RAISE(ABORT, 'prescription history is append-only');
END;

CREATE TRIGGER prescription_events_no_delete BEFORE DELETE ON prescription_events
BEGIN
    SELECT RAISE(ABORT, 'prescription history is append-only');
END;

-- The bedside record: who double-checked a high-alert dose, and the ledger line of the units given.
ALTER TABLE administrations ADD COLUMN double_check_id INTEGER REFERENCES users(id);
ALTER TABLE administrations ADD COLUMN movement_id INTEGER REFERENCES movements(id);
