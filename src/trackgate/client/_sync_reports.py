# Generated from the _async_ twin by `python -m trackgate.client._unasync`: do not edit.
# ruff: noqa: UP028
"""Reports API v3: detailed rows with header paging, summary, weekly, exports."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import httpx

from trackgate.client import payloads
from trackgate.client._core import decode
from trackgate.client._sync_resource import _Resource
from trackgate.client.models import ReportRow, parse_list


class Reports(_Resource):
    """Reports API v3 (``/reports/api/v3/workspace/{wid}/...``)."""

    def _post(self, workspace_id: int, path: str, body: dict[str, Any]) -> httpx.Response:
        url = f"{self._client.endpoint.reports_url}/workspace/{workspace_id}{path}"
        return self._client.send("POST", url, json=body)

    def detailed(
        self,
        workspace_id: int,
        start_date: date | str,
        end_date: date | str,
        *,
        page_size: int = 50,
        **filters: Any,
    ) -> Iterator[ReportRow]:
        """Every detailed row, following ``X-Next-ID``/``X-Next-Row-Number`` until absent."""
        body = payloads.report_filters(start_date, end_date, page_size=page_size, **filters)
        while True:
            response = self._post(workspace_id, "/search/time_entries", body)
            for row in parse_list(ReportRow, decode(response)):
                yield row
            next_id = response.headers.get("x-next-id")
            next_row = response.headers.get("x-next-row-number")
            if not next_id or not next_row:
                return
            body = {**body, "first_id": int(next_id), "first_row_number": int(next_row)}

    def summary(
        self,
        workspace_id: int,
        start_date: date | str,
        end_date: date | str,
        *,
        grouping: str = "projects",
        sub_grouping: str | None = None,
        **filters: Any,
    ) -> dict[str, Any]:
        """``{"groups": [{"id", "sub_groups": [...]}]}`` as Toggl answers it."""
        body = payloads.report_filters(
            start_date, end_date, grouping=grouping, sub_grouping=sub_grouping, **filters
        )
        answer: dict[str, Any] = decode(
            self._post(workspace_id, "/summary/time_entries", body)
        ) or {"groups": []}
        return answer

    def weekly(
        self, workspace_id: int, start_date: date | str, end_date: date | str, **filters: Any
    ) -> list[dict[str, Any]]:
        """Weekly rows, ``seconds`` as seven day totals."""
        body = payloads.report_filters(start_date, end_date, **filters)
        rows: list[dict[str, Any]] = (
            decode(self._post(workspace_id, "/weekly/time_entries", body)) or []
        )
        return rows

    def export(
        self,
        workspace_id: int,
        report: str,
        fmt: str,
        start_date: date | str,
        end_date: date | str,
        **filters: Any,
    ) -> bytes:
        """A report file: ``report`` search|summary|weekly, ``fmt`` csv|pdf."""
        paths = {
            "search": "/search/time_entries",
            "summary": "/summary/time_entries",
            "weekly": "/weekly/time_entries",
        }
        if report not in paths or fmt not in ("csv", "pdf"):
            raise ValueError("report is search, summary or weekly; fmt is csv or pdf")
        body = payloads.report_filters(start_date, end_date, **filters)
        response = self._post(workspace_id, f"{paths[report]}.{fmt}", body)
        return response.content
