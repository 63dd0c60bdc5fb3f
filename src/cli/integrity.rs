//! `wardstock check`: the database's integrity, balances against the ledger,
//! no negative stock.

use super::*;

pub(super) fn run_check(db: Option<PathBuf>, json: bool) -> Result<i32> {
    let path = crate::config::resolve_db(db.clone(), false)?;
    let store = open(&path)?;
    let report = check::run(&store.conn)?;
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
