//! Keeping the site's people and products from the command line: users and
//! PINs, items and their GTINs, places, suppliers, patients (admission,
//! transfer, discharge) and allergies. Each command signs the administrator
//! in and calls one operation of `ops::refdata`.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use chrono::Utc;
use clap::{Args, Subcommand};
use comfy_table::{Table, presets::UTF8_BORDERS_ONLY};

use super::stock::{UserArgs, sign_in};
use crate::domain::Role;
use crate::ops::refdata as ops;
use crate::store::{Store, queries};
use crate::t;

mod items;
mod locations;
mod patients;

pub use items::*;
pub use locations::*;
pub use patients::*;

fn open(db: Option<PathBuf>) -> Result<Store> {
    super::open(&crate::config::resolve_db(db, false)?)
}

fn role(text: &str) -> Result<Role> {
    text.trim()
        .to_ascii_lowercase()
        .replace([' ', '-'], "_")
        .parse()
        .map_err(|_| anyhow::anyhow!(t!("refdata.user.unknown_role", role = text)))
}

fn json_or(json: bool, value: serde_json::Value, text: impl FnOnce() -> String) {
    if json {
        println!("{value}");
    } else {
        println!("{}", text());
    }
}

// --- users -----------------------------------------------------------------

/// `wardstock user …`: the administrator keeps the site's users.
#[derive(Debug, Subcommand)]
pub enum UserAdmin {
    /// Add a user; a one-time PIN is printed, to be changed at the first sign-in.
    Add {
        /// The new user's sign-in name (one word).
        name: String,
        #[command(flatten)]
        who: UserArgs,
        #[arg(long, value_name = "TEXT")]
        full_name: String,
        /// nurse, nurse_manager, pharmacist, storekeeper or admin.
        #[arg(long)]
        role: String,
    },
    /// Change a user's full name.
    Edit {
        name: String,
        #[command(flatten)]
        who: UserArgs,
        #[arg(long, value_name = "TEXT")]
        full_name: String,
    },
    /// Give a user another role.
    Role {
        name: String,
        /// nurse, nurse_manager, pharmacist, storekeeper or admin.
        role: String,
        #[command(flatten)]
        who: UserArgs,
    },
    /// Give a user a one-time PIN (they set their own at the next sign-in); lifts a lock.
    ResetPin {
        name: String,
        #[command(flatten)]
        who: UserArgs,
    },
    /// Lift the lock after five wrong PINs.
    Unlock {
        name: String,
        #[command(flatten)]
        who: UserArgs,
    },
    /// Stop a user signing in (nothing is deleted; --undo lets them sign in again).
    Deactivate {
        name: String,
        #[command(flatten)]
        who: UserArgs,
        /// Reactivate instead.
        #[arg(long)]
        undo: bool,
    },
    /// Every user, their role and state.
    List {
        #[arg(long)]
        json: bool,
    },
}

pub fn run_user(db: Option<PathBuf>, cmd: UserAdmin) -> Result<i32> {
    let mut store = open(db)?;
    let now = Utc::now();
    let state_json = |s: &ops::UserState| serde_json::to_value(s).unwrap_or_default();
    let changed = |s: &ops::UserState| {
        t!(
            "refdata.user.changed",
            user = s.name,
            full_name = s.full_name,
            role = s
                .role
                .parse::<Role>()
                .map_or(s.role.as_str(), |r| r.label())
        )
    };
    match cmd {
        UserAdmin::Add {
            name,
            who,
            full_name,
            role: r,
        } => {
            let r = role(&r)?;
            let actor = sign_in(&mut store, &who)?;
            let pin = ops::user_add(&mut store, &actor, now, &name, &full_name, r)?;
            json_or(
                who.json,
                serde_json::json!({"user": name.trim(), "role": r.as_ref(), "one_time_pin": pin}),
                || {
                    t!(
                        "refdata.user.added",
                        user = name.trim(),
                        role = r.label(),
                        pin = pin
                    )
                },
            );
        }
        UserAdmin::Edit {
            name,
            who,
            full_name,
        } => {
            let actor = sign_in(&mut store, &who)?;
            let s = ops::user_edit(&mut store, &actor, now, &name, &full_name)?;
            json_or(who.json, state_json(&s), || changed(&s));
        }
        UserAdmin::Role { name, role: r, who } => {
            let r = role(&r)?;
            let actor = sign_in(&mut store, &who)?;
            let s = ops::user_role(&mut store, &actor, now, &name, r)?;
            json_or(who.json, state_json(&s), || changed(&s));
        }
        UserAdmin::ResetPin { name, who } => {
            let actor = sign_in(&mut store, &who)?;
            let pin = ops::user_reset_pin(&mut store, &actor, now, &name)?;
            json_or(
                who.json,
                serde_json::json!({"user": name.trim(), "one_time_pin": pin}),
                || t!("refdata.user.reset", user = name.trim(), pin = pin),
            );
        }
        UserAdmin::Unlock { name, who } => {
            let actor = sign_in(&mut store, &who)?;
            let s = ops::user_unlock(&mut store, &actor, now, &name)?;
            json_or(who.json, state_json(&s), || {
                t!("refdata.user.unlocked", user = s.name)
            });
        }
        UserAdmin::Deactivate { name, who, undo } => {
            let actor = sign_in(&mut store, &who)?;
            let s = ops::user_set_active(&mut store, &actor, now, &name, undo)?;
            json_or(who.json, state_json(&s), || {
                if undo {
                    t!("refdata.user.activated", user = s.name)
                } else {
                    t!("refdata.user.deactivated", user = s.name)
                }
            });
        }
        UserAdmin::List { json } => {
            let rows = queries::user_list(&store.conn)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                let mut t = Table::new();
                t.load_preset(UTF8_BORDERS_ONLY).set_header([
                    t!("refdata.col.user"),
                    t!("refdata.col.full_name"),
                    t!("refdata.col.role"),
                    t!("refdata.col.state"),
                ]);
                for r in &rows {
                    let mut state = vec![if r.active {
                        t!("refdata.user.active")
                    } else {
                        t!("refdata.user.inactive")
                    }];
                    if r.must_change_pin {
                        state.push(t!("refdata.user.one_time"));
                    }
                    if r.locked_until
                        .as_deref()
                        .and_then(crate::domain::instant_from_text)
                        .is_some_and(|u| u > now)
                    {
                        state.push(t!("refdata.user.locked"));
                    }
                    t.add_row([
                        r.name.clone(),
                        r.full_name.clone(),
                        r.role
                            .parse::<Role>()
                            .map_or(r.role.clone(), |x| x.label().to_string()),
                        state.join(", "),
                    ]);
                }
                println!("{t}");
                println!("{}", t!("refdata.user.count", n = rows.len()));
            }
        }
    }
    Ok(0)
}

/// `wardstock pin`: a user changes their own PIN.
#[derive(Debug, Args)]
pub struct PinArgs {
    /// Your user name.
    #[arg(long, env = "WARDSTOCK_USER", value_name = "NAME")]
    pub user: String,
    #[arg(long)]
    pub json: bool,
}

pub fn run_pin(db: Option<PathBuf>, args: PinArgs) -> Result<i32> {
    let mut store = open(db)?;
    let ask = |prompt: String| -> Result<String> {
        rpassword::prompt_password(prompt).context(t!("refdata.pin.none"))
    };
    let old = match std::env::var("WARDSTOCK_PIN") {
        Ok(p) => p,
        Err(_) => ask(t!("refdata.pin.old", user = args.user))?,
    };
    let new = match std::env::var("WARDSTOCK_NEW_PIN") {
        Ok(p) => p,
        Err(_) => {
            let a = ask(t!("refdata.pin.new").to_string())?;
            let b = ask(t!("refdata.pin.again").to_string())?;
            if a.trim() != b.trim() {
                bail!(t!("refdata.pin.mismatch"));
            }
            a
        }
    };
    let now = Utc::now();
    let actor =
        crate::ops::auth::change_own_pin(&mut store, &args.user, old.trim(), new.trim(), now)?;
    super::speak_to(&store, &actor);
    json_or(
        args.json,
        serde_json::json!({"user": actor.username, "pin_changed": true}),
        || t!("refdata.user.pin_changed", user = actor.username),
    );
    // Signed in with the new PIN: the day's backup if it is the first sign-in.
    if let Some(outcome) = crate::ops::backups::after_sign_in(&store, now) {
        super::site::tell_daily(&outcome);
    }
    Ok(0)
}

// --- places and suppliers --------------------------------------------------

/// `wardstock place …`: the pharmacy and the wards.
#[derive(Debug, Subcommand)]
pub enum PlaceCommand {
    /// Add a ward (or a pharmacy).
    Add {
        code: String,
        #[command(flatten)]
        who: UserArgs,
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "ward", value_name = "ward|pharmacy")]
        kind: String,
        /// Minutes to carry goods there from the pharmacy.
        #[arg(long, default_value_t = 0, value_name = "MINUTES")]
        transport_minutes: i64,
    },
    /// Change a place's name or transport time.
    Edit {
        code: String,
        #[command(flatten)]
        who: UserArgs,
        #[arg(long)]
        name: Option<String>,
        #[arg(long, value_name = "MINUTES")]
        transport_minutes: Option<i64>,
    },
    /// Close a place that holds no stock and no patients (it is kept, marked closed).
    Close {
        code: String,
        #[command(flatten)]
        who: UserArgs,
    },
    /// Every place, open ones first.
    List {
        #[arg(long)]
        json: bool,
    },
}

fn place_line(p: &queries::PlaceRecord) -> String {
    t!(
        "refdata.place.line",
        code = p.code,
        name = p.name,
        kind = place_kind(&p.kind),
        minutes = p.transport_minutes,
        state = if p.closed_at.is_some() {
            t!("refdata.place.closed")
        } else {
            t!("refdata.place.open")
        }
    )
}

fn place_kind(k: &str) -> &str {
    match k {
        "pharmacy" => t!("refdata.place.pharmacy"),
        "ward" => t!("refdata.place.ward"),
        "transit" => t!("refdata.place.transit"),
        other => other,
    }
}

pub fn run_place(db: Option<PathBuf>, cmd: PlaceCommand) -> Result<i32> {
    let mut store = open(db)?;
    let now = Utc::now();
    let done = |json: bool, p: &queries::PlaceRecord| {
        json_or(json, serde_json::to_value(p).unwrap_or_default(), || {
            place_line(p)
        })
    };
    match cmd {
        PlaceCommand::Add {
            code,
            who,
            name,
            kind,
            transport_minutes,
        } => {
            let kind = match kind.trim().to_ascii_lowercase().as_str() {
                "ward" => crate::domain::PlaceKind::Ward,
                "pharmacy" => crate::domain::PlaceKind::Pharmacy,
                _ => bail!(t!(
                    "refdata.arg.choice",
                    flag = "--kind",
                    value = kind,
                    allowed = "ward, pharmacy"
                )),
            };
            let actor = sign_in(&mut store, &who)?;
            let p = ops::place_add(
                &mut store,
                &actor,
                now,
                &code,
                &name,
                kind,
                transport_minutes,
            )?;
            done(who.json, &p);
        }
        PlaceCommand::Edit {
            code,
            who,
            name,
            transport_minutes,
        } => {
            let actor = sign_in(&mut store, &who)?;
            let p = ops::place_edit(
                &mut store,
                &actor,
                now,
                &code,
                name.as_deref(),
                transport_minutes,
            )?;
            done(who.json, &p);
        }
        PlaceCommand::Close { code, who } => {
            let actor = sign_in(&mut store, &who)?;
            let p = ops::place_close(&mut store, &actor, now, &code)?;
            done(who.json, &p);
        }
        PlaceCommand::List { json } => {
            let rows = queries::place_records(&store.conn)?;
            print_list(json, &rows, place_line)?;
        }
    }
    Ok(0)
}

/// `wardstock supplier …`: who the pharmacy orders from.
#[derive(Debug, Subcommand)]
pub enum SupplierCommand {
    Add {
        code: String,
        #[command(flatten)]
        who: UserArgs,
        #[arg(long)]
        name: String,
        /// Days from order to delivery.
        #[arg(long, default_value_t = 1, value_name = "DAYS")]
        lead_days: i64,
        /// Whom to call: phone, e-mail, a person (free text).
        #[arg(long, value_name = "TEXT")]
        contact: Option<String>,
    },
    /// Change a supplier's name, lead time (its items take the new lead time) or contact.
    Edit {
        code: String,
        #[command(flatten)]
        who: UserArgs,
        #[arg(long)]
        name: Option<String>,
        #[arg(long, value_name = "DAYS")]
        lead_days: Option<i64>,
        /// Whom to call: phone, e-mail, a person ("" clears it).
        #[arg(long, value_name = "TEXT")]
        contact: Option<String>,
    },
    List {
        #[arg(long)]
        json: bool,
    },
    /// One supplier: lead time, contact, and the items ordered from it.
    Show {
        code: String,
        #[arg(long)]
        json: bool,
    },
    #[command(flatten)]
    Links(super::suppliers::LinkCommand),
}

fn supplier_line(s: &queries::SupplierRecord) -> String {
    match &s.contact {
        Some(contact) => t!(
            "refdata.supplier.line_contact",
            code = s.code,
            name = s.name,
            days = s.lead_days,
            contact = contact
        ),
        None => t!(
            "refdata.supplier.line",
            code = s.code,
            name = s.name,
            days = s.lead_days
        ),
    }
}

pub fn run_supplier(db: Option<PathBuf>, cmd: SupplierCommand) -> Result<i32> {
    if let SupplierCommand::Links(c) = cmd {
        return super::suppliers::run(db, c);
    }
    let mut store = open(db)?;
    let now = Utc::now();
    let done = |json: bool, s: &queries::SupplierRecord| {
        json_or(json, serde_json::to_value(s).unwrap_or_default(), || {
            supplier_line(s)
        })
    };
    match cmd {
        SupplierCommand::Add {
            code,
            who,
            name,
            lead_days,
            contact,
        } => {
            let actor = sign_in(&mut store, &who)?;
            let s = ops::supplier_add(
                &mut store,
                &actor,
                now,
                &code,
                &name,
                lead_days,
                contact.as_deref(),
            )?;
            done(who.json, &s);
        }
        SupplierCommand::Edit {
            code,
            who,
            name,
            lead_days,
            contact,
        } => {
            let actor = sign_in(&mut store, &who)?;
            let s = ops::supplier_edit(
                &mut store,
                &actor,
                now,
                &code,
                name.as_deref(),
                lead_days,
                contact.as_deref(),
            )?;
            done(who.json, &s);
        }
        SupplierCommand::List { json } => {
            let rows = queries::supplier_records(&store.conn)?;
            print_list(json, &rows, supplier_line)?;
        }
        SupplierCommand::Show { code, json } => {
            let Some(s) = queries::supplier_records(&store.conn)?
                .into_iter()
                .find(|s| s.code.eq_ignore_ascii_case(code.trim()))
            else {
                bail!(t!(
                    "refdata.refused.unknown_supplier",
                    code = crate::i18n::results::quote(&code)
                ));
            };
            let items = queries::supplier_items(&store.conn, s.id)?;
            if json {
                let mut v = serde_json::to_value(&s)?;
                v["items"] = serde_json::json!(items);
                println!("{}", serde_json::to_string_pretty(&v)?);
            } else {
                println!("{}", supplier_line(&s));
                println!(
                    "{}",
                    t!(
                        "refdata.supplier.contact",
                        contact = s
                            .contact
                            .clone()
                            .unwrap_or_else(|| t!("refdata.supplier.no_contact").to_string())
                    )
                );
                println!(
                    "{}",
                    t!(
                        "refdata.supplier.items",
                        n = items.len(),
                        list = items.join(", ")
                    )
                );
            }
        }
        SupplierCommand::Links(_) => {}
    }
    Ok(0)
}

/// A list as JSON, or one line a row.
fn print_list<T: serde::Serialize>(
    json: bool,
    rows: &[T],
    line: impl Fn(&T) -> String,
) -> Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(rows)?);
    } else {
        for r in rows {
            println!("{}", line(r));
        }
    }
    Ok(())
}
