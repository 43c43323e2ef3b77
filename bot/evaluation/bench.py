"""``mentor bench``: speed and memory of the bot on this machine, written as JSON.

``ready_to_answer_s`` is a cold start in a new process; ``model_load_s`` builds the bot in this one.
Full turns go through the real conversation core (language layer, Rasa, in-process actions, SQLite tracker
store) on a throwaway database; messages are the held-out examples, spread over many people so that each
conversation grows as real ones do.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bot import app
from bot.core.messages import InboundMessage
from bot.evaluation import (
    broadcast_bench,
    console_bench,
    delivery_bench,
    memory_bench,
    telegram_bench,
    whatsapp_bench,
)
from bot.evaluation.nlu import read_heldout
from bot.evaluation.timing import ms, percentile
from bot.settings import Settings

PEOPLE = 100


def ready_to_answer() -> float:
    """Seconds from starting a fresh ``mentor`` process to its first answer (imports, models, one turn)."""
    environment = dict(os.environ, MENTOR_DATABASE_URL="sqlite://")
    command = [sys.executable, "-c", "from bot.cli import main; raise SystemExit(main(['ask', 'bonjour']))"]
    started = time.perf_counter()
    subprocess.run(command, env=environment, capture_output=True, check=True)
    return time.perf_counter() - started


def run(
    settings: Settings,
    output: str,
    messages: int,
    telegram: bool = True,
    delivery: bool = True,
    whatsapp: bool = True,
    only: str | None = None,
) -> int:
    """Measure, print and write the figures (``only``: ``whatsapp`` or ``console``, those figures alone)."""
    if only == "console":
        return _write(output, {"machine": _machine(), "console_100k": console_bench.measure(settings)})
    texts = [text for _, text, _ in read_heldout()]
    if only == "whatsapp":
        return _write(output, {"machine": _machine(), **whatsapp_bench.measure(texts)})
    ready = ready_to_answer()
    with tempfile.TemporaryDirectory() as folder:
        bench_settings = dataclasses.replace(settings, database_url=f"sqlite:///{Path(folder) / 'bench.db'}")
        started = time.perf_counter()
        built = app.build(bench_settings)
        asyncio.run(built.conversation.handle(InboundMessage("bench", "warm-up", "bonjour")))
        loaded = time.perf_counter() - started
        layer = built.conversation.layer
        layer_times = []
        for text in texts * 3:
            t0 = time.perf_counter()
            layer.detect(text)
            layer_times.append(time.perf_counter() - t0)
        turn_times = asyncio.run(_turns(built, texts, messages))
        built.database.engine.dispose()
    total = sum(turn_times)
    figures: dict[str, Any] = {
        "machine": _machine(),
        "ready_to_answer_s": round(ready, 3),
        "model_load_s": round(loaded, 3),
        "language_layer_ms": {
            "mean": ms(statistics.fmean(layer_times)),
            "p95": ms(percentile(layer_times, 0.95)),
            "messages": len(layer_times),
        },
        "full_turn_ms": {
            "p50": ms(percentile(turn_times, 0.50)),
            "p95": ms(percentile(turn_times, 0.95)),
            "max": ms(max(turn_times)),
            "messages": len(turn_times),
            "people": PEOPLE,
            "tracker_store": "SQLTrackerStore on SQLite",
        },
        "turns_per_second": round(len(turn_times) / total, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    figures["memory_long_run"] = memory_bench.measure(settings, texts)
    if telegram:
        figures["telegram_round_trip"] = telegram_bench.measure(texts)
        figures["telegram_burst"] = telegram_bench.burst()
    if delivery:
        figures["reminders_materialised"] = delivery_bench.materialise(settings)
        figures["dispatch_raised_limit"] = delivery_bench.throughput(settings, 1000, 20_000)
        figures["dispatch_default_limit"] = delivery_bench.throughput(settings, 25, 25 * 120)
    figures["broadcast_100k"] = broadcast_bench.measure(settings)
    figures["console_100k"] = console_bench.measure(settings)
    if whatsapp:
        figures.update(whatsapp_bench.measure(texts))
    return _write(output, figures)


def _machine() -> dict[str, Any]:
    """The interpreter, the platform, and how busy the machine was at the start (load average)."""
    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average_at_start": [round(load, 2) for load in os.getloadavg()],
    }


def _write(output: str, figures: dict[str, Any]) -> int:
    Path(output).write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    sys.stdout.write(json.dumps(figures, indent=2) + "\n")
    return 0


async def _turns(built: app.App, texts: list[str], messages: int) -> list[float]:
    times = []
    for number in range(messages):
        message = InboundMessage("bench", f"person-{number % PEOPLE}", texts[number % len(texts)])
        t0 = time.perf_counter()
        await built.conversation.handle(message)
        times.append(time.perf_counter() - t0)
    return times
