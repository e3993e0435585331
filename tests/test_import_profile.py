"""docs/profile.md, the NAP graph profile: its example conforms, and it covers every shape."""

import re
from pathlib import Path

import pytest
from rdflib.namespace import SH

from napgraph.graph.validate import load_shapes, validate_file
from napgraph.graph.vocab import PREFIXES

PROFILE = (Path(__file__).parents[1] / "docs" / "profile.md").read_text(encoding="utf-8")


def curie(iri: str) -> str:
    prefix, namespace = max(
        ((p, n) for p, n in PREFIXES.items() if iri.startswith(n)), key=lambda item: len(item[1])
    )
    return f"{prefix}:{iri[len(namespace) :]}"


def test_the_example_conforms(tmp_path):
    blocks = re.findall(r"```turtle\n(.*?)```", PROFILE, re.DOTALL)
    assert len(blocks) == 1
    example = tmp_path / "example.ttl"
    example.write_text(blocks[0], encoding="utf-8")
    result = validate_file(example)
    assert result.conforms, result.text


@pytest.mark.parametrize(
    "target", sorted({curie(str(c)) for c in load_shapes().objects(None, SH.targetClass)})
)
def test_every_shape_target_is_documented(target):
    assert f"`{target}`" in PROFILE
