"""``trackgate secrets``: the encryption key of stored secrets: status, generate, rotate."""

from __future__ import annotations

from pathlib import Path

import typer

from trackgate.cli.common import DataDirOption, fail, opened, print_json, settings_for
from trackgate.crypto import (
    Keyring,
    encode_key,
    fingerprint,
    generate_key,
    key_id,
    write_key_file,
)
from trackgate.invalidation import KEYRING, Invalidation
from trackgate.rotation import count_by_key, reseal_all
from trackgate.runtime import stored_fingerprint

app = typer.Typer(help="Manage the key that encrypts stored secrets.", no_args_is_help=True)


@app.command("generate")
def generate() -> None:
    """Print a new random key (base64), for TRACKGATE_SECRET_KEY."""
    print(encode_key(generate_key()))


@app.command("status")
def status(data_dir: Path | None = DataDirOption) -> None:
    """Key ids in the keyring and how many stored secrets each one sealed (no key material)."""
    settings = settings_for(data_dir)
    with opened(settings) as runtime:
        print_json(
            {
                "source": "TRACKGATE_SECRET_KEY" if settings.secret_key else str(settings.key_file),
                "primary_key_id": runtime.keyring.primary_id,
                "key_ids": [key_id(k) for k in runtime.keyring.keys],
                "sealed_by_key_id": count_by_key(runtime.db, runtime.keyring),
                "fingerprint_matches_primary": stored_fingerprint(runtime.db)
                == fingerprint(runtime.keyring.primary),
            }
        )


@app.command("rotate")
def rotate(data_dir: Path | None = DataDirOption) -> None:
    """Re-encrypt every stored secret under a new key. Safe to interrupt: run it again.

    With the key file, everything is automatic. With TRACKGATE_SECRET_KEY, first set it to
    NEW,OLD (NEW from `trackgate secrets generate`, in front), run this, then set it to NEW
    alone.
    """
    settings = settings_for(data_dir)
    with opened(settings) as runtime:
        ring = runtime.keyring
        if settings.secret_key:
            if len(ring.keys) < 2:
                fail(
                    "TRACKGATE_SECRET_KEY holds one key: set it to NEW,OLD "
                    "(make NEW with `trackgate secrets generate`) and run rotate again"
                )
        elif len(ring.keys) < 2:  # a fresh rotation: put a new key in front of the old one
            ring = Keyring((generate_key(), *ring.keys))
            write_key_file(settings.key_file, ring.keys)
            runtime.invalidations.announce(Invalidation(KEYRING))
        report = reseal_all(runtime.db, ring)
        if not settings.secret_key and not report.remaining:
            write_key_file(settings.key_file, (ring.primary,))
            runtime.invalidations.announce(Invalidation(KEYRING))
        print_json(
            {
                "primary_key_id": ring.primary_id,
                "resealed": report.resealed,
                "remaining": report.remaining,
                "next_step": (
                    "set TRACKGATE_SECRET_KEY to the first key alone and restart servers"
                    if settings.secret_key
                    else "none: running servers read the key file again by themselves"
                ),
            }
        )
        if report.remaining:
            fail(
                f"{report.remaining} stored secrets still need the old key (written meanwhile "
                "by a server running with it): the old key is kept; run rotate again"
            )
