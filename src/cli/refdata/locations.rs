//! `wardstock location …`: the storage locations inside a place, where an
//! item is kept, and moving stock between locations.

use super::*;
use crate::ops::stock;

/// `wardstock location …`.
#[derive(Debug, Subcommand)]
pub enum LocationCommand {
    /// Add a storage location to a place (administrator).
    Add {
        /// The location's code, e.g. FRIDGE, CDSAFE, A-01.
        code: String,
        #[command(flatten)]
        who: UserArgs,
        #[arg(long, value_name = "PLACE")]
        place: String,
        #[arg(long)]
        name: String,
        /// shelf | fridge | freezer | cold_room | safe | trolley | other
        #[arg(long, default_value = "shelf", value_name = "KIND")]
        kind: String,
        /// Make it where stock arrives at the place when nobody says where.
        #[arg(long)]
        default: bool,
    },
    /// Change a location's name or kind, or make it the place's default.
    Edit {
        code: String,
        #[command(flatten)]
        who: UserArgs,
        #[arg(long, value_name = "PLACE")]
        place: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long, value_name = "KIND")]
        kind: Option<String>,
        #[arg(long)]
        default: bool,
    },
    /// Close an empty location (it is kept, marked closed).
    Close {
        code: String,
        #[command(flatten)]
        who: UserArgs,
        #[arg(long, value_name = "PLACE")]
        place: String,
    },
    /// The locations of a place (or of every place), with what they hold.
    List {
        #[arg(long, value_name = "PLACE")]
        place: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Keep an item at a location of a place: stock of it arrives there
    /// (`--usual` goes back to the fridge, freezer or safe its storage asks
    /// for, else the place's default).
    Keep {
        /// The item's code.
        item: String,
        #[command(flatten)]
        who: UserArgs,
        #[arg(long, value_name = "PLACE")]
        place: String,
        #[arg(long, value_name = "CODE", required_unless_present = "usual")]
        location: Option<String>,
        #[arg(long, conflicts_with = "location")]
        usual: bool,
    },
    /// Move units of a lot between two locations of a place (all it holds
    /// there unless --qty is given).
    Move {
        #[command(flatten)]
        who: UserArgs,
        #[arg(long, value_name = "PLACE")]
        place: String,
        #[arg(long, value_name = "CODE")]
        item: String,
        #[arg(long, value_name = "LOT")]
        lot: String,
        #[arg(long, value_name = "LOCATION")]
        from: String,
        #[arg(long, value_name = "LOCATION")]
        to: String,
        /// Units (dose units); default: all of the lot at --from.
        #[arg(long)]
        qty: Option<i64>,
        #[arg(long)]
        reason: Option<String>,
    },
}

fn location_kind(k: &str) -> &str {
    match k {
        "shelf" => t!("refdata.location.shelf"),
        "fridge" => t!("refdata.location.fridge"),
        "freezer" => t!("refdata.location.freezer"),
        "cold_room" => t!("refdata.location.cold_room"),
        "cd_safe" => t!("refdata.location.cd_safe"),
        "trolley" => t!("refdata.location.trolley"),
        "other" => t!("refdata.location.other"),
        other => other,
    }
}

fn location_line(l: &queries::LocationRecord) -> String {
    let mut state = if l.closed_at.is_some() {
        t!("refdata.place.closed").to_string()
    } else {
        t!(
            "refdata.location.holds",
            lots = l.lots,
            units = crate::i18n::num(l.units)
        )
    };
    if l.default {
        state.push_str(t!("refdata.location.default"));
    }
    t!(
        "refdata.location.line",
        place = l.place,
        code = l.code,
        name = l.name,
        kind = location_kind(&l.kind),
        state = state
    )
}

pub fn run_location(db: Option<PathBuf>, cmd: LocationCommand) -> Result<i32> {
    let mut store = open(db)?;
    let now = Utc::now();
    let done = |json: bool, l: &queries::LocationRecord| {
        json_or(json, serde_json::to_value(l).unwrap_or_default(), || {
            location_line(l)
        })
    };
    match cmd {
        LocationCommand::Add {
            code,
            who,
            place,
            name,
            kind,
            default,
        } => {
            let actor = sign_in(&mut store, &who)?;
            let l = ops::location_add(
                &mut store, &actor, now, &place, &code, &name, &kind, default,
            )?;
            done(who.json, &l);
        }
        LocationCommand::Edit {
            code,
            who,
            place,
            name,
            kind,
            default,
        } => {
            let actor = sign_in(&mut store, &who)?;
            let l = ops::location_edit(
                &mut store,
                &actor,
                now,
                &place,
                &code,
                name.as_deref(),
                kind.as_deref(),
                default,
            )?;
            done(who.json, &l);
        }
        LocationCommand::Close { code, who, place } => {
            let actor = sign_in(&mut store, &who)?;
            let l = ops::location_close(&mut store, &actor, now, &place, &code)?;
            done(who.json, &l);
        }
        LocationCommand::List { place, json } => {
            if let Some(p) = &place {
                stock::place_by_code(&store.conn, p)?;
            }
            let rows = queries::location_records(&store.conn, place.as_deref())?;
            print_list(json, &rows, location_line)?;
        }
        LocationCommand::Keep {
            item,
            who,
            place,
            location,
            usual: _,
        } => {
            let actor = sign_in(&mut store, &who)?;
            let at = ops::item_location_set(
                &mut store,
                &actor,
                now,
                &place,
                &item,
                location.as_deref(),
            )?;
            json_or(
                who.json,
                serde_json::json!({"place": place, "item": item, "location": at}),
                || {
                    t!(
                        "refdata.location.kept",
                        item = item,
                        place = place,
                        location = at
                    )
                },
            );
        }
        LocationCommand::Move {
            who,
            place,
            item,
            lot,
            from,
            to,
            qty,
            reason,
        } => {
            let actor = sign_in(&mut store, &who)?;
            let place = stock::place_by_code(&store.conn, &place)?;
            let item = stock::item_by_code(&store.conn, &item)?;
            let moved = stock::relocate(
                &mut store,
                &actor,
                now,
                &stock::Relocation {
                    place: &place,
                    item: &item,
                    lot: &lot,
                    from: &from,
                    to: &to,
                    qty,
                    reason: reason.as_deref(),
                },
            )?;
            json_or(
                who.json,
                serde_json::to_value(&moved).unwrap_or_default(),
                || {
                    t!(
                        "refdata.location.moved",
                        qty = crate::i18n::num(moved.qty),
                        unit = crate::i18n::unit(&item.dose_unit),
                        item = item.name,
                        lot = moved.lot,
                        place = moved.place,
                        from = moved.from,
                        to = moved.to
                    )
                },
            );
        }
    }
    Ok(0)
}
