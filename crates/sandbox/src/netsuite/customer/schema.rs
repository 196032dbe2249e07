//! The elements of `listRel:Customer` in the order of its XSD sequence (2023_2 schema,
//! `lists.relationships.xsd`), with their value kinds. Responses write fields in this order,
//! and request elements not listed here are schema errors.

/// The value type of a Customer element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FieldKind {
    /// `xsd:string`.
    String,
    /// `xsd:boolean`.
    Boolean,
    /// `xsd:double`.
    Double,
    /// `xsd:long`.
    Long,
    /// `xsd:dateTime`.
    DateTime,
    /// An enumeration value such as `_auto`.
    // NOTE: enumeration values are not checked against the schema's lists.
    Enum,
    /// A `platformCore:RecordRef` with `internalId`/`externalId` attributes.
    RecordRef,
    /// A sublist such as `addressbookList`, left out of search results while
    /// `bodyFieldsOnly` is true.
    // NOTE: only `addressbookList` has its elements checked against the schema; other
    // sublists are stored and written back as sent.
    Sublist,
    /// `customFieldList`.
    CustomFieldList,
}

/// Every Customer element with its kind, in schema order.
pub(crate) const CUSTOMER_FIELDS: [(&str, FieldKind); 137] = [
    ("customForm", FieldKind::RecordRef),
    ("entityId", FieldKind::String),
    ("altName", FieldKind::String),
    ("isPerson", FieldKind::Boolean),
    ("phoneticName", FieldKind::String),
    ("salutation", FieldKind::String),
    ("firstName", FieldKind::String),
    ("middleName", FieldKind::String),
    ("lastName", FieldKind::String),
    ("companyName", FieldKind::String),
    ("entityStatus", FieldKind::RecordRef),
    ("parent", FieldKind::RecordRef),
    ("phone", FieldKind::String),
    ("fax", FieldKind::String),
    ("email", FieldKind::String),
    ("url", FieldKind::String),
    ("defaultAddress", FieldKind::String),
    ("isInactive", FieldKind::Boolean),
    ("category", FieldKind::RecordRef),
    ("title", FieldKind::String),
    ("printOnCheckAs", FieldKind::String),
    ("altPhone", FieldKind::String),
    ("homePhone", FieldKind::String),
    ("mobilePhone", FieldKind::String),
    ("altEmail", FieldKind::String),
    ("language", FieldKind::Enum),
    ("comments", FieldKind::String),
    ("numberFormat", FieldKind::Enum),
    ("negativeNumberFormat", FieldKind::Enum),
    ("dateCreated", FieldKind::DateTime),
    ("image", FieldKind::RecordRef),
    ("emailPreference", FieldKind::Enum),
    ("subsidiary", FieldKind::RecordRef),
    ("representingSubsidiary", FieldKind::RecordRef),
    ("salesRep", FieldKind::RecordRef),
    ("territory", FieldKind::RecordRef),
    ("contribPct", FieldKind::String),
    ("partner", FieldKind::RecordRef),
    ("salesGroup", FieldKind::RecordRef),
    ("vatRegNumber", FieldKind::String),
    ("accountNumber", FieldKind::String),
    ("taxExempt", FieldKind::Boolean),
    ("terms", FieldKind::RecordRef),
    ("creditLimit", FieldKind::Double),
    ("creditHoldOverride", FieldKind::Enum),
    ("monthlyClosing", FieldKind::Enum),
    ("overrideCurrencyFormat", FieldKind::Boolean),
    ("displaySymbol", FieldKind::String),
    ("symbolPlacement", FieldKind::Enum),
    ("balance", FieldKind::Double),
    ("overdueBalance", FieldKind::Double),
    ("daysOverdue", FieldKind::Long),
    ("unbilledOrders", FieldKind::Double),
    ("consolUnbilledOrders", FieldKind::Double),
    ("consolOverdueBalance", FieldKind::Double),
    ("consolDepositBalance", FieldKind::Double),
    ("consolBalance", FieldKind::Double),
    ("consolAging", FieldKind::Double),
    ("consolAging1", FieldKind::Double),
    ("consolAging2", FieldKind::Double),
    ("consolAging3", FieldKind::Double),
    ("consolAging4", FieldKind::Double),
    ("consolDaysOverdue", FieldKind::Long),
    ("priceLevel", FieldKind::RecordRef),
    ("currency", FieldKind::RecordRef),
    ("prefCCProcessor", FieldKind::RecordRef),
    ("depositBalance", FieldKind::Double),
    ("shipComplete", FieldKind::Boolean),
    ("taxable", FieldKind::Boolean),
    ("taxItem", FieldKind::RecordRef),
    ("resaleNumber", FieldKind::String),
    ("aging", FieldKind::Double),
    ("aging1", FieldKind::Double),
    ("aging2", FieldKind::Double),
    ("aging3", FieldKind::Double),
    ("aging4", FieldKind::Double),
    ("startDate", FieldKind::DateTime),
    ("alcoholRecipientType", FieldKind::Enum),
    ("endDate", FieldKind::DateTime),
    ("reminderDays", FieldKind::Long),
    ("shippingItem", FieldKind::RecordRef),
    ("thirdPartyAcct", FieldKind::String),
    ("thirdPartyZipcode", FieldKind::String),
    ("thirdPartyCountry", FieldKind::Enum),
    ("thirdPartyCarrier", FieldKind::Enum),
    ("giveAccess", FieldKind::Boolean),
    ("estimatedBudget", FieldKind::Double),
    ("accessRole", FieldKind::RecordRef),
    ("sendEmail", FieldKind::Boolean),
    ("assignedWebSite", FieldKind::RecordRef),
    ("password", FieldKind::String),
    ("password2", FieldKind::String),
    ("requirePwdChange", FieldKind::Boolean),
    ("campaignCategory", FieldKind::RecordRef),
    ("sourceWebSite", FieldKind::RecordRef),
    ("leadSource", FieldKind::RecordRef),
    ("receivablesAccount", FieldKind::RecordRef),
    ("drAccount", FieldKind::RecordRef),
    ("fxAccount", FieldKind::RecordRef),
    ("defaultOrderPriority", FieldKind::Double),
    ("webLead", FieldKind::String),
    ("referrer", FieldKind::String),
    ("keywords", FieldKind::String),
    ("clickStream", FieldKind::String),
    ("lastPageVisited", FieldKind::String),
    ("visits", FieldKind::Long),
    ("firstVisit", FieldKind::DateTime),
    ("lastVisit", FieldKind::DateTime),
    ("billPay", FieldKind::Boolean),
    ("openingBalance", FieldKind::Double),
    ("lastModifiedDate", FieldKind::DateTime),
    ("openingBalanceDate", FieldKind::DateTime),
    ("openingBalanceAccount", FieldKind::RecordRef),
    ("stage", FieldKind::Enum),
    ("emailTransactions", FieldKind::Boolean),
    ("printTransactions", FieldKind::Boolean),
    ("faxTransactions", FieldKind::Boolean),
    ("defaultTaxReg", FieldKind::RecordRef),
    ("syncPartnerTeams", FieldKind::Boolean),
    ("isBudgetApproved", FieldKind::Boolean),
    ("globalSubscriptionStatus", FieldKind::Enum),
    ("salesReadiness", FieldKind::RecordRef),
    ("salesTeamList", FieldKind::Sublist),
    ("buyingReason", FieldKind::RecordRef),
    ("downloadList", FieldKind::Sublist),
    ("buyingTimeFrame", FieldKind::RecordRef),
    ("addressbookList", FieldKind::Sublist),
    ("subscriptionsList", FieldKind::Sublist),
    ("contactRolesList", FieldKind::Sublist),
    ("currencyList", FieldKind::Sublist),
    ("creditCardsList", FieldKind::Sublist),
    ("partnersList", FieldKind::Sublist),
    ("groupPricingList", FieldKind::Sublist),
    ("itemPricingList", FieldKind::Sublist),
    ("taxRegistrationList", FieldKind::Sublist),
    ("defaultAllocationStrategy", FieldKind::RecordRef),
    ("customFieldList", FieldKind::CustomFieldList),
];

/// Elements NetSuite computes itself; setting them needs the `ignoreReadOnlyFields` preference.
// NOTE: the schema does not mark read-only fields. This list contains the dates, balances,
// aging totals and web statistics that NetSuite maintains itself; it may miss some.
pub(crate) const READ_ONLY_FIELDS: [&str; 25] = [
    "defaultAddress",
    "dateCreated",
    "lastModifiedDate",
    "balance",
    "overdueBalance",
    "daysOverdue",
    "unbilledOrders",
    "consolUnbilledOrders",
    "consolOverdueBalance",
    "consolDepositBalance",
    "consolBalance",
    "consolAging",
    "consolAging1",
    "consolAging2",
    "consolAging3",
    "consolAging4",
    "consolDaysOverdue",
    "depositBalance",
    "aging",
    "aging1",
    "aging2",
    "aging3",
    "aging4",
    "visits",
    "firstVisit",
];

/// Returns the kind of a Customer element, or `None` when the schema has no such element.
pub(crate) fn field_kind(name: &str) -> Option<FieldKind> {
    CUSTOMER_FIELDS
        .iter()
        .find(|(field, _)| *field == name)
        .map(|(_, kind)| *kind)
}

/// Returns true for fields that only NetSuite itself sets.
pub(crate) fn is_read_only(name: &str) -> bool {
    READ_ONLY_FIELDS.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_kind_knows_schema_elements() {
        assert_eq!(field_kind("companyName"), Some(FieldKind::String));
        assert_eq!(field_kind("addressbookList"), Some(FieldKind::Sublist));
        assert_eq!(field_kind("addr1"), None);
    }

    #[test]
    fn customer_fields_start_and_end_as_schema() {
        assert_eq!(CUSTOMER_FIELDS[0].0, "customForm");
        assert_eq!(CUSTOMER_FIELDS[136].0, "customFieldList");
    }

    #[test]
    fn read_only_fields_are_schema_elements() {
        for name in READ_ONLY_FIELDS {
            assert!(
                field_kind(name).is_some(),
                "{name} is not a Customer element"
            );
        }
    }
}
