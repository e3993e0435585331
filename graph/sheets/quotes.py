"""The source documents of a spreadsheet folder, and the quotes that tie each row to them.

Each source (sources.csv) has a plain-text copy in the folder. A row's `quote` must be in
that text: at its `offset` when one is given, else exactly once (then napgraph finds the
offset, so an analyst need not count characters). The annotation napgraph writes for a row
is the same as for a fact of Japan's record (graph/provenance.py: a TextPositionSelector and
a TextQuoteSelector on the document), plus `dcterms:source` the spreadsheet row it came from
(`…/sheets/{file}#row={n}`, RFC 7111) and, when a page is given, the page of the original
(`{url}#page={n}`, RFC 8118).
"""

from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, RDFS

from napgraph.graph import iris
from napgraph.graph.provenance import MEDIA_TYPE, Annotator, describe_checksum
from napgraph.graph.sheets.read import Row, SheetProblem
from napgraph.graph.source import SourceError, SourceText, Span

CSV_MEDIA_TYPE = URIRef("http://www.iana.org/assignments/media-types/text/csv")
LANGUAGE_CODES = "http://id.loc.gov/vocabulary/"


def language(tag: str) -> URIRef:
    """A language as Japan's source names it: the Library of Congress IRI of the tag's
    primary subtag (ISO 639-1 for two letters, ISO 639-2 for three). An IRI, never a
    literal: dcterms:language is an object property (OWL DL)."""
    primary = tag.split("-", 1)[0].lower()
    part = "iso639-1" if len(primary) == 2 else "iso639-2"
    return URIRef(f"{LANGUAGE_CODES}{part}/{primary}")


class Sources:
    """The folder's source documents, their annotators and the problems found with them."""

    def __init__(self, folder: Path, country: str, graph: Graph) -> None:
        self.folder, self.country, self.graph = folder, country, graph
        self.documents: dict[str, tuple[SourceText, Annotator, str | None]] = {}
        self.problems: list[SheetProblem] = []

    def add(self, row: Row) -> None:
        """Read and describe the source of a sources.csv row."""
        slug = row.get("id")
        if slug in self.documents:
            self.problems.append(row.problem("id", f"{slug!r} is declared twice"))
            return
        url = self._url(row)
        text = self._text(row)
        if text is None:
            return
        document = iris.source_document(self.country, slug)
        graph = self.graph
        for type_ in (PROV.Entity, FOAF.Document):
            graph.add((document, RDF.type, type_))
        title = Literal(row.get("title"), lang=row.get("language"))
        graph.add((document, RDFS.label, title))
        graph.add((document, DCTERMS.title, title))
        graph.add((document, DCTERMS.language, language(row.get("language"))))
        graph.add((document, DCTERMS.format, MEDIA_TYPE))
        graph.add((document, DCTERMS.spatial, iris.country(self.country)))
        if url:
            graph.add((document, FOAF.page, URIRef(url)))
        describe_checksum(graph, document, text.sha256)
        self.documents[slug] = (text, Annotator(graph, text, document), url)

    def _url(self, row: Row) -> str | None:
        """The source's web address: an absolute http(s) IRI, or None."""
        url = str(row.get("url") or "")
        if not url:
            return None
        try:
            ox.NamedNode(url)  # the parser's rule for an absolute IRI
        except ValueError:
            url = ""
        if not url.startswith(("https://", "http://")):
            self.problems.append(row.problem("url", "not a web address (https://…)"))
            return None
        return url

    def _text(self, row: Row) -> SourceText | None:
        name = row.get("text_file")
        path = (self.folder / name).resolve()
        if not path.is_relative_to(self.folder.resolve()):
            self.problems.append(row.problem("text_file", "must be a file inside the folder"))
            return None
        if not path.is_file():
            self.problems.append(row.problem("text_file", f"no such file: {name}"))
            return None
        try:
            return SourceText.read(path)
        except SourceError as error:
            self.problems.append(row.problem("text_file", f"{name}: {error.reason}"))
            return None

    def annotate(self, row: Row, node: URIRef, required: bool = True) -> None:
        """Annotate `node` with the quote of `row`, or note why it cannot be."""
        slug, quote = row.get("source"), row.get("quote")
        if not slug and not quote and not required:
            return
        if not slug or not quote:
            missing = "source" if not slug else "quote"
            self.problems.append(row.problem(missing, "a value is required (with source and quote)"))
            return
        if slug not in self.documents:
            self.problems.append(row.problem("source", f"unknown source {slug!r}: not an id of sources.csv"))
            return
        text, annotator, url = self.documents[slug]
        span = self._span(row, text, quote)
        if span is None:
            return
        annotation = annotator.node(node, span)
        table = iris.sheet_table(self.country, row.file)
        self.graph.add((annotation, DCTERMS.source, iris.sheet_row(table, row.number)))
        self.graph.add((table, RDF.type, PROV.Entity))
        self.graph.add((table, DCTERMS.format, CSV_MEDIA_TYPE))
        self.graph.add((table, RDFS.label, Literal(row.file)))
        if row.get("page"):
            document = URIRef(url) if url else iris.source_document(self.country, slug)
            self.graph.add((annotation, DCTERMS.source, iris.page(document, row.get("page"))))

    def _span(self, row: Row, text: SourceText, quote: str) -> Span | None:
        offset = row.get("offset")
        where = f"in {row.get('source')}"
        if offset is not None:
            if text.text[offset : offset + len(quote)] == quote:
                return Span(offset, offset + len(quote))
            found = text.text.find(quote)
            hint = f" (it is at offset {found})" if found >= 0 else f" (nor anywhere {where})"
            self.problems.append(row.problem("quote", f"the quote is not at offset {offset}{hint}"))
            return None
        count = text.text.count(quote)
        if count == 1:
            start = text.text.index(quote)
            return Span(start, start + len(quote))
        reason = (
            f"the quote is not {where} (copy it exactly from its text file)" if count == 0
            else f"the quote occurs {count} times {where}: give its offset"
        )
        self.problems.append(row.problem("quote", reason))
        return None

