"""The report's HTML in a real headless browser (Debian's ``chromium``): every figure must load.

A copy of the committed example report (``reports/example``, which ``test_report.py`` regenerates
and compares structurally) gets a small script appended that writes, for every ``<img>``, whether
it decoded (``complete`` and ``naturalWidth > 0``) into the DOM once the page has loaded; chromium
``--dump-dom`` prints the DOM, which the test parses. Negative control: the same page with one PNG
deleted must report that image as broken. Skipped only when ``/usr/bin/chromium`` is absent.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
EXAMPLE = Path(__file__).resolve().parents[2] / "reports" / "example"
PROBE = """<script>
window.addEventListener("load", () => {
  const out = document.createElement("pre");
  out.id = "img-probe";
  out.textContent = Array.from(document.images)
    .map(i => `IMG ${i.getAttribute("src")} ${i.complete && i.naturalWidth > 0 ? "ok" : "broken"} ${i.naturalWidth}`)
    .join("\\n");
  document.body.appendChild(out);
});
</script>"""

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)")


def _images(report_dir: Path) -> dict[str, str]:
    """src → "ok" / "broken" for every <img> of ``report_dir/report.html`` as chromium renders it."""
    page = report_dir / "probe.html"
    html = (report_dir / "report.html").read_text(encoding="utf-8")
    page.write_text(html.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    with tempfile.TemporaryDirectory() as profile:
        proc = subprocess.run(
            [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
             "--virtual-time-budget=5000", "--dump-dom", page.as_uri()],
            capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows = re.findall(r"IMG (\S+) (ok|broken) (\d+)", proc.stdout)
    assert rows, f"the probe did not run: {proc.stdout[-500:]}"
    return {src: state for src, state, _ in rows}


def test_every_figure_of_the_report_loads_in_chromium(tmp_path: Path) -> None:
    report = tmp_path / "example"
    shutil.copytree(EXAMPLE, report)
    images = _images(report)
    pngs = sorted(p.name for p in EXAMPLE.glob("*.png"))
    assert sorted(images) == pngs  # every figure of the directory is on the page, and nothing else
    assert set(images.values()) == {"ok"}, images


def test_negative_control_a_missing_figure_is_detected(tmp_path: Path) -> None:
    report = tmp_path / "example"
    shutil.copytree(EXAMPLE, report)
    (report / "matrix.png").unlink()
    images = _images(report)
    assert images["matrix.png"] == "broken" and images["maxlr.png"] == "ok"


def screenshot(page: Path, out: Path, size: str = "1400,2400") -> Path:
    """A headless-chromium screenshot of ``page`` (what ``make screenshot`` takes for a person to look at)."""
    with tempfile.TemporaryDirectory() as profile:
        proc = subprocess.run(
            [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
             f"--user-data-dir={profile}", f"--window-size={size}", "--virtual-time-budget=5000",
             f"--screenshot={out}", page.as_uri()],
            capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and out.is_file(), proc.stderr[-2000:]
    return out


def _colours(png: Path) -> int:
    from PIL import Image

    with Image.open(png) as image:
        return len(image.convert("RGB").getcolors(maxcolors=1 << 20) or ())


def test_the_report_renders_to_a_screenshot_with_its_figures(tmp_path: Path) -> None:
    """The rendered page carries its figures (thousands of colours), where a page without them would not;
    negative control: the same page with every image removed renders with far fewer colours."""
    report = tmp_path / "example"
    shutil.copytree(EXAMPLE, report)
    full = _colours(screenshot(report / "report.html", tmp_path / "full.png"))
    bare = report / "bare.html"
    bare.write_text(re.sub(r"<img[^>]*>", "", (report / "report.html").read_text(encoding="utf-8")), encoding="utf-8")
    without = _colours(screenshot(bare, tmp_path / "bare.png"))
    assert full > 4 * without, (full, without)
