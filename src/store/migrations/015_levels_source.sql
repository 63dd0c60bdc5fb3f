-- wardstock schema: where an item's stock levels at a place came from. Levels
-- a manager set by hand are kept when levels are set again from use, unless
-- asked to replace them; levels stored before this was recorded have none.
ALTER TABLE stock_policies ADD COLUMN source TEXT CHECK (source IS NULL OR source IN ('manual', 'use'));
ALTER TABLE stock_policies ADD COLUMN set_by INTEGER REFERENCES users(id);
ALTER TABLE stock_policies ADD COLUMN set_at TEXT;
