from __future__ import annotations

import re

from sessions_app.summary import entry_body, summarize


def message(role, content, sentiment=None, themes=(), technique=None, name=None):
    return {
        "role": role,
        "content": content,
        "sentiment": sentiment,
        "analysis": {"themes": list(themes)},
        "technique": technique,
        "technique_name": name,
    }


def test_summary_has_themes_techniques_and_mood_shift():
    messages = [
        message("companion", "Hello. What's on your mind?"),
        message("user", "Work is awful.", -0.6, ["work"]),
        message("companion", "Try box breathing.", technique="box-breathing", name="Box breathing"),
        message("user", "My boss and the deadline.", -0.2, ["work", "stress"]),
        message("user", "I feel a bit better now.", 0.4, []),
    ]
    summary = summarize(messages)
    assert summary["themes"][0] == "work"
    assert summary["techniques"] == [{"slug": "box-breathing", "name": "Box breathing"}]
    assert summary["mood"] == {"first": -0.6, "last": 0.4, "shift": 1.0, "direction": "lighter"}
    assert "lighter tone" in summary["text"]
    assert summary["message_count"] == 3
    assert summary["crisis_support"] is False
    assert "Support" not in summary["text"]


def test_a_session_that_had_the_crisis_reply_says_so_first():
    """Its summary said only "a lighter tone by the end", as if that moment had not happened."""
    crisis = message("user", "I want to die.", -0.8)
    crisis["analysis"]["safety"] = "crisis"
    messages = [message("companion", "Hello."), crisis, message("user", "Thanks, I'm safe.", 0.6)]
    summary = summarize(messages)
    assert summary["crisis_support"] is True
    assert summary["text"].startswith("**Support:** crisis support lines were shared in this session.")
    check_in = message("user", "I can't go on.", -0.5)
    check_in["analysis"]["safety"] = "check_in"  # answered "no, it's just work": no crisis reply
    assert summarize([check_in, message("user", "No, it's just work.")])["crisis_support"] is False


def test_summary_of_an_empty_session():
    summary = summarize([message("companion", "Hello.")])
    assert summary["mood"] is None
    assert summary["themes"] == []
    assert summary["techniques"] == []


def test_entry_body_has_the_summary_and_the_conversation():
    messages = [message("user", "Hi there", 0.1), message("companion", "Hello.")]
    body = entry_body(summarize(messages), messages)
    assert body.startswith("**Themes:**")
    assert "**Me:** Hi there" in body
    assert "**Companion:** Hello." in body


TYPED = [
    "<b>b</b> and <script>alert(1)</script> and <!-- a comment --> and <https://example.test>",
    "*not italic*, __not bold__, `not code`, [not a link](https://example.test) and ![no image](x.png)",
    "# not a heading",
    "first line\n- not a list\n+ nor this\n* nor this\n1. nor a numbered one\n> not a quote",
    "a title?\n===\nand another\n---\n~~~\nnot a fence\n~~~",
    "a | b\n--|--\n1 | 2",
    # Lists interrupt a paragraph (entries.rendering), and `1)` is an ordered item too.
    "I did\n1) not a list\n2) nor this\n\n1) nor after a blank line\n- nor a bullet",
    "back\\slash, &amp; an entity, &#60; a numbered one, I <3 you & me, 2 > 1",
    "        indented, not code",
]


def _shown_text(html: str) -> str:
    """The text a browser shows for `html`: tags dropped, entities decoded, spaces collapsed."""
    import html as html_module

    return " ".join(html_module.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_saved_conversation_shows_exactly_what_was_typed():
    from entries.rendering import render_markdown

    messages = [message("user", text) for text in TYPED] + [message("companion", "Try *this*: <breathe>.")]
    html = render_markdown(entry_body(summarize(messages), messages))
    shown = _shown_text(html)
    for text in TYPED:
        assert " ".join(text.split()) in shown, text
    assert "Try *this*: <breathe>." in shown
    # Nothing of it became markup: the only tags are the entry's own (speaker labels in bold,
    # the heading over the conversation, paragraphs and line breaks).
    assert set(re.findall(r"<(\w+)", html)) <= {"p", "strong", "h2", "br"}
    assert html.count("<h2>") == 1


def test_a_conversation_too_long_for_one_entry_is_kept_from_its_start_with_a_note():
    summary = {"text": "**Themes:** work"}
    messages = [message("user" if i % 2 else "companion", f"Message {i}. " + "word " * 1000) for i in range(40)]
    body = entry_body(summary, messages, limit=20_000)
    assert len(body) <= 20_000
    assert body.startswith("**Themes:** work")
    assert "Message 0." in body
    assert "Message 39." not in body
    kept = body.count("Message ")
    assert body.endswith(f"*…and {40 - kept} more messages, kept in the session (too long for one entry).*")
    # What fits is whole: no message is cut in the middle.
    assert body.count("word") == kept * 1000


def test_a_conversation_that_fits_has_no_note():
    body = entry_body({"text": "Summary"}, [message("user", "Short.")], limit=200)
    assert "kept in the session" not in body
