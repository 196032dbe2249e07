"""Times simple-salesforce decoding one recorded-shape query page, for the Rust bench.

Usage: python simple_salesforce_decode.py PAGE_FILE ROUNDS

Prints one JSON line: the median seconds of `Salesforce.parse_result_to_json` on the page
(simple-salesforce's own decode step) and of a whole `Salesforce.query` call served by an
in-process adapter, so no network is involved.
"""

import json
import statistics
import sys
import time

import requests
from requests.adapters import BaseAdapter
from simple_salesforce import Salesforce


class PageAdapter(BaseAdapter):
    """Returns the page for every request, as an org would, without a socket."""

    def __init__(self, body):
        super().__init__()
        self.body = body

    def send(self, request, **kwargs):
        response = requests.Response()
        response.status_code = 200
        response.headers["Content-Type"] = "application/json;charset=UTF-8"
        response.headers["Sforce-Limit-Info"] = "api-usage=28/15000"
        response._content = self.body
        response.url = request.url
        response.request = request
        return response

    def close(self):
        pass


def median_seconds(action, rounds):
    action()
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main():
    path, rounds = sys.argv[1], int(sys.argv[2])
    with open(path, "rb") as page:
        body = page.read()
    session = requests.Session()
    session.mount("https://", PageAdapter(body))
    sf = Salesforce(instance="example.my.salesforce.com", session_id="bench", session=session)
    response = PageAdapter(body).send(requests.Request("GET", "https://x/").prepare())
    decode = median_seconds(lambda: sf.parse_result_to_json(response), rounds)
    query = median_seconds(lambda: sf.query("SELECT Id FROM Account"), rounds)
    records = len(sf.parse_result_to_json(response)["records"])
    print(json.dumps({"decode_seconds": decode, "query_seconds": query, "records": records}))


if __name__ == "__main__":
    main()
