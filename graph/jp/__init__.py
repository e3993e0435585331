"""Japan's converter: the grammar of the record of the 2018 multi-stakeholder consultations.

parse.py splits the record into consultations; proceedings.py reads who reported or
presented what, discussion.py the discussion points, attendees.py the attendance lists.
"""

from napgraph.graph.jp.parse import parse_record
from napgraph.graph.record import Record
from napgraph.graph.registry import Registry
from napgraph.graph.source import SourceText
from napgraph.graph.topics import load_topic_index


class JapanConverter:
    """The Converter (graph/converters.py) of Japan's consultation record."""

    country = "jp"

    def convert(self, source: SourceText, registry: Registry, meta: dict) -> Record:
        """Parse the record; `meta["expected_consultations"]`, if given, catches truncation."""
        return parse_record(
            source, registry, load_topic_index(), meta.get("expected_consultations")
        )
