"""run_sweep with a fake simulator: executors agree, seed chunking is invisible, progress, errors."""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import sys
import types

import numpy as np
import pytest

from impl.measurement import SweepError, plan_jobs, run_sweep
from impl.theory import mup, ntp, quantity_names
from tests.measurement.fakes import FakeConfig, fake_simulate, wrong_shape_simulate

WIDTHS = (64, 256, 128, 512)  # deliberately unsorted
SEEDS = (3, 1, 4, 15, 9)
CONFIG = FakeConfig(steps=2)


def sweep(**kw):
    kw.setdefault("simulate_fn", fake_simulate)
    return run_sweep(ntp(2), CONFIG, WIDTHS, SEEDS, **kw)


@pytest.fixture(scope="module")
def reference():
    return sweep()


def test_shapes_and_order(reference) -> None:
    r = reference
    assert r.widths == (64, 128, 256, 512) and r.seeds == SEEDS and r.steps == 2
    assert r.quantity_names == quantity_names(2)
    assert all(v.shape == (4, 3, 5) for v in r.values.values())
    assert r.blowup_step.shape == (4, 5) and np.all(r.blowup_step == -1)
    assert r.at("delta_h2", 0).shape == (4, 5) and np.all(r.at("delta_h2", 0) == 0)
    assert (r.stats.n_jobs, r.stats.n_cached, r.stats.n_computed) == (4, 0, 4)
    # the per-seed values are exactly the fake's, width by width
    direct = fake_simulate(ntp(2), CONFIG, 256, SEEDS)
    np.testing.assert_array_equal(r.values["f0"][2], direct.values["f0"])


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 7])
def test_seed_chunking_is_invisible(reference, chunk: int) -> None:
    r = sweep(seed_chunk=chunk)
    assert r.same_measurements(reference)
    assert r.stats.n_jobs == len(WIDTHS) * -(-len(SEEDS) // chunk)


def test_plan_jobs() -> None:
    jobs = plan_jobs((64, 128), (0, 1, 2), seed_chunk=2)
    assert [(j.width, j.seeds) for j in jobs] == [(128, (0, 1)), (128, (2,)), (64, (0, 1)), (64, (2,))]
    for bad in [dict(widths=(64, 64), seeds=(0,)), dict(widths=(0,), seeds=(0,)), dict(widths=(64,), seeds=()),
                dict(widths=(64,), seeds=(1, 1)), dict(widths=(64,), seeds=(0,), seed_chunk=0)]:
        with pytest.raises(ValueError):
            plan_jobs(**bad)


def test_thread_pool_gives_identical_results(reference) -> None:
    with cf.ThreadPoolExecutor(max_workers=2) as ex:
        assert sweep(executor=ex, seed_chunk=2).same_measurements(reference)


def test_process_pool_gives_identical_results(reference) -> None:
    with cf.ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("forkserver")) as ex:
        assert sweep(executor=ex, seed_chunk=3).same_measurements(reference)


def test_fork_pool_with_torch_imported_warns(reference, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "torch", types.ModuleType("torch"))
    with cf.ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork")) as ex:
        with pytest.warns(RuntimeWarning, match="forkserver"):
            assert sweep(executor=ex).same_measurements(reference)


def test_dask_client_and_address_give_identical_results(reference, tmp_path) -> None:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            assert sweep(executor=client, seed_chunk=2).same_measurements(reference)
        by_address = sweep(executor=cluster.scheduler_address, cache_dir=tmp_path)
        assert by_address.same_measurements(reference) and by_address.stats.n_computed == 4


def test_progress_bar_goes_to_stderr_only_when_asked(capsys) -> None:
    sweep(progress=True)
    out = capsys.readouterr()
    assert out.out == "" and "sweep ntp" in out.err
    sweep()
    assert capsys.readouterr().err == ""


def test_default_simulate_is_imported_lazily(monkeypatch, reference) -> None:
    fake_module = types.ModuleType("impl.simulation")
    fake_module.simulate = fake_simulate  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "impl.simulation", fake_module)
    assert run_sweep(ntp(2), CONFIG, WIDTHS, SEEDS).same_measurements(reference)


def test_bad_recordings_and_executors_raise_clearly() -> None:
    with pytest.raises(SweepError, match="shape"):
        sweep(simulate_fn=wrong_shape_simulate)
    with cf.ThreadPoolExecutor(max_workers=2) as ex, pytest.raises(SweepError) as info:
        sweep(simulate_fn=wrong_shape_simulate, executor=ex)
    assert info.value.failures and isinstance(info.value.__cause__, ValueError)
    with pytest.raises(TypeError, match="executor"):
        sweep(executor=object())


def test_different_parametrizations_give_different_measurements(reference) -> None:
    other = run_sweep(mup(2), CONFIG, WIDTHS, SEEDS, simulate_fn=fake_simulate)
    assert not other.same_measurements(reference)
