use super::*;
use tandem_engine::Secret;

use crate::api::query::{QueryOptions, query_request, query_request_with};
use crate::api::test_support::{VERSION, build, session};
use crate::auth::Session;

fn id_literals(count: usize) -> Vec<String> {
    (0..count)
        .map(|n| {
            let short = format!("001dM{n:010}");
            string_literal(SalesforceId::parse(&short).unwrap().as_str())
        })
        .collect()
}

/// Returns the encoded length of the query that `list` makes with `prefix`.
fn query_len(prefix: &str, list: &[&str]) -> usize {
    encoded_len(&format!("{prefix}{})", list.join(IN_SEPARATOR)))
}

const PREFIX: &str = "SELECT Id, SystemModstamp, Name FROM Account WHERE Id IN (";

#[test]
fn in_lists_keeps_few_values_together() {
    let literals = id_literals(3);
    let lists = in_lists(PREFIX, &literals, MAX_ENCODED_SOQL_BYTES).unwrap();
    assert_eq!(lists.len(), 1);
    assert_eq!(lists[0].len(), 3);
}

#[test]
fn in_lists_fills_each_query_to_limit() {
    let literals = id_literals(1_200);
    let lists = in_lists(PREFIX, &literals, MAX_ENCODED_SOQL_BYTES).unwrap();

    let total: usize = lists.iter().map(Vec::len).sum();
    assert_eq!(total, 1_200);
    assert_eq!(lists.len(), 3);
    for (index, list) in lists.iter().enumerate() {
        assert!(query_len(PREFIX, list) <= MAX_ENCODED_SOQL_BYTES);
        if let Some(next) = lists.get(index + 1) {
            let mut longer = list.clone();
            longer.push(next[0]);
            assert!(
                query_len(PREFIX, &longer) > MAX_ENCODED_SOQL_BYTES,
                "list {index} could take one more value"
            );
        }
    }
    assert_eq!(lists[0][0], literals[0]);
    assert_eq!(
        lists[2].last(),
        literals.last().map(String::as_str).as_ref()
    );
}

#[test]
fn in_lists_counts_escaped_bytes() {
    let literals: Vec<String> = ["Müller & Söhne", "O'Brien"]
        .iter()
        .map(|text| string_literal(text))
        .collect();
    let exact = query_len(PREFIX, &[&literals[0], &literals[1]]);
    assert_eq!(
        in_lists(PREFIX, &literals, exact).unwrap().len(),
        1,
        "both fit in exactly the encoded length"
    );
    assert_eq!(in_lists(PREFIX, &literals, exact - 1).unwrap().len(), 2);
}

#[test]
fn in_lists_rejects_value_that_never_fits() {
    let literals = vec![string_literal(&"x".repeat(200))];
    let error = in_lists(PREFIX, &literals, 100).unwrap_err();
    assert!(matches!(error, Error::InvalidRequest { .. }));
}

#[test]
fn encoded_len_matches_sent_query() {
    let literals = id_literals(2);
    let soql = format!("{PREFIX}{})", literals.join(IN_SEPARATOR));
    let request = build(&query_request(&soql));
    assert_eq!(
        request.url().query().unwrap().len(),
        "q=".len() + encoded_len(&soql)
    );
}

/// Returns the bytes of `request`'s head as an HTTP/1.1 client sends it: the request line,
/// the request's headers and those the connection adds (`host`, `user-agent`,
/// `accept-encoding`), and the blank line.
fn head_len(request: &reqwest::Request) -> usize {
    let url = request.url();
    let request_line = format!(
        "GET {}?{} HTTP/1.1\r\n",
        url.path(),
        url.query().unwrap_or_default()
    );
    let headers: usize = request
        .headers()
        .iter()
        .map(|(name, value)| format!("{}: \r\n", name.as_str()).len() + value.len())
        .sum();
    let added = format!(
        "host: {}\r\nuser-agent: tandem-salesforce/{}\r\naccept-encoding: gzip\r\n\r\n",
        url.host_str().unwrap(),
        env!("CARGO_PKG_VERSION")
    );
    request_line.len() + headers + added.len()
}

#[test]
fn full_query_fits_salesforce_request_limit() {
    // Salesforce rejects a call whose URI and headers take more than 16,384 bytes together.
    const REQUEST_LIMIT: usize = 16_384;
    let literals = id_literals(2_000);
    let lists = in_lists(PREFIX, &literals, MAX_ENCODED_SOQL_BYTES).unwrap();
    let soql = format!("{PREFIX}{})", lists[0].join(IN_SEPARATOR));
    let options = QueryOptions {
        include_deleted: true,
        batch_size: Some(2_000),
    };
    let long_token = Session {
        access_token: Secret::new("t".repeat(2_000)),
        ..session()
    };

    let request = query_request_with(&soql, &options)
        .build(&reqwest::Client::new(), &long_token, VERSION)
        .unwrap();

    assert!(lists[0].len() >= 500, "{} Ids", lists[0].len());
    let head = head_len(&request);
    assert!(head <= REQUEST_LIMIT, "{head} bytes");
    assert!(
        head + 500 > REQUEST_LIMIT,
        "{head} bytes: the limit leaves more room than a long token needs"
    );
}

#[test]
fn like_pattern_escapes_wildcards_and_quotes() {
    assert_eq!(like_pattern("Acme"), "'%Acme%'");
    assert_eq!(like_pattern("50%_off"), "'%50\\%\\_off%'");
    assert_eq!(like_pattern("O'Brien"), "'%O\\'Brien%'");
    assert_eq!(like_pattern("a\\b"), "'%a\\\\b%'");
}
