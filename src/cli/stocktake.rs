//! Stocktake commands: start a count of a place (or a controlled-drug
//! check), count, explain variances, approve.

use anyhow::Result;
use chrono::Utc;
use clap::Subcommand;

use super::cd::WitnessArgs;
use super::stock::{ItemArgs, UserArgs, need_lot, print, sign_in};
use crate::i18n;
use crate::ops::stock;
use crate::store::Store;
use crate::t;

#[derive(Debug, Subcommand)]
pub enum StocktakeCommand {
    /// Start counting a place (all items, or those matching --filter).
    Start {
        #[command(flatten)]
        who: UserArgs,
        #[arg(long, value_name = "CODE")]
        place: String,
        /// Which items: words of the name ("glove nitrile"), or explicitly
        /// "atc:B01", "code:PARA500T", "name:…".
        #[arg(long, default_value = "")]
        filter: String,
        /// Items whose ATC code starts with this (e.g. B01AB).
        #[arg(long, value_name = "PREFIX", conflicts_with_all = ["filter", "code"])]
        atc: Option<String>,
        /// One item, by its code.
        #[arg(long, value_name = "CODE", conflicts_with_all = ["filter", "atc"])]
        code: Option<String>,
        /// Count one storage location of the place only (a fridge, the safe).
        #[arg(long, value_name = "CODE")]
        location: Option<String>,
        /// A controlled-drug check: every controlled drug at the place, approved by two
        /// with every variance explained.
        #[arg(long, conflicts_with_all = ["filter", "location"])]
        controlled: bool,
    },
    /// Show the lines, counts and variances.
    Show {
        id: i64,
        #[arg(long)]
        json: bool,
    },
    /// Record the count of a lot.
    Count {
        id: i64,
        #[command(flatten)]
        who: UserArgs,
        #[command(flatten)]
        what: ItemArgs,
        #[arg(long)]
        qty: i64,
    },
    /// Explain why a counted lot differs (every controlled-drug variance is explained).
    Explain {
        id: i64,
        #[command(flatten)]
        who: UserArgs,
        #[command(flatten)]
        what: ItemArgs,
        /// What happened to the units.
        #[arg(long)]
        why: String,
    },
    /// Approve: every line counted, nothing moved since; variances become adjustments.
    /// A count with controlled drugs needs --witness and every controlled variance explained.
    Approve {
        id: i64,
        #[command(flatten)]
        who: UserArgs,
        #[command(flatten)]
        witness: WitnessArgs,
        /// Explain a variance before approving: CODE:LOT=why, repeated.
        #[arg(long = "explain", value_name = "CODE:LOT=WHY")]
        explain: Vec<String>,
    },
}

fn stocktake_text(st: &stock::Stocktake) -> String {
    let mut out = t!(
        "cli.stocktake.head",
        id = st.id,
        place = st.place,
        status = super::status_word(&st.status)
    );
    if let Some(l) = &st.location {
        out.push_str(&t!("cli.stocktake.location", location = l));
    }
    if !st.filter.is_empty() {
        out.push_str(&t!(
            "cli.stocktake.filter",
            filter = crate::i18n::results::quote(&st.filter)
        ));
    }
    let mut t = comfy_table::Table::new();
    t.load_preset(comfy_table::presets::UTF8_BORDERS_ONLY)
        .set_header([
            t!("cli.col.item"),
            t!("cli.col.item_name"),
            t!("cli.col.lot"),
            t!("cli.col.book"),
            t!("cli.col.counted"),
            t!("cli.col.variance"),
            t!("cli.stocktake.col_value"),
            t!("cli.col.note"),
        ]);
    if st.controlled {
        out.push_str(t!("cd.cli.check_head"));
    }
    for l in &st.lines {
        let counted = l.counted.map(i18n::num).unwrap_or_else(|| "—".into());
        let var = l.variance().map(|v| format!("{v:+}")).unwrap_or_default();
        let moved = if l.counted.is_some() && l.moved() {
            t!("cli.stocktake.moved").to_string()
        } else if let Some(why) = &l.explanation {
            why.clone()
        } else if l.controlled && l.variance().is_some_and(|v| v != 0) {
            t!("cd.cli.to_explain").to_string()
        } else {
            String::new()
        };
        t.add_row([
            l.item_code.clone(),
            l.item_name.clone(),
            l.lot_number.clone(),
            i18n::num(l.expected),
            counted,
            var,
            l.variance_cents()
                .filter(|v| *v != 0)
                .map(i18n::money)
                .unwrap_or_default(),
            moved,
        ]);
    }
    if !st.lines.is_empty() {
        out.push('\n');
        out.push_str(&t.to_string());
        let value: i64 = st.lines.iter().filter_map(|l| l.variance_cents()).sum();
        out.push('\n');
        out.push_str(&t!("cli.stocktake.value_total", value = i18n::money(value)));
    }
    out
}

pub fn run(store: &mut Store, now: chrono::DateTime<Utc>, cmd: StocktakeCommand) -> Result<()> {
    match cmd {
        StocktakeCommand::Start {
            who,
            place,
            filter,
            location,
            controlled,
            atc,
            code,
        } => {
            let filter = match (atc, code) {
                (Some(a), _) => format!("atc:{a}"),
                (_, Some(c)) => format!("code:{c}"),
                _ => filter,
            };
            let actor = sign_in(store, &who)?;
            let place = stock::place_by_code(&store.conn, &place)?;
            let id = if controlled {
                stock::start_cd_check(store, &actor, now, &place)?
            } else {
                stock::start_stocktake(store, &actor, now, &place, &filter, location.as_deref())?
            };
            let st = stock::stocktake(&store.conn, id)?;
            print(who.json, &st, || stocktake_text(&st))
        }
        StocktakeCommand::Show { id, json } => {
            let st = stock::stocktake(&store.conn, id)?;
            print(json, &st, || stocktake_text(&st))
        }
        StocktakeCommand::Count { id, who, what, qty } => {
            let actor = sign_in(store, &who)?;
            let r = what.resolve(store)?;
            let c = stock::count(store, &actor, now, id, &r.item, need_lot(&r)?, qty)?;
            print(who.json, &c, || {
                t!(
                    "cli.stocktake.counted",
                    item = c.item_code,
                    lot = c.lot_number,
                    qty = i18n::num(qty),
                    expected = i18n::num(c.expected)
                )
            })
        }
        StocktakeCommand::Explain { id, who, what, why } => {
            let actor = sign_in(store, &who)?;
            let r = what.resolve(store)?;
            let c = stock::explain_variance(store, &actor, id, &r.item, need_lot(&r)?, &why)?;
            print(who.json, &c, || {
                t!(
                    "cd.cli.explained",
                    item = c.item_code,
                    lot = c.lot_number,
                    variance = format!("{:+}", c.variance().unwrap_or(0))
                )
            })
        }
        StocktakeCommand::Approve {
            id,
            who,
            witness,
            explain,
        } => {
            let actor = sign_in(store, &who)?;
            let mut explained = Vec::new();
            for e in &explain {
                let (line, why) = e
                    .split_once('=')
                    .and_then(|(l, w)| l.split_once(':').map(|(c, lot)| ((c, lot), w)))
                    .ok_or_else(|| anyhow::anyhow!(t!("cd.cli.explain_form", given = e)))?;
                explained.push((
                    stock::item_by_code(&store.conn, line.0.trim())?,
                    line.1.trim().to_string(),
                    why.to_string(),
                ));
            }
            let witness = witness.sign_in(store)?;
            for (item, lot, why) in &explained {
                stock::explain_variance(store, &actor, id, item, lot, why)?;
            }
            let lines = stock::approve_stocktake(store, &actor, now, id, witness.as_ref())?;
            print(who.json, &lines, || {
                let changed = lines.iter().filter(|l| l.variance() != Some(0)).count();
                let value: i64 = lines.iter().filter_map(|l| l.variance_cents()).sum();
                let mut s = t!(
                    "cli.stocktake.approved",
                    id = id,
                    lines = lines.len(),
                    changed = changed
                );
                s.push('\n');
                s.push_str(&t!("cli.stocktake.value_total", value = i18n::money(value)));
                s
            })
        }
    }
}
