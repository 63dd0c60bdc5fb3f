//! Signing in: PINs, the five-strike lock, and its survival across restarts.

mod common;

use chrono::Duration;
use wardstock::ops::auth::{SignInError, sign_in};
use wardstock::store::Store;

#[test]
fn five_wrong_pins_lock_the_user_for_five_minutes() {
    let (_dir, path) = common::demo_db();
    let t0 = common::anchor();
    let mut store = Store::open(&path).unwrap();
    for left in (1..5).rev() {
        match sign_in(&mut store, "nurse", "9999", t0) {
            Err(SignInError::WrongPin { left: l, .. }) => assert_eq!(l, left),
            other => panic!("expected a wrong PIN, got {other:?}"),
        }
    }
    assert!(matches!(
        sign_in(&mut store, "nurse", "9999", t0),
        Err(SignInError::Locked { user, until }) if user == "nurse" && until == t0 + Duration::minutes(5)
    ));
    // Even the right PIN is refused while locked, also after a restart.
    drop(store);
    let mut store = Store::open(&path).unwrap();
    assert!(matches!(
        sign_in(&mut store, "nurse", "1234", t0 + Duration::minutes(4)),
        Err(SignInError::Locked { .. })
    ));
    // Other users are not affected.
    assert!(sign_in(&mut store, "nurse2", "1234", t0).is_ok());
    // After five minutes the right PIN works and the count is reset.
    let actor = sign_in(
        &mut store,
        "nurse",
        "1234",
        t0 + Duration::minutes(5) + Duration::seconds(1),
    )
    .unwrap();
    assert_eq!(actor.username, "nurse");
    assert!(matches!(
        sign_in(&mut store, "nurse", "0000", t0 + Duration::minutes(6)),
        Err(SignInError::WrongPin { left: 4, .. })
    ));
}

#[test]
fn unknown_users_and_malformed_pins_get_clear_answers() {
    let (_dir, mut store) = common::open_demo();
    let e = sign_in(&mut store, "nobody", "1234", common::anchor()).unwrap_err();
    assert!(
        matches!(&e, SignInError::UnknownUser(u) if u == "nobody"),
        "{e}"
    );
    let e = sign_in(&mut store, "pharm", "12", common::anchor()).unwrap_err();
    assert!(matches!(e, SignInError::WrongPin { left: 4, .. }), "{e}");
    let pharm = sign_in(&mut store, "PHARM", "1234", common::anchor()).unwrap();
    assert_eq!(pharm.role, wardstock::domain::Role::Pharmacist);
}

#[test]
fn pins_are_stored_only_as_salted_hashes() {
    let (_dir, store) = common::open_demo();
    let hashes: Vec<String> = store
        .conn
        .prepare("SELECT pin_hash FROM users")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(hashes.len() >= 5);
    for h in &hashes {
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(!h.contains("1234"));
    }
    let unique: std::collections::HashSet<_> = hashes.iter().collect();
    assert_eq!(unique.len(), hashes.len(), "same PIN, different salts");
}

#[test]
fn wrong_pins_from_several_workstations_at_once_still_lock_the_user() {
    let (_dir, path) = common::demo_db();
    let t0 = common::anchor();
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let path = path.clone();
            std::thread::spawn(move || {
                let mut store = Store::open(&path).unwrap();
                sign_in(&mut store, "pharm", "9999", t0).unwrap_err()
            })
        })
        .collect();
    let errors: Vec<SignInError> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert!(
        errors
            .iter()
            .any(|e| matches!(e, SignInError::Locked { .. })),
        "{errors:?}"
    );
    let mut store = Store::open(&path).unwrap();
    assert!(matches!(
        sign_in(&mut store, "pharm", "1234", t0 + Duration::minutes(1)),
        Err(SignInError::Locked { .. })
    ));
}
