"""What the limit computations must hold in memory, known from their arguments before they start.

Each estimate counts the dominant arrays of the code it names — entries × 8 bytes (the limits compute in float64
numpy) — and returns a :class:`impl.simulation.memory.Need`, whose :meth:`~impl.simulation.memory.Need.shortfall`
is the one-line refusal of ``tp4 limit``, ``tp4 figure4`` and ``tp4 kernel``. Small terms are counted where an
argument can make them dominate (the outputs and the training data grow with T) and left out otherwise (Python
overhead, the finite networks' per-seed recording). The coefficients of temporaries were measured with
``tracemalloc``; ``tests/limits/test_memory.py`` keeps every estimate between 0.8 and 2 times the measured peak
(0.88–1.30 when last run).

* :func:`mlp2_limit_need` — :mod:`impl.limits.two_hidden`: N particles in K replicas, each Gaussian family holding
  a basis and a noise array of (capacity × N), the past Z^{x}, Z^{g} (T × N each), the weights' Z (N·(d + d_o));
* :func:`mlp1_limit_need` — :mod:`impl.limits.one_hidden`: one quadrature grid (at most
  :data:`~impl.limits.one_hidden.MAX_POINTS` nodes) or one scrambling of Sobol' points, with the recursion's
  per-node state and its probe blocks (:data:`~impl.limits.one_hidden._CHUNK` entries);
* :func:`linear_limit_need` — :mod:`impl.limits.linear`: width d + d_o, only the (T+1) × P outputs grow;
* :func:`finite_need` — :func:`impl.limits.archs.finite_for`: one seed chunk of the engine
  (:func:`impl.simulation.memory.run_bytes`) plus the outputs of every seed;
* :func:`comparison_need` — ``tp4 limit``: the limit, then each width in turn, the outputs kept;
* :func:`figure4_need` — :func:`impl.limits.figure4.figure4_data`: every panel's comparison in turn;
* :func:`kernel_need` — :func:`impl.limits.kernels.mlp_kernels` / :func:`~impl.limits.kernels.abc_kernel` on N
  inputs: 4L + 7 N × M matrices at the peak (Σ¹..Σ^{L+1}, Σ̇¹..Σ̇^L, K₁..K_{L+1}, Θ, the stack summed into Θ and
  a dual's temporaries), plus the quadrature's batches for a φ without a closed form.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Sequence

from impl.limits.archs import QMC_REPLICATES, finite_chunk, get_arch, qmc_points
from impl.limits.kernels import _CHUNK as _QUAD_CHUNK  # the quadrature's points per batch
from impl.limits.kernels import CLOSED_FORMS, MAX_NODES
from impl.limits.one_hidden import _CHUNK as _PROBE_CHUNK  # entries of one (nodes × probes) block
from impl.limits.one_hidden import _MAX_GRID_DIM, MAX_POINTS, sobol_points
from impl.limits.two_hidden import REPLICAS
from impl.simulation.activations import resolve_activation
from impl.simulation.memory import Need, run_bytes

if TYPE_CHECKING:
    from impl.limits.figure4 import Figure4Settings
    from impl.simulation import Routine
    from impl.simulation.activations import Activation

__all__ = ["FLOAT", "mlp1_limit_need", "mlp2_limit_need", "linear_limit_need", "limit_need", "finite_need",
           "data_bytes", "comparison_need", "figure4_need", "kernel_need"]

FLOAT = 8
"""Bytes per entry: the limits compute in float64."""
MC_WORK_VECTORS = 12
"""(K, M) temporaries of one step of :func:`~impl.limits.two_hidden.mlp2_limit` (h, x, h̄, g, dx, the new
Gaussian's ε and residual, …), beyond 2·(d + d_o) for the weights' Z and their updates (measured)."""
GRID_WORK_VECTORS = 2
"""Per-node temporaries of one quadrature run of :func:`~impl.limits.one_hidden.mlp1_limit` beyond its state
(h and x of the step; measured)."""
KERNEL_WORK_MATRICES = 4
"""N × M temporaries of one layer of :func:`~impl.limits.kernels.mlp_kernels` (√(ab), ρ, θ, … of a dual;
measured: relu, L = 1, 3, 8, peaks of 4L + 6 matrices)."""


def _hint(*sizes: str) -> str:
    return (", ".join(sizes[:-1]) + " or " + sizes[-1] if len(sizes) > 1 else sizes[0]) + " lower it"


def data_bytes(routine: "Routine") -> int:
    """The routine's training data and probes (:class:`~impl.simulation.TrainingData`): T·B·(d + d_o) + P·d."""
    r = routine
    return (r.steps * r.batch * (r.input_dim + r.output_dim) + r.probes * r.input_dim) * FLOAT


def _outputs_bytes(routine: "Routine", seeds: int = 1) -> int:
    """f on the probes at every step, (T+1) × seeds × P × d_o."""
    return (routine.steps + 1) * seeds * routine.probes * routine.output_dim * FLOAT


def mlp2_limit_need(routine: "Routine", particles: int, replicas: int = REPLICAS) -> Need:
    """:func:`~impl.limits.two_hidden.mlp2_limit` with N = ``particles`` (rounded down to a multiple of K =
    ``replicas``): the forward family's basis and noise, 2·(T+1)(P+1)·N; the backward family's, 2·max(T, 1)·N; the
    past Z^{x_s}, Z^{g_s}, 2·T·N; the weights' Z and their updates, 2·(d + d_o)·N; :data:`MC_WORK_VECTORS`·N."""
    r = routine
    n = (int(particles) // int(replicas)) * int(replicas)
    T, P = r.steps, r.probes
    per_particle = (2 * (T + 1) * (P + 1) + 2 * max(T, 1) + 2 * T + 2 * (r.input_dim + r.output_dim)
                    + MC_WORK_VECTORS)
    return Need(n * per_particle * FLOAT, f"the depth-2 limit with {n} particles, T = {T}, {P} probes",
                "the Monte-Carlo particles", _hint("fewer particles", "steps", "probes"))


def _mlp1_run_entries(points: int, dim: int, k: int, d_o: int, probes: int) -> int:
    """One run of the recursion of :func:`~impl.limits.one_hidden._trajectory` on ``points`` nodes in ``dim``
    Gaussians (k of them for Z^U): the nodes and their copies (2·dim), Z^U's projections (k), Z^{nV} and its
    weighted copy and update (3·d_o), :data:`GRID_WORK_VECTORS` per node, and a (nodes × probes) block and φ of
    it (a block holds all probes, or as many as keep it within :data:`~impl.limits.one_hidden._CHUNK` entries)."""
    block = min(points * probes, max(_PROBE_CHUNK, points))
    return points * (2 * dim + k + 3 * d_o + GRID_WORK_VECTORS) + 2 * block


def mlp1_limit_need(routine: "Routine", particles: int, max_points: int = MAX_POINTS) -> Need:
    """:func:`~impl.limits.one_hidden.mlp1_limit` as ``limit_for`` calls it. The dimension integrated, D = k + m, is
    bounded before the data exist: k ≤ min(d, T + P) projections of Z^{U₀}, m ≤ min(d_o, T) of Z^{nV₀} (d_o for
    the logistic loss). A grid has at most :data:`~impl.limits.one_hidden.MAX_POINTS` nodes whatever the
    arguments; when D may exceed 2 the rule may be quasi-Monte Carlo instead, one scrambling of
    :func:`~impl.limits.one_hidden.sobol_points` (``particles``/8 rounded up to a power of two) at a time.
    The larger of the two is the estimate: an upper bound where the grid refinement stops early (measured, d = 1,
    T = 5: tanh stops at 243² nodes and peaks at 2.4 MiB, relu refines to 1233² and peaks at 139 MiB, against
    the 224 MiB estimated). ``max_points`` is :func:`~impl.limits.one_hidden.mlp1_limit`'s."""
    r = routine
    T, P, d, d_o = r.steps, r.probes, r.input_dim, r.output_dim
    k = max(1, min(d, T + P))
    dim = k + (max(1, min(d_o, T)) if r.loss == "mse" else d_o)
    entries = _mlp1_run_entries(max_points, dim, k, d_o, P)
    part, hint = f"a quadrature grid of up to {max_points} nodes in dimension {dim}", _hint("fewer steps", "probes")
    if dim > _MAX_GRID_DIM:
        points = sobol_points(qmc_points(particles))
        qmc = _mlp1_run_entries(points, dim, k, d_o, P)
        if qmc > entries:
            entries, part = qmc, f"{points} quasi-Monte-Carlo points in dimension {dim}"
            hint = _hint("fewer particles", "steps", "probes")
    outputs = (QMC_REPLICATES + 1) * _outputs_bytes(r)  # each scrambling's outputs are kept
    if outputs > entries * FLOAT:  # only a huge T gets here
        part, hint = "its outputs at every step", _hint("fewer steps", "probes")
    return Need(entries * FLOAT + outputs, f"the depth-1 limit (T = {T}, {P} probes, d = {d}, d_o = {d_o})", part,
                hint)


def linear_limit_need(routine: "Routine") -> Need:
    """:func:`~impl.limits.linear.linear_limit`: Algorithm 3 in width d + d_o — the weights (and a copy per
    step), the outputs and χ̊ₜ of every step."""
    r = routine
    m = r.input_dim + r.output_dim
    entries = 4 * m * m + (r.steps + 1) * r.probes * r.output_dim + r.steps * r.output_dim
    return Need(entries * FLOAT, f"the linear limit (T = {r.steps}, {r.probes} probes, d = {r.input_dim})",
                "its outputs", _hint("fewer steps", "probes"))


_LIMIT_NEEDS: dict[str, Callable[["Routine", int], Need]] = {
    "mlp1": mlp1_limit_need, "linear1": lambda routine, _: linear_limit_need(routine),
    "mlp2-decoupled": mlp2_limit_need, "mlp2": mlp2_limit_need}


def limit_need(arch: str, routine: "Routine", particles: int) -> Need:
    """The need of :func:`~impl.limits.archs.limit_for` for ``arch`` (ValueError for an unknown one)."""
    return _LIMIT_NEEDS[get_arch(arch).name](routine, particles)


def finite_need(arch: str, routine: "Routine", width: int, seeds: int) -> Need:
    """:func:`~impl.limits.archs.finite_for`: one chunk of :func:`~impl.limits.archs.finite_chunk` seeds in the
    engine (:func:`impl.simulation.memory.run_bytes`: weights, low-rank updates, activations) and the outputs of
    all ``seeds`` (T+1, S, P, d_o). The per-seed recording (a few dozen numbers per step) is left out."""
    a = get_arch(arch)
    chunk = min(int(seeds), finite_chunk(arch, width, routine.dtype))
    need = run_bytes(a.depth, routine, width, chunk) + _outputs_bytes(routine, seeds)
    return Need(need, f"a run of {seeds} finite {arch} networks of width {width} ({chunk} at a time, {routine.dtype})",
                "their weights, activations and outputs", _hint("a smaller width", "fewer seeds", "steps"))


def _comparison(arch: str, routine: "Routine", particles: int, widths: Sequence[int], seeds: int) -> tuple[Need, int]:
    """The largest single computation of a limit-against-finite comparison, and the bytes kept beside it."""
    parts = [limit_need(arch, routine, particles)] + [finite_need(arch, routine, w, seeds) for w in widths]
    kept = data_bytes(routine) + len(widths) * _outputs_bytes(routine, seeds)
    return max(parts, key=lambda p: p.bytes), kept


def comparison_need(arch: str, routine: "Routine", particles: int, widths: Sequence[int], seeds: int) -> Need:
    """``tp4 limit``: the data, then the limit of ``arch`` (:func:`limit_need`), then each width's ``seeds``
    networks in turn (:func:`finite_need`), every width's outputs kept: the largest of those computations plus what
    is kept beside it."""
    top, kept = _comparison(arch, routine, particles, widths, seeds)
    return top.plus(kept)


def figure4_need(settings: "Figure4Settings") -> Need:
    """:func:`~impl.limits.figure4.figure4_data`: each panel (φ, arch) is a comparison (:func:`comparison_need`)
    run in turn, and every panel's outputs stay: the largest panel's computation plus every panel's kept bytes."""
    tops, kept = [], 0
    for phi in settings.phis:
        for arch in settings.archs:
            top, panel_kept = _comparison(arch, settings.routine(phi, arch), settings.particles, settings.widths,
                                          settings.seeds)
            tops.append(top)
            kept += panel_kept
    return max(tops, key=lambda p: p.bytes).plus(kept)


def kernel_need(phi: "str | Activation", inputs: int, depth: int, inputs2: int | None = None, *,
                abc: bool = False) -> Need:
    """:func:`~impl.limits.kernels.mlp_kernels` of ``inputs`` × ``inputs2`` (default ``inputs``) points, depth L:
    the result's 3L + 2 distinct matrices (Σ¹..Σ^{L+1}, Σ̇¹..Σ̇^L, K₁..K_{L+1}, Θ; the NNGP is Σ^{L+1}), the
    (L+1)-stack summed into Θ and :data:`KERNEL_WORK_MATRICES` temporaries; with ``abc``
    (:func:`~impl.limits.kernels.abc_kernel`) its kernel and f̊₀ covariance as well. A φ without a closed form
    (not in :data:`~impl.limits.kernels.CLOSED_FORMS`) adds the 2-D quadrature's batches — three arrays of
    max(:data:`~impl.limits.kernels._CHUNK`, MAX_NODES²) points — and its 1-D variance pass (N × MAX_NODES, three).
    ValueError for an unknown φ."""
    n, m, L = int(inputs), int(inputs) if inputs2 is None else int(inputs2), int(depth)
    matrices = (3 * L + 2) + (L + 1) + KERNEL_WORK_MATRICES + (2 if abc else 0)
    entries = matrices * n * m
    if resolve_activation(phi).name.split(":")[0] not in CLOSED_FORMS:
        entries += 3 * max(_QUAD_CHUNK, MAX_NODES**2) + 3 * (n + m) * MAX_NODES
    return Need(entries * FLOAT, f"computing the depth-{L} kernels of {n} inputs", f"{matrices} matrices of {n} × {m}",
                _hint("fewer inputs", "a smaller depth"))
