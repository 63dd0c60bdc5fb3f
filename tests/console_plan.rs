//! The pharmacist's replenishment plan (F10 on the Pharmacy tab) at 80×24:
//! filtered as one types, a whole filtered set accepted in one operation
//! after a typed yes, exceptions in a pharmacist's words, and the result of
//! a decision kept on the message line through the replan.

mod common;

use std::collections::BTreeSet;

use common::console::Console;
use crossterm::event::KeyCode;
use wardstock::i18n::Lang;

/// The pharmacist's plan, at 80×24.
fn plan(lang: Lang) -> Console {
    let mut c = Console::in_lang(80, 24, Some(lang));
    c.sign_in("pharm");
    c.key(KeyCode::Char('4')).key(KeyCode::F(10));
    assert!(c.app.tabs.pharmacy.plan().is_some(), "the plan");
    c
}

/// (place, item) of the suggestions the plan screen shows.
fn shown(c: &Console) -> Vec<(String, String)> {
    let screen = c.app.tabs.pharmacy.plan_screen().expect("the plan screen");
    screen
        .shown_rows()
        .map(|r| (r.s.place.clone(), r.s.item.clone()))
        .collect()
}

fn accepted(c: &Console) -> BTreeSet<(String, String)> {
    let mut stmt = c
        .app
        .store()
        .conn
        .prepare(
            "SELECT p.code, i.code FROM plan_decisions d JOIN places p ON p.id = d.place_id
             JOIN items i ON i.id = d.item_id WHERE d.decision = 'accepted'",
        )
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn typing_a_ward_narrows_the_suggestions_to_that_ward_and_esc_shows_them_all_again() {
    let mut c = plan(Lang::En);
    let all = shown(&c);
    assert!(all.iter().any(|(p, _)| p != "W-MED"));
    c.typed("w-med");
    let med = shown(&c);
    assert!(!med.is_empty() && med.len() < all.len(), "{med:?}");
    assert!(med.iter().all(|(p, _)| p == "W-MED"), "{med:?}");
    let s = c.screen();
    assert!(s.contains("Filter: w-med"), "{s}");
    assert!(
        s.contains(&format!("{} of {} shown", med.len(), all.len())),
        "{s}"
    );
    // A supplier, then an item's name word: each narrows what is shown.
    c.key(KeyCode::Esc);
    assert_eq!(shown(&c).len(), all.len());
    c.typed("from:alliance");
    let alliance = shown(&c);
    assert!(!alliance.is_empty() && alliance.iter().all(|(p, _)| p == "PHARM"));
    c.key(KeyCode::Esc).typed("cefazolin");
    let cefazolin = shown(&c);
    assert!(!cefazolin.is_empty() && cefazolin.iter().all(|(_, i)| i == "CEFAZ2GIV"));
    // Esc clears the filter, and Esc again goes back to the orders.
    c.key(KeyCode::Esc);
    assert_eq!(shown(&c).len(), all.len());
    c.key(KeyCode::Esc);
    assert!(!c.app.tabs.pharmacy.is_plan());
}

#[test]
fn exc_shows_only_the_suggestions_with_an_exception_of_the_kind_named() {
    let mut c = plan(Lang::En);
    let all = shown(&c);
    c.typed("exc:expedite");
    let urgent = shown(&c);
    assert!(!urgent.is_empty() && urgent.len() < all.len());
    let plan = c.app.tabs.pharmacy.plan().unwrap().clone();
    for (p, i) in &urgent {
        assert!(
            plan.exceptions.iter().any(|e| &e.place == p
                && &e.item == i
                && e.kind == wardstock::planning::mrp::ExceptionKind::Expedite),
            "{p} {i}"
        );
    }
    let s = c.screen();
    assert!(s.contains("EXPEDITE") && !s.contains("defer "), "{s}");
}

#[test]
fn accepting_the_filtered_set_accepts_exactly_those_suggestions_after_a_typed_yes() {
    let mut c = plan(Lang::En);
    c.typed("W-SUR");
    let rows = shown(&c);
    let want: BTreeSet<(String, String)> = rows.iter().cloned().collect();
    assert!(want.len() > 3 && want.iter().all(|(p, _)| p == "W-SUR"));
    let units: i64 = c
        .app
        .tabs
        .pharmacy
        .plan_screen()
        .unwrap()
        .shown_rows()
        .map(|r| r.s.qty)
        .sum();
    let orders_before = c.count("SELECT count(*) FROM transfer_orders");
    let last_order = c.count("SELECT COALESCE(max(id), 0) FROM transfer_orders");
    let pos_before = c.count("SELECT count(*) FROM purchase_orders");
    c.key(KeyCode::F(8));
    let s = c.screen();
    assert!(
        s.contains(&format!("Accept all {} suggestion(s) shown?", rows.len())),
        "{s}"
    );
    assert!(
        s.contains("order(s) to the wards and 0 purchase order(s)"),
        "{s}"
    );
    // Anything but yes accepts nothing.
    c.typed("no").key(KeyCode::Enter);
    assert!(c.screen().contains("Nothing accepted yet"));
    assert!(accepted(&c).is_empty());
    c.typed("yes").key(KeyCode::Enter);
    assert_eq!(accepted(&c), want, "exactly the suggestions shown");
    assert_eq!(
        c.count("SELECT count(*) FROM plan_decisions WHERE decision = 'accepted'"),
        rows.len() as i64
    );
    let made = c.count("SELECT count(*) FROM transfer_orders") - orders_before;
    assert!(
        made >= 1 && made < rows.len() as i64,
        "one order per day needed: {made}"
    );
    assert_eq!(c.count("SELECT count(*) FROM purchase_orders"), pos_before);
    let to_w_sur = c.count(&format!(
        "SELECT sum(l.qty_requested) FROM transfer_lines l JOIN transfer_orders o ON o.id = l.order_id
         JOIN places p ON p.id = o.to_place_id WHERE p.code = 'W-SUR' AND o.id > {last_order}"
    ));
    let elsewhere = c.count(&format!(
        "SELECT count(*) FROM transfer_orders o JOIN places p ON p.id = o.to_place_id
         WHERE p.code <> 'W-SUR' AND o.id > {last_order}"
    ));
    assert_eq!(elsewhere, 0);
    assert_eq!(to_w_sur, units, "every unit suggested, all to W-SUR");
    assert!(
        c.status().starts_with(&format!(
            "Accepted {} suggestion(s): {made} transfer order(s)",
            rows.len()
        )),
        "{}",
        c.status()
    );
    let report = wardstock::store::check::run(&c.app.store().conn).unwrap();
    assert!(report.ok(), "{:?}", report.problems);
}

#[test]
fn esc_cancels_accepting_the_set_and_a_nurse_cannot_accept_it() {
    let mut c = plan(Lang::En);
    c.typed("W-GER").key(KeyCode::F(8)).key(KeyCode::Esc);
    assert!(accepted(&c).is_empty());
    assert_eq!(c.status(), "Cancelled: no suggestion was accepted");
    assert!(c.app.tabs.pharmacy.is_plan());

    let mut n = Console::new(80, 24);
    n.sign_in("nurse");
    n.key(KeyCode::Char('4'))
        .key(KeyCode::F(10))
        .key(KeyCode::F(8));
    assert!(!n.screen().contains("Accept all"));
    assert_eq!(n.status(), "A pharmacist accepts or rejects suggestions");
}

/// Runs the background jobs until the plan screen has a new plan.
fn wait_for_replan(c: &mut Console) {
    for _ in 0..600 {
        std::thread::sleep(std::time::Duration::from_millis(20));
        c.app.poll_jobs();
        if !c.app.cx.jobs.plan.is_running() {
            c.app.poll_jobs();
            return;
        }
    }
    panic!("the plan did not come back");
}

#[test]
fn the_accept_message_stays_after_the_replan_in_the_background() {
    let mut c = plan(Lang::En);
    // As in the terminal: the plan is made again on its own thread.
    c.app.cx.jobs.background = true;
    let first = c.app.tabs.pharmacy.plan().unwrap().rows[0].s.clone();
    c.key(KeyCode::Enter);
    assert!(c.app.form.is_some());
    for _ in 0..3 {
        c.key(KeyCode::Enter);
    }
    assert!(c.app.form.is_none());
    assert!(c.status().starts_with("Accepted: "), "{}", c.status());
    wait_for_replan(&mut c);
    let s = c.screen();
    assert!(
        c.status().starts_with("Accepted: ") && c.status().contains("→ TO-"),
        "{}",
        c.status()
    );
    assert!(s.contains("Accepted: "), "{s}");
    assert!(accepted(&c).contains(&(first.place.clone(), first.item.clone())));

    // So does the message of a whole set.
    c.typed("W-MED")
        .key(KeyCode::F(8))
        .typed("y")
        .key(KeyCode::Enter);
    assert!(c.status().starts_with("Accepted "), "{}", c.status());
    wait_for_replan(&mut c);
    assert!(c.status().starts_with("Accepted "), "{}", c.status());
}

#[test]
fn exceptions_say_days_and_what_to_do_in_both_languages() {
    for lang in [Lang::En, Lang::ZhCn] {
        let mut c = plan(lang);
        let s = c.screen();
        assert!(
            !s.to_lowercase().contains("bucket") && !s.contains("时段"),
            "{s}"
        );
        match lang {
            Lang::En => assert!(
                s.contains("(22 Nov), and a delivery takes 1 day: send it today as an urgent")
                    && s.contains("Type to filter"),
                "{s}"
            ),
            Lang::ZhCn => assert!(
                s.contains("今天（11-22）需要") && s.contains("请今天按紧急配送发出"),
                "{s}"
            ),
        }
        // The filter works with Chinese prefixes too.
        if lang == Lang::ZhCn {
            c.typed("病区：W-GER");
            assert!(shown(&c).iter().all(|(p, _)| p == "W-GER"));
            assert!(c.screen().contains("筛选："));
        }
    }
}

#[test]
fn the_plan_caption_keeps_what_was_rejected_whole_at_80_columns() {
    let mut c = plan(Lang::En);
    let row = c.app.tabs.pharmacy.plan().unwrap().rows[0].s.clone();
    let actor = c.app.cx.actor.clone().unwrap();
    let now = c.app.cx.now;
    wardstock::ops::plan::reject(&mut c.app.cx.store, &actor, now, &row, "ward closed").unwrap();
    c.app.cx.local_writes += 1;
    c.key(KeyCode::F(5));
    let s = c.screen();
    assert!(s.contains("1 rejected today, not shown"), "{s}");
    assert!(
        s.contains("Replenishment plan") && s.contains("past due"),
        "{s}"
    );
}

#[test]
fn the_command_line_accepts_the_same_filtered_set_in_one_operation() {
    let (dir, path) = common::demo_db();
    let out = common::cli(&path)
        .args([
            "plan",
            "accept",
            "--filter",
            "ward:W-GER",
            "--user",
            "pharm",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let n = v["accepted"]["accepted"].as_i64().unwrap();
    assert!(n > 0);
    assert_eq!(v["suggestions"].as_array().unwrap().len() as i64, n);
    let store = wardstock::store::Store::open(&path).unwrap();
    let (all, ger): (i64, i64) = store
        .conn
        .query_row(
            "SELECT count(*), sum(p.code = 'W-GER') FROM plan_decisions d JOIN places p ON p.id = d.place_id",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((all, ger), (n, n));
    // Nothing matches: a one-line refusal, nothing written.
    let out = common::cli(&path)
        .args([
            "plan",
            "accept",
            "--filter",
            "ward:W-NONE",
            "--user",
            "pharm",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no suggestion to accept matches"), "{err}");
    let after: i64 = store
        .conn
        .query_row("SELECT count(*) FROM plan_decisions", [], |r| r.get(0))
        .unwrap();
    assert_eq!(after, n);
    drop(dir);
}

#[test]
fn a_set_holding_a_suggestion_decided_since_the_plan_is_refused_whole() {
    let mut c = plan(Lang::En);
    c.typed("W-SUR");
    let rows: Vec<_> = c
        .app
        .tabs
        .pharmacy
        .plan_screen()
        .unwrap()
        .shown_rows()
        .map(|r| r.s.clone())
        .collect();
    assert!(rows.len() > 2);
    // Another workstation decides on one of them after this plan was made.
    let actor = c.app.cx.actor.clone().unwrap();
    let later = c.app.cx.now + chrono::Duration::seconds(1);
    wardstock::ops::plan::reject(&mut c.app.cx.store, &actor, later, &rows[1], "ward closed")
        .unwrap();
    let orders = c.count("SELECT count(*) FROM transfer_orders");
    c.key(KeyCode::F(8)).typed("yes").key(KeyCode::Enter);
    assert!(accepted(&c).is_empty(), "none of the set");
    assert_eq!(c.count("SELECT count(*) FROM transfer_orders"), orders);
    assert!(
        c.status().starts_with("Nothing was accepted: ")
            && c.status().contains("was decided since this plan was made"),
        "{}",
        c.status()
    );
}

#[test]
fn a_scan_on_the_plan_screen_leaves_its_filter_and_letters_c_filter_too() {
    let mut c = plan(Lang::En);
    c.typed("w-med");
    let before = shown(&c);
    // A pack scanned here: its keys are not typed into the filter.
    c.scan("(01)04031847000072(10)X2600465");
    if let Some(p) = c.app.tabs.pharmacy.plan_screen() {
        assert_eq!(p.filter.value(), "w-med");
        assert_eq!(shown(&c), before);
    }
    // "c" is a letter of a word (cefazolin), not the chart key.
    let mut c = plan(Lang::En);
    c.typed("c");
    let p = c.app.tabs.pharmacy.plan_screen().expect("the plan screen");
    assert_eq!(p.filter.value(), "c");
    assert!(!p.chart);
}
