"""Long work off the request: one worker thread runs jobs in order and reports progress
(``done`` of ``total``), so a page can show a bar while many drills are re-scored."""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from typing import Any, Callable


@dataclass(frozen=True)
class Redirect:
    """A job's result that is a page to go to when it is done (e.g. an import's message)."""

    url: str


@dataclass
class Job:
    id: str
    title: str
    total: int
    done: int = 0
    state: str = "queued"  # queued | running | done | failed
    result: Any = None
    error: str = ""
    owner: str = ""  # the browser session that started it
    _fn: Callable[[Job], Any] | None = field(default=None, repr=False)

    def progress(self, done: int, total: int | None = None) -> None:
        self.done = done
        if total is not None:
            self.total = total

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "total": self.total,
            "done": self.done,
            "state": self.state,
            "error": self.error,
        }


class Jobs:
    """A queue of jobs and one daemon worker thread (started on the first job)."""

    KEEP = 50  # finished jobs remembered

    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}
        self._queue: list[Job] = []
        self._cv = threading.Condition()
        self._worker: threading.Thread | None = None

    def submit(self, title: str, total: int, fn: Callable[[Job], Any], *, owner: str = "") -> Job:
        """Queue ``fn(job)``; it calls ``job.progress(done)`` and returns the result."""
        job = Job(secrets.token_hex(8), title, total, owner=owner, _fn=fn)
        with self._cv:
            self._jobs[job.id] = job
            self._queue.append(job)
            finished = [j for j in self._jobs.values() if j.state in ("done", "failed")]
            for old in finished[: max(0, len(finished) - self.KEEP)]:
                self._jobs.pop(old.id, None)
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(
                    target=self._run, name="voicedrill-jobs", daemon=True
                )
                self._worker.start()
            self._cv.notify()
        return job

    def get(self, job_id: str) -> Job | None:
        return self._jobs.get(job_id)

    def wait(self, job_id: str, timeout: float = 60.0) -> Job | None:
        """Block until the job ends (for the library and tests)."""
        import time

        end = time.monotonic() + timeout
        job = self.get(job_id)
        while job is not None and job.state in ("queued", "running") and time.monotonic() < end:
            time.sleep(0.05)
        return job

    def _run(self) -> None:
        while True:
            with self._cv:
                while not self._queue:
                    if not self._cv.wait(timeout=30):
                        self._worker = None
                        return
                job = self._queue.pop(0)
            job.state = "running"
            try:
                assert job._fn is not None  # submit() always gives one
                job.result = job._fn(job)
                job.state = "done"
            except Exception as e:  # shown on the job's page; the worker keeps going
                job.error = str(e) if hasattr(e, "exit_code") else f"{type(e).__name__}: {e}"
                job.state = "failed"
            job.done = job.total if job.state == "done" else job.done
