//! Client authentication: a bearer token identifies a client and its scopes. Tokens come
//! from environment variables named in the configuration, or from the store (made with
//! `tandem mcp token create`); either way only their SHA-256 hash is compared.

use std::collections::HashMap;

use sha2::{Digest, Sha256};
use tandem_engine::state::{GatewayStore, StoreError};

use crate::policy::Scopes;
use crate::settings::McpSettings;

/// An authenticated client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    pub name: String,
    pub scopes: Scopes,
    /// Calls per minute this client may make.
    pub calls_per_minute: u32,
}

/// The reason a call was not authenticated.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error(
        "missing token: send `Authorization: Bearer TOKEN` over HTTP, or set TANDEM_MCP_TOKEN \
         for `tandem mcp`; `tandem mcp token create` makes one"
    )]
    Missing,
    #[error(
        "invalid token: no client has it; check the token or make one with `tandem mcp token create`"
    )]
    Invalid,
    #[error("the token of client {client} has invalid scopes: {message}")]
    BadScopes { client: String, message: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Returns the lower-case hex SHA-256 of a token.
pub fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Makes a new random token: `tdm_` and 43 URL-safe characters (256 bits).
pub fn new_token() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    // rand's thread generator is a cryptographically secure generator seeded by the OS.
    let body: String = (0..43)
        .map(|_| ALPHABET[rand::random_range(0..ALPHABET.len())] as char)
        .collect();
    format!("tdm_{body}")
}

/// The clients configured with environment tokens, by token hash.
#[derive(Debug, Clone, Default)]
pub struct TokenRegistry {
    by_hash: HashMap<String, Client>,
    default_calls_per_minute: u32,
}

impl TokenRegistry {
    /// Builds the registry from the settings, reading each client's token with `lookup`
    /// (the environment, or an env file). A client whose variable is unset is left out with
    /// a warning, so one missing token does not stop the others.
    pub fn from_settings(
        settings: &McpSettings,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<TokenRegistry, String> {
        let mut by_hash = HashMap::new();
        for entry in &settings.clients {
            let scopes = Scopes::parse(&entry.scopes)
                .map_err(|message| format!("mcp.clients {:?}: {message}", entry.name))?;
            let Some(token) = lookup(&entry.token_env).filter(|t| !t.trim().is_empty()) else {
                tracing::warn!(client = %entry.name, variable = %entry.token_env,
                    "the client's token variable is not set; the client cannot connect");
                continue;
            };
            let client = Client {
                name: entry.name.clone(),
                scopes,
                calls_per_minute: entry.calls_per_minute.unwrap_or(settings.calls_per_minute),
            };
            by_hash.insert(token_hash(token.trim()), client);
        }
        Ok(TokenRegistry {
            by_hash,
            default_calls_per_minute: settings.calls_per_minute,
        })
    }

    /// Returns the client a token belongs to, looking in the configured tokens first and then
    /// in the store.
    pub async fn authenticate(
        &self,
        token: Option<&str>,
        store: &dyn GatewayStore,
    ) -> Result<Client, AuthError> {
        let token = token.map(str::trim).filter(|t| !t.is_empty());
        let hash = token_hash(token.ok_or(AuthError::Missing)?);
        if let Some(client) = self.by_hash.get(&hash) {
            return Ok(client.clone());
        }
        let stored = store
            .token_by_hash(&hash)
            .await?
            .ok_or(AuthError::Invalid)?;
        let scopes = Scopes::parse(&stored.scopes).map_err(|message| AuthError::BadScopes {
            client: stored.client.clone(),
            message,
        })?;
        Ok(Client {
            name: stored.client,
            scopes,
            calls_per_minute: stored
                .calls_per_minute
                .unwrap_or(self.default_calls_per_minute),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::ClientSettings;

    #[test]
    fn token_hash_is_sha256_hex() {
        assert_eq!(
            token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn new_tokens_differ() {
        let first = new_token();
        assert_eq!(first.len(), 47);
        assert_ne!(first, new_token());
    }

    #[tokio::test]
    async fn env_token_and_store_token_authenticate() {
        let settings = McpSettings {
            clients: vec![ClientSettings {
                name: "desk".to_string(),
                token_env: "DESK_TOKEN".to_string(),
                scopes: vec!["read".to_string()],
                calls_per_minute: Some(5),
            }],
            ..McpSettings::default()
        };
        let registry = TokenRegistry::from_settings(&settings, |name| {
            (name == "DESK_TOKEN").then(|| "s1".into())
        })
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let store = tandem_store::SqliteStore::open(dir.path().join("t.db"))
            .await
            .unwrap();
        store
            .add_token("ops", &token_hash("s2"), &["write:*".to_string()], None)
            .await
            .unwrap();

        let desk = registry.authenticate(Some("s1"), &store).await.unwrap();
        assert_eq!(desk.name, "desk");
        assert_eq!(desk.calls_per_minute, 5);
        let ops = registry.authenticate(Some("s2"), &store).await.unwrap();
        assert!(ops.scopes.can_write("any-flow"));
        assert!(matches!(
            registry.authenticate(Some("s3"), &store).await,
            Err(AuthError::Invalid)
        ));
        assert!(matches!(
            registry.authenticate(None, &store).await,
            Err(AuthError::Missing)
        ));
    }
}
