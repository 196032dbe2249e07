//! Removing secrets from tool arguments before they are logged or stored.

use serde_json::Value;

/// Parts of an argument name that mark its value as a secret.
const SECRET_NAME_PARTS: [&str; 6] = ["token", "secret", "password", "passwd", "key", "auth"];

/// Returns `arguments` with the value of every key that names a secret (at any depth)
/// replaced by `"[removed]"`.
pub fn redact(arguments: &Value) -> Value {
    match arguments {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(name, value)| {
                    let lower = name.to_lowercase();
                    let value = if SECRET_NAME_PARTS.iter().any(|part| lower.contains(part)) {
                        Value::from("[removed]")
                    } else {
                        redact(value)
                    };
                    (name.clone(), value)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(redact).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn secret_names_are_removed_at_any_depth() {
        let redacted = redact(&json!({"flow": "f", "nested": [{"api_key": "k", "id": 3}]}));
        assert_eq!(
            redacted,
            json!({"flow": "f", "nested": [{"api_key": "[removed]", "id": 3}]})
        );
    }

    #[test]
    fn token_argument_is_removed() {
        let redacted = redact(&json!({"Access_Token": "abc"}));
        assert_eq!(redacted, json!({"Access_Token": "[removed]"}));
    }
}
