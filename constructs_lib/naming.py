"""The one place where physical resource names are derived from `name` and `environment`.

Each derived name carries the limit AWS puts on it, so validation can name the input to shorten
instead of letting `tofu apply` fail half-way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Shortest AWS limit among the names below is 63 (Cognito domain prefix); every name is
# `<name>-<environment>` plus a suffix.
NAME_PATTERN = r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*"


@dataclass(frozen=True)
class NameRule:
    """What AWS accepts for one kind of name."""

    what: str
    max_length: int
    pattern: str


LAMBDA_FUNCTION = NameRule("Lambda function name", 64, r"[A-Za-z0-9_-]+")
IAM_ROLE = NameRule("IAM role name", 64, r"[\w+=,.@-]+")
LOG_GROUP = NameRule("CloudWatch log group name", 512, r"[.\-_/#A-Za-z0-9]+")
HTTP_API = NameRule("API Gateway API name", 128, r"[^\x00-\x1f]+")
DYNAMODB_TABLE = NameRule("DynamoDB table name", 255, r"[A-Za-z0-9_.-]{3,}")
ECR_REPOSITORY = NameRule("ECR repository name", 256, r"[a-z0-9]+(?:[._-][a-z0-9]+)*")
SNS_TOPIC = NameRule("SNS topic name", 256, r"[A-Za-z0-9_-]+")
ALARM = NameRule("CloudWatch alarm name", 255, r"[^\x00-\x1f]+")
KMS_ALIAS = NameRule("KMS alias", 256, r"alias/(?!aws/)[A-Za-z0-9/_-]+")
SECURITY_GROUP = NameRule("security group name", 255, r"(?!sg-)[\w .:/()#,@\[\]+=&;{}!$*-]+")
IAM_POLICY = NameRule("IAM policy name", 128, r"[\w+=,.@-]+")
LOG_METRIC_FILTER = NameRule("CloudWatch Logs metric filter name", 512, r"[^:*]+")
SECRET = NameRule("Secrets Manager secret name", 512, r"[A-Za-z0-9/_+=.@-]+")
COGNITO_USER_POOL = NameRule("Cognito user pool name", 128, r"[\w\s+=,.@-]+")
# The domain prefix gets `-<account id>` (13 characters) appended, so it is unique across
# accounts, and may not contain the reserved words aws, amazon or cognito.
COGNITO_DOMAIN = NameRule(
    "Cognito domain prefix", 63 - 13, r"(?!.*(?:aws|amazon|cognito))[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
)


@dataclass(frozen=True)
class Names:
    """Physical names of one deployment (`name` in `environment`)."""

    name: str
    environment: str

    @property
    def prefix(self) -> str:
        return f"{self.name}-{self.environment}"

    @property
    def function(self) -> str:
        return self.prefix

    @property
    def function_role(self) -> str:
        return f"{self.prefix}-lambda"

    @property
    def function_log_group(self) -> str:
        return f"/aws/lambda/{self.function}"

    @property
    def api(self) -> str:
        return self.prefix

    @property
    def api_access_log_group(self) -> str:
        return f"/aws/apigateway/{self.prefix}/access"

    @property
    def user_pool(self) -> str:
        return self.prefix

    @property
    def cognito_domain(self) -> str:
        """Domain prefix before the account id suffix."""
        return self.prefix

    @property
    def app_client(self) -> str:
        return f"{self.prefix}-client"

    @property
    def session_table(self) -> str:
        return f"{self.prefix}-sessions"

    @property
    def repository(self) -> str:
        return self.prefix

    @property
    def alarm_topic(self) -> str:
        return f"{self.prefix}-alarms"

    def alarm(self, what: str) -> str:
        return f"{self.prefix}-{what}"

    @property
    def dashboard(self) -> str:
        return self.prefix

    @property
    def ecr_template_role(self) -> str:
        return f"{self.prefix}-ecr-repl"  # shorter than api_logging_role: its rule covers it

    @property
    def api_logging_role(self) -> str:
        return f"{self.prefix}-apigw-logs"

    @property
    def key_alias(self) -> str:
        return f"alias/{self.prefix}"

    @property
    def request_state_key_alias(self) -> str:
        return f"alias/{self.prefix}-request-state"

    @property
    def vpc(self) -> str:
        return self.prefix

    @property
    def flow_log_group(self) -> str:
        return f"/aws/vpc-flow-logs/{self.prefix}"

    @property
    def flow_log_role(self) -> str:
        return f"{self.prefix}-flow-logs"

    def security_group(self, what: str) -> str:
        return f"{self.prefix}-{what}"

    @property
    def metadata_function(self) -> str:
        """The function serving OAuth protected-resource metadata behind the HTTP API."""
        return f"{self.prefix}-prm"

    @property
    def metadata_function_role(self) -> str:
        return f"{self.prefix}-prm-lambda"

    @property
    def metadata_function_log_group(self) -> str:
        return f"/aws/lambda/{self.metadata_function}"

    # -- sign-in for people ---------------------------------------------------------------------

    @property
    def sign_in_function(self) -> str:
        """The authorization server in front of Cognito's managed login."""
        return f"{self.prefix}-signin"

    @property
    def sign_in_function_role(self) -> str:
        return f"{self.prefix}-signin-lambda"

    @property
    def sign_in_function_log_group(self) -> str:
        return f"/aws/lambda/{self.sign_in_function}"

    @property
    def sign_in_table(self) -> str:
        """Pending authorizations, codes, refresh handles, registrations and consents."""
        return f"{self.prefix}-sign-in"

    @property
    def sign_in_secret(self) -> str:
        """The Secrets Manager secret holding the facade's client secret."""
        return f"{self.prefix}/sign-in-client"

    @property
    def sign_in_client(self) -> str:
        return f"{self.prefix}-sign-in"

    @property
    def pre_token_function(self) -> str:
        """Cognito's pre-token-generation trigger: a person's tenant into the access token."""
        return f"{self.prefix}-pretoken"

    @property
    def pre_token_function_role(self) -> str:
        return f"{self.prefix}-pretoken-lambda"

    @property
    def pre_token_function_log_group(self) -> str:
        return f"/aws/lambda/{self.pre_token_function}"

    def sign_in_rules(self) -> list[tuple[NameRule, str]]:
        """The names sign-in adds."""
        return [
            (LAMBDA_FUNCTION, self.sign_in_function),
            (IAM_ROLE, self.sign_in_function_role),
            (LAMBDA_FUNCTION, self.pre_token_function),
            (IAM_ROLE, self.pre_token_function_role),
            (DYNAMODB_TABLE, self.sign_in_table),
            (SECRET, self.sign_in_secret),
        ]

    # -- multi-tenant platform ----------------------------------------------------------------

    @property
    def tenant_role_path(self) -> str:
        """IAM path of every tenant role; the function may assume only roles under it."""
        return f"/{self.prefix}/tenants/"

    @property
    def tenant_template_role(self) -> str:
        """The template tenant role (`-` never occurs in a Cognito client id, so no clash)."""
        return f"{self.prefix}-tenant-template"

    @property
    def tenant_boundary(self) -> str:
        return f"{self.prefix}-tenant-boundary"

    @property
    def tenant_sts_policy(self) -> str:
        return f"{self.prefix}-tenant-sts"

    def tenant_client(self, tenant: str) -> str:
        return f"{self.prefix}-tenant-{tenant}"

    @property
    def usage_table(self) -> str:
        return f"{self.prefix}-tenant-usage"

    @property
    def metering_topic(self) -> str:
        return f"{self.prefix}-metering"

    def metric_filter(self, what: str) -> str:
        return f"{self.prefix}-tenant-{what}"

    def tenant_alarm(self, tenant: str, what: str) -> str:
        return f"{self.prefix}-tenant-{tenant}-{what}"

    @property
    def rest_api_stage(self) -> str:
        return self.environment

    @property
    def log_groups(self) -> tuple[str, ...]:
        """Every log group a deployment can have (each created only with its feature)."""
        return (
            self.function_log_group,
            self.api_access_log_group,
            self.metadata_function_log_group,
            self.flow_log_group,
            self.sign_in_function_log_group,
            self.pre_token_function_log_group,
        )

    def rules(self) -> list[tuple[NameRule, str]]:
        """Every derived name with the rule AWS applies to it."""
        return [
            (LAMBDA_FUNCTION, self.function),
            (IAM_ROLE, self.function_role),
            (IAM_ROLE, self.api_logging_role),
            (IAM_ROLE, self.flow_log_role),
            (IAM_ROLE, self.metadata_function_role),
            (LAMBDA_FUNCTION, self.metadata_function),
            (KMS_ALIAS, self.key_alias),
            (SECURITY_GROUP, self.security_group("endpoints")),
            (LOG_GROUP, self.function_log_group),
            (HTTP_API, self.api),
            (LOG_GROUP, self.api_access_log_group),
            (COGNITO_USER_POOL, self.user_pool),
            (COGNITO_DOMAIN, self.cognito_domain),
            (DYNAMODB_TABLE, self.session_table),
            (ECR_REPOSITORY, self.repository),
            (SNS_TOPIC, self.alarm_topic),
            (ALARM, self.alarm("lambda-throttles")),
        ]

    def tenancy_rules(self) -> list[tuple[NameRule, str]]:
        """The names the token vending machine and tenant metering add."""
        return [
            (IAM_ROLE, self.tenant_template_role),
            (IAM_POLICY, self.tenant_boundary),
            (IAM_POLICY, self.tenant_sts_policy),
            (DYNAMODB_TABLE, self.usage_table),
            (SNS_TOPIC, self.metering_topic),
            (LOG_METRIC_FILTER, self.metric_filter("requests")),
        ]

    def problems(self, tenancy: bool = False, sign_in: bool = False) -> list[str]:
        """Why AWS would reject a derived name, one message each (empty when all fit)."""
        found = []
        extra = (self.tenancy_rules() if tenancy else []) + (self.sign_in_rules() if sign_in else [])
        for rule, value in self.rules() + extra:
            if len(value) > rule.max_length:
                found.append(
                    f"the {rule.what} {value!r} would be {len(value)} characters and AWS allows "
                    f"{rule.max_length}; shorten name by {len(value) - rule.max_length}"
                )
            elif not re.fullmatch(rule.pattern, value):
                found.append(
                    f"the {rule.what} {value!r} is not accepted by AWS"
                    + (" (it may not contain aws, amazon or cognito)" if rule is COGNITO_DOMAIN else "")
                )
        return found
