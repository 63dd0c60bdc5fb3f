//! `wardstock check`: the database's integrity, balances against the ledger,
//! no negative stock.

use super::*;

pub(super) fn run_check(db: Option<PathBuf>, full: bool, json: bool) -> Result<i32> {
    let path = crate::config::resolve_db(db.clone(), false)?;
    let store = open(&path)?;
    // The ledger is checked in seconds even at a hospital; the whole file
    // (SQLite's integrity check, every reference) only when asked.
    let scope = if full {
        check::Scope::Full
    } else {
        check::Scope::Ledger
    };
    let report = check::run_scope(&store.conn, scope)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else if report.ok() {
        println!(
            "{}",
            t!(
                "cli.check.ok",
                movements = i18n::num(report.movements as i64),
                balances = i18n::num(report.balances as i64)
            )
        );
        println!(
            "{}",
            match report.scope {
                check::Scope::Ledger => t!("cli.check.scope.ledger"),
                check::Scope::Full => t!("cli.check.scope.full"),
            }
        );
    } else {
        for p in &report.problems {
            println!("{p}");
        }
        eprintln!(
            "wardstock: {}",
            t!(
                "cli.check.problems",
                n = report.problems.len(),
                path = path.display()
            )
        );
    }
    Ok(if report.ok() { 0 } else { 1 })
}
