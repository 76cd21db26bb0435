"""Tables derived once from a Form, for code that applies it to thousands of workbooks.

A Form is frozen plain data, so whatever is computed from it stays true for as long as the
object lives: each table is kept in the object's own __dict__, as functools.cached_property
keeps Form.fields, and goes with it.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, TypeVar

if TYPE_CHECKING:
    from xlsx_reports.form.model import Field, Form

T = TypeVar("T")


def derived(build: Callable[[Any], T]) -> Callable[[Any], T]:
    """build(obj), computed once per object (a Form, a Sheet, a Field)."""
    name = f"_derived_{build.__module__}.{build.__qualname__}"

    def table(obj: Any) -> T:
        kept = obj.__dict__
        found = kept.get(name, kept)
        if found is kept:
            found = kept[name] = build(obj)
        return found
    table.__doc__, table.__name__ = build.__doc__, build.__name__
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


@derived
def _input_keys(form: "Form") -> dict[tuple[str, ...], tuple[str, ...]]:
    return {}


def input_keys(form: "Form", keys: tuple[str, ...]) -> tuple[str, ...]:
    """The keys of input_leaves."""
    known = _input_keys(form)
    found = known.get(keys)
    if found is None:
        found = known[keys] = tuple(f.key for f in input_leaves(form, keys))
    return found
