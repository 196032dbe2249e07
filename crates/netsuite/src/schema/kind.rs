//! What an XSD type means to the client: the kinds of record fields, search criteria and
//! search columns.

/// The kind of an element, from its XSD type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    String,
    Boolean,
    /// `xsd:double`.
    Double,
    /// `xsd:long` or `xsd:int`.
    Long,
    /// `xsd:dateTime`, sent by NetSuite in US Pacific time with an offset. Date-only fields
    /// such as `tranDate` have this type too.
    DateTime,
    /// An enumeration written as text (`_auto`, `_unitedStates`).
    Enum,
    /// `platformCore:RecordRef` (and `CustomRecordRef`).
    RecordRef,
    /// `platformCore:RecordRefList`: `recordRef` children.
    RecordRefList,
    /// `platformCore:CustomFieldList`.
    CustomFieldList,
    /// A complex type of the schema: a sublist (`CustomerAddressbookList`), a sublist line,
    /// an address or a search group. The value is the type name.
    Complex(&'static str),
    /// A basic search criterion (`platformCore:SearchDateField`).
    Criterion(CriterionKind),
    /// `platformCore:SearchCustomFieldList`: criteria on custom fields.
    CriterionCustomFields,
    /// A search row column (`platformCore:SearchColumnStringField`).
    Column(ColumnKind),
    /// `platformCore:SearchColumnCustomFieldList`: custom field columns.
    ColumnCustomFields,
    /// Any other type; written and read as text or skipped.
    Other,
}

/// The kind of a basic search criterion, after its `platformCore:Search*Field` type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CriterionKind {
    String,
    Boolean,
    Date,
    Double,
    Long,
    /// Record references, matched with `anyOf` / `noneOf`.
    MultiSelect,
    /// Enumeration values, matched with `anyOf` / `noneOf`.
    EnumMultiSelect,
    /// A transaction number such as `tranId`, compared as a number or as text.
    TextNumber,
}

/// The kind of a search row column, after its `platformCore:SearchColumn*Field` type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    String,
    Boolean,
    Date,
    Double,
    Long,
    /// A reference (`searchValue` carries `internalId`).
    Select,
    /// An enumeration value.
    EnumSelect,
    TextNumber,
}

impl FieldKind {
    /// Classifies an XSD type name as the schema spells it. Complex types of the schema come
    /// out as [`FieldKind::Other`] here; the schema reader resolves them afterwards.
    pub fn of_xsd_type(xsd_type: &str) -> FieldKind {
        let (prefix, local) = xsd_type.split_once(':').unwrap_or(("", xsd_type));
        match prefix {
            "xsd" => simple_kind(local),
            "platformCore" => core_kind(local),
            _ if prefix.ends_with("Typ") => FieldKind::Enum,
            _ => FieldKind::Other,
        }
    }
}

fn simple_kind(local: &str) -> FieldKind {
    match local {
        "boolean" => FieldKind::Boolean,
        "double" | "float" => FieldKind::Double,
        "long" | "int" | "integer" => FieldKind::Long,
        "dateTime" => FieldKind::DateTime,
        _ => FieldKind::String,
    }
}

fn core_kind(local: &str) -> FieldKind {
    match local {
        "RecordRef" | "CustomRecordRef" => FieldKind::RecordRef,
        "RecordRefList" => FieldKind::RecordRefList,
        "CustomFieldList" => FieldKind::CustomFieldList,
        "SearchCustomFieldList" => FieldKind::CriterionCustomFields,
        "SearchColumnCustomFieldList" => FieldKind::ColumnCustomFields,
        _ => {
            if let Some(column) = local
                .strip_prefix("SearchColumn")
                .and_then(|rest| rest.strip_suffix("Field"))
            {
                return column_kind(column).map_or(FieldKind::Other, FieldKind::Column);
            }
            local
                .strip_prefix("Search")
                .and_then(|rest| rest.strip_suffix("Field"))
                .and_then(criterion_kind)
                .map_or(FieldKind::Other, FieldKind::Criterion)
        }
    }
}

fn criterion_kind(middle: &str) -> Option<CriterionKind> {
    let kind = match middle {
        "String" => CriterionKind::String,
        "Boolean" => CriterionKind::Boolean,
        "Date" => CriterionKind::Date,
        "Double" => CriterionKind::Double,
        "Long" => CriterionKind::Long,
        "MultiSelect" => CriterionKind::MultiSelect,
        "EnumMultiSelect" => CriterionKind::EnumMultiSelect,
        "TextNumber" => CriterionKind::TextNumber,
        _ => return None,
    };
    Some(kind)
}

fn column_kind(middle: &str) -> Option<ColumnKind> {
    let kind = match middle {
        "String" => ColumnKind::String,
        "Boolean" => ColumnKind::Boolean,
        "Date" => ColumnKind::Date,
        "Double" => ColumnKind::Double,
        "Long" => ColumnKind::Long,
        "Select" => ColumnKind::Select,
        "EnumSelect" => ColumnKind::EnumSelect,
        "TextNumber" => ColumnKind::TextNumber,
        _ => return None,
    };
    Some(kind)
}
