//! `wardstock mrp --input FILE [--json]`: plans a problem file with the MRP
//! engine and prints the plan. Needs no database.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

use super::report;
use crate::planning::{mrp, problem::Problem};
use crate::t;

/// Reads, validates and plans the problem in `input`; prints the plan as
/// pretty JSON (`json`) or as a text report. A malformed problem is reported
/// on stderr, naming the field, with exit code 2.
pub fn run(input: &Path, json: bool) -> Result<i32> {
    let text = std::fs::read_to_string(input)
        .with_context(|| t!("cli.mrp.cannot_read", path = input.display()))?;
    let problem = match Problem::from_json(&text) {
        Ok(p) => p,
        Err(e) => {
            super::print_refusal(&format!("{}: {e}", input.display()), "input");
            return Ok(2);
        }
    };
    let plan = mrp::plan(&problem);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if json {
        serde_json::to_writer_pretty(&mut out, &plan).context(t!("cli.mrp.cannot_write"))?;
        writeln!(out)?;
    } else {
        out.write_all(report::render_text(&plan).as_bytes())?;
    }
    out.flush()?;
    Ok(0)
}
