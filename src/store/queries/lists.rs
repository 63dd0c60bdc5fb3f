//! Lists of ids as one parameter of a query: read back as rows by SQLite's
//! array table (`rarray`), without turning them into text and parsing them
//! again.

use super::*;
use rusqlite::ToSql;
use rusqlite::types::{ToSqlOutput, Value};
use rusqlite::vtab::array::Array;

/// What every connection of the store needs before it reads: the array
/// table the lists below are read through.
pub fn ready_connection(conn: &Connection) -> rusqlite::Result<()> {
    if let Some(v) = std::env::var_os("WS_MMAP") {
        let _ = conn.pragma_update(
            None,
            "mmap_size",
            v.to_string_lossy().parse::<i64>().unwrap_or(0),
        );
    }
    rusqlite::vtab::array::load_module(conn)
}

/// Ids (items, lots, …) as one parameter: `SELECT value FROM rarray(?)`.
pub fn id_list(ids: &[i64]) -> Array {
    std::rc::Rc::new(ids.iter().copied().map(Value::from).collect())
}

/// (place, item) pairs as one parameter. Read them back as rows
/// `(place, item)` with the SQL of [`Pairs::rows`].
pub struct Pairs(PairsParam);

enum PairsParam {
    /// Each pair in one integer, place in the high half: ids below 2³¹.
    Packed(Array),
    /// Ids too large to pack (never made by wardstock itself): as JSON.
    Json(String),
}

/// The largest id that packs with another into one integer.
const PACKED_MAX: i64 = (1 << 31) - 1;

impl Pairs {
    pub fn new(pairs: &[(i64, i64)]) -> Pairs {
        let fits = |id: i64| (0..=PACKED_MAX).contains(&id);
        if pairs.iter().all(|&(p, i)| fits(p) && fits(i)) {
            Pairs(PairsParam::Packed(std::rc::Rc::new(
                pairs
                    .iter()
                    .map(|&(p, i)| Value::from((p << 32) | i))
                    .collect(),
            )))
        } else {
            Pairs(PairsParam::Json(
                serde_json::to_string(pairs).unwrap_or_else(|_| "[]".into()),
            ))
        }
    }

    /// A SELECT giving the pairs as rows (place, item), reading parameter `?1`.
    pub fn rows(&self) -> &'static str {
        match self.0 {
            PairsParam::Packed(_) => "SELECT value >> 32, value & 4294967295 FROM rarray(?1)",
            PairsParam::Json(_) => "SELECT j.value ->> 0, j.value ->> 1 FROM json_each(?1) j",
        }
    }
}

impl ToSql for Pairs {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        match &self.0 {
            PairsParam::Packed(a) => a.to_sql(),
            PairsParam::Json(s) => s.to_sql(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(pairs: &[(i64, i64)]) -> Vec<(i64, i64)> {
        let conn = Connection::open_in_memory().unwrap();
        ready_connection(&conn).unwrap();
        let list = Pairs::new(pairs);
        let mut stmt = conn.prepare(list.rows()).unwrap();
        stmt.query_map([&list], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    #[test]
    fn pairs_read_back_as_they_were_given_packed_or_not() {
        let small = [(1, 2), (27, 4246), (PACKED_MAX, 0), (0, PACKED_MAX)];
        assert!(matches!(Pairs::new(&small).0, PairsParam::Packed(_)));
        assert_eq!(read(&small), small);
        let large = [(3, 1 << 40), (i64::MAX, -5)];
        assert!(matches!(Pairs::new(&large).0, PairsParam::Json(_)));
        assert_eq!(read(&large), large);
        assert!(read(&[]).is_empty());
    }

    #[test]
    fn ids_read_back_as_they_were_given() {
        let conn = Connection::open_in_memory().unwrap();
        ready_connection(&conn).unwrap();
        let ids = [5, -1, i64::MAX, 0];
        let got: Vec<i64> = conn
            .prepare("SELECT value FROM rarray(?1)")
            .unwrap()
            .query_map([id_list(&ids)], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(got, ids);
    }
}
