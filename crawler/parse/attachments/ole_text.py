"""DOC/WPS (OLE2 compound files): through ``antiword`` or ``catdoc`` when installed, else refused.

Word 97-2003 and WPS text lives in a piece table inside the ``WordDocument`` stream; no
maintained pure-Python library decodes it (``olefile`` reads only the container). The
Debian packages ``antiword`` and ``catdoc`` do, and are used when found on ``PATH``: the
file goes to a temporary file, the tool runs with the time budget as timeout, its UTF-8
output is read up to the character limit. Without them the message says what to do.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile

from . import AttachmentError, Budget, Limits

__all__ = ["TOOLS", "ole_text"]

#: Tried in order: name and arguments before the file path (UTF-8 output, no line wrapping).
TOOLS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("antiword", ("-m", "UTF-8.txt", "-w", "0")),
    ("catdoc", ("-d", "utf-8", "-w")),
)
_ENCRYPTED_OOXML = "EncryptedPackage".encode("utf-16-le")
_ADVICE = "convert it to DOCX or PDF (or install antiword or catdoc)"


def ole_text(data: bytes, limits: Limits, budget: Budget) -> str:
    """The text of a DOC/WPS file, one paragraph per line."""
    if _ENCRYPTED_OOXML in data[:1 << 20]:
        raise AttachmentError("DOCX refused: it is encrypted with a password (stored as an OLE2 container)")
    tools = [(path, args) for name, args in TOOLS if (path := shutil.which(name))]
    if not tools:
        raise AttachmentError(f"DOC/WPS (OLE2, Word 97-2003) files are not readable here: {_ADVICE}")
    fd, name = tempfile.mkstemp(suffix=".doc")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        reasons = []
        for path, args in tools:
            tool = os.path.basename(path)
            try:
                done = subprocess.run([path, *args, name], capture_output=True, timeout=max(budget.remaining(), 1.0),
                                      check=False, stdin=subprocess.DEVNULL)
            except subprocess.TimeoutExpired:
                raise AttachmentError(f"DOC/WPS extraction took too long: over {limits.seconds:g} s") from None
            except OSError as exc:
                reasons.append(f"{tool}: {exc.strerror or exc}")
                continue
            text = done.stdout.decode("utf-8", errors="replace")
            if done.returncode == 0 and text.strip():
                budget.check(len(text))
                return "\n".join(line.strip() for line in text.splitlines() if line.strip())
            error = " ".join(done.stderr.decode("utf-8", errors="replace").split())[:120]
            reasons.append(f"{tool}: {error or f'exit code {done.returncode}, no text'}")
        raise AttachmentError(f"cannot read the DOC/WPS file ({'; '.join(reasons)}): {_ADVICE.split(' (')[0]}")
    finally:
        os.unlink(name)
