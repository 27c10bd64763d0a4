"""Log lines as JSON objects, one per line (``trackgate serve --log-format json``), for log
collectors. Non-ASCII is escaped, so no line can carry a raw newline or terminal escape."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime


def iso_time(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        body = {
            "time": iso_time(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            body["exception"] = self.formatException(record.exc_info)
        return json.dumps(body)
