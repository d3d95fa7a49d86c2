"""Reading YAML input files (scenarios, games) safely: one parse gives the data and the node tree (for line
numbers); duplicate keys, binary files, absurd nesting and syntax errors become one-line ``ScenarioError``s naming
the file and line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from geoshift.errors import ScenarioError

MAX_DEPTH = 32  # input files nest a few levels; anything deeper is a mistake or an attack on the parser


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that rejects a key given twice in one mapping (YAML would keep the last silently)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} is given twice (lines {seen[key]} and {line}); keep one",
                    key_node.start_mark)
            seen[key] = line
        return super().construct_mapping(node, deep=deep)


_OPENS = (yaml.FlowSequenceStartToken, yaml.FlowMappingStartToken, yaml.BlockSequenceStartToken,
          yaml.BlockMappingStartToken)
_CLOSES = (yaml.FlowSequenceEndToken, yaml.FlowMappingEndToken, yaml.BlockEndToken)


def _check_depth(text: str, source: str) -> None:
    """Reject nesting deeper than MAX_DEPTH from the token stream (the parser itself would recurse and crash)."""
    depth = 0
    for token in yaml.scan(text, Loader=yaml.SafeLoader):
        if isinstance(token, _OPENS):
            depth += 1
            if depth > MAX_DEPTH:
                raise ScenarioError(f"{source}:{token.start_mark.line + 1}: the YAML nests deeper than {MAX_DEPTH} "
                                    f"levels; an input file needs a few")
        elif isinstance(token, _CLOSES):
            depth -= 1


def read_text(path: Path, what: str) -> str:
    """The text of an input file, or a one-line error (missing, unreadable, binary)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ScenarioError(f"{what} file {path} cannot be read ({exc.strerror or exc})") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"{path}: not a text file (byte {exc.start} is not UTF-8); a {what} file is YAML "
                            f"text") from None


def parse_yaml(text: str, source: str) -> tuple[Any, yaml.Node | None]:
    """The data and node tree of YAML ``text``; errors name ``source`` and the line."""
    try:
        loader = _UniqueKeyLoader(text)  # the reader rejects control characters here, before any parsing
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, max(exc.position, 0)) + 1
        code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "\0")
        raise ScenarioError(f"{source}:{line}: YAML error: the text holds the control character U+{code:04X}, which "
                            f"YAML does not allow; delete it") from None
    try:
        _check_depth(text, source)
        tree = loader.get_single_node()
        raw = loader.construct_document(tree) if tree is not None else None
    except RecursionError:
        raise ScenarioError(f"{source}: the YAML nests too deeply to read; an input file needs a few levels") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark is not None else source
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        label = "YAML error" if isinstance(exc, yaml.constructor.ConstructorError) else "YAML syntax error"
        raise ScenarioError(f"{where}: {label}: {problem}") from None
    finally:
        loader.dispose()
    return raw, tree


def line_of(node: yaml.Node | None, loc: tuple[int | str, ...]) -> int | None:
    """1-based line of the YAML node at pydantic location ``loc`` (as deep as the document goes)."""
    line = None if node is None else node.start_mark.line + 1
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            match = next(((k, v) for k, v in node.value if getattr(k, "value", None) == key), None)
            if match is None:
                return line
            line, node = match[0].start_mark.line + 1, match[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def path_text(loc: tuple[int | str, ...]) -> str:
    """``('shocks', 2, 'importers')`` -> ``shocks[2].importers``."""
    out = ""
    for key in loc:
        out += f"[{key}]" if isinstance(key, int) else (f".{key}" if out else str(key))
    return out
