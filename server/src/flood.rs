//! Flood control: a burst of lines goes out at once (a paste), then a steady rate; lines past
//! it wait their turn instead of being dropped. The generic cell rate algorithm (a token bucket
//! kept as one instant): no clock inside, time comes in as `now`, so tests need no sleeps.

use std::time::{Duration, Instant};

/// How fast one member may send lines that reach the room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FloodConfig {
    /// Lines that may go out at once after a quiet moment.
    pub burst: u32,
    /// Lines per second after the burst.
    pub per_second: u32,
}

impl Default for FloodConfig {
    fn default() -> Self {
        Self {
            burst: 25,
            per_second: 5,
        }
    }
}

/// One member's allowance.
#[derive(Debug, Clone)]
pub struct FloodLimiter {
    /// Time one line costs.
    interval: Duration,
    /// How far ahead of `now` the allowance may be spent (the burst).
    tolerance: Duration,
    /// When the allowance is next whole: the "theoretical arrival time".
    due: Option<Instant>,
}

impl FloodLimiter {
    /// A full allowance under `config`.
    pub fn new(config: FloodConfig) -> Self {
        let interval = Duration::from_secs(1) / config.per_second.max(1);
        Self {
            interval,
            tolerance: interval * config.burst.max(1).saturating_sub(1),
            due: None,
        }
    }

    /// Spends one line at `now` if the allowance has it (`Ok`), or says when it will
    /// (`Err(when)`; nothing is spent).
    pub fn spend(&mut self, now: Instant) -> Result<(), Instant> {
        let due = self.due.map_or(now, |due| due.max(now));
        if let Some(ahead) = due.checked_duration_since(now)
            && ahead > self.tolerance
        {
            return Err(due - self.tolerance);
        }
        self.due = Some(due + self.interval);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(burst: u32, per_second: u32) -> FloodLimiter {
        FloodLimiter::new(FloodConfig { burst, per_second })
    }

    #[test]
    fn a_burst_goes_at_once_then_the_rate_holds() {
        let start = Instant::now();
        let mut flood = limiter(20, 4);
        for i in 0..20 {
            assert_eq!(flood.spend(start), Ok(()), "line {i} of the paste");
        }
        let wait = flood.spend(start).expect_err("the 21st waits");
        assert_eq!(wait - start, Duration::from_millis(250));
        assert_eq!(flood.spend(wait), Ok(()));
        assert!(
            flood.spend(wait).is_err(),
            "one per interval after the burst"
        );
        // Over ten seconds at most the burst plus the rate gets through.
        let mut sent = 21;
        let mut now = wait;
        while now < start + Duration::from_secs(10) {
            match flood.spend(now) {
                Ok(()) => sent += 1,
                Err(when) => now = when,
            }
        }
        assert!(sent <= 20 + 4 * 10, "{sent} lines in 10 s");
    }

    #[test]
    fn a_quiet_moment_refills_the_burst_but_never_beyond_it() {
        let start = Instant::now();
        let mut flood = limiter(3, 10);
        for _ in 0..3 {
            flood.spend(start).expect("burst");
        }
        assert!(flood.spend(start).is_err());
        let later = start + Duration::from_secs(60);
        for _ in 0..3 {
            flood.spend(later).expect("burst again");
        }
        assert!(
            flood.spend(later).is_err(),
            "a long silence saves no more than the burst"
        );
    }
}
