//! Reading the rows of an advanced search (`searchRowList`).
//!
//! A row has one group per joined record type (`basic`, `customerJoin`). Each column is an
//! element with a `searchValue` child: text, or a reference carried in attributes for select
//! columns. Custom field columns are in the group's `customFieldList`, named like record
//! custom fields but with `searchValue` children.

use crate::error::Error;
use crate::operations::search::SearchRow;
use crate::parse::cursor::{Element, XmlCursor};
use crate::parse::record::{is_reference, read_custom_fields, read_reference};
use crate::records::{BodyValue, Complex};

/// Reads every `searchRow` of a `searchRowList`.
pub(crate) fn read_row_list(
    cursor: &mut XmlCursor<'_>,
    list: &Element,
) -> Result<Vec<SearchRow>, Error> {
    let mut rows = Vec::new();
    while let Some(row) = cursor.next_child(list)? {
        if row.local_name != "searchRow" {
            cursor.skip(&row)?;
            continue;
        }
        let mut parsed = SearchRow::default();
        while let Some(group) = cursor.next_child(&row)? {
            let columns = read_group(cursor, &group)?;
            parsed.groups.push((group.local_name.clone(), columns));
        }
        rows.push(parsed);
    }
    Ok(rows)
}

fn read_group(cursor: &mut XmlCursor<'_>, group: &Element) -> Result<Complex, Error> {
    let mut columns = Complex::new();
    while let Some(column) = cursor.next_child(group)? {
        if column.local_name == "customFieldList" {
            columns.custom_fields = read_custom_fields(cursor, &column)?;
            continue;
        }
        if let Some(value) = read_column(cursor, &column)? {
            columns.fields.push((column.local_name.clone(), value));
        }
    }
    Ok(columns)
}

/// Reads the `searchValue` of one column; `None` when the column has none.
fn read_column(cursor: &mut XmlCursor<'_>, column: &Element) -> Result<Option<BodyValue>, Error> {
    let mut value = None;
    while let Some(child) = cursor.next_child(column)? {
        if child.local_name != "searchValue" {
            cursor.skip(&child)?;
        } else if is_reference(&child) {
            value = Some(BodyValue::Ref(read_reference(cursor, &child)?));
        } else {
            value = Some(BodyValue::Text(cursor.text(&child)?));
        }
    }
    Ok(value)
}
