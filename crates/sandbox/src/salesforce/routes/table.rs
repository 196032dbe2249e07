//! The table of the versioned API's routes, below `/services/data/vNN.N`.

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, patch, post, put};

use super::{
    bulk, changes, collections, composite, data_path, describe, query, sobjects, with_405,
};
use crate::salesforce::SalesforceEmulator;

/// The largest CSV upload of a Bulk API 2.0 ingest job Salesforce takes: 150 MB, counted
/// after base64 encoding. Other requests keep axum's default limit of 2 MB.
const MAX_UPLOAD_BYTES: usize = 150_000_000;

/// Routes of the versioned API, below `/services/data/vNN.N`.
pub(super) fn data_routes() -> Router<SalesforceEmulator> {
    Router::new()
        .route(
            &data_path("/query"),
            with_405(get(query::query), "GET,HEAD"),
        )
        .route(
            &data_path("/query/{locator}"),
            with_405(get(query::query_more), "GET,HEAD"),
        )
        .route(
            &data_path("/queryAll"),
            with_405(get(query::query_all), "GET,HEAD"),
        )
        .route(
            &data_path("/queryAll/{locator}"),
            with_405(get(query::query_more), "GET,HEAD"),
        )
        .route(
            &data_path("/limits"),
            with_405(get(changes::limits), "GET,HEAD"),
        )
        .route(
            &data_path("/limits/recordCount"),
            with_405(get(changes::record_count), "GET,HEAD"),
        )
        .merge(sobject_routes())
        .merge(bulk_routes())
        .merge(collection_routes())
        .merge(composite_routes())
}

/// Routes of composite, batch, graph and tree requests.
fn composite_routes() -> Router<SalesforceEmulator> {
    Router::new()
        .route(
            &data_path("/composite"),
            with_405(post(composite::composite), "POST"),
        )
        .route(
            &data_path("/composite/batch"),
            with_405(post(composite::batch), "POST"),
        )
        .route(
            &data_path("/composite/graph"),
            with_405(post(composite::graph), "POST"),
        )
        .route(
            &data_path("/composite/tree/{object}"),
            with_405(post(composite::tree), "POST"),
        )
}

/// Routes of sObject Collections.
fn collection_routes() -> Router<SalesforceEmulator> {
    Router::new()
        .route(
            &data_path("/composite/sobjects"),
            with_405(
                post(collections::create)
                    .patch(collections::update)
                    .delete(collections::delete),
                "POST,PATCH,DELETE",
            ),
        )
        .route(
            &data_path("/composite/sobjects/{object}"),
            with_405(
                get(collections::retrieve).post(collections::retrieve_by_body),
                "GET,POST",
            ),
        )
        .route(
            &data_path("/composite/sobjects/{object}/{field}"),
            with_405(patch(collections::upsert), "PATCH"),
        )
}

/// Routes of Bulk API 2.0 jobs.
fn bulk_routes() -> Router<SalesforceEmulator> {
    Router::new()
        .route(
            &data_path("/jobs/ingest"),
            with_405(get(bulk::list_ingest).post(bulk::create_ingest), "GET,POST"),
        )
        .route(
            &data_path("/jobs/ingest/{id}"),
            with_405(
                get(bulk::ingest_info)
                    .patch(bulk::change_ingest)
                    .delete(bulk::delete_ingest),
                "GET,PATCH,DELETE",
            ),
        )
        .route(
            &data_path("/jobs/ingest/{id}/batches"),
            with_405(put(bulk::upload), "PUT").layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES)),
        )
        .route(
            &data_path("/jobs/ingest/{id}/{results}"),
            with_405(get(bulk::ingest_results), "GET"),
        )
        .route(
            &data_path("/jobs/query"),
            with_405(get(bulk::list_query).post(bulk::create_query), "GET,POST"),
        )
        .route(
            &data_path("/jobs/query/{id}"),
            with_405(
                get(bulk::query_info)
                    .patch(bulk::change_query)
                    .delete(bulk::delete_query),
                "GET,PATCH,DELETE",
            ),
        )
        .route(
            &data_path("/jobs/query/{id}/results"),
            with_405(get(bulk::query_results), "GET"),
        )
}

/// Routes of sObject rows.
fn sobject_routes() -> Router<SalesforceEmulator> {
    Router::new()
        .route(
            &data_path("/sobjects"),
            with_405(get(describe::global), "GET,HEAD"),
        )
        .route(
            &data_path("/sobjects/{object}"),
            with_405(get(describe::basic).post(sobjects::create), "GET,HEAD,POST"),
        )
        .route(
            &data_path("/sobjects/{object}/describe"),
            with_405(get(describe::object), "GET,HEAD"),
        )
        .route(
            &data_path("/sobjects/{object}/updated"),
            with_405(get(changes::updated), "GET,HEAD"),
        )
        .route(
            &data_path("/sobjects/{object}/deleted"),
            with_405(get(changes::deleted), "GET,HEAD"),
        )
        .route(
            &data_path("/sobjects/{object}/{id}"),
            with_405(
                get(sobjects::read)
                    .patch(sobjects::update)
                    .delete(sobjects::delete),
                "HEAD,GET,PATCH,DELETE",
            ),
        )
        .route(
            &data_path("/sobjects/{object}/{field}/{value}"),
            with_405(
                get(sobjects::read_by_external_id).patch(sobjects::upsert),
                "HEAD,GET,PATCH",
            ),
        )
}
