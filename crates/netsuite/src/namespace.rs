//! The XML namespaces of SuiteTalk messages.
//!
//! NetSuite namespace URIs carry the endpoint version (`urn:core_2025_2.platform.webservices.netsuite.com`).
//! Requests use the configured version. Responses are matched by URI with any version, because
//! prefixes are free and recorded responses declare them differently from element to element.

/// The SOAP 1.1 envelope namespace.
pub const SOAP_ENVELOPE: &str = "http://schemas.xmlsoap.org/soap/envelope/";

/// The XML Schema instance namespace, for `xsi:type`.
pub const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// The NetSuite namespaces of SuiteTalk messages and records.
///
/// The prefixes are the ones NetSuite's own XSD files declare; any prefix works on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Namespace {
    /// `platformMsgs`: operations, headers and response wrappers.
    Messages,
    /// `platformCore`: status, record references, custom fields, search values.
    Core,
    /// `platformCommon`: basic search criteria, search row columns and addresses.
    Common,
    /// `platformFaults`: fault details.
    Faults,
    /// `listRel`: customers, contacts and their searches.
    Relationships,
    /// `listAcct`: items, price levels, subsidiaries, currencies, terms.
    Accounting,
    /// `tranSales`: sales orders, invoices and the transaction search.
    Sales,
    /// `tranCust`: customer payments, deposits, credit memos.
    Customers,
    /// `tranPurch`: purchase transactions.
    Purchases,
    /// `tranGeneral`: journal entries and other general transactions.
    GeneralTransactions,
    /// `tranInvt`: inventory transactions.
    Inventory,
    /// `tranBank`: checks and deposits.
    Bank,
    /// `tranFin`: budgets.
    Financial,
    /// `tranEmp`: time bills and expense reports.
    EmployeeTransactions,
    /// `listEmp`: employees.
    Employees,
    /// `listMkt`: campaigns and promotions.
    Marketing,
    /// `listScm`: manufacturing and supply chain lists.
    SupplyChain,
    /// `listSupport`: support cases and issues.
    Support,
    /// `listSite`: web site lists.
    Website,
    /// `actSched`: events, tasks and phone calls.
    Scheduling,
    /// `generalComm`: notes and messages.
    Communication,
    /// `docFileCab`: files and folders.
    FileCabinet,
    /// `demandPlanning`: demand plans.
    DemandPlanning,
    /// `setupCustom`: custom records and lists.
    Customization,
}

impl Namespace {
    /// Returns the prefix this client declares for the namespace in requests.
    pub fn prefix(self) -> &'static str {
        self.facts().0
    }

    /// Returns the namespace URI for an endpoint version such as `2025_2`.
    pub fn uri(self, version: &str) -> String {
        let (_, name, family) = self.facts();
        format!("urn:{name}_{version}.{family}.webservices.netsuite.com")
    }

    /// Returns the namespace whose XSD prefix is `prefix` (`listRel`), if any.
    pub fn from_prefix(prefix: &str) -> Option<Namespace> {
        ALL.into_iter()
            .find(|namespace| namespace.prefix() == prefix)
    }

    /// Recognises a NetSuite namespace URI of any version (`2025_2`, and also the old
    /// `2_5` form); `None` for other URIs.
    pub fn from_uri(uri: &str) -> Option<Namespace> {
        let rest = uri.strip_prefix("urn:")?;
        let (name, rest) = rest.split_once('_')?;
        let rest = rest.strip_suffix(".webservices.netsuite.com")?;
        let (version, family) = rest.split_once('.')?;
        if !is_version(version) {
            return None;
        }
        ALL.into_iter().find(|namespace| {
            let (_, own_name, own_family) = namespace.facts();
            own_name == name && own_family == family
        })
    }

    /// Returns the prefix, the name and the family of the namespace URI.
    fn facts(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Namespace::Messages => ("platformMsgs", "messages", "platform"),
            Namespace::Core => ("platformCore", "core", "platform"),
            Namespace::Common => ("platformCommon", "common", "platform"),
            Namespace::Faults => ("platformFaults", "faults", "platform"),
            Namespace::Relationships => ("listRel", "relationships", "lists"),
            Namespace::Accounting => ("listAcct", "accounting", "lists"),
            Namespace::Sales => ("tranSales", "sales", "transactions"),
            Namespace::Customers => ("tranCust", "customers", "transactions"),
            Namespace::Purchases => ("tranPurch", "purchases", "transactions"),
            Namespace::GeneralTransactions => ("tranGeneral", "general", "transactions"),
            Namespace::Inventory => ("tranInvt", "inventory", "transactions"),
            Namespace::Bank => ("tranBank", "bank", "transactions"),
            Namespace::Financial => ("tranFin", "financial", "transactions"),
            Namespace::EmployeeTransactions => ("tranEmp", "employees", "transactions"),
            Namespace::Employees => ("listEmp", "employees", "lists"),
            Namespace::Marketing => ("listMkt", "marketing", "lists"),
            Namespace::SupplyChain => ("listScm", "supplychain", "lists"),
            Namespace::Support => ("listSupport", "support", "lists"),
            Namespace::Website => ("listSite", "website", "lists"),
            Namespace::Scheduling => ("actSched", "scheduling", "activities"),
            Namespace::Communication => ("generalComm", "communication", "general"),
            Namespace::FileCabinet => ("docFileCab", "filecabinet", "documents"),
            Namespace::DemandPlanning => ("demandPlanning", "demandplanning", "transactions"),
            Namespace::Customization => ("setupCustom", "customization", "setup"),
        }
    }
}

/// Every namespace in [`Namespace`].
const ALL: [Namespace; 24] = [
    Namespace::Messages,
    Namespace::Core,
    Namespace::Common,
    Namespace::Faults,
    Namespace::Relationships,
    Namespace::Accounting,
    Namespace::Sales,
    Namespace::Customers,
    Namespace::Purchases,
    Namespace::GeneralTransactions,
    Namespace::Inventory,
    Namespace::Bank,
    Namespace::Financial,
    Namespace::EmployeeTransactions,
    Namespace::Employees,
    Namespace::Marketing,
    Namespace::SupplyChain,
    Namespace::Support,
    Namespace::Website,
    Namespace::Scheduling,
    Namespace::Communication,
    Namespace::FileCabinet,
    Namespace::DemandPlanning,
    Namespace::Customization,
];

/// Accepts a version token: digits, `_`, digits (`2025_2`, `2_5`).
fn is_version(text: &str) -> bool {
    let all_digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    text.split_once('_')
        .is_some_and(|(major, minor)| all_digits(major) && all_digits(minor))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_contains_version() {
        assert_eq!(
            Namespace::Core.uri("2025_2"),
            "urn:core_2025_2.platform.webservices.netsuite.com"
        );
        assert_eq!(
            Namespace::Relationships.uri("2025_2"),
            "urn:relationships_2025_2.lists.webservices.netsuite.com"
        );
    }

    #[test]
    fn from_uri_accepts_any_version() {
        let cases = [
            (
                "urn:messages_2011_2.platform.webservices.netsuite.com",
                Namespace::Messages,
            ),
            (
                "urn:core_2013_2.platform.webservices.netsuite.com",
                Namespace::Core,
            ),
            (
                "urn:common_2021_1.platform.webservices.netsuite.com",
                Namespace::Common,
            ),
            (
                "urn:faults_2011_2.platform.webservices.netsuite.com",
                Namespace::Faults,
            ),
            (
                "urn:relationships_2025_2.lists.webservices.netsuite.com",
                Namespace::Relationships,
            ),
            (
                "urn:messages_2_5.platform.webservices.netsuite.com",
                Namespace::Messages,
            ),
        ];
        for (uri, expected) in cases {
            assert_eq!(Namespace::from_uri(uri), Some(expected), "{uri}");
        }
    }

    #[test]
    fn from_uri_rejects_other_namespaces() {
        let others = [
            "urn:types.core_2013_2.platform.webservices.netsuite.com",
            "urn:accountancy_2013_2.lists.webservices.netsuite.com",
            "urn:core_2015_1_0.platform.webservices.netsuite.com",
            "urn:core.platform.webservices.netsuite.com",
            "urn:core_2025_2.lists.webservices.netsuite.com",
            "http://schemas.xmlsoap.org/soap/envelope/",
            "",
        ];
        for uri in others {
            assert_eq!(Namespace::from_uri(uri), None, "{uri}");
        }
    }
}
