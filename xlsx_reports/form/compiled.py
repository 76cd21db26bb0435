"""Tables derived once from a Form, for code that applies it to thousands of workbooks.

A Form is frozen plain data, so whatever is computed from it stays true for as long as the
object lives: the tables are kept per object (by identity, with a reference to it, so the
identity is never reused while its table is kept). The forms are the few built by
definitions and legacy, so the tables stay few.
"""
from __future__ import annotations

from functools import wraps
from typing import TYPE_CHECKING, Any, Callable, TypeVar

if TYPE_CHECKING:
    from xlsx_reports.form.model import Field, Form

T = TypeVar("T")
_TABLES: dict[tuple[str, int], tuple[object, Any]] = {}


def derived(build: Callable[[Any], T]) -> Callable[[Any], T]:
    """build(obj), computed once per object (a Form, a Sheet)."""
    name = build.__qualname__

    @wraps(build)
    def table(obj: Any) -> T:
        entry = _TABLES.get((name, id(obj)))
        if entry is None:
            entry = _TABLES[(name, id(obj))] = (obj, build(obj))
        return entry[1]
    return table


Combination = tuple[tuple[str, int], ...]


@derived
def _combinations(form: "Form") -> dict[tuple[str, ...], Combination]:
    return {}


def combination(form: "Form", terms: tuple[str, ...]) -> Combination:
    """Σ terms (a leading "-" subtracts, a total stands for its own terms) as (input key,
    coefficient) pairs, in the order the inputs first appear; a key cancelled out keeps its
    coefficient 0, so a sum of decimals keeps their places as the term-by-term sum does."""
    known = _combinations(form)
    found = known.get(terms)
    if found is None:
        coef: dict[str, int] = {}
        for term in terms:
            sign = -1 if term.startswith("-") else 1
            f = form.field(term)
            parts = combination(form, f.terms) if f.kind == "total" else ((f.key, 1),)
            for key, c in parts:
                coef[key] = coef.get(key, 0) + sign * c
        found = known[terms] = tuple(coef.items())
    return found


@derived
def _leaves(form: "Form") -> dict[tuple[str, ...], tuple["Field", ...]]:
    return {}


def input_leaves(form: "Form", keys: tuple[str, ...]) -> tuple["Field", ...]:
    """The input cells behind keys, each once, in order: a total stands for the inputs it sums."""
    known = _leaves(form)
    found = known.get(keys)
    if found is None:
        out: dict[str, Field] = {}
        for key in keys:
            f = form.field(key)
            if f.kind == "total":
                out.update((g.key, g) for g in input_leaves(form, f.terms))
            else:
                out[f.key] = f
        found = known[keys] = tuple(out.values())
    return found
