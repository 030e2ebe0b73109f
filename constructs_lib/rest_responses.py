"""What a REST API answers by itself, without the function: MOCK integrations (CORS preflight,
the protected-resource metadata) and the gateway responses of its own errors. Each takes the
`McpRestApi` it belongs to as scope.
"""

from __future__ import annotations

from . import aws
from .transport import CORS_EXPOSE_HEADERS, SCOPE, www_authenticate

# Gateway responses API Gateway generates itself: the authorizer's 401 and 403 carry the OAuth
# discovery challenge; every error carries CORS headers so a browser client can read it.
CHALLENGES = {"UNAUTHORIZED": ("401", False), "ACCESS_DENIED": ("403", True)}
CORS_ONLY_RESPONSES = ("DEFAULT_4XX", "DEFAULT_5XX")


def mock_response(api, id, resource, method, *, status, body, origins, headers) -> list:
    """A MOCK integration answering `method` with `body` (a VTL template) and `headers`,
    plus Access-Control-Allow-Origin: the configured origin, or the request's when it is
    on the configured list."""
    resource_id, http_method = resource.id, method.http_method
    integration = aws.api_gateway_integration.ApiGatewayIntegration(
        api, f"integration_{id}", rest_api_id=api.rest_api_id, resource_id=resource_id,
        http_method=http_method, type="MOCK",
        request_templates={"application/json": f'{{"statusCode": {status}}}'},
    )  # fmt: skip
    headers = {**headers, "Vary": "Origin"}
    if len(origins) == 1:
        headers["Access-Control-Allow-Origin"] = origins[0]
    else:  # echo the request's origin only when it is on the list
        allowed = " || ".join(f'$origin == "{o}"' for o in origins)
        body = (
            '#set($origin = $input.params("Origin"))\n'
            f"#if({allowed})\n"
            "#set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)\n"
            "#end\n"
        ) + body
    declared = sorted({*headers, "Access-Control-Allow-Origin"})
    response = aws.api_gateway_method_response.ApiGatewayMethodResponse(
        api, f"{id}_response", rest_api_id=api.rest_api_id, resource_id=resource_id,
        http_method=http_method, status_code=status,
        response_parameters={f"method.response.header.{h}": True for h in declared},
    )  # fmt: skip
    integration_response = aws.api_gateway_integration_response.ApiGatewayIntegrationResponse(
        api, f"{id}_integration_response", rest_api_id=api.rest_api_id,
        resource_id=resource_id, http_method=http_method,
        status_code=response.status_code,
        response_parameters={f"method.response.header.{h}": f"'{v}'" for h, v in headers.items()},
        response_templates={"application/json": body},
        depends_on=[integration],
    )  # fmt: skip
    return [integration, response, integration_response]


def gateway_responses(api, props) -> list:
    """Errors API Gateway itself returns carry CORS headers (so a browser client can read
    them) and, with auth, the 401/403 OAuth challenge naming the metadata."""
    # Gateway responses cannot choose among listed origins, so with a list they allow
    # any: they carry only the gateway's error message and the public metadata URL.
    origin = props.cors_allowed_origins[0] if len(props.cors_allowed_origins) == 1 else "*"
    cors = {
        "gatewayresponse.header.Access-Control-Allow-Origin": f"'{origin}'",
        "gatewayresponse.header.Access-Control-Expose-Headers": f"'{','.join(CORS_EXPOSE_HEADERS)}'",
    }
    gr = aws.api_gateway_gateway_response.ApiGatewayGatewayResponse
    responses = []
    for response_type, (status, insufficient) in CHALLENGES.items() if api.authorizer else ():
        challenge = www_authenticate(api.metadata_url, SCOPE, insufficient_scope=insufficient)
        responses.append(gr(
            api, f"response_{response_type.lower()}", rest_api_id=api.rest_api_id,
            response_type=response_type, status_code=status,
            response_parameters={**cors, "gatewayresponse.header.WWW-Authenticate": f"'{challenge}'"},
        ))  # fmt: skip
    for response_type in CORS_ONLY_RESPONSES:
        responses.append(gr(
            api, f"response_{response_type.lower()}", rest_api_id=api.rest_api_id,
            response_type=response_type, response_parameters=cors,
        ))  # fmt: skip
    return responses
