//! What a user may type where a form asks for a code: the code itself, or
//! its word in English or Chinese (已给药, 驳回, 过期, 是 …). One small
//! parser each; the fields show the reader's own words.

use crate::ops::mar::Outcome;
use crate::ops::stock::WasteReason;
use crate::t;

fn norm(v: &str) -> String {
    v.trim().to_lowercase().replace(['-', ' '], "_")
}

/// A dose's outcome: `given` / 已给药 / 给药, `partially_given` / 部分给药,
/// `held` / 暂缓, `refused` / 患者拒绝 / 拒绝, `not_given_supply` / 缺药,
/// `missed` / 漏执行 / 漏给.
pub fn outcome(v: &str) -> Option<Outcome> {
    Some(match norm(v).as_str() {
        "given" | "g" | "已给药" | "给药" | "已给" => Outcome::Given,
        "partially_given" | "partial" | "partially" | "部分给药" | "部分" => {
            Outcome::PartiallyGiven
        }
        "held" | "hold" | "暂缓" | "暂缓给药" => Outcome::Held,
        "refused" | "患者拒绝" | "拒绝" | "拒绝给药" | "拒服" => Outcome::Refused,
        "not_given_supply" | "no_supply" | "not_given_(no_supply)" | "缺药" | "缺药未给" => {
            Outcome::NotGivenSupply
        }
        "missed" | "漏执行" | "漏给" | "漏给药" => Outcome::Missed,
        _ => return None,
    })
}

/// The word a field shows for an outcome, in the reader's language.
pub fn outcome_word(o: Outcome) -> &'static str {
    match o {
        Outcome::Given => t!("tui.outcome.given"),
        Outcome::PartiallyGiven => t!("tui.outcome.partially_given"),
        Outcome::Held => t!("tui.outcome.held"),
        Outcome::Refused => t!("tui.outcome.refused"),
        Outcome::NotGivenSupply => t!("tui.input.no_supply"),
        Outcome::Missed => t!("tui.outcome.missed"),
    }
}

/// A pharmacist's decision: accept (`accept`, `a`, 接受, 通过, 同意) is
/// `true`, reject (`reject`, `r`, 驳回, 拒绝, 不通过) is `false`.
pub fn decision(v: &str) -> Option<bool> {
    match norm(v).as_str() {
        "accept" | "a" | "接受" | "通过" | "同意" => Some(true),
        "reject" | "r" | "驳回" | "拒绝" | "不通过" => Some(false),
        _ => None,
    }
}

/// Why stock is disposed of: the code or 过期, 破损, 污染, 其他.
pub fn waste_reason(v: &str) -> Option<WasteReason> {
    Some(match norm(v).as_str() {
        "expired" | "过期" | "已过期" => WasteReason::Expired,
        "damaged" | "破损" | "损坏" => WasteReason::Damaged,
        "contaminated" | "污染" => WasteReason::Contaminated,
        "other" | "其他" | "其它" => WasteReason::Other,
        _ => return None,
    })
}

/// The word a field shows for a waste reason, in the reader's language.
pub fn waste_word(r: WasteReason) -> &'static str {
    match r {
        WasteReason::Expired => t!("tui.input.expired"),
        WasteReason::Damaged => t!("tui.input.damaged"),
        WasteReason::Contaminated => t!("tui.input.contaminated"),
        WasteReason::Other => t!("tui.input.other"),
    }
}

/// Yes, typed to confirm: `y`, `yes`, 是, 对, 确认.
pub fn yes(v: &str) -> bool {
    matches!(norm(v).as_str(), "yes" | "y" | "是" | "对" | "确认")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Lang, set_thread_lang};

    #[test]
    fn outcomes_in_codes_english_and_chinese() {
        assert_eq!(outcome("given"), Some(Outcome::Given));
        assert_eq!(outcome(" 已给药 "), Some(Outcome::Given));
        assert_eq!(outcome("给药"), Some(Outcome::Given));
        assert_eq!(outcome("partially given"), Some(Outcome::PartiallyGiven));
        assert_eq!(outcome("部分给药"), Some(Outcome::PartiallyGiven));
        assert_eq!(outcome("暂缓"), Some(Outcome::Held));
        assert_eq!(outcome("患者拒绝"), Some(Outcome::Refused));
        assert_eq!(outcome("拒绝"), Some(Outcome::Refused));
        assert_eq!(outcome("Refused"), Some(Outcome::Refused));
        assert_eq!(outcome("缺药"), Some(Outcome::NotGivenSupply));
        assert_eq!(outcome("not_given_supply"), Some(Outcome::NotGivenSupply));
        assert_eq!(outcome("漏执行"), Some(Outcome::Missed));
        assert_eq!(outcome("漏给"), Some(Outcome::Missed));
        assert_eq!(outcome("PO"), None);
        assert_eq!(outcome(""), None);
    }

    #[test]
    fn every_outcome_word_reads_back_in_both_languages() {
        for lang in [Lang::En, Lang::ZhCn] {
            set_thread_lang(lang);
            for o in [
                Outcome::Given,
                Outcome::PartiallyGiven,
                Outcome::Held,
                Outcome::Refused,
                Outcome::NotGivenSupply,
                Outcome::Missed,
            ] {
                assert_eq!(outcome(outcome_word(o)), Some(o), "{lang:?} {o:?}");
            }
            for r in [
                WasteReason::Expired,
                WasteReason::Damaged,
                WasteReason::Contaminated,
                WasteReason::Other,
            ] {
                assert_eq!(waste_reason(waste_word(r)), Some(r), "{lang:?} {r:?}");
            }
        }
        set_thread_lang(Lang::En);
    }

    #[test]
    fn decisions_reasons_and_yes() {
        assert_eq!(decision("accept"), Some(true));
        assert_eq!(decision("通过"), Some(true));
        assert_eq!(decision("接受"), Some(true));
        assert_eq!(decision("reject"), Some(false));
        assert_eq!(decision("驳回"), Some(false));
        assert_eq!(decision("拒绝"), Some(false));
        assert_eq!(decision("maybe"), None);
        assert_eq!(waste_reason("expired"), Some(WasteReason::Expired));
        assert_eq!(waste_reason("破损"), Some(WasteReason::Damaged));
        assert_eq!(waste_reason("污染"), Some(WasteReason::Contaminated));
        assert_eq!(waste_reason("其他"), Some(WasteReason::Other));
        assert_eq!(waste_reason("lost"), None);
        assert!(yes("y") && yes("YES") && yes("是"));
        assert!(!yes("PO") && !yes(""));
    }
}
