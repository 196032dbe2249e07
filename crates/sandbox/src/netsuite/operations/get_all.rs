//! `getAll`, which reads every record of a small list that cannot be searched. The emulator
//! serves the `currency` list: the account's currency records, in internal ID order.

use super::Context;
use crate::netsuite::faults::{Fault, write_status};
use crate::netsuite::records::RecordKind;
use crate::netsuite::records::render::{RecordPlace, write_record};
use crate::netsuite::soap::{CORE, MESSAGES};
use crate::netsuite::state::State;

/// Serves `getAll` for `currency`. Other record types of the `GetAllRecordType` enumeration
/// are not emulated and fail with a fault that names the type.
pub(crate) fn get_all(state: &State, context: &Context) -> Result<String, Fault> {
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
    let currencies: Vec<_> = state.records.of_kind(RecordKind::Currency).collect();
    let core = context.version.namespace(CORE);
    let place = RecordPlace {
        element: "platformCore:record",
        core_in_scope: true,
        body_fields_only: false,
    };
    Ok(context.respond(|out| {
        out.open(
            "platformCore:getAllResult",
            &[("xmlns:platformCore", &core)],
        );
        write_status(out, &[], true, context.version);
        let total = currencies.len().to_string();
        out.text_element("platformCore:totalRecords", &[], &total);
        out.open("platformCore:recordList", &[]);
        for currency in &currencies {
            write_record(out, currency, place, context.version);
        }
        out.close("platformCore:recordList");
        out.close("platformCore:getAllResult");
    }))
}
