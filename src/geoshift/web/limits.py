"""What one request may ask of the server: body size, solved draws × World size, pivot-map cells, queued jobs.

A request over a limit is refused before any work starts, with the limit named (``Limits.<field>``) and the
largest value that would pass, so a client can ask again for less.
"""

from __future__ import annotations

from dataclasses import dataclass

from geoshift.errors import InputError


class LimitError(InputError):
    """A request that would take more than this server allows (answered with 422, the limit named)."""


@dataclass(frozen=True)
class Limits:
    #: largest request body, bytes (413 above it)
    max_body_bytes: int = 256 * 1024
    #: (draws + 1) × countries × sectors: the country-sector cells solved by one ensemble run (the +1 is the
    #: central solve); 2,000,000 is ~500 draws on the real World (80 × 50)
    max_draw_cells: int = 2_000_000
    #: grid points of a game's pivot map (n × n); 1,600 is the CLI's default 40 × 40
    max_map_cells: int = 1_600
    #: draws of a game's parameters or of a bargaining problem's perturbations
    max_strategy_draws: int = 2_000
    #: jobs waiting for the worker (429 above it)
    max_queued_jobs: int = 8
    #: finished jobs kept for GET /api/v1/jobs (the oldest are forgotten first)
    max_finished_jobs: int = 200

    def check_draws(self, draws: int, countries: int, sectors: int, what: str = "draws") -> None:
        cells = (draws + 1) * countries * sectors
        if cells > self.max_draw_cells:
            most = max(self.max_draw_cells // (countries * sectors) - 1, 0)
            raise LimitError(f"{what} {draws}: (draws + 1) × {countries} economies × {sectors} sectors = {cells:,} "
                             f"country-sector cells to solve, over this server's limit Limits.max_draw_cells = "
                             f"{self.max_draw_cells:,}; ask for at most {most} draws")

    def check_map(self, n: int) -> None:
        if n * n > self.max_map_cells:
            most = int(self.max_map_cells ** 0.5)
            raise LimitError(f"map n {n}: {n} × {n} = {n * n:,} cells, over this server's limit "
                             f"Limits.max_map_cells = {self.max_map_cells:,}; ask for n ≤ {most}")

    def check_strategy_draws(self, draws: int, what: str = "draws") -> None:
        if draws > self.max_strategy_draws:
            raise LimitError(f"{what} {draws}: over this server's limit Limits.max_strategy_draws = "
                             f"{self.max_strategy_draws:,}; ask for at most {self.max_strategy_draws}")
