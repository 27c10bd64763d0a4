"""A Toggl Reports API v3 client written the way open-source Toggl libraries call it: POST a
JSON body with Basic ``token:api_token`` to ``{base}/reports/api/v3/workspace/{wid}/...``,
and follow ``X-Next-ID`` / ``X-Next-Row-Number`` into ``first_id`` / ``first_row_number``
until the headers are gone. Only the base URL says which server it talks to."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import httpx


class TogglReports:
    def __init__(self, http: httpx.Client, base_url: str, api_token: str, workspace_id: int):
        self.http = http
        self.root = f"{base_url.rstrip('/')}/reports/api/v3/workspace/{workspace_id}"
        # The header itself, not an auth object: the same client runs over httpx and over the
        # test client's transport, whichever HTTP library that is.
        credentials = base64.b64encode(f"{api_token}:api_token".encode()).decode()
        self.authorization = f"Basic {credentials}"

    def _post(self, path: str, body: dict[str, Any]) -> httpx.Response:
        response = self.http.post(
            f"{self.root}/{path}",
            json=body,
            headers={
                "Authorization": self.authorization,
                "Content-Type": "application/json",
                "User-Agent": "toggl-reports-test",
            },
        )
        response.raise_for_status()
        return response

    def detailed(self, start_date: str, end_date: str, page_size: int = 50) -> Iterator[Any]:
        body: dict[str, Any] = {
            "start_date": start_date,
            "end_date": end_date,
            "page_size": page_size,
        }
        while True:
            response = self._post("search/time_entries", body)
            yield from response.json()
            next_id = response.headers.get("X-Next-ID")
            if not next_id:
                return
            body["first_id"] = int(next_id)
            body["first_row_number"] = int(response.headers["X-Next-Row-Number"])

    def totals(self, start_date: str, end_date: str) -> Any:
        body = {"start_date": start_date, "end_date": end_date, "with_graph": True}
        return self._post("search/time_entries/totals", body).json()

    def summary(self, start_date: str, end_date: str, grouping: str = "projects") -> Any:
        body = {"start_date": start_date, "end_date": end_date, "grouping": grouping}
        return self._post("summary/time_entries", body).json()

    def weekly(self, start_date: str) -> Any:
        return self._post("weekly/time_entries", {"start_date": start_date}).json()

    def export(self, report: str, extension: str, start_date: str, end_date: str) -> bytes:
        body = {"start_date": start_date, "end_date": end_date}
        return self._post(f"{report}/time_entries.{extension}", body).content
