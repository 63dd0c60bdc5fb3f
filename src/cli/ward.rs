//! `wardstock ward …`: what a ward sets for itself — its reason lists and
//! its administration times — and the multi-dose packs open on it.

use anyhow::{Context, Result, bail};
use chrono::{NaiveTime, Utc};
use clap::Subcommand;
use comfy_table::{Table, presets::UTF8_BORDERS_ONLY};

use super::stock::{UserArgs, sign_in};
use crate::domain::schedule::Frequency;
use crate::i18n;
use crate::ops::ward::{self, ReasonKind};
use crate::store::{Store, queries};
use crate::t;

#[derive(Debug, Subcommand)]
pub enum WardCommand {
    /// The ward's reason lists (held, refused, missed, partial, timing).
    Reasons {
        #[arg(long, value_name = "WARD")]
        ward: String,
        /// Only this kind: held, refused, missed, partial, timing or unable_to_scan.
        #[arg(long)]
        kind: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Add a reason to the ward's list, or reword one for the ward (nurse manager).
    AddReason {
        #[command(flatten)]
        who: UserArgs,
        #[arg(long, value_name = "WARD")]
        ward: String,
        #[arg(long)]
        kind: String,
        /// A short code nurses type or pick, e.g. DIALYSIS.
        #[arg(long)]
        code: String,
        #[arg(long)]
        label: String,
    },
    /// Withdraw a reason from the ward's list (nurse manager).
    RemoveReason {
        #[command(flatten)]
        who: UserArgs,
        #[arg(long, value_name = "WARD")]
        ward: String,
        #[arg(long)]
        kind: String,
        #[arg(long)]
        code: String,
    },
    /// The ward's administration times per frequency.
    Times {
        #[arg(long, value_name = "WARD")]
        ward: String,
        #[arg(long)]
        json: bool,
    },
    /// Set the ward's times for a frequency, e.g. --frequency bid --times 09:00,21:00 (nurse manager).
    SetTimes {
        #[command(flatten)]
        who: UserArgs,
        #[arg(long, value_name = "WARD")]
        ward: String,
        #[arg(long)]
        frequency: String,
        #[arg(long)]
        times: String,
    },
    /// Multi-dose packs (vials, bottles, pens) open on the ward, with what is left.
    OpenPacks {
        #[arg(long, value_name = "WARD")]
        ward: String,
        #[arg(long)]
        json: bool,
    },
}

fn kind(s: &str) -> Result<ReasonKind> {
    s.parse()
        .map_err(|_| anyhow::anyhow!(t!("cli.ward.kind", value = crate::i18n::results::quote(s))))
}

pub fn run(store: &mut Store, cmd: WardCommand) -> Result<()> {
    let now = Utc::now();
    match cmd {
        WardCommand::Reasons {
            ward,
            kind: k,
            json,
        } => {
            let id = ward::ward_id(&store.conn, &ward)?;
            let list = match k {
                Some(k) => ward::reasons(&store.conn, id, kind(&k)?)?,
                None => ward::all_reasons(&store.conn, id)?,
            };
            if json {
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else {
                let mut t = Table::new();
                t.load_preset(UTF8_BORDERS_ONLY).set_header([
                    t!("cli.col.kind"),
                    t!("cli.col.code"),
                    t!("cli.col.reason"),
                    t!("cli.col.set_by"),
                ]);
                for r in &list {
                    t.add_row([
                        kind_word(r.kind).to_string(),
                        r.code.clone(),
                        r.label.clone(),
                        set_by(r.ward_own).to_string(),
                    ]);
                }
                println!("{t}");
                println!("{}", t!("cli.ward.free_text"));
            }
        }
        WardCommand::AddReason {
            who,
            ward: w,
            kind: k,
            code,
            label,
        } => {
            let k = kind(&k)?;
            let actor = sign_in(store, &who)?;
            let r = ward::add_reason(store, &actor, now, &w, k, &code, &label)?;
            if who.json {
                println!("{}", serde_json::to_string_pretty(&r)?);
            } else {
                println!(
                    "{}",
                    t!(
                        "cli.ward.reason_added",
                        kind = kind_word(k),
                        code = r.code,
                        label = r.label,
                        ward = w
                    )
                );
            }
        }
        WardCommand::RemoveReason {
            who,
            ward: w,
            kind: k,
            code,
        } => {
            let k = kind(&k)?;
            let actor = sign_in(store, &who)?;
            ward::remove_reason(store, &actor, now, &w, k, &code)?;
            if who.json {
                println!(
                    "{}",
                    serde_json::json!({"ward": w, "kind": k, "code": code.to_ascii_uppercase(), "withdrawn": true})
                );
            } else {
                println!(
                    "{}",
                    t!(
                        "cli.ward.reason_removed",
                        kind = kind_word(k),
                        code = code.to_ascii_uppercase(),
                        ward = w
                    )
                );
            }
        }
        WardCommand::Times { ward: w, json } => {
            let id = ward::ward_id(&store.conn, &w)?;
            let list = ward::all_ward_times(&store.conn, id)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else {
                let mut t = Table::new();
                t.load_preset(UTF8_BORDERS_ONLY).set_header([
                    t!("cli.col.frequency"),
                    t!("cli.col.times"),
                    t!("cli.col.set_by"),
                ]);
                for l in &list {
                    t.add_row([
                        l.frequency.as_ref().to_string(),
                        l.times.join(" "),
                        set_by(l.ward_own).to_string(),
                    ]);
                }
                println!("{t}");
            }
        }
        WardCommand::SetTimes {
            who,
            ward: w,
            frequency,
            times,
        } => {
            let freq: Frequency = frequency.parse().map_err(|_| {
                anyhow::anyhow!(t!(
                    "cli.ward.frequency",
                    value = crate::i18n::results::quote(&frequency)
                ))
            })?;
            let parsed = times
                .split(',')
                .map(|x| {
                    NaiveTime::parse_from_str(x.trim(), "%H:%M").with_context(|| {
                        t!("cli.arg.times", value = crate::i18n::results::quote(x))
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            if parsed.is_empty() {
                bail!(t!("cli.ward.give_times"));
            }
            let actor = sign_in(store, &who)?;
            let set = ward::set_times(store, &actor, now, &w, freq, &parsed)?;
            let text: Vec<String> = set.iter().map(|t| t.format("%H:%M").to_string()).collect();
            if who.json {
                println!(
                    "{}",
                    serde_json::json!({"ward": w, "frequency": freq, "times": text})
                );
            } else {
                println!(
                    "{}",
                    t!(
                        "cli.ward.times_set",
                        ward = w,
                        frequency = freq,
                        times = text.join(" ")
                    )
                );
            }
        }
        WardCommand::OpenPacks { ward: w, json } => {
            let id = ward::ward_id(&store.conn, &w)?;
            let packs = queries::open_packs(&store.conn, id, now)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&packs)?);
            } else if packs.is_empty() {
                println!("{}", t!("cli.ward.no_open_packs", ward = w));
            } else {
                let mut t = Table::new();
                t.load_preset(UTF8_BORDERS_ONLY).set_header([
                    t!("cli.col.pack"),
                    t!("cli.col.item_name"),
                    t!("cli.col.lot"),
                    t!("cli.col.for_whom"),
                    t!("cli.col.opened"),
                    t!("cli.col.left"),
                    t!("cli.col.discard_after"),
                    t!("cli.col.state"),
                ]);
                let local = |t: chrono::DateTime<Utc>| i18n::datetime_short(i18n::local(t));
                for p in &packs {
                    t.add_row([
                        format!("#{}", p.id),
                        p.item.clone(),
                        p.lot.clone(),
                        p.patient
                            .clone()
                            .unwrap_or_else(|| t!("cli.ward.whole_ward").into()),
                        local(p.opened_at),
                        format!(
                            "{} {}",
                            crate::domain::milli_text(p.remaining_milli),
                            crate::i18n::unit(&p.unit)
                        ),
                        local(p.discard_at),
                        pack_state(&p.state),
                    ]);
                }
                println!("{t}");
            }
        }
    }
    Ok(())
}

/// Who set a list entry: the ward itself, or the hospital's default.
fn set_by(ward_own: bool) -> &'static str {
    if ward_own {
        t!("cli.ward.by_ward")
    } else {
        t!("cli.ward.by_hospital")
    }
}

/// The state of an open pack, in words.
fn pack_state(s: &crate::store::queries::PackState) -> String {
    use crate::store::queries::PackState;
    match s {
        PackState::InUse => t!("cli.ward.pack_in_use").into(),
        PackState::PeriodOver => t!("cli.ward.pack_period_over").into(),
        PackState::LotHeld(status) => t!(
            "cli.ward.pack_lot_blocked",
            status = super::status_word(status)
        ),
    }
}

/// A kind of reason list, as its column shows it (`held` in English).
fn kind_word(k: ReasonKind) -> &'static str {
    match k {
        ReasonKind::Held => t!("cli.ward.kind_held"),
        ReasonKind::Refused => t!("cli.ward.kind_refused"),
        ReasonKind::Missed => t!("cli.ward.kind_missed"),
        ReasonKind::Partial => t!("cli.ward.kind_partial"),
        ReasonKind::Timing => t!("cli.ward.kind_timing"),
        ReasonKind::UnableToScan => t!("cli.scanning.kind_unable_to_scan"),
    }
}
