"""The law and instrument page: what it is, and where the consultations mention it.

Names in English and Japanese, kind (domestic law, international instrument, policy
document, programme), the law number and, where verified, the e-Gov law ID and page; then
every place the record names it: the consultation, the contribution or discussion point,
and the exact words with their offsets.
"""

from __future__ import annotations

from flask import request

from .actor import mentions
from .common import PageContext
from .paging import page_number, page_of
from .terms import ELI, FOAF, RDFS, SDO


def render(page: PageContext) -> str:
    """Render the page of the law or instrument `page.iri`."""
    statements = page.statements
    found = mentions(page.site.select("mentions", x=page.iri))
    # Every country's consultations may mention an international instrument: PAGE_SIZE a page.
    shown, shown_page = page_of(found, page_number(request.args), page.site.settings["PAGE_SIZE"])
    return page.render(
        "instrument.html", mentions=shown, mentions_page=shown_page,
        consultations=len({m.consultation for m in found if m.consultation}),
        law_number=statements.first(SDO.legislationIdentifier, None),
        egov_id=statements.first(ELI.id_local, None),
        pages=statements.links(FOAF.page),
        jurisdiction=(statements.links(ELI.jurisdiction)
                      or statements.links(SDO.legislationJurisdiction)),
        comment=statements.first(RDFS.comment))
