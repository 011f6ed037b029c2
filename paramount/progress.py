"""Progress for long steps, without tying the library to a terminal.

Library code takes a `Reporter` and opens tasks on it; the command line passes a
`RichReporter` (progress bars on stderr), tests and embedded callers the silent default.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Protocol


class Task(Protocol):
    def advance(self, amount: float = 1) -> None: ...

    def note(self, text: str) -> None:
        """Say what the task is doing now (a short line, no personal data)."""


class Reporter(Protocol):
    def task(
        self, description: str, total: float | None = None
    ) -> AbstractContextManager[Task]: ...


NOTE_WIDTH = 48  # a note longer than this is cut, so a task stays one line


class _SilentTask:
    def advance(self, amount: float = 1) -> None:
        return None

    def note(self, text: str) -> None:
        return None


class SilentReporter:
    """Reports nothing: the default for library calls and tests."""

    @contextmanager
    def task(self, description: str, total: float | None = None) -> Iterator[Task]:
        yield _SilentTask()


class _RichTask:
    def __init__(self, progress: Any, task_id: Any, description: str) -> None:
        self._progress = progress
        self._task_id = task_id
        self._description = description

    def advance(self, amount: float = 1) -> None:
        self._progress.advance(self._task_id, amount)

    def note(self, text: str) -> None:
        """The task's line reads `description: text` until the next note."""
        text = " ".join(text.split())
        if len(text) > NOTE_WIDTH:
            text = text[: NOTE_WIDTH - 1] + "…"
        self._progress.update(self._task_id, description=f"{self._description}: {text}")


class RichReporter:
    """Progress bars on stderr, one line a task, with elapsed time."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self._progress = Progress(
            TextColumn("{task.description:<38}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=False,
        )

    def __enter__(self) -> RichReporter:
        self._progress.start()
        return self

    def __exit__(self, *exc) -> None:
        self._progress.stop()

    @contextmanager
    def task(self, description: str, total: float | None = None) -> Iterator[Task]:
        task_id = self._progress.add_task(description, total=total)
        try:
            yield _RichTask(self._progress, task_id, description)
        finally:
            task = self._progress.tasks[task_id]
            self._progress.update(
                task_id,
                description=description,
                total=task.completed or 1,
                completed=task.completed or 1,
            )


class _NoteHandler(logging.Handler):
    def __init__(self, task: Task) -> None:
        super().__init__(level=logging.INFO)
        self._task = task

    def emit(self, record: logging.LogRecord) -> None:
        try:
            lines = record.getMessage().strip().splitlines()
        except Exception:  # a malformed log call must not break the run
            return
        if lines:
            self._task.note(lines[0])


@contextmanager
def log_notes(task: Task, logger: str) -> Iterator[None]:
    """While open, a library's log lines (say Splink's, which logs its training progress)
    become the task's notes instead of reaching the root logger; levels restored after."""
    log = logging.getLogger(logger)
    handler = _NoteHandler(task)
    level, propagate = log.level, log.propagate
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
    try:
        yield
    finally:
        log.removeHandler(handler)
        log.setLevel(level)
        log.propagate = propagate
