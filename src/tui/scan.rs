//! A barcode scanner is a keyboard: it types a burst of characters much
//! faster than a person and ends with Enter. The detector watches key
//! timing; when Enter closes a fast burst, the keys were a scan.

use std::time::Duration;

/// Keys closer together than this belong to one burst (scanners type a
/// character every 1–15 ms; people rarely under 50 ms).
pub const SCAN_GAP: Duration = Duration::from_millis(35);
/// The shortest scan: a GTIN-8.
pub const MIN_SCAN_LEN: usize = 8;

#[derive(Debug, Default, Clone)]
pub struct Detector {
    buf: String,
    last: Option<Duration>,
}

/// What a key means for the detector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seen {
    /// A character; `first` when it starts a new burst.
    Char { first: bool },
    /// Enter closing a fast burst: the scanned data.
    Scan(String),
    /// Anything else: not a scan.
    Other,
}

impl Detector {
    pub fn char(&mut self, c: char, at: Duration) -> Seen {
        let first = self.last.is_none_or(|l| at.saturating_sub(l) > SCAN_GAP);
        if first {
            self.buf.clear();
        }
        self.buf.push(c);
        self.last = Some(at);
        Seen::Char { first }
    }

    pub fn enter(&mut self, at: Duration) -> Seen {
        let fast = self.last.is_some_and(|l| at.saturating_sub(l) <= SCAN_GAP);
        let data = std::mem::take(&mut self.buf);
        self.last = None;
        // GS1 data never holds a space: a fast burst with one is someone typing fast.
        if fast && data.chars().count() >= MIN_SCAN_LEN && !data.contains(' ') {
            Seen::Scan(data)
        } else {
            Seen::Other
        }
    }

    pub fn other(&mut self) -> Seen {
        self.buf.clear();
        self.last = None;
        Seen::Other
    }
}

/// Why scanned data gave no item.
#[derive(Debug)]
pub enum Unresolved {
    /// Not GS1 data the reader understands.
    NotUnderstood(String),
    /// GS1 data without a product code.
    NoGtin,
    /// A product code no item knows (it may be linked to one).
    Unknown(String),
    Other(String),
}

/// The item and GS1 fields of a scanned pack (the one lookup the command
/// line's `--scan` uses too).
pub fn resolve(
    cx: &super::component::Ctx,
    data: &str,
) -> Result<(crate::ops::stock::ItemRef, crate::gs1::Gs1), Unresolved> {
    use crate::ops::scan::{ScanError, read_pack};
    match read_pack(
        &cx.store.conn,
        data,
        cx.settings.scanner.separator,
        cx.today(),
    ) {
        Ok(p) => Ok((p.item, p.gs1)),
        Err(ScanError::NotGs1(e)) => Err(Unresolved::NotUnderstood(e.to_string())),
        Err(ScanError::NoGtin) => Err(Unresolved::NoGtin),
        Err(ScanError::UnknownGtin { gtin }) => Err(Unresolved::Unknown(gtin)),
        Err(ScanError::Stock(e)) => Err(Unresolved::Other(e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn a_fast_burst_ending_in_enter_is_a_scan() {
        let mut d = Detector::default();
        let data = "0109506000134352";
        for (i, c) in data.chars().enumerate() {
            assert_eq!(
                d.char(c, ms(1000 + 5 * i as u64)),
                Seen::Char { first: i == 0 }
            );
        }
        assert_eq!(
            d.enter(ms(1000 + 5 * data.len() as u64)),
            Seen::Scan(data.into())
        );
    }

    #[test]
    fn typing_is_not_a_scan() {
        let mut d = Detector::default();
        for (i, c) in "paracetamol".chars().enumerate() {
            d.char(c, ms(120 * i as u64));
        }
        assert_eq!(d.enter(ms(2000)), Seen::Other);
        // A slow start followed by a fast tail only counts the tail.
        let mut d = Detector::default();
        d.char('x', ms(0));
        for (i, c) in "96385074".chars().enumerate() {
            d.char(c, ms(500 + 3 * i as u64));
        }
        assert_eq!(d.enter(ms(530)), Seen::Scan("96385074".into()));
        // Too short, or a pause before Enter: not a scan.
        let mut d = Detector::default();
        for (i, c) in "1234".chars().enumerate() {
            d.char(c, ms(3 * i as u64));
        }
        assert_eq!(d.enter(ms(12)), Seen::Other);
        for (i, c) in "0109506000134352".chars().enumerate() {
            d.char(c, ms(100 + 3 * i as u64));
        }
        assert_eq!(d.enter(ms(900)), Seen::Other);
        // Fast text with spaces is typing, not a scan.
        for (i, c) in "dropped on floor".chars().enumerate() {
            d.char(c, ms(1000 + 3 * i as u64));
        }
        assert_eq!(d.enter(ms(1060)), Seen::Other);
    }
}
