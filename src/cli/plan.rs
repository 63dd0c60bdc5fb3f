//! `wardstock plan …` (MRP from the database, accept or reject its
//! suggestions) and `wardstock po …` (suppliers and purchase orders).

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Utc};
use clap::{Args, Subcommand};
use comfy_table::{Table, presets::UTF8_BORDERS_ONLY};

use super::stock::{UserArgs, sign_in};
use crate::i18n;
use crate::ops::plan::{self, PlanOptions, Suggestion};
use crate::ops::purchasing;
use crate::planning::mrp;
use crate::store::Store;
use crate::t;

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
            bail!(t!("cli.plan.buckets"));
        }
        if !(1..=24 * 7).contains(&self.bucket_hours) {
            bail!(t!("cli.plan.bucket_hours"));
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
    /// With --filter: every suggestion the filter shows, in one operation (all or none).
    Accept {
        #[command(flatten)]
        who: UserArgs,
        #[arg(long, value_name = "CODE", required_unless_present = "filter")]
        place: Option<String>,
        #[arg(long, value_name = "CODE", required_unless_present = "filter")]
        item: Option<String>,
        /// Another quantity than suggested (dose units).
        #[arg(long)]
        qty: Option<i64>,
        /// Every suggestion shown by this filter, as typed on the plan screen:
        /// words (item, ward, supplier), ward:CODE, from:SUPPLIER, item:CODE,
        /// exc: (with an exception; exc:expedite, exc:safety …).
        #[arg(long, value_name = "TEXT", conflicts_with_all = ["place", "item", "qty"])]
        filter: Option<String>,
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
                    "cases": sheet.cases,
                });
                println!("{}", serde_json::to_string_pretty(&out)?);
            } else {
                print!("{}", super::report::render_text(&p));
                // Each purchase's preferred supplier and its alternative.
                for l in sheet.suggestions.iter().filter(|l| l.purchase) {
                    if let Some(c) = &l.suppliers {
                        println!(
                            "{}",
                            t!(
                                "early.plan.line",
                                item = l.s.item,
                                qty = i18n::num(l.s.qty),
                                suppliers = crate::i18n::early::choice_text(c)
                            )
                        );
                    }
                }
                super::reserve::print_risks(&sheet);
            }
        }
        Some(PlanCommand::Accept {
            who,
            filter: Some(filter),
            horizon,
            ..
        }) => {
            let opt = horizon.options()?;
            let (_, p) = plan_now(store, now, opt)?;
            let sheet = plan::sheet(&store.conn, now, &p)?;
            let f = plan::PlanFilter::parse(&filter);
            let kinds = plan::exception_kinds(&sheet.exceptions);
            let set: Vec<Suggestion> = sheet
                .suggestions
                .iter()
                .filter(|l| {
                    let k = kinds
                        .get(&(l.s.place.clone(), l.s.item.clone()))
                        .map_or(&[][..], |v| v.as_slice());
                    let supplier = l.from.as_deref().filter(|_| l.purchase);
                    f.matches(&l.s, &l.item_name, supplier, k)
                })
                .map(|l| l.s.clone())
                .collect();
            if set.is_empty() {
                bail!(t!("plan.cli.nothing_matches", filter = filter));
            }
            let actor = sign_in(store, &who)?;
            let done = plan::accept_all(store, &actor, now, &set, opt)?;
            if who.json {
                println!(
                    "{}",
                    serde_json::json!({"suggestions": set, "accepted": done})
                );
            } else {
                let mut line = t!(
                    "plan.cli.accepted_set",
                    n = i18n::num(done.accepted as i64),
                    transfers = done.transfer_orders.join(", "),
                    purchases = done.purchase_orders.join(", ")
                );
                if done.cannot_pick > 0 {
                    line.push_str(&t!(
                        "plan.accept.cannot_pick",
                        short = i18n::num(done.cannot_pick)
                    ));
                }
                if done.rounded > 0 {
                    line.push_str(&t!("plan.accept.rounded", n = done.rounded));
                }
                println!("{line}");
            }
        }
        Some(PlanCommand::Accept {
            who,
            place,
            item,
            qty,
            horizon,
            ..
        }) => {
            let (place, item) = (place.unwrap_or_default(), item.unwrap_or_default());
            let opt = horizon.options()?;
            let (_, p) = plan_now(store, now, opt)?;
            let s = suggestion(&p, &place, &item, now)
                .with_context(|| t!("cli.plan.nothing", item = item, place = place))?;
            let actor = sign_in(store, &who)?;
            let a = plan::accept(store, &actor, now, &s, qty, opt)?;
            if who.json {
                println!(
                    "{}",
                    serde_json::json!({"suggestion": s, "order": a.order_ref, "qty": a.qty, "ordered": a.ordered})
                );
            } else {
                let mut line = t!(
                    "cli.plan.accepted",
                    qty = i18n::num(a.qty),
                    item = s.item,
                    place = s.place,
                    order = a.order_ref
                );
                if s.past_due {
                    line.push(' ');
                    line.push_str(t!("cli.plan.past_due"));
                }
                println!("{line}");
                if let Some(w) = &a.warning() {
                    println!("{}", t!("cli.word.warning", text = w));
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
                v.with_context(|| t!("cli.plan.rule_needs", rule = rule, flag = flag))
            };
            let need_f = |v: Option<f64>, flag: &str| {
                v.with_context(|| t!("cli.plan.rule_needs", rule = rule, flag = flag))
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
                    order_cost: need_f(order_cost, "--order-cost")?,
                    holding_cost: need_f(holding_cost, "--holding-cost")?,
                },
                "min_max" => LotSizing::MinMax {
                    min: need(min, "--min")?,
                    max: need(max, "--max")?,
                },
                other => bail!(t!(
                    "cli.plan.rule_unknown",
                    value = crate::i18n::results::quote(other)
                )),
            };
            let actor = sign_in(store, &who)?;
            plan::set_policy(store, &actor, now, &place, &item, &sizing, min_order)?;
            println!(
                "{}",
                t!(
                    "cli.plan.policy_set",
                    item = item,
                    place = place,
                    rule = rule,
                    min_order = i18n::num(min_order)
                )
            );
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
                .with_context(|| t!("cli.plan.nothing", item = item, place = place))?;
            let actor = sign_in(store, &who)?;
            plan::reject(store, &actor, now, &s, &reason)?;
            if who.json {
                println!("{}", serde_json::json!({"suggestion": s, "rejected": true}));
            } else {
                println!(
                    "{}",
                    t!(
                        "cli.plan.rejected",
                        qty = i18n::num(s.qty),
                        item = s.item,
                        place = s.place
                    )
                );
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
    /// The order as the supplier is to receive it: text to print or send, or CSV.
    Print {
        /// The order: PO-12 or 12.
        id: String,
        #[arg(long)]
        csv: bool,
        /// Write it to this file (else standard output).
        #[arg(long, value_name = "FILE")]
        out: Option<std::path::PathBuf>,
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
                    t!("cli.col.supplier"),
                    t!("cli.col.name"),
                    t!("cli.col.lead_days"),
                    t!("cli.col.orders"),
                    t!("cli.col.lines_received"),
                    t!("cli.col.on_time"),
                    t!("cli.col.quantity"),
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
                t.load_preset(UTF8_BORDERS_ONLY).set_header([
                    t!("cli.col.order"),
                    t!("cli.col.supplier"),
                    t!("cli.col.status"),
                    t!("cli.col.expected"),
                    t!("cli.col.lines"),
                ]);
                for o in &list {
                    let expected = crate::domain::instant_from_text(&o.expected_at)
                        .map(|e| i18n::day_short(i18n::local(e).date()))
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
                        super::status_word(&o.status),
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
                    .with_context(|| t!("cli.arg.line", value = crate::i18n::results::quote(l)))?;
                let qty: i64 = qty.trim().parse().with_context(|| {
                    t!("cli.arg.line_qty", value = crate::i18n::results::quote(l))
                })?;
                parsed.push((
                    crate::ops::stock::item_by_code(&store.conn, code.trim())?,
                    qty,
                ));
            }
            let actor = sign_in(store, &who)?;
            let po = purchasing::create_po(store, &actor, now, &supplier, &parsed, None)?;
            if who.json {
                println!(
                    "{}",
                    serde_json::json!({"order": format!("PO-{}", po.id), "supplier": po.supplier, "lines": po.lines})
                );
            } else {
                println!(
                    "{}",
                    t!("cli.po.created", id = po.id, supplier = po.supplier)
                );
                for l in &po.lines {
                    println!("  {}", i18n::results::packs_text(l));
                }
                println!("{}", t!("cli.po.send_hint", id = po.id));
            }
        }
        PoCommand::Print { id, csv, out } => {
            let id = match id.trim().parse::<i64>() {
                Ok(n) => n,
                Err(_) => purchasing::po_number(Some(&id))?.with_context(|| {
                    t!(
                        "cli.po.bad_number",
                        value = crate::i18n::results::quote(&id)
                    )
                })?,
            };
            let sheet = purchasing::order_sheet(&store.conn, id)?;
            let text = if csv {
                sheet_csv(&sheet)?
            } else {
                sheet_text(&sheet)
            };
            match out {
                Some(path) => {
                    std::fs::write(&path, text)
                        .with_context(|| t!("cli.po.cannot_write", path = path.display()))?;
                    println!("{}", t!("cli.po.written", id = id, path = path.display()));
                }
                None => print!("{text}"),
            }
        }
        PoCommand::Cancel { id, who, reason } => {
            let actor = sign_in(store, &who)?;
            purchasing::cancel_po(store, &actor, id, &reason)?;
            if who.json {
                println!("{}", serde_json::json!({"po": id, "status": "cancelled"}));
            } else {
                println!("{}", t!("cli.po.cancelled", id = id));
            }
        }
    }
    Ok(())
}

/// A purchase order as printable text for the supplier.
fn sheet_text(s: &purchasing::OrderSheet) -> String {
    let day = |at: &str| {
        crate::domain::instant_from_text(at)
            .map(|t| i18n::date(i18n::local(t).date()))
            .unwrap_or_else(|| at.to_string())
    };
    let mut out = String::new();
    out.push_str(&t!("cli.po.sheet_head", id = s.id));
    out.push('\n');
    if let Some(site) = &s.site {
        out.push_str(&t!("cli.po.sheet_from", site = site));
        out.push('\n');
    }
    out.push_str(&t!(
        "cli.po.sheet_to",
        name = s.supplier_name,
        code = s.supplier,
        contact = s.contact.as_deref().unwrap_or("—")
    ));
    out.push('\n');
    out.push_str(&t!(
        "cli.po.sheet_dates",
        created = day(&s.created_at),
        by = s.created_by,
        expected = day(&s.expected_at)
    ));
    out.push('\n');
    let mut t = Table::new();
    t.load_preset(UTF8_BORDERS_ONLY).set_header([
        t!("cli.col.item"),
        t!("cli.col.item_name"),
        "GTIN",
        t!("cli.po.col_packs"),
        t!("cli.po.col_pack"),
        t!("cli.po.col_units"),
    ]);
    for l in &s.lines {
        t.add_row([
            l.item.clone(),
            l.item_name.clone(),
            l.gtin.clone().unwrap_or_default(),
            i18n::num(l.packs),
            format!("{} {}", i18n::num(l.units_per_pack), i18n::unit(&l.unit)),
            format!("{} {}", i18n::num(l.qty), i18n::unit(&l.unit)),
        ]);
    }
    out.push_str(&t.to_string());
    out.push('\n');
    out.push_str(&t!("cli.po.sheet_foot", id = s.id));
    out.push('\n');
    out
}

/// A purchase order as CSV, one line per item.
fn sheet_csv(s: &purchasing::OrderSheet) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "order",
        "supplier",
        "expected",
        "item",
        "item_name",
        "gtin",
        "packs",
        "units_per_pack",
        "units",
        "unit",
    ])?;
    for l in &s.lines {
        w.write_record([
            format!("PO-{}", s.id),
            s.supplier.clone(),
            s.expected_at.clone(),
            l.item.clone(),
            l.item_name.clone(),
            l.gtin.clone().unwrap_or_default(),
            l.packs.to_string(),
            l.units_per_pack.to_string(),
            l.qty.to_string(),
            l.unit.clone(),
        ])?;
    }
    Ok(String::from_utf8(
        w.into_inner().map_err(|e| anyhow::anyhow!(e.to_string()))?,
    )?)
}
