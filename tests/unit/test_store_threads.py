"""The results store shared by threads of one process (the web app: a job thread writes while requests read): no
DDL conflict, no read of a half-made database, every record stored once."""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path

import geoshift
from geoshift.results.records import RunRecord
from geoshift.results.store import RunStore

PLAIN = "name: plain\nshocks:\n  - {kind: embargo, exporters: RUS, importers: USA}\n"


def test_threads_write_and_read_a_new_store_at_once(tmp_path: Path) -> None:
    record = geoshift.run(geoshift.parse_scenario(PLAIN), geoshift.example_world()).record
    errors: list[BaseException] = []
    seen: list[int] = []
    for round_ in range(5):  # a fresh file each round: the first connections race to create the tables
        store = RunStore(tmp_path / f"runs{round_}.duckdb")
        start = threading.Barrier(8)

        def write(i: int, store: RunStore = store, start: threading.Barrier = start) -> None:
            try:
                start.wait()
                store.save(dataclasses.replace(record, run_id=f"w{i}"))
            except BaseException as exc:
                errors.append(exc)

        def read(store: RunStore = store, start: threading.Barrier = start) -> None:
            try:
                start.wait()
                for _ in range(5):
                    seen.append(len(store.list()))
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=write, args=(i,)) for i in range(4)]
        threads += [threading.Thread(target=read) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        stored: list[RunRecord] = store.list()
        assert sorted(r.run_id for r in stored) == ["w0", "w1", "w2", "w3"]
        assert all(len(r.metrics) == len(record.metrics) for r in stored)
    assert seen and max(seen) <= 4
