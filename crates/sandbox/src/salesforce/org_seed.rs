//! The users and the standard price book every new org has, and look-ups of users.

use serde_json::Value;

use crate::salesforce::id;
use crate::salesforce::state::{Lookup, Org, empty_values};
use crate::salesforce::values::{now_millis, render_datetime};

impl Org {
    /// Adds an active user named `name` whose username starts with `alias`, and returns its
    /// Id. The first user is its own creator; later ones are created by the admin.
    pub(crate) fn seed_user(&mut self, name: &str, alias: &str) -> String {
        let Some(user) = self.object("User").cloned() else {
            return String::new();
        };
        let user_id = self.next_id(&user);
        let now = render_datetime(now_millis());
        let creator = if self.admin_user_id.is_empty() {
            user_id.clone()
        } else {
            self.admin_user_id.clone()
        };
        let mut values = empty_values(&user);
        let org_15 = id::to_15(&self.org_id).to_ascii_lowercase();
        for (field, value) in [
            ("Id", Value::String(user_id.clone())),
            ("Name", Value::String(name.to_string())),
            (
                "Username",
                Value::String(format!("{alias}@{org_15}.example.com")),
            ),
            ("Email", Value::String(format!("{alias}@example.com"))),
            ("IsActive", Value::Bool(true)),
            ("CreatedDate", Value::String(now.clone())),
            ("CreatedById", Value::String(creator.clone())),
            ("LastModifiedDate", Value::String(now.clone())),
            ("LastModifiedById", Value::String(creator)),
            ("SystemModstamp", Value::String(now)),
        ] {
            values.insert(field.to_string(), value);
        }
        self.put("User", user_id.clone(), values);
        user_id
    }

    /// Adds the standard price book every org has: active, `IsStandard`, made by the admin.
    pub(crate) fn seed_standard_pricebook(&mut self) {
        let Some(pricebook) = self.object("Pricebook2").cloned() else {
            return;
        };
        let id = self.next_id(&pricebook);
        let now = Value::String(render_datetime(now_millis()));
        let admin = Value::String(self.admin_user_id.clone());
        let mut values = empty_values(&pricebook);
        for (field, value) in [
            ("Id", Value::String(id.clone())),
            ("Name", Value::String("Standard Price Book".into())),
            ("IsActive", Value::Bool(true)),
            ("IsStandard", Value::Bool(true)),
            ("CreatedDate", now.clone()),
            ("CreatedById", admin.clone()),
            ("LastModifiedDate", now.clone()),
            ("LastModifiedById", admin),
            ("SystemModstamp", now),
        ] {
            values.insert(field.to_string(), value);
        }
        self.put("Pricebook2", id, values);
    }

    /// Returns the Id of the active user with `username`, compared without regard to case.
    pub fn user_by_username(&self, username: &str) -> Option<String> {
        self.records("User", false)
            .find(|values| {
                let active = values.get("IsActive") == Some(&Value::Bool(true));
                let name = values.get("Username").and_then(Value::as_str);
                active && name.is_some_and(|name| name.eq_ignore_ascii_case(username))
            })
            .and_then(|values| values.get("Id").and_then(Value::as_str))
            .map(str::to_string)
    }

    /// Returns the username of the user `user_id`.
    pub fn username(&self, user_id: &str) -> Option<String> {
        match self.lookup("User", user_id) {
            Lookup::Live(values) => values
                .get("Username")
                .and_then(Value::as_str)
                .map(str::to_string),
            _ => None,
        }
    }
}
