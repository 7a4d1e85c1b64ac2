"""Reading a file someone uploaded, in a child process that cannot hurt the server.

Spreadsheet and document readers trust what a file says about itself: a 1.6 KB workbook that
claims a cell at XFD1048576 makes python-calamine allocate the whole sheet and abort, which no
``except`` can catch; an 801-byte OpenDocument sheet grows its reader to gigabytes. So every
upload — the releases' imports and documents' text — is read by ``python -m
performance.imports.child`` in a process of its own, which

- limits itself, before it reads a byte of the file, to ``MEMORY_BYTES`` of address space and a
  number of seconds of processor time (``setrlimit``), with no core file;
- first runs the cheap checks of ``filechecks`` on what the file claims, and refuses it there
  with the claim in words ("its sheet claims 1,048,576 rows × 16,384 columns; …");
- then reads it, and writes what it found to a file the parent names.

The parent waits at most a little longer than the processor time allowed, and kills the child
after that. A child that is refused, killed, runs out of memory or of time gives ``FileUnsafe``:
"This file could not be read safely: …". Nothing else happens to the app's process: it keeps its
memory and carries on. The child imports nothing of Django's settings, models or database.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import logging
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

logger = logging.getLogger(__name__)

MEMORY_BYTES = 1024 * 1024 * 1024  # a child's address space
CHILD_STDERR_BYTES = 64 * 1024  # what is kept of a child's own messages, for the log
WALL_SLACK_SECONDS = 10  # waited for beyond the processor time, for a child that waits on nothing

UNSAFE = "This file could not be read safely: {reason}."
RELEASE_ADVICE = (
    "Nothing has been imported. If the table itself is smaller, delete the stray cells around it "
    "(or copy the table into a new workbook), save it and try again."
)
DOCUMENT_ADVICE = "Nothing has been saved. Open the document, save it again (or as a PDF) and upload that."
KILLED_REASONS = {
    signal.SIGXCPU: "reading it took more than {seconds:,} seconds of processing, more than any "
    "release or document needs",
    signal.SIGKILL: "reading it took more than {seconds:,} seconds, more than any release or document needs",
    signal.SIGABRT: "reading it needed more than {memory}, more than any release or document needs",
    signal.SIGSEGV: "reading it needed more than {memory}, more than any release or document needs",
}
MEMORY_REASON = "reading it needed more than {memory}, more than any release or document needs"


class FileUnsafe(ValueError):
    """The file was not read: it claims more than any release or document could, or reading it
    went past the child's bounds. ``str()`` is the message for staff."""


def memory_text(size: int = MEMORY_BYTES) -> str:
    """
    >>> memory_text(1024 ** 3), memory_text(512 * 1024 ** 2)
    ('1 GB of memory', '512 MB of memory')
    """
    if size >= 1024**3 and size % 1024**3 == 0:
        return f"{size // 1024**3:,} GB of memory"
    return f"{size // 1024**2:,} MB of memory"


Progress = Callable[[int, int], None]
peaks: dict[int, int] = {}  # a child's pid -> its own peak memory in bytes, as it reported it


def read_in_child(
    kind: str,
    path: str,
    options: dict,
    *,
    cpu_seconds: int,
    memory_bytes: int | None = None,
    progress: Progress | None = None,
    reader: str | None = None,
) -> tuple[dict, str]:
    """Run a reader on the file at ``path`` in a bounded child: (its result, the path of the
    binary file it may have written beside it, which the caller deletes). ``reader`` names it
    (``readers.reader_named``; by default ``kind``, one of ``readers.READERS``); ``kind`` names the
    reading in the log. Raises ``FileUnsafe``, or ``FileUnreadable`` with the reader's own refusal."""
    memory_bytes = memory_bytes or MEMORY_BYTES
    folder = tempfile.mkdtemp(prefix="pcc-read-")
    result_path = os.path.join(folder, "result.json")
    data_path = os.path.join(folder, "result.bin")
    request = {
        "kind": kind,
        "reader": reader or kind,
        "path": os.fspath(path),
        "options": options,
        "result": result_path,
        "data": data_path,
        "cpu_seconds": cpu_seconds,
        "memory_bytes": memory_bytes,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "performance.imports.child"],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        close_fds=True,
        start_new_session=True,  # a signal to the server's process group is not sent to it
        cwd=folder,
        env=_child_environment(),
    )
    try:
        process.stdin.write(json.dumps(request).encode())
        process.stdin.close()
        started = time.monotonic()
        messages = _follow(process, cpu_seconds + WALL_SLACK_SECONDS, progress)
        code = _reaped(process, kind, time.monotonic() - started)
        reasons = {"seconds": cpu_seconds, "memory": memory_text(memory_bytes)}
        if code < 0:
            reason = KILLED_REASONS.get(-code, "the reader stopped ({signal})")
            raise FileUnsafe(
                UNSAFE.format(reason=reason.format(signal=signal.Signals(-code).name, **reasons))
            )
        try:
            with open(result_path, encoding="utf-8") as file:
                answer = json.load(file, object_hook=_decoded)
        except (OSError, ValueError):
            answer = None
        if answer is None or "unsafe" not in answer and "ok" not in answer and "refused" not in answer:
            if "MemoryError" in messages:
                raise FileUnsafe(UNSAFE.format(reason=MEMORY_REASON.format(**reasons)))
            raise FileUnsafe(UNSAFE.format(reason=f"the reader stopped (exit status {code})"))
        if "unsafe" in answer:
            reason = answer["unsafe"]
            if reason == "memory":
                reason = MEMORY_REASON.format(**reasons)
            raise FileUnsafe(UNSAFE.format(reason=reason))
        if "refused" in answer:
            raise FileUnreadable(answer["refused"], answer.get("details") or {})
        return answer["ok"], data_path
    finally:
        if process.poll() is None:
            _kill(process)
        with contextlib.suppress(OSError):
            os.unlink(result_path)
        with contextlib.suppress(OSError):
            if not os.path.exists(data_path):
                os.rmdir(folder)


class FileUnreadable(ValueError):
    """The reader read the file and refused it in its own words (a missing header, not a
    spreadsheet…). ``details``: what the reader adds for the caller."""

    def __init__(self, message: str, details: dict):
        super().__init__(message)
        self.details = details


def data_path_removed(data_path: str) -> None:
    """Delete the binary result and its folder."""
    with contextlib.suppress(OSError):
        os.unlink(data_path)
    with contextlib.suppress(OSError):
        os.rmdir(os.path.dirname(data_path))


def _child_environment() -> dict:
    """The child's environment: enough to find Python and this project, nothing secret."""
    keep = ("PATH", "LANG", "LC_ALL", "PYTHONPATH", "VIRTUAL_ENV", "HOME", "TMPDIR")
    environment = {key: os.environ[key] for key in keep if key in os.environ}
    project = str(Path(__file__).resolve().parents[2])  # the folder holding the performance package
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [project, environment.get("PYTHONPATH")]))
    environment["PYTHONDONTWRITEBYTECODE"] = "1"
    return environment


def _follow(process: subprocess.Popen, wall_seconds: float, progress: Progress | None) -> str:
    """Read the child's progress lines ("progress <done> <total>") until it ends, killing it if
    it outlives ``wall_seconds``; its other messages, for the log."""
    deadline = time.monotonic() + wall_seconds
    kept, pending = bytearray(), b""
    with selectors.DefaultSelector() as selector:
        selector.register(process.stderr, selectors.EVENT_READ)
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                _kill(process)
                break
            if not selector.select(timeout=min(remaining, 1.0)):
                continue
            chunk = os.read(process.stderr.fileno(), 65536)
            if not chunk:
                break
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for line in lines:
                if line.startswith(b"peak "):
                    with contextlib.suppress(ValueError):
                        peaks[process.pid] = int(line.split()[1]) * 1024
                elif line.startswith(b"progress ") and progress is not None:
                    with contextlib.suppress(ValueError):
                        done, total = (int(part) for part in line.split()[1:3])
                        progress(done, total)
                elif not line.startswith((b"progress ", b"peak ")) and len(kept) < CHILD_STDERR_BYTES:
                    kept += line[:CHILD_STDERR_BYTES] + b"\n"
    process.stderr.close()
    return kept.decode("utf-8", "replace")


def _reaped(process: subprocess.Popen, kind: str, seconds: float) -> int:
    """Wait for the child; log how long it took and its peak memory (for ``make bench``)."""
    if process.returncode is not None:  # killed and waited for already
        return process.returncode
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    peak = peaks.pop(process.pid, None)
    logger.info(
        "Read a file (%s) in a child process: %.1f s, %.1f s of processing, peak memory %s, exit %s",
        kind,
        seconds,
        usage.ru_utime + usage.ru_stime,
        f"{peak / 1024 / 1024:.0f} MB" if peak is not None else "not reported",
        process.returncode,
    )
    return process.returncode


def _kill(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


# --------------------------------------------------------------------------------------------
# What the app asks for: a release's sheet, the recorded crime open data, a document's words
# --------------------------------------------------------------------------------------------

# What a file of each kind may claim, and the processor time its reading may take. A release's
# one sheet is read inside the request (at most a few seconds for the largest real one), so its
# time stays well inside gunicorn's 30-second timeout.
RELEASE_SHEET = {
    "rows": 100_000,
    "columns": 200,
    "part_bytes": 50 * 1024 * 1024,
    "total_bytes": 50 * 1024 * 1024,
    "parts": 1_000,
    "strings": 200_000,
}
RELEASE_SHEET_SECONDS = 20
RECORDED_CRIME = {
    "rows": 2_000_000,
    "columns": 1_000,
    "part_bytes": 1024 * 1024 * 1024,
    "total_bytes": 1024 * 1024 * 1024,
    "parts": 1_000,
    "strings": 1_000_000,
}
RECORDED_CRIME_SECONDS = 300
DOCUMENT = {
    "called": "a document",
    "rows": 200_000,
    "columns": 1_000,
    "part_bytes": 50 * 1024 * 1024,
    "total_bytes": 100 * 1024 * 1024,
    "parts": 10_000,
    "strings": 1_000_000,
}
DOCUMENT_SECONDS = 20


@contextlib.contextmanager
def local_path(file):
    """A path to ``file``'s bytes for the child: bytes, or a binary file object (an upload, a
    stored file, wherever the storage keeps it), copied to a private temporary file. The file
    object is left at its start."""
    with tempfile.NamedTemporaryFile(prefix="pcc-upload-", suffix=".bin") as copy:
        if isinstance(file, bytes | bytearray | memoryview):
            copy.write(file)
        else:
            file.seek(0)
            while chunk := file.read(1024 * 1024):
                copy.write(chunk if isinstance(chunk, bytes) else chunk.encode())
            file.seek(0)  # left at its start, for the storage to save
        copy.flush()
        yield copy.name


def sheet_from_upload(data: bytes, *, file_name: str, sheet_names=(), max_rows: int | None = None):
    """A release's sheet (``spreadsheets.Sheet``), read in the child. Raises
    ``spreadsheets.SpreadsheetError`` with the refusal for staff."""
    from performance.imports.spreadsheets import Sheet, SpreadsheetError

    bounds = {**RELEASE_SHEET, "rows": max_rows or RELEASE_SHEET["rows"]}
    options = {"file_name": file_name, "sheet_names": list(sheet_names), "bounds": bounds}
    try:
        with local_path(data) as path:
            result, data_path = read_in_child("sheet", path, options, cpu_seconds=RELEASE_SHEET_SECONDS)
        data_path_removed(data_path)
    except FileUnsafe as unsafe:
        raise SpreadsheetError(f"{unsafe} {RELEASE_ADVICE}") from None
    except FileUnreadable as refused:
        raise SpreadsheetError(str(refused)) from None
    rows = [(number, cells) for number, cells in result["rows"]]
    return Sheet(rows=rows, file_name=file_name, sha256=result["sha256"])


# --------------------------------------------------------------------------------------------
# Values back through JSON: dates and times tagged (``child`` tags them)
# --------------------------------------------------------------------------------------------


def _decoded(item: dict):
    if len(item) == 1:
        ((key, value),) = item.items()
        if key == "$dt":
            return datetime.datetime.fromisoformat(value)
        if key == "$d":
            return datetime.date.fromisoformat(value)
        if key == "$t":
            return datetime.time.fromisoformat(value)
        if key == "$td":
            return datetime.timedelta(seconds=value)
    return item
