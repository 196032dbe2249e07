//! The templates the bench runs, how it changes their records for the incremental pass, and
//! the fewest API calls a pass of theirs could make.

use tandem_sandbox::Sandbox;

use super::Phase;

/// Records per NetSuite search page, the most `searchPreferences/pageSize` allows.
pub const NETSUITE_PAGE: usize = 1000;
/// Records per NetSuite `updateList` or `upsertList`, the synchronous limit the client and the
/// emulator apply (`addList` takes 200).
pub const NETSUITE_UPDATE_LIST: usize = 100;
/// Records per SOQL query batch, the most `Sforce-Query-Options: batchSize` allows.
pub const SOQL_BATCH: usize = 2000;
/// Records per sObject Collections call.
pub const COLLECTION: usize = 200;
/// Records above which Tandem's Salesforce client moves a write or a read to Bulk API 2.0.
const BULK_THRESHOLD: u64 = tandem_salesforce::SalesforceConfig::DEFAULT_BULK_THRESHOLD as u64;
/// Calls of one Bulk API 2.0 ingest job: create, upload, close, one status poll, and the
/// successful and the failed results.
const INGEST_JOB_CALLS: u64 = 6;
/// Calls of one Bulk API 2.0 query job besides its result pages: create and one status poll.
const QUERY_JOB_CALLS: u64 = 2;
/// Rows per Bulk API 2.0 query result page, as the emulator serves them. NOTE: Salesforce
/// documents no fixed default, so this is the emulator's assumption.
const BULK_QUERY_PAGE: usize = 50_000;

/// A flow template the bench runs against the large seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Template {
    /// NetSuite customers to Salesforce Accounts, linked back on both sides.
    AccountCustomer,
    /// NetSuite inventory items to Product2 records and standard price book entries.
    ItemToPriceBook,
    /// NetSuite invoices to `NetSuite_Invoice__c` records under their Account.
    InvoiceToSalesforce,
}

/// A group of calls a pass cannot do without.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub what: &'static str,
    pub calls: u64,
}

impl Template {
    /// The template's name in the configuration.
    pub fn name(self) -> &'static str {
        match self {
            Template::AccountCustomer => "account-customer",
            Template::ItemToPriceBook => "item-to-price-book",
            Template::InvoiceToSalesforce => "invoice-to-salesforce",
        }
    }

    /// The `[flows.*]` tables of this template's run. `account-customer` runs unless it is
    /// disabled, and invoices need it to link their customers to Accounts.
    pub fn flow_tables(self) -> &'static str {
        match self {
            Template::AccountCustomer => "[flows.account-customer]\n",
            Template::ItemToPriceBook => {
                "[flows.account-customer]\nenabled = false\n\n[flows.item-to-price-book]\n"
            }
            Template::InvoiceToSalesforce => {
                "[flows.account-customer]\n\n[flows.invoice-to-salesforce]\n"
            }
        }
    }

    /// Changes source records the way users would between two passes and returns how many
    /// changed. Only customers can be edited in the emulator from outside its API, so the
    /// other templates' incremental pass finds nothing new.
    pub fn change_records(self, sandbox: &Sandbox) -> usize {
        match self {
            Template::AccountCustomer => {
                let netsuite = sandbox.netsuite();
                let ids: Vec<String> = netsuite
                    .customers()
                    .into_iter()
                    .map(|customer| customer.internal_id)
                    .collect();
                ids.iter()
                    .filter(|id| {
                        netsuite.edit_customer(id, |customer| {
                            customer.phone = Some(format!("+1 415 555 {:0>4}", id.len()));
                        })
                    })
                    .count()
            }
            Template::ItemToPriceBook | Template::InvoiceToSalesforce => 0,
        }
    }

    /// Returns the calls a pass needs at the APIs' limits. `seeded` is N, `changed` the source
    /// records changed before the pass (N for the initial sync), and `entries` the price book
    /// entries in Salesforce after the pass.
    pub fn minimum(self, phase: Phase, seeded: usize, changed: usize, entries: usize) -> Vec<Step> {
        let (seeded, changed, entries) = (seeded as u64, changed as u64, entries as u64);
        match self {
            Template::AccountCustomer => account_customer(phase, seeded, changed),
            Template::ItemToPriceBook => {
                let mut steps = vec![
                    step("Salesforce token", 1),
                    step("describe Product2, Pricebook2, PricebookEntry", 3),
                    step("NetSuite custom fields of the three item types", 6),
                    // Three item types, each polled for changes and deletions.
                    step(
                        "NetSuite item search pages",
                        pages(changed, NETSUITE_PAGE).max(1) + 2,
                    ),
                    step("NetSuite getDeleted per item type", 3),
                ];
                if phase == Phase::Initial {
                    steps.push(step("standard price book query", 1));
                    steps.push(step("existing entries query", salesforce_reads(changed)));
                    steps.push(step("Product2 upserts", salesforce_writes(changed)));
                    steps.push(step("PricebookEntry creates", salesforce_writes(entries)));
                }
                steps
            }
            Template::InvoiceToSalesforce => {
                let mut steps = account_customer(phase, seeded, changed);
                let invoices = if phase == Phase::Initial { seeded } else { 0 };
                // Every fourth invoice of the large seed is paid by one payment.
                let payments = invoices / 4;
                steps.push(step("describe NetSuite_Invoice__c", 1));
                steps.push(step("NetSuite custom fields of invoices and payments", 4));
                steps.push(step("NetSuite getDeleted for invoices", 1));
                steps.push(step(
                    "NetSuite invoice search pages",
                    pages(invoices, NETSUITE_PAGE).max(1),
                ));
                steps.push(step(
                    "NetSuite payment search pages",
                    pages(payments, NETSUITE_PAGE).max(1),
                ));
                steps.push(step(
                    "NetSuite_Invoice__c upserts",
                    salesforce_writes(invoices),
                ));
                steps
            }
        }
    }
}

/// The calls of `account-customer`: polls of both sides for changes and deletions, the
/// Accounts written, and on the initial sync the Salesforce Ids written back to customers.
fn account_customer(phase: Phase, seeded: u64, changed: u64) -> Vec<Step> {
    // The customers whose links the initial sync wrote back come back once as changes
    // (echoes) in the incremental pass.
    let customers = match phase {
        Phase::Initial => changed,
        Phase::Incremental => seeded,
    };
    let mut steps = vec![
        step("Salesforce token", 1),
        step("describe Account", 1),
        step("NetSuite custom fields of customers", 2),
        step(
            "NetSuite customer search pages",
            pages(customers, NETSUITE_PAGE).max(1),
        ),
        step("NetSuite getDeleted", 1),
        step("Salesforce Account queryAll for deletions", 1),
    ];
    match phase {
        Phase::Initial => {
            steps.push(step("Salesforce Account query", 1));
            steps.push(step("Account upserts", salesforce_writes(changed)));
            steps.push(step(
                "customer links in updateList",
                pages(changed, NETSUITE_UPDATE_LIST),
            ));
        }
        Phase::Incremental => {
            // The Accounts written by the initial sync come back once as changes (echoes).
            steps.push(step("Salesforce Account query", salesforce_reads(seeded)));
            steps.push(step("Account updates", salesforce_writes(changed)));
        }
    }
    steps
}

/// Returns the calls that write `records` Salesforce records: sObject Collections calls, or
/// one Bulk API 2.0 ingest job above the bulk threshold when that takes fewer.
fn salesforce_writes(records: u64) -> u64 {
    let collections = pages(records, COLLECTION);
    if records > BULK_THRESHOLD {
        collections.min(INGEST_JOB_CALLS)
    } else {
        collections
    }
}

/// Returns the calls that read `records` Salesforce records: SOQL batches, or one Bulk API 2.0
/// query job above the bulk threshold when that takes fewer.
fn salesforce_reads(records: u64) -> u64 {
    let batches = pages(records, SOQL_BATCH).max(1);
    if records > BULK_THRESHOLD {
        batches.min(QUERY_JOB_CALLS + pages(records, BULK_QUERY_PAGE))
    } else {
        batches
    }
}

fn step(what: &'static str, calls: u64) -> Step {
    Step { what, calls }
}

/// Returns how many calls of `per_call` records move `records` records.
fn pages(records: u64, per_call: usize) -> u64 {
    records.div_ceil(per_call as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn total(steps: &[Step]) -> u64 {
        steps.iter().map(|step| step.calls).sum()
    }

    #[test]
    fn pages_round_up() {
        assert_eq!(pages(0, 200), 0);
        assert_eq!(pages(1, 200), 1);
        assert_eq!(pages(200, 200), 1);
        assert_eq!(pages(201, 200), 2);
    }

    #[test]
    fn account_customer_initial_minimum() {
        let steps = Template::AccountCustomer.minimum(Phase::Initial, 1000, 1000, 0);
        // token, describe, custom fields (getCustomizationId and getList), search page,
        // getDeleted, queryAll, query, 5 upserts, 10 updateLists
        assert_eq!(total(&steps), 23);
    }

    #[test]
    fn price_book_entries_count_in_initial_minimum() {
        let steps = Template::ItemToPriceBook.minimum(Phase::Initial, 1000, 1000, 1500);
        let creates = steps
            .iter()
            .find(|step| step.what == "PricebookEntry creates");
        assert_eq!(creates.map(|step| step.calls), Some(8));
    }

    #[test]
    fn incremental_pass_reads_customer_echoes() {
        let steps = Template::InvoiceToSalesforce.minimum(Phase::Incremental, 10_000, 0, 0);
        let pages = steps
            .iter()
            .find(|step| step.what == "NetSuite customer search pages");
        assert_eq!(pages.map(|step| step.calls), Some(10));
    }

    #[test]
    fn invoice_passes_poll_invoice_deletions() {
        for phase in [Phase::Initial, Phase::Incremental] {
            let steps = Template::InvoiceToSalesforce.minimum(phase, 1000, 1000, 0);
            let polls = steps
                .iter()
                .find(|step| step.what == "NetSuite getDeleted for invoices");
            assert_eq!(polls.map(|step| step.calls), Some(1));
        }
    }

    #[test]
    fn large_loads_count_bulk_jobs() {
        let steps = Template::AccountCustomer.minimum(Phase::Initial, 100_000, 100_000, 0);
        let upserts = steps.iter().find(|step| step.what == "Account upserts");
        assert_eq!(upserts.map(|step| step.calls), Some(INGEST_JOB_CALLS));

        let steps = Template::AccountCustomer.minimum(Phase::Incremental, 100_000, 0, 0);
        let query = steps
            .iter()
            .find(|step| step.what == "Salesforce Account query");
        assert_eq!(query.map(|step| step.calls), Some(QUERY_JOB_CALLS + 2));

        let steps = Template::AccountCustomer.minimum(Phase::Initial, 10_000, 10_000, 0);
        let upserts = steps.iter().find(|step| step.what == "Account upserts");
        assert_eq!(upserts.map(|step| step.calls), Some(50));
    }

    #[test]
    fn unchanged_pass_still_polls() {
        let steps = Template::ItemToPriceBook.minimum(Phase::Incremental, 1000, 0, 0);
        // token, three describes, and per item type a custom field check (getCustomizationId
        // and getList), a search and a getDeleted
        assert_eq!(total(&steps), 16);
    }
}
