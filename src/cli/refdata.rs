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
    let actor = crate::ops::auth::change_own_pin(
        &mut store,
        &args.user,
        old.trim(),
        new.trim(),
        Utc::now(),
    )?;
    super::speak_to(&store, &actor);
    json_or(
        args.json,
        serde_json::json!({"user": actor.username, "pin_changed": true}),
        || t!("refdata.user.pin_changed", user = actor.username),
    );
    Ok(0)
}

// --- items -----------------------------------------------------------------

fn yes_no(flag: &str, v: &str) -> Result<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "yes" | "y" | "true" | "1" | "是" => Ok(true),
        "no" | "n" | "false" | "0" | "否" => Ok(false),
        _ => bail!(t!("refdata.arg.yes_no", flag = flag, value = v)),
    }
}

fn decimal(flag: &str, v: &str, places: u32) -> Result<i64> {
    crate::ops::import::parse_decimal(v, places, false)
        .with_context(|| t!("refdata.arg.decimal", flag = flag, value = v))
}

/// What `item add` and `item edit` may set; edit changes only what is given.
#[derive(Debug, Args)]
pub struct ItemFields {
    #[arg(long)]
    pub name: Option<String>,
    /// Default: the name.
    #[arg(long)]
    pub generic_name: Option<String>,
    /// The ATC code, e.g. N02BE01 ("" for none).
    #[arg(long)]
    pub atc: Option<String>,
    /// tablet, capsule, injection, … or consumable.
    #[arg(long)]
    pub form: Option<String>,
    /// One unit's strength, e.g. 500 or 0.5 ("" for none).
    #[arg(long)]
    pub strength: Option<String>,
    /// mg, g, microgram, ml, mmol, IU, unit.
    #[arg(long)]
    pub strength_unit: Option<String>,
    /// What a dose is counted in: tablet, vial, ampoule, …
    #[arg(long)]
    pub dose_unit: Option<String>,
    #[arg(long)]
    pub units_per_pack: Option<i64>,
    /// The price of one unit, e.g. 2.67.
    #[arg(long, value_name = "PRICE")]
    pub unit_price: Option<String>,
    /// room, cold or frozen.
    #[arg(long)]
    pub storage: Option<String>,
    #[arg(long, value_name = "yes|no")]
    pub controlled: Option<String>,
    #[arg(long, value_name = "yes|no")]
    pub high_alert: Option<String>,
    /// The maximum daily dose in the strength unit ("" for none).
    #[arg(long, value_name = "AMOUNT")]
    pub max_daily_dose: Option<String>,
    /// A multi-dose pack: days it may be used once opened (0 for none).
    #[arg(long, value_name = "DAYS")]
    pub in_use_days: Option<i64>,
    /// A multi-dose pack kept for one patient.
    #[arg(long, value_name = "yes|no")]
    pub per_patient: Option<String>,
    /// drug or consumable.
    #[arg(long)]
    pub kind: Option<String>,
    /// The supplier it is ordered from (a supplier code; "" for none).
    #[arg(long, value_name = "CODE")]
    pub supplier: Option<String>,
}

/// The fields parsed before anything is written.
#[derive(Debug, Default)]
struct ItemPatch {
    name: Option<String>,
    generic_name: Option<String>,
    atc: Option<Option<String>>,
    form: Option<String>,
    strength: Option<Option<i64>>,
    strength_unit: Option<Option<String>>,
    dose_unit: Option<String>,
    units_per_pack: Option<i64>,
    price: Option<i64>,
    storage: Option<crate::domain::StorageClass>,
    controlled: Option<bool>,
    high_alert: Option<bool>,
    max_daily: Option<Option<i64>>,
    in_use_days: Option<Option<i64>>,
    per_patient: Option<bool>,
    kind: Option<crate::domain::ItemKind>,
}

fn blank_none(v: &str) -> Option<String> {
    let v = v.trim();
    (!v.is_empty()).then(|| v.to_string())
}

impl ItemFields {
    fn patch(&self) -> Result<ItemPatch> {
        Ok(ItemPatch {
            name: self.name.as_deref().map(|s| s.trim().to_string()),
            generic_name: self.generic_name.as_deref().map(|s| s.trim().to_string()),
            atc: self
                .atc
                .as_deref()
                .map(|a| blank_none(&a.to_ascii_uppercase())),
            form: self.form.as_deref().map(|s| s.trim().to_lowercase()),
            strength: match self.strength.as_deref() {
                Some(v) if v.trim().is_empty() => Some(None),
                Some(v) => Some(Some(decimal("--strength", v, 3)?)),
                None => None,
            },
            strength_unit: self.strength_unit.as_deref().map(blank_none),
            dose_unit: self.dose_unit.as_deref().map(|s| s.trim().to_lowercase()),
            units_per_pack: self.units_per_pack,
            price: self
                .unit_price
                .as_deref()
                .map(|v| decimal("--unit-price", v, 2))
                .transpose()?,
            storage: self
                .storage
                .as_deref()
                .map(|v| choice("--storage", v, "room, cold, frozen"))
                .transpose()?,
            controlled: self
                .controlled
                .as_deref()
                .map(|v| yes_no("--controlled", v))
                .transpose()?,
            high_alert: self
                .high_alert
                .as_deref()
                .map(|v| yes_no("--high-alert", v))
                .transpose()?,
            max_daily: match self.max_daily_dose.as_deref() {
                Some(v) if v.trim().is_empty() => Some(None),
                Some(v) => Some(Some(decimal("--max-daily-dose", v, 3)?)),
                None => None,
            },
            in_use_days: self.in_use_days.map(|d| (d != 0).then_some(d)),
            per_patient: self
                .per_patient
                .as_deref()
                .map(|v| yes_no("--per-patient", v))
                .transpose()?,
            kind: self
                .kind
                .as_deref()
                .map(|v| choice("--kind", v, "drug, consumable"))
                .transpose()?,
        })
    }
}

/// One of a flag's allowed words (case and spaces ignored), or what to write.
fn choice<T: std::str::FromStr>(flag: &str, v: &str, allowed: &str) -> Result<T> {
    v.trim().to_ascii_lowercase().parse().map_err(|_| {
        anyhow::anyhow!(t!(
            "refdata.arg.choice",
            flag = flag,
            value = v,
            allowed = allowed
        ))
    })
}

impl ItemPatch {
    fn apply(self, it: &mut ops::NewItem) {
        if let Some(v) = self.name {
            it.name = v;
        }
        if let Some(v) = self.generic_name {
            it.generic_name = v;
        }
        if let Some(v) = self.atc {
            it.atc = v;
        }
        if let Some(v) = self.form {
            it.form = v;
        }
        if let Some(v) = self.strength {
            it.strength_milli = v;
        }
        if let Some(v) = self.strength_unit {
            it.strength_unit = v;
        }
        if let Some(v) = self.dose_unit {
            it.dose_unit = v;
        }
        if let Some(v) = self.units_per_pack {
            it.units_per_pack = v;
        }
        if let Some(v) = self.price {
            it.unit_price_cents = v;
        }
        if let Some(v) = self.storage {
            it.storage = v;
        }
        if let Some(v) = self.controlled {
            it.controlled = v;
        }
        if let Some(v) = self.high_alert {
            it.high_alert = v;
        }
        if let Some(v) = self.max_daily {
            it.max_daily_milli = v;
        }
        if let Some(v) = self.in_use_days {
            it.in_use_days = v;
        }
        if let Some(v) = self.per_patient {
            it.per_patient = v;
        }
        if let Some(v) = self.kind {
            it.kind = v;
        }
    }
}

/// `wardstock item …`: the formulary.
#[derive(Debug, Subcommand)]
pub enum ItemCommand {
    /// Add an item (--name, --form, --dose-unit, --gtin and --unit-price at least).
    Add {
        code: String,
        #[command(flatten)]
        who: UserArgs,
        /// Its first GTIN (more with item link-gtin).
        #[arg(long)]
        gtin: String,
        #[command(flatten)]
        fields: ItemFields,
    },
    /// Change an item: only the fields given.
    Edit {
        code: String,
        #[command(flatten)]
        who: UserArgs,
        #[command(flatten)]
        fields: ItemFields,
    },
    /// Retire an item: it stays in the ledger and the lists, marked retired.
    Retire {
        code: String,
        #[command(flatten)]
        who: UserArgs,
    },
    /// Link a GTIN (its check digit verified) to an item.
    LinkGtin {
        code: String,
        gtin: String,
        #[command(flatten)]
        who: UserArgs,
    },
    /// Unlink a GTIN from an item.
    UnlinkGtin {
        code: String,
        gtin: String,
        #[command(flatten)]
        who: UserArgs,
    },
    /// The formulary (items in use first); --filter matches code, name or ATC code.
    List {
        #[arg(long)]
        filter: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Every field of one item.
    Show {
        code: String,
        #[arg(long)]
        json: bool,
    },
}

fn item_line(r: &queries::ItemRecord) -> String {
    t!(
        "refdata.item.line",
        code = r.code,
        name = r.name,
        state = if r.retired_at.is_some() {
            t!("refdata.item.retired")
        } else {
            t!("refdata.item.in_use")
        }
    )
}

fn item_strength(r: &queries::ItemRecord) -> String {
    match (r.strength_milli, &r.strength_unit) {
        (Some(s), Some(u)) => format!("{} {u}", crate::domain::milli_text(s)),
        (Some(s), None) => crate::domain::milli_text(s),
        _ => "-".into(),
    }
}

fn show_item(r: &queries::ItemRecord) {
    let yes = |b: bool| {
        if b {
            t!("refdata.item.yes")
        } else {
            t!("refdata.item.no")
        }
    };
    let opt = |o: &Option<String>| o.clone().unwrap_or_else(|| "-".into());
    let rows: Vec<(&str, String)> = vec![
        (t!("refdata.field.code"), r.code.clone()),
        (t!("refdata.field.name"), r.name.clone()),
        (t!("refdata.field.generic_name"), r.generic_name.clone()),
        (t!("refdata.field.atc"), opt(&r.atc)),
        (t!("refdata.field.form"), r.form.clone()),
        (t!("refdata.field.strength"), item_strength(r)),
        (
            t!("refdata.field.dose_unit"),
            crate::i18n::unit(&r.dose_unit).to_string(),
        ),
        (
            t!("refdata.field.units_per_pack"),
            r.units_per_pack.to_string(),
        ),
        (t!("refdata.field.gtins"), r.gtins.join(", ")),
        (
            t!("refdata.field.unit_price"),
            crate::domain::cents_text(r.unit_price_cents),
        ),
        (t!("refdata.field.storage"), r.storage.clone()),
        (t!("refdata.field.controlled"), yes(r.controlled).into()),
        (t!("refdata.field.high_alert"), yes(r.high_alert).into()),
        (
            t!("refdata.field.max_daily_dose"),
            r.max_daily_milli
                .map_or("-".into(), crate::domain::milli_text),
        ),
        (
            t!("refdata.field.in_use_days"),
            r.in_use_days.map_or("-".into(), |d| d.to_string()),
        ),
        (t!("refdata.field.per_patient"), yes(r.per_patient).into()),
        (t!("refdata.field.kind"), r.kind.clone()),
        (t!("refdata.field.supplier"), opt(&r.supplier)),
        (
            t!("refdata.field.retired"),
            r.retired_at.as_deref().map_or("-".into(), super::when),
        ),
    ];
    for (label, value) in rows {
        println!("{}{value}", super::cell(label, 18));
    }
}

pub fn run_item(db: Option<PathBuf>, cmd: ItemCommand) -> Result<i32> {
    let mut store = open(db)?;
    let now = Utc::now();
    let done = |json: bool, r: &queries::ItemRecord| {
        json_or(json, serde_json::to_value(r).unwrap_or_default(), || {
            item_line(r)
        })
    };
    match cmd {
        ItemCommand::Add {
            code,
            who,
            gtin,
            fields,
        } => {
            let patch = fields.patch()?;
            for (flag, given) in [
                ("--name", patch.name.is_some()),
                ("--form", patch.form.is_some()),
                ("--dose-unit", patch.dose_unit.is_some()),
                ("--unit-price", patch.price.is_some()),
            ] {
                if !given {
                    bail!(t!("refdata.arg.missing", flag = flag));
                }
            }
            let consumable = patch.form.as_deref() == Some("consumable");
            let mut it = ops::NewItem {
                code: code.trim().to_string(),
                name: String::new(),
                generic_name: String::new(),
                atc: None,
                form: String::new(),
                strength_milli: None,
                strength_unit: None,
                dose_unit: String::new(),
                units_per_pack: 1,
                gtin,
                unit_price_cents: 0,
                storage: crate::domain::StorageClass::Room,
                controlled: false,
                high_alert: false,
                kind: if consumable {
                    crate::domain::ItemKind::Consumable
                } else {
                    crate::domain::ItemKind::Drug
                },
                max_daily_milli: None,
                in_use_days: None,
                per_patient: false,
            };
            patch.apply(&mut it);
            if it.generic_name.is_empty() {
                it.generic_name = it.name.clone();
            }
            let supplier = fields.supplier.as_deref().and_then(blank_none);
            let actor = sign_in(&mut store, &who)?;
            let r = ops::item_add(&mut store, &actor, now, &it, supplier.as_deref())?;
            done(who.json, &r);
        }
        ItemCommand::Edit { code, who, fields } => {
            let patch = fields.patch()?;
            let supplier = fields.supplier.as_deref().map(blank_none);
            let actor = sign_in(&mut store, &who)?;
            let r = ops::item_edit(
                &mut store,
                &actor,
                now,
                &code,
                |it| patch.apply(it),
                supplier.as_ref().map(|s| s.as_deref()),
            )?;
            done(who.json, &r);
        }
        ItemCommand::Retire { code, who } => {
            let actor = sign_in(&mut store, &who)?;
            let r = ops::item_retire(&mut store, &actor, now, &code)?;
            done(who.json, &r);
        }
        ItemCommand::LinkGtin { code, gtin, who } => {
            let actor = sign_in(&mut store, &who)?;
            let r = ops::item_gtin(&mut store, &actor, now, &code, &gtin, true)?;
            json_or(
                who.json,
                serde_json::to_value(&r).unwrap_or_default(),
                || {
                    t!(
                        "refdata.item.gtins",
                        code = r.code,
                        gtins = r.gtins.join(", ")
                    )
                },
            );
        }
        ItemCommand::UnlinkGtin { code, gtin, who } => {
            let actor = sign_in(&mut store, &who)?;
            let r = ops::item_gtin(&mut store, &actor, now, &code, &gtin, false)?;
            json_or(
                who.json,
                serde_json::to_value(&r).unwrap_or_default(),
                || {
                    t!(
                        "refdata.item.gtins",
                        code = r.code,
                        gtins = r.gtins.join(", ")
                    )
                },
            );
        }
        ItemCommand::List { filter, json } => {
            let rows = queries::item_records(&store.conn, filter.as_deref().unwrap_or(""))?;
            if json {
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                let mut t = Table::new();
                t.load_preset(UTF8_BORDERS_ONLY).set_header([
                    t!("refdata.field.code"),
                    t!("refdata.field.name"),
                    t!("refdata.field.strength"),
                    t!("refdata.field.dose_unit"),
                    t!("refdata.field.units_per_pack"),
                    t!("refdata.field.unit_price"),
                    t!("refdata.field.gtins"),
                    t!("refdata.col.state"),
                ]);
                for r in &rows {
                    t.add_row([
                        r.code.clone(),
                        r.name.clone(),
                        item_strength(r),
                        crate::i18n::unit(&r.dose_unit).to_string(),
                        r.units_per_pack.to_string(),
                        crate::domain::cents_text(r.unit_price_cents),
                        r.gtins.join(", "),
                        if r.retired_at.is_some() {
                            t!("refdata.item.retired").to_string()
                        } else {
                            t!("refdata.item.in_use").to_string()
                        },
                    ]);
                }
                println!("{t}");
                println!("{}", t!("refdata.item.count", n = rows.len()));
            }
        }
        ItemCommand::Show { code, json } => {
            let r = queries::item_record(&store.conn, &code)?
                .ok_or_else(|| ops::AdminError::UnknownItem(code.clone()))?;
            if json {
                println!("{}", serde_json::to_string_pretty(&r)?);
            } else {
                show_item(&r);
            }
        }
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
    },
    /// Change a supplier's name or lead time (its items take the new lead time).
    Edit {
        code: String,
        #[command(flatten)]
        who: UserArgs,
        #[arg(long)]
        name: Option<String>,
        #[arg(long, value_name = "DAYS")]
        lead_days: Option<i64>,
    },
    List {
        #[arg(long)]
        json: bool,
    },
}

fn supplier_line(s: &queries::SupplierRecord) -> String {
    t!(
        "refdata.supplier.line",
        code = s.code,
        name = s.name,
        days = s.lead_days
    )
}

pub fn run_supplier(db: Option<PathBuf>, cmd: SupplierCommand) -> Result<i32> {
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
        } => {
            let actor = sign_in(&mut store, &who)?;
            let s = ops::supplier_add(&mut store, &actor, now, &code, &name, lead_days)?;
            done(who.json, &s);
        }
        SupplierCommand::Edit {
            code,
            who,
            name,
            lead_days,
        } => {
            let actor = sign_in(&mut store, &who)?;
            let s = ops::supplier_edit(&mut store, &actor, now, &code, name.as_deref(), lead_days)?;
            done(who.json, &s);
        }
        SupplierCommand::List { json } => {
            let rows = queries::supplier_records(&store.conn)?;
            print_list(json, &rows, supplier_line)?;
        }
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

// --- patients and allergies ------------------------------------------------

/// `wardstock patient …`: admission, transfer and discharge.
#[derive(Debug, Subcommand)]
pub enum PatientCommand {
    /// Admit a patient to a ward (a new one, or one discharged before).
    Admit {
        mrn: String,
        #[command(flatten)]
        who: UserArgs,
        #[arg(long)]
        name: String,
        /// YYYY-MM-DD.
        #[arg(long, value_name = "DATE")]
        dob: String,
        /// female, male, other or unknown.
        #[arg(long)]
        sex: Option<String>,
        #[arg(long, value_name = "WARD")]
        ward: String,
        #[arg(long)]
        bed: Option<String>,
    },
    /// Move an admitted patient to another ward or bed.
    Move {
        mrn: String,
        #[command(flatten)]
        who: UserArgs,
        #[arg(long, value_name = "WARD", required_unless_present = "bed")]
        ward: Option<String>,
        #[arg(long)]
        bed: Option<String>,
    },
    /// Discharge a patient: their prescriptions are stopped ("discharged") and no dose is recorded any more.
    Discharge {
        mrn: String,
        #[command(flatten)]
        who: UserArgs,
    },
    /// The admitted patients (of one ward with --ward; --all adds the discharged).
    List {
        #[arg(long, value_name = "WARD")]
        ward: Option<String>,
        #[arg(long)]
        all: bool,
        #[arg(long)]
        json: bool,
    },
    /// A patient's record: allergies, prescriptions, and every dose with its lot.
    Show {
        mrn: String,
        #[arg(long)]
        json: bool,
    },
}

pub fn patient_line(p: &queries::PatientAdt) -> String {
    match &p.discharged_at {
        Some(at) => t!(
            "refdata.patient.discharged_line",
            mrn = p.mrn,
            name = p.name,
            dob = p.date_of_birth,
            at = super::when(at)
        ),
        None => t!(
            "refdata.patient.line",
            mrn = p.mrn,
            name = p.name,
            dob = p.date_of_birth,
            ward = p.ward.as_deref().unwrap_or("-"),
            bed = p.bed.as_deref().unwrap_or("-")
        ),
    }
}

pub fn run_patient(db: Option<PathBuf>, cmd: PatientCommand) -> Result<i32> {
    let mut store = open(db)?;
    let now = Utc::now();
    let done = |json: bool, p: &queries::PatientAdt| {
        json_or(json, serde_json::to_value(p).unwrap_or_default(), || {
            patient_line(p)
        })
    };
    match cmd {
        PatientCommand::Admit {
            mrn,
            who,
            name,
            dob,
            sex,
            ward,
            bed,
        } => {
            let dob = chrono::NaiveDate::parse_from_str(dob.trim(), "%Y-%m-%d")
                .with_context(|| t!("cli.arg.dob", value = crate::i18n::results::quote(&dob)))?;
            let actor = sign_in(&mut store, &who)?;
            let p = ops::patient_admit(
                &mut store,
                &actor,
                now,
                &ops::Admission {
                    mrn,
                    name,
                    dob,
                    sex,
                    ward,
                    bed: bed.and_then(|b| blank_none(&b)),
                },
            )?;
            done(who.json, &p);
        }
        PatientCommand::Move {
            mrn,
            who,
            ward,
            bed,
        } => {
            let actor = sign_in(&mut store, &who)?;
            let p = ops::patient_move(
                &mut store,
                &actor,
                now,
                &mrn,
                ward.as_deref(),
                bed.as_deref(),
            )?;
            done(who.json, &p);
        }
        PatientCommand::Discharge { mrn, who } => {
            let actor = sign_in(&mut store, &who)?;
            let (p, stopped) = ops::patient_discharge(&mut store, &actor, now, &mrn)?;
            if who.json {
                let mut v = serde_json::to_value(&p).unwrap_or_default();
                v["stopped_prescriptions"] = serde_json::json!(stopped);
                println!("{v}");
            } else {
                println!("{}", patient_line(&p));
                println!(
                    "{}",
                    t!(
                        "refdata.patient.stopped",
                        n = stopped.len(),
                        ids = stopped
                            .iter()
                            .map(|i| i.to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                );
            }
        }
        PatientCommand::List { ward, all, json } => {
            let rows = queries::patients_adt(&store.conn, ward.as_deref().unwrap_or(""), all)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                for p in &rows {
                    println!("{}", patient_line(p));
                }
                println!("{}", t!("refdata.patient.count", n = rows.len()));
            }
        }
        // Shown by the patient record in cli::mod.
        PatientCommand::Show { .. } => {}
    }
    Ok(0)
}

/// `wardstock allergy …`: a patient's allergies, intolerances and contraindications.
#[derive(Debug, Subcommand)]
pub enum AllergyCommand {
    /// Record one (or change the one recorded for the same substance).
    Add {
        #[arg(long)]
        mrn: String,
        #[command(flatten)]
        who: UserArgs,
        #[arg(long)]
        substance: String,
        #[arg(
            long,
            default_value = "allergy",
            value_name = "allergy|intolerance|contraindication"
        )]
        kind: String,
        /// An ATC code or group (e.g. J01C for penicillins): every drug in it is flagged.
        #[arg(long)]
        atc: Option<String>,
        #[arg(long)]
        reaction: Option<String>,
    },
    /// Remove one recorded in error (history keeps it).
    Remove {
        #[arg(long)]
        mrn: String,
        #[command(flatten)]
        who: UserArgs,
        #[arg(long)]
        substance: String,
    },
}

pub fn run_allergy(db: Option<PathBuf>, cmd: AllergyCommand) -> Result<i32> {
    let mut store = open(db)?;
    let now = Utc::now();
    match cmd {
        AllergyCommand::Add {
            mrn,
            who,
            substance,
            kind,
            atc,
            reaction,
        } => {
            let actor = sign_in(&mut store, &who)?;
            let a = ops::allergy_add(
                &mut store,
                &actor,
                now,
                &mrn,
                &substance,
                &kind,
                atc.as_deref(),
                reaction.as_deref(),
            )?;
            json_or(
                who.json,
                serde_json::to_value(&a).unwrap_or_default(),
                || {
                    t!(
                        "refdata.allergy.recorded",
                        mrn = a.mrn,
                        substance = a.substance,
                        kind = crate::i18n::domain::allergy_kind(&a.kind)
                    )
                },
            );
        }
        AllergyCommand::Remove {
            mrn,
            who,
            substance,
        } => {
            let actor = sign_in(&mut store, &who)?;
            let a = ops::allergy_remove(&mut store, &actor, now, &mrn, &substance)?;
            json_or(
                who.json,
                serde_json::to_value(&a).unwrap_or_default(),
                || {
                    t!(
                        "refdata.allergy.removed",
                        mrn = a.mrn,
                        substance = a.substance
                    )
                },
            );
        }
    }
    Ok(0)
}
