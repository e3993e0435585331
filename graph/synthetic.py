"""Generate synthetic NAP graphs of any number of countries, for benchmarks and tests.

Synthetic countries take their codes from a reserved range, `s0001` … `s9999`: five
characters, so a code can never be an ISO 3166-1 alpha-2 code (two letters) and its IRIs
never clash with a real country's. Each country is shaped like Japan's build: facts in
`graph/{cc}`, its organisations in `graph/{cc}/registry`, and in `graph/{cc}/provenance`
one annotation per fact pointing into a synthetic source text (described with its checksum,
never written out). With 10 consultations a country has about 10,000 quads, so 100
countries make about 10^6 quads and 1,000 about 10^7.

Nothing here is a real fact: every label says "synthetic", and the country, its NAP process
and its source document carry the comment "Synthetic test data, not real facts". Topics,
roles and actor kinds are the real shared concepts, so queries across countries join on them.

The output is deterministic: country k depends only on the seed and k, so the quads of
`generate(3, seed)` are the first ones of `generate(5, seed)`. Quads are streamed.

    >>> quads = list(generate(1, seed=0, consultations=2))
    >>> 1500 < len(quads) < 3500
    True
"""

import random
import re
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox

from napgraph.graph.synthetic_country import SyntheticCountry

SYNTHETIC_CODE = re.compile(r"s[0-9]{4}")
MAX_COUNTRIES = 9999


def code(index: int) -> str:
    """Return the code of synthetic country `index` (from 1); raises ValueError out of range."""
    if not 1 <= index <= MAX_COUNTRIES:
        raise ValueError(f"synthetic countries are numbered 1 to {MAX_COUNTRIES}, not {index}")
    return f"s{index:04d}"


def is_synthetic(cc: str) -> bool:
    """Whether `cc` is a code of the reserved synthetic range."""
    return SYNTHETIC_CODE.fullmatch(cc) is not None


def generate(countries: int, seed: int = 0, consultations: int = 10) -> Iterator[ox.Quad]:
    """Yield the quads of `countries` synthetic countries of `consultations` consultations.

    Raises ValueError for more than MAX_COUNTRIES countries or no consultation.
    """
    if consultations < 1:
        raise ValueError("a synthetic country needs at least one consultation")
    codes = [code(index) for index in range(1, countries + 1)]
    for cc in codes:
        rng = random.Random(f"napgraph-synthetic/{seed}/{cc}")
        yield from SyntheticCountry(cc, rng).quads(consultations)


def write_nquads(path: Path, countries: int, seed: int = 0, consultations: int = 10) -> int:
    """Write the synthetic countries to `path` as N-Quads and return the number of quads."""
    count = 0

    def counted() -> Iterator[ox.Quad]:
        nonlocal count
        for quad in generate(countries, seed, consultations):
            count += 1
            yield quad

    with open(path, "wb") as output:
        ox.serialize(counted(), output, ox.RdfFormat.N_QUADS)
    return count
