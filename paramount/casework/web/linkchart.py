"""A case's network as a link chart an analyst opens in i2 Analyst's Notebook: the `.anx`
exchange file (XML, written with ElementTree) and the CSV its import wizard reads (one row a
link). Entities: the prisoner(s), each child not rejected, the likely carer, the addresses;
links: each route of evidence (the engine's `sources`) from prisoner to child, the child's
address, a shared address, the carer. A link's strength is its row's confidence band
(`strength_for`); every item carries its source reference, the record it comes from.

The ANX shape follows public examples of the format (see `paramount/casework/README.md`,
"Link chart"): `Chart` > `StrengthCollection`, `EntityTypeCollection`, `LinkTypeCollection`,
`ChartItemCollection` of `ChartItem`s holding an `End`/`Entity` (`EntityId`, `Identity`,
`Icon`/`IconStyle Type`) or a `Link` (`End1Id`, `End2Id`, `LinkStyle Strength Type`).
"""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from paramount.casework.codes import CONFIRMED
from paramount.casework.models import CaseChild
from paramount.casework.route_words import route_label
from paramount.casework.selectors.linkchart import ChartSource

# i2's usual three strengths, each drawn in its own line style.
CONFIRMED_STRENGTH, UNCONFIRMED, TENTATIVE = "Confirmed", "Unconfirmed", "Tentative"
STRENGTHS = (
    (CONFIRMED_STRENGTH, "DotStyleSolid"),
    (UNCONFIRMED, "DotStyleDashed"),
    (TENTATIVE, "DotStyleDotted"),
)
_RANK = {name: i for i, (name, _) in enumerate(STRENGTHS)}

# Entity types and the Analyst's Notebook standard icon each is drawn with (an icon name
# the analyst's installation lacks shows its default icon).
ENTITY_TYPES = (
    ("Prisoner", "Person"),
    ("Child", "Person"),
    ("Carer", "Person"),
    ("Address", "House"),
)
# Link colours as Windows COLORREF integers (blue * 65536 + green * 256 + red).
_LINK_COLOURS = {"Lives at": 8421504, "Same address": 32768, "Likely carer": 8388736}
_ROUTE_COLOUR = 12087325  # GOV.UK blue #1d70b8 as BGR

# Characters XML 1.0 cannot hold at all (ElementTree escapes the rest, not these).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def strength_for(confidence: float | None, verdict: str = "") -> str:
    """Confirmed for a confidence of 0.95 or more, or a child a checker confirmed;
    Unconfirmed from 0.8; Tentative below (or no confidence)."""
    if verdict == CONFIRMED or (confidence is not None and confidence >= 0.95):
        return CONFIRMED_STRENGTH
    if confidence is not None and confidence >= 0.8:
        return UNCONFIRMED
    return TENTATIVE


@dataclass(frozen=True)
class Entity:
    identity: str
    type: str
    label: str
    description: str
    source_reference: str
    source_type: str
    x: int = 0
    y: int = 0


@dataclass(frozen=True)
class Link:
    end1: str
    end2: str
    type: str
    label: str
    strength: str
    source_reference: str
    source_type: str


@dataclass
class Chart:
    title: str
    entities: dict[str, Entity] = field(default_factory=dict)
    links: dict[tuple[str, str, str], Link] = field(default_factory=dict)

    def add_entity(self, entity: Entity) -> str:
        self.entities.setdefault(entity.identity, entity)
        return entity.identity

    def add_link(self, link: Link) -> None:
        """One link per pair and type: the strongest row's wins."""
        key = (link.end1, link.end2, link.type)
        kept = self.links.get(key)
        if kept is None or _RANK[link.strength] < _RANK[kept.strength]:
            self.links[key] = link


def _child_ids(source: ChartSource, cc: CaseChild) -> str:
    return ";".join(source.person_ids.get(cc.child_id, [])) or cc.child.pseudonym


def _row_reference(source: ChartSource, cc: CaseChild) -> str:
    """The identification list's row a link comes from: the booking and the child's police
    person ids (else Paramount's pseudonym), as `children.csv` and the worklist name it."""
    return f"{cc.reception.booking_id}/{_child_ids(source, cc)}"


def _address(cc: CaseChild) -> str:
    return ", ".join(p for p in (cc.address, cc.postcode) if p)


def build_chart(source: ChartSource) -> Chart:
    """The case's link chart: entities and links from its rows (rejected children are not
    in `source`), laid out in columns as on the case page."""
    case = source.case
    chart = Chart(title=f"Paramount case {case.reference}")
    rows_y = {"Prisoner": 0, "Address": 0, "Child": 0}

    def place(kind: str) -> tuple[int, int]:
        column = {"Prisoner": 0, "Address": 1, "Carer": 2, "Child": 2}[kind]
        key = "Child" if kind == "Carer" else kind
        y = rows_y[key]
        rows_y[key] += 1
        return 100 + 400 * column, 100 + 150 * y

    for cc in source.rows:
        prisoner = cc.reception.prisoner
        pid = f"Prisoner {prisoner.prisoner_number}"
        if pid not in chart.entities:
            x, y = place("Prisoner")
            received = cc.reception.reception_date
            chart.add_entity(
                Entity(
                    pid,
                    "Prisoner",
                    (cc.extra or {}).get("prisoner_name") or "Prisoner",
                    f"Prison number {prisoner.prisoner_number}"
                    + (f", received {received.isoformat()}" if received else ""),
                    prisoner.prisoner_number,
                    "Prison number",
                    x,
                    y,
                )
            )
        cid = f"Child {cc.child.pseudonym}"
        if cid not in chart.entities:
            x, y = place("Child")
            born = cc.child.date_of_birth
            chart.add_entity(
                Entity(
                    cid,
                    "Child",
                    cc.child.display_name or cc.child.pseudonym,
                    f"Born {born.isoformat()}" if born else "",
                    _child_ids(source, cc),
                    "Police person id",
                    x,
                    y,
                )
            )
        strength = strength_for(cc.confidence, cc.verdict)
        row_ref = _row_reference(source, cc)
        relationship = (cc.relationship or "").replace("_", " ").lower()
        aid = ""
        if cc.address or cc.postcode:
            aid = f"Address {_address(cc)}"
            if aid not in chart.entities:
                x, y = place("Address")
                chart.add_entity(
                    Entity(aid, "Address", _address(cc), "", row_ref, "Identification row", x, y)
                )
            chart.add_link(
                Link(cid, aid, "Lives at", "Lives at", strength, row_ref, "Identification row")
            )
        for code in [s for s in (cc.sources or "").split(";") if s]:
            words = route_label(code)
            if code == "CO_RESIDENCE" and aid:
                chart.add_link(
                    Link(
                        pid,
                        aid,
                        "Same address",
                        "Lived at the same address",
                        strength,
                        f"{row_ref}/{code}",
                        code,
                    )
                )
                continue
            label = f"{relationship} ({words.lower()})" if relationship else words
            chart.add_link(Link(pid, cid, words, label, strength, f"{row_ref}/{code}", code))
    carer = case.carer or {}
    if carer.get("carer_name") and source.rows:
        x, y = place("Carer")
        carer_ids = carer.get("carer_person_ids", "")
        kid = chart.add_entity(
            Entity(
                f"Carer {carer_ids or case.reference}",
                "Carer",
                carer["carer_name"],
                (carer.get("carer_relationship") or "").replace("_", " ").lower(),
                carer_ids or case.reference,
                "Police person id" if carer_ids else "Case reference",
                x,
                y,
            )
        )
        for cc in source.rows:
            chart.add_link(
                Link(
                    kid,
                    f"Child {cc.child.pseudonym}",
                    "Likely carer",
                    "Likely carer",
                    UNCONFIRMED,
                    carer_ids or case.reference,
                    "Engine's carer",
                )
            )
    return chart


def _clean(value: object) -> str:
    return _NOT_XML.sub("", str(value or ""))


def anx_document(chart: Chart) -> bytes:
    """The chart as Analyst's Notebook exchange XML (UTF-8, with its declaration)."""
    root = ET.Element("Chart", {"IdReferenceLinking": "false", "Rigorous": "false"})
    strengths = ET.SubElement(root, "StrengthCollection")
    for n, (name, dots) in enumerate(STRENGTHS, start=1):
        ET.SubElement(strengths, "Strength", {"Id": f"STR{n}", "Name": name, "DotStyle": dots})
    entity_types = ET.SubElement(root, "EntityTypeCollection")
    for n, (name, icon) in enumerate(ENTITY_TYPES, start=1):
        ET.SubElement(
            entity_types,
            "EntityType",
            {
                "Id": f"ET{n}",
                "Name": name,
                "IconFile": icon,
                "PreferredRepresentation": "RepresentAsIcon",
            },
        )
    link_types = ET.SubElement(root, "LinkTypeCollection")
    for n, name in enumerate(sorted({link.type for link in chart.links.values()}), start=1):
        ET.SubElement(
            link_types,
            "LinkType",
            {
                "Id": f"LT{n}",
                "Name": _clean(name),
                "Colour": str(_LINK_COLOURS.get(name, _ROUTE_COLOUR)),
            },
        )
    items = ET.SubElement(root, "ChartItemCollection")
    for entity in chart.entities.values():
        item = ET.SubElement(
            items,
            "ChartItem",
            {
                "Label": _clean(entity.label),
                "Description": _clean(entity.description),
                "DateSet": "false",
                "SourceReference": _clean(entity.source_reference),
                "SourceType": _clean(entity.source_type),
                "XPosition": str(entity.x),
            },
        )
        end = ET.SubElement(item, "End", {"Y": str(entity.y)})
        node = ET.SubElement(
            end,
            "Entity",
            {
                "EntityId": _clean(entity.identity),
                "Identity": _clean(entity.identity),
                "LabelIsIdentity": "false",
            },
        )
        icon = ET.SubElement(node, "Icon")
        ET.SubElement(icon, "IconStyle", {"Type": entity.type})
    for link in chart.links.values():
        item = ET.SubElement(
            items,
            "ChartItem",
            {
                "Label": _clean(link.label),
                "DateSet": "false",
                "SourceReference": _clean(link.source_reference),
                "SourceType": _clean(link.source_type),
            },
        )
        edge = ET.SubElement(
            item, "Link", {"End1Id": _clean(link.end1), "End2Id": _clean(link.end2)}
        )
        ET.SubElement(
            edge,
            "LinkStyle",
            {
                "ArrowStyle": "ArrowOnHead",
                "LineWidth": "1",
                "Strength": link.strength,
                "Type": _clean(link.type),
            },
        )
    summary = ET.SubElement(root, "Summary")
    fields = ET.SubElement(summary, "FieldCollection")
    ET.SubElement(fields, "Field", {"Field": _clean(chart.title), "Type": "SummaryFieldTitle"})
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


CSV_COLUMNS = (
    "end1_identity",
    "end1_type",
    "end1_label",
    "end2_identity",
    "end2_type",
    "end2_label",
    "link_type",
    "link_label",
    "strength",
    "source_reference",
    "source_type",
)

# A cell a spreadsheet would read as a formula is written as text (OWASP's CSV injection).
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    text = _clean(value)
    return "'" + text if text.startswith(_FORMULA) else text


def import_csv(chart: Chart) -> str:
    """The chart as the CSV an Analyst's Notebook import wizard reads: one row a link, each
    end's identity, type and label, the link's type, label, strength and source."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for link in chart.links.values():
        one, two = chart.entities[link.end1], chart.entities[link.end2]
        writer.writerow(
            [
                _cell(v)
                for v in (
                    one.identity,
                    one.type,
                    one.label,
                    two.identity,
                    two.type,
                    two.label,
                    link.type,
                    link.label,
                    link.strength,
                    link.source_reference,
                    link.source_type,
                )
            ]
        )
    return out.getvalue()
