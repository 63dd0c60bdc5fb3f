//! `wardstock plan …` (MRP from the database, accept or reject its
//! suggestions) and `wardstock po …` (suppliers and purchase orders).

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Local, Utc};
use clap::{Args, Subcommand};
use comfy_table::{Table, presets::UTF8_BORDERS_ONLY};

use super::stock::{UserArgs, sign_in};
use crate::ops::plan::{self, PlanOptions, Suggestion};
use crate::ops::purchasing;
use crate::planning::mrp;
use crate::store::Store;

#[derive(Debug, Args)]
pub struct HorizonArgs {
    /// Buckets in the horizon.
    #[arg(long, default_value_t = 28)]
    pub buckets: i64,
    /// Hours per bucket.
    #[arg(long, default_value_t = 24)]
    pub bucket_hours: i64,
}

impl HorizonArgs {
    pub fn options(&self) -> Result<PlanOptions> {
        if !(1..=366).contains(&self.buckets) {
            bail!("--buckets: between 1 and 366");
        }
        if !(1..=24 * 7).contains(&self.bucket_hours) {
            bail!("--bucket-hours: between 1 and 168");
        }
        Ok(PlanOptions {
            buckets: self.buckets,
            bucket_hours: self.bucket_hours,
            ..PlanOptions::default()
        })
    }
}

#[derive(Debug, Subcommand)]
pub enum PlanCommand {
    /// How orders of a place and item are sized: lot_for_lot, fixed_quantity --qty Q, period --periods P,
    /// eoq --order-cost S --holding-cost H, min_max --min m --max M; and the smallest order.
    SetPolicy {
        #[command(flatten)]
        who: UserArgs,
        #[arg(long, value_name = "CODE")]
        place: String,
        #[arg(long, value_name = "CODE")]
        item: String,
        #[arg(long)]
        rule: String,
        #[arg(long)]
        qty: Option<i64>,
        #[arg(long)]
        periods: Option<i64>,
        #[arg(long)]
        order_cost: Option<f64>,
        #[arg(long)]
        holding_cost: Option<f64>,
        #[arg(long)]
        min: Option<i64>,
        #[arg(long)]
        max: Option<i64>,
        #[arg(long, default_value_t = 0)]
        min_order: i64,
    },
    /// Accept the first suggestion for a place and item: a ward delivery becomes a transfer order, a pharmacy order a purchase order.
    Accept {
        #[command(flatten)]
        who: UserArgs,
        #[arg(long, value_name = "CODE")]
        place: String,
        #[arg(long, value_name = "CODE")]
        item: String,
        /// Another quantity than suggested (dose units).
        #[arg(long)]
        qty: Option<i64>,
        #[command(flatten)]
        horizon: HorizonArgs,
    },
    /// Reject the first suggestion for a place and item, with the reason.
    Reject {
        #[command(flatten)]
        who: UserArgs,
        #[arg(long, value_name = "CODE")]
        place: String,
        #[arg(long, value_name = "CODE")]
        item: String,
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        horizon: HorizonArgs,
    },
}

/// The problem from the database at `now`, and its plan.
pub fn plan_now(
    store: &Store,
    now: DateTime<Utc>,
    opt: PlanOptions,
) -> Result<(crate::planning::problem::Problem, mrp::Plan)> {
    Ok(plan::plan_now(&store.conn, now, opt)?)
}

/// The first planned order (earliest receipt) for a place and item.
pub fn suggestion(
    p: &mrp::Plan,
    place: &str,
    item: &str,
    planned_at: DateTime<Utc>,
) -> Option<Suggestion> {
    p.planned_orders()
        .filter(|o| o.place.eq_ignore_ascii_case(place) && o.item.eq_ignore_ascii_case(item))
        .min_by_key(|o| o.receipt_bucket)
        .map(|o| Suggestion::from_order(&o, planned_at))
}

/// `wardstock plan`: the plan of the whole hospital, or what to do with one suggestion.
pub fn run(
    store: &mut Store,
    cmd: Option<PlanCommand>,
    horizon: &HorizonArgs,
    json: bool,
) -> Result<()> {
    let now = Utc::now();
    match cmd {
        None => {
            let (_, p) = plan_now(store, now, horizon.options()?)?;
            // The same sheet the console's plan screen shows.
            let sheet = plan::sheet(&store.conn, now, &p)?;
            if json {
                let rejected = plan::recently_rejected(&store.conn, now)?;
                let orders: Vec<_> = p
                    .planned_orders()
                    .filter(|o| !rejected.contains(&(o.place.to_string(), o.item.to_string())))
                    .collect();
                let records: Vec<_> = p.records().collect();
                let out = serde_json::json!({
                    "start": sheet.start,
                    "bucket_hours": sheet.bucket_hours,
                    "suggestions": sheet.suggestions,
                    "rejected": sheet.rejected,
                    "planned_orders": orders,
                    "records": records,
                    "exceptions": sheet.exceptions,
                });
                println!("{}", serde_json::to_string_pretty(&out)?);
            } else {
                print!("{}", crate::planning::report::render_text(&p));
            }
        }
        Some(PlanCommand::Accept {
            who,
            place,
            item,
            qty,
            horizon,
        }) => {
            let opt = horizon.options()?;
            let (_, p) = plan_now(store, now, opt)?;
            let s = suggestion(&p, &place, &item, now)
                .with_context(|| format!("the plan suggests nothing for {item} at {place}"))?;
            let actor = sign_in(store, &who)?;
            let a = plan::accept(store, &actor, now, &s, qty, opt)?;
            if who.json {
                println!(
                    "{}",
                    serde_json::json!({"suggestion": s, "order": a.order_ref, "qty": a.qty})
                );
            } else {
                println!(
                    "accepted: {} {} for {} → {}{}",
                    a.qty,
                    s.item,
                    s.place,
                    a.order_ref,
                    if s.past_due {
                        " (past due: expedite)"
                    } else {
                        ""
                    }
                );
                if let Some(w) = &a.warning {
                    println!("warning: {w}");
                }
            }
        }
        Some(PlanCommand::SetPolicy {
            who,
            place,
            item,
            rule,
            qty,
            periods,
            order_cost,
            holding_cost,
            min,
            max,
            min_order,
        }) => {
            use crate::planning::problem::LotSizing;
            let need = |v: Option<i64>, flag: &str| {
                v.with_context(|| format!("--rule {rule} needs {flag}"))
            };
            let sizing = match rule.as_str() {
                "lot_for_lot" => LotSizing::LotForLot {},
                "fixed_quantity" => LotSizing::FixedQuantity {
                    qty: need(qty, "--qty")?,
                },
                "period" => LotSizing::Period {
                    periods: need(periods, "--periods")?,
                },
                "eoq" => LotSizing::Eoq {
                    order_cost: order_cost.context("--rule eoq needs --order-cost")?,
                    holding_cost: holding_cost.context("--rule eoq needs --holding-cost")?,
                },
                "min_max" => LotSizing::MinMax {
                    min: need(min, "--min")?,
                    max: need(max, "--max")?,
                },
                other => bail!(
                    "--rule {other:?}: use lot_for_lot, fixed_quantity, period, eoq or min_max"
                ),
            };
            let actor = sign_in(store, &who)?;
            plan::set_policy(store, &actor, now, &place, &item, &sizing, min_order)?;
            println!("{item} at {place}: {rule}, smallest order {min_order}");
        }
        Some(PlanCommand::Reject {
            who,
            place,
            item,
            reason,
            horizon,
        }) => {
            let (_, p) = plan_now(store, now, horizon.options()?)?;
            let s = suggestion(&p, &place, &item, now)
                .with_context(|| format!("the plan suggests nothing for {item} at {place}"))?;
            let actor = sign_in(store, &who)?;
            plan::reject(store, &actor, now, &s, &reason)?;
            if who.json {
                println!("{}", serde_json::json!({"suggestion": s, "rejected": true}));
            } else {
                println!("rejected: {} {} for {}", s.qty, s.item, s.place);
            }
        }
    }
    Ok(())
}

#[derive(Debug, Subcommand)]
pub enum PoCommand {
    /// Suppliers with their lead times and performance (on time, quantity delivered).
    Suppliers {
        #[arg(long)]
        json: bool,
    },
    /// Purchase orders, newest first.
    List {
        /// Only open and partly received orders.
        #[arg(long)]
        open: bool,
        #[arg(long)]
        json: bool,
    },
    /// Order from a supplier: --line CODE:QTY (dose units) …
    New {
        #[command(flatten)]
        who: UserArgs,
        #[arg(long)]
        supplier: String,
        #[arg(long = "line", value_name = "CODE:QTY", required = true)]
        lines: Vec<String>,
    },
    /// Cancel what is still to come of an order.
    Cancel {
        id: i64,
        #[command(flatten)]
        who: UserArgs,
        #[arg(long)]
        reason: String,
    },
}

pub fn run_po(store: &mut Store, cmd: PoCommand) -> Result<()> {
    let now = Utc::now();
    match cmd {
        PoCommand::Suppliers { json } => {
            let list = purchasing::supplier_performance(&store.conn)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else {
                let mut t = Table::new();
                t.load_preset(UTF8_BORDERS_ONLY).set_header([
                    "Supplier",
                    "Name",
                    "Lead days",
                    "Orders",
                    "Lines received",
                    "On time",
                    "Quantity",
                ]);
                let pct =
                    |v: Option<f64>| v.map(|v| format!("{v:.0} %")).unwrap_or_else(|| "–".into());
                for s in &list {
                    t.add_row([
                        s.supplier.clone(),
                        s.name.clone(),
                        s.lead_days.to_string(),
                        s.orders.to_string(),
                        s.lines_received.to_string(),
                        pct(s.on_time_percent),
                        pct(s.quantity_percent),
                    ]);
                }
                println!("{t}");
            }
        }
        PoCommand::List { open, json } => {
            let list = purchasing::purchase_orders(&store.conn, open)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else {
                let mut t = Table::new();
                t.load_preset(UTF8_BORDERS_ONLY)
                    .set_header(["Order", "Supplier", "Status", "Expected", "Lines"]);
                for o in &list {
                    let expected = crate::domain::instant_from_text(&o.expected_at)
                        .map(|e| e.with_timezone(&Local).format("%d %b").to_string())
                        .unwrap_or_default();
                    let lines = o
                        .lines
                        .iter()
                        .map(|l| format!("{} {}/{}", l.item, l.received, l.qty))
                        .collect::<Vec<_>>()
                        .join(", ");
                    t.add_row([
                        format!("PO-{}", o.id),
                        o.supplier.clone(),
                        o.status.clone(),
                        expected,
                        lines,
                    ]);
                }
                println!("{t}");
            }
        }
        PoCommand::New {
            who,
            supplier,
            lines,
        } => {
            let mut parsed = Vec::new();
            for l in &lines {
                let (code, qty) = l
                    .split_once(':')
                    .with_context(|| format!("--line {l:?}: write CODE:QTY, e.g. PARA500T:200"))?;
                let qty: i64 = qty.trim().parse().with_context(|| {
                    format!("--line {l:?}: the quantity is a whole number of dose units")
                })?;
                parsed.push((
                    crate::ops::stock::item_by_code(&store.conn, code.trim())?,
                    qty,
                ));
            }
            let actor = sign_in(store, &who)?;
            let id = purchasing::create_po(store, &actor, now, &supplier, &parsed, None)?;
            if who.json {
                println!("{}", serde_json::json!({"order": format!("PO-{id}")}));
            } else {
                println!(
                    "PO-{id} sent to {supplier}; receive against it with: wardstock receive … --order PO-{id}"
                );
            }
        }
        PoCommand::Cancel { id, who, reason } => {
            let actor = sign_in(store, &who)?;
            purchasing::cancel_po(store, &actor, id, &reason)?;
            println!("PO-{id} cancelled");
        }
    }
    Ok(())
}
