"""Layer 5: the paper's experiments in miniature (Section 9.2–9.3, App. D): few-shot MAML and
Word2Vec with finite µP widths, the µP limit and kernel baselines, on data shipped in packages."""

from impl.experiments.table import ExperimentTable, Row

__all__ = ["ExperimentTable", "Row"]
