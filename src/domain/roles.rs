//! Who may do what. One table, checked by every operation.

use serde::Serialize;
use strum::{AsRefStr, Display};

use super::Role;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Display, AsRefStr)]
#[strum(serialize_all = "snake_case")]
pub enum Operation {
    Receive,
    RejectReceipt,
    RequestTransfer,
    Pick,
    Dispatch,
    /// Pick and send an emergency transfer another ward lends.
    Lend,
    ConfirmReceipt,
    Issue,
    Waste,
    Return,
    Quarantine,
    Release,
    Recall,
    LinkGtin,
    StartStocktake,
    Count,
    ApproveStocktake,
    SetLevels,
    ValidatePrescription,
    /// Enter or change a prescription on behalf of the prescriber.
    EnterPrescription,
    /// Give a dose (or record why it was not given).
    Administer,
    WardSettings,
    Order,
    Plan,
    /// Move stock between the storage locations of one place, and say
    /// where an item is kept there.
    MoveStock,
    /// The site's validation settings (the classes where two drugs at once
    /// is a duplication): the administrator, who keeps the site's settings,
    /// or a pharmacist, who owns their content.
    ValidationSettings,
    /// Read the controlled-drug register of a drug at a place.
    CdRegister,
    /// Record a cold location's temperature (on the round, or a logger's export).
    ColdReading,
    /// Decide on a lot held after a cold-chain excursion: release or dispose.
    ColdDecision,
    /// Set a cold location's range, allowed time out of range and round.
    ColdSettings,
    /// Book or cancel stock held for a scheduled case.
    Reserve,
}

/// Whether `role` may perform `op`. The administrator keeps the site's
/// reference data (barcodes, ward lists and times, stock levels) and is not
/// a clinician or a storekeeper: no prescribing, validating, giving doses
/// or moving stock.
pub fn may(role: Role, op: Operation) -> bool {
    use Operation::*;
    use Role::*;
    if role == Admin {
        return matches!(
            op,
            LinkGtin | WardSettings | SetLevels | ValidationSettings | CdRegister | ColdSettings
        );
    }
    match op {
        Receive | RejectReceipt | Pick | Dispatch => matches!(role, Storekeeper | Pharmacist),
        // The lending ward's nurses pick and send what another ward lacks.
        Lend => matches!(role, Nurse | NurseManager | Pharmacist | Storekeeper),
        // A nurse asks the pharmacy for what the ward runs short of.
        RequestTransfer => matches!(role, Nurse | NurseManager | Pharmacist | Storekeeper),
        // The ward confirms what reached it; the sender cannot sign for it.
        ConfirmReceipt => matches!(role, Nurse | NurseManager),
        Issue | Return | Count | MoveStock => {
            matches!(role, Nurse | NurseManager | Pharmacist | Storekeeper)
        }
        // A nurse disposes of a broken ampoule on the ward (a controlled
        // drug's disposal still takes a second signature).
        Waste => matches!(role, Nurse | NurseManager | Pharmacist | Storekeeper),
        StartStocktake => matches!(role, NurseManager | Pharmacist | Storekeeper),
        Quarantine => matches!(role, NurseManager | Pharmacist | Storekeeper),
        Release | Recall | ValidatePrescription => role == Pharmacist,
        EnterPrescription => matches!(role, Pharmacist | NurseManager),
        Administer => matches!(role, Nurse | NurseManager),
        LinkGtin => matches!(role, Pharmacist | Storekeeper),
        ApproveStocktake | SetLevels => matches!(role, NurseManager | Pharmacist),
        WardSettings => role == NurseManager,
        Order => matches!(role, Pharmacist | Storekeeper),
        Plan | ValidationSettings => role == Pharmacist,
        CdRegister => true,
        ColdReading => matches!(role, Nurse | NurseManager | Pharmacist | Storekeeper),
        // Whether warmed stock is still fit for use is the pharmacist's call.
        ColdDecision => role == Pharmacist,
        ColdSettings => matches!(role, NurseManager | Pharmacist),
        // The ward's or theatre's nurse manager books a case's kit; the
        // pharmacist too (drugs for the case). Using it is an issue.
        Reserve => matches!(role, NurseManager | Pharmacist),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table() {
        assert!(may(Role::Storekeeper, Operation::Receive));
        assert!(!may(Role::Nurse, Operation::Receive));
        assert!(may(Role::Pharmacist, Operation::Release));
        assert!(!may(Role::Storekeeper, Operation::Release));
        assert!(may(Role::Nurse, Operation::Waste));
        assert!(may(Role::Nurse, Operation::RequestTransfer));
        assert!(!may(Role::Nurse, Operation::StartStocktake));
        assert!(may(Role::NurseManager, Operation::ApproveStocktake));
        assert!(!may(Role::Storekeeper, Operation::ApproveStocktake));
        assert!(!may(Role::Nurse, Operation::LinkGtin));
        assert!(may(Role::Nurse, Operation::ConfirmReceipt));
        assert!(!may(Role::Storekeeper, Operation::ConfirmReceipt));
        assert!(may(Role::Admin, Operation::LinkGtin));
        assert!(may(Role::Admin, Operation::ValidationSettings));
        assert!(may(Role::Pharmacist, Operation::ValidationSettings));
        assert!(!may(Role::NurseManager, Operation::ValidationSettings));
        for op in [
            Operation::ValidatePrescription,
            Operation::EnterPrescription,
            Operation::Administer,
            Operation::Receive,
            Operation::Issue,
            Operation::Recall,
            Operation::Pick,
        ] {
            assert!(!may(Role::Admin, op), "the administrator may not {op}");
        }
    }
}
