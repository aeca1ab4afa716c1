"""Test helper: the text of a PDF as poppler's pdftotext reads it (in content order, so a watermark drawn first
does not split the figures), and the fonts it embeds."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest


def pdf_text(data: bytes) -> str:
    assert data[:5] == b"%PDF-", data[:40]
    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils not installed: PDF text not checked")
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "x.pdf"
        path.write_bytes(data)
        return subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True,
                              check=True).stdout


def pdf_pages(data: bytes) -> int:
    if not shutil.which("pdfinfo"):
        pytest.skip("poppler-utils not installed")
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "x.pdf"
        path.write_bytes(data)
        out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(ln.split()[-1] for ln in out.splitlines() if ln.startswith("Pages:")))
