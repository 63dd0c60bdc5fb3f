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
    /// A purchase's preferred supplier and its alternative, with their lead times.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppliers: Option<crate::ops::suppliers::SupplierChoice>,
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
    /// Scheduled cases the plan covers only by expediting, by day.
    pub cases: Vec<crate::ops::reservations::CaseRisk>,
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
    let choices = crate::ops::suppliers::supplier_choices(conn)?;
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
            suppliers: choices.get(o.item).filter(|_| purchase).cloned(),
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
        cases: crate::ops::reservations::case_risks(plan),
    })
}

/// Which suggestions the pharmacist is looking at: typed on the plan screen
/// or given to `wardstock plan accept --filter`. Plain words must each match
/// the item (code or name), the ward or the supplier; `ward:`, `from:` and
/// `item:` match only that (several of one kind: any of them); `exc:` keeps
/// the suggestions with an exception on their place and item, of a kind
/// when one is named (`exc:expedite`, `exc:safety`, `exc:expiring`,
/// `exc:cancel`, `exc:defer`). Letter case does not matter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanFilter {
    pub words: Vec<String>,
    pub wards: Vec<String>,
    pub suppliers: Vec<String>,
    pub items: Vec<String>,
    /// `Some`: only suggestions with an exception (of these kinds; empty: any).
    pub exceptions: Option<Vec<crate::planning::mrp::ExceptionKind>>,
}

/// An exception kind named in a filter, in either language.
pub fn exception_kind_named(word: &str) -> Option<crate::planning::mrp::ExceptionKind> {
    use crate::planning::mrp::ExceptionKind as K;
    let w = word.to_lowercase();
    let named = |names: &[&str]| names.iter().any(|n| n.starts_with(w.as_str()));
    if w.is_empty() {
        return None;
    }
    if named(&["expedite", "urgent", "加急", "紧急"]) {
        Some(K::Expedite)
    } else if named(&["safety", "ss", "below", "安全库存", "低于安全库存"]) {
        Some(K::BelowSafetyStock)
    } else if named(&["expiring", "expiry", "效期", "过期", "将过期"]) {
        Some(K::ExpiringBeforeUse)
    } else if named(&["cancel", "取消"]) {
        Some(K::Cancel)
    } else if named(&["defer", "later", "推迟"]) {
        Some(K::Defer)
    } else {
        None
    }
}

impl PlanFilter {
    /// The filter a text asks for.
    pub fn parse(text: &str) -> PlanFilter {
        let mut f = PlanFilter::default();
        for raw in text.split_whitespace() {
            let word = raw.to_lowercase();
            // A full-width colon, as a Chinese keyboard types it, works too.
            let word = word.replace('：', ":");
            let (prefix, rest) = match word.split_once(':') {
                Some((p, r)) => (p.to_string(), r.to_string()),
                None => (String::new(), word.clone()),
            };
            match prefix.as_str() {
                "ward" | "to" | "病区" => push_some(&mut f.wards, rest),
                "from" | "supplier" | "sup" | "供应商" => push_some(&mut f.suppliers, rest),
                "item" | "drug" | "品种" | "药品" => push_some(&mut f.items, rest),
                "exc" | "exception" | "异常" => {
                    let kinds = f.exceptions.get_or_insert_with(Vec::new);
                    if let Some(k) = exception_kind_named(&rest) {
                        kinds.push(k);
                    }
                }
                _ => f.words.push(word),
            }
        }
        f
    }

    pub fn is_empty(&self) -> bool {
        *self == PlanFilter::default()
    }

    /// Whether a suggestion is shown: `supplier` is the supplier of a
    /// purchase, `kinds` the exceptions on its place and item.
    pub fn matches(
        &self,
        s: &Suggestion,
        item_name: &str,
        supplier: Option<&str>,
        kinds: &[crate::planning::mrp::ExceptionKind],
    ) -> bool {
        let place = s.place.to_lowercase();
        let item = s.item.to_lowercase();
        let name = item_name.to_lowercase();
        let supplier = supplier.map(str::to_lowercase).unwrap_or_default();
        let item_hit = |w: &str| item.starts_with(w) || name.contains(w);
        let any = |terms: &[String], hit: &dyn Fn(&str) -> bool| {
            terms.is_empty() || terms.iter().any(|w| hit(w))
        };
        any(&self.wards, &|w| place.contains(w))
            && any(&self.suppliers, &|w| {
                !supplier.is_empty() && supplier.contains(w)
            })
            && any(&self.items, &item_hit)
            && self
                .words
                .iter()
                .all(|w| item_hit(w) || place.contains(w.as_str()) || supplier.contains(w.as_str()))
            && match &self.exceptions {
                None => true,
                Some(want) if want.is_empty() => !kinds.is_empty(),
                Some(want) => kinds.iter().any(|k| want.contains(k)),
            }
    }

    /// Whether an exception is shown under the filter (its place and item
    /// as a suggestion's).
    pub fn matches_exception(
        &self,
        e: &crate::planning::mrp::Exception,
        item_name: &str,
        supplier: Option<&str>,
    ) -> bool {
        let s = Suggestion {
            place: e.place.clone(),
            item: e.item.clone(),
            qty: 0,
            release_bucket: 0,
            receipt_bucket: 0,
            past_due: false,
            planned_at: DateTime::<Utc>::MIN_UTC,
        };
        self.matches(&s, item_name, supplier, &[e.kind])
    }
}

fn push_some(v: &mut Vec<String>, w: String) {
    if !w.is_empty() {
        v.push(w);
    }
}

/// The exception kinds on each place and item of a plan.
pub fn exception_kinds(
    exceptions: &[crate::planning::mrp::Exception],
) -> HashMap<(String, String), Vec<crate::planning::mrp::ExceptionKind>> {
    let mut out: HashMap<(String, String), Vec<_>> = HashMap::new();
    for e in exceptions {
        out.entry((e.place.clone(), e.item.clone()))
            .or_default()
            .push(e.kind);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::planning::mrp::ExceptionKind as K;

    fn s(place: &str, item: &str) -> Suggestion {
        Suggestion {
            place: place.into(),
            item: item.into(),
            qty: 10,
            release_bucket: 0,
            receipt_bucket: 1,
            past_due: false,
            planned_at: DateTime::<Utc>::MIN_UTC,
        }
    }

    #[test]
    fn plain_words_match_item_ward_or_supplier_and_prefixes_only_theirs() {
        let ward = s("W-MED", "CEFAZ2GIV");
        let buy = s("PHARM", "PARA500T");
        let f = PlanFilter::parse("cefazolin");
        assert!(f.matches(&ward, "Cefazolin 2 g vial", None, &[]));
        assert!(!f.matches(&buy, "Paracetamol 500 mg tablet", Some("ALLIANCE"), &[]));
        let f = PlanFilter::parse("alliance");
        assert!(f.matches(&buy, "Paracetamol 500 mg tablet", Some("ALLIANCE"), &[]));
        let f = PlanFilter::parse("ward:w-med ward:w-sur");
        assert!(f.matches(&ward, "", None, &[]) && !f.matches(&buy, "", None, &[]));
        // A code is matched from its start: "500" is no paracetamol code.
        let f = PlanFilter::parse("item:500");
        assert!(!f.matches(&buy, "Paracetamol", None, &[]));
        let f = PlanFilter::parse("from:direct");
        assert!(!f.matches(&ward, "", None, &[]));
    }

    #[test]
    fn exc_keeps_suggestions_with_exceptions_of_the_kind_named() {
        let x = s("W-MED", "CEFAZ2GIV");
        assert!(!PlanFilter::parse("exc:").matches(&x, "", None, &[]));
        assert!(PlanFilter::parse("exc:").matches(&x, "", None, &[K::Defer]));
        assert!(PlanFilter::parse("exc:urgent").matches(&x, "", None, &[K::Expedite]));
        assert!(!PlanFilter::parse("exc:expedite").matches(&x, "", None, &[K::Defer]));
        assert!(PlanFilter::parse("异常：加急").matches(&x, "", None, &[K::Expedite]));
        assert!(PlanFilter::parse("").is_empty());
    }

    #[test]
    fn a_set_makes_one_order_per_ward_or_supplier_and_day() {
        let mut a = s("W-MED", "A");
        let b = s("W-MED", "B");
        let c = s("W-SUR", "A");
        let p = s("PHARM", "A");
        let (t, po) = orders_made([
            (&a, false, None),
            (&b, false, None),
            (&c, false, None),
            (&p, true, Some("ALLIANCE")),
        ]);
        assert_eq!((t, po), (2, 1));
        a.receipt_bucket = 3;
        assert_eq!(orders_made([(&a, false, None), (&b, false, None)]), (2, 0));
    }
}
