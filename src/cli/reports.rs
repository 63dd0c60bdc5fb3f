//! `wardstock report stock-card`: the reports as text, JSON or CSV.

use std::path::PathBuf;

use anyhow::{Result, bail};
use chrono::{DateTime, NaiveDate, Utc};
use comfy_table::{CellAlignment, Table, presets::UTF8_BORDERS_ONLY};

use super::args::ReportOut;
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

/// Numbers right-aligned in the columns given.
fn right_align(t: &mut Table, cols: impl IntoIterator<Item = usize>) {
    for c in cols {
        if let Some(col) = t.column_mut(c) {
            col.set_cell_alignment(CellAlignment::Right);
        }
    }
}

/// Writes CSV rows to `path` (UTF-8 with BOM, as the exports), whole or not at all.
pub(super) fn write_csv(path: &std::path::Path, rows: &[Vec<String>]) -> Result<()> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.write_record(r)?;
    }
    let mut bytes = "\u{feff}".as_bytes().to_vec();
    bytes.extend(w.into_inner().map_err(|e| anyhow::anyhow!(e.to_string()))?);
    write_whole(path, &bytes)
}

/// Writes `bytes` beside `path`, then puts the file in its place: a reader
/// never sees half a file, and a failed write leaves nothing behind.
pub(super) fn write_whole(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension("partial");
    if let Err(e) = std::fs::write(&tmp, bytes).and_then(|_| std::fs::rename(&tmp, path)) {
        let _ = std::fs::remove_file(&tmp);
        bail!(t!("import.export.io", why = e));
    }
    Ok(())
}

/// `report consumption`.
pub fn run_consumption(
    db: Option<PathBuf>,
    place: Option<String>,
    by: &str,
    out: ReportOut,
) -> Result<i32> {
    let ReportOut {
        from,
        to,
        json,
        csv,
    } = out;
    let Ok(by) = by.parse::<crate::ops::reports::By>() else {
        bail!(t!("cli.use.bad_by", value = i18n::results::quote(by)));
    };
    let store = super::open(&crate::config::resolve_db(db, false)?)?;
    let (from, to) = period(&store, from.as_deref(), to.as_deref())?;
    let r = crate::ops::reports::consumption(&store.conn, place.as_deref(), by, from, to)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&r)?);
        return Ok(0);
    }
    let money = |c: i64| format!("{:.2}", c as f64 / 100.0);
    if let Some(path) = &csv {
        let mut rows = vec![
            [
                by.as_ref(),
                "name",
                "to_patients_units",
                "to_patients_money",
                "without_patient_units",
                "without_patient_money",
                "wasted_units",
                "wasted_money",
                "returned_units",
                "returned_money",
                "used_units",
                "used_money",
                "cumulative_share",
                "top_80",
            ]
            .map(String::from)
            .to_vec(),
        ];
        for u in r.rows.iter().chain(std::iter::once(&r.total)) {
            rows.push(vec![
                if std::ptr::eq(u, &r.total) {
                    "total".into()
                } else {
                    u.key.clone()
                },
                u.name.clone(),
                u.to_patients.units.to_string(),
                money(u.to_patients.cents),
                u.without_patient.units.to_string(),
                money(u.without_patient.cents),
                u.wasted.units.to_string(),
                money(u.wasted.cents),
                u.returned.units.to_string(),
                money(u.returned.cents),
                u.used.units.to_string(),
                money(u.used.cents),
                format!("{:.4}", u.cumulative_share),
                if u.top { "yes".into() } else { String::new() },
            ]);
        }
        write_csv(path, &rows)?;
        println!(
            "{}",
            t!("cli.use.written", n = r.rows.len(), path = path.display())
        );
        return Ok(0);
    }
    let zone = store.zone();
    let local = |t: DateTime<Utc>| i18n::datetime(t.with_timezone(&zone).naive_local());
    println!(
        "{}",
        t!(
            "cli.use.title",
            place = r
                .place
                .clone()
                .unwrap_or_else(|| t!("cli.use.every_ward").to_string()),
            from = local(r.from),
            to = local(r.to)
        )
    );
    let mut t = Table::new();
    t.load_preset(UTF8_BORDERS_ONLY).set_header([
        String::new(),
        t!("cli.use.group").to_string(),
        t!("cli.use.to_patients").to_string(),
        t!("cli.use.without_patient").to_string(),
        t!("cli.use.wasted").to_string(),
        t!("cli.use.returned").to_string(),
        t!("cli.use.used").to_string(),
        t!("cli.use.cost").to_string(),
        t!("cli.use.share").to_string(),
    ]);
    let none = t!("cli.use.none");
    for u in r.rows.iter().chain(std::iter::once(&r.total)) {
        let total = std::ptr::eq(u, &r.total);
        let name = if total {
            t!("cli.use.total").to_string()
        } else if u.key.is_empty() {
            none.to_string()
        } else if u.name.is_empty() {
            u.key.clone()
        } else {
            format!("{} {}", u.key, u.name)
        };
        t.add_row([
            if u.top && !total {
                "★".into()
            } else {
                String::new()
            },
            name,
            i18n::num(u.to_patients.units),
            i18n::num(u.without_patient.units),
            i18n::num(u.wasted.units),
            i18n::num(u.returned.units),
            i18n::num(u.used.units),
            i18n::money(u.used.cents),
            format!("{:.0} %", u.cumulative_share * 100.0),
        ]);
    }
    right_align(&mut t, 2..=8);
    println!("{t}");
    println!(
        "{}",
        t!(
            "cli.use.pareto",
            n = r.rows.iter().filter(|u| u.top).count(),
            of = r.rows.len()
        )
    );
    Ok(0)
}

/// `report stock-value`.
pub fn run_stock_value(
    db: Option<PathBuf>,
    place: Option<String>,
    days: i64,
    json: bool,
    csv: Option<PathBuf>,
) -> Result<i32> {
    if !(1..=3650).contains(&days) {
        bail!(t!("cli.value.days"));
    }
    let store = super::open(&crate::config::resolve_db(db, false)?)?;
    let r = crate::ops::reports::stock_value(&store.conn, place.as_deref(), days, Utc::now())?;
    if json {
        println!("{}", serde_json::to_string_pretty(&r)?);
        return Ok(0);
    }
    let money = |c: i64| format!("{:.2}", c as f64 / 100.0);
    let cover = |d: Option<f64>| d.map(|d| format!("{d:.1}")).unwrap_or_default();
    if let Some(path) = &csv {
        let mut rows = vec![
            [
                "place",
                "item",
                "name",
                "units",
                "value",
                "used_in_window",
                "days_of_cover",
                "dead",
            ]
            .map(String::from)
            .to_vec(),
        ];
        for p in &r {
            rows.push(vec![
                p.place.clone(),
                String::new(),
                p.name.clone(),
                p.units.to_string(),
                money(p.value_cents),
                money(p.used_cents),
                cover(p.days_of_cover),
                String::new(),
            ]);
            for d in &p.dead {
                rows.push(vec![
                    p.place.clone(),
                    d.item.clone(),
                    d.name.clone(),
                    d.units.to_string(),
                    money(d.value_cents),
                    String::new(),
                    String::new(),
                    "yes".into(),
                ]);
            }
        }
        write_csv(path, &rows)?;
        println!(
            "{}",
            t!("cli.value.written", n = r.len(), path = path.display())
        );
        return Ok(0);
    }
    println!("{}", t!("cli.value.title", days = days));
    let mut t = Table::new();
    t.load_preset(UTF8_BORDERS_ONLY).set_header([
        t!("cli.col.place"),
        t!("cli.value.value"),
        t!("cli.value.used"),
        t!("cli.value.cover"),
        t!("cli.value.dead"),
    ]);
    for p in &r {
        t.add_row([
            format!("{} {}", p.place, p.name),
            i18n::money(p.value_cents),
            i18n::money(p.used_cents),
            cover(p.days_of_cover),
            t!(
                "cli.value.dead_items",
                n = p.dead.len(),
                money = i18n::money(p.dead_value_cents)
            ),
        ]);
    }
    right_align(&mut t, 1..=4);
    println!("{t}");
    let total: i64 = r.iter().map(|p| p.value_cents).sum();
    println!("{}", t!("cli.value.total", money = i18n::money(total)));
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
    let zone = store.zone();
    let local = |t: DateTime<Utc>| t.with_timezone(&zone).naive_local();
    let report = i18n::reports::variances(&r, local(from), local(to));
    if let Some(path) = &out.csv {
        super::sheet_out::write_csv(path, &report)?;
        println!(
            "{}",
            t!("cli.variances.written", n = r.len(), path = path.display())
        );
        return Ok(0);
    }
    super::sheet_out::print_text(&report);
    Ok(0)
}

/// `report expiry`.
pub fn run_expiry(
    db: Option<PathBuf>,
    place: Option<String>,
    days: i64,
    out: ReportOut,
) -> Result<i32> {
    let ReportOut {
        from,
        to,
        json,
        csv,
    } = out;
    if !(0..=3650).contains(&days) {
        bail!(t!("cli.expiry.days"));
    }
    let store = super::open(&crate::config::resolve_db(db, false)?)?;
    let (from, to) = period(&store, from.as_deref(), to.as_deref())?;
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
    if json {
        println!("{}", serde_json::to_string_pretty(&r)?);
        return Ok(0);
    }
    let money = |c: i64| format!("{:.2}", c as f64 / 100.0);
    if let Some(path) = &csv {
        let mut rows = vec![
            [
                "section",
                "place",
                "item",
                "name",
                "lot",
                "expiry",
                "days_left",
                "qty",
                "daily_use",
                "waste_units",
                "waste_money",
                "reason",
            ]
            .map(String::from)
            .to_vec(),
        ];
        for e in &r.expiring {
            rows.push(vec![
                "expiring".into(),
                e.place.clone(),
                e.item.clone(),
                e.item_name.clone(),
                e.lot.clone(),
                e.expiry.to_string(),
                e.days_left.to_string(),
                e.qty.to_string(),
                format!("{:.2}", e.daily_use),
                e.projected_waste.to_string(),
                money(e.projected_waste_cents),
                String::new(),
            ]);
        }
        for w in &r.wasted {
            let mut row = vec!["wasted".into(), w.place.clone()];
            row.extend(vec![String::new(); 7]);
            row.extend([w.units.to_string(), money(w.cents), w.reason.clone()]);
            rows.push(row);
        }
        write_csv(path, &rows)?;
        println!(
            "{}",
            t!(
                "cli.expiry.written",
                n = r.expiring.len(),
                path = path.display()
            )
        );
        return Ok(0);
    }
    println!(
        "{}",
        t!("cli.expiry.title", days = days, today = i18n::date(r.today))
    );
    let mut t = Table::new();
    t.load_preset(UTF8_BORDERS_ONLY).set_header([
        t!("cli.col.place"),
        t!("cli.col.item"),
        t!("cli.col.lot"),
        t!("cli.expiry.expiry"),
        t!("cli.col.qty"),
        t!("cli.expiry.daily"),
        t!("cli.expiry.waste"),
        t!("cli.use.cost"),
    ]);
    for e in &r.expiring {
        t.add_row([
            e.place.clone(),
            format!("{} {}", e.item, e.item_name),
            e.lot.clone(),
            format!("{} ({})", i18n::date(e.expiry), e.days_left),
            i18n::num(e.qty),
            format!("{:.1}", e.daily_use),
            i18n::num(e.projected_waste),
            i18n::money(e.projected_waste_cents),
        ]);
    }
    right_align(&mut t, [4, 5, 6, 7]);
    if !r.expiring.is_empty() {
        println!("{t}");
    }
    println!(
        "{}",
        t!(
            "cli.expiry.projected",
            n = r.expiring.len(),
            units = i18n::num(r.projected_waste_units),
            money = i18n::money(r.projected_waste_cents)
        )
    );
    let zone = store.zone();
    let local = |t: DateTime<Utc>| i18n::datetime(t.with_timezone(&zone).naive_local());
    println!(
        "\n{}",
        t!(
            "cli.expiry.wasted_title",
            from = local(r.from),
            to = local(r.to)
        )
    );
    for w in &r.wasted {
        println!(
            "  {}  {}  {}  {}",
            w.place,
            if w.reason.is_empty() {
                t!("cli.use.none")
            } else {
                w.reason.as_str()
            },
            i18n::num(w.units),
            i18n::money(w.cents)
        );
    }
    println!(
        "{}",
        t!(
            "cli.expiry.wasted_total",
            units = i18n::num(r.wasted_units),
            money = i18n::money(r.wasted_cents)
        )
    );
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
    let zone = store.zone();
    let local = |t: DateTime<Utc>| i18n::datetime(t.with_timezone(&zone).naive_local());
    if out.json {
        println!("{}", serde_json::to_string_pretty(&card)?);
        return Ok(0);
    }
    if let Some(path) = &out.csv {
        let blank = |k: usize| vec![String::new(); k];
        let mut rows = vec![
            [
                "at",
                "kind",
                "lot",
                "other_place",
                "patient",
                "reference",
                "user",
                "in",
                "out",
                "balance",
            ]
            .map(String::from)
            .to_vec(),
        ];
        let mut opening = vec![local(card.from), "opening".into()];
        opening.extend(blank(7));
        opening.push(card.opening.to_string());
        rows.push(opening);
        for l in &card.lines {
            rows.push(vec![
                local(l.at),
                l.kind.clone(),
                l.lot.clone(),
                l.other_place.clone().unwrap_or_default(),
                l.patient.clone().unwrap_or_default(),
                l.reference.clone().unwrap_or_default(),
                l.user.clone(),
                l.qty_in.to_string(),
                l.qty_out.to_string(),
                l.balance.to_string(),
            ]);
        }
        let mut closing = vec![local(card.to), "closing".into()];
        closing.extend(blank(5));
        closing.extend([
            card.total_in.to_string(),
            card.total_out.to_string(),
            card.closing.to_string(),
        ]);
        rows.push(closing);
        write_csv(path, &rows)?;
        println!(
            "{}",
            t!(
                "cli.card.written",
                n = card.lines.len(),
                path = path.display()
            )
        );
        return Ok(0);
    }
    println!(
        "{}",
        t!(
            "cli.card.title",
            item = card.item,
            name = card.item_name,
            place = card.place,
            from = local(card.from),
            to = local(card.to)
        )
    );
    if let Some(lot) = &card.lot {
        println!("{}", t!("cli.card.lot", lot = lot));
    }
    println!(
        "{}",
        t!(
            "cli.card.opening",
            n = i18n::num(card.opening),
            unit = i18n::unit(&card.unit)
        )
    );
    let mut t = Table::new();
    t.load_preset(UTF8_BORDERS_ONLY).set_header([
        t!("cli.card.at"),
        t!("cli.card.kind"),
        t!("cli.col.lot"),
        t!("cli.card.other"),
        t!("cli.card.reference"),
        t!("cli.card.user"),
        t!("cli.card.in"),
        t!("cli.card.out"),
        t!("cli.card.balance"),
    ]);
    for l in &card.lines {
        let kind = l
            .kind
            .parse::<crate::domain::MovementKind>()
            .map(i18n::cd::movement_kind)
            .unwrap_or(l.kind.as_str());
        let reference = [l.patient.clone(), l.reference.clone()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" · ");
        let n = |q: i64| if q == 0 { String::new() } else { i18n::num(q) };
        t.add_row([
            local(l.at),
            kind.to_string(),
            l.lot.clone(),
            l.other_place.clone().unwrap_or_default(),
            reference,
            l.user.clone(),
            n(l.qty_in),
            n(l.qty_out),
            i18n::num(l.balance),
        ]);
    }
    right_align(&mut t, [6, 7, 8]);
    if !card.lines.is_empty() {
        println!("{t}");
    }
    println!(
        "{}",
        t!(
            "cli.card.closing",
            n = i18n::num(card.closing),
            unit = i18n::unit(&card.unit),
            total_in = i18n::num(card.total_in),
            total_out = i18n::num(card.total_out),
            moves = card.lines.len()
        )
    );
    Ok(0)
}
