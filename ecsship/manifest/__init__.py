"""Manifest loading and validation. No AWS imports here: `validate` must stay fast."""
from ecsship.manifest.document import Manifest, load_manifest

__all__ = ["Manifest", "load_manifest"]
