//! Prescribing on the command line: a new prescription, changing or stopping
//! one, and the pharmacist's validation queue.

use super::*;

/// What a prescription says of its dose and timing.
#[derive(Debug, clap::Args)]
pub struct RxArgs {
    /// One dose in the item's strength unit, e.g. 500 or 2.5.
    #[arg(long)]
    pub dose: Option<String>,
    /// once, stat, qd, bid, tid, qid, q4h, q6h, q8h, q12h, weekly, prn.
    #[arg(long)]
    pub frequency: Option<String>,
    /// Wall-clock times, e.g. 08:00,20:00 (default: the ward's times for the frequency).
    #[arg(long)]
    pub times: Option<String>,
    /// For PRN: the most doses in 24 h.
    #[arg(long)]
    pub prn_max: Option<i64>,
    /// For PRN: the least time between two doses, e.g. 4h or 90m.
    #[arg(long, value_name = "DURATION")]
    pub prn_interval: Option<String>,
    /// Duration in days from the start.
    #[arg(long)]
    pub days: Option<i64>,
}

/// Parsed changes of dose and timing.
#[derive(Debug, Clone, Default)]
pub struct RxPatch {
    dose_milli: Option<i64>,
    frequency: Option<crate::domain::schedule::Frequency>,
    times: Option<Vec<chrono::NaiveTime>>,
    prn_max: Option<i64>,
    prn_interval: Option<i64>,
    days: Option<i64>,
}

impl RxPatch {
    fn apply(&self, mut rx: crate::ops::rx::NewRx) -> crate::ops::rx::NewRx {
        rx.dose_milli = self.dose_milli.unwrap_or(rx.dose_milli);
        rx.frequency = self.frequency.unwrap_or(rx.frequency);
        if let Some(t) = &self.times {
            rx.times = t.clone();
        }
        if rx.frequency == crate::domain::schedule::Frequency::Prn {
            rx.prn_max_per_day = self.prn_max.or(rx.prn_max_per_day);
            rx.prn_min_interval_min = self.prn_interval.or(rx.prn_min_interval_min);
        } else {
            // A regular frequency has no PRN limits: those given are
            // refused by the operation, those of a PRN version end with it.
            rx.prn_max_per_day = self.prn_max;
            rx.prn_min_interval_min = self.prn_interval;
        }
        if let Some(d) = self.days {
            // `days` is bounded by `patch`; an end that cannot be reckoned
            // is the start, which the operation refuses.
            rx.end = Some(
                chrono::TimeDelta::try_days(d)
                    .and_then(|d| rx.start.checked_add_signed(d))
                    .unwrap_or(rx.start),
            );
        }
        rx
    }
}

impl RxArgs {
    /// Parses the arguments before anything is written.
    fn patch(&self) -> Result<RxPatch> {
        let dose_milli = match &self.dose {
            Some(d) => Some(
                crate::domain::parse_milli(d)
                    .with_context(|| t!("cli.arg.dose", value = crate::i18n::results::quote(d)))?,
            ),
            None => None,
        };
        let frequency = match &self.frequency {
            Some(f) => Some(f.parse().map_err(|_| {
                anyhow::anyhow!(t!(
                    "cli.arg.frequency",
                    value = crate::i18n::results::quote(f)
                ))
            })?),
            None => None,
        };
        let times = match &self.times {
            Some(t) => Some(
                t.split(',')
                    .map(|x| {
                        chrono::NaiveTime::parse_from_str(x.trim(), "%H:%M").map_err(|_| {
                            anyhow::anyhow!(t!(
                                "cli.arg.times",
                                value = crate::i18n::results::quote(x)
                            ))
                        })
                    })
                    .collect::<Result<_>>()?,
            ),
            None => None,
        };
        let most = crate::ops::items::MAX_DAYS;
        if self.days.is_some_and(|d| !(1..=most).contains(&d)) {
            bail!(t!("cli.arg.days", most = most));
        }
        let prn_interval = match &self.prn_interval {
            Some(d) => Some(parse_minutes(d).with_context(|| {
                t!(
                    "cli.arg.prn_interval",
                    value = crate::i18n::results::quote(d)
                )
            })?),
            None => None,
        };
        Ok(RxPatch {
            dose_milli,
            frequency,
            times,
            prn_max: self.prn_max,
            prn_interval,
            days: self.days,
        })
    }
}

/// "4h", "90m", "1h30m" or plain minutes, as minutes.
fn parse_minutes(s: &str) -> Option<i64> {
    let s = s.trim().to_ascii_lowercase();
    if let Ok(m) = s.parse::<i64>() {
        return (m >= 0).then_some(m);
    }
    let (h, rest) = match s.split_once('h') {
        Some((h, rest)) => (h.trim().parse::<i64>().ok()?, rest.trim()),
        None => (0, s.as_str()),
    };
    let m = if rest.is_empty() {
        0
    } else {
        rest.strip_suffix('m')?.trim().parse::<i64>().ok()?
    };
    if h < 0 || m < 0 {
        return None;
    }
    h.checked_mul(60)?.checked_add(m)
}

#[derive(Debug, Subcommand)]
pub enum RxCommand {
    Suspend {
        id: i64,
        #[command(flatten)]
        who: stock::UserArgs,
        #[arg(long)]
        reason: String,
    },
    Resume {
        id: i64,
        #[command(flatten)]
        who: stock::UserArgs,
        #[arg(long)]
        reason: String,
    },
    Stop {
        id: i64,
        #[command(flatten)]
        who: stock::UserArgs,
        #[arg(long)]
        reason: String,
    },
    /// Allow an approved substitute for this prescription when its item is short (a pharmacist): the bedside then accepts its packs, counted at its own strength.
    Substitute {
        id: i64,
        #[command(flatten)]
        who: stock::UserArgs,
        /// The substitute's item code (on the item's approved list: `wardstock substitute list`).
        #[arg(long, value_name = "CODE")]
        item: String,
        #[arg(long)]
        reason: String,
    },
    /// Change dose or timing: a new version replaces this one and awaits validation.
    Edit {
        id: i64,
        #[command(flatten)]
        who: stock::UserArgs,
        #[command(flatten)]
        rx: RxArgs,
        #[arg(long)]
        reason: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ValidateCommand {
    /// Prescriptions awaiting validation, with their findings.
    List {
        #[arg(long, value_name = "WARD")]
        ward: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Accept a prescription (a comment is required when it has findings).
    Accept {
        id: i64,
        #[command(flatten)]
        who: stock::UserArgs,
        #[arg(long)]
        comment: Option<String>,
    },
    /// Reject a prescription, with the reason for the prescriber.
    Reject {
        id: i64,
        #[command(flatten)]
        who: stock::UserArgs,
        #[arg(long)]
        reason: String,
    },
}

#[allow(clippy::too_many_arguments)]
pub(super) fn run_prescribe(
    db: Option<PathBuf>,
    who: stock::UserArgs,
    rx: RxArgs,
    mrn: String,
    item: Option<String>,
    atc: Option<String>,
    allow: Vec<String>,
    route: String,
    indication: String,
    prescriber: String,
    start: Option<String>,
    time_critical: bool,
) -> Result<i32> {
    let mut store = open(&crate::config::resolve_db(db.clone(), false)?)?;
    let start = match start {
        Some(t) => {
            crate::domain::instant_from_text(&t).with_context(|| instant_error("--start", &t))?
        }
        None => Utc::now(),
    };
    let item = match (item, &atc) {
        (Some(i), _) => i,
        (None, Some(a)) => {
            queries::first_item_of_atc(&store.conn, a, &route, &mrn)?.with_context(|| {
                t!(
                    "cli.rx.no_atc_product",
                    atc = a,
                    route = i18n::results::route(&route)
                )
            })?
        }
        (None, None) => bail!(t!("cli.rx.give_item_or_atc")),
    };
    let base = crate::ops::rx::NewRx {
        mrn,
        item_code: item,
        generic_atc: atc,
        alternatives: allow,
        prn_min_interval_min: None,
        dose_milli: 0,
        route,
        frequency: crate::domain::schedule::Frequency::Qd,
        times: vec![],
        prn_max_per_day: None,
        start,
        end: None,
        indication,
        prescriber,
        time_critical,
    };
    if rx.dose.is_none() || rx.frequency.is_none() {
        bail!(t!("cli.rx.give_dose_frequency"));
    }
    let new = rx.patch()?.apply(base);
    let actor = stock::sign_in(&mut store, &who)?;
    let id = crate::ops::rx::prescribe(&mut store, &actor, Utc::now(), &new)?;
    if who.json {
        println!(
            "{}",
            serde_json::json!({ "id": id, "status": "awaiting_validation" })
        );
    } else {
        println!("{}", t!("cli.rx.entered", id = id));
    }
    Ok(0)
}

pub(super) fn run_rx(db: Option<PathBuf>, command: RxCommand) -> Result<i32> {
    use crate::ops::rx::{self, StatusChange};
    let mut store = open(&crate::config::resolve_db(db.clone(), false)?)?;
    let (id, who, change, reason) = match command {
        RxCommand::Substitute {
            id,
            who,
            item,
            reason,
        } => {
            drop(store);
            return super::substitutes::allow_for_rx(db, id, &item, &reason, &who);
        }
        RxCommand::Suspend { id, who, reason } => (id, who, Some(StatusChange::Suspend), reason),
        RxCommand::Resume { id, who, reason } => (id, who, Some(StatusChange::Resume), reason),
        RxCommand::Stop { id, who, reason } => (id, who, Some(StatusChange::Stop), reason),
        RxCommand::Edit {
            id,
            who,
            rx: args,
            reason,
        } => {
            let patch = args.patch()?;
            let actor = stock::sign_in(&mut store, &who)?;
            let new = rx::edit(
                &mut store,
                &actor,
                Utc::now(),
                id,
                |old| patch.apply(old),
                &reason,
            )?;
            if who.json {
                println!("{}", serde_json::json!({"id": id, "replaced_by": new}));
            } else {
                println!("{}", t!("cli.rx.replaced", id = id, new = new));
            }
            return Ok(0);
        }
    };
    let actor = stock::sign_in(&mut store, &who)?;
    let change = change.context(t!("cli.rx.no_change"))?;
    rx::change_status(&mut store, &actor, Utc::now(), id, change, &reason)?;
    if who.json {
        let status = match change {
            StatusChange::Suspend => "suspended",
            StatusChange::Resume => "active",
            StatusChange::Stop => "stopped",
        };
        println!("{}", serde_json::json!({"id": id, "status": status}));
        return Ok(0);
    }
    let done = match change {
        StatusChange::Suspend => t!("cli.rx.suspended"),
        StatusChange::Resume => t!("cli.rx.resumed"),
        StatusChange::Stop => t!("cli.rx.stopped"),
    };
    println!(
        "{}",
        t!("cli.rx.changed", id = id, done = done, reason = reason)
    );
    Ok(0)
}

pub(super) fn run_validate(db: Option<PathBuf>, command: ValidateCommand) -> Result<i32> {
    use crate::ops::rx::{self, Decision};
    let mut store = open(&crate::config::resolve_db(db.clone(), false)?)?;
    match command {
        ValidateCommand::List { ward, json } => {
            let ward = place_filter(&store, ward.as_deref())?;
            let q = rx::queue(&store.conn, ward, Utc::now())?;
            if json {
                println!("{}", serde_json::to_string_pretty(&q)?);
            } else if q.is_empty() {
                println!("{}", t!("cli.validate.empty"));
            } else {
                let mut t = Table::new();
                t.load_preset(UTF8_BORDERS_ONLY).set_header([
                    t!("cli.col.rx"),
                    t!("cli.col.waited"),
                    t!("cli.col.ward"),
                    t!("cli.col.bed"),
                    t!("cli.col.patient"),
                    t!("cli.col.mrn"),
                    t!("cli.col.drug"),
                    t!("cli.col.dose"),
                    t!("cli.col.route"),
                    t!("cli.col.frequency"),
                    t!("cli.col.indication"),
                    t!("cli.col.findings"),
                ]);
                for e in &q {
                    let findings: Vec<String> = e
                        .findings
                        .iter()
                        .map(|f| format!("! {}", f.message()))
                        .collect();
                    t.add_row([
                        e.id.to_string(),
                        t!(
                            "cli.validate.waited",
                            h = e.waited_minutes / 60,
                            m = format!("{:02}", e.waited_minutes % 60)
                        ),
                        e.ward.clone(),
                        e.bed.clone().unwrap_or_else(|| "-".into()),
                        e.patient.clone(),
                        e.mrn.clone(),
                        e.item.clone(),
                        e.dose.clone(),
                        i18n::results::route(&e.route).to_string(),
                        e.frequency.clone(),
                        e.indication.clone(),
                        findings.join("\n"),
                    ]);
                }
                println!("{t}");
            }
        }
        ValidateCommand::Accept { id, who, comment } => {
            let actor = stock::sign_in(&mut store, &who)?;
            let found = rx::validate(
                &mut store,
                &actor,
                Utc::now(),
                id,
                &Decision::Accept { comment },
            )?;
            if who.json {
                println!(
                    "{}",
                    serde_json::json!({"id": id, "decision": "accepted", "overridden": found})
                );
            } else if found.is_empty() {
                println!("{}", t!("cli.validate.accepted", id = id));
            } else {
                println!(
                    "{}",
                    t!("cli.validate.accepted_overridden", id = id, n = found.len())
                );
            }
        }
        ValidateCommand::Reject { id, who, reason } => {
            let actor = stock::sign_in(&mut store, &who)?;
            rx::validate(
                &mut store,
                &actor,
                Utc::now(),
                id,
                &Decision::Reject { reason },
            )?;
            if who.json {
                println!("{}", serde_json::json!({"id": id, "decision": "rejected"}));
            } else {
                println!("{}", t!("cli.validate.rejected", id = id));
            }
        }
    }
    Ok(0)
}

/// `wardstock site show`: the classes checked for duplicate therapy.
pub(super) fn show_duplicate_classes(s: &queries::SiteSettings) {
    let by = match (&s.duplicate_classes_set_by, &s.duplicate_classes_set_at) {
        (Some(u), Some(at)) => t!("cli.site.set_by", user = u, at = when(at)),
        _ => String::new(),
    };
    println!(
        "{}{by}",
        if s.duplicate_classes_default {
            t!(
                "cli.duplicate_classes.shown_default",
                list = s.duplicate_classes
            )
        } else {
            t!("cli.duplicate_classes.shown", list = s.duplicate_classes)
        }
    );
}

/// `wardstock site set --duplicate-classes LIST|default`: the list is
/// checked before a PIN is asked for.
pub(super) fn set_duplicate_classes(
    store: &mut Store,
    who: &stock::UserArgs,
    list: &str,
) -> Result<()> {
    use crate::domain::validation::DuplicateClasses;
    let list = Some(list.trim()).filter(|l| !l.eq_ignore_ascii_case("default"));
    if let Some(l) = list {
        DuplicateClasses::parse(l).map_err(crate::ops::rx::ClassesError::List)?;
    }
    let actor = stock::sign_in(store, who)?;
    let before = queries::duplicate_classes(&store.conn)?;
    let classes = crate::ops::rx::set_duplicate_classes(store, &actor, Utc::now(), list)?;
    if who.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "duplicate_classes": classes.text(),
                "default": list.is_none(),
                "before": before.text(),
            }))?
        );
    } else if list.is_none() {
        println!(
            "{}",
            t!("cli.duplicate_classes.set_default", list = classes.text())
        );
    } else {
        println!(
            "{}",
            t!(
                "cli.duplicate_classes.set",
                list = classes.text(),
                before = before.text()
            )
        );
    }
    Ok(())
}
