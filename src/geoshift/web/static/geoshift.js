/* geoshift web app: draws the pages' plotly figures, filters tables, validates the scenario editor as you type and
   runs background jobs (start, poll, cancel, then fetch the result as HTML rendered by the server). No framework,
   nothing loaded from outside the app. Text from the server is inserted as text; HTML only from /fragments/. */
"use strict";

(function () {
  const PLOT_CONFIG = {displaylogo: false, responsive: true, topojsonURL: "/static/topojson/"};
  const POLL_MS = 400;

  /* -- figures ------------------------------------------------------------------------------------------------ */
  function drawPlots(root) {
    if (!window.Plotly) { return; }
    root.querySelectorAll("[data-figure]").forEach(function (el) {
      if (el.dataset.drawn) { return; }
      const figure = JSON.parse(el.dataset.figure);
      el.dataset.drawn = "1";
      window.Plotly.newPlot(el, figure.data, figure.layout || {}, PLOT_CONFIG);
    });
  }

  /* -- HTTP --------------------------------------------------------------------------------------------------- */
  async function api(method, url, body) {
    const options = {method: method, headers: {"Accept": "application/json"}, credentials: "same-origin"};
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(url, options);
    } catch (err) {
      return {ok: false, status: 0, data: {error: "the server does not answer (" + err + ")"}};
    }
    let data = null;
    try { data = await response.json(); } catch (err) { data = null; }
    return {ok: response.ok, status: response.status, data: data};
  }

  function errorText(reply) {
    if (reply.data && reply.data.error) { return reply.data.error; }
    return "the server answered HTTP " + reply.status;
  }

  async function loadFragment(url, target) {
    let response;
    try {
      response = await fetch(url, {credentials: "same-origin", headers: {"Accept": "text/html"}});
    } catch (err) {
      target.textContent = "the server does not answer (" + err + ")";
      return false;
    }
    target.innerHTML = await response.text();  // HTML rendered and escaped by the server's templates
    drawPlots(target);
    return response.ok;
  }

  /* -- background jobs: start, show progress, cancel, then the result --------------------------------------- */
  function JobPanel(panel) {
    this.panel = panel;
    this.bar = panel.querySelector("progress");
    this.message = panel.querySelector(".message");
    this.cancelButton = panel.querySelector(".cancel");
    this.generation = 0;
    this.jobId = null;
    const self = this;
    this.cancelButton.addEventListener("click", async function () {
      if (!self.jobId) { return; }
      self.cancelButton.disabled = true;
      const reply = await api("DELETE", "/api/v1/jobs/" + encodeURIComponent(self.jobId));
      if (!reply.ok) { self.show("failed", errorText(reply)); }
    });
  }

  JobPanel.prototype.show = function (state, text, progress) {
    this.panel.classList.remove("hidden");
    this.panel.classList.toggle("failed", state === "failed" || state === "cancelled");
    this.panel.dataset.status = state;
    if (progress !== undefined && progress !== null) { this.bar.value = progress; }
    this.message.textContent = text;
    this.cancelButton.disabled = !(state === "queued" || state === "running" || state === "starting");
  };

  /* Start a job and follow it; resolves with the finished job (status done) or null. A newer start on the same
     panel supersedes an older one (only its result is shown). */
  JobPanel.prototype.run = async function (url, body) {
    const generation = ++this.generation;
    this.jobId = null;
    this.panel.dataset.job = "";
    this.show("starting", "starting…", 0);
    const reply = await api("POST", url, body);
    if (generation !== this.generation) { return null; }
    if (!reply.ok || !reply.data || !reply.data.job) {
      this.show("failed", errorText(reply), 0);
      return null;
    }
    let job = reply.data.job;
    this.jobId = job.id;
    this.panel.dataset.job = job.id;
    for (;;) {
      const words = job.status === "done" ? "done" : job.status + ": " + (job.message || "");
      this.show(job.status, "job " + job.id + " · " + words, job.progress);
      if (job.status === "done") { return job; }
      if (job.status === "failed") { this.show("failed", "job " + job.id + " failed: " + (job.error || "")); return null; }
      if (job.status === "cancelled") { this.show("cancelled", "job " + job.id + " cancelled; nothing was stored"); return null; }
      await new Promise(function (resolve) { setTimeout(resolve, POLL_MS); });
      if (generation !== this.generation) { return null; }
      const poll = await api("GET", "/api/v1/jobs/" + encodeURIComponent(job.id));
      if (generation !== this.generation) { return null; }
      if (!poll.ok) { this.show("failed", errorText(poll)); return null; }
      job = poll.data;
    }
  };

  /* -- tables: filter rows as you type ---------------------------------------------------------------------- */
  function setupFilter(input) {
    const tables = document.querySelectorAll(input.dataset.filter);
    function apply() {
      const words = input.value.trim().toLowerCase();
      tables.forEach(function (table) {
        table.querySelectorAll("tbody tr").forEach(function (row) {
          const text = (row.dataset.search || row.textContent).toLowerCase();
          row.hidden = words !== "" && text.indexOf(words) < 0;
        });
      });
    }
    input.addEventListener("input", apply);
  }

  /* -- the scenario editor: numbered lines, validation as you type, run --------------------------------------- */
  function setupEditor(form) {
    const text = form.querySelector("textarea");
    const gutter = form.querySelector(".gutter");
    const status = document.getElementById("validation");
    const runButton = document.getElementById("run-button");
    const panel = new JobPanel(document.getElementById("run-job"));
    const result = document.getElementById("run-result");
    let timer = null;
    let sequence = 0;
    let errorLine = null;

    function drawGutter() {
      const lines = text.value.split("\n").length;
      gutter.textContent = "";
      for (let n = 1; n <= lines; n++) {
        const span = document.createElement("span");
        span.textContent = String(n);
        if (n === errorLine) { span.className = "error"; span.title = "the error is on this line"; }
        gutter.appendChild(span);
      }
      gutter.scrollTop = text.scrollTop;
    }

    function selectLine(line) {
      const lines = text.value.split("\n");
      if (!line || line > lines.length) { return; }
      let start = 0;
      for (let n = 0; n < line - 1; n++) { start += lines[n].length + 1; }
      text.focus();
      text.setSelectionRange(start, start + lines[line - 1].length);
    }

    async function validate() {
      const mine = ++sequence;
      const reply = await api("POST", "/api/v1/scenarios/validate", {yaml: text.value});
      if (mine !== sequence) { return; }
      if (reply.ok && reply.data && reply.data.valid) {
        errorLine = null;
        status.className = "validation ok";
        status.textContent = "✓ valid: " + reply.data.name + (reply.data.description ? " — " + reply.data.description : "");
        status.dataset.state = "valid";
        runButton.disabled = false;
      } else {
        errorLine = reply.data && reply.data.line ? reply.data.line : null;
        status.className = "validation error";
        status.textContent = errorText(reply);
        status.dataset.state = "error";
        status.dataset.line = errorLine ? String(errorLine) : "";
        runButton.disabled = true;
      }
      drawGutter();
    }

    text.addEventListener("input", function () {
      drawGutter();
      status.className = "validation pending";
      status.textContent = "checking…";
      status.dataset.state = "pending";
      runButton.disabled = true;
      clearTimeout(timer);
      timer = setTimeout(validate, 350);
    });
    text.addEventListener("scroll", function () { gutter.scrollTop = text.scrollTop; });
    text.addEventListener("keydown", function (event) {
      if (event.key === "Tab") {  // two spaces, as YAML wants
        event.preventDefault();
        const at = text.selectionStart;
        text.setRangeText("  ", at, text.selectionEnd, "end");
        text.dispatchEvent(new Event("input"));
      }
    });
    status.addEventListener("click", function () { if (errorLine) { selectLine(errorLine); } });

    runButton.addEventListener("click", async function () {
      const body = {yaml: text.value};
      const draws = document.getElementById("draws").value;
      const seed = document.getElementById("seed").value;
      if (draws !== "") { body.draws = Number(draws); }
      if (seed !== "") { body.seed = Number(seed); }
      result.textContent = "";
      runButton.disabled = true;
      const job = await panel.run("/api/v1/scenarios/run", body);
      runButton.disabled = status.dataset.state !== "valid";
      if (job && job.result && job.result.run_id) {
        await loadFragment("/fragments/runs/" + encodeURIComponent(job.result.run_id), result);
        result.dataset.run = job.result.run_id;
      }
    });
    drawGutter();
    validate();
  }

  /* -- the game: sliders rerun it ------------------------------------------------------------------------------ */
  function setupGame(form) {
    const panel = new JobPanel(document.getElementById("game-job"));
    const result = document.getElementById("game-result");
    const sliders = form.querySelectorAll("input[type=range]");
    let timer = null;

    async function solve() {
      const changed = {};
      sliders.forEach(function (s) {
        if (Number(s.value) !== Number(s.dataset.default)) { changed[s.name] = Number(s.value); }
      });
      const body = {game: form.dataset.game, set: changed, map: [form.dataset.x, form.dataset.y],
                    n: Number(form.dataset.n)};
      const job = await panel.run("/api/v1/game", body);
      if (job) {
        await loadFragment("/fragments/jobs/" + encodeURIComponent(job.id), result);
        result.dataset.job = job.id;
      }
    }

    sliders.forEach(function (s) {
      const output = document.getElementById("out-" + s.name);
      s.addEventListener("input", function () { output.textContent = s.value; });
      s.addEventListener("change", function () { clearTimeout(timer); timer = setTimeout(solve, 300); });
    });
    document.getElementById("game-reset").addEventListener("click", function () {
      sliders.forEach(function (s) {
        s.value = s.dataset.default;
        document.getElementById("out-" + s.name).textContent = s.value;
      });
      solve();
    });
    solve();
  }

  /* -- claims: check on opening -------------------------------------------------------------------------------- */
  function setupClaims(form) {
    const panel = new JobPanel(document.getElementById("check-job"));
    const result = document.getElementById("check-result");
    const body = {};
    if (form.dataset.draws !== "") { body.draws = Number(form.dataset.draws); }
    panel.run("/api/v1/check", body).then(async function (job) {
      if (job) {
        await loadFragment("/fragments/jobs/" + encodeURIComponent(job.id), result);
        result.dataset.job = job.id;
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawPlots(document);
    document.querySelectorAll("input[data-filter]").forEach(setupFilter);
    const editor = document.getElementById("scenario-form");
    if (editor) { setupEditor(editor); }
    const game = document.getElementById("game-form");
    if (game) { setupGame(game); }
    const claims = document.getElementById("claims-form");
    if (claims) { setupClaims(claims); }
  });
}());
