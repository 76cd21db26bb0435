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
Each workbook is recalculated (calculateAll) and saved as xlsx by LibreOffice itself
(a job may name another "filter", e.g. "MS Excel 97" for a real old .xls).
One soffice process serves all jobs; it is started here and ended here by its own pid.
"""
import json
import os
import subprocess
import sys
import time

import uno
from com.sun.star.beans import PropertyValue
from com.sun.star.connection import NoConnectException


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
            return ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        except NoConnectException:
            time.sleep(0.25)
    raise SystemExit("soffice did not start")


def apply(doc, op):
    sheets = doc.Sheets
    sheet = sheets.getByName(op["sheet"])
    kind = op["op"]
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


def main():
    spec = json.load(open(sys.argv[1], encoding="utf-8"))
    pipe = f"xlsxreports{os.getpid()}"
    office = subprocess.Popen(
        ["soffice", "--headless", "--invisible", "--norestore", "--nologo",
         f"-env:UserInstallation=file://{spec['profile']}", f"--accept=pipe,name={pipe};urp;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        desktop = connect(pipe)
        for job in spec["jobs"]:
            url = uno.systemPathToFileUrl(os.path.abspath(job["in"]))
            doc = desktop.loadComponentFromURL(url, "_blank", 0, (prop("Hidden", True),))
            for op in job["ops"]:
                apply(doc, op)
            doc.calculateAll()
            out = uno.systemPathToFileUrl(os.path.abspath(job["out"]))
            doc.storeToURL(out, (prop("FilterName", job.get("filter", "Calc MS Excel 2007 XML")),))
            doc.close(True)
        try:
            desktop.terminate()
        except Exception:  # the bridge drops as soffice exits
            pass
        office.wait(timeout=30)
    finally:
        if office.poll() is None:
            office.kill()
            office.wait()


if __name__ == "__main__":
    main()
