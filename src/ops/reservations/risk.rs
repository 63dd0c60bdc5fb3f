//! Cases the plan cannot cover by their day: a planned order that should
//! have left already (an `expedite` exception) and that covers a case, at
//! the ward or, through the ward's delivery, at the pharmacy.

use serde::Serialize;

use crate::planning::mrp::{PLANNED_RELEASE, Plan};

/// A case the plan can cover only by expediting (late for its lead time).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseRisk {
    /// The case's reference (CASE-n).
    pub case: String,
    pub place: String,
    pub item: String,
    /// Units of the case behind the late order.
    pub qty: u64,
    /// The bucket the case needs them in.
    pub bucket: usize,
    /// A purchase from the supplier is late (else the ward's delivery).
    pub purchase: bool,
}

fn is_case(source: Option<&str>) -> Option<&str> {
    source.filter(|s| s.starts_with("CASE-"))
}

/// The cases behind the plan's late orders, by bucket.
pub fn case_risks(plan: &Plan) -> Vec<CaseRisk> {
    let pharmacy = plan.pharmacy().to_string();
    let mut out: Vec<CaseRisk> = Vec::new();
    let mut add = |r: CaseRisk| {
        if let Some(o) = out
            .iter_mut()
            .find(|o| o.case == r.case && o.item == r.item)
        {
            o.qty = o.qty.max(r.qty);
            o.purchase |= r.purchase;
        } else {
            out.push(r);
        }
    };
    for o in plan.planned_orders().filter(|o| o.past_due) {
        if o.place != pharmacy {
            for p in o.pegging.iter() {
                if let Some(case) = is_case(p.source) {
                    add(CaseRisk {
                        case: case.to_string(),
                        place: o.place.to_string(),
                        item: o.item.to_string(),
                        qty: p.qty,
                        bucket: p.bucket,
                        purchase: false,
                    });
                }
            }
            continue;
        }
        // A late purchase covering a ward's delivery: the cases that delivery is for.
        for p in o
            .pegging
            .iter()
            .filter(|p| p.source == Some(PLANNED_RELEASE))
        {
            for w in plan
                .orders_for(p.place, o.item)
                .filter(|w| w.release_bucket == p.bucket)
            {
                for c in w.pegging.iter() {
                    if let Some(case) = is_case(c.source) {
                        add(CaseRisk {
                            case: case.to_string(),
                            place: w.place.to_string(),
                            item: w.item.to_string(),
                            qty: c.qty.min(p.qty),
                            bucket: c.bucket,
                            purchase: true,
                        });
                    }
                }
            }
        }
    }
    out.sort_by(|a, b| (a.bucket, &a.case, &a.item).cmp(&(b.bucket, &b.case, &b.item)));
    out
}
