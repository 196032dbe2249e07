//! Bulk API 2.0 CSV: upload files written from field changes, and result files read back.
//!
//! In an upload, an empty cell leaves a field unchanged and the literal `#N/A` clears it, the
//! opposite of JSON, where a missing key leaves the field and `null` clears it.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::error::{Error, ErrorDetail};
use crate::fields::FieldChanges;

/// Cell that clears a field in a Bulk API upload.
pub const CLEAR_VALUE: &str = "#N/A";

/// One row of a result file: the columns Salesforce added (`sf__Id`, `sf__Created`,
/// `sf__Error`) and the uploaded columns, by header name.
pub type CsvRow = BTreeMap<String, String>;

/// Writes an upload: a header of `key_column` (when given) and every field any record sets,
/// in first-seen order, then one line per record.
pub(crate) fn write_upload(
    key_column: Option<&str>,
    rows: &[(Option<&str>, &FieldChanges)],
) -> Result<String, Error> {
    let header = upload_header(key_column, rows);
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    writer.write_record(&header).map_err(csv_error)?;
    for (key, changes) in rows {
        let mut cells = Vec::with_capacity(header.len());
        if key_column.is_some() {
            cells.push(key.unwrap_or_default().to_string());
        }
        let fields = &header[usize::from(key_column.is_some())..];
        for field in fields {
            cells.push(cell(field, changes.get(field))?);
        }
        writer.write_record(&cells).map_err(csv_error)?;
    }
    let bytes = writer.into_inner().map_err(|error| Error::InvalidRequest {
        message: format!("cannot write the Bulk API upload: {error}"),
    })?;
    String::from_utf8(bytes).map_err(|error| Error::InvalidRequest {
        message: format!("the Bulk API upload is not UTF-8: {error}"),
    })
}

fn upload_header(key_column: Option<&str>, rows: &[(Option<&str>, &FieldChanges)]) -> Vec<String> {
    let mut header: Vec<String> = key_column.map(str::to_string).into_iter().collect();
    for (_, changes) in rows {
        for (field, _) in changes.iter() {
            if !header.iter().any(|name| name.eq_ignore_ascii_case(field)) {
                header.push(field.to_string());
            }
        }
    }
    header
}

/// Returns the cell of one field: empty when the record leaves it, `#N/A` when it clears it.
fn cell(field: &str, value: Option<&Value>) -> Result<String, Error> {
    Ok(match value {
        None => String::new(),
        Some(Value::Null) => CLEAR_VALUE.into(),
        Some(Value::String(text)) if text.is_empty() => CLEAR_VALUE.into(),
        Some(Value::String(text)) => text.clone(),
        Some(Value::Bool(flag)) => flag.to_string(),
        Some(Value::Number(number)) => number.to_string(),
        Some(Value::Array(_) | Value::Object(_)) => {
            return Err(Error::InvalidRequest {
                message: format!(
                    "{field} is a JSON object or array, which a Bulk API CSV cell cannot carry"
                ),
            });
        }
    })
}

/// Reads a result or query file into rows keyed by header name.
pub(crate) fn read_rows(body: &[u8]) -> Result<Vec<CsvRow>, Error> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(body);
    let header: Vec<String> = reader
        .headers()
        .map_err(csv_read_error)?
        .iter()
        .map(str::to_string)
        .collect();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(csv_read_error)?;
        let row: CsvRow = header
            .iter()
            .cloned()
            .zip(record.iter().map(str::to_string))
            .collect();
        rows.push(row);
    }
    Ok(rows)
}

/// Splits an `sf__Error` cell, `CODE:message`, into an error detail.
pub(crate) fn parse_error_cell(cell: &str) -> ErrorDetail {
    let (code, message) = cell.split_once(':').unwrap_or((cell, ""));
    ErrorDetail {
        code: code.trim().to_string(),
        message: message.trim().to_string(),
        fields: Vec::new(),
    }
}

fn csv_error(error: csv::Error) -> Error {
    Error::InvalidRequest {
        message: format!("cannot write the Bulk API upload: {error}"),
    }
}

fn csv_read_error(error: csv::Error) -> Error {
    Error::InvalidResponse {
        message: format!("a Bulk API result is not valid CSV: {error}"),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn write_upload_keeps_leave_and_clear_apart() {
        let mut first = FieldChanges::new();
        first.set("Name", "Acme, Inc.").clear("Phone");
        let mut second = FieldChanges::new();
        second
            .set("Name", "Globex \"West\"")
            .set("NumberOfEmployees", 12);
        let csv = write_upload(
            Some("NetSuite_Id__c"),
            &[(Some("1042"), &first), (Some("1043"), &second)],
        )
        .unwrap();
        assert_eq!(
            csv,
            "NetSuite_Id__c,Name,Phone,NumberOfEmployees\n\
             1042,\"Acme, Inc.\",#N/A,\n\
             1043,\"Globex \"\"West\"\"\",,12\n"
        );
    }

    #[test]
    fn write_upload_rejects_nested_values() {
        let mut changes = FieldChanges::new();
        changes.set("Owner", json!({"Name": "x"}));
        assert!(write_upload(None, &[(None, &changes)]).is_err());
    }

    #[test]
    fn read_rows_reads_recorded_upload_with_line_breaks() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../corpus/salesforce/jsforce__jsforce/test/data/Account_bulk2_test.csv"
        );
        let rows = read_rows(&std::fs::read(path).unwrap()).unwrap();
        assert!(rows.len() > 10);
        let first = &rows[0];
        assert_eq!(first["NAME"], "Bulk Account from CSV (bulk2) - #1");
        assert_eq!(first["TYPE"], "Customer - Channel");
        assert_eq!(first["PARENTID"], "");
        assert_eq!(
            first["BILLINGSTREET"],
            "345 Shoreline Park\nMountain View, CA 94043\nUSA"
        );
        assert_eq!(first["BILLINGCITY"], "Mountain View");
        assert_eq!(first.len(), 30);
    }

    #[test]
    fn parse_error_cell_splits_code_and_message() {
        let detail =
            parse_error_cell("REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name --");
        assert_eq!(detail.code, "REQUIRED_FIELD_MISSING");
        assert_eq!(
            detail.message,
            "Required fields are missing: [Name]:Name --"
        );
        assert_eq!(parse_error_cell("UNKNOWN").code, "UNKNOWN");
    }
}
