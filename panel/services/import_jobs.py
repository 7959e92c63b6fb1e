"""Import jobs: a small in-memory registry, one per app, each job owned by one user."""
from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field

from flask import Flask

from panel.services.csv_import import Plan, Progress

# A finished or never-started job is forgotten after this long, generated passwords with it.
KEEP_SECONDS = 3600


@dataclass
class Job:
    id: str
    owner_id: int
    plan: Plan
    progress: Progress
    state: str = "planned"           # planned | running | finished
    created_at: float = field(default_factory=time.monotonic)
    started_at: float | None = None
    finished_at: float | None = None

    @property
    def seconds(self) -> float:
        if self.started_at is None:
            return 0.0
        return (self.finished_at or time.monotonic()) - self.started_at


class JobRegistry:
    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def add(self, owner_id: int, plan: Plan) -> Job:
        job = Job(secrets.token_urlsafe(16), owner_id, plan, Progress(total=len(plan.valid)))
        with self._lock:
            self._prune()
            self._jobs[job.id] = job
        return job

    def get(self, job_id: str, owner_id: int) -> Job | None:
        """The job, only for its owner: anyone else gets None (their 404)."""
        with self._lock:
            job = self._jobs.get(job_id)
        return job if job is not None and job.owner_id == owner_id else None

    def claim(self, job: Job) -> bool:
        """Mark a planned job running; False if it already ran (a double submit)."""
        with self._lock:
            if job.state != "planned":
                return False
            job.state, job.started_at = "running", time.monotonic()
            return True

    def _prune(self) -> None:
        now = time.monotonic()
        for key, job in list(self._jobs.items()):
            if job.state != "running" and now - (job.finished_at or job.created_at) > KEEP_SECONDS:
                del self._jobs[key]


def registry(app: Flask) -> JobRegistry:
    return app.extensions.setdefault("import_jobs", JobRegistry())
