"""The user's own PyTorch model, checked against the theory (layer 7, above :mod:`impl.checks`).

``check_model("my_model.py:build", expect="mup")`` builds the model at several widths, finds its
width-scaled layers (:mod:`.discover`), infers its abc-parametrization exactly from the multipliers,
init stds and learning rates it uses (:mod:`.knobs`, :mod:`.infer`), trains it with its own optimizer while
recording the theory's quantities through hooks (:mod:`.record`), and decides every applicable statement
with :mod:`impl.checks` (:mod:`.sweeps`, :mod:`.check`); :mod:`.diagnosis` names the class, or the layer,
knob and fix that would make it the expected parametrization. Models beyond the paper's MLP-with-SGD
are judged on the µP desiderata, labelled as such (:mod:`.desiderata`).
"""

from impl.models.check import MODEL_STATEMENTS, ModelCheck, check_model, model_job
from impl.models.desiderata import DESIDERATA, check_desiderata
from impl.models.diagnosis import Diagnosis, Fix, describe_class, diagnose
from impl.models.discover import Layer, Structure, discover
from impl.models.infer import Inference, LayerKnobs, infer_parametrization
from impl.models.record import ModelJob
from impl.models.sweeps import ModelSweeps
from impl.models.target import Built, ModelError, Target, build_at, load_target

__all__ = [
    "Built",
    "DESIDERATA",
    "Diagnosis",
    "Fix",
    "Inference",
    "Layer",
    "LayerKnobs",
    "MODEL_STATEMENTS",
    "ModelCheck",
    "ModelError",
    "ModelJob",
    "ModelSweeps",
    "Structure",
    "Target",
    "build_at",
    "check_desiderata",
    "check_model",
    "describe_class",
    "diagnose",
    "discover",
    "infer_parametrization",
    "load_target",
    "model_job",
]
