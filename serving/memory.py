"""Process memory settings for the server.

glibc gives every thread that allocates its own malloc arena and keeps freed memory in it. The server
scores in a pool of threads, and evidence (a PyTorch backward pass) frees hundreds of megabytes per
request, so with eight concurrent clients the arenas alone held about 300 MB more at peak than with two
(measured with `bench/api_latency.py`'s server and 8 concurrent evidence clients on an
IndoBERT-base-shaped model).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import logging
import os

log = logging.getLogger(__name__)

M_ARENA_MAX = -8  # from glibc's malloc.h
DEFAULT_ARENAS = 2


def limit_malloc_arenas(arenas: int = DEFAULT_ARENAS) -> bool:
    """Cap glibc malloc arenas for threads created from now on, unless MALLOC_ARENA_MAX is set already
    (then glibc applied it at start). Returns whether a cap is in force; False off glibc."""
    if os.environ.get("MALLOC_ARENA_MAX"):
        return True
    mallopt = _mallopt()
    if mallopt is None:
        return False
    ok = bool(mallopt(M_ARENA_MAX, arenas))
    if ok:
        log.info("malloc arenas capped at %d", arenas)
    return ok


@functools.cache
def _mallopt():
    """glibc's `mallopt`, looked up once per process (`find_library` runs a subprocess); None off glibc."""
    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        return ctypes.CDLL(name).mallopt
    except (OSError, AttributeError):  # not glibc (musl, macOS)
        return None
