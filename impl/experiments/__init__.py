"""Layer 5: the paper's experiments in miniature (Sections 9.2–9.3, App. D), on top of the limits.

* :mod:`~impl.experiments.maml` — first-order MAML, N-way 1-shot (Table 2's pattern): finite µP
  widths, the µP limit and kernel baselines (:mod:`~impl.experiments.maml_kernels`, Algorithm 4) on
  scikit-learn's digits and a synthetic family (:mod:`~impl.experiments.fewshot`);
* :mod:`~impl.experiments.word2vec` — CBOW with negative sampling (Table 3's pattern): finite widths,
  the µP limit in coefficient space and random embeddings, on gensim's Wikipedia excerpt and the
  Google analogies (:mod:`~impl.experiments.corpus`, :mod:`~impl.experiments.word2vec_train`);
* :func:`run_experiment` — either one through the per-job cache and an executor
  (:mod:`~impl.experiments.runner`); results as :class:`ExperimentTable`.

scikit-learn, gensim and threadpoolctl are the optional ``paper`` extra; they are imported only
when an experiment runs.
"""

from impl.experiments.runner import EXPERIMENTS, run_experiment, run_jobs_cached
from impl.experiments.table import ExperimentTable, Row

__all__ = ["EXPERIMENTS", "ExperimentTable", "Row", "run_experiment", "run_jobs_cached"]
