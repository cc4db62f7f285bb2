"""The text `ecsship import` writes: a header saying where the manifest came from, the manifest in
ecsship's field order, and a commented list of what could not be mapped. Checked with the same
validator as `ecsship validate` before anyone writes it (`checked`)."""
from __future__ import annotations

import textwrap

import yaml

from ecsship.manifest.document import validate_saved

# Fields first in the order a reader looks for them (init's order); the rest keep theirs.
ORDER = ("service", "cluster", "region", "image", "container_name", "port", "count", "cpu", "memory", "architecture",
         "platform", "capacity", "network", "load_balancer", "environment", "secrets", "task_role", "permissions",
         "health_check", "stop_timeout", "execute_command", "scaling", "deploy", "logs", "observability", "tags", "environments")


def ordered(manifest: dict) -> dict:
    first = {k: manifest[k] for k in ORDER if k in manifest}
    return {**first, **{k: v for k, v in manifest.items() if k not in first}}


WIDTH = 100  # the project's text width; manifest/ may not import ui.width, hence textwrap here


def _comment(text: str, first: str = "# ", rest: str = "#   ") -> list[str]:
    """A comment within 100 columns, broken at a word; continuation lines indented under the text
    (a word longer than a line, such as an ARN, is kept whole: it stays copyable)."""
    return textwrap.wrap(text, WIDTH, initial_indent=first, subsequent_indent=rest, break_long_words=False,
                         break_on_hyphens=False) or [first.rstrip()]


def render(manifest: dict, source: str, unmapped: list[str], notes: list[str] = ()) -> str:
    lines = _comment(f"Imported by `ecsship import` from {source}.")
    lines += ["# Review it, then: ecsship validate -f FILE && ecsship plan --adopt -f FILE"]
    lines += [line for note in notes for line in _comment(note)]
    body = yaml.safe_dump(ordered(manifest), sort_keys=False, default_flow_style=False, allow_unicode=True, width=100)
    text = "\n".join(lines) + "\n" + body
    if unmapped:
        items = [line for item in unmapped for line in _comment(item, "#   - ", "#     ")]
        text += "\n# Not mapped (left as they are, or to carry over by hand):\n" + "".join(f"{line}\n" for line in items)
    else:
        text += "\n# Everything was mapped.\n"
    return text


def checked(text: str, label: str) -> list:
    """Validate the text exactly as `ecsship validate` would (schema and rules); the warnings.
    Raises ManifestError naming `label` when it does not validate."""
    return validate_saved(yaml.safe_load(text), label)
