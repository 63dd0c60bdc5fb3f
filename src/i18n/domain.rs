//! The words for the domain's typed results: the roles and what they may do,
//! the seven rights' failures, the pharmacist's findings, the stock warnings,
//! the plan's exceptions. The domain holds the facts; the sentences are here.

use crate::domain::Role;
use crate::domain::roles::Operation;
use crate::t;

impl Role {
    /// The role as people say it, in the reader's language.
    pub fn label(self) -> &'static str {
        match self {
            Role::Nurse => t!("domain.role.nurse"),
            Role::NurseManager => t!("domain.role.nurse_manager"),
            Role::Pharmacist => t!("domain.role.pharmacist"),
            Role::Storekeeper => t!("domain.role.storekeeper"),
            Role::Admin => t!("domain.role.admin"),
        }
    }
}

impl Operation {
    /// What the operation does, as a verb phrase ("receive goods").
    pub fn label(self) -> &'static str {
        match self {
            Operation::Receive => t!("domain.op.receive"),
            Operation::RejectReceipt => t!("domain.op.reject_receipt"),
            Operation::RequestTransfer => t!("domain.op.request_transfer"),
            Operation::Pick => t!("domain.op.pick"),
            Operation::Dispatch => t!("domain.op.dispatch"),
            Operation::ConfirmReceipt => t!("domain.op.confirm_receipt"),
            Operation::Issue => t!("domain.op.issue"),
            Operation::Waste => t!("domain.op.waste"),
            Operation::Return => t!("domain.op.return"),
            Operation::Quarantine => t!("domain.op.quarantine"),
            Operation::Release => t!("domain.op.release"),
            Operation::Recall => t!("domain.op.recall"),
            Operation::LinkGtin => t!("domain.op.link_gtin"),
            Operation::StartStocktake => t!("domain.op.start_stocktake"),
            Operation::Count => t!("domain.op.count"),
            Operation::ApproveStocktake => t!("domain.op.approve_stocktake"),
            Operation::SetLevels => t!("domain.op.set_levels"),
            Operation::ValidatePrescription => t!("domain.op.validate_prescription"),
            Operation::EnterPrescription => t!("domain.op.enter_prescription"),
            Operation::Administer => t!("domain.op.administer"),
            Operation::WardSettings => t!("domain.op.ward_settings"),
            Operation::Order => t!("domain.op.order"),
            Operation::Plan => t!("domain.op.plan"),
        }
    }
}
