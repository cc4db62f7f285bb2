"""Parse YAML into plain data plus the line/column of every node.

Composing nodes (instead of yaml.safe_load) gives us marks for every value and lets us
refuse what a plain loader would silently accept: duplicate keys, alias bombs, odd tags.
"""
from __future__ import annotations

import yaml
from yaml.constructor import SafeConstructor

from ecsship.errors import Problem

MAX_BYTES = 1024 * 1024
# A manifest has a few hundred nodes; this bounds alias expansion ("billion laughs").
MAX_NODES = 100_000
# A manifest is a few levels deep; ~900 nested lists hit Python's recursion limit (an "internal
# error"): far below that, say so clearly.
MAX_DEPTH = 64

Path = tuple  # of str | int
Positions = dict  # Path -> (line, column), both 1-based

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_PLAIN_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}


class YamlProblem(Exception):
    def __init__(self, problem: Problem):
        super().__init__(problem.render())
        self.problem = problem


def read_text(path: str, data: bytes, size: int | None = None) -> str:
    """Decode a manifest file, refusing what is not a small UTF-8 text file. `size`: the file's real
    size when only its beginning was read (a 39 MB file is reported as 39 MB, not as what was read)."""
    size = len(data) if size is None else size
    if size > MAX_BYTES:
        raise YamlProblem(Problem(path, None, None, "", f"file is {size:,} bytes; a manifest may be at most 1 MiB"))
    if b"\x00" in data:
        raise YamlProblem(Problem(path, None, None, "", "file looks binary (it contains NUL bytes); expected a YAML manifest"))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise YamlProblem(Problem(path, line, None, "", f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})", "save the file as UTF-8")) from None
    return text


def located(path: str, text: str, exc: yaml.MarkedYAMLError, what: str = "") -> Problem:
    """A YAML syntax error as one line at its file:line:column (PyYAML's own text spans several)."""
    mark = exc.problem_mark or exc.context_mark
    message = (exc.problem or "invalid YAML").strip()
    if exc.context:
        message = f"{exc.context.strip()}: {message}"
    source_line = text.splitlines()[mark.line] if mark and mark.line < len(text.splitlines()) else ""
    hint = "YAML does not allow tabs for indentation; use spaces" if mark and "\t" in source_line[: mark.column + 1] else None
    return Problem(path, mark.line + 1 if mark else None, mark.column + 1 if mark else None, "", what + message, hint)


def parse(path: str, text: str) -> tuple[object, Positions]:
    """Return (data, positions). Raises YamlProblem with a located message."""
    try:
        nodes = list(yaml.compose_all(text, Loader=_Loader))
    except yaml.MarkedYAMLError as exc:
        raise YamlProblem(located(path, text, exc)) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(Problem(path, None, None, "", f"invalid YAML: {exc}")) from None
    except RecursionError:
        raise YamlProblem(Problem(path, None, None, "", f"the document nests deeper than {MAX_DEPTH} levels",
                                  "a manifest is a few levels deep; flatten it")) from None
    nodes = [n for n in nodes if n is not None]
    if not nodes:
        raise YamlProblem(Problem(path, 1, 1, "", "the manifest is empty", "run `ecsship init` to write a starter manifest"))
    if len(nodes) > 1:
        second = nodes[1].start_mark
        raise YamlProblem(Problem(path, second.line + 1, 1, "", "the file holds more than one YAML document; a manifest is one document"))
    converter = _Converter(path)
    data = converter.convert(nodes[0], ())
    return data, converter.positions


class _Converter:
    def __init__(self, path: str):
        self.path = path
        self.positions: Positions = {}
        self.count = 0
        self.constructor = SafeConstructor()

    def _where(self, node) -> tuple[int, int]:
        return node.start_mark.line + 1, node.start_mark.column + 1

    def _fail(self, node, field: str, message: str, hint: str | None = None):
        line, col = self._where(node)
        raise YamlProblem(Problem(self.path, line, col, field, message, hint))

    def convert(self, node, path: Path):
        self.count += 1
        if self.count > MAX_NODES:
            self._fail(node, _dotted(path), f"the document expands to more than {MAX_NODES:,} values (a YAML alias bomb?)", "remove the anchors and aliases")
        if len(path) > MAX_DEPTH:
            self._fail(node, _dotted(path[:3]) + "...", f"the document nests deeper than {MAX_DEPTH} levels",
                       "a manifest is a few levels deep; flatten it")
        self.positions.setdefault(path, self._where(node))
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.convert(item, path + (i,)) for i, item in enumerate(node.value)]
        return self._scalar(node, path)

    def _mapping(self, node, path: Path) -> dict:
        result: dict = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self._fail(key_node, _dotted(path), "YAML merge keys (<<) are not supported", "write the fields out")
            if not isinstance(key_node, yaml.ScalarNode):
                self._fail(key_node, _dotted(path), "a key must be a plain string")
            key = key_node.value  # raw text: `on:` stays "on", never True
            if key in result:
                first = self.positions.get(path + (key,), (None, None))[0]
                self._fail(key_node, _dotted(path + (key,)), f"duplicate key '{key}' (first defined on line {first})")
            self.positions[path + (key,)] = self._where(key_node)
            result[key] = self.convert(value_node, path + (key,))
        return result

    def _scalar(self, node, path: Path):
        if node.tag in _PLAIN_TAGS:
            return self.constructor.construct_object(node, deep=True)
        if node.tag in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:binary"):
            return node.value  # keep the text; the schema decides what it may be
        self._fail(node, _dotted(path), f"unsupported YAML tag {node.tag}", "ecsship manifests use plain YAML values only")


def _dotted(path: Path) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


dotted = _dotted
