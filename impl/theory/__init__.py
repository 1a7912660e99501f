"""Layer 1: the exact theory of abc-parametrizations (pure Python, ``fractions.Fraction``, no torch)."""

from impl.theory.classification import (
    Classification,
    Condition,
    MaximalUpdates,
    Regime,
    classify,
    in_mup_class,
    maximal_updates,
    min_stable_c,
    r_layers,
    r_value,
    stability_conditions,
)
from impl.theory.exponents import (
    Behaviour,
    exact_zeros,
    feature_step,
    lag_applies,
    predicted_behaviours,
    predicted_exponents,
    quantity_names,
    readout_correction,
)
from impl.theory.parametrization import Parametrization
from impl.theory.presets import PRESET_NAMES, mfp, mup, ntp, preset, sp, sp_lr1n, up
from impl.theory.rational import INF, Exponent, Infinity, format_fraction, to_exponent, to_fraction
from impl.theory.spec import SpecError, parse_spec

__all__ = [
    "Behaviour",
    "Classification",
    "Exponent",
    "INF",
    "Infinity",
    "Condition",
    "MaximalUpdates",
    "Parametrization",
    "PRESET_NAMES",
    "Regime",
    "SpecError",
    "classify",
    "exact_zeros",
    "feature_step",
    "format_fraction",
    "in_mup_class",
    "lag_applies",
    "readout_correction",
    "maximal_updates",
    "mfp",
    "min_stable_c",
    "mup",
    "ntp",
    "parse_spec",
    "predicted_behaviours",
    "predicted_exponents",
    "preset",
    "quantity_names",
    "r_layers",
    "r_value",
    "sp",
    "sp_lr1n",
    "stability_conditions",
    "to_exponent",
    "to_fraction",
    "up",
]
