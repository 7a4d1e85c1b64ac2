"""The program a file someone uploaded is read in: ``python -m performance.imports.child``.

``untrusted.read_in_child`` starts it and writes it a request (the reader, the file's path, the
options, where to write the result). It limits its own memory, processor time and output before
it reads a byte of the file, runs the reader (``readers``), and writes the result as JSON, with
dates and times tagged for ``untrusted`` to read back. Progress ("progress <done> <total>") and
its own peak memory ("peak <kB>") go to its standard error, for the parent. It imports nothing of
Django's settings, models or database.
"""

from __future__ import annotations

import datetime
import json
import sys

RESULT_BYTES = 512 * 1024 * 1024  # the most a child may write


def _encoded(value):
    if isinstance(value, datetime.datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, datetime.date):
        return {"$d": value.isoformat()}
    if isinstance(value, datetime.time):
        return {"$t": value.isoformat()}
    if isinstance(value, datetime.timedelta):
        return {"$td": value.total_seconds()}
    raise TypeError(f"{type(value).__name__} cannot be passed back")


def _limit_self(cpu_seconds: int, memory_bytes: int) -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (RESULT_BYTES, RESULT_BYTES))


def child_progress(done: int, total: int) -> None:
    """Tell the parent how far the reading has got."""
    sys.stderr.write(f"progress {done} {total}\n")
    sys.stderr.flush()


def _child_main() -> int:
    request = json.loads(sys.stdin.buffer.read(1024 * 1024))
    _limit_self(int(request["cpu_seconds"]), int(request["memory_bytes"]))
    from performance.imports import readers  # after the limits: everything a file makes happen is inside them

    def answer(content: dict) -> None:
        with open(request["result"], "w", encoding="utf-8") as file:
            json.dump(content, file, default=_encoded)

    try:
        reader = readers.reader_named(request["reader"])
        result = reader(request["path"], request["options"], request["data"], progress=child_progress)
        answer({"ok": result})
    except MemoryError:
        answer({"unsafe": "memory"})
    except readers.Unsafe as unsafe:
        answer({"unsafe": str(unsafe)})
    except readers.Refused as refused:
        answer({"refused": str(refused), "details": refused.details})
    sys.stderr.write(f"peak {_own_peak_kilobytes()}\n")  # for the parent's log
    return 0


def _own_peak_kilobytes() -> int:
    """This process's peak resident memory since it began running the child's program (VmHWM:
    unlike ru_maxrss, it does not count the parent's pages the process was forked with)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


if __name__ == "__main__":
    sys.exit(_child_main())
