"""ECR repository for the server image: KMS, scan on push, lifecycle, pull by Lambda only."""

from __future__ import annotations

import json
from dataclasses import dataclass

from constructs import Construct

from . import aws

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
    kms_key_arn: str
    image_tag_mutability: str = "IMMUTABLE"
    scan_on_push: bool = True


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
                r.EcrRepositoryEncryptionConfiguration(encryption_type="KMS", kms_key=props.kms_key_arn)
            ],
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

    def grant_pull_to_lambda(self, function_arn_pattern: str) -> None:
        """Let the Lambda service pull images for the named function(s) only."""
        aws.ecr_repository_policy.EcrRepositoryPolicy(
            self,
            "policy",
            repository=self.repository.name,
            policy=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "LambdaPull",
                            "Effect": "Allow",
                            "Principal": {"Service": "lambda.amazonaws.com"},
                            "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                            "Condition": {"StringLike": {"aws:sourceArn": function_arn_pattern}},
                        }
                    ],
                },
                indent=2,
            ),
        )
