"""Critical-minerals sourcing shocks as written in scenario files (``minerals:``): the one ``MineralShock`` model,
validated by the same parser of openings (a share or tonnes) that the supply-risk engine applies."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from geoshift.errors import InputError


@dataclass(frozen=True)
class Tonnes:
    """An opening stated in tonnes (a plain number in an opening is a share of the importer's purchases)."""

    value: float


Opening = float | Tonnes


def parse_opening(value: float | str | Tonnes) -> Opening:
    """An opening as written: a share in (0, 1] (``0.3`` or ``"30%"``) or tonnes (``"5000 t"``)."""
    if isinstance(value, Tonnes):
        if not (math.isfinite(value.value) and value.value > 0):
            raise InputError(f"open: {value.value!r} tonnes must be a positive number")
        return value
    if isinstance(value, bool):
        raise InputError(f"open: {value!r} is not a share or tonnes")
    if isinstance(value, int | float):
        share = float(value)
        if not (math.isfinite(share) and 0 < share <= 1):
            raise InputError(f"open: {value!r} is not a share in (0, 1]; write 0.3 or '30%' for a share, "
                             f"'5000 t' for tonnes")
        return share
    text = str(value).strip().lower().replace(",", "").replace("_", "")
    percent = re.fullmatch(r"([0-9.]+)\s*%", text)
    if percent:
        return parse_opening(float(percent.group(1)) / 100.0)
    tonnes = re.fullmatch(r"([0-9.]+(?:e[0-9]+)?)\s*(t|tonnes?|kt|mt)", text)
    if tonnes:
        scale = {"kt": 1e3, "mt": 1e6}.get(tonnes.group(2), 1.0)
        return parse_opening(Tonnes(float(tonnes.group(1)) * scale))
    raise InputError(f"open: {value!r} is neither a share (0.3, '30%') nor tonnes ('5000 t')")


class MineralShock(BaseModel):
    """A sourcing shock in a scenario's ``minerals:`` list, e.g. ``{material: germanium, importer: USA,
    close: [CHN]}`` or ``{material: palladium, importer: USA, open: {RUS: 0.3}}`` (a share, ``"30%"``, or
    tonnes as ``"5000 t"``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    material: str
    importer: str
    year: int | None = Field(default=None, ge=1995, le=2100)
    close: list[str] = []
    open: dict[str, float | str] = {}
    note: str = ""

    @field_validator("close", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("close")
    @classmethod
    def _codes(cls, value: list[str]) -> list[str]:
        return [v.strip().upper() for v in value]

    @field_validator("open")
    @classmethod
    def _openings(cls, value: dict[str, float | str]) -> dict[str, float | str]:
        for supplier, amount in value.items():
            try:
                parse_opening(amount)
            except InputError as exc:
                raise ValueError(f"{supplier}: {str(exc).removeprefix('open: ')}") from None
        return {k.strip().upper(): v for k, v in value.items()}

    @model_validator(mode="after")
    def _does_something(self) -> MineralShock:
        if not self.close and not self.open:
            raise ValueError("a mineral shock needs 'close: [suppliers]' or 'open: {supplier: share}'")
        return self
