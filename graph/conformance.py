"""Summarise a SHACL validation report for people: one line per broken rule, with how many
nodes break it and a few of them.

A rule is named by the `sh:message` its shape gives (`ontology/shapes.ttl`); a result
whose shape has no message is named by its path and constraint, e.g.
`rdfs:label: MinCount`, so that the results of one rule group together.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from rdflib import URIRef
from rdflib.namespace import RDF, SH

from napgraph.graph.validate import ValidationResult, load_shapes
from napgraph.graph.vocab import PREFIXES

EXAMPLES = 3  # nodes named per broken rule
COMPONENTS = {
    "MinCountConstraintComponent": "missing (fewer values than sh:minCount)",
    "MaxCountConstraintComponent": "too many values (more than sh:maxCount)",
    "ClassConstraintComponent": "a value of the wrong class (sh:class)",
    "NodeConstraintComponent": "a value that does not match its node shape (sh:node)",
}


@dataclass
class Conformance:
    """Whether a graph conforms to the shapes; `rules` maps each broken rule to its nodes."""

    checked: bool
    conforms: bool | None = None
    rules: dict[str, list[str]] = field(default_factory=dict)
    reason: str = ""  # why it was not checked

    def record(self) -> dict:
        """A JSON-ready summary (for an import's manifest)."""
        if not self.checked:
            return {"checked": False, "reason": self.reason}
        return {
            "checked": True,
            "conforms": self.conforms,
            "rules": {rule: len(nodes) for rule, nodes in self.rules.items()},
        }

    def text(self) -> str:
        """A readable report: a headline, then one line per broken rule."""
        if not self.checked:
            return f"conformance not checked: {self.reason}"
        nodes = sum(len(n) for n in self.rules.values())
        if self.conforms:  # the rules left are warnings: shown, since they ask for a look
            lines = ["conforms to the NAP graph shapes (ontology/shapes.ttl)"
                     + (f", with {nodes} warning(s)" if nodes else "")]
        else:
            lines = [
                f"does not conform to the NAP graph shapes (ontology/shapes.ttl): "
                f"{len(self.rules)} rule(s) broken, {nodes} result(s)"
            ]
        for rule, focus in self.rules.items():
            shown = ", ".join(f"<{node}>" for node in focus[:EXAMPLES])
            more = f" and {len(focus) - EXAMPLES} more" if len(focus) > EXAMPLES else ""
            lines.append(f"  {rule} ({len(focus)}×: {shown}{more})")
        return "\n".join(lines)


    def details(self, limit: int = 50) -> str:
        """The headline and one line per broken rule (the summary), then every node that
        breaks each rule, up to `limit` per rule."""
        lines = [self.text(), "details:"]
        for rule, focus in self.rules.items():
            lines.append(f"  {rule}:")
            lines += [f"    <{node}>" for node in focus[:limit]]
            if len(focus) > limit:
                lines.append(f"    … and {len(focus) - limit} more")
        return "\n".join(lines)


@contextmanager
def quiet_literals() -> Iterator[None]:
    """Keep rdflib from logging a traceback for each ill-typed literal it reads (such as
    `"one"^^xsd:positiveInteger`): the shapes report the literal, in the profile's words."""
    logger = logging.getLogger("rdflib.term")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def not_checked(reason: str) -> Conformance:
    return Conformance(checked=False, reason=reason)


def summarise(result: ValidationResult) -> Conformance:
    """Group the results of a pyshacl report by rule."""
    messages = {str(m) for m in load_shapes().objects(None, SH.message)}
    report = result.report
    rules: dict[str, list[str]] = {}
    for node in sorted(report.subjects(RDF.type, SH.ValidationResult), key=str):
        severity = _local(report.value(node, SH.resultSeverity))
        focus = str(report.value(node, SH.focusNode))
        message = str(report.value(node, SH.resultMessage) or "")
        if message not in messages:  # pyshacl's own message: name the path instead of the node
            path = report.value(node, SH.resultPath)
            if focus in message or not message:
                component = _local(report.value(node, SH.sourceConstraintComponent))
                message = COMPONENTS.get(component, component)
            message = f"{_curie(path) if path is not None else 'the node'}: {message}"
        rules.setdefault(f"{severity}: {message}", []).append(focus)
    return Conformance(checked=True, conforms=result.conforms, rules=rules)


def _local(term: URIRef | None) -> str:
    return "" if term is None else str(term).rsplit("#", 1)[-1]


def _curie(term) -> str:
    if not isinstance(term, URIRef):
        return "a path"  # an inverse or sequence path (a blank node of the shapes)
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda item: -len(item[1])):
        if term.startswith(namespace):
            return f"{prefix}:{term[len(namespace) :]}"
    return f"<{term}>"
