-- wardstock schema: stock is held at a storage location inside a place
-- (a shelf or bin, a fridge, a freezer, the controlled-drug safe, the ward's
-- trolley). The place balances stay as they were; beside them a balance per
-- (place, location, lot) is kept by triggers from the same ledger, so the
-- two always add up.

-- Nothing refers to locations yet: rebuilt to admit more kinds and closing.
CREATE TABLE locations_new (
    id        INTEGER PRIMARY KEY,
    place_id  INTEGER NOT NULL REFERENCES places(id),
    code      TEXT NOT NULL,
    name      TEXT NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ('shelf', 'fridge', 'freezer', 'cold_room', 'cd_safe', 'trolley', 'other')),
    closed_at TEXT,
    UNIQUE (place_id, code)
) STRICT;
INSERT INTO locations_new (id, place_id, code, name, kind)
    SELECT id, place_id, code, name, kind FROM locations;
DROP TABLE locations;
ALTER TABLE locations_new RENAME TO locations;

-- Every place has a default location: where stock arrives when nobody says
-- where. Places without any location get one, "MAIN".
ALTER TABLE places ADD COLUMN default_location_id INTEGER REFERENCES locations(id);
INSERT INTO locations (place_id, code, name, kind)
    SELECT p.id, 'MAIN', 'Main store', 'shelf' FROM places p
    WHERE NOT EXISTS (SELECT 1 FROM locations l WHERE l.place_id = p.id);
UPDATE places SET default_location_id = (
    SELECT l.id FROM locations l WHERE l.place_id = places.id
    ORDER BY CASE l.kind WHEN 'shelf' THEN 0 WHEN 'trolley' THEN 1 ELSE 2 END, l.id LIMIT 1);
-- Where the stock found at migration was put; never changed afterwards, so
-- the ledger of movements written before locations existed still adds up
-- when the default location is changed.
ALTER TABLE places ADD COLUMN legacy_location_id INTEGER REFERENCES locations(id);
UPDATE places SET legacy_location_id = default_location_id;

-- Where an item is kept at a place, when not its place's default (and not
-- the obvious one: a fridge for cold items, the safe for controlled drugs).
CREATE TABLE item_locations (
    place_id    INTEGER NOT NULL REFERENCES places(id),
    item_id     INTEGER NOT NULL REFERENCES items(id),
    location_id INTEGER NOT NULL REFERENCES locations(id),
    PRIMARY KEY (place_id, item_id)
) STRICT, WITHOUT ROWID;

-- Movements say where the units left and arrived. Movements written before
-- locations existed have none: they count at their place's legacy location,
-- where the migration put all stock.
ALTER TABLE movements ADD COLUMN from_location_id INTEGER REFERENCES locations(id);
ALTER TABLE movements ADD COLUMN to_location_id INTEGER REFERENCES locations(id);

CREATE TABLE location_balances (
    place_id    INTEGER NOT NULL REFERENCES places(id),
    location_id INTEGER NOT NULL REFERENCES locations(id),
    lot_id      INTEGER NOT NULL REFERENCES lots(id),
    item_id     INTEGER NOT NULL REFERENCES items(id),
    qty         INTEGER NOT NULL CHECK (qty >= 0),
    PRIMARY KEY (place_id, lot_id, location_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX location_balances_location ON location_balances(location_id, lot_id);

INSERT INTO location_balances (place_id, location_id, lot_id, item_id, qty)
    SELECT b.place_id, p.legacy_location_id, b.lot_id, b.item_id, b.qty
    FROM balances b JOIN places p ON p.id = b.place_id WHERE b.qty > 0;

CREATE TRIGGER movements_location_out AFTER INSERT ON movements
WHEN NEW.from_place_id IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'a movement out of a place must name the storage location it leaves')
    WHERE NEW.from_location_id IS NULL;
    -- (A location holds stock only at its own place: the check below also
    -- refuses a location of another place.)
    SELECT RAISE(ABORT, 'not enough stock at the storage location: the movement would take it below zero')
    WHERE NOT EXISTS (SELECT 1 FROM location_balances
                      WHERE place_id = NEW.from_place_id AND location_id = NEW.from_location_id
                        AND lot_id = NEW.lot_id AND qty >= NEW.qty);
    UPDATE location_balances SET qty = qty - NEW.qty
    WHERE place_id = NEW.from_place_id AND location_id = NEW.from_location_id AND lot_id = NEW.lot_id;
    DELETE FROM location_balances
    WHERE place_id = NEW.from_place_id AND location_id = NEW.from_location_id AND lot_id = NEW.lot_id AND qty = 0;
END;

CREATE TRIGGER movements_location_in AFTER INSERT ON movements
WHEN NEW.to_place_id IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'a movement into a place must name the storage location it arrives at')
    WHERE NEW.to_location_id IS NULL;
    SELECT RAISE(ABORT, 'the storage location is not in the place the units arrive at')
    WHERE (SELECT place_id FROM locations WHERE id = NEW.to_location_id) IS NOT NEW.to_place_id;
    INSERT INTO location_balances (place_id, location_id, lot_id, item_id, qty)
    VALUES (NEW.to_place_id, NEW.to_location_id, NEW.lot_id, NEW.item_id, NEW.qty)
    ON CONFLICT (place_id, lot_id, location_id) DO UPDATE SET qty = qty + NEW.qty;
END;

-- Moving units between two locations of one place: not a movement of the
-- place's stock, so kept in its own append-only book.
CREATE TABLE location_moves (
    id               INTEGER PRIMARY KEY,
    at               TEXT NOT NULL,
    user_id          INTEGER NOT NULL REFERENCES users(id),
    place_id         INTEGER NOT NULL REFERENCES places(id),
    item_id          INTEGER NOT NULL REFERENCES items(id),
    lot_id           INTEGER NOT NULL REFERENCES lots(id),
    from_location_id INTEGER NOT NULL REFERENCES locations(id),
    to_location_id   INTEGER NOT NULL REFERENCES locations(id),
    qty              INTEGER NOT NULL CHECK (qty > 0),
    reason           TEXT,
    CHECK (from_location_id <> to_location_id)
) STRICT;
CREATE INDEX location_moves_lot ON location_moves(lot_id);
CREATE INDEX location_moves_place_item ON location_moves(place_id, item_id, at);

CREATE TRIGGER location_moves_no_update BEFORE UPDATE ON location_moves
BEGIN
    SELECT RAISE(ABORT, 'moves between locations are append-only: record a move back instead');
END;
CREATE TRIGGER location_moves_no_delete BEFORE DELETE ON location_moves
BEGIN
    SELECT RAISE(ABORT, 'moves between locations are append-only: record a move back instead');
END;

CREATE TRIGGER location_moves_apply AFTER INSERT ON location_moves
BEGIN
    SELECT RAISE(ABORT, 'both storage locations must be in the place')
    WHERE (SELECT place_id FROM locations WHERE id = NEW.from_location_id) IS NOT NEW.place_id
       OR (SELECT place_id FROM locations WHERE id = NEW.to_location_id) IS NOT NEW.place_id;
    SELECT RAISE(ABORT, 'move lot belongs to another item')
    WHERE (SELECT item_id FROM lots WHERE id = NEW.lot_id) IS NOT NEW.item_id;
    SELECT RAISE(ABORT, 'not enough stock at the storage location: the move would take it below zero')
    WHERE NOT EXISTS (SELECT 1 FROM location_balances
                      WHERE place_id = NEW.place_id AND location_id = NEW.from_location_id
                        AND lot_id = NEW.lot_id AND qty >= NEW.qty);
    UPDATE location_balances SET qty = qty - NEW.qty
    WHERE place_id = NEW.place_id AND location_id = NEW.from_location_id AND lot_id = NEW.lot_id;
    DELETE FROM location_balances
    WHERE place_id = NEW.place_id AND location_id = NEW.from_location_id AND lot_id = NEW.lot_id AND qty = 0;
    INSERT INTO location_balances (place_id, location_id, lot_id, item_id, qty)
    VALUES (NEW.place_id, NEW.to_location_id, NEW.lot_id, NEW.item_id, NEW.qty)
    ON CONFLICT (place_id, lot_id, location_id) DO UPDATE SET qty = qty + NEW.qty;
END;

-- A stocktake may count one location of its place.
ALTER TABLE stocktakes ADD COLUMN location_id INTEGER REFERENCES locations(id);

