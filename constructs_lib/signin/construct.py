"""`SignIn`: the authorization server people's MCP clients sign in through, in front of Cognito.

Interactive MCP clients (Claude, Cursor, VS Code, ChatGPT, the SDKs' authorization-code
providers) register themselves (a Client ID Metadata Document or RFC 7591) and sign in with the
authorization code grant and PKCE. Cognito has neither registration mechanism, so a small
function of this stack (`authserver/`, zip-packaged, standard library and boto3 only) answers
RFC 8414 metadata, `/authorize`, `/consent`, `/callback`, `/token` and `/register` on the API's
own URL, and forwards each consented sign-in to Cognito's managed login with one confidential
app client of its own. The access tokens clients receive are Cognito's, so the API's
authorizers verify them unchanged; a person's tenant is stamped into them by the pool's
pre-token-generation trigger (`PreTokenTrigger`).

The facade runs outside the VPC: it fetches client metadata documents from the internet and
calls the pool's managed-login domain, which no VPC endpoint serves (the created VPC has no
route to the internet). Its state (pending authorizations, codes, refresh handles,
registrations, consents) is in a DynamoDB table under the deployment's key, with TTL.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from constructs import Construct

from .. import aws
from ..auth import McpAuth
from ..compliance import skip_check
from ..front_door import FrontDoor
from ..function import McpFunction, McpFunctionProps, ZipCode
from ..iam import Statement
from ..kms import KeyLike, key_arn, key_through
from ..naming import Names
from ..packaging import package_directory, stage
from ..sessions import TABLE_KEY_ACTIONS
from .authserver.routes import routes_for

AUTHSERVER = Path(__file__).resolve().parent / "authserver"
RUNTIME = "python3.13"
# The table's key and its TTL attribute (the facade's `DynamoStore`).
STATE_KEY, STATE_TTL = "pk", "expires_at"
STATE_ACTIONS = ("dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem")
PUBLIC_REASON = (
    "OAuth authorization-server endpoints (RFC 8414, RFC 6749, RFC 7591) are public by design: "
    "they are how a client without a token gets one"
)
OUTSIDE_VPC_REASON = (
    "the sign-in facade fetches client metadata documents from the internet and calls Cognito's "
    "managed-login domain, which no VPC endpoint serves; it holds no data beyond its own table"
)


def package() -> bytes:
    """The facade's and the trigger's code: the `authserver` package as it is."""
    return package_directory(AUTHSERVER)


def code(scope: Construct, handler: str) -> ZipCode:
    """The `authserver` package beside the stack, run by `handler`."""
    staged = stage(scope, "package", package(), "mcp-signin")
    return ZipCode(path=staged.path, sha256=staged.sha256, handler=handler, runtime=RUNTIME)


@dataclass(frozen=True, kw_only=True)
class SignInProps:
    names: Names
    auth: McpAuth
    front_door: FrontDoor
    kms_key: KeyLike
    scopes: tuple[str, ...]
    client_registration: tuple[str, ...]
    allowed_redirect_uris: tuple[str, ...]
    # The managed-login host of an external pool (a created pool's is known).
    managed_login_host: str | None = None
    # "rest" or "http": the HTTP API has no static responses (the facade serves the
    # protected-resource metadata) and answers CORS preflight itself.
    front_door_kind: str = "rest"
    log_retention_days: int = 30
    enable_xray_tracing: bool = True
    deletion_protection: bool = False


class SignIn(Construct):
    """The state table, the facade's app client and function, and its routes on the API."""

    def __init__(self, scope: Construct, id: str, props: SignInProps):
        super().__init__(scope, id)
        names, auth = props.names, props.auth
        self.issuer = props.front_door.base_url
        t = aws.dynamodb_table
        self.table = t.DynamodbTable(
            self, "table", name=names.sign_in_table, billing_mode="PAY_PER_REQUEST", hash_key=STATE_KEY,
            attribute=[t.DynamodbTableAttribute(name=STATE_KEY, type="S")],
            ttl=t.DynamodbTableTtl(attribute_name=STATE_TTL, enabled=True),
            point_in_time_recovery=t.DynamodbTablePointInTimeRecovery(enabled=True),
            server_side_encryption=t.DynamodbTableServerSideEncryption(enabled=True, kms_key_arn=key_arn(props.kms_key)),
            deletion_protection_enabled=props.deletion_protection,
        )  # fmt: skip
        self.client = auth.add_people_client("sign_in_client", names.sign_in_client,
                                             callback_url=f"{self.issuer}/callback", scopes=props.scopes)  # fmt: skip
        # The client's secret for the facade alone: Cognito's DescribeUserPoolClient cannot be
        # limited to one client (it would read every machine client's secret too).
        self.secret = aws.secretsmanager_secret.SecretsmanagerSecret(
            self, "client_secret", name=names.sign_in_secret, kms_key_id=key_arn(props.kms_key),
            description="Client secret of the sign-in facade's Cognito app client",
            recovery_window_in_days=7 if props.deletion_protection else 0,
        )  # fmt: skip
        skip_check(self.secret, "CKV2_AWS_57", "Cognito issues the client secret; a new one comes with a "
                   "replaced app client, and this version follows it on the next apply")  # fmt: skip
        aws.secretsmanager_secret_version.SecretsmanagerSecretVersion(
            self, "client_secret_value", secret_id=self.secret.id, secret_string=self.client.client_secret
        )
        host = props.managed_login_host or auth.managed_login_host
        self.function = McpFunction(self, "function", McpFunctionProps(
            function_name=names.sign_in_function, role_name=names.sign_in_function_role,
            log_group_name=names.sign_in_function_log_group, code=code(self, "authserver.lambda_handler.handler"),
            kms_key=props.kms_key, subnet_ids=(), security_group_ids=(), outside_vpc_reason=OUTSIDE_VPC_REASON,
            memory_size=256, timeout=15, log_retention_days=props.log_retention_days,
            enable_xray_tracing=props.enable_xray_tracing,
            environment_variables={
                "ISSUER": self.issuer, "RESOURCE": f"{self.issuer}/mcp",
                "UPSTREAM_AUTHORIZE_URL": f"https://{host}/oauth2/authorize",
                "UPSTREAM_TOKEN_URL": f"https://{host}/oauth2/token",
                "UPSTREAM_CLIENT_ID": self.client.id, "CLIENT_SECRET_ARN": self.secret.arn,
                "UPSTREAM_ISSUER": auth.issuer,
                "SCOPES": " ".join(props.scopes), "CLIENT_REGISTRATION": ",".join(props.client_registration),
                "ALLOWED_REDIRECT_URIS": " ".join(props.allowed_redirect_uris),
                "STATE_TABLE_NAME": self.table.name, "RESOURCE_NAME": f"MCP server {names.prefix}",
            },
        ))  # fmt: skip
        self.function.role.add_to_policy(
            "sign-in",
            Statement(sid="SignInState", actions=STATE_ACTIONS, resources=[self.table.arn]),
            key_through(self, "SignInStateKeyThroughDynamoDb", props.kms_key, "dynamodb", TABLE_KEY_ACTIONS),
            # The facade reads its client secret once per cold start: it is in no variable.
            Statement(sid="ReadOwnClientSecret", actions=["secretsmanager:GetSecretValue"], resources=[self.secret.arn]),
            key_through(self, "ClientSecretKeyThroughSecretsManager", props.kms_key, "secretsmanager", ["kms:Decrypt"]),
        )  # fmt: skip
        props.front_door.add_public_routes(
            "sign_in", self.function, routes_for(props.client_registration, props.front_door_kind), PUBLIC_REASON
        )

    @property
    def client_id(self) -> str:
        return self.client.id


@dataclass(frozen=True, kw_only=True)
class PreTokenTriggerProps:
    names: Names
    kms_key: KeyLike
    tenant_attribute: str  # without `custom:`
    subnet_ids: Sequence[str]
    # Scopes beyond mcp/invoke that a person keeps only as a member of the pool group of that name.
    gated_scopes: tuple[str, ...] = ()
    security_group_ids: Sequence[str]
    log_retention_days: int = 30
    enable_xray_tracing: bool = True


class PreTokenTrigger(Construct):
    """Cognito's pre-token-generation trigger (event version 2): a person's tenant attribute
    into the access token as `tenant_id` (nothing when the person has none), and each gated
    scope withheld from people outside its pool group."""

    def __init__(self, scope: Construct, id: str, props: PreTokenTriggerProps):
        super().__init__(scope, id)
        names = props.names
        self.function = McpFunction(self, "function", McpFunctionProps(
            function_name=names.pre_token_function, role_name=names.pre_token_function_role,
            log_group_name=names.pre_token_function_log_group, code=code(self, "authserver.pre_token.handler"),
            kms_key=props.kms_key, subnet_ids=props.subnet_ids, security_group_ids=props.security_group_ids,
            memory_size=128, timeout=5, log_retention_days=props.log_retention_days,
            enable_xray_tracing=props.enable_xray_tracing,
            environment_variables={"TENANT_ATTRIBUTE": f"custom:{props.tenant_attribute}",
                                   **({"GATED_SCOPES": " ".join(props.gated_scopes)} if props.gated_scopes else {})},
        ))  # fmt: skip

    @property
    def function_arn(self) -> str:
        return self.function.function_arn

    def allow_pool(self, user_pool_arn: str) -> None:
        """Cognito may invoke the trigger for this pool only."""
        self.function.add_permission("cognito", principal="cognito-idp.amazonaws.com", source_arn=user_pool_arn)
