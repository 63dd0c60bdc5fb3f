-- The GS1 GSRN (AI 8018, "GSRN – recipient") printed on a patient's
-- wristband: 18 digits ending in a mod-10 check digit, checked on entry.
-- A patient has at most one, and no two patients share one.
ALTER TABLE patients ADD COLUMN gsrn TEXT CHECK (gsrn IS NULL OR (length(gsrn) = 18 AND gsrn NOT GLOB '*[^0-9]*'));
CREATE UNIQUE INDEX patients_gsrn ON patients(gsrn) WHERE gsrn IS NOT NULL;
