-- The place each user chose last at the console (their ward), where they
-- start at the next sign-in (NULL: their role's first place).
ALTER TABLE users ADD COLUMN place_id INTEGER REFERENCES places(id);
