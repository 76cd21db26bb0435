"""Remembering a pure function of bytes by its exact arguments.

Workbooks made from one template carry byte-identical parts (the workbook, its styles, the
prompts of every validation, each sheet around its cells): what such a part says is worked
out once per run, keyed by the bytes themselves — never by a file's name, size or date — so a
changed byte is read afresh. Memory stays bounded: a few hundred entries at most, and inputs
larger than a normal template's part (a hostile file's) are worked out but not kept.
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Callable, TypeVar

T = TypeVar("T")
MAX_BYTES = 256 << 10   # a template's largest part is ~100 KB (bytes or characters)


def remembered(keep: int = 16) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """fn(*args) for hashable, immutable args, the last `keep` distinct ones; callers must
    not change the results."""
    def decorate(fn: Callable[..., T]) -> Callable[..., T]:
        memory: OrderedDict[tuple, T] = OrderedDict()

        def wrapper(*args) -> T:
            if args in memory:
                memory.move_to_end(args)
                return memory[args]
            result = fn(*args)
            if sum(len(a) for a in args if isinstance(a, (bytes, str))) <= MAX_BYTES:
                memory[args] = result
                if len(memory) > keep:
                    memory.popitem(last=False)
            return result
        wrapper.__doc__, wrapper.__name__ = fn.__doc__, fn.__name__
        return wrapper
    return decorate
