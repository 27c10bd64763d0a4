"""Frozen dataclasses that cost little to define.

``@dataclass(frozen=True)`` writes and compiles six methods for every class, and the SDK's
models, endpoint and policies are many small classes that differ only in their fields: that
compiling was a tenth of a command line's start. :func:`frozen` registers the fields as a
dataclass does (``dataclasses.fields``, ``replace``, ``asdict`` and type checkers see a
frozen dataclass) and the methods come from :class:`Frozen`, written once.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar, TypeVar, dataclass_transform

C = TypeVar("C", bound=type)


@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field,))
def frozen(cls: C) -> C:
    """``cls`` (a subclass of :class:`Frozen`) as a frozen dataclass: its fields are
    registered (``dataclasses.fields``, ``replace`` and ``asdict`` work) and its methods are
    :class:`Frozen`'s."""
    dataclasses.dataclass(init=False, repr=False, eq=False)(cls)
    fields = dataclasses.fields(cls)
    shape: Any = cls
    shape._field_names = tuple(f.name for f in fields)
    shape._compared = tuple(f.name for f in fields if f.compare)
    shape._shown = tuple(f.name for f in fields if f.repr)
    shape._defaults = {
        f.name: f.default if f.default is not dataclasses.MISSING else f.default_factory
        for f in fields
        if f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING
    }
    shape._factories = frozenset(
        f.name for f in fields if f.default_factory is not dataclasses.MISSING
    )
    return cls


class Frozen:
    """``__init__``, ``__eq__``, ``__hash__``, ``__repr__`` and the frozen ``__setattr__`` of
    a frozen dataclass, written once for every class :func:`frozen` makes."""

    _field_names: ClassVar[tuple[str, ...]]
    _compared: ClassVar[tuple[str, ...]]
    _shown: ClassVar[tuple[str, ...]]
    _defaults: ClassVar[dict[str, Any]]
    _factories: ClassVar[frozenset[str]]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        names = self._field_names
        if len(args) > len(names):
            raise TypeError(f"{type(self).__name__}() takes {len(names)} positional arguments")
        values = dict(zip(names, args, strict=False))
        for name, value in kwargs.items():
            if name not in names:
                raise TypeError(f"{type(self).__name__}() got an unexpected argument {name!r}")
            if name in values:
                raise TypeError(f"{type(self).__name__}() got {name!r} twice")
            values[name] = value
        for name in names:
            if name not in values:
                if name not in self._defaults:
                    raise TypeError(f"{type(self).__name__}() is missing {name!r}")
                default = self._defaults[name]
                values[name] = default() if name in self._factories else default
            object.__setattr__(self, name, values[name])

    def __setattr__(self, name: str, value: Any) -> None:
        raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return all(getattr(self, n) == getattr(other, n) for n in self._compared)

    def __hash__(self) -> int:
        return hash(tuple(getattr(self, n) for n in self._compared))

    def __repr__(self) -> str:
        shown = ", ".join(f"{n}={getattr(self, n)!r}" for n in self._shown)
        return f"{type(self).__qualname__}({shown})"
