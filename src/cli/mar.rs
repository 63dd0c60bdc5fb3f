//! Giving doses on the command line (`administer`) and the ward's
//! administration record (`mar`).

use super::*;

#[allow(clippy::too_many_arguments)]
pub(super) fn run_administer(
    db: Option<PathBuf>,
    rx: i64,
    who: stock::UserArgs,
    at: Option<String>,
    wristband: Option<String>,
    dob: Option<String>,
    scan: Option<String>,
    unable_to_scan: Option<String>,
    units: Option<i64>,
    route_confirmed: bool,
    timing_reason: Option<String>,
    outcome: String,
    reason: Option<String>,
    witness: Option<String>,
    double_check: Option<String>,
) -> Result<i32> {
    use crate::ops::mar::{self, DoseInput, Outcome};
    let mut store = open(&crate::config::resolve_db(db.clone(), false)?)?;
    let outcome: Outcome = outcome
        .parse()
        .map_err(|_| anyhow::anyhow!(t!("cli.arg.outcome")))?;
    let scheduled_at = at
        .map(|t| crate::domain::instant_from_text(&t).with_context(|| instant_error("--at", &t)))
        .transpose()?;
    // The wristband scanned: a GSRN names its patient's MRN; the site's setting says which kind.
    let wristband = match wristband {
        Some(w) => Some(crate::ops::scan::wristband_mrn(
            &store.conn,
            &w,
            crate::ops::scan::Entry::Scanned,
            stock::settings().scanner.separator,
            store.today(Utc::now()),
        )?),
        None => None,
    };
    let mut pack_name = None;
    let mut pack_expiry = None;
    let pack = match scan {
        Some(data) => {
            let pack = crate::ops::scan::read_pack(
                &store.conn,
                &data,
                stock::settings().scanner.separator,
                store.today(Utc::now()),
            )?;
            let (item, g) = (pack.item, pack.gs1);
            let lot = g.lot.context(t!("cli.scan.pack_no_lot"))?;
            pack_name = Some(item.name.clone());
            pack_expiry = g.expiry;
            Some((item.id, lot))
        }
        None => None,
    };
    // Default units: one dose of the product in hand (the scanned
    // pack's own strength), or of the prescribed product.
    let units = match units {
        Some(u) => u,
        None => {
            let item: i64 = match &pack {
                Some((item, _)) => *item,
                None => queries::prescription_item(&store.conn, rx)
                    .ok()
                    .flatten()
                    .with_context(|| t!("cli.rx.none", id = rx))?,
            };
            queries::units_for_dose(&store.conn, rx, item).unwrap_or(1)
        }
    };
    let actor = stock::sign_in(&mut store, &who)?;
    let witness = super::cd::second_user(&mut store, witness.as_deref(), "WARDSTOCK_WITNESS_PIN")?;
    let double_check =
        super::cd::second_user(&mut store, double_check.as_deref(), "WARDSTOCK_CHECK_PIN")?;
    let input = DoseInput {
        rx_id: rx,
        scheduled_at,
        outcome,
        patient_mrn: wristband,
        patient_dob: match &dob {
            Some(d) => Some(
                chrono::NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d")
                    .with_context(|| t!("cli.arg.dob", value = crate::i18n::results::quote(d)))?,
            ),
            None => None,
        },
        pack,
        pack_expiry,
        unable_to_scan,
        units,
        route_confirmed,
        timing_reason,
        reason,
        witness,
        double_check,
    };
    let r = match mar::administer(&mut store, &actor, Utc::now(), &input) {
        // The wrong drug is named: what was scanned, what is prescribed.
        Err(mar::DoseError::Rights(failures))
            if failures.contains(&crate::domain::seven_rights::Failure::Drug) =>
        {
            let prescribed_item = queries::prescription_item(&store.conn, rx)
                .ok()
                .flatten()
                .and_then(|id| crate::ops::stock::item_by_id(&store.conn, id).ok());
            // An approved substitute not yet allowed for this prescription.
            let substitute = match (&prescribed_item, &input.pack) {
                (Some(item), Some((pack_id, _))) => {
                    crate::ops::substitutes::listed_for(&store.conn, item.id, *pack_id)
                        .unwrap_or(false)
                        .then(|| crate::ops::stock::item_by_id(&store.conn, *pack_id).ok())
                        .flatten()
                }
                _ => None,
            };
            let prescribed: Option<String> = prescribed_item.as_ref().map(|i| i.name.clone());
            let words: Vec<String> = failures
                .iter()
                .map(|f| match (f, &pack_name, &prescribed) {
                    (crate::domain::seven_rights::Failure::Drug, _, Some(item))
                        if substitute.is_some() =>
                    {
                        let sub = substitute
                            .as_ref()
                            .map(|s| (s.name.as_str(), s.code.as_str()));
                        let (name, code) = sub.unwrap_or_default();
                        t!(
                            "console_resilience.bedside.substitute_not_allowed",
                            pack = name,
                            item = item,
                            rx = rx,
                            code = code
                        )
                    }
                    (crate::domain::seven_rights::Failure::Drug, Some(pack), Some(rx)) => {
                        t!("domain.rights.wrong_drug_named", pack = pack, rx = rx)
                    }
                    _ => f.message(),
                })
                .collect();
            bail!(words.join(t!("refused.dose.separator")))
        }
        r => r?,
    };
    if who.json {
        println!("{}", serde_json::to_string_pretty(&r)?);
    } else {
        println!("{}", t!("cli.mar.recorded", summary = r.summary()));
    }
    Ok(0)
}

/// The longest span one schedule (`mar --from --to`) shows.
const MAX_SCHEDULE_DAYS: i64 = 31;

pub(super) fn run_mar(
    db: Option<PathBuf>,
    ward: String,
    from: Option<String>,
    to: Option<String>,
    by_patient: bool,
    json: bool,
) -> Result<i32> {
    let mut store = open(&crate::config::resolve_db(db.clone(), false)?)?;
    let Some(ward_id) = place_filter(&store, Some(&ward))? else {
        bail!(t!("cli.mar.give_ward"))
    };
    let now = Utc::now();
    let time = |flag: &str,
                t: Option<String>,
                default: chrono::DateTime<Utc>|
     -> Result<chrono::DateTime<Utc>> {
        match t {
            Some(t) => {
                crate::domain::instant_from_text(&t).with_context(|| instant_error(flag, &t))
            }
            None => Ok(default),
        }
    };
    let (from, to) = (
        time("--from", from, now - chrono::Duration::hours(4))?,
        time("--to", to, now + chrono::Duration::hours(12))?,
    );
    if to <= from {
        bail!(t!("cli.mar.to_after_from"));
    }
    // A schedule lists each dose: a range of years would fill the memory.
    if to - from > chrono::TimeDelta::days(MAX_SCHEDULE_DAYS) {
        bail!(t!("input.range.too_long", most = MAX_SCHEDULE_DAYS));
    }
    // Doses whose window closed with nothing recorded become missed.
    // (A database that may only be read is shown as it is.)
    match crate::ops::mar::close_missed(&mut store, Some(ward_id), now) {
        Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::ReadOnly) => {}
        r => {
            r?;
        }
    }
    let (mut rows, prn) = queries::schedule(&store.conn, ward_id, from, to)?;
    if by_patient {
        rows.sort_by(|a, b| (&a.bed, &a.patient, a.at).cmp(&(&b.bed, &b.patient, b.at)));
    }
    let prn_state = prn
        .iter()
        .map(|p| queries::prn_state(&store.conn, p.id, now))
        .collect::<rusqlite::Result<Vec<_>>>()?;
    if json {
        let doses: Vec<serde_json::Value> = rows
            .iter()
            .map(|r| {
                let mut v = serde_json::to_value(r).unwrap_or_default();
                v["status"] = serde_json::to_value(r.status(now)).unwrap_or_default();
                v
            })
            .collect();
        let prn: Vec<serde_json::Value> = prn
            .iter()
            .zip(&prn_state)
            .map(|(p, st)| serde_json::json!({"prescription_id": p.id, "mrn": p.mrn, "patient": p.patient, "item": p.item,
                                              "dose": p.dose_text(), "given_24h": st.given_24h, "max_24h": st.max_24h,
                                              "last_given": st.last_given, "next_allowed": st.next_allowed}))
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(
                &serde_json::json!({"ward": ward, "from": from, "to": to, "doses": doses, "prn": prn})
            )?
        );
    } else {
        use crate::domain::schedule::DoseStatus;
        let local = |t: chrono::DateTime<Utc>| i18n::datetime_short(i18n::local(t));
        let mut t = Table::new();
        t.load_preset(UTF8_BORDERS_ONLY).set_header([
            t!("cli.col.time"),
            t!("cli.col.status"),
            t!("cli.col.bed"),
            t!("cli.col.patient"),
            t!("cli.col.drug"),
            t!("cli.col.dose"),
            t!("cli.col.route"),
            t!("cli.col.flags"),
        ]);
        for r in &rows {
            let status = match r.status(now) {
                DoseStatus::Recorded => status_word(r.outcome.as_deref().unwrap_or_default()),
                DoseStatus::Missed if r.auto_missed => t!("cli.mar.missed_auto").into(),
                s => dose_status_word(s).into(),
            };
            t.add_row([
                local(r.at),
                status,
                r.bed.clone(),
                r.patient.clone(),
                r.item.clone(),
                r.dose.clone(),
                i18n::results::route(&r.route).to_string(),
                i18n::results::flags(&r.flags),
            ]);
        }
        if !rows.is_empty() {
            println!("{t}");
        }
        if !prn.is_empty() {
            let mut t = Table::new();
            t.load_preset(UTF8_BORDERS_ONLY).set_header([
                t!("cli.col.rx"),
                t!("cli.col.bed"),
                t!("cli.col.patient"),
                t!("cli.col.drug"),
                t!("cli.col.dose"),
                t!("cli.col.route"),
                t!("cli.col.flags"),
                t!("cli.col.given_24h"),
                t!("cli.col.next_dose"),
            ]);
            for (p, st) in prn.iter().zip(&prn_state) {
                let next = match st.next_allowed {
                    Some(t) => t!("cli.mar.prn_next", time = local(t)),
                    None => t!("cli.mar.prn_now").to_string(),
                };
                t.add_row([
                    format!("PRN RX-{}", p.id),
                    p.bed.clone().unwrap_or_default(),
                    p.patient.clone(),
                    p.item.clone(),
                    p.dose_text(),
                    i18n::results::route(&p.route).to_string(),
                    [
                        (p.controlled, "CD"),
                        (p.high_alert, "HA"),
                        (p.time_critical, "TC"),
                    ]
                    .iter()
                    .filter(|(on, _)| *on)
                    .map(|(_, f)| i18n::results::flag(f))
                    .collect::<Vec<_>>()
                    .join(" "),
                    format!(
                        "{}/{}",
                        st.given_24h,
                        st.max_24h.map_or("-".to_string(), |m| m.to_string())
                    ),
                    next,
                ]);
            }
            println!("{t}");
        }
        println!(
            "{}",
            t!("cli.mar.summary", doses = rows.len(), prn = prn.len())
        );
    }
    Ok(0)
}

/// `report …`: the reports a nurse manager reads.
pub(super) fn run_report(db: Option<PathBuf>, command: ReportCommand) -> Result<i32> {
    match command {
        ReportCommand::Scanning { ward, out } => run_scanning(db, ward, out),
        ReportCommand::StockCard {
            item,
            place,
            lot,
            out,
        } => super::reports::run_stock_card(db, &item, &place, lot.as_deref(), out),
        ReportCommand::Consumption { place, by, out } => {
            super::reports::run_consumption(db, place, &by, out)
        }
        ReportCommand::StockValue { place, days, out } => {
            super::reports::run_stock_value(db, place, days, out)
        }
        ReportCommand::Variances { place, out } => super::reports::run_variances(db, place, out),
        ReportCommand::Expiry { place, days, out } => {
            super::reports::run_expiry(db, place, days, out)
        }
        ReportCommand::Suppliers { supplier, out } => {
            super::supply_reports::run_suppliers(db, supplier, out)
        }
        ReportCommand::Service { ward, out } => super::supply_reports::run_service(db, ward, out),
        ReportCommand::Compliance { ward, by, out } => {
            super::supply_reports::run_compliance(db, ward, &by, out)
        }
        ReportCommand::ColdChain { place, out } => super::reports::run_cold_chain(db, place, out),
    }
}

/// Pack scanning compliance: doses given, scanned and not, per ward and
/// nurse, with why not, against the 95 % target.
fn run_scanning(db: Option<PathBuf>, ward: Option<String>, out: ReportOut) -> Result<i32> {
    let store = open(&crate::config::resolve_db(db.clone(), false)?)?;
    let ward_id = match &ward {
        Some(w) => Some(crate::ops::ward::ward_id(&store.conn, w)?),
        None => None,
    };
    let (from_at, to_at) = super::reports::period(&store, out.from.as_deref(), out.to.as_deref())?;
    let zone = store.zone();
    let first = from_at.with_timezone(&zone).date_naive();
    let last = (to_at - chrono::TimeDelta::seconds(1))
        .with_timezone(&zone)
        .date_naive();
    let report = crate::ops::mar::scanning_report(&store.conn, ward_id, from_at, to_at)?;
    if out.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "from_day": first, "to_day": last, "report": report
            }))?
        );
        return Ok(0);
    }
    let sheets = i18n::reports::scanning(&report, first, last);
    super::sheet_out::emit(&sheets, &out, |path| {
        t!(
            "cli.scanning.written",
            n = report.lines.len(),
            path = path.display()
        )
    })?;
    Ok(0)
}
