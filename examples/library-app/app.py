"""A cdktf app that composes `McpServer` with resources of its own, made in the same app.

The platform's KMS key, VPC, alarm topic and WAF web ACL are created here and handed to the
server as references (the key and the network as constructs of the library, the topic and the
web ACL as the `.arn` tokens of plain provider resources); nothing is an ARN typed by hand.
A log group of the app's own (the web ACL's logs) is encrypted with the same key, and the key
policy admits it because the log group registered with the key when it was made.

    pip install -e ../..      # the library (constructs_lib), from the repository root
    python app.py             # writes cdktf.out/stacks/platform-tools/cdk.tf.json, its Checkov
                              # baseline and control report, and prints the warnings

`synth(app)` does what `app.synth()` does, plus what the configuration app does after it.
"""

from __future__ import annotations

from cdktf import App, TerraformOutput, TerraformStack
from constructs import Construct

from constructs_lib import (
    DeploymentKey,
    DeploymentKeyProps,
    EncryptedLogGroup,
    McpServer,
    McpServerProps,
    Names,
    Network,
    NetworkProps,
    aws,
    synth,
)

STACK = "platform-tools"
REGION = "us-east-1"
NAMES = Names("platform-tools", "staging")
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/platform-tools@sha256:" + "0" * 64
ALARM_TOPIC = "platform-alarms"
WAF_LOG_GROUP = "aws-waf-logs-platform-tools"  # WAF logs only to groups named aws-waf-logs-*
RETENTION_DAYS = 365


def managed_rules(name: str, priority: int):
    """An AWS managed rule group, with CloudWatch metrics and sampled requests."""
    waf = aws.wafv2_web_acl
    return waf.Wafv2WebAclRule(
        name=name,
        priority=priority,
        override_action=waf.Wafv2WebAclRuleOverrideAction(none={}),
        # The bindings type a rule's statement as any value: it is written as Terraform names it.
        statement={"managed_rule_group_statement": {"name": name, "vendor_name": "AWS"}},
        visibility_config=waf.Wafv2WebAclRuleVisibilityConfig(
            cloudwatch_metrics_enabled=True, metric_name=name, sampled_requests_enabled=True
        ),
    )


class PlatformStack(TerraformStack):
    """The platform's shared resources and one MCP server that uses them."""

    def __init__(self, scope: Construct, id: str):
        super().__init__(scope, id)
        aws.provider.AwsProvider(self, "aws", region=REGION)

        key = DeploymentKey(self, "key", DeploymentKeyProps(names=NAMES))
        topic = aws.sns_topic.SnsTopic(self, "alarms", name=ALARM_TOPIC, kms_master_key_id=key.arn)
        key.allow_alarm_topic(ALARM_TOPIC)  # CloudWatch alarms publish to the encrypted topic

        waf = aws.wafv2_web_acl
        web_acl = waf.Wafv2WebAcl(
            self,
            "web_acl",
            name="platform-tools",
            scope="REGIONAL",
            default_action=waf.Wafv2WebAclDefaultAction(allow=waf.Wafv2WebAclDefaultActionAllow()),
            rule=[
                managed_rules("AWSManagedRulesCommonRuleSet", 1),
                managed_rules("AWSManagedRulesKnownBadInputsRuleSet", 2),
            ],
            visibility_config=waf.Wafv2WebAclVisibilityConfig(
                cloudwatch_metrics_enabled=True, metric_name="platform-tools", sampled_requests_enabled=True
            ),
        )
        waf_logs = EncryptedLogGroup(self, "waf_logs", name=WAF_LOG_GROUP, retention_days=RETENTION_DAYS, key=key)
        aws.wafv2_web_acl_logging_configuration.Wafv2WebAclLoggingConfiguration(
            self, "waf_logging", resource_arn=web_acl.arn, log_destination_configs=[waf_logs.arn]
        )

        settings = dict(
            name=NAMES.name,
            environment=NAMES.environment,
            image_uri=IMAGE,
            kms_key_arn=key,
            alarm_sns_topic_arn=topic.arn,
            waf_acl_arn=web_acl.arn,
            enable_session_table=True,
            log_retention_days=RETENTION_DAYS,
        )
        # The VPC has the endpoints the server's enabled features call (props.endpoints).
        network = Network(self, "network", NetworkProps(
            names=NAMES, cidr="10.40.0.0/16", availability_zone_count=2,
            endpoints=McpServerProps(**settings).endpoints, kms_key=key, log_retention_days=RETENTION_DAYS,
        ))  # fmt: skip
        self.server = McpServer(self, "mcp", McpServerProps(**settings, network=network))
        TerraformOutput(self, "mcp_endpoint_url", value=self.server.mcp_endpoint_url)


def build(app: App) -> PlatformStack:
    return PlatformStack(app, STACK)


if __name__ == "__main__":
    app = App()
    build(app)
    synth(app)
