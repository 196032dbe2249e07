"""Drives the NetSuite emulator with zeep, a WSDL-driven SOAP client written by others.

zeep loads the WSDL the emulator serves, builds every request from the published 2023_2
schema and parses every response strictly against it. The script signs its own token
passports (HMAC-SHA256, as NetSuite documents) and runs add, get, search, searchMoreWithId,
update, upsert and delete on a customer and a sales order. It prints one JSON object with
what it observed; the Rust test checks the values.

Usage: zeep_netsuite.py WSDL_URL ACCOUNT CONSUMER_KEY CONSUMER_SECRET TOKEN_ID TOKEN_SECRET
"""

import base64
import hashlib
import hmac
import json
import secrets
import sys
import time

import zeep


def main():
    wsdl, account, consumer_key, consumer_secret, token_id, token_secret = sys.argv[1:7]
    client = zeep.Client(wsdl)
    version = wsdl.split("/wsdl/v")[1].split("/")[0][: -len("_0")]
    driver = Driver(client, version, (account, consumer_key, consumer_secret, token_id, token_secret))
    print(json.dumps(driver.run(), default=str))


class Driver:
    def __init__(self, client, version, credentials):
        self.client = client
        self.credentials = credentials
        urn = lambda name, area: f"urn:{name}_{version}.{area}.webservices.netsuite.com"
        self.core = client.type_factory(urn("core", "platform"))
        self.common = client.type_factory(urn("common", "platform"))
        self.messages = client.type_factory(urn("messages", "platform"))
        self.relationships = client.type_factory(urn("relationships", "lists"))
        self.accounting = client.type_factory(urn("accounting", "lists"))
        self.sales = client.type_factory(urn("sales", "transactions"))

    def passport(self):
        account, consumer_key, consumer_secret, token_id, token_secret = self.credentials
        nonce = secrets.token_hex(12)
        timestamp = str(int(time.time()))
        base = "&".join([account, consumer_key, token_id, nonce, timestamp])
        key = f"{consumer_secret}&{token_secret}".encode()
        digest = hmac.new(key, base.encode(), hashlib.sha256).digest()
        signature = self.core.TokenPassportSignature(
            base64.b64encode(digest).decode(), algorithm="HMAC-SHA256"
        )
        return self.core.TokenPassport(
            account=account,
            consumerKey=consumer_key,
            token=token_id,
            nonce=nonce,
            timestamp=timestamp,
            signature=signature,
        )

    def call(self, operation, page_size=None, **arguments):
        headers = {"tokenPassport": self.passport()}
        if page_size is not None:
            headers["searchPreferences"] = self.messages.SearchPreferences(
                bodyFieldsOnly=True, pageSize=page_size
            )
        return getattr(self.client.service, operation)(_soapheaders=headers, **arguments)

    def ref(self, internal_id, record_type=None):
        return self.core.RecordRef(internalId=internal_id, type=record_type)

    def run(self):
        seen = {}
        seen["server_time"] = self.call("getServerTime").body.getServerTimeResult.serverTime
        seen.update(self.customers())
        seen.update(self.sales_orders(seen["customer_id"]))
        return seen

    def customers(self):
        seen = {}
        customer = self.relationships.Customer(
            externalId="ZEEP-C1", companyName="Zeep Works", email="ap@zeep.example"
        )
        added = self.call("add", record=customer).body.writeResponse
        seen["customer_add_ok"] = added.status.isSuccess
        seen["customer_id"] = added.baseRef.internalId
        got = self.call("get", baseRef=self.ref(seen["customer_id"], "customer"))
        seen["customer_get_name"] = got.body.readResponse.record.companyName

        change = self.relationships.Customer(internalId=seen["customer_id"], phone="555-0100")
        seen["customer_update_ok"] = self.call("update", record=change).body.writeResponse.status.isSuccess
        got = self.call("get", baseRef=self.ref(seen["customer_id"], "customer"))
        seen["customer_phone"] = got.body.readResponse.record.phone

        same = self.relationships.Customer(externalId="ZEEP-C1", companyName="Zeep Works Ltd")
        upserted = self.call("upsert", record=same).body.writeResponse
        seen["customer_upsert_same_id"] = upserted.baseRef.internalId
        for number in range(2, 8):
            other = self.relationships.Customer(
                externalId=f"ZEEP-C{number}", companyName=f"Zeep Branch {number}"
            )
            self.call("upsert", record=other)

        criteria = self.common.CustomerSearchBasic(
            companyName=self.core.SearchStringField(searchValue="Zeep", operator="startsWith")
        )
        first = self.call("search", page_size=5, searchRecord=criteria).body.searchResult
        seen["customer_search_total"] = first.totalRecords
        seen["customer_search_pages"] = first.totalPages
        seen["customer_search_page1"] = [r.internalId for r in first.recordList.record]
        second = self.call(
            "searchMoreWithId", searchId=first.searchId, pageIndex=2
        ).body.searchResult
        seen["customer_search_page2"] = [r.internalId for r in second.recordList.record]

        spare = self.call("get", baseRef=self.ref(seen["customer_search_page2"][-1], "customer"))
        spare_id = spare.body.readResponse.record.internalId
        deleted = self.call("delete", baseRef=self.ref(spare_id, "customer")).body.writeResponse
        seen["customer_delete_ok"] = deleted.status.isSuccess
        gone = self.call("get", baseRef=self.ref(spare_id, "customer")).body.readResponse
        seen["customer_get_after_delete"] = gone.status.statusDetail[0].code
        return seen

    def sales_orders(self, customer_id):
        seen = {}
        price = self.accounting.Price(value=12.5, quantity=0)
        pricing = self.accounting.Pricing(
            currency=self.ref("1"),
            priceLevel=self.ref("1"),
            priceList=self.accounting.PriceList(price=[price]),
        )
        location = self.accounting.InventoryItemLocations(
            locationId=self.ref("3"), quantityOnHand=40
        )
        item = self.accounting.InventoryItem(
            itemId="ZEEP-WIDGET",
            displayName="Zeep widget",
            pricingMatrix=self.accounting.PricingMatrix(pricing=[pricing]),
            locationsList=self.accounting.InventoryItemLocationsList(locations=[location]),
        )
        item_id = self.call("add", record=item).body.writeResponse.baseRef.internalId
        seen["item_id"] = item_id

        line = self.sales.SalesOrderItem(item=self.ref(item_id), quantity=4)
        order = self.sales.SalesOrder(
            externalId="ZEEP-SO1",
            entity=self.ref(customer_id),
            location=self.ref("3"),
            itemList=self.sales.SalesOrderItemList(item=[line]),
        )
        added = self.call("add", record=order).body.writeResponse
        seen["order_add_ok"] = added.status.isSuccess
        order_id = added.baseRef.internalId
        seen["order_id"] = order_id
        got = self.call("get", baseRef=self.ref(order_id, "salesOrder")).body.readResponse.record
        seen["order_total"] = got.total
        seen["order_status"] = got.status
        seen["order_line_rate"] = got.itemList.item[0].rate

        approve = self.sales.SalesOrder(internalId=order_id, orderStatus="_pendingFulfillment")
        seen["order_update_ok"] = self.call("update", record=approve).body.writeResponse.status.isSuccess
        got = self.call("get", baseRef=self.ref(order_id, "salesOrder")).body.readResponse.record
        seen["order_status_after_update"] = got.status
        stocked = self.call("get", baseRef=self.ref(item_id, "inventoryItem")).body.readResponse.record
        seen["item_available_after_approval"] = stocked.locationsList.locations[0].quantityAvailable

        memo = self.sales.SalesOrder(externalId="ZEEP-SO1", memo="Upserted by zeep")
        upserted = self.call("upsert", record=memo).body.writeResponse
        seen["order_upsert_same_id"] = upserted.baseRef.internalId
        second = self.sales.SalesOrder(
            externalId="ZEEP-SO2",
            entity=self.ref(customer_id),
            itemList=self.sales.SalesOrderItemList(item=[line]),
        )
        seen["order_upsert_new_id"] = self.call("upsert", record=second).body.writeResponse.baseRef.internalId

        criteria = self.common.TransactionSearchBasic(
            type=self.core.SearchEnumMultiSelectField(searchValue=["_salesOrder"], operator="anyOf")
        )
        found = self.call("search", page_size=5, searchRecord=criteria).body.searchResult
        seen["order_search_ids"] = [r.internalId for r in found.recordList.record]
        seen["order_search_memo"] = [r.memo for r in found.recordList.record]
        more = self.call("searchMoreWithId", searchId=found.searchId, pageIndex=1).body.searchResult
        seen["order_search_more_ids"] = [r.internalId for r in more.recordList.record]

        deleted = self.call("delete", baseRef=self.ref(order_id, "salesOrder")).body.writeResponse
        seen["order_delete_ok"] = deleted.status.isSuccess
        gone = self.call("get", baseRef=self.ref(order_id, "salesOrder")).body.readResponse
        seen["order_get_after_delete"] = gone.status.statusDetail[0].code
        return seen


if __name__ == "__main__":
    main()
