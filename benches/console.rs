//! Hospital-scale benchmarks of the console (design.md budgets):
//! demo generation, cold start to first frame, key press to next frame on
//! the ward stock list, item search while typing, tab switches; and the
//! work the console does in the background, as its jobs do it (a read
//! connection of their own): the plan screen's suggestions (F10), the
//! simulation of a ward (F11: its first progress and the whole run) and the
//! first load of the hospital-wide warnings.
//!
//! The hospital database is generated once into target/wardstock-bench/
//! and reused; delete it to regenerate.

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use wardstock::demo::{self, DemoOptions, Scale};
use wardstock::domain::alerts::AlertConfig;
use wardstock::ops::plan::{PlanOptions, scenario_from_db};
use wardstock::planning::sim;
use wardstock::store::Store;
use wardstock::tui::app::App;
use wardstock::tui::keymap::Keymap;
use wardstock::tui::theme::Theme;
use wardstock::tui::ui;
use wardstock::tui::views::{PlanView, load_alerts};

#[path = "common/hospital.rs"]
mod hospital;
use hospital::{anchor, hospital};

fn key(c: KeyCode) -> KeyEvent {
    KeyEvent::new(c, KeyModifiers::NONE)
}

fn signed_in(path: &std::path::Path, user: &str) -> (App, Terminal<TestBackend>) {
    let store = Store::open(path).unwrap();
    let mut app = App::new(store, Keymap::defaults(), anchor(), (100, 30));
    for c in user.chars() {
        app.on_key(key(KeyCode::Char(c)));
    }
    app.on_key(key(KeyCode::Enter));
    for c in "1234".chars() {
        app.on_key(key(KeyCode::Char(c)));
    }
    app.on_key(key(KeyCode::Enter));
    assert!(app.cx.actor.is_some(), "signed in");
    // Each role starts on its working tab: go to the stock list.
    app.on_key(key(KeyCode::Char('3')));
    (app, Terminal::new(TestBackend::new(100, 30)).unwrap())
}

fn benches(c: &mut Criterion) {
    let path = hospital();
    let theme = Theme { color: true };

    // Demo generation at hospital scale (one run each; slow by nature).
    let runs: usize = std::env::var("WARDSTOCK_BENCH_DEMO_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let mut times = Vec::new();
    for _ in 0..runs {
        let mut store = Store::open_in_memory().unwrap();
        let t = Instant::now();
        demo::generate(
            &mut store,
            &DemoOptions {
                scale: Scale::Hospital,
                seed: 42,
                anchor: anchor(),
            },
        )
        .unwrap();
        times.push(t.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    if !times.is_empty() {
        println!(
            "hospital demo generation (in memory): median {:.2} s over {} run(s)",
            times[times.len() / 2],
            runs
        );
    }

    let mut g = c.benchmark_group("hospital");
    g.sample_size(20);
    // Open the database and draw the first frame (the sign-in screen).
    g.bench_function("cold_start_to_first_frame", |b| {
        b.iter(|| {
            let store = Store::open(&path).unwrap();
            let app = App::new(store, Keymap::defaults(), anchor(), (100, 30));
            let mut term = Terminal::new(TestBackend::new(100, 30)).unwrap();
            term.draw(|f| ui::draw(f, &app, &theme)).unwrap();
        })
    });
    // Sign in (one Argon2 PIN check) and draw the first ward stock frame.
    g.bench_function("sign_in_to_ward_stock_frame", |b| {
        b.iter(|| {
            let (app, mut term) = signed_in(&path, "nurse");
            term.draw(|f| ui::draw(f, &app, &theme)).unwrap();
        })
    });
    g.finish();

    let mut g = c.benchmark_group("ward_stock");
    let (mut app, mut term) = signed_in(&path, "nurse");
    let mut down = true;
    g.bench_function("key_down_to_next_frame", |b| {
        b.iter(|| {
            app.on_key(key(if down { KeyCode::Down } else { KeyCode::Up }));
            down = !down;
            term.draw(|f| ui::draw(f, &app, &theme)).unwrap();
        })
    });
    g.bench_function("open_item_lots_and_back", |b| {
        b.iter(|| {
            app.on_key(key(KeyCode::Enter));
            term.draw(|f| ui::draw(f, &app, &theme)).unwrap();
            app.on_key(key(KeyCode::Esc));
            term.draw(|f| ui::draw(f, &app, &theme)).unwrap();
        })
    });
    // Typing into the filter of the pharmacy's 5,000 items: one key, refilter, frame.
    let (mut pharm, mut pterm) = signed_in(&path, "pharm");
    assert!(pharm.tabs.stock.view.lines.len() > 4000);
    let mut typed = false;
    g.bench_function("search_keystroke_5000_items_to_frame", |b| {
        b.iter(|| {
            pharm.on_key(key(if typed {
                KeyCode::Backspace
            } else {
                KeyCode::Char('m')
            }));
            typed = !typed;
            pterm.draw(|f| ui::draw(f, &pharm, &theme)).unwrap();
        })
    });
    g.finish();

    let mut g = c.benchmark_group("tabs");
    g.sample_size(20);
    for (name, k) in [
        ("prescriptions", '1'),
        ("administration", '2'),
        ("pharmacy", '4'),
        ("alerts", '5'),
    ] {
        // Switching to a tab whose data has not changed: no query.
        app.on_key(key(KeyCode::Char(k)));
        app.on_key(key(KeyCode::Char('3')));
        g.bench_function(format!("switch_to_{name}_to_frame"), |b| {
            b.iter(|| {
                app.on_key(key(KeyCode::Char(k)));
                term.draw(|f| ui::draw(f, &app, &theme)).unwrap();
                app.on_key(key(KeyCode::Char('3')));
            })
        });
        // The first visit, or after new data: the tab's queries run (F5 forces it).
        app.on_key(key(KeyCode::Char(k)));
        g.bench_function(format!("reload_{name}_to_frame"), |b| {
            b.iter(|| {
                app.on_key(key(KeyCode::F(5)));
                term.draw(|f| ui::draw(f, &app, &theme)).unwrap();
            })
        });
        app.on_key(key(KeyCode::Char('3')));
    }
    g.finish();
}

/// The background work of the console at hospital scale, each from a new
/// connection as the console's jobs open one.
fn background(c: &mut Criterion) {
    let path = hospital();
    let mut g = c.benchmark_group("background");
    g.sample_size(10);
    // F10: from the key to the suggestions (build the problem, plan, the sheet).
    g.bench_function("f10_key_to_suggestions", |b| {
        b.iter(|| {
            let store = Store::open(&path).unwrap();
            let plan = PlanView::load(&store.conn, anchor(), PlanOptions::default()).unwrap();
            assert!(!plan.rows.is_empty());
            plan
        })
    });
    // F11 on a ward: the ward's scenario from its use, then the replications.
    // The first figure is the time to the first replication done (the first
    // progress the screen shows), the second the whole run.
    let simulate = |first: &mut Option<Duration>| {
        let started = Instant::now();
        let store = Store::open(&path).unwrap();
        let scenario = scenario_from_db(&store.conn, SIM_WARD, anchor()).unwrap();
        let result = sim::simulate(&scenario, &sim::SimOptions::default(), &mut |done, _| {
            if done > 0 && first.is_none() {
                *first = Some(started.elapsed());
            }
        });
        assert_eq!(result.replications, sim::DEFAULT_REPLICATIONS);
        started.elapsed()
    };
    g.bench_function("f11_key_to_first_progress", |b| {
        b.iter_custom(|iters| {
            (0..iters)
                .map(|_| {
                    let mut first = None;
                    simulate(&mut first);
                    first.unwrap_or_default()
                })
                .sum()
        })
    });
    g.bench_function("f11_key_to_result", |b| {
        b.iter_custom(|iters| (0..iters).map(|_| simulate(&mut None)).sum())
    });
    // The warnings of every place, read the first time.
    let cfg = AlertConfig::default();
    g.bench_function("warnings_first_load", |b| {
        b.iter(|| {
            let store = Store::open(&path).unwrap();
            let view = load_alerts(&store.conn, anchor(), &cfg).unwrap();
            assert!(!view.rows.is_empty());
            view
        })
    });
    // The same, every read on the one connection (as inside a transaction):
    // what the second connection saves.
    g.bench_function("warnings_first_load_one_connection", |b| {
        b.iter(|| {
            let store = Store::open(&path).unwrap();
            store.conn.execute_batch("BEGIN").unwrap();
            let view = load_alerts(&store.conn, anchor(), &cfg).unwrap();
            store.conn.execute_batch("ROLLBACK").unwrap();
            assert!(!view.rows.is_empty());
            view
        })
    });
    g.finish();
}

/// The ward F11 simulates (a busy medical ward of the demo).
const SIM_WARD: &str = "W01";

criterion_group!(console, benches, background);
criterion_main!(console);
