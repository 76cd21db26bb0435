"""Remembering a pure function of bytes by its exact arguments.

Workbooks made from one template carry byte-identical parts (the workbook, its styles, the
prompts of every validation): what such a part says is worked out once per run, keyed by the
bytes themselves — never by a file's name, size or date — so a changed byte is read afresh.
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Callable, TypeVar

T = TypeVar("T")
KEEP = 16   # distinct inputs remembered per function (a few templates, writers and versions)


def remembered(fn: Callable[..., T]) -> Callable[..., T]:
    """fn(*args) for hashable, immutable args; results must not be changed by callers."""
    memory: OrderedDict[tuple, T] = OrderedDict()

    def wrapper(*args) -> T:
        if args in memory:
            memory.move_to_end(args)
            return memory[args]
        result = memory[args] = fn(*args)
        if len(memory) > KEEP:
            memory.popitem(last=False)
        return result
    wrapper.__doc__, wrapper.__name__ = fn.__doc__, fn.__name__
    return wrapper
