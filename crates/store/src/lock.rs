//! One process per SQLite store: an exclusive lock on a file next to the database. Workers
//! on a PostgreSQL store share it through flow leases instead.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

/// An exclusive lock on a store, held until the value is dropped. Two `tandem run` processes on
/// one SQLite store would both write every record and then fight over the cross-references.
#[derive(Debug)]
pub struct StoreLock {
    _file: File,
    path: PathBuf,
}

/// Why a store could not be locked.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(
        "another Tandem process is using the store {store} (it holds {lock}); stop it, or give \
         this one another [store] path"
    )]
    Busy { store: PathBuf, lock: PathBuf },
    #[error("cannot create the lock file {lock}: {cause}")]
    Io {
        lock: PathBuf,
        cause: std::io::Error,
    },
}

impl StoreLock {
    /// Takes the lock of the store at `store`, through the file `<store>.lock`. Fails at once,
    /// without waiting, when another process holds it.
    pub fn acquire(store: &Path) -> Result<StoreLock, LockError> {
        let mut name = store.as_os_str().to_owned();
        name.push(".lock");
        let path = PathBuf::from(name);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|cause| LockError::Io {
                lock: path.clone(),
                cause,
            })?;
        match file.try_lock() {
            Ok(()) => Ok(StoreLock { _file: file, path }),
            Err(TryLockError::WouldBlock) => Err(LockError::Busy {
                store: store.to_path_buf(),
                lock: path,
            }),
            Err(TryLockError::Error(cause)) => Err(LockError::Io { lock: path, cause }),
        }
    }

    /// Returns the path of the lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_lock_on_same_store_is_refused() {
        let dir = tempfile::TempDir::new().unwrap();
        let store = dir.path().join("tandem.db");
        let first = StoreLock::acquire(&store).unwrap();
        let second = StoreLock::acquire(&store);
        assert!(matches!(second, Err(LockError::Busy { .. })), "{second:?}");
        drop(first);
        assert!(StoreLock::acquire(&store).is_ok());
    }

    #[test]
    fn lock_file_sits_next_to_store() {
        let dir = tempfile::TempDir::new().unwrap();
        let lock = StoreLock::acquire(&dir.path().join("state.db")).unwrap();
        assert_eq!(lock.path(), dir.path().join("state.db.lock"));
    }
}
