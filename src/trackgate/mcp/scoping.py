"""Which tools a caller is offered: those its scopes allow, judged by the gateway's scope table.

Every tool reads (names, the profile, the running entry), so each needs ``read``; a tool that
changes something also needs the scope of the call it makes, looked up in
:mod:`trackgate.gateway.scopes` from that call's method and path. One filter
(:func:`scope_filter`) lists and runs only the tools a caller's scopes allow: over stdio,
``--read-only`` is the scopes ``{read}``; over HTTP, ``/mcp`` puts the caller's scopes (its
key's, within its connection's grant) on each request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp_types import CallToolResult, ListToolsResult, TextContent

from trackgate.gateway import scopes

_WS = "/api/v9/workspaces/{workspace_id}"
#: The call each tool that changes something makes through the gateway.
TOOL_WRITES: dict[str, tuple[str, str]] = {
    "start_timer": ("POST", _WS + "/time_entries"),
    "add_entry": ("POST", _WS + "/time_entries"),
    "stop_timer": ("PATCH", _WS + "/time_entries/{time_entry_id}/stop"),
    "update_entry": ("PUT", _WS + "/time_entries/{time_entry_id}"),
    "delete_entry": ("DELETE", _WS + "/time_entries/{time_entry_id}"),
    "create_project": ("POST", _WS + "/projects"),
    "create_client": ("POST", _WS + "/clients"),
    "create_tag": ("POST", _WS + "/tags"),
}
#: Where ``/mcp`` puts the caller's scopes in the ASGI scope's ``state``.
SCOPES_STATE = "trackgate_scopes"


def tool_scopes(name: str) -> frozenset[str]:
    """The scopes a tool needs: ``read``, and the scope of the call it makes, if any."""
    write = TOOL_WRITES.get(name)
    if write is None:
        return frozenset({scopes.READ})
    return frozenset({scopes.READ, scopes.needed(*write)})


def allowed(name: str, granted: frozenset[str]) -> bool:
    return tool_scopes(name) <= granted


def request_scopes(ctx: ServerRequestContext[Any, Any]) -> frozenset[str] | None:
    """The scopes ``/mcp`` found for the caller of this message; None off HTTP."""
    request = ctx.request
    state = getattr(request, "scope", {}).get("state") if request is not None else None
    if not isinstance(state, dict):
        return None
    found = state.get(SCOPES_STATE)
    return found if isinstance(found, frozenset) else None


def _missing(name: str, granted: frozenset[str]) -> str:
    lacking = scopes.ordered(tool_scopes(name) - granted)
    return (
        f"{name} needs the {' and '.join(repr(s) for s in lacking)} scope, which this gateway "
        "key (or the connection it uses) does not have"
    )


ScopesOf = Callable[[ServerRequestContext[Any, Any]], frozenset[str] | None]


def scope_filter(scopes_of: ScopesOf = request_scopes) -> Callable[..., Any]:
    """Server middleware: ``tools/list`` shows only the tools the caller's scopes allow, and
    ``tools/call`` of another is an error result naming the scope it lacks. ``scopes_of``
    gives the caller's scopes (None: no filter)."""

    async def middleware(ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        if ctx.method not in ("tools/list", "tools/call"):
            return await call_next(ctx)
        granted = scopes_of(ctx)
        if granted is None:
            return await call_next(ctx)
        if ctx.method == "tools/call":
            name = (ctx.params or {}).get("name")
            if isinstance(name, str) and not allowed(name, granted):
                text = TextContent(type="text", text=_missing(name, granted))
                return CallToolResult(content=[text], is_error=True)
            return await call_next(ctx)
        listed = await call_next(ctx)
        if isinstance(listed, ListToolsResult):
            listed.tools = [tool for tool in listed.tools if allowed(tool.name, granted)]
        elif isinstance(listed, dict) and isinstance(listed.get("tools"), list):
            listed["tools"] = [t for t in listed["tools"] if allowed(str(t.get("name")), granted)]
        return listed

    return middleware
