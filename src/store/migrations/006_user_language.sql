-- Each user's own language for the console and the command line
-- (NULL: the system's). en or zh-CN.
ALTER TABLE users ADD COLUMN lang TEXT CHECK (lang IS NULL OR lang IN ('en', 'zh-CN'));
