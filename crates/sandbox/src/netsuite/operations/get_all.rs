//! `getAll`, which reads every record of a small list that cannot be searched. The emulator
//! serves the `currency` list: the four currencies a new account has, with their ISO 4217
//! symbols, under the internal IDs the other records refer to.

use super::Context;
use crate::netsuite::faults::{Fault, write_status};
use crate::netsuite::records::ACCOUNTING;
use crate::netsuite::records::rules::refs::{BASE, CURRENCIES};
use crate::netsuite::soap::{CORE, MESSAGES};
use crate::netsuite::xml::XmlWriter;

/// Serves `getAll` for `currency`. Other record types of the `GetAllRecordType` enumeration
/// are not emulated and fail with a fault that names the type.
pub(crate) fn get_all(context: &Context) -> Result<String, Fault> {
    let record_type = context
        .operation()
        .child(MESSAGES, "record")
        .and_then(|record| record.attr("recordType"))
        .ok_or_else(|| {
            Fault::request("The getAll request has no record with a recordType.".to_string())
        })?;
    if record_type != "currency" {
        return Err(Fault::request(format!(
            "getAll of {record_type} records is not emulated; the emulator serves currency."
        )));
    }
    Ok(context.respond(|out| write_currencies(out, context)))
}

fn write_currencies(out: &mut XmlWriter, context: &Context) {
    let core = context.version.namespace(CORE);
    let accounting = context.version.namespace(ACCOUNTING);
    out.open(
        "platformCore:getAllResult",
        &[("xmlns:platformCore", &core)],
    );
    write_status(out, &[], true, context.version);
    let total = CURRENCIES.len().to_string();
    out.text_element("platformCore:totalRecords", &[], &total);
    out.open("platformCore:recordList", &[]);
    for (internal_id, name, symbol) in CURRENCIES {
        let attrs = [
            ("xmlns:listAcct", accounting.as_str()),
            ("internalId", internal_id),
            ("xsi:type", "listAcct:Currency"),
        ];
        out.open("platformCore:record", &attrs);
        out.text_element("listAcct:name", &[], name);
        out.text_element("listAcct:symbol", &[], symbol);
        let is_base = if internal_id == BASE { "true" } else { "false" };
        out.text_element("listAcct:isBaseCurrency", &[], is_base);
        out.text_element("listAcct:isInactive", &[], "false");
        out.close("platformCore:record");
    }
    out.close("platformCore:recordList");
    out.close("platformCore:getAllResult");
}
