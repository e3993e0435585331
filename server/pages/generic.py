"""The generic resource page: what the graph says about anything without a page of its own.

Participations, contributions, discussion points, datasets, named graphs, source documents,
roles and the rest: the label and types, the description, where the record says it (when
a provenance annotation describes it), a table of properties and values and the incoming
links, every IRI linked to its own page.
"""

from __future__ import annotations

from .common import PageContext, quote_of
from .terms import DCTERMS, RDF, RDFS, SKOS

# Shown above the table rather than in it.
PROSE = (DCTERMS.description, SKOS.definition, RDFS.comment, SKOS.scopeNote)
# How many values of one incoming property to list before summing up the rest.
INCOMING_SHOWN = 50


def render(page: PageContext) -> str:
    """Render the generic page of `page.iri`."""
    statements = page.statements
    prose = [value for prop in PROSE for value in statements.values(prop)
             if not value.lang or value.lang.startswith("en")]
    quotes = [quote_of(row) for row in page.site.select("fact-sources", x=page.iri)]
    # Our own classes name the kind best ("discussion point", not also "entity").
    types = statements.types
    own = [t for t in types if t.value.value.startswith(page.site.base)]
    return page.render(
        "resource.html", prose=prose, quotes=quotes, kinds=[t.text for t in own or types],
        properties=statements.table(skip=(RDF.type, *PROSE)),
        incoming=statements.incoming_table(), incoming_shown=INCOMING_SHOWN)
