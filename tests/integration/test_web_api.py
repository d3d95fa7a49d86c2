"""The HTTP API in-process (FastAPI's TestClient) on the example World, a few checks on the real World, and the
real server (uvicorn through ``serve()``) in a subprocess on a free loopback port."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from geoshift.errors import InputError
from geoshift.results.run import Runner
from geoshift.results.store import RunStore
from geoshift.scenario.shipped import shipped_dir
from geoshift.scenario.spec import parse_scenario
from geoshift.web import models
from geoshift.web.app import create_app
from geoshift.web.jobs import Cancelled, JobContext, JobManager
from geoshift.web.limits import Limits
from geoshift.web.security import check_bind
from geoshift.world import World, example_world

DECOUPLE = "china_russia_decouple"  # the shipped scenario that applies to the example World
EXAMPLE = """\
# a small scenario for the example World
name: example_embargo
description: Russia's energy trade with the U.S. stops; China taxes U.S. steel.
shocks:
  - {kind: embargo, exporters: RUS, importers: USA, sectors: energy}
  - {kind: tariff, exporters: USA, importers: CHN, sectors: [C24A], percent: 25}
"""
BAD_KIND = "name: bad\nshocks:\n  - {kind: tarif, exporters: RUS, importers: USA}\n"


def wait(client: TestClient, job_id: str, *, until: tuple[str, ...] = ("done", "failed", "cancelled"),
         seconds: float = 60) -> dict[str, Any]:
    end = time.monotonic() + seconds
    while True:
        job: dict[str, Any] = client.get(f"/api/v1/jobs/{job_id}").json()
        if job["status"] in until or time.monotonic() > end:
            return job
        time.sleep(0.02)


def error_of(response: httpx.Response, status: int) -> str:
    body = response.json()
    assert response.status_code == status, body
    assert body["status"] == status and isinstance(body["error"], str) and "\n" not in body["error"]
    return str(body["error"])


class Blocker:
    """Occupies the job worker until released (a real job whose work waits on an event)."""

    def __init__(self, jobs: JobManager) -> None:
        self.started, self.release = threading.Event(), threading.Event()

        def work(context: JobContext) -> dict[str, Any]:
            self.started.set()
            self.release.wait(30)
            return {}

        self.job = jobs.submit("blocker", {"n": id(self)}, work)
        assert self.started.wait(10)


@pytest.fixture()
def store(tmp_path: Path) -> RunStore:
    return RunStore(tmp_path / "runs.duckdb")


@pytest.fixture()
def client(store: RunStore) -> Iterator[TestClient]:
    with TestClient(create_app(world_loader=example_world, store=store)) as c:
        yield c


# --- the World, profiles, scenarios -------------------------------------------------------------------------------

def test_health_world_and_profile(client: TestClient) -> None:
    assert client.get("/api/v1/health").json()["status"] == "ok"
    world = client.get("/api/v1/world").json()
    assert world["year"] == 2022 and {"code": "RUS", "name": "Russian Federation"} in world["countries"]
    assert {"code": "B06", "name": "Crude petroleum and natural gas", "group": "energy"} in world["sectors"]
    profile = client.get("/api/v1/profile/RUS").json()
    assert profile["country"] == "RUS" and profile["partners"][0]["iso3"] == "CHN"  # the example's oil buyer
    assert client.get("/api/v1/profile/Russia").json()["partners"] == profile["partners"]
    message = error_of(client.get("/api/v1/profile/RUZ"), 404)
    assert message == "unknown country 'RUZ'; closest codes: RUS, USA (use ISO3 codes)"
    assert "flow" in error_of(client.get("/api/v1/profile/RUS?flow=sideways"), 422)


def test_shipped_scenarios(client: TestClient) -> None:
    listed = client.get("/api/v1/scenarios").json()
    assert [s["name"] for s in listed][:2] == ["baseline", "west_embargo_russia"]
    one = client.get(f"/api/v1/scenarios/{DECOUPLE}").json()
    assert one["yaml"] == (shipped_dir() / f"{DECOUPLE}.yaml").read_text(encoding="utf-8")
    assert "did you mean 'baseline'" in error_of(client.get("/api/v1/scenarios/baselin"), 404)
    assert "no such page" in error_of(client.get("/api/v1/nowhere"), 404)


def test_validate_gives_the_hash_or_the_clis_line(client: TestClient, tmp_path: Path) -> None:
    ok = client.post("/api/v1/scenarios/validate", json={"yaml": EXAMPLE}).json()
    assert ok == {"valid": True, "name": "example_embargo", "description": parse_scenario(EXAMPLE).description,
                  "scenario_hash": parse_scenario(EXAMPLE).content_hash()}
    bad = client.post("/api/v1/scenarios/validate", json={"yaml": BAD_KIND})
    message = error_of(bad, 422)
    assert bad.json()["line"] == 3
    assert message.startswith("scenario:3: shocks[0].kind: unknown shock kind 'tarif' (did you mean 'tariff'?)")
    # the CLI prints the same line, with its file name where the API says "scenario"
    path = tmp_path / "bad.yaml"
    path.write_text(BAD_KIND)
    cli = subprocess.run([sys.executable, "-m", "geoshift", "run", str(path), "--no-report"], capture_output=True,
                         text=True, timeout=120)
    assert cli.returncode == 2
    assert " ".join(cli.stderr.split()) == f"geoshift: error: {message.replace('scenario:', f'{path}:', 1)}"
    syntax = client.post("/api/v1/scenarios/validate", json={"yaml": "name: x\nshocks: [\n  {kind: embargo\n"})
    assert "YAML syntax error" in error_of(syntax, 422) and syntax.json()["line"] is not None
    control = client.post("/api/v1/scenarios/validate", json={"yaml": "name: x\ndescription: a\x1fb\n"})
    assert error_of(control, 422) == ("scenario:2: YAML error: the text holds the control character U+001F, which "
                                      "YAML does not allow; delete it")
    assert control.json()["line"] == 2
    # applies to the World too: a country the World does not have, named with the line of its shock
    unknown = EXAMPLE.replace("importers: USA", "importers: XYZ")
    assert error_of(client.post("/api/v1/scenarios/validate", json={"yaml": unknown}), 422).startswith("scenario:5")


def test_extends_only_a_shipped_scenario(client: TestClient) -> None:
    text = f"name: mine\nextends: {DECOUPLE}\nshocks:\n  - {{kind: tariff, exporters: USA, importers: CHN, " \
           f"percent: 10}}\n"
    ok = client.post("/api/v1/scenarios/validate", json={"yaml": text})
    assert ok.status_code == 200, ok.text
    for name in ("/etc/passwd", "../scenarios/baseline"):
        refused = client.post("/api/v1/scenarios/validate", json={"yaml": f"name: mine\nextends: {name}\n"})
        message = error_of(refused, 422)
        assert message.startswith(f"scenario:2: extends {name!r}: not a shipped scenario")
        assert refused.json()["line"] == 2


def test_bad_requests_are_one_line_4xx(store: RunStore) -> None:
    limits = Limits(max_draw_cells=51 * 9)  # 50 draws (and the central solve) on the 3 x 3 example World
    with TestClient(create_app(world_loader=example_world, store=store, limits=limits)) as client:
        refused_with_one_line(client)


def refused_with_one_line(client: TestClient) -> None:
    unknown = client.post("/api/v1/scenarios/run", json={"name": DECOUPLE, "drows": 4})
    assert "unknown field 'drows'" in error_of(unknown, 422)
    assert "exactly one of 'yaml'" in error_of(client.post("/api/v1/scenarios/run", json={}), 422)
    assert "not valid JSON" in error_of(client.post("/api/v1/scenarios/run", content=b"{",
                                                    headers={"content-type": "application/json"}), 422)
    big = {"yaml": "# " + "x" * 300_000 + "\nname: big\n"}
    assert "Limits.max_body_bytes" in error_of(client.post("/api/v1/scenarios/validate", json=big), 413)
    draws = client.post("/api/v1/scenarios/run", json={"name": DECOUPLE, "draws": 64})
    assert error_of(draws, 422) == ("draws 64: (draws + 1) × 3 economies × 3 sectors = 585 country-sector cells to "
                                    "solve, over this server's limit Limits.max_draw_cells = 459; ask for at most "
                                    "50 draws")
    declared = client.post("/api/v1/ensemble", json={"yaml": EXAMPLE + "uncertainty: {elasticities: default, "
                                                             "draws: 64}\n"})
    assert "draws 64:" in error_of(declared, 422)  # the file's own draws count too
    assert client.post("/api/v1/scenarios/run", json={"name": DECOUPLE, "draws": 50}).status_code == 202
    assert "at least 2" in error_of(client.post("/api/v1/scenarios/run", json={"name": DECOUPLE, "draws": 1}), 422)
    game_map = client.post("/api/v1/game", json={"map": ["rho", "package"], "n": 41})
    assert "Limits.max_map_cells = 1,600; ask for n ≤ 40" in error_of(game_map, 422)
    assert "not a parameter of detente" in error_of(client.post("/api/v1/game", json={"set": {"rhoo": 1}}), 422)
    assert "no actor named" in error_of(client.post("/api/v1/bargain", json={"set": {"Nobody.salience": 1}}), 422)
    assert "no shipped game" in error_of(client.post("/api/v1/game", json={"game": "chess"}), 422)
    assert "declares no uncertainty" in error_of(client.post("/api/v1/ensemble", json={"yaml": EXAMPLE}), 422)
    assert "exporter 'XYZ'" in error_of(client.post("/api/v1/energy", json={"exporter": "XYZ"}), 422)
    assert error_of(client.delete("/api/v1/jobs/nope"), 404).startswith("no job with id 'nope'")
    missing = error_of(client.get("/api/v1/runs/nope"), 404)  # the run job above may have stored one by now;
    # the store is named by its file, not the server's folder
    assert missing.startswith("no stored run with id or scenario name 'nope' in runs.duckdb; stored: ")


# --- jobs, runs, the store ---------------------------------------------------------------------------------------

def test_run_job_stores_one_record_and_dedupes(client: TestClient, store: RunStore) -> None:
    first = client.post("/api/v1/scenarios/run", json={"yaml": EXAMPLE, "draws": 0})
    assert first.status_code == 202 and first.json()["job"]["status"] in ("queued", "running", "done")
    job = wait(client, first.json()["job"]["id"])
    assert job["status"] == "done" and job["progress"] == 1.0 and job["finished"] is not None
    [run_id] = job["run_ids"]
    assert [r.run_id for r in store.list()] == [run_id]
    again = client.post("/api/v1/scenarios/run", json={"yaml": EXAMPLE, "draws": 0}).json()["job"]
    assert again["id"] == job["id"]  # identical request, one job
    other = wait(client, client.post("/api/v1/scenarios/run", json={"yaml": EXAMPLE}).json()["job"]["id"])
    assert other["id"] != job["id"] and other["result"]["reused"] and other["run_ids"] == [run_id]  # same spec
    detail = client.get(f"/api/v1/runs/{run_id}").json()
    record = store.get(run_id)
    assert detail["real_income_change_pct"]["RUS"] == job["result"]["real_income_change_pct"]["RUS"]
    assert detail["real_income_change_pct"]["RUS"] == float(record.metric("real_income_change_pct")
                                                             .set_index("country")["value"]["RUS"])
    assert len(detail["metrics"]) == len(record.metrics) and detail["real_income_change_pct_bands"] == {}
    models.RunDetail.model_validate(detail)  # the answer is what the schema says
    row = next(m for m in detail["metrics"] if m["metric"] == "sector_output_change_pct" and m["sector"] == "B06")
    assert row["sector_name"] == "Crude petroleum and natural gas" and row["unit"] == "%"
    assert client.get(f"/api/v1/runs/{run_id[:6]}").json() == detail  # by prefix, as the CLI
    listed = client.get("/api/v1/runs").json()
    assert listed[0]["run_id"] == run_id and set(listed[0]["real_income_change_pct"]) == {"WORLD", "USA", "RUS",
                                                                                           "CHN"}


def test_runs_with_draws_have_bands_and_compare(client: TestClient) -> None:
    decouple = wait(client, client.post("/api/v1/scenarios/run", json={"name": DECOUPLE, "draws": 8})
                    .json()["job"]["id"])
    example = wait(client, client.post("/api/v1/scenarios/run", json={"yaml": EXAMPLE}).json()["job"]["id"])
    detail = client.get(f"/api/v1/runs/{decouple['run_ids'][0]}").json()
    band = detail["real_income_change_pct_bands"]["RUS"]
    assert band["q05"] <= band["q50"] <= band["q95"] and detail["diagnostics"]["ensemble"]["draws"] == 8
    a, b = example["run_ids"][0], decouple["run_ids"][0]
    rows = client.get(f"/api/v1/compare?a={a}&b={b}").json()["rows"]
    rus = next(r for r in rows if r["metric"] == "real_income_change_pct" and r["country"] == "RUS")
    assert rus["country_name"] == "Russian Federation"
    assert rus["difference"] == pytest.approx(rus["value_b"] - rus["value_a"], abs=0)
    assert rus["value_b"] == detail["real_income_change_pct"]["RUS"]
    assert len(client.get(f"/api/v1/compare?a={a}&b={b}&all=true").json()["rows"]) > len(rows)


def test_job_lifecycle_queued_running_done() -> None:
    jobs = JobManager(max_queued=4)
    gate, seen = threading.Event(), []

    def work(context: JobContext) -> dict[str, Any]:
        context.progress(0.5, "half way")
        gate.wait(10)
        return {"answer": 42}

    job = jobs.submit("test", {"a": 1}, work)
    running = None
    for _ in range(500):
        running = jobs.get(job.id)
        seen.append(running["status"])
        if running["progress"] == 0.5:
            break
        time.sleep(0.01)
    assert running is not None and running["status"] == "running" and running["message"] == "half way"
    assert jobs.submit("test", {"a": 1}, work).id == job.id  # dedupe while running
    gate.set()
    for _ in range(500):
        if jobs.get(job.id)["status"] == "done":
            break
        time.sleep(0.01)
    done = jobs.get(job.id)
    assert done["result"] == {"answer": 42} and done["progress"] == 1.0 and seen[0] in ("queued", "running")
    jobs.shutdown()


def test_queue_cap_gives_429_and_a_queued_job_cancels(store: RunStore) -> None:
    app = create_app(world_loader=example_world, store=store, limits=Limits(max_queued_jobs=1))
    with TestClient(app) as client:
        blocker = Blocker(app.state.jobs)
        queued = client.post("/api/v1/scenarios/run", json={"yaml": EXAMPLE}).json()["job"]
        assert queued["status"] == "queued"
        full = client.post("/api/v1/scenarios/run", json={"name": DECOUPLE})
        assert "Limits.max_queued_jobs = 1" in error_of(full, 429)
        cancelled = client.delete(f"/api/v1/jobs/{queued['id']}").json()
        assert cancelled["status"] == "cancelled" and cancelled["message"] == "cancelled before it started"
        blocker.release.set()
        assert wait(client, blocker.job.id)["status"] == "done"
        time.sleep(0.2)  # the worker skips the cancelled job
        assert client.get(f"/api/v1/jobs/{queued['id']}").json()["status"] == "cancelled"
        assert store.list() == []
        listed = [j["id"] for j in client.get("/api/v1/jobs").json()]
        assert listed == [queued["id"], blocker.job.id]  # newest first
        retry = client.post("/api/v1/scenarios/run", json={"yaml": EXAMPLE}).json()["job"]
        assert retry["id"] != queued["id"] and wait(client, retry["id"])["status"] == "done"  # after a cancel


def test_cancelling_a_running_job_stores_nothing(client: TestClient, store: RunStore,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    solving, finish = threading.Event(), threading.Event()
    solve = Runner.run

    def slow_run(self: Runner, *args: Any, **kwargs: Any) -> Any:
        solving.set()
        finish.wait(30)
        return solve(self, *args, **kwargs)

    monkeypatch.setattr(Runner, "run", slow_run)
    job = client.post("/api/v1/scenarios/run", json={"yaml": EXAMPLE}).json()["job"]
    assert solving.wait(10)
    assert client.get(f"/api/v1/jobs/{job['id']}").json()["status"] == "running"
    assert client.delete(f"/api/v1/jobs/{job['id']}").json()["status"] == "cancelled"
    finish.set()
    time.sleep(0.5)  # the solve ends; its commit is refused
    after = client.get(f"/api/v1/jobs/{job['id']}").json()
    assert after["status"] == "cancelled" and after["run_ids"] == [] and after["result"] is None
    assert store.list() == []


def test_a_cancelled_context_refuses_to_commit() -> None:
    jobs = JobManager()
    gate, wrote = threading.Event(), []

    def work(context: JobContext) -> dict[str, Any]:
        gate.wait(10)
        try:
            context.commit(lambda: wrote.append("record"), ["r1"])
        except Cancelled:
            wrote.append("refused")
            raise
        return {}

    job = jobs.submit("test", {}, work)
    time.sleep(0.05)
    jobs.cancel(job.id)
    gate.set()
    for _ in range(200):
        if wrote:
            break
        time.sleep(0.01)
    assert wrote == ["refused"] and jobs.get(job.id)["run_ids"] == []
    jobs.shutdown()


def test_engine_jobs_on_the_example_world(client: TestClient, store: RunStore) -> None:
    bargain = wait(client, client.post("/api/v1/bargain", json={"draws": 10}).json()["job"]["id"])
    assert bargain["status"] == "done" and bargain["result"]["file"] == "games/russia_alignment_actors.csv"
    assert store.get(bargain["run_ids"][0]).kind == "bargain"
    ensemble = wait(client, client.post("/api/v1/ensemble", json={"yaml": EXAMPLE, "default_uncertainty": True,
                                                                  "draws": 4}).json()["job"]["id"])
    headline = ensemble["result"]["headline"]["RUS"]
    assert ensemble["status"] == "done" and headline["q05"] <= headline["q50"] <= headline["q95"]
    # the shipped game and claims need the real World's groups (EU27): the job fails with the CLI's line
    game = wait(client, client.post("/api/v1/game", json={}).json()["job"]["id"])
    assert game["status"] == "failed" and "group 'EU27' has no member" in game["error"]
    assert "/" not in game["error"].split(":")[0]  # no server folder in the message
    assert "no evidence page" in error_of(client.get(f"/api/v1/jobs/{game['id']}/evidence"), 404)


# --- security and the real server --------------------------------------------------------------------------------

def test_token_is_required_when_set(store: RunStore) -> None:
    with TestClient(create_app(world_loader=example_world, store=store, token="s3cret")) as client:
        missing = client.get("/api/v1/health")
        assert "needs its token" in error_of(missing, 401) and missing.headers["www-authenticate"] == "Bearer"
        assert client.get("/api/v1/health", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert client.post("/api/v1/scenarios/validate", json={"yaml": EXAMPLE}).status_code == 401
        assert client.get("/api/v1/health", headers={"Authorization": "Bearer s3cret"}).status_code == 200
        opened = client.get("/api/v1/world?token=s3cret")  # a browser's first visit sets the cookie
        assert opened.status_code == 200 and "HttpOnly" in opened.headers["set-cookie"]
        assert client.get("/api/v1/world").status_code == 200  # the cookie is sent back
    with pytest.raises(InputError, match=r"^--host 0\.0\.0\.0: serving on an address other than"):
        check_bind("0.0.0.0", None)
    check_bind("0.0.0.0", "s3cret")
    check_bind("localhost", None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_geoshift_serve_on_a_free_port(tmp_path: Path) -> None:
    """`geoshift serve` with a token: 401 without it; bound to 0.0.0.0 without a token: refused in one line."""
    port = free_port()
    env = {**os.environ, "GEOSHIFT_STORE": str(tmp_path / "runs.duckdb")}
    env.pop("GEOSHIFT_TOKEN", None)
    server = subprocess.Popen([sys.executable, "-m", "geoshift", "serve", "--port", str(port), "--token", "s3cret"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        base, auth = f"http://127.0.0.1:{port}", {"Authorization": "Bearer s3cret"}
        for _ in range(300):
            try:
                if httpx.get(f"{base}/api/v1/health", headers=auth, timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise AssertionError(f"the server did not answer: {server.stderr.read() if server.poll() else ''}")
        refused = httpx.get(f"{base}/api/v1/health", timeout=5)
        assert refused.status_code == 401 and refused.json()["status"] == 401
        schema = httpx.get(f"{base}/api/v1/openapi.json", headers=auth, timeout=5).json()
        assert {"/api/v1/runs/{run_id}", "/api/v1/scenarios/run", "/api/v1/check"} <= set(schema["paths"])
        taken = subprocess.run([sys.executable, "-m", "geoshift", "serve", "--port", str(port)], env=env,
                               capture_output=True, text=True, timeout=60)
        assert taken.returncode == 2 and "cannot listen there" in taken.stderr
        assert len(taken.stderr.strip().splitlines()) == 1
    finally:
        server.terminate()
        server.wait(10)
    open_bind = subprocess.run([sys.executable, "-m", "geoshift", "serve", "--host", "0.0.0.0", "--port", str(port)],
                               env=env, capture_output=True, text=True, timeout=60)
    assert open_bind.returncode == 2
    lines = open_bind.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("geoshift: error: --host 0.0.0.0: serving on an address")


# --- the real World ----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def real_client(real_world: World, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    store = RunStore(tmp_path_factory.mktemp("web-store") / "runs.duckdb")
    with TestClient(create_app(world_loader=lambda: real_world, store=store)) as client:
        yield client


@pytest.mark.realdata
def test_real_world_and_profile(real_client: TestClient) -> None:
    world = real_client.get("/api/v1/world").json()
    assert len(world["countries"]) == 80 and len(world["sectors"]) == 50
    assert {"code": "C19", "name": next(s["name"] for s in world["sectors"] if s["code"] == "C19"),
            "group": "energy"} in world["sectors"]
    energy = real_client.get("/api/v1/profile/RUS?group=energy").json()
    assert energy["partners"][0]["iso3"] == "CHN" and "totals_by_source" in energy


@pytest.mark.realdata
def test_the_api_and_the_cli_give_the_same_number(real_client: TestClient, cli_env: dict[str, str],
                                                  tmp_path: Path) -> None:
    """RUS's real-income change under a shipped scenario: `geoshift run FILE --json` and the API's stored run."""
    job = wait(real_client, real_client.post("/api/v1/scenarios/run", json={"name": DECOUPLE, "draws": 0})
               .json()["job"]["id"], seconds=300)
    assert job["status"] == "done", job
    api = real_client.get(f"/api/v1/runs/{job['run_ids'][0]}").json()["real_income_change_pct"]["RUS"]
    cli = subprocess.run([sys.executable, "-m", "geoshift", "run", str(shipped_dir() / f"{DECOUPLE}.yaml"),
                          "--draws", "0", "--no-report", "--json", "--store", str(tmp_path / "cli.duckdb")],
                         env=cli_env, capture_output=True, text=True, timeout=600)
    assert cli.returncode == 0, cli.stderr
    [run] = json.loads(cli.stdout)["runs"]
    assert run["real_income_change_pct"]["RUS"] == api and api < 0
    # the same spec hash: the CLI would reuse the API's stored run (and the API the CLI's) on the same code
    stored = real_client.get(f"/api/v1/runs/{job['run_ids'][0]}").json()
    assert run["scenario_hash"] == stored["scenario_hash"]



@pytest.mark.realdata
def test_engine_jobs_on_the_real_world(real_client: TestClient) -> None:
    """The claims, the détente game and Russia's energy rerouting, each as a job on the real World."""
    ids = {kind: real_client.post(f"/api/v1/{kind}", json=body).json()["job"]["id"]
           for kind, body in (("check", {"draws": 0}), ("game", {"set": {"rho": 0.2}}),
                              ("energy", {"scenario": "west_embargo_russia"}))}
    check = wait(real_client, ids["check"], seconds=600)
    assert check["status"] == "done", check
    rows = {r["id"]: r for r in check["result"]["claims"]}
    assert rows["R1"]["verdict"] == "supported" and rows["R8"]["verdict"] == "not measurable"
    assert set(rows["R1"]) >= {"id", "claim", "verdict", "likelihood", "number", "flip"}
    page = real_client.get(check["result"]["evidence_page"])
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'id="claim-R1"' in page.text
    game = wait(real_client, ids["game"], seconds=600)
    assert game["status"] == "done" and game["result"]["spe"] and game["run_ids"]
    assert real_client.get(f"/api/v1/runs/{game['run_ids'][0]}").json()["kind"] == "game"
    energy = wait(real_client, ids["energy"], seconds=600)
    assert energy["status"] == "done" and energy["result"]["exporter"] == "RUS"
    assert energy["result"]["revenue_change_pct"] < 0 and "totals_by_source" in energy["result"]
