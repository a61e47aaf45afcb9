"""Printable documents as PDF (WeasyPrint, CJK text in Noto Sans / Serif CJK SC).

1. `render_pdf(template, context, request)` renders a Django template to HTML and lays it out
   with WeasyPrint. The templates are self-contained (inline CSS, images as data: URIs): the
   fetcher refuses every other URL, so a PDF never reaches the network or the file system.
2. `qr_data_uri(text)` is a QR code as an inline SVG for such a template.
3. `pdf_response(body, filename)` serves the bytes as an attachment.

Fonts come from the system's fontconfig: Debian's `fonts-noto-cjk` (the Dockerfile installs
it). Without it Chinese text would fall back to whatever font has the glyphs.
"""

from __future__ import annotations

import base64
import io

import qrcode
import qrcode.image.svg
from django.http import HttpResponse
from django.template.loader import render_to_string

FONT_STACK = '"Noto Sans CJK SC", "Noto Sans SC", "Noto Serif CJK SC", sans-serif'


def render_pdf(template: str, context: dict, request=None) -> bytes:
    import weasyprint  # 1.3 s to import: only a process that makes a PDF pays it

    html = render_to_string(template, {**context, "pdf_font_stack": FONT_STACK}, request=request)
    # only inline data: URIs are read; any other URL is refused (no network, no files)
    fetcher = weasyprint.urls.URLFetcher(allowed_protocols={"data"}, timeout=1)
    return weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf()


def qr_data_uri(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=6, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def pdf_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
