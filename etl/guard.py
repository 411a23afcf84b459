"""Every received file is read in a worker process with a memory and a time limit.

    read_guarded(path, display_name, arrived=None) -> Parsed

Whatever the readers (calamine through fastexcel, polars) do with a hostile file that passed the checks
of ``reader.py`` — allocate 512 GiB for a cell at XFD1048576, hold gigabytes for minutes, abort — happens
in the worker: the caller (the command line, or the Streamlit server on an upload) gets the file's
``Parsed``, or one sentence naming the file. The worker is a fresh interpreter (``python -m etl.guard``,
never a fork of the caller: the Streamlit server has threads); it is started once and reused for the
next files (one file at a time each), and replaced when it failed or has read WORKER_FILES files.
"""

from __future__ import annotations

import atexit
import datetime as dt
import os
import pickle
import resource
import select
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

from etl.config import REPO, home
from etl.messages import Problems
from etl.reader import CSV_SUFFIXES, MB, refused

# The limits of a worker (README "Hostile input"). Its interpreter with polars and fastexcel takes 300–500 MB
# of address space (120 MB resident); the largest files within reader.py's limits (100,000 rows × 15 columns,
# .xlsx or CSV) peaked at about 270 MB resident in the worker, 420 MB for the whole check. With the caller
# (about 150 MB), a check stays well under 1.5 GB at its peak whatever the file.
WORKER_MEMORY = 1280 * MB  # address space of a worker (RLIMIT_AS); ECMON_WORKER_MEMORY_MB sets another
WORKER_SECONDS = 20  # wall-clock time to read one file; ECMON_WORKER_SECONDS sets another
WORKER_FILES = 200  # files a worker reads before it is replaced (memory its allocators keep)
START_SECONDS = 60  # time for a worker to start (its imports)
IDLE_WORKERS = 2  # workers kept for the next call (one per concurrent upload; more are stopped)
# Fewer malloc arenas and threads: less address space taken before a file is read, the same work done
ENV = {"MALLOC_ARENA_MAX": "2", "POLARS_MAX_THREADS": "2"}


def limits() -> tuple[int, float]:
    """(address space in bytes, seconds per file) of a worker, as configured now."""
    return (int(os.environ.get("ECMON_WORKER_MEMORY_MB") or WORKER_MEMORY // MB) * MB,
            float(os.environ.get("ECMON_WORKER_SECONDS") or WORKER_SECONDS))


# What a reader says when the memory limit stopped it (an allocation, or a thread's stack, refused)
_OUT_OF_MEMORY = ("MemoryError", "memory allocation", "Cannot allocate memory", "os error 11", "os error 12",
                  "can't spawn", "Resource temporarily unavailable")


def _reason(text: str, memory: int) -> str:
    """Why a reader stopped, from what it said."""
    if any(word in text for word in _OUT_OF_MEMORY):
        return f"读取所需内存超过 {memory // MB:,} MB 的上限"
    return "读取程序异常中止"


class _Failed(Exception):
    """The worker did not answer for this file: timed out, ran out of memory or died."""


def _frame(data: bytes) -> bytes:
    return struct.pack(">Q", len(data)) + data


class _Worker:
    def __init__(self):
        self.log = tempfile.TemporaryFile()  # the worker's stderr: never shown to the user, kept for the log
        env = {**os.environ, **ENV, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
        self.proc = subprocess.Popen([sys.executable, "-m", "etl.guard"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.log, env=env, cwd=REPO)
        self.files = 0
        self.limits = limits()  # the worker set its memory limit from the same environment
        if self._read(time.monotonic() + START_SECONDS) != b"ready":
            self.stop()
            raise RuntimeError(f"the worker process did not start: {self.stderr()}")

    def _read_exact(self, n: int, deadline: float) -> bytes:
        fd, out = self.proc.stdout.fileno(), bytearray()
        while len(out) < n:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise _Failed("timeout")
            piece = os.read(fd, min(n - len(out), 1 << 22))
            if not piece:
                raise _Failed("died")
            out += piece  # a bytearray grows in place: no copy of what arrived so far
        return bytes(out)

    def _read(self, deadline: float) -> bytes:
        try:
            (n,) = struct.unpack(">Q", self._read_exact(8, deadline))
            return self._read_exact(n, deadline)
        except _Failed:
            return b""

    def ask(self, request: dict) -> tuple:
        """The worker's answer for one file: ("ok", Parsed), ("refused", reason) when a reader failed in
        a way the file caused, ("crash", traceback) for a bug of ours; raises _Failed("timeout"|"died")."""
        self.files += 1
        try:
            self.proc.stdin.write(_frame(pickle.dumps(request)))
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            raise _Failed("died") from None
        deadline = time.monotonic() + self.limits[1]
        (n,) = struct.unpack(">Q", self._read_exact(8, deadline))
        return pickle.loads(self._read_exact(n, deadline + 60))  # the answer has started: let it arrive

    def stderr(self) -> str:
        self.log.seek(0, 2)
        self.log.seek(max(0, self.log.tell() - 4000))
        return self.log.read().decode("utf-8", "replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for f in (self.proc.stdin, self.proc.stdout):
            f.close()
        self.log.close()


_idle: list[_Worker] = []
_lock = threading.Lock()


def _take() -> _Worker:
    with _lock:
        while _idle:
            worker = _idle.pop()
            if worker.proc.poll() is None and worker.limits == limits():
                return worker
            worker.stop()
    return _Worker()


def _give(worker: _Worker) -> None:
    with _lock:
        if worker.files < WORKER_FILES and len(_idle) < IDLE_WORKERS:
            _idle.append(worker)
            return
    worker.stop()


@atexit.register
def _stop_all() -> None:
    with _lock:
        while _idle:
            _idle.pop().stop()


def _log(text: str) -> Path:
    """Append to $ECMON_HOME/logs/error.log (for the administrator; never shown to the user)."""
    log = home() / "logs" / "error.log"
    try:
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("a", encoding="utf-8") as f:
            f.write(f"--- {dt.datetime.now().isoformat(timespec='seconds')} {text}\n")
    except OSError:
        pass  # a home that cannot be written must not turn a refusal into an internal error
    return log


def read_guarded(path: Path, display_name: str, arrived: dt.date | None = None):
    """``forms.read_file`` in a worker process: the file's typed tables and cell errors (Parsed), or one sentence
    naming it. The checks across rows and against the published data (``forms.check_file``) run in the caller."""
    from etl.forms import Parsed  # the caller need not import the readers

    path = Path(path).absolute()
    request = {"path": str(path), "name": display_name, "arrived": arrived or dt.date.today(),
               "env": {k: v for k, v in os.environ.items() if k.startswith("ECMON_")}}
    excel = path.suffix.lower() not in CSV_SUFFIXES
    for attempt in (1, 2):
        worker = _take()
        fresh = worker.files == 0
        try:
            answer = worker.ask(request)
        except _Failed as exc:
            stderr = worker.stderr()
            worker.stop()
            if str(exc) == "died" and not fresh and attempt == 1:
                continue  # perhaps what earlier files left in it: once more in a fresh worker
            _log(f"worker {exc} on {display_name} ({path}):\n{stderr}")
            reason = (f"读取超过 {worker.limits[1]:g} 秒仍未完成" if str(exc) == "timeout"
                      else _reason(stderr, worker.limits[0]))
            return Parsed(display_name, _one(display_name, str(refused(reason, excel))))
        if answer[0] == "ok":
            _give(worker)
            return answer[1]
        if answer[0] == "refused":
            worker.stop()  # a reader failed half-way: start afresh
            if not fresh and attempt == 1:
                continue
            return Parsed(display_name, _one(display_name, str(refused(answer[1], excel))))
        _give(worker)  # a bug of ours, not the file's: logged for the administrator
        log = _log(f"error reading {display_name} ({path}):\n{answer[1]}")
        return Parsed(display_name, _one(display_name, f"读取这个文件时发生内部错误（详细信息已记录在 {log}），请联系系统管理员"))
    raise AssertionError("unreachable")


def _one(name: str, text: str) -> Problems:
    problems = Problems()
    problems.error(name, text)
    return problems


# ------------------------------------------------------------------------------------------ the worker


def _serve() -> None:
    """Read requests from stdin, answer on what was stdout (the real stdout goes to the log)."""
    answers = os.fdopen(os.dup(1), "wb", buffering=0)
    os.dup2(2, 1)  # a stray print of any library must not corrupt the answers
    requests = sys.stdin.buffer
    import fastexcel  # noqa: F401 - imported before the limit, as the readers would

    from etl import forms

    memory, seconds = limits()
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    answers.write(_frame(b"ready"))
    while len(head := requests.read(8)) == 8:
        request = pickle.loads(requests.read(struct.unpack(">Q", head)[0]))
        for key in [k for k in os.environ if k.startswith("ECMON_")]:
            del os.environ[key]
        os.environ.update(request["env"])
        signal.alarm(int(seconds) + 10)  # should the caller be gone: never run on for ever
        try:
            answer = ("ok", forms.read_file(Path(request["path"]), request["name"], arrived=request["arrived"]))
        except MemoryError:
            answer = ("refused", _reason("MemoryError", memory))
        except Exception:  # noqa: BLE001 - a bug of ours: the caller logs it
            answer = ("crash", traceback.format_exc())
        except BaseException as exc:  # a panic of a reader written in Rust (pyo3's PanicException)
            if isinstance(exc, SystemExit | KeyboardInterrupt):
                raise
            traceback.print_exc()
            answer = ("refused", _reason(str(exc), memory))
        signal.alarm(0)
        try:
            data = pickle.dumps(answer)
        except MemoryError:
            data = pickle.dumps(("refused", _reason("MemoryError", memory)))
        answers.write(_frame(data))


if __name__ == "__main__":
    _serve()
