"""A local stand-in for the stack's REST API and Cognito, on 127.0.0.1, for `make serve` and the
end-to-end tests: it verifies tokens signed with a local key (Cognito's JWKS stand-in), answers
what API Gateway answers itself (preflight, RFC 9728 metadata, the 401/403 challenges) with the
same documents and headers the stack writes (`constructs_lib.transport`), and hands every
authorized `/mcp` request to the server as the pinned Lambda Web Adapter (1.x) does behind the
REST proxy: the request with the proxy event's request context, verified claims included, in
`x-amzn-request-context`, the invocation's in `x-amzn-lambda-context`, and with tenant isolation
the tenant in `x-amz-tenant-id` (gateway.py says exactly which client headers it replaces). It
refuses bodies over API Gateway's 10 MB while they stream in, and half-sent ones after a while. It streams the response (the REST API's STREAM mode) or buffers it
and gives up after the buffered integration limit.

With sign-in on (`sign_in.py`), it also serves the stack's authorization-server facade under the
stage, in front of a stand-in for Cognito's managed login (`managed_login.py`), so people sign in
from real MCP clients and get Cognito-shaped user tokens the same authorizer verifies.
"""
