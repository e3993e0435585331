"""`napgraph remove CC`: take an imported country out of what napgraph serves, at once.

An import lives in `build/countries/{cc}/` (graph/imports.py). Removing it renames that
folder to a hidden one (`countries/.removed-{cc}-…`, one atomic rename), which
graph/loaded.py no longer sees, then deletes it: a reader sees the whole country or none
of it, and a running server drops it at its next check (graph/loaded.py `served_dataset`).
"""

import os
import shutil
import tempfile
from pathlib import Path

from napgraph.graph.loaded import imported_countries, is_country


class RemoveRefused(Exception):
    """The country could not be removed; nothing changed."""


def remove_country(build_dir: Path, country: str) -> dict:
    """Remove the import of `country` (a code in any case) from `build_dir`; return its
    import manifest. Raises RemoveRefused when there is no such import."""
    cc = country.strip().lower()
    imported = imported_countries(build_dir) if is_country(cc) else {}
    if cc not in imported:
        held = ", ".join(sorted(imported)) or "none"
        raise RemoveRefused(
            f"no imported country {country!r} in {build_dir} (imported: {held}); "
            "a country of the build itself is changed by `napgraph build`"
        )
    folder = build_dir / "countries" / cc
    parking = Path(tempfile.mkdtemp(prefix=f".removed-{cc}-", dir=folder.parent))
    os.replace(folder, parking / cc)  # the atomic step: the country is gone
    shutil.rmtree(parking, ignore_errors=True)
    return imported[cc]
