"""The one place that mints IRIs.

Pattern (documented in docs/iris.md), all below one base, by default
`https://w3id.org/napgraph/`:

    ontology                            the ontology (terms are `ontology#Term`)
    id/ungp, id/ungp/principle/{n}      shared, country-neutral concept schemes
    id/ungp/foundational, id/ungp/operational, id/ungp/section/{slug}
                                        collections of UNGP principles
    id/topic/{slug}, id/role/{slug}, id/actor-kind/{slug}, id/post/{slug}, id/stage/{slug}
    id/country/{cc}                     a country (ISO 3166-1 alpha-2, lower case)
    id/agent/napgraph-contributors      the creator and publisher of the ontology
    id/intl/org/{slug}                  international organisations (parents of local offices)
    id/intl/instrument/{slug}           international instruments
    id/{cc}/org/{slug}, id/{cc}/person/{slug}, id/{cc}/instrument/{slug}
    id/{cc}/nap-process/{slug}
    id/{cc}/consultation/{year}-{nn}    a consultation; below it:
        .../participation/{actor-slug}   .../contribution/{n}[-{k}]/item/{m}
        .../point/{n}   .../decision/{n}
    id/{cc}/person/{slug}/membership/{org-slug}   a person's affiliation
    id/{cc}/nap-process/{slug}/stage/{stage}      a stage of a NAP process
    id/{cc}/plan/{slug}, .../commitment/{n}       an edition of the plan, its commitments
    id/{cc}/place/{slug}                a place where a consultation was held
    id/{cc}/{scheme}/{slug}, id/{cc}/{scheme}     a country's own role, actor kind or topic
                                        (scheme `role`, `actor-kind`, `topic`), its scheme
    {node}#source, {node}#mention-{slug}-{k}, {node}#about-{slug}
                                        provenance annotations of a node
        {annotation}-target, -position, -quote   its target and selectors
    id/{cc}/source/{slug}               a source document (`#sha256`: its checksum,
                                        `#page={n}`: a page of it, RFC 8118)
    id/{cc}/source/sheets/{file}        a spreadsheet table (`#row={n}`: a row, RFC 7111)
    graph/{name}                        named graphs
    dataset, dataset/{cc}               dataset descriptions (VoID/DCAT)
        dataset/{cc}/distribution/{ext}, dataset/{cc}/links/{target}
    sparql, download/{file}             the SPARQL service and the dumps

IRIs are minted under DEFAULT_BASE; `rebase` moves one under another base when a
deployment configures one (the build publishes, and imports convert, every IRI this way).
"""

from rdflib import URIRef

DEFAULT_BASE = "https://w3id.org/napgraph/"


def iri(path: str) -> URIRef:
    """Return the IRI of `path` below the default base."""
    return URIRef(DEFAULT_BASE + path)


def ontology() -> URIRef:
    return iri("ontology")


def ontology_version(version: str) -> URIRef:
    """The version IRI of one version of the ontology (`ontology/0.1.0`)."""
    return iri(f"ontology/{version}")


def project_agent() -> URIRef:
    """The agent that creates and publishes the ontology (named in its header)."""
    return iri("id/agent/napgraph-contributors")


def ungp_scheme() -> URIRef:
    return iri("id/ungp")


def ungp_pillar(pillar: int) -> URIRef:
    return iri(f"id/ungp/pillar/{pillar}")


def ungp_principle(number: int) -> URIRef:
    return iri(f"id/ungp/principle/{number}")


def ungp_collection(name: str) -> URIRef:
    """A collection of principles: `foundational`, `operational` or `section/{slug}`."""
    return iri(f"id/ungp/{name}")


def concept(scheme: str, slug: str) -> URIRef:
    """A concept of one of the shared schemes (`topic`, `role`, `actor-kind`, `post`, `stage`)."""
    return iri(f"id/{scheme}/{slug}")


def scheme(name: str) -> URIRef:
    return iri(f"id/{name}")


def country(cc: str) -> URIRef:
    return iri(f"id/country/{cc}")


def id_space(cc: str) -> URIRef:
    """The namespace of a country's own IRIs (its VoID uriSpace)."""
    return iri(f"id/{cc}/")


def actor(cc: str, kind: str, slug: str) -> URIRef:
    """An actor: `kind` is `org` or `person`; `cc` is a country code or `intl`."""
    return iri(f"id/{cc}/{kind}/{slug}")


def membership(person: str, organisation_slug: str) -> URIRef:
    """A person's membership of the organisation they are affiliated to."""
    return URIRef(f"{person}/membership/{organisation_slug}")


def instrument(cc: str, slug: str) -> URIRef:
    """A law or instrument: `cc` is a country code or `intl`."""
    return iri(f"id/{cc}/instrument/{slug}")


def nap_process(cc: str, slug: str) -> URIRef:
    return iri(f"id/{cc}/nap-process/{slug}")


def process_stage(process_iri: str, stage: str) -> URIRef:
    """A stage (`baseline`, `drafting`, …) of a NAP process: a part of the whole process."""
    return URIRef(f"{process_iri}/stage/{stage}")


def action_plan(cc: str, slug: str) -> URIRef:
    """One edition of a country's National Action Plan."""
    return iri(f"id/{cc}/plan/{slug}")


def commitment(plan_iri: str, number: int) -> URIRef:
    return URIRef(f"{plan_iri}/commitment/{number}")


def place(cc: str, slug: str) -> URIRef:
    return iri(f"id/{cc}/place/{slug}")


def country_concept(cc: str, scheme_name: str, slug: str) -> URIRef:
    """A country's own concept (`role`, `actor-kind` or `topic`), linked to a shared one."""
    return iri(f"id/{cc}/{scheme_name}/{slug}")


def country_scheme(cc: str, scheme_name: str) -> URIRef:
    """The scheme of a country's own concepts of one kind."""
    return iri(f"id/{cc}/{scheme_name}")


def consultation(cc: str, year: int, ordinal: int) -> URIRef:
    return iri(f"id/{cc}/consultation/{year}-{ordinal:02d}")


def participation(consultation_iri: str, actor_slug: str) -> URIRef:
    return URIRef(f"{consultation_iri}/participation/{actor_slug}")


def contribution(consultation_iri: str, number: int, part: int = 0) -> URIRef:
    suffix = f"{number}" if part == 0 else f"{number}-{part}"
    return URIRef(f"{consultation_iri}/contribution/{suffix}")


def contribution_item(contribution_iri: str, number: int) -> URIRef:
    return URIRef(f"{contribution_iri}/item/{number}")


def discussion_point(consultation_iri: str, number: int) -> URIRef:
    return URIRef(f"{consultation_iri}/point/{number}")


def decision(consultation_iri: str, number: int) -> URIRef:
    return URIRef(f"{consultation_iri}/decision/{number}")


def annotation(node: str, name: str = "source") -> URIRef:
    """A provenance annotation of `node`; its target and selectors hang below it."""
    return URIRef(f"{node}#{name}")


def annotation_part(annotation_iri: str, part: str) -> URIRef:
    """The `target`, `position` or `quote` (selectors) of an annotation."""
    return URIRef(f"{annotation_iri}-{part}")


def source_document(cc: str, slug: str) -> URIRef:
    return iri(f"id/{cc}/source/{slug}")


def sheet_table(cc: str, file_name: str) -> URIRef:
    """A table (CSV file) of a country's spreadsheets, e.g. `participants.csv`."""
    return iri(f"id/{cc}/source/sheets/{file_name}")


def sheet_row(table_iri: str, row: int) -> URIRef:
    """One row of a CSV table, numbered as a spreadsheet does (RFC 7111 `#row=`)."""
    return URIRef(f"{table_iri}#row={row}")


def page(document: str, number: int) -> URIRef:
    """A page of a (PDF) document (RFC 8118 `#page=`)."""
    return URIRef(f"{document}#page={number}")


def checksum(document: str) -> URIRef:
    """The SHA-256 checksum of a source document."""
    return URIRef(f"{document}#sha256")


def graph(name: str) -> URIRef:
    return iri(f"graph/{name}")


def dataset(cc: str | None = None) -> URIRef:
    """The catalog (no `cc`), a country's dataset, or an external dataset linked to."""
    return iri("dataset" if cc is None else f"dataset/{cc}")


def distribution(cc: str, extension: str) -> URIRef:
    """A country's dump in one format (`nq`, `ttl`, …) as a DCAT distribution."""
    return iri(f"dataset/{cc}/distribution/{extension}")


def linkset(cc: str, target: str) -> URIRef:
    """The links of a country's dataset into the external dataset `target` (a VoID linkset)."""
    return iri(f"dataset/{cc}/links/{target}")


def sparql_service() -> URIRef:
    return iri("sparql")


def download(file_name: str) -> URIRef:
    """A published file of the build, as the server offers it."""
    return iri(f"download/{file_name}")


def rebase(iri: str, base: str) -> str:
    """Move `iri` from DEFAULT_BASE under `base`; any other IRI is returned as it is."""
    if base == DEFAULT_BASE or not iri.startswith(DEFAULT_BASE):
        return str(iri)
    return base + iri[len(DEFAULT_BASE) :]


def summary_part(cc: str, part: str) -> URIRef:
    """A part of the summary of country `cc`'s dataset (graph/summary.py): a VoID partition
    or subset, or the dataset's period."""
    return iri(f"dataset/{cc}/summary/{part}")
