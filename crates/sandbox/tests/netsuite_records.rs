//! Sales orders, invoices, customer payments and items over HTTP: the business rules the
//! sync flows meet, and the record errors NetSuite returns when a rule refuses a write.

mod netsuite_support;

use netsuite_support::{Node, Server, parse};

/// Sends a write of one record and returns the `writeResponse`.
async fn write(
    server: &Server,
    operation: &str,
    record_type: &str,
    attrs: &str,
    fields: &str,
) -> Node {
    let body = format!(
        r#"<platformMsgs:{operation}><platformMsgs:record xsi:type="{record_type}" {attrs}>{fields}</platformMsgs:record></platformMsgs:{operation}>"#
    );
    let reply = server.call(operation, &body).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    parse(&reply.body).find("writeResponse").unwrap().clone()
}

/// Adds a record that must succeed and returns its internal ID.
async fn add_ok(server: &Server, record_type: &str, fields: &str) -> String {
    let response = write(server, "add", record_type, "", fields).await;
    assert_eq!(success(&response), "true", "{response:?}");
    response
        .find("baseRef")
        .unwrap()
        .attr("internalId")
        .unwrap()
}

/// Gets a record and returns the `record` element.
async fn get(server: &Server, record_type: &str, internal_id: &str) -> Node {
    let body = format!(
        r#"<platformMsgs:get><platformMsgs:baseRef xsi:type="platformCore:RecordRef" type="{record_type}" internalId="{internal_id}"/></platformMsgs:get>"#
    );
    let reply = server.call("get", &body).await;
    let response = parse(&reply.body);
    let read = response.find("readResponse").unwrap();
    read.children
        .iter()
        .find(|child| child.local() == "record")
        .unwrap_or_else(|| panic!("no record in {}", reply.body))
        .clone()
}

fn success(node: &Node) -> String {
    node.find("status").unwrap().attr("isSuccess").unwrap()
}

fn code(node: &Node) -> String {
    node.text_of("code").unwrap_or_default()
}

fn number(node: &Node, name: &str) -> f64 {
    node.text_of(name).unwrap().parse().unwrap()
}

async fn customer(server: &Server, name: &str, extra: &str) -> String {
    let fields = format!("<listRel:companyName>{name}</listRel:companyName>{extra}");
    add_ok(server, "listRel:Customer", &fields).await
}

/// Adds an inventory item priced 10.00 (base, USD), 9.00 (level 2, USD) and 8.00 (base,
/// EUR), with 30 on hand at location 1.
async fn item(server: &Server, name: &str) -> String {
    let pricing = |currency: &str, level: &str, value: &str| {
        format!(
            r#"<listAcct:pricing><listAcct:currency internalId="{currency}"/><listAcct:priceLevel internalId="{level}"/><listAcct:priceList><listAcct:price><listAcct:value>{value}</listAcct:value><listAcct:quantity>0</listAcct:quantity></listAcct:price></listAcct:priceList></listAcct:pricing>"#
        )
    };
    let fields = format!(
        r#"<listAcct:itemId>{name}</listAcct:itemId><listAcct:pricingMatrix>{}{}{}</listAcct:pricingMatrix><listAcct:locationsList><listAcct:locations><listAcct:locationId internalId="1"/><listAcct:quantityOnHand>30</listAcct:quantityOnHand></listAcct:locations></listAcct:locationsList>"#,
        pricing("1", "1", "10"),
        pricing("1", "2", "9"),
        pricing("4", "1", "8"),
    );
    add_ok(server, "listAcct:InventoryItem", &fields).await
}

fn order_fields(customer: &str, item: &str, quantity: u32, extra: &str) -> String {
    format!(
        r#"<tranSales:entity internalId="{customer}"/><tranSales:location internalId="1"/>{extra}<tranSales:itemList><tranSales:item><tranSales:item internalId="{item}"/><tranSales:quantity>{quantity}</tranSales:quantity></tranSales:item></tranSales:itemList>"#
    )
}

async fn approve(server: &Server, order: &str) -> Node {
    let fields = "<tranSales:orderStatus>_pendingFulfillment</tranSales:orderStatus>";
    let attrs = format!("internalId=\"{order}\"");
    write(server, "update", "tranSales:SalesOrder", &attrs, fields).await
}

async fn bill(server: &Server, order: &str) -> String {
    let fields = format!(r#"<tranSales:createdFrom internalId="{order}"/>"#);
    add_ok(server, "tranSales:Invoice", &fields).await
}

async fn pay(server: &Server, customer: &str, invoice: &str, amount: &str) -> Node {
    let fields = format!(
        r#"<tranCust:customer internalId="{customer}"/><tranCust:payment>{amount}</tranCust:payment><tranCust:applyList><tranCust:apply><tranCust:apply>true</tranCust:apply><tranCust:doc>{invoice}</tranCust:doc><tranCust:amount>{amount}</tranCust:amount></tranCust:apply></tranCust:applyList>"#
    );
    write(server, "add", "tranCust:CustomerPayment", "", &fields).await
}

#[tokio::test]
async fn sales_order_is_priced_and_pending_approval() {
    let server = Server::start().await;
    let customer = customer(&server, "Acme", "").await;
    let item = item(&server, "WIDGET").await;
    let order = add_ok(
        &server,
        "tranSales:SalesOrder",
        &order_fields(&customer, &item, 3, ""),
    )
    .await;
    let record = get(&server, "salesOrder", &order).await;
    assert_eq!(record.text_of("status").unwrap(), "Pending Approval");
    assert_eq!(record.text_of("orderStatus").unwrap(), "_pendingApproval");
    assert_eq!(number(&record, "total"), 30.0);
    assert_eq!(record.text_of("tranId").unwrap(), "1");
    let entity = record.find("entity").unwrap();
    assert_eq!(entity.text_of("name").unwrap(), "Acme");
}

#[tokio::test]
async fn sales_order_uses_price_level_and_currency() {
    let server = Server::start().await;
    let customer = customer(&server, "Acme", "").await;
    let item = item(&server, "WIDGET").await;
    let euro = r#"<tranSales:currency internalId="4"/>"#;
    let order = add_ok(
        &server,
        "tranSales:SalesOrder",
        &order_fields(&customer, &item, 2, euro),
    )
    .await;
    assert_eq!(
        number(&get(&server, "salesOrder", &order).await, "total"),
        16.0
    );
    let level = format!(
        r#"<tranSales:entity internalId="{customer}"/><tranSales:itemList><tranSales:item><tranSales:item internalId="{item}"/><tranSales:quantity>2</tranSales:quantity><tranSales:price internalId="2"/></tranSales:item></tranSales:itemList>"#
    );
    let order = add_ok(&server, "tranSales:SalesOrder", &level).await;
    assert_eq!(
        number(&get(&server, "salesOrder", &order).await, "total"),
        18.0
    );
}

#[tokio::test]
async fn sales_order_with_unknown_customer_or_item_fails() {
    let server = Server::start().await;
    let customer = customer(&server, "Acme", "").await;
    let item = item(&server, "WIDGET").await;
    let response = write(
        &server,
        "add",
        "tranSales:SalesOrder",
        "",
        &order_fields("999", &item, 1, ""),
    )
    .await;
    assert_eq!(code(&response), "INVALID_KEY_OR_REF");
    assert_eq!(
        response.text_of("message").unwrap(),
        "Invalid entity reference key 999."
    );
    let response = write(
        &server,
        "add",
        "tranSales:SalesOrder",
        "",
        &order_fields(&customer, "998", 1, ""),
    )
    .await;
    assert_eq!(
        response.text_of("message").unwrap(),
        "Invalid item reference key 998."
    );
    let no_lines = format!(r#"<tranSales:entity internalId="{customer}"/>"#);
    let response = write(&server, "add", "tranSales:SalesOrder", "", &no_lines).await;
    assert_eq!(code(&response), "USER_ERROR");
}

#[tokio::test]
async fn approval_commits_quantity_at_location() {
    let server = Server::start().await;
    let customer = customer(&server, "Acme", "").await;
    let item = item(&server, "WIDGET").await;
    let order = add_ok(
        &server,
        "tranSales:SalesOrder",
        &order_fields(&customer, &item, 4, ""),
    )
    .await;
    let before = get(&server, "inventoryItem", &item).await;
    assert_eq!(
        number(before.find("locations").unwrap(), "quantityAvailable"),
        30.0
    );
    assert_eq!(success(&approve(&server, &order).await), "true");
    let after = get(&server, "inventoryItem", &item).await;
    let location = after.find("locations").unwrap();
    assert_eq!(number(location, "quantityCommitted"), 4.0);
    assert_eq!(number(location, "quantityAvailable"), 26.0);
}

#[tokio::test]
async fn approved_order_cannot_go_back_to_pending_approval() {
    let server = Server::start().await;
    let customer = customer(&server, "Acme", "").await;
    let item = item(&server, "WIDGET").await;
    let order = add_ok(
        &server,
        "tranSales:SalesOrder",
        &order_fields(&customer, &item, 1, ""),
    )
    .await;
    approve(&server, &order).await;
    let fields = "<tranSales:orderStatus>_pendingApproval</tranSales:orderStatus>";
    let attrs = format!("internalId=\"{order}\"");
    let response = write(&server, "update", "tranSales:SalesOrder", &attrs, fields).await;
    assert_eq!(code(&response), "INVALID_FLD_VALUE");
}

#[tokio::test]
async fn invoicing_bills_the_order_and_locks_its_lines() {
    let server = Server::start().await;
    let customer = customer(&server, "Acme", "").await;
    let item = item(&server, "WIDGET").await;
    let order = add_ok(
        &server,
        "tranSales:SalesOrder",
        &order_fields(&customer, &item, 2, ""),
    )
    .await;
    approve(&server, &order).await;
    let invoice = bill(&server, &order).await;
    let record = get(&server, "invoice", &invoice).await;
    assert_eq!(number(&record, "total"), 20.0);
    assert_eq!(
        record.find("entity").unwrap().attr("internalId").unwrap(),
        customer
    );
    let billed = get(&server, "salesOrder", &order).await;
    assert_eq!(billed.text_of("status").unwrap(), "Billed");
    assert_eq!(billed.text_of("orderStatus").unwrap(), "_fullyBilled");

    let attrs = format!("internalId=\"{order}\"");
    let lines = order_fields(&customer, &item, 5, "");
    let refused = write(&server, "update", "tranSales:SalesOrder", &attrs, &lines).await;
    assert_eq!(code(&refused), "TRANS_EDIT_DISALLWD");
    let memo = "<tranSales:memo>Thanks</tranSales:memo>";
    let allowed = write(&server, "update", "tranSales:SalesOrder", &attrs, memo).await;
    assert_eq!(success(&allowed), "true");

    let again = format!(r#"<tranSales:createdFrom internalId="{order}"/>"#);
    let twice = write(&server, "add", "tranSales:Invoice", "", &again).await;
    assert_eq!(code(&twice), "INVALID_INITIALIZE_REF");
}

#[tokio::test]
async fn invoice_from_order_pending_approval_fails() {
    let server = Server::start().await;
    let customer = customer(&server, "Acme", "").await;
    let item = item(&server, "WIDGET").await;
    let order = add_ok(
        &server,
        "tranSales:SalesOrder",
        &order_fields(&customer, &item, 2, ""),
    )
    .await;
    let fields = format!(r#"<tranSales:createdFrom internalId="{order}"/>"#);
    let response = write(&server, "add", "tranSales:Invoice", "", &fields).await;
    assert_eq!(code(&response), "INVALID_INITIALIZE_REF");
    assert_eq!(
        response.text_of("message").unwrap(),
        format!("You can not initialize invoice: invalid reference {order}.")
    );
}

#[tokio::test]
async fn payments_pay_down_invoice_and_balance() {
    let server = Server::start().await;
    let customer = customer(&server, "Acme", "").await;
    let item = item(&server, "WIDGET").await;
    let invoice = add_ok(
        &server,
        "tranSales:Invoice",
        &order_fields(&customer, &item, 5, ""),
    )
    .await;
    let open = get(&server, "invoice", &invoice).await;
    assert_eq!(open.text_of("status").unwrap(), "Open");
    assert_eq!(number(&open, "amountRemaining"), 50.0);
    assert_eq!(
        number(&get(&server, "customer", &customer).await, "balance"),
        50.0
    );

    assert_eq!(
        success(&pay(&server, &customer, &invoice, "20").await),
        "true"
    );
    let partly = get(&server, "invoice", &invoice).await;
    assert_eq!(number(&partly, "amountPaid"), 20.0);
    assert_eq!(number(&partly, "amountRemaining"), 30.0);
    assert_eq!(partly.text_of("status").unwrap(), "Open");
    assert_eq!(
        number(&get(&server, "customer", &customer).await, "balance"),
        30.0
    );

    assert_eq!(
        success(&pay(&server, &customer, &invoice, "30").await),
        "true"
    );
    let paid = get(&server, "invoice", &invoice).await;
    assert_eq!(paid.text_of("status").unwrap(), "Paid In Full");
    assert_eq!(
        number(&get(&server, "customer", &customer).await, "balance"),
        0.0
    );
}

#[tokio::test]
async fn payment_over_amount_due_fails() {
    let server = Server::start().await;
    let customer = customer(&server, "Acme", "").await;
    let item = item(&server, "WIDGET").await;
    let invoice = add_ok(
        &server,
        "tranSales:Invoice",
        &order_fields(&customer, &item, 1, ""),
    )
    .await;
    let response = pay(&server, &customer, &invoice, "15").await;
    assert_eq!(code(&response), "INVALID_AMT");
    let other = customer_named_other(&server).await;
    let response = pay(&server, &other, &invoice, "5").await;
    assert_eq!(code(&response), "INVALID_KEY_OR_REF");
}

async fn customer_named_other(server: &Server) -> String {
    customer(server, "Other Co", "").await
}

#[tokio::test]
async fn payment_with_auto_apply_pays_oldest_invoice_first() {
    let server = Server::start().await;
    let customer = customer(&server, "Acme", "").await;
    let item = item(&server, "WIDGET").await;
    let first = add_ok(
        &server,
        "tranSales:Invoice",
        &order_fields(
            &customer,
            &item,
            1,
            "<tranSales:tranDate>2024-01-01T00:00:00Z</tranSales:tranDate>",
        ),
    )
    .await;
    let second = add_ok(
        &server,
        "tranSales:Invoice",
        &order_fields(
            &customer,
            &item,
            1,
            "<tranSales:tranDate>2024-02-01T00:00:00Z</tranSales:tranDate>",
        ),
    )
    .await;
    let fields = format!(
        r#"<tranCust:customer internalId="{customer}"/><tranCust:payment>14</tranCust:payment><tranCust:autoApply>true</tranCust:autoApply>"#
    );
    let response = write(&server, "add", "tranCust:CustomerPayment", "", &fields).await;
    assert_eq!(success(&response), "true");
    assert_eq!(
        get(&server, "invoice", &first)
            .await
            .text_of("status")
            .unwrap(),
        "Paid In Full"
    );
    assert_eq!(
        number(&get(&server, "invoice", &second).await, "amountRemaining"),
        6.0
    );
}

#[tokio::test]
async fn customer_over_credit_limit_gets_no_order() {
    let server = Server::start().await;
    let limited = customer(
        &server,
        "Limited",
        "<listRel:creditLimit>100</listRel:creditLimit>",
    )
    .await;
    let item = item(&server, "WIDGET").await;
    let small = add_ok(
        &server,
        "tranSales:SalesOrder",
        &order_fields(&limited, &item, 6, ""),
    )
    .await;
    assert!(!small.is_empty());
    let response = write(
        &server,
        "add",
        "tranSales:SalesOrder",
        "",
        &order_fields(&limited, &item, 5, ""),
    )
    .await;
    assert_eq!(code(&response), "BALANCE_EXCEEDS_CREDIT_LIMIT");

    let held = customer(
        &server,
        "Held",
        "<listRel:creditHoldOverride>_on</listRel:creditHoldOverride>",
    )
    .await;
    let response = write(
        &server,
        "add",
        "tranSales:SalesOrder",
        "",
        &order_fields(&held, &item, 1, ""),
    )
    .await;
    assert_eq!(code(&response), "BALANCE_EXCEEDS_CREDIT_LIMIT");

    let released = customer(&server, "Released", "<listRel:creditLimit>1</listRel:creditLimit><listRel:creditHoldOverride>_off</listRel:creditHoldOverride>").await;
    let response = write(
        &server,
        "add",
        "tranSales:SalesOrder",
        "",
        &order_fields(&released, &item, 1, ""),
    )
    .await;
    assert_eq!(success(&response), "true");
}

#[tokio::test]
async fn records_with_dependents_cannot_be_deleted() {
    let server = Server::start().await;
    let customer = customer(&server, "Acme", "").await;
    let item = item(&server, "WIDGET").await;
    let invoice = add_ok(
        &server,
        "tranSales:Invoice",
        &order_fields(&customer, &item, 1, ""),
    )
    .await;
    pay(&server, &customer, &invoice, "5").await;
    for (record_type, id) in [
        ("invoice", &invoice),
        ("customer", &customer),
        ("inventoryItem", &item),
    ] {
        let body = format!(
            r#"<platformMsgs:delete><platformMsgs:baseRef xsi:type="platformCore:RecordRef" type="{record_type}" internalId="{id}"/></platformMsgs:delete>"#
        );
        let reply = server.call("delete", &body).await;
        let response = parse(&reply.body);
        assert_eq!(
            code(&response),
            "CANT_DELETE_CHILD_RCRDS_EXIST",
            "{record_type}"
        );
    }
}

#[tokio::test]
async fn null_field_list_and_merged_lines_on_update() {
    let server = Server::start().await;
    let customer = customer(&server, "Acme", "").await;
    let item = item(&server, "WIDGET").await;
    let other = item_two(&server).await;
    let fields = order_fields(
        &customer,
        &item,
        1,
        "<tranSales:memo>Call first</tranSales:memo>",
    );
    let order = add_ok(&server, "tranSales:SalesOrder", &fields).await;
    let attrs = format!("internalId=\"{order}\"");
    let update = format!(
        r#"<platformCore:nullFieldList><platformCore:name>memo</platformCore:name></platformCore:nullFieldList><tranSales:itemList replaceAll="false"><tranSales:item><tranSales:item internalId="{other}"/><tranSales:quantity>2</tranSales:quantity></tranSales:item></tranSales:itemList>"#
    );
    let response = write(&server, "update", "tranSales:SalesOrder", &attrs, &update).await;
    assert_eq!(success(&response), "true");
    let record = get(&server, "salesOrder", &order).await;
    assert_eq!(record.text_of("memo"), None);
    let mut lines = Vec::new();
    record
        .find("itemList")
        .unwrap()
        .find_all("line", &mut lines);
    let numbers: Vec<String> = lines.iter().map(|l| l.text.clone()).collect();
    assert_eq!(numbers, vec!["1", "2"]);
    assert_eq!(number(&record, "total"), 30.0);
}

async fn item_two(server: &Server) -> String {
    item(server, "GADGET").await
}

#[tokio::test]
async fn external_ids_are_unique_per_record_type() {
    let server = Server::start().await;
    let customer = customer(&server, "Acme", "").await;
    let item = item(&server, "WIDGET").await;
    let fields = order_fields(&customer, &item, 1, "");
    let first = write(
        &server,
        "add",
        "tranSales:SalesOrder",
        "externalId=\"EXT-1\"",
        &fields,
    )
    .await;
    assert_eq!(success(&first), "true");
    let second = write(
        &server,
        "add",
        "tranSales:SalesOrder",
        "externalId=\"EXT-1\"",
        &fields,
    )
    .await;
    assert_eq!(code(&second), "DUP_RCRD");
    let invoice = write(
        &server,
        "add",
        "tranSales:Invoice",
        "externalId=\"EXT-1\"",
        &fields,
    )
    .await;
    assert_eq!(success(&invoice), "true");
    let upsert = write(&server, "upsert", "tranSales:SalesOrder", "", &fields).await;
    assert_eq!(code(&upsert), "USER_ERROR");
}

#[tokio::test]
async fn unknown_line_field_is_a_schema_fault() {
    let server = Server::start().await;
    let body = r#"<platformMsgs:add><platformMsgs:record xsi:type="tranSales:SalesOrder"><tranSales:itemList><tranSales:item><tranSales:sku>1</tranSales:sku></tranSales:item></tranSales:itemList></platformMsgs:record></platformMsgs:add>"#;
    let reply = server.call("add", body).await;
    assert_eq!(reply.status, 500);
    assert!(parse(&reply.body).text_of("faultstring").unwrap().contains(
        "sku not found on {urn:sales_2025_2.transactions.webservices.netsuite.com}SalesOrderItem"
    ));
}

#[tokio::test]
async fn transaction_search_filters_by_status_and_strips_lines() {
    let server = Server::start().await;
    let customer = customer(&server, "Acme", "").await;
    let item = item(&server, "WIDGET").await;
    let paid = add_ok(
        &server,
        "tranSales:Invoice",
        &order_fields(&customer, &item, 1, ""),
    )
    .await;
    let open = add_ok(
        &server,
        "tranSales:Invoice",
        &order_fields(&customer, &item, 1, ""),
    )
    .await;
    pay(&server, &customer, &paid, "10").await;
    let body = r#"<platformMsgs:search><platformMsgs:searchRecord xsi:type="tranSales:TransactionSearch"><tranSales:basic><platformCommon:status operator="anyOf"><platformCore:searchValue>_invoiceOpen</platformCore:searchValue></platformCommon:status></tranSales:basic></platformMsgs:searchRecord></platformMsgs:search>"#;
    let reply = server.call("search", body).await;
    let result = parse(&reply.body);
    let mut records = Vec::new();
    result.find_all("record", &mut records);
    let ids: Vec<String> = records
        .iter()
        .map(|r| r.attr("internalId").unwrap())
        .collect();
    assert_eq!(ids, vec![open]);
    assert!(records[0].find("itemList").is_none());
}

#[tokio::test]
async fn payment_moves_invoice_last_modified_date() {
    let server = Server::start().await;
    let customer = customer(&server, "Acme", "").await;
    let item = item(&server, "WIDGET").await;
    let invoice = add_ok(
        &server,
        "tranSales:Invoice",
        &order_fields(&customer, &item, 1, ""),
    )
    .await;
    let before = get(&server, "invoice", &invoice)
        .await
        .text_of("lastModifiedDate")
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    pay(&server, &customer, &invoice, "10").await;
    let after = get(&server, "invoice", &invoice)
        .await
        .text_of("lastModifiedDate")
        .unwrap();
    assert_ne!(before, after);
}

#[tokio::test]
async fn get_deleted_lists_deletions_by_type() {
    let server = Server::start().await;
    let customer = customer(&server, "Gone Co", "").await;
    let item = item(&server, "WIDGET").await;
    for (record_type, id) in [("inventoryItem", &item), ("customer", &customer)] {
        let body = format!(
            r#"<platformMsgs:delete><platformMsgs:baseRef xsi:type="platformCore:RecordRef" type="{record_type}" internalId="{id}"/></platformMsgs:delete>"#
        );
        let reply = server.call("delete", &body).await;
        assert_eq!(success(&parse(&reply.body)), "true");
    }
    let body = r#"<platformMsgs:getDeleted><platformMsgs:getDeletedFilter><platformCore:deletedDate operator="after"><platformCore:searchValue>2020-01-01T00:00:00Z</platformCore:searchValue></platformCore:deletedDate><platformCore:type operator="anyOf"><platformCore:searchValue>customer</platformCore:searchValue></platformCore:type></platformMsgs:getDeletedFilter><platformMsgs:pageIndex>1</platformMsgs:pageIndex></platformMsgs:getDeleted>"#;
    let reply = server.call("getDeleted", body).await;
    assert_eq!(reply.status, 200);
    let result = parse(&reply.body);
    assert_eq!(result.text_of("totalRecords").unwrap(), "1");
    let record = result
        .find("deletedRecord")
        .unwrap()
        .find("record")
        .unwrap();
    assert_eq!(record.attr("internalId").unwrap(), customer);
    assert_eq!(record.attr("type").unwrap(), "customer");
    assert_eq!(record.text_of("name").unwrap(), "Gone Co");
}

#[tokio::test]
async fn item_availability_reports_each_location() {
    let server = Server::start().await;
    let item = item(&server, "WIDGET").await;
    let body = format!(
        r#"<platformMsgs:getItemAvailability><platformMsgs:itemAvailabilityFilter><platformCore:item><platformCore:recordRef internalId="{item}" type="inventoryItem"/></platformCore:item></platformMsgs:itemAvailabilityFilter></platformMsgs:getItemAvailability>"#
    );
    let reply = server.call("getItemAvailability", &body).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let result = parse(&reply.body);
    let availability = result.find("itemAvailability").unwrap();
    assert_eq!(number(availability, "quantityAvailable"), 30.0);
    assert_eq!(
        availability
            .find("locationId")
            .unwrap()
            .attr("internalId")
            .unwrap(),
        "1"
    );
}

#[tokio::test]
async fn list_operations_enforce_record_limits() {
    let server = Server::start().await;
    let record = r#"<platformMsgs:record xsi:type="listRel:Customer"><listRel:companyName>A</listRel:companyName></platformMsgs:record>"#;
    let base_ref = r#"<platformMsgs:baseRef xsi:type="platformCore:RecordRef" type="customer" internalId="1"/>"#;
    for (operation, element, limit) in [
        ("addList", record, 200),
        ("updateList", record, 100),
        ("upsertList", record, 100),
        ("deleteList", base_ref, 200),
        ("getList", base_ref, 1000),
    ] {
        let body = format!(
            "<platformMsgs:{operation}>{}</platformMsgs:{operation}>",
            element.repeat(limit + 1)
        );
        let reply = server.call(operation, &body).await;
        assert_eq!(reply.status, 500, "{operation}");
        let fault = parse(&reply.body);
        assert_eq!(
            fault.text_of("code").unwrap(),
            "MAX_RCRDS_EXCEEDED",
            "{operation}"
        );
        assert!(
            fault.find("exceededRecordCountFault").is_some(),
            "{operation}"
        );
    }
}
