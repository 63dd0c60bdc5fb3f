//! The signed-in session: signing in (and speaking the user's own
//! language), where each role starts, signing out, and switching language.

use super::App;
use crate::domain::PlaceKind;
use crate::i18n::{self, Lang};
use crate::ops::auth;
use crate::store::queries;
use crate::t;
use crate::tui::component::{Level, Tab};
use crate::tui::signin::SignIn;
use crate::tui::tabs::Tabs;

impl App {
    pub(super) fn sign_in(&mut self, user: &str, pin: &str) {
        match auth::sign_in(&mut self.cx.store, user, pin, self.cx.now) {
            Ok(actor) => self.signed_in(actor),
            // The PIN an administrator gave was right: the user now
            // chooses their own, here.
            Err(auth::SignInError::MustChangePin(_)) => {
                self.signin.ask_new_pin(pin.to_string());
                self.cx.say(Level::Warn, t!("tui.signin.choose_pin"));
            }
            // An unknown name and a wrong PIN read the same: the screen
            // never tells whether a user name exists (a wrong PIN still
            // counts towards the real user's lock). The PIN is typed again.
            Err(
                auth::SignInError::UnknownUser(_)
                | auth::SignInError::WrongPin { .. }
                | auth::SignInError::Inactive(_),
            ) => {
                self.signin.on_pin = true;
                self.cx.say(Level::Error, t!("tui.signin.not_recognised"));
            }
            Err(e) => {
                self.signin.on_pin = true;
                self.cx.say(Level::Error, e.to_string());
            }
        }
    }

    /// Signs in with the one-time PIN `old`, replacing it with `new`.
    pub(super) fn change_pin(&mut self, user: &str, old: &str, new: &str) {
        match auth::change_own_pin(&mut self.cx.store, user, old, new, self.cx.now) {
            Ok(actor) => {
                self.signed_in(actor);
                self.cx.local_writes += 1;
            }
            Err(e @ (auth::SignInError::NewPin { .. } | auth::SignInError::SamePin(_))) => {
                self.cx.say(Level::Error, e.to_string())
            }
            // The one-time PIN no longer holds (reset again, locked): start over.
            Err(e) => {
                self.signin = SignIn::default();
                self.cx.say(Level::Error, e.to_string());
            }
        }
    }

    fn signed_in(&mut self, actor: crate::ops::Actor) {
        // The user's own language, unless one was asked for explicitly.
        if self.explicit_lang.is_none()
            && let Ok(Some(l)) = queries::user_language(&self.cx.store.conn, actor.user_id)
        {
            i18n::set_thread_lang(l);
        }
        let greeting = t!(
            "tui.signin.greeting",
            name = crate::tui::words::person(&actor.full_name, actor.role),
            role = crate::tui::words::role(actor.role)
        );
        self.cx.actor = Some(actor);
        self.signin = SignIn::default();
        self.after_sign_in();
        self.cx.say(Level::Info, greeting);
        self.daily_backup();
        self.rounds_checked = None;
        self.check_cold_rounds(self.cx.now);
    }

    /// Cold locations whose round is overdue raise a missed reading (and
    /// their stock is held) without anyone running a check: at sign-in and
    /// every ten minutes while someone who takes readings is signed in.
    /// Only a newly raised one takes the message line.
    pub(super) fn check_cold_rounds(&mut self, now: chrono::DateTime<chrono::Utc>) {
        use crate::domain::roles::{Operation, may};
        let Some(actor) = self.cx.actor.clone() else {
            return;
        };
        if !may(actor.role, Operation::ColdReading)
            || self
                .rounds_checked
                .is_some_and(|t| now - t < chrono::Duration::minutes(10) && now >= t)
        {
            return;
        }
        self.rounds_checked = Some(now);
        // Read first: nothing is written (and no other workstation waited
        // for) while every round is on time.
        if !crate::ops::cold::rounds_overdue(&self.cx.store.conn, now).unwrap_or(false) {
            return;
        }
        let Ok(raised) = crate::ops::cold::check_rounds(&mut self.cx.store, &actor, now, None)
        else {
            // Another workstation busy writing: the next check tries again.
            self.rounds_checked = None;
            return;
        };
        let new: Vec<_> = raised.iter().filter(|r| r.new).collect();
        if new.is_empty() {
            return;
        }
        self.cx.local_writes += 1;
        let locations = new
            .iter()
            .map(|r| r.location.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        self.cx.say(
            Level::Warn,
            t!("tui.cold_rounds.missed", locations = locations),
        );
    }

    /// The first sign-in of the day makes the daily backup: on its own
    /// thread and connection (a large database never freezes the screen);
    /// the outcome comes to the message line.
    fn daily_backup(&mut self) {
        use crate::ops::backups;
        let now = self.cx.now;
        if backups::due(&self.cx.store.conn, now).is_none() {
            return;
        }
        if self.cx.jobs.background {
            let path = self.cx.store.path().to_path_buf();
            self.cx
                .jobs
                .backup
                .spawn(true, move |_| match crate::store::Store::open(&path) {
                    Ok(store) => backups::run_daily(&store, now),
                    Err(e) => Some(backups::DailyOutcome::Failed {
                        dir: std::path::PathBuf::new(),
                        error: e.into(),
                    }),
                });
        } else {
            let outcome = backups::run_daily(&self.cx.store, now);
            self.cx.jobs.backup.spawn(false, move |_| outcome);
        }
        self.poll_jobs();
    }

    /// The daily backup's outcome, in words on the message line.
    pub(super) fn daily_backup_done(&mut self, outcome: crate::ops::backups::DailyOutcome) {
        use crate::ops::backups::DailyOutcome;
        match outcome {
            DailyOutcome::Made { report, removed } => self.cx.say(
                Level::Info,
                t!(
                    "backup.daily.made",
                    path = report.path.display(),
                    removed = removed.len()
                ),
            ),
            DailyOutcome::NotNeeded => {}
            DailyOutcome::Failed { dir, error } => self.cx.say(
                Level::Warn,
                t!("backup.daily.failed", dir = dir.display(), error = error),
            ),
        }
    }

    pub(super) fn after_sign_in(&mut self) {
        self.cx.setup = queries::setup_counts(&self.cx.store.conn).unwrap_or_default();
        match queries::places(&self.cx.store.conn) {
            Ok(p) => self.cx.places = p,
            Err(e) => self
                .cx
                .say(Level::Error, t!("tui.cannot_read_places", error = e)),
        }
        use crate::domain::Role;
        let role = self.cx.actor.as_ref().map(|a| a.role);
        // The place chosen last, else pharmacy staff at the pharmacy and
        // ward staff at the first ward.
        let want = if matches!(role, Some(Role::Pharmacist | Role::Storekeeper)) {
            PlaceKind::Pharmacy
        } else {
            PlaceKind::Ward
        };
        let last = self
            .cx
            .actor
            .as_ref()
            .and_then(|a| {
                queries::user_place(&self.cx.store.conn, a.user_id)
                    .ok()
                    .flatten()
            })
            .and_then(|id| self.cx.places.iter().position(|p| p.id == id));
        self.cx.place = last
            .or_else(|| self.cx.places.iter().position(|p| p.kind == want))
            .unwrap_or(0);
        // Each role starts on its working tab: the nurse at the doses due,
        // the pharmacist at the prescriptions to validate, the storekeeper
        // at the orders to pick, the nurse manager at the ward's stock,
        // the administrator at the site.
        self.tab = match role {
            Some(Role::Nurse) => Tab::Administration,
            Some(Role::Pharmacist) => Tab::Prescriptions,
            Some(Role::Storekeeper) => Tab::Pharmacy,
            Some(Role::Admin) => Tab::Site,
            _ => Tab::Stock,
        };
        self.tabs = Tabs::default();
        self.loaded.clear();
        self.reload();
    }

    pub(super) fn sign_out(&mut self) {
        let who = self.cx.actor.take().map(|a| a.username).unwrap_or_default();
        // Nothing of the last user's work stays on the screen.
        self.signin = SignIn::default();
        self.tabs = Tabs::default();
        self.form = None;
        self.popup = None;
        self.loaded.clear();
        self.cx.jobs.plan.cancel();
        self.cx.jobs.sim.cancel();
        self.cx.jobs.alerts.cancel();
        self.cx.jobs.early.cancel();
        self.cx.jobs.import.cancel();
        self.cx.jobs.report.cancel();
        i18n::set_thread_lang(i18n::choose(self.explicit_lang, None));
        self.cx.say(Level::Info, t!("tui.signed_out", user = who));
    }

    /// English ⇄ 简体中文 for the signed-in user, shown at once and saved
    /// with the user.
    pub(super) fn switch_language(&mut self) {
        let Some(actor) = self.cx.actor.clone() else {
            return;
        };
        let next = match i18n::lang() {
            Lang::En => Lang::ZhCn,
            Lang::ZhCn => Lang::En,
        };
        match auth::set_language(&mut self.cx.store, &actor, Some(next)) {
            Ok(()) => {
                i18n::set_thread_lang(next);
                self.cx.local_writes += 1;
                // Views hold a few words (warning marks): read them again.
                self.reload();
                self.cx.say(
                    Level::Info,
                    t!("tui.language_set", language = next.native_name()),
                );
            }
            Err(e) => self
                .cx
                .say(Level::Error, t!("tui.language_not_saved", error = e)),
        }
    }
}
