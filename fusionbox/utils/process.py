"""Worker processes that never outlive their parent."""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time

#: ``prctl`` option: the signal the kernel sends this process when its parent dies (Linux).
_PR_SET_PDEATHSIG = 1


def exit_with_parent(parent_pid: int) -> None:
    """Make the calling worker process end when ``parent_pid`` (its parent) ends, however it ends
    (a SIGKILL included, which runs no clean-up in the parent).

    On Linux the kernel sends the worker SIGKILL when the parent dies (``prctl`` with
    ``PR_SET_PDEATHSIG``); elsewhere a daemon thread checks the parent once a second. Call it
    first thing in a pool's initializer, with the parent's ``os.getpid()`` passed in.
    """
    if sys.platform.startswith('linux'):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), 'prctl(PR_SET_PDEATHSIG) failed')
    else:
        threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True).start()
    if os.getppid() != parent_pid:  # the parent died before the request above
        os._exit(1)


def _watch_parent(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(1.0)
    os._exit(1)
