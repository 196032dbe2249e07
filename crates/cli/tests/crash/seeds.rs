//! Source records for the crash tests that the large seed does not hold, added through the
//! emulators' own record methods, as data loading would add them.

use tandem_sandbox::Sandbox;

use crate::support::World;

/// Returns the Id of the standard price book.
pub fn standard_pricebook(sandbox: &Sandbox) -> String {
    let books = sandbox.salesforce().records("Pricebook2");
    let standard = books.iter().find(|book| book["IsStandard"] == true);
    let id = standard.and_then(|book| book["Id"].as_str());
    id.expect("a standard price book").to_string()
}

/// Puts every second NetSuite customer on credit hold (`creditHoldOverride` `_on`) and returns
/// their internal IDs.
pub fn hold_every_second_customer(world: &World) -> Vec<String> {
    let held: Vec<String> = world
        .sandbox
        .netsuite()
        .customers()
        .iter()
        .step_by(2)
        .map(|customer| customer.internal_id.clone())
        .collect();
    for id in &held {
        let hold = "<listRel:creditHoldOverride>_on</listRel:creditHoldOverride>";
        world.update_netsuite("listRel:Customer", id, hold);
    }
    held
}

/// Adds `per_customer` NetSuite contacts to every customer and returns their internal IDs.
pub fn add_contacts(world: &World, per_customer: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for customer in world.sandbox.netsuite().customers() {
        let company = &customer.internal_id;
        for n in 0..per_customer {
            let fields = format!(
                r#"<listRel:company internalId="{company}"/>
                   <listRel:firstName>Pat {n}</listRel:firstName>
                   <listRel:lastName>Buyer {company}</listRel:lastName>
                   <listRel:email>pat{n}.{company}@contacts.example</listRel:email>"#
            );
            ids.push(world.add_netsuite("listRel:Contact", &fields));
        }
    }
    ids
}
