-- wardstock schema: "unable to scan" is a deliberate, reasoned choice at the
-- bedside. A dose given without scanning its pack carries a reason from the
-- ward's list (kind 'unable_to_scan'); scanning compliance is counted per
-- ward and nurse from the administrations.

-- The reason lists admit the new kind: rebuilt, as a CHECK cannot be altered.
-- Nothing refers to reason_codes.
CREATE TABLE reason_codes_new (
    id      INTEGER PRIMARY KEY,
    ward_id INTEGER REFERENCES places(id),
    kind    TEXT NOT NULL CHECK (kind IN ('held', 'refused', 'missed', 'partial', 'timing', 'unable_to_scan')),
    code    TEXT NOT NULL CHECK (length(code) BETWEEN 1 AND 16 AND code NOT GLOB '*[^A-Z0-9_]*'),
    label   TEXT NOT NULL CHECK (length(label) >= 1),
    active  INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    changed_by INTEGER REFERENCES users(id),
    changed_at TEXT
) STRICT;
INSERT INTO reason_codes_new (id, ward_id, kind, code, label, active, changed_by, changed_at)
    SELECT id, ward_id, kind, code, label, active, changed_by, changed_at FROM reason_codes;
DROP TABLE reason_codes;
ALTER TABLE reason_codes_new RENAME TO reason_codes;
CREATE UNIQUE INDEX reason_codes_unique ON reason_codes(COALESCE(ward_id, 0), kind, code);

-- The hospital list (every ward, existing and new, has it; a ward may
-- relabel, add or withdraw codes like its other lists). "other: …" stays
-- free text.
INSERT INTO reason_codes (ward_id, kind, code, label) VALUES
    (NULL, 'unable_to_scan', 'DAMAGED', 'barcode damaged or unreadable'),
    (NULL, 'unable_to_scan', 'NOBARCODE', 'no barcode on the pack'),
    (NULL, 'unable_to_scan', 'SCANNER', 'scanner not working'),
    (NULL, 'unable_to_scan', 'UNKNOWN', 'pack not in the system (barcode not recognised)'),
    (NULL, 'unable_to_scan', 'EMERGENCY', 'emergency: no time to scan');

-- Why the pack of a given dose was not scanned ("CODE: label" or
-- "OTHER: …"). NULL on a scanned dose, and on doses recorded before the
-- reason was asked (shown as "not scanned, no reason recorded").
ALTER TABLE administrations ADD COLUMN unscanned_reason TEXT;

-- The scanning report reads doses by the time they were recorded.
CREATE INDEX IF NOT EXISTS administrations_recorded_at ON administrations(recorded_at);
