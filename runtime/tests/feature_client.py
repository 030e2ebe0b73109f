"""The official Python client driving every feature of the reference server through the local
front door, as an MCP host would: what it saw, as plain data for the assertions."""

from __future__ import annotations

import asyncio
import base64
import json

import anyio
import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError
from mcp_types import (
    CreateMessageResult,
    ElicitResult,
    PromptReference,
    ResourceTemplateReference,
    TextContent,
)

from .clients import machine_auth
from .conftest import Deployment


def _error(coro) -> dict:
    async def run():
        try:
            await coro
        except MCPError as error:
            return {"code": error.error.code, "message": error.error.message}
        return None

    return run()


def features(deployment: Deployment, tenant: str, mode: str, decline: bool = False) -> dict:
    """Resources, templates, read errors, a prompt, completions, structured output, an image,
    logging, elicitation and sampling, each as the client received it."""
    seen: dict = {"asked": [], "sampled": [], "logs": []}

    async def on_elicit(_context, params):
        seen["asked"].append(params.message)
        if decline:
            return ElicitResult(action="decline")
        return ElicitResult(action="accept", content={"confirm": True, "notes": "window seat"})

    async def on_sample(_context, params):
        seen["sampled"].append(params.messages[0].content.text)
        return CreateMessageResult(role="assistant", model="stand-in", content=TextContent(type="text", text="A summary."))

    async def on_log(params):
        seen["logs"].append((params.level, params.data))

    async def run() -> dict:
        auth = machine_auth(deployment, tenant)
        async with httpx2.AsyncClient(auth=auth, timeout=60) as http:
            transport = streamable_http_client(deployment.endpoint, http_client=http)
            async with Client(transport, mode=mode, elicitation_callback=on_elicit, sampling_callback=on_sample,
                              logging_callback=on_log) as client:  # fmt: skip
                seen["server_version"] = client.server_info.version if client.server_info else None
                seen["resources"] = sorted(str(r.uri) for r in (await client.list_resources()).resources)
                seen["templates"] = [t.uri_template for t in (await client.list_resource_templates()).resource_templates]
                about = (await client.read_resource("info://about")).contents[0]
                logo = (await client.read_resource("info://logo.png")).contents[0]
                seen["about"] = (about.mime_type, about.text.splitlines()[0])
                seen["logo"] = (logo.mime_type, base64.b64decode(logo.blob)[:8])
                seen["greeting"] = (await client.read_resource("greeting://fr")).contents[0].text
                seen["unknown_language"] = await _error(client.read_resource("greeting://xx"))
                seen["unknown_resource"] = await _error(client.read_resource("nothing://here"))
                prompt = await client.get_prompt("review_code", {"code": "print(1)", "style": "security"})
                seen["prompt"] = [(m.role, m.content.text) for m in prompt.messages]
                seen["prompt_arguments"] = [(a.name, a.required) for p in (await client.list_prompts()).prompts
                                            for a in p.arguments or []]  # fmt: skip
                style = await client.complete(PromptReference(type="ref/prompt", name="review_code"),
                                              {"name": "style", "value": "d"})  # fmt: skip
                language = await client.complete(ResourceTemplateReference(type="ref/resource", uri="greeting://{language}"),
                                                 {"name": "language", "value": "e"})  # fmt: skip
                seen["completions"] = (style.completion.values, language.completion.values)
                forecast = await client.call_tool("forecast", {"city": "Lisbon"})
                seen["structured"] = forecast.structured_content
                tools = {t.name: t for t in (await client.list_tools()).tools}
                seen["output_schema"] = sorted((tools["forecast"].output_schema or {}).get("properties", {}))
                image = (await client.call_tool("swatch", {})).content[0]
                seen["image"] = (image.type, image.mime_type, base64.b64decode(image.data)[:8])
                seen["logged"] = (await client.call_tool("log_steps", {"steps": 2})).content[0].text
                seen["booked"] = seen["summary"] = None
                try:
                    booked = await client.call_tool("book_table", {"restaurant": "Chez Lambda", "party": 2})
                    seen["booked"] = (booked.is_error, booked.content[0].text)
                    summary = await client.call_tool("summarize", {"text": "a long text"})
                    seen["summary"] = (summary.is_error, summary.content[0].text)
                except MCPError as error:
                    seen["ask_refused"] = {"code": error.error.code, "message": error.error.message}
                seen["protocol_version"] = client.protocol_version
        return seen

    return asyncio.run(run())


def cancelled_call(deployment: Deployment, tenant: str, mode: str, tool: str = "long_task",
                   arguments: dict | None = None) -> list:  # fmt: skip
    """Call a tool that reports progress, cancel it after its first report; what the client saw."""
    progress: list = []

    async def run() -> list:
        auth = machine_auth(deployment, tenant)
        async with httpx2.AsyncClient(auth=auth, timeout=60) as http:
            async with Client(streamable_http_client(deployment.endpoint, http_client=http), mode=mode) as client:
                first = anyio.Event()

                async def on_progress(value, total, message):
                    progress.append(value)
                    first.set()

                async with anyio.create_task_group() as group:
                    async def call():
                        await client.call_tool(tool, arguments or {}, progress_callback=on_progress)
                        progress.append("completed")  # not cancelled
                        first.set()

                    group.start_soon(call)
                    await first.wait()
                    group.cancel_scope.cancel()
                # The connection still serves after the cancellation.
                progress.append(json.loads((await client.call_tool("whoami", {})).content[0].text)["tenant"])
        return progress

    return asyncio.run(run())
