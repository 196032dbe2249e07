//! The published 2023_2 WSDL and XSD files, embedded in the binary so an installed `tandem`
//! serves them without the repository.

/// Embeds one file of the published schema, by its path under the corpus folder.
macro_rules! published {
    ($file:literal) => {
        include_str!(concat!(
            "../../../../../corpus/netsuite/kokobd__netsuite-wsdl/",
            $file
        ))
    };
}

/// The endpoint version the embedded files were published for.
pub(crate) const PUBLISHED_VERSION: &str = "2023_2";

/// `netsuite.wsdl`.
pub(crate) const WSDL: &str = published!("netsuite.wsdl");

/// Every XSD file by its name under `xsd/`.
pub(crate) const XSD_FILES: [(&str, &str); 46] = [
    (
        "activities.scheduling.xsd",
        published!("xsd/activities.scheduling.xsd"),
    ),
    (
        "activities.schedulingTypes.xsd",
        published!("xsd/activities.schedulingTypes.xsd"),
    ),
    (
        "documents.fileCabinet.xsd",
        published!("xsd/documents.fileCabinet.xsd"),
    ),
    (
        "documents.fileCabinetTypes.xsd",
        published!("xsd/documents.fileCabinetTypes.xsd"),
    ),
    (
        "general.communication.xsd",
        published!("xsd/general.communication.xsd"),
    ),
    (
        "general.communicationTypes.xsd",
        published!("xsd/general.communicationTypes.xsd"),
    ),
    (
        "lists.accounting.xsd",
        published!("xsd/lists.accounting.xsd"),
    ),
    (
        "lists.accountingTypes.xsd",
        published!("xsd/lists.accountingTypes.xsd"),
    ),
    (
        "lists.employeeTypes.xsd",
        published!("xsd/lists.employeeTypes.xsd"),
    ),
    ("lists.employees.xsd", published!("xsd/lists.employees.xsd")),
    ("lists.marketing.xsd", published!("xsd/lists.marketing.xsd")),
    (
        "lists.marketingTypes.xsd",
        published!("xsd/lists.marketingTypes.xsd"),
    ),
    (
        "lists.relationshipTypes.xsd",
        published!("xsd/lists.relationshipTypes.xsd"),
    ),
    (
        "lists.relationships.xsd",
        published!("xsd/lists.relationships.xsd"),
    ),
    (
        "lists.supplyChain.xsd",
        published!("xsd/lists.supplyChain.xsd"),
    ),
    (
        "lists.supplyChainTypes.xsd",
        published!("xsd/lists.supplyChainTypes.xsd"),
    ),
    ("lists.support.xsd", published!("xsd/lists.support.xsd")),
    (
        "lists.supportTypes.xsd",
        published!("xsd/lists.supportTypes.xsd"),
    ),
    ("lists.website.xsd", published!("xsd/lists.website.xsd")),
    (
        "lists.websiteTypes.xsd",
        published!("xsd/lists.websiteTypes.xsd"),
    ),
    ("platform.common.xsd", published!("xsd/platform.common.xsd")),
    (
        "platform.commonTypes.xsd",
        published!("xsd/platform.commonTypes.xsd"),
    ),
    ("platform.core.xsd", published!("xsd/platform.core.xsd")),
    (
        "platform.coreTypes.xsd",
        published!("xsd/platform.coreTypes.xsd"),
    ),
    (
        "platform.faultTypes.xsd",
        published!("xsd/platform.faultTypes.xsd"),
    ),
    ("platform.faults.xsd", published!("xsd/platform.faults.xsd")),
    (
        "platform.messages.xsd",
        published!("xsd/platform.messages.xsd"),
    ),
    (
        "setup.customization.xsd",
        published!("xsd/setup.customization.xsd"),
    ),
    (
        "setup.customizationTypes.xsd",
        published!("xsd/setup.customizationTypes.xsd"),
    ),
    (
        "transactions.bank.xsd",
        published!("xsd/transactions.bank.xsd"),
    ),
    (
        "transactions.bankTypes.xsd",
        published!("xsd/transactions.bankTypes.xsd"),
    ),
    (
        "transactions.customerTypes.xsd",
        published!("xsd/transactions.customerTypes.xsd"),
    ),
    (
        "transactions.customers.xsd",
        published!("xsd/transactions.customers.xsd"),
    ),
    (
        "transactions.demandPlanning.xsd",
        published!("xsd/transactions.demandPlanning.xsd"),
    ),
    (
        "transactions.demandPlanningTypes.xsd",
        published!("xsd/transactions.demandPlanningTypes.xsd"),
    ),
    (
        "transactions.employeeTypes.xsd",
        published!("xsd/transactions.employeeTypes.xsd"),
    ),
    (
        "transactions.employees.xsd",
        published!("xsd/transactions.employees.xsd"),
    ),
    (
        "transactions.financial.xsd",
        published!("xsd/transactions.financial.xsd"),
    ),
    (
        "transactions.financialTypes.xsd",
        published!("xsd/transactions.financialTypes.xsd"),
    ),
    (
        "transactions.general.xsd",
        published!("xsd/transactions.general.xsd"),
    ),
    (
        "transactions.inventory.xsd",
        published!("xsd/transactions.inventory.xsd"),
    ),
    (
        "transactions.inventoryTypes.xsd",
        published!("xsd/transactions.inventoryTypes.xsd"),
    ),
    (
        "transactions.purchaseTypes.xsd",
        published!("xsd/transactions.purchaseTypes.xsd"),
    ),
    (
        "transactions.purchases.xsd",
        published!("xsd/transactions.purchases.xsd"),
    ),
    (
        "transactions.saleTypes.xsd",
        published!("xsd/transactions.saleTypes.xsd"),
    ),
    (
        "transactions.sales.xsd",
        published!("xsd/transactions.sales.xsd"),
    ),
];
