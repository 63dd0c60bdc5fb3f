//! GTIN check digits (GS1 General Specifications §7.9, mod-10).

/// Why a number is not a GTIN (the words are in `i18n::domain`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GtinError {
    /// The number and its length.
    Length(String, usize),
    /// The number, the character that is not a digit, its position.
    NotDigit(String, char, usize),
    CheckDigit {
        gtin: String,
        found: u8,
        expected: u8,
    },
}

impl std::error::Error for GtinError {}

/// The GS1 mod-10 check digit for the digits that precede it.
/// Returns `None` if any character is not an ASCII digit.
pub fn check_digit(body: &str) -> Option<u8> {
    let mut sum = 0u32;
    // Weights alternate 3, 1, … starting from the rightmost body digit.
    for (i, c) in body.chars().rev().enumerate() {
        let d = c.to_digit(10)?;
        sum += if i % 2 == 0 { d * 3 } else { d };
    }
    Some(((10 - sum % 10) % 10) as u8)
}

/// Validates a GTIN-8/12/13/14 and returns it as a 14-digit GTIN
/// (left-padded with zeros), the form GS1 element strings carry.
pub fn normalize(gtin: &str) -> Result<String, GtinError> {
    let g = gtin.trim();
    if let Some((pos, c)) = g.chars().enumerate().find(|(_, c)| !c.is_ascii_digit()) {
        return Err(GtinError::NotDigit(g.to_string(), c, pos + 1));
    }
    if ![8, 12, 13, 14].contains(&g.len()) {
        return Err(GtinError::Length(g.to_string(), g.len()));
    }
    let (body, last) = g.split_at(g.len() - 1);
    let expected = check_digit(body).unwrap_or(0);
    let found = last.as_bytes()[0] - b'0';
    if found != expected {
        return Err(GtinError::CheckDigit {
            gtin: g.to_string(),
            found,
            expected,
        });
    }
    Ok(format!("{g:0>14}"))
}

/// Completes a body of 7, 11, 12 or 13 digits with its check digit.
pub fn with_check_digit(body: &str) -> Option<String> {
    check_digit(body).map(|d| format!("{body}{d}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_gtins() {
        // GS1's own examples.
        assert_eq!(normalize("09506000134352").unwrap(), "09506000134352");
        assert_eq!(normalize("4006381333931").unwrap(), "04006381333931");
        assert_eq!(normalize("96385074").unwrap(), "00000096385074");
        assert_eq!(normalize("036000291452").unwrap(), "00036000291452");
    }

    #[test]
    fn wrong_check_digit_is_named() {
        let e = normalize("4006381333932").unwrap_err();
        assert_eq!(
            e,
            GtinError::CheckDigit {
                gtin: "4006381333932".into(),
                found: 2,
                expected: 1
            }
        );
        assert!(matches!(
            normalize("40063813339"),
            Err(GtinError::Length(_, 11))
        ));
        assert!(matches!(
            normalize("40063x1333931"),
            Err(GtinError::NotDigit(_, 'x', 6))
        ));
    }

    proptest! {
        #[test]
        fn completed_bodies_validate(body in "[0-9]{12}") {
            let g = with_check_digit(&body).unwrap();
            prop_assert!(normalize(&g).is_ok());
        }

        #[test]
        fn any_single_digit_change_is_caught(body in "[0-9]{12}", pos in 0usize..13, delta in 1u8..10) {
            let g = with_check_digit(&body).unwrap();
            let mut bytes = g.into_bytes();
            bytes[pos] = b'0' + (bytes[pos] - b'0' + delta) % 10;
            let changed = String::from_utf8(bytes).unwrap();
            prop_assert!(normalize(&changed).is_err());
        }
    }
}
