//! `wardstock report suppliers | service | compliance`: supplier
//! performance, stock-outs and bedside compliance as text, JSON, CSV or
//! XLSX.

use std::path::PathBuf;

use anyhow::{Result, bail};
use chrono::Utc;

use super::args::ReportOut;
use crate::i18n::{self, sheet::Report};
use crate::t;

/// Prints the ops result as JSON, or writes the report's sheets where
/// `out` asks (CSV, XLSX, or text on the terminal).
fn emit<T: serde::Serialize>(
    data: &T,
    report: impl FnOnce() -> Report,
    out: &ReportOut,
) -> Result<i32> {
    if out.json {
        println!("{}", serde_json::to_string_pretty(data)?);
        return Ok(0);
    }
    super::sheet_out::emit(&report(), out, |path| {
        t!("supply.written", path = path.display())
    })?;
    Ok(0)
}

/// `report suppliers`.
pub fn run_suppliers(db: Option<PathBuf>, supplier: Option<String>, out: ReportOut) -> Result<i32> {
    let store = super::open(&crate::config::resolve_db(db, false)?)?;
    let (from, to) = super::reports::period(&store, out.from.as_deref(), out.to.as_deref())?;
    let r = crate::ops::reports::suppliers::supplier_report(
        &store.conn,
        supplier.as_deref(),
        from,
        to,
        store.today(Utc::now()),
        store.zone(),
    )?;
    emit(&r, || i18n::supply_reports::suppliers(&r), &out)
}

/// `report service`.
pub fn run_service(db: Option<PathBuf>, ward: Option<String>, out: ReportOut) -> Result<i32> {
    let store = super::open(&crate::config::resolve_db(db, false)?)?;
    let ward_id = ward
        .as_deref()
        .map(|w| crate::ops::ward::ward_id(&store.conn, w))
        .transpose()?;
    let (from, to) = super::reports::period(&store, out.from.as_deref(), out.to.as_deref())?;
    let r = crate::ops::reports::service::service_report(&store.conn, ward_id, from, to)?;
    emit(&r, || i18n::supply_reports::service(&r), &out)
}

/// `report compliance`.
pub fn run_compliance(
    db: Option<PathBuf>,
    ward: Option<String>,
    by: &str,
    out: ReportOut,
) -> Result<i32> {
    let by_nurse = match by.trim().to_ascii_lowercase().as_str() {
        "ward" => false,
        "nurse" => true,
        _ => bail!(t!("supply.bad_by", value = i18n::results::quote(by))),
    };
    let store = super::open(&crate::config::resolve_db(db, false)?)?;
    let ward_id = ward
        .as_deref()
        .map(|w| crate::ops::ward::ward_id(&store.conn, w))
        .transpose()?;
    let (from, to) = super::reports::period(&store, out.from.as_deref(), out.to.as_deref())?;
    let r = crate::ops::reports::compliance::compliance_report(
        &store.conn,
        ward_id,
        by_nurse,
        from,
        to,
    )?;
    emit(&r, || i18n::supply_reports::compliance(&r), &out)
}
