"""Remembering a pure function of bytes by its exact arguments.

Workbooks made from one template carry byte-identical parts (the workbook, its styles, the
prompts of every validation, each sheet around its cells): what such a part says is worked
out once per run, keyed by the bytes themselves — never by a file's name, size or date — so a
changed byte is read afresh. Memory stays bounded: a few hundred entries at most, and inputs
larger than a normal template's part (a hostile file's) are worked out but not kept.
"""
from __future__ import annotations

from collections import OrderedDict
from operator import is_
from typing import Any, Callable, Hashable, TypeVar

T = TypeVar("T")
MAX_BYTES = 256 << 10   # a template's largest part is ~100 KB (bytes or characters)


def remembered(keep: int = 16) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """fn(*args) for hashable, immutable args, the last `keep` distinct ones; callers must
    not change the results."""
    def decorate(fn: Callable[..., T]) -> Callable[..., T]:
        memory: OrderedDict[tuple, T] = OrderedDict()

        def wrapper(*args) -> T:
            found = memory.get(args, _MISSING)
            if found is not _MISSING:
                touch(memory, args)
                return found
            result = fn(*args)
            if sum(len(a) for a in args if isinstance(a, (bytes, str))) <= MAX_BYTES:
                keep_entry(memory, args, result, keep)
            return result
        wrapper.__doc__, wrapper.__name__ = fn.__doc__, fn.__name__
        return wrapper
    return decorate


_MISSING: Any = object()


def touch(memory: OrderedDict, key: Hashable) -> None:
    """Marks an entry as just used. Without a lock (a reading thread never waits for another),
    another thread may have evicted it since it was found: then it is simply worked out again
    next time (move_to_end raised KeyError, which a limits scan took for a damaged file)."""
    try:
        memory.move_to_end(key)
    except KeyError:
        pass


def keep_entry(memory: OrderedDict, key: Hashable, value: Any, keep: int) -> None:
    """Stores an entry and evicts the least recently used beyond `keep`, however many threads
    evict at once."""
    memory[key] = value
    while len(memory) > keep:
        try:
            memory.popitem(last=False)
        except KeyError:   # emptied by another thread meanwhile
            break


class ByIdentity:
    """Values worked out from objects that a run meets again as the very same objects (what
    is remembered of a template: its plans, frames, walks), kept by those objects' identity:
    no hash of their contents. Each entry holds its objects, so no other object takes their id
    meanwhile; forgotten all at once beyond `keep` (no lock needed)."""
    __slots__ = ("keep", "table")

    def __init__(self, keep: int) -> None:
        self.keep = keep
        self.table: dict[tuple[int, ...], tuple[tuple, Any]] = {}

    def get(self, *objects: Any) -> Any:
        """The value kept for exactly these objects, or None."""
        kept = self.table.get(tuple(map(id, objects)))
        if kept is None or not all(map(is_, kept[0], objects)):
            return None
        return kept[1]

    def put(self, value: Any, *objects: Any) -> None:
        if len(self.table) >= self.keep:
            self.table.clear()
        self.table[tuple(map(id, objects))] = (objects, value)
