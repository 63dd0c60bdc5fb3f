//! `wardstock reserve …`: stock held for scheduled cases (book, list, show,
//! use, close, cancel), and the held figures beside `wardstock stock`.

use std::collections::HashMap;
use std::path::PathBuf;

use anyhow::Result;
use chrono::Utc;
use clap::Subcommand;
use comfy_table::{Table, presets::UTF8_BORDERS_ONLY};
use rusqlite::Connection;
use serde::Serialize;

use super::cd::WitnessArgs;
use super::open;
use super::stock::{UserArgs, print, sign_in};
use crate::ops::reservations::{self as res, Case, ReserveError};
use crate::ops::stock::{ItemRef, item_by_code, place_by_code};
use crate::store::queries::BalanceRow;
use crate::{i18n, t};

#[derive(Debug, Subcommand)]
pub enum ReserveCommand {
    /// Book a scheduled case (a nurse manager or a pharmacist): its ward or theatre, time, patient and kit; the kit's units are held there until the case uses them or is cancelled.
    New {
        #[arg(long, value_name = "WARD")]
        place: String,
        /// When the case is scheduled: YYYY-MM-DD HH:MM on the hospital's clock.
        #[arg(long, value_name = "DATETIME")]
        at: String,
        /// The patient's MRN.
        #[arg(long, value_name = "MRN")]
        patient: String,
        /// A kit line, CODE:QTY (in the item's unit); once per item.
        #[arg(long = "item", value_name = "CODE:QTY", required = true)]
        items: Vec<String>,
        #[arg(long)]
        note: Option<String>,
        #[command(flatten)]
        who: UserArgs,
    },
    /// The booked cases (and those closed in the last week), of one place or all.
    List {
        #[arg(long, value_name = "WARD")]
        place: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// A case with its kit (held, used, released) and its history.
    Show {
        case: String,
        #[arg(long)]
        json: bool,
    },
    /// Record what the case used (units issued to the patient, first expired first out) and close it: what is left is released. Without --item, the whole kit as booked.
    Use {
        case: String,
        /// An item used: CODE:QTY, or CODE with a --qty in the same order.
        #[arg(long = "item", value_name = "CODE[:QTY]")]
        items: Vec<String>,
        /// The quantity of each --item given without one, in order.
        #[arg(long = "qty", value_name = "N")]
        qtys: Vec<i64>,
        /// Keep the case open for more uses (nothing is released yet).
        #[arg(long)]
        keep_open: bool,
        #[command(flatten)]
        witness: WitnessArgs,
        #[command(flatten)]
        who: UserArgs,
    },
    /// Close a case kept open after a use: what it still holds is released.
    Close {
        case: String,
        #[command(flatten)]
        who: UserArgs,
    },
    /// Cancel a case (a nurse manager or a pharmacist): everything it held is free again.
    Cancel {
        case: String,
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        who: UserArgs,
    },
}

fn kit(conn: &Connection, items: &[String], qtys: &[i64]) -> Result<Vec<(ItemRef, i64)>> {
    let mut out = Vec::new();
    let mut q = qtys.iter();
    for line in items {
        let (code, qty) = if line.contains(':') {
            res::parse_kit_line(line)?
        } else {
            match q.next() {
                Some(n) => (line.trim().to_string(), *n),
                None => return Err(ReserveError::BadLine(line.clone()).into()),
            }
        };
        out.push((item_by_code(conn, &code)?, qty));
    }
    if q.next().is_some() {
        return Err(ReserveError::BadLine(
            qtys.iter()
                .map(|n| format!("--qty {n}"))
                .collect::<Vec<_>>()
                .join(" "),
        )
        .into());
    }
    Ok(out)
}

fn when(t: Option<chrono::DateTime<Utc>>) -> String {
    t.map(|t| i18n::datetime_short(i18n::local(t)))
        .unwrap_or_default()
}

pub(super) fn run(db: Option<PathBuf>, command: ReserveCommand) -> Result<i32> {
    let mut store = open(&crate::config::resolve_db(db, false)?)?;
    let now = Utc::now();
    match command {
        ReserveCommand::New {
            place,
            at,
            patient,
            items,
            note,
            who,
        } => {
            let p = place_by_code(&store.conn, &place)?;
            let when_at = crate::domain::reservations::parse_case_time(&at, &store.zone())
                .ok_or_else(|| ReserveError::BadTime(at.clone()))?;
            let lines = kit(&store.conn, &items, &[])?;
            let actor = sign_in(&mut store, &who)?;
            let booked = res::book(
                &mut store,
                &actor,
                now,
                &p,
                when_at,
                &patient,
                &lines,
                note.as_deref(),
            )?;
            print(who.json, &booked, || {
                let mut out = vec![t!(
                    "reserve.cli.booked",
                    case = booked.reference,
                    place = booked.place,
                    at = when(Some(booked.case_at))
                )];
                for s in &booked.short {
                    out.push(t!(
                        "reserve.cli.short",
                        item = s.item,
                        name = s.name,
                        wanted = s.wanted,
                        free = s.free,
                        unit = i18n::unit(&s.unit)
                    ));
                }
                out.join("\n")
            })?;
        }
        ReserveCommand::List { place, json } => {
            let p = place.map(|c| place_by_code(&store.conn, &c)).transpose()?;
            let list = res::cases(&store.conn, p.as_ref().map(|p| p.id), now, 7)?;
            print(json, &list, || list_text(&list))?;
        }
        ReserveCommand::Show { case, json } => {
            let c = res::case_by_ref(&store.conn, &case, now)?;
            let events = res::case_events(&store.conn, c.id)?;
            #[derive(Serialize)]
            struct Shown<'a> {
                #[serde(flatten)]
                case: &'a Case,
                events: &'a [res::CaseEvent],
            }
            print(
                json,
                &Shown {
                    case: &c,
                    events: &events,
                },
                || show_text(&c, &events),
            )?;
        }
        ReserveCommand::Use {
            case,
            items,
            qtys,
            keep_open,
            witness,
            who,
        } => {
            let uses = kit(&store.conn, &items, &qtys)?;
            let actor = sign_in(&mut store, &who)?;
            let witness = witness.sign_in(&mut store)?;
            let used = res::use_case(
                &mut store,
                &actor,
                now,
                &case,
                &uses,
                !keep_open,
                witness.as_ref(),
            )?;
            print(who.json, &used, || {
                let mut out = Vec::new();
                for u in &used.used {
                    let lots = u
                        .lots
                        .iter()
                        .map(|l| format!("{} ×{}", l.lot_number, l.qty))
                        .collect::<Vec<_>>()
                        .join(", ");
                    out.push(t!(
                        "reserve.cli.used",
                        case = used.reference,
                        item = u.item,
                        qty = u.qty,
                        mrn = used.mrn,
                        lots = lots
                    ));
                }
                out.push(released_text(&used.reference, used.closed, &used.released));
                out.join("\n")
            })?;
        }
        ReserveCommand::Close { case, who } => {
            let actor = sign_in(&mut store, &who)?;
            let released = res::close(&mut store, &actor, now, &case)?;
            let c = res::case_by_ref(&store.conn, &case, now)?;
            print(
                who.json,
                &serde_json::json!({"case": c.reference, "status": c.status, "released": released}),
                || released_text(&c.reference, true, &released),
            )?;
        }
        ReserveCommand::Cancel { case, reason, who } => {
            let actor = sign_in(&mut store, &who)?;
            let released = res::cancel(&mut store, &actor, now, &case, &reason)?;
            let c = res::case_by_ref(&store.conn, &case, now)?;
            print(
                who.json,
                &serde_json::json!({"case": c.reference, "status": c.status, "released": released}),
                || {
                    t!(
                        "reserve.cli.cancelled",
                        case = c.reference,
                        released = items_text(&released)
                    )
                },
            )?;
        }
    }
    Ok(0)
}

fn items_text(list: &[(String, i64)]) -> String {
    if list.is_empty() {
        return "-".into();
    }
    list.iter()
        .map(|(i, q)| format!("{i} ×{q}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn released_text(case: &str, closed: bool, released: &[(String, i64)]) -> String {
    if closed {
        t!(
            "reserve.cli.closed",
            case = case,
            released = items_text(released)
        )
    } else {
        t!("reserve.cli.kept_open", case = case)
    }
}

fn list_text(list: &[Case]) -> String {
    if list.is_empty() {
        return t!("reserve.cli.none").into();
    }
    let mut t = Table::new();
    t.load_preset(UTF8_BORDERS_ONLY).set_header([
        t!("reserve.col.case"),
        t!("reserve.col.at"),
        t!("cli.col.place"),
        t!("reserve.col.patient"),
        t!("reserve.col.status"),
        t!("reserve.col.kit"),
    ]);
    for c in list {
        let kit = c
            .lines
            .iter()
            .map(|l| line_text(c, l))
            .collect::<Vec<_>>()
            .join("\n");
        t.add_row([
            c.reference.clone(),
            when(c.case_at),
            c.place.clone(),
            format!("{} {}", c.mrn, c.patient),
            crate::i18n::reservations::status(&c.status).to_string(),
            kit,
        ]);
    }
    t.to_string()
}

fn line_text(c: &Case, l: &res::CaseLine) -> String {
    let mut s = if c.is_open() {
        t!(
            "reserve.cli.line_open",
            item = l.item,
            qty = l.qty,
            held = l.held,
            used = l.used,
            unit = i18n::unit(&l.unit)
        )
    } else {
        t!(
            "reserve.cli.line_closed",
            item = l.item,
            qty = l.qty,
            used = l.used,
            released = l.released,
            unit = i18n::unit(&l.unit)
        )
    };
    if l.short > 0 {
        s.push_str(&t!("reserve.cli.line_short", short = l.short));
    }
    s
}

fn show_text(c: &Case, events: &[res::CaseEvent]) -> String {
    let mut out = vec![t!(
        "reserve.cli.head",
        case = c.reference,
        at = when(c.case_at),
        place = c.place,
        mrn = c.mrn,
        patient = c.patient,
        status = crate::i18n::reservations::status(&c.status)
    )];
    if let Some(n) = &c.note {
        out.push(format!("  {n}"));
    }
    for l in &c.lines {
        out.push(format!("  {} · {}", line_text(c, l), l.name));
    }
    for e in events {
        let what = match (&e.item, e.qty) {
            (Some(i), Some(q)) => format!(" {i} ×{q}"),
            _ => String::new(),
        };
        let by = match &e.witness {
            Some(w) => format!("{} + {w}", e.user),
            None => e.user.clone(),
        };
        let note = e
            .note
            .as_ref()
            .map(|n| format!(" · {n}"))
            .unwrap_or_default();
        out.push(format!(
            "  {} {}{what} · {by}{note}",
            when(e.at),
            crate::i18n::reservations::event(&e.event)
        ));
    }
    out.join("\n")
}

/// Units held for cases and what is free, per (place, item), filled into
/// the balance rows of `wardstock stock`; gives the figures of the items
/// that have units held.
pub(super) fn held_figures(
    conn: &Connection,
    place_id: Option<i64>,
    rows: &mut [BalanceRow],
) -> rusqlite::Result<Vec<HeldFigure>> {
    let held: HashMap<(String, String), (i64, i64, String)> = res::held_everywhere(conn)?
        .into_iter()
        .map(|h| ((h.place, h.item), (h.place_id, h.qty, h.cases)))
        .collect();
    let mut usable: HashMap<(String, String), (i64, i64)> = HashMap::new();
    for r in rows.iter() {
        let e = usable.entry((r.place.clone(), r.item.clone())).or_default();
        e.0 += r.qty;
        if r.usable {
            e.1 += r.qty;
        }
    }
    for r in rows.iter_mut() {
        let key = (r.place.clone(), r.item.clone());
        let h = held.get(&key).map_or(0, |h| h.1);
        let u = usable.get(&key).map_or(0, |u| u.1);
        r.item_reserved = h;
        r.item_available = crate::domain::reservations::free(u, h);
    }
    let mut out: Vec<HeldFigure> = held
        .into_iter()
        .filter(|(k, h)| {
            place_id.is_none() || rows.iter().any(|r| r.place == k.0) || place_id == Some(h.0)
        })
        .map(|((place, item), (_, qty, cases))| {
            let (on_hand, u) = usable
                .get(&(place.clone(), item.clone()))
                .copied()
                .unwrap_or_default();
            HeldFigure {
                available: crate::domain::reservations::free(u, qty),
                place,
                item,
                on_hand,
                usable: u,
                reserved: qty,
                cases,
            }
        })
        .collect();
    out.sort_by(|a, b| (&a.place, &a.item).cmp(&(&b.place, &b.item)));
    Ok(out)
}

/// One item's held figures at a place.
pub(super) struct HeldFigure {
    place: String,
    item: String,
    on_hand: i64,
    usable: i64,
    reserved: i64,
    available: i64,
    cases: String,
}

pub(super) fn print_held(list: &[HeldFigure]) {
    if list.is_empty() {
        return;
    }
    println!("{}", t!("reserve.cli.held_head"));
    for f in list {
        println!(
            "{}",
            t!(
                "reserve.cli.held_line",
                place = f.place,
                item = f.item,
                on_hand = i18n::num(f.on_hand),
                usable = i18n::num(f.usable),
                reserved = i18n::num(f.reserved),
                available = i18n::num(f.available),
                cases = f.cases
            )
        );
    }
}

/// The scheduled cases the plan covers only by expediting, named.
pub(super) fn print_risks(sheet: &crate::ops::plan::PlanSheet) {
    for r in &sheet.cases {
        let day = sheet
            .start
            .and_then(|s| {
                s.checked_add_signed(chrono::TimeDelta::try_hours(
                    r.bucket as i64 * sheet.bucket_hours,
                )?)
            })
            .map(|d| i18n::day_short(d.date()))
            .unwrap_or_default();
        println!(
            "{}",
            if r.purchase {
                t!(
                    "reserve.risk.purchase",
                    case = r.case,
                    place = r.place,
                    item = r.item,
                    qty = r.qty,
                    day = day
                )
            } else {
                t!(
                    "reserve.risk.delivery",
                    case = r.case,
                    place = r.place,
                    item = r.item,
                    qty = r.qty,
                    day = day
                )
            }
        );
    }
}
