"""Model objects as plain JSON and back, and the cache of text the check stage is handed.

A build keeps what slow, pure steps made (a parsed file, a checked event, an article) as
text in the result store (incremental/store.py), which holds no code and no pickles:
reading it back can only make values, never run anything. A dataclass is written as the
list of its fields in order, a `Where` as its `parts`, a `Location` as a list; reading
follows the type annotations. Positional lists are small and quick to read; the store
keeps nothing made by other code (see `store.version`), so a field added or moved never
meets a list written before it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import types
from collections.abc import Callable
from operator import attrgetter
from typing import Any, Literal, Protocol, TypeVar, Union, cast, get_args, get_origin, get_type_hints

from .errors import Location, Where

T = TypeVar("T")
Decoder = Callable[[Any], Any]


class TextCache(Protocol):
    """Text values by (step, key), where a key is a digest of everything the value was
    made from: the result store, or a `MemoryCache`."""

    def get(self, step: str, key: str) -> str | None: ...

    def get_many(self, step: str, keys: list[str]) -> dict[str, str]:
        """{key: value} of those of `keys` it holds."""
        ...

    def prefetch(self, step: str, keys: list[str]) -> None:
        """Ready `keys` for `get`, read together: many lookups one by one are slow."""
        ...

    def put(self, step: str, key: str, value: str) -> None: ...

    def decode(self, kind: Any, text: str) -> Any:
        """`loads(kind, text)`; a cache that lives for many builds may remember it."""
        ...

    def remember(self, key: tuple[Any, ...], make: Callable[[], T]) -> T:
        """`make()`, which `key` (digests of all it reads) determines: a cache that lives
        for many builds in one process may return what it made before."""
        ...


class MemoryCache:
    """A `TextCache` that lives as long as one build, for a build without a store; it
    reads through to the cache `under` it, if any."""

    def __init__(self, under: TextCache | None = None) -> None:
        self.made: dict[tuple[str, str], str] = {}
        self.under = under

    def get(self, step: str, key: str) -> str | None:
        found = self.made.get((step, key))
        return found if found is not None or self.under is None else self.under.get(step, key)

    def get_many(self, step: str, keys: list[str]) -> dict[str, str]:
        return {key: value for key in keys if (value := self.get(step, key)) is not None}

    def prefetch(self, step: str, keys: list[str]) -> None:
        if self.under is not None:
            self.under.prefetch(step, keys)

    def put(self, step: str, key: str, value: str) -> None:
        self.made[step, key] = value

    def decode(self, kind: Any, text: str) -> Any:
        return loads(kind, text)

    def remember(self, key: tuple[Any, ...], make: Callable[[], T]) -> T:
        return make()


def digest(*parts: str) -> str:
    """SHA-256 of the parts (each ended by a NUL, so that ('ab', 'c') is not ('a', 'bc'))."""
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.hexdigest()


def key_of(value: Any) -> str:
    """A digest of everything `value` holds: the key of what is made from it alone."""
    return digest(dumps(value))


# -- writing -------------------------------------------------------------------------------

def dumps(value: Any) -> str:
    """`value` (model objects, tuples, lists, dicts of str keys, str, numbers, None) as
    JSON text: `json.dumps(to_plain(value))`, made in one pass of the C encoder."""
    return json.dumps(value, default=_fields, separators=(",", ":"), check_circular=False)


def to_plain(value: Any) -> Any:
    """`value` as lists, dicts, str, numbers and None (what `dumps` writes)."""
    if value is None or isinstance(value, (str, int, float)):
        return value
    if isinstance(value, (tuple, list)):  # a Location too
        return [to_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: to_plain(v) for k, v in value.items()}
    return to_plain(_fields(value))


_GETTERS: dict[type, Callable[[Any], Any]] = {Where: Where.parts}


def _fields(value: Any) -> Any:
    """A model object's plain stand-in: its fields in order (or, for Where, its parts)."""
    kind = type(value)
    get = _GETTERS.get(kind)
    if get is None:
        if not dataclasses.is_dataclass(kind):
            raise TypeError(f"{kind.__name__} has no plain form")
        names = [f.name for f in dataclasses.fields(kind)]
        get = _GETTERS[kind] = attrgetter(*names) if len(names) > 1 else \
            (lambda v: (getattr(v, names[0]),))
    return get(value)


# -- reading -------------------------------------------------------------------------------

def loads(kind: type[T] | Any, text: str) -> Any:
    """The value of type `kind` (a class, or a form such as `tuple[Event | None, ...]`)
    that `dumps` wrote as `text`."""
    return decoder(kind)(json.loads(text))


def from_plain(kind: type[T], data: Any) -> T:
    """The `kind` whose plain form (see `to_plain`) is `data`."""
    return cast(T, decoder(kind)(data))


_DECODERS: dict[Any, Decoder] = {}


def decoder(kind: Any) -> Decoder:
    """A function from the plain form of a `kind` to a `kind`, made once per type."""
    found = _DECODERS.get(kind)
    if found is None:
        found = _DECODERS[kind] = _made(kind) or _same
    return found


def _same(value: Any) -> Any:
    return value


def _made(kind: Any) -> Decoder | None:
    """The decoder of `kind`; None where the plain value is the value (str, int, ...)."""
    if kind in (str, int, float, bool, type(None), Any):
        return None
    if kind is Location:
        return lambda v: Location(*v)
    if kind is Where:
        return lambda v: Where.of_parts(*v)
    origin, args = get_origin(kind), get_args(kind)
    if origin is Literal:
        return None
    if origin in (Union, types.UnionType):
        others = [a for a in args if a is not type(None)]
        if len(others) != 1:
            raise TypeError(f"no plain form for {kind}")
        inner = _made(others[0])
        return None if inner is None else (lambda v: None if v is None else inner(v))
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        item = _made(args[0])
        return tuple if item is None else (lambda v: tuple(map(item, v)))
    if origin in (tuple, list):
        items = [decoder(a) for a in args]
        return lambda v: origin([d(x) for d, x in zip(items, v)])
    if origin is dict:
        value = _made(args[1])
        return None if value is None else (lambda v: {k: value(x) for k, x in v.items()})
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        return _dataclass(kind)
    raise TypeError(f"no plain form for {kind}")


def _dataclass(kind: type) -> Decoder:
    """Calls the class with its fields, each read by its annotation."""
    hints = get_type_hints(kind)
    fields = dataclasses.fields(kind)
    if any(not f.init for f in fields):
        raise TypeError(f"{kind.__name__} cannot be made from its fields")
    made = [(n, _made(hints[f.name])) for n, f in enumerate(fields)]
    steps = [(n, d) for n, d in made if d is not None]
    if not steps:
        return lambda v: kind(*v)

    def read(v: list[Any]) -> Any:  # a list json.loads made: changed in place
        for n, d in steps:
            v[n] = d(v[n])
        return kind(*v)

    return read
