"""The web page (`serve`): the district's status table and uploads, each township's private
upload page, and a small JSON API, over one workspace's ledger.

    from xlsx_reports.web import create_app, Site
    app = create_app(Site.open("工作区/", password=None))
"""
from xlsx_reports.web.app import create_app
from xlsx_reports.web.site import Site

__all__ = ["create_app", "Site"]
