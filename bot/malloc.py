"""Fewer malloc arenas for the bot process, so its memory stays that of the work it does.

glibc gives each thread that allocates while another one holds an arena an arena of its own, up
to eight per core, and memory freed in one is never handed to another. The bot's threads (one
per SQLite connection, the loop's executor) each grow one, and the process's peak resident
memory then depends on which thread happened to allocate when: ``python -m bench.memory`` read
130-139 MiB from run to run with glibc's default, 125 MiB every run with two arenas.

``MALLOC_ARENA_MAX``, when the operator sets it, is glibc's own and wins: nothing is changed then.
Elsewhere than on glibc (musl, macOS) nothing is changed either.
"""

from __future__ import annotations

import ctypes
import os
import platform
from collections.abc import Mapping

#: arenas the process may have: the main one and one that its threads share
ARENAS = 2
#: glibc's mallopt() parameter for the number of arenas (malloc.h)
M_ARENA_MAX = -8


def limit_arenas(environ: Mapping[str, str] = os.environ, libc: ctypes.CDLL | None = None) -> bool:
    """Cap the process's malloc arenas at ARENAS; True when the cap was set here. Call it
    before the process starts threads: a thread keeps the arena it was given."""
    if "MALLOC_ARENA_MAX" in environ:
        return False
    if libc is None:
        if platform.libc_ver()[0] != "glibc":
            return False
        libc = ctypes.CDLL(None)
    mallopt = getattr(libc, "mallopt", None)
    return mallopt is not None and mallopt(M_ARENA_MAX, ARENAS) == 1
