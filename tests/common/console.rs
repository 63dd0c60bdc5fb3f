//! The console driven by keys and read off a TestBackend buffer, as the
//! console tests share it: a private copy of the demo clinic (or a given
//! database), keys typed or scanned, and the screen as plain text.

use std::path::Path;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use wardstock::i18n::Lang;
use wardstock::store::Store;
use wardstock::tui::app::App;
use wardstock::tui::keymap::Keymap;
use wardstock::tui::theme::Theme;
use wardstock::tui::ui;

pub struct Console {
    pub app: App,
    pub term: Terminal<TestBackend>,
    /// The directory holding the console's database; removed with the console.
    pub dir: tempfile::TempDir,
}

impl Console {
    /// A console in English on a private copy of the demo clinic.
    pub fn new(w: u16, h: u16) -> Console {
        Console::in_lang(w, h, Lang::En)
    }

    /// A console on a private copy of the demo clinic in `lang`, or (when
    /// `None`) in each user's own language.
    pub fn in_lang(w: u16, h: u16, lang: impl Into<Option<Lang>>) -> Console {
        let (dir, path) = super::demo_db();
        Console::open(dir, &path, w, h, lang)
    }

    /// A console on the database at `path`, which lives in `dir`.
    pub fn open(
        dir: tempfile::TempDir,
        path: &Path,
        w: u16,
        h: u16,
        lang: impl Into<Option<Lang>>,
    ) -> Console {
        let store = Store::open(path).unwrap();
        let app = App::with_lang(
            store,
            Keymap::defaults(),
            super::anchor(),
            (w, h),
            lang.into(),
        );
        Console {
            app,
            term: Terminal::new(TestBackend::new(w, h)).unwrap(),
            dir,
        }
    }

    pub fn key(&mut self, code: KeyCode) -> &mut Self {
        self.app.on_key(KeyEvent::new(code, KeyModifiers::NONE));
        self
    }

    pub fn ctrl(&mut self, c: char) -> &mut Self {
        self.app
            .on_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
        self
    }

    pub fn typed(&mut self, s: &str) -> &mut Self {
        for c in s.chars() {
            self.key(KeyCode::Char(c));
        }
        self
    }

    /// Types `data` as a scanner does: every 4 ms, then Enter. The group
    /// separator arrives as Ctrl-5, as a scanner sends it.
    pub fn scan(&mut self, data: &str) {
        let mut t = std::time::Duration::from_secs(10_000)
            + std::time::Duration::from_millis(self.app.cx.now.timestamp_subsec_millis() as u64);
        for ch in data.chars() {
            let ev = if ch == '\u{1d}' {
                KeyEvent::new(KeyCode::Char('5'), KeyModifiers::CONTROL)
            } else {
                KeyEvent::new(KeyCode::Char(ch), KeyModifiers::NONE)
            };
            self.app.on_key_at(ev, t);
            t += std::time::Duration::from_millis(4);
        }
        self.app
            .on_key_at(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE), t);
    }

    /// The whole screen without colour, one line per row, line ends trimmed.
    pub fn screen(&mut self) -> String {
        let theme = Theme { color: false };
        // A whole frame: the test backend keeps what a real terminal
        // erases when a wide character is overwritten.
        self.term.clear().unwrap();
        self.term.draw(|f| ui::draw(f, &self.app, &theme)).unwrap();
        let buf = self.term.backend().buffer().clone();
        let mut out = String::new();
        for y in 0..buf.area.height {
            let mut line = String::new();
            let mut skip = 0;
            for x in 0..buf.area.width {
                if skip > 0 {
                    skip -= 1;
                    continue;
                }
                let sym = buf[(x, y)].symbol();
                skip = unicode_width::UnicodeWidthStr::width(sym).saturating_sub(1);
                line.push_str(sym);
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }

    pub fn resize(&mut self, w: u16, h: u16) {
        self.term.backend_mut().resize(w, h);
        self.app.resize(w, h);
    }

    pub fn sign_in_with(&mut self, user: &str, pin: &str) -> &mut Self {
        self.typed(user)
            .key(KeyCode::Enter)
            .typed(pin)
            .key(KeyCode::Enter)
    }

    /// Signs in with the demo's PIN.
    pub fn sign_in(&mut self, user: &str) -> &mut Self {
        self.sign_in_with(user, "1234")
    }

    pub fn sign_out(&mut self) -> &mut Self {
        self.ctrl('l')
    }

    /// The message on the status line, or nothing.
    pub fn status(&self) -> String {
        self.app
            .cx
            .status
            .as_ref()
            .map(|(_, m)| m.clone())
            .unwrap_or_default()
    }

    /// The single number `sql` selects from the console's database.
    pub fn count(&self, sql: &str) -> i64 {
        self.app
            .store()
            .conn
            .query_row(sql, [], |r| r.get(0))
            .unwrap()
    }
}
