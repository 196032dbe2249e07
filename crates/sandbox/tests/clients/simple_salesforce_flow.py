"""Drives the Salesforce emulator's HTTPS port with simple-salesforce, unchanged.

Reads SANDBOX_SALESFORCE_HOST (host:port of the HTTPS port), SANDBOX_CLIENT_ID,
SANDBOX_CLIENT_SECRET and REQUESTS_CA_BUNDLE (the sandbox's CA certificate) from the
environment. Prints one JSON object with what each call returned, for the Rust test to check.

simple-salesforce builds its token URL as https://{domain}.salesforce.com/services/oauth2/token,
so the domain given here ends in "/services/oauth2/token?": the rest of the built URL becomes a
query string, which the token endpoint ignores.
"""

import json
import os

from simple_salesforce import Salesforce

HOST = os.environ["SANDBOX_SALESFORCE_HOST"]
DOMAIN = f"{HOST}/services/oauth2/token?"


def main():
    sf = Salesforce(
        consumer_key=os.environ["SANDBOX_CLIENT_ID"],
        consumer_secret=os.environ["SANDBOX_CLIENT_SECRET"],
        domain=DOMAIN,
    )
    report = {"instance": sf.sf_instance}

    describe = sf.Account.describe()
    report["describe_fields"] = [field["name"] for field in describe["fields"]]

    created = sf.Account.create({"Name": "Python One", "Phone": "555-0100"})
    report["created"] = created
    account_id = created["id"]
    report["update_status"] = sf.Account.update(account_id, {"Phone": "555-0101"})
    report["read_phone"] = sf.Account.get(account_id)["Phone"]

    report["upsert_insert_status"] = sf.Account.upsert(
        "NetSuite_Internal_ID__c/PY-1", {"Name": "Python Upsert"}
    )
    report["upsert_update_status"] = sf.Account.upsert(
        "NetSuite_Internal_ID__c/PY-1", {"Name": "Python Upsert Renamed"}
    )

    bulk_rows = [
        {"NetSuite_Internal_ID__c": f"BULK-{index}", "Name": f"Bulk {index}"}
        for index in range(250)
    ]
    bulk_rows.append({"NetSuite_Internal_ID__c": "BULK-BAD", "Name": ""})
    report["bulk_upsert"] = sf.bulk2.Account.upsert(
        records=bulk_rows, external_id_field="NetSuite_Internal_ID__c", wait=1
    )
    job_id = report["bulk_upsert"][0]["job_id"]
    report["bulk_failed_csv"] = sf.bulk2.Account.get_failed_records(job_id)

    everything = sf.query_all("SELECT Id, Name, NetSuite_Internal_ID__c FROM Account")
    report["query_all_total"] = everything["totalSize"]
    report["query_all_records"] = len(everything["records"])
    report["query_all_distinct_ids"] = len({row["Id"] for row in everything["records"]})

    bulk_pages = list(
        sf.bulk2.Account.query(
            "SELECT Id, Name FROM Account ORDER BY Name", max_records=100, wait=1
        )
    )
    report["bulk_query_pages"] = len(bulk_pages)
    report["bulk_query_rows"] = sum(len(page.splitlines()) - 1 for page in bulk_pages)

    relationships(sf, account_id, report)
    report["composite"] = composite(sf)

    report["delete_status"] = sf.Account.delete(account_id)
    deleted = sf.query_all(
        f"SELECT Id, IsDeleted FROM Account WHERE Id = '{account_id}'", include_deleted=True
    )
    report["deleted_rows"] = deleted["records"]
    print(json.dumps(report))


def relationships(sf, account_id, report):
    """Reads a Contact's Account and an Account's Contacts with relationship queries."""
    sf.Contact.create({"LastName": "Python Contact", "AccountId": account_id})
    contacts = sf.query_all(
        f"SELECT LastName, Account.Name FROM Contact WHERE AccountId = '{account_id}'"
    )
    report["contact_account_name"] = contacts["records"][0]["Account"]["Name"]
    accounts = sf.query(
        f"SELECT Name, (SELECT LastName FROM Contacts) FROM Account WHERE Id = '{account_id}'"
    )
    children = accounts["records"][0]["Contacts"]["records"]
    report["subquery_last_names"] = [child["LastName"] for child in children]


def composite(sf):
    """Creates an Account and a Contact that refers to it in one all-or-none call."""
    prefix = f"/services/data/v{sf.sf_version}"
    body = {
        "allOrNone": True,
        "compositeRequest": [
            {
                "method": "POST",
                "url": f"{prefix}/sobjects/Account",
                "referenceId": "NewAccount",
                "body": {"Name": "Python Composite"},
            },
            {
                "method": "POST",
                "url": f"{prefix}/sobjects/Contact",
                "referenceId": "NewContact",
                "body": {"LastName": "Composite", "AccountId": "@{NewAccount.id}"},
            },
        ],
    }
    result = sf.restful("composite", method="POST", json=body)
    return [item["httpStatusCode"] for item in result["compositeResponse"]]


if __name__ == "__main__":
    main()
