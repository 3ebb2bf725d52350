"""Writes one section of BENCHMARKS.md between its markers (shared by every benchmark report)."""

from __future__ import annotations

import os


def replace_section(path: str, start: str, end: str, heading: str, section: str) -> None:
    """Replaces the text between `start` and `end` with `section`; appends `heading` and the section when the markers
    are missing (creating the file if needed). Written to a temporary file first, then renamed."""
    document = open(path, encoding="utf-8").read() if os.path.exists(path) else "# Benchmarks\n"
    block = f"{start}\n{section.rstrip()}\n{end}"
    if start in document and end in document and document.index(start) < document.index(end):
        before, rest = document.split(start, 1)
        document = before + block + rest.split(end, 1)[1]
    else:
        document = document.rstrip("\n") + (f"\n\n{heading}\n\n" if heading else "\n\n") + block + "\n"
    temporary = path + ".tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(document)
    os.replace(temporary, path)
