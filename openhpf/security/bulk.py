"""Encryption and blind indexes for bulk loads, in a worker process beside the one that parses the file.

The cut-over parses CSV in Python; SM4-GCM and HMAC-SM3 of a chunk run in the worker while the next chunk is
parsed (two cores: parsing, crypto and the database overlap). The worker gets the key material once, at start,
and never touches Django or the database. Falls back to the calling process where no worker can be started.

The worker dies with the process that started it, however that one ends (kill -9 included): on Linux the kernel
sends it SIGKILL when its parent goes (prctl PR_SET_PDEATHSIG, set in the pool's initializer), and a watchdog
thread in the worker exits when its parent process id changes (other systems, or a parent gone before the
prctl took effect). An orphaned worker would otherwise hold the key material and its inherited database
socket for as long as it lived."""

from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from .crypto import HmacSm3
from .fields import blind_index_many_with, encrypt_many_with
from .keys import keyring

# (purpose, normalizer or None for "encrypt only")
Spec = tuple[str, str | None]
_worker: dict[str, Any] = {}
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
WATCHDOG_INTERVAL = 1.0  # seconds between the watchdog's looks at the parent process id


def _set_pdeathsig(sig: int = signal.SIGKILL) -> bool:
    """Ask the Linux kernel to send `sig` to this process when its parent exits. False where not available."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch_parent(parent_pid: int, interval: float) -> None:
    while True:
        if os.getppid() != parent_pid:  # re-parented: the process that started us is gone
            os._exit(1)
        time.sleep(interval)


def die_with_parent(parent_pid: int, *, interval: float = WATCHDOG_INTERVAL) -> None:
    """In a child process (a pool's initializer): end when `parent_pid` ends. The kernel's death signal where
    there is one, and always a daemon watchdog thread polling the parent pid as the fallback."""
    _set_pdeathsig()
    if os.getppid() != parent_pid:  # the parent died before the death signal was armed
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent_pid, interval), name="parent-watchdog", daemon=True).start()


def _init(parent_pid: int, key_id: str, key: bytes, index_keys: dict[str, bytes]) -> None:
    if parent_pid != os.getpid():  # in a worker process (not the in-process fallback)
        die_with_parent(parent_pid)
    _worker.update(key_id=key_id, key=key, indexers={p: HmacSm3(k) for p, k in index_keys.items()})


def _protect_columns(specs: Sequence[Spec], columns: Sequence[Sequence[str | None]]) -> list[list[str | None]]:
    """For each column: its ciphertexts, then (when it has a normalizer) its blind indexes."""
    out = []
    for (purpose, normalize), values in zip(specs, columns, strict=True):
        out.append(encrypt_many_with(_worker["key_id"], _worker["key"], purpose, values))
        if normalize:
            out.append(blind_index_many_with(_worker["indexers"][purpose], values, normalize))
    return out


class _Done(Future):
    def __init__(self, value: Any) -> None:
        super().__init__()
        self.set_result(value)


class BulkProtector:
    """submit(specs, columns) → Future of _protect_columns' result, computed in one worker process."""

    def __init__(self, purposes: Sequence[str], *, parallel: bool = True) -> None:
        ring = keyring()
        index_keys = {p: ring.blind_index_subkey(p) for p in purposes}
        self._args = (os.getpid(), ring.active_id, ring.active_key, index_keys)
        self._pool: ProcessPoolExecutor | None = None
        if parallel and "fork" in multiprocessing.get_all_start_methods():
            try:  # fork: the child inherits the imported modules and runs only the pure functions above
                self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"),
                                                 initializer=_init, initargs=self._args)
            except OSError:
                self._pool = None
        if self._pool is None:
            _init(*self._args)

    def submit(self, specs: Sequence[Spec], columns: Sequence[Sequence[str | None]]) -> Future:
        if self._pool is None:
            return _Done(_protect_columns(specs, columns))
        return self._pool.submit(_protect_columns, list(specs), [list(c) for c in columns])

    @property
    def worker_pids(self) -> list[int]:
        """The worker processes' ids (empty when the work runs in this process)."""
        if self._pool is None:
            return []
        return [p.pid for p in (getattr(self._pool, "_processes", None) or {}).values() if p.pid is not None]

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> BulkProtector:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

