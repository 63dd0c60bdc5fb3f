-- wardstock schema: the controlled-drug register. Every movement of a
-- controlled drug is signed by a second authorised user; the signature is
-- kept beside the movement (a pick is signed when its order is dispatched,
-- so a signature may come after its movement, never changed afterwards).
CREATE TABLE movement_witnesses (
    id          INTEGER PRIMARY KEY,
    movement_id INTEGER NOT NULL UNIQUE REFERENCES movements(id),
    witness_id  INTEGER NOT NULL REFERENCES users(id),
    signed_at   TEXT NOT NULL
) STRICT;

CREATE TRIGGER movement_witnesses_no_update BEFORE UPDATE ON movement_witnesses
BEGIN
    SELECT RAISE(ABORT, 'a controlled-drug signature cannot be changed');
END;

CREATE TRIGGER movement_witnesses_no_delete BEFORE DELETE ON movement_witnesses
BEGIN
    SELECT RAISE(ABORT, 'a controlled-drug signature cannot be removed');
END;

-- The ward counts a controlled line of a delivery before confirming it.
ALTER TABLE transfer_lines ADD COLUMN received_count INTEGER;

-- A controlled-drug check is a stocktake of every controlled drug at a
-- place, approved with a second signature; each variance of a controlled
-- drug is explained before approval.
ALTER TABLE stocktakes ADD COLUMN controlled INTEGER NOT NULL DEFAULT 0 CHECK (controlled IN (0, 1));
ALTER TABLE stocktakes ADD COLUMN witness_id INTEGER REFERENCES users(id);
ALTER TABLE stocktake_lines ADD COLUMN explanation TEXT;
