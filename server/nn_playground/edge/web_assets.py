"""Where the static page lives: inside the installed package, or in the source tree."""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parents[1]  # nn_playground/


def find_web_dir() -> Path:
    """The folder holding index.html.

    A wheel carries the page as nn_playground/web (see pyproject's force-include); an
    editable install or a bare source checkout has it at the repository root instead.
    """
    candidates = (_PACKAGE_DIR / "web", _PACKAGE_DIR.parents[1] / "web")
    for candidate in candidates:
        if (candidate / "index.html").is_file():
            return candidate
    searched = ", ".join(str(c) for c in candidates)
    raise FileNotFoundError(f"the static page (index.html) was not found; looked in: {searched}")
