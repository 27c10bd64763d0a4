"""Writing the archive from one consistent snapshot of a (possibly live) database."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from trackgate.runtime import Runtime, stored_fingerprint
from trackgate.storage.migrate import current_revision
from trackgate.transfer.archive import write_archive


def dump_archive(runtime: Runtime, out: Path) -> dict[str, Any]:
    """Write the archive to ``out`` (atomically: a partial file never takes its name)."""
    db = runtime.db
    revision = current_revision(db.engine)
    key_fp = stored_fingerprint(db)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    with db.read() as session:
        if not db.is_sqlite:  # every table from the same snapshot, as SQLite's read gives
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        with partial.open("w", encoding="utf-8", newline="\n") as handle:
            counts = write_archive(session, handle, schema=revision, key_fingerprint=key_fp)
            handle.flush()
            os.fsync(handle.fileno())
    os.replace(partial, out)
    return {"archive": str(out), "rows": sum(counts.values()), "tables": counts}
