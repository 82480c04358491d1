from __future__ import annotations

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
