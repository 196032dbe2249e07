//! Flows whose settings can be swapped while the daemon runs, so a mapping saved in the web
//! UI is used from the flow's next pass on.

use std::sync::{Arc, RwLock};

use async_trait::async_trait;
use tandem_engine::PassReport;
use tandem_engine::flow::{FieldUse, Flow, NamedRecords};
use tandem_engine::pass::{Connections, PassFailure, ReplayError, ReplayOutcome};
use tandem_engine::work::WorkerLease;

type Slot = Arc<RwLock<Arc<dyn Flow>>>;

/// A flow that runs whichever version of itself its slot holds when a call starts; a pass in
/// progress finishes with the version it started with.
struct ReloadableFlow {
    name: String,
    slot: Slot,
}

impl ReloadableFlow {
    fn current(&self) -> Arc<dyn Flow> {
        current(&self.slot)
    }
}

fn current(slot: &Slot) -> Arc<dyn Flow> {
    // A flow is replaced whole, so the slot stays valid after a panic elsewhere.
    slot.read()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .clone()
}

#[async_trait]
impl Flow for ReloadableFlow {
    fn name(&self) -> &str {
        &self.name
    }

    fn fields(&self) -> Vec<FieldUse> {
        self.current().fields()
    }

    fn named_records(&self) -> Vec<NamedRecords> {
        self.current().named_records()
    }

    async fn pass(&self, connections: &Connections) -> Result<PassReport, PassFailure> {
        self.current().pass(connections).await
    }

    fn shares_passes(&self) -> bool {
        self.current().shares_passes()
    }

    async fn pass_as(
        &self,
        connections: &Connections,
        worker: &WorkerLease,
    ) -> Result<PassReport, PassFailure> {
        self.current().pass_as(connections, worker).await
    }

    async fn help(
        &self,
        connections: &Connections,
        worker: &WorkerLease,
    ) -> Option<Result<PassReport, PassFailure>> {
        self.current().help(connections, worker).await
    }

    async fn replay(
        &self,
        connections: &Connections,
        id: i64,
    ) -> Result<ReplayOutcome, ReplayError> {
        self.current().replay(connections, id).await
    }

    fn replays_payload(&self) -> bool {
        self.current().replays_payload()
    }

    async fn sync_records(
        &self,
        connections: &Connections,
        ids: Vec<String>,
    ) -> Option<Result<PassReport, PassFailure>> {
        self.current().sync_records(connections, ids).await
    }
}

/// The slots of the flows made reloadable by [`reloadable`], by flow name.
#[derive(Clone, Default)]
pub struct FlowSlots {
    slots: Vec<(String, Slot)>,
}

impl FlowSlots {
    /// Puts each of `flows` in the slot of the same name. A flow without a slot (one the new
    /// configuration enables that the running one did not) is left out: enabling a flow takes
    /// a restart. Returns the names of the flows replaced.
    pub fn replace(&self, flows: Vec<Box<dyn Flow>>) -> Vec<String> {
        let mut replaced = Vec::new();
        for flow in flows {
            let Some((name, slot)) = self.slots.iter().find(|(name, _)| name == flow.name()) else {
                tracing::warn!(flow = flow.name(), "flow not running; a restart enables it");
                continue;
            };
            let mut held = slot
                .write()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            *held = Arc::from(flow);
            replaced.push(name.clone());
        }
        replaced
    }
}

/// Wraps `flows` so that [`FlowSlots::replace`] can swap them later.
pub fn reloadable(flows: Vec<Box<dyn Flow>>) -> (Vec<Box<dyn Flow>>, FlowSlots) {
    let mut wrapped: Vec<Box<dyn Flow>> = Vec::with_capacity(flows.len());
    let mut slots = FlowSlots::default();
    for flow in flows {
        let name = flow.name().to_string();
        let slot: Slot = Arc::new(RwLock::new(Arc::from(flow)));
        slots.slots.push((name.clone(), slot.clone()));
        wrapped.push(Box::new(ReloadableFlow { name, slot }));
    }
    (wrapped, slots)
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use chrono::{DateTime, Utc};
    use tandem_engine::memory_store::MemoryStore;
    use tandem_engine::retry::RetryPolicy;
    use tandem_engine::{
        NewRecord, ObjectSpec, RecordPort, RecordUpdate, RemoteError, SourceRecord, System,
        WriteResult,
    };

    use super::*;

    /// A flow that shares its passes and records which of its calls ran.
    #[derive(Default)]
    struct SharedFlow {
        calls: Arc<Mutex<Vec<&'static str>>>,
    }

    impl SharedFlow {
        fn record(&self, call: &'static str) {
            self.calls.lock().unwrap().push(call);
        }
    }

    #[async_trait]
    impl Flow for SharedFlow {
        fn name(&self) -> &str {
            "shared"
        }

        fn fields(&self) -> Vec<FieldUse> {
            Vec::new()
        }

        async fn pass(&self, _: &Connections) -> Result<PassReport, PassFailure> {
            self.record("pass");
            Ok(PassReport::new("shared"))
        }

        fn shares_passes(&self) -> bool {
            true
        }

        async fn pass_as(
            &self,
            _: &Connections,
            _: &WorkerLease,
        ) -> Result<PassReport, PassFailure> {
            self.record("pass_as");
            Ok(PassReport::new("shared"))
        }

        async fn help(
            &self,
            _: &Connections,
            _: &WorkerLease,
        ) -> Option<Result<PassReport, PassFailure>> {
            self.record("help");
            None
        }

        async fn replay(&self, _: &Connections, _: i64) -> Result<ReplayOutcome, ReplayError> {
            unreachable!("the test replays nothing")
        }

        fn replays_payload(&self) -> bool {
            false
        }
    }

    /// A port the test flow never calls.
    struct UnusedPort;

    #[async_trait]
    impl RecordPort for UnusedPort {
        fn system(&self) -> System {
            System::NetSuite
        }

        async fn identity(&self) -> Result<String, RemoteError> {
            unreachable!("the test flow makes no call")
        }

        async fn changed_since(
            &self,
            _: &ObjectSpec,
            _: DateTime<Utc>,
        ) -> Result<Vec<SourceRecord>, RemoteError> {
            unreachable!("the test flow makes no call")
        }

        async fn create(
            &self,
            _: &ObjectSpec,
            _: Vec<NewRecord>,
        ) -> Result<Vec<WriteResult>, RemoteError> {
            unreachable!("the test flow makes no call")
        }

        async fn update(
            &self,
            _: &ObjectSpec,
            _: Vec<RecordUpdate>,
        ) -> Result<Vec<WriteResult>, RemoteError> {
            unreachable!("the test flow makes no call")
        }
    }

    #[tokio::test]
    async fn reloadable_flow_keeps_shared_passes() {
        let flow = SharedFlow::default();
        let calls = flow.calls.clone();
        let (wrapped, _slots) = reloadable(vec![Box::new(flow)]);
        let connections = Connections {
            netsuite: Arc::new(UnusedPort),
            salesforce: Arc::new(UnusedPort),
            store: Arc::new(MemoryStore::new()),
            retry: RetryPolicy::default(),
        };
        let worker = WorkerLease::exclusive();

        assert!(wrapped[0].shares_passes());
        wrapped[0].pass_as(&connections, &worker).await.unwrap();
        assert!(wrapped[0].help(&connections, &worker).await.is_none());

        assert_eq!(*calls.lock().unwrap(), vec!["pass_as", "help"]);
    }
}
