"""Figures drawn with matplotlib's object-oriented API (``matplotlib.figure.Figure``, Agg canvas; no pyplot
state). Import the module you need; this package imports nothing, so ``import impl.reporting.figures`` stays cheap.

* :mod:`impl.reporting.figures.figure4` — the paper's Figure 4 (finite-width µP networks against their limits);
* :mod:`impl.reporting.figures.coordcheck`, :mod:`impl.reporting.figures.matrix`, :mod:`impl.reporting.figures.maxlr` — the width-scaling
  figures of ``tp4 report``.
"""

__all__: list[str] = []
