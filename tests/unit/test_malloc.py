"""The bot process caps glibc's malloc arenas, unless the operator set MALLOC_ARENA_MAX."""

from __future__ import annotations

import platform
import subprocess
import sys
import textwrap

import pytest

from bot import malloc


class FakeLibc:
    def __init__(self) -> None:
        self.calls: list[tuple[int, int]] = []

    def mallopt(self, parameter: int, value: int) -> int:
        self.calls.append((parameter, value))
        return 1


def test_the_cap_is_set_through_mallopt() -> None:
    libc = FakeLibc()
    assert malloc.limit_arenas({}, libc)  # type: ignore[arg-type]
    assert libc.calls == [(malloc.M_ARENA_MAX, malloc.ARENAS)]


def test_the_operators_malloc_arena_max_wins() -> None:
    libc = FakeLibc()
    assert not malloc.limit_arenas({"MALLOC_ARENA_MAX": "4"}, libc)  # type: ignore[arg-type]
    assert libc.calls == []


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="malloc arenas are glibc's")
@pytest.mark.parametrize(("capped", "most"), [(True, malloc.ARENAS), (False, None)])
def test_threads_share_the_capped_arenas(capped: bool, most: int | None) -> None:
    """glibc gives each new thread an arena of its own up to its limit: eight threads make
    nine arenas uncapped, two capped (counted by malloc_info)."""
    program = textwrap.dedent(
        f"""
        import ctypes, os, tempfile, threading
        from bot import malloc
        if {capped!r}:
            assert malloc.limit_arenas({{}})
        started = threading.Barrier(8)
        def work():
            started.wait()
            kept = [bytearray(4096) for _ in range(200)]
            started.wait()
        threads = [threading.Thread(target=work) for _ in range(8)]
        for t in threads: t.start()
        for t in threads: t.join()
        libc = ctypes.CDLL(None)
        libc.fopen.restype = ctypes.c_void_p
        libc.malloc_info.argtypes = [ctypes.c_int, ctypes.c_void_p]
        libc.fclose.argtypes = [ctypes.c_void_p]
        path = tempfile.mktemp()
        handle = libc.fopen(path.encode(), b"w")
        libc.malloc_info(0, handle)
        libc.fclose(handle)
        print(open(path).read().count("<heap nr="))
        os.unlink(path)
        """
    )
    environ = {"PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True, env=environ
    ).stdout
    arenas = int(out)
    if most is not None:
        assert arenas <= most
    else:
        assert arenas > malloc.ARENAS
