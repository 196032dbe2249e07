"""Drives Tandem's MCP gateway with the official MCP Python SDK, as an agent would.

Usage: client.py stdio TANDEM CONFIG ENV_FILE
       client.py http URL TANDEM CONFIG ENV_FILE

Tokens come from the environment: OPS_TOKEN (read and write), READER_TOKEN (read only) and
LIMITED_TOKEN (read, 3 calls per minute). Each check prints one line `ok NAME`; the first
failed check raises, so the script exits non-zero with the reason.
"""

import asyncio
import contextlib
import json
import os
import subprocess
import sys
import time

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

EXPECTED_TOOLS = {
    "list_flows", "find_record", "explain_record", "list_dead_letters", "list_review_items",
    "list_conflicts", "api_budget", "approval_status", "run_flow", "replay_dead_letter",
    "discard_dead_letter", "resolve_review", "resolve_conflict", "create_sales_order",
}


def check(name, condition, detail=""):
    if not condition:
        raise AssertionError(f"{name} failed: {detail}")
    print(f"ok {name}", flush=True)


def text_of(result):
    return " ".join(getattr(block, "text", "") for block in result.content)


def session_opener(argv):
    transport = argv[1]
    if transport == "stdio":
        tandem, config, env_file = argv[2], argv[3], argv[4]

        @contextlib.asynccontextmanager
        async def open_session(token):
            env = {"PATH": os.environ.get("PATH", "")}
            if token is not None:
                env["TANDEM_MCP_TOKEN"] = token
            params = StdioServerParameters(
                command=tandem, args=["mcp", "--config", config, "--env-file", env_file], env=env
            )
            async with stdio_client(params) as (read, write):
                async with ClientSession(read, write) as session:
                    await session.initialize()
                    yield session

        return open_session, argv[2], argv[3], argv[4]

    url, tandem, config, env_file = argv[2], argv[3], argv[4], argv[5]

    @contextlib.asynccontextmanager
    async def open_session(token):
        headers = {} if token is None else {"Authorization": f"Bearer {token}"}
        async with create_mcp_http_client(headers=headers) as http:
            async with streamable_http_client(url, http_client=http) as (read, write):
                async with ClientSession(read, write) as session:
                    await session.initialize()
                    yield session

    return open_session, tandem, config, env_file


def stdio_lines(tandem, config, env_file, token, lines):
    """Sends raw lines to `tandem mcp` over stdio and returns the JSON messages it writes back."""
    env = {"PATH": os.environ.get("PATH", "")}
    if token is not None:
        env["TANDEM_MCP_TOKEN"] = token
    process = subprocess.run(
        [tandem, "mcp", "--config", config, "--env-file", env_file],
        input="".join(line + "\n" for line in lines), capture_output=True, text=True, env=env, timeout=60,
    )
    return [json.loads(line) for line in process.stdout.splitlines() if line.strip()]


async def check_without_token(argv, open_session):
    """Every request without a token is rejected, tools/list included."""
    initialize = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "test", "version": "1"}}}
    if argv[1] == "stdio":
        _, tandem, config, env_file = session_opener(argv)
        lines = [json.dumps(initialize), json.dumps({"jsonrpc": "2.0", "id": 2, "method": "tools/list"})]
        answers = await asyncio.to_thread(stdio_lines, tandem, config, env_file, None, lines)
        by_id = {answer.get("id"): answer for answer in answers}
        first, listed = by_id.get(1, {}), by_id.get(2, {})
        check("refused_without_token", first.get("error", {}).get("code") == -32001
              and "missing token" in first["error"]["message"], answers)
        check("tools_list_refused_without_token", listed.get("error", {}).get("code") == -32001
              and "result" not in listed, answers)
        return
    url = argv[2]
    headers = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
    async with create_mcp_http_client() as http:
        response = await http.post(url, json=initialize, headers=headers)
        body = response.json()
        check("refused_without_token", response.status_code == 401 and "missing token" in body["error"]["message"], response.text)
        listing = {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}
        response = await http.post(url, json=listing, headers=headers)
        check("tools_list_refused_without_token", response.status_code == 401 and response.json()["id"] == 2, response.text)
        bad = dict(headers, Authorization="Bearer not-a-token")
        response = await http.post(url, json=listing, headers=bad)
        check("tools_list_refused_with_bad_token", response.status_code == 401 and "invalid token" in response.text, response.text)


async def check_parse_error(argv, tandem, config, env_file, token):
    """A message that is not JSON gets the JSON-RPC parse error -32700."""
    if argv[1] == "stdio":
        initialize = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "test", "version": "1"}}})
        answers = await asyncio.to_thread(stdio_lines, tandem, config, env_file, token, [initialize, "{not json"])
        errors = [a for a in answers if "error" in a]
        check("parse_error", any(a["error"]["code"] == -32700 and a["id"] is None for a in errors), answers)
        return
    headers = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json",
               "Authorization": f"Bearer {token}"}
    async with create_mcp_http_client() as http:
        response = await http.post(argv[2], content=b"{not json", headers=headers)
        check("parse_error", response.status_code == 400 and response.json()["error"]["code"] == -32700, response.text)
        del headers["Content-Type"]
        response = await http.post(argv[2], content=b"[1,", headers=headers)
        check("parse_error_without_content_type", response.status_code == 400
              and response.json()["error"]["code"] == -32700, response.text)
        response = await http.post(argv[2], content=b"[]", headers=headers)
        check("batch_is_invalid_request", response.status_code == 400
              and response.json()["error"]["code"] == -32600, response.text)


async def approval_outcome(session, approval, seconds=60):
    """Waits until the approval is carried out and returns it; a daemon may take a few seconds."""
    deadline = time.monotonic() + seconds
    while True:
        status = (await session.call_tool("approval_status", {"approval_id": approval})).structured_content
        if status["status"] in ("done", "failed") or time.monotonic() > deadline:
            return status
        await asyncio.sleep(0.5)


async def main(argv):
    open_session, tandem, config, env_file = session_opener(argv)
    ops, reader, limited = (os.environ[name] for name in ("OPS_TOKEN", "READER_TOKEN", "LIMITED_TOKEN"))

    await check_without_token(argv, open_session)
    await check_parse_error(argv, tandem, config, env_file, ops)

    async with open_session(ops) as session:
        tools = (await session.list_tools()).tools
        names = {tool.name for tool in tools}
        check("lists_tools", EXPECTED_TOOLS <= names, sorted(names))
        for tool in tools:
            properties = tool.input_schema.get("properties", {})
            described = bool(tool.description) and all(p.get("description") for p in properties.values())
            check(f"schema_described_{tool.name}", described, json.dumps(tool.input_schema))

        result = await session.call_tool("list_flows", {})
        flows = [flow["flow"] for flow in result.structured_content["flows"]]
        check("list_flows", not result.is_error and "opportunity-to-sales-order" in flows, flows)

        result = await session.call_tool("list_dead_letters", {"flow": "opportunity-to-sales-order"})
        letters = result.structured_content["items"]
        check("list_dead_letters", not result.is_error and len(letters) == 1, text_of(result))
        opportunity = letters[0]["source_id"]

        result = await session.call_tool("explain_record", {"query": opportunity})
        record = result.structured_content["records"][0]
        reasons = " ".join(record["reasons"])
        check("explain_dead_letter", record["status"] == "dead_letter" and "BALANCE_EXCEEDS_CREDIT_LIMIT" in reasons, reasons)

        result = await session.call_tool("find_record", {"query": "Tailspin Toys"})
        found = result.structured_content["records"]
        check("find_by_name", not result.is_error and len(found) >= 1, text_of(result))

        result = await session.call_tool("find_record", {"query": "ailspin"})
        found = result.structured_content["records"]
        check("find_partial_name_live", not result.is_error and any(
            "live" in r["source"] and r["status"] != "unknown" and r["cross_references"] for r in found), text_of(result))

        result = await session.call_tool("explain_record", {"query": "Zephyrine Unread"})
        found = result.structured_content["records"]
        # A daemon may have read it in its first round since; its customer-onboarding filter then
        # leaves it out.
        check("find_unread_record_live", not result.is_error and len(found) == 1 and found[0]["source"] == "live"
              and found[0]["status"] in ("unknown", "filtered") and found[0]["object"] == "Account", text_of(result))

        result = await session.call_tool("api_budget", {})
        netsuite = (result.structured_content or {}).get("netsuite", {})
        check("api_budget", not result.is_error and netsuite.get("concurrency_limit", 0) >= 1
              and "in_flight_all_workers" in netsuite and "SQLite" in netsuite["note"], text_of(result))

        result = await session.call_tool("list_review_items", {"status": "all"})
        check("list_review_items", not result.is_error, text_of(result))
        result = await session.call_tool("list_conflicts", {"status": "bogus"})
        check("bad_status_is_explained", result.is_error and "expected open" in text_of(result), text_of(result))

        decisions = json.loads((await session.read_resource("tandem://audit/decisions")).contents[0].text)
        orders = [d for d in decisions if d["flow"] == "opportunity-to-sales-order"]
        skipped = next(d["sf_id"] for d in orders if d["kind"] == "skip")
        result = await session.call_tool("explain_record", {"query": skipped})
        record = result.structured_content["records"][0]
        check("explain_filtered", record["status"] == "filtered" and "not won" in record["reasons"][0], record)

        ordered = next(d for d in orders if d["kind"] == "create")
        result = await session.call_tool("create_sales_order", {"opportunity_id": ordered["sf_id"]})
        outcome = result.structured_content or {}
        check("sales_order_not_made_twice", not result.is_error and outcome.get("outcome") == "exists", text_of(result))
        result = await session.call_tool("create_sales_order", {"opportunity_id": skipped})
        outcome = result.structured_content or {}
        report = outcome.get("report", {})
        check("sales_order_syncs_one_record", not result.is_error and report.get("scope") == "record"
              and report.get("read") == 1 and outcome["records"][0]["status"] == "filtered", text_of(result))
        result = await session.call_tool("create_sales_order", {"opportunity_id": "not-an-id"})
        check("bad_opportunity_id_is_explained", result.is_error and "not a Salesforce Id" in text_of(result), text_of(result))

        runs = await session.read_resource("tandem://runs")
        history = json.loads(runs.contents[0].text)
        check("run_history_resource", len(history) >= 7, len(history))

    async with open_session(reader) as session:
        result = await session.call_tool("list_dead_letters", {})
        check("reader_reads", not result.is_error, text_of(result))
        result = await session.call_tool("run_flow", {"flow": "account-customer"})
        check("reader_refused_write", result.is_error and "no write scope" in text_of(result), text_of(result))

    async with open_session(limited) as session:
        for number in range(3):
            result = await session.call_tool("list_flows", {})
            check(f"limited_call_{number}", not result.is_error, text_of(result))
        result = await session.call_tool("list_flows", {})
        check("rate_limited", result.is_error and "rate limit exceeded" in text_of(result), text_of(result))

    async with open_session(ops) as session:
        result = await session.call_tool("run_flow", {"flow": "account-customer"})
        pending = result.structured_content
        check("write_needs_approval", pending["status"] == "approval_required", text_of(result))
        approval = pending["approval_id"]

        result = await session.call_tool("run_flow", {"flow": "account-customer", "approval_id": approval})
        check("pending_approval_does_not_act", result.is_error and "still pending" in text_of(result), text_of(result))

        runs_before = len(json.loads((await session.read_resource("tandem://runs")).contents[0].text))
        subprocess.run([tandem, "approvals", "approve", str(approval), "--config", config, "--env-file", env_file],
                       check=True, timeout=120)
        status = await approval_outcome(session, approval)
        outcome = status.get("outcome") or {}
        check("approval_acts_on_approve", status["status"] == "done" and outcome.get("status") == "done"
              and outcome["report"]["status"] == "completed", status)
        runs_after = len(json.loads((await session.read_resource("tandem://runs")).contents[0].text))
        check("approval_ran_once", runs_after == runs_before + 1, (runs_before, runs_after))

        result = await session.call_tool("run_flow", {"flow": "account-customer", "approval_id": approval})
        again = result.structured_content or {}
        runs_again = len(json.loads((await session.read_resource("tandem://runs")).contents[0].text))
        check("approval_used_once", not result.is_error and "carried out already" in again.get("message", "")
              and again["outcome"]["report"]["status"] == "completed" and runs_again == runs_after, text_of(result))

        listed = subprocess.run([tandem, "approvals", "list", "--status", "all", "--json", "--config", config],
                                check=True, capture_output=True, text=True, timeout=60)
        stored = next(a for a in json.loads(listed.stdout) if a["id"] == approval)
        check("approval_outcome_listed", stored["status"] == "done" and stored["outcome"]["status"] == "done", stored)

        result = await session.call_tool("discard_dead_letter", {"id": letters[0]["id"]})
        check("allowed_write_acts", not result.is_error and result.structured_content["outcome"] == "discarded", text_of(result))

        calls = json.loads((await session.read_resource("tandem://audit/calls")).contents[0].text)
        outcomes = {(call["client"], call["outcome"]) for call in calls}
        check("audit_log_has_calls", {("unauthenticated", "refused"), ("reader", "refused"),
              ("limited", "rate_limited"), ("ops", "approval_required")} <= outcomes, sorted(outcomes))
        carried = [call for call in calls if call["tool"] == "run_flow" and f"approval {approval}," in call["detail"]]
        check("audit_log_has_carried_out_approval", len(carried) == 1 and carried[0]["outcome"] == "ok", carried)


if __name__ == "__main__":
    asyncio.run(main(sys.argv))
