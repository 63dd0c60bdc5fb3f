//! `wardstock report stock-card`: the reports as text, JSON or CSV.

use std::path::PathBuf;

use anyhow::{Result, bail};
use chrono::{DateTime, NaiveDate, Utc};
use comfy_table::{CellAlignment, Table, presets::UTF8_BORDERS_ONLY};

use crate::i18n;
use crate::t;

pub struct CardArgs {
    pub item: String,
    pub place: String,
    pub lot: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub json: bool,
    pub csv: Option<PathBuf>,
}

/// The period of days `[from, to]` as instants on the site's clock: from
/// the start of the first day to the start of the day after the last.
fn period(
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

pub fn run_stock_card(db: Option<PathBuf>, a: CardArgs) -> Result<i32> {
    let store = super::open(&crate::config::resolve_db(db, false)?)?;
    let (from, to) = period(&store, a.from.as_deref(), a.to.as_deref())?;
    let card = crate::ops::reports::stock_card(
        &store.conn,
        &a.item,
        &a.place,
        a.lot.as_deref(),
        from,
        to,
    )?;
    let zone = store.zone();
    let local = |t: DateTime<Utc>| i18n::datetime(t.with_timezone(&zone).naive_local());
    if a.json {
        println!("{}", serde_json::to_string_pretty(&card)?);
        return Ok(0);
    }
    if let Some(path) = &a.csv {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record([
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
        ])?;
        w.write_record([
            local(card.from),
            "opening".into(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            card.opening.to_string(),
        ])?;
        for l in &card.lines {
            w.write_record([
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
            ])?;
        }
        w.write_record([
            local(card.to),
            "closing".into(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            card.total_in.to_string(),
            card.total_out.to_string(),
            card.closing.to_string(),
        ])?;
        let mut bytes = "\u{feff}".as_bytes().to_vec();
        bytes.extend(w.into_inner().map_err(|e| anyhow::anyhow!(e.to_string()))?);
        let tmp = path.with_extension("partial");
        if let Err(e) = std::fs::write(&tmp, &bytes).and_then(|_| std::fs::rename(&tmp, path)) {
            let _ = std::fs::remove_file(&tmp);
            bail!(t!("import.export.io", why = e));
        }
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
    for c in [6, 7, 8] {
        if let Some(col) = t.column_mut(c) {
            col.set_cell_alignment(CellAlignment::Right);
        }
    }
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
