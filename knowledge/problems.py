"""A problem found in the content, with the file and entry it is in."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One finding of the validator; errors fail ``mentor kb validate``, warnings do not."""

    path: Path
    entry_id: str
    message: str
    error: bool = True

    def __str__(self) -> str:
        kind = "error" if self.error else "warning"
        return f"{self.path}: [{self.entry_id}] {kind}: {self.message}"
