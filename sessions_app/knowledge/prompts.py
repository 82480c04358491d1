"""Journaling prompts, each grounded in a named source. `summary` is the prompt itself.

`explanation` completes “…, because it …”; `questions` are follow-ups the companion may
ask once the person has written about the prompt.
"""

from __future__ import annotations

from typing import Any

CATEGORY = "journaling_prompt"


def _prompt(slug: str, name: str, text: str, explanation: str, follow_up: str, *sources: str) -> dict[str, Any]:
    return {
        "slug": f"prompt-{slug}",
        "name": name,
        "category": CATEGORY,
        "summary": text,
        "explanation": explanation,
        "steps": [],
        "questions": [follow_up],
        "patterns": [],
        "related": [],
        "sources": list(sources),
    }


PROMPTS: list[dict[str, Any]] = [
    # Gratitude and savouring
    _prompt(
        "three-good-things",
        "Three good things",
        "What went well today, and what was your part in it?",
        "trains attention to notice what goes right",
        "Which of those good things would you like more of?",
        "seligman-2005",
    ),
    _prompt(
        "grateful-person",
        "Someone to thank",
        "Who is someone you are grateful for this week, and what did they do that mattered to you?",
        "turns attention towards the people who support you",
        "How might you let them know?",
        "emmons-mccullough-2003",
        "seligman-2005",
    ),
    _prompt(
        "small-ordinary-thing",
        "A small, ordinary thing",
        "What is one small, ordinary thing that made today a little easier?",
        "shows how much quiet support everyday life holds",
        "What made you notice it?",
        "emmons-mccullough-2003",
    ),
    _prompt(
        "unsent-thanks",
        "Thanks never said",
        "If you could thank someone you have never properly thanked, what would you want them to know?",
        "lets you feel again the good someone did",
        "What stops you from telling them?",
        "seligman-2005",
    ),
    _prompt(
        "savour-a-moment",
        "A moment worth keeping",
        "Which moment from the past few days would you like to remember? Describe what it looked, sounded and "
        "felt like.",
        "helps a good moment last longer",
        "What made that moment feel the way it did?",
        "bryant-veroff-2007",
    ),
    _prompt(
        "looking-forward",
        "Something to look forward to",
        "What is something you are looking forward to, however small?",
        "lets you enjoy a good thing before it even arrives",
        "How could you make the most of it when it comes?",
        "bryant-veroff-2007",
    ),
    _prompt(
        "quietly-proud",
        "Quietly proud",
        "What is something you did recently that you are quietly proud of?",
        "lets your own efforts count",
        "What does that say about what you are capable of?",
        "bryant-veroff-2007",
    ),
    _prompt(
        "kindness",
        "A kindness",
        "What is a kindness you gave or received recently, and how did it affect you?",
        "notices the acts that connect people",
        "What small kindness could you offer tomorrow?",
        "lyubomirsky-2005",
    ),
    _prompt(
        "connection",
        "Feeling connected",
        "Who did you feel connected to today, and what made that connection possible?",
        "shows what helps you feel close to others",
        "How could you make room for more moments like that?",
        "lyubomirsky-2005",
    ),
    # Strengths, hopes and meaning
    _prompt(
        "best-possible-self",
        "Your best possible self",
        "Imagine it is a year from now and things have gone as well as they realistically could. What does an "
        "ordinary day look like?",
        "makes your hopes concrete enough to move towards",
        "What is one step towards that day you could take this month?",
        "king-2001",
    ),
    _prompt(
        "strength-in-action",
        "A strength in action",
        "When did you use one of your strengths recently — kindness, curiosity, persistence, humour, fairness — "
        "and how did it feel?",
        "reminds you of what you bring to the world",
        "Where else in your life could that strength help?",
        "peterson-seligman-2004",
    ),
    _prompt(
        "strength-new-way",
        "A strength, a new way",
        "How could you use one of your strengths in a new way tomorrow?",
        "puts a strength to deliberate use",
        "What would make that easy to remember tomorrow?",
        "seligman-2005",
        "peterson-seligman-2004",
    ),
    _prompt(
        "meaning-today",
        "A moment of meaning",
        "What gave your day a sense of meaning or purpose, even briefly?",
        "finds purpose in ordinary days",
        "What does that tell you about what matters to you?",
        "frankl-1946",
    ),
    _prompt(
        "learned-today",
        "What today taught you",
        "What did today teach you, about the world or about yourself?",
        "turns experience into understanding",
        "How might you use that lesson?",
        "pennebaker-smyth-2016",
    ),
    _prompt(
        "future-self",
        "To your future self",
        "What would you like your future self to remember about this time in your life?",
        "gives this period a place in your longer story",
        "What would your future self want to tell you now?",
        "pennebaker-smyth-2016",
    ),
    # Expressive writing
    _prompt(
        "unspoken",
        "Something unspoken",
        "What is something that has been weighing on you that you haven't fully put into words? Write your "
        "deepest thoughts and feelings about it, for fifteen minutes, without worrying about spelling.",
        "helps put a burden into words, which can make it easier to carry",
        "How do you feel now, compared with before you started writing?",
        "pennebaker-beall-1986",
        "pennebaker-1997",
    ),
    _prompt(
        "difficult-experience",
        "Looking back on something hard",
        "Think of a difficult experience that still stays with you. What have you learned from it about yourself "
        "or about what matters to you?",
        "helps you make sense of a hard experience",
        "How has that experience shaped the way you handle things now?",
        "pennebaker-smyth-2016",
    ),
    _prompt(
        "name-the-feelings",
        "Name the feelings",
        "What emotions have you felt today? Name them as precisely as you can — “disappointed” or “left out” "
        "rather than just “bad”.",
        "puts feelings into words, which can take some of their intensity away",
        "Which of those feelings is asking for the most attention?",
        "lieberman-2007",
    ),
    _prompt(
        "body-today",
        "Your body today",
        "Where in your body do you notice today's stress or ease, and what is it like?",
        "connects what you feel with where you feel it",
        "What might that part of your body need?",
        "kabat-zinn-1990",
    ),
    # Cognitive prompts
    _prompt(
        "hot-thought",
        "The thought behind the feeling",
        "Think of the last time your mood dropped suddenly. What went through your mind just before?",
        "catches the thought that drives a feeling",
        "How true does that thought seem now, from 0 to 100?",
        "greenberger-padesky-2016",
    ),
    _prompt(
        "evidence",
        "A belief under review",
        "Think of a belief about yourself that brings you down. What evidence doesn't quite fit it?",
        "loosens the grip of a harsh belief",
        "What would a fairer version of that belief sound like?",
        "greenberger-padesky-2016",
    ),
    _prompt(
        "another-angle",
        "Another angle",
        "What is another way of looking at something that bothered you today?",
        "shows that there is usually more than one way to see things",
        "Which way of seeing it is most helpful to you?",
        "jbeck-2020",
    ),
    _prompt(
        "friend-advice",
        "Advice for a friend",
        "What would you say to a good friend who was in your situation right now?",
        "borrows the kindness you already show others",
        "What would it be like to take that advice yourself?",
        "burns-1989",
        "neff-2011",
    ),
    _prompt(
        "concrete-not-why",
        "From why to how",
        "Is there something you keep going over in your mind? Instead of asking why it happened, describe how it "
        "happened, step by step.",
        "moves you from brooding to concrete thinking, which tends to help more",
        "What is one concrete thing you could do differently next time?",
        "watkins-2008",
    ),
    _prompt(
        "story-title",
        "The story your mind tells",
        "What story has your mind been telling you lately? If you gave it a title, what would it be?",
        "helps you see a thought pattern as a story rather than the truth",
        "How does it feel to hold that story a little more lightly?",
        "harris-2009",
        "hayes-2005",
    ),
    # Worry and problems
    _prompt(
        "worry-sort",
        "Sorting worries",
        "What are you worrying about right now? Which of these can you act on, and which are outside your control?",
        "separates what you can change from what you can set down",
        "What is the first small step on the worry you can act on?",
        "borkovec-1983",
        "dzurilla-nezu-2010",
    ),
    _prompt(
        "good-enough-outcome",
        "A good-enough outcome",
        "What problem is on your mind, and what would a good-enough outcome look like?",
        "makes a problem concrete enough to work on",
        "What options do you have for getting there?",
        "dzurilla-nezu-2010",
    ),
    _prompt(
        "set-it-down",
        "Setting it down",
        "What are you carrying from today that you could set down before sleep?",
        "gives worries a place so they don't follow you to bed",
        "When tomorrow could you pick it up again, if you still need to?",
        "borkovec-1983",
    ),
    _prompt(
        "control",
        "Within your control",
        "What is within your control today, and what isn't?",
        "focuses energy where it can make a difference",
        "How could you make some peace with the part you can't control?",
        "linehan-2015",
        "harris-2009",
    ),
    # Self-compassion
    _prompt(
        "kinder-voice",
        "A kinder voice",
        "Where were you hard on yourself this week, and how might a kinder voice describe the same moment?",
        "replaces criticism with understanding",
        "What would change if you spoke to yourself like that more often?",
        "neff-2011",
    ),
    _prompt(
        "common-humanity",
        "You are not alone in this",
        "In what ways is what you are going through something many people also experience?",
        "reminds you that struggle is part of being human",
        "How does it feel to think of those other people?",
        "neff-2003",
    ),
    _prompt(
        "what-you-need",
        "What you need",
        "What do you need most right now, and what is one small way you could give yourself some of it?",
        "turns self-compassion into a concrete act of care",
        "What gets in the way of giving yourself that?",
        "neff-germer-2018",
    ),
    _prompt(
        "thank-your-body",
        "Thanking your body",
        "What has your body done for you today that you might thank it for?",
        "builds appreciation instead of criticism of your body",
        "How could you look after it tomorrow?",
        "neff-germer-2018",
    ),
    _prompt(
        "compassionate-other",
        "Through kind eyes",
        "Imagine someone who loves you unconditionally reading about your week. What would they want you to know?",
        "lets you hear a warmer voice than your inner critic",
        "Which part of their message is hardest to accept?",
        "gilbert-2010",
    ),
    # Values and action
    _prompt(
        "how-you-treat-others",
        "How you want to treat people",
        "What matters most to you in how you treat the people around you?",
        "names a value you can act on every day",
        "When did you live that value recently?",
        "harris-2009",
    ),
    _prompt(
        "life-area",
        "One area of life",
        "Choose one area of life — work, relationships, health, learning, play. What kind of person do you want "
        "to be in it?",
        "gives you a direction that doesn't depend on how you feel",
        "How close are your days to that right now?",
        "wilson-2010",
    ),
    _prompt(
        "small-step",
        "One small step",
        "What is one small step you could take this week towards something you care about?",
        "turns a value into action",
        "What might get in the way, and how could you plan for it?",
        "hayes-2005",
    ),
    _prompt(
        "eightieth-birthday",
        "Your eightieth birthday",
        "Imagine your eightieth birthday. What would you hope the people closest to you say about how you lived?",
        "shows what you most want your life to stand for",
        "What is one way you could live that a little more this week?",
        "hayes-2005",
    ),
    _prompt(
        "put-off",
        "Ten minutes of something",
        "What is one small thing you have been putting off that you could do for ten minutes tomorrow?",
        "lets action come before motivation",
        "How do you expect to feel afterwards?",
        "martell-2001",
    ),
    _prompt(
        "mastery-pleasure",
        "Achievement and enjoyment",
        "Which activities this week gave you a sense of achievement or enjoyment, even a little?",
        "shows which activities lift your mood",
        "How could you fit one more of those into next week?",
        "beck-1979",
        "martell-2001",
    ),
    _prompt(
        "energy",
        "What gives and what drains",
        "What gives you energy, and what drains it? Look back over this week with both in mind.",
        "helps you plan your days around what restores you",
        "What is one small change that would tip the balance?",
        "martell-2001",
    ),
    # Mindfulness and emotions
    _prompt(
        "without-judging",
        "Just as it was",
        "Describe the last few minutes exactly as they were, without judging them: what did you see, hear and feel?",
        "practises noticing without judging",
        "What did you notice that you would usually miss?",
        "kabat-zinn-1990",
    ),
    _prompt(
        "this-moment",
        "Right now",
        "What is happening right now, in this moment, that you might not usually notice?",
        "brings attention back to the present",
        "How does it feel to pause and notice that?",
        "stahl-goldstein-2010",
    ),
    _prompt(
        "wise-mind",
        "Wise mind",
        "If your emotional mind and your reasonable mind sat down together, what would your wise mind say about "
        "what is going on?",
        "brings feeling and reason together",
        "What would your wise mind suggest doing next?",
        "linehan-2015",
    ),
    _prompt(
        "urge",
        "An urge, examined",
        "Is there an urge you are feeling right now — to hide, to snap, to give up? What would acting opposite to "
        "it look like?",
        "changes an emotion by changing what you do with its urge",
        "What would be the smallest version of that opposite action?",
        "linehan-2015",
    ),
    _prompt(
        "ask-for-support",
        "Asking for support",
        "Who could you ask for support this week, and what would you like to ask them for?",
        "makes asking for help concrete",
        "What makes asking hard, and what might make it easier?",
        "linehan-2015",
    ),
]
