-- wardstock schema, version 8: keeping the site's people and products.

-- A PIN given by an administrator (a reset, a new user) is one-time: it
-- must be changed at the next sign-in (`wardstock pin`).
ALTER TABLE users ADD COLUMN must_change_pin INTEGER NOT NULL DEFAULT 0 CHECK (must_change_pin IN (0, 1));

-- Nothing the ledger refers to is deleted: items are retired, places closed.
ALTER TABLE items ADD COLUMN retired_at TEXT;
ALTER TABLE places ADD COLUMN closed_at TEXT;

-- Admission, transfer and discharge (ADT).
ALTER TABLE patients ADD COLUMN sex TEXT CHECK (sex IS NULL OR sex IN ('female', 'male', 'other', 'unknown'));
ALTER TABLE patients ADD COLUMN admitted_at TEXT;
ALTER TABLE patients ADD COLUMN discharged_at TEXT;
