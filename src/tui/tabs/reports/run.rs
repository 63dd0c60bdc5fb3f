//! Running a report (on the job's own connection) into what the screen
//! shows — its sheets with their texts made once, and a chart's numbers —
//! and exporting the report shown to files, whole or not at all.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use super::chart::ChartData;
use super::setup::{Kind, Params};
use super::view::SheetText;
use crate::i18n::sheet::{Cell, Column, Report, Sheet};
use crate::i18n::{self, Lang, sheet_files};
use crate::ops::reports::{self as ops, series};
use crate::t;

/// A report run: what was asked, the report in the reader's words, its
/// sheets' texts and, for a chart, its numbers.
#[derive(Debug, Clone)]
pub struct Shown {
    pub params: Params,
    pub report: Report,
    pub texts: Vec<SheetText>,
    pub chart: Option<ChartData>,
    /// The language it was written in (a switch runs it again).
    pub lang: Lang,
    pub millis: u128,
}

/// Runs the report `p` asks for as of `now`.
pub fn compute(conn: &Connection, p: &Params, now: DateTime<Utc>) -> Result<Shown, String> {
    let started = std::time::Instant::now();
    let zone = crate::store::queries::site_zone(conn).map_err(|e| e.to_string())?;
    let (from, to) = series::period(&zone, p.first, p.last)
        .ok_or_else(|| t!("reports_screen.to_before_from"))?;
    let local = |t: DateTime<Utc>| t.with_timezone(&zone).naive_local();
    let place = p.place.as_deref();
    let item = p.item.as_deref().unwrap_or("");
    let err = |e: crate::ops::stock::StockError| e.to_string();
    let mut chart = None;
    let report = match p.kind {
        Kind::Variances => {
            let r = ops::stocktake_variances(conn, place, from, to).map_err(err)?;
            i18n::reports::variances(&r, local(from), local(to))
        }
        Kind::DailyUse => {
            let days = series::daily_use(conn, place, from, to).map_err(err)?;
            let r = daily_report(&days, p);
            chart = Some(ChartData::Daily {
                days,
                money: p.money,
            });
            r
        }
        Kind::StockLine => {
            let s =
                series::stock_over_time(conn, item, place.unwrap_or(""), from, to).map_err(err)?;
            let r = stock_report(&s, p);
            chart = Some(ChartData::Stock(s));
            r
        }
        Kind::Pareto => {
            let bars = series::pareto(conn, place, from, to).map_err(err)?;
            let r = pareto_report(&bars, p);
            chart = Some(ChartData::Pareto(bars));
            r
        }
        Kind::StockCard => {
            let c =
                ops::stock_card(conn, item, place.unwrap_or(""), None, from, to).map_err(err)?;
            i18n::reports::stock_card(&c, &local)
        }
        Kind::Consumption => {
            let r = ops::consumption(conn, place, p.by, from, to).map_err(err)?;
            i18n::reports::consumption(&r, &local)
        }
        Kind::Expiry => {
            let today = now.with_timezone(&zone).date_naive();
            let r = ops::expiry(conn, place, p.days, today, now, from, to).map_err(err)?;
            i18n::reports::expiry(&r, &local)
        }
        Kind::StockValue => {
            let r = ops::stock_value(conn, place, p.days, now).map_err(err)?;
            i18n::reports::stock_value(&r, p.days)
        }
        Kind::Suppliers => {
            let today = now.with_timezone(&zone).date_naive();
            let r = ops::suppliers::supplier_report(conn, None, from, to, today, zone)
                .map_err(|e| e.to_string())?;
            i18n::supply_reports::suppliers(&r)
        }
        Kind::ColdChain => {
            let list = crate::ops::cold::excursions(
                conn,
                place,
                Some(from),
                Some(to - chrono::Duration::seconds(1)),
            )
            .map_err(|e| e.to_string())?;
            i18n::cold_report::cold_chain(&list, place, p.first, p.last)
        }
        Kind::Service | Kind::Compliance => {
            let ward = place
                .map(|w| crate::ops::ward::ward_id(conn, w))
                .transpose()
                .map_err(|e| e.to_string())?;
            if p.kind == Kind::Service {
                let r = ops::service::service_report(conn, ward, from, to)
                    .map_err(|e| e.to_string())?;
                i18n::supply_reports::service(&r)
            } else {
                let r = ops::compliance::compliance_report(conn, ward, p.per_nurse, from, to)
                    .map_err(|e| e.to_string())?;
                i18n::supply_reports::compliance(&r)
            }
        }
    };
    let texts = report.sheets.iter().map(SheetText::new).collect();
    Ok(Shown {
        params: p.clone(),
        report,
        texts,
        chart,
        lang: i18n::lang(),
        millis: started.elapsed().as_millis(),
    })
}

/// The place a report was run for, in words.
pub fn place_words(place: Option<&str>) -> String {
    place
        .map(String::from)
        .unwrap_or_else(|| t!("reports_screen.every_place").to_string())
}

/// The period's days in words.
pub fn period_words(p: &Params) -> String {
    t!(
        "reports_screen.period_words",
        from = i18n::date(p.first),
        to = i18n::date(p.last)
    )
}

/// Use per day as a sheet (for the table and the files).
fn daily_report(days: &[series::DayUse], p: &Params) -> Report {
    let place = place_words(p.place.as_deref());
    let period = period_words(p);
    let title = if p.money {
        t!(
            "reports_screen.chart.daily_money",
            place = place,
            period = period
        )
    } else {
        t!(
            "reports_screen.chart.daily_units",
            place = place,
            period = period
        )
    };
    let sheet = Sheet {
        key: "use_per_day",
        name: t!("reports_screen.sheet.days").to_string(),
        title: String::new(),
        columns: vec![
            Column::new("day", t!("reports_screen.col.day")),
            Column::new("units", t!("reports_screen.col.units")),
            Column::new("money", t!("reports_screen.col.money")),
        ],
        rows: days
            .iter()
            .map(|d| {
                vec![
                    Cell::Date(d.day),
                    Cell::Units(d.units),
                    Cell::Money(d.cents),
                ]
            })
            .collect(),
        total: Some(vec![
            Cell::coded("total", t!("reports_screen.total")),
            Cell::Units(days.iter().map(|d| d.units).sum()),
            Cell::Money(days.iter().map(|d| d.cents).sum()),
        ]),
        notes: Vec::new(),
    };
    Report {
        title,
        sheets: vec![sheet],
    }
}

/// Stock at the close of each day as a sheet.
fn stock_report(s: &series::StockSeries, p: &Params) -> Report {
    let title = t!(
        "reports_screen.chart.stock",
        item = s.item,
        name = s.item_name,
        place = s.place,
        period = period_words(p)
    );
    let level = |v: Option<i64>| v.map(Cell::Units).unwrap_or(Cell::Empty);
    let sheet = Sheet {
        key: "stock_per_day",
        name: t!("reports_screen.sheet.days").to_string(),
        title: String::new(),
        columns: vec![
            Column::new("day", t!("reports_screen.col.day")),
            Column::new("closing", t!("reports_screen.col.closing")),
            Column::new("safety_stock", t!("reports_screen.col.safety")),
            Column::new("max_stock", t!("reports_screen.col.maximum")),
        ],
        rows: s
            .days
            .iter()
            .map(|d| {
                vec![
                    Cell::Date(d.day),
                    Cell::Units(d.closing),
                    level(s.safety_stock),
                    level(s.max_stock),
                ]
            })
            .collect(),
        total: None,
        notes: vec![t!(
            "reports_screen.opening",
            n = i18n::num(s.opening),
            unit = i18n::unit(&s.unit)
        )],
    };
    Report {
        title,
        sheets: vec![sheet],
    }
}

/// The cost by item, largest first, as a sheet.
fn pareto_report(bars: &[series::ParetoBar], p: &Params) -> Report {
    let title = t!(
        "reports_screen.chart.pareto",
        place = place_words(p.place.as_deref()),
        period = period_words(p)
    );
    let sheet = Sheet {
        key: "pareto",
        name: t!("reports_screen.sheet.items").to_string(),
        title: String::new(),
        columns: vec![
            Column::new("top_80", "★"),
            Column::new("item", t!("reports_screen.col.item")),
            Column::new("name", t!("reports_screen.col.name")),
            Column::new("money", t!("reports_screen.col.money")),
            Column::new("share", t!("reports_screen.col.share")),
            Column::new("cumulative_share", t!("reports_screen.col.cumulative")),
        ],
        rows: bars
            .iter()
            .map(|b| {
                vec![
                    if b.top {
                        Cell::coded("yes", "★")
                    } else {
                        Cell::Empty
                    },
                    b.item.as_str().into(),
                    b.name.as_str().into(),
                    Cell::Money(b.cents),
                    Cell::Percent(b.share),
                    Cell::Percent(b.cumulative),
                ]
            })
            .collect(),
        total: Some(vec![
            Cell::Empty,
            Cell::coded("total", t!("reports_screen.total")),
            Cell::Empty,
            Cell::Money(bars.iter().map(|b| b.cents).sum()),
            Cell::Empty,
            Cell::Empty,
        ]),
        notes: vec![t!(
            "reports_screen.chart.pareto_facts",
            n = bars.iter().filter(|b| b.top).count(),
            of = bars.len(),
            total = i18n::money(bars.iter().map(|b| b.cents).sum())
        )],
    };
    Report {
        title,
        sheets: vec![sheet],
    }
}

/// The folder exports go to: `$WARDSTOCK_EXPORT_DIR`, else `wardstock`
/// in the user's documents folder, else in the home folder, else the
/// data folder.
pub fn export_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("WARDSTOCK_EXPORT_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(d));
    }
    let user = directories::UserDirs::new();
    user.as_ref()
        .and_then(|u| u.document_dir().map(Path::to_path_buf))
        .or_else(|| user.as_ref().map(|u| u.home_dir().to_path_buf()))
        .map(|d| d.join("wardstock"))
        .or_else(|| crate::config::data_dir().ok().map(|d| d.join("exports")))
}

/// The files an export writes: the whole report as `STEM.xlsx`, and each
/// sheet as CSV beside it (the first as `STEM.csv`, each further one as
/// `STEM-KEY.csv`).
fn files(r: &Report, dir: &Path, stem: &str) -> Result<Vec<(PathBuf, Vec<u8>)>, String> {
    let mut out = vec![(
        dir.join(format!("{stem}.xlsx")),
        sheet_files::xlsx_bytes(r)?,
    )];
    for (i, s) in r.sheets.iter().enumerate() {
        let name = if i == 0 {
            format!("{stem}.csv")
        } else {
            format!("{stem}-{}.csv", s.key)
        };
        out.push((dir.join(name), sheet_files::csv_bytes(s)));
    }
    Ok(out)
}

/// A file name's part for a place or a day: letters, digits and dashes.
fn safe(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Writes the report shown into `dir`: every file beside its place first,
/// then each put in place; on any failure none is left. Gives the files
/// written.
pub fn export(shown: &Shown, dir: &Path) -> Result<Vec<PathBuf>, String> {
    let io = |e: std::io::Error| t!("reports_screen.export_failed", dir = dir.display(), why = e);
    std::fs::create_dir_all(dir).map_err(io)?;
    let p = &shown.params;
    let mut base = format!(
        "{}-{}",
        p.kind.file_key(),
        safe(p.place.as_deref().unwrap_or("all"))
    );
    if p.kind.uses_period() {
        base.push_str(&format!("-{}-{}", p.first, p.last));
    } else {
        base.push_str(&format!("-{}", p.last));
    }
    // A name no earlier export holds: nothing is written over.
    let mut stem = base.clone();
    let mut planned = files(&shown.report, dir, &stem)?;
    let mut k = 2;
    while planned.iter().any(|(path, _)| path.exists()) {
        stem = format!("{base}-{k}");
        planned = files(&shown.report, dir, &stem)?;
        k += 1;
    }
    let tmp_of = |path: &Path| {
        let mut name = path.file_name().unwrap_or_default().to_os_string();
        name.push(".partial");
        path.with_file_name(name)
    };
    let mut partial: Vec<PathBuf> = Vec::new();
    let undo = |partial: &[PathBuf]| {
        for p in partial {
            let _ = std::fs::remove_file(p);
        }
    };
    for (path, bytes) in &planned {
        let tmp = tmp_of(path);
        if let Err(e) = std::fs::write(&tmp, bytes) {
            let _ = std::fs::remove_file(&tmp);
            undo(&partial);
            return Err(io(e));
        }
        partial.push(tmp);
    }
    let mut placed: Vec<PathBuf> = Vec::new();
    for (path, _) in &planned {
        if let Err(e) = std::fs::rename(tmp_of(path), path) {
            undo(&partial);
            undo(&placed);
            return Err(io(e));
        }
        placed.push(path.clone());
    }
    Ok(placed)
}
