//! `wardstock supplier link | unlink | items | of | critical`: the
//! suppliers of each item, with their lead time, price and pack, one
//! preferred; and the items the wards must never be without.

use std::path::PathBuf;

use anyhow::{Context, Result};
use chrono::Utc;
use clap::Subcommand;

use super::open;
use super::stock::{self, UserArgs};
use crate::ops::suppliers::{self as sup, ItemSupplier, LinkTerms};
use crate::t;

#[derive(Debug, Subcommand)]
pub enum LinkCommand {
    /// Link SUPPLIER to ITEM, or change the link's terms; the first supplier of an item, or one given --preferred, is the preferred one.
    Link {
        item: String,
        supplier: String,
        #[command(flatten)]
        who: UserArgs,
        /// Days from order to delivery (default: the supplier's).
        #[arg(long, value_name = "DAYS", allow_negative_numbers = true)]
        lead_days: Option<i64>,
        /// The supplier's price of one dose unit, e.g. 1.25 (default: the item's).
        #[arg(long, value_name = "PRICE")]
        price: Option<String>,
        /// Dose units in the supplier's pack (default: the item's pack).
        #[arg(long, value_name = "UNITS", allow_negative_numbers = true)]
        pack: Option<i64>,
        /// Order from this supplier first (the purchase orders and the plan use it).
        #[arg(long)]
        preferred: bool,
    },
    /// Take SUPPLIER off ITEM (the preferred supplier last).
    Unlink {
        item: String,
        supplier: String,
        #[command(flatten)]
        who: UserArgs,
    },
    /// The items a supplier delivers, with its terms for each.
    Items {
        supplier: String,
        #[arg(long)]
        json: bool,
    },
    /// The suppliers of an item, the preferred first.
    Of {
        item: String,
        #[arg(long)]
        json: bool,
    },
    /// Mark an item critical (the wards must never be without it), or --off.
    Critical {
        item: String,
        #[command(flatten)]
        who: UserArgs,
        #[arg(long)]
        off: bool,
    },
}

fn line(s: &ItemSupplier) -> String {
    t!(
        "early.supplier.line",
        item = s.item,
        name = s.item_name,
        supplier = s.supplier,
        days = s.lead_days,
        price = crate::domain::cents_text(s.price_cents),
        pack = s.units_per_pack,
        mark = if s.preferred {
            t!("early.supplier.preferred")
        } else {
            t!("early.supplier.alternative")
        }
    )
}

fn list(json: bool, rows: &[ItemSupplier]) -> Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(rows)?);
    } else if rows.is_empty() {
        println!("{}", t!("early.supplier.none"));
    } else {
        for r in rows {
            println!("{}", line(r));
        }
    }
    Ok(())
}

pub fn run(db: Option<PathBuf>, cmd: LinkCommand) -> Result<i32> {
    let mut store = open(&crate::config::resolve_db(db, false)?)?;
    match cmd {
        LinkCommand::Link {
            item,
            supplier,
            who,
            lead_days,
            price,
            pack,
            preferred,
        } => {
            let price_cents = price
                .as_deref()
                .map(|v| {
                    crate::ops::import::parse_decimal(v, 2, false)
                        .with_context(|| t!("early.supplier.bad_price", value = v))
                })
                .transpose()?;
            let actor = stock::sign_in(&mut store, &who)?;
            let it = crate::ops::stock::item_by_code(&store.conn, &item)?;
            let terms = LinkTerms {
                lead_days,
                price_cents,
                units_per_pack: pack,
                preferred,
            };
            let s = sup::link(&mut store, &actor, Utc::now(), &it, &supplier, &terms)?;
            stock::print(who.json, &s, || line(&s))?;
        }
        LinkCommand::Unlink {
            item,
            supplier,
            who,
        } => {
            let actor = stock::sign_in(&mut store, &who)?;
            let it = crate::ops::stock::item_by_code(&store.conn, &item)?;
            sup::unlink(&mut store, &actor, &it, &supplier)?;
            let rest = sup::item_suppliers(&store.conn, Some(it.id), None)?;
            stock::print(who.json, &rest, || {
                t!(
                    "early.supplier.unlinked",
                    item = it.code,
                    supplier = supplier.trim(),
                    n = rest.len()
                )
            })?;
        }
        LinkCommand::Items { supplier, json } => {
            list(json, &sup::supplier_items(&store.conn, &supplier)?)?;
        }
        LinkCommand::Of { item, json } => {
            let it = crate::ops::stock::item_by_code(&store.conn, &item)?;
            list(json, &sup::item_suppliers(&store.conn, Some(it.id), None)?)?;
        }
        LinkCommand::Critical { item, who, off } => {
            let actor = stock::sign_in(&mut store, &who)?;
            let it = crate::ops::stock::item_by_code(&store.conn, &item)?;
            sup::set_critical(&mut store, &actor, &it, !off)?;
            let v = serde_json::json!({ "item": it.code, "critical": !off });
            stock::print(who.json, &v, || {
                if off {
                    t!("early.critical.off", item = it.code)
                } else {
                    t!("early.critical.on", item = it.code)
                }
            })?;
        }
    }
    Ok(0)
}
