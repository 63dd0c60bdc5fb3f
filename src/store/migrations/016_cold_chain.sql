-- wardstock schema: the cold chain. A cold location (a fridge, a freezer, a
-- cold room) keeps a temperature log; an excursion puts the stock of that
-- location on hold, lot by lot, until a pharmacist decides.
--
-- Temperatures are whole tenths of a degree Celsius (5.3 °C is 53).

-- A cold location's settings: its range, the time out of range allowed
-- before it is an excursion, and how often a reading is due on the ward
-- round. A row per change (who and when); the newest applies. A fridge,
-- freezer or cold room without a row keeps its kind's defaults (2–8 °C for
-- a fridge or cold room, -25 to -15 °C for a freezer; 30 min; 12 h rounds).
CREATE TABLE cold_settings (
    id              INTEGER PRIMARY KEY,
    location_id     INTEGER NOT NULL REFERENCES locations(id),
    min_tenths      INTEGER NOT NULL,
    max_tenths      INTEGER NOT NULL,
    allowed_minutes INTEGER NOT NULL CHECK (allowed_minutes >= 0),
    round_minutes   INTEGER CHECK (round_minutes IS NULL OR round_minutes > 0),
    user_id         INTEGER NOT NULL REFERENCES users(id),
    at              TEXT NOT NULL,
    CHECK (min_tenths < max_tenths)
) STRICT;
CREATE INDEX cold_settings_location ON cold_settings(location_id, id);

-- Readings: by hand on the round (current, and the minimum and maximum
-- since the last reset), or one line of a data logger's export (current
-- only). Each is attributed: who entered it, and the logger file it came from.
CREATE TABLE temperature_readings (
    id             INTEGER PRIMARY KEY,
    location_id    INTEGER NOT NULL REFERENCES locations(id),
    at             TEXT NOT NULL,
    current_tenths INTEGER NOT NULL,
    min_tenths     INTEGER,
    max_tenths     INTEGER,
    user_id        INTEGER NOT NULL REFERENCES users(id),
    source         TEXT NOT NULL CHECK (source IN ('hand', 'logger')),
    file           TEXT,
    recorded_at    TEXT NOT NULL,
    UNIQUE (location_id, at)
) STRICT;

CREATE TRIGGER temperature_readings_no_update BEFORE UPDATE ON temperature_readings
BEGIN
    SELECT RAISE(ABORT, 'temperature readings are append-only');
END;
CREATE TRIGGER temperature_readings_no_delete BEFORE DELETE ON temperature_readings
BEGIN
    SELECT RAISE(ABORT, 'temperature readings are append-only');
END;

-- An excursion: out of range for longer than allowed, or a reading missed
-- on a round. Its end and peak grow while later readings extend it.
CREATE TABLE excursions (
    id          INTEGER PRIMARY KEY,
    location_id INTEGER NOT NULL REFERENCES locations(id),
    cause       TEXT NOT NULL CHECK (cause IN ('out_of_range', 'no_reading')),
    started_at  TEXT NOT NULL,
    ended_at    TEXT NOT NULL,
    -- Still going at the last reading.
    ongoing     INTEGER NOT NULL DEFAULT 0 CHECK (ongoing IN (0, 1)),
    minutes     INTEGER NOT NULL CHECK (minutes >= 0),
    -- The reading furthest outside the range (none for a missed reading).
    peak_tenths INTEGER,
    raised_at   TEXT NOT NULL,
    raised_by   INTEGER NOT NULL REFERENCES users(id)
) STRICT;
CREATE INDEX excursions_location ON excursions(location_id, started_at);

-- A hold on a lot at one location, from an excursion, until a pharmacist
-- decides: release (the excursion's duration and peak are recorded on the
-- lot with the comment) or dispose (a waste movement). A lot's cumulative
-- time out of range is the sum of the minutes of its released holds.
CREATE TABLE cold_holds (
    id           INTEGER PRIMARY KEY,
    location_id  INTEGER NOT NULL REFERENCES locations(id),
    lot_id       INTEGER NOT NULL REFERENCES lots(id),
    excursion_id INTEGER NOT NULL REFERENCES excursions(id),
    held_at      TEXT NOT NULL,
    decision     TEXT CHECK (decision IS NULL OR decision IN ('release', 'dispose')),
    decided_by   INTEGER REFERENCES users(id),
    decided_at   TEXT,
    comment      TEXT,
    minutes      INTEGER,
    peak_tenths  INTEGER,
    movement_id  INTEGER REFERENCES movements(id),
    CHECK ((decision IS NULL) = (decided_at IS NULL)),
    CHECK (decision IS NULL OR decided_by IS NOT NULL)
) STRICT;
CREATE INDEX cold_holds_lot ON cold_holds(lot_id);
-- At most one open hold per lot and location.
CREATE UNIQUE INDEX cold_holds_open ON cold_holds(location_id, lot_id) WHERE decision IS NULL;

CREATE TRIGGER cold_holds_decided_once
BEFORE UPDATE OF location_id, lot_id, excursion_id, held_at, decision, decided_by, decided_at, comment, minutes, peak_tenths
ON cold_holds WHEN OLD.decision IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'a cold-chain decision is final');
END;
-- The disposal's movement is linked once, after the decision.
CREATE TRIGGER cold_holds_movement_once BEFORE UPDATE OF movement_id ON cold_holds
WHEN OLD.movement_id IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'a cold-chain decision is final');
END;
CREATE TRIGGER cold_holds_no_delete BEFORE DELETE ON cold_holds
BEGIN
    SELECT RAISE(ABORT, 'a cold-chain hold is never deleted: a pharmacist decides');
END;

-- The ledger's last line of defence: no unit leaves a location where its
-- lot is held (a stocktake correction excepted: it corrects the record, it
-- takes nothing out). The dispose decision closes the hold first.
CREATE TRIGGER movements_cold_hold BEFORE INSERT ON movements
WHEN NEW.from_location_id IS NOT NULL AND NEW.kind <> 'adjustment'
BEGIN
    SELECT RAISE(ABORT, 'held after a cold-chain excursion: a pharmacist decides first')
    WHERE EXISTS (SELECT 1 FROM cold_holds
                  WHERE location_id = NEW.from_location_id AND lot_id = NEW.lot_id AND decision IS NULL);
END;
CREATE TRIGGER location_moves_cold_hold BEFORE INSERT ON location_moves
BEGIN
    SELECT RAISE(ABORT, 'held after a cold-chain excursion: a pharmacist decides first')
    WHERE EXISTS (SELECT 1 FROM cold_holds
                  WHERE location_id = NEW.from_location_id AND lot_id = NEW.lot_id AND decision IS NULL);
END;
