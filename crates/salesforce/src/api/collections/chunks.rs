//! Sends the calls of one sObject Collections write concurrently and puts their results back
//! in input order.

use std::future::Future;
use std::sync::{Mutex, PoisonError};

use futures_util::StreamExt;

use crate::client::SalesforceClient;
use crate::error::{Error, Remedy};

use super::MAX_COLLECTION_RECORDS;

/// The records' results of one call, or the error that failed the call as a whole.
pub(super) type CallOutcome<R> = Result<Vec<Result<R, Error>>, Error>;

impl SalesforceClient {
    /// Runs `send` on each chunk of at most 200 `records`, with up to the configured
    /// `collection_concurrency` calls in flight, and returns one result per record in input
    /// order.
    ///
    /// A call that fails as a whole gives its error to each of its records, so the records of
    /// the other calls keep their own results. The write fails as a whole instead when the
    /// error is one that no record can get past (a configuration error or the API budget),
    /// and then no further call is started, or when every call failed.
    pub(super) async fn send_in_chunks<'a, T, R, F, Fut>(
        &self,
        sobject_type: &str,
        records: &'a [T],
        send: F,
    ) -> Result<Vec<Result<R, Error>>, Error>
    where
        F: Fn(&'a [T]) -> Fut,
        Fut: Future<Output = CallOutcome<R>>,
    {
        let stopped: Mutex<Option<Error>> = Mutex::new(None);
        let calls: Vec<_> = records
            .chunks(MAX_COLLECTION_RECORDS)
            .map(|chunk| send_chunk(chunk, &stopped, &send))
            .collect();
        let outcomes: Vec<(usize, CallOutcome<R>)> = futures_util::stream::iter(calls)
            .buffered(self.settings().collection_concurrency.max(1))
            .collect()
            .await;
        merge_calls(sobject_type, outcomes)
    }
}

/// Sends one chunk unless an earlier call stopped the write, and records an error that stops
/// it. Returns the chunk's record count with the outcome.
async fn send_chunk<'a, T, R, F, Fut>(
    chunk: &'a [T],
    stopped: &Mutex<Option<Error>>,
    send: &F,
) -> (usize, CallOutcome<R>)
where
    F: Fn(&'a [T]) -> Fut,
    Fut: Future<Output = CallOutcome<R>>,
{
    let earlier = lock(stopped).clone();
    if let Some(error) = earlier {
        return (chunk.len(), Err(error));
    }
    let outcome = send(chunk).await;
    if let Err(error) = &outcome
        && stops_write(error)
    {
        lock(stopped).get_or_insert_with(|| error.clone());
    }
    (chunk.len(), outcome)
}

fn lock(stopped: &Mutex<Option<Error>>) -> std::sync::MutexGuard<'_, Option<Error>> {
    stopped.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Returns true for a call error that every other call of the write would get too.
fn stops_write(error: &Error) -> bool {
    matches!(error.remedy(), Remedy::FixConfig | Remedy::WaitForBudget)
}

/// Joins the outcomes of the calls, given with their record counts in input order, as
/// [`SalesforceClient::send_in_chunks`] describes.
pub(super) fn merge_calls<R>(
    sobject_type: &str,
    outcomes: Vec<(usize, CallOutcome<R>)>,
) -> Result<Vec<Result<R, Error>>, Error> {
    let first_stop = outcomes
        .iter()
        .find_map(|(_, outcome)| outcome.as_ref().err().filter(|error| stops_write(error)));
    if let Some(error) = first_stop {
        return Err(error.clone());
    }
    let all_failed = outcomes.iter().all(|(_, outcome)| outcome.is_err());
    let mut results = Vec::new();
    for (count, outcome) in outcomes {
        match outcome {
            Ok(records) => results.extend(records),
            Err(error) if all_failed => return Err(error),
            Err(error) => {
                tracing::warn!(
                    record_type = sobject_type,
                    records = count,
                    error = %error,
                    "an sObject Collections call failed; its records get the call's error"
                );
                results.extend(std::iter::repeat_n(error, count).map(Err));
            }
        }
    }
    Ok(results)
}
