"""Toggl's Reports API v3: reports computed in the database, rendered as JSON, CSV and PDF."""

from trackgate.reports.app import REPORTS_PREFIX, create_reports_app

__all__ = ["REPORTS_PREFIX", "create_reports_app"]
