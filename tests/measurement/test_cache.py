"""The on-disk job cache: keys, resumption, interruption, atomic writes, corrupt files."""

from __future__ import annotations

import concurrent.futures as cf
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

import impl.measurement.cache as cache_mod
from impl.measurement import JobCache, SweepError, cache_key, code_version, run_sweep
from impl.measurement.cache import canonical, key_document
from impl.theory import mup, ntp
from tests.measurement.fakes import CountingSimulate, FailingSimulate, FakeConfig, fake_simulate

WIDTHS = (64, 128, 256, 512)
SEEDS = tuple(range(6))
CONFIG = FakeConfig(steps=2)
VERSION = "test-v1"


def sweep(cache_dir: Path, fn=fake_simulate, **kw):
    return run_sweep(ntp(2), CONFIG, WIDTHS, SEEDS, cache_dir=cache_dir, simulate_fn=fn, code_version=VERSION, **kw)


def npz_files(d: Path) -> list[Path]:
    return sorted(d.glob("*.npz"))


def test_key_depends_on_everything_that_matters() -> None:
    base = cache_key(ntp(2), CONFIG, 64, (0, 1), "v")
    assert base == cache_key(ntp(2).renamed("other name"), CONFIG, 64, (0, 1), "v")  # names don't matter
    assert base == cache_key(ntp(2).shift(0), CONFIG, 64, [0, 1], "v")
    variants = [
        cache_key(mup(2), CONFIG, 64, (0, 1), "v"),
        cache_key(ntp(2).shift("1/4"), CONFIG, 64, (0, 1), "v"),  # same function, different spec
        cache_key(ntp(2), replace(CONFIG, noise_sd=0.03), 64, (0, 1), "v"),
        cache_key(ntp(2), CONFIG, 128, (0, 1), "v"),
        cache_key(ntp(2), CONFIG, 64, (1, 0), "v"),
        cache_key(ntp(2), CONFIG, 64, (0, 1), "w"),
    ]
    assert len({base, *variants}) == 7
    assert '"c":"0"' in key_document(ntp(2), CONFIG, 64, (0, 1), "v")


def test_canonical_refuses_unstable_reprs() -> None:
    assert canonical({"b": 0.1, "a": (1, "x")}) == {"a": [1, "x"], "b": "0.1"}
    assert canonical({"fn": np.tanh, "f": fake_simulate}) == {
        "f": "callable:tests.measurement.fakes.fake_simulate", "fn": "callable:numpy.tanh"}
    with pytest.raises(TypeError):
        canonical(object())
    with pytest.raises(TypeError):
        canonical(lambda x: x)


def test_code_version_is_deterministic_and_function_specific() -> None:
    assert code_version(fake_simulate) == code_version(fake_simulate)
    assert code_version(fake_simulate) != code_version(CountingSimulate())


def test_second_run_is_served_from_cache(tmp_path: Path) -> None:
    first = sweep(tmp_path)
    assert len(npz_files(tmp_path)) == 4 and first.stats.n_computed == 4
    counter = CountingSimulate()
    second = sweep(tmp_path, counter)
    assert counter.calls == [] and second.stats.n_cached == 4
    assert second.same_measurements(first)


def test_resume_recomputes_only_the_missing_job(tmp_path: Path) -> None:
    first = sweep(tmp_path, seed_chunk=3)
    files = npz_files(tmp_path)
    assert len(files) == 8
    victim = files[3]
    with np.load(victim) as z:
        missing = (int(z["width"]), tuple(int(s) for s in z["seeds"]))
    victim.unlink()
    counter = CountingSimulate()
    again = sweep(tmp_path, counter, seed_chunk=3)
    assert counter.calls == [missing]
    assert (again.stats.n_cached, again.stats.n_computed) == (7, 1)
    assert again.same_measurements(first) and len(npz_files(tmp_path)) == 8


def test_interrupted_sweep_keeps_finished_jobs(tmp_path: Path) -> None:
    # in-process jobs run widest first: 512, 256 finish, 128 crashes, 64 never starts
    with pytest.raises(SweepError, match="width 128") as info:
        sweep(tmp_path, FailingSimulate(fail_width=128))
    assert isinstance(info.value.__cause__, RuntimeError)
    assert len(npz_files(tmp_path)) == 2
    counter = CountingSimulate()
    resumed = sweep(tmp_path, counter)
    assert sorted(w for w, _ in counter.calls) == [64, 128]
    assert resumed.same_measurements(run_sweep(ntp(2), CONFIG, WIDTHS, SEEDS, simulate_fn=fake_simulate))


def test_interrupted_pool_sweep_keeps_finished_jobs(tmp_path: Path) -> None:
    with cf.ThreadPoolExecutor(max_workers=1) as ex, pytest.raises(SweepError):
        sweep(tmp_path, FailingSimulate(fail_width=128), executor=ex, seed_chunk=2)
    kept = len(npz_files(tmp_path))
    assert kept >= 6  # the 6 jobs at widths 512 and 256 were submitted (and ran) first
    counter = CountingSimulate()
    resumed = sweep(tmp_path, counter, seed_chunk=2)
    assert len(counter.calls) == 12 - kept and (128, (0, 1)) in counter.calls
    assert resumed.stats.n_cached == kept


def test_corrupt_or_foreign_cache_files_are_recomputed(tmp_path: Path) -> None:
    first = sweep(tmp_path)
    files = npz_files(tmp_path)
    files[0].write_bytes(b"not a zip file")
    files[1].write_bytes(files[2].read_bytes())  # a valid file stored under the wrong key
    counter = CountingSimulate()
    again = sweep(tmp_path, counter)
    assert len(counter.calls) == 2 and again.same_measurements(first)
    assert JobCache(tmp_path).load(files[0].stem, "x") is None  # wrong key document: a miss


def test_writes_are_atomic(tmp_path: Path, monkeypatch) -> None:
    def exploding_savez(fh, **arrays):
        fh.write(b"PK\x03\x04 half a zip")
        raise KeyboardInterrupt  # an interrupt in the middle of a write

    monkeypatch.setattr(cache_mod.np, "savez", exploding_savez)
    with pytest.raises(KeyboardInterrupt):
        sweep(tmp_path)
    assert list(tmp_path.iterdir()) == []  # neither a truncated .npz nor a stray temporary
    monkeypatch.undo()
    sweep(tmp_path)
    assert len(npz_files(tmp_path)) == 4 and not list(tmp_path.glob("*.tmp"))


def test_cache_round_trip_preserves_nan_inf_and_blowups(tmp_path: Path) -> None:
    cfg = FakeConfig(steps=2, blowup_width=256)
    from impl.theory import sp

    first = run_sweep(sp(2), cfg, WIDTHS, SEEDS, cache_dir=tmp_path, simulate_fn=fake_simulate, code_version=VERSION)
    second = run_sweep(sp(2), cfg, WIDTHS, SEEDS, cache_dir=tmp_path, simulate_fn=CountingSimulate(), code_version=VERSION)
    assert second.stats.n_cached == 4 and second.same_measurements(first)
    assert np.isinf(second.values["delta_h1"][3, 1]).all() and (second.blowup_step[2:] == 1).all()


def test_default_code_version_keys_the_cache(tmp_path: Path) -> None:
    run_sweep(ntp(2), CONFIG, (64, 128), (0,), cache_dir=tmp_path, simulate_fn=fake_simulate)
    counter = CountingSimulate()  # another function: another code version, so no cache hits
    run_sweep(ntp(2), CONFIG, (64, 128), (0,), cache_dir=tmp_path, simulate_fn=counter)
    assert len(counter.calls) == 2 and len(npz_files(tmp_path)) == 4
