//! The terminal console: a guard that always restores the terminal, the
//! event loop, and the app state, views, keymap and screens.

pub mod app;
pub mod form;
pub mod keymap;
pub mod scan;
pub mod screens;
pub mod theme;
pub mod ui;
pub mod views;

use std::time::Duration;

use anyhow::Result;
use chrono::Utc;
use crossterm::event::{self, Event, KeyEventKind};

use crate::store::Store;
use app::{App, Level};

/// Restores the terminal when dropped: on quit, on error and while a panic unwinds.
struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        ratatui::restore();
    }
}

/// Runs the console until the user quits.
pub fn run(store: Store) -> Result<()> {
    let (keymap, keymap_error) = keymap::Keymap::load();
    let theme = theme::Theme::from_env();
    // ratatui::init installs a panic hook that restores the terminal first.
    let mut terminal = ratatui::init();
    let _guard = TerminalGuard;
    let size = terminal.size()?;
    let mut app = App::new(store, keymap, Utc::now(), (size.width, size.height));
    let (settings, settings_error) = crate::config::Settings::load();
    app.scan_separator = settings.scanner.separator;
    app.settings = settings;
    if let Some(e) = keymap_error.or(settings_error) {
        app.status = Some((Level::Warn, e));
    }
    let mut last_second = Utc::now().timestamp();
    let started = std::time::Instant::now();
    app.background_jobs = true;
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
