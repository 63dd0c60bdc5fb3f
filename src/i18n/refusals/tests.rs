use std::error::Error;

use super::*;
use crate::i18n::{Lang, set_thread_lang};

fn failure(code: std::ffi::c_int, text: &str) -> rusqlite::Error {
    rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(code), Some(text.into()))
}

#[test]
fn a_database_failure_is_said_plainly_and_keeps_its_cause() {
    set_thread_lang(Lang::En);
    let e = StockError::Store(failure(rusqlite::ffi::SQLITE_IOERR, "disk I/O error"));
    let text = e.to_string();
    assert!(text.contains("could not be read or written"), "{text}");
    assert!(!text.contains("disk I/O error"), "{text}");
    assert!(
        e.source()
            .is_some_and(|c| c.to_string().contains("disk I/O"))
    );
    let busy = DoseError::Store(failure(rusqlite::ffi::SQLITE_BUSY, "database is locked"));
    assert!(busy.to_string().contains("another workstation"), "{busy}");
    set_thread_lang(Lang::ZhCn);
    assert!(busy.to_string().contains("工作站"), "{busy}");
    assert!(!busy.to_string().contains("locked"), "{busy}");
}

#[test]
fn a_wrapped_refusal_is_typed_and_said_in_the_readers_language() {
    let e = DoseError::Reason(WardError::ReasonRequired {
        kind: crate::ops::ward::ReasonKind::Refused,
        codes: vec!["DECLINED".into(), "NAUSEA".into()],
    });
    assert!(e.source().is_some());
    set_thread_lang(Lang::En);
    assert_eq!(
        e.to_string(),
        "dose refused needs a reason: one of DECLINED, NAUSEA, or \"other: …\""
    );
    set_thread_lang(Lang::ZhCn);
    let zh = e.to_string();
    assert!(
        zh.contains("患者拒绝") && zh.contains("DECLINED, NAUSEA"),
        "{zh}"
    );
}

#[test]
fn a_refusal_names_the_role_and_operation_in_the_readers_language() {
    let e = StockError::Forbidden(Forbidden {
        user: "nurse".into(),
        role: crate::domain::Role::Nurse,
        op: crate::domain::roles::Operation::Receive,
    });
    set_thread_lang(Lang::En);
    assert_eq!(e.to_string(), "nurse (nurse) may not receive goods");
    set_thread_lang(Lang::ZhCn);
    assert_eq!(e.to_string(), "nurse 的角色是护士，无权验收入库");
}
