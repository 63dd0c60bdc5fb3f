-- wardstock schema, version 9: a removed allergy stays on the patient's
-- record (who removed it, when, why); suppliers' contacts.

-- Nothing clinical is deleted: an allergy recorded in error is marked
-- removed. Readers of a patient's current allergies skip removed rows;
-- the record shows them as history.
ALTER TABLE patient_allergies ADD COLUMN removed_at TEXT;
ALTER TABLE patient_allergies ADD COLUMN removed_by INTEGER REFERENCES users(id);
ALTER TABLE patient_allergies ADD COLUMN removed_reason TEXT;

CREATE TRIGGER patient_allergies_no_delete BEFORE DELETE ON patient_allergies
BEGIN
    SELECT RAISE(ABORT, 'allergies are never deleted: they are marked removed');
END;

-- A removed allergy is history: it is not changed again (recording the
-- substance again makes a new row).
CREATE TRIGGER patient_allergies_removed_kept BEFORE UPDATE ON patient_allergies
WHEN OLD.removed_at IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'a removed allergy is kept as it was');
END;

-- Phone, e-mail, the person to ask: free text.
ALTER TABLE suppliers ADD COLUMN contact TEXT;
