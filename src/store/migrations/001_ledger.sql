-- wardstock schema, version 1: reference data, the stock ledger, clinical records.
-- Quantities are integers in the item's dose unit; money in integer cents;
-- instants are UTC text 'YYYY-MM-DDTHH:MM:SSZ'; dates 'YYYY-MM-DD'.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE places (
    id                INTEGER PRIMARY KEY,
    code              TEXT NOT NULL UNIQUE,
    name              TEXT NOT NULL,
    kind              TEXT NOT NULL CHECK (kind IN ('pharmacy', 'ward', 'transit')),
    transport_minutes INTEGER NOT NULL DEFAULT 0 CHECK (transport_minutes >= 0)
) STRICT;

CREATE TABLE locations (
    id       INTEGER PRIMARY KEY,
    place_id INTEGER NOT NULL REFERENCES places(id),
    code     TEXT NOT NULL,
    name     TEXT NOT NULL,
    kind     TEXT NOT NULL CHECK (kind IN ('shelf', 'fridge', 'freezer', 'cd_safe', 'trolley')),
    UNIQUE (place_id, code)
) STRICT;

CREATE TABLE items (
    id               INTEGER PRIMARY KEY,
    code             TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    generic_name     TEXT NOT NULL,
    atc              TEXT,
    form             TEXT NOT NULL,
    strength_milli   INTEGER,
    strength_unit    TEXT,
    dose_unit        TEXT NOT NULL,
    units_per_pack   INTEGER NOT NULL CHECK (units_per_pack >= 1),
    unit_price_cents INTEGER NOT NULL CHECK (unit_price_cents >= 0),
    storage          TEXT NOT NULL CHECK (storage IN ('room', 'cold', 'frozen')),
    controlled       INTEGER NOT NULL DEFAULT 0 CHECK (controlled IN (0, 1)),
    high_alert       INTEGER NOT NULL DEFAULT 0 CHECK (high_alert IN (0, 1)),
    kind             TEXT NOT NULL CHECK (kind IN ('drug', 'consumable')),
    max_daily_milli  INTEGER,
    supplier_lead_days INTEGER NOT NULL DEFAULT 1
) STRICT;

-- GTIN-14 form (GTIN-8/12/13 left-padded with zeros), check digit verified on insert.
CREATE TABLE item_gtins (
    gtin    TEXT PRIMARY KEY CHECK (length(gtin) = 14 AND gtin NOT GLOB '*[^0-9]*'),
    item_id INTEGER NOT NULL REFERENCES items(id)
) STRICT;
CREATE INDEX item_gtins_item ON item_gtins(item_id);

CREATE TABLE patients (
    id      INTEGER PRIMARY KEY,
    mrn     TEXT NOT NULL UNIQUE,
    name    TEXT NOT NULL,
    dob     TEXT NOT NULL,
    ward_id INTEGER REFERENCES places(id),
    bed     TEXT
) STRICT;

CREATE TABLE patient_allergies (
    id         INTEGER PRIMARY KEY,
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    substance  TEXT NOT NULL,
    atc_prefix TEXT,
    kind       TEXT NOT NULL CHECK (kind IN ('allergy', 'intolerance', 'contraindication')),
    reaction   TEXT
) STRICT;
CREATE INDEX patient_allergies_patient ON patient_allergies(patient_id);

CREATE TABLE users (
    id             INTEGER PRIMARY KEY,
    username       TEXT NOT NULL UNIQUE,
    full_name      TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('nurse', 'nurse_manager', 'pharmacist', 'storekeeper', 'admin')),
    pin_hash       TEXT NOT NULL,
    failed_pins    INTEGER NOT NULL DEFAULT 0,
    locked_until   TEXT,
    active         INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
) STRICT;

CREATE TABLE lots (
    id          INTEGER PRIMARY KEY,
    item_id     INTEGER NOT NULL REFERENCES items(id),
    lot_number  TEXT NOT NULL,
    expiry      TEXT,
    status      TEXT NOT NULL DEFAULT 'ok' CHECK (status IN ('ok', 'quarantined', 'recalled')),
    received_at TEXT NOT NULL,
    UNIQUE (item_id, lot_number)
) STRICT;


-- The ledger: append-only. Units leave from_place and arrive at to_place.
CREATE TABLE movements (
    id            INTEGER PRIMARY KEY,
    at            TEXT NOT NULL,
    user_id       INTEGER NOT NULL REFERENCES users(id),
    kind          TEXT NOT NULL CHECK (kind IN ('receipt', 'transfer', 'administration', 'issue', 'waste', 'return', 'adjustment')),
    item_id       INTEGER NOT NULL REFERENCES items(id),
    lot_id        INTEGER NOT NULL REFERENCES lots(id),
    from_place_id INTEGER REFERENCES places(id),
    to_place_id   INTEGER REFERENCES places(id),
    qty           INTEGER NOT NULL CHECK (qty > 0),
    reason        TEXT,
    patient_id    INTEGER REFERENCES patients(id),
    order_ref     TEXT,
    CHECK (from_place_id IS NOT NULL OR to_place_id IS NOT NULL),
    CHECK (from_place_id IS NULL OR to_place_id IS NULL OR from_place_id <> to_place_id)
) STRICT;
CREATE INDEX movements_lot ON movements(lot_id);
-- Covers the rate-of-use query (what left each place per item, by time).
CREATE INDEX movements_item_at ON movements(item_id, at, from_place_id, kind, qty);

-- Balances per (place, lot) with stock, kept by the ledger triggers in the same
-- transaction; a lot that runs out at a place has no row there. The lot's
-- expiry and status are copied here (and kept in step by a trigger) so that
-- stock lists and warnings read one table.
CREATE TABLE balances (
    place_id INTEGER NOT NULL REFERENCES places(id),
    lot_id   INTEGER NOT NULL REFERENCES lots(id),
    item_id  INTEGER NOT NULL REFERENCES items(id),
    qty      INTEGER NOT NULL CHECK (qty >= 0),
    expiry   TEXT,
    status   TEXT NOT NULL,
    PRIMARY KEY (place_id, lot_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX balances_place_item ON balances(place_id, item_id, status, expiry, qty);
CREATE INDEX balances_lot ON balances(lot_id);
CREATE INDEX balances_expiry ON balances(expiry);
CREATE INDEX balances_held ON balances(status) WHERE status <> 'ok';

CREATE TRIGGER lots_keep_balances AFTER UPDATE OF expiry, status ON lots
BEGIN
    UPDATE balances SET expiry = NEW.expiry, status = NEW.status WHERE lot_id = NEW.id;
END;

CREATE TRIGGER movements_no_update BEFORE UPDATE ON movements
BEGIN
    SELECT RAISE(ABORT, 'the stock ledger is append-only: movements cannot be changed; record a correcting movement instead');
END;

CREATE TRIGGER movements_no_delete BEFORE DELETE ON movements
BEGIN
    SELECT RAISE(ABORT, 'the stock ledger is append-only: movements cannot be deleted; record a correcting movement instead');
END;

CREATE TRIGGER movements_lot_matches_item BEFORE INSERT ON movements
WHEN (SELECT item_id FROM lots WHERE id = NEW.lot_id) IS NOT NEW.item_id
BEGIN
    SELECT RAISE(ABORT, 'movement lot belongs to another item');
END;

CREATE TRIGGER movements_balance_out AFTER INSERT ON movements
WHEN NEW.from_place_id IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'not enough stock: the movement would take a balance below zero')
    WHERE NOT EXISTS (SELECT 1 FROM balances
                      WHERE place_id = NEW.from_place_id AND lot_id = NEW.lot_id AND qty >= NEW.qty);
    UPDATE balances SET qty = qty - NEW.qty
    WHERE place_id = NEW.from_place_id AND lot_id = NEW.lot_id;
    -- Balances hold current stock only: an emptied lot leaves the table.
    DELETE FROM balances
    WHERE place_id = NEW.from_place_id AND lot_id = NEW.lot_id AND qty = 0;
END;

CREATE TRIGGER movements_balance_in AFTER INSERT ON movements
WHEN NEW.to_place_id IS NOT NULL
BEGIN
    INSERT INTO balances (place_id, lot_id, item_id, qty, expiry, status)
    SELECT NEW.to_place_id, NEW.lot_id, NEW.item_id, NEW.qty, l.expiry, l.status FROM lots l WHERE l.id = NEW.lot_id
    ON CONFLICT (place_id, lot_id) DO UPDATE SET qty = qty + NEW.qty;
END;

-- Per place and item: the levels that drive stock warnings and replenishment.
CREATE TABLE stock_policies (
    place_id     INTEGER NOT NULL REFERENCES places(id),
    item_id      INTEGER NOT NULL REFERENCES items(id),
    safety_stock INTEGER NOT NULL DEFAULT 0 CHECK (safety_stock >= 0),
    max_stock    INTEGER NOT NULL DEFAULT 0 CHECK (max_stock >= 0),
    PRIMARY KEY (place_id, item_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE prescriptions (
    id            INTEGER PRIMARY KEY,
    patient_id    INTEGER NOT NULL REFERENCES patients(id),
    item_id       INTEGER NOT NULL REFERENCES items(id),
    dose_milli    INTEGER NOT NULL CHECK (dose_milli > 0),
    dose_unit     TEXT NOT NULL,
    route         TEXT NOT NULL,
    frequency     TEXT NOT NULL,
    times         TEXT NOT NULL DEFAULT '',
    prn_max_per_day INTEGER,
    start_at      TEXT NOT NULL,
    end_at        TEXT,
    indication    TEXT NOT NULL,
    prescriber    TEXT NOT NULL,
    time_critical INTEGER NOT NULL DEFAULT 0 CHECK (time_critical IN (0, 1)),
    status        TEXT NOT NULL CHECK (status IN ('awaiting_validation', 'active', 'suspended', 'stopped', 'completed', 'rejected', 'superseded')),
    version       INTEGER NOT NULL DEFAULT 1,
    supersedes_id INTEGER REFERENCES prescriptions(id),
    created_by    INTEGER NOT NULL REFERENCES users(id),
    created_at    TEXT NOT NULL,
    validated_by  INTEGER REFERENCES users(id),
    validated_at  TEXT
) STRICT;
CREATE INDEX prescriptions_patient ON prescriptions(patient_id);

CREATE TABLE administrations (
    id              INTEGER PRIMARY KEY,
    prescription_id INTEGER NOT NULL REFERENCES prescriptions(id),
    scheduled_at    TEXT,
    recorded_at     TEXT NOT NULL,
    user_id         INTEGER NOT NULL REFERENCES users(id),
    outcome         TEXT NOT NULL CHECK (outcome IN ('given', 'partially_given', 'held', 'refused', 'not_given_supply', 'missed')),
    lot_id          INTEGER REFERENCES lots(id),
    qty             INTEGER,
    reason          TEXT,
    witness_id      INTEGER REFERENCES users(id),
    scanned         INTEGER NOT NULL DEFAULT 1 CHECK (scanned IN (0, 1)),
    UNIQUE (prescription_id, scheduled_at)
) STRICT;
