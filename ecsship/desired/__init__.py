"""The desired model: what one manifest asks for, as frozen dataclasses. Pure, no I/O.

Stable entry point for other packages (deploy uses it):
    build(manifest, image_override=None) -> Desired
"""
from ecsship.desired.builder import build
from ecsship.desired.image_and_secret_refs import parse_image, with_tag
from ecsship.desired.resources import Desired, Resource

__all__ = ["build", "Desired", "Resource", "parse_image", "with_tag"]
