"""What an EC2 instance type name says: its architecture and whether it has NVIDIA GPUs. Pure.

Amazon EC2 "Instance type naming conventions": family letter(s), generation digit, then attributes;
`g` among the attributes is AWS Graviton (arm64: c7g, m6gd, c6gn, im4gn, x2gd, g5g), and `a1` is the
first Graviton. Accelerated computing families G (g4dn, g5, g6, g6e, gr6) and P (p3, p4d, p5) carry
NVIDIA GPUs, which the ECS-optimised GPU AMI drives (x86_64 only: ECS Developer Guide, "Amazon ECS
task definitions for GPU workloads").
"""
from __future__ import annotations

import re

NVIDIA = re.compile(r"^(g|gr|p)[0-9]")


def family(instance_type: str) -> str:
    return instance_type.split(".", 1)[0].lower()


def architecture(instance_type: str) -> str:
    """arm64 or x86_64."""
    name = family(instance_type)
    # The generation digit comes before the attributes: `g` after it is Graviton (c7g, g5g), a
    # leading `g` is the GPU family letter (g5, g4dn).
    match = re.match(r"^([a-z]+)([0-9]+)([a-z-]*)$", name)
    if name == "a1" or (match and "g" in match.group(3)):
        return "arm64"
    return "x86_64"


def has_gpu(instance_type: str) -> bool:
    return bool(NVIDIA.match(family(instance_type)))


AMI_PARAMETERS = {
    # The public SSM parameters of the ECS-optimised Amazon Linux 2023 AMIs (ECS Developer Guide,
    # "Retrieving Amazon ECS-optimized Linux AMI metadata").
    "x86_64": "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id",
    "arm64": "/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id",
    "gpu": "/aws/service/ecs/optimized-ami/amazon-linux-2023/gpu/recommended/image_id",
}


def ami_parameter(instance_types: list[str], gpu: bool) -> str:
    """The SSM parameter of the AMI these instance types boot: the GPU variant for GPU work."""
    if gpu:
        return AMI_PARAMETERS["gpu"]
    return AMI_PARAMETERS[architecture(instance_types[0])]
