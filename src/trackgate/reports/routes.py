"""Reports API v3 routes (JSON answers): ``/workspace/{wid}/...`` under ``/reports/api/v3``.

Every report is a POST with a JSON body and answers as Toggl does; the work is in the report
modules, the spelling in :mod:`trackgate.reports.wire`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from starlette.responses import Response

from trackgate.reports import wire
from trackgate.reports.access import report_source
from trackgate.reports.bodies import ReportBody
from trackgate.reports.csv_export import group_title
from trackgate.reports.detailed import DEFAULT_PAGE_SIZE, Order, detailed_page, grouped_page
from trackgate.reports.names import load_names
from trackgate.reports.project_summary import one_project, project_users_summary
from trackgate.reports.summary import choose_groupings, reorder, summary_report
from trackgate.reports.totals import report_totals
from trackgate.reports.weekly import weekly_report
from trackgate.service.auth import Caller, current_caller
from trackgate.service.params import PathId
from trackgate.service.responses import TogglJSON

router = APIRouter(tags=["reports"], default_response_class=TogglJSON)
CallerDep = Annotated[Caller, Depends(current_caller)]
WORKSPACE = "/workspace/{workspace_id}"


def detailed_order(body: ReportBody) -> Order:
    by = body.order_by or "date"
    return Order(by="description" if by == "title" else by, descending=body.descending)


@router.post(WORKSPACE + "/search/time_entries")
def search_time_entries(caller: CallerDep, workspace_id: PathId, body: ReportBody) -> Response:
    """The detailed report, a page at a time (``X-Next-ID`` / ``X-Next-Row-Number``)."""
    page_size = body.page_size or DEFAULT_PAGE_SIZE
    with caller.runtime.db.read() as session:
        source = report_source(session, caller, workspace_id, body.filters())
        order = detailed_order(body)
        if body.grouped:
            page = grouped_page(session, source, order, page_size, body.first_row_number)
        else:
            page = detailed_page(
                session, source, order, page_size, body.first_id, body.first_row_number
            )
        names = load_names(session, workspace_id)
    rows = [
        wire.detailed_row(
            r,
            names,
            source.calendar,
            hide_amounts=body.hide_amounts,
            enrich=body.enrich_response,
        )
        for r in page.rows
    ]
    headers = {}
    if page.next_id is not None and page.next_row_number is not None:
        headers = {"X-Next-ID": str(page.next_id), "X-Next-Row-Number": str(page.next_row_number)}
    return TogglJSON(rows, headers=headers)


@router.post(WORKSPACE + "/search/time_entries/totals")
def search_totals(caller: CallerDep, workspace_id: PathId, body: ReportBody) -> Response:
    with caller.runtime.db.read() as session:
        source = report_source(session, caller, workspace_id, body.filters())
        totals = report_totals(session, source, body.granularity or body.resolution)
    return TogglJSON(wire.totals(totals, hide_amounts=body.hide_amounts))


@router.post(WORKSPACE + "/summary/time_entries")
def summary_time_entries(caller: CallerDep, workspace_id: PathId, body: ReportBody) -> Response:
    grouping, sub_grouping = choose_groupings(body.grouping, body.sub_grouping)
    with caller.runtime.db.read() as session:
        source = report_source(session, caller, workspace_id, body.filters())
        report = summary_report(
            session, source, grouping, sub_grouping, with_ids=body.include_time_entry_ids
        )
        order = body.summary_order()
        if order is not None:
            names = load_names(session, workspace_id)
            reorder(report, *order, lambda kind, i, t: group_title(kind, i, t, names))
    headers = {"X-Grouping": grouping, "X-Sub-Grouping": sub_grouping}
    return TogglJSON(wire.summary(report, with_ids=body.include_time_entry_ids), headers=headers)


@router.post(WORKSPACE + "/weekly/time_entries")
def weekly_time_entries(caller: CallerDep, workspace_id: PathId, body: ReportBody) -> Response:
    with caller.runtime.db.read() as session:
        source = report_source(session, caller, workspace_id, body.filters(default_days=7))
        report = weekly_report(session, source)
    return TogglJSON(wire.weekly(report, hide_amounts=body.hide_amounts))


@router.post(WORKSPACE + "/projects/summary")
def projects_summary(caller: CallerDep, workspace_id: PathId, body: ReportBody) -> Response:
    with caller.runtime.db.read() as session:
        source = report_source(session, caller, workspace_id, body.filters())
        rows = project_users_summary(session, source)
    return TogglJSON(wire.project_users(rows))


@router.post(WORKSPACE + "/projects/{project_id}/summary")
def project_summary(
    caller: CallerDep, workspace_id: PathId, project_id: PathId, body: ReportBody
) -> Response:
    with caller.runtime.db.read() as session:
        source = report_source(session, caller, workspace_id, body.filters())
        totals = report_totals(session, one_project(session, source, project_id), None)
    return TogglJSON(wire.totals(totals))
