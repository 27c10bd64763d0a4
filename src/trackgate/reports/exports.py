"""Report exports: ``.csv`` and ``.pdf`` of the detailed, summary and weekly reports.

They take the same bodies as the JSON reports (an export is never paged) and answer a file
named as Toggl names its downloads.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from starlette.responses import Response

from trackgate.reports import csv_export, pdf_export
from trackgate.reports.access import report_source
from trackgate.reports.bodies import ReportBody
from trackgate.reports.csv_export import group_title
from trackgate.reports.detailed import all_entries
from trackgate.reports.names import load_names
from trackgate.reports.routes import detailed_order
from trackgate.reports.summary import choose_groupings, reorder, summary_report
from trackgate.reports.totals import report_totals
from trackgate.reports.weekly import week_source, weekly_report
from trackgate.service.auth import Caller, current_caller
from trackgate.service.params import PathId

router = APIRouter(tags=["reports"])
CallerDep = Annotated[Caller, Depends(current_caller)]
WORKSPACE = "/workspace/{workspace_id}"
Kind = Literal["csv", "pdf"]
MEDIA = {"csv": "text/csv; charset=utf-8", "pdf": "application/pdf"}


def _file(kind: Kind, name: str, content: str | bytes) -> Response:
    body = content.encode("utf-8") if isinstance(content, str) else content
    disposition = f'attachment; filename="{name}.{kind}"'
    return Response(body, media_type=MEDIA[kind], headers={"Content-Disposition": disposition})


def _detailed(caller: Caller, workspace_id: int, body: ReportBody, kind: Kind) -> Response:
    filters = body.filters()
    with caller.runtime.db.read() as session:
        source = report_source(session, caller, workspace_id, filters)
        names = load_names(session, workspace_id)
        rows = all_entries(session, source, detailed_order(body))
        content: str | bytes
        if kind == "csv":
            content = csv_export.detailed_csv(
                rows,
                names,
                source.calendar,
                currency=source.workspace.currency,
                hide_amounts=body.hide_amounts,
                style=body.duration_format,
            )
        else:
            content = pdf_export.detailed_pdf(
                rows,
                report_totals(session, source, None),
                names,
                source.calendar,
                first=filters.first_day,
                last=filters.last_day,
                style=body.duration_format,
                hide_amounts=body.hide_amounts,
            )
    return _file(kind, "detailed-report", content)


def _summary(caller: Caller, workspace_id: int, body: ReportBody, kind: Kind) -> Response:
    grouping, sub_grouping = choose_groupings(body.grouping, body.sub_grouping)
    filters = body.filters()
    with caller.runtime.db.read() as session:
        source = report_source(session, caller, workspace_id, filters)
        names = load_names(session, workspace_id)
        report = summary_report(session, source, grouping, sub_grouping)
        order = body.summary_order()
        if order is not None:
            reorder(report, *order, lambda kind, i, t: group_title(kind, i, t, names))
        content: str | bytes
        if kind == "csv":
            content = csv_export.summary_csv(
                report,
                names,
                currency=source.workspace.currency,
                hide_amounts=body.hide_amounts,
                style=body.duration_format,
            )
        else:
            content = pdf_export.summary_pdf(
                report,
                report_totals(session, source, None),
                names,
                first=filters.first_day,
                last=filters.last_day,
                style=body.duration_format,
                hide_amounts=body.hide_amounts,
            )
    return _file(kind, "summary-report", content)


def _weekly(caller: Caller, workspace_id: int, body: ReportBody, kind: Kind) -> Response:
    with caller.runtime.db.read() as session:
        source = report_source(session, caller, workspace_id, body.filters(default_days=7))
        names = load_names(session, workspace_id)
        report = weekly_report(session, source)
        content: str | bytes
        if kind == "csv":
            content = csv_export.weekly_csv(report, names, style=body.duration_format)
        else:
            totals = report_totals(session, week_source(source), "day")
            content = pdf_export.weekly_pdf(
                report, totals, names, style=body.duration_format, hide_amounts=body.hide_amounts
            )
    return _file(kind, "weekly-report", content)


@router.post(WORKSPACE + "/search/time_entries.csv")
def detailed_csv(caller: CallerDep, workspace_id: PathId, body: ReportBody) -> Response:
    return _detailed(caller, workspace_id, body, "csv")


@router.post(WORKSPACE + "/search/time_entries.pdf")
def detailed_pdf(caller: CallerDep, workspace_id: PathId, body: ReportBody) -> Response:
    return _detailed(caller, workspace_id, body, "pdf")


@router.post(WORKSPACE + "/summary/time_entries.csv")
def summary_csv(caller: CallerDep, workspace_id: PathId, body: ReportBody) -> Response:
    return _summary(caller, workspace_id, body, "csv")


@router.post(WORKSPACE + "/summary/time_entries.pdf")
def summary_pdf(caller: CallerDep, workspace_id: PathId, body: ReportBody) -> Response:
    return _summary(caller, workspace_id, body, "pdf")


@router.post(WORKSPACE + "/weekly/time_entries.csv")
def weekly_csv(caller: CallerDep, workspace_id: PathId, body: ReportBody) -> Response:
    return _weekly(caller, workspace_id, body, "csv")


@router.post(WORKSPACE + "/weekly/time_entries.pdf")
def weekly_pdf(caller: CallerDep, workspace_id: PathId, body: ReportBody) -> Response:
    return _weekly(caller, workspace_id, body, "pdf")
