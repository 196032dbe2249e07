//! Expressions in field mappings: Jinja-style templates over the other side's record, such as
//! `{{ Name }} ({{ BillingCity }})` or `{{ "VIP" if AnnualRevenue > 1000000 else "" }}`.
//!
//! Templates run in a sandboxed minijinja environment whose fuel bounds the work of one
//! evaluation, so a mapping cannot loop forever.

use std::fmt;
use std::sync::Arc;

use minijinja::{Environment, Value};

use crate::record::{FieldValue, Fields};

/// Instructions one evaluation may run before it is stopped.
const FUEL: u64 = 50_000;

/// Why an expression could not be compiled or evaluated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expression {expression:?} failed: {message}")]
pub struct ExpressionError {
    pub expression: String,
    pub message: String,
}

/// A compiled expression with the fields it reads.
#[derive(Clone)]
pub struct Expression {
    source: Arc<str>,
    inputs: Vec<String>,
    environment: Arc<Environment<'static>>,
}

impl Expression {
    /// Compiles a template. Fails on a syntax error, naming it.
    pub fn new(source: &str) -> Result<Expression, ExpressionError> {
        let mut environment = Environment::new();
        environment.set_fuel(Some(FUEL));
        let failed = |error: minijinja::Error| ExpressionError {
            expression: source.to_string(),
            message: error.to_string(),
        };
        let template = environment.template_from_str(source).map_err(failed)?;
        let mut inputs: Vec<String> = template.undeclared_variables(false).into_iter().collect();
        inputs.sort();
        Ok(Expression {
            source: source.into(),
            inputs,
            environment: Arc::new(environment),
        })
    }

    /// Returns the template text.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Returns the fields the template reads, sorted.
    pub fn inputs(&self) -> &[String] {
        &self.inputs
    }

    /// Renders the template with the record's fields; a blank result is `Null`.
    pub fn evaluate(&self, record: &Fields) -> Result<FieldValue, ExpressionError> {
        let context: std::collections::BTreeMap<&str, Value> = record
            .iter()
            .map(|(name, value)| (name.as_str(), jinja_value(value)))
            .collect();
        let failed = |error: minijinja::Error| ExpressionError {
            expression: self.source.to_string(),
            message: error.to_string(),
        };
        let template = self
            .environment
            .template_from_str(&self.source)
            .map_err(failed)?;
        let rendered = template.render(context).map_err(failed)?;
        Ok(FieldValue::text(rendered.trim()))
    }
}

fn jinja_value(value: &FieldValue) -> Value {
    match value {
        FieldValue::Null => Value::from(()),
        FieldValue::Bool(value) => Value::from(*value),
        FieldValue::Number(value) => Value::from(*value),
        FieldValue::Text(text) => Value::from(text.as_str()),
        FieldValue::List(lines) => lines
            .iter()
            .map(|line| {
                let line: std::collections::BTreeMap<String, Value> = line
                    .iter()
                    .map(|(name, value)| (name.clone(), jinja_value(value)))
                    .collect();
                Value::from(line)
            })
            .collect(),
    }
}

impl fmt::Debug for Expression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Expression").field(&self.source).finish()
    }
}

impl PartialEq for Expression {
    fn eq(&self, other: &Expression) -> bool {
        self.source == other.source
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(pairs: &[(&str, FieldValue)]) -> Fields {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    #[test]
    fn concatenation_reads_fields() {
        let expression = Expression::new("{{ Name }} ({{ BillingCity }})").unwrap();
        let fields = record(&[
            ("Name", FieldValue::text("Acme")),
            ("BillingCity", FieldValue::text("Lyon")),
        ]);
        assert_eq!(
            expression.evaluate(&fields).unwrap(),
            FieldValue::text("Acme (Lyon)")
        );
        assert_eq!(expression.inputs(), ["BillingCity", "Name"]);
    }

    #[test]
    fn condition_on_number() {
        let expression = Expression::new("{{ 'VIP' if Revenue > 1000 else 'Standard' }}").unwrap();
        let big = record(&[("Revenue", FieldValue::Number(5000.0))]);
        let small = record(&[("Revenue", FieldValue::Number(10.0))]);
        assert_eq!(expression.evaluate(&big).unwrap(), FieldValue::text("VIP"));
        assert_eq!(
            expression.evaluate(&small).unwrap(),
            FieldValue::text("Standard")
        );
    }

    #[test]
    fn blank_result_is_null() {
        let expression = Expression::new("{{ Missing }}").unwrap();
        assert_eq!(
            expression.evaluate(&Fields::new()).unwrap(),
            FieldValue::Null
        );
    }

    #[test]
    fn syntax_error_is_named() {
        let error = Expression::new("{{ Name ").unwrap_err();
        assert_eq!(error.expression, "{{ Name ");
    }

    #[test]
    fn endless_loop_runs_out_of_fuel() {
        let expression = Expression::new(
            "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
        )
        .unwrap();
        assert!(expression.evaluate(&Fields::new()).is_err());
    }
}
