//! Controls for tests and benchmarks: simulated latency, injected faults and their counters.
//! [`super::NetSuiteEmulator`] exposes them as methods and `/__sandbox/...` as HTTP routes.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The delay before the emulator sends a response, during which the request counts against
/// the concurrency limit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Latency {
    /// The same delay for every request.
    Fixed {
        /// Milliseconds.
        ms: u64,
    },
    /// A delay drawn uniformly between two bounds, both included.
    Uniform {
        /// Lower bound in milliseconds.
        min_ms: u64,
        /// Upper bound in milliseconds.
        max_ms: u64,
    },
    /// A delay drawn from a normal distribution; draws below zero wait nothing.
    Normal {
        /// Mean in milliseconds.
        mean_ms: u64,
        /// Standard deviation in milliseconds.
        std_dev_ms: u64,
    },
}

impl Latency {
    /// No delay.
    pub const NONE: Latency = Latency::Fixed { ms: 0 };

    /// Draws one delay.
    pub fn sample(&self) -> Duration {
        let millis = match *self {
            Latency::Fixed { ms } => ms as f64,
            Latency::Uniform { min_ms, max_ms } => {
                let (low, high) = (min_ms.min(max_ms), min_ms.max(max_ms));
                rand::random_range(low..=high) as f64
            }
            Latency::Normal {
                mean_ms,
                std_dev_ms,
            } => mean_ms as f64 + std_dev_ms as f64 * standard_normal(),
        };
        Duration::from_secs_f64(millis.max(0.0) / 1000.0)
    }
}

impl From<Duration> for Latency {
    fn from(delay: Duration) -> Latency {
        Latency::Fixed {
            ms: u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
        }
    }
}

/// Draws from the standard normal distribution with the Box-Muller transform.
fn standard_normal() -> f64 {
    // `random` gives [0, 1); the logarithm needs a value above zero.
    let u1 = 1.0 - rand::random::<f64>();
    let u2 = rand::random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

/// The effect of an injected fault on a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// The concurrency fault `WS_REQUEST_BLOCKED`, as if the account's limit were reached
    /// (HTTP 500). The operation does not run.
    Concurrency,
    /// The operation runs, then the response is held back for the plan's `hold`, so a client
    /// with a shorter timeout gives up on a request whose write has happened.
    Timeout,
    /// HTTP 503 without a body, as a load balancer sends when NetSuite is unavailable. The
    /// operation does not run.
    Http503,
    /// HTTP 200 with a response cut off in the middle, which no XML parser accepts. The
    /// operation runs.
    MalformedXml,
    /// The `unexpectedErrorFault` with code `UNEXPECTED_ERROR` (HTTP 500). The operation does
    /// not run.
    UnexpectedError,
}

/// When a fault plan fires.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultTrigger {
    /// Each matching request independently, with this probability between 0 and 1.
    Rate(f64),
    /// The next this many matching requests, then the plan is spent.
    Next(u32),
}

/// One rule of fault injection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaultPlan {
    /// The fault's effect.
    pub kind: FaultKind,
    /// When it fires.
    pub trigger: FaultTrigger,
    /// Only requests of this operation (`search`, `upsertList`...); every request when `None`.
    #[serde(default)]
    pub operation: Option<String>,
    /// The delay of a [`FaultKind::Timeout`] response; 10 minutes when `None`.
    #[serde(default, with = "optional_millis")]
    pub hold: Option<Duration>,
}

/// The delay of a timeout fault's response when the plan sets none.
pub(crate) const DEFAULT_TIMEOUT_HOLD: Duration = Duration::from_secs(600);

impl FaultPlan {
    /// Creates a plan that fails the next `count` requests of any operation.
    pub fn next(kind: FaultKind, count: u32) -> FaultPlan {
        FaultPlan {
            kind,
            trigger: FaultTrigger::Next(count),
            operation: None,
            hold: None,
        }
    }

    /// Creates a plan that fails each request with probability `rate`.
    pub fn rate(kind: FaultKind, rate: f64) -> FaultPlan {
        FaultPlan {
            kind,
            trigger: FaultTrigger::Rate(rate),
            operation: None,
            hold: None,
        }
    }

    /// Restricts the plan to one operation.
    pub fn for_operation(mut self, operation: &str) -> FaultPlan {
        self.operation = Some(operation.to_string());
        self
    }

    /// Sets the delay of a timeout fault's response.
    pub fn with_hold(mut self, hold: Duration) -> FaultPlan {
        self.hold = Some(hold);
        self
    }
}

/// The fault chosen for one request.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct InjectedFault {
    pub kind: FaultKind,
    pub hold: Duration,
}

/// The active fault plans, in the order they were added.
#[derive(Debug, Default)]
pub(crate) struct FaultPlans {
    plans: Vec<FaultPlan>,
}

impl FaultPlans {
    /// Adds a plan; earlier plans are tried first.
    pub fn push(&mut self, plan: FaultPlan) {
        self.plans.push(plan);
    }

    /// Removes every plan.
    pub fn clear(&mut self) {
        self.plans.clear();
    }

    /// Returns the plans still active.
    pub fn plans(&self) -> &[FaultPlan] {
        &self.plans
    }

    /// Picks the fault for a request of `operation` (`None` when the body could not be read),
    /// using up one request of a `Next` plan that fires. Spent plans are removed.
    pub fn pick(&mut self, operation: Option<&str>) -> Option<InjectedFault> {
        let mut chosen = None;
        for plan in &mut self.plans {
            let applies = plan
                .operation
                .as_deref()
                .is_none_or(|wanted| Some(wanted) == operation);
            if !applies {
                continue;
            }
            let fires = match &mut plan.trigger {
                FaultTrigger::Rate(rate) => rand::random::<f64>() < *rate,
                FaultTrigger::Next(remaining) => {
                    let fires = *remaining > 0;
                    *remaining = remaining.saturating_sub(1);
                    fires
                }
            };
            if fires {
                chosen = Some(InjectedFault {
                    kind: plan.kind,
                    hold: plan.hold.unwrap_or(DEFAULT_TIMEOUT_HOLD),
                });
                break;
            }
        }
        self.plans
            .retain(|plan| plan.trigger != FaultTrigger::Next(0));
        chosen
    }
}

/// Counters of what the emulator did, for tests and benchmarks.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counters {
    /// Requests per operation that passed authentication and ran.
    pub operations: BTreeMap<String, u64>,
    /// Requests failed on purpose, per fault kind.
    pub injected_faults: BTreeMap<FaultKind, u64>,
    /// Requests rejected because the concurrency limit was reached.
    pub blocked: u64,
}

/// Reads and writes an optional duration as whole milliseconds.
mod optional_millis {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &Option<Duration>, out: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(duration) => out.serialize_some(&(duration.as_millis() as u64)),
            None => out.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(input: D) -> Result<Option<Duration>, D::Error> {
        let millis: Option<u64> = Option::deserialize(input)?;
        Ok(millis.map(Duration::from_millis))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latency_uniform_stays_within_bounds() {
        let latency = Latency::Uniform {
            min_ms: 5,
            max_ms: 9,
        };
        for _ in 0..200 {
            let delay = latency.sample();
            assert!(delay >= Duration::from_millis(5), "{delay:?}");
            assert!(delay <= Duration::from_millis(9), "{delay:?}");
        }
    }

    #[test]
    fn latency_normal_has_its_mean() {
        let latency = Latency::Normal {
            mean_ms: 100,
            std_dev_ms: 10,
        };
        let total: f64 = (0..2000).map(|_| latency.sample().as_secs_f64()).sum();
        let mean_ms = total / 2000.0 * 1000.0;
        assert!((95.0..105.0).contains(&mean_ms), "mean {mean_ms}");
    }

    #[test]
    fn latency_reads_json_forms() {
        let fixed: Latency = serde_json::from_str(r#"{"kind":"fixed","ms":40}"#).unwrap();
        assert_eq!(fixed, Latency::Fixed { ms: 40 });
        let uniform: Latency =
            serde_json::from_str(r#"{"kind":"uniform","min_ms":1,"max_ms":2}"#).unwrap();
        assert_eq!(
            uniform,
            Latency::Uniform {
                min_ms: 1,
                max_ms: 2
            }
        );
    }

    #[test]
    fn fault_plans_next_fires_count_times_then_goes() {
        let mut plans = FaultPlans::default();
        plans.push(FaultPlan::next(FaultKind::Http503, 2));
        assert!(plans.pick(Some("get")).is_some());
        assert!(plans.pick(Some("get")).is_some());
        assert!(plans.pick(Some("get")).is_none());
        assert!(plans.plans().is_empty());
    }

    #[test]
    fn fault_plans_respect_operation_filter() {
        let mut plans = FaultPlans::default();
        plans.push(FaultPlan::next(FaultKind::Concurrency, 1).for_operation("search"));
        assert!(plans.pick(Some("get")).is_none());
        assert!(plans.pick(None).is_none());
        let fault = plans.pick(Some("search")).unwrap();
        assert_eq!(fault.kind, FaultKind::Concurrency);
    }

    #[test]
    fn fault_plans_rate_zero_and_one() {
        let mut plans = FaultPlans::default();
        plans.push(FaultPlan::rate(FaultKind::UnexpectedError, 0.0));
        assert!(plans.pick(Some("get")).is_none());
        plans.push(FaultPlan::rate(FaultKind::UnexpectedError, 1.0));
        assert!(plans.pick(Some("get")).is_some());
    }

    #[test]
    fn fault_plan_reads_json() {
        let plan: FaultPlan = serde_json::from_str(
            r#"{"kind":"timeout","trigger":{"next":1},"operation":"add","hold":250}"#,
        )
        .unwrap();
        assert_eq!(plan.kind, FaultKind::Timeout);
        assert_eq!(plan.trigger, FaultTrigger::Next(1));
        assert_eq!(plan.hold, Some(Duration::from_millis(250)));
    }
}
