-- Units of each item at each place in lots whose status is ok, expired or
-- not: what the stock warnings read as usable stock, less the expired lots
-- they read anyway. Kept by the triggers below on every change of a
-- balance (a movement, a lot recalled, quarantined or released).
CREATE TABLE ok_totals (
    place_id INTEGER NOT NULL,
    item_id  INTEGER NOT NULL,
    qty      INTEGER NOT NULL,
    PRIMARY KEY (place_id, item_id)
) STRICT, WITHOUT ROWID;

INSERT INTO ok_totals (place_id, item_id, qty)
SELECT place_id, item_id, SUM(qty) FROM balances WHERE status = 'ok' GROUP BY place_id, item_id;

CREATE TRIGGER balances_ok_totals_in AFTER INSERT ON balances
WHEN NEW.status = 'ok'
BEGIN
    INSERT INTO ok_totals (place_id, item_id, qty) VALUES (NEW.place_id, NEW.item_id, NEW.qty)
    ON CONFLICT (place_id, item_id) DO UPDATE SET qty = qty + excluded.qty;
END;

CREATE TRIGGER balances_ok_totals_out AFTER DELETE ON balances
WHEN OLD.status = 'ok'
BEGIN
    UPDATE ok_totals SET qty = qty - OLD.qty
    WHERE place_id = OLD.place_id AND item_id = OLD.item_id;
END;

CREATE TRIGGER balances_ok_totals_change AFTER UPDATE OF qty, status ON balances
WHEN OLD.status = 'ok' OR NEW.status = 'ok'
BEGIN
    INSERT INTO ok_totals (place_id, item_id, qty)
    VALUES (NEW.place_id, NEW.item_id,
            (CASE WHEN NEW.status = 'ok' THEN NEW.qty ELSE 0 END)
          - (CASE WHEN OLD.status = 'ok' THEN OLD.qty ELSE 0 END))
    ON CONFLICT (place_id, item_id) DO UPDATE SET qty = qty + excluded.qty;
END;
