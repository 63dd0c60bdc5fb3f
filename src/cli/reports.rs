//! `wardstock report …`: each report computed, then printed as JSON, or
//! turned into its sheets and written as text or CSV.

use std::path::PathBuf;

use anyhow::{Result, bail};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

use super::args::ReportOut;
use super::sheet_out::emit;
use crate::i18n;
use crate::t;

/// The period of days `[from, to]` as instants on the site's clock: from
/// the start of the first day to the start of the day after the last.
pub(super) fn period(
    store: &crate::store::Store,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<(DateTime<Utc>, DateTime<Utc>)> {
    let day = |flag: &str, v: &str| -> Result<NaiveDate> {
        NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").map_err(|_| {
            anyhow::anyhow!(t!(
                "cli.scanning.bad_date",
                flag = flag,
                value = i18n::results::quote(v)
            ))
        })
    };
    let last = match to {
        Some(v) => day("--to", v)?,
        None => store.today(Utc::now()),
    };
    let first = match from {
        Some(v) => day("--from", v)?,
        None => last
            .checked_sub_signed(chrono::TimeDelta::days(29))
            .unwrap_or(last),
    };
    if last < first {
        bail!(t!("cli.scanning.to_before_from"));
    }
    let zone = store.zone();
    let at =
        |d: NaiveDate| crate::domain::schedule::local_instant(&zone, d, chrono::NaiveTime::MIN);
    let (Some(a), Some(b)) = (at(first), last.succ_opt().and_then(at)) else {
        bail!(t!("cli.scanning.to_before_from"));
    };
    Ok((a, b))
}

/// Writes `bytes` beside `path`, then puts the file in its place: a reader
/// never sees half a file, and a failed write leaves nothing behind.
pub(super) fn write_whole(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension("partial");
    if let Err(e) = std::fs::write(&tmp, bytes).and_then(|_| std::fs::rename(&tmp, path)) {
        let _ = std::fs::remove_file(&tmp);
        bail!(t!(
            "cli.report.cannot_write",
            path = path.display(),
            why = e
        ));
    }
    Ok(())
}

/// The site's clock, for the report's times.
fn clock(store: &crate::store::Store) -> impl Fn(DateTime<Utc>) -> NaiveDateTime {
    let zone = store.zone();
    move |t: DateTime<Utc>| t.with_timezone(&zone).naive_local()
}

/// `report consumption`.
pub fn run_consumption(
    db: Option<PathBuf>,
    place: Option<String>,
    by: &str,
    out: ReportOut,
) -> Result<i32> {
    let Ok(by) = by.parse::<crate::ops::reports::By>() else {
        bail!(t!("cli.use.bad_by", value = i18n::results::quote(by)));
    };
    let store = super::open(&crate::config::resolve_db(db, false)?)?;
    let (from, to) = period(&store, out.from.as_deref(), out.to.as_deref())?;
    let r = crate::ops::reports::consumption(&store.conn, place.as_deref(), by, from, to)?;
    if out.json {
        println!("{}", serde_json::to_string_pretty(&r)?);
        return Ok(0);
    }
    let report = i18n::reports::consumption(&r, &clock(&store));
    emit(&report, &out, |path| {
        t!("cli.use.written", n = r.rows.len(), path = path.display())
    })?;
    Ok(0)
}

/// `report stock-value`.
pub fn run_stock_value(
    db: Option<PathBuf>,
    place: Option<String>,
    days: i64,
    out: ReportOut,
) -> Result<i32> {
    if !(1..=3650).contains(&days) {
        bail!(t!("cli.value.days"));
    }
    if out.from.is_some() || out.to.is_some() {
        bail!(t!("cli.value.no_period"));
    }
    let store = super::open(&crate::config::resolve_db(db, false)?)?;
    let r = crate::ops::reports::stock_value(&store.conn, place.as_deref(), days, Utc::now())?;
    if out.json {
        println!("{}", serde_json::to_string_pretty(&r)?);
        return Ok(0);
    }
    let report = i18n::reports::stock_value(&r, days);
    emit(&report, &out, |path| {
        t!("cli.value.written", n = r.len(), path = path.display())
    })?;
    Ok(0)
}

/// `report variances`.
pub fn run_variances(db: Option<PathBuf>, place: Option<String>, out: ReportOut) -> Result<i32> {
    let store = super::open(&crate::config::resolve_db(db, false)?)?;
    let (from, to) = period(&store, out.from.as_deref(), out.to.as_deref())?;
    let r = crate::ops::reports::stocktake_variances(&store.conn, place.as_deref(), from, to)?;
    if out.json {
        println!("{}", serde_json::to_string_pretty(&r)?);
        return Ok(0);
    }
    let local = clock(&store);
    let report = i18n::reports::variances(&r, local(from), local(to));
    emit(&report, &out, |path| {
        t!("cli.variances.written", n = r.len(), path = path.display())
    })?;
    Ok(0)
}

/// `report expiry`.
pub fn run_expiry(
    db: Option<PathBuf>,
    place: Option<String>,
    days: i64,
    out: ReportOut,
) -> Result<i32> {
    if !(0..=3650).contains(&days) {
        bail!(t!("cli.expiry.days"));
    }
    let store = super::open(&crate::config::resolve_db(db, false)?)?;
    let (from, to) = period(&store, out.from.as_deref(), out.to.as_deref())?;
    let now = Utc::now();
    let r = crate::ops::reports::expiry(
        &store.conn,
        place.as_deref(),
        days,
        store.today(now),
        now,
        from,
        to,
    )?;
    if out.json {
        println!("{}", serde_json::to_string_pretty(&r)?);
        return Ok(0);
    }
    let report = i18n::reports::expiry(&r, &clock(&store));
    emit(&report, &out, |path| {
        t!(
            "cli.expiry.written",
            n = r.expiring.len(),
            path = path.display()
        )
    })?;
    Ok(0)
}

/// `report stock-card`.
pub fn run_stock_card(
    db: Option<PathBuf>,
    item: &str,
    place: &str,
    lot: Option<&str>,
    out: ReportOut,
) -> Result<i32> {
    let store = super::open(&crate::config::resolve_db(db, false)?)?;
    let (from, to) = period(&store, out.from.as_deref(), out.to.as_deref())?;
    let card = crate::ops::reports::stock_card(&store.conn, item, place, lot, from, to)?;
    if out.json {
        println!("{}", serde_json::to_string_pretty(&card)?);
        return Ok(0);
    }
    let report = i18n::reports::stock_card(&card, &clock(&store));
    emit(&report, &out, |path| {
        t!(
            "cli.card.written",
            n = card.lines.len(),
            path = path.display()
        )
    })?;
    Ok(0)
}

/// `report cold-chain`: the excursions over the period and the decisions
/// on the lots they held (the data `cold excursions` reads).
pub fn run_cold_chain(db: Option<PathBuf>, place: Option<String>, out: ReportOut) -> Result<i32> {
    let store = super::open(&crate::config::resolve_db(db, false)?)?;
    let (from, to) = period(&store, out.from.as_deref(), out.to.as_deref())?;
    let last_instant = to - chrono::Duration::seconds(1);
    let list = crate::ops::cold::excursions(
        &store.conn,
        place.as_deref(),
        Some(from),
        Some(last_instant),
    )?;
    if out.json {
        println!("{}", serde_json::to_string_pretty(&list)?);
        return Ok(0);
    }
    let local = clock(&store);
    let report = i18n::cold_report::cold_chain(
        &list,
        place.as_deref(),
        local(from).date(),
        local(last_instant).date(),
    );
    emit(&report, &out, |path| {
        t!(
            "console_resilience.report.written",
            n = list.len(),
            path = path.display()
        )
    })?;
    Ok(0)
}
