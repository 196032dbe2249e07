//! `POST /composite/graph`: several chains of subrequests (graphs) in one call. Each graph
//! runs as an all-or-none composite request of its own, so one graph can fail while the
//! others commit.
//!
//! The response is `{"graphs": [{"graphId", "graphResponse": {"compositeResponse": [...]},
//! "isSuccessful"}]}`, in request order. Limits are Salesforce's documented ones: 75 graphs
//! and 500 subrequests in one call.

use std::collections::HashSet;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{SubrequestSpec, check_chain, invalid_input, read_body, run_chain};
use crate::salesforce::SalesforceEmulator;
use crate::salesforce::errors::ApiError;
use crate::salesforce::routes::{json_response, parse_json};

/// Most graphs of one request.
const MAX_GRAPHS: usize = 75;

/// Most subrequests of one request, over all its graphs.
const MAX_NODES: usize = 500;

#[derive(Debug, Deserialize)]
struct GraphRequest {
    graphs: Vec<Graph>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Graph {
    graph_id: String,
    composite_request: Vec<SubrequestSpec>,
}

/// `POST /composite/graph`.
pub(in crate::salesforce::routes) async fn graph(
    State(emulator): State<SalesforceEmulator>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let (json, _) = parse_json(&body)?;
    let request: GraphRequest = read_body(json)?;
    check_graphs(&request.graphs)?;

    let mut graph_results: Vec<Value> = Vec::with_capacity(request.graphs.len());
    for graph in &request.graphs {
        let (results, failed) = run_chain(&emulator, &graph.composite_request, true).await;
        graph_results.push(json!({
            "graphId": graph.graph_id,
            "graphResponse": {"compositeResponse": results},
            "isSuccessful": !failed,
        }));
    }
    tracing::debug!(graphs = graph_results.len(), "ran composite graph request");
    Ok(json_response(
        StatusCode::OK,
        &json!({"graphs": graph_results}),
    ))
}

fn check_graphs(graphs: &[Graph]) -> Result<(), ApiError> {
    if graphs.is_empty() || graphs.len() > MAX_GRAPHS {
        return Err(invalid_input(format!(
            "A graph request takes 1 to {MAX_GRAPHS} graphs, not {}",
            graphs.len()
        )));
    }
    let nodes: usize = graphs
        .iter()
        .map(|graph| graph.composite_request.len())
        .sum();
    if nodes > MAX_NODES {
        return Err(invalid_input(format!(
            "A graph request takes at most {MAX_NODES} subrequests, not {nodes}"
        )));
    }
    let mut seen = HashSet::new();
    for graph in graphs {
        if graph.graph_id.is_empty() || !seen.insert(graph.graph_id.as_str()) {
            return Err(invalid_input(format!(
                "Every graph needs its own graphId; '{}' is empty or repeated",
                graph.graph_id
            )));
        }
        check_chain(&graph.composite_request, MAX_NODES)?;
    }
    Ok(())
}
