"""The build folder on disk: releases are readable by others, and a folder that cannot be
written fails `napgraph build` with a message, no traceback and nothing half-published."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server_fixtures import make_build_dir

NAPGRAPH = Path(sys.executable).parent / "napgraph"
NOBODY = 65534


def test_release_folders_are_readable_by_others(tmp_path):
    build = make_build_dir(tmp_path / "build", b"<urn:a> <urn:b> <urn:c> .\n", "v1")
    release = (build / "current").resolve()
    assert stat.S_IMODE(release.stat().st_mode) == 0o755
    assert stat.S_IMODE((build / "releases").stat().st_mode) & 0o055 == 0o055


@pytest.fixture
def shared_folder() -> Iterator[Path]:
    """A folder outside pytest's private temporary folder (0700), so another user can reach
    it; removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="napgraph-publish-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def build_as_another_user(out: Path) -> subprocess.CompletedProcess:
    """`napgraph build --out out` by a user who cannot write `out` (root writes anything,
    so as root the build runs as nobody; otherwise the folder is made read-only)."""
    if os.geteuid() == 0:
        # util-linux's setpriv (Debian's base system); subprocess's own user= switch cannot
        # exec the interpreter here.
        become = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
        return subprocess.run([*become, str(NAPGRAPH), "build", "--out", str(out)],
                              capture_output=True, text=True, timeout=300)
    out.chmod(0o555)
    try:
        return subprocess.run([str(NAPGRAPH), "build", "--out", str(out)],
                              capture_output=True, text=True, timeout=300)
    finally:
        out.chmod(0o755)


def snapshot(folder: Path) -> dict[str, str]:
    return {str(path.relative_to(folder)): (os.readlink(path) if path.is_symlink() else "")
            for path in sorted(folder.rglob("*"))}


@pytest.mark.parametrize("layout", ["empty", "writable-releases"])
def test_an_unwritable_build_folder_fails_cleanly(shared_folder, layout):
    """`empty`: a build folder the user cannot write. `writable-releases`: a built folder
    whose releases/ the user can write but whose `current` link it cannot replace: the new
    release must not be left there, pointed at by nothing."""
    out = shared_folder / "build"
    if layout == "empty":
        out.mkdir()
    else:
        make_build_dir(out, b"<urn:a> <urn:b> <urn:c> .\n", "previous")
        (out / "releases").chmod(0o777)
    before = snapshot(out)
    result = build_as_another_user(out)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    assert f"cannot write the build folder {out}" in result.stderr
    assert "Permission denied" in result.stderr
    assert snapshot(out) == before
