"""tp4: a property-based theory test harness for Tensor Programs IV.

Layers, each depending only on those before it:

1. :mod:`impl.theory` — abc-parametrizations and the paper's exact classification (no torch).
2. :mod:`impl.simulation` — finite-width reference MLPs trained by SGD.
3. :mod:`impl.measurement` — width sweeps and exponent statistics.
4. :mod:`impl.limits` — infinite-width limits.

:mod:`impl.strategies` (hypothesis strategies) and :mod:`impl.cli` sit on top.
"""

__version__ = "0.1.0"
