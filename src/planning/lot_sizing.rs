//! Order quantities: the lot-sizing rules and the rounding every order gets.
//!
//! All quantities are whole dose units. The rules that need to look ahead
//! (period order quantity) or to compare with projected stock (min/max) are
//! applied by the netting loop in [`super::mrp`]; the arithmetic is here.

/// The smallest multiple of `pack` that is at least `qty` (a `pack` of 0 is
/// taken as 1).
pub fn round_to_packs(qty: u64, pack: u64) -> u64 {
    let pack = pack.max(1);
    qty.div_ceil(pack).saturating_mul(pack)
}

/// The order placed for a rule's quantity: raised to the minimum order, then
/// to whole packs. Zero stays zero (no order).
pub fn finish_order(rule_qty: u64, min_order: u64, pack: u64) -> u64 {
    if rule_qty == 0 {
        0
    } else {
        round_to_packs(rule_qty.max(min_order), pack)
    }
}

/// Fixed order quantity: the smallest multiple of `q` covering `net`.
pub fn fixed_quantity(net: u64, q: u64) -> u64 {
    round_to_packs(net, q)
}

/// The economic order quantity `ceil(sqrt(2·D·S/H))`, where the mean demand
/// per bucket is `D = total_gross / buckets`, `S` is the cost of one order
/// and `H` the cost of holding one unit for one bucket. Returns the smallest
/// whole `n` with `n² ≥ 2·D·S/H`; 0 without demand or with a non-positive
/// holding cost.
pub fn eoq(total_gross: u64, buckets: usize, order_cost: f64, holding_cost: f64) -> u64 {
    // NaN costs fail these comparisons too.
    let costs_usable = holding_cost > 0.0 && order_cost > 0.0;
    if total_gross == 0 || buckets == 0 || !costs_usable {
        return 0;
    }
    let x = 2.0 * (total_gross as f64) * order_cost / ((buckets as f64) * holding_cost);
    if !x.is_finite() {
        return u64::MAX;
    }
    // The square root is correct to the last bit; settle the integer
    // boundary exactly so 400 gives 20, not 21.
    let mut n = x.sqrt().ceil();
    // Beyond 2^52 a step of one no longer changes `n`: the square root is
    // the answer as it is. Below, the root is within a step or two.
    if n >= 4_503_599_627_370_496.0 {
        return n as u64;
    }
    for _ in 0..4 {
        if n > 0.0 && (n - 1.0) * (n - 1.0) >= x {
            n -= 1.0;
        }
    }
    for _ in 0..4 {
        if n * n < x {
            n += 1.0;
        }
    }
    n as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packs_round_up_and_never_down() {
        assert_eq!(round_to_packs(0, 10), 0);
        assert_eq!(round_to_packs(1, 10), 10);
        assert_eq!(round_to_packs(10, 10), 10);
        assert_eq!(round_to_packs(11, 10), 20);
        assert_eq!(round_to_packs(7, 0), 7);
    }

    #[test]
    fn minimum_order_then_packs() {
        assert_eq!(finish_order(0, 50, 10), 0);
        assert_eq!(finish_order(5, 0, 10), 10);
        assert_eq!(finish_order(5, 25, 10), 30);
        assert_eq!(finish_order(60, 25, 10), 60);
    }

    #[test]
    fn fixed_quantity_is_the_smallest_covering_multiple() {
        assert_eq!(fixed_quantity(1, 50), 50);
        assert_eq!(fixed_quantity(50, 50), 50);
        assert_eq!(fixed_quantity(51, 50), 100);
    }

    #[test]
    fn eoq_is_a_ceiling_exact_on_squares() {
        // D = 10, S = 20, H = 1: sqrt(400) = 20 exactly.
        assert_eq!(eoq(100, 10, 20.0, 1.0), 20);
        // D = 27, S = 100, H = 1: sqrt(5400) = 73.48…
        assert_eq!(eoq(270, 10, 100.0, 1.0), 74);
        assert_eq!(eoq(0, 10, 100.0, 1.0), 0);
        assert_eq!(eoq(10, 10, 0.0, 1.0), 0);
    }
}
