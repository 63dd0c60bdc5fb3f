//! Pure planning: MRP netting, lot sizing and (later) the policy simulation.
//! No I/O here: no rusqlite, ratatui or crossterm.
