//! Operation forms: a few typed fields for one stock operation on one
//! item, opened from the item's lots. Scans fill the lot and expiry.

use tui_input::{Input, InputRequest};

use crate::domain::roles::Operation;
use crate::ops::stock::ItemRef;

#[derive(Debug, Clone)]
pub struct Field {
    pub label: &'static str,
    pub input: Input,
    pub hint: String,
    /// Shown as dots (PINs).
    pub secret: bool,
}

impl Field {
    fn new(label: &'static str, value: &str, hint: &'static str) -> Field {
        Field {
            label,
            input: Input::default().with_value(value.to_string()),
            hint: hint.to_string(),
            secret: false,
        }
    }

    fn secret(label: &'static str, hint: &'static str) -> Field {
        Field {
            secret: true,
            ..Field::new(label, "", hint)
        }
    }
}

#[derive(Debug, Clone)]
pub struct Form {
    pub op: Operation,
    pub item: ItemRef,
    pub place_id: i64,
    pub fields: Vec<Field>,
    pub focus: usize,
    /// The last refusal, shown in the form until the next submit.
    pub error: Option<String>,
    /// What the form is about, shown above the fields (e.g. a stocktake's counts).
    pub note: Option<String>,
    /// The prescription a validation or dose form is about.
    pub rx_id: Option<i64>,
    /// The scheduled time of the dose (a dose form; `None` for PRN).
    pub scheduled_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The item of the pack scanned into a dose form.
    pub pack_item: Option<i64>,
    /// The patient a dose form is for (the wristband must carry this MRN).
    pub patient_mrn: Option<String>,
    /// The replenishment suggestion a decision form is about.
    pub suggestion: Option<crate::ops::plan::Suggestion>,
}

impl Form {
    /// The form for `op` on `item` at a place, the lot prefilled when known.
    pub fn new(op: Operation, item: ItemRef, place_id: i64, lot: &str) -> Form {
        let fields = match op {
            Operation::Receive => vec![
                Field::new("Lot", lot, "as printed on the pack, or scan it"),
                Field::new("Expiry", "", "YYYY-MM-DD (scanning fills it)"),
                Field::new("Packs", "", "whole packs"),
                Field::new("Units", "", "loose units, besides the packs"),
                Field::new("Supplier", "", "optional"),
                Field::new(
                    "Order",
                    "",
                    "the purchase order delivered, e.g. PO-12 (optional)",
                ),
            ],
            Operation::RejectReceipt => vec![
                Field::new("Lot", lot, "as printed on the pack, or scan it"),
                Field::new("Expiry", "", "YYYY-MM-DD (scanning fills it)"),
                Field::new("Packs", "", "whole packs refused"),
                Field::new("Units", "", "loose units refused"),
                Field::new("Supplier", "", "optional"),
                Field::new("Reason", "", "required: damaged, temperature, wrong item …"),
            ],
            Operation::Issue => vec![
                Field::new("Lot", "", "empty: first-expired-first-out"),
                Field::new("Quantity", "", "units"),
                Field::new("Reason", "", "optional, e.g. dressing trolley"),
            ],
            Operation::Waste => vec![
                Field::new("Lot", lot, "the lot disposed of"),
                Field::new("Quantity", "", "units"),
                Field::new(
                    "Reason",
                    "expired",
                    "expired, damaged, contaminated or other",
                ),
                Field::new("Note", "", "optional"),
            ],
            Operation::Return => vec![
                Field::new("Lot", lot, "the lot sent back"),
                Field::new("Quantity", "", "units"),
                Field::new("Reason", "", "not needed, patient discharged, expired …"),
            ],
            Operation::RequestTransfer => {
                vec![Field::new("Quantity", "", "units wanted from the pharmacy")]
            }
            Operation::StartStocktake => vec![Field::new(
                "Items",
                "",
                "empty: every item here; or a name, code or ATC filter",
            )],
            Operation::Count => vec![
                Field::new("Lot", lot, "the lot counted (scan a pack to fill it)"),
                Field::new("Counted", "", "units found on the shelf"),
            ],
            // Approving has nothing to type: the title says what will be adjusted.
            Operation::ApproveStocktake => vec![],
            Operation::Administer => vec![
                Field::new(
                    "Wristband",
                    "",
                    "scan the wristband; else the MRN, or the birth date (YYYY-MM-DD) the patient confirms",
                ),
                Field::new(
                    "Lot",
                    "",
                    "scan the pack; empty: first-expired lot, \"not scanned\"",
                ),
                Field::new("Units", "", "units given"),
                Field::new("Route OK", "", "type yes once the route is checked"),
                Field::new(
                    "Outcome",
                    "given",
                    "given, partially_given, held, refused, not_given_supply",
                ),
                Field::new(
                    "Reason",
                    "",
                    "why held, refused, missed or partly given: a code",
                ),
                Field::new("Timing", "", "given early or late: a code, or other: …"),
                Field::new("Witness", "", "controlled drug: second user"),
                Field::secret("Witness PIN", "their PIN"),
                Field::new("Checked by", "", "high-alert drug: second user"),
                Field::secret("Check PIN", "their PIN"),
            ],
            Operation::Plan => vec![
                Field::new("Decision", "accept", "accept or reject"),
                Field::new("Qty", "", "dose units to order (whole packs)"),
                Field::new("Reason", "", "for a rejection, why"),
            ],
            Operation::ValidatePrescription => vec![
                Field::new("Decision", "accept", "accept or reject"),
                Field::new(
                    "Comment",
                    "",
                    "why findings are overridden; for a rejection, the reason",
                ),
            ],
            _ => vec![
                Field::new("Lot", lot, "the lot concerned"),
                Field::new("Reason", "", "required"),
            ],
        };
        Form {
            op,
            item,
            place_id,
            fields,
            focus: 0,
            error: None,
            note: None,
            rx_id: None,
            scheduled_at: None,
            pack_item: None,
            patient_mrn: None,
            suggestion: None,
        }
    }

    pub fn title(&self) -> String {
        match self.op {
            Operation::StartStocktake => return "Start a stocktake of this place".into(),
            Operation::ApproveStocktake => return "Approve the stocktake".into(),
            Operation::ValidatePrescription => return format!("Validate: {}", self.item.name),
            Operation::Administer => return format!("Give: {}", self.item.name),
            Operation::Plan => return format!("Suggestion: {}", self.item.name),
            _ => {}
        }
        let verb = match self.op {
            Operation::Receive => "Receive",
            Operation::RejectReceipt => "Reject at the quality check:",
            Operation::Issue => "Issue",
            Operation::Waste => "Dispose of",
            Operation::Return => "Return to the pharmacy",
            Operation::RequestTransfer => "Request from the pharmacy",
            Operation::Quarantine => "Quarantine a lot of",
            Operation::Release => "Release a lot of",
            Operation::Recall => "Recall a lot of",
            Operation::Count => "Count",
            _ => "Record",
        };
        format!("{verb} {}", self.item.name)
    }

    pub fn value(&self, label: &str) -> &str {
        self.fields
            .iter()
            .find(|f| f.label == label)
            .map_or("", |f| f.input.value().trim())
    }

    /// Moves the cursor to a field.
    pub fn focus_on(&mut self, label: &str) {
        if let Some(i) = self.fields.iter().position(|f| f.label == label) {
            self.focus = i;
        }
    }

    /// Replaces the hint under a field (e.g. the ward's reason codes).
    pub fn set_hint(&mut self, label: &str, hint: String) {
        if let Some(f) = self.fields.iter_mut().find(|f| f.label == label) {
            f.hint = hint;
        }
    }

    pub fn set(&mut self, label: &str, value: &str) {
        if let Some(f) = self.fields.iter_mut().find(|f| f.label == label) {
            f.input = Input::default().with_value(value.to_string());
        }
    }

    pub fn type_key(&mut self, req: InputRequest) {
        if let Some(f) = self.fields.get_mut(self.focus) {
            f.input.handle(req);
        }
    }

    pub fn next_field(&mut self) -> bool {
        if self.focus + 1 < self.fields.len() {
            self.focus += 1;
            true
        } else {
            false
        }
    }

    pub fn prev_field(&mut self) {
        self.focus = self.focus.saturating_sub(1);
    }

    /// The delivery line of a Receive or Reject form: lot, expiry, packs and
    /// loose units (checked, never negative), supplier.
    pub fn receive_line(&self) -> Result<crate::ops::stock::ReceiveLine, String> {
        let expiry = match self.value("Expiry") {
            "" => None,
            v => Some(
                chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
                    .map_err(|_| format!("Expiry {v:?} is not a date like 2027-06-30"))?,
            ),
        };
        let (packs, loose) = (
            self.number("Packs")?.unwrap_or(0),
            self.number("Units")?.unwrap_or(0),
        );
        if packs < 0 || loose < 0 {
            return Err("Packs and Units cannot be negative".into());
        }
        let qty = packs
            .checked_mul(self.item.units_per_pack)
            .and_then(|u| u.checked_add(loose))
            .ok_or("that quantity is far more than any delivery: check Packs and Units")?;
        Ok(crate::ops::stock::ReceiveLine {
            item: self.item.clone(),
            lot_number: self.value("Lot").to_string(),
            expiry,
            qty,
            supplier: Some(self.value("Supplier").to_string()).filter(|s| !s.is_empty()),
            order_ref: Some(self.value("Order").trim().to_ascii_uppercase())
                .filter(|s| !s.is_empty()),
        })
    }

    /// A whole number of units from a field; empty is `None`.
    pub fn number(&self, label: &str) -> Result<Option<i64>, String> {
        let v = self.value(label);
        if v.is_empty() {
            return Ok(None);
        }
        v.parse::<i64>()
            .map(Some)
            .map_err(|_| format!("{label}: {v:?} is not a whole number"))
    }
}

/// The operations offered for an item at a kind of place, in menu order.
pub fn menu(at_pharmacy: bool, counting: bool) -> Vec<Operation> {
    use Operation::*;
    let mut ops = stock_menu(at_pharmacy);
    if counting {
        ops.extend([Count, ApproveStocktake]);
    } else {
        ops.push(StartStocktake);
    }
    ops
}

fn stock_menu(at_pharmacy: bool) -> Vec<Operation> {
    use Operation::*;
    if at_pharmacy {
        vec![Receive, RejectReceipt, Waste, Quarantine, Release, Recall]
    } else {
        vec![
            Issue,
            RequestTransfer,
            Return,
            Waste,
            Quarantine,
            Release,
            Recall,
        ]
    }
}
