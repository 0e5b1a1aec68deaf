"""Work that may take more than a moment runs in a thread; the page polls its progress."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Job:
    id: str
    label: str
    done: int = 0
    total: int | None = None
    state: str = "running"  # running | done | failed
    html: str = ""
    started: float = field(default_factory=time.monotonic)

    def step(self, n: int = 1) -> None:
        self.done += n

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label, "done": self.done, "total": self.total, "state": self.state,
                "seconds": round(time.monotonic() - self.started, 1)}


class Jobs:
    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def start(self, label: str, work: Callable[[Job], str], on_error: Callable[[BaseException], str]) -> Job:
        job = Job(secrets.token_urlsafe(9), label)
        with self._lock:
            if len(self._jobs) > 200:  # forget old finished jobs
                for k in [k for k, j in self._jobs.items() if j.state != "running"][:100]:
                    del self._jobs[k]
            self._jobs[job.id] = job

        def run() -> None:
            try:
                job.html = work(job)
                job.state = "done"
            except BaseException as e:  # the page shows a message, never a traceback
                job.html = on_error(e)
                job.state = "failed"

        threading.Thread(target=run, name=f"job-{label}", daemon=True).start()
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)
