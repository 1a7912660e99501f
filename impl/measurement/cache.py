"""On-disk cache of sweep jobs: one ``.npz`` per (parametrization, config, width, seed chunk, code).

The key is the SHA-256 of a canonical JSON document (sorted keys, no whitespace) holding the
parametrization's exponents as "p/q" strings, every config field, the width, the seeds and a code
version. Writes are atomic (a temporary file in the same directory, fsync, ``os.replace``), so an
interrupted sweep never leaves a truncated file; a file that fails to load, or whose stored key
document differs from the expected one, is treated as missing and recomputed.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import hashlib
import json
import os
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from impl.atomic import write_atomic
from impl.measurement.records import JobResult
from impl.theory import Parametrization

__all__ = ["CACHE_FORMAT", "canonical", "key_document", "digest", "cache_key", "code_version", "JobCache",
           "default_cache_dir"]

CACHE_FORMAT = "tp4-job/2"
_VALUE_PREFIX = "value:"
_PROBE_PREFIX = "probe:"


def default_cache_dir() -> Path:
    """Where finished jobs are cached unless told otherwise: ``$TP4_CACHE_DIR``, else the platform's cache
    directory — ``$XDG_CACHE_HOME/tp4`` or ``~/.cache/tp4`` (Linux), ``~/Library/Caches/tp4`` (macOS),
    ``%LOCALAPPDATA%\\tp4\\cache`` (Windows). Read when called, never at import."""
    env = os.environ.get("TP4_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "tp4"
    if os.name == "nt" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "tp4" / "cache"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "tp4"


def canonical(obj: Any, path: str = "config") -> Any:
    """A JSON-ready form of ``obj``: Fractions as "p/q", dataclasses and mappings as sorted dicts.

    A named module-level function (e.g. inside a custom activation) is keyed by its qualified name,
    not its code. Raises TypeError, naming the offending field (``path``), on anything without an
    exact, stable text form — a lambda, a closure, an arbitrary object — so no address-bearing
    repr can sneak into a key.
    """
    if obj is None or isinstance(obj, (bool, int, str)):
        return obj
    if isinstance(obj, float):
        return repr(obj)  # exact round-trip text, also for nan/inf
    if isinstance(obj, Fraction):
        return str(obj)
    if isinstance(obj, enum.Enum):
        return canonical(obj.value, path)
    if isinstance(obj, np.generic):
        return canonical(obj.item(), path)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: canonical(getattr(obj, f.name), f"{path}.{f.name}") for f in dataclasses.fields(obj)}
    if isinstance(obj, Mapping):
        return {str(k): canonical(v, f"{path}[{k!r}]") for k, v in sorted(obj.items(), key=lambda kv: str(kv[0]))}
    if isinstance(obj, (list, tuple)):
        return [canonical(x, f"{path}[{i}]") for i, x in enumerate(obj)]
    qualname = getattr(obj, "__qualname__", "")
    if callable(obj) and qualname and "<" not in qualname:  # a named module-level function
        return f"callable:{obj.__module__}.{qualname}"
    raise TypeError(
        f"{path}: cannot put a {type(obj).__name__} ({obj!r:.60}) into a cache key "
        "(use named, module-level functions, e.g. phi='tanh', or run without cache_dir)"
    )


def key_document(p: Parametrization | None, config: Any, width: int, seeds: Sequence[int], version: str) -> str:
    """The canonical JSON text that :func:`cache_key` hashes."""
    doc = {
        "format": CACHE_FORMAT,
        "spec": p.as_strings() if p is not None else None,
        "config": canonical(config),
        "width": int(width),
        "seeds": [int(s) for s in seeds],
        "code_version": version,
    }
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def digest(document: str) -> str:
    """The cache key of a key document: its SHA-256 hex digest."""
    return hashlib.sha256(document.encode()).hexdigest()


def cache_key(p: Parametrization, config: Any, width: int, seeds: Sequence[int], version: str) -> str:
    """SHA-256 hex digest of :func:`key_document`."""
    return digest(key_document(p, config, width, seeds, version))


def code_version(fn: Callable[..., Any]) -> str:
    """A digest of the code behind a simulate function, so that editing it invalidates the cache.

    Hashes the function's qualified name and every ``.py`` file of the package that defines it (or
    the module file alone for a top-level module), plus the numpy version and, if torch is already
    imported, torch's. Pass an explicit ``code_version`` to :func:`run_sweep` to override.
    """
    target = fn.func if isinstance(fn, functools.partial) else fn
    module_name = getattr(target, "__module__", None) or type(target).__module__
    qualname = getattr(target, "__qualname__", type(target).__qualname__)
    h = hashlib.sha256(f"{module_name}.{qualname}".encode())
    module = sys.modules.get(module_name)
    file = getattr(module, "__file__", None)
    if file:
        path = Path(file).resolve()
        files = sorted(path.parent.rglob("*.py")) if getattr(module, "__package__", "") else [path]
        for f in files:
            h.update(str(f.relative_to(path.parent)).encode())
            h.update(f.read_bytes())
    h.update(f"numpy={np.__version__}".encode())
    torch = sys.modules.get("torch")
    if torch is not None:
        h.update(f"torch={getattr(torch, '__version__', '?')}".encode())
    return h.hexdigest()[:16]


class JobCache:
    """A directory of cached :class:`JobResult` files, ``<key>.npz``."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)

    def path(self, key: str) -> Path:
        """Where the job with this key is (or would be) stored."""
        return self.directory / f"{key}.npz"

    def load(self, key: str, document: str) -> JobResult | None:
        """The cached result, or None when absent, unreadable or stored under another key document."""
        path = self.path(key)
        if not path.is_file():
            return None
        try:
            with np.load(path, allow_pickle=False) as z:
                if str(z["key_document"]) != document:
                    return None
                values = {k[len(_VALUE_PREFIX):]: np.array(z[k]) for k in z.files if k.startswith(_VALUE_PREFIX)}
                probes = {k[len(_PROBE_PREFIX):]: np.array(z[k]) for k in z.files if k.startswith(_PROBE_PREFIX)}
                seeds = tuple(int(s) for s in z["seeds"])
                return JobResult(int(z["width"]), seeds, int(z["steps"]), values, np.array(z["blowup_step"]), probes)
        except Exception:  # noqa: BLE001 - zipfile.BadZipFile, OSError, KeyError, ValueError, ...
            return None  # corrupt or foreign file: recompute (and overwrite) it

    def store(self, key: str, document: str, result: JobResult) -> Path:
        """Write ``result`` atomically; returns the final path."""
        arrays: dict[str, np.ndarray] = {_VALUE_PREFIX + k: v for k, v in result.values.items()}
        arrays.update({_PROBE_PREFIX + k: v for k, v in result.probe_values.items()})
        arrays.update(
            key_document=np.array(document),
            width=np.array(result.width, dtype=np.int64),
            seeds=np.array(result.seeds, dtype=np.int64),
            steps=np.array(result.steps, dtype=np.int64),
            blowup_step=np.asarray(result.blowup_step, dtype=np.int64),
        )
        final = self.path(key)
        write_atomic(final, lambda fh: np.savez(fh, **arrays))  # type: ignore[arg-type]
        return final
