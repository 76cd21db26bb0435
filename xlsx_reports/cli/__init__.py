"""The command line: translates arguments to library calls and findings to text and exit codes.

Each command lives in its own module and registers itself on `main`; add a module, import it here.
"""
from xlsx_reports.cli.base import main, main_entry
from xlsx_reports.cli import check, generate, merge, render, rules, serve, workspace  # noqa: F401  (registers the commands)

__all__ = ["main", "main_entry"]
