"""`ingest --engine dask`: articles processed on a Dask cluster (here a local one of two
worker processes) give the database one process makes, ids and rowids included."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from extractor import engines, pipeline, store
from extractor.cli import cli
from extractor.errors import EngineError

pytest.importorskip("distributed")
sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_parallel import _folder, _single, _tables  # noqa: E402


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    with engines.dask_client(workers=2) as c:
        assert len(c.scheduler_info()["workers"]) == 2
        yield c


@pytest.mark.parametrize("batch_size", [2, 32])
def test_dask_gives_the_single_process_database(tmp_path: Path, client: Any, batch_size: int) -> None:
    folder = _folder(tmp_path)
    want_summary, want = _single(folder, tmp_path / "single.db")
    db = store.open_db(tmp_path / "dask.db")
    skipped: list[str] = []
    seen: list[int] = []
    summary = engines.ingest_dask([str(folder)], db, client, on_skip=skipped.append, progress=seen.append,
                                  batch_size=batch_size)
    assert (summary.new, summary.seen, summary.claims, summary.duplicates) == (
        want_summary.new, want_summary.seen, want_summary.claims, want_summary.duplicates)
    assert summary.skipped == want_summary.skipped == skipped and len(skipped) == 1
    assert summary.warnings == want_summary.warnings
    assert sum(seen) == len(list(folder.iterdir())) - 1  # every file but sources.yaml
    got = _tables(db)
    for name in want:
        assert got[name] == want[name], name
    # The cross-article step runs here, on the merged database, as after one process.
    pipeline.after_ingest(db)
    single = store.open_db(tmp_path / "single.db")
    pipeline.after_ingest(single)
    assert _tables(db) == _tables(single)


def test_ingesting_again_on_dask_adds_nothing(tmp_path: Path, client: Any) -> None:
    folder = _folder(tmp_path)
    db = store.open_db(tmp_path / "claims.db")
    first = engines.ingest_dask([str(folder)], db, client, batch_size=3)
    before = _tables(db)
    again = engines.ingest_dask([str(folder)], db, client, batch_size=3)
    assert again.new == 0 and again.claims == 0 and again.seen == first.new + first.seen
    assert _tables(db) == before


def test_cli_engine_dask_uses_the_scheduler_address(tmp_path: Path, client: Any,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import dask

    folder = _folder(tmp_path)
    _single(folder, tmp_path / "single.db")
    with dask.config.set({"scheduler-address": client.scheduler.address}):
        result = CliRunner().invoke(cli, ["ingest", str(folder), "--db", str(tmp_path / "dask.db"),
                                          "--engine", "dask", "--quiet"])
    assert result.exit_code == 1, result.output  # the empty file is skipped
    assert "7 new articles" in result.output
    single = store.open_db(tmp_path / "single.db")
    pipeline.after_ingest(single)
    assert _tables(store.open_db(tmp_path / "dask.db")) == _tables(single)


def test_without_dask_the_error_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(EngineError, match=r"pip install 'claims\[dask\]'"), engines.dask_client(2):
        pass
