"""Atomic writes: a crash (or Ctrl-C) never leaves a half-written file or report directory.

Used by every layer that writes results (the job cache, ``--json`` outputs, reports, figures), so it
sits below them all and imports nothing from the project.

A file is written to a temporary file in the same directory, flushed and fsynced, then moved
over the target with :func:`os.replace` (atomic on POSIX within one file system). A report
directory is built inside a temporary sibling directory; only when every file is written does
:func:`atomic_directory` swap it into place (the old directory is first renamed aside, then
removed), so readers see either the complete old report or the complete new one.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Callable, Iterator

__all__ = ["write_atomic", "write_bytes_atomic", "write_text_atomic", "atomic_directory"]


def _file_mode(target: Path) -> int:
    """The target's current mode, or what ``open()`` would give a new file (0666 minus the umask)."""
    if target.exists():
        return target.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_atomic(path: str | os.PathLike[str], write: Callable[[BinaryIO], object]) -> Path:
    """Call ``write(fh)`` on a temporary file in ``path``'s directory, fsync it, then ``os.replace`` it
    onto ``path``; on any exception the temporary file is removed and ``path`` is untouched."""
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        os.fchmod(fd, _file_mode(target))  # mkstemp's 0600 would make a shared report unreadable
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (:func:`write_atomic`)."""
    return write_atomic(path, lambda fh: fh.write(data))


def write_text_atomic(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    return write_bytes_atomic(path, text.encode("utf-8"))


@contextmanager
def atomic_directory(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield an empty temporary directory next to ``path``; on normal exit it replaces ``path``.

    On any exception (KeyboardInterrupt included) the temporary directory is removed and ``path``
    is left exactly as it was. The parent of ``path`` is created if needed. ``path`` must not be a
    plain file.
    """
    target = Path(path)
    if target.exists() and not target.is_dir():
        raise ValueError(f"{target} exists and is not a directory")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    aside: Path | None = None
    try:
        yield tmp
        tmp.chmod(0o755)  # mkdtemp makes it 0700; a report directory is meant to be shared
        if target.exists():
            aside = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
            os.replace(target, aside / "report")
        os.replace(tmp, target)
    except BaseException:
        if aside is not None and (aside / "report").exists() and not target.exists():
            os.replace(aside / "report", target)  # put the old report back
        shutil.rmtree(tmp, ignore_errors=True)
        if aside is not None:
            shutil.rmtree(aside, ignore_errors=True)
        raise
    if aside is not None:
        shutil.rmtree(aside, ignore_errors=True)
