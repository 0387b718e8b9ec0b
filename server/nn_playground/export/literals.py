"""Python source for numbers and arrays: float32 values written with the fewest digits that
read back as the same float32, so embedded data and weights are exact and short."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt


def f32(value: float | np.floating) -> str:
    """The shortest decimal that parses back to the same float32."""
    number = np.float32(value)
    if number == 0:
        return "0.0"
    if 1e-4 <= abs(number) < 1e7:
        return np.format_float_positional(number, unique=True, trim="0")
    return np.format_float_scientific(number, unique=True, trim="-")


def number(value: float) -> str:
    """A Python float literal (a hyperparameter, as the user set it)."""
    return repr(float(value))


def vector(values: npt.ArrayLike) -> str:
    return "[" + ", ".join(f32(v) for v in np.asarray(values, np.float32).ravel()) + "]"


def matrix(values: npt.ArrayLike, indent: str) -> str:
    """np.array source of a 2-D float32 array, one row a line."""
    rows = np.asarray(values, np.float32)
    inner = "".join(f"\n{indent}    {vector(row)}," for row in rows)
    return f"np.array([{inner}\n{indent}], np.float32)"


def point_rows(rows: npt.ArrayLike, per_line: int = 4) -> str:
    """np.array source of (n, 3) float32 (x1, x2, label) rows, a few points a line."""
    table = np.asarray(rows, np.float32)
    lines = []
    for start in range(0, len(table), per_line):
        chunk = table[start : start + per_line]
        lines.append("    " + " ".join(vector(row) + "," for row in chunk))
    body = "\n".join(lines)
    return f"np.array([\n{body}\n], np.float32).reshape(-1, 3)"


def section(title: str) -> str:
    """A section rule of the script: `# --- title ---...`, 88 characters wide."""
    head = f"# --- {title} "
    return head + "-" * (88 - len(head))


def blocks(*parts: str) -> str:
    """Parts of a script, two blank lines apart (as PEP 8 spaces top-level definitions)."""
    return "\n\n\n".join(part.strip("\n") for part in parts if part.strip()) + "\n"
