//! Passes of a two-way flow against in-memory systems.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};

use super::*;
use crate::error::{ErrorClass, RemoteError};
use crate::flows::account_customer::{self, AccountCustomerSettings};
use crate::memory_store::MemoryStore;
use crate::port::RecordPort;
use crate::port::WriteResult;
use crate::record::{
    DeletedRecord, FieldValue, Fields, NewRecord, RecordUpdate, SourceRecord, Written,
};
use crate::retry::RetryPolicy;
use crate::state::{
    ConflictStatus, ConflictStore, DeadLetterStatus, DeadLetterStore, ReviewDecision, ReviewStore,
    RunStatus, StateStore,
};
use crate::two_way::{ConflictPolicy, DeletePolicy};

/// A stored record: modification time, link value and fields.
type Stored = (DateTime<Utc>, Option<String>, Fields);

/// A system held in memory. Times come from a clock shared by both systems, one second per
/// write, so modification order is deterministic.
struct FakeSystem {
    system: System,
    identity: Mutex<String>,
    link_field: String,
    clock: Arc<AtomicI64>,
    records: Mutex<BTreeMap<String, Stored>>,
    next_id: AtomicI64,
    /// Field values the system refuses, with the error code it returns.
    refuse: Mutex<Option<(String, String)>>,
    /// Number of upcoming calls that fail with a transient error.
    outages: AtomicI64,
    writes: AtomicI64,
    /// Records deleted so far, with the time and the survivor of a merge.
    deleted: Mutex<Vec<DeletedRecord>>,
}

impl FakeSystem {
    fn new(system: System, link_field: &str, clock: Arc<AtomicI64>) -> Arc<FakeSystem> {
        Arc::new(FakeSystem {
            system,
            identity: Mutex::new(format!("{system}-account-1")),
            link_field: link_field.to_string(),
            clock,
            records: Mutex::new(BTreeMap::new()),
            next_id: AtomicI64::new(100),
            refuse: Mutex::new(None),
            outages: AtomicI64::new(0),
            writes: AtomicI64::new(0),
            deleted: Mutex::new(Vec::new()),
        })
    }

    fn tick(&self) -> DateTime<Utc> {
        let second = self.clock.fetch_add(1, Ordering::SeqCst) + 1;
        DateTime::from_timestamp(1_700_000_000 + second, 0).unwrap_or_default()
    }

    fn new_id(&self) -> String {
        let n = self.next_id.fetch_add(1, Ordering::SeqCst);
        match self.system {
            System::NetSuite => n.to_string(),
            System::Salesforce => format!("001000000000{n:03}AAA"),
        }
    }

    /// Adds a record as a user would and returns its ID.
    fn add(&self, link: Option<&str>, fields: &[(&str, &str)]) -> String {
        let id = self.new_id();
        self.edit_record(&id, link.map(str::to_string), fields);
        id
    }

    /// Changes a record as a user would.
    fn edit(&self, id: &str, fields: &[(&str, &str)]) {
        let link = self.link(id);
        self.edit_record(id, link, fields);
    }

    fn edit_record(&self, id: &str, link: Option<String>, fields: &[(&str, &str)]) {
        let at = self.tick();
        let mut records = self.records.lock().unwrap();
        let entry = records
            .entry(id.to_string())
            .or_insert_with(|| (at, None, Fields::new()));
        entry.0 = at;
        entry.1 = link;
        for (name, value) in fields {
            entry.2.insert(name.to_string(), FieldValue::text(*value));
        }
    }

    /// Changes a record without moving its modification time, as a second edit within the
    /// same second looks in NetSuite.
    fn edit_in_same_second(&self, id: &str, fields: &[(&str, &str)]) {
        let mut records = self.records.lock().unwrap();
        if let Some(entry) = records.get_mut(id) {
            for (name, value) in fields {
                entry.2.insert(name.to_string(), FieldValue::text(*value));
            }
        }
    }

    fn set_modified(&self, id: &str, at: DateTime<Utc>) {
        if let Some(entry) = self.records.lock().unwrap().get_mut(id) {
            entry.0 = at;
        }
    }

    fn field(&self, id: &str, name: &str) -> FieldValue {
        let records = self.records.lock().unwrap();
        let value = records.get(id).and_then(|r| r.2.get(name).cloned());
        value.unwrap_or(FieldValue::Null)
    }

    fn link(&self, id: &str) -> Option<String> {
        self.records
            .lock()
            .unwrap()
            .get(id)
            .and_then(|r| r.1.clone())
    }

    fn modified(&self, id: &str) -> Option<DateTime<Utc>> {
        self.records.lock().unwrap().get(id).map(|r| r.0)
    }

    fn ids(&self) -> Vec<String> {
        self.records.lock().unwrap().keys().cloned().collect()
    }

    fn find(&self, name_field: &str, name: &str) -> Option<String> {
        let records = self.records.lock().unwrap();
        records
            .iter()
            .find(|(_, r)| r.2.get(name_field) == Some(&FieldValue::text(name)))
            .map(|(id, _)| id.clone())
    }

    fn check_outage(&self) -> Result<(), RemoteError> {
        if self.outages.load(Ordering::SeqCst) > 0 {
            self.outages.fetch_sub(1, Ordering::SeqCst);
            return Err(RemoteError::new(
                self.system,
                ErrorClass::Transient,
                "TIMEOUT",
                "timed out",
            ));
        }
        Ok(())
    }

    fn check_fields(&self, fields: &Fields) -> Result<(), RemoteError> {
        let refuse = self.refuse.lock().unwrap().clone();
        if let Some((value, code)) = refuse
            && fields.values().any(|v| v.as_text() == Some(value.as_str()))
        {
            return Err(RemoteError::new(
                self.system,
                ErrorClass::Data,
                code,
                "refused",
            ));
        }
        Ok(())
    }

    fn write(&self, id: &str, link: Option<String>, fields: &Fields) -> WriteResult {
        self.check_fields(fields)?;
        self.writes.fetch_add(1, Ordering::SeqCst);
        let at = self.tick();
        let mut records = self.records.lock().unwrap();
        let entry = records
            .entry(id.to_string())
            .or_insert_with(|| (at, None, Fields::new()));
        entry.0 = at;
        if link.is_some() {
            entry.1 = link;
        }
        for (name, value) in fields {
            entry.2.insert(name.clone(), value.clone());
        }
        Ok(Written { id: id.to_string() })
    }
}

#[async_trait]
impl RecordPort for FakeSystem {
    fn system(&self) -> System {
        self.system
    }

    async fn identity(&self) -> Result<String, RemoteError> {
        Ok(self.identity.lock().unwrap().clone())
    }

    async fn changed_since(
        &self,
        object: &ObjectSpec,
        since: DateTime<Utc>,
    ) -> Result<Vec<SourceRecord>, RemoteError> {
        assert_eq!(object.link_field, self.link_field);
        self.check_outage()?;
        let records = self.records.lock().unwrap();
        Ok(records
            .iter()
            .filter(|(_, r)| r.0 >= since)
            .map(|(id, r)| SourceRecord {
                id: id.clone(),
                modified_at: r.0,
                link: r.1.clone(),
                fields: r.2.clone(),
            })
            .collect())
    }

    async fn read(
        &self,
        object: &ObjectSpec,
        ids: &[String],
    ) -> Result<Vec<SourceRecord>, RemoteError> {
        assert_eq!(object.link_field, self.link_field);
        self.check_outage()?;
        let records = self.records.lock().unwrap();
        Ok(records
            .iter()
            .filter(|(id, _)| ids.contains(id))
            .map(|(id, r)| SourceRecord {
                id: id.clone(),
                modified_at: r.0,
                link: r.1.clone(),
                fields: r.2.clone(),
            })
            .collect())
    }

    async fn create(
        &self,
        _object: &ObjectSpec,
        records: Vec<NewRecord>,
    ) -> Result<Vec<WriteResult>, RemoteError> {
        self.check_outage()?;
        let mut results = Vec::new();
        for record in records {
            let existing = {
                let all = self.records.lock().unwrap();
                all.iter()
                    .find(|(_, r)| r.1.as_deref() == Some(record.link.as_str()))
                    .map(|(id, _)| id.clone())
            };
            let id = existing.unwrap_or_else(|| self.new_id());
            results.push(self.write(&id, Some(record.link), &record.fields));
        }
        Ok(results)
    }

    async fn update(
        &self,
        _object: &ObjectSpec,
        records: Vec<RecordUpdate>,
    ) -> Result<Vec<WriteResult>, RemoteError> {
        self.check_outage()?;
        Ok(records
            .into_iter()
            .map(|update| self.write(&update.id, update.link, &update.fields))
            .collect())
    }

    async fn deleted_since(
        &self,
        _object: &ObjectSpec,
        since: DateTime<Utc>,
    ) -> Result<Vec<DeletedRecord>, RemoteError> {
        let deleted = self.deleted.lock().unwrap();
        Ok(deleted
            .iter()
            .filter(|d| d.deleted_at >= since)
            .cloned()
            .collect())
    }

    async fn delete(
        &self,
        _object: &ObjectSpec,
        ids: Vec<String>,
    ) -> Result<Vec<WriteResult>, RemoteError> {
        self.writes.fetch_add(ids.len() as i64, Ordering::SeqCst);
        Ok(ids
            .into_iter()
            .map(|id| {
                self.remove(&id, None);
                Ok(Written { id })
            })
            .collect())
    }
}

impl FakeSystem {
    /// Deletes a record as a user would; `merged_into` names the survivor of a merge.
    fn remove(&self, id: &str, merged_into: Option<&str>) {
        let at = self.tick();
        self.records.lock().unwrap().remove(id);
        self.deleted.lock().unwrap().push(DeletedRecord {
            id: id.to_string(),
            deleted_at: at,
            merged_into: merged_into.map(str::to_string),
        });
    }
}

struct World {
    ns: Arc<FakeSystem>,
    sf: Arc<FakeSystem>,
    store: Arc<MemoryStore>,
    spec: TwoWaySpec,
}

impl World {
    fn new() -> World {
        let clock = Arc::new(AtomicI64::new(0));
        World {
            ns: FakeSystem::new(System::NetSuite, "externalId", clock.clone()),
            sf: FakeSystem::new(System::Salesforce, "NetSuite_Internal_ID__c", clock),
            store: Arc::new(MemoryStore::new()),
            spec: account_customer::spec(&AccountCustomerSettings::default()),
        }
    }

    fn connections(&self) -> Connections {
        Connections {
            netsuite: self.ns.clone(),
            salesforce: self.sf.clone(),
            store: self.store.clone(),
            retry: RetryPolicy {
                max_retries: 1,
                first_delay: Duration::from_millis(1),
                max_delay: Duration::from_millis(1),
            },
        }
    }

    async fn pass(&self) -> PassReport {
        match run_pass(&self.spec, &self.connections()).await {
            Ok(report) => report,
            Err(failure) => panic!("pass failed: {failure}"),
        }
    }

    fn writes(&self) -> i64 {
        self.ns.writes.load(Ordering::SeqCst) + self.sf.writes.load(Ordering::SeqCst)
    }
}

fn text(value: &str) -> FieldValue {
    FieldValue::text(value)
}

#[tokio::test]
async fn new_account_becomes_customer_with_links() {
    let world = World::new();
    let account = world.sf.add(
        None,
        &[("Name", "Blue Heron Outfitters"), ("Phone", "555-0100")],
    );

    let report = world.pass().await;

    let customer = world.ns.find("companyName", "Blue Heron Outfitters");
    let customer = customer.expect("customer created");
    assert_eq!(report.created, 1);
    assert_eq!(world.ns.field(&customer, "phone"), text("555-0100"));
    assert_eq!(world.ns.link(&customer), Some(account.clone()));
    assert_eq!(world.sf.link(&account), Some(customer));
}

#[tokio::test]
async fn sync_records_syncs_only_the_named_account() {
    let world = World::new();
    let wanted = world.sf.add(None, &[("Name", "Blue Heron Outfitters")]);
    world.sf.add(None, &[("Name", "Gulf Coast Marine")]);

    let report = sync_records(&world.spec, &world.connections(), vec![wanted.clone()])
        .await
        .unwrap();

    assert_eq!((report.read, report.created), (1, 1));
    let customer = world.ns.find("companyName", "Blue Heron Outfitters");
    assert_eq!(world.sf.link(&wanted), customer);
    assert!(world.ns.find("companyName", "Gulf Coast Marine").is_none());
    let object = &world.spec.object(System::Salesforce).name;
    let watermark = world
        .store
        .watermark(&world.spec.flow, System::Salesforce, object)
        .await
        .unwrap();
    assert!(watermark.is_none(), "the change feed is untouched");
    let report = world.pass().await;
    assert_eq!(report.created, 1, "the next pass syncs the other account");
}

#[tokio::test]
async fn sync_records_takes_a_netsuite_internal_id() {
    let world = World::new();
    let customer = world.ns.add(None, &[("companyName", "Gulf Coast Marine")]);
    world
        .ns
        .add(None, &[("companyName", "Blue Heron Outfitters")]);

    let report = sync_records(&world.spec, &world.connections(), vec![customer.clone()])
        .await
        .unwrap();

    assert_eq!((report.read, report.created), (1, 1));
    assert!(world.sf.find("Name", "Gulf Coast Marine").is_some());
    assert!(world.sf.find("Name", "Blue Heron Outfitters").is_none());
    let again = sync_records(&world.spec, &world.connections(), vec![customer])
        .await
        .unwrap();
    assert_eq!(again.written, 0, "a synced record is not written again");
}

#[tokio::test]
async fn new_customer_becomes_account() {
    let world = World::new();
    let customer = world.ns.add(
        None,
        &[
            ("companyName", "Gulf Coast Marine"),
            ("url", "https://gcm.example"),
        ],
    );

    let report = world.pass().await;

    let account = world
        .sf
        .find("Name", "Gulf Coast Marine")
        .expect("account created");
    assert_eq!(report.created, 1);
    assert_eq!(
        world.sf.field(&account, "Website"),
        text("https://gcm.example")
    );
    assert_eq!(world.ns.link(&customer), Some(account));
}

#[tokio::test]
async fn new_account_is_written_once_with_status() {
    let world = World::new();
    world.ns.add(None, &[("companyName", "Gulf Coast Marine")]);

    world.pass().await;

    let account = world.sf.find("Name", "Gulf Coast Marine").unwrap();
    assert_eq!(
        world.sf.field(&account, "NetSuite_Sync_Status__c"),
        text("Synced")
    );
    assert_eq!(world.sf.writes.load(Ordering::SeqCst), 1);
    assert_eq!(world.ns.writes.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn second_pass_writes_nothing() {
    let world = World::new();
    world.sf.add(None, &[("Name", "Blue Heron Outfitters")]);
    world.ns.add(None, &[("companyName", "Gulf Coast Marine")]);
    world.pass().await;
    let writes = world.writes();
    let stamps: Vec<_> = world
        .ns
        .ids()
        .iter()
        .map(|id| world.ns.modified(id))
        .collect();

    let report = world.pass().await;

    assert_eq!(world.writes(), writes);
    assert_eq!(report.written, 0);
    assert_eq!(report.echoes_skipped, 4);
    let after: Vec<_> = world
        .ns
        .ids()
        .iter()
        .map(|id| world.ns.modified(id))
        .collect();
    assert_eq!(after, stamps);
}

#[tokio::test]
async fn third_pass_reports_rereads_as_unchanged() {
    let world = World::new();
    world.sf.add(None, &[("Name", "Blue Heron Outfitters")]);
    world.pass().await;
    world.pass().await;

    let report = world.pass().await;

    assert_eq!(report.written, 0);
    assert_eq!(report.echoes_skipped, 0);
    assert_eq!(report.unchanged, report.read);
}

#[tokio::test]
async fn same_company_is_linked_not_duplicated() {
    let world = World::new();
    let account = world
        .sf
        .add(None, &[("Name", "ACME Corp."), ("Phone", "555-0101")]);
    let customer = world.ns.add(
        None,
        &[
            ("companyName", "Acme Corporation"),
            ("url", "https://acme.example"),
        ],
    );

    let report = world.pass().await;

    assert_eq!(report.linked, 1);
    assert_eq!(report.created, 0);
    assert_eq!(world.ns.ids().len(), 1);
    assert_eq!(world.sf.ids().len(), 1);
    assert_eq!(world.ns.link(&customer), Some(account.clone()));
    assert_eq!(world.sf.link(&account), Some(customer.clone()));
    // Blanks are filled from the other side; names set on both sides are left alone.
    assert_eq!(world.ns.field(&customer, "phone"), text("555-0101"));
    assert_eq!(
        world.sf.field(&account, "Website"),
        text("https://acme.example")
    );
    assert_eq!(world.sf.field(&account, "Name"), text("ACME Corp."));
}

#[tokio::test]
async fn stored_link_is_used_before_names() {
    let world = World::new();
    let customer = world.ns.add(None, &[("companyName", "Northwind Pottery")]);
    let account = world.sf.add(Some(&customer), &[("Name", "Northwind")]);

    let report = world.pass().await;

    assert_eq!(report.linked, 1);
    assert_eq!(world.ns.link(&customer), Some(account));
}

#[tokio::test]
async fn updates_travel_both_ways() {
    let world = World::new();
    let account = world.sf.add(
        None,
        &[("Name", "Blue Heron Outfitters"), ("Phone", "555-0100")],
    );
    world.pass().await;
    world.pass().await;
    let customer = world.sf.link(&account).expect("linked");

    world.sf.edit(&account, &[("Phone", "555-0199")]);
    world
        .ns
        .edit(&customer, &[("url", "https://blueheron.example")]);
    let report = world.pass().await;

    assert_eq!(report.updated, 2);
    assert_eq!(world.ns.field(&customer, "phone"), text("555-0199"));
    assert_eq!(
        world.sf.field(&account, "Website"),
        text("https://blueheron.example")
    );
    let quiet = world.pass().await;
    assert_eq!(quiet.written, 0);
}

#[tokio::test]
async fn edit_within_same_second_is_not_lost() {
    let world = World::new();
    let account = world
        .sf
        .add(None, &[("Name", "Blue Heron"), ("Phone", "555-0100")]);
    world.pass().await;
    world.pass().await;
    let customer = world.sf.link(&account).expect("linked");

    world
        .ns
        .edit_in_same_second(&customer, &[("phone", "555-0177")]);
    let report = world.pass().await;

    assert_eq!(report.updated, 1);
    assert_eq!(world.sf.field(&account, "Phone"), text("555-0177"));
}

#[tokio::test]
async fn cleared_field_is_cleared_on_other_side() {
    let world = World::new();
    let account = world
        .sf
        .add(None, &[("Name", "Blue Heron"), ("Phone", "555-0100")]);
    world.pass().await;
    let customer = world.sf.link(&account).expect("linked");

    world.sf.edit(&account, &[("Phone", "")]);
    world.pass().await;

    assert_eq!(world.ns.field(&customer, "phone"), FieldValue::Null);
}

#[tokio::test]
async fn field_changed_on_both_sides_takes_later_value() {
    let world = World::new();
    let account = world
        .sf
        .add(None, &[("Name", "Blue Heron"), ("Phone", "555-0100")]);
    world.pass().await;
    world.pass().await;
    let customer = world.sf.link(&account).expect("linked");

    world.sf.edit(&account, &[("Phone", "555-0001")]);
    world.ns.edit(&customer, &[("phone", "555-0002")]);
    world.pass().await;

    assert_eq!(world.sf.field(&account, "Phone"), text("555-0002"));
    assert_eq!(world.ns.field(&customer, "phone"), text("555-0002"));
}

#[tokio::test]
async fn refused_record_becomes_dead_letter_once() {
    let world = World::new();
    *world.ns.refuse.lock().unwrap() =
        Some(("BAD PHONE".to_string(), "INVALID_FLD_VALUE".to_string()));
    world.sf.add(None, &[("Name", "Good Company")]);
    let bad = world
        .sf
        .add(None, &[("Name", "Bad Company"), ("Phone", "BAD PHONE")]);

    let report = world.pass().await;
    let again = world.pass().await;

    assert_eq!(report.created, 1);
    assert_eq!(report.dead_letters, 1);
    assert_eq!(again.dead_letters, 0);
    let letters = world
        .store
        .dead_letters(Some(account_customer::FLOW), None)
        .await
        .unwrap();
    assert_eq!(letters.len(), 1);
    assert_eq!(letters[0].letter.source_id, bad);
    assert_eq!(letters[0].letter.error.code, "INVALID_FLD_VALUE");
}

#[tokio::test]
async fn fixed_source_record_is_sent_again() {
    let world = World::new();
    *world.ns.refuse.lock().unwrap() =
        Some(("BAD PHONE".to_string(), "INVALID_FLD_VALUE".to_string()));
    let account = world
        .sf
        .add(None, &[("Name", "Bad Company"), ("Phone", "BAD PHONE")]);
    world.pass().await;

    world.sf.edit(&account, &[("Phone", "555-0100")]);
    let report = world.pass().await;

    assert_eq!(report.created, 1);
    let customer = world.sf.link(&account).expect("linked after the fix");
    assert_eq!(world.ns.field(&customer, "phone"), text("555-0100"));
    let open = world
        .store
        .dead_letters(None, Some(DeadLetterStatus::Open))
        .await
        .unwrap();
    assert!(open.is_empty(), "{open:?}");
}

#[tokio::test]
async fn reverted_refused_change_settles_its_letter() {
    let world = World::new();
    let account = world
        .sf
        .add(None, &[("Name", "Acme"), ("Phone", "555-0100")]);
    world.pass().await;
    *world.ns.refuse.lock().unwrap() =
        Some(("BAD PHONE".to_string(), "INVALID_FLD_VALUE".to_string()));
    world.sf.edit(&account, &[("Phone", "BAD PHONE")]);
    world.pass().await;
    assert_eq!(
        world.sf.field(&account, "NetSuite_Sync_Status__c"),
        text("Error")
    );

    world.sf.edit(&account, &[("Phone", "555-0100")]);
    let writes_before = world.ns.writes.load(Ordering::SeqCst);
    world.pass().await;

    assert_eq!(world.ns.writes.load(Ordering::SeqCst), writes_before);
    let open = world
        .store
        .dead_letters(None, Some(DeadLetterStatus::Open))
        .await
        .unwrap();
    assert!(open.is_empty(), "{open:?}");
    assert_eq!(
        world.sf.field(&account, "NetSuite_Sync_Status__c"),
        text("Synced")
    );
    assert_eq!(
        world.sf.field(&account, "NetSuite_Sync_Error__c"),
        FieldValue::Null
    );
}

#[tokio::test]
async fn accounts_like_a_linked_customer_are_created() {
    let world = World::new();
    world.ns.add(None, &[("companyName", "Zephyr Logistics")]);
    world.pass().await;
    world.pass().await;
    let customers = world.ns.ids().len();
    let accounts = world.sf.ids().len();
    world.sf.add(None, &[("Name", "Zephyr Logistics Inc.")]);
    world.sf.add(None, &[("Name", "Zephyr Logistics LLC")]);

    let report = world.pass().await;

    // The customer is linked already; the two new Accounts match nothing free and are created.
    assert_eq!(report.created, 2);
    assert_eq!(world.ns.ids().len(), customers + 2);
    assert_eq!(world.sf.ids().len(), accounts + 2);
}

#[tokio::test]
async fn two_new_accounts_one_new_customer_are_held() {
    let world = World::new();
    world.ns.add(None, &[("companyName", "Zephyr Logistics")]);
    world.sf.add(None, &[("Name", "Zephyr Logistics Inc.")]);
    world.sf.add(None, &[("Name", "Zephyr Logistics LLC")]);

    let report = world.pass().await;

    assert_eq!(report.created, 0);
    assert_eq!(report.linked, 0);
    assert_eq!(report.in_review, 3);
    assert_eq!(world.ns.ids().len(), 1);
    assert_eq!(world.sf.ids().len(), 2);
}

#[tokio::test]
async fn held_record_links_once_its_id_is_set() {
    let world = World::new();
    let customer = world.ns.add(None, &[("companyName", "Quasar Foods Inc")]);
    world.ns.add(None, &[("companyName", "Quasar Foods LLC")]);
    let account = world.sf.add(None, &[("Name", "Quasar Foods")]);
    world.pass().await;

    world.sf.edit_record(&account, Some(customer.clone()), &[]);
    let report = world.pass().await;

    assert_eq!(report.linked, 1);
    assert_eq!(world.ns.link(&customer), Some(account));
}

#[tokio::test]
async fn store_of_another_account_is_refused() {
    let world = World::new();
    world.sf.add(None, &[("Name", "Blue Heron")]);
    world.pass().await;
    *world.ns.identity.lock().unwrap() = "netsuite-account-2".to_string();

    let result = run_pass(&world.spec, &world.connections()).await;

    let failure = result.expect_err("pass refused");
    assert!(matches!(
        failure.error,
        PassError::WrongStore {
            system: System::NetSuite,
            ..
        }
    ));
    assert!(failure.error.to_string().contains("netsuite-account-2"));
}

#[tokio::test]
async fn same_second_conflict_goes_to_netsuite() {
    let world = World::new();
    let account = world
        .sf
        .add(None, &[("Name", "Blue Heron"), ("Phone", "555-0100")]);
    world.pass().await;
    world.pass().await;
    let customer = world.sf.link(&account).expect("linked");

    world.ns.edit(&customer, &[("phone", "555-0002")]);
    world
        .sf
        .edit_in_same_second(&account, &[("Phone", "555-0001")]);
    let later_in_same_second = world.ns.modified(&customer).unwrap() + TimeDelta::milliseconds(500);
    world.sf.set_modified(&account, later_in_same_second);
    world.pass().await;

    assert_eq!(world.sf.field(&account, "Phone"), text("555-0002"));
}

#[tokio::test]
async fn two_candidates_go_to_review_not_link() {
    let world = World::new();
    world.ns.add(None, &[("companyName", "Acme Inc")]);
    world.ns.add(None, &[("companyName", "ACME")]);
    world.sf.add(None, &[("Name", "Acme")]);

    let report = world.pass().await;

    assert_eq!(report.in_review, 3);
    assert_eq!(report.linked, 0);
    assert_eq!(report.created, 0);
    assert_eq!(world.sf.ids().len(), 1);
    let reviews = world.store.reviews(None, None).await.unwrap();
    assert_eq!(reviews.len(), 3);
    let account_review = reviews
        .iter()
        .find(|review| review.item.system == System::Salesforce)
        .expect("the Account is in review");
    assert_eq!(account_review.item.candidates.len(), 2);
}

#[tokio::test]
async fn outage_defers_records_to_next_pass() {
    let world = World::new();
    world.sf.add(None, &[("Name", "Blue Heron")]);
    world.ns.outages.store(2, Ordering::SeqCst);
    let store = world.store.clone();

    // The read of NetSuite fails twice (the first try and the one retry): the pass fails.
    let failed = run_pass(&world.spec, &world.connections()).await;
    assert!(failed.is_err());
    assert_eq!(store.run_statuses().last(), Some(&RunStatus::Failed));

    let report = world.pass().await;
    assert_eq!(report.created, 1);
}

#[tokio::test]
async fn lost_database_relinks_without_duplicates() {
    let mut world = World::new();
    world.sf.add(None, &[("Name", "Blue Heron")]);
    world.ns.add(None, &[("companyName", "Gulf Coast Marine")]);
    world.pass().await;

    world.store = Arc::new(MemoryStore::new());
    let report = world.pass().await;

    assert_eq!(report.created, 0);
    assert_eq!(report.linked, 2);
    assert_eq!(world.ns.ids().len(), 2);
    assert_eq!(world.sf.ids().len(), 2);
}

#[tokio::test]
async fn near_duplicate_with_same_phone_links() {
    let world = World::new();
    let account = world.sf.add(
        None,
        &[("Name", "Northwind Traders"), ("Phone", "(206) 555-0101")],
    );
    let customer = world.ns.add(
        None,
        &[
            ("companyName", "Northwind Trading"),
            ("phone", "+1 206 555 0101"),
        ],
    );

    let report = world.pass().await;

    assert_eq!(report.linked, 1);
    assert_eq!(world.sf.link(&account), Some(customer));
}

#[tokio::test]
async fn doubtful_match_waits_for_review_then_links() {
    let world = World::new();
    let account = world.sf.add(None, &[("Name", "Acme Logistics")]);
    let customer = world.ns.add(None, &[("companyName", "Acme Industries")]);

    let first = world.pass().await;
    assert_eq!(first.in_review, 2);
    assert_eq!(first.written, 0);

    let reviews = world.store.reviews(None, None).await.unwrap();
    let review = reviews
        .iter()
        .find(|r| r.item.record_id == account)
        .unwrap();
    world
        .store
        .decide_review(review.id, &ReviewDecision::Link(customer.clone()))
        .await
        .unwrap();
    let second = world.pass().await;

    assert_eq!(second.linked, 1);
    assert_eq!(world.sf.link(&account), Some(customer.clone()));
    assert_eq!(world.ns.link(&customer), Some(account));
    let pending = world
        .store
        .reviews(None, Some(crate::state::ReviewStatus::Pending))
        .await
        .unwrap();
    assert!(pending.is_empty(), "{pending:?}");
}

#[tokio::test]
async fn review_decision_create_makes_counterpart() {
    let world = World::new();
    let account = world.sf.add(None, &[("Name", "Acme Logistics")]);
    world.ns.add(None, &[("companyName", "Acme Industries")]);
    world.pass().await;
    let reviews = world.store.reviews(None, None).await.unwrap();
    let review = reviews
        .iter()
        .find(|r| r.item.record_id == account)
        .unwrap();

    world
        .store
        .decide_review(review.id, &ReviewDecision::Create)
        .await
        .unwrap();
    let report = world.pass().await;

    assert_eq!(report.created, 1);
    assert!(world.ns.find("companyName", "Acme Logistics").is_some());
}

#[tokio::test]
async fn manual_policy_parks_then_applies_choice() {
    let mut world = World::new();
    world.spec.conflicts.default = ConflictPolicy::Manual;
    let account = world
        .sf
        .add(None, &[("Name", "Blue Heron"), ("Phone", "555-0100")]);
    world.pass().await;
    world.pass().await;
    let customer = world.sf.link(&account).expect("linked");

    world.sf.edit(&account, &[("Phone", "555-0001")]);
    world.ns.edit(&customer, &[("phone", "555-0002")]);
    let parked = world.pass().await;

    assert_eq!(parked.written, 0);
    let conflicts = world
        .store
        .conflicts(None, Some(ConflictStatus::Open))
        .await
        .unwrap();
    assert_eq!(conflicts.len(), 1);
    assert_eq!(conflicts[0].conflict.netsuite_value, text("555-0002"));
    assert_eq!(conflicts[0].conflict.salesforce_value, text("555-0001"));
    assert_eq!(conflicts[0].conflict.synced_value, text("555-0100"));

    let again = world.pass().await;
    assert_eq!(again.written, 0);
    let still = world.store.conflicts(None, None).await.unwrap();
    assert_eq!(still.len(), 1, "{still:?}");

    world
        .store
        .decide_conflict(conflicts[0].id, System::Salesforce)
        .await
        .unwrap();
    let applied = world.pass().await;

    assert_eq!(applied.updated, 1);
    assert_eq!(world.ns.field(&customer, "phone"), text("555-0001"));
    let open = world
        .store
        .conflicts(None, Some(ConflictStatus::Open))
        .await
        .unwrap();
    assert!(open.is_empty());
    let quiet = world.pass().await;
    assert_eq!(quiet.written, 0);
}

#[tokio::test]
async fn field_policy_netsuite_wins_regardless_of_time() {
    let mut world = World::new();
    world
        .spec
        .conflicts
        .fields
        .insert("Phone".to_string(), ConflictPolicy::NetSuite);
    let account = world
        .sf
        .add(None, &[("Name", "Blue Heron"), ("Phone", "555-0100")]);
    world.pass().await;
    world.pass().await;
    let customer = world.sf.link(&account).expect("linked");

    world.ns.edit(&customer, &[("phone", "555-0002")]);
    world.sf.edit(&account, &[("Phone", "555-0001")]);
    world.pass().await;

    assert_eq!(world.sf.field(&account, "Phone"), text("555-0002"));
    let audit = world.store.audit_entries(None, 50).await.unwrap();
    let decision = audit
        .iter()
        .find(|entry| entry.entry.kind == "conflict")
        .expect("audited");
    assert!(
        decision.entry.decision.contains("policy netsuite"),
        "{decision:?}"
    );
    assert_eq!(decision.entry.netsuite_value, Some(text("555-0002")));
    assert_eq!(decision.entry.salesforce_value, Some(text("555-0001")));
}

#[tokio::test]
async fn edited_dead_letter_replays_into_a_create() {
    let world = World::new();
    *world.ns.refuse.lock().unwrap() =
        Some(("BAD PHONE".to_string(), "INVALID_FLD_VALUE".to_string()));
    let account = world
        .sf
        .add(None, &[("Name", "Bad Company"), ("Phone", "BAD PHONE")]);
    world.pass().await;
    assert_eq!(
        world.sf.field(&account, "NetSuite_Sync_Status__c"),
        text("Error")
    );
    let letters = world.store.dead_letters(None, None).await.unwrap();
    let id = letters[0].id;
    let mut payload = letters[0].letter.payload.clone();
    payload.insert("phone".to_string(), text("555-0100"));
    world
        .store
        .set_dead_letter_payload(id, &payload)
        .await
        .unwrap();

    let outcome = replay(&world.spec, &world.connections(), id).await.unwrap();

    assert_eq!(outcome, ReplayOutcome::Written);
    let customer = world
        .sf
        .link(&account)
        .expect("the Account carries the new customer's ID");
    assert_eq!(world.ns.field(&customer, "phone"), text("555-0100"));
    assert_eq!(
        world.sf.field(&account, "NetSuite_Sync_Status__c"),
        text("Synced")
    );
    assert_eq!(
        world.sf.field(&account, "NetSuite_Sync_Error__c"),
        FieldValue::Null
    );
    let letter = world.store.dead_letter(id).await.unwrap().unwrap();
    assert_eq!(letter.status, DeadLetterStatus::Resolved);
    let quiet = world.pass().await;
    assert_eq!(quiet.created, 0);
}

#[tokio::test]
async fn refused_replay_keeps_letter_open() {
    let world = World::new();
    *world.ns.refuse.lock().unwrap() =
        Some(("BAD PHONE".to_string(), "INVALID_FLD_VALUE".to_string()));
    world
        .sf
        .add(None, &[("Name", "Bad Company"), ("Phone", "BAD PHONE")]);
    world.pass().await;
    let id = world.store.dead_letters(None, None).await.unwrap()[0].id;

    let outcome = replay(&world.spec, &world.connections(), id).await.unwrap();

    assert!(
        matches!(outcome, ReplayOutcome::Refused(ref error) if error.code == "INVALID_FLD_VALUE")
    );
    let letter = world.store.dead_letter(id).await.unwrap().unwrap();
    assert_eq!(letter.status, DeadLetterStatus::Open);
    assert_eq!(letter.attempts, 2);
}

#[tokio::test]
async fn discarded_letter_is_not_replayed() {
    let world = World::new();
    *world.ns.refuse.lock().unwrap() =
        Some(("BAD PHONE".to_string(), "INVALID_FLD_VALUE".to_string()));
    world
        .sf
        .add(None, &[("Name", "Bad Company"), ("Phone", "BAD PHONE")]);
    world.pass().await;
    let id = world.store.dead_letters(None, None).await.unwrap()[0].id;
    world
        .store
        .set_dead_letter_status(id, DeadLetterStatus::Discarded)
        .await
        .unwrap();

    let error = replay(&world.spec, &world.connections(), id)
        .await
        .unwrap_err();

    assert!(matches!(error, ReplayError::NotOpen { .. }), "{error}");
}

#[tokio::test]
async fn deleted_account_unlinks_its_customer() {
    let world = World::new();
    let account = world.sf.add(None, &[("Name", "Blue Heron")]);
    world.pass().await;
    let customer = world.sf.link(&account).expect("linked");

    world.sf.remove(&account, None);
    let report = world.pass().await;

    assert_eq!(report.deleted, 1);
    assert!(world.ns.ids().contains(&customer), "the customer stays");
    let xref = world
        .store
        .xref(account_customer::FLOW, System::NetSuite, &customer)
        .await
        .unwrap();
    assert_eq!(xref, None);
    let quiet = world.pass().await;
    assert_eq!(quiet.deleted, 0);
    assert_eq!(quiet.written, 0);
}

#[tokio::test]
async fn deactivate_policy_marks_customer_inactive() {
    let mut world = World::new();
    world.spec.deletes.from_salesforce = DeletePolicy::Deactivate;
    let account = world.sf.add(None, &[("Name", "Blue Heron")]);
    world.pass().await;
    let customer = world.sf.link(&account).expect("linked");

    world.sf.remove(&account, None);
    world.pass().await;

    assert_eq!(
        world.ns.field(&customer, "isInactive"),
        FieldValue::Bool(true)
    );
}

#[tokio::test]
async fn delete_policy_deletes_the_account() {
    let mut world = World::new();
    world.spec.deletes.from_netsuite = DeletePolicy::Delete;
    let customer = world.ns.add(None, &[("companyName", "Gulf Coast Marine")]);
    world.pass().await;
    let account = world.ns.link(&customer).expect("linked");

    world.ns.remove(&customer, None);
    let report = world.pass().await;

    assert_eq!(report.deleted, 1);
    assert!(!world.sf.ids().contains(&account), "the Account is deleted");
    let audit = world.store.audit_entries(None, 10).await.unwrap();
    assert!(audit.iter().any(|entry| entry.entry.kind == "delete"));
    let quiet = world.pass().await;
    assert_eq!(quiet.written, 0);
}

#[tokio::test]
async fn merged_account_hands_link_to_survivor() {
    let world = World::new();
    let loser = world.sf.add(None, &[("Name", "Blue Heron")]);
    world.pass().await;
    let customer = world.sf.link(&loser).expect("linked");
    let survivor = world.sf.add(None, &[("Name", "Blue Heron Outfitters")]);

    world.sf.remove(&loser, Some(&survivor));
    let report = world.pass().await;

    assert_eq!(report.created, 0, "no second customer for the survivor");
    assert_eq!(world.sf.link(&survivor), Some(customer.clone()));
    assert_eq!(world.ns.link(&customer), Some(survivor));
    assert_eq!(world.ns.ids().len(), 1);
}

#[tokio::test]
async fn merge_into_linked_record_leaves_dead_letter() {
    let world = World::new();
    let loser = world.sf.add(None, &[("Name", "Blue Heron")]);
    let survivor = world.sf.add(None, &[("Name", "Gulf Coast Marine")]);
    world.pass().await;
    let loser_customer = world.sf.link(&loser).expect("linked");

    world.sf.remove(&loser, Some(&survivor));
    let report = world.pass().await;

    assert_eq!(report.dead_letters, 1);
    let letters = world.store.dead_letters(None, None).await.unwrap();
    assert_eq!(letters[0].letter.error.code, "MERGED_INTO_LINKED_RECORD");
    let xref = world
        .store
        .xref(account_customer::FLOW, System::NetSuite, &loser_customer)
        .await
        .unwrap();
    assert_eq!(xref, None);
}
