//! Child relationship results that span several pages, against a fake org on 127.0.0.1: the
//! port follows the `nextRecordsUrl` inside the relationship result until every line is read.

mod support;

use serde_json::{Value, json};
use support::{API, FakeOrg, Reply};
use tandem_engine::{ObjectSpec, RecordPort};
use tandem_salesforce::{SalesforceId, SalesforcePort};

const OPPORTUNITY: &str = "006000000000001";
const NEXT_LINES: &str = "/services/data/v62.0/query/01gD0000002HU6KIAW-2000";

fn line(number: usize, quantity: f64) -> Value {
    let id = SalesforceId::parse(&format!("00k{number:012}")).unwrap();
    json!({
        "attributes": {"type": "OpportunityLineItem", "url": format!("{API}/sobjects/OpportunityLineItem/{id}")},
        "Id": id.to_string(),
        "Quantity": quantity
    })
}

/// Replies with one Opportunity whose three lines come as two in the query result and one on
/// the relationship's next page.
fn paged_lines(request: &support::Recorded) -> Reply {
    if request.path == NEXT_LINES {
        return Reply::json(
            200,
            json!({"totalSize": 3, "done": true, "records": [line(3, 30.0)]}),
        );
    }
    let opportunity = json!({
        "attributes": {"type": "Opportunity"},
        "Id": OPPORTUNITY,
        "SystemModstamp": "2024-05-06T07:08:09.000+0000",
        "NetSuite_Sales_Order_ID__c": null,
        "OpportunityLineItems": {
            "totalSize": 3,
            "done": false,
            "nextRecordsUrl": NEXT_LINES,
            "records": [line(1, 10.0), line(2, 20.0)]
        }
    });
    Reply::json(
        200,
        json!({"totalSize": 1, "done": true, "records": [opportunity]}),
    )
}

fn lines_spec() -> ObjectSpec {
    ObjectSpec {
        name: "Opportunity".into(),
        fields: vec!["OpportunityLineItems[].Quantity".into()],
        link_field: "NetSuite_Sales_Order_ID__c".into(),
    }
}

#[tokio::test]
async fn read_follows_child_next_records_url() {
    let org = FakeOrg::start(paged_lines).await;
    let port = SalesforcePort::new(org.client());

    let records = port
        .read(&lines_spec(), &[OPPORTUNITY.to_string()])
        .await
        .unwrap();

    assert_eq!(records.len(), 1);
    let quantities: Vec<f64> = records[0].fields["OpportunityLineItems"]
        .lines()
        .iter()
        .map(|line| line["Quantity"].as_number().unwrap())
        .collect();
    assert_eq!(quantities, [10.0, 20.0, 30.0]);
    let requests = org.authorized_requests();
    assert_eq!(requests.len(), 2);
    let soql = requests[0].param("q").unwrap();
    let long_id = SalesforceId::parse(OPPORTUNITY).unwrap();
    assert_eq!(
        soql,
        format!(
            "SELECT Id, SystemModstamp, NetSuite_Sales_Order_ID__c, \
             (SELECT Id, Quantity FROM OpportunityLineItems ORDER BY Id) \
             FROM Opportunity WHERE Id IN ('{long_id}')"
        )
    );
    assert_eq!(requests[1].path, NEXT_LINES);
}

#[tokio::test]
async fn read_rejects_child_page_without_records() {
    let org = FakeOrg::start(|request| {
        if request.path == NEXT_LINES {
            let page =
                json!({"totalSize": 3, "done": false, "nextRecordsUrl": NEXT_LINES, "records": []});
            return Reply::json(200, page);
        }
        paged_lines(request)
    })
    .await;
    let port = SalesforcePort::new(org.client());

    let error = port
        .read(&lines_spec(), &[OPPORTUNITY.to_string()])
        .await
        .unwrap_err();

    assert!(error.message.contains("no records"), "{}", error.message);
    assert_eq!(org.authorized_requests().len(), 2, "no endless paging");
}
