"""``trackgate export``: the service's data out, as a lossless archive or in Toggl's formats."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from trackgate.cli.common import USAGE_ERROR, DataDirOption, fail, opened, print_json
from trackgate.cli.common import settings_for as _settings_for
from trackgate.reports.clock import zone_of
from trackgate.runtime import Runtime

FORMATS = ("jsonl", "csv", "zip")


def export(
    format: str = typer.Option(
        ..., "--format", metavar="FORMAT", help="jsonl (lossless archive), csv or zip."
    ),
    out: Path = typer.Option(
        ..., "--out", metavar="PATH", help="jsonl: a file; csv and zip: a directory."
    ),
    tz: str = typer.Option(
        "UTC", "--tz", metavar="ZONE", help="csv: the zone of dates and times (IANA name)."
    ),
    data_dir: Path | None = DataDirOption,
) -> None:
    """Write what the service holds. jsonl: every row, read back by `trackgate import
    archive`; csv: Toggl's detailed report, one file per workspace and year; zip: Toggl's
    workspace data export (no time entries), one zip per workspace."""
    if format not in FORMATS:
        fail(f"--format must be one of {', '.join(FORMATS)}, not {format!r}", USAGE_ERROR)
    if format == "csv" and zone_of(tz).key != tz:
        fail(f"unknown time zone {tz!r} for --tz: use an IANA name such as Europe/Berlin", 2)
    settings = _settings_for(data_dir)
    with opened(settings) as runtime:
        try:
            print_json(_write(runtime, format, out, tz))
        except OSError as exc:
            fail(f"cannot write {exc.filename or out}: {exc.strerror or exc}")


def _write(runtime: Runtime, format: str, out: Path, tz: str) -> dict[str, Any]:
    if format == "jsonl":
        from trackgate.transfer.archive_dump import dump_archive

        return dump_archive(runtime, out)
    if format == "csv":
        from trackgate.transfer.export_csv import export_csv

        return export_csv(runtime, out, tz)
    from trackgate.transfer.export_zip import export_zips

    return export_zips(runtime, out)
