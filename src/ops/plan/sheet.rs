//! The plan sheet both faces show: the suggestions per ward and per supplier,
//! with their cover and exceptions, worst first.

use super::*;

/// A planned order as the pharmacist sees it, to accept or reject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    /// The place that receives: a ward (a delivery from the pharmacy) or the pharmacy (a purchase).
    pub place: String,
    pub item: String,
    pub qty: i64,
    pub release_bucket: i64,
    pub receipt_bucket: i64,
    pub past_due: bool,
    /// When the plan that made the suggestion was computed.
    pub planned_at: DateTime<Utc>,
}

impl Suggestion {
    /// A planned order of the plan computed at `planned_at`, to decide on.
    pub fn from_order(
        o: &crate::planning::mrp::PlannedOrder<'_>,
        planned_at: DateTime<Utc>,
    ) -> Suggestion {
        Suggestion {
            place: o.place.to_string(),
            item: o.item.to_string(),
            qty: i64::try_from(o.qty).unwrap_or(i64::MAX),
            release_bucket: o.release_bucket as i64,
            receipt_bucket: o.receipt_bucket as i64,
            past_due: o.past_due,
            planned_at,
        }
    }
}

/// The hospital's problem from the database at `now`, and its plan.
pub fn plan_now(
    conn: &Connection,
    now: DateTime<Utc>,
    opt: PlanOptions,
) -> Result<(Problem, crate::planning::mrp::Plan)> {
    let problem = build_problem(conn, now, opt)?;
    problem.validate().map_err(PlanError::Unplannable)?;
    let plan = crate::planning::mrp::plan(&problem);
    Ok((problem, plan))
}

/// What a planned order covers, summed by source: a prescription, the
/// forecast, or (for a purchase) a ward's deliveries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cover {
    pub source: String,
    pub qty: u64,
}

/// A suggestion as both faces show it: the console's plan screen and
/// `wardstock plan`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SuggestionLine {
    #[serde(flatten)]
    pub s: Suggestion,
    pub item_name: String,
    /// A purchase from a supplier (not a ward delivery).
    pub purchase: bool,
    /// The supplier of a purchase (`None`: the item has none); the pharmacy
    /// for a ward delivery.
    pub from: Option<String>,
    /// Empty: the order only keeps the safety stock.
    pub covers: Vec<Cover>,
    pub release: chrono::NaiveDate,
    pub receipt: chrono::NaiveDate,
}

/// The plan as the pharmacist reads it: the suggestions still to decide and
/// the exceptions, worst first.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PlanSheet {
    pub start: Option<NaiveDateTime>,
    pub bucket_hours: i64,
    /// Past due first, then by release day; ward deliveries before
    /// purchases on a day. A suggestion rejected in the last 24 hours is left
    /// out (the pharmacist decided on it; it returns a day later).
    pub suggestions: Vec<SuggestionLine>,
    /// How many suggestions were left out as rejected in the last 24 hours.
    pub rejected: usize,
    /// Worst first: expedite, below safety stock, expiring, cancel, defer;
    /// then by day.
    pub exceptions: Vec<crate::planning::mrp::Exception>,
}

/// How long a rejected suggestion stays out of the plan.
pub const REJECTION_HOURS: i64 = 24;

/// The (place, item) pairs whose suggestion was rejected in the last
/// [`REJECTION_HOURS`] before `now`.
pub fn recently_rejected(
    conn: &Connection,
    now: DateTime<Utc>,
) -> Result<HashSet<(String, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT p.code, i.code FROM plan_decisions d JOIN places p ON p.id = d.place_id JOIN items i ON i.id = d.item_id
         WHERE d.decision = 'rejected' AND d.at >= ?1",
    )?;
    let rows = stmt.query_map(
        [instant_to_text(now - Duration::hours(REJECTION_HOURS))],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The order in which exceptions are shown: what needs acting on first.
pub fn exception_rank(k: crate::planning::mrp::ExceptionKind) -> u8 {
    use crate::planning::mrp::ExceptionKind;
    match k {
        ExceptionKind::Expedite => 0,
        ExceptionKind::BelowSafetyStock => 1,
        ExceptionKind::ExpiringBeforeUse => 2,
        ExceptionKind::Cancel => 3,
        ExceptionKind::Defer => 4,
    }
}

/// The sheet of a plan computed at `now`: one rule for the console and the
/// command line.
pub fn sheet(
    conn: &Connection,
    now: DateTime<Utc>,
    plan: &crate::planning::mrp::Plan,
) -> Result<PlanSheet> {
    let rejected = recently_rejected(conn, now)?;
    let names: HashMap<String, String> = {
        let mut stmt = conn.prepare_cached("SELECT code, name FROM items")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let suppliers: HashMap<String, String> = {
        let mut stmt = conn.prepare_cached(
            "SELECT i.code, s.code FROM items i JOIN suppliers s ON s.id = i.supplier_id",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let day = |k: usize| plan.bucket_start(k).map(|t| t.date()).unwrap_or_default();
    let is_rejected = |o: &crate::planning::mrp::PlannedOrder<'_>| {
        rejected.contains(&(o.place.to_string(), o.item.to_string()))
    };
    let mut left_out = 0;
    let mut suggestions = Vec::new();
    for o in plan.planned_orders() {
        if is_rejected(&o) {
            left_out += 1;
            continue;
        }
        let mut covers: Vec<Cover> = Vec::new();
        for p in o.pegging.iter() {
            let source = match p.source {
                Some("planned_release") | None => p.place.to_string(),
                Some(src) => src.to_string(),
            };
            match covers.iter_mut().find(|c| c.source == source) {
                Some(c) => c.qty += p.qty,
                None => covers.push(Cover { source, qty: p.qty }),
            }
        }
        let purchase = o.place == plan.pharmacy();
        suggestions.push(SuggestionLine {
            s: Suggestion::from_order(&o, now),
            item_name: names.get(o.item).cloned().unwrap_or_default(),
            purchase,
            from: if purchase {
                suppliers.get(o.item).cloned()
            } else {
                Some(plan.pharmacy().to_string())
            },
            covers,
            release: day(o.release_bucket),
            receipt: day(o.receipt_bucket),
        });
    }
    suggestions.sort_by(|a, b| {
        (
            !a.s.past_due,
            a.s.release_bucket,
            a.purchase,
            &a.s.place,
            &a.s.item,
        )
            .cmp(&(
                !b.s.past_due,
                b.s.release_bucket,
                b.purchase,
                &b.s.place,
                &b.s.item,
            ))
    });
    let mut exceptions = plan.exceptions().to_vec();
    exceptions.sort_by_key(|e| (exception_rank(e.kind), e.bucket));
    Ok(PlanSheet {
        start: plan.bucket_start(0),
        bucket_hours: plan.bucket_hours(),
        suggestions,
        rejected: left_out,
        exceptions,
    })
}
