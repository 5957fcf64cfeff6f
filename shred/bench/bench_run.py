"""Runs one benchmarked command in a fresh child process and measures it (used by the bench
scripts beside it)."""

import os
import subprocess
import sys
import time
from typing import NamedTuple, Optional


class Run(NamedTuple):
    """One run of a child."""

    wall: float
    """Wall seconds of the whole process."""
    own: Optional[float]
    """Seconds the child timed itself (its last line of output, when it is a number)."""
    cpu: float
    """User plus system CPU seconds of the child."""
    rss: float
    """Peak RSS in MiB (`ru_maxrss` from wait4)."""


def run(argv, stdout=None, check=True):
    """Runs `argv` (its output to `stdout`, a file, when given) and measures it; with
    `check`, exits with the child's error when it fails."""
    start = time.perf_counter()
    child = subprocess.Popen(argv, stdout=stdout or subprocess.PIPE, stderr=subprocess.PIPE)
    out = child.stdout.read() if stdout is None else b""
    err = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    if status != 0 and check:
        sys.exit(f"{argv[0]} failed ({status}): {err.decode()}")
    own = None
    try:
        own = float(out.decode().strip().splitlines()[-1])
    except (ValueError, IndexError):
        pass
    return Run(wall, own, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def print_table(title, header, rows):
    """A Markdown table under a title line."""
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    line = lambda r: "| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths)) + " |"
    print(title)
    print(line(header))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        print(line(r))
