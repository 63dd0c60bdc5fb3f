//! The demo's fixed data: wards, names, prescribers, the usual regimens
//! of the formulary and the allergies it records.

use super::*;

pub(super) const WARDS: &[(&str, &str, i64)] = &[
    ("W-MED", "Internal medicine", 30),
    ("W-SUR", "General surgery", 45),
    ("W-GER", "老年科 Geriatrics", 20),
];

pub(super) const GIVEN: &[&str] = &[
    "Anna", "Marco", "Sofia", "Luca", "Emma", "Noah", "Mia", "Elias", "Lea", "Jonas", "Clara",
    "Paul", "Ines", "Tomas", "Eva", "Omar", "Aisha", "Ivan", "Nora", "Felix", "Maria", "Jan",
    "Rosa", "Ali", "Greta", "Hugo", "Alba", "Leon", "Sara", "Pietro",
];
pub(super) const FAMILY: &[&str] = &[
    "Rossi",
    "Müller",
    "García",
    "Dubois",
    "Novak",
    "Jansen",
    "Kowalski",
    "Silva",
    "Papadopoulos",
    "Nielsen",
    "Esposito",
    "Schmidt",
    "Moreau",
    "Horvat",
    "Costa",
    "O'Brien",
    "Lindqvist",
    "Fischer",
    "Romano",
    "Bianchi",
];
pub(super) const CHINESE_NAMES: &[&str] = &[
    "王芳", "李娜", "张伟", "刘洋", "陈静", "杨磊", "赵敏", "黄强",
];
pub(super) const PRESCRIBERS: &[&str] = &[
    "Dr. A. Conti",
    "Dr. M. Weber",
    "Dr. 林晓",
    "Dr. S. Haddad",
    "Dr. P. Moreau",
];
/// Usual adult ward regimens of the formulary: (code, dose units per
/// administration, frequency, indication, time-critical).
pub(super) type Regimen = (&'static str, i64, Frequency, &'static str, bool);
pub(super) const REGIMENS: &[Regimen] = &[
    ("PARA500T", 2, Frequency::Qid, "pain", false),
    ("PARA1GT", 1, Frequency::Qid, "fever", false),
    ("PARA1GIV", 1, Frequency::Q6h, "postoperative pain", false),
    ("IBU400T", 1, Frequency::Tid, "musculoskeletal pain", false),
    ("METAM500T", 1, Frequency::Qid, "pain", false),
    ("TRAM50C", 1, Frequency::Prn, "moderate pain", false),
    ("MORPH10I", 1, Frequency::Prn, "severe pain", false),
    ("OXY5C", 1, Frequency::Prn, "breakthrough pain", false),
    (
        "AMOX500C",
        1,
        Frequency::Tid,
        "community-acquired pneumonia",
        true,
    ),
    (
        "AMCL875T",
        1,
        Frequency::Bid,
        "lower respiratory tract infection",
        true,
    ),
    ("AMCL12IV", 1, Frequency::Q8h, "aspiration pneumonia", true),
    ("PIPTZ45IV", 1, Frequency::Q8h, "sepsis", true),
    ("FLUC500C", 1, Frequency::Qid, "cellulitis", true),
    (
        "CEFUR15IV",
        1,
        Frequency::Q8h,
        "surgical site infection",
        true,
    ),
    ("CEFTR1GIV", 2, Frequency::Qd, "pneumonia", true),
    ("CEFAZ2GIV", 1, Frequency::Q8h, "cellulitis", true),
    ("MERO1GIV", 1, Frequency::Q8h, "sepsis", true),
    ("VANC1GIV", 1, Frequency::Q12h, "MRSA infection", true),
    ("CLAR500T", 1, Frequency::Bid, "atypical pneumonia", true),
    (
        "CIPR500T",
        1,
        Frequency::Bid,
        "urinary tract infection",
        true,
    ),
    (
        "METR400T",
        1,
        Frequency::Tid,
        "C. difficile infection",
        true,
    ),
    (
        "METR500IV",
        1,
        Frequency::Q8h,
        "intra-abdominal infection",
        true,
    ),
    (
        "SXT960T",
        1,
        Frequency::Bid,
        "urinary tract infection",
        true,
    ),
    ("ENOX40S", 1, Frequency::Qd, "thrombosis prophylaxis", false),
    (
        "DALT5000S",
        1,
        Frequency::Qd,
        "thrombosis prophylaxis",
        false,
    ),
    ("APIX5T", 1, Frequency::Bid, "atrial fibrillation", false),
    ("RIVA20T", 1, Frequency::Qd, "atrial fibrillation", false),
    ("ASA100T", 1, Frequency::Qd, "secondary prevention", false),
    ("CLOP75T", 1, Frequency::Qd, "coronary stent", false),
    ("BISO5T", 1, Frequency::Qd, "heart failure", false),
    ("METO50T", 1, Frequency::Bid, "hypertension", false),
    ("RAMI5T", 1, Frequency::Qd, "hypertension", false),
    ("AMLO5T", 1, Frequency::Qd, "hypertension", false),
    ("ATOR40T", 1, Frequency::Qd, "hyperlipidaemia", false),
    ("SIMV20T", 1, Frequency::Qd, "hyperlipidaemia", false),
    ("DIGO025T", 1, Frequency::Qd, "atrial fibrillation", false),
    ("FURO40T", 1, Frequency::Qd, "heart failure", false),
    ("FURO20I", 2, Frequency::Bid, "fluid overload", false),
    ("TORA10T", 1, Frequency::Qd, "oedema", false),
    ("SPIR25T", 1, Frequency::Qd, "heart failure", false),
    ("METF500T", 2, Frequency::Bid, "type 2 diabetes", false),
    ("SITA100T", 1, Frequency::Qd, "type 2 diabetes", false),
    ("EMPA10T", 1, Frequency::Qd, "type 2 diabetes", false),
    ("PANT40T", 1, Frequency::Qd, "gastric protection", false),
    ("PANT40IV", 1, Frequency::Bid, "upper GI bleeding", true),
    ("OMEP20C", 1, Frequency::Qd, "reflux oesophagitis", false),
    ("ONDA4I", 1, Frequency::Prn, "nausea", false),
    ("MCP10I", 1, Frequency::Prn, "nausea", false),
    ("BISA10S", 1, Frequency::Prn, "constipation", false),
    ("PRED5T", 6, Frequency::Qd, "COPD exacerbation", false),
    ("DEXA4I", 2, Frequency::Qd, "cerebral oedema", false),
    ("DIAZ5T", 1, Frequency::Prn, "anxiety", false),
    ("THYR50T", 1, Frequency::Qd, "hypothyroidism", false),
    ("NACL1000", 1, Frequency::Bid, "maintenance fluids", false),
    ("RINGL1000", 1, Frequency::Bid, "rehydration", false),
];

/// (substance, ATC prefix, kind, reaction)
pub(super) const ALLERGIES: &[(&str, Option<&str>, &str, &str)] = &[
    ("penicillins", Some("J01C"), "allergy", "urticaria"),
    ("sulfonamides", Some("J01E"), "allergy", "rash"),
    ("NSAIDs", Some("M01A"), "intolerance", "gastric bleeding"),
    (
        "opioids (codeine)",
        Some("N02AJ"),
        "intolerance",
        "vomiting",
    ),
    ("cephalosporins", Some("J01D"), "allergy", "anaphylaxis"),
    ("latex", None, "allergy", "contact dermatitis"),
    (
        "iodinated contrast",
        Some("V08A"),
        "allergy",
        "bronchospasm",
    ),
    ("heparin", Some("B01AB"), "contraindication", "HIT history"),
];
