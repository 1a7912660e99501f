"""The spec grammar: presets, inline lists, files, and one-line errors."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest

from impl.theory import Parametrization, SpecError, parse_spec, presets


def test_inline_spec_reads_integers_decimals_and_ratios_exactly() -> None:
    p = parse_spec("a=-1/2, 0, 0.5 ; b=1/2,0.5,1/2; c=0")
    assert p == presets.mup(2)
    assert parse_spec("a=0.1,0;b=-0.1,0.4;c=1e0").a[0] == Fraction(1, 10)


@pytest.mark.parametrize("name,depth", [("sp", 3), ("ntp", 1), ("mup", 4), ("sp-lr1n", 2), ("up:1/4", 3), ("up:0.125", 2)])
def test_presets_take_their_depth_from_the_option(name: str, depth: int) -> None:
    assert parse_spec(name, depth).depth == depth


def test_default_depths() -> None:
    assert parse_spec("mup").depth == 2
    assert parse_spec("mfp").depth == 1
    assert parse_spec("MuP").depth == 2
    assert parse_spec("µp", 3) == presets.mup(3)


def test_round_trip_through_spec_string() -> None:
    p = presets.up("1/8", 3).shift(Fraction(3, 4))
    assert parse_spec(p.spec()) == p


def test_json_and_toml_files(tmp_path: Path) -> None:
    j = tmp_path / "p.json"
    j.write_text(json.dumps({"a": ["-1/2", 0, 0.5], "b": [0.5, "1/2", "1/2"], "c": 0}))
    t = tmp_path / "p.toml"
    t.write_text('a = ["-1/2", 0, 0.5]\nb = [0.5, 0.5, 0.5]\nc = "0"\n')
    assert parse_spec(str(j)) == presets.mup(2) == parse_spec(str(t))
    assert parse_spec(str(j), 2) == presets.mup(2)


@pytest.mark.parametrize(
    "spec,depth,fragment",
    [
        ("", None, "empty spec"),
        ("mfp", 2, "1 hidden layer"),
        ("mup", 0, ">= 1"),
        ("up:0.7", None, "0 <= R <= 1/2"),
        ("up:x", None, "not a number"),
        ("nonsense", None, "unknown preset"),
        ("a=1,2;b=1;c=0", None, "a has 2 entries but b has 1"),
        ("a=1;b=1;c=0", None, "at least 2"),
        ("a=x,0;b=0,0;c=0", None, "a[1]"),
        ("a=0,0;b=0,0", None, "missing c"),
        ("a=0,0;b=0,0;c=0;d=1", None, "unknown key"),
        ("a=0,0;b=0,0;c=nan", None, "not a number"),
        ("a=0,0;b=0,0;c=1/0", None, "not a number"),
        ("a=0,0;b=0,0;c=0", 3, "disagrees"),
        ("a=0,0;a=0,0;b=0,0;c=0", None, "twice"),
        ("missing.json", None, "does not exist"),
    ],
)
def test_bad_specs_raise_one_line_errors(spec: str, depth: int | None, fragment: str) -> None:
    with pytest.raises(SpecError) as err:
        parse_spec(spec, depth)
    assert fragment in str(err.value) and "\n" not in str(err.value)


def test_bad_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(SpecError, match="not valid JSON"):
        parse_spec(str(bad))
    arr = tmp_path / "arr.json"
    arr.write_text("[1, 2]")
    with pytest.raises(SpecError, match="must hold an object"):
        parse_spec(str(arr))


def test_parametrization_validates_lengths() -> None:
    with pytest.raises(ValueError):
        Parametrization.of([0, 0], [0], 0)
