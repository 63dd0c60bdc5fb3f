//! Controlled drugs on the command line: the second signature every
//! movement of a controlled drug takes (`--witness USER`), the register page
//! of a drug at a place, and the controlled-drug check.

use anyhow::{Context, Result};
use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use clap::{Args, Subcommand};

use super::stock::{UserArgs, print, sign_in};
use crate::i18n;
use crate::ops::Actor;
use crate::ops::stock::{self, Register};
use crate::store::Store;
use crate::t;

/// The second user who signs a controlled drug's movement.
#[derive(Debug, Args, Default)]
pub struct WitnessArgs {
    /// A second user (nurse, nurse manager or pharmacist) signing for a controlled drug;
    /// their PIN comes from WARDSTOCK_WITNESS_PIN or is asked for.
    #[arg(long, value_name = "USER")]
    pub witness: Option<String>,
}

impl WitnessArgs {
    /// Signs the second user in with their own PIN, if one is named.
    pub fn sign_in(&self, store: &mut Store) -> Result<Option<Actor>> {
        second_user(store, self.witness.as_deref(), "WARDSTOCK_WITNESS_PIN")
    }
}

/// Signs a second user in (a witness, a double-checker) with the PIN from
/// `env` or a prompt.
pub fn second_user(store: &mut Store, user: Option<&str>, env: &str) -> Result<Option<Actor>> {
    let Some(user) = user else { return Ok(None) };
    let pin = match std::env::var(env) {
        Ok(p) => p,
        Err(_) => rpassword::prompt_password(t!("cli.pin.prompt_for", user = user))
            .with_context(|| t!("cli.pin.none_for", user = user, env = env))?,
    };
    Ok(Some(crate::ops::auth::sign_in(
        store,
        user,
        pin.trim(),
        Utc::now(),
    )?))
}

#[derive(Debug, Subcommand)]
pub enum CdCommand {
    /// The register page of a controlled drug at a place: every movement with both
    /// signatures and the running balance.
    Register {
        #[arg(long, value_name = "CODE")]
        place: String,
        #[arg(long, value_name = "CODE")]
        item: String,
        /// First day shown (YYYY-MM-DD, the site's day); the balance before it opens the page.
        #[arg(long, value_name = "DATE")]
        from: Option<NaiveDate>,
        /// Last day shown (YYYY-MM-DD, included).
        #[arg(long, value_name = "DATE")]
        to: Option<NaiveDate>,
        #[arg(long, conflicts_with = "csv")]
        json: bool,
        /// The page as CSV on standard output.
        #[arg(long)]
        csv: bool,
    },
    /// Start a controlled-drug check of a place (a stocktake of every controlled drug;
    /// approved by two with every variance explained: `stocktake approve ID --witness USER`).
    Check {
        #[command(flatten)]
        who: UserArgs,
        #[arg(long, value_name = "CODE")]
        place: String,
    },
}

/// The first instant of a site day.
fn day_start(store: &Store, day: NaiveDate) -> DateTime<Utc> {
    let zone = store.zone();
    crate::domain::schedule::local_instant(&zone, day, NaiveTime::MIN)
        .unwrap_or_else(|| Utc.from_utc_datetime(&day.and_time(NaiveTime::MIN)))
}

pub fn run(store: &mut Store, now: DateTime<Utc>, cmd: CdCommand) -> Result<()> {
    match cmd {
        CdCommand::Register {
            place,
            item,
            from,
            to,
            json,
            csv,
        } => {
            let place = stock::place_by_code(&store.conn, &place)?;
            let item = stock::item_by_code(&store.conn, &item)?;
            let from_at = from.map(|d| day_start(store, d));
            let to_at = to.and_then(|d| d.succ_opt()).map(|d| day_start(store, d));
            let page = stock::register(&store.conn, &place, &item, from_at, to_at)?;
            if csv {
                return write_csv(&page);
            }
            print(json, &page, || register_text(&page))
        }
        CdCommand::Check { who, place } => {
            let actor = sign_in(store, &who)?;
            let place = stock::place_by_code(&store.conn, &place)?;
            let id = stock::start_cd_check(store, &actor, now, &place)?;
            let st = stock::stocktake(&store.conn, id)?;
            print(who.json, &st, || {
                t!(
                    "cd.cli.check_started",
                    id = id,
                    place = place.code,
                    lines = st.lines.len()
                )
            })
        }
    }
}

fn when(at: &str) -> String {
    crate::domain::instant_from_text(at)
        .map(|t| i18n::datetime(i18n::local(t)))
        .unwrap_or_else(|| at.to_string())
}

fn kind_word(k: crate::domain::MovementKind) -> String {
    i18n::cd::movement_kind(k).to_string()
}

fn register_text(page: &Register) -> String {
    let mut out = t!(
        "cd.cli.register_head",
        item = page.item_name,
        code = page.item_code,
        place = page.place,
        unit = i18n::unit(&page.unit)
    );
    if !page.controlled {
        out.push('\n');
        out.push_str(t!("cd.cli.not_controlled"));
    }
    out.push('\n');
    out.push_str(&t!("cd.cli.opening", qty = i18n::num(page.opening)));
    let mut table = comfy_table::Table::new();
    table
        .load_preset(comfy_table::presets::UTF8_BORDERS_ONLY)
        .set_header([
            t!("cd.col.when"),
            t!("cd.col.kind"),
            t!("cd.col.lot"),
            t!("cd.col.from_to"),
            t!("cd.col.in"),
            t!("cd.col.out"),
            t!("cd.col.balance"),
            t!("cd.col.by"),
            t!("cd.col.witness"),
            t!("cd.col.note"),
        ]);
    for e in &page.entries {
        table.add_row([
            when(&e.at),
            kind_word(e.kind),
            e.lot_number.clone(),
            e.counterpart.clone(),
            if e.qty_in > 0 {
                i18n::num(e.qty_in)
            } else {
                String::new()
            },
            if e.qty_out > 0 {
                i18n::num(e.qty_out)
            } else {
                String::new()
            },
            i18n::num(e.balance),
            e.by.clone(),
            e.witness.clone().unwrap_or_else(|| "—".into()),
            i18n::cd::dose_note(e, &page.strength_unit).unwrap_or_default(),
        ]);
    }
    if !page.entries.is_empty() {
        out.push('\n');
        out.push_str(&table.to_string());
    }
    out.push('\n');
    out.push_str(&t!("cd.cli.closing", qty = i18n::num(page.closing)));
    if page.to.is_none() {
        out.push('\n');
        out.push_str(&if page.closing == page.held_now {
            t!("cd.cli.ledger_agrees", qty = i18n::num(page.held_now))
        } else {
            t!(
                "cd.cli.ledger_differs",
                qty = i18n::num(page.held_now),
                closing = i18n::num(page.closing)
            )
        });
    }
    out
}

fn write_csv(page: &Register) -> Result<()> {
    let mut w = csv::Writer::from_writer(std::io::stdout().lock());
    w.write_record([
        "at",
        "kind",
        "lot",
        "from_to",
        "patient_mrn",
        "order_ref",
        "in",
        "out",
        "balance",
        "by",
        "by_name",
        "witness",
        "witness_name",
        "reason",
        "given_milli",
        "discarded_milli",
    ])?;
    for e in &page.entries {
        w.write_record([
            e.at.as_str(),
            e.kind.as_ref(),
            &e.lot_number,
            &e.counterpart,
            e.patient_mrn.as_deref().unwrap_or(""),
            e.order_ref.as_deref().unwrap_or(""),
            &e.qty_in.to_string(),
            &e.qty_out.to_string(),
            &e.balance.to_string(),
            &e.by,
            &e.by_name,
            e.witness.as_deref().unwrap_or(""),
            e.witness_name.as_deref().unwrap_or(""),
            e.reason.as_deref().unwrap_or(""),
            &e.given_milli.map(|g| g.to_string()).unwrap_or_default(),
            &e.discarded_milli.map(|d| d.to_string()).unwrap_or_default(),
        ])?;
    }
    w.flush()?;
    Ok(())
}
