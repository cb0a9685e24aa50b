"""Processes that end with the process they work for, so a ``kill -9`` leaves nothing behind.

A local pool's workers are children of multiprocessing's forkserver, not of the sweep driver,
and they hold the pipes that keep the forkserver alive: when the driver is killed, nothing
tells them, and forkserver, workers and their ngspice runs wait forever. ``watch(pid)`` (a
worker's initializer) starts a thread that waits for process ``pid`` to end, then kills this
process's children and exits; the forkserver then sees its last client go and exits too.

``tied(argv)`` is the command line for a program (a Dask scheduler or worker started by the
tests or benchmarks) that gets ``SIGKILL`` when the process that starts it ends (Linux
``PR_SET_PDEATHSIG``, which survives ``exec``).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import select
import signal
import sys
import threading
import time
from pathlib import Path

_PR_SET_PDEATHSIG = 1  # from <sys/prctl.h>
_POLL_SECONDS = 0.5  # where there is no pidfd: how often the watched pid is checked

# Run by ``tied``: set the parent-death signal, make sure the parent did not die before it was
# set (then the signal would never come), and become the program.
_LAUNCH = """\
import os, sys
from spicegen.sweep.lifeline import die_with_parent
die_with_parent(int(sys.argv[1]))
os.execvp(sys.argv[2], sys.argv[2:])
"""


def die_with_parent(parent: int) -> bool:
    """Ask Linux to ``SIGKILL`` this process when its parent (pid ``parent``) ends; exit at
    once if it already has. False where the kernel has no such request (not Linux)."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        return False
    if os.getppid() != parent:
        os._exit(1)
    return True


def tied(argv: list[str]) -> list[str]:
    """A command that runs ``argv`` and is killed when the calling process ends (on Linux;
    elsewhere it just runs ``argv``). Start it from the main thread: Linux ties the child to
    the thread that forked it."""
    return [sys.executable, "-c", _LAUNCH, str(os.getpid()), *argv]


def watch(pid: int) -> None:
    """End this process, and the children it started, when process ``pid`` ends."""
    threading.Thread(target=_wait_then_exit, args=(pid,), name="lifeline", daemon=True).start()


def _wait_then_exit(pid: int) -> None:
    _wait_for_exit(pid)
    for child in _children(os.getpid()):
        # ngspice runs in a session of its own: kill its whole group, then it
        with contextlib.suppress(OSError):
            if os.getpgid(child) == child:
                os.killpg(child, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.kill(child, signal.SIGKILL)
    os._exit(1)


def _wait_for_exit(pid: int) -> None:
    try:
        handle = os.pidfd_open(pid)
    except ProcessLookupError:
        return
    except (AttributeError, OSError):  # no pidfd (not Linux, old kernel): poll the pid
        while _alive(pid):
            time.sleep(_POLL_SECONDS)
        return
    try:
        poller = select.poll()
        poller.register(handle, select.POLLIN)
        while not poller.poll():  # a pidfd is readable once its process has ended
            pass
    finally:
        os.close(handle)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _children(pid: int) -> list[int]:
    """Pids whose parent is ``pid`` (Linux ``/proc``; none found elsewhere)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            # "pid (comm) state ppid ...": comm may hold spaces and parentheses
            fields = stat.read_text().rpartition(")")[2].split()
            if int(fields[1]) == pid:
                found.append(int(stat.parent.name))
    return found
