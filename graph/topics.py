"""Find the shared topic concepts in running text.

The topic scheme (`ontology/schemes/topics.ttl`) gives each topic its labels; the hidden
labels hold the word forms to look for. Matching is case-insensitive on whole words with an
optional plural, leftmost-longest, like the registry's names.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import SKOS

from napgraph.graph import iris
from napgraph.graph.paths import ontology_dir
from napgraph.graph.record import Mention
from napgraph.graph.registry import Match, compile_names, normalise
from napgraph.graph.source import Span


@dataclass
class TopicIndex:
    """Maps label word forms to topic slugs."""

    labels: dict[str, str]  # normalised label -> topic slug
    _regex: re.Pattern[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._regex = compile_names(self.labels, suffix="(?:e?s)?")  # optional plural

    def _slug(self, matched: str) -> str:
        key = normalise(matched)
        for candidate in (key, key[:-1], key[:-2]):
            if candidate in self.labels:
                return self.labels[candidate]
        raise KeyError(matched)

    def find_all(
        self, text: str, start: int, end: int, names: list[Span] | None = None
    ) -> list[Mention]:
        """Return the topics named in text[start:end], each once, with its first occurrence.

        Words inside `names` (see actor_name_spans) do not count.
        """
        found: dict[str, Mention] = {}
        for match in self._regex.finditer(text, start, end):
            if any(n.start < match.end() and match.start() < n.end for n in names or ()):
                continue
            slug = self._slug(match.group())
            found.setdefault(slug, Mention(f"topic:{slug}", Span(match.start(), match.end())))
        return list(found.values())


def actor_name_spans(matches: list[Match]) -> list[Span]:
    """The spans of the actor names among registry matches: their words name no topic
    ("Labour" in "Ministry of Health, Labour and Welfare" is not the topic of labour). The
    words of instrument names do: the Migrant Workers Convention is about foreign workers,
    and "SDGs" names both the instrument and the topic."""
    return [Span(m.start, m.end) for m in matches if not m.entity.key.startswith("instrument:")]


def load_topic_index(path: Path | None = None) -> TopicIndex:
    """Read the topic scheme and index every label of every topic concept."""
    graph = Graph().parse(path or ontology_dir() / "schemes" / "topics.ttl")
    prefix = str(iris.concept("topic", ""))
    labels: dict[str, str] = {}
    for concept in set(graph.subjects(SKOS.inScheme, iris.scheme("topic"))):
        slug = str(concept).removeprefix(prefix)
        for predicate in (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel):
            for label in graph.objects(concept, predicate):
                if getattr(label, "language", None) in (None, "en"):
                    labels.setdefault(normalise(str(label)), slug)
    return TopicIndex(labels)
