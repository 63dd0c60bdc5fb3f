-- wardstock schema, version 5: suppliers and purchase orders, the planning
-- parameters per place and item, and the planner's decisions.

CREATE TABLE suppliers (
    id        INTEGER PRIMARY KEY,
    code      TEXT NOT NULL UNIQUE,
    name      TEXT NOT NULL,
    lead_days INTEGER NOT NULL DEFAULT 1 CHECK (lead_days >= 0)
) STRICT;

-- When a ward delivery is needed on the ward (from an accepted plan
-- suggestion); without it, as soon as it can be picked and carried.
ALTER TABLE transfer_orders ADD COLUMN needed_at TEXT;

-- The supplier an item is ordered from (its lead time then counts).
ALTER TABLE items ADD COLUMN supplier_id INTEGER REFERENCES suppliers(id);

CREATE TABLE purchase_orders (
    id          INTEGER PRIMARY KEY,
    supplier_id INTEGER NOT NULL REFERENCES suppliers(id),
    status      TEXT NOT NULL CHECK (status IN ('open', 'partial', 'received', 'cancelled')),
    created_at  TEXT NOT NULL,
    created_by  INTEGER NOT NULL REFERENCES users(id),
    expected_at TEXT NOT NULL,
    note        TEXT
) STRICT;

CREATE TABLE purchase_order_lines (
    id       INTEGER PRIMARY KEY,
    order_id INTEGER NOT NULL REFERENCES purchase_orders(id),
    item_id  INTEGER NOT NULL REFERENCES items(id),
    -- dose units
    qty      INTEGER NOT NULL CHECK (qty > 0),
    received INTEGER NOT NULL DEFAULT 0 CHECK (received >= 0),
    UNIQUE (order_id, item_id)
) STRICT;

-- Each receipt against a purchase order line, for the supplier's on-time
-- and quantity performance.
CREATE TABLE purchase_receipts (
    id          INTEGER PRIMARY KEY,
    line_id     INTEGER NOT NULL REFERENCES purchase_order_lines(id),
    movement_id INTEGER NOT NULL REFERENCES movements(id),
    at          TEXT NOT NULL,
    qty         INTEGER NOT NULL CHECK (qty > 0)
) STRICT;

-- How MRP sizes the orders of a place and item (a missing row: lot-for-lot).
CREATE TABLE planning_params (
    place_id    INTEGER NOT NULL REFERENCES places(id),
    item_id     INTEGER NOT NULL REFERENCES items(id),
    rule        TEXT NOT NULL CHECK (rule IN ('lot_for_lot', 'fixed_quantity', 'period', 'eoq', 'min_max')),
    qty         INTEGER,
    periods     INTEGER,
    order_cost  REAL,
    holding_cost REAL,
    min_qty     INTEGER,
    max_qty     INTEGER,
    min_order   INTEGER NOT NULL DEFAULT 0 CHECK (min_order >= 0),
    changed_by  INTEGER NOT NULL REFERENCES users(id),
    changed_at  TEXT NOT NULL,
    PRIMARY KEY (place_id, item_id)
) STRICT, WITHOUT ROWID;

-- What the planner did with a suggestion: accepted (with the order it
-- created) or rejected (with the reason).
CREATE TABLE plan_decisions (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    user_id   INTEGER NOT NULL REFERENCES users(id),
    decision  TEXT NOT NULL CHECK (decision IN ('accepted', 'rejected')),
    place_id  INTEGER NOT NULL REFERENCES places(id),
    item_id   INTEGER NOT NULL REFERENCES items(id),
    suggested INTEGER NOT NULL,
    qty       INTEGER,
    order_ref TEXT,
    reason    TEXT
) STRICT;
