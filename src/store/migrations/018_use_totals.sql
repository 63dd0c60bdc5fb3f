-- Units used at each place and item, summed by the day (UTC) of their
-- movement and running on from the first day: what left a place to be
-- given, issued or sent on. The use over a period is the difference of two
-- rows, so the warnings read a rate of use without summing the ledger.
-- Kept by the trigger below on every movement, backdated ones included.
CREATE TABLE use_totals (
    place_id INTEGER NOT NULL,
    item_id  INTEGER NOT NULL,
    day      TEXT NOT NULL,
    -- Units used on this day and every day before it.
    running  INTEGER NOT NULL,
    PRIMARY KEY (place_id, item_id, day)
) STRICT, WITHOUT ROWID;

INSERT INTO use_totals (place_id, item_id, day, running)
SELECT place_id, item_id, day, SUM(qty) OVER (PARTITION BY place_id, item_id ORDER BY day)
FROM (SELECT from_place_id AS place_id, item_id, substr(at, 1, 10) AS day, SUM(qty) AS qty
      FROM movements
      WHERE from_place_id IS NOT NULL AND kind IN ('administration', 'issue', 'transfer')
      GROUP BY 1, 2, 3);

CREATE TRIGGER movements_use_totals AFTER INSERT ON movements
WHEN NEW.from_place_id IS NOT NULL AND NEW.kind IN ('administration', 'issue', 'transfer')
BEGIN
    INSERT INTO use_totals (place_id, item_id, day, running)
    VALUES (NEW.from_place_id, NEW.item_id, substr(NEW.at, 1, 10),
            COALESCE((SELECT running FROM use_totals
                      WHERE place_id = NEW.from_place_id AND item_id = NEW.item_id
                        AND day < substr(NEW.at, 1, 10)
                      ORDER BY day DESC LIMIT 1), 0) + NEW.qty)
    ON CONFLICT (place_id, item_id, day) DO UPDATE SET running = running + NEW.qty;
    -- A movement dated before later days already summed (recorded late).
    UPDATE use_totals SET running = running + NEW.qty
    WHERE place_id = NEW.from_place_id AND item_id = NEW.item_id AND day > substr(NEW.at, 1, 10);
END;
