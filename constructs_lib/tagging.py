"""Tags on every taggable resource under a construct: `McpServerProps.tags`, like CDK's `Tags.of`.
A resource's own tags win over these."""

from __future__ import annotations

from typing import Mapping

import jsii
from cdktf import IAspect, TerraformResource
from constructs import IConstruct

from .checks import is_token


@jsii.implements(IAspect)
class TagResources:
    def __init__(self, tags: Mapping[str, str]):
        self.tags = dict(tags)

    def visit(self, node: IConstruct) -> None:
        if not isinstance(node, TerraformResource) or not hasattr(type(node), "tags_input"):
            return
        own = node.tags_input
        if is_token(own):
            return
        node.tags = {**self.tags, **(own or {})}
