//! `[store]`: where the state lives, a SQLite file or a PostgreSQL database.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use tandem_store::StoreLocation;
use url::Url;

use super::{ConfigError, SecretSource};

/// The variable that contains the PostgreSQL password (or, as `TANDEM_STORE_PASSWORD_FILE`, the
/// path of a file that contains it). Optional: a server that trusts the connection needs none.
pub const STORE_PASSWORD: &str = "TANDEM_STORE_PASSWORD";

/// `[store]`: where the state lives. Set `url` or `path`, not both.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreSection {
    /// Path of the SQLite file, relative to the configuration file's folder. Default
    /// `tandem.db`.
    pub path: Option<PathBuf>,
    /// The store as a URL: `sqlite://tandem.db` (a file path, relative to the configuration
    /// file's folder) or `postgres://user@host:5432/database` for several workers on one
    /// database. The PostgreSQL password comes from `TANDEM_STORE_PASSWORD`, never from here.
    pub url: Option<String>,
}

impl StoreSection {
    /// Resolves where the store lives. Relative SQLite paths are resolved against
    /// `config_dir`.
    pub fn location(&self, config_dir: &Path) -> Result<StoreLocation, ConfigError> {
        let path = match (&self.url, &self.path) {
            (Some(_), Some(_)) => {
                return Err(ConfigError::new(
                    "store.url",
                    "both store.url and store.path are set; keep one",
                ));
            }
            (Some(url), None) => match parse_store_url(url)? {
                StoreLocation::Postgres(url) => return Ok(StoreLocation::Postgres(url)),
                StoreLocation::Sqlite(path) => path,
            },
            (None, Some(path)) => path.clone(),
            (None, None) => PathBuf::from("tandem.db"),
        };
        if path.is_absolute() {
            Ok(StoreLocation::Sqlite(path))
        } else {
            Ok(StoreLocation::Sqlite(config_dir.join(path)))
        }
    }

    /// Checks the section without touching the disk or the network.
    pub fn check(&self) -> Result<(), ConfigError> {
        self.location(Path::new("/")).map(|_| ())
    }
}

/// Reads the PostgreSQL password from the secrets, when one is set.
pub fn store_password(secrets: &SecretSource) -> Result<Option<String>, ConfigError> {
    match secrets.required(STORE_PASSWORD) {
        Ok(password) => Ok(Some(password)),
        Err(error) if error.message.starts_with("missing") => Ok(None),
        Err(error) => Err(error),
    }
}

/// Parses `store.url`. Messages never quote the URL, since it could hold a password.
fn parse_store_url(text: &str) -> Result<StoreLocation, ConfigError> {
    if let Some(path) = text.strip_prefix("sqlite://") {
        let path = path.split('?').next().unwrap_or_default();
        if path.is_empty() {
            return Err(ConfigError::new(
                "store.url",
                "missing file path; write sqlite://tandem.db or sqlite:///var/lib/tandem/tandem.db",
            ));
        }
        return Ok(StoreLocation::Sqlite(PathBuf::from(path)));
    }
    let url = Url::parse(text).map_err(|error| {
        ConfigError::new(
            "store.url",
            format!(
                "invalid URL ({error}); write postgres://user@host:5432/database or \
                 sqlite://tandem.db"
            ),
        )
    })?;
    if !matches!(url.scheme(), "postgres" | "postgresql") {
        return Err(ConfigError::new(
            "store.url",
            format!(
                "unsupported scheme {:?}; use postgres:// or sqlite://",
                url.scheme()
            ),
        ));
    }
    let has_password_parameter = url
        .query_pairs()
        .any(|(key, _)| key.eq_ignore_ascii_case("password"));
    if url.password().is_some() || has_password_parameter {
        return Err(ConfigError::new(
            "store.url",
            format!(
                "secrets are not read from the configuration file; remove the password \
                 from the URL and set {STORE_PASSWORD} (or {STORE_PASSWORD}_FILE) instead"
            ),
        ));
    }
    Ok(StoreLocation::Postgres(text.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(url: &str) -> StoreSection {
        StoreSection {
            path: None,
            url: Some(url.to_string()),
        }
    }

    #[test]
    fn postgres_url_is_kept() {
        let location = section("postgres://tandem@db.internal:5432/tandem")
            .location(Path::new("/etc/tandem"))
            .unwrap();
        assert_eq!(
            location,
            StoreLocation::Postgres("postgres://tandem@db.internal:5432/tandem".to_string())
        );
    }

    #[test]
    fn sqlite_url_is_relative_to_config() {
        let location = section("sqlite://state/tandem.db")
            .location(Path::new("/etc/tandem"))
            .unwrap();
        assert_eq!(
            location,
            StoreLocation::Sqlite(PathBuf::from("/etc/tandem/state/tandem.db"))
        );
    }

    #[test]
    fn absolute_sqlite_url_is_kept() {
        let location = section("sqlite:///var/lib/tandem.db")
            .location(Path::new("/etc/tandem"))
            .unwrap();
        assert_eq!(
            location,
            StoreLocation::Sqlite(PathBuf::from("/var/lib/tandem.db"))
        );
    }

    #[test]
    fn password_in_url_is_rejected() {
        for url in [
            "postgres://tandem:hunter2@db/tandem",
            "postgres://tandem@db/tandem?password=hunter2",
        ] {
            let error = section(url).check().unwrap_err();
            assert_eq!(error.key, "store.url");
            assert!(error.message.contains(STORE_PASSWORD), "{}", error.message);
            assert!(!error.message.contains("hunter2"), "{}", error.message);
        }
    }

    #[test]
    fn unknown_scheme_is_named() {
        let error = section("mysql://db/tandem").check().unwrap_err();
        assert!(error.message.contains("\"mysql\""), "{}", error.message);
    }

    #[test]
    fn url_and_path_together_are_rejected() {
        let both = StoreSection {
            path: Some(PathBuf::from("tandem.db")),
            url: Some("postgres://db/tandem".to_string()),
        };
        let error = both.check().unwrap_err();
        assert!(error.message.contains("keep one"), "{}", error.message);
    }

    #[test]
    fn password_comes_from_secrets() {
        let secrets = SecretSource::only([(STORE_PASSWORD, "s3cret".to_string())]);
        assert_eq!(store_password(&secrets).unwrap().as_deref(), Some("s3cret"));
    }

    #[test]
    fn missing_password_is_allowed() {
        let secrets = SecretSource::only(Vec::<(String, String)>::new());
        assert_eq!(store_password(&secrets).unwrap(), None);
    }
}
