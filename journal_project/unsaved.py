"""Text posted to a form after its writer was signed out, kept until they are back.

A session can end while someone writes: they logged out in another tab, or it expired. The
post then reaches the server without a user, and the login redirect would drop the posted
text (a redirect carries no body), and the login page removes the browser's local drafts
(js/app.js), so the words would be gone. Instead the text waits in the browser's new
(anonymous) session, which `django.contrib.auth.login` keeps, and the page it was posted
from shows it again once its writer has logged in, not saved or sent: to be checked first.

The form names its writer (a hidden `writer` field): on a shared browser the next person
to log in never sees the text, which is dropped instead. Logging out drops it too (the
session is flushed). One text is kept at a time, the latest.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

SESSION_KEY = "unsaved_text"
ViewFunc = Callable[..., HttpResponse]


def login_required_keeping_text(
    *fields: str, text_fields: tuple[str, ...], what: str
) -> Callable[[ViewFunc], ViewFunc]:
    """`login_required`, but a signed-out POST keeps `fields` for its writer (when any of
    `text_fields` holds something) and the login page says so, naming `what` was not saved."""

    def decorator(view: ViewFunc) -> ViewFunc:
        protected = login_required(view)

        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method == "POST" and not request.user.is_authenticated:
                _keep(request, fields, text_fields, what)
            return protected(request, *args, **kwargs)

        return wrapper

    return decorator


def _keep(request: HttpRequest, fields: tuple[str, ...], text_fields: tuple[str, ...], what: str) -> None:
    writer = request.POST.get("writer", "")
    kept = {name: request.POST.get(name, "") for name in fields}
    if not writer.isdigit() or not any(kept[name].strip() for name in text_fields):
        return
    request.session[SESSION_KEY] = {"writer": int(writer), "path": request.path, "fields": kept}
    messages.warning(
        request,
        f"You were signed out before your {what} was saved. Log in again: what you wrote will be back in the form.",
    )


def take(request: HttpRequest) -> dict[str, str] | None:
    """The text kept for this page and this person, removed from the session; else None.

    Text of someone else (a shared browser) is dropped; the writer's text for another page
    stays until they open that one.
    """
    kept = request.session.get(SESSION_KEY)
    if not isinstance(kept, dict):
        return None
    if kept.get("writer") != request.user.pk:
        del request.session[SESSION_KEY]
        return None
    if kept.get("path") != request.path:
        return None
    del request.session[SESSION_KEY]
    messages.info(request, "Here is what you wrote before you were signed out. It is not saved yet.")
    return {str(name): str(value) for name, value in (kept.get("fields") or {}).items()}
