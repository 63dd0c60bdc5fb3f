//! Where things live: the database, the user's keymap overrides, the log.

use std::path::PathBuf;

use anyhow::{Context, Result};
use directories::ProjectDirs;

fn dirs() -> Option<ProjectDirs> {
    ProjectDirs::from("org", "wardstock", "wardstock")
}

/// The data folder (`~/.local/share/wardstock` on Linux).
pub fn data_dir() -> Result<PathBuf> {
    dirs()
        .map(|d| d.data_dir().to_path_buf())
        .context("no home folder is known for this user; give the database path with --db PATH or WARDSTOCK_DB")
}

/// The config folder (`~/.config/wardstock` on Linux), where `keymap.toml` may override keys.
pub fn config_dir() -> Option<PathBuf> {
    dirs().map(|d| d.config_dir().to_path_buf())
}

/// The database to use: `--db`/`WARDSTOCK_DB` if given, else the default
/// file in the data folder (`demo.sqlite` for `--demo`, `wardstock.sqlite` otherwise).
pub fn resolve_db(explicit: Option<PathBuf>, demo: bool) -> Result<PathBuf> {
    if let Some(p) = explicit {
        return Ok(p);
    }
    let dir = data_dir()?;
    std::fs::create_dir_all(&dir)
        .with_context(|| crate::t!("config.no_data_folder", path = dir.display()))?;
    Ok(dir.join(if demo {
        "demo.sqlite"
    } else {
        "wardstock.sqlite"
    }))
}

/// The log file of the console (never written to the screen).
pub fn log_path() -> Option<PathBuf> {
    let dir = data_dir().ok()?;
    std::fs::create_dir_all(&dir).ok()?;
    Some(dir.join("wardstock.log"))
}

/// Site settings from `config.toml` in the config folder; every field is
/// optional and defaults to the values the domain brief gives.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    pub alerts: AlertSettings,
    pub scanner: ScannerSettings,
    pub receiving: ReceivingSettings,
    /// Early warnings: demand surge and supplier risk (`domain::early`).
    pub early: crate::domain::early::EarlySettings,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AlertSettings {
    pub expiry_tiers: Vec<i64>,
    pub attention_percent: i64,
    pub high_value_cents: i64,
    pub high_value_horizon_days: i64,
    pub usage_window_days: i64,
}

impl Default for AlertSettings {
    fn default() -> Self {
        let d = crate::domain::alerts::AlertConfig::default();
        AlertSettings {
            expiry_tiers: d.expiry_tiers,
            attention_percent: d.attention_percent,
            high_value_cents: d.high_value_cents,
            high_value_horizon_days: d.high_value_horizon_days,
            usage_window_days: d.usage_window_days,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScannerSettings {
    /// The character the scanners send instead of the group separator (ASCII 29).
    pub separator: Option<char>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReceivingSettings {
    /// Goods expiring within this many days are flagged as short-dated.
    pub short_dated_days: i64,
}

impl Default for ReceivingSettings {
    fn default() -> Self {
        ReceivingSettings {
            short_dated_days: 90,
        }
    }
}

impl Settings {
    /// Parses settings; a bad file names the problem.
    pub fn parse(text: &str) -> Result<Settings, String> {
        let s: Settings =
            toml::from_str(text).map_err(|e| crate::t!("config.broken", problem = e.message()))?;
        let mut tiers = s.alerts.expiry_tiers.clone();
        tiers.sort_unstable();
        tiers.dedup();
        if tiers.is_empty() || tiers[0] <= 0 || tiers != s.alerts.expiry_tiers {
            return Err(crate::t!("config.tiers").to_string());
        }
        if s.alerts.attention_percent < 100
            || s.alerts.usage_window_days < 1
            || s.receiving.short_dated_days < 0
        {
            return Err(crate::t!("config.bounds").to_string());
        }
        if !s.early.valid() {
            return Err(crate::t!("early.settings.bounds").to_string());
        }
        Ok(s)
    }

    /// Reads `config.toml` from the config folder; none gives the defaults,
    /// a broken one gives the defaults and the message to show.
    pub fn load() -> (Settings, Option<String>) {
        let Some(text) =
            config_dir().and_then(|d| std::fs::read_to_string(d.join("config.toml")).ok())
        else {
            return (Settings::default(), None);
        };
        match Settings::parse(&text) {
            Ok(s) => (s, None),
            Err(e) => (
                Settings::default(),
                Some(crate::t!("config.using_defaults", problem = e)),
            ),
        }
    }

    pub fn alert_config(&self) -> crate::domain::alerts::AlertConfig {
        crate::domain::alerts::AlertConfig {
            expiry_tiers: self.alerts.expiry_tiers.clone(),
            attention_percent: self.alerts.attention_percent,
            high_value_cents: self.alerts.high_value_cents,
            high_value_horizon_days: self.alerts.high_value_horizon_days,
            usage_window_days: self.alerts.usage_window_days,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_default_and_override() {
        assert_eq!(Settings::parse("").unwrap(), Settings::default());
        let s = Settings::parse("[alerts]\nexpiry_tiers = [14, 45]\n[scanner]\nseparator = \"~\"\n[receiving]\nshort_dated_days = 120\n").unwrap();
        assert_eq!(s.alert_config().expiry_tiers, vec![14, 45]);
        assert_eq!(s.alert_config().attention_percent, 120);
        assert_eq!(s.scanner.separator, Some('~'));
        assert_eq!(s.receiving.short_dated_days, 120);
        assert!(
            Settings::parse("[alerts]\nexpiry_tiers = [60, 30]\n")
                .unwrap_err()
                .contains("ascending")
        );
        assert!(
            Settings::parse("[alert]\n").is_err(),
            "unknown sections are reported"
        );
    }
}
