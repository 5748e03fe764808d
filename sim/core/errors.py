"""User-facing errors: every bad input ends as one of these, printed without a traceback."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem in an input file.

    ``file``: path as the user gave it; ``line``: 1-based line or None; ``field``: field path
    such as ``actors[2].traits.resolve``; ``message``: what is wrong and how to fix it.
    """

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class SimUserError(Exception):
    """An error caused by the user's input. The CLI prints it and exits with ``exit_code``."""

    exit_code = 2

    def __init__(self, problems: list[Problem] | str):
        if isinstance(problems, str):
            problems = [Problem(file="", line=None, field="", message=problems)]
        self.problems = problems
        super().__init__("\n".join(str(p).lstrip(": ") for p in problems))
