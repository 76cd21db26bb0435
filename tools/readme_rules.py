"""Regenerate the rule table in README.md from xlsx_reports/check/catalogue.py.

    python tools/readme_rules.py          # rewrite the block between the rules markers
"""
from pathlib import Path

from xlsx_reports.check.catalogue import update_readme

README = Path(__file__).resolve().parents[1] / "README.md"

if __name__ == "__main__":
    README.write_text(update_readme(README.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"updated {README}")
