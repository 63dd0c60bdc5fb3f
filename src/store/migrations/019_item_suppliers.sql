-- wardstock schema, version 19: several suppliers per item, each with its
-- own lead time, price and pack, one of them preferred; and the site's
-- "critical item" flag (an item the wards must never be without).

CREATE TABLE item_suppliers (
    item_id     INTEGER NOT NULL REFERENCES items(id),
    supplier_id INTEGER NOT NULL REFERENCES suppliers(id),
    -- Days from order to delivery; NULL: the supplier's lead time.
    lead_days   INTEGER CHECK (lead_days IS NULL OR lead_days >= 0),
    -- The supplier's price of one dose unit, in cents; NULL: the item's.
    price_cents INTEGER CHECK (price_cents IS NULL OR price_cents >= 0),
    -- Dose units in the supplier's pack; NULL: the item's pack.
    units_per_pack INTEGER CHECK (units_per_pack IS NULL OR units_per_pack >= 1),
    preferred   INTEGER NOT NULL DEFAULT 0 CHECK (preferred IN (0, 1)),
    -- NULL: carried over from the item's one supplier when this table came.
    changed_by  INTEGER REFERENCES users(id),
    changed_at  TEXT NOT NULL,
    PRIMARY KEY (item_id, supplier_id)
) STRICT, WITHOUT ROWID;

-- At most one preferred supplier per item.
CREATE UNIQUE INDEX item_suppliers_preferred ON item_suppliers(item_id) WHERE preferred = 1;
CREATE INDEX item_suppliers_supplier ON item_suppliers(supplier_id);

-- Every item's one supplier becomes its preferred supplier.
INSERT INTO item_suppliers (item_id, supplier_id, preferred, changed_at)
SELECT id, supplier_id, 1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
FROM items WHERE supplier_id IS NOT NULL;

-- items.supplier_id keeps meaning "the preferred supplier": whoever sets it
-- (the item's edit, an import) makes that supplier the preferred one; no
-- supplier at all leaves the item with none.
CREATE TRIGGER items_supplier_preferred AFTER UPDATE OF supplier_id ON items
WHEN NEW.supplier_id IS NOT NULL AND NEW.supplier_id IS NOT OLD.supplier_id
BEGIN
    INSERT OR IGNORE INTO item_suppliers (item_id, supplier_id, preferred, changed_at)
    VALUES (NEW.id, NEW.supplier_id, 0, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    UPDATE item_suppliers SET preferred = 0 WHERE item_id = NEW.id AND supplier_id <> NEW.supplier_id AND preferred = 1;
    UPDATE item_suppliers SET preferred = 1 WHERE item_id = NEW.id AND supplier_id = NEW.supplier_id;
END;

CREATE TRIGGER items_supplier_new AFTER INSERT ON items
WHEN NEW.supplier_id IS NOT NULL
BEGIN
    INSERT OR IGNORE INTO item_suppliers (item_id, supplier_id, preferred, changed_at)
    VALUES (NEW.id, NEW.supplier_id, 1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
END;

CREATE TRIGGER items_supplier_none AFTER UPDATE OF supplier_id ON items
WHEN NEW.supplier_id IS NULL AND OLD.supplier_id IS NOT NULL
BEGIN
    DELETE FROM item_suppliers WHERE item_id = NEW.id;
END;

-- A critical item: the wards must never be without it (with high-alert
-- drugs and time-critical prescriptions, one supplier only is a risk).
ALTER TABLE items ADD COLUMN critical INTEGER NOT NULL DEFAULT 0 CHECK (critical IN (0, 1));
