"""Default Jinja2 templates of the published report (installed as xlsx_reports.templates)."""
