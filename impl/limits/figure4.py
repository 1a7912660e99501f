"""Figure 4 of the paper (Section 9.1): finite-width µP networks against their analytic limits.

For φ ∈ {x², x} (rows) and the three networks of Section 6 (columns: depth 1 — Theorem 6.1, depth 2
with decoupled backprop — Theorem 6.3, depth 2 — Theorem 6.4), SGD with batch 1 runs on random
ξₜ ∈ {±1}, yₜ ∈ {±1} (MSE; the :class:`~impl.simulation.Routine` of :meth:`Figure4Settings.routine`, with
``inputs="signs"``, ``label=1``, d = 1 and the probes ±1). A panel compares the limit's loss curve
ℓ̊ₜ = ½(f̊ₜ(ξₜ) − yₜ)², t = 0..T−1 (the loss on the example about to be trained on; f̊ₜ(ξₜ) is read at the
probe equal to ξₜ), with the mean and standard deviation over seeds of the finite networks' ℓₜ at each
width (the mean loss exceeds the loss of the mean output by ½ Var fₜ(ξₜ) = O(1/n)). A panel keeps the raw
outputs, so each seed's deviation from the limit (RMS over probes and steps of fₜ − f̊ₜ) or a comparison
with another limit can be recomputed.

Settings (:class:`Figure4Settings`; the paper: widths 1024 and 4096, 100 seeds, η and T unstated). The
paper notes that large η with φ = x² diverges within a few steps; measured on this data (T = 6, data
seeds 0–7): the depth-2 x² limits at η = 0.05 overflow at step 4 for every data seed, and at η = 0.02
the true-SGD one overflows at step 5 for 6 of the 8, while η = 0.01 stays finite with |f̊| ≤ 1.1 for all
eight; the depth-1 x² limit, slower, reaches 10²–3·10³ by t = 5 at η = 0.1 for 5 of the 8. Hence η = 0.01
for x² and η = 0.2 for x (f̊ moves by ≈ 0.4 in the first step; at η = 1 the linear limit itself diverges
for 6 of the 8), T = 5. Depth-2 limits are Monte Carlo with 2¹⁹ particles (standard error ≤ 0.015 on f̊
for x², ≤ 0.002 for x; data seed 0). The finite networks use seeds 0..S−1 at every width.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any, Callable, Mapping

import numpy as np

from impl.limits.archs import LimitResult, finite_for, get_arch, limit_for
from impl.limits.routine import limit_data
from impl.measurement.report import jsonable
from impl.simulation import Routine, TrainingData, training_data

__all__ = ["PANEL_ARCHS", "Figure4Settings", "Figure4Panel", "Figure4Result", "trained_outputs", "loss_curves",
           "make_panel", "figure4_data"]

PANEL_ARCHS = ("mlp1", "mlp2-decoupled", "mlp2")
"""The columns of Figure 4: depth 1, depth 2 decoupled (Theorem 6.3), depth 2 (Theorem 6.4)."""


@dataclass(frozen=True)
class Figure4Settings:
    """What to compute: ``phis`` (rows) with learning rates ``etas`` (one per φ), ``archs`` (columns),
    finite ``widths`` and ``seeds`` per width, ``steps`` T, the ``data_seed`` of the ±1 data (:meth:`routine`)
    and the Monte-Carlo ``particles`` of the depth-2 limits. Defaults: module docstring."""

    phis: tuple[str, ...] = ("square", "identity")
    etas: tuple[float, ...] = (0.01, 0.2)
    archs: tuple[str, ...] = PANEL_ARCHS
    widths: tuple[int, ...] = (1024, 4096)
    seeds: int = 100
    steps: int = 5
    data_seed: int = 0
    particles: int = 2**19

    def __post_init__(self) -> None:
        if len(self.phis) != len(self.etas) or not self.phis:
            raise ValueError(f"need one eta per phi, got phis {self.phis} and etas {self.etas}")
        if not all(isinstance(e, (int, float)) and np.isfinite(e) and e > 0 for e in self.etas):
            raise ValueError(f"etas must be positive numbers, got {self.etas}")
        for a in self.archs:
            get_arch(a)
        if not self.widths or any(isinstance(w, bool) or not isinstance(w, int) or w < 1 for w in self.widths) \
                or len(set(self.widths)) != len(self.widths):
            raise ValueError(f"widths must be distinct integers >= 1, got {self.widths}")
        for name, value, low in (("seeds", self.seeds, 2), ("steps", self.steps, 1), ("data_seed", self.data_seed, 0),
                                 ("particles", self.particles, 32)):
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
        object.__setattr__(self, "widths", tuple(sorted(self.widths)))

    def routine(self, phi: str, arch: str) -> Routine:
        """The routine of the panel (``phi``, ``arch``): T random ±1 pairs (``inputs="signs"``, ``label=1``,
        d = 1, probes ±1, MSE, ``data_seed``) at the η of ``phi``'s row, with φ = ``phi`` and ``arch``'s
        backprop (``decoupled``). Its data, :func:`impl.simulation.training_data`, is the same for every
        architecture of the row."""
        return Routine(phi=phi, input_dim=1, steps=self.steps, lr=float(self.etas[self.phis.index(phi)]), probes=2,
                       data_seed=self.data_seed, inputs="signs", label=1.0, decoupled=get_arch(arch).decoupled)


@dataclass(frozen=True, eq=False)
class Figure4Panel:
    """One panel, with the raw outputs so that every statistic (or a comparison with another limit,
    :meth:`against`) can be recomputed: the ``routine`` (φ, step η, backprop) and its ``data`` (inputs,
    labels, probes); ``limit``/``limit_error`` (T+1, P, d_o) are f̊ₜ on the probes and its error;
    ``finite`` (W, T+1, S, P, d_o) the finite networks' fₜ at each of ``widths``. Loss curves have T
    entries, t = 0..T−1."""

    phi: str
    arch: str
    routine: Routine
    data: TrainingData
    widths: tuple[int, ...]
    limit: np.ndarray
    limit_error: np.ndarray
    finite: np.ndarray

    @property
    def seeds(self) -> int:
        return int(self.finite.shape[2])

    @property
    def limit_loss(self) -> np.ndarray:
        """ℓ̊ₜ, shape (T,)."""
        return loss_curves(self.routine, self.limit, data=self.data)

    @property
    def limit_loss_error(self) -> np.ndarray:
        """|ℓ̊ₜ(f̊ + error) − ℓ̊ₜ(f̊)|: the loss curve's error to first order in the limit's error."""
        return np.abs(loss_curves(self.routine, self.limit + self.limit_error, data=self.data) - self.limit_loss)

    @property
    def losses(self) -> np.ndarray:
        """ℓₜ of each finite network, shape (W, T, S)."""
        return loss_curves(self.routine, self.finite, step_axis=1, data=self.data)

    @property
    def loss_mean(self) -> np.ndarray:
        """Mean over seeds of ℓₜ, (W, T)."""
        return self.losses.mean(axis=2)

    @property
    def loss_std(self) -> np.ndarray:
        """Standard deviation over seeds of ℓₜ, (W, T)."""
        return self.losses.std(axis=2, ddof=1)

    @property
    def deviation(self) -> np.ndarray:
        """Per width and seed, the RMS over probes and steps 0..T of fₜ − f̊ₜ, (W, S)."""
        with np.errstate(over="ignore", invalid="ignore"):  # a blown-up network's deviation is inf
            return np.sqrt(np.mean((self.finite - self.limit[None, :, None]) ** 2, axis=(1, 3, 4)))

    @property
    def deviation_rms(self) -> np.ndarray:
        """RMS over seeds of :attr:`deviation`, per width."""
        return np.sqrt(np.mean(self.deviation**2, axis=1))

    @property
    def output_gap(self) -> np.ndarray:
        """Per width, max over t of |mean fₜ(ξₜ) − f̊ₜ(ξₜ)| in standard errors √(sem² + error²): how far the
        loss curve ½(mean f − y)² of the mean network is from ℓ̊ (the mean loss also carries ½ Var fₜ(ξₜ),
        an O(1/n) bias — the finite curves of the figure sit above the limit by that much)."""
        f = trained_outputs(self.routine, self.finite, step_axis=1, data=self.data)  # (W, T, S, d_o)
        f0 = trained_outputs(self.routine, self.limit, data=self.data)  # (T, d_o)
        err = trained_outputs(self.routine, self.limit_error, data=self.data)
        z = np.abs(f.mean(axis=2) - f0) / np.sqrt(f.var(axis=2, ddof=1) / self.seeds + err**2)
        return np.max(z, axis=(1, 2))

    def against(self, limit: LimitResult) -> "Figure4Panel":
        """The same finite networks judged against another limit (negative controls)."""
        return replace(self, limit=limit.outputs, limit_error=limit.error)


_ARRAYS = ("limit", "limit_error", "finite")
_SUMMARY = ("limit_loss", "loss_mean", "loss_std", "deviation_rms")


@dataclass(frozen=True, eq=False)
class Figure4Result:
    """Every panel of Figure 4 (row-major: ``phis`` × ``archs``) and the settings that made them."""

    settings: Figure4Settings
    panels: tuple[Figure4Panel, ...] = field(default=())

    def panel(self, phi: str, arch: str) -> Figure4Panel:
        """The panel of row ``phi`` and column ``arch``."""
        for p in self.panels:
            if (p.phi, p.arch) == (phi, arch):
                return p
        raise KeyError(f"no panel for phi={phi!r}, arch={arch!r}")

    def to_json(self) -> dict[str, Any]:
        """Plain JSON types only (strict JSON: a non-finite value — a finite network that blew up — is
        null, read back as NaN); :meth:`from_json` inverts it. Each panel also carries its summary
        (``limit_loss``, ``loss_mean``, ``loss_std``, ``deviation_rms``) for readers without numpy. A panel's
        routine is its row's η (``eta``) and its data the arrays ``xs`` (T, d), ``ys`` (T, d_o), ``probes``."""
        settings = {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self.settings).items()}
        panels = [{"phi": p.phi, "arch": p.arch, "eta": p.routine.lr, "widths": list(p.widths),
                   "xs": jsonable(p.data.inputs[:, 0]), "ys": jsonable(p.data.labels[:, 0]),
                   "probes": jsonable(p.data.probes),
                   **{k: jsonable(getattr(p, k)) for k in _ARRAYS},
                   "summary": {k: jsonable(getattr(p, k)) for k in _SUMMARY}}
                  for p in self.panels]
        return {"settings": settings, "panels": panels}

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> "Figure4Result":
        """The result written by :meth:`to_json` (ValueError on a malformed document). Each panel's routine
        is :meth:`Figure4Settings.routine` at the document's η, its data the document's arrays."""
        try:
            s = doc["settings"]
            settings = Figure4Settings(tuple(s["phis"]), tuple(s["etas"]), tuple(s["archs"]), tuple(s["widths"]),
                                       s["seeds"], s["steps"], s["data_seed"], s["particles"])
            panels = tuple(_panel_from(p, settings) for p in doc["panels"])
        except (KeyError, TypeError, AttributeError) as err:
            raise ValueError(f"not a Figure 4 document: {type(err).__name__}: {err}") from None
        return cls(settings, panels)


def _panel_from(p: Mapping[str, Any], settings: Figure4Settings) -> Figure4Panel:
    def arr(key: str) -> np.ndarray:
        return np.asarray(p[key], dtype=np.float64)

    def rows(key: str) -> np.ndarray:  # (T, d) → (T, B = 1, d); plain numbers are d = 1
        a = arr(key)
        return (a[:, None] if a.ndim == 1 else a)[:, None, :]

    phi, arch = str(p["phi"]), str(p["arch"])
    routine = replace(settings.routine(phi, arch), lr=float(p["eta"]))
    data = limit_data(routine, TrainingData(rows("xs"), rows("ys"), arr("probes")))
    return Figure4Panel(phi, arch, routine, data, tuple(int(w) for w in p["widths"]), arr("limit"),
                        arr("limit_error"), arr("finite"))


def trained_outputs(routine: Routine, outputs: np.ndarray, step_axis: int = 0, *,
                    data: TrainingData | None = None) -> np.ndarray:
    """fₜ(ξₜ), t = 0..T−1, from outputs on the probes: ``outputs`` has the steps 0..T on ``step_axis`` and
    ends with (P, d_o); the result has T steps there and no probe axis. ``data`` (default
    :func:`impl.simulation.training_data` of the batch-1 ``routine``) gives ξₜ, which must be one of the
    probes (true for Figure 4's ±1 data in d = 1)."""
    data = limit_data(routine, data)
    idx = [np.flatnonzero(np.all(data.probes == x, axis=1)) for x in data.inputs[:, 0]]
    if any(i.size == 0 for i in idx):
        raise ValueError("every training input must also be a probe to read its loss curve")
    steps = np.moveaxis(outputs, step_axis, 0)
    return np.moveaxis(np.stack([np.take(steps[t], i[0], axis=-2) for t, i in enumerate(idx)]), 0, step_axis)


def loss_curves(routine: Routine, outputs: np.ndarray, step_axis: int = 0, *,
                data: TrainingData | None = None) -> np.ndarray:
    """ℓₜ = ½|fₜ(ξₜ) − yₜ|², t = 0..T−1 (shapes and ``data`` as :func:`trained_outputs`, less the output
    axis)."""
    data = limit_data(routine, data)
    f = np.moveaxis(trained_outputs(routine, outputs, step_axis, data=data), step_axis, -2)  # (…, T, d_o)
    return np.moveaxis(0.5 * np.sum((f - data.labels[:, 0]) ** 2, axis=-1), -1, step_axis)


def make_panel(phi: str, arch: str, routine: Routine, limit: LimitResult, finite: Mapping[int, np.ndarray], *,
               data: TrainingData | None = None) -> Figure4Panel:
    """A panel from the limit and the finite outputs ``finite[width]`` (T+1, S, P, d_o) of ``routine`` on
    ``data`` (default :func:`impl.simulation.training_data`)."""
    widths = tuple(sorted(finite))
    return Figure4Panel(phi, arch, routine, limit_data(routine, data), widths, limit.outputs, limit.error,
                        np.stack([finite[w] for w in widths]))


def figure4_data(settings: Figure4Settings = Figure4Settings(),
                 progress: Callable[[str], None] | None = None) -> Figure4Result:
    """Compute every panel (the limits, then each width's finite networks; ``progress`` gets one line
    before each finite run). ValueError (one line) when a limit diverges: lower that φ's η or T."""
    panels = []
    for phi in settings.phis:
        for arch in settings.archs:
            routine = settings.routine(phi, arch)
            data = training_data(routine)
            limit = limit_for(arch, routine, data=data, particles=settings.particles)
            if not limit.finite:
                raise ValueError(f"the {arch} limit with phi={phi} diverges at step {limit.diverged_at} "
                                 f"(eta={routine.lr}): lower eta or steps")
            finite = {}
            for w in settings.widths:
                if progress is not None:
                    progress(f"{phi} {arch} width {w}: {settings.seeds} seeds")
                finite[w] = finite_for(arch, routine, w, range(settings.seeds), data=data)
            panels.append(make_panel(phi, arch, routine, limit, finite, data=data))
    return Figure4Result(settings, tuple(panels))
