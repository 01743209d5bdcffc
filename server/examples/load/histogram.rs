//! A small log-linear latency histogram: exact microseconds below 1024, then 64 buckets per
//! power of two (about 1.6 % relative width), so recording is one index computation and one add.

/// Values below this are counted exactly.
const EXACT: u64 = 1 << EXACT_BITS;
const EXACT_BITS: u32 = 10;
/// Buckets per power of two above `EXACT` (2^6 = 64).
const SUB_BITS: u32 = 6;
/// Powers of two covered above `EXACT`: up to 2^40 µs (12 days); larger values share the last bucket.
const OCTAVES: usize = 30;
const BUCKETS: usize = EXACT as usize + OCTAVES * (1 << SUB_BITS);

/// Latencies in microseconds.
#[derive(Debug, Clone)]
pub struct Histogram {
    counts: Vec<u64>,
    total: u64,
    max: u64,
}

impl Default for Histogram {
    fn default() -> Self {
        Self {
            counts: vec![0; BUCKETS],
            total: 0,
            max: 0,
        }
    }
}

impl Histogram {
    /// Counts one value.
    pub fn record(&mut self, us: u64) {
        let slot = bucket(us).min(BUCKETS - 1);
        self.counts[slot] += 1;
        self.total += 1;
        self.max = self.max.max(us);
    }

    /// Adds every count of `other`.
    pub fn merge(&mut self, other: &Histogram) {
        for (mine, theirs) in self.counts.iter_mut().zip(&other.counts) {
            *mine += theirs;
        }
        self.total += other.total;
        self.max = self.max.max(other.max);
    }

    /// The largest value recorded (exact).
    pub fn max(&self) -> u64 {
        self.max
    }

    /// The value at quantile `q` (0..=1): the middle of its bucket, never above the maximum.
    pub fn quantile(&self, q: f64) -> u64 {
        if self.total == 0 {
            return 0;
        }
        let rank = ((q * self.total as f64).ceil() as u64).clamp(1, self.total);
        let mut seen = 0;
        for (slot, count) in self.counts.iter().enumerate() {
            seen += count;
            if seen >= rank {
                return middle(slot).min(self.max);
            }
        }
        self.max
    }
}

fn bucket(us: u64) -> usize {
    if us < EXACT {
        return us as usize;
    }
    let exponent = 63 - us.leading_zeros(); // >= EXACT_BITS
    let sub = (us >> (exponent - SUB_BITS)) - (1 << SUB_BITS);
    EXACT as usize + (exponent - EXACT_BITS) as usize * (1 << SUB_BITS) + sub as usize
}

fn middle(slot: usize) -> u64 {
    if slot < EXACT as usize {
        return slot as u64;
    }
    let above = slot - EXACT as usize;
    let exponent = (above >> SUB_BITS) as u32 + EXACT_BITS;
    let sub = (above & ((1 << SUB_BITS) - 1)) as u64;
    let width = 1u64 << (exponent - SUB_BITS);
    ((1 << SUB_BITS) + sub) * width + width / 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_values_are_exact_and_large_ones_within_two_percent() {
        let mut h = Histogram::default();
        for us in 1..=1000 {
            h.record(us);
        }
        assert_eq!(h.quantile(0.5), 500);
        assert_eq!(h.quantile(1.0), 1000);
        for us in [1024, 5_000, 123_456, 9_999_999, 1 << 39] {
            let m = middle(bucket(us));
            assert!(m.abs_diff(us) * 50 <= us, "{us} -> {m}");
        }
    }

    #[test]
    fn merged_quantiles_cover_both() {
        let (mut a, mut b) = (Histogram::default(), Histogram::default());
        (0..99).for_each(|_| a.record(10));
        b.record(2_000_000);
        a.merge(&b);
        assert_eq!(a.total, 100);
        assert_eq!(a.quantile(0.99), 10);
        assert_eq!(a.max(), 2_000_000);
        assert!(a.quantile(0.999).abs_diff(2_000_000) < 40_000);
    }
}
