//! A report's sheets as the bytes of a file: CSV (one sheet, UTF-8 with a
//! BOM so a spreadsheet reads Chinese right, as the exports) and XLSX (the
//! whole report, a worksheet per sheet, numbers as numbers, dates as
//! dates). The CLI writes these bytes to files; the console's export does
//! the same without going through the CLI.

use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use super::sheet::{Cell, Report, Sheet};

/// One sheet as CSV: the column keys (stable English, what a formula or a
/// script refers to), the rows, the totals row; each cell in its machine
/// form ([`Cell::csv`]).
pub fn csv_bytes(s: &Sheet) -> Vec<u8> {
    let mut w = csv::Writer::from_writer("\u{feff}".as_bytes().to_vec());
    // Writing to memory cannot fail.
    let _ = w.write_record(s.columns.iter().map(|c| c.key));
    for row in s.rows.iter().chain(s.total.iter()) {
        let _ = w.write_record(row.iter().map(Cell::csv));
    }
    w.into_inner().unwrap_or_default()
}

/// The widest a column is made, in characters.
const MAX_WIDTH: usize = 60;

/// The formats of a workbook's cells: each kind of number with its own,
/// and the same in bold for the totals row.
struct Formats {
    units: Format,
    money: Format,
    date: Format,
    datetime: Format,
    days: Format,
    percent: Format,
    text: Format,
    bold: bool,
}

impl Formats {
    fn new(bold: bool) -> Formats {
        let f = |num: &str| {
            let f = Format::new().set_num_format(num);
            if bold { f.set_bold() } else { f }
        };
        Formats {
            units: f("#,##0"),
            money: f("#,##0.00"),
            date: f("yyyy-mm-dd"),
            datetime: f("yyyy-mm-dd hh:mm"),
            days: f("0.0"),
            percent: f("0.0%"),
            text: if bold {
                Format::new().set_bold()
            } else {
                Format::new()
            },
            bold,
        }
    }
}

/// The whole report as an XLSX workbook: a worksheet per sheet, named by
/// the sheet (at most 31 characters, unique, none of `[]:*?/\`), its title
/// in the first row, the column headings in bold and frozen under it, the
/// rows with numbers as numbers and dates as dates, the totals row in
/// bold, the notes under the table.
pub fn xlsx_bytes(r: &Report) -> Result<Vec<u8>, String> {
    let mut book = Workbook::new();
    let mut names: Vec<String> = Vec::new();
    for s in &r.sheets {
        let name = sheet_name(&s.name, s.key, &names);
        names.push(name.clone());
        let ws = book.add_worksheet();
        ws.set_name(name.as_str()).map_err(|e| e.to_string())?;
        let title = if s.title.is_empty() {
            &r.title
        } else {
            &s.title
        };
        write_sheet(ws, title, s).map_err(|e| e.to_string())?;
    }
    if r.sheets.is_empty() {
        book.add_worksheet();
    }
    book.save_to_buffer().map_err(|e| e.to_string())
}

fn write_sheet(ws: &mut Worksheet, title: &str, s: &Sheet) -> Result<(), XlsxError> {
    let plain = Formats::new(false);
    let bold = Formats::new(true);
    let heading = Format::new().set_bold();
    ws.write_string_with_format(0, 0, title, &heading)?;
    let mut widths: Vec<usize> = s.columns.iter().map(|c| super::width(&c.heading)).collect();
    for (c, col) in s.columns.iter().enumerate() {
        ws.write_string_with_format(1, col_num(c), &col.heading, &heading)?;
    }
    ws.set_freeze_panes(2, 0)?;
    let mut row: u32 = 2;
    let total = s.total.iter().map(|t| (t, &bold));
    for (cells, f) in s.rows.iter().map(|r| (r, &plain)).chain(total) {
        for (c, cell) in cells.iter().enumerate() {
            write_cell(ws, row, col_num(c), cell, f)?;
            if let Some(w) = widths.get_mut(c) {
                *w = (*w).max(super::width(&cell.text()));
            }
        }
        row += 1;
    }
    for (i, n) in s.notes.iter().enumerate() {
        ws.write_string(row + 1 + i as u32, 0, n)?;
    }
    for (c, w) in widths.into_iter().enumerate() {
        ws.set_column_width(col_num(c), (w.min(MAX_WIDTH) + 2) as f64)?;
    }
    Ok(())
}

fn col_num(c: usize) -> u16 {
    u16::try_from(c).unwrap_or(u16::MAX)
}

fn write_cell(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    cell: &Cell,
    f: &Formats,
) -> Result<(), XlsxError> {
    match cell {
        Cell::Empty => {
            if f.bold {
                ws.write_blank(row, col, &f.text)?;
            }
        }
        Cell::Text(t) => {
            ws.write_string_with_format(row, col, t, &f.text)?;
        }
        Cell::Coded { text, .. } => {
            ws.write_string_with_format(row, col, text, &f.text)?;
        }
        Cell::Units(n) => {
            ws.write_number_with_format(row, col, *n as f64, &f.units)?;
        }
        Cell::Money(c) => {
            ws.write_number_with_format(row, col, *c as f64 / 100.0, &f.money)?;
        }
        Cell::Date(d) => {
            ws.write_datetime_with_format(row, col, d, &f.date)?;
        }
        Cell::DateTime(t) => {
            ws.write_datetime_with_format(row, col, t, &f.datetime)?;
        }
        Cell::Days(d) => {
            ws.write_number_with_format(row, col, *d, &f.days)?;
        }
        Cell::Percent(p) => {
            ws.write_number_with_format(row, col, *p, &f.percent)?;
        }
    }
    Ok(())
}

/// A worksheet name Excel takes: none of `[]:*?/\`, not starting or ending
/// with `'`, at most 31 characters, not one already given (a number added).
fn sheet_name(name: &str, key: &str, taken: &[String]) -> String {
    let clean = |s: &str| -> String {
        let s: String = s
            .chars()
            .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\'))
            .collect();
        s.trim().trim_matches('\'').trim().to_string()
    };
    let mut base = clean(name);
    if base.is_empty() {
        base = clean(key);
    }
    if base.is_empty() || base.eq_ignore_ascii_case("history") {
        base = format!("Sheet{}", taken.len() + 1);
    }
    let cut = |s: &str, n: usize| s.chars().take(n).collect::<String>();
    let is_taken = |n: &str| taken.iter().any(|t| t.to_lowercase() == n.to_lowercase());
    let mut candidate = cut(&base, 31);
    let mut k = 2;
    while is_taken(&candidate) {
        let suffix = format!(" ({k})");
        candidate = format!("{}{suffix}", cut(&base, 31 - suffix.chars().count()));
        k += 1;
    }
    candidate
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_ones_excel_takes() {
        let taken = vec!["Wasted".to_string()];
        assert_eq!(sheet_name("Wasted", "wasted", &taken), "Wasted (2)");
        assert_eq!(sheet_name("a/b [c]: d?", "x", &[]), "ab c d");
        assert_eq!(sheet_name("", "dead", &[]), "dead");
        let long = "x".repeat(40);
        assert_eq!(sheet_name(&long, "x", &[]).chars().count(), 31);
        let again = sheet_name(&long, "x", &[sheet_name(&long, "x", &[])]);
        assert_eq!(again.chars().count(), 31);
        assert!(again.ends_with(" (2)"));
        assert_eq!(sheet_name("'q'", "x", &[]), "q");
        assert_eq!(sheet_name("近效期", "x", &[]), "近效期");
    }

    #[test]
    fn csv_starts_with_a_bom_and_keys() {
        let s = Sheet {
            key: "k",
            columns: vec![super::super::sheet::Column::new("money", "金额")],
            rows: vec![vec![Cell::Money(-1205)]],
            ..Sheet::default()
        };
        let b = String::from_utf8(csv_bytes(&s)).unwrap();
        assert_eq!(b, "\u{feff}money\n-12.05\n");
    }
}
