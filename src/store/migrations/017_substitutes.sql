-- Therapeutic substitutes the pharmacist approved for an item: the same
-- substance (ATC level 5) at another strength or form, or an approved
-- alternative. The dose converts by strength (2 × 500 mg for 1 g).
CREATE TABLE substitutes (
    item_id       INTEGER NOT NULL REFERENCES items(id),
    substitute_id INTEGER NOT NULL REFERENCES items(id),
    -- 1: not the same substance, approved as an alternative all the same.
    alternative   INTEGER NOT NULL DEFAULT 0 CHECK (alternative IN (0, 1)),
    note          TEXT,
    approved_by   INTEGER NOT NULL REFERENCES users(id),
    approved_at   TEXT NOT NULL,
    PRIMARY KEY (item_id, substitute_id),
    CHECK (item_id <> substitute_id)
) STRICT, WITHOUT ROWID;

-- A substitute a pharmacist allowed for one prescription when its item was
-- short (the product also joins the prescription's allowed products).
CREATE TABLE prescription_substitutions (
    id              INTEGER PRIMARY KEY,
    prescription_id INTEGER NOT NULL REFERENCES prescriptions(id),
    item_id         INTEGER NOT NULL REFERENCES items(id),
    approved_by     INTEGER NOT NULL REFERENCES users(id),
    approved_at     TEXT NOT NULL,
    reason          TEXT NOT NULL
) STRICT;
CREATE INDEX prescription_substitutions_rx ON prescription_substitutions(prescription_id);
