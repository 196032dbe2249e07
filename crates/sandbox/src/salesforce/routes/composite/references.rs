//! References between subrequests: `@{referenceId.path}` in a subrequest's URL or body is
//! replaced by a value of an earlier subrequest's response body, such as `@{NewAccount.id}`
//! or `@{Query.records[0].Id}`.
//!
//! A reference to a subrequest that failed, or to a value its body does not have, fails the
//! subrequest with `PROCESSING_HALTED`, as Salesforce reports it.

use std::collections::HashMap;

use serde_json::Value;

use crate::salesforce::errors::ApiError;

/// Response bodies of the subrequests that succeeded so far, by reference Id.
#[derive(Debug, Default)]
pub(super) struct Results {
    bodies: HashMap<String, Value>,
}

impl Results {
    /// Keeps the body of a subrequest that succeeded.
    pub fn insert(&mut self, reference_id: &str, body: Value) {
        self.bodies.insert(reference_id.to_string(), body);
    }

    /// Replaces every reference in `text`. A string that is one reference alone, in a
    /// body, keeps the referenced value's JSON type when `keep_type` is set.
    fn resolve_text(&self, text: &str, keep_type: bool) -> Result<Value, ApiError> {
        if keep_type
            && let Some(inner) = text
                .strip_prefix("@{")
                .and_then(|rest| rest.strip_suffix('}'))
            && !inner.contains('}')
        {
            return self.lookup(inner).cloned();
        }
        let mut resolved = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find("@{") {
            let Some(length) = rest[start..].find('}') else {
                break;
            };
            resolved.push_str(&rest[..start]);
            let inner = &rest[start + 2..start + length];
            match self.lookup(inner)? {
                Value::String(value) => resolved.push_str(value),
                other => resolved.push_str(&other.to_string()),
            }
            rest = &rest[start + length + 1..];
        }
        resolved.push_str(rest);
        Ok(Value::String(resolved))
    }

    /// Replaces the references in a subrequest URL.
    pub fn resolve_url(&self, url: &str) -> Result<String, ApiError> {
        match self.resolve_text(url, false)? {
            Value::String(text) => Ok(text),
            other => Ok(other.to_string()),
        }
    }

    /// Replaces the references in every string of a subrequest body.
    pub fn resolve_body(&self, body: &Value) -> Result<Value, ApiError> {
        Ok(match body {
            Value::String(text) => self.resolve_text(text, true)?,
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|item| self.resolve_body(item))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Object(members) => Value::Object(
                members
                    .iter()
                    .map(|(key, value)| Ok((key.clone(), self.resolve_body(value)?)))
                    .collect::<Result<_, ApiError>>()?,
            ),
            other => other.clone(),
        })
    }

    /// Finds the value `reference` (`refId.field[0].field`) names.
    fn lookup(&self, reference: &str) -> Result<&Value, ApiError> {
        let (reference_id, path) = reference.split_once('.').unwrap_or((reference, ""));
        let missing = || invalid_reference(reference, reference_id);
        let mut value = self.bodies.get(reference_id).ok_or_else(missing)?;
        for step in path_steps(path).ok_or_else(missing)? {
            value = match step {
                Step::Key(key) => value.get(key),
                Step::Index(index) => value.get(index),
            }
            .ok_or_else(missing)?;
        }
        if path.is_empty() || value.is_null() {
            return Err(missing());
        }
        Ok(value)
    }
}

/// One step of a reference path.
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

/// Splits `records[0].Id` into its steps; `None` for a malformed path.
fn path_steps(path: &str) -> Option<Vec<Step<'_>>> {
    let mut steps = Vec::new();
    for part in path.split('.').filter(|part| !part.is_empty()) {
        let (key, mut indexes) = match part.find('[') {
            Some(bracket) => (&part[..bracket], &part[bracket..]),
            None => (part, ""),
        };
        if !key.is_empty() {
            steps.push(Step::Key(key));
        }
        while let Some(rest) = indexes.strip_prefix('[') {
            let close = rest.find(']')?;
            steps.push(Step::Index(rest[..close].parse().ok()?));
            indexes = &rest[close + 1..];
        }
        if !indexes.is_empty() {
            return None;
        }
    }
    Some(steps)
}

/// Returns the error of a reference that names no value.
fn invalid_reference(reference: &str, reference_id: &str) -> ApiError {
    let message = format!(
        "Invalid reference specified. No value for {reference} found in {reference_id}. \
         Provided referenceId ('{reference_id}') must start with a letter or a number, and it \
         can contain only letters, numbers and underscores ('_')."
    );
    ApiError::bad_request("PROCESSING_HALTED", message)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn results() -> Results {
        let mut results = Results::default();
        results.insert(
            "NewAccount",
            json!({"id": "001000000000001AAA", "success": true}),
        );
        results.insert(
            "Query",
            json!({"totalSize": 1, "records": [{"Id": "003000000000001AAA", "Amount": 12.5}]}),
        );
        results
    }

    #[test]
    fn resolve_url_replaces_every_reference() {
        let url = results()
            .resolve_url("/sobjects/Account/@{NewAccount.id}?x=@{Query.records[0].Id}")
            .unwrap();
        assert_eq!(
            url,
            "/sobjects/Account/001000000000001AAA?x=003000000000001AAA"
        );
    }

    #[test]
    fn resolve_body_keeps_type_of_whole_reference() {
        let body = json!({"AccountId": "@{NewAccount.id}", "Amount": "@{Query.records[0].Amount}",
                          "Note": "total @{Query.totalSize}"});
        let resolved = results().resolve_body(&body).unwrap();
        assert_eq!(resolved["AccountId"], "001000000000001AAA");
        assert_eq!(resolved["Amount"], 12.5);
        assert_eq!(resolved["Note"], "total 1");
    }

    #[test]
    fn lookup_of_missing_value_is_processing_halted() {
        let error = results()
            .resolve_url("/sobjects/Contact/@{Query.records[3].Id}")
            .unwrap_err();
        assert_eq!(error.error_code, "PROCESSING_HALTED");
        assert!(error.message.starts_with(
            "Invalid reference specified. No value for Query.records[3].Id found in Query."
        ));
        let error = results().resolve_url("@{Unknown.id}").unwrap_err();
        assert_eq!(error.error_code, "PROCESSING_HALTED");
    }
}
