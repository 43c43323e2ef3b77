"""Memory over a long run: resident memory after 1,000 and after 10,000 turns by 1,000 people, in one process
with the whole bot (a flat figure means no per-person or per-turn state is kept for ever)."""

from __future__ import annotations

import asyncio
import dataclasses
import gc
import tempfile
from pathlib import Path
from typing import Any

from bot import app
from bot.core.messages import InboundMessage
from bot.settings import Settings

PEOPLE = 1_000
TURNS = 10_000


def rss_mb() -> float:
    """This process's resident memory now, in MB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    raise RuntimeError("no VmRSS in /proc/self/status")


def measure(settings: Settings, texts: list[str], turns: int = TURNS) -> dict[str, Any]:
    """RSS after the first tenth of the turns and after all of them."""
    with tempfile.TemporaryDirectory() as folder:
        database_url = f"sqlite:///{Path(folder) / 'memory.db'}"
        built = app.build(dataclasses.replace(settings, database_url=database_url))
        figures = asyncio.run(_run(built, texts, turns))
        built.database.engine.dispose()
    return figures


async def _run(built: app.App, texts: list[str], turns: int) -> dict[str, Any]:
    checkpoints: dict[int, float] = {}
    for number in range(turns):
        message = InboundMessage("bench", f"memory-{number % PEOPLE}", texts[number % len(texts)])
        await built.conversation.handle(message)
        if number + 1 in (turns // 10, turns):
            gc.collect()
            checkpoints[number + 1] = rss_mb()
    first, last = checkpoints[turns // 10], checkpoints[turns]
    return {
        "people": PEOPLE,
        f"rss_mb_after_{turns // 10}_turns": first,
        f"rss_mb_after_{turns}_turns": last,
        "growth_percent": round(100 * (last - first) / first, 1),
    }
