//! The `preferences` header sent with reads and writes.

use std::io;

use quick_xml::Writer;

use crate::envelope::{bool_text, text_element};

/// Write preferences (`platformMsgs:preferences`). `None` leaves a preference out, so
/// NetSuite applies its default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WritePreferences {
    /// True makes a warning fail the write (`isSuccess="false"`, nothing written); without it
    /// NetSuite writes the record and returns the warning as a `WARN` status detail.
    pub warning_as_error: Option<bool>,
    /// True skips the check of mandatory custom fields.
    pub disable_mandatory_custom_field_validation: Option<bool>,
    /// True writes no system notes for custom field changes.
    pub disable_system_notes_for_custom_fields: Option<bool>,
    /// True makes NetSuite ignore read-only fields in the request instead of failing with
    /// `INSUFFICIENT_PERMISSION` "You do not have permissions to set a value for element",
    /// which a record read with `get` and sent back otherwise causes.
    pub ignore_read_only_fields: Option<bool>,
    /// Whether server-side scripts and workflows run for the request.
    pub run_server_suite_script_and_trigger_workflows: Option<bool>,
}

impl Default for WritePreferences {
    /// Ignores read-only fields and leaves every other preference to NetSuite.
    fn default() -> WritePreferences {
        WritePreferences {
            warning_as_error: None,
            disable_mandatory_custom_field_validation: None,
            disable_system_notes_for_custom_fields: None,
            ignore_read_only_fields: Some(true),
            run_server_suite_script_and_trigger_workflows: None,
        }
    }
}

impl WritePreferences {
    /// Returns true when no preference is set, so no header is needed.
    pub fn is_empty(&self) -> bool {
        self.entries().iter().all(|(_, value)| value.is_none())
    }

    /// Returns the preferences in XSD sequence order with their element names.
    fn entries(&self) -> [(&'static str, Option<bool>); 5] {
        [
            ("warningAsError", self.warning_as_error),
            (
                "disableMandatoryCustomFieldValidation",
                self.disable_mandatory_custom_field_validation,
            ),
            (
                "disableSystemNotesForCustomFields",
                self.disable_system_notes_for_custom_fields,
            ),
            ("ignoreReadOnlyFields", self.ignore_read_only_fields),
            (
                "runServerSuiteScriptAndTriggerWorkflows",
                self.run_server_suite_script_and_trigger_workflows,
            ),
        ]
    }

    /// Writes the `preferences` header element.
    pub(crate) fn write(&self, writer: &mut Writer<Vec<u8>>) -> io::Result<()> {
        writer
            .create_element("platformMsgs:preferences")
            .write_inner_content(|writer| {
                for (name, value) in self.entries() {
                    if let Some(value) = value {
                        let element = format!("platformMsgs:{name}");
                        text_element(writer, &element, bool_text(value))?;
                    }
                }
                Ok(())
            })?;
        Ok(())
    }
}
