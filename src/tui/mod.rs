//! The terminal console: a guard that always restores the terminal, the
//! event loop, and the components. Where things go:
//! - `app.rs`: what the components share and the key dispatch;
//! - `component.rs`: the context, list state, messages, `Component` trait;
//! - `tabs/<tab>.rs`: one file per tab; `forms/<family>.rs`: one per form
//!   family; `popups/<popup>.rs`: one per popup; `signin.rs`;
//! - `job.rs`: background work; `views.rs`: view data read from the store;
//! - `keymap.rs`, `theme.rs`, `widgets.rs`, `words.rs`, `scan.rs`, `ui.rs`.

pub mod app;
pub mod component;
pub mod forms;
pub mod job;
pub mod keymap;
pub mod popups;
pub mod scan;
pub mod signin;
pub mod tabs;
pub mod theme;
pub mod ui;
pub mod views;
pub mod widgets;
pub mod words;

use std::time::Duration;

use anyhow::Result;
use chrono::Utc;
use crossterm::event::{self, Event, KeyEventKind};

use crate::i18n::Lang;
use crate::store::Store;
use app::App;
use component::Level;

/// Restores the terminal when dropped: on quit, on error and while a panic unwinds.
struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        ratatui::restore();
    }
}

/// Runs the console until the user quits, in the language of
/// `WARDSTOCK_LANG`, else each user's own, else the system's.
pub fn run(store: Store) -> Result<()> {
    run_with_lang(store, crate::i18n::explicit(None).ok().flatten())
}

/// Runs the console in `explicit` language (`--lang`), or when `None` in
/// each user's own, else the system's.
pub fn run_with_lang(store: Store, explicit: Option<Lang>) -> Result<()> {
    let (keymap, keymap_error) = keymap::Keymap::load();
    let theme = theme::Theme::from_env();
    // ratatui::init installs a panic hook that restores the terminal first.
    let mut terminal = ratatui::init();
    let _guard = TerminalGuard;
    let size = terminal.size()?;
    let mut app = App::with_lang(
        store,
        keymap,
        Utc::now(),
        (size.width, size.height),
        explicit,
    );
    let (settings, settings_error) = crate::config::Settings::load();
    app.cx.settings = settings;
    if let Some(e) = keymap_error.or(settings_error) {
        app.cx.status = Some((Level::Warn, e));
    }
    let mut last_second = Utc::now().timestamp();
    let started = std::time::Instant::now();
    app.cx.jobs.background = true;
    loop {
        app.poll_jobs();
        terminal.draw(|f| ui::draw(f, &app, &theme))?;
        if app.quit {
            break;
        }
        // Wake at least once a second for the clock.
        if event::poll(Duration::from_millis(250))? {
            match event::read()? {
                Event::Key(k) if k.kind == KeyEventKind::Press => {
                    app.tick(Utc::now());
                    app.on_key_at(k, started.elapsed());
                }
                Event::Resize(w, h) => app.resize(w, h),
                _ => {}
            }
        } else {
            let now = Utc::now();
            if now.timestamp() == last_second {
                continue;
            }
            last_second = now.timestamp();
            app.tick(now);
        }
    }
    Ok(())
}
