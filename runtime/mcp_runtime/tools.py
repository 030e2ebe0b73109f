"""Example tools. Replace them with your own: register functions on `server` with
`@server.tool()`; a parameter typed `Context` receives the request context (progress, the
verified tenant through `tenant_of`). See the README, "Your server".

A tool that needs more than the scope every `/mcp` request carries (`mcp/invoke`) is named in
`TOOL_SCOPES`: a call by a token without that scope is refused with `insufficient_scope`
(app.py), so a client can ask the person for it (step-up) and call again.

Every example is bounded: no tool lets one tenant hold an execution environment longer than its
invocation may run (`long_task` refuses more work than the invocation has time left for, and
at most Lambda's 15 minutes).
"""

from __future__ import annotations

import json
import time
from typing import Annotated

import anyio
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field

from .identity import identity_from
from .settings import Settings

LAMBDA_CONTEXT_HEADER = "x-amzn-lambda-context"  # the adapter's copy of the invocation's context
LAMBDA_MAX_TIMEOUT_S = 900

ADMIN_SCOPE = "mcp/admin"
# Tool name -> the scope it needs besides mcp/invoke (a scope of the stack's `oauth_scopes`).
TOOL_SCOPES: dict[str, str] = {"admin_stats": ADMIN_SCOPE}


def tenant_of(ctx: Context, settings: Settings) -> str | None:
    """The verified tenant of the request (the front door's, never the client's)."""
    return identity_from(ctx.headers or {}, settings.sign_in_client_id).tenant


def remaining_s(ctx: Context) -> float | None:
    """Seconds the invocation has left (its `deadline`, in epoch ms), if the adapter said."""
    try:
        deadline = json.loads((ctx.headers or {}).get(LAMBDA_CONTEXT_HEADER) or "{}").get("deadline")
    except (ValueError, AttributeError):
        return None
    return deadline / 1000 - time.time() if isinstance(deadline, (int, float)) else None


def register(server: MCPServer, settings: Settings) -> MCPServer:
    @server.tool(description="Echo the text back.")
    def echo(text: str) -> str:
        return text

    @server.tool(description="Add two numbers.")
    def add(a: float, b: float) -> float:
        return a + b

    @server.tool(description="Who the server thinks is calling: the verified tenant and the protocol revision.")
    def whoami(ctx: Context) -> dict:
        return {"tenant": tenant_of(ctx, settings), "protocol_version": ctx.protocol_version}

    @server.tool(
        description=(
            "A long-running task that reports progress: `seconds` of work in `steps` steps. "
            "Longer than 29 s, it completes only through a streaming front door."
        )
    )
    async def long_task(
        ctx: Context,
        seconds: Annotated[float, Field(ge=0, le=LAMBDA_MAX_TIMEOUT_S, allow_inf_nan=False)] = 40,
        steps: Annotated[int, Field(ge=1, le=100)] = 8,
    ) -> dict:
        left = remaining_s(ctx)
        if left is not None and seconds * settings.time_scale > left:
            raise ToolError(f"{seconds} s of work does not fit in the {left / settings.time_scale:.0f} s this call has left")
        for step in range(1, steps + 1):
            await anyio.sleep(seconds / steps * settings.time_scale)
            await ctx.report_progress(step, steps, f"step {step} of {steps}")
        return {"seconds": seconds, "steps": steps, "tenant": tenant_of(ctx, settings)}

    @server.tool(description=f"What this server keeps for the caller's tenant (needs the {ADMIN_SCOPE} scope).")
    def admin_stats(ctx: Context) -> dict:
        return {
            "tenant": tenant_of(ctx, settings), "sessions": bool(settings.session_table),
            "metering": bool(settings.usage_table), "tenant_isolation": settings.tenant_isolation,
        }  # fmt: skip

    return server
