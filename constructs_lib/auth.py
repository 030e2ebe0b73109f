"""OAuth 2.0 client-credentials auth with Cognito (FedRAMP IA-2, IA-8).

Either an internal user pool with a domain (the token endpoint), a resource server `mcp` with
scope `invoke`, and a confidential app client allowed only the client-credentials grant; or an
external pool given by id, endpoint and client id.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from constructs import Construct

from . import aws
from .checks import is_token
from .compliance import skip_check
from .context import account_id, partition, provider_region, region, uses_fips_endpoints
from .limits import partition_of_region
from .naming import Names
from .regions import COGNITO_AUTH_FIPS_REGIONS
from .transport import RESOURCE_SERVER, SCOPE, SCOPE_NAME


@dataclass(frozen=True)
class ExternalPool:
    """A user pool managed elsewhere (a central identity plane)."""

    user_pool_id: str
    endpoint: str
    client_id: str

    def region(self, scope: Construct) -> str:
        """The pool's region: in its id (`<region>_<id>`), or the stack's when the id is a token."""
        return region(scope) if is_token(self.user_pool_id) else self.user_pool_id.split("_")[0]


@dataclass(frozen=True)
class PeopleSignIn:
    """What a created pool needs for people to sign in through managed login (see
    `constructs_lib.signin`)."""

    mfa: str  # "required" or "optional": a TOTP app as the second factor
    tenant_attribute: str  # the custom attribute, without `custom:`
    pre_token_function_arn: str  # the trigger that stamps the tenant into access tokens


@dataclass(frozen=True, kw_only=True)
class McpAuthProps:
    names: Names
    external: ExternalPool | None = None
    deletion_protection: bool = False
    access_token_minutes: int = 60
    # Scope names beyond `invoke` on the resource server `mcp` (per-tool authorization).
    extra_scopes: tuple[str, ...] = ()
    people: PeopleSignIn | None = None


class McpAuth(Construct):
    """Cognito for MCP clients: issuer, scope `mcp/invoke` and the app client(s) to accept."""

    def __init__(self, scope: Construct, id: str, props: McpAuthProps):
        super().__init__(scope, id)
        self.external = props.external
        self.extra_scopes = tuple(f"{RESOURCE_SERVER}/{extra}" for extra in props.extra_scopes)
        if props.external:
            pool_id = props.external.user_pool_id
            self.user_pool_id = pool_id
            self.endpoint = props.external.endpoint.removeprefix("https://")
            self.user_pool_arn = (
                f"arn:{partition(self)}:cognito-idp:{props.external.region(self)}:"
                f"{account_id(self)}:userpool/{pool_id}"
            )
            self.client_ids = [props.external.client_id]
            return
        names = props.names
        self.pool = aws.cognito_user_pool.CognitoUserPool(
            self,
            "pool",
            name=names.user_pool,
            deletion_protection="ACTIVE" if props.deletion_protection else "INACTIVE",
            # Machine clients only: nobody signs up or signs in with a password.
            admin_create_user_config=aws.cognito_user_pool.CognitoUserPoolAdminCreateUserConfig(
                allow_admin_create_user_only=True
            ),
            password_policy=aws.cognito_user_pool.CognitoUserPoolPasswordPolicy(
                minimum_length=14,
                require_lowercase=True,
                require_uppercase=True,
                require_numbers=True,
                require_symbols=True,
                temporary_password_validity_days=1,
            ),
            **_people_arguments(props.people),
        )
        if props.people and props.people.mfa != "required":
            skip_check(self.pool, "MCP-IA2-MFA", "user_mfa = optional in this environment: each person chooses")
        self.domain = aws.cognito_user_pool_domain.CognitoUserPoolDomain(
            self,
            "domain",
            domain=f"{names.cognito_domain}-{account_id(self)}",
            user_pool_id=self.pool.id,
        )
        self.user_pool_id = self.pool.id
        rs = aws.cognito_resource_server
        self.resource_server = rs.CognitoResourceServer(
            self,
            "resource_server",
            user_pool_id=self.pool.id,
            identifier=RESOURCE_SERVER,
            name="MCP server",
            scope=[rs.CognitoResourceServerScope(
                scope_name=SCOPE_NAME, scope_description="Call the MCP server's tools"
            ), *(rs.CognitoResourceServerScope(scope_name=extra, scope_description=f"Tools that need {extra}")
                 for extra in props.extra_scopes)],
        )  # fmt: skip
        self.client = self.add_client("client", names.app_client, props.access_token_minutes)
        # People keep an extra scope only as members of its group (the pre-token trigger).
        for extra in props.extra_scopes if props.people else ():
            aws.cognito_user_group.CognitoUserGroup(
                self, f"group_{extra}", name=extra, user_pool_id=self.pool.id,
                description=f"People who may use the tools that need {RESOURCE_SERVER}/{extra}",
            )  # fmt: skip
        self.user_pool_arn = self.pool.arn
        self.endpoint = self.pool.endpoint
        self.client_ids = [self.client.id]

    def add_people_client(self, id: str, name: str, *, callback_url: str, scopes: Sequence[str]):
        """The confidential app client of the sign-in authorization server: the authorization
        code grant through managed login, back to `callback_url` only. Access tokens last an
        hour and refresh tokens 30 days; people cannot write any attribute through it (their
        tenant is the operator's to set)."""
        upc = aws.cognito_user_pool_client
        units = upc.CognitoUserPoolClientTokenValidityUnits(access_token="minutes", id_token="minutes",
                                                             refresh_token="days")  # fmt: skip
        return upc.CognitoUserPoolClient(
            self, id, name=name, user_pool_id=self.user_pool_id, generate_secret=True,
            allowed_oauth_flows=["code"], allowed_oauth_flows_user_pool_client=True,
            allowed_oauth_scopes=["openid", *scopes], callback_urls=[callback_url],
            supported_identity_providers=["COGNITO"],
            # Managed login needs no API sign-in flow: nobody can sign in around the consent page.
            explicit_auth_flows=["ALLOW_REFRESH_TOKEN_AUTH"],
            prevent_user_existence_errors="ENABLED", enable_token_revocation=True,
            access_token_validity=60, id_token_validity=60, refresh_token_validity=30,
            # 15 minutes (the most Cognito allows) for a first sign-in that sets up the TOTP app.
            token_validity_units=[units], auth_session_validity=15, write_attributes=["email"],
            depends_on=None if self.external else [self.resource_server],
        )  # fmt: skip

    def add_client(self, id: str, name: str, access_token_minutes: int = 60):
        """A confidential app client that may only use the client-credentials grant.

        In an external pool the pool must already have the resource server `mcp` with the
        scope `invoke` (the API requires that scope either way)."""
        upc = aws.cognito_user_pool_client
        return upc.CognitoUserPoolClient(
            self,
            id,
            name=name,
            user_pool_id=self.user_pool_id,
            generate_secret=True,
            allowed_oauth_flows=["client_credentials"],
            allowed_oauth_flows_user_pool_client=True,
            allowed_oauth_scopes=[SCOPE, *self.extra_scopes],
            supported_identity_providers=["COGNITO"],
            explicit_auth_flows=["ALLOW_REFRESH_TOKEN_AUTH"],
            prevent_user_existence_errors="ENABLED",
            enable_token_revocation=True,
            access_token_validity=access_token_minutes,
            token_validity_units=[upc.CognitoUserPoolClientTokenValidityUnits(access_token="minutes")],
            # The scope exists only once the resource server does.
            depends_on=None if self.external else [self.resource_server],
        )

    @property
    def managed_login_host(self) -> str:
        """The created pool's domain host (managed login and the OAuth 2.0 endpoints)."""
        return f"{self.domain.domain}.{self._auth_host}.{region(self)}.amazoncognito.com"

    @property
    def issuer(self) -> str:
        """The `iss` of the pool's tokens."""
        return f"https://{self.endpoint}"

    @property
    def token_endpoint(self) -> str:
        """The created pool's OAuth 2.0 token endpoint, on its Cognito domain."""
        if self.external:
            raise ValueError("an external pool's domain is managed with the pool")
        return f"https://{self.managed_login_host}/oauth2/token"

    @property
    def _fips(self) -> bool:
        """FIPS endpoints: asked for on the provider, and the only ones Cognito has in GovCloud
        (docs.aws.amazon.com/govcloud-us/latest/UserGuide/govcloud-cog.html)."""
        here = provider_region(self)
        return uses_fips_endpoints(self) or bool(here and partition_of_region(here) == "aws-us-gov")

    @property
    def _auth_host(self) -> str:
        """The user pool domain's host: its FIPS one where Cognito has one."""
        return "auth-fips" if self._fips and provider_region(self) in COGNITO_AUTH_FIPS_REGIONS else "auth"

    def client_secret_command(self, client_id: str) -> str:
        """The AWS CLI command that prints an app client's secret (it is never an output)."""
        return (
            ("AWS_USE_FIPS_ENDPOINT=true " if self._fips else "")
            + f"aws cognito-idp describe-user-pool-client --region {region(self)} "
            f"--user-pool-id {self.user_pool_id} --client-id {client_id} "
            "--query UserPoolClient.ClientSecret --output text"
        )


def _people_arguments(people: PeopleSignIn | None) -> dict:
    """The pool's arguments: machine clients only (no MFA), or people signing in too: TOTP as
    the second factor (IA-2(1)/(2)), the tenant attribute, and the pre-token-generation trigger
    (event version 2 customizes access tokens, which needs the Essentials feature plan)."""
    up = aws.cognito_user_pool
    if people is None:
        return {"mfa_configuration": "OFF"}
    return {
        "mfa_configuration": "ON" if people.mfa == "required" else "OPTIONAL",
        "software_token_mfa_configuration": up.CognitoUserPoolSoftwareTokenMfaConfiguration(enabled=True),
        "user_pool_tier": "ESSENTIALS",
        "schema": [up.CognitoUserPoolSchema(
            name=people.tenant_attribute, attribute_data_type="String", mutable=True,
            developer_only_attribute=False,
            string_attribute_constraints=up.CognitoUserPoolSchemaStringAttributeConstraints(min_length="1", max_length="64"),
        )],
        "lambda_config": up.CognitoUserPoolLambdaConfig(
            pre_token_generation_config=up.CognitoUserPoolLambdaConfigPreTokenGenerationConfig(
                lambda_arn=people.pre_token_function_arn, lambda_version="V2_0")),
        # Operators create people (no self sign-up) and only they recover accounts.
        "account_recovery_setting": up.CognitoUserPoolAccountRecoverySetting(recovery_mechanism=[
            up.CognitoUserPoolAccountRecoverySettingRecoveryMechanism(name="admin_only", priority=1)]),
    }  # fmt: skip
