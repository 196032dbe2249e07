//! Mapping help for the visual mapper: which field types fit together, and which unmapped
//! fields of a NetSuite record and a Salesforce object probably mean the same thing.

use crate::port::{FieldInfo, FieldType, ObjectInfo};

use super::Direction;

/// The lowest name similarity (Jaro-Winkler over normalized names) a suggestion needs.
pub const MIN_SIMILARITY: f64 = 0.92;

/// Standard NetSuite and Salesforce names that differ but hold the same value, as normalized
/// names (see [`normalized_name`]).
const SYNONYMS: &[(&str, &str)] = &[
    ("companyname", "name"),
    ("url", "website"),
    ("comments", "description"),
    ("billingaddr1", "billingstreet"),
    ("billingzip", "billingpostalcode"),
    ("shippingaddr1", "shippingstreet"),
    ("shippingzip", "shippingpostalcode"),
    ("itemid", "productcode"),
    ("displayname", "name"),
    ("isinactive", "isactive"),
];

/// A pair of fields the mapper proposes.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    pub netsuite: String,
    pub salesforce: String,
    /// The way values can travel: both ways unless one side is read-only.
    pub direction: Direction,
    /// The name similarity, 1.0 for equal or synonymous names.
    pub score: f64,
}

/// Returns why a NetSuite field of type `netsuite` and a Salesforce field of type `salesforce`
/// do not fit in one pair, or `None` when values can travel between them unchanged.
pub fn type_mismatch(netsuite: &FieldType, salesforce: &FieldType) -> Option<String> {
    use FieldType::*;
    let fits = matches!(
        (netsuite, salesforce),
        (Text, Text | Picklist(_))
            | (Picklist(_), Text | Picklist(_))
            | (Number, Number)
            | (Bool, Bool)
            | (Date, Date)
            | (DateTime, DateTime)
            | (Reference(_), Reference(_))
            | (List, List)
    );
    if fits {
        return None;
    }
    let reason = match (netsuite, salesforce) {
        (Reference(_), _) | (_, Reference(_)) => {
            "one side is a record reference: map it to another reference and set a lookup"
        }
        (List, _) | (_, List) => "a sublist or child relationship maps only to another list",
        (Date, DateTime) | (DateTime, Date) => {
            "a date and a date-time: the time of day is lost or made up"
        }
        (Number, Text | Picklist(_)) | (Text | Picklist(_), Number) => {
            "text and a number: text that is not a number is rejected"
        }
        (Bool, _) | (_, Bool) => "a checkbox holds only true or false",
        _ => "the types differ",
    };
    Some(format!(
        "{} and {} do not fit: {reason}",
        type_name(netsuite),
        type_name(salesforce)
    ))
}

/// Returns a short name of a field type for messages and the mapper's field lists.
pub fn type_name(field_type: &FieldType) -> String {
    match field_type {
        FieldType::Text => "text".to_string(),
        FieldType::Number => "number".to_string(),
        FieldType::Bool => "checkbox".to_string(),
        FieldType::Date => "date".to_string(),
        FieldType::DateTime => "date-time".to_string(),
        FieldType::Reference(targets) if targets.is_empty() => "reference".to_string(),
        FieldType::Reference(targets) => format!("reference to {}", targets.join(", ")),
        FieldType::Picklist(_) => "picklist".to_string(),
        FieldType::List => "list".to_string(),
        FieldType::Other(name) => name.clone(),
    }
}

/// Returns the form names are compared in: lower case without `_`, `.`, the `__c` suffix of
/// Salesforce custom fields, or the `custentity`/`custbody`/`custitem`/`custcol` prefix of
/// NetSuite script IDs. For example, `billingAddress.city` becomes `billingcity`.
pub fn normalized_name(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    let mut rest = lower.strip_suffix("__c").unwrap_or(&lower);
    for prefix in [
        "custentity",
        "custbody",
        "custitem",
        "custcol",
        "custrecord",
    ] {
        if let Some(stripped) = rest.strip_prefix(prefix) {
            rest = stripped;
            break;
        }
    }
    let joined: String = rest.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    joined
        .replacen("billingaddress", "billing", 1)
        .replacen("shippingaddress", "shipping", 1)
}

/// Returns how alike two field names are, from 0 to 1: 1 for equal normalized names or
/// known synonyms, else their Jaro-Winkler similarity.
pub fn name_similarity(netsuite: &str, salesforce: &str) -> f64 {
    let netsuite = normalized_name(netsuite);
    let salesforce = normalized_name(salesforce);
    let synonym = SYNONYMS
        .iter()
        .any(|(ns, sf)| *ns == netsuite && *sf == salesforce);
    if netsuite == salesforce || synonym {
        return 1.0;
    }
    strsim::jaro_winkler(&netsuite, &salesforce)
}

/// Proposes pairs between fields of `netsuite` and `salesforce` that neither `mapped_netsuite`
/// nor `mapped_salesforce` contains. A pair needs alike names ([`MIN_SIMILARITY`]), types that
/// fit ([`type_mismatch`]) and one writable side. Line fields, lists and references are left
/// out, because a reference pair needs a lookup flow that names cannot tell. Each
/// field is proposed at most once, best score first.
pub fn suggest(
    netsuite: &ObjectInfo,
    salesforce: &ObjectInfo,
    mapped_netsuite: &[String],
    mapped_salesforce: &[String],
) -> Vec<Suggestion> {
    let is_free = |field: &FieldInfo, mapped: &[String]| {
        !field.name.contains("[]")
            && field.field_type != FieldType::List
            && !matches!(field.field_type, FieldType::Reference(_))
            && !mapped
                .iter()
                .any(|name| name.eq_ignore_ascii_case(&field.name))
    };
    let mut candidates = Vec::new();
    for ns in netsuite
        .fields
        .iter()
        .filter(|f| is_free(f, mapped_netsuite))
    {
        for sf in salesforce
            .fields
            .iter()
            .filter(|f| is_free(f, mapped_salesforce))
        {
            let Some(direction) = direction(ns, sf) else {
                continue;
            };
            let score = name_similarity(&ns.name, &sf.name);
            if score >= MIN_SIMILARITY && type_mismatch(&ns.field_type, &sf.field_type).is_none() {
                candidates.push(Suggestion {
                    netsuite: ns.name.clone(),
                    salesforce: sf.name.clone(),
                    direction,
                    score,
                });
            }
        }
    }
    candidates.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut chosen: Vec<Suggestion> = Vec::new();
    for candidate in candidates {
        let taken = chosen.iter().any(|kept| {
            kept.netsuite == candidate.netsuite || kept.salesforce == candidate.salesforce
        });
        if !taken {
            chosen.push(candidate);
        }
    }
    chosen
}

/// Returns the way values can travel between two fields, or `None` when neither side can be
/// written. A record's own ID (`internalId`, `Id`) is never written.
fn direction(netsuite: &FieldInfo, salesforce: &FieldInfo) -> Option<Direction> {
    let writable = |field: &FieldInfo| {
        (field.createable || field.updateable)
            && !matches!(field.name.as_str(), "internalId" | "Id" | "externalId")
    };
    match (writable(netsuite), writable(salesforce)) {
        (true, true) => Some(Direction::Both),
        (true, false) => Some(Direction::ToNetSuite),
        (false, true) => Some(Direction::ToSalesforce),
        (false, false) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(name: &str, field_type: FieldType, writable: bool) -> FieldInfo {
        FieldInfo {
            name: name.to_string(),
            field_type,
            createable: writable,
            updateable: writable,
            external_id: false,
        }
    }

    fn object(name: &str, fields: Vec<FieldInfo>) -> ObjectInfo {
        ObjectInfo {
            name: name.to_string(),
            fields,
            unlisted_prefix: None,
        }
    }

    fn customer() -> ObjectInfo {
        object(
            "customer",
            vec![
                field("internalId", FieldType::Text, false),
                field("companyName", FieldType::Text, true),
                field("phone", FieldType::Text, true),
                field("billingAddress.city", FieldType::Text, true),
                field("custentity_tier", FieldType::Picklist(Vec::new()), true),
                field("balance", FieldType::Number, false),
                field("isInactive", FieldType::Bool, true),
                field("addressbookList", FieldType::List, true),
                field("parent", FieldType::Reference(Vec::new()), true),
            ],
        )
    }

    fn account() -> ObjectInfo {
        object(
            "Account",
            vec![
                field("Id", FieldType::Text, false),
                field("Name", FieldType::Text, true),
                field("Phone", FieldType::Text, true),
                field("BillingCity", FieldType::Text, true),
                field("Tier__c", FieldType::Picklist(vec!["Gold".into()]), true),
                field("Balance__c", FieldType::Text, true),
                field("IsActive__c", FieldType::Text, true),
                field(
                    "ParentId",
                    FieldType::Reference(vec!["Account".into()]),
                    true,
                ),
            ],
        )
    }

    fn pairs(suggestions: &[Suggestion]) -> Vec<(&str, &str)> {
        suggestions
            .iter()
            .map(|s| (s.netsuite.as_str(), s.salesforce.as_str()))
            .collect()
    }

    #[test]
    fn suggest_pairs_alike_names() {
        let found = suggest(&customer(), &account(), &[], &[]);
        let found = pairs(&found);
        assert!(found.contains(&("companyName", "Name")), "{found:?}");
        assert!(found.contains(&("phone", "Phone")), "{found:?}");
        assert!(
            found.contains(&("billingAddress.city", "BillingCity")),
            "{found:?}"
        );
        assert!(found.contains(&("custentity_tier", "Tier__c")), "{found:?}");
    }

    #[test]
    fn suggest_skips_mapped_fields() {
        let found = suggest(&customer(), &account(), &["phone".to_string()], &[]);
        assert!(!pairs(&found).iter().any(|(ns, _)| *ns == "phone"));
        let found = suggest(&customer(), &account(), &[], &["name".to_string()]);
        assert!(!pairs(&found).iter().any(|(_, sf)| *sf == "Name"));
    }

    #[test]
    fn suggest_skips_type_mismatches() {
        let found = suggest(&customer(), &account(), &[], &[]);
        let found = pairs(&found);
        assert!(!found.contains(&("balance", "Balance__c")), "{found:?}");
        assert!(!found.contains(&("isInactive", "IsActive__c")), "{found:?}");
    }

    #[test]
    fn suggest_skips_record_ids_and_lists() {
        let found = suggest(&customer(), &account(), &[], &[]);
        let found = pairs(&found);
        assert!(!found.contains(&("internalId", "Id")), "{found:?}");
        assert!(!found.iter().any(|(ns, _)| *ns == "addressbookList"));
        assert!(!found.contains(&("parent", "ParentId")), "{found:?}");
    }

    #[test]
    fn suggest_direction_follows_writable_side() {
        let netsuite = object("customer", vec![field("balance", FieldType::Number, false)]);
        let salesforce = object(
            "Account",
            vec![field("Balance__c", FieldType::Number, true)],
        );
        let found = suggest(&netsuite, &salesforce, &[], &[]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].direction, Direction::ToSalesforce);
    }

    #[test]
    fn suggest_uses_each_field_once() {
        let netsuite = object(
            "customer",
            vec![
                field("email", FieldType::Text, true),
                field("altEmail", FieldType::Text, true),
            ],
        );
        let salesforce = object("Contact", vec![field("Email", FieldType::Text, true)]);
        let found = suggest(&netsuite, &salesforce, &[], &[]);
        assert_eq!(pairs(&found), vec![("email", "Email")]);
    }

    #[test]
    fn type_mismatch_names_both_types() {
        let reason = type_mismatch(&FieldType::Number, &FieldType::Text).unwrap();
        assert!(reason.starts_with("number and text do not fit"), "{reason}");
    }

    #[test]
    fn type_mismatch_accepts_text_and_picklist() {
        let picklist = FieldType::Picklist(vec!["A".into()]);
        assert_eq!(type_mismatch(&FieldType::Text, &picklist), None);
        assert_eq!(type_mismatch(&picklist, &FieldType::Text), None);
    }

    #[test]
    fn type_mismatch_asks_for_lookup_on_references() {
        let reference = FieldType::Reference(vec!["Account".into()]);
        let reason = type_mismatch(&FieldType::Text, &reference).unwrap();
        assert!(reason.contains("set a lookup"), "{reason}");
    }

    #[test]
    fn normalized_name_strips_custom_marks() {
        assert_eq!(normalized_name("custentity_sf_tier"), "sftier");
        assert_eq!(normalized_name("SF_Tier__c"), "sftier");
        assert_eq!(normalized_name("billingAddress.zip"), "billingzip");
    }
}
