"""Text the system writes into records (timeline events, notifications, task descriptions).

It is stored in the deployment's language, whichever user's request (or timer) wrote it, so a
timeline reads the same for everyone. Mark each message with ``gettext_noop`` so it is
extracted; pass choice labels lazily (``Enum(value).label``) so they are translated too.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext


def system_text(message: str, **values: Any) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        text = gettext(message)
        rendered = {key: str(value) for key, value in values.items()}
    return text % rendered if values else text
