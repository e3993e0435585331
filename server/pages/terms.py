"""The vocabulary terms the web server uses, as plain strings in closed namespaces.

The converter's namespaces (graph/vocab.py) are rdflib's; importing rdflib costs every web
worker most of a second at start-up, and the server only needs IRIs as text. So the terms
the pages use are declared here, each namespace closed (an unknown name raises at once, as
rdflib's DefinedNamespace does), and tests/test_site_units.py checks every term and prefix
against graph/vocab.py, so the two cannot drift apart.
"""

from __future__ import annotations


class Vocabulary:
    """A closed namespace: `SKOS.prefLabel` is the IRI text; an undeclared name raises."""

    def __init__(self, iri: str, names: str) -> None:
        self.iri = iri
        self.names = frozenset(names.split())

    def __getattr__(self, name: str) -> str:
        if name.startswith("_") or name not in self.names:
            raise AttributeError(f"{name!r} is not declared in the {self.iri} vocabulary "
                                 "(server/pages/terms.py)")
        return self.iri + name


NAP = Vocabulary("https://w3id.org/napgraph/ontology#",
                 "Consultation Instrument Contribution Report Presentation Statement "
                 "DiscussionPoint ContributionItem Participation PrincipleAlignment Country")
RDF = Vocabulary("http://www.w3.org/1999/02/22-rdf-syntax-ns#", "type Property")
RDFS = Vocabulary("http://www.w3.org/2000/01/rdf-schema#", "label comment")
OWL = Vocabulary("http://www.w3.org/2002/07/owl#",
                 "Ontology Class ObjectProperty DatatypeProperty AnnotationProperty sameAs")
SKOS = Vocabulary("http://www.w3.org/2004/02/skos/core#",
                  "Concept ConceptScheme prefLabel altLabel hiddenLabel definition scopeNote "
                  "notation inScheme broader narrower exactMatch")
DCTERMS = Vocabulary("http://purl.org/dc/terms/", "title description")
FOAF = Vocabulary("http://xmlns.com/foaf/0.1/", "Person Organization name page")
ORG = Vocabulary("http://www.w3.org/ns/org#",
                 "Organization FormalOrganization OrganizationalUnit classification")
PROV = Vocabulary("http://www.w3.org/ns/prov#", "Agent agent")
SDO = Vocabulary("https://schema.org/",
                 "jobTitle url legislationIdentifier legislationJurisdiction")
ELI = Vocabulary("http://data.europa.eu/eli/ontology#", "id_local jurisdiction")

# Prefixes for showing IRIs as prefixed names (the same as graph/vocab.py PREFIXES).
PREFIXES: dict[str, str] = {
    "nap": "https://w3id.org/napgraph/ontology#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "schema": "https://schema.org/",
    "oa": "http://www.w3.org/ns/oa#",
    "eli": "http://data.europa.eu/eli/ontology#",
    "spdx": "http://spdx.org/rdf/terms#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "void": "http://rdfs.org/ns/void#",
    "wd": "http://www.wikidata.org/entity/",
    "sdg": "http://metadata.un.org/sdg/",
}
VOCABULARIES = {"nap": NAP, "rdf": RDF, "rdfs": RDFS, "owl": OWL, "skos": SKOS,
                "dcterms": DCTERMS, "foaf": FOAF, "org": ORG, "prov": PROV, "schema": SDO,
                "eli": ELI}
