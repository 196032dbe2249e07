//! Reading SOAP faults.
//!
//! A NetSuite fault has an unqualified `faultcode` and `faultstring`, and a `detail` with one
//! `platformFaults:<name>Fault` element (`code`, `message`) next to an Axis `hostname`
//! element. Schema errors have no NetSuite element in `detail`.

use crate::error::{Error, Fault};
use crate::namespace::Namespace;
use crate::parse::cursor::{Element, ElementNamespace, XmlCursor};

/// Reads a `soapenv:Fault` element.
pub(crate) fn read_fault(
    cursor: &mut XmlCursor<'_>,
    element: &Element,
    http_status: u16,
) -> Result<Fault, Error> {
    let mut fault = Fault {
        http_status,
        faultcode: String::new(),
        faultstring: String::new(),
        detail_name: None,
        code: None,
        message: None,
    };
    while let Some(child) = cursor.next_child(element)? {
        match child.local_name.as_str() {
            "faultcode" => fault.faultcode = cursor.text(&child)?.trim().to_string(),
            "faultstring" => fault.faultstring = cursor.text(&child)?.trim().to_string(),
            "detail" => read_detail(cursor, &child, &mut fault)?,
            _ => cursor.skip(&child)?,
        }
    }
    Ok(fault)
}

fn read_detail(
    cursor: &mut XmlCursor<'_>,
    detail: &Element,
    fault: &mut Fault,
) -> Result<(), Error> {
    while let Some(child) = cursor.next_child(detail)? {
        let is_netsuite_fault = child.namespace == ElementNamespace::NetSuite(Namespace::Faults);
        if !is_netsuite_fault || fault.detail_name.is_some() {
            cursor.skip(&child)?;
            continue;
        }
        fault.detail_name = Some(child.local_name.clone());
        while let Some(field) = cursor.next_child(&child)? {
            match field.local_name.as_str() {
                "code" => fault.code = Some(cursor.text(&field)?.trim().to_string()),
                "message" => fault.message = Some(cursor.text(&field)?.trim().to_string()),
                _ => cursor.skip(&field)?,
            }
        }
    }
    Ok(())
}
