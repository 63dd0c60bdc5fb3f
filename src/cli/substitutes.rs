//! `wardstock substitute …` and `wardstock rx substitute`: the pharmacist's
//! list of therapeutic substitutes and its use for one prescription.

use std::path::PathBuf;

use anyhow::Result;
use chrono::Utc;
use clap::Subcommand;

use super::open;
use super::stock::{self, UserArgs};
use crate::ops::substitutes as subs;
use crate::{i18n, t};

#[derive(Debug, Subcommand)]
pub enum SubstituteCommand {
    /// Approve SUBSTITUTE for ITEM (a pharmacist): the same substance at another strength or form; another substance only with --alternative and a --note.
    Add {
        item: String,
        substitute: String,
        #[command(flatten)]
        who: UserArgs,
        /// Not the same substance (ATC level 5), approved as an alternative all the same.
        #[arg(long)]
        alternative: bool,
        #[arg(long)]
        note: Option<String>,
    },
    /// Take SUBSTITUTE off ITEM's list (a pharmacist).
    Remove {
        item: String,
        substitute: String,
        #[command(flatten)]
        who: UserArgs,
    },
    /// The approved substitutes, of one item or all.
    List {
        item: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

/// How many substitute units make one unit of the item, as a person reads it.
pub(super) fn per_unit(p: Option<f64>) -> String {
    match p {
        Some(x) if (x - x.round()).abs() < 1e-9 => format!("{}", x.round() as i64),
        Some(x) => format!("{x:.2}"),
        None => "?".into(),
    }
}

pub(super) fn run(db: Option<PathBuf>, command: SubstituteCommand) -> Result<i32> {
    let mut store = open(&crate::config::resolve_db(db, false)?)?;
    match command {
        SubstituteCommand::Add {
            item,
            substitute,
            who,
            alternative,
            note,
        } => {
            let actor = stock::sign_in(&mut store, &who)?;
            let it = crate::ops::stock::item_by_code(&store.conn, &item)?;
            let sub = crate::ops::stock::item_by_code(&store.conn, &substitute)?;
            subs::add_substitute(
                &mut store,
                &actor,
                Utc::now(),
                &it,
                &sub,
                alternative,
                note.as_deref(),
            )?;
            let row = subs::substitutes(&store.conn, Some(&it))?
                .into_iter()
                .find(|s| s.substitute == sub.code);
            stock::print(who.json, &row, || {
                t!(
                    "substitute.added",
                    substitute = sub.code,
                    item = it.code,
                    per = per_unit(row.as_ref().and_then(|r| r.per_unit)),
                    unit = i18n::unit(&sub.dose_unit),
                    item_unit = i18n::unit(&it.dose_unit)
                )
            })?;
        }
        SubstituteCommand::Remove {
            item,
            substitute,
            who,
        } => {
            let actor = stock::sign_in(&mut store, &who)?;
            let it = crate::ops::stock::item_by_code(&store.conn, &item)?;
            let sub = crate::ops::stock::item_by_code(&store.conn, &substitute)?;
            subs::remove_substitute(&mut store, &actor, &it, &sub)?;
            stock::print(
                who.json,
                &serde_json::json!({"item": it.code, "substitute": sub.code, "removed": true}),
                || t!("substitute.removed", substitute = sub.code, item = it.code),
            )?;
        }
        SubstituteCommand::List { item, json } => {
            let it = item
                .map(|c| crate::ops::stock::item_by_code(&store.conn, &c))
                .transpose()?;
            let list = subs::substitutes(&store.conn, it.as_ref())?;
            stock::print(json, &list, || list_text(&list))?;
        }
    }
    Ok(0)
}

fn list_text(list: &[subs::Substitute]) -> String {
    if list.is_empty() {
        return t!("substitute.none").into();
    }
    let mut out = Vec::new();
    let mut last = "";
    for s in list {
        if s.item != last {
            out.push(t!(
                "substitute.list_head",
                item = s.item,
                name = s.item_name
            ));
            last = &s.item;
        }
        out.push(t!(
            "substitute.line",
            substitute = s.substitute,
            name = s.substitute_name,
            per = per_unit(s.per_unit),
            kind = if s.alternative {
                t!("substitute.alternative")
            } else {
                t!("substitute.same")
            },
            by = s.approved_by,
            at = s.approved_at.get(..10).unwrap_or(&s.approved_at),
            note = s
                .note
                .as_ref()
                .map(|n| format!(" · {n}"))
                .unwrap_or_default()
        ));
    }
    out.join("\n")
}

/// `wardstock rx substitute RX --item SUB --reason …`.
pub(super) fn allow_for_rx(
    db: Option<PathBuf>,
    id: i64,
    item: &str,
    reason: &str,
    who: &UserArgs,
) -> Result<i32> {
    let mut store = open(&crate::config::resolve_db(db, false)?)?;
    let actor = stock::sign_in(&mut store, who)?;
    let sub = crate::ops::stock::item_by_code(&store.conn, item)?;
    subs::allow_for_prescription(&mut store, &actor, Utc::now(), id, &sub, reason)?;
    stock::print(
        who.json,
        &serde_json::json!({"id": id, "substitute": sub.code, "allowed": true}),
        || t!("substitute.allowed", id = id, substitute = sub.code),
    )?;
    Ok(0)
}
