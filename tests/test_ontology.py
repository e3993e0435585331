"""The ontology, the shared SKOS schemes and the OWL Lite checker.

The ontology must stay OWL Lite and match the closed `NAP` namespace term for term; every
scheme concept must be complete; every topic-to-principle alignment must be explained; the
checker must catch each construct outside OWL Lite (`tests/data/owl/invalid/*.ttl`, whose first
line says `# expect: <part of the message>`) and accept Lite ontologies
(`tests/data/owl/valid/*.ttl`).
"""

import csv
import re
from functools import cache
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from napgraph.graph import iris
from napgraph.graph.owl_lite import check_owl_lite, declared_terms
from napgraph.graph.paths import data_dir, ontology_dir
from napgraph.graph.topics import load_topic_index
from napgraph.graph.vocab import NAP, ONTOLOGY_IRI, PREFIXES

BASE = "https://w3id.org/napgraph/"
SCHEMES = {
    "roles": "role",
    "actor-kinds": "actor-kind",
    "posts": "post",
    "topics": "topic",
    "stages": "stage",
}
OWL_DATA = Path(__file__).parent / "data" / "owl"
VANN = "http://purl.org/vocab/vann/"


@cache
def ontology() -> Graph:
    return Graph().parse(
        data=(ontology_dir() / "napgraph.ttl").read_text(encoding="utf-8"),
        format="turtle",
    )


@cache
def scheme(name: str) -> Graph:
    path = ontology_dir() / "schemes" / f"{name}.ttl"
    return Graph().parse(data=path.read_text(encoding="utf-8"), format="turtle")


@cache
def principle_numbers() -> set[int]:
    text = (data_dir() / "shared/ungp-principles.csv").read_text(encoding="utf-8")
    return {int(row["number"]) for row in csv.DictReader(text.splitlines())}


def expand(curie: str) -> URIRef:
    prefix, local = curie.split(":", 1)
    return URIRef((VANN if prefix == "vann" else PREFIXES[prefix]) + local)


def english(graph: Graph, subject: URIRef, predicate: URIRef) -> list[Literal]:
    return [
        o
        for o in graph.objects(subject, predicate)
        if isinstance(o, Literal) and o.language == "en"
    ]


def concepts() -> list[tuple[str, URIRef]]:
    return [
        (name, c) for name in SCHEMES for c in sorted(scheme(name).subjects(RDF.type, SKOS.Concept))
    ]


def concept_id(case: tuple[str, URIRef]) -> str:
    return str(case[1]).removeprefix(BASE + "id/")


# --- the ontology -------------------------------------------------------------------------


def test_ontology_is_owl_lite():
    assert check_owl_lite(ontology()) == []


def test_ontology_and_schemes_together_are_owl_lite():
    union = Graph()
    for graph in [ontology()] + [scheme(name) for name in SCHEMES]:
        union += graph
    assert check_owl_lite(union) == []


HEADER = [
    (OWL.versionInfo, Literal("0.1.0")),
    (OWL.versionIRI, iris.ontology_version("0.1.0")),
    (DCTERMS.creator, iris.project_agent()),
    (DCTERMS.publisher, iris.project_agent()),
    (DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")),
    (DCTERMS.created, Literal("2026-11-25", datatype=URIRef(PREFIXES["xsd"] + "date"))),
    (DCTERMS.issued, Literal("2026-11-25", datatype=URIRef(PREFIXES["xsd"] + "date"))),
    (DCTERMS.modified, Literal("2026-12-07", datatype=URIRef(PREFIXES["xsd"] + "date"))),
    (URIRef(VANN + "preferredNamespacePrefix"), Literal("nap")),
    (URIRef(VANN + "preferredNamespaceUri"), Literal(str(NAP))),
]


@pytest.mark.parametrize(("predicate", "value"), HEADER, ids=[str(p) for p, _ in HEADER])
def test_ontology_header(predicate, value):
    ontology_iri = URIRef(ONTOLOGY_IRI)
    assert (ontology_iri, RDF.type, OWL.Ontology) in ontology()
    assert list(ontology().objects(ontology_iri, predicate)) == [value]


@pytest.mark.parametrize(
    "predicate", [DCTERMS.title, DCTERMS.description, DCTERMS.bibliographicCitation]
)
def test_ontology_header_text(predicate):
    assert len(english(ontology(), URIRef(ONTOLOGY_IRI), predicate)) == 1


def test_ontology_citation_names_its_version():
    (citation,) = english(ontology(), URIRef(ONTOLOGY_IRI), DCTERMS.bibliographicCitation)
    assert str(iris.ontology_version("0.1.0")) in citation and "0.1.0" in citation


def test_ontology_has_no_prior_version():
    """0.1.0 is the first version: an owl:priorVersion would point at nothing."""
    assert list(ontology().objects(URIRef(ONTOLOGY_IRI), OWL.priorVersion)) == []


def test_ontology_creator_is_a_described_agent():
    agent = iris.project_agent()
    assert (agent, RDF.type, DCTERMS.Agent) in ontology()
    assert {label.language for label in ontology().objects(agent, RDFS.label)} == {"en", "ja"}


@pytest.mark.parametrize("term", sorted(dir(NAP)), ids=lambda t: t.fragment)
def test_vocab_term_is_declared(term):
    kinds = set(ontology().objects(term, RDF.type))
    if term.fragment[0].isupper():
        assert OWL.Class in kinds
    else:
        assert kinds & {OWL.ObjectProperty, OWL.DatatypeProperty}


def test_declared_nap_terms_are_the_vocab():
    declared = {t for t in declared_terms(ontology()) if t.startswith(str(NAP))}
    assert declared == set(dir(NAP))


@pytest.mark.parametrize(
    "term",
    sorted(declared_terms(ontology())),
    ids=lambda t: ontology().namespace_manager.normalizeUri(t),
)
def test_declared_term_is_documented(term):
    defined_by = list(ontology().objects(term, RDFS.isDefinedBy))
    assert len(defined_by) == 1
    if term.startswith(str(NAP)):
        assert defined_by == [URIRef(ONTOLOGY_IRI)]
        assert len(english(ontology(), term, RDFS.label)) == 1
        assert len(english(ontology(), term, RDFS.comment)) == 1
        japanese = [
            label for label in ontology().objects(term, RDFS.label) if label.language == "ja"
        ]
        assert len(japanese) == 1 and re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", japanese[0])
    else:
        assert term.startswith(str(defined_by[0]))
        assert list(ontology().objects(term, RDFS.label))


NAP_PROPERTIES = sorted(t for t in dir(NAP) if t.fragment[0].islower())


@pytest.mark.parametrize("prop", NAP_PROPERTIES, ids=lambda t: t.fragment)
def test_nap_property_has_one_named_domain_and_range(prop):
    for axiom in (RDFS.domain, RDFS.range):
        values = list(ontology().objects(prop, axiom))
        assert len(values) == 1 and isinstance(values[0], URIRef)


# Every reused term the data may use, by the kind of declaration it has in napgraph.ttl.
REUSED = {
    OWL.Class: """skos:Concept skos:ConceptScheme foaf:Person foaf:Organization foaf:Document
        foaf:Agent org:Organization org:FormalOrganization org:OrganizationalUnit
        org:OrganizationalCollaboration org:Membership org:Role prov:Activity prov:Entity
        prov:Agent prov:Association prov:Role schema:Event schema:Organization
        schema:GovernmentOrganization schema:NGO schema:WorkersUnion schema:CollegeOrUniversity
        schema:ResearchOrganization schema:EventAttendanceModeEnumeration schema:Person schema:Legislation schema:CreativeWork
        schema:Country oa:Annotation oa:SpecificResource oa:TextPositionSelector
        oa:TextQuoteSelector oa:Motivation oa:Selector oa:ResourceSelection skos:Collection
        prov:Influence prov:AgentInfluence schema:EducationalOrganization
        schema:Place schema:AdministrativeArea eli:LegalResource spdx:Checksum dcat:Dataset
        dcat:Distribution dcat:DataService dcat:Catalog void:Dataset void:Linkset""",
    OWL.ObjectProperty: """skos:inScheme skos:hasTopConcept skos:topConceptOf skos:broader
        skos:narrower skos:member skos:semanticRelation
        skos:mappingRelation skos:broadMatch skos:narrowMatch dcterms:source dcterms:relation
        dcterms:coverage foaf:topic org:hasMembership org:hasMember prov:influencer
        prov:qualifiedInfluence prov:wasInfluencedBy prov:influenced prov:generated
        dcterms:isPartOf dcterms:hasPart dcterms:language dcterms:spatial
        dcterms:subject dcterms:references dcterms:replaces dcterms:conformsTo foaf:page org:role org:memberOf org:subOrganizationOf org:hasSubOrganization
        org:unitOf org:hasUnit org:classification prov:agent prov:hadRole
        prov:qualifiedAssociation prov:wasAssociatedWith prov:wasAttributedTo
        prov:wasGeneratedBy prov:wasDerivedFrom prov:hadPrimarySource schema:about
        schema:mentions schema:attendee schema:location schema:eventAttendanceMode schema:organizer schema:legislationJurisdiction
        schema:url oa:hasBody oa:hasTarget oa:hasSource oa:hasSelector oa:motivatedBy
        eli:jurisdiction spdx:checksum spdx:algorithm dcat:dataset dcat:distribution
        dcat:downloadURL dcat:accessURL dcat:mediaType dcat:endpointURL dcat:servesDataset
        void:sparqlEndpoint void:dataDump void:vocabulary void:target void:linkPredicate
        void:subjectsTarget void:objectsTarget void:exampleResource""",
    OWL.DatatypeProperty: """skos:notation org:identifier foaf:name foaf:givenName
        foaf:familyName oa:start oa:end oa:exact oa:prefix oa:suffix
        spdx:checksumValue void:uriSpace void:triples""",
    OWL.AnnotationProperty: """skos:prefLabel skos:altLabel skos:hiddenLabel
        skos:definition skos:scopeNote dcterms:title dcterms:description dcterms:identifier
        dcterms:created dcterms:issued dcterms:modified dcterms:creator dcterms:publisher
        dcterms:bibliographicCitation dcterms:format dcterms:temporal dcterms:license
        schema:startDate schema:endDate schema:jobTitle
        schema:honorificPrefix schema:legislationIdentifier schema:alternateName schema:name
        eli:id_local vann:preferredNamespacePrefix vann:preferredNamespaceUri""",
    (OWL.ObjectProperty, OWL.FunctionalProperty): "org:member org:organization",
    (OWL.ObjectProperty, OWL.TransitiveProperty): """skos:broaderTransitive
        skos:narrowerTransitive org:transitiveSubOrganizationOf""",
    (OWL.ObjectProperty, OWL.SymmetricProperty): "skos:related skos:closeMatch skos:relatedMatch",
    (OWL.ObjectProperty, OWL.SymmetricProperty, OWL.TransitiveProperty): "skos:exactMatch",
    expand("oa:Motivation"): "oa:describing oa:identifying oa:tagging",
    expand("spdx:ChecksumAlgorithm"): "spdx:checksumAlgorithm_sha256",
    expand("schema:EventAttendanceModeEnumeration"): """schema:OfflineEventAttendanceMode
        schema:OnlineEventAttendanceMode schema:MixedEventAttendanceMode""",
}
REUSED_CASES = [(curie, kind) for kind, curies in REUSED.items() for curie in curies.split()]


@pytest.mark.parametrize(("curie", "kind"), REUSED_CASES, ids=[c for c, _ in REUSED_CASES])
def test_reused_term_is_declared(curie, kind):
    kinds = set(kind) if isinstance(kind, tuple) else {kind}
    assert set(ontology().objects(expand(curie), RDF.type)) == kinds


# The axioms the source vocabularies give the reused terms (checked against W3C ORG 2014,
# FOAF 0.99, SKOS 2009, PROV-O 2013, DCMI terms, Web Annotation 2017 and schema.org files).
AXIOMS = """
org:FormalOrganization rdfs:subClassOf org:Organization
org:FormalOrganization rdfs:subClassOf foaf:Organization
org:Organization rdfs:subClassOf foaf:Agent
org:OrganizationalUnit rdfs:subClassOf org:Organization
org:OrganizationalCollaboration rdfs:subClassOf org:Organization
org:Role rdfs:subClassOf skos:Concept
foaf:Person rdfs:subClassOf foaf:Agent
foaf:Organization rdfs:subClassOf foaf:Agent
schema:GovernmentOrganization rdfs:subClassOf schema:Organization
schema:NGO rdfs:subClassOf schema:Organization
schema:WorkersUnion rdfs:subClassOf schema:Organization
schema:ResearchOrganization rdfs:subClassOf schema:Organization
schema:CollegeOrUniversity rdfs:subClassOf schema:EducationalOrganization
schema:EducationalOrganization rdfs:subClassOf schema:Organization
schema:Legislation rdfs:subClassOf schema:CreativeWork
schema:Country rdfs:subClassOf schema:AdministrativeArea
schema:AdministrativeArea rdfs:subClassOf schema:Place
prov:Association rdfs:subClassOf prov:AgentInfluence
prov:AgentInfluence rdfs:subClassOf prov:Influence
oa:SpecificResource rdfs:subClassOf oa:ResourceSelection
oa:TextPositionSelector rdfs:subClassOf oa:Selector
oa:TextQuoteSelector rdfs:subClassOf oa:Selector
skos:broader owl:inverseOf skos:narrower
skos:broader rdfs:subPropertyOf skos:broaderTransitive
skos:narrower rdfs:subPropertyOf skos:narrowerTransitive
skos:broaderTransitive owl:inverseOf skos:narrowerTransitive
skos:hasTopConcept owl:inverseOf skos:topConceptOf
skos:topConceptOf rdfs:subPropertyOf skos:inScheme
skos:exactMatch rdfs:subPropertyOf skos:closeMatch
skos:closeMatch rdfs:subPropertyOf skos:mappingRelation
skos:relatedMatch rdfs:subPropertyOf skos:mappingRelation
skos:relatedMatch rdfs:subPropertyOf skos:related
skos:broadMatch rdfs:subPropertyOf skos:broader
skos:broadMatch rdfs:subPropertyOf skos:mappingRelation
skos:broadMatch owl:inverseOf skos:narrowMatch
skos:narrowMatch rdfs:subPropertyOf skos:narrower
skos:mappingRelation rdfs:subPropertyOf skos:semanticRelation
org:identifier rdfs:subPropertyOf skos:notation
org:unitOf rdfs:subPropertyOf org:subOrganizationOf
org:unitOf owl:inverseOf org:hasUnit
org:hasUnit rdfs:subPropertyOf org:hasSubOrganization
org:subOrganizationOf owl:inverseOf org:hasSubOrganization
org:subOrganizationOf rdfs:subPropertyOf org:transitiveSubOrganizationOf
org:memberOf owl:inverseOf org:hasMember
org:member owl:inverseOf org:hasMembership
foaf:page owl:inverseOf foaf:topic
prov:agent rdfs:subPropertyOf prov:influencer
prov:qualifiedAssociation rdfs:subPropertyOf prov:qualifiedInfluence
prov:wasAssociatedWith rdfs:subPropertyOf prov:wasInfluencedBy
prov:wasAttributedTo rdfs:subPropertyOf prov:wasInfluencedBy
prov:wasGeneratedBy rdfs:subPropertyOf prov:wasInfluencedBy
prov:wasGeneratedBy owl:inverseOf prov:generated
prov:wasDerivedFrom rdfs:subPropertyOf prov:wasInfluencedBy
prov:hadPrimarySource rdfs:subPropertyOf prov:wasDerivedFrom
prov:wasInfluencedBy owl:inverseOf prov:influenced
dcterms:isPartOf rdfs:subPropertyOf dcterms:relation
dcterms:hasPart rdfs:subPropertyOf dcterms:relation
dcterms:source rdfs:subPropertyOf dcterms:relation
dcterms:references rdfs:subPropertyOf dcterms:relation
dcterms:conformsTo rdfs:subPropertyOf dcterms:relation
dcterms:replaces rdfs:subPropertyOf dcterms:relation
dcterms:spatial rdfs:subPropertyOf dcterms:coverage
""".strip().splitlines()


@pytest.mark.parametrize("axiom", AXIOMS)
def test_reused_term_keeps_its_vocabulary_axiom(axiom):
    subject, predicate, obj = (expand(curie) for curie in axiom.split())
    assert (subject, predicate, obj) in ontology()


# --- the OWL Lite checker -----------------------------------------------------------------


@pytest.mark.parametrize("path", sorted((OWL_DATA / "invalid").glob("*.ttl")), ids=lambda p: p.stem)
def test_checker_flags_construct_outside_lite(path):
    expected = path.read_text(encoding="utf-8").splitlines()[0].removeprefix("# expect: ")
    violations = check_owl_lite(Graph().parse(path))
    assert any(expected in violation for violation in violations), violations


@pytest.mark.parametrize("path", sorted((OWL_DATA / "valid").glob("*.ttl")), ids=lambda p: p.stem)
def test_checker_accepts_lite_ontology(path):
    assert check_owl_lite(Graph().parse(path)) == []


def test_declared_terms_are_classes_and_properties_only():
    graph = Graph().parse(OWL_DATA / "valid" / "restrictions.ttl")
    family = "http://example.org/family#"
    declared = {t.removeprefix(family) for t in declared_terms(graph)}
    assert {"Person", "Parent", "hasChild", "hasAncestor", "passport", "name"} <= declared
    assert not declared & {"ada", "anne", "bea"}


# --- the shared schemes -------------------------------------------------------------------


@pytest.mark.parametrize("name", SCHEMES)
def test_scheme_is_described(name):
    graph = scheme(name)
    assert list(graph.subjects(RDF.type, SKOS.ConceptScheme)) == [
        URIRef(BASE + "id/" + SCHEMES[name])
    ]
    for predicate in (DCTERMS.title, DCTERMS.description):
        assert len(english(graph, URIRef(BASE + "id/" + SCHEMES[name]), predicate)) == 1


@pytest.mark.parametrize("name", SCHEMES)
def test_scheme_uses_only_declared_terms(name):
    graph = scheme(name)
    known = declared_terms(ontology()) | {RDF.type, RDFS.label}
    used = set(graph.predicates()) | set(graph.objects(predicate=RDF.type))
    assert used - known == set()


@pytest.mark.parametrize("case", concepts(), ids=concept_id)
def test_concept_is_complete(case):
    name, concept = case
    graph, scheme_iri = scheme(name), URIRef(BASE + "id/" + SCHEMES[name])
    slug = str(concept).removeprefix(str(scheme_iri) + "/")
    assert list(graph.objects(concept, SKOS.inScheme)) == [scheme_iri]
    assert list(graph.objects(concept, SKOS.notation)) == [Literal(slug)]
    assert len(english(graph, concept, SKOS.prefLabel)) == 1
    languages = [label.language for label in graph.objects(concept, SKOS.prefLabel)]
    assert len(languages) == len(set(languages))
    assert len(english(graph, concept, SKOS.definition)) == 1
    labels = [
        set(graph.objects(concept, p)) for p in (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel)
    ]
    assert sum(map(len, labels)) == len(set().union(*labels)), "SKOS S13: label sets overlap"


@pytest.mark.parametrize("case", concepts(), ids=concept_id)
def test_concept_hierarchy(case):
    name, concept = case
    graph, scheme_iri = scheme(name), URIRef(BASE + "id/" + SCHEMES[name])
    broader = list(graph.objects(concept, SKOS.broader))
    is_top = (concept, SKOS.topConceptOf, scheme_iri) in graph
    assert is_top == (not broader)
    assert is_top == ((scheme_iri, SKOS.hasTopConcept, concept) in graph)
    for parent in broader:
        assert (parent, SKOS.inScheme, scheme_iri) in graph
    assert set(graph.subjects(SKOS.broader, concept)) == set(graph.objects(concept, SKOS.narrower))


REQUIRED = {
    "roles": {
        "stakeholder": None,
        "relevant-ministry": None,
        "ministry-observer": "observer",
        "government-related-entity": None,
        "academia": None,
        "observer": None,
        "chair": None,
        "secretariat": None,
        "expert-speaker": None,
    },
    "actor-kinds": dict.fromkeys(
        "government government-related business-association professional-association trade-union "
        "civil-society international-organisation university research-institute "
        "national-human-rights-institution business-enterprise indigenous-peoples-organisation "
        "affected-rights-holders legislature local-government".split()
    ),
    "posts": {"professor": None, "director": None},
    "topics": {
        "public-procurement": None,
        "equality-and-non-discrimination": None,
        "persons-with-disabilities": "equality-and-non-discrimination",
        "lgbt": "equality-and-non-discrimination",
        "gender-equality": "equality-and-non-discrimination",
        "labour": None,
        "child-labour": "labour",
        "foreign-workers": "labour",
        "access-to-remedy": None,
        "judicial-remedy": "access-to-remedy",
        "non-judicial-remedy": "access-to-remedy",
        "operational-grievance-mechanisms": "access-to-remedy",
        "national-human-rights-institutions": "access-to-remedy",
        "international-agreements": None,
        "investment-treaties": "international-agreements",
        "supply-chains": None,
        "human-rights-due-diligence": "supply-chains",
        "disclosure-and-reporting": "supply-chains",
        "smes": None,
        "awareness-raising-and-education": None,
        "sdgs": None,
        "policy-coherence": None,
        "nap-process": None,
    },
}
REQUIRED_CASES = [
    (name, slug, parent) for name, slugs in REQUIRED.items() for slug, parent in slugs.items()
]


@pytest.mark.parametrize(
    ("name", "slug", "parent"),
    REQUIRED_CASES,
    ids=[f"{SCHEMES[n]}/{s}" for n, s, _ in REQUIRED_CASES],
)
def test_required_concept(name, slug, parent):
    prefix = BASE + "id/" + SCHEMES[name] + "/"
    concept = URIRef(prefix + slug)
    assert (concept, RDF.type, SKOS.Concept) in scheme(name)
    expected = [] if parent is None else [URIRef(prefix + parent)]
    assert list(scheme(name).objects(concept, SKOS.broader)) == expected


@pytest.mark.parametrize(
    ("name", "types"), [("roles", {"prov:Role", "org:Role"}), ("posts", {"org:Role"})]
)
def test_roles_are_typed_as_roles(name, types):
    for concept in scheme(name).subjects(RDF.type, SKOS.Concept):
        assert {expand(t) for t in types} <= set(scheme(name).objects(concept, RDF.type))


HEADINGS = [
    ("Stakeholders", "stakeholder"),
    ("Relevant Cabinet Office, Ministries and Agencies", "relevant-ministry"),
    ("Government Related Entities", "government-related-entity"),
    ("Academia", "academia"),
    ("Observers", "observer"),
]


@pytest.mark.parametrize(("heading", "slug"), HEADINGS, ids=[s for _, s in HEADINGS])
def test_role_alt_label_is_the_source_heading(heading, slug):
    source = data_dir() / "source" / "jp-nap-2018-consultations.txt"
    assert f"\n({heading})\n" in source.read_text(encoding="utf-8")
    assert list(scheme("roles").subjects(SKOS.altLabel, Literal(heading, lang="en"))) == [
        URIRef(BASE + "id/role/" + slug)
    ]


# --- topic labels -------------------------------------------------------------------------


def topic_forms() -> dict[str, list[URIRef]]:
    forms: dict[str, list[URIRef]] = {}
    for concept in scheme("topics").subjects(RDF.type, SKOS.Concept):
        for predicate in (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel):
            for label in english(scheme("topics"), concept, predicate):
                forms.setdefault(str(label).lower(), []).append(concept)
    return forms


def test_topic_word_forms_are_unambiguous():
    assert {form: c for form, c in topic_forms().items() if len(c) > 1} == {}


# Words that would tag almost every sentence of a NAP record.
TOO_BROAD = (
    "rights human rights business company companies worker workers risk government law "
    "legislation policy procurement equality treaty agreement plan process initiative".split()
)


@pytest.mark.parametrize("word", TOO_BROAD)
def test_topic_word_form_is_not_too_broad(word):
    assert word not in topic_forms()


# (text from the source, the topics the converter's matcher must find there)
TAGGING = [
    ("public procurements", {"public-procurement"}),
    (
        "equality before the law, with a particular focus on persons with disabilities, LGBT and "
        "women",
        {"equality-and-non-discrimination", "persons-with-disabilities", "lgbt", "gender-equality"},
    ),
    (
        "labor (child labor, foreign workers including technical internees)",
        {"labour", "child-labour", "foreign-workers"},
    ),
    ("access to remedy", {"access-to-remedy"}),
    ("human rights in international agreements", {"international-agreements"}),
    ("to go through the stocktaking process", {"nap-process"}),
    ("for stocktaking on the baseline assessment", {"nap-process"}),
    ("supply chains", {"supply-chains"}),
    ("initiatives towards SMEs", {"smes"}),
    (
        "provided an opportunity to recap the all of the previous consultation meetings",
        {"nap-process"},
    ),
    (
        "Support for small and medium-sized enterprises (SMEs) needed. Supply chain management is a "
        "challenge. In the area of public procurement, it is also important to ensure access to "
        "remedy, including the establishment of remedy mechanisms.",
        {"smes", "supply-chains", "public-procurement", "access-to-remedy"},
    ),
    ("Improvement in access to non-judicial remedies", {"non-judicial-remedy"}),
    (
        "Familiarization and promotion of the company-level grievance mechanisms",
        {"operational-grievance-mechanisms"},
    ),
    (
        "the establishment of the national human rights institutions and introducing individual "
        "communications set by the international human rights treaties",
        {"national-human-rights-institutions", "international-agreements"},
    ),
    ("the Japanese National Contact Points for the OECD Guidelines", {"non-judicial-remedy"}),
    (
        "Public interest-related provisions in investment treaties/Economic Partnership Agreements",
        {"investment-treaties"},
    ),
    (
        "disclosure and reporting on due diligence",
        {"disclosure-and-reporting", "human-rights-due-diligence"},
    ),
    (
        "Human rights education and awareness-raising activities.",
        {"awareness-raising-and-education"},
    ),
    ("(1) Major labor-related legislation.", {"labour"}),
    ("Stakeholders shared respective opinions regarding SMEs-related risks", {"smes"}),
    ("Strengthening links with SDGs", {"sdgs"}),
    ("is expected to promote the assurance of policy coherence.", {"policy-coherence"}),
    ("Concerning the Technical Intern Training Program", {"foreign-workers"}),
    ("Industrial development support for specific groups (Ainu policy).", {"indigenous-peoples"}),
    ("the Labor Tribunal Act and the Product Liability Act", {"judicial-remedy"}),
    ("achieving competitive equality between domestic SMEs and foreign companies", {"smes"}),
    ("The following recaps some of the main discussion points from the meeting.", set()),
    ("possible risks faced by companies or workers", set()),
    ("The Tokyo Organising Committee of the Olympic and Paralympic Games", set()),
    ("the Small and Medium Enterprise Agency", set()),
]


@pytest.mark.parametrize(("text", "expected"), TAGGING, ids=[t[:40] for t, _ in TAGGING])
def test_topic_labels_tag_source_text(text, expected):
    index = load_topic_index(ontology_dir() / "schemes" / "topics.ttl")
    found = {m.key.removeprefix("topic:") for m in index.find_all(text, 0, len(text))}
    assert found == expected


# --- topic → UNGP principle alignments ----------------------------------------------------

PRINCIPLE = re.compile(re.escape(BASE + "id/ungp/principle/") + r"([1-9][0-9]*)")


def alignments() -> list[URIRef]:
    return sorted(scheme("topics").subjects(RDF.type, URIRef(str(NAP) + "PrincipleAlignment")))


@pytest.mark.parametrize("node", alignments(), ids=lambda n: n.removeprefix(BASE + "id/topic/"))
def test_alignment_is_complete(node):
    graph = scheme("topics")
    topics = list(graph.objects(node, NAP.alignedTopic))
    principles = list(graph.objects(node, NAP.alignedPrinciple))
    assert len(topics) == 1 and len(principles) == 1
    assert (topics[0], SKOS.inScheme, URIRef(BASE + "id/topic")) in graph
    number = PRINCIPLE.fullmatch(str(principles[0]))
    assert number and int(number[1]) in principle_numbers()
    assert node == URIRef(f"{topics[0]}/ungp/{number[1]}")
    notes = english(graph, node, SKOS.scopeNote)
    assert len(notes) == 1 and f"Principle {number[1]}" in notes[0]
    assert (topics[0], NAP.concernsPrinciple, principles[0]) in graph


def concerns() -> list[tuple[URIRef, URIRef]]:
    return sorted(scheme("topics").subject_objects(NAP.concernsPrinciple))


@pytest.mark.parametrize(
    ("topic", "principle"),
    concerns(),
    ids=[f"{t.rsplit('/', 1)[1]}-{p.rsplit('/', 1)[1]}" for t, p in concerns()],
)
def test_concerns_principle_is_explained(topic, principle):
    graph = scheme("topics")
    nodes = set(graph.subjects(NAP.alignedTopic, topic)) & set(
        graph.subjects(NAP.alignedPrinciple, principle)
    )
    assert len(nodes) == 1


UNALIGNED = {"sdgs"}  # the SDGs are a separate framework; no principle speaks of them


@pytest.mark.parametrize("slug", REQUIRED["topics"])
def test_topic_is_aligned_to_a_principle(slug):
    topic = URIRef(BASE + "id/topic/" + slug)
    aligned = set(scheme("topics").objects(topic, NAP.concernsPrinciple))
    assert bool(aligned) == (slug not in UNALIGNED)
