"""The spec grammar used everywhere in the CLI.

A spec is one of
  * a preset name: ``sp``, ``sp-lr1n``, ``ntp``, ``mfp`` (L = 1), ``mup``, ``up:R`` (0 ≤ R ≤ 1/2);
    its depth comes from ``depth`` (default 2; ``mfp`` implies 1 and rejects any other);
  * an inline list ``a=-1/2,0,1/2;b=1/2,1/2,1/2;c=0`` whose numbers are integers, decimals or p/q
    (read exactly); its depth is ``len(a) - 1``; the last b may be ``inf`` (a readout initialised at zero);
  * a path to a ``.json`` or ``.toml`` file holding ``a``, ``b`` (lists) and ``c``.

Every malformed spec raises :class:`SpecError`, whose message is one line naming the problem.
"""

from __future__ import annotations

import json
import tomllib
from fractions import Fraction
from pathlib import Path
from typing import Any, Mapping

from impl.theory.parametrization import Parametrization
from impl.theory.presets import PRESET_NAMES, preset
from impl.theory.rational import Exponent, to_exponent, to_fraction

__all__ = ["SpecError", "parse_spec"]


class SpecError(ValueError):
    """A spec that cannot be read; ``str(err)`` is a one-line explanation."""


def parse_spec(spec: str, depth: int | None = None) -> Parametrization:
    """Read a spec string (see module docstring) into a :class:`Parametrization`.

    ``depth`` is the ``--depth`` option: it sets a preset's depth and, for explicit specs, must
    agree with the number of layers given (or be ``None``).
    """
    if depth is not None and (isinstance(depth, bool) or not isinstance(depth, int) or depth < 1):
        raise SpecError(f"depth L must be an integer >= 1, got {depth!r}")
    text = spec.strip()
    if not text:
        raise SpecError("empty spec: give a preset name, 'a=...;b=...;c=...', or a .json/.toml file")
    if "=" in text:
        p = _from_mapping(_split_inline(text), source="spec")
    elif text.lower().endswith((".json", ".toml")):
        p = _from_file(Path(text))
    else:
        try:
            return preset(text, depth)
        except KeyError:
            names = ", ".join(PRESET_NAMES)
            raise SpecError(f"unknown preset {text!r} (known: {names}; or a=...;b=...;c=...)") from None
        except ValueError as err:
            raise SpecError(str(err)) from None
    if depth is not None and depth != p.depth:
        raise SpecError(f"--depth {depth} disagrees with the spec, which has {p.depth + 1} layers (L = {p.depth})")
    return p


def _split_inline(text: str) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for part in text.split(";"):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        key = key.strip().lower()
        if not sep:
            raise SpecError(f"spec part {part.strip()!r} has no '=' (expected a=...;b=...;c=...)")
        if key in fields:
            raise SpecError(f"spec gives {key!r} twice")
        fields[key] = [v for v in value.split(",")] if key in ("a", "b") else value
    return fields


def _from_file(path: Path) -> Parametrization:
    if not path.is_file():
        raise SpecError(f"spec file {str(path)!r} does not exist")
    try:
        if path.suffix.lower() == ".json":
            data = json.loads(path.read_text(), parse_float=str, parse_int=str)
        else:
            data = tomllib.loads(path.read_text())
    except (json.JSONDecodeError, tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise SpecError(f"spec file {str(path)!r} is not valid {path.suffix[1:].upper()}: {err}".splitlines()[0]) from None
    if not isinstance(data, Mapping):
        raise SpecError(f"spec file {str(path)!r} must hold an object with keys a, b, c")
    return _from_mapping(data, source=f"spec file {str(path)!r}")


def _from_mapping(data: Mapping[str, Any], *, source: str) -> Parametrization:
    keys = {str(k).lower(): v for k, v in data.items()}
    missing = [k for k in ("a", "b", "c") if k not in keys]
    if missing:
        raise SpecError(f"{source} is missing {', '.join(missing)} (expected a=...;b=...;c=...)")
    extra = sorted(set(keys) - {"a", "b", "c", "name"})
    if extra:
        raise SpecError(f"{source} has unknown key(s) {', '.join(extra)} (expected a, b, c)")
    a = _numbers(keys["a"], "a")
    b = _numbers(keys["b"], "b", infinite=True)
    c = _number(keys["c"], "c")
    if len(a) != len(b):
        raise SpecError(f"a has {len(a)} entries but b has {len(b)}; both need L+1 entries (one per layer)")
    if len(a) < 2:
        raise SpecError(f"a and b need at least 2 entries (L >= 1 hidden layer), got {len(a)}")
    name = keys.get("name")
    try:
        return Parametrization(tuple(a), tuple(b), c, str(name) if name is not None else None)  # type: ignore[arg-type]
    except ValueError as err:
        raise SpecError(str(err)) from None


def _numbers(values: Any, what: str, infinite: bool = False) -> list[Exponent]:
    if isinstance(values, (str, int, float)) and not isinstance(values, bool):
        values = str(values).split(",")
    if not isinstance(values, (list, tuple)):
        raise SpecError(f"{what} must be a list of numbers")
    return [_number(v, f"{what}[{i + 1}]", infinite) for i, v in enumerate(values)]


def _number(value: Any, what: str, infinite: bool = False) -> Exponent:
    try:
        return to_exponent(value, what=what) if infinite else to_fraction(value, what=what)
    except ValueError as err:
        raise SpecError(str(err)) from None
