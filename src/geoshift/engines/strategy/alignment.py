"""The alignment game: the U.S. offers a package, Russia aligns, China responds; payoffs from the engines.

Tree: U.S. {none, deal} -> Russia {china, hedge, west} -> China {keep, retaliate}; with the EU as a fourth player
(``players: [USA, RUS, CHN, EU27]``) the EU answers a deal first: {hold, join} (keep its sanctions, or join the
package with its own ``eu_relief`` and ``eu_deal`` components). Each terminal outcome maps to
scenarios built from the game file's components on top of its base (status-quo) scenario: ``relief`` and
``deal`` (the package; the deal's trade-cost change scales with ``package``) when the U.S. offered a deal and
Russia moved (hedge or west) and the promise is honoured; ``pivot`` or ``hedge`` for Russia's move away from
China; ``retaliation`` when China retaliates. A promise is honoured with probability ``rho`` (trust): the
payoffs of those outcomes are ``rho x honoured + (1 - rho) x broken``.

Payoff of a player = its real-income change in % (GE engine) x its economic weight, plus for Russia
``budget_weight`` x the change in the oil & gas share of its federal budget in points (energy engine), plus the
named security and status terms (subjective, in the same units): Russia gains ``rus_security_west`` and loses
``rus_status_china`` when it aligns west (half of each when it hedges); the U.S. gains ``usa_split_value`` when
Russia aligns west (half when it hedges) and loses ``usa_presence_cost`` (its presence in Europe needs a Russian
threat) when Russia aligns west; China loses ``chn_partner_loss`` (half when Russia hedges); the EU gains
``eu_security_west`` when Russia aligns west (half when it hedges) and, when it has joined a package that is
delivered, loses ``eu_sanctions_value`` (the leverage of its sanctions, e.g. over a Ukraine settlement).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from geoshift.engines.strategy.mixed import MixedEquilibrium, delta_star, two_player_equilibria
from geoshift.engines.strategy.tree import Node, normal_form, play, pure_nash, subgame_perfect
from geoshift.errors import ScenarioError
from geoshift.scenario.spec import Scenario, Shock, explain_validation_error, load_scenario
from geoshift.scenario.uncertainty import Distribution, UncertainParameter, draw, first_order_indices
from geoshift.scenario.yamlio import line_of, parse_yaml, path_text, read_text

PLAYERS = ("USA", "RUS", "CHN")
EU = "EU27"
OFFERS = ("none", "deal")
EU_MOVES = ("hold", "join")
ALIGNMENTS = ("china", "hedge", "west")
RESPONSES = ("keep", "retaliate")
REQUIRED_PARAMETERS = ("rho", "package", "budget_weight", "rus_security_west", "rus_status_china",
                       "usa_split_value", "usa_presence_cost", "chn_partner_loss")
REQUIRED_COMPONENTS = ("relief", "deal", "pivot", "hedge", "retaliation")
EU_PARAMETERS = ("eu_sanctions_value", "eu_security_west")
EU_COMPONENTS = ("eu_relief", "eu_deal")
BUDGET_POINTS = "RUS_budget_points"  # change of the oil & gas share of Russia's federal revenue, in points


class Parameter(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    value: float
    min: float
    max: float
    unit: str = ""
    source: str = Field(min_length=1)

    @model_validator(mode="after")
    def _in_range(self) -> Parameter:
        if not self.min <= self.value <= self.max:
            raise ValueError(f"value {self.value} is outside its range [{self.min}, {self.max}]")
        return self


class GameSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    name: str = Field(pattern=r"^[A-Za-z0-9_.\-]+$")
    description: str = ""
    base: str = "west_embargo_russia"
    players: tuple[str, ...] = PLAYERS
    economic_weight: dict[str, float] = {"USA": 1.0, "RUS": 1.0, "CHN": 1.0}
    parameters: dict[str, Parameter]
    components: dict[str, list[Shock]]

    @model_validator(mode="after")
    def _complete(self) -> GameSpec:
        if self.players not in (PLAYERS, (*PLAYERS, EU)):
            raise ValueError(f"players {list(self.players)}: use [USA, RUS, CHN], or [USA, RUS, CHN, EU27] for the EU "
                             "as a fourth player")
        eu = EU in self.players
        missing = [p for p in REQUIRED_PARAMETERS + (EU_PARAMETERS if eu else ()) if p not in self.parameters]
        if missing:
            raise ValueError(f"missing parameter(s) {', '.join(missing)}; required: "
                             f"{', '.join(REQUIRED_PARAMETERS + (EU_PARAMETERS if eu else ()))}")
        if not (self.parameters["rho"].min >= 0.0 and self.parameters["rho"].max <= 1.0):
            raise ValueError("parameter rho (trust) is a probability: its range must lie within [0, 1]")
        required = REQUIRED_COMPONENTS + (EU_COMPONENTS if eu else ())
        missing = [c for c in required if c not in self.components]
        if missing:
            raise ValueError(f"missing component(s) {', '.join(missing)}; required: {', '.join(required)}")
        unknown = [p for p in self.economic_weight if p not in self.players]
        if unknown:
            raise ValueError(f"economic_weight for unknown player(s) {', '.join(unknown)}; players: "
                             f"{', '.join(self.players)}")
        return self

    def value(self, name: str, overrides: Mapping[str, float] | None = None) -> float:
        if overrides and name in overrides:
            p = self.parameters[name]
            v = float(overrides[name])
            if not p.min <= v <= p.max:
                raise ScenarioError(f"parameter {name} = {v} is outside its range [{p.min}, {p.max}]")
            return v
        return self.parameters[name].value


def load_game(path: str | Path) -> GameSpec:
    """Read and validate a game file."""
    return parse_game(read_text(Path(path), "game"), str(path))


def parse_game(text: str, source: str) -> GameSpec:
    """Validate game ``text`` (YAML); errors name ``source`` and the line."""
    path = source
    raw, tree = parse_yaml(text, source)
    if not isinstance(raw, dict):
        raise ScenarioError(f"{path}: a game is a YAML mapping with name, parameters and components")
    try:
        return GameSpec.model_validate(raw)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc, message = explain_validation_error(error, raw)
        if error["type"] == "value_error":
            message = str(error["ctx"]["error"]) if "ctx" in error else error["msg"]
        line = line_of(tree, loc)
        where = f"{path}:{line}" if line is not None else str(path)
        raise ScenarioError(f"{where}: {path_text(loc) or 'game'}: {message}") from None


@dataclass(frozen=True)
class Outcome:
    offer: str
    align: str
    response: str
    honoured: bool  # the package is delivered (only meaningful after a deal and a move)
    eu: str = ""  # the EU's answer to a deal (hold | join); empty without the EU as a player

    @property
    def relief(self) -> bool:
        return self.offer == "deal" and self.align != "china" and self.honoured

    @property
    def eu_relief(self) -> bool:
        return self.relief and self.eu == "join"

    @property
    def label(self) -> str:
        return "/".join(part for part in (self.offer, self.eu, self.align, self.response) if part)


EconomicPayoffs = Callable[[Scenario], dict[str, float]]


@dataclass
class AlignmentGame:
    """The game with its base scenario; economic payoffs of each distinct scenario are computed once."""

    spec: GameSpec
    base: Scenario
    economics: EconomicPayoffs
    _cache: dict[str, dict[str, float]] = field(default_factory=dict)
    solves: int = 0

    @property
    def players(self) -> tuple[str, ...]:
        return self.spec.players

    def _package(self, component: str, package: float) -> list[Shock]:
        shocks = []
        for shock in self.spec.components[component]:
            if hasattr(shock, "percent"):
                percent = shock.percent * package
                if percent <= -100.0:
                    raise ScenarioError(f"package {package} makes the {component} component's {shock.kind} "
                                        f"{percent:.0f} %; keep percent x package above -100")
                shock = shock.model_copy(update={"percent": percent})
            shocks.append(shock)
        return shocks

    def scenario(self, outcome: Outcome, package: float) -> Scenario:
        shocks: list[Shock] = []
        inherited = list(self.base.all_shocks)
        if outcome.relief:
            inherited += self.spec.components["relief"]  # relief undoes the base's barriers, so it comes first
            shocks += self._package("deal", package)
        if outcome.eu_relief:
            inherited += self.spec.components["eu_relief"]
            shocks += self._package("eu_deal", package)
        if outcome.align == "west":
            shocks += self.spec.components["pivot"]
        elif outcome.align == "hedge":
            shocks += self.spec.components["hedge"]
        if outcome.response == "retaliate":
            shocks += self.spec.components["retaliation"]
        name = ".".join(part for part in (self.spec.name, outcome.offer, outcome.eu, outcome.align, outcome.response)
                        if part) + (f".relief{package:g}" if outcome.relief else "") + (
            ".eu" if outcome.eu_relief else "")
        return Scenario(name=name, description=f"{self.spec.name}: outcome {outcome.label}", extends=self.base.name,
                        data=self.base.data, engine=self.base.engine, elasticities=self.base.elasticities,
                        energy=self.base.energy, inherited_shocks=inherited, shocks=shocks)

    def economic(self, outcome: Outcome, package: float) -> dict[str, float]:
        scenario = self.scenario(outcome, package)
        key = scenario.content_hash()
        if key not in self._cache:
            self._cache[key] = self.economics(scenario)
            self.solves += 1
        return self._cache[key]

    def payoff_terms(self, offer: str, align: str, response: str, params: Mapping[str, float],
                     eu: str = "") -> dict[str, dict[str, float]]:
        """Each player's expected payoff of one terminal outcome split into its terms (all in % of real income):
        ``real_income`` (GE engine, weighted), ``budget`` (Russia: ``budget_weight`` x the change of its oil & gas
        budget share in points, energy engine) and ``subjective`` (the named security, status and leverage terms)."""
        if eu and EU not in self.players:
            raise ScenarioError(f"game {self.spec.name} has no EU player; drop the EU move {eu!r}")
        if EU in self.players and offer == "deal" and eu not in EU_MOVES:
            raise ScenarioError(f"game {self.spec.name}: after a deal the EU moves; give eu = hold or join")
        rho, package = params["rho"], params["package"]
        broken = self.economic(Outcome(offer, align, response, False, eu), package)
        delivered = offer == "deal" and align != "china"
        expected = dict(broken)
        if delivered:
            honoured = self.economic(Outcome(offer, align, response, True, eu), package)
            expected = {key: rho * honoured.get(key, 0.0) + (1.0 - rho) * broken.get(key, 0.0)
                        for key in {*broken, *honoured}}
        terms = {p: {"real_income": expected[p], "budget": 0.0, "subjective": 0.0} for p in self.players}
        terms["RUS"]["budget"] = params["budget_weight"] * expected.get(BUDGET_POINTS, 0.0)
        share = {"china": 0.0, "hedge": 0.5, "west": 1.0}[align]
        terms["RUS"]["subjective"] = share * (params["rus_security_west"] - params["rus_status_china"])
        terms["USA"]["subjective"] = (share * params["usa_split_value"]
                                      - (params["usa_presence_cost"] if align == "west" else 0.0))
        terms["CHN"]["subjective"] = -share * params["chn_partner_loss"]
        if EU in self.players:
            terms[EU]["subjective"] = share * params["eu_security_west"] - (
                rho * params["eu_sanctions_value"] if delivered and eu == "join" else 0.0)
        return terms

    def payoffs(self, offer: str, align: str, response: str, params: Mapping[str, float],
                eu: str = "") -> dict[str, float]:
        """Expected payoffs of one terminal outcome (``eu``: the EU's answer to a deal, in a four-player game):
        the sum of ``payoff_terms``."""
        terms = self.payoff_terms(offer, align, response, params, eu)
        return {p: t["real_income"] + t["budget"] + t["subjective"] for p, t in terms.items()}

    def outcomes(self) -> list[tuple[str, str, str, str]]:
        """Every terminal history as (offer, eu, align, response); eu is empty where the EU does not move."""
        eu_moves = {"none": ("",), "deal": EU_MOVES if EU in self.players else ("",)}
        return [(o, e, a, r) for o in OFFERS for e in eu_moves[o] for a in ALIGNMENTS for r in RESPONSES]

    def tree(self, params: Mapping[str, float]) -> Node:
        def russia(offer: str, eu: str) -> Node:
            return Node("RUS", {align: Node("CHN", {
                response: Node(payoffs=self.payoffs(offer, align, response, params, eu)) for response in RESPONSES})
                for align in ALIGNMENTS})

        deal = Node(EU, {m: russia("deal", m) for m in EU_MOVES}) if EU in self.players else russia("deal", "")
        return Node("USA", {"none": russia("none", ""), "deal": deal})

    def parameters(self, overrides: Mapping[str, float] | None = None) -> dict[str, float]:
        return {name: self.spec.value(name, overrides) for name in self.spec.parameters}


def economic_payoffs_from(runner: Any) -> EconomicPayoffs:
    """Economic payoffs from a results ``Runner``: real income change (%) x weight; Russia adds the budget term."""

    def compute(scenario: Scenario) -> dict[str, float]:
        metrics = runner.run(scenario).metrics
        income = metrics[metrics["metric"] == "real_income_change_pct"].set_index("country")["value"]
        out = {p: float(income[p]) for p in (*PLAYERS, EU) if p in income.index}
        energy = metrics[metrics["metric"].isin(["energy_budget_share_before_pct", "energy_budget_share_after_pct"])]
        shares = dict(zip(energy["metric"], energy["value"], strict=True))
        out[BUDGET_POINTS] = shares.get("energy_budget_share_after_pct", 0.0) - shares.get(
            "energy_budget_share_before_pct", 0.0)
        return out

    return compute


def weighted(game: AlignmentGame) -> EconomicPayoffs:
    """Apply the spec's economic weights to raw engine payoffs; Russia's budget points pass through unweighted (the
    ``budget_weight`` parameter prices them in ``payoffs``, so ``--set``/``--map`` of it take effect)."""
    raw = game.economics
    weights = game.spec.economic_weight

    def compute(scenario: Scenario) -> dict[str, float]:
        values = raw(scenario)
        missing = [p for p in game.players if p not in values]
        if missing:
            raise ScenarioError(f"game {game.spec.name}: the World has no real income for player(s) "
                                f"{', '.join(missing)} (scenario {scenario.name}); use a World that covers them")
        out = {p: weights.get(p, 1.0) * values[p] for p in game.players}
        out[BUDGET_POINTS] = values.get(BUDGET_POINTS, 0.0)
        return out

    return compute


@dataclass(frozen=True)
class Solution:
    parameters: dict[str, float]
    spe: list[dict[str, Any]]
    nash: list[dict[str, Any]]
    mixed: list[dict[str, Any]]
    delta_star: float | None
    delta_star_by_player: dict[str, float | None]
    seconds: float

    def __repr__(self) -> str:  # every Nash equilibrium of the whole game: tens of kilobytes
        paths = "; ".join(str(e["outcome"]) for e in self.spe[:3]) + (" ..." if len(self.spe) > 3 else "")
        delta = "none" if self.delta_star is None else f"{self.delta_star:.3g}"
        return (f"<Solution: subgame-perfect outcome {paths or 'none'}; {len(self.nash)} pure Nash and "
                f"{len(self.mixed)} mixed equilibria; cooperation holds for discount factors >= {delta}; "
                f"{len(self.parameters)} parameters; .spe, .nash, .mixed hold the details>")


def _strategy_text(strategy: Mapping[tuple[str, ...], str]) -> dict[str, str]:
    return {("/".join(h) or "start"): a for h, a in strategy.items()}


def solve_game(game: AlignmentGame, overrides: Mapping[str, float] | None = None) -> Solution:
    start = time.perf_counter()
    params = game.parameters(overrides)
    root = game.tree(params)
    players = game.players
    spes = subgame_perfect(root, players)
    spe_rows = [{"concept": "spe", "strategies": {p: _strategy_text(s.strategies[p]) for p in players},
                 "outcome": "/".join(s.path), "payoffs": s.payoffs, "ties": ["/".join(t) or "start" for t in s.ties]}
                for s in spes]
    nf = normal_form(root, players)
    nash_rows = []
    for index in pure_nash(nf):
        profile = {p: nf.strategies[k][index[k]] for k, p in enumerate(players)}
        path, values = play(root, profile)
        nash_rows.append({"concept": "nash", "strategies": {p: _strategy_text(profile[p]) for p in players},
                          "outcome": "/".join(path), "payoffs": values})
    # mixed equilibria of the U.S. x Russia game, China (and the EU) playing their first subgame-perfect strategies
    others = {p: spes[0].strategies[p] for p in players if p not in ("USA", "RUS")}
    us_strats, ru_strats = nf.strategies[0], nf.strategies[1]
    A = np.zeros((len(us_strats), len(ru_strats)))
    B = np.zeros_like(A)
    for a, us in enumerate(us_strats):
        for b, ru in enumerate(ru_strats):
            _, values = play(root, {"USA": us, "RUS": ru, **others})
            A[a, b], B[a, b] = values["USA"], values["RUS"]
    mixed_rows = [_mixed_row(eq, us_strats, ru_strats) for eq in two_player_equilibria(A, B)]
    deltas = _deltas(game, params)
    finite = [d for d in deltas.values() if d is not None]
    overall = None if len(finite) < len(deltas) else max(finite)
    return Solution(params, spe_rows, nash_rows, mixed_rows, overall, deltas, time.perf_counter() - start)


def _mixed_row(eq: MixedEquilibrium, us: Any, ru: Any) -> dict[str, Any]:
    def mix(probabilities: np.ndarray, strategies: Any) -> dict[str, float]:
        return {", ".join(f"{'/'.join(h) or 'start'}: {a}" for h, a in strategies[k].items()): float(p)
                for k, p in enumerate(probabilities) if p > 1e-12}

    support = max(np.count_nonzero(eq.row > 1e-12), np.count_nonzero(eq.column > 1e-12))
    kind = "mixed" if support > 1 else "pure"
    return {"concept": "nash", "detail": f"{kind}, U.S. x Russia with China's SPE strategy ({eq.solver})",
            "strategies": {"USA": mix(eq.row, us), "RUS": mix(eq.column, ru)},
            "payoffs": {"USA": eq.payoffs[0], "RUS": eq.payoffs[1]}, "best_response_gap": eq.gap}


def _deltas(game: AlignmentGame, params: Mapping[str, float]) -> dict[str, float | None]:
    """Trust in the repeated game: Russia is tempted to take the package and only hedge; the U.S. is tempted to
    break its promise once Russia has aligned west. R: deal honoured and Russia west; P: no deal, Russia with
    China (China keeps in both; with the EU as a player, the EU joins the package in R and T)."""
    full = {**params, "rho": 1.0}
    broken = {**params, "rho": 0.0}
    eu = "join" if EU in game.players else ""
    R = game.payoffs("deal", "west", "keep", full, eu)
    P = game.payoffs("none", "china", "keep", full)
    T_rus = game.payoffs("deal", "hedge", "keep", full, eu)["RUS"]
    T_usa = game.payoffs("deal", "west", "keep", broken, eu)["USA"]
    return {"RUS": delta_star(T_rus, R["RUS"], P["RUS"]), "USA": delta_star(T_usa, R["USA"], P["USA"])}


@dataclass(frozen=True, eq=False)
class GameMap:
    x: str
    y: str
    x_values: np.ndarray
    y_values: np.ndarray
    outcomes: list[list[str]]  # [y][x] SPE outcome path
    russia_moves: np.ndarray  # [y][x] Russia's SPE reply to a deal (after the EU's answer): 0 china, 1 hedge, 2 west
    seconds: float
    engine_solves: int

    def __repr__(self) -> str:  # a 40 x 40 map holds 1,600 outcome paths
        moves = np.asarray(self.russia_moves)
        shares = ", ".join(f"{word} {100 * float(np.mean(moves == k)):.0f} %"
                           for k, word in enumerate(("stays with China", "hedges", "aligns west")))
        return (f"<GameMap {self.x} x {self.y}, {len(self.x_values)} x {len(self.y_values)} cells; Russia's reply to "
                f"a deal: {shares} of the cells; {self.engine_solves} engine solves, {self.seconds:.1f} s>")


def game_map(game: AlignmentGame, x: str, y: str, n: int = 40,
             overrides: Mapping[str, float] | None = None,
             progress: Callable[[int, int], None] | None = None) -> GameMap:
    """The subgame-perfect outcome on an ``n`` x ``n`` grid of parameters ``x`` and ``y``; ``progress(done, total)``
    is called after each row of cells."""
    start = time.perf_counter()
    for name in (x, y):
        if name not in game.spec.parameters:
            raise ScenarioError(f"map parameter {name!r} is not a parameter of {game.spec.name}; "
                                f"parameters: {', '.join(game.spec.parameters)}")
    if x == y:
        raise ScenarioError("the two map parameters must differ")
    if not 2 <= n <= 200:
        raise ScenarioError(f"map size {n} must be between 2 and 200")
    xs = np.linspace(game.spec.parameters[x].min, game.spec.parameters[x].max, n)
    ys = np.linspace(game.spec.parameters[y].min, game.spec.parameters[y].max, n)
    base = game.parameters(overrides)
    outcomes: list[list[str]] = []
    moves = np.zeros((n, n), dtype=int)
    for a, yv in enumerate(ys):
        row = []
        for b, xv in enumerate(xs):
            params = {**base, x: float(xv), y: float(yv)}
            spe = subgame_perfect(game.tree(params), game.players)[0]
            row.append("/".join(spe.path))
            after = ("deal", spe.strategies[EU][("deal",)]) if EU in game.players else ("deal",)
            moves[a, b] = ALIGNMENTS.index(spe.strategies["RUS"][after])
        outcomes.append(row)
        if progress is not None:
            progress((a + 1) * n, n * n)
    return GameMap(x, y, xs, ys, outcomes, moves, time.perf_counter() - start, game.solves)


@dataclass(frozen=True)
class GameEnsemble:
    """The game solved at many draws of its parameters (each uniform over its declared [min, max] unless fixed by
    an override): how often each subgame-perfect outcome holds, and which parameter decides Russia's move."""

    draws: int
    sampler: str
    seed: int
    parameters: tuple[str, ...]  # the drawn parameters
    outcome_shares: dict[str, float]  # SPE path -> share of draws (first SPE where ties)
    west_share: float  # share of draws in which Russia aligns west after a deal
    drivers: dict[str, float]  # parameter -> first-order index of the indicator "Russia aligns west"
    seconds: float
    west: tuple[float, ...] = ()  # per draw: 1 if Russia aligns west after a deal


def game_ensemble(game: AlignmentGame, draws: int, *, seed: int = 0, sampler: str = "lhs",
                  overrides: Mapping[str, float] | None = None,
                  progress: Callable[[int, int], None] | None = None) -> GameEnsemble:
    """Solve the game at ``draws`` Latin-hypercube (or Sobol) draws of every parameter not fixed by ``overrides``;
    ``progress(done, total)`` is called after each draw."""
    start = time.perf_counter()
    if draws < 2:
        raise ScenarioError(f"draws {draws}: give at least 2")
    base = game.parameters(overrides)
    free = [(name, p) for name, p in game.spec.parameters.items()
            if p.max > p.min and not (overrides and name in overrides)]
    params = [UncertainParameter(name, Distribution(dist="uniform", low=p.min, high=p.max), "game file range")
              for name, p in free]
    values = draw(params, draws, sampler, seed)
    paths: list[str] = []
    west = np.zeros(draws)
    for d in range(draws):
        point = {**base, **{p.name: float(values[d, k]) for k, p in enumerate(params)}}
        spe = subgame_perfect(game.tree(point), game.players)[0]
        paths.append("/".join(spe.path))
        after = ("deal", spe.strategies[EU][("deal",)]) if EU in game.players else ("deal",)
        west[d] = 1.0 if spe.strategies["RUS"][after] == "west" else 0.0
        if progress is not None:
            progress(d + 1, draws)
    shares = {path: paths.count(path) / draws for path in sorted(set(paths), key=lambda p: -paths.count(p))}
    indices = first_order_indices(values, west) if params else np.zeros(0)
    drivers = dict(sorted(((p.name, float(indices[k])) for k, p in enumerate(params)), key=lambda kv: -kv[1]))
    return GameEnsemble(draws, sampler, seed, tuple(p.name for p in params), shares, float(west.mean()), drivers,
                        time.perf_counter() - start, tuple(float(v) for v in west))


def result_dict(game: AlignmentGame, solution: Solution, grid: GameMap | None = None,
                ensemble: GameEnsemble | None = None) -> dict[str, Any]:
    """Everything a user or a report needs, as plain data (the CLI's JSON)."""
    params = solution.parameters
    payoffs = {"/".join(x for x in (o, e, a, r) if x): game.payoffs(o, a, r, params, e)
               for o, e, a, r in game.outcomes()}
    terms = {"/".join(x for x in (o, e, a, r) if x): game.payoff_terms(o, a, r, params, e)
             for o, e, a, r in game.outcomes()}
    out: dict[str, Any] = {
        "game": game.spec.name, "description": game.spec.description, "base": game.base.name,
        "players": list(game.players),
        "parameters": params,
        "parameter_table": {k: {**v.model_dump(), "value": params[k]} for k, v in game.spec.parameters.items()},
        "equilibria": solution.spe + solution.nash + solution.mixed,
        "spe": solution.spe, "nash": solution.nash, "mixed": solution.mixed,
        "delta_star": solution.delta_star, "delta_star_by_player": solution.delta_star_by_player,
        "payoffs": payoffs, "payoff_terms": terms, "engine_solves": game.solves, "seconds": solution.seconds,
    }
    if ensemble is not None:
        out["ensemble"] = {"draws": ensemble.draws, "sampler": ensemble.sampler, "seed": ensemble.seed,
                           "parameters": list(ensemble.parameters), "outcome_shares": ensemble.outcome_shares,
                           "russia_west_share": ensemble.west_share, "drivers": ensemble.drivers,
                           "seconds": ensemble.seconds}
    if grid is not None:
        out["map"] = {"x": grid.x, "y": grid.y, "x_values": grid.x_values.tolist(), "y_values": grid.y_values.tolist(),
                      "outcomes": grid.outcomes, "russia_moves": grid.russia_moves.tolist(),
                      "seconds": grid.seconds, "engine_solves": grid.engine_solves}
    return out


def build_game(spec: GameSpec, economics: EconomicPayoffs, folder: Path | None = None) -> AlignmentGame:
    from geoshift.scenario.shipped import shipped_dir

    candidates = [Path(spec.base)] + ([folder / f"{spec.base}.yaml"] if folder else []) + [
        shipped_dir() / f"{spec.base}.yaml"]
    path = next((c for c in candidates if c.is_file()), None)
    if path is None:
        raise ScenarioError(f"game {spec.name}: base scenario {spec.base!r} not found (a shipped scenario name "
                            f"or a file)")
    game = AlignmentGame(spec, load_scenario(path), economics)
    game.economics = weighted(game)
    return game
