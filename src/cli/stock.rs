//! Stock operation commands: each signs the user in (`--user`, PIN from
//! `WARDSTOCK_PIN` or a prompt) and calls the one operation in `ops::stock`.

use anyhow::{Context, Result, bail};
use chrono::{NaiveDate, Utc};
use clap::{Args, Subcommand};
use serde::Serialize;

use crate::i18n;
use crate::ops::stock::{self, ItemRef, LotUse, StockError, WasteReason};
use crate::ops::{Actor, auth};
use crate::store::Store;
use crate::t;

/// Who does it: every stock command is attributed to a signed-in user.
#[derive(Debug, Args)]
pub struct UserArgs {
    /// User name; the PIN comes from WARDSTOCK_PIN or is asked for.
    #[arg(long, env = "WARDSTOCK_USER", value_name = "NAME")]
    pub user: String,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

/// The item (and lot) an operation is about: a code, or a scanned barcode.
#[derive(Debug, Args)]
pub struct ItemArgs {
    /// Item code (e.g. PARA500T).
    #[arg(long, value_name = "CODE", required_unless_present = "scan")]
    pub item: Option<String>,
    /// Scanned GS1 data (GTIN, lot and expiry are taken from it).
    #[arg(long, value_name = "DATA", conflicts_with = "item")]
    pub scan: Option<String>,
    /// Lot number (from the pack, unless scanned).
    #[arg(long, value_name = "LOT")]
    pub lot: Option<String>,
}

pub struct Resolved {
    pub item: ItemRef,
    pub lot: Option<String>,
    pub expiry: Option<NaiveDate>,
}

impl ItemArgs {
    pub fn resolve(&self, store: &Store) -> Result<Resolved> {
        if let Some(data) = &self.scan {
            let pack = crate::ops::scan::read_pack(
                &store.conn,
                data,
                settings().scanner.separator,
                store.today(Utc::now()),
            )?;
            let (item, g) = (pack.item, pack.gs1);
            if let (Some(given), Some(scanned)) = (&self.lot, &g.lot)
                && given != scanned
            {
                bail!(t!("cli.scan.lot_differs", given = given, scanned = scanned));
            }
            return Ok(Resolved {
                item,
                lot: self.lot.clone().or(g.lot),
                expiry: g.expiry,
            });
        }
        let code = self
            .item
            .as_deref()
            .context(t!("cli.stock.give_item_or_scan"))?;
        Ok(Resolved {
            item: stock::item_by_code(&store.conn, code)?,
            lot: self.lot.clone(),
            expiry: None,
        })
    }
}

pub(super) fn need_lot(r: &Resolved) -> Result<&str> {
    r.lot.as_deref().context(t!("cli.stock.give_lot"))
}

#[derive(Debug, Subcommand)]
pub enum TransferCommand {
    /// Request goods from the pharmacy for a ward: --line CODE:QTY, repeated.
    New {
        #[command(flatten)]
        who: UserArgs,
        #[arg(long, value_name = "WARD")]
        to: String,
        /// An emergency transfer lent by another ward (see `wardstock find`):
        /// urgent; that ward's nurses pick and send it, the receiving ward confirms.
        #[arg(long, value_name = "WARD")]
        from: Option<String>,
        /// CODE:QTY in dose units, e.g. PARA500T:40.
        #[arg(long = "line", value_name = "CODE:QTY", required = true)]
        lines: Vec<String>,
        #[arg(long)]
        note: Option<String>,
    },
    /// List transfer orders.
    List {
        #[arg(long, value_name = "WARD")]
        to: Option<String>,
        #[arg(long)]
        status: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Show an order with its FEFO pick list.
    Show {
        id: i64,
        #[arg(long)]
        json: bool,
    },
    /// Pick a pack (or --qty units) of a lot for an order.
    Pick {
        id: i64,
        #[command(flatten)]
        who: UserArgs,
        #[command(flatten)]
        what: ItemArgs,
        /// Units; default one pack.
        #[arg(long)]
        qty: Option<i64>,
    },
    /// Take a picked lot off an open order (back to the pharmacy shelf).
    Unpick {
        id: i64,
        #[command(flatten)]
        who: UserArgs,
        #[command(flatten)]
        what: ItemArgs,
    },
    /// Send the picked goods; what is not picked stays open. Controlled drugs need
    /// --witness (a second user checks what leaves).
    Dispatch {
        id: i64,
        #[command(flatten)]
        who: UserArgs,
        #[command(flatten)]
        witness: super::cd::WitnessArgs,
    },
    /// The ward confirms it received the delivery. Controlled drugs are counted with a
    /// second user: --count CODE=QTY for each, and --witness.
    Receive {
        id: i64,
        #[command(flatten)]
        who: UserArgs,
        #[command(flatten)]
        witness: super::cd::WitnessArgs,
        /// The units of an item counted on arrival: CODE=QTY, repeated.
        #[arg(long = "count", value_name = "CODE=QTY")]
        count: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum StockCommand {
    /// Receive goods from a supplier into the central pharmacy.
    Receive {
        #[command(flatten)]
        who: UserArgs,
        #[command(flatten)]
        what: ItemArgs,
        /// Expiry date YYYY-MM-DD (taken from the scan when it carries one).
        #[arg(long, value_name = "DATE")]
        expiry: Option<NaiveDate>,
        /// Quantity, in dose units (or packs with --packs).
        #[arg(long)]
        qty: i64,
        #[arg(long)]
        packs: bool,
        #[arg(long)]
        supplier: Option<String>,
        /// The purchase order delivered ("PO-12": the line is booked against it), or another reference.
        #[arg(long = "order", value_name = "REF")]
        order_ref: Option<String>,
        /// Flag goods expiring within this many days (default: config.toml, else 90).
        #[arg(long)]
        short_dated_days: Option<i64>,
        /// Reject the line at the quality check, with this reason (nothing enters stock).
        #[arg(long, value_name = "REASON")]
        reject: Option<String>,
        /// The storage location it is put at (default: where the item is kept in the pharmacy).
        #[arg(long, value_name = "CODE")]
        location: Option<String>,
        #[command(flatten)]
        witness: super::cd::WitnessArgs,
    },
    /// Issue ward stock for non-patient use (FEFO unless --lot is given).
    Issue {
        #[command(flatten)]
        who: UserArgs,
        #[command(flatten)]
        what: ItemArgs,
        #[arg(long, value_name = "CODE")]
        place: String,
        #[arg(long)]
        qty: i64,
        #[arg(long)]
        reason: Option<String>,
        #[command(flatten)]
        witness: super::cd::WitnessArgs,
    },
    /// Dispose of stock of a lot (expired, damaged, contaminated, other).
    Waste {
        #[command(flatten)]
        who: UserArgs,
        #[command(flatten)]
        what: ItemArgs,
        #[arg(long, value_name = "CODE")]
        place: String,
        #[arg(long)]
        qty: i64,
        #[arg(long, value_name = "expired|damaged|contaminated|other")]
        reason: String,
        #[arg(long)]
        note: Option<String>,
        #[command(flatten)]
        witness: super::cd::WitnessArgs,
    },
    /// Return stock of a lot from a ward to the pharmacy.
    Return {
        #[command(flatten)]
        who: UserArgs,
        #[command(flatten)]
        what: ItemArgs,
        #[arg(long, value_name = "WARD")]
        place: String,
        #[arg(long)]
        qty: i64,
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        witness: super::cd::WitnessArgs,
    },
    /// Quarantine a lot everywhere until a pharmacist decides.
    Quarantine {
        #[command(flatten)]
        who: UserArgs,
        #[command(flatten)]
        what: ItemArgs,
        #[arg(long)]
        reason: String,
    },
    /// Release a quarantined lot (pharmacist).
    Release {
        #[command(flatten)]
        who: UserArgs,
        #[command(flatten)]
        what: ItemArgs,
        #[arg(long)]
        reason: String,
    },
    /// Recall a lot: block every unit everywhere and list where they are (pharmacist).
    Recall {
        #[command(flatten)]
        who: UserArgs,
        #[command(flatten)]
        what: ItemArgs,
        #[arg(long)]
        reason: String,
    },
    /// Set safety stock and maximum: of one item, or of every item from its use.
    Levels {
        #[command(flatten)]
        who: UserArgs,
        #[arg(long, value_name = "CODE")]
        place: String,
        /// One item (with --safety and --max).
        #[arg(long, value_name = "CODE", required_unless_present = "from_use")]
        item: Option<String>,
        #[arg(long, requires = "item")]
        safety: Option<i64>,
        #[arg(long, requires = "item")]
        max: Option<i64>,
        /// Every item of the place, from its use: days of cover. Shows old → new;
        /// writes only with --apply, keeping levels set by hand unless --replace-manual.
        #[arg(long, conflicts_with = "item")]
        from_use: bool,
        /// With --from-use: write the new levels (else only shown).
        #[arg(long, requires = "from_use")]
        apply: bool,
        /// With --from-use: replace levels a manager set by hand too.
        #[arg(long, requires = "from_use")]
        replace_manual: bool,
        #[arg(long, default_value_t = 3)]
        safety_days: i64,
        #[arg(long, default_value_t = 10)]
        max_days: i64,
        /// The days of past use to average.
        #[arg(long, default_value_t = 28)]
        window_days: i64,
    },
    /// Transfer orders pharmacy → ward: request, pick list, pick, dispatch, receive.
    #[command(subcommand)]
    Transfer(TransferCommand),
    /// Count stock at a place and approve the variances.
    #[command(subcommand)]
    Stocktake(super::stocktake::StocktakeCommand),
    /// The controlled-drug register and check.
    #[command(subcommand)]
    Cd(super::cd::CdCommand),
}

/// The site settings; a broken config.toml is reported once and the defaults used.
pub fn settings() -> crate::config::Settings {
    let (s, error) = crate::config::Settings::load();
    if let Some(e) = error {
        eprintln!("wardstock: {e}");
    }
    s
}

/// Signs the user in with the PIN from WARDSTOCK_PIN or a prompt; from
/// then on the command speaks the user's own language (unless one was asked
/// for with --lang or WARDSTOCK_LANG).
pub fn sign_in(store: &mut Store, who: &UserArgs) -> Result<Actor> {
    let pin = match std::env::var("WARDSTOCK_PIN") {
        Ok(p) => p,
        Err(_) => rpassword::prompt_password(t!("cli.pin.prompt_for", user = who.user))
            .context(t!("cli.pin.none"))?,
    };
    let now = Utc::now();
    let actor = auth::sign_in(store, &who.user, pin.trim(), now)?;
    super::speak_to(store, &actor);
    // The first sign-in of the day makes the daily backup; a failure is told, never in the way.
    if let Some(outcome) = crate::ops::backups::after_sign_in(store, now) {
        super::site::tell_daily(&outcome);
    }
    Ok(actor)
}

pub(super) fn print<T: Serialize>(
    json: bool,
    value: &T,
    text: impl FnOnce() -> String,
) -> Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(value)?);
    } else {
        println!("{}", text());
    }
    Ok(())
}

fn holdings_text(h: &[stock::Holding]) -> String {
    if h.is_empty() {
        t!("cli.stock.nowhere").into()
    } else {
        h.iter()
            .map(|x| format!("{} {} ({})", i18n::num(x.qty), x.place, x.place_text()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn order_text(o: &stock::TransferOrder) -> String {
    let mut out = t!(
        "cli.transfer.head",
        id = o.id,
        from = o.from,
        to = o.to,
        status = super::status_word(&o.status),
        created = super::when(&o.created_at)
    );
    out.push('\n');
    for l in &o.lines {
        out.push_str("  ");
        out.push_str(&t!(
            "cli.transfer.line",
            code = l.item.code,
            name = l.item.name,
            requested = i18n::num(l.requested),
            picked = i18n::num(l.picked),
            open = i18n::num(l.open),
            unit = crate::i18n::unit(&l.item.dose_unit)
        ));
        out.push('\n');
        for s in &l.suggestions {
            out.push_str("      ");
            out.push_str(&t!(
                "cli.transfer.pick",
                location = s.location,
                lot = s.lot_number,
                expiry = s
                    .expiry
                    .map(i18n::date)
                    .unwrap_or_else(|| t!("cli.word.none").into()),
                qty = i18n::num(s.qty)
            ));
            out.push('\n');
        }
        if l.shortfall > 0 {
            out.push_str("      ");
            out.push_str(&t!("cli.transfer.short", qty = i18n::num(l.shortfall)));
            out.push('\n');
        }
    }
    if let Some(b) = o.backorder {
        out.push_str(&t!("cli.transfer.backorder", id = b));
        out.push('\n');
    }
    out.trim_end().to_string()
}

pub fn run(store: &mut Store, cmd: StockCommand) -> Result<()> {
    let now = Utc::now();
    match cmd {
        StockCommand::Receive {
            who,
            what,
            expiry,
            qty,
            packs,
            supplier,
            order_ref,
            short_dated_days,
            reject,
            location,
            witness,
        } => {
            let actor = sign_in(store, &who)?;
            let r = what.resolve(store)?;
            let lot = need_lot(&r)?.to_string();
            let expiry = match (expiry, r.expiry) {
                (Some(a), Some(b)) if a != b => {
                    bail!(t!(
                        "cli.scan.expiry_differs",
                        given = i18n::date(a),
                        scanned = i18n::date(b)
                    ))
                }
                (a, b) => a.or(b),
            };
            let units = if packs {
                qty.checked_mul(r.item.units_per_pack)
                    .context(t!("cli.stock.too_large"))?
            } else {
                qty
            };
            let line = stock::ReceiveLine {
                item: r.item.clone(),
                lot_number: lot,
                expiry,
                qty: units,
                supplier,
                order_ref,
                location,
            };
            if let Some(reason) = reject {
                let id = stock::reject_receipt(store, &actor, now, &line, &reason)?;
                return print(
                    who.json,
                    &serde_json::json!({"rejected": id, "reason": reason}),
                    || {
                        t!(
                            "cli.stock.rejected",
                            qty = i18n::num(units),
                            unit = crate::i18n::unit(&r.item.dose_unit),
                            item = r.item.name,
                            lot = line.lot_number,
                            reason = reason
                        )
                    },
                );
            }
            let days = short_dated_days.unwrap_or_else(|| settings().receiving.short_dated_days);
            let witness = witness.sign_in(store)?;
            let got = match stock::receive(store, &actor, now, &line, days, witness.as_ref()) {
                // Expired or blocked goods are refused at the door: say how.
                Err(
                    e @ (StockError::Expired {
                        verb: LotUse::Received,
                        ..
                    }
                    | StockError::NotUsable {
                        verb: LotUse::Received,
                        ..
                    }),
                ) => bail!("{e}\n{}", t!("cli.stock.reject_hint")),
                r => r?,
            };
            print(who.json, &got, || {
                let mut s = t!(
                    "cli.stock.received",
                    qty = i18n::num(got.qty),
                    unit = crate::i18n::unit(&r.item.dose_unit),
                    item = r.item.name,
                    lot = line.lot_number,
                    place = got.place,
                    location = got.location
                );
                s.push_str(&got.warnings());
                s
            })
        }
        StockCommand::Issue {
            who,
            what,
            place,
            qty,
            reason,
            witness,
        } => {
            let actor = sign_in(store, &who)?;
            let r = what.resolve(store)?;
            let place = stock::place_by_code(&store.conn, &place)?;
            let witness = witness.sign_in(store)?;
            let taken = stock::issue(
                store,
                &actor,
                now,
                &place,
                &r.item,
                qty,
                r.lot.as_deref(),
                reason.as_deref(),
                witness.as_ref(),
            )?;
            print(who.json, &taken, || {
                let lots: Vec<String> = taken
                    .iter()
                    .map(|t| {
                        t!(
                            "cli.stock.lot_qty",
                            qty = i18n::num(t.qty),
                            lot = t.lot_number
                        )
                    })
                    .collect();
                t!(
                    "cli.stock.issued",
                    qty = i18n::num(qty),
                    unit = crate::i18n::unit(&r.item.dose_unit),
                    item = r.item.name,
                    place = place.code,
                    lots = lots.join(", ")
                )
            })
        }
        StockCommand::Waste {
            who,
            what,
            place,
            qty,
            reason,
            note,
            witness,
        } => {
            let actor = sign_in(store, &who)?;
            let witness = witness.sign_in(store)?;
            let r = what.resolve(store)?;
            let place = stock::place_by_code(&store.conn, &place)?;
            let why: WasteReason = reason
                .parse()
                .map_err(|_| anyhow::anyhow!(t!("cli.stock.waste_reason")))?;
            let t = stock::waste(
                store,
                &actor,
                now,
                &place,
                &r.item,
                need_lot(&r)?,
                qty,
                why,
                note.as_deref(),
                witness.as_ref(),
            )?;
            print(who.json, &t, || {
                t!(
                    "cli.stock.wasted",
                    qty = i18n::num(qty),
                    unit = crate::i18n::unit(&r.item.dose_unit),
                    item = r.item.name,
                    lot = t.lot_number,
                    place = place.code,
                    reason = reason
                )
            })
        }
        StockCommand::Return {
            who,
            what,
            place,
            qty,
            reason,
            witness,
        } => {
            let actor = sign_in(store, &who)?;
            let r = what.resolve(store)?;
            let ward = stock::place_by_code(&store.conn, &place)?;
            let witness = witness.sign_in(store)?;
            let t = stock::return_to_pharmacy(
                store,
                &actor,
                now,
                &ward,
                &r.item,
                need_lot(&r)?,
                qty,
                &reason,
                witness.as_ref(),
            )?;
            print(who.json, &t, || {
                t!(
                    "cli.stock.returned",
                    qty = i18n::num(qty),
                    unit = crate::i18n::unit(&r.item.dose_unit),
                    item = r.item.name,
                    lot = t.lot_number,
                    place = ward.code
                )
            })
        }
        StockCommand::Quarantine { who, what, reason } => {
            lot_status(store, now, who, what, &reason, stock::quarantine, || {
                t!("cli.stock.quarantined")
            })
        }
        StockCommand::Release { who, what, reason } => {
            lot_status(store, now, who, what, &reason, stock::release, || {
                t!("cli.stock.released")
            })
        }
        StockCommand::Recall { who, what, reason } => {
            lot_status(store, now, who, what, &reason, stock::recall, || {
                t!("cli.stock.recalled")
            })
        }
        StockCommand::Levels {
            who,
            place,
            item,
            safety,
            max,
            from_use,
            apply,
            replace_manual,
            safety_days,
            max_days,
            window_days,
        } => {
            let actor = sign_in(store, &who)?;
            let place = stock::place_by_code(&store.conn, &place)?;
            if from_use {
                let how = stock::FromUse {
                    safety_days,
                    max_days,
                    window_days,
                    apply,
                    replace_manual,
                };
                let changes = stock::levels_from_use(store, &actor, now, &place, how)?;
                return print(who.json, &changes, || {
                    levels_preview(&changes, &place.code, apply)
                });
            }
            let set = {
                let item = stock::item_by_code(&store.conn, item.as_deref().unwrap_or(""))?;
                let (Some(safety), Some(max)) = (safety, max) else {
                    bail!(t!("cli.stock.give_levels"))
                };
                vec![stock::set_levels(
                    store, &actor, &place, &item, safety, max,
                )?]
            };
            print(who.json, &set, || {
                let mut out: Vec<String> = set
                    .iter()
                    .map(|l| {
                        let from = l
                            .daily_use_milli
                            .map(|r| {
                                format!(
                                    " {}",
                                    t!("cli.stock.uses", rate = crate::domain::milli_text(r))
                                )
                            })
                            .unwrap_or_default();
                        format!(
                            "{} {}{from}",
                            super::cell(&l.item, 12),
                            t!(
                                "cli.stock.levels_line",
                                safety = super::cell_left(&i18n::num(l.safety_stock), 5),
                                max = super::cell_left(&i18n::num(l.max_stock), 5)
                            )
                        )
                    })
                    .collect();
                out.push(t!(
                    "cli.stock.levels_set",
                    n = set.len(),
                    place = place.code
                ));
                out.join("\n")
            })
        }
        StockCommand::Transfer(t) => transfer(store, now, t),
        StockCommand::Stocktake(s) => super::stocktake::run(store, now, s),
        StockCommand::Cd(c) => super::cd::run(store, now, c),
    }
}

type StatusOp = fn(
    &mut Store,
    &Actor,
    chrono::DateTime<Utc>,
    &ItemRef,
    &str,
    &str,
) -> Result<Vec<stock::Holding>, StockError>;

fn lot_status(
    store: &mut Store,
    now: chrono::DateTime<Utc>,
    who: UserArgs,
    what: ItemArgs,
    reason: &str,
    op: StatusOp,
    done: fn() -> &'static str,
) -> Result<()> {
    let actor = sign_in(store, &who)?;
    let r = what.resolve(store)?;
    let lot = need_lot(&r)?.to_string();
    let h = op(store, &actor, now, &r.item, &lot, reason)?;
    print(who.json, &h, || {
        t!(
            "cli.stock.lot_status",
            item = r.item.name,
            lot = lot,
            done = done(),
            units = holdings_text(&h)
        )
    })
}

fn parse_line(store: &Store, s: &str) -> Result<(ItemRef, i64)> {
    let (code, qty) = s
        .rsplit_once(':')
        .with_context(|| t!("cli.arg.line", value = crate::i18n::results::quote(s)))?;
    let qty: i64 = qty
        .trim()
        .parse()
        .with_context(|| t!("cli.arg.line_qty", value = crate::i18n::results::quote(s)))?;
    Ok((stock::item_by_code(&store.conn, code.trim())?, qty))
}

fn transfer(store: &mut Store, now: chrono::DateTime<Utc>, cmd: TransferCommand) -> Result<()> {
    match cmd {
        TransferCommand::New {
            who,
            to,
            from,
            lines,
            note,
        } => {
            let actor = sign_in(store, &who)?;
            let ward = stock::place_by_code(&store.conn, &to)?;
            let lines = lines
                .iter()
                .map(|l| parse_line(store, l))
                .collect::<Result<Vec<_>>>()?;
            let id = match from {
                Some(f) => {
                    let lender = stock::place_by_code(&store.conn, &f)?;
                    stock::request_emergency_transfer(
                        store,
                        &actor,
                        now,
                        &lender,
                        &ward,
                        &lines,
                        note.as_deref(),
                    )?
                }
                None => {
                    stock::request_transfer(store, &actor, now, &ward, &lines, note.as_deref())?
                }
            };
            let o = stock::transfer_order(&store.conn, id, now)?;
            print(who.json, &o, || order_text(&o))
        }
        TransferCommand::List { to, status, json } => {
            let to = to
                .map(|c| stock::place_by_code(&store.conn, &c))
                .transpose()?;
            let list = stock::transfer_orders(&store.conn, to.map(|p| p.id), status.as_deref())?;
            print(json, &list, || {
                if list.is_empty() {
                    return t!("cli.transfer.none").into();
                }
                let mut t = comfy_table::Table::new();
                t.load_preset(comfy_table::presets::UTF8_BORDERS_ONLY)
                    .set_header([
                        t!("cli.col.id"),
                        t!("cli.col.from"),
                        t!("cli.col.to"),
                        t!("cli.col.status"),
                        t!("cli.col.created"),
                    ]);
                for o in &list {
                    let urgent = o.urgent && matches!(o.status.as_str(), "open" | "in_transit");
                    t.add_row([
                        match urgent {
                            true => format!("TO-{} {}", o.id, t!("tui.order.urgent")),
                            false => format!("TO-{}", o.id),
                        },
                        o.from.clone(),
                        o.to.clone(),
                        super::status_word(&o.status),
                        super::when(&o.created_at),
                    ]);
                }
                t.to_string()
            })
        }
        TransferCommand::Show { id, json } => {
            let o = stock::transfer_order(&store.conn, id, now)?;
            print(json, &o, || order_text(&o))
        }
        TransferCommand::Pick { id, who, what, qty } => {
            let actor = sign_in(store, &who)?;
            let r = what.resolve(store)?;
            let lot = need_lot(&r)?.to_string();
            let p = stock::pick_pack(
                store,
                &actor,
                now,
                id,
                &r.item,
                &lot,
                r.expiry,
                qty,
                what.scan.is_some(),
            )?;
            print(who.json, &p, || {
                let mut s = t!(
                    "cli.transfer.picked",
                    qty = i18n::num(p.qty),
                    unit = crate::i18n::unit(&r.item.dose_unit),
                    item = r.item.name,
                    lot = p.lot_number,
                    id = id,
                    open = i18n::num(p.line_open)
                );
                if let Some(f) = &p.deviation_from {
                    s.push_str(" — ");
                    s.push_str(&t!("cli.transfer.deviation", lot = f));
                }
                s
            })
        }
        TransferCommand::Unpick { id, who, what } => {
            let actor = sign_in(store, &who)?;
            let r = what.resolve(store)?;
            let t = stock::unpick(store, &actor, now, id, &r.item, need_lot(&r)?)?;
            print(who.json, &t, || {
                t!(
                    "cli.transfer.unpicked",
                    qty = i18n::num(t.qty),
                    unit = crate::i18n::unit(&r.item.dose_unit),
                    item = r.item.name,
                    lot = t.lot_number
                )
            })
        }
        TransferCommand::Dispatch { id, who, witness } => {
            let actor = sign_in(store, &who)?;
            let witness = witness.sign_in(store)?;
            let o = stock::dispatch(store, &actor, now, id, witness.as_ref())?;
            print(who.json, &o, || order_text(&o))
        }
        TransferCommand::Receive {
            id,
            who,
            witness,
            count,
        } => {
            let actor = sign_in(store, &who)?;
            let counted = count
                .iter()
                .map(|c| {
                    c.split_once('=')
                        .and_then(|(code, q)| {
                            Some((code.trim().to_string(), q.trim().parse::<i64>().ok()?))
                        })
                        .filter(|(_, q)| *q >= 0)
                        .ok_or_else(|| anyhow::anyhow!(t!("cd.cli.count_form", given = c)))
                })
                .collect::<Result<Vec<_>>>()?;
            let check = stock::WardCount {
                witness: witness.sign_in(store)?,
                counted,
            };
            let got = stock::confirm_receipt(store, &actor, now, id, &check)?;
            print(who.json, &got, || {
                let n: i64 = got.iter().map(|t| t.qty).sum();
                let mut s = t!(
                    "cli.transfer.received",
                    id = id,
                    units = i18n::num(n),
                    lines = got.len()
                );
                for t in &got {
                    s.push_str("\n  ");
                    s.push_str(&t!(
                        "cli.transfer.put_at",
                        lot = t.lot_number,
                        qty = i18n::num(t.qty),
                        location = t.location.as_deref().unwrap_or("-")
                    ));
                }
                for w in got.iter().filter_map(|t| t.warning.as_ref()) {
                    s.push('\n');
                    s.push_str(&t!("cli.word.warning", text = i18n::results::set_aside(w)));
                }
                s
            })
        }
    }
}

/// Levels from use, item by item: old → new, what was kept, and whether
/// anything was written.
fn levels_preview(changes: &[stock::LevelChange], place: &str, applied: bool) -> String {
    let mut t = comfy_table::Table::new();
    t.load_preset(comfy_table::presets::UTF8_BORDERS_ONLY)
        .set_header([
            t!("cli.col.item"),
            t!("cli.col.item_name"),
            t!("cli.levels.col_use"),
            t!("cli.levels.col_old"),
            t!("cli.levels.col_new"),
            t!("cli.col.note"),
        ]);
    let pair = |s: Option<i64>, m: Option<i64>| match (s, m) {
        (Some(s), Some(m)) => format!("{} / {}", i18n::num(s), i18n::num(m)),
        _ => "—".into(),
    };
    for c in changes {
        t.add_row([
            c.item.clone(),
            c.item_name.clone(),
            crate::domain::milli_text(c.daily_use_milli),
            pair(c.old_safety, c.old_max),
            pair(Some(c.safety_stock), Some(c.max_stock)),
            if c.kept_manual {
                t!("cli.levels.kept").to_string()
            } else if c.changed() {
                String::new()
            } else {
                t!("cli.levels.same").to_string()
            },
        ]);
    }
    let changed = changes.iter().filter(|c| c.changed()).count();
    let kept = changes.iter().filter(|c| c.kept_manual).count();
    let foot = if applied {
        t!(
            "cli.levels.applied",
            n = changed,
            place = place,
            kept = kept
        )
    } else {
        t!(
            "cli.levels.preview",
            n = changed,
            place = place,
            kept = kept
        )
    };
    format!("{t}\n{foot}")
}
