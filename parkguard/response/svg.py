"""An uploaded site plan (SVG) made safe to show: a whitelist, rebuilt from scratch.

The file is read with the standard library's XML parser after refusing any DOCTYPE or
ENTITY declaration (no entity expansion, no external entities, no "billion laughs"). The
tree is then copied element by element into a new one that keeps only plain SVG shapes,
text and gradients with their presentational attributes: `<script>`, `<foreignObject>`,
`<style>`, `<image>`, animation elements, every `on*` attribute, `style=` and any link
(`href`, `xlink:href`) not pointing inside the document (`#id`) are dropped; a `url(...)`
value is kept only as `url(#id)`. Comments and processing instructions never reach the
output. What comes out is served as `image/svg+xml` with a policy that runs nothing.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"

SVG_NOT_UTF8 = "平面图须为 UTF-8 编码的 SVG 文件"
SVG_DOCTYPE = "平面图不能包含 DOCTYPE 或实体声明，请从制图软件重新导出为普通 SVG"
SVG_INVALID = "这不是有效的 SVG 平面图，请上传 .svg 文件"
SVG_TOO_COMPLEX = "平面图的图形元素过多（上限 {limit} 个），请简化后重新上传"
SVG_TOO_DEEP = "平面图的图形嵌套过深（上限 {limit} 层），请简化后重新上传"
MAX_ELEMENTS = 20_000
MAX_DEPTH = 64

ELEMENTS = frozenset(
    {
        "svg",
        "g",
        "defs",
        "title",
        "desc",
        "rect",
        "circle",
        "ellipse",
        "line",
        "polyline",
        "polygon",
        "path",
        "text",
        "tspan",
        "use",
        "symbol",
        "linearGradient",
        "radialGradient",
        "stop",
        "clipPath",
    }
)
ATTRIBUTES = frozenset(
    {
        "id",
        "x",
        "y",
        "x1",
        "y1",
        "x2",
        "y2",
        "cx",
        "cy",
        "r",
        "rx",
        "ry",
        "dx",
        "dy",
        "fx",
        "fy",
        "width",
        "height",
        "d",
        "points",
        "transform",
        "viewBox",
        "preserveAspectRatio",
        "fill",
        "fill-opacity",
        "fill-rule",
        "stroke",
        "stroke-width",
        "stroke-opacity",
        "stroke-dasharray",
        "stroke-linecap",
        "stroke-linejoin",
        "opacity",
        "font-size",
        "font-family",
        "font-weight",
        "text-anchor",
        "dominant-baseline",
        "offset",
        "stop-color",
        "stop-opacity",
        "gradientUnits",
        "gradientTransform",
        "clip-path",
        "clipPathUnits",
        "version",
    }
)
HREFS = frozenset({"href", f"{{{XLINK_NS}}}href"})
DECLARATION = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
URL_VALUE = re.compile(r"url\s*\(", re.IGNORECASE)
LOCAL_URL = re.compile(r"^\s*url\(\s*#[\w.:-]+\s*\)\s*$")


class SvgRefused(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _local(tag: object) -> str | None:
    """The SVG element's local name, None for anything not in the SVG namespace."""
    if not isinstance(tag, str):
        return None  # a comment or processing instruction
    if tag.startswith(f"{{{SVG_NS}}}"):
        return tag[len(SVG_NS) + 2 :]
    return None


def _attributes(source: ET.Element) -> dict[str, str]:
    kept: dict[str, str] = {}
    for name, value in source.attrib.items():
        if name in HREFS:
            if value.strip().startswith("#"):
                kept["href"] = value.strip()
            continue
        if name not in ATTRIBUTES:  # on*, style, class, namespaced, unknown: dropped
            continue
        if URL_VALUE.search(value) and not LOCAL_URL.match(value):
            continue
        if "javascript:" in value.lower().replace(" ", ""):
            continue
        kept[name] = value
    return kept


def _copy(source: ET.Element, target: ET.Element, budget: list[int], depth: int = 1) -> None:
    if depth > MAX_DEPTH:
        raise SvgRefused(SVG_TOO_DEEP.format(limit=MAX_DEPTH))
    target.text = source.text
    for child in source:
        name = _local(child.tag)
        if name is None or name not in ELEMENTS:
            continue  # dropped with all it contains (script, foreignObject, style, image…)
        budget[0] -= 1
        if budget[0] < 0:
            raise SvgRefused(SVG_TOO_COMPLEX.format(limit=MAX_ELEMENTS))
        copy = ET.SubElement(target, f"{{{SVG_NS}}}{name}", _attributes(child))
        _copy(child, copy, budget, depth + 1)
        copy.tail = child.tail


def svg_sanitise(data: bytes) -> str:
    """The sanitised SVG document as text; SvgRefused (a Chinese message) if it is not one."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SvgRefused(SVG_NOT_UTF8) from exc
    if DECLARATION.search(text):
        raise SvgRefused(SVG_DOCTYPE)
    try:
        root = ET.fromstring(text.encode("utf-8"))
    except ET.ParseError as exc:
        raise SvgRefused(SVG_INVALID) from exc
    if _local(root.tag) != "svg":
        raise SvgRefused(SVG_INVALID)
    clean = ET.Element(f"{{{SVG_NS}}}svg", _attributes(root))
    _copy(root, clean, [MAX_ELEMENTS])
    ET.register_namespace("", SVG_NS)
    return ET.tostring(clean, encoding="unicode")


# Elements an area may be drawn as (a region of the ECharts map), and the containers whose
# content is not drawn where it stands (definitions, clip paths, symbols used elsewhere).
REGION_ELEMENTS = frozenset({"path", "rect", "polygon", "g"})
NOT_DRAWN = frozenset({"defs", "clipPath", "symbol", "linearGradient", "radialGradient"})
REGION_ID_MAX = 100


def svg_region_ids(svg: str) -> list[str]:
    """The ids of the drawn `<path>`, `<rect>`, `<polygon>` and `<g>` elements of a sanitised
    plan, in document order, each once: what an area may be bound to. Empty for a plan that
    does not parse (it was sanitised, so it should) or names nothing."""
    try:
        root = ET.fromstring(svg)
    except ET.ParseError:
        return []
    found: list[str] = []
    seen: set[str] = set()

    def walk(node: ET.Element) -> None:
        for child in node:
            name = _local(child.tag)
            if name is None or name in NOT_DRAWN:
                continue
            ident = (child.get("id") or "").strip()
            fits = ident and len(ident) <= REGION_ID_MAX and ident not in seen
            if name in REGION_ELEMENTS and fits:
                seen.add(ident)
                found.append(ident)
            walk(child)

    walk(root)
    return found
