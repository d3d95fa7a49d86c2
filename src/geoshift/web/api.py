"""The HTTP API under ``/api/v1``: the World, profiles, scenarios (validate, run), runs, compare, and the jobs of
the engines (energy, game, bargain, ensemble, check). Thin over the library: each endpoint checks its request
(one-line 4xx errors, limits) and calls what the matching CLI command calls."""

from __future__ import annotations

import json
from typing import Any, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from geoshift.commands.profile import profile_dict, profile_payload
from geoshift.data.countries import country_name, resolve_country
from geoshift.engines.bargain import load_actors
from geoshift.engines.strategy.alignment import parse_game
from geoshift.errors import InputError, ScenarioError, UnknownCountryError
from geoshift.results.run import Runner
from geoshift.results.store import RunStore
from geoshift.scenario.shipped import SHIPPED_ORDER, shipped_folder
from geoshift.scenario.spec import EnergySettings, Scenario
from geoshift.scenario.uncertainty import UncertaintySettings
from geoshift.scenario.yamlio import read_text
from geoshift.version import __version__
from geoshift.web import models, payloads, tasks
from geoshift.web.cache import Answer, AnswerCache, Cache
from geoshift.web.errors import NotFoundError
from geoshift.web.jobs import JobManager, JobNotFoundError
from geoshift.web.limits import Limits
from geoshift.web.scenarios import UnknownScenarioError, scenario_from_text, shipped_paths, shipped_scenario
from geoshift.world import World

ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": models.ErrorBody, "description": text} for code, text in (
        (400, "Malformed request (e.g. a Content-Length that is not a number)"),
        (401, "Missing or wrong bearer token"), (404, "Unknown country, run, scenario or job"),
        (413, "Request body over the size limit"), (422, "Invalid request: one line saying what and where"),
        (429, "The job queue is full"))}

router = APIRouter(prefix="/api/v1", responses=ERRORS)


def encode(payload: Any) -> bytes:
    return json.dumps(payload, separators=(",", ":"), default=float).encode()


def state(request: Request) -> Any:
    return request.app.state


def world_of(request: Request) -> World:
    world: World = state(request).world()
    return world


def store_of(request: Request) -> RunStore:
    store: RunStore = state(request).store
    return store


def jobs_of(request: Request) -> JobManager:
    jobs: JobManager = state(request).jobs
    return jobs


def limits_of(request: Request) -> Limits:
    limits: Limits = state(request).limits
    return limits


def cache(request: Request, name: str) -> Cache:
    found: Cache = getattr(state(request), name)
    return found


def answers(request: Request, name: str) -> AnswerCache:
    found: AnswerCache = getattr(state(request), name)
    return found


def accepted(job: dict[str, Any]) -> dict[str, Any]:
    return {"job": job}


def submit(request: Request, kind: str, body: models.Request, work: tasks.Work) -> dict[str, Any]:
    jobs = jobs_of(request)
    job = jobs.submit(kind, body.model_dump(mode="json"), work)
    return accepted(jobs.get(job.id))


def chosen_scenario(body: models.ScenarioChoice) -> Scenario:
    if body.name is not None:
        return shipped_scenario(body.name)
    assert body.yaml is not None  # the model requires one of the two
    return scenario_from_text(body.yaml)


def check_scenario_draws(world: World, limits: Limits, scenario: Scenario, draws: int | None) -> None:
    n = draws if draws is not None else (scenario.uncertainty.draws if scenario.uncertainty is not None else 0)
    if n:
        limits.check_draws(n, len(world.countries), len(world.sectors))


# --- the World ---------------------------------------------------------------------------------------------------

@router.get("/health", response_model=models.Health, tags=["server"])
async def health() -> dict[str, Any]:
    """The server answers (it does not load the World)."""
    return {"status": "ok", "version": __version__}


@router.get("/world", response_model=models.WorldInfo, tags=["world"])
def world_info(request: Request) -> dict[str, Any]:
    """The baseline World: its source, year, countries and sectors, with names."""
    world = world_of(request)
    return {"source": ", ".join(f"{p.source} {p.version}" for p in world.provenance), "year": world.year,
            "unit": world.unit,
            "countries": [{"code": c, "name": country_name(c)} for c in world.countries],
            "sectors": [{"code": c, "name": n, "group": g}
                        for c, n, g in zip(world.sectors, world.sector_names, world.sector_group, strict=True)]}


def _profile_answer(request: Request, key: tuple[str, str, int | None, str, str]) -> Answer:
    country, source, year, group, flow = key
    try:
        result, reconciliation = profile_payload(world_of(request), country, year=year, group=group, flow=flow,
                                                 source=source)
    except UnknownCountryError as exc:
        raise NotFoundError(str(exc)) from None
    return answers(request, "profile_cache").put(key, encode(profile_dict(result, reconciliation)))


@router.get("/profile/{country}", tags=["world"], response_model=dict[str, Any])
async def country_profile(
    request: Request, country: str,
    source: Literal["icio", "baci"] = Query("icio", description="icio (all goods and services) | baci (energy and "
                                            "mineral goods)"),
    year: int | None = Query(None, ge=1900, le=2100, description="Year (ICIO: 2022; BACI: 1995-2024)."),
    group: Literal["energy", "minerals", "all"] = "all",
    flow: Literal["exports", "imports"] = "exports",
) -> Response:
    """A country's dependency profile, as ``geoshift profile COUNTRY --json`` (the same payload function)."""
    key = (country, source, year, group, flow)
    hit = answers(request, "profile_cache").get(key)
    if hit is None:  # computed off the event loop, then kept
        hit = await run_in_threadpool(_profile_answer, request, key)
    return hit.response(request)


# --- scenarios ---------------------------------------------------------------------------------------------------

def _scenario_info(name: str) -> dict[str, Any]:
    path = shipped_paths()[name]
    return {"name": name, "description": shipped_scenario(name).description,
            "yaml": path.read_text(encoding="utf-8")}


@router.get("/scenarios", response_model=list[models.ScenarioInfo], tags=["scenarios"])
def scenarios() -> list[dict[str, Any]]:
    """The shipped scenarios, in the README's order, with their YAML."""
    names = sorted(shipped_paths(), key=lambda n: (SHIPPED_ORDER.index(n) if n in SHIPPED_ORDER else 99, n))
    return [_scenario_info(name) for name in names]


@router.get("/scenarios/{name}", response_model=models.ScenarioInfo, tags=["scenarios"])
def scenario(name: str) -> dict[str, Any]:
    """One shipped scenario."""
    if name not in shipped_paths():
        try:
            shipped_scenario(name)
        except ScenarioError as exc:
            raise UnknownScenarioError(str(exc)) from None
    return _scenario_info(name)


@router.post("/scenarios/validate", response_model=models.Validated, tags=["scenarios"])
def validate(request: Request, body: models.ScenarioText) -> dict[str, Any]:
    """Validate scenario YAML as ``geoshift run`` does (the file, then the World's countries and sectors);
    422 with the CLI's one-line message and the line number."""
    scenario = scenario_from_text(body.yaml)
    Runner(world_of(request)).prepare(scenario)
    return {"valid": True, "name": scenario.name, "description": scenario.description,
            "scenario_hash": scenario.content_hash()}


@router.post("/scenarios/run", response_model=models.JobAccepted, status_code=202, tags=["scenarios"])
def run_scenario(request: Request, body: models.RunRequest) -> dict[str, Any]:
    """Run a scenario (YAML text or a shipped name) in the background, through the same Runner and store as
    ``geoshift run``; identical requests share one job."""
    if body.draws is not None and body.draws == 1:
        raise InputError(f"draws {body.draws}: give 0 (no ensemble) or at least 2")
    scenario = chosen_scenario(body)
    world = world_of(request)
    check_scenario_draws(world, limits_of(request), scenario, body.draws)
    Runner(world).prepare(scenario)
    return submit(request, "run", body, tasks.scenario_work(world, store_of(request), scenario, draws=body.draws,
                                                            seed=body.seed))


# --- runs --------------------------------------------------------------------------------------------------------

@router.get("/runs", response_model=list[models.RunSummary], tags=["runs"])
def runs(request: Request, kind: Literal["scenario", "outcome", "game", "bargain"] | None = None) -> list[Any]:
    """Stored runs, newest first, with the real-income headline (% change)."""
    return [payloads.run_summary(r) for r in store_of(request).list() if kind is None or r.kind == kind]


def _run_answer(request: Request, run_id: str) -> Answer:
    record = store_of(request).get(run_id)
    known = answers(request, "run_cache")
    hit = known.get(record.run_id)
    if hit is not None:
        return hit
    body = encode(payloads.run_detail(record, payloads.sector_names(world_of(request))))
    return known.put(record.run_id, body)


@router.get("/runs/{run_id}", response_model=models.RunDetail, tags=["runs"])
async def run(request: Request, run_id: str) -> Response:
    """One stored run (id, unique id prefix, or a scenario name for its latest run): spec, diagnostics, the
    real-income change by country with its 5/50/95 % bands, and every metric as a labelled row."""
    hit = answers(request, "run_cache").get(run_id)
    if hit is None:
        hit = await run_in_threadpool(_run_answer, request, run_id)
    return hit.response(request)


@router.get("/compare", response_model=models.Comparison, tags=["runs"])
def compare(request: Request, a: str = Query(description="Run id or scenario name (A)."),
            b: str = Query(description="Run id or scenario name (B)."),
            all: bool = Query(False, description="Every metric, not only the headline ones.")) -> dict[str, Any]:
    """Two stored runs side by side, B minus A, as ``geoshift compare A B --json``."""
    store = store_of(request)
    first, second = store.get(a), store.get(b)
    return payloads.comparison(first, second, all_metrics=all)


# --- jobs --------------------------------------------------------------------------------------------------------

@router.get("/jobs", response_model=list[models.JobStatus], tags=["jobs"])
def jobs(request: Request) -> list[dict[str, Any]]:
    """Every job this server knows, newest first."""
    return jobs_of(request).list()


@router.get("/jobs/{job_id}", response_model=models.JobStatus, tags=["jobs"])
def job(request: Request, job_id: str) -> dict[str, Any]:
    """A job's status, progress (0..1) and, when done, its result."""
    return jobs_of(request).get(job_id)


@router.delete("/jobs/{job_id}", response_model=models.JobStatus, tags=["jobs"])
def cancel(request: Request, job_id: str) -> dict[str, Any]:
    """Cancel a queued or running job: it stores nothing; a finished job is left as it is."""
    return jobs_of(request).cancel(job_id)


@router.get("/jobs/{job_id}/evidence", tags=["jobs"], response_class=Response,
            responses={200: {"content": {"text/html": {"schema": {"type": "string"}}},
                             "description": "The evidence page (self-contained HTML)"}})
def evidence(request: Request, job_id: str) -> HTMLResponse:
    """The evidence page of a finished check job (self-contained HTML)."""
    jobs_of(request).get(job_id)
    page = cache(request, "evidence").get(job_id)
    if page is None:
        raise JobNotFoundError(f"job {job_id!r} has no evidence page (only a finished check job has one, and "
                               f"the server keeps the latest few)")
    return HTMLResponse(page)


# --- the engines' jobs -------------------------------------------------------------------------------------------

@router.post("/ensemble", response_model=models.JobAccepted, status_code=202, tags=["engines"])
def ensemble(request: Request, body: models.EnsembleRequest) -> dict[str, Any]:
    """Every result as a distribution: the scenario's declared uncertainty drawn and solved (``geoshift
    ensemble``)."""
    scenario = chosen_scenario(body)
    if scenario.uncertainty is None:
        if not body.default_uncertainty:
            raise InputError(f"scenario {scenario.name!r} declares no uncertainty; add 'uncertainty: default' "
                             f"(every elasticity over its published range) or send \"default_uncertainty\": true")
        scenario = scenario.model_copy(update={"uncertainty": UncertaintySettings(elasticities={"default": True})})
    world = world_of(request)
    check_scenario_draws(world, limits_of(request), scenario, body.draws)
    Runner(world).prepare(scenario)
    return submit(request, "ensemble", body, tasks.ensemble_work(world, store_of(request), scenario,
                                                                 draws=body.draws, seed=body.seed))


@router.post("/energy", response_model=models.JobAccepted, status_code=202, tags=["engines"])
def energy(request: Request, body: models.EnergyRequest) -> dict[str, Any]:
    """Energy-export rerouting for one exporter under a scenario (``geoshift energy``): revenue, shut-in volume,
    budget effect, route duals."""
    if body.scenario is not None:
        scenario = shipped_scenario(body.scenario)
    elif body.scenario_yaml is not None:
        scenario = scenario_from_text(body.scenario_yaml)
    else:
        scenario = Scenario(name="no_shock")
    world = world_of(request)
    exporter = resolve_country(body.exporter, world.baci_countries, field="exporter")
    settings = (scenario.energy or EnergySettings()).model_copy(
        update={"exporter": exporter, **({"year": body.year} if body.year is not None else {})})
    if settings.year is not None and settings.year not in world.baci_years:
        raise InputError(f"year {settings.year}: BACI has {world.baci_years[0]}-{world.baci_years[-1]} in this "
                         f"World")
    scenario = scenario.model_copy(update={"energy": settings})
    Runner(world).prepare(scenario)
    return submit(request, "energy", body, tasks.energy_work(world, scenario, exporter, body.year))


def _shipped_file(name: str, suffix: str, what: str) -> tuple[str, Any]:
    folder = shipped_folder("games")
    known = sorted(p.stem for p in folder.glob(f"*{suffix}"))
    if name not in known:
        raise InputError(f"no shipped {what} {name!r}; shipped: {', '.join(known)}")
    return f"games/{name}{suffix}", folder / f"{name}{suffix}"


@router.post("/game", response_model=models.JobAccepted, status_code=202, tags=["engines"])
def game(request: Request, body: models.GameRequest) -> dict[str, Any]:
    """Solve a shipped alignment game (``geoshift game``): equilibria, trust thresholds, and optionally the pivot
    map over two parameters and draws of the parameters."""
    source, path = _shipped_file(body.game, ".yaml", "game")
    text = read_text(path, "game")
    spec = parse_game(text, source)
    for name in body.set:
        if name not in spec.parameters:
            raise InputError(f"set {name!r}: not a parameter of {spec.name}; parameters: "
                             f"{', '.join(spec.parameters)}")
    limits = limits_of(request)
    if body.map is not None:
        for name in body.map:
            if name not in spec.parameters:
                raise InputError(f"map {name!r}: not a parameter of {spec.name}; parameters: "
                                 f"{', '.join(spec.parameters)}")
        if body.map[0] == body.map[1]:
            raise InputError(f"map {body.map}: the two map parameters must differ")
        limits.check_map(body.n)
        if body.n > 200:
            raise InputError(f"map n {body.n} must be between 2 and 200")
    limits.check_strategy_draws(body.draws)
    world = world_of(request)
    return submit(request, "game", body, tasks.game_work(world, store_of(request), spec, text, path.parent,
                                                         overrides=dict(body.set), axes=body.map, n=body.n,
                                                         draws=body.draws, seed=body.seed))


@router.post("/bargain", response_model=models.JobAccepted, status_code=202, tags=["engines"])
def bargain(request: Request, body: models.BargainRequest) -> dict[str, Any]:
    """Forecast a bargaining outcome on one issue from a shipped actors file (``geoshift bargain``)."""
    _, path = _shipped_file(body.actors, ".csv", "actors file")
    actors = load_actors(path)
    for key, value in body.set.items():
        actor, dot, column = key.rpartition(".")
        if not dot or not actor.strip():
            raise InputError(f"set {key!r} must look like ACTOR.FIELD, e.g. Kremlin.salience")
        actors = actors.with_value(actor.strip(), column.strip(), value)
    if body.perturb:
        limits_of(request).check_strategy_draws(body.draws)
    overrides = [f"{k}={v:g}" for k, v in body.set.items()]
    return submit(request, "bargain", body, tasks.bargain_work(store_of(request), actors, body.actors,
                                                               overrides=overrides, rounds=body.rounds,
                                                               perturb=body.perturb, draws=body.draws,
                                                               seed=body.seed))


@router.post("/check", response_model=models.JobAccepted, status_code=202, tags=["engines"])
def check(request: Request, body: models.CheckRequest) -> dict[str, Any]:
    """Check the shipped claims (``geoshift check``): the verdict table as rows, and the evidence page at
    ``/api/v1/jobs/{id}/evidence`` once done."""
    if body.draws is not None and body.draws == 1:
        raise InputError(f"draws {body.draws}: give 0 (central values only) or at least 2")
    world = world_of(request)
    if body.draws:
        limits_of(request).check_draws(body.draws, len(world.countries), len(world.sectors))
    return submit(request, "check", body, tasks.check_work(world, store_of(request), cache(request, "evidence"),
                                                           draws=body.draws))

