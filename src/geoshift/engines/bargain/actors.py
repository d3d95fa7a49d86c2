"""Actors of a bargaining problem: capability, position, salience and (optionally) a fixed risk exponent.

A file is a CSV with one row per actor and the columns ``actor, capability, position, salience`` (names are
case-insensitive), optionally ``risk`` (a fixed exponent in [0.5, 2]; blank = computed each round), ``coded_by``
and ``basis`` (who coded the values and why) and ``note``. Leading lines that start with ``#`` hold metadata as
``# key: value`` (``issue``, ``low``, ``high``, ``source``, ...); other ``#`` lines are comments.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from geoshift.errors import InputError

REQUIRED = ("actor", "capability", "position", "salience")
OPTIONAL = ("risk", "coded_by", "basis", "note")
RISK_RANGE = (0.5, 2.0)
_META = re.compile(r"^#\s*([A-Za-z_][\w ]*?)\s*:\s*(.*)$")


@dataclass(frozen=True, eq=False)
class Actors:
    """One issue dimension and the actors bargaining over it (arrays indexed like ``name``)."""

    name: tuple[str, ...]
    capability: np.ndarray  # c_i >= 0, on any common scale
    position: np.ndarray  # x_i, on the issue scale
    salience: np.ndarray  # s_i in [0, 1]
    risk: np.ndarray  # fixed r_i in [0.5, 2]; NaN where the model computes it
    coded_by: tuple[str, ...] = ()
    basis: tuple[str, ...] = ()
    meta: Mapping[str, str] = field(default_factory=dict)
    source: str = "<memory>"
    text: str = field(default="", repr=False)  # the file as read (stored with runs)

    def __post_init__(self) -> None:
        _validate(self)
        for arr in (self.capability, self.position, self.salience, self.risk):
            arr.setflags(write=False)

    @property
    def n(self) -> int:
        return len(self.name)

    @property
    def weight(self) -> np.ndarray:
        """The weight of an actor's vote: capability x salience."""
        return np.asarray(self.capability * self.salience, dtype=float)

    @property
    def span(self) -> float:
        """The width of the issue scale spanned by the positions (distances are measured in this unit)."""
        return float(self.position.max() - self.position.min())

    def index(self, actor: str) -> int:
        for i, name in enumerate(self.name):
            if name.casefold() == actor.casefold():
                return i
        raise InputError(f"{self.source}: no actor named {actor!r}; actors: {', '.join(self.name)}")

    def with_values(self, *, capability: np.ndarray | None = None, position: np.ndarray | None = None,
                    salience: np.ndarray | None = None, risk: np.ndarray | None = None) -> Actors:
        """A copy with some of capability/position/salience/risk replaced (validated again)."""
        def pick(new: np.ndarray | None, old: np.ndarray) -> np.ndarray:
            return np.array(old if new is None else new, dtype=float)

        return replace(self, capability=pick(capability, self.capability), position=pick(position, self.position),
                       salience=pick(salience, self.salience), risk=pick(risk, self.risk))

    def with_value(self, actor: str, column: str, value: float) -> Actors:
        """A copy with one actor's value changed (``--set Russia.salience=0.5``)."""
        if column not in ("capability", "position", "salience", "risk"):
            raise InputError(f"{column!r} is not an actor value; use capability, position, salience or risk")
        values = np.array(getattr(self, column), dtype=float)
        values[self.index(actor)] = value
        return self.with_values(**{column: values})


def from_columns(
    name: Sequence[str], capability: ArrayLike, position: ArrayLike, salience: ArrayLike,
    risk: ArrayLike | None = None, *, source: str = "<memory>",
) -> Actors:
    """Actors from plain sequences (``risk`` None or NaN entries: computed by the model)."""
    n = len(name)
    r = np.full(n, np.nan) if risk is None else np.array(risk, dtype=float)
    return Actors(tuple(name), np.array(capability, dtype=float), np.array(position, dtype=float),
                  np.array(salience, dtype=float), r, source=source)


def load_actors(path: Path | str) -> Actors:
    """Read and validate an actors CSV; every error names the file, the row (actor) and the column."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{path}: no such actors file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the actors file ({exc})") from None
    meta: dict[str, str] = {}
    lines = text.splitlines()
    body_start, key = 0, ""
    for k, line in enumerate(lines):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            body_start = k
            break
        match = _META.match(stripped)
        if key and re.match(r"^#\s{2,}\S", stripped):  # an indented line continues the previous value
            meta[key] += " " + stripped.lstrip("#").strip()
        elif match:
            key = match.group(1).strip().lower()
            meta[key] = match.group(2).strip()
        else:
            key = ""
    else:
        raise InputError(f"{path}: no header row; expected the columns {', '.join(REQUIRED)}")
    try:
        frame = pd.read_csv(io.StringIO("\n".join(lines[body_start:])), dtype=str, keep_default_na=False,
                            skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"{path}: not a valid CSV ({str(exc).strip()})") from None
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(missing)}; the header must have "
                         f"{', '.join(REQUIRED)} (optional: {', '.join(OPTIONAL)})")
    unknown = [c for c in frame.columns if c not in REQUIRED + OPTIONAL]
    if unknown:
        raise InputError(f"{path}: unknown column(s) {', '.join(map(repr, unknown))}; allowed: "
                         f"{', '.join(REQUIRED + OPTIONAL)}")
    names = [str(v).strip() for v in frame["actor"]]
    for row, name in enumerate(names, start=body_start + 2):
        if not name:
            raise InputError(f"{path} line {row}: empty actor name; every row needs a name in the actor column")

    def numbers(column: str, optional: bool = False) -> np.ndarray:
        values = np.full(len(frame), np.nan)
        if column not in frame.columns:
            return values
        for k, raw in enumerate(frame[column]):
            raw = str(raw).strip()
            if raw == "" and optional:
                continue
            try:
                values[k] = float(raw)
            except ValueError:
                raise InputError(f"{path} line {body_start + 2 + k} ({names[k]}): {column} {raw!r} is not a "
                                 "number") from None
            if not math.isfinite(values[k]):
                raise InputError(f"{path} line {body_start + 2 + k} ({names[k]}): {column} {raw!r} must be "
                                 "a finite number")
        return values

    def texts(column: str) -> tuple[str, ...]:
        return tuple(str(v).strip() for v in frame[column]) if column in frame.columns else ()

    return Actors(tuple(names), numbers("capability"), numbers("position"), numbers("salience"),
                  numbers("risk", optional=True), coded_by=texts("coded_by"), basis=texts("basis"),
                  meta=meta, source=str(path), text=text)


def _validate(actors: Actors) -> None:
    src = actors.source
    n = len(actors.name)
    for label, arr in (("capability", actors.capability), ("position", actors.position),
                       ("salience", actors.salience), ("risk", actors.risk)):
        if arr.shape != (n,):
            raise InputError(f"{src}: {label} has {arr.size} values for {n} actors")
    if n < 2:
        raise InputError(f"{src}: a bargaining problem needs at least two actors (got {n})")
    seen: dict[str, str] = {}
    for name in actors.name:
        if name.casefold() in seen:
            raise InputError(f"{src}: actor {name!r} appears twice; give each actor one row")
        seen[name.casefold()] = name
    for label, arr in (("capability", actors.capability), ("position", actors.position),
                       ("salience", actors.salience)):
        for i in np.flatnonzero(~np.isfinite(arr)):
            raise InputError(f"{src} ({actors.name[i]}): {label} is missing; give a number")
    for i in np.flatnonzero(actors.capability < 0):
        raise InputError(f"{src} ({actors.name[i]}): capability {actors.capability[i]:g} is negative; "
                         "capabilities are >= 0 on a common scale")
    for i in np.flatnonzero((actors.salience < 0) | (actors.salience > 1)):
        hint = "; on a 0-100 scale? divide by 100" if 1 < actors.salience[i] <= 100 else ""
        raise InputError(f"{src} ({actors.name[i]}): salience {actors.salience[i]:g} is outside [0, 1]{hint}")
    lo, hi = RISK_RANGE
    for i in np.flatnonzero(np.isfinite(actors.risk) & ((actors.risk < lo) | (actors.risk > hi))):
        raise InputError(f"{src} ({actors.name[i]}): risk {actors.risk[i]:g} is outside [{lo:g}, {hi:g}]; "
                         "leave it blank to let the model compute it")
    if not np.any(actors.capability * actors.salience > 0):
        raise InputError(f"{src}: every actor has capability x salience = 0, so nobody votes; give at least one "
                         "actor a positive capability and salience")
    if actors.position.max() == actors.position.min():
        raise InputError(f"{src}: every actor holds the same position {actors.position[0]:g}: there is nothing to "
                         "bargain over")
    for label, texts in (("coded_by", actors.coded_by), ("basis", actors.basis)):
        if texts and len(texts) != n:
            raise InputError(f"{src}: {label} has {len(texts)} entries for {n} actors")
