-- wardstock schema, version 2: the records of stock operations.

-- Quarantine, release and recall of lots, attributed.
CREATE TABLE lot_events (
    id      INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users(id),
    lot_id  INTEGER NOT NULL REFERENCES lots(id),
    action  TEXT NOT NULL CHECK (action IN ('quarantine', 'release', 'recall')),
    reason  TEXT NOT NULL
) STRICT;
CREATE INDEX lot_events_lot ON lot_events(lot_id);

-- Delivery lines refused at the quality check: nothing enters stock.
CREATE TABLE receipt_rejections (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    item_id    INTEGER NOT NULL REFERENCES items(id),
    lot_number TEXT NOT NULL,
    expiry     TEXT,
    qty        INTEGER NOT NULL CHECK (qty > 0),
    supplier   TEXT,
    reason     TEXT NOT NULL
) STRICT;

CREATE TABLE transfer_orders (
    id            INTEGER PRIMARY KEY,
    created_at    TEXT NOT NULL,
    created_by    INTEGER NOT NULL REFERENCES users(id),
    from_place_id INTEGER NOT NULL REFERENCES places(id),
    to_place_id   INTEGER NOT NULL REFERENCES places(id),
    status        TEXT NOT NULL CHECK (status IN ('open', 'in_transit', 'received', 'cancelled')),
    dispatched_at TEXT,
    received_at   TEXT,
    received_by   INTEGER REFERENCES users(id),
    note          TEXT
) STRICT;

CREATE TABLE transfer_lines (
    id            INTEGER PRIMARY KEY,
    order_id      INTEGER NOT NULL REFERENCES transfer_orders(id),
    item_id       INTEGER NOT NULL REFERENCES items(id),
    qty_requested INTEGER NOT NULL CHECK (qty_requested > 0),
    UNIQUE (order_id, item_id)
) STRICT;

-- Every pack picked for a transfer line; its units moved to the transit place.
CREATE TABLE picks (
    id               INTEGER PRIMARY KEY,
    line_id          INTEGER NOT NULL REFERENCES transfer_lines(id),
    lot_id           INTEGER NOT NULL REFERENCES lots(id),
    qty              INTEGER NOT NULL CHECK (qty > 0),
    suggested_lot_id INTEGER REFERENCES lots(id),
    deviation        INTEGER NOT NULL CHECK (deviation IN (0, 1)),
    scanned          INTEGER NOT NULL CHECK (scanned IN (0, 1)),
    at               TEXT NOT NULL,
    user_id          INTEGER NOT NULL REFERENCES users(id),
    movement_id      INTEGER NOT NULL REFERENCES movements(id)
) STRICT;
CREATE INDEX picks_line ON picks(line_id);

CREATE TABLE stocktakes (
    id          INTEGER PRIMARY KEY,
    place_id    INTEGER NOT NULL REFERENCES places(id),
    filter      TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL CHECK (status IN ('open', 'approved', 'cancelled')),
    started_at  TEXT NOT NULL,
    started_by  INTEGER NOT NULL REFERENCES users(id),
    approved_at TEXT,
    approved_by INTEGER REFERENCES users(id)
) STRICT;

-- One line per lot: the stock expected when counting started, and the count.
CREATE TABLE stocktake_lines (
    stocktake_id INTEGER NOT NULL REFERENCES stocktakes(id),
    lot_id       INTEGER NOT NULL REFERENCES lots(id),
    item_id      INTEGER NOT NULL REFERENCES items(id),
    expected     INTEGER NOT NULL,
    counted      INTEGER CHECK (counted >= 0),
    counted_by   INTEGER REFERENCES users(id),
    counted_at   TEXT,
    PRIMARY KEY (stocktake_id, lot_id)
) STRICT, WITHOUT ROWID;
