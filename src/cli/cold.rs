//! The cold chain on the command line: readings by hand and from a data
//! logger's export, the cold locations' state, a location's log, and the
//! pharmacist's decision on held stock.

use anyhow::{Context, Result};
use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use clap::{Args, Subcommand};

use super::cd::WitnessArgs;
use super::stock::{UserArgs, print, sign_in};
use crate::domain::cold::celsius_text;
use crate::i18n;
use crate::i18n::cold::{celsius, celsius_opt};
use crate::ops::cold::{self, ColdLog, Decided, LocationStatus, Raised, Recorded};
use crate::ops::stock;
use crate::store::Store;
use crate::t;

/// The cold location: `PLACE/CODE` (e.g. `W3/FRIDGE`), or a code one place alone has.
#[derive(Debug, Args)]
pub struct LocationArg {
    #[arg(long, value_name = "PLACE/CODE")]
    pub location: String,
}

/// The held lot a pharmacist decides on.
#[derive(Debug, Args)]
pub struct DecisionArgs {
    #[command(flatten)]
    who: UserArgs,
    #[command(flatten)]
    at: LocationArg,
    /// The lot number held at the location.
    #[arg(long)]
    lot: String,
    /// The item code (needed only when two items held there share the lot number).
    #[arg(long, value_name = "CODE")]
    item: Option<String>,
    /// Why: the stability data or the supplier's advice the decision rests on.
    #[arg(long)]
    comment: String,
}

#[derive(Debug, Subcommand)]
pub enum ColdCommand {
    /// Record a reading taken by hand on the round: the temperature now and, from a
    /// min/max thermometer, the lowest and highest since the last reset (°C).
    Read {
        #[command(flatten)]
        who: UserArgs,
        #[command(flatten)]
        at: LocationArg,
        #[arg(long, allow_hyphen_values = true, value_name = "°C")]
        current: String,
        #[arg(long, allow_hyphen_values = true, value_name = "°C")]
        min: Option<String>,
        #[arg(long, allow_hyphen_values = true, value_name = "°C")]
        max: Option<String>,
        /// When it was read (RFC 3339); default now.
        #[arg(long = "time", value_name = "TIME")]
        time: Option<DateTime<Utc>>,
    },
    /// Import a data logger's CSV export (a time and a °C column; ISO or dd/mm/yyyy hh:mm
    /// times in the site's zone; `,` or `;` between columns): every line or none.
    Import {
        #[command(flatten)]
        who: UserArgs,
        #[command(flatten)]
        at: LocationArg,
        file: std::path::PathBuf,
    },
    /// Raise a missed reading at every cold location whose round is overdue.
    Check {
        #[command(flatten)]
        who: UserArgs,
        #[arg(long, value_name = "CODE")]
        place: Option<String>,
    },
    /// Set a cold location's range (°C), the minutes out of range allowed, and the round
    /// (minutes between readings; 0: no rounds kept).
    Set {
        #[command(flatten)]
        who: UserArgs,
        #[command(flatten)]
        at: LocationArg,
        #[arg(long, allow_hyphen_values = true, value_name = "°C")]
        min: Option<String>,
        #[arg(long, allow_hyphen_values = true, value_name = "°C")]
        max: Option<String>,
        #[arg(long, value_name = "MINUTES")]
        allowed: Option<i64>,
        #[arg(long, value_name = "MINUTES")]
        round: Option<i64>,
    },
    /// Each cold location: its range, last reading, state and the lots held there.
    Status {
        /// Only this place.
        #[arg(long, value_name = "CODE")]
        place: Option<String>,
        /// Only this location.
        #[arg(long, value_name = "PLACE/CODE")]
        location: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// A cold location's readings and excursions, with the decisions on what they held.
    Log {
        #[command(flatten)]
        at: LocationArg,
        /// First day shown (YYYY-MM-DD, the site's day).
        #[arg(long, value_name = "DATE")]
        from: Option<NaiveDate>,
        /// Last day shown (YYYY-MM-DD, included).
        #[arg(long, value_name = "DATE")]
        to: Option<NaiveDate>,
        #[arg(long)]
        json: bool,
    },
    /// Every excursion (of a place's cold locations, or all), newest first, with the
    /// decision on each lot it held.
    Excursions {
        #[arg(long, value_name = "CODE")]
        place: Option<String>,
        /// First day shown (YYYY-MM-DD, the site's day).
        #[arg(long, value_name = "DATE")]
        from: Option<NaiveDate>,
        /// Last day shown (YYYY-MM-DD, included).
        #[arg(long, value_name = "DATE")]
        to: Option<NaiveDate>,
        #[arg(long)]
        json: bool,
    },
    /// Release a lot held at a location (pharmacist): the excursion's duration and peak
    /// are recorded on the lot with the comment.
    Release(DecisionArgs),
    /// Dispose of a lot held at a location (pharmacist): a waste movement with the excursion.
    Dispose {
        #[command(flatten)]
        d: DecisionArgs,
        #[command(flatten)]
        witness: WitnessArgs,
    },
}

fn day_start(store: &Store, day: NaiveDate) -> DateTime<Utc> {
    crate::domain::schedule::local_instant(&store.zone(), day, NaiveTime::MIN)
        .unwrap_or_else(|| Utc.from_utc_datetime(&day.and_time(NaiveTime::MIN)))
}

/// The item of a lot held at a location, from `--item` or the hold itself.
fn held_item(store: &Store, d: &DecisionArgs) -> Result<stock::ItemRef> {
    if let Some(code) = &d.item {
        return Ok(stock::item_by_code(&store.conn, code)?);
    }
    let loc = cold::location(&store.conn, &d.at.location)?;
    let held: Vec<_> = cold::held_lots(&store.conn, Some(loc.place_id))?
        .into_iter()
        .filter(|h| h.location_id == loc.id && h.lot.eq_ignore_ascii_case(d.lot.trim()))
        .collect();
    match held.as_slice() {
        [one] => Ok(stock::item_by_id(&store.conn, one.item_id)?),
        [] => Err(cold::ColdError::NotHeld {
            location: loc.label(),
            lot: d.lot.trim().to_string(),
        }
        .into()),
        many => anyhow::bail!(t!(
            "cold.cli.item_needed",
            lot = d.lot.trim(),
            items = many
                .iter()
                .map(|h| h.item_code.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

pub fn run(store: &mut Store, now: DateTime<Utc>, cmd: ColdCommand) -> Result<()> {
    match cmd {
        ColdCommand::Read {
            who,
            at,
            current,
            min,
            max,
            time,
        } => {
            let actor = sign_in(store, &who)?;
            let r = cold::HandReading {
                current: &current,
                min: min.as_deref(),
                max: max.as_deref(),
                at: time,
            };
            let done = cold::record_reading(store, &actor, now, &at.location, &r)?;
            print(who.json, &done, || recorded_text(&done))
        }
        ColdCommand::Import { who, at, file } => {
            let actor = sign_in(store, &who)?;
            let text = std::fs::read_to_string(&file)
                .with_context(|| t!("cold.cli.unreadable", file = file.display()))?;
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| file.display().to_string());
            let done = cold::import_logger(store, &actor, now, &at.location, &name, &text)?;
            print(who.json, &done, || recorded_text(&done))
        }
        ColdCommand::Check { who, place } => {
            let actor = sign_in(store, &who)?;
            let raised = cold::check_rounds(store, &actor, now, place.as_deref())?;
            print(who.json, &raised, || {
                if raised.is_empty() {
                    t!("cold.cli.rounds_ok").into()
                } else {
                    raised
                        .iter()
                        .map(raised_text)
                        .collect::<Vec<_>>()
                        .join("\n")
                }
            })
        }
        ColdCommand::Set {
            who,
            at,
            min,
            max,
            allowed,
            round,
        } => {
            let actor = sign_in(store, &who)?;
            let loc = cold::set_rules(
                store,
                &actor,
                now,
                &at.location,
                min.as_deref(),
                max.as_deref(),
                allowed,
                round.map(|r| (r > 0).then_some(r)),
            )?;
            print(who.json, &loc, || {
                t!(
                    "cold.cli.set",
                    location = loc.label(),
                    min = celsius(loc.rules.min_tenths),
                    max = celsius(loc.rules.max_tenths),
                    allowed = loc.rules.allowed_minutes,
                    round = loc
                        .rules
                        .round_minutes
                        .map(|m| m.to_string())
                        .unwrap_or_else(|| "-".into())
                )
            })
        }
        ColdCommand::Status {
            place,
            location,
            json,
        } => {
            let mut list = cold::status(&store.conn, place.as_deref(), now)?;
            if let Some(l) = location {
                let want = cold::location(&store.conn, &l)?;
                list.retain(|s| s.location.id == want.id);
            }
            print(json, &list, || status_text(&list))
        }
        ColdCommand::Log { at, from, to, json } => {
            let from_at = from.map(|d| day_start(store, d));
            let to_at = to
                .and_then(|d| d.succ_opt())
                .map(|d| day_start(store, d) - chrono::Duration::seconds(1));
            let log = cold::log(&store.conn, &at.location, from_at, to_at)?;
            print(json, &log, || log_text(&log))
        }
        ColdCommand::Excursions {
            place,
            from,
            to,
            json,
        } => {
            let from_at = from.map(|d| day_start(store, d));
            let to_at = to
                .and_then(|d| d.succ_opt())
                .map(|d| day_start(store, d) - chrono::Duration::seconds(1));
            let list = cold::excursions(&store.conn, place.as_deref(), from_at, to_at)?;
            print(json, &list, || excursions_text(&list))
        }
        ColdCommand::Release(d) => {
            let actor = sign_in(store, &d.who)?;
            let item = held_item(store, &d)?;
            let done = cold::release(
                store,
                &actor,
                now,
                &d.at.location,
                &item,
                &d.lot,
                &d.comment,
            )?;
            print(d.who.json, &done, || decided_text(&done))
        }
        ColdCommand::Dispose { d, witness } => {
            let actor = sign_in(store, &d.who)?;
            let item = held_item(store, &d)?;
            let w = witness.sign_in(store)?;
            let done = cold::dispose(
                store,
                &actor,
                now,
                &d.at.location,
                &item,
                &d.lot,
                &d.comment,
                w.as_ref(),
            )?;
            print(d.who.json, &done, || decided_text(&done))
        }
    }
}

fn when(t: DateTime<Utc>) -> String {
    i18n::datetime(i18n::local(t))
}

fn raised_text(r: &Raised) -> String {
    let mut s = t!(
        "cold.cli.raised",
        location = r.location,
        cause = i18n::cold::cause(r.cause),
        from = when(r.start),
        to = when(r.end),
        minutes = r.minutes,
        peak = celsius_opt(r.peak_tenths)
    );
    for (item, lot, qty) in &r.held {
        s.push('\n');
        s.push_str(&t!(
            "cold.cli.held_line",
            item = item,
            lot = lot,
            qty = i18n::num(*qty)
        ));
    }
    s
}

fn recorded_text(d: &Recorded) -> String {
    let mut out = vec![t!(
        "cold.cli.recorded",
        n = d.readings,
        location = d.location,
        already = d.already
    )];
    if d.raised.is_empty() {
        out.push(t!("cold.cli.nothing_raised").into());
    }
    out.extend(d.raised.iter().map(raised_text));
    out.join("\n")
}

fn status_text(list: &[LocationStatus]) -> String {
    if list.is_empty() {
        return t!("cold.cli.no_locations").into();
    }
    let mut table = comfy_table::Table::new();
    table
        .load_preset(comfy_table::presets::UTF8_BORDERS_ONLY)
        .set_header([
            t!("cold.col.location"),
            t!("cold.col.range"),
            t!("cold.col.last"),
            t!("cold.col.at"),
            t!("cold.col.state"),
            t!("cold.col.held"),
        ]);
    for s in list {
        let r = &s.location.rules;
        table.add_row([
            format!("{} {}", s.location.label(), s.location.name),
            format!("{} – {}", celsius_text(r.min_tenths), celsius(r.max_tenths)),
            s.last
                .as_ref()
                .map(|l| celsius(l.reading.current))
                .unwrap_or_else(|| "-".into()),
            s.last
                .as_ref()
                .map(|l| when(l.reading.at))
                .unwrap_or_else(|| "-".into()),
            i18n::cold::state(s.state).to_string(),
            if s.held.is_empty() {
                "-".into()
            } else {
                s.held
                    .iter()
                    .map(|h| format!("{} {} ×{}", h.item_code, h.lot, i18n::num(h.qty)))
                    .collect::<Vec<_>>()
                    .join("\n")
            },
        ]);
    }
    table.to_string()
}

fn log_text(log: &ColdLog) -> String {
    let r = &log.location.rules;
    let mut out = vec![t!(
        "cold.cli.log_head",
        location = log.location.label(),
        name = log.location.name,
        min = celsius(r.min_tenths),
        max = celsius(r.max_tenths),
        allowed = r.allowed_minutes
    )];
    let mut table = comfy_table::Table::new();
    table
        .load_preset(comfy_table::presets::UTF8_BORDERS_ONLY)
        .set_header([
            t!("cold.col.at"),
            t!("cold.col.current"),
            t!("cold.col.min"),
            t!("cold.col.max"),
            t!("cold.col.by"),
        ]);
    for s in &log.readings {
        let out_of_range = r.reading_out(&s.reading);
        table.add_row([
            when(s.reading.at),
            format!(
                "{}{}",
                celsius(s.reading.current),
                if out_of_range { " !" } else { "" }
            ),
            celsius_opt(s.reading.min),
            celsius_opt(s.reading.max),
            match &s.file {
                Some(f) => format!("{} ({f})", s.user),
                None => s.user.clone(),
            },
        ]);
    }
    if log.readings.is_empty() {
        out.push(t!("cold.cli.no_readings").into());
    } else {
        out.push(table.to_string());
    }
    if log.excursions.is_empty() {
        out.push(t!("cold.cli.no_excursions").into());
    }
    for e in &log.excursions {
        out.extend(excursion_lines(None, e));
    }
    out.join("\n")
}

fn excursion_lines(location: Option<&str>, e: &cold::ExcursionRecord) -> Vec<String> {
    let head = t!(
        "cold.cli.excursion",
        id = e.id,
        cause = i18n::cold::cause(e.cause),
        from = when(e.start),
        to = when(e.end),
        minutes = e.minutes,
        peak = celsius_opt(e.peak_tenths)
    );
    let mut out = vec![match location {
        Some(l) => format!("{l} · {head}"),
        None => head,
    }];
    for h in &e.holds {
        out.push(t!(
            "cold.cli.hold_line",
            item = h.item_code,
            lot = h.lot,
            decision = i18n::cold::decision(h.decision.as_deref()),
            by = h.decided_by.clone().unwrap_or_default(),
            comment = h.comment.clone().unwrap_or_default()
        ));
    }
    out
}

fn excursions_text(list: &[cold::LocatedExcursion]) -> String {
    if list.is_empty() {
        return t!("cold.cli.no_excursions").into();
    }
    list.iter()
        .flat_map(|e| excursion_lines(Some(&e.location), &e.excursion))
        .collect::<Vec<_>>()
        .join("\n")
}

fn decided_text(d: &Decided) -> String {
    let head = if d.decision == "dispose" {
        t!(
            "cold.cli.disposed",
            item = d.item,
            lot = d.lot,
            location = d.location,
            qty = i18n::num(d.disposed)
        )
    } else {
        t!(
            "cold.cli.released",
            item = d.item,
            lot = d.lot,
            location = d.location
        )
    };
    format!(
        "{head}\n{}",
        t!(
            "cold.cli.recorded_on_lot",
            minutes = d.minutes,
            peak = celsius_opt(d.peak_tenths),
            total = d.cumulative_minutes
        )
    )
}
