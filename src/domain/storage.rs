//! Where a medicine may be kept: a cold item in a fridge or cold room, a
//! frozen one in a freezer, a controlled drug in the controlled-drug safe
//! (a cold controlled drug in the safe or a fridge).

use serde::Serialize;

use super::StorageClass;

/// What a storage location lacks for an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Needs {
    /// A fridge or cold room (2–8 °C).
    Cold,
    /// A freezer.
    Frozen,
    /// The controlled-drug safe.
    Safe,
}

/// Whether an item of `storage` (and `controlled`) may be kept at a
/// location of `kind` (`fridge`, `cd_safe`, …); what it needs if not.
pub fn fits(storage: StorageClass, controlled: bool, kind: &str) -> Result<(), Needs> {
    let cold = matches!(kind, "fridge" | "cold_room");
    match (storage, controlled) {
        (StorageClass::Frozen, _) if kind != "freezer" => Err(Needs::Frozen),
        (StorageClass::Cold, true) if !(cold || kind == "cd_safe") => Err(Needs::Safe),
        (StorageClass::Cold, false) if !cold => Err(Needs::Cold),
        (StorageClass::Room, true) if kind != "cd_safe" => Err(Needs::Safe),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_item_has_its_places() {
        use StorageClass::*;
        assert_eq!(fits(Cold, false, "fridge"), Ok(()));
        assert_eq!(fits(Cold, false, "cold_room"), Ok(()));
        assert_eq!(fits(Cold, false, "shelf"), Err(Needs::Cold));
        assert_eq!(fits(Cold, false, "trolley"), Err(Needs::Cold));
        assert_eq!(fits(Frozen, false, "fridge"), Err(Needs::Frozen));
        assert_eq!(fits(Frozen, false, "freezer"), Ok(()));
        assert_eq!(fits(Room, true, "trolley"), Err(Needs::Safe));
        assert_eq!(fits(Room, true, "cd_safe"), Ok(()));
        assert_eq!(fits(Cold, true, "fridge"), Ok(()));
        assert_eq!(fits(Cold, true, "shelf"), Err(Needs::Safe));
        assert_eq!(fits(Room, false, "shelf"), Ok(()));
        assert_eq!(fits(Room, false, "fridge"), Ok(()));
    }
}
