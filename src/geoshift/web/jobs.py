"""Background jobs: long work (scenario runs, ensembles, games, claims) off the request path, with progress,
dedupe, cancel and a bounded queue.

Workers are threads, not processes. The World (hundreds of MB on the real data) is loaded once per server and
shared read-only by every job, and the solvers spend their time in NumPy/SciPy, which release the GIL, so the API
keeps answering while a job runs. A thread cannot be killed, so **cancel** works in two steps: the job is marked
``cancelled`` at once and its work stops at its next progress checkpoint (claims, scenarios of a batch); work that
has no checkpoint (one solve) runs to its end in the background and its result is **discarded**. A job writes to
the results store only through ``JobContext.commit``, which refuses once the job is cancelled, so a cancelled (or
failed) job leaves no store record.

Identical requests share one job: the key is the job's kind plus the request as canonical JSON (sorted keys).
A queued, running or finished job with the same key is returned instead of a new one; after a failure or a cancel
the next identical request starts afresh.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from geoshift.errors import GeoshiftError
from geoshift.web.errors import NotFoundError
from geoshift.web.scenarios import public_message

log = logging.getLogger("geoshift.web")
T = TypeVar("T")
ACTIVE = ("queued", "running")


class QueueFullError(GeoshiftError):
    """The job queue is full (answered with 429)."""


class JobNotFoundError(NotFoundError):
    """No job with that id (answered with 404)."""


class Cancelled(Exception):
    """Raised inside a job's work at a checkpoint once the job is cancelled."""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def request_key(kind: str, request: dict[str, Any]) -> str:
    """The dedupe key: the kind and the request as canonical JSON."""
    return kind + ":" + json.dumps(request, sort_keys=True, separators=(",", ":"), default=str)


@dataclass
class Job:
    """A job's state; changed only under ``JobManager``'s lock."""

    id: str
    kind: str
    key: str
    work: Callable[[JobContext], dict[str, Any]] = field(repr=False)
    status: str = "queued"
    progress: float = 0.0
    message: str = "waiting for the worker"
    run_ids: list[str] = field(default_factory=list)
    result: dict[str, Any] | None = None
    error: str | None = None
    created: str = field(default_factory=_now)
    finished: str | None = None

    def snapshot(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "status": self.status, "progress": self.progress,
                "message": self.message, "run_ids": list(self.run_ids), "result": self.result, "error": self.error,
                "created": self.created, "finished": self.finished}


class JobContext:
    """What a job's work sees: report progress (a cancel checkpoint), record run ids, commit to the store."""

    def __init__(self, manager: JobManager, job: Job) -> None:
        self._manager, self._job = manager, job

    @property
    def cancelled(self) -> bool:
        return self._job.status == "cancelled"

    def progress(self, fraction: float, message: str) -> None:
        """Report progress (0..1) with a message; raises ``Cancelled`` if the job was cancelled meanwhile."""
        with self._manager.lock:
            if self.cancelled:
                raise Cancelled
            self._job.progress = min(max(float(fraction), self._job.progress), 1.0)
            self._job.message = message

    @property
    def job_id(self) -> str:
        return self._job.id

    def commit(self, action: Callable[[], T], run_ids: Sequence[str] = ()) -> T:
        """Run ``action`` (the job's store writes, all of them) unless the job was cancelled; record ``run_ids``."""
        with self._manager.lock:
            if self.cancelled:
                raise Cancelled
            value = action()
            self._job.run_ids.extend(run_ids)
            return value

    def add_run(self, run_id: str) -> None:
        """Record a run id the job used without writing it (a run reused from the store)."""
        with self._manager.lock:
            self._job.run_ids.append(run_id)


class JobManager:
    """A bounded queue of jobs served by ``workers`` threads."""

    def __init__(self, *, max_queued: int = 8, max_finished: int = 200, workers: int = 1) -> None:
        self.lock = threading.RLock()
        self.max_queued, self.max_finished = max_queued, max_finished
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._by_key: dict[str, str] = {}
        self._queue: queue.Queue[Job | None] = queue.Queue()
        self._threads = [threading.Thread(target=self._serve, name=f"geoshift-job-{k}", daemon=True)
                         for k in range(workers)]
        for thread in self._threads:
            thread.start()

    def submit(self, kind: str, request: dict[str, Any], work: Callable[[JobContext], dict[str, Any]]) -> Job:
        """A new job for ``request``, or the job an identical request already has (queued, running or done)."""
        key = request_key(kind, request)
        with self.lock:
            known = self._jobs.get(self._by_key.get(key, ""))
            if known is not None and known.status in (*ACTIVE, "done"):
                return known
            queued = sum(j.status == "queued" for j in self._jobs.values())
            if queued >= self.max_queued:
                raise QueueFullError(f"{queued} jobs are already waiting, this server's limit "
                                     f"(Limits.max_queued_jobs = {self.max_queued}); retry when one has finished "
                                     f"or cancel one (DELETE /api/v1/jobs/ID)")
            job = Job(id=uuid.uuid4().hex[:12], kind=kind, key=key, work=work)
            self._jobs[job.id] = job
            self._by_key[key] = job.id
            self._forget_old()
        self._queue.put(job)
        return job

    def get(self, job_id: str) -> dict[str, Any]:
        with self.lock:
            job = self._jobs.get(job_id)
            if job is None:
                known = ", ".join(list(self._jobs)[-5:]) or "none yet"
                raise JobNotFoundError(f"no job with id {job_id!r} on this server (jobs are kept in memory; "
                                       f"latest: {known})")
            return job.snapshot()

    def list(self) -> list[dict[str, Any]]:
        """Every known job, newest first."""
        with self.lock:
            return [j.snapshot() for j in reversed(self._jobs.values())]

    def cancel(self, job_id: str) -> dict[str, Any]:
        """Cancel a queued or running job (a finished one is left as it is)."""
        with self.lock:
            self.get(job_id)
            job = self._jobs[job_id]
            if job.status in ACTIVE:
                job.status, job.finished = "cancelled", _now()
                job.message = ("cancelled; its work stops at the next checkpoint and nothing is stored"
                               if job.progress > 0 else "cancelled before it started")
            return job.snapshot()

    def shutdown(self) -> None:
        """Cancel what is waiting or running and stop the workers (they finish their current step)."""
        with self.lock:
            for job in self._jobs.values():
                if job.status in ACTIVE:
                    job.status, job.finished, job.message = "cancelled", _now(), "the server stopped"
        for _ in self._threads:
            self._queue.put(None)

    def _forget_old(self) -> None:
        finished = [j for j in self._jobs.values() if j.status not in ACTIVE]
        for job in finished[: max(len(finished) - self.max_finished, 0)]:
            del self._jobs[job.id]
            if self._by_key.get(job.key) == job.id:
                del self._by_key[job.key]

    def _serve(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            with self.lock:
                if job.status != "queued":  # cancelled while waiting
                    continue
                job.status, job.message = "running", "started"
            self._run(job)

    def _run(self, job: Job) -> None:
        context = JobContext(self, job)
        try:
            result = job.work(context)
        except Cancelled:
            return
        except GeoshiftError as exc:
            self._finish(job, "failed", error=public_message(str(exc)))
        except Exception as exc:  # a bug, not the request: keep the worker alive and say what broke
            log.exception("job %s (%s) failed", job.id, job.kind)
            self._finish(job, "failed", error=public_message(f"internal error: {type(exc).__name__}: {exc}"))
        else:
            self._finish(job, "done", result=result)

    def _finish(self, job: Job, status: str, *, result: dict[str, Any] | None = None,
                error: str | None = None) -> None:
        with self.lock:
            if job.status == "cancelled":  # the result of cancelled work is discarded
                return
            job.status, job.finished = status, _now()
            job.result, job.error = result, error
            if status == "done":
                job.progress, job.message = 1.0, "done"
            else:
                job.message = "failed"
            self._forget_old()
