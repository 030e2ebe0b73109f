"""RestDeployment: what is added to it decides when API Gateway deploys again."""

from __future__ import annotations

from constructs_lib import RestDeployment, aws

from .conftest import synth_construct


def api_with_method(http_method: str, *, added: bool = True, extra: bool = False):
    """A REST API with one method; the deployment gets it (and an extra one) when `added`."""

    def build(stack):
        api = aws.api_gateway_rest_api.ApiGatewayRestApi(stack, "api", name="api")
        method = aws.api_gateway_method.ApiGatewayMethod(
            stack, "method", rest_api_id=api.id, resource_id=api.root_resource_id,
            http_method=http_method, authorization="NONE",
        )  # fmt: skip
        deployment = RestDeployment(stack, "deployment", rest_api_id=api.id)
        if added:
            deployment.add(method)
        if extra:  # a user's method, added after the deployment was made
            users = aws.api_gateway_method.ApiGatewayMethod(
                stack, "users", rest_api_id=api.id, resource_id=api.root_resource_id,
                http_method="PUT", authorization="NONE",
            )  # fmt: skip
            deployment.add(users)

    (deployment,) = synth_construct(build).resources("aws_api_gateway_deployment").values()
    return deployment


def test_a_changed_method_changes_the_configuration_trigger():
    get, post = api_with_method("GET"), api_with_method("POST")
    assert get["triggers"]["configuration"] != post["triggers"]["configuration"]


def test_the_same_methods_give_the_same_triggers():
    assert api_with_method("GET")["triggers"] == api_with_method("GET")["triggers"]


def test_referenced_values_are_triggers_read_by_opentofu():
    triggers = api_with_method("GET")["triggers"]
    assert triggers["aws_api_gateway_rest_api.api.id"] == "${aws_api_gateway_rest_api.api.id}"


def test_what_is_added_later_is_deployed_too():
    deployment = api_with_method("GET", extra=True)
    assert deployment["depends_on"] == ["aws_api_gateway_method.method", "aws_api_gateway_method.users"]
    assert deployment["triggers"]["configuration"] != api_with_method("GET")["triggers"]["configuration"]


def test_a_method_not_added_does_not_move_the_deployment():
    assert api_with_method("GET", added=False)["triggers"] == api_with_method("POST", added=False)["triggers"]
    assert "depends_on" not in api_with_method("GET", added=False)
