"""Serves the OAuth 2.0 Protected Resource Metadata (RFC 9728) of the MCP endpoint.

Deployed by the stack behind the HTTP API's two well-known routes, without authorization.
`resource` is the identifier the requested well-known path describes: the API's base URL for
the root path, `<base>/mcp` for the path-suffixed one.
"""

import json
import os

WELL_KNOWN = "/.well-known/oauth-protected-resource"


def handler(event, context):
    path = event.get("rawPath", "")
    base = "https://" + event["requestContext"]["domainName"]
    document = {
        "resource": base + path[len(WELL_KNOWN):] if path.startswith(WELL_KNOWN) else base,
        "authorization_servers": [os.environ["AUTHORIZATION_SERVER"]],
        "scopes_supported": os.environ["SCOPES"].split(),
        "bearer_methods_supported": ["header"],
        "resource_name": os.environ["RESOURCE_NAME"],
    }
    return {
        "statusCode": 200,
        "headers": {"content-type": "application/json", "cache-control": "max-age=300"},
        "body": json.dumps(document),
    }
