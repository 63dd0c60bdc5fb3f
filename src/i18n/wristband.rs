//! The words of wristbands: a GSRN that is not one, a wristband that names
//! nobody or is not the kind this site prints, and the wristband setting.

use std::fmt;

use crate::gs1::GsrnProblem;
use crate::ops::scan::{WristbandError, WristbandKind};
use crate::t;

/// A GSRN the parser or a form refused: on a wristband (AI 8018) the nurse
/// rescans or types the MRN; on a badge (AI 8017) the caregiver rescans it.
pub fn gsrn_problem(ai: &str, value: &str, problem: &GsrnProblem) -> String {
    match problem {
        GsrnProblem::CheckDigit { found, expected } if ai == "8017" => t!(
            "wristband.gsrn.badge_check_digit",
            gsrn = value,
            found = found,
            expected = expected
        ),
        GsrnProblem::CheckDigit { found, expected } => t!(
            "wristband.gsrn.check_digit",
            gsrn = value,
            found = found,
            expected = expected
        ),
        GsrnProblem::Length { found } => t!("wristband.gsrn.length", gsrn = value, found = found),
        GsrnProblem::NotDigit { found } => {
            t!("wristband.gsrn.not_digit", gsrn = value, found = found)
        }
    }
}

/// A GSRN typed or imported for a patient that is not one.
pub fn entered_gsrn(value: &str, problem: &GsrnProblem) -> String {
    match problem {
        GsrnProblem::CheckDigit { expected, .. } => t!(
            "wristband.entry.check_digit",
            gsrn = value,
            expected = expected
        ),
        p => gsrn_problem("8018", value, p),
    }
}

/// What the setting says, in words.
pub fn kind(k: WristbandKind) -> &'static str {
    match k {
        WristbandKind::Gsrn => t!("wristband.kind.gsrn"),
        WristbandKind::Mrn => t!("wristband.kind.mrn"),
        WristbandKind::Either => t!("wristband.kind.either"),
    }
}

impl fmt::Display for WristbandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use WristbandError as E;
        let s = match self {
            E::Empty => t!("wristband.refused.empty").to_string(),
            E::Gsrn { ai, value, problem } => gsrn_problem(ai, value, problem),
            E::BadGsrn { value, problem } => entered_gsrn(value, problem),
            E::Badge { gsrn } => t!("wristband.refused.badge", gsrn = gsrn),
            E::Pack => t!("wristband.refused.pack").to_string(),
            E::SiteUsesGsrn { mrn } => t!("wristband.refused.site_uses_gsrn", mrn = mrn),
            E::SiteUsesMrn { gsrn } => t!("wristband.refused.site_uses_mrn", gsrn = gsrn),
            E::UnknownGsrn { gsrn } => t!("wristband.refused.unknown_gsrn", gsrn = gsrn),
            E::UnknownMrn { mrn } => t!("wristband.refused.unknown_mrn", mrn = mrn),
            E::GsrnElsewhere { gsrn, mrn, name } => t!(
                "wristband.refused.gsrn_elsewhere",
                gsrn = gsrn,
                mrn = mrn,
                name = name
            ),
            E::NotAdmin { role } => t!("wristband.refused.not_admin", role = role.label()),
            E::Store(e) => super::refusals::database(e),
        };
        f.write_str(&s)
    }
}
