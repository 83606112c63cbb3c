"""Safe YAML reading that remembers the line of every field.

Only plain data is built (PyYAML's safe constructor for scalars); aliases of
mappings and lists are refused, so a "billion laughs" file cannot exhaust
memory (an alias of a single scalar is harmless and allowed), and a key given
twice in one mapping is an error rather than silently overwritten.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import InputError
from .inputfile import read_input_text

LineMap = dict[tuple[Any, ...], int]


def read_yaml(path: str | Path) -> tuple[Any, LineMap]:
    """Read a YAML file; return its data and the 1-based line of each field path.

    Raises :class:`InputError` naming the file for any syntax problem, and
    when the path is not a regular readable file (see :mod:`.inputfile`).
    """
    text = read_input_text(path)
    return parse_yaml(text, str(path))


def parse_yaml(text: str, filename: str = "<string>") -> tuple[Any, LineMap]:
    """Parse YAML text into plain data and a map of field path to line."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        lines: LineMap = {}
        data = _build(node, (), lines, loader, filename, set()) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise InputError.single(filename, "", f"invalid YAML: {exc.problem}", line) from None
    except yaml.YAMLError as exc:
        raise InputError.single(filename, "", f"invalid YAML: {exc}") from None
    finally:
        loader.dispose()
    return data, lines


_PLAIN_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")
#: LibYAML's parser when PyYAML was built with it (much faster), else the pure-Python one.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _build(node: yaml.Node, path: tuple, lines: LineMap, loader: yaml.SafeLoader, filename: str, seen: set[int]) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
        # The composer turns an alias into a second reference to the anchored node: refuse it
        # before expanding anything, so a "billion laughs" file costs nothing.
        if id(node) in seen:
            raise InputError.single(filename, _dotted(path), "YAML aliases (*name) are not allowed", lines[path])
        seen.add(id(node))
    if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.tag not in _PLAIN_TAGS:
        raise InputError.single(filename, _dotted(path), f"invalid YAML: tag {node.tag!r} is not allowed (plain data only)", lines[path])
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise InputError.single(filename, _dotted(path), "YAML merge keys (<<) are not allowed", key_node.start_mark.line + 1)
            key = _build(key_node, path, {}, loader, filename, seen)
            if not isinstance(key, (str, int, float, bool)):
                raise InputError.single(filename, _dotted(path), "a mapping key must be a plain value", key_node.start_mark.line + 1)
            if key in out:
                raise InputError.single(filename, _dotted(path + (key,)), "key given twice", key_node.start_mark.line + 1)
            out[key] = _build(value_node, path + (key,), lines, loader, filename, seen)
            lines[path + (key,)] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, path + (i,), lines, loader, filename, seen) for i, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)


def _dotted(path: tuple) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


dotted_path = _dotted
