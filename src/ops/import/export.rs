//! Export: the same columns as the import, UTF-8 with a BOM, row by row.

use super::*;

/// Which movements an export holds (the site's days, inclusive).
#[derive(Debug, Clone, Copy, Default)]
pub struct Period {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// The columns of a movements export.
pub const MOVEMENT_COLUMNS: &[&str] = &[
    "id",
    "at",
    "kind",
    "item",
    "lot",
    "expiry",
    "from",
    "to",
    "qty",
    "user",
    "patient",
    "reason",
    "order_ref",
    "from_location",
    "to_location",
];

/// Writes `kind` as CSV a spreadsheet opens (UTF-8 with BOM), the columns
/// of the import. Rows are written as they are read. Returns the rows written.
pub fn export(conn: &Connection, kind: Kind, out: &mut dyn Write) -> Result<u64, ExportError> {
    let cols = kind.export_columns();
    let mut w = start(out, &cols)?;
    let n = crate::store::queries::export_rows(conn, kind.name(), &mut |cells| {
        w.write_record(cells).map_err(ExportError::from)
    })?;
    w.flush()?;
    Ok(n)
}

/// Writes the movements of a period, oldest first, streaming.
pub fn export_movements(
    conn: &Connection,
    period: Period,
    out: &mut dyn Write,
) -> Result<u64, ExportError> {
    let mut w = start(out, MOVEMENT_COLUMNS)?;
    // The days are the site's: from its midnight to the next.
    let tz = crate::store::queries::site_zone(conn)?;
    let start = |d: NaiveDate| -> String {
        let midnight = d.and_hms_opt(0, 0, 0).unwrap_or_default();
        let at = midnight
            .and_local_timezone(tz)
            .earliest()
            .map(|t| t.with_timezone(&Utc));
        crate::domain::instant_to_text(at.unwrap_or_else(|| midnight.and_utc()))
    };
    let from = period.from.map(start);
    // Up to (not including) the next day's midnight.
    let to = period.to.and_then(|d| d.succ_opt()).map(start);
    let n = crate::store::queries::export_movement_rows(
        conn,
        from.as_deref(),
        to.as_deref(),
        &mut |cells| w.write_record(cells).map_err(ExportError::from),
    )?;
    w.flush()?;
    Ok(n)
}

fn start<'w>(
    out: &'w mut dyn Write,
    cols: &[&str],
) -> Result<csv::Writer<&'w mut dyn Write>, ExportError> {
    out.write_all(b"\xEF\xBB\xBF")?;
    let mut w = csv::WriterBuilder::new().from_writer(out);
    w.write_record(cols)?;
    Ok(w)
}

/// Why an export stopped.
#[derive(Debug)]
pub enum ExportError {
    Io(std::io::Error),
    Store(rusqlite::Error),
}

impl std::error::Error for ExportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ExportError::Io(e) => Some(e),
            ExportError::Store(e) => Some(e),
        }
    }
}

impl From<std::io::Error> for ExportError {
    fn from(e: std::io::Error) -> Self {
        ExportError::Io(e)
    }
}

impl From<rusqlite::Error> for ExportError {
    fn from(e: rusqlite::Error) -> Self {
        ExportError::Store(e)
    }
}

impl From<csv::Error> for ExportError {
    fn from(e: csv::Error) -> Self {
        match e.into_kind() {
            csv::ErrorKind::Io(e) => ExportError::Io(e),
            other => ExportError::Io(std::io::Error::other(format!("{other:?}"))),
        }
    }
}
