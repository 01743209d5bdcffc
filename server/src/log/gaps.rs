//! Ranges of event ids that were never handed out. A run that did not stop cleanly (a crash, a
//! power cut, a store that failed and kept chat going from memory) may have handed out ids it
//! could not store; the next run resumes far above them, so no id is ever given twice, and
//! records the range it jumped over so that counting events by id stays right.

/// How far ids jump after a run that did not stop cleanly: more than any run hands out.
pub const ID_JUMP: u64 = 1_000_000_000;

/// Sorted, disjoint ranges `[first, last]` of ids never handed out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Gaps(Vec<(u64, u64)>);

impl Gaps {
    /// No gaps.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the range `[first, last]` (above every range already there), joined to the last
    /// one when they touch, so repeated unclean stops without events add nothing.
    pub fn push(&mut self, first: u64, last: u64) {
        if first > last {
            return;
        }
        match self.0.last_mut() {
            Some((_, prev_last)) if prev_last.saturating_add(1) >= first => {
                *prev_last = (*prev_last).max(last);
            }
            _ => self.0.push((first, last)),
        }
    }

    /// The last id of the last range (0 without gaps).
    pub fn last_end(&self) -> u64 {
        self.0.last().map_or(0, |&(_, last)| last)
    }

    /// How many ids in `(after, upto]` were handed out: the events in that span.
    pub fn issued_between(&self, after: u64, upto: u64) -> u64 {
        if upto <= after {
            return 0;
        }
        let unissued: u64 = self
            .0
            .iter()
            .map(|&(first, last)| {
                let lo = first.max(after + 1);
                let hi = last.min(upto);
                (hi + 1).saturating_sub(lo)
            })
            .sum();
        (upto - after).saturating_sub(unissued)
    }

    /// The id after which `n` handed-out ids remain up to `upto` (so that
    /// `issued_between(result, upto) == n`), or 0 if there are fewer.
    pub fn back_by(&self, upto: u64, n: u64) -> u64 {
        let mut position = upto;
        let mut left = n;
        for &(first, last) in self.0.iter().rev() {
            if last >= position {
                position = position.min(first.saturating_sub(1));
                continue;
            }
            // Issued ids in (last, position].
            let run = position - last;
            if run >= left {
                return position - left;
            }
            left -= run;
            position = first.saturating_sub(1);
        }
        position.saturating_sub(left)
    }

    /// Drops ranges that end at or below `upto` (nothing there is kept any more).
    pub fn forget_upto(&mut self, upto: u64) {
        self.0.retain(|&(_, last)| last > upto);
    }

    /// The ranges as stored: `first-last,first-last`.
    pub fn encode(&self) -> String {
        let ranges: Vec<String> = self.0.iter().map(|(f, l)| format!("{f}-{l}")).collect();
        ranges.join(",")
    }

    /// Reads [`encode`](Self::encode)'s form; `None` if it is not that.
    pub fn decode(text: &str) -> Option<Self> {
        let mut gaps = Self::new();
        for range in text.split(',').filter(|r| !r.is_empty()) {
            let (first, last) = range.split_once('-')?;
            let (first, last) = (first.parse().ok()?, last.parse().ok()?);
            if first > last || gaps.0.last().is_some_and(|&(_, prev)| prev >= first) {
                return None;
            }
            gaps.0.push((first, last));
        }
        Some(gaps)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_steps_back_over_the_ids_never_handed_out() {
        let mut gaps = Gaps::new();
        gaps.push(11, 1_000);
        gaps.push(1_006, 1_999);
        // Handed out: 1..=10, 1001..=1005, 2000…
        assert_eq!(gaps.issued_between(0, 10), 10);
        assert_eq!(gaps.issued_between(5, 2_004), 5 + 5 + 5);
        assert_eq!(gaps.issued_between(500, 1_003), 3);
        assert_eq!(gaps.back_by(2_004, 5), 1_999);
        assert_eq!(gaps.back_by(2_004, 7), 1_003);
        assert_eq!(gaps.back_by(2_004, 12), 8);
        assert_eq!(gaps.back_by(2_004, 100), 0);
        for n in 0..=20 {
            let from = gaps.back_by(2_004, n);
            assert_eq!(gaps.issued_between(from, 2_004), n, "n = {n}");
        }
        assert_eq!(Gaps::decode(&gaps.encode()), Some(gaps.clone()));
        assert_eq!(Gaps::decode(""), Some(Gaps::new()));
        assert_eq!(Gaps::decode("5-3"), None);
        assert_eq!(Gaps::decode("1-9,5-20"), None);
        gaps.forget_upto(1_000);
        assert_eq!(gaps.encode(), "1006-1999");
        gaps.push(2_000, 3_000);
        assert_eq!(gaps.encode(), "1006-3000", "touching ranges are one");
    }
}
