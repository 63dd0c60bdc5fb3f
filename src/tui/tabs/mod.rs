//! The tabs, one component each (the sixth, Site, for those who keep the
//! site; the seventh, Reports, for those who are asked for reports).

pub mod administration;
pub mod alerts;
pub mod pharmacy;
pub mod pharmacy_orders;
pub mod pharmacy_plan;
pub mod prescriptions;
pub mod reports;
pub mod site;
pub mod stock;
pub mod stock_lots;

use super::component::{Component, Tab};
use super::keymap::Action;

/// Actions one tab or another offers in the shared list context; a tab
/// offers only its own.
pub const TAB_ACTIONS: [Action; 14] = [
    Action::Open,
    Action::ClearFilter,
    Action::Operations,
    Action::LinkGtin,
    Action::Group,
    Action::Patient,
    Action::Replenish,
    Action::Simulate,
    Action::Chart,
    Action::Dispatch,
    Action::ConfirmReceipt,
    Action::Unpick,
    Action::Levels,
    Action::FindElsewhere,
];

#[derive(Default)]
pub struct Tabs {
    pub prescriptions: prescriptions::PrescriptionsTab,
    pub administration: administration::AdministrationTab,
    pub stock: stock::StockTab,
    pub pharmacy: pharmacy::PharmacyTab,
    pub alerts: alerts::AlertsTab,
    pub site: site::SiteTab,
    pub reports: reports::ReportsTab,
}

impl Tabs {
    pub fn get(&self, tab: Tab) -> &dyn Component {
        match tab {
            Tab::Prescriptions => &self.prescriptions,
            Tab::Administration => &self.administration,
            Tab::Stock => &self.stock,
            Tab::Pharmacy => &self.pharmacy,
            Tab::Alerts => &self.alerts,
            Tab::Site => &self.site,
            Tab::Reports => &self.reports,
        }
    }

    pub fn get_mut(&mut self, tab: Tab) -> &mut dyn Component {
        match tab {
            Tab::Prescriptions => &mut self.prescriptions,
            Tab::Administration => &mut self.administration,
            Tab::Stock => &mut self.stock,
            Tab::Pharmacy => &mut self.pharmacy,
            Tab::Alerts => &mut self.alerts,
            Tab::Site => &mut self.site,
            Tab::Reports => &mut self.reports,
        }
    }
}
