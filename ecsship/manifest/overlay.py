"""Environment overlays: `--env NAME` merges `environments.NAME` over the base manifest."""
from __future__ import annotations

from ecsship.manifest.yamlsource import Positions


def merge(base, overlay):
    """Maps merge deeply; lists and scalars from the overlay replace the base's."""
    if isinstance(base, dict) and isinstance(overlay, dict):
        out = dict(base)
        for key, value in overlay.items():
            out[key] = merge(base[key], value) if key in base else value
        return out
    return overlay


def apply_environment(data: dict, positions: Positions, name: str) -> tuple[dict, Positions]:
    """Merge environment `name` over the base; positions of overridden values point at the overlay."""
    overlay = data["environments"][name]
    merged = merge({k: v for k, v in data.items() if k != "environments"}, overlay)
    prefix = ("environments", name)
    merged_positions: Positions = {p: pos for p, pos in positions.items() if not p or p[0] != "environments"}
    for path, pos in positions.items():
        if path[:2] == prefix and len(path) > 2:
            merged_positions[path[2:]] = pos
    return merged, merged_positions


def environment_names(data) -> list[str]:
    envs = data.get("environments") if isinstance(data, dict) else None
    return sorted(envs) if isinstance(envs, dict) else []
