"""The kill ratio per module of the last `mutmut run`, and its survivors.

`make mutate` runs mutmut over the modules listed in pyproject.toml ([tool.mutmut]
only_mutate), then this script. It reads `mutmut results --all true` (one line per mutant:
``trackgate.reports.totals.x_name__mutmut_3: killed``), prints a table per module and writes
it, with the survivors' diffs, to docs/mutation-report.md with the date of the run.

Usage: python tools/mutation_report.py [--write PATH] [--target PERCENT]
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

#: ``<module>.x_<function>__mutmut_<n>`` or ``<module>.xǁ<Class>ǁ<method>__mutmut_<n>``.
MUTANT = re.compile(r"^\s*(?P<name>(?P<module>[\w.]+?)\.x[_ǁ]\S+__mutmut_\d+): (?P<status>.+)$")
#: What counts as caught: a failing test, or a mutant so broken it hangs or crashes.
CAUGHT = {"killed", "timeout", "segfault"}


def results(mutmut: str) -> list[tuple[str, str, str]]:
    out = subprocess.run(
        [mutmut, "results", "--all", "true"], capture_output=True, text=True, check=True
    ).stdout
    rows = []
    for line in out.splitlines():
        match = MUTANT.match(line)
        if match:
            rows.append((match["module"], match["name"], match["status"].strip()))
    return rows


def diff(mutmut: str, name: str) -> str:
    shown = subprocess.run([mutmut, "show", name], capture_output=True, text=True).stdout
    lines = [line for line in shown.splitlines() if line.startswith(("-", "+"))]
    return "\n".join(line for line in lines if not line.startswith(("---", "+++")))


def table(rows: list[tuple[str, str, str]], target: float) -> tuple[str, bool]:
    per_module: dict[str, Counter[str]] = defaultdict(Counter)
    for module, _, status in rows:
        per_module[module][status] += 1
    lines = [
        "| module | mutants | caught | survived | no tests | not run yet | kill ratio |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    all_met = True
    for module in sorted(per_module):
        counts = per_module[module]
        total = sum(counts.values()) - counts["not checked"]
        caught = sum(counts[s] for s in CAUGHT)
        # A module none of whose mutants has run yet has no ratio, and has not met the target.
        ratio = f"{100.0 * caught / total:.1f}%" if total else "-"
        all_met &= bool(total) and 100.0 * caught / total >= target
        lines.append(
            f"| `{module}` | {total} | {caught} | {counts['survived']} | "
            f"{counts['no tests']} | {counts['not checked']} | {ratio} |"
        )
    return "\n".join(lines), all_met


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mutmut", default=str(Path(sys.executable).parent / "mutmut"))
    parser.add_argument("--write", type=Path, help="write the report (markdown) here too")
    parser.add_argument("--target", type=float, default=90.0, help="kill ratio per module, %%")
    args = parser.parse_args()
    rows = results(args.mutmut)
    if not rows:
        print("no mutmut results: run `make mutate` first", file=sys.stderr)
        return 2
    summary, all_met = table(rows, args.target)
    print(summary)
    if args.write:
        survivors = [name for _, name, status in rows if status not in CAUGHT | {"not checked"}]
        parts = [
            "# Mutation testing: last report",
            "",
            f"Run on {dt.date.today().isoformat()} with `make mutate` (mutmut); "
            f"target: at least {args.target:.0f}% of mutants caught in each module.",
            "",
            summary,
            "",
            "## Survivors",
            "",
        ]
        for name in survivors:
            parts += [f"### `{name}`", "", "```diff", diff(args.mutmut, name), "```", ""]
        args.write.write_text("\n".join(parts))
    return 0 if all_met else 1


if __name__ == "__main__":
    raise SystemExit(main())
