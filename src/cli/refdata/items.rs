//! `wardstock item …`: the formulary kept by the administrator.

use super::*;

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

pub(super) fn blank_none(v: &str) -> Option<String> {
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
            r.retired_at.as_deref().map_or("-".into(), crate::cli::when),
        ),
    ];
    for (label, value) in rows {
        println!("{}{value}", crate::cli::cell(label, 18));
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
