-- wardstock schema, version 4: what a ward sets for itself, generic
-- prescriptions, PRN intervals, opened multi-dose packs and missed doses.

-- Reason lists for held, refused, missed and partly given doses and for a
-- dose given outside its window. A row without a ward is the hospital list;
-- a ward's row adds a code, relabels a hospital code or (inactive) withdraws
-- it on that ward.
CREATE TABLE reason_codes (
    id      INTEGER PRIMARY KEY,
    ward_id INTEGER REFERENCES places(id),
    kind    TEXT NOT NULL CHECK (kind IN ('held', 'refused', 'missed', 'partial', 'timing')),
    code    TEXT NOT NULL CHECK (length(code) BETWEEN 1 AND 16 AND code NOT GLOB '*[^A-Z0-9_]*'),
    label   TEXT NOT NULL CHECK (length(label) >= 1),
    active  INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    -- Who changed the row last, and when (NULL: shipped with wardstock).
    changed_by INTEGER REFERENCES users(id),
    changed_at TEXT
) STRICT;
CREATE UNIQUE INDEX reason_codes_unique ON reason_codes(COALESCE(ward_id, 0), kind, code);

INSERT INTO reason_codes (ward_id, kind, code, label) VALUES
    (NULL, 'held', 'NPO', 'nil by mouth'),
    (NULL, 'held', 'VITALS', 'vital signs outside the prescribed limits'),
    (NULL, 'held', 'PROCEDURE', 'before a procedure or theatre'),
    (NULL, 'held', 'OFFWARD', 'patient off the ward'),
    (NULL, 'held', 'CLINICAL', 'clinical decision, prescriber informed'),
    (NULL, 'refused', 'DECLINED', 'patient declined'),
    (NULL, 'refused', 'NAUSEA', 'nausea or vomiting'),
    (NULL, 'refused', 'SWALLOW', 'unable to swallow'),
    (NULL, 'missed', 'OFFWARD', 'patient off the ward'),
    (NULL, 'missed', 'WORKLOAD', 'ward workload'),
    (NULL, 'missed', 'ASLEEP', 'patient asleep, not woken by decision'),
    (NULL, 'missed', 'UNKNOWN', 'not known, incident reported'),
    (NULL, 'partial', 'VOMITED', 'vomited part of the dose'),
    (NULL, 'partial', 'SWALLOW', 'could not swallow the whole dose'),
    (NULL, 'partial', 'LINE', 'infusion line problem'),
    (NULL, 'timing', 'OFFWARD', 'patient off the ward at the time'),
    (NULL, 'timing', 'EMERGENCY', 'emergency on the ward'),
    (NULL, 'timing', 'PROCEDURE', 'delayed by a procedure'),
    (NULL, 'timing', 'MEAL', 'timed with a meal'),
    (NULL, 'timing', 'PRESCRIBER', 'time changed by the prescriber');

-- A ward's administration times per frequency ("08:00,20:00"); a new
-- prescription without its own times takes these.
CREATE TABLE ward_times (
    ward_id   INTEGER NOT NULL REFERENCES places(id),
    frequency TEXT NOT NULL,
    times     TEXT NOT NULL,
    changed_by INTEGER NOT NULL REFERENCES users(id),
    changed_at TEXT NOT NULL,
    PRIMARY KEY (ward_id, frequency)
) STRICT, WITHOUT ROWID;

-- A generic prescription (by ATC code) and the products allowed for it;
-- prescriptions.item_id is then the preferred product.
ALTER TABLE prescriptions ADD COLUMN generic_atc TEXT;
ALTER TABLE prescriptions ADD COLUMN prn_min_interval_min INTEGER CHECK (prn_min_interval_min IS NULL OR prn_min_interval_min >= 0);
CREATE TABLE prescription_products (
    prescription_id INTEGER NOT NULL REFERENCES prescriptions(id),
    item_id         INTEGER NOT NULL REFERENCES items(id),
    PRIMARY KEY (prescription_id, item_id)
) STRICT, WITHOUT ROWID;

-- Multi-dose items (vials, bottles, pens): days a pack may be used once opened.
ALTER TABLE items ADD COLUMN in_use_days INTEGER CHECK (in_use_days IS NULL OR in_use_days >= 1);
-- A multi-dose pack kept for one patient (pens, eye drops, injectable vials),
-- not shared on the ward.
ALTER TABLE items ADD COLUMN per_patient INTEGER NOT NULL DEFAULT 0 CHECK (per_patient IN (0, 1));

-- An opened multi-dose pack on a ward: one stock unit left the ledger when
-- it was opened; the doses drawn from it are the administrations that name it.
CREATE TABLE open_packs (
    id            INTEGER PRIMARY KEY,
    place_id      INTEGER NOT NULL REFERENCES places(id),
    item_id       INTEGER NOT NULL REFERENCES items(id),
    lot_id        INTEGER NOT NULL REFERENCES lots(id),
    movement_id   INTEGER NOT NULL REFERENCES movements(id),
    -- The patient the pack is kept for (per-patient items), else NULL.
    patient_id    INTEGER REFERENCES patients(id),
    opened_at     TEXT NOT NULL,
    opened_by     INTEGER NOT NULL REFERENCES users(id),
    content_milli INTEGER NOT NULL CHECK (content_milli > 0),
    discard_at    TEXT NOT NULL,
    closed_at     TEXT,
    closed_by     INTEGER REFERENCES users(id),
    closed_reason TEXT
) STRICT;
CREATE INDEX open_packs_place_item ON open_packs(place_id, item_id);

ALTER TABLE administrations ADD COLUMN open_pack_id INTEGER REFERENCES open_packs(id);
-- The amount given, thousandths of the strength unit (all doses; a
-- multi-dose pack's remaining content is its content less these).
ALTER TABLE administrations ADD COLUMN dose_milli INTEGER;

-- What is left in each opened pack: its content less the doses drawn from it.
CREATE VIEW open_pack_left AS
SELECT o.id AS open_pack_id,
       o.content_milli - COALESCE((SELECT SUM(a.dose_milli) FROM administrations a WHERE a.open_pack_id = o.id), 0) AS remaining_milli
FROM open_packs o;
-- Doses whose window closed with nothing recorded, written by wardstock
-- itself (no user): the nurse then documents the reason with outcome missed.
CREATE TABLE missed_doses (
    prescription_id INTEGER NOT NULL REFERENCES prescriptions(id),
    scheduled_at    TEXT NOT NULL,
    detected_at     TEXT NOT NULL,
    PRIMARY KEY (prescription_id, scheduled_at)
) STRICT, WITHOUT ROWID;
