"""``tp4 cache [--dir DIR] [--clear]``: where tp4 keeps finished jobs, how much is there, and clearing it.

Every finished sweep job (``<key>.npz``, 64 hexadecimal digits) and every finished job of the paper's
experiments (``paper/<experiment>/*.json``) is cached so that an interrupted run resumes and a repeated one
is instant. The directory is ``--cache`` where a command is given one, else ``$TP4_CACHE_DIR``, else the
platform's cache directory (``~/.cache/tp4`` on Linux, ``~/Library/Caches/tp4`` on macOS). ``--clear``
deletes only those files — nothing else in the directory — and the directories they leave empty.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from impl.cli.errors import UsageError, plain

__all__ = ["add_parser", "run", "cache_files"]

JOB_FILE = re.compile(r"[0-9a-f]{64}\.npz")


def cache_files(directory: Path) -> list[Path]:
    """The files tp4 wrote in ``directory``: sweep jobs at the top, experiment jobs under ``paper/``."""
    jobs = [p for p in directory.glob("*.npz") if JOB_FILE.fullmatch(p.name) and p.is_file()]
    paper = [p for p in (directory / "paper").glob("*/*.json") if p.is_file()]
    return sorted(jobs + paper)


def add_parser(sub: argparse._SubParsersAction) -> None:
    ap = sub.add_parser("cache", help="show where finished jobs are cached and how much is there (--clear)",
                        description=plain(__doc__), formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dir", metavar="DIR", default=None, help="the cache directory (default: $TP4_CACHE_DIR, else the platform's)")
    ap.add_argument("--clear", action="store_true", help="delete the cached jobs (only files tp4 wrote)")
    ap.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from impl.measurement.cache import default_cache_dir
    from impl.simulation.memory import format_bytes

    directory = Path(args.dir).expanduser() if args.dir else default_cache_dir()
    if directory.exists() and not directory.is_dir():
        raise UsageError(f"--dir {directory} is not a directory")
    files = cache_files(directory) if directory.is_dir() else []
    size = sum(p.stat().st_size for p in files)
    if not args.clear:
        print(f"{directory}: {len(files)} cached jobs, {format_bytes(size)}" + ("" if directory.exists() else " (not created yet)"))
        return 0
    for p in files:
        p.unlink(missing_ok=True)
    for d in sorted((directory / "paper").glob("*"), reverse=True) + [directory / "paper"]:
        if d.is_dir() and not any(d.iterdir()):
            d.rmdir()
    print(f"{directory}: cleared {len(files)} cached jobs, {format_bytes(size)}")
    return 0
