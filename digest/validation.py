"""YAML documents validated against typed models, with errors that point at a line.

Config and front matter are both YAML checked against typed records (`schema.py`), which
report where a problem is as a key path (`topics.0.keywords`); users need `config.yaml:12`. This
module keeps PyYAML's node tree beside the parsed data so any key path can be turned
back into the line where the user wrote it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml

from digest import schema
from digest.errors import DigestError

M = TypeVar("M")

_FAST: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml parses valid YAML several times faster; its error wording differs, so any
error is reported by re-parsing with the pure-Python loader the messages were written
for."""


class YamlDocument:
    """Parsed YAML plus the node tree it came from, for mapping key paths to lines."""

    def __init__(self, text: str, path: Path, first_line: int = 1) -> None:
        self.path = path
        self.first_line = first_line
        try:
            self.node = yaml.compose(text, Loader=_FAST)
        except (yaml.YAMLError, RecursionError):
            self.node = self._compose_slowly(text)
        if self.node is not None:
            self._reject_duplicate_keys(self.node, set())
        try:
            # What yaml.load does after composing (_FAST is a safe loader), without
            # parsing the text a second time; except with a merge key (`<<: *base`),
            # whose construction rewrites the node tree that errors take lines from.
            node = self.node
            if "<<" in text:
                self.data: Any = yaml.load(text, Loader=_FAST)
            else:
                self.data = None if node is None else _FAST("").construct_document(node)
        except Exception:  # any failure: the slow path explains it
            self.data = self._construct(text)

    def _compose_slowly(self, text: str) -> Any:
        first_line, path = self.first_line, self.path
        try:
            return yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = None if mark is None else first_line + mark.line
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            raise DigestError(f"invalid YAML: {problem}", path, line) from None
        except RecursionError:
            raise DigestError("invalid YAML: nested too deeply", path, first_line) from None

    def _construct(self, text: str) -> Any:
        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = None if mark is None else self.first_line + mark.line
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            raise DigestError(f"invalid YAML: {problem}", self.path, line) from None
        except RecursionError:
            raise DigestError(
                "invalid YAML: nested too deeply", self.path, self.first_line
            ) from None
        except (ValueError, TypeError, AttributeError, OverflowError):
            # PyYAML's constructors raise plain errors for values that look typed but are
            # not real: `2022-02-30`, `!!int x`. Find the scalar to name its line.
            raise self._bad_scalar() from None

    def _bad_scalar(self) -> DigestError:
        constructor = yaml.SafeLoader("")
        kinds = {"timestamp": "date", "int": "integer", "float": "number"}
        for node in _scalars(self.node):
            try:
                constructor.construct_object(node, deep=True)
            except (ValueError, TypeError, AttributeError, OverflowError) as exc:
                kind = kinds.get(node.tag.rsplit(":", 1)[-1], "value")
                line = self.first_line + node.start_mark.line
                why = f" ({exc})" if kind == "date" and isinstance(exc, ValueError) else ""
                return DigestError(f"'{node.value}' is not a valid {kind}{why}", self.path, line)
        return DigestError("invalid YAML value", self.path, self.first_line)

    def line_of(self, loc: tuple[int | str, ...]) -> int | None:
        """The line of the deepest node along `loc` that exists (1-based, file lines)."""
        node = self.node
        if node is None:
            return None
        line: int = node.start_mark.line
        for part in loc:
            child = None
            if isinstance(node, yaml.MappingNode):
                for key, value in node.value:
                    if key.value == str(part):
                        child, line = value, key.start_mark.line
                        break
            elif (
                isinstance(node, yaml.SequenceNode)
                and isinstance(part, int)
                and 0 <= part < len(node.value)
            ):
                child = node.value[part]
                line = child.start_mark.line
            if child is None:
                break
            node = child
        return self.first_line + line

    def _reject_duplicate_keys(self, node: yaml.Node, seen_nodes: set[int]) -> None:
        # PyYAML silently keeps the last of two equal keys; a user almost never means that.
        # Aliases make the node tree a graph (even a cycle): visit each node once.
        if id(node) in seen_nodes:
            return
        seen_nodes.add(id(node))
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key, value in node.value:
                if key.value in seen:
                    line = self.first_line + key.start_mark.line
                    raise DigestError(f"duplicate key '{key.value}'", self.path, line)
                seen.add(key.value)
                self._reject_duplicate_keys(value, seen_nodes)
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                self._reject_duplicate_keys(item, seen_nodes)

    def validate(self, model: type[M], data: Any = None, what: str = "") -> M:
        """Build the record `model` from the document, or raise a DigestError at the
        offending line."""
        data = self.data if data is None else data
        if data is None:
            data = {}
        if not isinstance(data, dict):
            kind = type(data).__name__
            msg = f"{what or 'document'} must be a mapping of keys to values, not a {kind}"
            raise DigestError(msg, self.path, self.first_line)
        try:
            return schema.parse(model, data)
        except schema.Invalid as exc:
            raise self._error(model, exc.problems) from None

    def _error(self, model: type[Any], problems: list[schema.Problem]) -> DigestError:
        # An unknown key usually explains a "missing" one next to it (a typo), so say it first.
        problems = sorted(problems, key=lambda p: p.kind != "unknown")
        first = problems[0]
        key = _dotted(first.loc)
        if first.kind == "unknown":
            allowed = ", ".join(schema.fields_at(model, first.loc[:-1]))
            message = f"unknown key '{key}'; expected one of: {allowed}"
        elif first.kind == "missing":
            message = f"missing required key '{key}'"
        else:
            message = f"'{key}': {first.message}" if key else first.message
        more = len(problems) - 1
        if more:
            message += f" (and {more} more problem{'s' if more > 1 else ''})"
        return DigestError(message, self.path, self.line_of(first.loc))


def _scalars(root: yaml.Node | None) -> list[yaml.ScalarNode]:
    """Every scalar node once, in document order (aliases may share or loop)."""
    found: list[yaml.ScalarNode] = []
    seen: set[int] = set()
    stack = [] if root is None else [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            found.append(node)
        elif isinstance(node, yaml.MappingNode):
            stack.extend(n for pair in reversed(node.value) for n in reversed(pair))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(reversed(node.value))
    return found


def _dotted(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def line_in_file(path: Path, loc: tuple[int | str, ...]) -> int | None:
    """The line of key path `loc` in a YAML file already validated once (for warnings)."""
    try:
        return YamlDocument(path.read_text(encoding="utf-8-sig"), path).line_of(loc)
    except (OSError, UnicodeDecodeError, DigestError):
        return None
