"""Cell formats of the workbook, created once per workbook and shared by every sheet.

Inputs are unlocked and shaded so a township sees at once where to type; everything
else is locked. One CJK-capable default font is set for the whole workbook.
"""
from __future__ import annotations

from typing import Any, Callable

FONT = "宋体"          # present on every Chinese Windows/WPS install; LibreOffice falls back to Noto CJK
FONT_SIZE = 11
INPUT_FILL = "#FFF2CC"     # pale yellow: type here
PREFILL_FILL = "#DDEBF7"   # pale blue: prefilled from last year, still editable
TOTAL_FILL = "#EDEDED"     # grey: computed, locked
FIXED_FILL = "#EDEDED"
FLAG_FILL = "#FFC7CE"      # red: violated rule / annotated cell
FLAG_FONT = "#9C0006"
TEXT_FLAG_FILL = "#F8CBAD"  # orange: a number typed as text

NUM_FORMATS = {"count": "0", "signed": "0", "money": "#,##0.00###", "date": "@",
               "phone": "@", "text": "@", "url": "@", "longtext": "@"}

BASE = {"font_name": FONT, "font_size": FONT_SIZE, "valign": "vcenter"}
BORDER = {"border": 1}
ROLE = {
    "title": {"bold": True, "font_size": 16, "align": "center", "text_wrap": True},
    "caption": {"bold": True, "align": "left", "text_wrap": True, "bg_color": "#F2F2F2", **BORDER},
    "header": {"bold": True, "align": "center", "text_wrap": True, "bg_color": "#F2F2F2", **BORDER},
    "row": {"align": "left", "text_wrap": True, **BORDER},
    "note": {"align": "center", "text_wrap": True, "font_size": 10, **BORDER},
    "hint": {"align": "left", "valign": "top", "text_wrap": True, "font_color": "#404040",
             "bg_color": "#F2F2F2", **BORDER},
}


class Styles:
    """Builds xlsxwriter formats from property dicts, one format object per distinct dict."""

    def __init__(self, workbook) -> None:
        self.workbook = workbook
        self._cache: dict[tuple, Any] = {}
        # label() and cell() by their arguments: asked per cell of a form and per row of a
        # merge's sheets, each building and sorting its properties took ~20 k instructions
        self._asked: dict[tuple, Any] = {}

    def _once(self, make: Callable[..., Any], *args: Any):
        """make(*args), worked out once: the same format object whenever it is asked again."""
        asked = (make.__name__, *args)
        found = self._asked.get(asked)
        if found is None:
            found = self._asked[asked] = make(*args)
        return found

    def get(self, **props: Any):
        merged = {**BASE, **props}
        key = tuple(sorted(merged.items()))
        if key not in self._cache:
            self._cache[key] = self.workbook.add_format(merged)
        return self._cache[key]

    def label(self, role: str, *, bordered: bool = True, flagged: bool = False):
        return self._once(self._label, role, bordered, flagged)

    def _label(self, role: str, bordered: bool, flagged: bool):
        props = dict(ROLE.get(role, ROLE["row"]))
        if not bordered:
            props.pop("border", None)
        if flagged:
            props.update(bg_color=FLAG_FILL, font_color=FLAG_FONT)
        return self.get(**props)

    def cell(self, kind: str, value_type: str, *, prefilled: bool = False,
             flagged: bool = False, bordered: bool = True):
        """An input, fixed, total or summed cell (a merged workbook's numeric input: locked and
        grey like a computed cell). Inputs are the only unlocked cells in the workbook."""
        return self._once(self._cell, kind, value_type, prefilled, flagged, bordered)

    def _cell(self, kind: str, value_type: str, prefilled: bool, flagged: bool, bordered: bool):
        # a number kept as text (an annotated copy) is a string in a number cell, so that the
        # corrected number typed over it is a number, not text again
        props: dict[str, Any] = {"num_format": NUM_FORMATS.get(value_type, "General")}
        if bordered:
            props.update(BORDER)
        if value_type == "longtext":
            props.update(text_wrap=True, valign="top", align="left")
        elif value_type in ("count", "signed", "money") and kind != "fixed":
            props.update(align="right")
        else:
            props.update(align="left", text_wrap=True)
        if kind == "input":
            props.update(locked=False, bg_color=PREFILL_FILL if prefilled else INPUT_FILL)
        else:
            props.update(locked=True, bg_color=TOTAL_FILL if kind == "total" else FIXED_FILL)
            if kind == "total":
                props.update(bold=True)
        if flagged:
            props.update(bg_color=FLAG_FILL, font_color=FLAG_FONT)
        return self.get(**props)

    def flag(self):
        """Conditional format for a violated rule (a dxf: fill and font only)."""
        return self.workbook.add_format({"bg_color": FLAG_FILL, "font_color": FLAG_FONT})

    def text_flag(self):
        return self.workbook.add_format({"bg_color": TEXT_FLAG_FILL, "font_color": FLAG_FONT})
