"""The server caps glibc malloc arenas (peak memory under concurrent evidence requests)."""

from __future__ import annotations

import platform

import pytest

from netra.serving.memory import limit_malloc_arenas


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc only")
def test_arena_cap_is_applied_on_glibc(monkeypatch):
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    assert limit_malloc_arenas(2) is True


def test_an_explicit_malloc_arena_max_is_left_alone(monkeypatch):
    import ctypes.util

    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: pytest.fail("should not touch libc"))
    assert limit_malloc_arenas(2) is True
