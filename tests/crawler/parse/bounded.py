"""Run parser calls in a forked child under a watchdog: a hang fails the test instead of stalling it.

A regex can be interrupted by a signal, an lxml or XPath call cannot; a child process can always
be killed. The child also measures its peak memory growth (Linux ``VmHWM`` after resetting it
through ``/proc/self/clear_refs``), so a memory blow-up is seen per input.
"""

from __future__ import annotations

import multiprocessing
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from crawler.parse.attachments.sandbox import proc_status_bytes

__all__ = ["Outcome", "peak_growth_start", "peak_growth", "run_bounded", "run_stream"]


@dataclass
class Outcome:
    """What happened to one call."""

    value: Any = None
    #: The traceback when the call raised.
    error: str | None = None
    timed_out: bool = False
    seconds: float = 0.0
    #: Bytes the child's peak resident memory grew during the call (None where not measurable).
    peak_growth: int | None = None


def peak_growth_start() -> int | None:
    """Reset this process's peak resident size; its current resident size (None where not supported)."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as clear:
            clear.write("5")
    except OSError:
        return None
    return proc_status_bytes("VmRSS:")


def peak_growth(start: int | None) -> int | None:
    """How far the peak resident size rose over ``start``."""
    peak = proc_status_bytes("VmHWM:")
    return None if start is None or peak is None else max(0, peak - start)


def _context() -> Any:
    return multiprocessing.get_context("fork")


def _one(sender: Connection, func: Callable[..., Any], args: tuple[Any, ...]) -> None:
    base = peak_growth_start()
    started = time.monotonic()
    try:
        value, error = func(*args), None
    except BaseException:  # noqa: BLE001 - reported to the parent
        value, error = None, traceback.format_exc()
    sender.send(Outcome(value, error, False, time.monotonic() - started, peak_growth(base)))
    sender.close()


def run_bounded(func: Callable[..., Any], *args: Any, seconds: float) -> Outcome:
    """``func(*args)`` in a forked child, killed after ``seconds``; the value must pickle."""
    context = _context()
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_one, args=(sender, func, args), daemon=True)
    started = time.monotonic()
    child.start()
    sender.close()
    try:
        if receiver.poll(seconds):
            try:
                return receiver.recv()
            except EOFError:
                child.join(5)
                return Outcome(error=f"the child died (exit code {child.exitcode})")
        return Outcome(timed_out=True, seconds=time.monotonic() - started)
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receiver.close()


def _stream(sender: Connection, func: Callable[[int], Any], count: int) -> None:
    for index in range(count):
        sender.send(("start", index))
        try:
            func(index)
        except BaseException:  # noqa: BLE001 - reported to the parent
            sender.send(("error", index, traceback.format_exc()))
    sender.send(("end", count))
    sender.close()


def run_stream(func: Callable[[int], Any], count: int, *, seconds: float) -> Iterator[tuple[str, int, str]]:
    """``func(0)`` … ``func(count - 1)`` in a forked child; yields ``("error", i, traceback)`` for
    calls that raised and ``("hang", i, "")`` for one that ran past ``seconds`` (the child is then
    killed and the stream ends), ``("died", i, "")`` when the child died during call ``i``."""
    context = _context()
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_stream, args=(sender, func, count), daemon=True)
    child.start()
    sender.close()
    current = -1
    try:
        while True:
            if not receiver.poll(seconds):
                yield ("hang", current, "")
                return
            try:
                message = receiver.recv()
            except EOFError:
                yield ("died", current, "")
                return
            if message[0] == "start":
                current = message[1]
            elif message[0] == "error":
                yield message
            else:
                return
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receiver.close()
