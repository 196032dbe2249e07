#!/usr/bin/env python3
"""Extract the schema facts the client needs from NetSuite's published XSD files.

Writes schema/netsuite_2023_2.txt: the XSD sequence of every complex type reachable from the
typed records and their searches, and the namespace of every record type. Run it from the
crate folder after changing ROOTS or the schema version:

    python3 tools/extract_schema.py ../../corpus/netsuite/kokobd__netsuite-wsdl/xsd

The output format, read by src/schema/mod.rs:

    record <recordType> <TypeName> <prefix>    one line per record type of the schema
    type <TypeName> <prefix>                   starts a complex type
      <element> <xsd type> [*]                 one element of its sequence, in order; * repeats
      @<attribute> <xsd type> [default]        one attribute
    enum <prefix>:<TypeName> <value>...        the values of an enumeration a listed element uses
"""

import glob
import os
import sys
import xml.etree.ElementTree as ET

XS = "{http://www.w3.org/2001/XMLSchema}"

# Record types with typed models, and the searches the client builds for them.
ROOTS = [
    "Customer", "Contact", "SalesOrder", "Invoice", "CustomerPayment", "InventoryItem",
    "NonInventorySaleItem", "ServiceSaleItem", "PriceLevel", "Subsidiary", "Currency", "Term",
    "Location", "Address",
    "CustomerSearch", "ContactSearch", "TransactionSearch", "ItemSearch", "PriceLevelSearch",
    "SubsidiarySearch", "TermSearch", "LocationSearch",
    "CustomerSearchAdvanced", "ContactSearchAdvanced", "TransactionSearchAdvanced",
    "ItemSearchAdvanced", "PriceLevelSearchAdvanced", "SubsidiarySearchAdvanced",
    "TermSearchAdvanced", "LocationSearchAdvanced",
]

# Types of the platform core namespace are leaves: the client models them itself.
LEAF_PREFIXES = {"platformCore", "xsd"}


def load(folder):
    """Return {type name: (prefix, complexType element)}, the record types and
    {prefix:name: enumeration values}."""
    types = {}
    records = []
    enums = {}
    for path in sorted(glob.glob(os.path.join(folder, "*.xsd"))):
        root = ET.parse(path).getroot()
        target = root.get("targetNamespace")
        prefix = prefix_of(path, target)
        for complex_type in root.findall(XS + "complexType"):
            name = complex_type.get("name")
            types[name] = (prefix, complex_type)
            extension = complex_type.find(XS + "complexContent/" + XS + "extension")
            if extension is not None and extension.get("base") == "platformCore:Record":
                records.append((name, prefix))
        for simple_type in root.findall(XS + "simpleType"):
            values = [value.get("value") for value in simple_type.iter(XS + "enumeration")]
            if values:
                enums["%s:%s" % (prefix, simple_type.get("name"))] = values
    return types, records, enums


def prefix_of(path, target):
    """Return the prefix the file itself declares for its target namespace."""
    with open(path, encoding="utf-8") as handle:
        head = handle.read(4096)
    for part in head.split():
        if part.startswith("xmlns:") and part.endswith('"%s"' % target):
            return part[len("xmlns:"):].split("=")[0]
    raise SystemExit("no prefix for %s in %s" % (target, path))


def sequence(complex_type):
    elements = complex_type.iter(XS + "element")
    attributes = complex_type.iter(XS + "attribute")
    return list(elements), list(attributes)


def closure(types):
    seen = []
    stack = list(reversed(ROOTS))
    while stack:
        name = stack.pop()
        if name in seen or name not in types:
            continue
        seen.append(name)
        elements, _ = sequence(types[name][1])
        for element in reversed(elements):
            prefix, local = element.get("type").split(":")
            if prefix not in LEAF_PREFIXES and local in types:
                stack.append(local)
    return seen


def record_type(name):
    return name[0].lower() + name[1:]


def main():
    folder = sys.argv[1]
    types, records, enums = load(folder)
    lines = [
        "# NetSuite SuiteTalk 2023_2 schema facts, extracted from Oracle's published XSD files",
        "# by tools/extract_schema.py. Do not edit by hand.",
    ]
    for name, prefix in sorted(records):
        lines.append("record %s %s %s" % (record_type(name), name, prefix))
    for name in closure(types):
        prefix, complex_type = types[name]
        lines.append("type %s %s" % (name, prefix))
        elements, attributes = sequence(complex_type)
        for element in elements:
            repeated = " *" if element.get("maxOccurs") == "unbounded" else ""
            lines.append("  %s %s%s" % (element.get("name"), element.get("type"), repeated))
        for attribute in attributes:
            default = attribute.get("default")
            suffix = " " + default if default else ""
            lines.append("  @%s %s%s" % (attribute.get("name"), attribute.get("type"), suffix))
    used = sorted({
        element.get("type")
        for name in closure(types)
        for element in sequence(types[name][1])[0]
        if element.get("type") in enums
    })
    for qualified in used:
        lines.append("enum %s %s" % (qualified, " ".join(enums[qualified])))
    out = os.path.join(os.path.dirname(__file__), "..", "schema", "netsuite_2023_2.txt")
    with open(out, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    print("wrote %d lines to %s" % (len(lines), os.path.normpath(out)))


if __name__ == "__main__":
    main()
