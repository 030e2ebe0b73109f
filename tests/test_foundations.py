"""From zero: the created key's policy and the created network, each rule read from the JSON."""

from __future__ import annotations

import json

import pytest

from constructs_lib.naming import Names

from .conftest import FOUNDATIONS, MINIMAL, rule_problems, synth_config
from .conftest import synth_from_zero as from_zero
TOPIC = "arn:aws:sns:us-east-1:123456789012:platform-alarms"


def key_policy(synth) -> dict:
    return json.loads(synth.one("aws_kms_key")["policy"])


def statement(policy: dict, sid: str) -> dict:
    (found,) = [s for s in policy["Statement"] if s["Sid"] == sid]
    return found


# -- the key -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def http_from_zero():
    return from_zero(enable_session_table=True, enable_ecr_repository=True)


@pytest.fixture(scope="module")
def rest_from_zero():
    return from_zero(front_door="rest", enable_session_table=True)


def test_without_a_key_one_rotating_key_with_an_alias_is_created(http_from_zero):
    key = http_from_zero.one("aws_kms_key")
    assert key["enable_key_rotation"] is True and key["deletion_window_in_days"] == 30
    assert "lifecycle" not in key  # dev: no prevent_destroy
    assert http_from_zero.one("aws_kms_alias")["name"] == "alias/my-tools-dev"
    assert from_zero(environment="prod").one("aws_kms_key")["lifecycle"] == {"prevent_destroy": True}


def test_given_key_means_no_key_is_created():
    assert synth_config().resources("aws_kms_key") == {}


def test_every_encrypted_resource_uses_the_created_key(http_from_zero):
    key = f"${{{http_from_zero.address('aws_kms_key')}.arn}}"
    for function in http_from_zero.resources("aws_lambda_function").values():
        assert function["kms_key_arn"] == key
    for group in http_from_zero.resources("aws_cloudwatch_log_group").values():
        assert group["kms_key_id"] == key
    assert http_from_zero.one("aws_sns_topic")["kms_master_key_id"] == key
    assert http_from_zero.one("aws_dynamodb_table")["server_side_encryption"]["kms_key_arn"] == key
    assert http_from_zero.one("aws_ecr_repository")["encryption_configuration"][0]["kms_key"] == key


@pytest.mark.parametrize("fixture", ["http_from_zero", "rest_from_zero"])
def test_logs_statement_lists_exactly_the_stacks_log_groups(request, fixture):
    synth = request.getfixturevalue(fixture)
    logs = statement(key_policy(synth), "CloudWatchLogsEncryptsTheStackLogGroups")
    assert logs["Principal"] == {
        "Service": "logs.${data.aws_region.region.region}.${data.aws_partition.partition.dns_suffix}"
    }
    arns = logs["Condition"]["ArnEquals"]["kms:EncryptionContext:aws:logs:arn"]
    groups = {g["name"] for g in synth.resources("aws_cloudwatch_log_group").values()}
    assert {a.split(":log-group:")[1] for a in arns} == groups
    assert all(a.startswith("arn:${data.aws_partition.partition.partition}:logs:") for a in arns)


def test_readme_key_policy_covers_every_log_group_a_stack_can_create(http_from_zero, rest_from_zero):
    possible = set(Names("my-tools", "dev").log_groups)
    for synth in (http_from_zero, rest_from_zero):
        assert {g["name"] for g in synth.resources("aws_cloudwatch_log_group").values()} <= possible


def test_alarms_may_use_the_key_only_for_the_alarm_topic(http_from_zero):
    alarms = statement(key_policy(http_from_zero), "CloudWatchAlarmsPublishToTheEncryptedTopic")
    assert alarms["Principal"] == {"Service": "cloudwatch.${data.aws_partition.partition.dns_suffix}"}
    assert alarms["Action"] == ["kms:Decrypt", "kms:GenerateDataKey"]
    topic = alarms["Condition"]["StringEquals"]["kms:EncryptionContext:aws:sns:topicArn"]
    assert topic.endswith(":my-tools-dev-alarms")
    assert http_from_zero.one("aws_sns_topic")["name"] == "my-tools-dev-alarms"


def test_a_given_alarm_topic_needs_no_alarm_statement():
    policy = key_policy(from_zero(alarm_sns_topic_arn=TOPIC))
    assert [s["Sid"] for s in policy["Statement"]] == [
        "AccountAdministersKeyThroughIam",
        "CloudWatchLogsEncryptsTheStackLogGroups",
    ]


def test_only_the_account_statement_has_a_wildcard_and_no_principal_is_anonymous(http_from_zero):
    for s in key_policy(http_from_zero)["Statement"]:
        assert s["Principal"] != "*" and "*" not in json.dumps(s["Principal"])
        if any("*" in a for a in s["Action"]):
            assert s["Sid"] == "AccountAdministersKeyThroughIam"
            assert s["Principal"]["AWS"].endswith(":root")


def test_the_sessions_grant_reaches_the_table_key_only_through_dynamodb(http_from_zero):
    grant = json.loads(http_from_zero.one("aws_iam_role_policy", name="sessions")["policy"])
    kms = statement(grant, "SessionTableKeyThroughDynamoDb")
    assert kms["Resource"] == [f"${{{http_from_zero.address('aws_kms_key')}.arn}}"]
    assert kms["Condition"] == {"StringEquals": {
        "kms:ViaService": "dynamodb.${data.aws_region.region.region}.${data.aws_partition.partition.dns_suffix}"
    }}  # fmt: skip


# -- the network ---------------------------------------------------------------------------------


def test_without_a_vpc_private_subnets_in_two_zones_and_no_way_to_the_internet(http_from_zero):
    vpc = http_from_zero.one("aws_vpc")
    assert vpc["cidr_block"] == "10.0.0.0/16"
    assert vpc["enable_dns_support"] is True and vpc["enable_dns_hostnames"] is True
    subnets = http_from_zero.resources("aws_subnet").values()
    assert sorted(s["cidr_block"] for s in subnets) == ["10.0.0.0/18", "10.0.64.0/18"]
    zones = [s["availability_zone"] for s in subnets]
    assert len(set(zones)) == 2 and all("element(" in z for z in zones)
    assert all(s["map_public_ip_on_launch"] is False for s in subnets)
    for kind in ("aws_internet_gateway", "aws_nat_gateway", "aws_route", "aws_eip"):
        assert http_from_zero.resources(kind) == {}, kind
    assert "route" not in http_from_zero.one("aws_route_table")
    assert http_from_zero.one("aws_default_security_group").keys() >= {"vpc_id"}
    function = http_from_zero.one("aws_lambda_function", function_name="my-tools-dev")
    assert len(function["vpc_config"]["subnet_ids"]) == 2


def test_zones_come_from_a_closed_set_so_new_zones_never_move_a_subnet(http_from_zero):
    (zones,) = http_from_zero.json["data"]["aws_availability_zones"].values()
    names = [f for f in zones["filter"] if f["name"] == "zone-name"][0]["values"]
    assert names == [f"${{data.aws_region.region.region}}{c}" for c in "abcdef"]
    for subnet in http_from_zero.resources("aws_subnet").values():
        assert subnet["lifecycle"] == {"ignore_changes": ["availability_zone"]}


def test_zone_count_and_cidr_shape_the_subnets():
    synth = from_zero(vpc_cidr="10.20.0.0/20", vpc_availability_zone_count=3)
    cidrs = [s["cidr_block"] for s in synth.resources("aws_subnet").values()]
    assert sorted(cidrs) == ["10.20.0.0/22", "10.20.4.0/22", "10.20.8.0/22"]


@pytest.mark.parametrize(
    "settings, endpoints",
    [
        ({"enable_xray_tracing": False}, {}),
        ({}, {"xray": "Interface"}),
        ({"enable_session_table": True, "enable_xray_tracing": False}, {"dynamodb": "Gateway"}),
        ({"vpc_interface_endpoints": ["sts", "secretsmanager"]},
         {"xray": "Interface", "sts": "Interface", "secretsmanager": "Interface"}),
    ],
)  # fmt: skip
def test_endpoints_follow_the_enabled_features(settings, endpoints):
    synth = from_zero(**settings)
    services = {
        s["service"]: s["service_type"]
        for s in synth.json.get("data", {}).get("aws_vpc_endpoint_service", {}).values()
    }
    assert services == endpoints
    created = synth.resources("aws_vpc_endpoint").values()
    assert sorted(e["vpc_endpoint_type"] for e in created) == sorted(endpoints.values())
    has_interface = "Interface" in endpoints.values()
    assert bool(synth.resources("aws_vpc_security_group_ingress_rule")) == has_interface


def test_gateway_endpoint_is_on_the_private_route_table_and_egress_names_its_prefix_list():
    synth = from_zero(enable_session_table=True, enable_xray_tracing=False)
    endpoint = synth.one("aws_vpc_endpoint")
    assert endpoint["route_table_ids"] == [f"${{{synth.address('aws_route_table')}.id}}"]
    (egress,) = synth.resources("aws_vpc_security_group_egress_rule").values()
    assert egress["prefix_list_id"] == f"${{{synth.address('aws_vpc_endpoint')}.prefix_list_id}}"
    assert (egress["from_port"], egress["to_port"], egress["ip_protocol"]) == (443, 443, "tcp")


def test_function_egress_is_https_to_endpoints_only(http_from_zero):
    for rule in http_from_zero.resources("aws_vpc_security_group_egress_rule").values():
        assert (rule["from_port"], rule["to_port"]) == (443, 443)
        assert "cidr_ipv4" not in rule and "cidr_ipv6" not in rule
    for group in http_from_zero.resources("aws_security_group").values():
        assert "egress" not in group and "ingress" not in group


def test_endpoints_admit_only_this_accounts_principals(http_from_zero):
    for endpoint in http_from_zero.resources("aws_vpc_endpoint").values():
        (rule,) = json.loads(endpoint["policy"])["Statement"]
        account = "${data.aws_caller_identity.caller.account_id}"
        assert rule["Condition"] == {
            "StringEquals": {"aws:PrincipalAccount": account},
            # and this account's resources, where the request names one (issue 20, item 9)
            "StringEqualsIfExists": {"aws:ResourceAccount": account},
        }
        assert endpoint.get("private_dns_enabled") in (True, None)


def test_flow_logs_of_all_traffic_go_to_an_encrypted_group_through_a_guarded_role(http_from_zero):
    flow = http_from_zero.one("aws_flow_log")
    assert flow["traffic_type"] == "ALL" and flow["log_destination_type"] == "cloud-watch-logs"
    role = http_from_zero.one("aws_iam_role", name="my-tools-dev-flow-logs")
    (trust,) = json.loads(role["assume_role_policy"])["Statement"]
    assert trust["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}
    assert trust["Condition"]["StringEquals"] == {
        "aws:SourceAccount": "${data.aws_caller_identity.caller.account_id}"
    }
    assert trust["Condition"]["ArnLike"]["aws:SourceArn"].endswith(":vpc-flow-log/*")
    group = http_from_zero.one("aws_cloudwatch_log_group", name="/aws/vpc-flow-logs/my-tools-dev")
    assert group["kms_key_id"].startswith("${aws_kms_key.")


def test_given_vpc_means_no_network_is_created():
    synth = synth_config()
    for kind in ("aws_vpc", "aws_subnet", "aws_vpc_endpoint", "aws_flow_log", "aws_security_group"):
        assert synth.resources(kind) == {}, kind


# -- configuration rules ------------------------------------------------------------------------


def problems(**values) -> list[str]:
    base = {k: v for k, v in MINIMAL.items() if k not in FOUNDATIONS}
    return [f"{field}: {message}" for field, message in rule_problems({**base, **values})]


def test_a_partial_network_names_the_missing_inputs():
    found = problems(vpc_id=MINIMAL["vpc_id"])
    assert sorted(p.split(":")[0] for p in found) == ["vpc_security_group_ids", "vpc_subnet_ids"]
    assert all("give all three, or none" in p for p in found)


@pytest.mark.parametrize(
    "field, value",
    [("vpc_cidr", "10.1.0.0/16"), ("vpc_availability_zone_count", 3), ("vpc_interface_endpoints", ["sts"])],
)
def test_created_network_inputs_are_rejected_with_a_given_vpc(field, value):
    network = {k: MINIMAL[k] for k in ("vpc_id", "vpc_subnet_ids", "vpc_security_group_ids")}
    (found,) = problems(**network, **{field: value})
    assert found.startswith(f"{field}: ") and "only used when the stack creates the VPC" in found


@pytest.mark.parametrize(
    "values, expected",
    [
        ({"vpc_cidr": "10.0.0.0/8"}, "vpc_cidr: must be /16 to /24"),
        ({"vpc_cidr": "10.0.0.1/16"}, "vpc_cidr: must be an IPv4 CIDR block"),
        ({"vpc_availability_zone_count": 1}, "vpc_availability_zone_count: must be 2 to 4 (got 1)"),
        ({"vpc_availability_zone_count": 5}, "vpc_availability_zone_count: must be 2 to 4 (got 5)"),
        ({"vpc_interface_endpoints": ["xray"]}, "vpc_interface_endpoints[0]: 'xray' is already created"),
        ({"vpc_interface_endpoints": ["STS"]}, "vpc_interface_endpoints[0]: must be an AWS"),
        ({"vpc_interface_endpoints": ["sts", "sts"]}, "vpc_interface_endpoints: listed more"),
    ],
)  # fmt: skip
def test_each_network_value_aws_would_reject_is_named(values, expected):
    (found,) = problems(**values)
    assert found.startswith(expected), found


def test_the_from_zero_example_is_shipped(shipped):
    dev = shipped["dev"]
    assert dev.resources("aws_kms_key") and dev.resources("aws_vpc")
    assert dev.resources("aws_api_gateway_rest_api") and dev.resources("aws_cognito_user_pool")
