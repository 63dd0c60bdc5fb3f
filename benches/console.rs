//! Hospital-scale benchmarks of the console (design.md budgets):
//! demo generation, cold start to first frame, key press to next frame on
//! the ward stock list, item search while typing, tab switches.
//!
//! The hospital database is generated once into target/wardstock-bench/
//! and reused; delete it to regenerate.

use std::path::PathBuf;
use std::time::Instant;

use chrono::{DateTime, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use wardstock::demo::{self, DemoOptions, Scale};
use wardstock::store::Store;
use wardstock::tui::app::App;
use wardstock::tui::keymap::Keymap;
use wardstock::tui::theme::Theme;
use wardstock::tui::ui;

fn anchor() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-22T12:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn hospital() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("wardstock-bench");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("hospital.sqlite");
    if !path.exists() {
        let partial = dir.join("hospital.partial");
        let _ = std::fs::remove_file(&partial);
        let started = Instant::now();
        let summary = {
            let mut store = Store::open(&partial).unwrap();
            demo::generate(
                &mut store,
                &DemoOptions {
                    scale: Scale::Hospital,
                    seed: 42,
                    anchor: anchor(),
                },
            )
            .unwrap()
        };
        std::fs::rename(&partial, &path).unwrap();
        println!(
            "hospital demo: {} items, {} lots, {} movements, {} patients generated in {:.2} s",
            summary.items,
            summary.lots,
            summary.movements,
            summary.patients,
            started.elapsed().as_secs_f64()
        );
    }
    path
}

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

criterion_group!(console, benches);
criterion_main!(console);
