"""ECR repository for the server image: KMS, scan on push, lifecycle, pull by Lambda only."""

from __future__ import annotations

import json
from dataclasses import dataclass

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


class ImageRepository(Construct):
    """A private repository encrypted with the deployment key."""

    def __init__(self, scope: Construct, id: str, props: ImageRepositoryProps):
        super().__init__(scope, id)
        r = aws.ecr_repository
        self.repository = r.EcrRepository(
            self,
            "repository",
            name=props.repository_name,
            image_tag_mutability=props.image_tag_mutability,
            image_scanning_configuration=r.EcrRepositoryImageScanningConfiguration(
                scan_on_push=props.scan_on_push
            ),
            encryption_configuration=[
                r.EcrRepositoryEncryptionConfiguration(encryption_type="KMS", kms_key=key_arn(props.kms_key))
            ],
            force_delete=props.force_delete or None,
        )
        aws.ecr_lifecycle_policy.EcrLifecyclePolicy(
            self,
            "lifecycle",
            repository=self.repository.name,
            policy=json.dumps(LIFECYCLE_POLICY, indent=2),
        )

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
