"""Fills workbooks the way LibreOffice Calc leaves them: run with Debian's /usr/bin/python3
(the only Python that has `uno`), never imported by the tests themselves.

    /usr/bin/python3 lo_fill.py jobs.json

jobs.json: {"profile": "/tmp/...", "jobs": [{"in": path, "out": path, "ops": [...]}]}
ops (rows and columns 0-based, cells as A1):
    {"op": "set", "sheet": s, "cell": "D5", "value": 3}        a number, as typed
    {"op": "text", "sheet": s, "cell": "D5", "value": "12"}    a string (as a text-formatted cell)
    {"op": "clear", "sheet": s, "cell": "D5"}
    {"op": "unprotect", "sheet": s}
    {"op": "rename", "sheet": s, "to": t}
    {"op": "insert_rows", "sheet": s, "row": 10, "count": 1}   (also "delete_rows")
Ops that act as a person at the keyboard would, through the document's own view (the
dispatcher runs the commands LibreOffice binds to the keys):
    {"op": "type", "sheet": s, "cell": "B7", "text": "…", "then": "GoDown"}
        select the cell (without "cell": where the cursor is), type the text, press a key
    {"op": "moves", "sheet": s, "cell": "D5", "keys": ["GoRight", …], "record": name}
        select the cell, press each key, record where the cursor is after each
Pasting cannot be driven headless: .uno:PasteUnformatted (text/plain on the clipboard) and
the view's insertTransferable (text/html, as Word offers it) both crash LibreOffice 7.4.
    {"op": "validate", "sheet": s, "cell": "B7", "texts": […], "record": name}
        for each text: put it in the cell and let LibreOffice evaluate the cell's own
        validation formula (typing refusals are dialogs, which a headless office cannot show)
    {"op": "marks", "sheet": s, "cells": [...], "record": name}
        whether the cell's conditional formats are on now (LibreOffice evaluates them)
Recorded results are written to <jobs.json>.results.json.
Each workbook is recalculated (calculateAll) and saved as xlsx by LibreOffice itself
(a job may name another "filter", e.g. "MS Excel 97" for a real old .xls).
One soffice process serves the jobs (a fresh one after a crash on closing); each is started
here and ended here by its own pid.
"""
import json
import os
import subprocess
import sys
import time

import uno
from com.sun.star.beans import PropertyValue
from com.sun.star.connection import NoConnectException
from com.sun.star.lang import DisposedException
from com.sun.star.uno import RuntimeException


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def connect(pipe):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(120):
        try:
            ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            return ctx, ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        except NoConnectException:
            time.sleep(0.25)
    raise SystemExit("soffice did not start")


class Keyboard:
    """The document's view and the dispatcher that runs LibreOffice's key commands."""

    def __init__(self, remote, doc):
        self.doc, self.ctrl = doc, doc.getCurrentController()
        self.remote = remote
        self.dispatcher = remote.ServiceManager.createInstanceWithContext(
            "com.sun.star.frame.DispatchHelper", remote)

    def go(self, sheet, cell):
        self.ctrl.setActiveSheet(sheet)
        self.ctrl.select(sheet.getCellRangeByName(cell))

    def key(self, command, *args):
        self.dispatcher.executeDispatch(self.ctrl.Frame, ".uno:" + command, "", 0, tuple(args))

    def where(self):
        sel = self.ctrl.getSelection()
        a = sel.getCellAddress() if hasattr(sel, "getCellAddress") else sel.getRangeAddress()
        col, row = (a.Column, a.Row) if hasattr(a, "Column") else (a.StartColumn, a.StartRow)
        return cell_name(row, col)


def cell_name(row, col):
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row + 1}"


SPARE_ROW, SPARE_COL = 1999, 51    # AZ2000: far from every form cell


def evaluate(sheet, formula, shift=(0, 0)):
    """LibreOffice's value of a formula (API grammar, as seen from its first cell) at `shift`
    rows and columns from there: written into a spare cell, copied by the shift so that
    relative references move as they do over a conditional format's range."""
    spare = sheet.getCellByPosition(SPARE_COL, SPARE_ROW)
    spare.setFormula("=" + formula)
    there = sheet.getCellByPosition(SPARE_COL + shift[1], SPARE_ROW + shift[0])
    if shift != (0, 0):
        sheet.copyRange(there.getCellAddress(), spare.getRangeAddress())
    value = there.getValue()
    spare.setString("")
    there.setString("")
    return bool(value)


def keyboard_op(keyboard, doc, sheet, op, results):
    kind = op["op"]
    if kind == "type":
        if "cell" in op:
            keyboard.go(sheet, op["cell"])
        keyboard.key("EnterString", prop("StringName", op["text"]))
        if "then" in op:
            keyboard.key(op["then"])
    elif kind == "moves":
        keyboard.go(sheet, op["cell"])
        seen = []
        for key in op["keys"]:
            keyboard.key(key)
            seen.append(keyboard.where())
        results[op["record"]] = seen
    elif kind == "validate":
        cell = sheet.getCellRangeByName(op["cell"])
        formula = cell.Validation.getFormula1()
        seen = {}
        for text in op["texts"]:
            cell.setString(text)
            seen[text] = evaluate(sheet, formula)
        cell.setString("")
        results[op["record"]] = seen
    elif kind == "marks":
        doc.calculateAll()
        sheet.unprotect("")   # copying a formula (see evaluate) crashes on a protected sheet
        results[op["record"]] = {c: cell_marked(doc, sheet, c) for c in op["cells"]}
        sheet.protect("")
    else:
        return False
    return True


def cell_marked(doc, sheet, cell):
    """Whether any conditional format over the cell holds now (its formula is TRUE)."""
    target = sheet.getCellRangeByName(cell).getCellAddress()
    formats = sheet.ConditionalFormats.getConditionalFormats()
    for fmt in formats:
        ranges = fmt.Range.getRangeAddresses()
        if not any(r.StartColumn <= target.Column <= r.EndColumn and r.StartRow <= target.Row <= r.EndRow
                   for r in ranges):
            continue
        shift = (target.Row - ranges[0].StartRow, target.Column - ranges[0].StartColumn)
        for i in range(fmt.getCount()):
            entry = fmt.getByIndex(i)
            if entry.Formula1 and evaluate(sheet, entry.Formula1, shift):
                return True
    return False


def apply(doc, op, keyboard=None, results=None):
    sheets = doc.Sheets
    sheet = sheets.getByName(op["sheet"])
    kind = op["op"]
    if keyboard is not None and keyboard_op(keyboard, doc, sheet, op, results):
        return
    if kind == "unprotect":
        sheet.unprotect("")
    elif kind == "rename":
        sheet.Name = op["to"]
    elif kind == "insert_rows":
        sheet.unprotect("")
        sheet.Rows.insertByIndex(op["row"], op.get("count", 1))
    elif kind == "delete_rows":
        sheet.unprotect("")
        sheet.Rows.removeByIndex(op["row"], op.get("count", 1))
    else:
        cell = sheet.getCellRangeByName(op["cell"])
        if kind == "set":
            cell.setValue(op["value"])
        elif kind == "text":
            cell.setString(op["value"])
        elif kind == "clear":
            cell.setString("")
        else:
            raise SystemExit(f"unknown op {kind}")


def load(desktop, url):
    """The first load into a fresh profile sometimes returns nothing while the office is
    still setting the profile up: try again."""
    for _ in range(5):
        doc = desktop.loadComponentFromURL(url, "_blank", 0, (prop("Hidden", True),))
        if doc is not None:
            return doc
        time.sleep(1)
    raise SystemExit(f"LibreOffice could not open {url}")


class Office:
    """One soffice process, started and ended here by its own pid. After the view's key
    commands, LibreOffice 7.4 headless may crash while closing the saved document: the
    file is written by then, and the next job gets a fresh process."""

    def __init__(self, profile):
        self.profile, self.count = profile, 0
        self.start()

    def start(self):
        self.count += 1
        pipe = f"xlsxreports{os.getpid()}n{self.count}"
        self.process = subprocess.Popen(
            ["soffice", "--headless", "--invisible", "--norestore", "--nologo",
             f"-env:UserInstallation=file://{self.profile}", f"--accept=pipe,name={pipe};urp;"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.remote, self.desktop = connect(pipe)

    def close(self, doc):
        try:
            doc.close(True)
        except DisposedException:
            self.stop()
            self.start()

    def stop(self):
        try:
            self.desktop.terminate()
        except Exception:  # the bridge drops as soffice exits
            pass
        try:
            self.process.wait(timeout=30)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()


ATTEMPTS = 4   # view commands crash a headless LibreOffice 7.4 now and then


def run_job(office, job, results):
    url = uno.systemPathToFileUrl(os.path.abspath(job["in"]))
    doc = load(office.desktop, url)
    keyboard = Keyboard(office.remote, doc)
    for op in job["ops"]:
        apply(doc, op, keyboard, results)
    doc.calculateAll()
    out = uno.systemPathToFileUrl(os.path.abspath(job["out"]))
    doc.storeToURL(out, (prop("FilterName", job.get("filter", "Calc MS Excel 2007 XML")),))
    office.close(doc)


def main():
    spec = json.load(open(sys.argv[1], encoding="utf-8"))
    office = Office(spec["profile"])
    results = {}
    try:
        for job in spec["jobs"]:
            for attempt in range(ATTEMPTS):
                try:
                    run_job(office, job, results)
                    break
                except (DisposedException, RuntimeException) as exc:
                    print(f"{job['in']}: LibreOffice crashed ({exc}); again", file=sys.stderr)
                    if attempt == ATTEMPTS - 1:
                        raise
                    office.stop()
                    office.start()
        if results:
            with open(sys.argv[1] + ".results.json", "w", encoding="utf-8") as fh:
                json.dump(results, fh, ensure_ascii=False)
    finally:
        office.stop()


if __name__ == "__main__":
    main()
