//! The pharmacist's validation: findings, decisions, attribution.

mod common;

use wardstock::domain::Role;
use wardstock::domain::validation::Finding;
use wardstock::ops::Actor;
use wardstock::ops::rx::{self, Decision, RxError};
use wardstock::store::Store;

fn actor(store: &Store, username: &str) -> Actor {
    store
        .conn
        .query_row(
            "SELECT id, username, full_name, role FROM users WHERE username = ?1",
            [username],
            |r| {
                Ok(Actor {
                    user_id: r.get(0)?,
                    username: r.get(1)?,
                    full_name: r.get(2)?,
                    role: r.get::<_, String>(3)?.parse::<Role>().unwrap(),
                })
            },
        )
        .unwrap()
}

#[test]
fn an_allergy_is_found_and_can_only_be_overridden_with_a_comment() {
    let (_dir, mut store) = common::open_demo();
    let now = common::anchor();
    let queue = rx::queue(&store.conn, None, now).unwrap();
    assert!(
        !queue.is_empty(),
        "the demo has prescriptions awaiting validation"
    );
    let entry = &queue[0];
    // The patient turns out to be allergic to the drug's class.
    let (patient, atc): (i64, String) = store
        .conn
        .query_row("SELECT r.patient_id, i.atc FROM prescriptions r JOIN items i ON i.id = r.item_id WHERE r.id = ?1", [entry.id], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    wardstock::ops::refdata::add_allergy(
        &store.conn,
        patient,
        "test class",
        Some(&atc[..4]),
        "allergy",
        Some("rash"),
    )
    .unwrap();
    let q = rx::queue(&store.conn, None, now).unwrap();
    let e = q.iter().find(|e| e.id == entry.id).unwrap();
    assert!(
        e.findings
            .iter()
            .any(|f| matches!(f, Finding::Allergy { .. })),
        "{:?}",
        e.findings
    );

    let nurse = actor(&store, "nurse");
    assert!(matches!(
        rx::validate(
            &mut store,
            &nurse,
            now,
            entry.id,
            &Decision::Accept { comment: None }
        ),
        Err(RxError::Forbidden { .. })
    ));
    let pharm = actor(&store, "pharm");
    let err = rx::validate(
        &mut store,
        &pharm,
        now,
        entry.id,
        &Decision::Accept { comment: None },
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("allergy recorded: test class"),
        "{err}"
    );
    let found = rx::validate(
        &mut store,
        &pharm,
        now,
        entry.id,
        &Decision::Accept {
            comment: Some("tolerated before under supervision".into()),
        },
    )
    .unwrap();
    assert!(!found.is_empty());
    let (status, by): (String, i64) = store
        .conn
        .query_row(
            "SELECT status, validated_by FROM prescriptions WHERE id = ?1",
            [entry.id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((status.as_str(), by), ("active", pharm.user_id));
    let (action, comment, findings): (String, String, String) = store
        .conn
        .query_row(
            "SELECT action, comment, findings FROM prescription_events WHERE prescription_id = ?1",
            [entry.id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(action, "validated");
    assert!(comment.contains("tolerated"));
    assert!(findings.contains("\"finding\":\"allergy\""), "{findings}");
    // Validated once only; history cannot be rewritten.
    assert!(matches!(
        rx::validate(
            &mut store,
            &pharm,
            now,
            entry.id,
            &Decision::Accept { comment: None }
        ),
        Err(RxError::NotAwaiting { .. })
    ));
    assert!(
        store
            .conn
            .execute("DELETE FROM prescription_events", [])
            .is_err()
    );
}

#[test]
fn a_rejection_needs_a_reason() {
    let (_dir, mut store) = common::open_demo();
    let now = common::anchor();
    let id = rx::queue(&store.conn, None, now).unwrap()[0].id;
    let pharm = actor(&store, "pharm");
    assert!(matches!(
        rx::validate(
            &mut store,
            &pharm,
            now,
            id,
            &Decision::Reject {
                reason: "  ".into()
            }
        ),
        Err(RxError::ReasonRequired)
    ));
    rx::validate(
        &mut store,
        &pharm,
        now,
        id,
        &Decision::Reject {
            reason: "duplicate of the morning prescription".into(),
        },
    )
    .unwrap();
    let status: String = store
        .conn
        .query_row(
            "SELECT status FROM prescriptions WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(status, "rejected");
    assert!(
        rx::queue(&store.conn, None, now)
            .unwrap()
            .iter()
            .all(|e| e.id != id)
    );
}
