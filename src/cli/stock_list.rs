//! What stock there is: balances by place, item and lot (`wardstock stock`),
//! the warnings (`alerts`), and where a lot went (`trace`).

use super::*;

pub(super) fn run_stock(db: Option<PathBuf>, place: Option<String>, json: bool) -> Result<i32> {
    let store = open(&crate::config::resolve_db(db.clone(), false)?)?;
    let place_id = place_filter(&store, place.as_deref())?;
    let mut rows = queries::balance_rows(&store.conn, place_id, store.today(Utc::now()))?;
    let held = super::reserve::held_figures(&store.conn, place_id, &mut rows)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
    } else {
        let mut t = Table::new();
        t.load_preset(UTF8_BORDERS_ONLY).set_header([
            t!("cli.col.place"),
            t!("cli.col.location"),
            t!("cli.col.item"),
            t!("cli.col.item_name"),
            t!("cli.col.lot"),
            t!("cli.col.expiry"),
            t!("cli.col.qty"),
            t!("cli.col.unit"),
            t!("cli.col.state"),
        ]);
        for r in &rows {
            let state = match (r.status.as_str(), r.days_to_expiry) {
                ("ok", Some(d)) if d < 0 => t!("cli.stock.expired_ago", days = -d),
                ("ok", Some(d)) if d <= 30 => t!("cli.stock.expires_in", days = d),
                (s, _) => status_word(s),
            };
            t.add_row([
                r.place.as_str(),
                &r.location,
                &r.item,
                &r.item_name,
                &r.lot,
                r.expiry.as_deref().unwrap_or("-"),
                &i18n::num(r.qty),
                crate::i18n::unit(&r.dose_unit),
                &state,
            ]);
        }
        println!("{t}");
        println!("{}", t!("cli.stock.count", n = rows.len()));
        super::reserve::print_held(&held);
    }
    Ok(0)
}

/// `wardstock find ITEM [--for WARD]`.
pub(super) fn run_find(
    db: Option<PathBuf>,
    item: &str,
    for_ward: Option<&str>,
    json: bool,
) -> Result<i32> {
    let store = open(&crate::config::resolve_db(db, false)?)?;
    let it = crate::ops::stock::item_by_code(&store.conn, item)?;
    let ward = for_ward
        .map(|w| crate::ops::stock::place_by_code(&store.conn, w))
        .transpose()?;
    let found = crate::ops::stock::find_stock(&store.conn, &it, ward.as_ref(), chrono::Utc::now())?;
    if json {
        println!("{}", serde_json::to_string_pretty(&found)?);
        return Ok(0);
    }
    let unit = i18n::unit(&found.dose_unit);
    println!(
        "{}",
        t!(
            "cli.find.head",
            item = found.item,
            name = found.item_name,
            total = i18n::num(found.total),
            unit = unit
        )
    );
    let subs = || {
        if found.substitutes.is_empty() {
            return;
        }
        println!("{}", t!("substitute.find_head", item = found.item));
        for s in &found.substitutes {
            println!(
                "{}",
                t!(
                    "substitute.find_line",
                    substitute = s.item,
                    name = s.name,
                    per = super::substitutes::per_unit(s.per_unit),
                    item = found.item,
                    here = i18n::num(s.here),
                    ward = found.for_place.as_deref().unwrap_or("—"),
                    elsewhere = i18n::num(s.elsewhere)
                )
            );
        }
    };
    if found.holdings.is_empty() {
        println!("{}", t!("cli.find.none"));
        subs();
        return Ok(0);
    }
    let mut t = comfy_table::Table::new();
    t.load_preset(comfy_table::presets::UTF8_BORDERS_ONLY)
        .set_header([
            t!("cli.col.place"),
            t!("cli.col.location"),
            t!("cli.col.lot"),
            t!("cli.col.expiry"),
            t!("cli.col.qty"),
            t!("cli.find.spare"),
            t!("cli.find.minutes"),
        ]);
    for h in &found.holdings {
        t.add_row([
            format!("{} {}", h.place, h.place_name),
            h.location.clone(),
            h.lot.clone(),
            h.expiry.map(i18n::date).unwrap_or_default(),
            i18n::num(h.qty),
            i18n::num(h.spare),
            h.minutes.to_string(),
        ]);
    }
    for c in 4..=6 {
        if let Some(col) = t.column_mut(c) {
            col.set_cell_alignment(comfy_table::CellAlignment::Right);
        }
    }
    println!("{t}");
    subs();
    if let (Some(w), Some(lender)) = (
        &ward,
        found.holdings.iter().find(|h| !h.pharmacy && h.spare > 0),
    ) {
        println!(
            "{}",
            t!(
                "cli.find.how",
                from = lender.place,
                to = w.code,
                item = found.item
            )
        );
    }
    Ok(0)
}

pub(super) fn run_trace(
    db: Option<PathBuf>,
    lot: String,
    item: Option<String>,
    json: bool,
) -> Result<i32> {
    let store = open(&crate::config::resolve_db(db.clone(), false)?)?;
    let item = item
        .map(|c| crate::ops::stock::item_by_code(&store.conn, &c))
        .transpose()?;
    let traces = crate::ops::stock::trace(&store.conn, &lot, item.as_ref())?;
    if json {
        println!("{}", serde_json::to_string_pretty(&traces)?);
    } else {
        for t in &traces {
            println!(
                "{}",
                t!(
                    "cli.trace.head",
                    item = t.item,
                    name = t.item_name,
                    lot = t.lot,
                    expiry = t
                        .expiry
                        .map(i18n::date)
                        .unwrap_or_else(|| t!("cli.word.none").into()),
                    status = status_word(t.status.as_ref())
                )
            );
            let total: i64 = t.given.iter().map(|g| g.qty).sum();
            let patients: std::collections::BTreeSet<&str> =
                t.given.iter().map(|g| g.mrn.as_str()).collect();
            println!(
                "  {}",
                t!(
                    "cli.trace.given",
                    units = i18n::num(total),
                    patients = patients.len()
                )
            );
            if !t.given.is_empty() {
                let mut tab = Table::new();
                tab.load_preset(UTF8_BORDERS_ONLY).set_header([
                    t!("cli.col.time"),
                    t!("cli.col.mrn"),
                    t!("cli.col.patient"),
                    t!("cli.col.ward"),
                    t!("cli.col.qty"),
                    t!("cli.col.by"),
                    t!("cli.col.rx"),
                ]);
                for g in &t.given {
                    tab.add_row([
                        when(&g.at),
                        g.mrn.clone(),
                        g.patient.clone(),
                        g.ward.clone().unwrap_or_else(|| "-".into()),
                        i18n::num(g.qty),
                        g.by.clone(),
                        g.order_ref.clone().unwrap_or_default(),
                    ]);
                }
                println!("{tab}");
            }
            let a = &t.account;
            let list = |l: &[(String, i64)]| {
                l.iter()
                    .map(|(k, q)| format!("{k} {}", i18n::num(*q)))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let (came, went) = a.balances();
            println!(
                "  {}",
                t!(
                    "cli.trace.account",
                    received = i18n::num(a.received + a.found),
                    patients = i18n::num(a.to_patients),
                    without = if a.without_patient.is_empty() {
                        "0".into()
                    } else {
                        list(&a.without_patient)
                    },
                    wasted = if a.wasted.is_empty() {
                        "0".into()
                    } else {
                        list(&a.wasted)
                    },
                    lost = i18n::num(a.lost),
                    held = i18n::num(a.held)
                )
            );
            println!(
                "  {}",
                if came == went {
                    t!("cli.trace.accounted", n = i18n::num(came))
                } else {
                    t!(
                        "cli.trace.unaccounted",
                        came = i18n::num(came),
                        went = i18n::num(went)
                    )
                }
            );
            if t.holdings.is_empty() {
                println!("  {}", t!("cli.trace.none_left"));
            } else {
                let h: Vec<String> = t
                    .holdings
                    .iter()
                    .map(|h| {
                        t!(
                            "cli.trace.at",
                            qty = i18n::num(h.qty),
                            place = h.place,
                            name = h.place_text()
                        )
                    })
                    .collect();
                println!("  {}", t!("cli.trace.remaining", list = h.join(", ")));
            }
        }
    }
    Ok(0)
}

pub(super) fn run_alerts(db: Option<PathBuf>, place: Option<String>, json: bool) -> Result<i32> {
    let store = open(&crate::config::resolve_db(db.clone(), false)?)?;
    let place_id = place_filter(&store, place.as_deref())?;
    let settings = stock::settings();
    let mut rows = queries::alert_rows(
        &store.conn,
        place_id,
        store.today(Utc::now()),
        &settings.alert_config(),
    )?;
    // The early warnings (demand surge, supplier risk) follow the others.
    let early =
        crate::ops::early::early_warnings(&store.conn, Utc::now(), &settings.early, place_id)?;
    if json {
        let mut all: Vec<serde_json::Value> = Vec::new();
        for r in &rows {
            all.push(serde_json::to_value(r)?);
        }
        for w in &early {
            all.push(serde_json::to_value(w)?);
        }
        println!("{}", serde_json::to_string_pretty(&all)?);
    } else {
        rows.extend(early.into_iter().map(|w| w.row));
        let mut t = Table::new();
        t.load_preset(UTF8_BORDERS_ONLY).set_header([
            t!("cli.col.severity"),
            t!("cli.col.warning"),
            t!("cli.col.place"),
            t!("cli.col.item"),
            t!("cli.col.item_name"),
            t!("cli.col.what"),
        ]);
        for r in &rows {
            t.add_row([
                r.alert.severity.label().to_string(),
                r.alert.kind.mark(),
                r.place.clone(),
                r.item.clone(),
                r.item_name.clone(),
                r.message.clone(),
            ]);
        }
        println!("{t}");
        println!("{}", t!("cli.alerts.count", n = rows.len()));
    }
    Ok(0)
}
