"""Layer 2: finite-width abc-parametrized MLPs trained by SGD (paper Section 3, Eq. (1)).

:func:`simulate` trains one network per seed at one width, all seeds as one batched computation,
and records the width-scaling quantities of docs/theory.md §3 on a fixed probe batch
(:class:`Recording`). :mod:`impl.simulation.reference` holds a plain autograd model used to check it.
"""

from impl.simulation.activations import (
    ACTIVATIONS,
    Activation,
    get_activation,
    sigma_gelu,
)
from impl.simulation.data import TrainingData, training_data
from impl.simulation.recording import Recording, concat_recordings, recorded_names
from impl.simulation.routine import Routine
from impl.simulation.simulate import simulate
from impl.simulation.threads import one_thread

__all__ = [
    "ACTIVATIONS",
    "Activation",
    "Recording",
    "Routine",
    "TrainingData",
    "concat_recordings",
    "get_activation",
    "one_thread",
    "recorded_names",
    "sigma_gelu",
    "simulate",
    "training_data",
]
