"""The Cloud API's message objects: text, buttons, images, documents and templates.

Buttons become interactive reply buttons (up to 3) or a list (4 to 10), more a numbered text;
texts are split at the API's limits, the interactive message's body being the text's end.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any

from outbound.message import TemplateCall
from outbound.text import split_text, truncate
from outbound.whatsapp_common import numbered_list

# Limits of the Cloud API's message objects.
TEXT_LIMIT = 4096
BUTTONS_BODY_LIMIT = 1024
LIST_BODY_LIMIT = 4096
REPLY_BUTTONS_MAX = 3
BUTTON_TITLE_LIMIT = 20
BUTTON_ID_LIMIT = 256
LIST_ROWS_MAX = 10
ROW_TITLE_LIMIT = 24
ROW_DESCRIPTION_LIMIT = 72
ROW_ID_LIMIT = 200
TEMPLATE_PARAMETER_LIMIT = 1000


def _message(to: str, kind: str, content: dict[str, Any]) -> dict[str, Any]:
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": kind,
        kind: content,
    }


def text_messages(to: str, text: str) -> list[dict[str, Any]]:
    """Text messages of at most 4096 characters; links get a preview."""
    return [
        _message(to, "text", {"body": part, "preview_url": "https://" in part})
        for part in split_text(text, TEXT_LIMIT)
    ]


def _ids_fit(buttons: Sequence[Mapping[str, Any]], limit: int) -> bool:
    ids = [str(b.get("payload") or "") for b in buttons]
    return all(0 < len(i) <= limit for i in ids) and len(set(ids)) == len(ids)


def _reply_buttons(body: str, buttons: Sequence[Mapping[str, Any]]) -> dict[str, Any] | None:
    titles = [truncate(str(b.get("title") or b["payload"]), BUTTON_TITLE_LIMIT) for b in buttons]
    if len(set(titles)) != len(titles) or not _ids_fit(buttons, BUTTON_ID_LIMIT):
        return None
    return {
        "type": "button",
        "body": {"text": body},
        "action": {
            "buttons": [
                {"type": "reply", "reply": {"id": str(b["payload"]), "title": title}}
                for b, title in zip(buttons, titles, strict=True)
            ]
        },
    }


def _row(button: Mapping[str, Any]) -> dict[str, str]:
    title = " ".join(str(button.get("title") or button.get("payload")).split())
    row = {"id": str(button["payload"]), "title": truncate(title, ROW_TITLE_LIMIT)}
    if len(title) > ROW_TITLE_LIMIT:
        row["description"] = truncate(title, ROW_DESCRIPTION_LIMIT)
    return row


def _list(body: str, buttons: Sequence[Mapping[str, Any]]) -> dict[str, Any] | None:
    if not _ids_fit(buttons, ROW_ID_LIMIT):
        return None
    label = "الخيارات" if any("\u0600" <= c <= "\u06ff" for c in body) else "Options"
    return {
        "type": "list",
        "body": {"text": body},
        "action": {"button": label, "sections": [{"rows": [_row(b) for b in buttons]}]},
    }


def _with_body(
    to: str, text: str, limit: int, build: Callable[[str], dict[str, Any] | None]
) -> list[dict[str, Any]] | None:
    """Leading text messages, then the interactive message whose body is the text's end."""
    parts = split_text(text, limit) or ["👇"]
    interactive = build(parts[-1])
    if interactive is None:
        return None
    leading = text_messages(to, "\n".join(parts[:-1])) if len(parts) > 1 else []
    return [*leading, _message(to, "interactive", interactive)]


def button_messages(
    to: str, text: str | None, buttons: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Messages offering ``buttons``: reply buttons (up to 3), a list (up to 10), else (or when a
    payload is too long to be an id) the titles numbered in the text, answered by number."""
    text = text or ""
    buttons = [
        {**b, "payload": b.get("payload") or b.get("title")}
        for b in buttons
        if b.get("payload") or b.get("title")
    ]
    if not buttons:
        return text_messages(to, text)
    messages = None
    if len(buttons) <= REPLY_BUTTONS_MAX:
        build = partial(_reply_buttons, buttons=buttons)
        messages = _with_body(to, text, BUTTONS_BODY_LIMIT, build)
    if messages is None and len(buttons) <= LIST_ROWS_MAX:
        messages = _with_body(to, text, LIST_BODY_LIMIT, partial(_list, buttons=buttons))
    return messages or text_messages(to, numbered_list(text, buttons))


def image_message(to: str, link: str) -> dict[str, Any]:
    """An image sent by link."""
    return _message(to, "image", {"link": link})


def document_message(
    to: str, *, filename: str, media_id: str = "", link: str = ""
) -> dict[str, Any]:
    """A document, uploaded (media id) or by link."""
    content = {"id": media_id} if media_id else {"link": link}
    return _message(to, "document", {**content, "filename": filename})


def template_parameter(text: str) -> str:
    """A template body parameter: no new lines, tabs or runs of spaces (Meta refuses them)."""
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return truncate(" · ".join(line for line in lines if line), TEMPLATE_PARAMETER_LIMIT)


def template_message(to: str, template: TemplateCall) -> dict[str, Any]:
    """A pre-approved template, its body parameters filled in order."""
    content: dict[str, Any] = {"name": template.name, "language": {"code": template.language}}
    if template.parameters:
        content["components"] = [
            {
                "type": "body",
                "parameters": [
                    {"type": "text", "text": template_parameter(p)} for p in template.parameters
                ],
            }
        ]
    return _message(to, "template", content)
