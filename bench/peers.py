"""The peers' own virtual environment, bench/.venv-peers, made on first use.

rdflib-endpoint (FastAPI + rdflib) is a peer under test, not a dependency of napgraph, so it
lives in a venv of its own, with psutil and py-spy for measuring. Versions are pinned so
that results stay comparable from run to run.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

VENV = Path(__file__).resolve().parent / ".venv-peers"
PACKAGES = ["rdflib-endpoint[cli]==0.6.3", "uvicorn==0.54.0", "psutil==7.2.2", "py-spy==0.4.3"]


def ensure(venv: Path = VENV) -> Path:
    """Create the venv and install the peers if missing; return its bin folder.

    Raises subprocess.CalledProcessError when pip fails.
    """
    bin_dir = venv / "bin"
    if not (bin_dir / "rdflib-endpoint").exists():
        print(f"creating {venv} (rdflib-endpoint, py-spy) ...", file=sys.stderr, flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(bin_dir / "pip"), "install", "--quiet", *PACKAGES], check=True)
    return bin_dir


def py_spy(venv: Path = VENV) -> Path | None:
    """The py-spy executable of the peers venv, if installed."""
    path = venv / "bin" / "py-spy"
    return path if path.exists() else None
