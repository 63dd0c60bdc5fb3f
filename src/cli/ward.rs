//! `wardstock ward …`: what a ward sets for itself — its reason lists and
//! its administration times — and the multi-dose packs open on it.

use anyhow::{Context, Result, bail};
use chrono::{Local, NaiveTime, Utc};
use clap::Subcommand;
use comfy_table::{Table, presets::UTF8_BORDERS_ONLY};

use super::stock::{UserArgs, sign_in};
use crate::domain::schedule::Frequency;
use crate::ops::ward::{self, ReasonKind};
use crate::store::{Store, queries};

#[derive(Debug, Subcommand)]
pub enum WardCommand {
    /// The ward's reason lists (held, refused, missed, partial, timing).
    Reasons {
        #[arg(long, value_name = "WARD")]
        ward: String,
        /// Only this kind: held, refused, missed, partial or timing.
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
        .map_err(|_| anyhow::anyhow!("--kind {s:?}: use held, refused, missed, partial or timing"))
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
                t.load_preset(UTF8_BORDERS_ONLY)
                    .set_header(["Kind", "Code", "Reason", "Set by"]);
                for r in &list {
                    t.add_row([
                        r.kind.as_ref().to_string(),
                        r.code.clone(),
                        r.label.clone(),
                        if r.ward_own { "ward" } else { "hospital" }.to_string(),
                    ]);
                }
                println!("{t}");
                println!("Free text: \"other: …\" wherever a reason is asked.");
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
                println!("{} {}: \"{}\" is on the {w} list", k, r.code, r.label);
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
                    "{k} {}: withdrawn from the {w} list",
                    code.to_ascii_uppercase()
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
                t.load_preset(UTF8_BORDERS_ONLY)
                    .set_header(["Frequency", "Times", "Set by"]);
                for l in &list {
                    t.add_row([
                        l.frequency.as_ref().to_string(),
                        l.times.join(" "),
                        if l.ward_own { "ward" } else { "hospital" }.to_string(),
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
                anyhow::anyhow!(
                    "--frequency {frequency:?}: use once, qd, bid, tid, qid, q4h, q6h, q8h, q12h or weekly"
                )
            })?;
            let parsed = times
                .split(',')
                .map(|x| {
                    NaiveTime::parse_from_str(x.trim(), "%H:%M")
                        .with_context(|| format!("--times: {x:?} is not a time like 08:00"))
                })
                .collect::<Result<Vec<_>>>()?;
            if parsed.is_empty() {
                bail!("--times: give the times, e.g. 08:00,20:00");
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
                    "{w} {freq}: {} for prescriptions entered from now on",
                    text.join(" ")
                );
            }
        }
        WardCommand::OpenPacks { ward: w, json } => {
            let id = ward::ward_id(&store.conn, &w)?;
            let packs = queries::open_packs(&store.conn, id, now)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&packs)?);
            } else if packs.is_empty() {
                println!("no multi-dose pack is open on {w}");
            } else {
                let mut t = Table::new();
                t.load_preset(UTF8_BORDERS_ONLY).set_header([
                    "Pack",
                    "Item",
                    "Lot",
                    "For",
                    "Opened",
                    "Left",
                    "Discard after",
                    "State",
                ]);
                for p in &packs {
                    t.add_row([
                        format!("#{}", p.id),
                        p.item.clone(),
                        p.lot.clone(),
                        p.patient.clone().unwrap_or_else(|| "ward".into()),
                        p.opened_at
                            .with_timezone(&Local)
                            .format("%d %b %H:%M")
                            .to_string(),
                        format!(
                            "{} {}",
                            crate::domain::milli_text(p.remaining_milli),
                            p.unit
                        ),
                        p.discard_at
                            .with_timezone(&Local)
                            .format("%d %b %H:%M")
                            .to_string(),
                        p.state.clone(),
                    ]);
                }
                println!("{t}");
            }
        }
    }
    Ok(())
}
