"""PDF and DOCX extraction in a forked child process, under a memory cap and a hard time limit.

pdfminer and python-docx decompress and parse in-process without bounds of their own, and a
page cannot be interrupted part-way. Measured on hostile files: a 62 KB PDF whose content stream
inflates to 20 million glyphs took gigabytes and killed the interpreter (SIGSEGV); a PDF with a
damaged 60 MB Flate stream ran for over five minutes (pdfminer re-inflates it byte by byte, in
quadratic time); a 2 GB Flate stream is allocated whole. In the crawl's parse pool such a file
would break the pool or stall it.

So the extraction runs in a child made with :func:`os.fork` (a few milliseconds: the readers are
already imported, memory is shared copy-on-write; ``multiprocessing`` would import the main
script again in the child). The child caps its address space at what it has plus
:attr:`Limits.max_memory`, sends back the text or the error, and leaves with :func:`os._exit`;
the parent kills it when :attr:`Limits.seconds` (plus :data:`GRACE_SECONDS`) have passed. Every
failure comes back as an :class:`AttachmentError` with a one-line reason. Where there is no
``fork`` (Windows) the extraction runs in-process, bounded by the budget checks only.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import time
from collections.abc import Callable

from . import KIND_NAMES, AttachmentError, Budget, Kind, Limits

__all__ = ["GRACE_SECONDS", "extract_in_child"]

#: Time allowed on top of the time budget before the child is killed (its own checks come first).
GRACE_SECONDS = 2.0
_SIGNALS = frozenset(s.value for s in signal.Signals)
#: A reader that failed within this distance of its memory cap failed for lack of memory.
_NEAR_CAP = 32 * 2**20


def extract_in_child(data: bytes, kind: Kind, limits: Limits) -> str:
    """The text of a PDF or DOCX, extracted in a child process; raises :class:`AttachmentError`."""
    if not hasattr(os, "fork"):
        return _extract(data, kind, limits)
    what = KIND_NAMES[kind]
    _reader(kind)  # imported here once, not in every child
    read_end, write_end = os.pipe()
    try:
        pid = os.fork()
    except OSError as exc:
        os.close(read_end)
        os.close(write_end)
        raise AttachmentError(f"cannot start a {what} reader process: {exc.strerror or exc}") from None
    if pid == 0:  # the child: never returns
        os.close(read_end)
        _child(write_end, data, kind, limits)
    os.close(write_end)
    try:
        payload = _read_all(read_end, time.monotonic() + max(limits.seconds, 0.0) + GRACE_SECONDS)
    finally:
        os.close(read_end)
        status = _reap(pid)
    if payload is None:
        raise AttachmentError(f"{what} extraction took too long: over {limits.seconds:g} s")
    try:
        outcome, value = pickle.loads(payload) if payload else ("died", "")
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError):
        outcome, value = "died", ""
    if outcome == "ok":
        return value
    if outcome == "error":
        raise AttachmentError(value)
    mib = limits.max_memory // 2**20
    if outcome == "memory":
        raise AttachmentError(f"{what} refused (decompression bomb?): reading it needs more than {mib:,} MiB "
                              "of memory")
    raise AttachmentError(f"{what} reader crashed ({_describe(status)}): the file is damaged or needs more than "
                          f"{mib:,} MiB of memory")


def _reader(kind: Kind) -> Callable[[bytes, Limits, Budget], str]:
    """The reader of ``kind``, with the library it uses imported."""
    if kind == "pdf":
        import pdfplumber  # noqa: F401 - imported by pdf_text on first use

        from . import pdf_text

        return pdf_text.pdf_text
    import docx  # noqa: F401 - imported by docx_text on first use

    from . import docx_text

    return docx_text.docx_text


def _extract(data: bytes, kind: Kind, limits: Limits) -> str:
    budget = Budget(limits, KIND_NAMES[kind])
    text = _reader(kind)(data, limits, budget)
    budget.check(len(text))
    return text


def _child(write_end: int, data: bytes, kind: Kind, limits: Limits) -> None:
    """In the child: cap memory, extract, write the pickled ``(outcome, value)``, exit."""
    code = 0
    try:
        cap = _cap_memory(limits.max_memory)
        try:
            result: tuple[str, str] = ("ok", _extract(data, kind, limits))
        except AttachmentError as exc:
            # libxml2 and zlib report a failed allocation as a parse error ("unknown error"): near the cap,
            # the memory is the reason
            near_cap = cap is not None and (proc_status_bytes("VmPeak:") or 0) >= cap - _NEAR_CAP
            result = ("memory", "") if near_cap else ("error", str(exc))
        except MemoryError:
            result = ("memory", "")
        try:
            payload = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
        except MemoryError:
            payload = pickle.dumps(("memory", ""))
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(payload)
    except BaseException:  # noqa: BLE001 - nothing may escape into the parent's code: exit instead
        code = 1
    finally:
        os._exit(code)


def _read_all(fd: int, deadline: float) -> bytes | None:
    """Everything the child writes until it closes the pipe; None when the deadline passes first."""
    chunks: list[bytes] = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            return None
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _reap(pid: int) -> int:
    """Wait for the child (killed first when still running); its wait status."""
    done, status = os.waitpid(pid, os.WNOHANG)
    if done == 0:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        _, status = os.waitpid(pid, 0)
    return status


def _describe(status: int) -> str:
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        return f"signal {signal.Signals(number).name}" if number in _SIGNALS else f"signal {number}"
    return f"exit code {os.WEXITSTATUS(status)}" if os.WIFEXITED(status) else f"status {status}"


def proc_status_bytes(key: str) -> int | None:
    """A ``kB`` field of ``/proc/self/status`` in bytes (None without /proc)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(key):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def _cap_memory(extra: int) -> int | None:
    """Limit the address space to its current size plus ``extra`` bytes; no core dumps. The cap, if set."""
    import resource  # POSIX only, like fork

    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    current = proc_status_bytes("VmSize:")
    if current is None:
        return None  # no /proc (not Linux): the time limit still holds
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = current + extra
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    return cap
