-- Stock held for scheduled cases: a surgical case or procedure on a day, at
-- a ward or theatre, for a patient, with its kit (items and quantities).
-- Quantities are held, not lots: at use the lots are taken first-expired-
-- first-out. What is still held of a line is qty - used - released while
-- the case is booked; a used or cancelled case holds nothing.
CREATE TABLE reservations (
    id         INTEGER PRIMARY KEY,
    -- CASE-n, given at booking.
    reference  TEXT NOT NULL UNIQUE,
    place_id   INTEGER NOT NULL REFERENCES places(id),
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    -- When the case is scheduled (UTC).
    case_at    TEXT NOT NULL,
    note       TEXT,
    status     TEXT NOT NULL DEFAULT 'booked' CHECK (status IN ('booked', 'used', 'cancelled')),
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    closed_by  INTEGER REFERENCES users(id),
    closed_at  TEXT,
    -- Why a case was cancelled.
    reason     TEXT
) STRICT;
-- The open cases of a place: what the stock figures and picks subtract.
CREATE INDEX reservations_open ON reservations(place_id, case_at) WHERE status = 'booked';

CREATE TABLE reservation_lines (
    id             INTEGER PRIMARY KEY,
    reservation_id INTEGER NOT NULL REFERENCES reservations(id),
    item_id        INTEGER NOT NULL REFERENCES items(id),
    qty            INTEGER NOT NULL CHECK (qty > 0),
    -- Units given to the patient (issued, lot-traced, on the ledger).
    used           INTEGER NOT NULL DEFAULT 0 CHECK (used >= 0),
    -- Units no longer held (the case closed with them left, or cancelled).
    released       INTEGER NOT NULL DEFAULT 0 CHECK (released >= 0),
    UNIQUE (reservation_id, item_id),
    CHECK (used + released <= qty)
) STRICT;
CREATE INDEX reservation_lines_item ON reservation_lines(item_id, reservation_id);

-- Every change to a case, attributed: booked, used (with the units),
-- closed, cancelled.
CREATE TABLE reservation_events (
    id             INTEGER PRIMARY KEY,
    reservation_id INTEGER NOT NULL REFERENCES reservations(id),
    at             TEXT NOT NULL,
    user_id        INTEGER NOT NULL REFERENCES users(id),
    -- Who signed for a controlled drug used on the case.
    witness_id     INTEGER REFERENCES users(id),
    event          TEXT NOT NULL CHECK (event IN ('booked', 'used', 'closed', 'cancelled')),
    item_id        INTEGER REFERENCES items(id),
    qty            INTEGER,
    note           TEXT
) STRICT;
CREATE INDEX reservation_events_case ON reservation_events(reservation_id, id);

CREATE TRIGGER reservation_events_no_update BEFORE UPDATE ON reservation_events
BEGIN
    SELECT RAISE(ABORT, 'the history of a case is append-only');
END;
CREATE TRIGGER reservation_events_no_delete BEFORE DELETE ON reservation_events
BEGIN
    SELECT RAISE(ABORT, 'the history of a case is append-only');
END;
