"""The upstream module's later features: custom domain with mTLS, canary releases, replicas in
other regions, the health check, and alarms people receive (with the dashboard)."""

from __future__ import annotations

import json

import pytest

from .conftest import MINIMAL, rule_problems, synth_config

CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789"
EAST_KEY = "arn:aws:kms:us-east-1:123456789012:key/0a1b2c3d-4e5f-6789-abcd-ef0123456789"
WEST_KEY = "arn:aws:kms:us-west-2:123456789012:key/0a1b2c3d-4e5f-6789-abcd-ef0123456789"
DOMAIN = {"custom_domain_name": "mcp.example.com", "acm_certificate_arn": CERTIFICATE}
REST = {"front_door": "rest"}


def only(resources: dict) -> dict:
    (body,) = resources.values()
    return body


# -- custom domain ----------------------------------------------------------------------------


def test_rest_domain_is_regional_tls12_mapped_at_the_root_and_the_default_endpoint_is_off():
    synth = synth_config(**REST, **DOMAIN)
    domain = synth.one("aws_api_gateway_domain_name", domain_name="mcp.example.com")
    assert domain["endpoint_configuration"] == {"types": ["REGIONAL"]}
    assert domain["security_policy"] == "TLS_1_2" and domain["regional_certificate_arn"] == CERTIFICATE
    assert "mutual_tls_authentication" not in domain
    mapping = only(synth.resources("aws_api_gateway_base_path_mapping"))
    assert "base_path" not in mapping and "aws_api_gateway_stage" in mapping["stage_name"]
    assert only(synth.resources("aws_api_gateway_rest_api"))["disable_execute_api_endpoint"] is True


def test_every_url_the_rest_stack_writes_uses_the_domain():
    synth = synth_config(**REST, **DOMAIN)
    templates = [r["response_templates"]["application/json"]
                 for r in synth.resources("aws_api_gateway_integration_response").values()]  # fmt: skip
    resources = sorted(json.loads(t.split("\n")[-1] if t.startswith("#") else t)["resource"]
                       for t in templates if '"resource"' in t)  # fmt: skip
    assert resources == ["https://mcp.example.com", "https://mcp.example.com/mcp"]
    challenge = synth.one("aws_api_gateway_gateway_response", response_type="UNAUTHORIZED")
    assert ('resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp"'
            in challenge["response_parameters"]["gatewayresponse.header.WWW-Authenticate"])  # fmt: skip
    outputs = synth.json["output"]
    assert outputs["mcp_endpoint_url"]["value"] == "https://mcp.example.com/mcp"
    assert outputs["api_endpoint"]["value"] == "https://mcp.example.com"
    assert "aws_api_gateway_domain_name" in outputs["custom_domain_target"]["value"]


def test_the_rest_api_redeploys_when_the_domain_disables_its_default_endpoint():
    with_domain, without = synth_config(**REST, **DOMAIN), synth_config(**REST)
    deployment = only(with_domain.resources("aws_api_gateway_deployment"))
    assert any(d.startswith("aws_api_gateway_rest_api.") for d in deployment["depends_on"])
    assert not any(d.startswith("aws_api_gateway_rest_api.")
                   for d in only(without.resources("aws_api_gateway_deployment"))["depends_on"])  # fmt: skip
    assert deployment["triggers"] != only(without.resources("aws_api_gateway_deployment"))["triggers"]


def test_without_a_domain_the_rest_stack_keeps_its_stage_urls():
    synth = synth_config(**REST)
    assert "disable_execute_api_endpoint" not in only(synth.resources("aws_api_gateway_rest_api"))
    assert "custom_domain_target" not in synth.json["output"]
    assert synth.resources("aws_api_gateway_domain_name") == {}


def test_http_domain_maps_the_default_stage_and_disables_the_default_endpoint():
    synth = synth_config(front_door="http", **DOMAIN)
    domain = synth.one("aws_apigatewayv2_domain_name", domain_name="mcp.example.com")
    assert domain["domain_name_configuration"] == {
        "certificate_arn": CERTIFICATE, "endpoint_type": "REGIONAL", "security_policy": "TLS_1_2"}
    mapping = only(synth.resources("aws_apigatewayv2_api_mapping"))
    assert "aws_apigatewayv2_stage" in mapping["stage"] and "api_mapping_key" not in mapping
    assert only(synth.resources("aws_apigatewayv2_api"))["disable_execute_api_endpoint"] is True


def test_a_certificate_for_mtls_is_rsa_because_mtls_endpoints_refuse_ecdsa():
    synth = synth_config(**REST, custom_domain_name="mcp.example.com", route53_zone_id="Z0123456789ABCDEFGHIJ",
                         enable_mtls=True, mtls_truststore_uri="s3://trust-bucket/clients.pem")  # fmt: skip
    assert synth.one("aws_acm_certificate", domain_name="mcp.example.com")["key_algorithm"] == "RSA_2048"


def test_a_zone_gets_a_dns_validated_certificate_and_the_alias_record():
    synth = synth_config(**REST, custom_domain_name="mcp.example.com", route53_zone_id="Z0123456789ABCDEFGHIJ")
    certificate = synth.one("aws_acm_certificate", domain_name="mcp.example.com")
    assert certificate["validation_method"] == "DNS" and certificate["lifecycle"]["create_before_destroy"]
    validation = synth.one("aws_route53_record", ttl=300)
    assert "domain_validation_options" in validation["name"] and validation["zone_id"] == "Z0123456789ABCDEFGHIJ"
    validated = only(synth.resources("aws_acm_certificate_validation"))
    assert "aws_route53_record" in validated["validation_record_fqdns"][0]
    domain = only(synth.resources("aws_api_gateway_domain_name"))
    assert "aws_acm_certificate_validation" in domain["regional_certificate_arn"]
    alias = synth.one("aws_route53_record", type="A")
    assert alias["name"] == "mcp.example.com" and "regional_domain_name" in alias["alias"]["name"]


@pytest.mark.parametrize("front_door, resource", [("rest", "aws_api_gateway_domain_name"),
                                                  ("http", "aws_apigatewayv2_domain_name")])  # fmt: skip
def test_mtls_reads_the_truststore_from_s3(front_door, resource):
    synth = synth_config(front_door=front_door, **DOMAIN, enable_mtls=True,
                         mtls_truststore_uri="s3://trust-bucket/clients.pem", mtls_truststore_version="v3")  # fmt: skip
    assert "aws_acm_certificate" not in synth.json["resource"]  # given: its key type is its owner's
    assert only(synth.resources(resource))["mutual_tls_authentication"] == {
        "truststore_uri": "s3://trust-bucket/clients.pem", "truststore_version": "v3"}
    assert any("ownership verification" in w for w in synth.warnings())


# -- canary releases --------------------------------------------------------------------------


def test_canary_publishes_versions_and_the_front_door_invokes_the_alias():
    synth = synth_config(**REST, enable_canary_deployment=True)
    function = synth.one("aws_lambda_function", function_name="my-tools-dev")
    assert function["publish"] is True
    alias = synth.one("aws_lambda_alias", name="live")
    assert alias["function_version"].endswith(".version}") and "routing_config" not in alias
    for integration in synth.resources("aws_api_gateway_integration").values():
        if integration["type"] == "AWS_PROXY":
            assert "aws_lambda_alias" in integration["uri"]
    permission = only(synth.resources("aws_lambda_permission"))
    assert permission["qualifier"] == "live"
    errors = synth.one("aws_cloudwatch_metric_alarm", alarm_name="my-tools-dev-lambda-errors")
    assert errors["dimensions"]["Resource"].endswith(".function_name}:live")
    outputs = synth.json["output"]
    assert outputs["lambda_version"]["value"].endswith(".version}")
    assert "aws_lambda_alias" in outputs["canary_alias_arn"]["value"]


def test_canary_weight_goes_to_the_newest_version_while_the_stable_one_keeps_the_rest():
    synth = synth_config(enable_canary_deployment=True, canary_alias_name="prod", canary_version="3", canary_weight=0.1)
    alias = synth.one("aws_lambda_alias", name="prod")
    assert alias["function_version"] == "3"
    weights = alias["routing_config"]["additional_version_weights"]
    assert weights.startswith("${zipmap([aws_lambda_function.") and weights.endswith(".version], [0.1])}")
    integration = synth.one("aws_apigatewayv2_integration", timeout_milliseconds=30000)
    assert "aws_lambda_alias" in integration["integration_uri"]


def test_without_canary_the_function_publishes_nothing():
    synth = synth_config()
    assert "publish" not in synth.one("aws_lambda_function", function_name="my-tools-dev")
    assert synth.resources("aws_lambda_alias") == {} and "lambda_version" not in synth.json["output"]


# -- other regions ----------------------------------------------------------------------------

REPLICAS = {"enable_session_table": True, "enable_global_table": True, "replica_regions": ["us-west-2"],
            "replica_kms_key_arns": {"us-west-2": WEST_KEY}}  # fmt: skip


def test_global_tables_replicate_sessions_and_usage_under_each_regions_key():
    synth = synth_config(**REPLICAS, tenant_metering={})
    for name in ("my-tools-dev-sessions", "my-tools-dev-tenant-usage"):
        table = synth.one("aws_dynamodb_table", name=name)
        assert table["stream_enabled"] is True and table["stream_view_type"] == "NEW_AND_OLD_IMAGES"
        assert table["replica"] == [{"region_name": "us-west-2", "kms_key_arn": WEST_KEY,
                                     "point_in_time_recovery": True, "propagate_tags": True}]  # fmt: skip


def test_image_replicas_are_created_encrypted_in_their_region_and_replicated_to():
    synth = synth_config(enable_ecr_repository=True, enable_ecr_replication=True,
                         ecr_replication_regions=["us-west-2"], replica_kms_key_arns={"us-west-2": WEST_KEY})  # fmt: skip
    replica = synth.one("aws_ecr_repository", region="us-west-2")
    assert replica["name"] == "my-tools-dev" and replica["image_tag_mutability"] == "IMMUTABLE"
    assert replica["encryption_configuration"] == [{"encryption_type": "KMS", "kms_key": WEST_KEY}]
    assert synth.one("aws_ecr_lifecycle_policy", region="us-west-2")
    (rule,) = only(synth.resources("aws_ecr_replication_configuration"))["replication_configuration"]["rule"]
    assert [d["region"] for d in rule["destination"]] == ["us-west-2"]
    assert rule["repository_filter"] == [{"filter": "my-tools-dev", "filter_type": "PREFIX_MATCH"}]
    assert any("replication configuration is one per account" in w for w in synth.warnings())


def test_health_check_alarm_lives_where_route53_metrics_are_with_a_topic_and_key_there():
    synth = synth_config(**REST, enable_health_check=True, alarm_notification_email="ops@example.com",
                         stack={"region": "us-west-2"}, image_uri=MINIMAL["image_uri"].replace("us-east-1", "us-west-2"),
                         kms_key_arn=WEST_KEY)  # fmt: skip
    check = only(synth.resources("aws_route53_health_check"))
    assert check["type"] == "HTTPS" and check["enable_sni"] and check["failure_threshold"] == 3
    assert "execute-api" in check["fqdn"] and check["resource_path"] == "/dev/.well-known/oauth-protected-resource"
    alarm = synth.one("aws_cloudwatch_metric_alarm", alarm_name="my-tools-dev-endpoint-health")
    assert alarm["region"] == "us-east-1" and alarm["namespace"] == "AWS/Route53"
    assert alarm["comparison_operator"] == "LessThanThreshold" and alarm["treat_missing_data"] == "breaching"
    topic = synth.one("aws_sns_topic", region="us-east-1")
    key = synth.one("aws_kms_key", region="us-east-1")
    assert "aws_kms_key" in topic["kms_master_key_id"] and key["enable_key_rotation"]
    assert synth.one("aws_sns_topic_subscription", region="us-east-1")["endpoint"] == "ops@example.com"


def test_in_the_metrics_region_the_health_alarm_uses_the_stack_topic():
    synth = synth_config(enable_health_check=True, custom_domain_name="mcp.example.com",
                         acm_certificate_arn=CERTIFICATE, health_check_path="/healthz")  # fmt: skip
    check = only(synth.resources("aws_route53_health_check"))
    assert check["fqdn"] == "mcp.example.com" and check["resource_path"] == "/healthz"
    alarm = synth.one("aws_cloudwatch_metric_alarm", alarm_name="my-tools-dev-endpoint-health")
    assert "aws_sns_topic" in alarm["alarm_actions"][0] and "region" in alarm
    assert len(synth.resources("aws_sns_topic")) == 1 and synth.resources("aws_kms_key") == {}


# -- alarms people receive, and the dashboard -----------------------------------------------


def test_alarm_emails_subscribe_to_the_created_topic():
    synth = synth_config(alarm_notification_email=["a@example.com", "b@example.com"])
    subscriptions = synth.resources("aws_sns_topic_subscription").values()
    assert sorted(s["endpoint"] for s in subscriptions) == ["a@example.com", "b@example.com"]
    assert all(s["protocol"] == "email" and "aws_sns_topic" in s["topic_arn"] for s in subscriptions)


def test_client_error_rate_alarm_divides_4xx_by_requests():
    synth = synth_config(**REST, alarm_4xx_rate_percent=25)
    alarm = synth.one("aws_cloudwatch_metric_alarm", alarm_name="my-tools-dev-api-4xx-rate")
    assert alarm["threshold"] == 25
    queries = {q["id"]: q for q in alarm["metric_query"]}
    assert queries["errors"]["metric"]["metric_name"] == "4XXError"
    assert queries["requests"]["metric"]["metric_name"] == "Count"
    assert "errors" in queries["rate"]["expression"] and queries["rate"]["return_data"] is True


def test_concurrency_alarm_at_80_percent_of_the_reservation_only_when_reserved():
    synth = synth_config(reserved_concurrent_executions=50)
    alarm = synth.one("aws_cloudwatch_metric_alarm", alarm_name="my-tools-dev-lambda-concurrency")
    assert alarm["threshold"] == 40 and alarm["metric_name"] == "ConcurrentExecutions"
    unreserved = synth_config()
    assert not [a for a in unreserved.resources("aws_cloudwatch_metric_alarm").values()
                if a["alarm_name"].endswith("-concurrency")]  # fmt: skip


def test_each_table_alarms_on_throttles():
    synth = synth_config(enable_session_table=True, tenant_metering={})
    for what, table in (("sessions", "my-tools-dev-sessions"), ("usage", "my-tools-dev-tenant-usage")):
        alarm = synth.one("aws_cloudwatch_metric_alarm", alarm_name=f"my-tools-dev-{what}-throttles")
        metrics = [q["metric"] for q in alarm["metric_query"] if "metric" in q]
        assert {m["metric_name"] for m in metrics} == {"ReadThrottleEvents", "WriteThrottleEvents"}
        assert all(m["dimensions"] == {"TableName": table} for m in metrics)


def test_dashboard_shows_the_server_and_each_tenant():
    synth = synth_config(enable_session_table=True, tenant_metering={})
    dashboard = synth.one("aws_cloudwatch_dashboard", dashboard_name="my-tools-dev")
    widgets = json.loads(dashboard["dashboard_body"])["widgets"]
    titles = [w["properties"]["title"] for w in widgets]
    assert "Function invocations" in titles and "DynamoDB throttle events" in titles
    searches = [m[0]["expression"] for w in widgets for m in w["properties"]["metrics"] if isinstance(m[0], dict)]
    assert searches == [f"SEARCH('{{MCP/TenantMetering,TenantId}} MetricName=\"{m}\"', 'Sum', 300)"
                        for m in ("RequestCount", "ErrorCount")]  # fmt: skip
    assert synth.json["output"]["dashboard_name"]["value"].startswith("${aws_cloudwatch_dashboard.")


# -- what AWS cannot do, at synth -----------------------------------------------------------

BASE = {**MINIMAL}


@pytest.mark.parametrize("values, field, says", [
    ({"acm_certificate_arn": CERTIFICATE}, "acm_certificate_arn", "only used with custom_domain_name"),
    ({"custom_domain_name": "mcp.example.com"}, "custom_domain_name", "needs a certificate"),
    ({**DOMAIN, "enable_mtls": True}, "mtls_truststore_uri", "required with enable_mtls"),
    ({**DOMAIN, "mtls_truststore_uri": "s3://b-1/k.pem"}, "mtls_truststore_uri", "only used with enable_mtls"),
    ({"custom_domain_name": "https://mcp.example.com/", "route53_zone_id": "Z1"}, "custom_domain_name", "DNS name"),
    ({**DOMAIN, "enable_mtls": True, "mtls_truststore_uri": "https://b/k.pem"}, "mtls_truststore_uri", "S3 object URI"),
    ({"canary_weight": 0.1}, "canary_weight", "only used with enable_canary_deployment"),
    ({"enable_canary_deployment": True, "canary_weight": 0.1}, "canary_weight", "set canary_version"),
    ({"enable_canary_deployment": True, "canary_version": "$LATEST"}, "canary_version", "published version"),
    ({"enable_canary_deployment": True, "canary_version": "2", "canary_weight": 1.5}, "canary_weight", "0 to 1"),
    ({"enable_canary_deployment": True, "canary_alias_name": "123"}, "canary_alias_name", "not all digits"),
    ({"enable_global_table": True, "enable_session_table": True}, "replica_regions", "at least one"),
    ({"enable_global_table": True, "replica_regions": ["us-west-2"], "replica_kms_key_arns": {"us-west-2": WEST_KEY}},
     "enable_global_table", "no table to replicate"),
    ({**REPLICAS, "replica_kms_key_arns": {}}, "replica_kms_key_arns", "no key for us-west-2"),
    ({**REPLICAS, "replica_kms_key_arns": {"us-west-2": EAST_KEY}}, "replica_kms_key_arns.us-west-2", "KMS keys are regional"),
    ({**REPLICAS, "replica_kms_key_arns": {"us-west-2": WEST_KEY, "eu-west-1": WEST_KEY}},
     "replica_kms_key_arns.eu-west-1", "no replica in this region"),
    ({**REPLICAS, "replica_regions": ["us-east-1"], "replica_kms_key_arns": {"us-east-1": EAST_KEY}},
     "replica_regions[0]", "the stack's own region"),
    ({**REPLICAS, "replica_regions": ["us-gov-west-1"], "replica_kms_key_arns": {
        "us-gov-west-1": "arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/0a1b2c3d-4e5f-6789-abcd-ef0123456789"}},
     "replica_regions[0]", "another partition"),
    ({"replica_regions": ["us-west-2"]}, "replica_regions", "only used with enable_global_table"),
    ({"enable_ecr_replication": True, "ecr_replication_regions": ["us-west-2"], "replica_kms_key_arns": {"us-west-2": WEST_KEY}},
     "enable_ecr_replication", "enable_ecr_repository = true"),
    ({"enable_ecr_repository": True, "enable_ecr_replication": True}, "ecr_replication_regions", "needs regions"),
    ({"ecr_replication_regions": ["us-west-2"]}, "ecr_replication_regions", "only used with enable_ecr_replication"),
    ({"health_check_failure_threshold": 5}, "health_check_failure_threshold", "only used with enable_health_check"),
    ({"enable_health_check": True, "health_check_failure_threshold": 11}, "health_check_failure_threshold", "1 to 10"),
    ({"enable_health_check": True, "enable_auth": False}, "health_check_path", "served only with enable_auth"),
    ({**DOMAIN, "enable_mtls": True, "mtls_truststore_uri": "s3://b-1/k.pem", "enable_health_check": True},
     "enable_health_check", "present no client certificate"),
    ({"alarm_notification_email": "ops@example.com", "alarm_sns_topic_arn": "arn:aws:sns:us-east-1:123456789012:t"},
     "alarm_notification_email", "subscribes to the topic the stack creates"),
    ({"alarm_notification_email": ["ops"]}, "alarm_notification_email[0]", "e-mail address"),
    ({"alarm_4xx_rate_percent": 0}, "alarm_4xx_rate_percent", "above 0"),
    ({**DOMAIN, "acm_certificate_arn": CERTIFICATE.replace("us-east-1", "eu-west-1")}, "acm_certificate_arn",
     "certificate in us-east-1"),
])  # fmt: skip
def test_impossible_operations_inputs_fail_naming_the_field(values, field, says):
    problems = rule_problems({**BASE, **values})
    assert any(f == field and says in message for f, message in problems), problems


def test_the_examples_use_every_feature(gated):
    operations, mtls = gated["operations"], gated["mtls"]
    for resource in ("aws_api_gateway_domain_name", "aws_lambda_alias", "aws_route53_health_check",
                     "aws_ecr_replication_configuration", "aws_cloudwatch_dashboard", "aws_sns_topic_subscription"):  # fmt: skip
        assert operations.resources(resource), resource
    assert all("replica" in t for t in operations.resources("aws_dynamodb_table").values())
    assert operations.one("aws_cloudwatch_metric_alarm", alarm_name="mcp-ops-staging-endpoint-health")["region"] == "us-east-1"
    domain = only(mtls.resources("aws_apigatewayv2_domain_name"))
    assert "mutual_tls_authentication" in domain and mtls.resources("aws_acm_certificate_validation")
