//! A report's sheets written out: as text tables on the terminal, or as
//! CSV or XLSX files (their bytes made by `i18n::sheet_files`).

use std::path::Path;

use anyhow::Result;
use comfy_table::{CellAlignment, Table, presets::UTF8_BORDERS_ONLY};

use super::args::ReportOut;
use crate::i18n::sheet::{Cell, Report, Sheet};
use crate::i18n::sheet_files;
use crate::t;

/// A report where it was asked to go: a CSV file (and one beside it for
/// each further sheet), an XLSX workbook, or text on the terminal.
/// `written` is the line that says what went to the file. (`--json` is
/// printed before, from the report's data.)
pub(super) fn emit(
    report: &Report,
    out: &ReportOut,
    written: impl Fn(&Path) -> String,
) -> Result<()> {
    if let Some(path) = &out.csv {
        let files = write_csv(path, report)?;
        println!("{}", written(path));
        for (f, s) in files.iter().zip(&report.sheets).skip(1) {
            println!(
                "{}",
                t!(
                    "cli.report.also_written",
                    sheet = s.name,
                    path = f.display()
                )
            );
        }
        return Ok(());
    }
    if let Some(path) = &out.xlsx {
        let bytes = sheet_files::xlsx_bytes(report)
            .map_err(|why| anyhow::anyhow!(t!("cli.report.cannot_make", why = why)))?;
        super::reports::write_whole(path, &bytes)?;
        println!("{}", written(path));
        return Ok(());
    }
    print_text(report);
    Ok(())
}

/// The report as text tables, one per sheet, with its totals and notes.
pub(super) fn print_text(r: &Report) {
    if !r.title.is_empty() {
        println!("{}", r.title);
    }
    for (i, s) in r.sheets.iter().enumerate() {
        if i > 0 {
            println!();
        }
        print!("{}", sheet_text(s));
    }
}

/// One sheet as text: its title, the table (numbers right-aligned) and the
/// lines under it.
pub(super) fn sheet_text(s: &Sheet) -> String {
    let mut out = String::new();
    if !s.title.is_empty() {
        out.push_str(&s.title);
        out.push('\n');
    }
    if !s.rows.is_empty() || s.total.is_some() {
        let mut t = Table::new();
        t.load_preset(UTF8_BORDERS_ONLY)
            .set_header(s.columns.iter().map(|c| c.heading.clone()));
        for row in s.rows.iter().chain(s.total.iter()) {
            t.add_row(row.iter().map(Cell::text));
        }
        for (i, _) in s.columns.iter().enumerate() {
            let number = s
                .rows
                .iter()
                .chain(s.total.iter())
                .any(|r| r.get(i).is_some_and(Cell::is_number));
            if number && let Some(col) = t.column_mut(i) {
                col.set_cell_alignment(CellAlignment::Right);
            }
        }
        out.push_str(&t.to_string());
        out.push('\n');
    }
    for n in &s.notes {
        out.push_str(n);
        out.push('\n');
    }
    out
}

/// Writes the report's first sheet to `path` as CSV, and each further
/// sheet beside it as `NAME-KEY.csv`; whole or not at all. Gives the files
/// written.
pub(super) fn write_csv(path: &Path, r: &Report) -> Result<Vec<std::path::PathBuf>> {
    let mut written = Vec::new();
    for (i, s) in r.sheets.iter().enumerate() {
        let p = if i == 0 {
            path.to_path_buf()
        } else {
            let stem = path
                .file_stem()
                .and_then(|x| x.to_str())
                .unwrap_or("report");
            path.with_file_name(format!("{stem}-{}.csv", s.key))
        };
        super::reports::write_whole(&p, &sheet_files::csv_bytes(s))?;
        written.push(p);
    }
    Ok(written)
}
