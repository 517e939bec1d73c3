"""Render the course to a static web site, for reading without a kernel.

    python -m lossopt.site [--out site]        (``make html``)
    python -m lossopt.site --check-links site  check every relative link in a built site

Every ready lesson, its solution and its exercise notebook, and the course index,
are converted to HTML with nbconvert from their committed, executed state (the
exercises are shown unsolved), keeping the folder layout so relative links work.
Links between notebooks (``x.ipynb``) are rewritten to the pages (``x.html``), and
``index.html`` at the top opens the course index. Interactive figures need a
running kernel: the pages say so where a widget would be.
"""
from __future__ import annotations

import argparse
import html
import re
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .course import INDEX, ROOT, ready_lessons

WIDGET_NOTE = ("<div class='lossopt-widget-note'><em>Interactive figure: open this notebook in "
               "JupyterLab (<code>make lab</code> or Binder) to move the sliders.</em></div>")
_HREF = re.compile(r'(href|src)="([^"#:?]+?)\.ipynb(#[^"]*)?"')


def pages() -> list[str]:
    """Notebook paths (relative to the repository) that make up the site."""
    out = [INDEX.notebook]
    for lesson in ready_lessons():
        out.append(lesson.notebook)
        if lesson.has_exercises:
            out += [lesson.exercise, lesson.solution]
    return out


def render(relpath: str) -> str:
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(ROOT / relpath, as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "application/vnd.jupyter.widget-view+json" in data:
                # No widget state is saved: show a note instead of the widget's repr.
                out["data"] = {"text/html": WIDGET_NOTE}
    exporter = HTMLExporter(template_name="lab")
    body, _ = exporter.from_notebook_node(nb)
    return _HREF.sub(lambda m: f'{m.group(1)}="{m.group(2)}.html{m.group(3) or ""}"', body)


def build_site(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for relpath in pages():
        target = out / Path(relpath).with_suffix(".html")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render(relpath), encoding="utf-8")
        written.append(target)
    start = Path(INDEX.notebook).with_suffix(".html").as_posix()
    (out / "index.html").write_text(
        f'<!doctype html><meta charset="utf-8"><title>lossopt course</title>'
        f'<meta http-equiv="refresh" content="0; url={html.escape(start)}">'
        f'<p><a href="{html.escape(start)}">Open the course index</a></p>\n', encoding="utf-8")
    written.append(out / "index.html")
    return written


_LINK = re.compile(r'(?:href|src)="([^"]+)"')


def broken_links(site: Path) -> list[str]:
    """Relative links in the site's pages that point at no file (or a missing anchor)."""
    problems = []
    anchors: dict[Path, set[str]] = {}

    def ids(page: Path) -> set[str]:
        if page not in anchors:
            text = page.read_text(encoding="utf-8")
            anchors[page] = set(re.findall(r'\bid="([^"]+)"', text)) | set(re.findall(r'\bname="([^"]+)"', text))
        return anchors[page]

    for page in sorted(site.rglob("*.html")):
        for link in _LINK.findall(page.read_text(encoding="utf-8")):
            parts = urlsplit(html.unescape(link))
            if parts.scheme or parts.netloc or link.startswith(("data:", "mailto:", "javascript:")):
                continue
            target = page if not parts.path else (page.parent / unquote(parts.path)).resolve()
            rel = page.relative_to(site)
            if not target.exists():
                problems.append(f"{rel}: link to {link} (no such file)")
            elif (parts.fragment and target.suffix == ".html"
                  and not {parts.fragment, unquote(parts.fragment)} & ids(target)):
                problems.append(f"{rel}: link to {link} (no anchor #{parts.fragment})")
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lossopt.site", description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "site"), help="output folder (default: site/)")
    parser.add_argument("--check-links", metavar="SITE", help="only check the links of a built site")
    args = parser.parse_args(argv)
    if args.check_links:
        site = Path(args.check_links)
    else:
        site = Path(args.out)
        written = build_site(site)
        print(f"wrote {len(written)} pages to {site}/ (open {site / 'index.html'})")
    problems = broken_links(site)
    for p in problems:
        print("broken link:", p)
    if problems:
        print(f"✘ {len(problems)} broken link(s)")
        return 1
    print(f"✔ every relative link in {site}/ resolves")
    return 0


if __name__ == "__main__":
    sys.exit(main())
