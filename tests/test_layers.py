"""The package's architecture, enforced: layer order, no test imports, no ``sys.path`` edits, one public face.

Layers (stated in ``impl/__init__.py``): a module may import tp4 modules of its own layer or earlier
ones only. Every ``import``/``from … import`` in every module of ``impl`` counts, including those
inside functions (lazy imports are still dependencies). Nothing in ``impl`` imports ``theorem_checks``
or ``tests``, nothing but the pytest plugin imports ``pytest``, and nothing edits ``sys.path``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import impl

ROOT = Path(impl.__file__).parent
LAYERS: dict[str, int] = {
    "atomic": 0, "theory": 1, "simulation": 2, "measurement": 3, "limits": 4, "experiments": 5, "checks": 6,
    "strategies": 7, "models": 7, "reporting": 8, "cli": 9, "pytest_plugin": 9,
}
MODULES = sorted(p for p in ROOT.rglob("*.py"))


def _layer_of(module: str) -> int | None:
    """The layer of ``impl.X…`` (None for the package face ``impl`` itself)."""
    parts = module.split(".")
    if parts[0] != "impl" or len(parts) == 1:
        return None
    if parts[1] not in LAYERS:
        raise AssertionError(f"{module}: impl.{parts[1]} has no layer in tests/test_layers.py (state it in impl/__init__.py)")
    return LAYERS[parts[1]]


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT.parent).with_suffix("")
    parts = list(rel.parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, package: str | None = None) -> list[str]:
    """Absolute names of every module imported anywhere in the file (relative imports resolved against
    ``package``, by default the file's own)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    if package is None:
        package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            out.append(base)
            out += [f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}".count(".") <= 2
                    and (ROOT.parent / Path(*f"{base}.{alias.name}".split("."))).with_suffix(".py").exists()]
    return out


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT.parent)))
def test_no_upward_imports(path: Path) -> None:
    me = _module_name(path)
    mine = _layer_of(me)
    if mine is None:
        return  # the public face imports lazily, by name (checked below)
    for name in _imports(path):
        assert name != "impl" or mine == max(LAYERS.values()), \
            f"{me} imports the public face `impl`, which sits above every layer but the interfaces: import the layer"
        theirs = _layer_of(name) if name.startswith("impl.") else None
        assert theirs is None or theirs <= mine, f"{me} (layer {mine}) imports {name} (layer {theirs}): upward"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT.parent)))
def test_no_test_code_pytest_or_sys_path(path: Path) -> None:
    me = _module_name(path)
    text = path.read_text(encoding="utf-8")
    for name in _imports(path):
        top = name.split(".")[0]
        assert top not in ("theorem_checks", "tests", "conftest"), f"{me} imports test code: {name}"
        assert top != "pytest" or me == "impl.pytest_plugin", f"{me} imports pytest (only the plugin may)"
    edits = [line for line in text.splitlines() if "sys.path" in line and not line.lstrip().startswith(("#", "import", "``"))
             and any(op in line for op in (".insert(", ".append(", ".extend(", " = ", "+="))]
    assert not edits, f"{me} edits sys.path: {edits[0].strip()}"


def test_the_layer_checker_catches_an_upward_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from impl.checks import ROUTINE\nfrom impl import simulate\n\ndef f():\n    from ..reporting import collect\n")
    found = set(_imports(bad, package="impl.measurement"))
    assert {"impl", "impl.checks", "impl.reporting", "impl.reporting.collect"} <= found, found
    assert max(_layer_of(n) or 0 for n in found) > LAYERS["measurement"]  # would fail test_no_upward_imports


def test_public_face_all_equals_the_exports() -> None:
    """``impl.__all__`` is exactly the public names the face provides: each resolves to the very object
    of its home layer, and the face defines no other public name."""
    import importlib

    assert len(set(impl.__all__)) == len(impl.__all__)
    for name in impl.__all__:
        value = getattr(impl, name)
        if name != "__version__":
            home = importlib.import_module(impl._EXPORTS[name])
            assert value is getattr(home, name) and name in home.__all__, f"{name} is not {home.__name__}.{name}"
    import types

    public = {n for n, v in vars(impl).items()
              if not n.startswith(("_", "@")) and not isinstance(v, types.ModuleType)}  # submodules set themselves
    assert public <= set(impl.__all__), f"public names missing from __all__: {sorted(public - set(impl.__all__))}"
    assert {n for n in dir(impl) if not n.startswith("_")} == set(impl.__all__) - {"__version__"}
    with pytest.raises(AttributeError):
        getattr(impl, "not_an_export")


def test_every_subpackage_has_a_layer_and_a_consistent_all() -> None:
    for sub in sorted({p.relative_to(ROOT).parts[0].removesuffix(".py") for p in MODULES} - {"__init__"}):
        assert sub in LAYERS, f"impl.{sub} has no stated layer"
    import importlib

    for name in ("impl.theory", "impl.simulation", "impl.measurement", "impl.limits", "impl.checks", "impl.strategies"):
        module = importlib.import_module(name)
        assert len(set(module.__all__)) == len(module.__all__), name
        for attr in module.__all__:
            assert hasattr(module, attr), f"{name}.__all__ lists {attr!r}, which it does not define"
