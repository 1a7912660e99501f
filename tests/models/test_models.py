"""The models layer on the shipped examples (``examples/``): exact inference, diagnosis, verdicts, bad input.

Every example's parametrization is known by construction, so inference must return it exactly; each
planted bug must be named (layer, knob, fix); the full check must agree on the µP example and disagree on
a bug; a model beyond the paper gets a desiderata verdict, and an SP-like Adam model (a negative control)
must fail it.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch
from torch import nn

from impl.checks import Budget
from impl.measurement import Verdict
from impl.models import ModelError, ModelJob, check_model, diagnose, discover, infer_parametrization, load_target
from impl.simulation import Routine
from impl.theory import parse_spec

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def target(spec: str) -> str:
    file, _, fn = spec.partition(":")
    return f"{EXAMPLES / file}:{fn}"


INFERRED = {
    "mup_mlp.py:build": "a=-1/2,0,1/2;b=1/2,1/2,1/2;c=0",
    "ntp_mlp.py:build": "a=0,1/2,1/2;b=0,0,0;c=0",
    "sp_mlp.py:build": "a=1/2,1/2,1/2;b=-1/2,0,0;c=0",
    "mup_mlp.py:missing_readout_multiplier": "a=-1/2,0,-1/2;b=1/2,1/2,1/2;c=0",
    "mup_mlp.py:input_lr_not_scaled": "a=0,0,1/2;b=0,1/2,1/2;c=0",
    "mup_mlp.py:hidden_init_1_over_n": "a=-1/2,0,1/2;b=1/2,1,1/2;c=0",
    "mup_mlp.py:zero_readout": "a=-1/2,0,1/2;b=1/2,1/2,inf;c=0",
}


def infer(spec: str):  # noqa: ANN201
    t = load_target(target(spec))
    return infer_parametrization(t, discover(t))


@pytest.mark.parametrize("spec", sorted(INFERRED))
def test_inference_is_exact(spec: str) -> None:
    assert infer(spec).parametrization == parse_spec(INFERRED[spec])


def test_the_presets_are_recognised() -> None:
    assert infer("ntp_mlp.py:build").parametrization.equivalent(parse_spec("ntp"))
    assert infer("sp_mlp.py:build").parametrization.equivalent(parse_spec("sp-lr1n"))
    assert "µP (Theorem 5.6" in diagnose(infer("mup_mlp.py:build"), parse_spec("mup")).summary


@pytest.mark.parametrize(("spec", "layer", "fix"), [
    ("mup_mlp.py:missing_readout_multiplier", "Wout (readout.weight)", "multiplier n^0; mup needs n^-1"),
    ("mup_mlp.py:input_lr_not_scaled", "W1 (fc1.weight)", "learning rate n^0; mup needs n^1"),
    ("mup_mlp.py:hidden_init_1_over_n", "W2 (fc2.weight)", "init std n^-1; mup needs n^-1/2"),
])
def test_each_planted_bug_is_named_with_its_fix(spec: str, layer: str, fix: str) -> None:
    d = diagnose(infer(spec), parse_spec("mup"))
    assert "it is not mup" in d.summary
    assert [f.layer for f in d.fixes] == [layer]
    assert fix in str(d.fixes[0])


def test_a_zero_readout_is_inferred_and_diagnosed() -> None:
    """b_{L+1} = ∞ (App. H.3): its class is named, and against µP the fix is the readout's init std."""
    zero = infer("mup_mlp.py:zero_readout")
    assert "0 (zero init)" in zero.table() and zero.parametrization.zero_readout
    assert "µP with a zero-initialised readout" in diagnose(zero).summary
    d = diagnose(zero, parse_spec("mup"))
    assert [f.layer for f in d.fixes] == ["Wout (readout.weight)"]
    assert str(d.fixes[0]).endswith("init std 0 (zero init); mup needs n^0")  # std 1 × multiplier 1/n = µP
    back = diagnose(infer("mup_mlp.py:build"), parse_spec("a=-1/2,0,1/2;b=1/2,1/2,inf;c=0"))
    assert "init std n^0; a=-1/2,0,1/2;b=1/2,1/2,inf;c=0 needs 0 (zero init)" in str(back.fixes[0])


def test_zero_readout_example_agrees_and_mup_expectation_disagrees() -> None:
    """The full check on the zero-readout example: every applicable statement agrees with its own theory, and
    claiming it is µP (f₀ ~ n^-1/2, W₀Δx Θ(1)) is refuted by the exact zeros (a negative control)."""
    own = check_model(target("mup_mlp.py:zero_readout"), profile=QUICK, statements=["f0", "maximal_updates"])
    assert own.agrees and own.exit_code == 0, str(own)
    wrong = check_model(target("mup_mlp.py:zero_readout"), expect="mup", profile=QUICK, statements=["f0"])
    assert wrong.verdict is Verdict.DISAGREE and wrong.exit_code == 1


def test_mup_is_not_diagnosed_as_anything_else() -> None:
    d = diagnose(infer("mup_mlp.py:build"), parse_spec("mup"))
    assert d.fixes == () and "it is mup" in d.summary


def test_beyond_the_paper_is_detected() -> None:
    adam = infer("mup_adam.py:build")
    assert adam.parametrization is None and "Adam" in adam.why_none
    block = discover(load_target(target("transformer_block.py:build")))
    assert not block.in_theory and "norm1.weight" in block.beyond[0]


def test_recorded_quantities_are_the_models_own() -> None:
    """h¹, f and W₀^{L+1}Δx^L of the recording, recomputed by hand for one seed of the µP example."""
    t = load_target(target("mup_mlp.py:build"))
    s = discover(t)
    routine = Routine(steps=1, probes=4, input_dim=16, label=2.0)
    rec = ModelJob(t, s)(None, routine, 128, [5])
    from impl.models.record import _data
    from impl.models.target import build_at

    built = build_at(t, 128, 5)
    _, _, probes = _data(built.inputs, s, routine, torch.float32)
    m = built.model
    h1 = m.fc1(probes)
    assert rec.values["h1"][0, 0] == pytest.approx(float(h1.detach().double().pow(2).mean().sqrt()), rel=1e-5)
    f0 = m(probes)
    assert rec.values["f0"][0, 0] == pytest.approx(float(f0.detach().double().pow(2).mean().sqrt()), rel=1e-5)
    x0 = torch.tanh(m.fc2(torch.tanh(h1)))
    w0 = m.readout.weight.detach().clone()
    inputs, labels, _ = _data(built.inputs, s, routine, torch.float32)
    built.optimizer.zero_grad()
    (0.5 * (m(inputs[0]) - labels[0]).pow(2).sum(1).mean()).backward()
    built.optimizer.step()
    with torch.no_grad():
        x1 = torch.tanh(m.fc2(torch.tanh(m.fc1(probes))))
        wdx = (x1 - x0) @ w0.t() / 128
    assert rec.values["Wout0_delta_x"][1, 0] == pytest.approx(float(wdx.double().pow(2).mean().sqrt()), rel=1e-4)


QUICK = Budget("dev", (64, 128, 256, 512), seeds=8, retries=4, examples=1, decisions=60)
"""Widths to 512 and 8 → 128 seeds: enough for every claim of the examples to be decided (measured)."""


def test_mup_example_agrees_with_every_statement() -> None:
    result = check_model(target("mup_mlp.py:build"), expect="mup", profile=QUICK)
    assert result.agrees, str(result)
    assert {r.statement for r in result.statements} >= {"stability", "regime", "maximal_updates"}
    assert result.exit_code == 0


def test_a_planted_bug_disagrees() -> None:
    result = check_model(target("mup_mlp.py:missing_readout_multiplier"), expect="mup", profile=QUICK,
                         statements=["stability", "f0"])
    assert result.verdict is Verdict.DISAGREE and result.exit_code == 1
    assert "readout" in str(result) and "mup needs n^-1" in str(result)
    assert Verdict.DISAGREE in {r.verdict for r in result.statements}  # the measurements disagree too


def test_adam_gets_a_desiderata_verdict_labelled_beyond_the_paper() -> None:
    result = check_model(target("mup_adam.py:build"), profile=QUICK)
    assert result.agrees, str(result)
    assert [r.statement for r in result.statements] == ["desiderata"] and "beyond the paper" in str(result)


def sp_adam(n: int):  # noqa: ANN201 - negative control: one Adam learning rate, no readout multiplier
    model = nn.Sequential(nn.Linear(16, n, bias=False), nn.Tanh(), nn.Linear(n, n, bias=False), nn.Tanh(),
                          nn.Linear(n, 1, bias=False))
    for layer in (model[0], model[2], model[4]):
        nn.init.normal_(layer.weight, std=1 / math.sqrt(layer.in_features))
    return model, torch.optim.Adam(model.parameters(), lr=0.02)


def test_sp_with_adam_fails_the_desiderata() -> None:
    result = check_model(sp_adam, profile=QUICK)
    assert result.verdict is Verdict.DISAGREE, str(result)


def no_width(n: int):  # noqa: ANN201
    model = nn.Linear(4, 1)
    return model, torch.optim.SGD(model.parameters(), lr=0.1)


def fails_wide(n: int):  # noqa: ANN201
    if n > 64:
        raise RuntimeError("too wide")
    return sp_adam(n)


@pytest.mark.parametrize(("build", "message"), [
    ("no_such_file.py:build", "does not exist"),
    (f"{EXAMPLES / 'mup_mlp.py'}:nope", "has no function 'nope'"),
    ("impl.theory:not_there", "has no function"),
    ("no.such.module:build", "importing module"),
    ("missing-colon", "must be 'path/file.py:function'"),
    (lambda: None, "must take the width n"),
    (lambda n: 3, "must return (model, optimizer)"),
    (lambda n: (nn.Linear(n, 1), "sgd"), "not a torch.optim.Optimizer"),
    (no_width, "no parameter changes shape"),
    (fails_wide, "failed to build at width 128"),
])
def test_bad_input_is_one_line(build, message: str) -> None:  # noqa: ANN001
    with pytest.raises(ModelError) as err:
        check_model(build, profile=QUICK)
    assert message in str(err.value) and "\n" not in str(err.value)


class Centred(nn.Module):
    """h¹ → x¹ = tanh(h¹ − mean h¹): permutation-equivariant but not elementwise (not Eq. (1))."""

    def __init__(self, n: int) -> None:
        super().__init__()
        self.fc1, self.readout = nn.Linear(16, n, bias=False), nn.Linear(n, 1, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.fc1(x)
        return self.readout(torch.tanh(h - h.mean(-1, keepdim=True))).squeeze(-1) / h.shape[-1]


def centred(n: int):  # noqa: ANN201
    model = Centred(n)
    return model, torch.optim.SGD(model.parameters(), lr=0.1)


class Squeezed(Centred):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.readout(torch.tanh(self.fc1(x) * 2.0)).squeeze(-1) / self.fc1.out_features


def squeezed(n: int):  # noqa: ANN201 - a scalar-output MLP returning shape (B,), float32, a constant parent multiplier
    model = Squeezed(n)
    return model, torch.optim.SGD(model.parameters(), lr=0.1)


def test_a_non_elementwise_map_is_beyond_the_paper() -> None:
    s = discover(load_target(centred))
    assert not s.in_theory and "not elementwise" in s.beyond[0]


def test_a_squeezed_scalar_output_with_a_constant_parent_multiplier_is_in_the_theory() -> None:
    t = load_target(squeezed)
    inferred = infer_parametrization(t, discover(t))
    assert inferred.parametrization == parse_spec("a=0,1;b=0,1/2;c=0")  # PyTorch default init: std ∝ fan_in^-1/2
    assert inferred.layers[0].parent_alpha == 0


def test_an_expectation_beyond_the_paper_is_undecided_never_agreement() -> None:
    result = check_model(target("mup_adam.py:build"), expect="sp", profile=QUICK)
    assert result.verdict is Verdict.UNDECIDED and result.exit_code == 3
