"""Write a report directory: figures (PNG), ``report.json``, ``report.md`` and a self-contained ``report.html``.

Layout (documented in ``reports/README.md``)::

    DIR/report.json            every measurement and verdict (+ "figures", "baseline", "status")
    DIR/report.html            the human view: headline, changes since the baseline (first), matrix, figures
    DIR/report.md              the same sections in Markdown
    DIR/matrix.png             parametrization × statement verdicts
    DIR/maxlr.png              Theorem 4.1: max stable η vs width (when measured)
    DIR/coordcheck-KEY.png     one coordinate check per parametrization
    DIR/figure4*.png           Figure 4 panels and deviation vs width (see :func:`figure4_hook`)
    DIR/paper-EXPERIMENT.png   nightly: Tables 2/3 in miniature, accuracy vs width (:mod:`impl.reporting.figures.paper`)

Both human views are emitted from one list of :class:`Section` (so they cannot disagree). The HTML
has inline CSS, no scripts and no external resources; figures are referenced by relative path, so
the directory can be moved, archived or served as is. Everything is written into a temporary
directory that replaces DIR only when complete (:func:`impl.atomic.atomic_directory`).
"""

from __future__ import annotations

import html
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union

from impl.atomic import atomic_directory
from impl.experiments.table import ExperimentTable
from impl.limits.figure4 import Figure4Result
from impl.reporting.baseline import Comparison
from impl.reporting.figures.coordcheck import plot_coordcheck
from impl.reporting.figures.matrix import plot_matrix
from impl.reporting.figures.maxlr import plot_max_lr
from impl.reporting.results import TITLES, VERDICT_STYLE, Report, SpecReport

__all__ = ["Cell", "Table", "Image", "Section", "draw_figures", "figure4_hook", "exit_status", "headline", "document",
           "sections", "render_markdown", "render_html", "write_report"]


@dataclass(frozen=True)
class Cell:
    """A table cell; with a ``verdict`` it is drawn as a coloured badge whose tooltip is ``reason``; ``link``
    makes it a link to a section id."""

    text: str
    verdict: str | None = None
    reason: str = ""
    link: str | None = None


@dataclass(frozen=True)
class Table:
    """A table; ``collapsed`` puts it behind a summary line (HTML ``<details>``)."""

    head: tuple[str, ...]
    rows: list[list[Cell]]
    css: str = ""
    collapsed: str | None = None


@dataclass(frozen=True)
class Image:
    src: str
    alt: str


Block = Union[str, Table, Image]


@dataclass(frozen=True)
class Section:
    """One section of the human views: an anchor ``id``, a heading and its blocks (paragraphs, tables, images)."""

    id: str
    title: str
    blocks: list[Block] = field(default_factory=list)


def draw_figures(report: Report, directory: Path) -> dict[str, Any]:
    """Draw every figure into ``directory``; returns their relative paths as recorded in ``report.json``."""
    figures: dict[str, Any] = {"matrix": plot_matrix(report, directory / "matrix.png").name, "coordcheck": {}}
    for spec in report.specs:
        figures["coordcheck"][spec.key] = plot_coordcheck(spec, directory / f"coordcheck-{spec.key}.png").name
    measured = [(s.label, s.max_lr) for s in report.specs if s.max_lr is not None]
    figures["maxlr"] = plot_max_lr(measured, directory / "maxlr.png").name if measured else None
    figures["figure4"] = figure4_hook(report, directory)
    figures["paper"] = {}
    for experiment, doc in (report.paper or {}).items():
        if doc["tables"]:
            from impl.reporting.figures.paper import plot_tables

            tables = [ExperimentTable.from_json(t) for t in doc["tables"]]
            figures["paper"][experiment] = plot_tables(tables, directory / f"paper-{experiment}.png").name
    return figures


def figure4_hook(report: Report, directory: Path) -> list[str]:
    """Figure 4 of the paper (Section 9.1) — finite- vs infinite-width loss curves and the deviation against
    width — drawn from ``report.figure4`` by :mod:`impl.reporting.figures.figure4`; the PNG names (none when the profile
    did not compute it, the limit diverged, or that plotting module is absent)."""
    doc = report.figure4
    if not doc or doc.get("result") is None:
        return []
    try:
        from impl.reporting.figures import figure4 as figure4_plot
    except ImportError:
        return []
    result = Figure4Result.from_json(doc["result"])
    return [figure4_plot.plot_figure4(result, directory / "figure4.png").name]


def exit_status(report: Report, comparison: Comparison | None) -> dict[str, int]:
    """Counts behind the exit code: 1 when a verdict disagrees, regressed, or an exponent drifted; else 3
    when a verdict is still undecided after every retry; else 0."""
    summary = report.summary()
    disagree, undecided = summary["disagree"], summary["undecided"]
    regressions = len(comparison.regressions) if comparison else 0
    drifts = len(comparison.drifts) if comparison else 0
    code = 1 if disagree or regressions or drifts else (3 if undecided else 0)
    return {"disagree": disagree, "undecided": undecided, "regressions": regressions, "drifts": drifts,
            "exit_code": code}


def headline(report: Report, comparison: Comparison | None) -> str:
    """One line: the verdict counts, the baseline changes and the exit code."""
    s, status = report.summary(), exit_status(report, comparison)
    text = (f"{s['agree']} agree, {s['disagree']} disagree, {s['undecided']} undecided, {s['n/a']} n/a "
            f"over {len(report.specs)} parametrizations")
    if comparison is not None:
        text += f"; vs baseline: {status['regressions']} regressions, {status['drifts']} drifted exponents"
    return text + f" — exit code {status['exit_code']}"


def document(report: Report, comparison: Comparison | None, figures: dict[str, Any]) -> dict[str, Any]:
    """The JSON document written as ``report.json``."""
    return {**report.to_dict(), "figures": figures, "baseline": comparison.to_dict() if comparison else None,
            "status": exit_status(report, comparison)}


def _verdict(verdict: str, reason: str) -> Cell:
    return Cell(f"{VERDICT_STYLE[verdict][1]} {verdict}", verdict, reason)


def _settings_line(report: Report) -> str:
    st, t = report.settings, report.timing
    when = f"measured in {t['wall_s']:.0f} s wall" if t.get("wall_s") is not None else "timing not recorded"
    when += f", {t['cpu_s']:.0f} s CPU" if t.get("cpu_s") is not None else f" with {t.get('workers')} workers"
    return (f"Created {report.created} · widths {st['widths']} · {st['seeds']} seeds · {st['steps']} SGD steps · "
            f"per-claim α {st['alpha']:.1e} (spent over its retries) · margin δ {st['margin']}"
            f"{_scalar_margin(st)} · {when}")


def _changes(c: Comparison) -> Section:
    fmt = "{:+.3f} [{:+.3f}, {:+.3f}]".format
    verdicts = [[Cell(ch.spec), Cell(TITLES.get(ch.statement, ch.statement)), Cell(ch.before), Cell(ch.after),
                 Cell("REGRESSION" if ch.regression else "change")] for ch in c.changes]
    drifts = [[Cell(d.spec), Cell(d.quantity), Cell(str(d.step)), Cell(fmt(d.before, *d.before_ci)),
               Cell(fmt(d.after, *d.after_ci))] for d in c.drifts]
    blocks: list[Block] = [f"Baseline {c.baseline} ({c.baseline_created})."]
    blocks += [f"⚠ {w}" for w in c.warnings]
    blocks += ["Changed verdicts (regressions first):",
               Table(("parametrization", "statement", "baseline", "now", "kind"), verdicts) if verdicts else "none",
               "Exponents drifted beyond their intervals:",
               Table(("parametrization", "quantity", "step", "baseline", "now"), drifts) if drifts else "none"]
    return Section("changes", "Changes since the baseline", blocks)


def _spec(s: SpecReport, figure: str) -> Section:
    statements = [[Cell(st.title), Cell(st.says), _verdict(st.verdict.value, st.reason), Cell(st.reason)]
                  for st in s.statements]
    quantities = [[Cell(q.name), Cell(str(q.step)), Cell(f"{q.slope:+.3f}"), Cell(f"[{q.ci[0]:+.3f}, {q.ci[1]:+.3f}]"),
                   Cell(q.claim or "—"), Cell(q.verdict if q.claim else f"({q.trend})"), Cell(q.reason)]
                  for q in s.quantities]
    jobs = f"{s.jobs['total']} sweep jobs ({s.jobs['cached']} from the cache) · {s.blowups} blown-up runs"
    return Section(s.key, f"{s.label} — {s.regime.replace('_', ' ')}, r = {s.r}", [
        f"spec {s.spec} · {jobs}", Table(("statement", "theory", "verdict", "reason"), statements),
        Image(figure, f"coordinate check {s.label}"),
        Table(("quantity", "step", "slope", "interval", "theory", "verdict", "reason"), quantities,
              collapsed="every quantity")])


def _figure4_blocks(report: Report, figures: dict[str, Any]) -> list[Block]:
    doc = report.figure4 or {}
    if not doc:
        return ["Not computed in this profile."]
    if doc.get("error"):
        return [f"Not drawn: {doc['error']}"]
    rows = [[Cell(f"{f['arch']} ({f['theorem']})"), Cell(f["phi"]), Cell(str(f["widths"])),
             Cell(", ".join(f"{x:.3g}" if x is not None else "—" for x in f["deviation_rms"])),
             Cell(f"{f['slope']:+.2f}" if f["slope"] is not None else "—"), Cell(f["trend"]), Cell(f["reason"])]
            for f in doc["fits"]]
    blocks: list[Block] = [Image(f, "Figure 4") for f in figures.get("figure4", [])]
    return blocks + ["RMS deviation of fₜ from the limit f̊ₜ against width (descriptive: the theorems give no "
                     "rate, so it is not in the verdict matrix; n^-1/2 is the usual fluctuation size):",
                     Table(("network", "φ", "widths", "RMS deviation", "slope", "trend", "reason"), rows)]


def _paper_blocks(report: Report, figures: dict[str, Any]) -> list[Block]:
    blocks: list[Block] = ["Finite µP widths, the µP limit and kernel baselines on data shipped in packages "
                           "(mean ± sd over seeds; `tp4 paper maml|word2vec`). Measured, not judged: the "
                           "quick-profile tests in tests/experiments hold the pattern's margins."]
    for experiment, doc in (report.paper or {}).items():
        if doc["error"]:
            blocks.append(f"{experiment}: not run — {doc['error']}")
            continue
        for t in map(ExperimentTable.from_json, doc["tables"]):
            blocks += [f"{t.experiment}: {t.setting} — {t.metric}",
                       Table(tuple(r.label for r in t.rows), [[Cell(r.cell()) for r in t.rows]]), *t.notes]
        if experiment in figures.get("paper", {}):
            blocks.append(Image(figures["paper"][experiment], f"{experiment}: accuracy against width"))
    return blocks


def sections(report: Report, comparison: Comparison | None, figures: dict[str, Any]) -> list[Section]:
    """The human views' sections, in order: changes (with a baseline), matrix, max LR, Figure 4, one per spec."""
    out = [_changes(comparison)] if comparison is not None else []
    rows = [[Cell(s.label, link=s.key), Cell(s.regime.replace("_", " "))] + [_verdict(st.verdict.value, st.reason)
                                                                for st in s.statements] for s in report.specs]
    legend = "; ".join(f"{sym} {text}" for _, sym, text in VERDICT_STYLE.values())
    out.append(Section("matrix", "Summary matrix", [
        Table(("parametrization", "regime (theory)", *TITLES.values()), rows, css="matrix"),
        f"Legend: {legend}. "
        "The reasons are in each parametrization's section (and in the cells' tooltips).",
        Image(figures["matrix"], "verdict matrix")]))
    if figures.get("maxlr"):
        maxlr = Image(figures["maxlr"], "max LR vs width")
        out.append(Section("maxlr", "Theorem 4.1: largest stable learning rate", [maxlr]))
    out.append(Section("figure4", "Figure 4: finite vs infinite width", _figure4_blocks(report, figures)))
    if report.paper:
        out.append(Section("paper", "Tables 2 and 3 in miniature: MAML and Word2Vec", _paper_blocks(report, figures)))
    return out + [_spec(s, figures["coordcheck"][s.key]) for s in report.specs]


def render_markdown(report: Report, comparison: Comparison | None, figures: dict[str, Any]) -> str:
    """``report.md``: the sections as Markdown (tables, image links; collapsed tables are shown in full)."""
    lines = [f"# tp4 width-scaling report — {report.profile}", "", f"**{headline(report, comparison)}**", "",
             _settings_line(report)]
    for sec in sections(report, comparison, figures):
        lines += ["", f"## {sec.title}"]
        for b in sec.blocks:
            if isinstance(b, Table):
                lines += ["", "| " + " | ".join(b.head) + " |", "|" + "---|" * len(b.head)]
                lines += ["| " + " | ".join(c.text.replace("|", "\\|") for c in row) + " |" for row in b.rows]
            else:
                lines += ["", f"![{b.alt}]({b.src})" if isinstance(b, Image) else b]
    return "\n".join(lines) + "\n"


CSS = """body{font:14px/1.45 system-ui,sans-serif;margin:1.5em auto;max-width:1400px;padding:0 1em;color:#202124}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #dadce0;padding:3px 7px;vertical-align:top}
th{background:#f1f3f4;text-align:left}.matrix td{text-align:center;white-space:nowrap}
.banner{padding:.6em 1em;border-radius:6px}.ok{background:#e6f4ea}.bad{background:#fce8e6}
img{max-width:100%;border:1px solid #eee}td{font-size:13px}.v{padding:2px 6px;border-radius:3px;white-space:nowrap}"""


def _e(x: object) -> str:
    return html.escape(str(x), quote=True)


def _html_cell(c: Cell) -> str:
    if c.verdict:
        colour = VERDICT_STYLE[c.verdict][0]
        return f'<span class="v" style="background:{colour}" title="{_e(c.reason)}">{_e(c.text)}</span>'
    return f'<a href="#{_e(c.link)}">{_e(c.text)}</a>' if c.link else _e(c.text)


def _html_block(b: Block) -> str:
    if isinstance(b, Image):
        return f'<img src="{_e(b.src)}" alt="{_e(b.alt)}">'
    if isinstance(b, str):
        return f"<p>{_e(b)}</p>"
    cells = ["".join(f"<td>{_html_cell(c)}</td>" for c in row) for row in b.rows]
    table = (f'<table class="{b.css}"><tr>' + "".join(f"<th>{_e(h)}</th>" for h in b.head) + "</tr>"
             + "".join(f"<tr>{r}</tr>" for r in cells) + "</table>")
    return f"<details><summary>{_e(b.collapsed)}</summary>{table}</details>" if b.collapsed else table


def render_html(report: Report, comparison: Comparison | None, figures: dict[str, Any]) -> str:
    """``report.html``: self-contained (inline CSS, no scripts), figures by relative path."""
    status = "bad" if exit_status(report, comparison)["exit_code"] else "ok"
    parts = [f"<h1>tp4 width-scaling report — {_e(report.profile)}</h1>",
             f'<p class="banner {status}" id="headline"><b>{_e(headline(report, comparison))}</b></p>',
             f"<p>{_e(_settings_line(report))}</p>"]
    for sec in sections(report, comparison, figures):
        body = "\n".join(_html_block(b) for b in sec.blocks)
        parts.append(f'<section id="{_e(sec.id)}"><h2>{_e(sec.title)}</h2>\n{body}\n</section>')
    title = f"tp4 report — {_e(report.profile)} — {_e(report.created)}"
    return (f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title><style>{CSS}</style>'
            "</head><body>\n" + "\n".join(parts) + "\n</body></html>\n")


def write_report(report: Report, out: str | os.PathLike[str], comparison: Comparison | None = None) -> Path:
    """Draw, render and write the whole report directory ``out`` atomically; returns its path."""
    with atomic_directory(out) as tmp:
        figures = draw_figures(report, tmp)
        text = json.dumps(document(report, comparison, figures), allow_nan=False, ensure_ascii=False)
        (tmp / "report.json").write_text(text + "\n", encoding="utf-8")
        (tmp / "report.md").write_text(render_markdown(report, comparison, figures), encoding="utf-8")
        (tmp / "report.html").write_text(render_html(report, comparison, figures), encoding="utf-8")
    return Path(out)


def _scalar_margin(settings: dict[str, Any]) -> str:
    """`` (second-order and later-step scalars 0.15)`` when the seed-averaged scalars whose bias is not modelled
    are judged with another margin (nightly: :func:`impl.measurement.decide_quantity`), else ``""``."""
    other = settings.get("scalar_margin", settings["margin"])
    return f" (second-order and later-step scalars {other})" if other != settings["margin"] else ""
