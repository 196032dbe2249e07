//! `get`, `getList` and `getAll`.

use crate::client::{NetSuiteClient, check_status, short_list};
use crate::error::Error;
use crate::operations::Operation;
use crate::operations::get::{GetAllRequest, GetRequest, ReadResponse};
use crate::parse;
use crate::records::typed::TypedRecord;
use crate::records::{Record, RecordRef};

impl NetSuiteClient {
    /// Reads one record. A rejection such as `INVALID_KEY_OR_REF` (no such record) is
    /// [`Error::Record`].
    pub async fn get(&self, reference: &RecordRef) -> Result<Record, Error> {
        let request = GetRequest::new(reference)?;
        let read = self.call(&request, None, &parse_get).await?;
        record_of(Operation::Get, read)
    }

    /// Reads one record of a typed model by internal ID, with date-only fields in the
    /// configured time zone.
    pub async fn get_typed<T: TypedRecord>(&self, internal_id: &str) -> Result<T, Error> {
        let record = self
            .get(&RecordRef::internal(T::RECORD_TYPE, internal_id))
            .await?;
        T::from_record(&record, self.config.user_time_zone)
    }

    /// Reads several records with `getList`, up to 1000 per request and as many requests at
    /// once as the concurrency limit allows. Returns one result per reference in input
    /// order. A reference without a type or ID, and a record NetSuite
    /// rejects, is an `Err` at its position; a fault or a transport failure fails the call.
    pub async fn get_list(
        &self,
        references: &[RecordRef],
    ) -> Result<Vec<Result<Record, Error>>, Error> {
        let checked: Vec<Result<RecordRef, Error>> = references
            .iter()
            .map(|reference| {
                GetRequest::check_reference("getList", reference).map(|()| reference.clone())
            })
            .collect();
        let limit = Operation::GetList.list_limit().unwrap_or(1000);
        let read_chunk = |chunk: Vec<Result<RecordRef, Error>>| async move {
            let valid: Vec<RecordRef> = chunk.iter().flatten().cloned().collect();
            let mut reads = if valid.is_empty() {
                Vec::new().into_iter()
            } else {
                self.get_list_chunk(valid).await?.into_iter()
            };
            let mut results = Vec::with_capacity(chunk.len());
            for item in chunk {
                match item {
                    Err(error) => results.push(Err(error)),
                    Ok(_) => results.push(reads.next().ok_or_else(short_list)?),
                }
            }
            Ok(results)
        };
        self.each_chunk(checked, limit, read_chunk).await
    }

    async fn get_list_chunk(
        &self,
        references: Vec<RecordRef>,
    ) -> Result<Vec<Result<Record, Error>>, Error> {
        let expected = references.len();
        let request = GetRequest::list(references);
        let list = self.call(&request, None, &parse_get_list).await?;
        if list.responses.is_empty()
            && let Some(status) = list.status.filter(|status| !status.is_success)
        {
            check_status(Operation::GetList, &status)?;
        }
        if list.responses.len() != expected {
            return Err(Error::InvalidResponse(format!(
                "getList sent {expected} references and received {} responses",
                list.responses.len()
            )));
        }
        Ok(list
            .responses
            .into_iter()
            .map(|read| record_of(Operation::GetList, read))
            .collect())
    }

    /// Reads every record of a type that `getAll` serves (`currency`, `state`, `budgetCategory`
    /// and other small lists that cannot be searched).
    pub async fn get_all(&self, record_type: &str) -> Result<Vec<Record>, Error> {
        let request = GetAllRequest::new(record_type)?;
        let result = self.call(&request, None, &parse_get_all).await?;
        check_status(Operation::GetAll, &result.status)?;
        Ok(result.records)
    }
}

fn parse_get(xml: &[u8], status: u16) -> Result<parse::Response<ReadResponse>, Error> {
    parse::get_response(xml, status)
}

fn parse_get_list(
    xml: &[u8],
    status: u16,
) -> Result<parse::Response<crate::operations::get::ReadResponseList>, Error> {
    parse::get_list_response(xml, status)
}

fn parse_get_all(
    xml: &[u8],
    status: u16,
) -> Result<parse::Response<crate::operations::get::GetAllResult>, Error> {
    parse::get_all_response(xml, status)
}

fn record_of(operation: Operation, read: ReadResponse) -> Result<Record, Error> {
    check_status(operation, &read.status)?;
    read.record.ok_or_else(|| {
        Error::InvalidResponse("a successful readResponse has no record".to_string())
    })
}
