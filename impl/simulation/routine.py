"""The training routine: :class:`Routine` (paper Section 3, Eq. (1); Section 9.1) — tp4's one routine type.

Everything here is width-independent: the theory compares *the same* training routine (same data,
same η, same number of steps) as the width n grows, and the parametrization (a, b, c) alone decides
how each weight and learning rate scales with n. The finite-width engine, the sweeps, the theorem
checks and the infinite-width limits all take a :class:`Routine`; its data (inputs, labels, probes)
is a function of the routine alone (:func:`impl.simulation.training_data`), or explicit
:class:`~impl.simulation.TrainingData` passed beside it.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from impl.simulation.activations import Activation, resolve_activation

__all__ = ["Routine", "LOSSES", "DTYPES", "INPUTS"]

LOSSES: tuple[str, ...] = ("mse", "logistic")
INPUTS: tuple[str, ...] = ("clustered", "sphere", "signs")
"""Input distributions (:func:`impl.simulation.training_data` documents each)."""
DTYPES: dict[str, torch.dtype] = {"float64": torch.float64, "float32": torch.float32}


def _int_at_least(value: object, lo: int, what: str) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < lo:
        raise ValueError(f"{what} must be an integer >= {lo}, got {value!r}")


@dataclass(frozen=True)
class Routine:
    """One SGD training routine, independent of width and network seed.

    * ``phi``: a name from :data:`impl.simulation.activations.ACTIVATIONS` or an ``Activation``.
    * ``input_dim`` d, ``output_dim`` d_o: W¹ ∈ R^{n×d}, W^{L+1} ∈ R^{d_o×n}.
    * ``steps`` T: SGD steps; quantities are recorded at t = 0..T.
    * ``lr`` η: the learning rate of the trainable w is η·n^{-c}.
    * ``batch`` B: examples per step; the loss is the batch mean of the per-example loss.
    * ``probes`` P: fixed probe inputs on which everything is measured.
    * ``loss``: ``"mse"`` (½‖f−y‖²) or ``"logistic"`` (Σ_j log(1+e^{−y_j f_j}), y ∈ {±1}).
    * ``bias``: hidden and output biases with the App. C.1 exponents (see :mod:`.engine`).
    * ``decoupled``: Section 6.2 partially decoupled backprop (Eq. (20)) in layers 2..L.
    * ``dtype``: ``"float64"`` or ``"float32"``; ``device``: ``"cpu"`` or an available ``"cuda[:k]"``.
    * ``data_seed``: the only source of the inputs, labels and probes (:func:`training_data`).
    * ``inputs``: how inputs and probes are drawn, one of :data:`INPUTS` (default ``"clustered"``).
    * ``label``: None for the loss's default labels (N(0, 1) for MSE, ±1 for logistic), or a number
      y > 0 for labels ±y with random signs (a fixed magnitude keeps χ₀ = f₀ − y away from 0).
    """

    phi: str | Activation = "tanh"
    input_dim: int = 16
    output_dim: int = 1
    steps: int = 3
    lr: float = 1.0
    batch: int = 1
    probes: int = 32
    loss: str = "mse"
    bias: bool = False
    decoupled: bool = False
    dtype: str = "float64"
    device: str = "cpu"
    data_seed: int = 0
    inputs: str = "clustered"
    label: float | None = None

    def __post_init__(self) -> None:
        resolve_activation(self.phi)
        _int_at_least(self.input_dim, 1, "input_dim")
        _int_at_least(self.output_dim, 1, "output_dim")
        _int_at_least(self.steps, 0, "steps")
        _int_at_least(self.batch, 1, "batch")
        _int_at_least(self.probes, 1, "probes")
        _int_at_least(self.data_seed, 0, "data_seed")
        lr = self.lr
        if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not (0 <= float(lr) < float("inf")):
            raise ValueError(f"lr must be a finite number >= 0, got {lr!r}")
        if self.loss not in LOSSES:
            raise ValueError(f"loss must be one of {', '.join(LOSSES)}, got {self.loss!r}")
        for flag in ("bias", "decoupled"):
            if not isinstance(getattr(self, flag), bool):
                raise ValueError(f"{flag} must be a bool, got {getattr(self, flag)!r}")
        if self.inputs not in INPUTS:
            raise ValueError(f"inputs must be one of {', '.join(INPUTS)}, got {self.inputs!r}")
        label = self.label
        if label is not None and (isinstance(label, bool) or not isinstance(label, (int, float))
                                  or not 0 < float(label) < float("inf")):
            raise ValueError(f"label must be None or a positive finite number, got {label!r}")
        if label is not None and self.loss == "logistic" and float(label) != 1.0:
            raise ValueError(f"logistic loss needs labels in {{-1, +1}}: label must be None or 1, got {label!r}")
        if self.inputs == "signs" and self.probes != 2:
            raise ValueError(f"inputs 'signs' has exactly 2 probes (the all-ones vector and its negative), got {self.probes}")
        if self.dtype not in DTYPES:
            raise ValueError(f"dtype must be one of {', '.join(DTYPES)}, got {self.dtype!r}")
        self.torch_device  # validates

    @property
    def activation(self) -> Activation:
        """φ as an :class:`Activation`."""
        return resolve_activation(self.phi)

    @property
    def torch_dtype(self) -> torch.dtype:
        """The compute dtype."""
        return DTYPES[self.dtype]

    @property
    def torch_device(self) -> torch.device:
        """The compute device; a CUDA device is accepted only when one is available."""
        try:
            dev = torch.device(self.device)
        except (RuntimeError, TypeError):
            raise ValueError(f"device must be 'cpu' or 'cuda[:k]', got {self.device!r}") from None
        if dev.type == "cuda":
            if not torch.cuda.is_available():
                raise ValueError(f"device {self.device!r} requested but CUDA is not available")
            if dev.index is not None and dev.index >= torch.cuda.device_count():
                raise ValueError(f"device {self.device!r}: only {torch.cuda.device_count()} CUDA device(s)")
        elif dev.type != "cpu":
            raise ValueError(f"device must be 'cpu' or 'cuda[:k]', got {self.device!r}")
        return dev
