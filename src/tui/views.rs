//! View data: what each screen draws, loaded from the store after sign-in,
//! on a tab or place change and after each operation. Drawing reads only
//! these structs, never the database.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};

use crate::domain::alerts::{Alert, AlertConfig, Severity};
use crate::store::queries::{
    self, LotLine, MovementLine, PatientLine, Place, PrescriptionLine, StockLine,
};

/// The worst warning of an item, for the mark in stock lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    pub severity: Severity,
    pub text: String,
}

fn worst_marks(list: &[Alert]) -> HashMap<i64, Mark> {
    let mut marks: HashMap<i64, Mark> = HashMap::new();
    // `list` is sorted worst first, so the first alert per item wins.
    for a in list {
        marks.entry(a.item_id).or_insert_with(|| Mark {
            severity: a.severity,
            text: crate::tui::words::mark(&a.kind),
        });
    }
    marks
}

#[derive(Debug, Clone, Default)]
pub struct StockView {
    pub place_id: i64,
    /// The stocktake open at this place, if any.
    pub stocktake: Option<crate::ops::stock::Stocktake>,
    pub lines: Vec<StockLine>,
    /// Lower-case "code name generic atc" per line, for filtering.
    pub haystack: Vec<String>,
    pub marks: HashMap<i64, Mark>,
}

impl StockView {
    pub fn load(
        conn: &rusqlite::Connection,
        place_id: i64,
        now: DateTime<Utc>,
        cfg: &AlertConfig,
    ) -> rusqlite::Result<StockView> {
        let today = now.with_timezone(&queries::site_zone(conn)?).date_naive();
        let lines = queries::stock_lines(conn, place_id, today)?;
        let list = queries::alerts(conn, Some(place_id), today, cfg)?;
        let haystack = lines
            .iter()
            .map(|l| {
                format!(
                    "{} {} {} {}",
                    l.code,
                    l.name,
                    l.generic_name,
                    l.atc.as_deref().unwrap_or("")
                )
                .to_lowercase()
            })
            .collect();
        let stocktake = crate::ops::stock::open_stocktake(conn, place_id)
            .ok()
            .flatten();
        Ok(StockView {
            place_id,
            stocktake,
            lines,
            haystack,
            marks: worst_marks(&list),
        })
    }

    /// Indices of the lines matching every word of the filter.
    pub fn filter(&self, text: &str) -> Vec<usize> {
        let words: Vec<String> = text.split_whitespace().map(str::to_lowercase).collect();
        (0..self.lines.len())
            .filter(|&i| words.iter().all(|w| self.haystack[i].contains(w.as_str())))
            .collect()
    }
}

#[derive(Debug, Clone, Default)]
pub struct DetailView {
    pub line: Option<StockLine>,
    pub lots: Vec<LotLine>,
    pub movements: Vec<MovementLine>,
}

impl DetailView {
    pub fn load(
        conn: &rusqlite::Connection,
        place_id: i64,
        line: &StockLine,
    ) -> rusqlite::Result<DetailView> {
        Ok(DetailView {
            line: Some(line.clone()),
            lots: queries::item_lots(conn, place_id, line.item_id)?,
            movements: queries::item_movements(conn, place_id, line.item_id, 200)?,
        })
    }
}

#[derive(Debug, Clone, Default)]
pub struct RxView {
    pub lines: Vec<PrescriptionLine>,
    pub patients: Vec<PatientLine>,
    /// The pharmacist's findings on the prescriptions awaiting validation.
    pub findings: HashMap<i64, Vec<crate::domain::validation::Finding>>,
    /// How long each prescription awaiting validation has waited, minutes.
    pub waited: HashMap<i64, i64>,
    /// The hospital-wide validation queue (shown at the pharmacy), not one ward.
    pub all_wards: bool,
}

impl RxView {
    pub fn load(
        conn: &rusqlite::Connection,
        ward_id: i64,
        now: DateTime<Utc>,
    ) -> rusqlite::Result<RxView> {
        let queue = crate::ops::rx::queue(conn, Some(ward_id), now).map_err(|e| match e {
            crate::ops::rx::RxError::Store(e) => e,
            other => rusqlite::Error::ToSqlConversionFailure(other.to_string().into()),
        })?;
        let waited = queue.iter().map(|q| (q.id, q.waited_minutes)).collect();
        let findings = queue.into_iter().map(|q| (q.id, q.findings)).collect();
        Ok(RxView {
            lines: queries::prescriptions_for_ward(conn, ward_id)?,
            patients: queries::patients_for_ward(conn, ward_id)?,
            findings,
            waited,
            all_wards: false,
        })
    }

    /// Every ward's prescriptions awaiting validation, the longest waiting
    /// first; the bed column carries the ward.
    pub fn load_queue(
        conn: &rusqlite::Connection,
        wards: &[Place],
        now: DateTime<Utc>,
    ) -> rusqlite::Result<RxView> {
        let mut view = RxView {
            all_wards: true,
            ..RxView::default()
        };
        for w in wards
            .iter()
            .filter(|p| p.kind == crate::domain::PlaceKind::Ward)
        {
            let part = RxView::load(conn, w.id, now)?;
            view.lines.extend(
                part.lines
                    .into_iter()
                    .filter(|l| l.status == "awaiting_validation")
                    .map(|mut l| {
                        l.bed = Some(format!("{} {}", w.code, l.bed.unwrap_or_default()));
                        l
                    }),
            );
            view.patients.extend(part.patients);
            view.findings.extend(part.findings);
            view.waited.extend(part.waited);
        }
        // Longest wait first, as `wardstock validate list`.
        let waited = &view.waited;
        view.lines.sort_by_key(|l| {
            (
                std::cmp::Reverse(waited.get(&l.id).copied().unwrap_or(0)),
                l.id,
            )
        });
        Ok(view)
    }

    pub fn allergies(&self, patient_id: i64) -> &str {
        self.patients
            .iter()
            .find(|p| p.id == patient_id)
            .map_or("", |p| p.allergies.as_str())
    }
}

pub use crate::store::queries::DoseRow;

#[derive(Debug, Clone, Default)]
pub struct MarView {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub rows: Vec<DoseRow>,
    /// PRN prescriptions that may be given when needed.
    pub prn: Vec<PrescriptionLine>,
    /// What the PRN limits allow now, one per `prn` line.
    pub prn_state: Vec<queries::PrnState>,
    /// The list as shown: scheduled doses and PRN lines, by time or by patient.
    pub slots: Vec<Slot>,
    pub by_patient: bool,
}

/// One line of the administration list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    Dose(usize),
    Prn(usize),
}

pub fn dose_text(l: &PrescriptionLine) -> String {
    l.dose_text()
}

impl MarView {
    /// Doses of the ward from 4 h before `now` to 12 h after.
    pub fn load(
        conn: &rusqlite::Connection,
        ward_id: i64,
        now: DateTime<Utc>,
        by_patient: bool,
    ) -> rusqlite::Result<MarView> {
        let (from, to) = (now - Duration::hours(4), now + Duration::hours(12));
        let (rows, prn) = queries::schedule(conn, ward_id, from, to)?;
        let prn_state = prn
            .iter()
            .map(|l| queries::prn_state(conn, l.id, now))
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut view = MarView {
            from: Some(from),
            to: Some(to),
            rows,
            prn,
            prn_state,
            slots: vec![],
            by_patient,
        };
        view.arrange();
        Ok(view)
    }

    /// Orders the list: by time (PRN lines last), or by patient (bed, then
    /// each patient's doses by time and their PRN lines).
    pub fn arrange(&mut self) {
        let doses = (0..self.rows.len()).map(Slot::Dose);
        let prn = (0..self.prn.len()).map(Slot::Prn);
        let mut slots: Vec<Slot> = doses.chain(prn).collect();
        if self.by_patient {
            let key = |s: &Slot| match *s {
                Slot::Dose(i) => {
                    let r = &self.rows[i];
                    (r.bed.clone(), r.patient.clone(), 0, Some(r.at))
                }
                Slot::Prn(i) => {
                    let l = &self.prn[i];
                    (
                        l.bed.clone().unwrap_or_default(),
                        l.patient.clone(),
                        1,
                        None,
                    )
                }
            };
            slots.sort_by_key(key);
        }
        self.slots = slots;
    }

    /// The patient (MRN) of a list line.
    pub fn mrn(&self, slot: Slot) -> &str {
        match slot {
            Slot::Dose(i) => &self.rows[i].mrn,
            Slot::Prn(i) => &self.prn[i].mrn,
        }
    }
}

/// A ward item below its safety stock, for the pharmacy's attention.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WardNeed {
    pub ward: String,
    pub code: String,
    pub name: String,
    pub usable: i64,
    pub safety_stock: i64,
    pub severity: Severity,
}

#[derive(Debug, Clone, Default)]
pub struct PharmacyView {
    /// Transfer orders: open and in transit first, then the latest received.
    pub orders: Vec<crate::ops::stock::TransferSummary>,
    /// Items with stock in the central pharmacy.
    pub items: i64,
    /// Warnings of the pharmacy's own stock.
    pub critical: usize,
    pub high: usize,
    pub needs: Vec<WardNeed>,
}

pub use crate::store::queries::AlertRow;

#[derive(Debug, Clone, Default)]
pub struct AlertsView {
    pub rows: Vec<AlertRow>,
    /// Lower-case "place, its name, item code, item name, lot, kind" per
    /// row (the kind in every language), for filtering as one types.
    pub haystack: Vec<String>,
}

/// The kinds of warning in the order their totals are shown.
pub const ALERT_KINDS: usize = 13;

/// The place of a kind of warning among [`ALERT_KINDS`].
pub fn kind_index(k: &crate::domain::alerts::AlertKind) -> usize {
    use crate::domain::alerts::AlertKind as K;
    match k {
        K::Recalled => 0,
        K::Expired => 1,
        K::Quarantined => 2,
        K::OutOfStock => 3,
        K::BelowSafetyStock => 4,
        K::Expiring { .. } => 5,
        K::ExpiryWaste { .. } => 6,
        K::Attention => 7,
        K::AboveMaximum => 8,
        K::ColdHeld { .. } => 9,
        K::DemandSurge { .. } => 10,
        K::SupplierRisk { .. } => 11,
        K::SingleSupplier => 12,
    }
}

/// `text` lower-cased, added to `to`.
fn push_lower(to: &mut String, text: &str) {
    if text.is_ascii() {
        to.extend(text.chars().map(|c| c.to_ascii_lowercase()));
    } else {
        to.push_str(&text.to_lowercase());
    }
}

/// Text lower-cased as filtering compares it.
fn lower(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_lower(&mut out, text);
    out
}

/// The name of a kind of warning (by its [`kind_index`]) in language `l`.
pub fn kind_name_in(l: crate::i18n::Lang, kind: usize) -> &'static str {
    use crate::i18n::text_in;
    match kind {
        0 => text_in(l, "tables.alerts.kind.recalled"),
        1 => text_in(l, "tables.alerts.kind.expired"),
        2 => text_in(l, "tables.alerts.kind.quarantined"),
        3 => text_in(l, "tables.alerts.kind.out"),
        4 => text_in(l, "tables.alerts.kind.low"),
        5 => text_in(l, "tables.alerts.kind.expiring"),
        6 => text_in(l, "tables.alerts.kind.waste"),
        7 => text_in(l, "tables.alerts.kind.attention"),
        8 => text_in(l, "tables.alerts.kind.over_max"),
        9 => text_in(l, "cold.alert.kind"),
        k => crate::i18n::early::kind_name_in(l, k),
    }
}

impl AlertsView {
    /// The rows with what filtering reads, lower-cased once: a row's place,
    /// item and lot, its kind in every language, and its mark.
    pub fn new(rows: Vec<AlertRow>, places: &[Place]) -> AlertsView {
        // What many rows share is made once: each place's name, each
        // item's words, each kind's names.
        let names: HashMap<i64, String> = places.iter().map(|p| (p.id, lower(&p.name))).collect();
        let kinds: Vec<String> = (0..ALERT_KINDS)
            .map(|k| {
                let words: Vec<&str> = crate::i18n::Lang::ALL
                    .iter()
                    .map(|&l| kind_name_in(l, k))
                    .collect();
                lower(&words.join(" "))
            })
            .collect();
        let mut items: HashMap<(&str, &str), String> = HashMap::new();
        let haystack = rows
            .iter()
            .map(|r| {
                let item = items
                    .entry((r.item.as_str(), r.item_name.as_str()))
                    .or_insert_with(|| {
                        lower(&format!(
                            "{} {} {}",
                            r.item,
                            crate::tui::words::strength(&r.item_name),
                            r.item_name
                        ))
                    });
                let mark = crate::tui::words::mark(&r.alert.kind);
                let kind = kinds
                    .get(kind_index(&r.alert.kind))
                    .map_or("", String::as_str);
                let name = names.get(&r.alert.place_id).map_or("", String::as_str);
                let lot = r.lot.as_deref().unwrap_or("");
                let mut h = String::with_capacity(
                    r.place.len()
                        + name.len()
                        + item.len()
                        + lot.len()
                        + kind.len()
                        + mark.len()
                        + 5,
                );
                push_lower(&mut h, &r.place);
                for part in [name, item.as_str()] {
                    h.push(' ');
                    h.push_str(part);
                }
                h.push(' ');
                push_lower(&mut h, lot);
                h.push(' ');
                h.push_str(kind);
                h.push(' ');
                push_lower(&mut h, &mark);
                h
            })
            .collect();
        AlertsView { rows, haystack }
    }

    /// Indices of the rows matching every word of the filter.
    pub fn filter(&self, text: &str) -> Vec<usize> {
        let words: Vec<String> = text.split_whitespace().map(str::to_lowercase).collect();
        if words.is_empty() {
            return (0..self.rows.len()).collect();
        }
        (0..self.rows.len())
            .filter(|&i| {
                let h = self.haystack.get(i).map_or("", String::as_str);
                words.iter().all(|w| h.contains(w.as_str()))
            })
            .collect()
    }
}

/// Alerts of every place, with names; also feeds the pharmacy's ward needs.
pub fn load_alerts(
    conn: &rusqlite::Connection,
    now: DateTime<Utc>,
    cfg: &AlertConfig,
) -> rusqlite::Result<AlertsView> {
    let today = now.with_timezone(&queries::site_zone(conn)?).date_naive();
    Ok(AlertsView::new(
        queries::alert_rows(conn, None, today, cfg)?,
        &queries::places(conn)?,
    ))
}

pub fn ward_needs(alerts: &AlertsView, places: &[Place]) -> Vec<WardNeed> {
    use crate::domain::alerts::AlertKind;
    alerts
        .rows
        .iter()
        .filter(|r| {
            matches!(
                r.alert.kind,
                AlertKind::OutOfStock | AlertKind::BelowSafetyStock
            )
        })
        .filter(|r| {
            places
                .iter()
                .any(|p| p.id == r.alert.place_id && p.kind == crate::domain::PlaceKind::Ward)
        })
        .map(|r| WardNeed {
            ward: r.place.clone(),
            code: r.item.clone(),
            name: r.item_name.clone(),
            usable: r.alert.qty,
            safety_stock: r.alert.safety_stock,
            severity: r.alert.severity,
        })
        .collect()
}

/// One replenishment suggestion on the plan screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuggestionRow {
    pub s: crate::ops::plan::Suggestion,
    pub item_name: String,
    /// The supplier of a pharmacy order; the pharmacy for a ward delivery.
    pub from: String,
    /// The item's supplier code, for a purchase (`None`: a ward delivery,
    /// or the item has no supplier).
    pub supplier: Option<String>,
    /// A purchase from a supplier (not a ward delivery).
    pub purchase: bool,
    /// What the order covers: its requirements, summarised.
    pub covers: String,
    /// A purchase's preferred supplier and alternative, in words.
    pub suppliers: Option<String>,
    pub release: chrono::NaiveDate,
    pub receipt: chrono::NaiveDate,
}

/// Projected stock of one place and item over the horizon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Curve {
    /// End-of-bucket usable stock (u32 keeps a hospital-wide plan small).
    pub on_hand: Vec<u32>,
    pub safety_stock: i64,
}

/// The replenishment plan of the whole hospital, as the Pharmacy tab shows it.
#[derive(Debug, Clone, Default)]
pub struct PlanView {
    pub start: Option<chrono::NaiveDateTime>,
    pub bucket_hours: i64,
    /// Past due first, then by release; ward deliveries before purchases on a day.
    pub rows: Vec<SuggestionRow>,
    /// Worst first: expedite, below safety stock, expiring, cancel, defer.
    pub exceptions: Vec<crate::planning::mrp::Exception>,
    /// Each exception's item name and supplier, in the same order.
    pub exception_items: Vec<(String, Option<String>)>,
    pub curves: HashMap<(String, String), Curve>,
    /// Time to build and plan, for the status line.
    pub millis: u128,
    /// Suggestions left out because they were rejected in the last day.
    pub rejected: usize,
    /// The approved substitutes the shortage lines name.
    pub substitutes: crate::tui::tabs::plan_substitutes::PlanSubstitutes,
}

impl PlanView {
    pub fn load(
        conn: &rusqlite::Connection,
        now: DateTime<Utc>,
        opt: crate::ops::plan::PlanOptions,
    ) -> Result<PlanView, String> {
        let started = std::time::Instant::now();
        let (problem, plan) =
            crate::ops::plan::plan_now(conn, now, opt).map_err(|e| e.to_string())?;
        let ss: HashMap<(&str, &str), i64> = problem
            .policies
            .iter()
            .map(|p| ((p.place.as_str(), p.item.as_str()), p.safety_stock))
            .collect();
        // One rule for the console and `wardstock plan`: the same
        // suggestions (rejected ones left out for a day), the same order.
        let sheet = crate::ops::plan::sheet(conn, now, &plan).map_err(|e| e.to_string())?;
        let rows: Vec<SuggestionRow> = sheet
            .suggestions
            .into_iter()
            .map(|l| {
                let pegs: Vec<String> = l
                    .covers
                    .iter()
                    .take(3)
                    .map(|c| format!("{} {}", c.qty, crate::tui::words::cover_source(&c.source)))
                    .collect();
                let more = l.covers.len().saturating_sub(3);
                let covers = if pegs.is_empty() {
                    crate::t!("tui.plan.safety_stock").to_string()
                } else if more > 0 {
                    format!("{} +{more}", pegs.join(", "))
                } else {
                    pegs.join(", ")
                };
                SuggestionRow {
                    s: l.s,
                    item_name: l.item_name,
                    supplier: l.from.clone().filter(|_| l.purchase),
                    from: l
                        .from
                        .unwrap_or_else(|| crate::t!("tui.plan.no_supplier").into()),
                    purchase: l.purchase,
                    covers,
                    suppliers: l.suppliers.as_ref().map(crate::i18n::early::choice_text),
                    release: l.release,
                    receipt: l.receipt,
                }
            })
            .collect();
        let exceptions = sheet.exceptions;
        let items = queries::item_names_and_suppliers(conn).map_err(|e| e.to_string())?;
        let exception_items = exceptions
            .iter()
            .map(|e| items.get(&e.item).cloned().unwrap_or_default())
            .collect();
        let rejected_count = sheet.rejected;
        let substitutes =
            crate::tui::tabs::plan_substitutes::PlanSubstitutes::load(conn, &problem, &exceptions)?;
        let curves = plan
            .records()
            .map(|r| {
                (
                    (r.place.to_string(), r.item.to_string()),
                    Curve {
                        on_hand: r
                            .projected_on_hand
                            .iter()
                            .map(|v| u32::try_from(*v).unwrap_or(u32::MAX))
                            .collect(),
                        safety_stock: ss.get(&(r.place, r.item)).copied().unwrap_or(0),
                    },
                )
            })
            .collect();
        Ok(PlanView {
            start: plan.bucket_start(0),
            bucket_hours: plan.bucket_hours(),
            rows,
            exceptions,
            exception_items,
            curves,
            millis: started.elapsed().as_millis(),
            rejected: rejected_count,
            substitutes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::alerts::{Alert, AlertKind, Severity};

    /// What filtering reads is the row's words lower-cased as one text,
    /// whatever the script: made once per place, item and kind, it must
    /// still be exactly that.
    #[test]
    fn what_filtering_reads_is_each_rows_words_lower_cased() {
        let place = |id: i64, code: &str, name: &str| Place {
            id,
            code: code.into(),
            name: name.into(),
            kind: crate::domain::PlaceKind::Ward,
            transport_minutes: 5,
        };
        let places = [
            place(1, "W-MED", "Medical Ward"),
            place(2, "内科", "内科病房 ΣΟΦΙΑΣ"),
        ];
        let row =
            |place_id: i64, code: &str, item: &str, name: &str, lot: Option<&str>, kind| AlertRow {
                alert: Alert {
                    severity: Severity::High,
                    kind,
                    place_id,
                    item_id: 7,
                    lot_id: None,
                    qty: 3,
                    value_cents: 0,
                    safety_stock: 10,
                    max_stock: 0,
                },
                place: code.into(),
                item: item.into(),
                item_name: name.into(),
                dose_unit: "tablet".into(),
                lot: lot.map(Into::into),
                expiry: None,
                message: String::new(),
            };
        let rows = vec![
            row(
                1,
                "W-MED",
                "PARA1G",
                "Paracetamol 1 g tablet",
                Some("LOT-A1"),
                AlertKind::OutOfStock,
            ),
            row(
                2,
                "内科",
                "FENT",
                "Fentanyl 50 microgram/ml ΣΑΣ",
                None,
                AlertKind::ExpiryWaste {
                    units: 589,
                    days_left: 12,
                },
            ),
            row(
                2,
                "内科",
                "PARA1G",
                "Paracetamol 1 g tablet",
                Some("ΑΣ-9"),
                AlertKind::Expired,
            ),
            row(9, "GONE", "X", "Ünknown", None, AlertKind::BelowSafetyStock),
        ];
        let view = AlertsView::new(rows.clone(), &places);
        for (r, h) in rows.iter().zip(&view.haystack) {
            let name = places
                .iter()
                .find(|p| p.id == r.alert.place_id)
                .map_or("", |p| p.name.as_str());
            let mut expected = format!(
                "{} {} {} {} {} {}",
                r.place,
                name,
                r.item,
                crate::tui::words::strength(&r.item_name),
                r.item_name,
                r.lot.as_deref().unwrap_or("")
            );
            for l in crate::i18n::Lang::ALL {
                expected.push(' ');
                expected.push_str(kind_name_in(l, kind_index(&r.alert.kind)));
            }
            expected.push(' ');
            expected.push_str(&crate::tui::words::mark(&r.alert.kind));
            assert_eq!(h, &expected.to_lowercase());
        }
        assert_eq!(view.filter("σοφιας").len(), 2, "a name read in any script");
        assert_eq!(view.filter("μg fent").len(), 1);
        assert_eq!(view.filter("w-med para1g").len(), 1);
    }
}
