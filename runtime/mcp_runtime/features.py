"""Example resources, prompts, completions and tools for every part of MCP a server may use
behind API Gateway and Lambda, small enough to copy. Each works without server memory between
requests: another invocation, on another execution environment, may serve the next one.

- resources: a text and a binary resource, a template, and `resources/read` errors;
- a prompt with arguments, and completion of prompt and template arguments;
- structured tool output (`outputSchema` + `structuredContent`) and image content;
- logging: the handshake era sends a tool's log messages on its response stream; 2026-07-28
  sends them when the request asks for them (`_meta` log level);
- elicitation and sampling through the SDK's resolvers: 2026-07-28 answers with an
  input-required result whose request state is signed (request_state.py) and continues when
  the client re-sends; the handshake era asks in the open POST's stream, and the client's
  answer (a separate POST, to any invocation) is relayed through the session table
  (relay.py); without a session table those clients get a JSON-RPC error that says so (see
  the README's table).
"""

# No `from __future__ import annotations`: the SDK evaluates these signatures, resolvers included.

import struct
import warnings
import zlib
from typing import Annotated

from mcp.server.mcpserver import (
    AcceptedElicitation,
    Context,
    Elicit,
    ElicitationResult,
    Image,
    MCPServer,
    Resolve,
    Sample,
)
from mcp.server.mcpserver.exceptions import ResourceNotFoundError, ToolError
from mcp_types import (
    Completion,
    CreateMessageResult,
    PromptReference,
    ResourceTemplateReference,
    SamplingMessage,
    TextContent,
)
from pydantic import BaseModel, Field

GREETINGS = {"en": "Hello", "fr": "Bonjour", "de": "Hallo", "es": "Hola", "ja": "こんにちは"}
STYLES = ("brief", "detailed", "security")
ABOUT = "# MCP server reference\n\nServed by AWS Lambda behind API Gateway, one request per invocation.\n"


def png(width: int = 2, height: int = 2, rgb: tuple[int, int, int] = (255, 153, 0)) -> bytes:
    """A small solid PNG (the binary resource and the image tool's content)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


class Forecast(BaseModel):
    """Structured output: the tool's `outputSchema` is this model's schema."""

    city: str
    celsius: float
    conditions: str


class Booking(BaseModel):
    """What the elicitation asks the person (primitive fields only, as the spec requires)."""

    confirm: bool = Field(description="Book the table?")
    notes: str = Field(default="", description="Anything the restaurant should know")


def register(server: MCPServer) -> MCPServer:
    # -- resources ----------------------------------------------------------------------
    @server.resource("info://about", name="about", mime_type="text/markdown", description="What this server is.")
    def about() -> str:
        return ABOUT

    @server.resource("info://logo.png", name="logo", mime_type="image/png", description="A binary resource.")
    def logo() -> bytes:
        return png()

    @server.resource("greeting://{language}", name="greeting", mime_type="text/plain",
                     description=f"A greeting in one of {', '.join(GREETINGS)}.")  # fmt: skip
    def greeting(language: str) -> str:
        if language not in GREETINGS:  # resources/read error: the client named no such resource
            raise ResourceNotFoundError(f"no greeting in {language!r}; try one of {', '.join(GREETINGS)}")
        return GREETINGS[language]

    # -- prompts and completion ----------------------------------------------------------
    @server.prompt(description="Review a piece of code in a chosen style.")
    def review_code(code: str, style: str = "brief") -> str:
        if style not in STYLES:
            raise ValueError(f"style must be one of {', '.join(STYLES)}")
        return f"Review this code ({style} review):\n\n{code}"

    @server.completion()
    async def complete(ref, argument, _context) -> Completion | None:
        if isinstance(ref, PromptReference) and ref.name == "review_code" and argument.name == "style":
            options = STYLES
        elif isinstance(ref, ResourceTemplateReference) and ref.uri == "greeting://{language}":
            options = tuple(GREETINGS)
        else:
            return None
        values = [option for option in options if option.startswith(argument.value)]
        return Completion(values=values, total=len(values), has_more=False)

    # -- structured output, images, logging ----------------------------------------------
    @server.tool(description="A (made-up) forecast, as structured output.")
    def forecast(city: str) -> Forecast:
        return Forecast(city=city, celsius=21.5, conditions="sunny")

    @server.tool(description="A small PNG image, as image content.")
    def swatch() -> Image:
        return Image(data=png(), format="png")

    @server.tool(description="Send log messages to the client while working.")
    async def log_steps(ctx: Context, steps: Annotated[int, Field(ge=1, le=10)] = 3) -> str:
        with warnings.catch_warnings():  # logging is deprecated in 2026-07-28, still served
            warnings.simplefilter("ignore")
            for step in range(1, steps + 1):
                await ctx.info(f"step {step} of {steps}", logger_name="log_steps")
        return f"logged {steps} steps"

    # -- elicitation and sampling --------------------------------------------------------
    def ask_to_book(restaurant: str, party: int) -> Elicit[Booking]:
        return Elicit(f"Book a table for {party} at {restaurant}?", Booking)

    @server.tool(description="Book a table after asking the person (elicitation).")
    def book_table(restaurant: str, party: Annotated[int, Field(ge=1, le=20)],
                   answer: Annotated[ElicitationResult[Booking], Resolve(ask_to_book)]) -> str:  # fmt: skip
        if not isinstance(answer, AcceptedElicitation) or not answer.data.confirm:
            return f"Not booked ({answer.action})."
        notes = f" Notes: {answer.data.notes}" if answer.data.notes else ""
        return f"Booked a table for {party} at {restaurant}.{notes}"

    def ask_for_summary(text: str) -> Sample:
        message = SamplingMessage(role="user", content=TextContent(type="text", text=f"Summarize in one line:\n{text}"))
        return Sample([message], max_tokens=100)

    @server.tool(description="Summarize text with the client's model (sampling).")
    def summarize(text: Annotated[str, Field(max_length=20_000)],
                  summary: Annotated[CreateMessageResult, Resolve(ask_for_summary)]) -> str:  # fmt: skip
        if not isinstance(summary.content, TextContent):
            raise ToolError("the client's model answered with something other than text")
        return summary.content.text

    return server
