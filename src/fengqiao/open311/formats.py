"""Open311 answers as JSON or XML. XML is built with ElementTree, never by string concatenation."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any, Literal

from django.http import HttpResponse

Format = Literal["json", "xml"]


@dataclass(frozen=True)
class Payload:
    """What an endpoint answers: a list of items (``item`` names each in XML) or one object."""

    root: str
    data: list[dict[str, Any]] | dict[str, Any]
    item: str | None = None
    status: int = 200


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(parent: ET.Element, fields: dict[str, Any]) -> None:
    for name, value in fields.items():
        child = ET.SubElement(parent, name)
        if isinstance(value, list):
            for entry in value:
                _fill(ET.SubElement(child, name.rstrip("s") or name), entry)
        else:
            child.text = _text(value)


def to_xml(payload: Payload) -> bytes:
    root = ET.Element(payload.root)
    if isinstance(payload.data, list):
        for entry in payload.data:
            _fill(ET.SubElement(root, payload.item or "item"), entry)
    else:
        _fill(root, payload.data)
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return body


def render(payload: Payload, fmt: Format) -> HttpResponse:
    if fmt == "xml":
        return HttpResponse(
            to_xml(payload),
            status=payload.status,
            content_type="application/xml; charset=utf-8",
        )
    return HttpResponse(
        json.dumps(payload.data, ensure_ascii=False),
        status=payload.status,
        content_type="application/json; charset=utf-8",
    )


def error(status: int, description: str, fmt: Format) -> HttpResponse:
    return render(
        Payload(
            root="errors",
            item="error",
            data=[{"code": status, "description": description}],
            status=status,
        ),
        fmt,
    )
