"""ECR repository for the server image: KMS, scan on push, lifecycle, pull by Lambda only."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Mapping

from constructs import Construct

from . import aws
from .context import account_id, partition, region
from .iam import Statement, policy_document
from .kms import KeyLike, key_arn

# Keep the newest tagged images for rollback; untagged layers go after two weeks.
LIFECYCLE_POLICY = {
    "rules": [
        {
            "rulePriority": 1,
            "description": "Expire untagged images after 14 days",
            "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed",
                          "countUnit": "days", "countNumber": 14},
            "action": {"type": "expire"},
        },
        {
            "rulePriority": 2,
            "description": "Keep the 50 newest images",
            "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 50},
            "action": {"type": "expire"},
        },
    ]
}  # fmt: skip


@dataclass(frozen=True, kw_only=True)
class ImageRepositoryProps:
    repository_name: str
    kms_key: KeyLike
    image_tag_mutability: str = "IMMUTABLE"
    scan_on_push: bool = True
    # Delete the repository with its images on destroy (otherwise destroy stops at a
    # repository that holds images).
    force_delete: bool = False
    # Cross-region replication: a replica repository in each of these regions, encrypted with
    # the key given for it.
    replicas: Mapping[str, str] = field(default_factory=dict)


class ImageRepository(Construct):
    """A private repository encrypted with the deployment key."""

    def __init__(self, scope: Construct, id: str, props: ImageRepositoryProps):
        super().__init__(scope, id)
        self.props = props
        self.repository = self._repository("", key_arn(props.kms_key))
        self.replicas = {region: self._repository(region, key) for region, key in sorted(props.replicas.items())}
        self.replication = None
        if self.replicas:
            self._replicate()

    def _repository(self, region: str, kms_key_arn: str):
        """The repository (`region` empty: the provider's) with its lifecycle policy."""
        props, r = self.props, aws.ecr_repository
        suffix = f"_{region.replace('-', '_')}" if region else ""
        repository = r.EcrRepository(
            self,
            f"repository{suffix}",
            name=props.repository_name,
            image_tag_mutability=props.image_tag_mutability,
            image_scanning_configuration=r.EcrRepositoryImageScanningConfiguration(
                scan_on_push=props.scan_on_push
            ),
            encryption_configuration=[
                r.EcrRepositoryEncryptionConfiguration(encryption_type="KMS", kms_key=kms_key_arn)
            ],
            force_delete=props.force_delete or None,
            region=region or None,
        )
        aws.ecr_lifecycle_policy.EcrLifecyclePolicy(
            self,
            f"lifecycle{suffix}",
            repository=repository.name,
            policy=json.dumps(LIFECYCLE_POLICY, indent=2),
            region=region or None,
        )
        return repository

    def _replicate(self) -> None:
        """The registry's replication rule for this repository. Replication writes into the
        replica repositories created here, so they keep KMS encryption with their region's key,
        scanning and tag immutability (a repository that replication creates itself gets the
        registry's defaults instead). The configuration is one per registry (account and
        region): this stack owns it."""
        c = aws.ecr_replication_configuration
        rule = c.EcrReplicationConfigurationReplicationConfigurationRule(
            destination=[
                c.EcrReplicationConfigurationReplicationConfigurationRuleDestination(
                    region=region, registry_id=account_id(self))
                for region in self.replicas
            ],
            repository_filter=[c.EcrReplicationConfigurationReplicationConfigurationRuleRepositoryFilter(
                filter=self.props.repository_name, filter_type="PREFIX_MATCH")],
        )  # fmt: skip
        self.replication = c.EcrReplicationConfiguration(
            self, "replication",
            replication_configuration=c.EcrReplicationConfigurationReplicationConfiguration(rule=[rule]),
            depends_on=list(self.replicas.values()),
        )  # fmt: skip

    @property
    def url(self) -> str:
        return self.repository.repository_url

    @property
    def name(self) -> str:
        return self.repository.name

    def grant_pull(self, function_name: str):
        """Let the Lambda service pull images for the function `function_name` of this account
        and region (its versions and aliases included), and for nothing else. Takes the name,
        not the function: the policy must exist before the function is created (Lambda checks
        it may pull the image then). Returns the repository policy."""
        function_arn = (
            f"arn:{partition(self)}:lambda:{region(self)}:{account_id(self)}:function:{function_name}"
        )
        self.policy = aws.ecr_repository_policy.EcrRepositoryPolicy(
            self,
            "policy",
            repository=self.repository.name,
            policy=policy_document(
                Statement(
                    sid="LambdaPullsForThisFunctionOnly",
                    principals={"Service": "lambda.amazonaws.com"},
                    actions=["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                    resources=(),
                    conditions={"ArnLike": {"aws:SourceArn": [function_arn, f"{function_arn}:*"]}},
                )
            ),
        )
        return self.policy
