"""Server-rendered pictures: the evidence in plain words, the small network (link chart)
behind a case, and accessible bar charts. Each SVG has a title and description, and every
picture comes with its words or numbers beside it, so nothing depends on seeing it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import count

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from paramount.casework.route_words import route_words

_TECHNICAL = re.compile(r"\s*\((prisoner matched.*)\)\s*$", re.DOTALL)


@dataclass
class Evidence:
    points: list[str]
    technical: str


def evidence_in_words(text: str) -> Evidence:
    """The engine's evidence sentence split into points a reader can take one at a time;
    the identity-resolution detail kept apart for analysts."""
    text = (text or "").strip()
    technical = ""
    match = _TECHNICAL.search(text)
    if match:
        technical = match.group(1).strip()
        text = text[: match.start()].strip()
    points = []
    for part in re.split(r";\s+|\.\s+(?=Against:)", text):
        part = part.strip().rstrip(".")
        if part:
            points.append(part[0].upper() + part[1:] + ".")
    return Evidence(points=points, technical=technical)


def _words(label: str, width: int) -> list[str]:
    """Wrap a label onto at most two lines of about `width` characters."""
    words, lines, line = label.split(), [], ""
    for w in words:
        if len(line) + len(w) + 1 > width and line:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    lines.append(line)
    if len(lines) > 2:
        lines = [lines[0], (" ".join(lines[1:]))[: width - 1] + "…"]
    return lines


@dataclass
class Node:
    key: str
    kind: str  # prisoner, child, carer, record, address
    label: str
    sub: str = ""
    x: float = 0
    y: float = 0


@dataclass
class Network:
    nodes: list[Node] = field(default_factory=list)
    edges: list[tuple[str, str, str]] = field(default_factory=list)  # from, to, style

    def node(self, key: str) -> Node | None:
        return next((n for n in self.nodes if n.key == key), None)


def case_network(case, case_children) -> Network:
    """Prisoner(s) on the left, the records that link them in the middle, the children on
    the right, the likely carer below: one edge for each link the evidence names."""
    net = Network()
    prisoners: dict[str, Node] = {}
    sources: dict[str, Node] = {}
    for cc in case_children:
        number = cc.reception.prisoner.prisoner_number
        if number not in prisoners:
            name = (cc.extra or {}).get("prisoner_name", "")
            prisoners[number] = Node(
                f"p-{number}",
                "prisoner",
                name or "Prisoner",
                f"{number}, received {cc.reception.reception_date or ''}",
            )
        # one node per child, however many receptions link them (one per prisoner)
        child = Node(
            f"c-{cc.child_id}",
            "child",
            cc.child.display_name or cc.child.pseudonym,
            f"age {cc.child_age}" if cc.child_age is not None else "",
        )
        if all(n.key != child.key for n in net.nodes):
            net.nodes.append(child)
        for code in [s for s in (cc.sources or "").split(";") if s]:
            if code == "CO_RESIDENCE" and (cc.postcode or cc.address):
                key = f"a-{cc.postcode or cc.address}"
                if key not in sources:
                    sources[key] = Node(key, "address", "Address", cc.postcode or cc.address)
            else:
                key = f"r-{code}"
                if key not in sources:
                    words = route_words(code)
                    sources[key] = Node(key, "record", words[0], words[1])
            net.edges.append((f"p-{number}", key, "link"))
            net.edges.append((key, child.key, "link"))
    carer = case.carer or {}
    if carer.get("carer_name"):
        net.nodes.append(
            Node(
                "carer",
                "carer",
                carer["carer_name"],
                f"likely carer ({carer.get('carer_relationship', '').lower()})".replace(" ()", ""),
            )
        )
        for cc in case_children:
            net.edges.append(("carer", f"c-{cc.child_id}", "carer"))
    net.nodes = list(prisoners.values()) + list(sources.values()) + net.nodes
    net.edges = list(dict.fromkeys(net.edges))
    return net


NODE_W, NODE_H = 190, 46


def network_svg(net: Network, *, title: str, description: str) -> SafeString:
    """The network as an inline SVG link chart (no script, no inline style)."""
    columns = {
        "prisoner": [n for n in net.nodes if n.kind == "prisoner"],
        "middle": [n for n in net.nodes if n.kind in ("record", "address")],
        "child": [n for n in net.nodes if n.kind in ("child", "carer")],
    }
    rows = max(1, *(len(v) for v in columns.values()))
    height = rows * 72 + 20
    width = 760
    xs = {"prisoner": 10, "middle": 285, "child": 560}
    for col, nodes in columns.items():
        top = (height - len(nodes) * 72) / 2 + 13
        for i, n in enumerate(nodes):
            n.x, n.y = xs[col], top + i * 72
    ids = count(1)
    tid, did = f"net-title-{next(ids)}", f"net-desc-{next(ids)}"
    out = [
        f'<svg class="app-network" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{tid} {did}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{tid}">{escape(title)}</title><desc id="{did}">{escape(description)}</desc>',
    ]
    for a, b, style in net.edges:
        na, nb = net.node(a), net.node(b)
        if na is None or nb is None:
            continue
        x1, y1 = na.x + NODE_W, na.y + NODE_H / 2
        x2, y2 = nb.x, nb.y + NODE_H / 2
        if style == "carer":  # carer sits in the children's column: link on the left side
            x1, y1 = na.x + 20, na.y
            x2, y2 = nb.x + 20, nb.y + NODE_H
            out.append(
                f'<path class="app-network__edge app-network__edge--carer" '
                f'd="M{x1:.0f},{y1:.0f} C{x1 - 40:.0f},{y1 - 20:.0f} {x2 - 40:.0f},'
                f'{y2 + 20:.0f} {x2:.0f},{y2:.0f}"/>'
            )
            continue
        mx = (x1 + x2) / 2
        out.append(
            f'<path class="app-network__edge" d="M{x1:.0f},{y1:.0f} C{mx:.0f},{y1:.0f} '
            f'{mx:.0f},{y2:.0f} {x2:.0f},{y2:.0f}"/>'
        )
    for n in net.nodes:
        out.append(f'<g class="app-network__node app-network__node--{n.kind}">')
        out.append(
            f'<rect x="{n.x:.0f}" y="{n.y:.0f}" width="{NODE_W}" height="{NODE_H}" '
            f'rx="{23 if n.kind in ("prisoner", "child", "carer") else 4}"/>'
        )
        out.append(
            f'<text x="{n.x + NODE_W / 2:.0f}" y="{n.y + 19:.0f}" '
            f'class="app-network__label">{escape(_words(n.label, 24)[0])}</text>'
        )
        if n.sub:
            out.append(
                f'<text x="{n.x + NODE_W / 2:.0f}" y="{n.y + 36:.0f}" '
                f'class="app-network__sub">{escape(_words(n.sub, 30)[0])}</text>'
            )
        out.append("</g>")
    out.append("</svg>")
    return mark_safe("".join(out))


def bar_chart(
    rows: list[tuple[str, float | None]],
    *,
    title: str,
    description: str,
    unit: str = "",
    missing: str = "no data",
) -> SafeString:
    """Horizontal bars, one per row, the number written at the end of each bar (`missing`
    where a row has no number: no data, or hidden as a small count)."""
    label_w, bar_w, row_h = 170, 420, 34
    top = max((v for _, v in rows if v is not None), default=0) or 1
    height = max(1, len(rows)) * row_h + 10
    n = abs(hash(title)) % 100_000
    tid, did = f"chart-title-{n}", f"chart-desc-{n}"
    out = [
        f'<svg class="app-chart" viewBox="0 0 {label_w + bar_w + 90} {height}" role="img" '
        f'aria-labelledby="{tid} {did}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{tid}">{escape(title)}</title><desc id="{did}">{escape(description)}</desc>',
    ]
    for i, (label, value) in enumerate(rows):
        y = 5 + i * row_h
        out.append(
            f'<text class="app-chart__label" x="{label_w - 8}" y="{y + 21}">'
            f"{escape(label[:24])}</text>"
        )
        if value is None:
            out.append(
                f'<text class="app-chart__value" x="{label_w + 4}" y="{y + 21}">'
                f"{escape(missing)}</text>"
            )
            continue
        w = max(2.0, bar_w * value / top) if value else 0
        out.append(
            f'<rect class="app-chart__bar" x="{label_w}" y="{y + 4}" width="{w:.1f}" '
            f'height="{row_h - 10}"/>'
        )
        shown = f"{value:g}{unit}"
        out.append(
            f'<text class="app-chart__value" x="{label_w + w + 6:.1f}" y="{y + 21}">'
            f"{escape(shown)}</text>"
        )
    out.append("</svg>")
    return mark_safe("".join(out))
