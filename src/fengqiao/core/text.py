"""Text the system writes into records (timeline events, notifications, task descriptions).

It is stored in the deployment's language, whichever user's request (or timer) wrote it, so a
timeline reads the same for everyone. Mark each message with ``gettext_noop`` so it is
extracted; pass choice labels lazily (``Enum(value).label``) so they are translated too.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext


@lru_cache(maxsize=4096)
def _translated(message: str, language: str) -> str:
    # Catalogues do not change while a process runs; imports and the demo write the same few
    # messages hundreds of thousands of times.
    with translation.override(language):
        return gettext(message)


def system_text(message: str, **values: Any) -> str:
    language = settings.LANGUAGE_CODE
    if any(isinstance(value, Promise) for value in values.values()):
        # Lazy labels (choice labels) render in the active language: make it the deployment's.
        with translation.override(language):
            rendered = {key: str(value) for key, value in values.items()}
    else:
        rendered = {key: str(value) for key, value in values.items()}
    text = _translated(message, language)
    return text % rendered if values else text
