"""Values to JSON-ready dicts and back, so the database can keep the compiled form of a
version and rebuild it without parsing the Markdown again."""

from __future__ import annotations

import dataclasses
import types
import typing
from functools import cache
from typing import Any, TypeVar

from .model import Course, Finding, Module, Scenario

T = TypeVar("T")


def to_json(obj: Any) -> Any:
    """A dataclass value as plain dicts, lists and scalars (private fields left out)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {
            f.name: to_json(getattr(obj, f.name))
            for f in dataclasses.fields(obj)
            if not f.name.startswith("_")
        }
    if isinstance(obj, (list, tuple)):
        return [to_json(v) for v in obj]
    if isinstance(obj, dict):
        return {str(k): to_json(v) for k, v in obj.items()}
    return obj


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _build(tp: Any, data: Any) -> Any:
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        hints = _hints(tp)
        kwargs = {
            f.name: _build(hints[f.name], data[f.name])
            for f in dataclasses.fields(tp)
            if f.init and not f.name.startswith("_") and f.name in data
        }
        return tp(**kwargs)
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_build(args[0], v) for v in data)
        return tuple(_build(a, v) for a, v in zip(args, data, strict=False))  # as stored
    if origin is dict:
        return {k: _build(args[1], v) for k, v in data.items()}
    if origin in (typing.Union, types.UnionType):
        # Optional[Dataclass] is the only union holding a structure; others are scalars
        for a in args:
            if dataclasses.is_dataclass(a) and isinstance(data, dict):
                return _build(a, data)
        return data
    return data


def _from_json(cls: type[T], data: dict[str, Any]) -> T:
    value: T = _build(cls, data)
    return value


def scenario_from_json(data: dict[str, Any]) -> Scenario:
    return _from_json(Scenario, data)


def module_from_json(data: dict[str, Any]) -> Module:
    return _from_json(Module, data)


def course_from_json(data: dict[str, Any]) -> Course:
    return _from_json(Course, data)


def finding_from_json(data: dict[str, Any]) -> Finding:
    return _from_json(Finding, data)
