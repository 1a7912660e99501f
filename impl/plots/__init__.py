"""Figures drawn with matplotlib's object-oriented API (``matplotlib.figure.Figure``, Agg canvas; no pyplot
state). Import the module you need; this package imports nothing, so ``import impl.plots`` stays cheap.

* :mod:`impl.plots.figure4` — the paper's Figure 4 (finite-width µP networks against their limits);
* :mod:`impl.plots.coordcheck`, :mod:`impl.plots.matrix`, :mod:`impl.plots.maxlr` — the width-scaling
  figures of ``tp4 report``.
"""

__all__: list[str] = []
