"""Namespaces: our closed `nap:` vocabulary and the standard ones we reuse.

`NAP` is closed (`_fail = True`): a typo such as `NAP.Consultaton` raises at once.
`tests/test_ontology.py` checks that every term here is declared in
`ontology/napgraph.ttl` and the other way round.
"""

from rdflib import Namespace
from rdflib.namespace import (
    DCTERMS,
    FOAF,
    ORG,
    OWL,
    PROV,
    RDF,
    RDFS,
    SDO,
    SKOS,
    XSD,
    DefinedNamespace,
)
from rdflib.term import URIRef

ONTOLOGY_IRI = "https://w3id.org/napgraph/ontology"


class NAP(DefinedNamespace):
    """The napgraph ontology (`https://w3id.org/napgraph/ontology#`)."""

    _fail = True
    _NS = Namespace(ONTOLOGY_IRI + "#")

    # classes
    NAPProcess: URIRef
    Consultation: URIRef
    WrittenConsultation: URIRef
    Participation: URIRef
    Contribution: URIRef
    Report: URIRef
    Presentation: URIRef
    Statement: URIRef
    ContributionItem: URIRef
    DiscussionPoint: URIRef
    Decision: URIRef
    Instrument: URIRef
    DomesticLaw: URIRef
    InternationalInstrument: URIRef
    PolicyDocument: URIRef
    Programme: URIRef
    Country: URIRef
    PrincipleAlignment: URIRef
    ActionPlan: URIRef
    Commitment: URIRef

    # object properties
    hasParticipation: URIRef
    participationIn: URIRef
    hasContribution: URIRef
    contributionTo: URIRef
    contributorRole: URIRef
    hasItem: URIRef
    hasDiscussionPoint: URIRef
    discussedAt: URIRef
    hasDecision: URIRef
    decidedAt: URIRef
    concernsPrinciple: URIRef
    alignedTopic: URIRef
    alignedPrinciple: URIRef
    stage: URIRef
    hasCommitment: URIRef
    commitmentOf: URIRef
    responsibleBody: URIRef
    addressesPrinciple: URIRef

    # datatype properties
    ordinal: URIRef
    position: URIRef
    topicStatement: URIRef
    subjectText: URIRef
    timeline: URIRef


OA = Namespace("http://www.w3.org/ns/oa#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
WD = Namespace("http://www.wikidata.org/entity/")
SDG = Namespace("http://metadata.un.org/sdg/")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
VOID = Namespace("http://rdfs.org/ns/void#")

PREFIXES = {
    "nap": str(NAP),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "foaf": str(FOAF),
    "org": str(ORG),
    "prov": str(PROV),
    "schema": str(SDO),
    "oa": str(OA),
    "eli": str(ELI),
    "spdx": str(SPDX),
    "dcat": str(DCAT),
    "void": str(VOID),
    "wd": str(WD),
    "sdg": str(SDG),
}
