"""``trackgate import toggl``: a Toggl Track account (live, by API token), its detailed report
CSV, or its workspace data-export ZIP, into the embedded service."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import typer

from trackgate.cli.common import USAGE_ERROR, DataDirOption, fail, opened, print_json, settings_for
from trackgate.transfer.toggl_summary import Summary


def _day(value: str | None, flag: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"{flag} must be a date spelled YYYY-MM-DD, not {value!r}", USAGE_ERROR)


def _zone(name: str) -> str:
    from trackgate.zones import zone_named

    if zone_named(name) is None:
        fail(f"unknown time zone {name!r} for --tz: use an IANA name such as Europe/Berlin", 2)
    return name


def _check(token: str | None, csv: Path | None, zip_: Path | None, flags: dict[str, bool]) -> None:
    """Exactly one source, and only the flags that source reads."""
    given = [name for name, v in (("--token", token), ("--csv", csv), ("--zip", zip_)) if v]
    if len(given) != 1:
        fail("give one of --token, --csv or --zip", USAGE_ERROR)
    reads = {
        "--token": {"--url", "--since", "--until"},
        "--csv": {"--tz", "--workspace", "--on-error"},
        "--zip": {"--workspace"},
    }[given[0]]
    for name, present in flags.items():
        if present and name not in reads:
            fail(f"{name} does not go with {given[0]}", USAGE_ERROR)
    for path in (csv, zip_):
        if path is not None and not path.is_file():
            fail(f"no such file: {path}", USAGE_ERROR)


def _kind(kind: str, n: int) -> str:
    name = kind.replace("_", " ")
    if n != 1:
        return name
    return "time entry" if kind == "time_entries" else name.removesuffix("s")


def _report(summary: Summary, as_json: bool) -> None:
    if as_json:
        print_json(summary.as_json())
        return
    counts = ", ".join(f"{n} {_kind(kind, n)}" for kind, n in summary.counts.items() if n)
    print(f"Imported {counts or 'nothing'}.")
    if summary.upstream_requests is not None:
        print(f"Upstream requests: {summary.upstream_requests}.")
    created = [e for e, made in summary.users.items() if made]
    if created:
        print("New users (no password yet; invite them or set one): " + ", ".join(created))
    for bad in summary.skipped:
        print(f"Skipped line {bad['line']}: {bad['error']}", file=sys.stderr)


def toggl(
    token: str | None = typer.Option(
        None, "--token", metavar="TOKEN", help="API token of the Toggl account to import."
    ),
    url: str = typer.Option(
        "https://api.track.toggl.com",
        "--url",
        metavar="URL",
        help="Toggl's address, or a trackgate service or gateway standing in.",
    ),
    since: str | None = typer.Option(
        None, "--since", metavar="DATE", help="First day of time entries (default: all)."
    ),
    until: str | None = typer.Option(
        None, "--until", metavar="DATE", help="Last day of time entries (default: today)."
    ),
    csv: Path | None = typer.Option(
        None, "--csv", metavar="FILE", help="A detailed report CSV exported from Toggl."
    ),
    tz: str | None = typer.Option(
        None, "--tz", metavar="ZONE", help="Time zone of the CSV's dates and times (UTC)."
    ),
    workspace: int | None = typer.Option(
        None, "--workspace", metavar="WID", help="Import into this existing workspace."
    ),
    zip_: Path | None = typer.Option(
        None, "--zip", metavar="FILE", help="A workspace data-export ZIP from Toggl."
    ),
    on_error: str | None = typer.Option(
        None,
        "--on-error",
        metavar="skip|refuse",
        help="A bad CSV row: refuse the whole file (default) or skip the row.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print a summary as JSON."),
    data_dir: Path | None = DataDirOption,
) -> None:
    """Import a Toggl Track account, its detailed CSV or its data-export ZIP. Running it again
    changes nothing; an interrupted live import continues where it stopped."""
    flags = {
        "--url": url != "https://api.track.toggl.com",
        "--since": since is not None,
        "--until": until is not None,
        "--tz": tz is not None,
        "--workspace": workspace is not None,
        "--on-error": on_error is not None,
    }
    _check(token, csv, zip_, flags)
    if on_error not in (None, "skip", "refuse"):
        fail(f"--on-error takes skip or refuse, not {on_error!r}", USAGE_ERROR)
    first, last = _day(since, "--since"), _day(until, "--until")
    if first and last and last < first:
        fail("--until must not be earlier than --since", USAGE_ERROR)
    zone = _zone(tz) if tz else "UTC"
    summary = Summary()
    with opened(settings_for(data_dir), create=True) as runtime:
        if token:
            _live(runtime, token, url, first, last, summary, as_json)
        elif csv is not None:
            from trackgate.transfer.toggl_csv import CsvOptions, import_csv

            options = CsvOptions(zone, workspace, skip=on_error == "skip")
            _guarded(lambda: import_csv(runtime.db, runtime.keyring, csv, options, summary))
        elif zip_ is not None:
            from trackgate.transfer.toggl_zip import import_zip

            _guarded(lambda: import_zip(runtime.db, runtime.keyring, zip_, workspace, summary))
    _report(summary, as_json)


def _guarded(run: object) -> None:
    from trackgate.transfer.toggl_people import ImportRefused

    try:
        run()  # type: ignore[operator]
    except ImportRefused as exc:
        fail(str(exc))


def _live(
    runtime: object,
    token: str,
    url: str,
    since: date | None,
    until: date | None,
    summary: Summary,
    as_json: bool,
) -> None:
    from trackgate.runtime import Runtime
    from trackgate.transfer.toggl_live import LiveRequest, import_live
    from trackgate.transfer.toggl_people import ImportRefused
    from trackgate.transfer.toggl_progress import ProgressView
    from trackgate.transfer.toggl_upstream import Upstream, UpstreamError

    assert isinstance(runtime, Runtime)
    if not url.startswith(("http://", "https://")):
        fail(f"--url must start with http:// or https://, not {url!r}", USAGE_ERROR)
    with ProgressView(not as_json and sys.stderr.isatty(), announce=not as_json) as view:
        up = Upstream(url, token, step=view.step, wait=view.wait, sleep=view.sleep)
        try:
            import_live(runtime.db, runtime.keyring, up, LiveRequest(url, since, until), summary)
        except (UpstreamError, ImportRefused) as exc:
            fail(str(exc).replace(token, "***"))
        finally:
            up.close()
