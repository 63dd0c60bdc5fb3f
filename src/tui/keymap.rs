//! Keys → actions, from one keymap: the defaults embedded from
//! `assets/keymap.toml`, overridden by the user's `keymap.toml`. The key
//! bar and the help overlay are generated from the same table.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::Deserialize;
use strum::{AsRefStr, EnumString};

use crate::t;

pub const DEFAULT_KEYMAP: &str = include_str!("../../assets/keymap.toml");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, EnumString, AsRefStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Action {
    Quit,
    Help,
    NextTab,
    PrevTab,
    Tab1,
    Tab2,
    Tab3,
    Tab4,
    Tab5,
    /// The Site tab (administrators; a pharmacist's opening stock import).
    Tab6,
    /// The Reports tab (those who are asked for reports).
    Tab7,
    ChoosePlace,
    Refresh,
    SignOut,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Open,
    Back,
    ClearFilter,
    NextField,
    Submit,
    LinkGtin,
    Dispatch,
    ConfirmReceipt,
    /// A pick list: take a picked lot of the chosen line back off the order.
    Unpick,
    Operations,
    /// Administration: group the list by patient or by time.
    Group,
    /// Administration: the selected patient's record.
    Patient,
    /// Pharmacy: the replenishment plan (MRP suggestions and exceptions).
    Replenish,
    /// The replenishment plan: the selected item's projected stock as a chart.
    Chart,
    /// The replenishment plan: accept every suggestion the filter shows, after a typed yes.
    AcceptAll,
    /// Ward stock: the place's safety stock and maximum levels per item.
    Levels,
    /// An item's detail: where else it is (pharmacy, other wards) and its approved substitutes.
    FindElsewhere,
    /// Pharmacy: simulate AS IS against TO BE (the ward's own drugs, or the paper's).
    Simulate,
    /// The signed-in user's language: English ⇄ 简体中文, saved with the user.
    Language,
    /// Site: add a user.
    AddUser,
    /// Site: give the selected user a one-time PIN.
    ResetPin,
    /// Site: lift the selected user's lock.
    Unlock,
    /// Site: deactivate (or reactivate) the selected user.
    Deactivate,
    /// Site: import a spreadsheet, with a dry-run preview first.
    Import,
    /// A patient's record: record an allergy.
    AddAllergy,
    /// A patient's record: remove an allergy (with the reason).
    RemoveAllergy,
    /// A patient's record: move to another ward or bed.
    MovePatient,
    /// A patient's record: discharge.
    Discharge,
    /// Reports: the previous choice of the setting shown (report, period, place …).
    PrevChoice,
    /// Reports: the next choice of the setting shown.
    NextChoice,
    /// A report's next sheet.
    NextSheet,
    /// A report's previous sheet.
    PrevSheet,
    /// A report's columns further left (else the previous sheet).
    ColumnsLeft,
    /// A report's columns further right (else the next sheet).
    ColumnsRight,
    /// Reports: write the report shown to the export folder.
    Export,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, EnumString, AsRefStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Context {
    Global,
    List,
    Detail,
    /// A transfer order's pick list.
    Order,
    /// The replenishment plan on the Pharmacy tab.
    Plan,
    /// The policy simulation on the Pharmacy tab.
    Sim,
    Signin,
    /// The Site tab's list of users.
    Site,
    /// The Site tab's import preview.
    Import,
    /// A patient's record (F4).
    Patient,
    /// The Reports tab's settings (the report, its period, place, option).
    Reports,
    /// A report shown on the Reports tab.
    ReportView,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Key {
    /// Parses "ctrl-q", "f2", "pageup", "?", "1", "shift-tab" …
    pub fn parse(s: &str) -> Result<Key, String> {
        let mut mods = KeyModifiers::NONE;
        let mut rest = s.trim();
        loop {
            let lower = rest.to_ascii_lowercase();
            if let Some(r) = lower.strip_prefix("ctrl-").filter(|r| !r.is_empty()) {
                mods |= KeyModifiers::CONTROL;
                rest = &rest[rest.len() - r.len()..];
            } else if let Some(r) = lower.strip_prefix("alt-").filter(|r| !r.is_empty()) {
                mods |= KeyModifiers::ALT;
                rest = &rest[rest.len() - r.len()..];
            } else if let Some(r) = lower.strip_prefix("shift-").filter(|r| !r.is_empty()) {
                mods |= KeyModifiers::SHIFT;
                rest = &rest[rest.len() - r.len()..];
            } else {
                break;
            }
        }
        let code = match rest.to_ascii_lowercase().as_str() {
            "enter" => KeyCode::Enter,
            "esc" => KeyCode::Esc,
            "tab" if mods.contains(KeyModifiers::SHIFT) => {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            "tab" => KeyCode::Tab,
            "backtab" => KeyCode::BackTab,
            "backspace" => KeyCode::Backspace,
            "delete" | "del" => KeyCode::Delete,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "pageup" => KeyCode::PageUp,
            "pagedown" => KeyCode::PageDown,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "space" => KeyCode::Char(' '),
            f if f.len() >= 2
                && f.starts_with('f')
                && f[1..].parse::<u8>().is_ok_and(|n| (1..=12).contains(&n)) =>
            {
                KeyCode::F(f[1..].parse().unwrap_or(1))
            }
            _ => {
                let mut chars = rest.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => KeyCode::Char(if mods.contains(KeyModifiers::CONTROL) {
                        c.to_ascii_lowercase()
                    } else {
                        c
                    }),
                    _ => return Err(t!("tui.keymap.unknown_key", key = format!("{s:?}"))),
                }
            }
        };
        Ok(Key { code, mods })
    }

    /// Whether a key event is this key. Shift is ignored for characters
    /// (terminals differ on whether "?" carries it).
    pub fn matches(&self, ev: &KeyEvent) -> bool {
        match (self.code, ev.code) {
            (KeyCode::Char(a), KeyCode::Char(b)) => {
                let strip = |m: KeyModifiers| m - KeyModifiers::SHIFT;
                let (a, b) = if self.mods.contains(KeyModifiers::CONTROL) {
                    (a.to_ascii_lowercase(), b.to_ascii_lowercase())
                } else {
                    (a, b)
                };
                a == b && strip(self.mods) == strip(ev.modifiers)
            }
            (KeyCode::BackTab, KeyCode::BackTab) => {
                (self.mods - KeyModifiers::SHIFT) == (ev.modifiers - KeyModifiers::SHIFT)
            }
            (a, b) => a == b && self.mods == ev.modifiers,
        }
    }
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.mods.contains(KeyModifiers::CONTROL) {
            f.write_str("^")?;
        }
        if self.mods.contains(KeyModifiers::ALT) {
            f.write_str("Alt-")?;
        }
        match self.code {
            KeyCode::Char(c) if self.mods.contains(KeyModifiers::CONTROL) => {
                write!(f, "{}", c.to_ascii_uppercase())
            }
            KeyCode::Char(' ') => f.write_str("Space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => f.write_str("Enter"),
            KeyCode::Esc => f.write_str("Esc"),
            KeyCode::Tab => f.write_str("Tab"),
            KeyCode::BackTab => f.write_str("S-Tab"),
            KeyCode::Backspace => f.write_str("Bksp"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::PageUp => f.write_str("PgUp"),
            KeyCode::PageDown => f.write_str("PgDn"),
            KeyCode::Home => f.write_str("Home"),
            KeyCode::End => f.write_str("End"),
            KeyCode::F(n) => write!(f, "F{n}"),
            other => write!(f, "{other:?}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub context: Context,
    pub action: Action,
    pub keys: Vec<Key>,
    /// The user's own description (a keymap.toml override); the defaults'
    /// come from the catalogue, in the reader's language.
    pub desc: Option<String>,
}

impl Binding {
    /// What the binding does, for the key bar and the help.
    pub fn describe(&self) -> String {
        match &self.desc {
            Some(d) => d.clone(),
            None => describe(self.context, self.action).to_string(),
        }
    }
}

/// The catalogue's description of an action in a context.
pub fn describe(context: Context, action: Action) -> &'static str {
    use Action::*;
    use Context as C;
    match (context, action) {
        (_, Quit) => t!("tui.key.quit"),
        (_, Help) => t!("tui.key.help"),
        (_, NextTab) => t!("tui.key.next_tab"),
        (_, PrevTab) => t!("tui.key.prev_tab"),
        (_, Tab1) => t!("tui.tab.prescriptions"),
        (_, Tab2) => t!("tui.tab.administration"),
        (_, Tab3) => t!("tui.tab.stock"),
        (_, Tab4) => t!("tui.tab.pharmacy"),
        (_, Tab5) => t!("tui.tab.alerts"),
        (_, Tab6) => t!("tui.tab.site"),
        (_, Tab7) => t!("tui.tab.reports"),
        (_, ChoosePlace) => t!("tui.key.choose_place"),
        (C::Plan, Refresh) => t!("tui.key.plan_again"),
        (_, Refresh) => t!("tui.key.refresh"),
        (_, SignOut) => t!("tui.key.sign_out"),
        (C::Detail, Up | Down) => t!("tui.key.choose_lot"),
        (C::Detail, PageUp | PageDown) => t!("tui.key.scroll"),
        (C::Sim, Up) => t!("tui.key.prev_drug"),
        (C::Sim, Down) => t!("tui.key.next_drug"),
        (_, Up) => t!("tui.key.up"),
        (_, Down) => t!("tui.key.down"),
        (_, PageUp) => t!("tui.key.page_up"),
        (_, PageDown) => t!("tui.key.page_down"),
        (C::Detail, Top) => t!("tui.key.newest"),
        (C::Detail, Bottom) => t!("tui.key.oldest"),
        (_, Top) => t!("tui.key.top"),
        (_, Bottom) => t!("tui.key.bottom"),
        (C::Plan, Open) => t!("tui.key.decide"),
        (C::Import, Open) => t!("tui.key.write_import"),
        (C::Site, Open) => t!("tui.key.edit_user"),
        (C::Reports, Open) => t!("reports_screen.key.run"),
        (_, Open) => t!("tui.key.open"),
        (C::Plan | C::Sim, Back) => t!("tui.key.back_to_orders"),
        (C::Import, Back) => t!("tui.key.cancel_import"),
        (C::Detail, Back) => t!("tui.key.back_clear"),
        (C::ReportView, Back) => t!("reports_screen.key.settings"),
        (_, Back) => t!("tui.key.back"),
        (_, ClearFilter) => t!("tui.key.clear_filter"),
        (_, NextField) => t!("tui.key.next_field"),
        (_, Submit) => t!("tui.key.sign_in"),
        (_, LinkGtin) => t!("tui.key.link_gtin"),
        (_, Dispatch) => t!("tui.key.dispatch"),
        (_, ConfirmReceipt) => t!("tui.key.confirm_receipt"),
        (_, Unpick) => t!("tui.key.unpick"),
        (C::Order, Operations) => t!("tui.key.pick_qty"),
        (C::Detail, Operations) => t!("tui.key.operations_detail"),
        (_, Operations) => t!("tui.key.operations"),
        (_, Group) => t!("tui.key.group"),
        (_, Patient) => t!("tui.key.patient"),
        (_, Replenish) => t!("tui.key.replenish"),
        (C::ReportView, Chart) => t!("reports_screen.key.chart"),
        (_, Chart) => t!("tui.key.chart"),
        (_, AcceptAll) => t!("plan.key.accept_all"),
        (_, Levels) => t!("levels.key.open"),
        (_, FindElsewhere) => t!("tui.key.find_elsewhere"),
        (_, Simulate) => t!("tui.key.simulate"),
        (_, Language) => t!("tui.key.language"),
        (_, AddUser) => t!("tui.key.add_user"),
        (_, ResetPin) => t!("tui.key.reset_pin"),
        (_, Unlock) => t!("tui.key.unlock"),
        (_, Deactivate) => t!("tui.key.deactivate"),
        (_, Import) => t!("tui.key.import"),
        (_, AddAllergy) => t!("tui.key.add_allergy"),
        (_, RemoveAllergy) => t!("tui.key.remove_allergy"),
        (_, MovePatient) => t!("tui.key.move_patient"),
        (_, Discharge) => t!("tui.key.discharge"),
        (_, PrevChoice | NextChoice) => t!("reports_screen.key.change"),
        (_, NextSheet | PrevSheet) => t!("reports_screen.key.sheet"),
        (_, ColumnsLeft | ColumnsRight) => t!("reports_screen.key.columns"),
        (_, Export) => t!("reports_screen.key.export"),
    }
}

#[derive(Debug, Deserialize)]
struct RawFile {
    #[serde(default)]
    bind: Vec<RawBinding>,
}

#[derive(Debug, Deserialize)]
struct RawBinding {
    context: String,
    action: String,
    keys: Vec<String>,
    desc: Option<String>,
}

fn parse_file(text: &str, origin: &str) -> Result<Vec<Binding>, String> {
    let raw: RawFile = toml::from_str(text).map_err(|e| format!("{origin}: {}", e.message()))?;
    raw.bind
        .into_iter()
        .enumerate()
        .map(|(i, b)| {
            let n = i + 1;
            let context = b.context.parse().map_err(|_| {
                t!(
                    "tui.keymap.unknown_context",
                    file = origin,
                    n = n,
                    context = format!("{:?}", b.context)
                )
            })?;
            let action = b.action.parse().map_err(|_| {
                t!(
                    "tui.keymap.unknown_action",
                    file = origin,
                    n = n,
                    action = format!("{:?}", b.action)
                )
            })?;
            let keys = b
                .keys
                .iter()
                .map(|k| {
                    Key::parse(k)
                        .map_err(|e| t!("tui.keymap.binding", file = origin, n = n, error = e))
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Binding {
                context,
                action,
                keys,
                desc: b.desc,
            })
        })
        .collect()
}

#[derive(Debug, Clone)]
pub struct Keymap {
    pub bindings: Vec<Binding>,
}

impl Keymap {
    /// The embedded defaults.
    pub fn defaults() -> Keymap {
        Keymap {
            bindings: parse_file(DEFAULT_KEYMAP, "default keymap").unwrap_or_default(),
        }
    }

    /// Defaults with the user's overrides applied; a broken override file is
    /// reported and ignored (the defaults still work).
    pub fn with_overrides(text: Option<&str>) -> (Keymap, Option<String>) {
        let mut map = Keymap::defaults();
        let Some(text) = text else { return (map, None) };
        match parse_file(text, "keymap.toml") {
            Ok(user) => {
                for u in user {
                    match map
                        .bindings
                        .iter_mut()
                        .find(|b| b.context == u.context && b.action == u.action)
                    {
                        Some(b) => {
                            b.keys = u.keys;
                            b.desc = u.desc;
                        }
                        None => map.bindings.push(u),
                    }
                }
                (map, None)
            }
            Err(e) => (map, Some(t!("tui.keymap.using_defaults", error = e))),
        }
    }

    /// Loads `keymap.toml` from the config folder, if there is one.
    pub fn load() -> (Keymap, Option<String>) {
        let text = crate::config::config_dir()
            .and_then(|d| std::fs::read_to_string(d.join("keymap.toml")).ok());
        Keymap::with_overrides(text.as_deref())
    }

    /// The action bound to a key in the first context that binds it.
    pub fn action(&self, contexts: &[Context], ev: &KeyEvent) -> Option<Action> {
        contexts.iter().find_map(|c| {
            self.bindings
                .iter()
                .find(|b| b.context == *c && b.keys.iter().any(|k| k.matches(ev)))
                .map(|b| b.action)
        })
    }

    /// The bindings of the given contexts, in keymap order, for the key bar and help.
    pub fn hints(&self, contexts: &[Context]) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        for c in contexts {
            for b in self.bindings.iter().filter(|b| b.context == *c) {
                let keys = b
                    .keys
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("/");
                if !out.iter().any(|(k, _)| *k == keys) {
                    out.push((keys, b.describe()));
                }
            }
        }
        out
    }

    /// The key bar: like [`Keymap::hints`] without the movement and
    /// tab-number keys everybody knows (the help lists them all).
    pub fn bar(&self, contexts: &[Context]) -> Vec<(Action, String, String)> {
        use Action::*;
        let mut out: Vec<(Action, String, String)> = Vec::new();
        for c in contexts {
            for b in self.bindings.iter().filter(|b| b.context == *c) {
                if matches!(
                    b.action,
                    Up | Down
                        | PageUp
                        | PageDown
                        | Top
                        | Bottom
                        | Tab1
                        | Tab2
                        | Tab3
                        | Tab4
                        | Tab5
                        | Tab6
                        | Tab7
                        | PrevTab
                ) {
                    continue;
                }
                let keys = b.keys.first().map(ToString::to_string).unwrap_or_default();
                if !out.iter().any(|(_, k, _)| *k == keys) {
                    out.push((b.action, keys, b.describe()));
                }
            }
        }
        out
    }

    pub fn keys_for(&self, context: Context, action: Action) -> String {
        self.bindings
            .iter()
            .find(|b| b.context == context && b.action == action)
            .and_then(|b| b.keys.first())
            .map(ToString::to_string)
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn defaults_parse_and_resolve() {
        let map = Keymap::defaults();
        assert!(map.bindings.len() > 20);
        let ctx = [Context::List, Context::Global];
        assert_eq!(
            map.action(&ctx, &ev(KeyCode::Char('q'), KeyModifiers::CONTROL)),
            Some(Action::Quit)
        );
        assert_eq!(
            map.action(&ctx, &ev(KeyCode::Char('?'), KeyModifiers::SHIFT)),
            Some(Action::Help)
        );
        assert_eq!(
            map.action(&ctx, &ev(KeyCode::BackTab, KeyModifiers::SHIFT)),
            Some(Action::PrevTab)
        );
        assert_eq!(
            map.action(&ctx, &ev(KeyCode::Char('3'), KeyModifiers::NONE)),
            Some(Action::Tab3)
        );
        assert_eq!(
            map.action(&ctx, &ev(KeyCode::Char('x'), KeyModifiers::NONE)),
            None
        );
        assert_eq!(
            map.action(&ctx, &ev(KeyCode::Enter, KeyModifiers::NONE)),
            Some(Action::Open)
        );
    }

    #[test]
    fn user_overrides_replace_keys_and_bad_files_are_reported() {
        let (map, err) = Keymap::with_overrides(Some(
            "[[bind]]\ncontext = \"global\"\naction = \"quit\"\nkeys = [\"ctrl-x\"]\ndesc = \"leave\"\n",
        ));
        assert_eq!(err, None);
        let ctx = [Context::Global];
        assert_eq!(
            map.action(&ctx, &ev(KeyCode::Char('x'), KeyModifiers::CONTROL)),
            Some(Action::Quit)
        );
        assert_eq!(
            map.action(&ctx, &ev(KeyCode::Char('q'), KeyModifiers::CONTROL)),
            None
        );
        assert!(
            map.hints(&ctx)
                .contains(&("^X".to_string(), "leave".to_string()))
        );

        let (map, err) = Keymap::with_overrides(Some(
            "[[bind]]\ncontext = \"global\"\naction = \"fly\"\nkeys = [\"x\"]\n",
        ));
        assert!(err.unwrap().contains("unknown action \"fly\""));
        assert_eq!(
            map.action(&ctx, &ev(KeyCode::Char('q'), KeyModifiers::CONTROL)),
            Some(Action::Quit)
        );
    }

    #[test]
    fn key_names() {
        assert_eq!(Key::parse("ctrl-q").unwrap().to_string(), "^Q");
        assert_eq!(Key::parse("shift-tab").unwrap().code, KeyCode::BackTab);
        assert_eq!(Key::parse("f12").unwrap().code, KeyCode::F(12));
        assert!(Key::parse("hyper-q").is_err());
    }
}
