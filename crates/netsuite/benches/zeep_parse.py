"""Parse recorded SuiteTalk search pages with zeep, for the comparison in benches/parse.rs.

Usage: python zeep_parse.py WSDL SECONDS PAGE...

Loads NetSuite's WSDL once (not timed), then for each page parses the bytes into an lxml
tree and deserializes the search response with zeep's SOAP binding, repeating for at least
SECONDS. Prints one line per page: path, records per parse, parses, elapsed seconds.
"""

import sys
import time

from lxml import etree
from zeep import Client, Settings


def main():
    wsdl, seconds, pages = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
    # The recordings have elements that the 2023_2 schema dropped; strict mode would reject
    # them instead of skipping them, which is what the Rust client does.
    settings = Settings(strict=False, xml_huge_tree=True)
    client = Client(wsdl, settings=settings)
    operation = client.service._binding.get("search")
    for path in pages:
        with open(path, "rb") as handle:
            data = handle.read()
        records = count_records(operation.process_reply(etree.fromstring(data)))
        parses = 0
        started = time.perf_counter()
        while True:
            operation.process_reply(etree.fromstring(data))
            parses += 1
            elapsed = time.perf_counter() - started
            if elapsed >= seconds:
                break
        print(f"{path}\t{records}\t{parses}\t{elapsed:.6f}", flush=True)


def count_records(reply):
    result = reply["body"]["searchResult"]
    record_list = result["recordList"]
    if record_list is None:
        return 0
    return len(record_list["record"])


if __name__ == "__main__":
    main()
