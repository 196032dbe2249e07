//! The prices an item should have in Salesforce, from the lines of its pricing matrix
//! (`pricingMatrix[].currency`, `priceLevel` and `price`).

use std::collections::BTreeSet;

use super::Options;
use super::catalog::Catalog;
use super::product::ItemWork;
use crate::error::{ErrorClass, RemoteError};
use crate::flows::support;
use crate::one_way::{Outcome, Refusal};
use crate::pass::{Connections, PassError};
use crate::record::{FieldValue, Fields, System};

/// The dead letter code of an item with a price in a currency that has no base price.
pub const STANDARD_PRICE_NOT_DEFINED: &str = "STANDARD_PRICE_NOT_DEFINED";

/// One price an item should have: a price book entry's book, currency and unit price.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Price {
    /// The name of the price level and of the price book that contains the entry, or `None`
    /// for the base price level, whose entry is in the standard price book.
    pub level: Option<String>,
    /// The ISO code of the currency, when entries carry one.
    pub currency: Option<String>,
    pub amount: f64,
}

/// One line of a pricing matrix, as IDs.
#[derive(Debug, Clone, PartialEq)]
struct PriceLine {
    currency: String,
    level: String,
    amount: f64,
}

/// Works out the prices of every item of a batch, reading the currencies and price levels
/// it needs and finding or creating the price books. An item with a price that cannot be
/// mapped fails.
pub(super) async fn plan(
    connections: &Connections,
    options: &Options,
    catalog: &mut Catalog,
    works: &mut [ItemWork],
) -> Result<(), PassError> {
    let lines: Vec<Vec<PriceLine>> = works.iter().map(|work| price_lines(&work.source)).collect();
    learn_references(connections, options, catalog, &lines).await?;
    for (work, lines) in works.iter_mut().zip(&lines) {
        if work.failure.is_some() {
            continue;
        }
        match prices(lines, options, catalog) {
            Ok(prices) => work.prices = prices,
            Err(error) => work.fail(refused(error)),
        }
    }
    let names: BTreeSet<String> = works
        .iter()
        .flat_map(|work| work.prices.iter().filter_map(|price| price.level.clone()))
        .collect();
    let failed = catalog.resolve_books(connections, names).await?;
    for work in works.iter_mut() {
        let error = work
            .prices
            .iter()
            .find_map(|price| failed.get(price.level.as_deref()?));
        if let Some(error) = error.cloned() {
            work.fail_write(error, Fields::new());
        }
    }
    Ok(())
}

/// Finds or creates the price books that any of `items` needs, once for a whole pass and
/// before its batches. The batches of a pass that several workers share run at the same
/// time, and each would otherwise create a book that none of them found. A book that cannot
/// be created here is tried again by the batches that need it, which fail their items.
pub(super) async fn prepare_books(
    connections: &Connections,
    options: &Options,
    catalog: &mut Catalog,
    items: &[&Fields],
) -> Result<(), PassError> {
    let lines: Vec<Vec<PriceLine>> = items.iter().map(|item| price_lines(item)).collect();
    learn_references(connections, options, catalog, &lines).await?;
    let names: BTreeSet<String> = lines
        .iter()
        .filter_map(|lines| prices(lines, options, catalog).ok())
        .flatten()
        .filter_map(|price| price.level)
        .collect();
    let failed = catalog.resolve_books(connections, names).await?;
    for (name, error) in failed {
        tracing::warn!(flow = super::FLOW, name = %name, %error,
            "price book could not be created before the batches; each batch that needs it tries again");
    }
    Ok(())
}

/// Reads the currencies and price levels of the lines that the catalog does not know yet.
async fn learn_references(
    connections: &Connections,
    options: &Options,
    catalog: &mut Catalog,
    lines: &[Vec<PriceLine>],
) -> Result<(), PassError> {
    let mut currencies = BTreeSet::new();
    let mut levels = BTreeSet::new();
    for line in lines.iter().flatten() {
        if catalog.multi_currency && !line.currency.is_empty() {
            currencies.insert(line.currency.clone());
        }
        if line.level != options.base_price_level {
            levels.insert(line.level.clone());
        }
    }
    catalog.learn(connections, currencies, levels).await
}

fn refused(error: RemoteError) -> Outcome {
    Outcome::Refused(Refusal {
        target_id: None,
        payload: Fields::new(),
        error,
    })
}

/// Returns the lines of an item's pricing matrix that have a price and a price level.
fn price_lines(item: &Fields) -> Vec<PriceLine> {
    let matrix = item.get("pricingMatrix").map_or(&[][..], FieldValue::lines);
    matrix
        .iter()
        .filter_map(|line| {
            let level = support::text(line, "priceLevel")?;
            Some(PriceLine {
                currency: support::text(line, "currency")
                    .unwrap_or_default()
                    .to_string(),
                level: level.to_string(),
                amount: support::number(line, "price")?,
            })
        })
        .collect()
}

/// Returns the prices of one item, one per price level and currency (the first line wins).
/// Without currencies, only the lines in the currency with the lowest internal ID count.
fn prices(
    lines: &[PriceLine],
    options: &Options,
    catalog: &Catalog,
) -> Result<Vec<Price>, RemoteError> {
    let single = (!catalog.multi_currency)
        .then(|| {
            lines
                .iter()
                .map(|line| &line.currency)
                .min_by_key(|id| sort_key(id))
        })
        .flatten();
    let mut prices: Vec<Price> = Vec::new();
    for line in lines {
        if single.is_some_and(|kept| kept != &line.currency) {
            continue;
        }
        let level = match line.level == options.base_price_level {
            true => None,
            false => match level_name(line, catalog)? {
                name if is_copied(name, options) => Some(name.to_string()),
                _ => continue,
            },
        };
        let currency = match catalog.multi_currency {
            true => Some(currency_code(line, catalog)?.to_string()),
            false => None,
        };
        let price = Price {
            level,
            currency,
            amount: line.amount,
        };
        let duplicate = prices
            .iter()
            .any(|kept| kept.level == price.level && kept.currency == price.currency);
        if !duplicate {
            prices.push(price);
        }
    }
    check_standard_prices(&prices, options)?;
    Ok(prices)
}

/// Orders internal IDs by number, so that `"2"` comes before `"10"`.
fn sort_key(id: &str) -> (u64, &str) {
    (id.parse().unwrap_or(u64::MAX), id)
}

fn is_copied(name: &str, options: &Options) -> bool {
    options.price_levels.is_empty()
        || options
            .price_levels
            .iter()
            .any(|wanted| wanted.trim().eq_ignore_ascii_case(name))
}

fn level_name<'a>(line: &PriceLine, catalog: &'a Catalog) -> Result<&'a str, RemoteError> {
    catalog.level_name(&line.level).ok_or_else(|| {
        let message = format!(
            "price level {} of a price line was not found in NetSuite, or has no name",
            line.level
        );
        data_error(System::NetSuite, "PRICE_LEVEL_NOT_FOUND", message)
    })
}

fn currency_code<'a>(line: &PriceLine, catalog: &'a Catalog) -> Result<&'a str, RemoteError> {
    if line.currency.is_empty() {
        let message = "a price line has no currency, but the Salesforce org has multiple \
                       currencies; set the flow's currency option to \"off\" if NetSuite uses one";
        return Err(data_error(System::NetSuite, "CURRENCY_NOT_FOUND", message));
    }
    catalog.currency_code(&line.currency).ok_or_else(|| {
        let message = format!(
            "currency {} of a price line was not found in NetSuite, or has no symbol",
            line.currency
        );
        data_error(System::NetSuite, "CURRENCY_NOT_FOUND", message)
    })
}

/// Fails when a price in a price book other than the standard one has no base price in the
/// same currency, since Salesforce rejects such an entry.
fn check_standard_prices(prices: &[Price], options: &Options) -> Result<(), RemoteError> {
    let has_standard = |currency: &Option<String>| {
        prices
            .iter()
            .any(|price| price.level.is_none() && &price.currency == currency)
    };
    let missing = prices
        .iter()
        .find(|price| price.level.is_some() && !has_standard(&price.currency));
    let Some(price) = missing else {
        return Ok(());
    };
    let currency = price
        .currency
        .as_deref()
        .map(|code| format!(" in {code}"))
        .unwrap_or_default();
    let message = format!(
        "the item has a price at level {}{currency} but no price at the base price level {}{currency}; \
         Salesforce needs a standard price before any other",
        price.level.as_deref().unwrap_or_default(),
        options.base_price_level,
    );
    Err(data_error(
        System::Salesforce,
        STANDARD_PRICE_NOT_DEFINED,
        message,
    ))
}

fn data_error(system: System, code: &str, message: impl Into<String>) -> RemoteError {
    RemoteError::new(system, ErrorClass::Data, code, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(currency: &str, level: &str, amount: f64) -> PriceLine {
        PriceLine {
            currency: currency.to_string(),
            level: level.to_string(),
            amount,
        }
    }

    fn catalog(multi_currency: bool) -> Catalog {
        Catalog::for_tests(
            multi_currency,
            &[("1", "USD"), ("2", "EUR")],
            &[("2", "Wholesale"), ("3", "Retail")],
        )
    }

    #[test]
    fn prices_name_levels_and_currencies() {
        let lines = [
            line("1", "1", 10.0),
            line("2", "1", 9.0),
            line("1", "2", 8.0),
        ];
        let prices = prices(&lines, &Options::default(), &catalog(true)).unwrap();
        assert_eq!(prices.len(), 3);
        assert_eq!(prices[0].level, None);
        assert_eq!(prices[1].currency.as_deref(), Some("EUR"));
        assert_eq!(prices[2].level.as_deref(), Some("Wholesale"));
    }

    #[test]
    fn prices_without_currencies_keep_lowest_currency_id() {
        let lines = [line("10", "1", 10.0), line("2", "1", 9.0)];
        let prices = prices(&lines, &Options::default(), &catalog(false)).unwrap();
        assert_eq!(prices.len(), 1);
        assert_eq!(prices[0].amount, 9.0);
        assert_eq!(prices[0].currency, None);
    }

    #[test]
    fn prices_skip_levels_not_listed() {
        let options = Options {
            price_levels: vec!["retail".to_string()],
            ..Options::default()
        };
        let lines = [
            line("1", "1", 10.0),
            line("1", "2", 8.0),
            line("1", "3", 12.0),
        ];
        let prices = prices(&lines, &options, &catalog(true)).unwrap();
        let levels: Vec<_> = prices.iter().map(|price| price.level.as_deref()).collect();
        assert_eq!(levels, vec![None, Some("Retail")]);
    }

    #[test]
    fn prices_refuse_level_price_without_base_price() {
        let lines = [line("1", "1", 10.0), line("2", "2", 8.0)];
        let error = prices(&lines, &Options::default(), &catalog(true)).unwrap_err();
        assert_eq!(error.code, STANDARD_PRICE_NOT_DEFINED);
        assert!(error.message.contains("in EUR"), "{}", error.message);
    }

    #[test]
    fn prices_refuse_unknown_currency() {
        let lines = [line("7", "1", 10.0)];
        let error = prices(&lines, &Options::default(), &catalog(true)).unwrap_err();
        assert_eq!(error.code, "CURRENCY_NOT_FOUND");
    }

    #[test]
    fn price_lines_skip_lines_without_price() {
        let item = Fields::from([(
            "pricingMatrix".to_string(),
            FieldValue::List(vec![
                Fields::from([
                    ("currency".to_string(), FieldValue::text("1")),
                    ("priceLevel".to_string(), FieldValue::text("1")),
                    ("price".to_string(), FieldValue::Number(5.0)),
                ]),
                Fields::from([
                    ("currency".to_string(), FieldValue::text("1")),
                    ("priceLevel".to_string(), FieldValue::text("2")),
                    ("price".to_string(), FieldValue::Null),
                ]),
            ]),
        )]);
        assert_eq!(price_lines(&item), vec![line("1", "1", 5.0)]);
    }
}
