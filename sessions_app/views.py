"""Pages: the session list and start form, the chat page, ending a session, the technique library.

Every flow works with plain form posts (post/redirect/get); static/sessions_app/chat.js
only enhances the chat page to post through the API without a reload.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import capfirst
from django.views.decorators.http import require_GET, require_http_methods

from journal_project import unsaved
from journal_project.api.throttles import CompanionRateThrottle
from journal_project.exceptions import Conflict, NotFound
from journal_project.paging import page_number, query_without_page
from sessions_app import selectors, services, summary
from sessions_app.forms import LibrarySearchForm, MessageForm, SessionEndForm, SessionStartForm
from sessions_app.models import ReflectionSession

PAGE_SIZE = 20


def _session_or_404(request: HttpRequest, session_id: int) -> dict:
    try:
        return selectors.session_detail(user=request.user, session_id=session_id)
    except NotFound:
        raise Http404("Session not found.") from None


@login_required
@require_http_methods(["GET", "POST"])
def session_list(request: HttpRequest) -> HttpResponse:
    initial = {"technique": request.GET.get("technique", "")}
    form = SessionStartForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_create(
                user=request.user,
                title=form.cleaned_data["title"],
                technique_slug=form.cleaned_data["technique"] or None,
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            return redirect("sessions_app:detail", session_id=session.pk)
    page = page_number(request)
    data = selectors.session_list(user=request.user, page=page, page_size=PAGE_SIZE)
    return render(
        request,
        "sessions_app/session_list.html",
        {
            "form": form,
            "sessions": data["results"],
            "count": data["count"],
            "page": page,
            "has_next": page * PAGE_SIZE < data["count"],
            "prompt": selectors.prompt_for_today(request.user),
        },
    )


# A message written while the session ended is kept through the login (journal_project/unsaved.py).
@unsaved.login_required_keeping_text("content", text_fields=("content",), what="message")
@require_http_methods(["GET", "POST"])
def session_detail(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session_or_404(request, session_id)
    kept = None if request.method == "POST" else unsaved.take(request)
    form = MessageForm(request.POST or None, initial=kept)
    if request.method == "POST":
        # A refused message is answered with the page itself, not a redirect: a redirect
        # carries no body, so what was typed would be gone (chat.js keeps it in the box).
        throttle = CompanionRateThrottle()
        if not throttle.allow_request(request, None):
            form.add_error(None, "That's a lot of messages in a short time. Please wait a moment and try again.")
            response = _render_chat(request, session, form, status=429)
            wait = throttle.wait()
            if wait is not None:
                response["Retry-After"] = str(max(1, round(wait)))
            return response
        if form.is_valid():
            try:
                services.message_post(user=request.user, session_id=session_id, content=form.cleaned_data["content"])
            except Conflict:
                # Ended in another tab, or set aside while idle: the page has no message box
                # any more, so the text is shown back to copy into a new session.
                messages.error(request, "This session has ended. Start a new one to keep reflecting.")
                session = _session_or_404(request, session_id)
                return _render_chat(request, session, form, status=409, unsent=form.cleaned_data["content"])
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
                return _render_chat(request, session, form, status=400)
            return redirect(reverse("sessions_app:detail", kwargs={"session_id": session_id}) + "#latest")
        return _render_chat(request, session, form, status=400)
    if kept and session["status"] != ReflectionSession.Status.ACTIVE:
        # Kept through a login, for a session that ended meanwhile (a long pause both signs
        # out and sets a session aside): there is no box to put it back in.
        return _render_chat(request, session, form, unsent=kept.get("content", ""))
    return _render_chat(request, session, form)


def _render_chat(
    request: HttpRequest, session: dict, form: MessageForm, status: int = 200, unsent: str = ""
) -> HttpResponse:
    context = {
        "session": session,
        "form": form,
        "is_active": session["status"] == ReflectionSession.Status.ACTIVE,
        # Without JavaScript the page reloads itself until the reply is there, and a reload
        # empties the box: so the box waits too, unless it holds text (a refused post, a
        # message kept through a login), which a reload must never lose.
        "reload_for_reply": session["awaiting_reply"] and not form.is_bound and not (form.initial or {}).get("content"),
        "end_form": SessionEndForm(),
        "unsent": unsent,
        "summary_mood": capfirst(summary.mood_in_words(session["summary"])) if session.get("summary") else "",
    }
    return render(request, "sessions_app/session_detail.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def session_end(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session_or_404(request, session_id)
    form = SessionEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_end(
                user=request.user, session_id=session_id, save_as_entry=form.cleaned_data["save_as_entry"]
            )
        except Conflict:
            messages.info(request, "This session had already ended.")
        else:
            saved = form.cleaned_data["save_as_entry"]
            messages.success(request, "Session ended." + (" The summary is saved in your journal." if saved else ""))
        return redirect("sessions_app:detail", session_id=session_id)
    if session["status"] == ReflectionSession.Status.ENDED:
        return redirect("sessions_app:detail", session_id=session_id)
    return render(request, "sessions_app/session_end.html", {"session": session, "form": form})


@login_required
@require_GET
def library(request: HttpRequest) -> HttpResponse:
    form = LibrarySearchForm(request.GET or None)
    q = category = ""
    if form.is_valid():
        q, category = form.cleaned_data["q"], form.cleaned_data["category"]
    page = page_number(request)
    data = selectors.knowledge_list(q=q, category=category, page=page, page_size=PAGE_SIZE)
    return render(
        request,
        "sessions_app/library.html",
        {
            "form": form,
            "techniques": data["results"],
            "count": data["count"],
            "q": q,
            "page": page,
            "has_next": page * PAGE_SIZE < data["count"],
            "query": query_without_page(request),
        },
    )


@login_required
@require_GET
def technique(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        item = selectors.knowledge_detail(slug=slug)
    except NotFound:
        raise Http404("Technique not found.") from None
    links = selectors.knowledge_links(item["slug"], item["related"])
    return render(request, "sessions_app/technique.html", {"technique": item, **links})
