"""Techniques and exercises from CBT, ACT, DBT, mindfulness and positive psychology, in our own words.

`explanation` completes “…, because it …”. `patterns` are words in a message that make
the technique a good fit (for instance “can't sleep” for worry time), used by the
offline companion's retrieval step.
"""

from __future__ import annotations

from typing import Any

TECHNIQUES: list[dict[str, Any]] = [
    # --- CBT -------------------------------------------------------------------------------
    {
        "slug": "thought-record",
        "name": "Thought record",
        "category": "cbt_technique",
        "summary": "A structured way to slow a painful moment down: the situation, the feelings, the automatic "
        "thought, the evidence on both sides, and a more balanced thought. The classic tool of cognitive therapy.",
        "explanation": "separates what happened from the thoughts about it, so you can look at them one at a time",
        "steps": [
            "Situation: where were you, what was happening?",
            "Feelings: name them and rate each from 0 to 100.",
            "Automatic thought: what went through your mind?",
            "Evidence for the thought.",
            "Evidence against the thought.",
            "A balanced thought that takes all the evidence into account.",
            "Re-rate the feelings.",
        ],
        "questions": [
            "What was the situation: where were you and what was happening?",
            "What did you feel, and how strong was each feeling from 0 to 100?",
            "What thought went through your mind just before the feeling got stronger?",
            "What evidence supports that thought?",
            "What evidence doesn't fit the thought?",
            "Taking all of that into account, what would a more balanced thought be?",
            "How strong are the feelings now, from 0 to 100?",
        ],
        "patterns": [r"\bupset\b", r"\bmood\s+(?:dropped|changed|crashed)\b", r"\bspiral\w*\b"],
        "related": ["evidence-for-and-against", "socratic-questions"],
        "sources": ["beck-1979", "greenberger-padesky-2016", "jbeck-2020"],
    },
    {
        "slug": "evidence-for-and-against",
        "name": "Weighing the evidence for and against",
        "category": "cbt_technique",
        "summary": "Treating a painful thought as a hypothesis rather than a fact, and weighing the evidence on "
        "each side the way a fair judge would.",
        "explanation": "lets you weigh a thought like a fair judge instead of accepting it as a fact",
        "steps": [
            "Write the thought down in one sentence.",
            "List the facts that support it (facts, not feelings).",
            "List the facts that don't fit it.",
            "Write a conclusion that respects both lists.",
        ],
        "questions": [
            "What facts support this thought, as opposed to feelings?",
            "What facts don't fit with this thought?",
            "If a fair judge heard both sides, what would they conclude?",
        ],
        "patterns": [r"\bi'?m\s+sure\b", r"\bobviously\b", r"\bproof\b"],
        "related": ["thought-record", "socratic-questions"],
        "sources": ["greenberger-padesky-2016", "jbeck-2020"],
    },
    {
        "slug": "socratic-questions",
        "name": "Socratic questions",
        "category": "cbt_technique",
        "summary": "Gentle, curious questions that help you discover a new angle yourself, rather than being "
        "told what to think. The aim is guided discovery, not winning an argument.",
        "explanation": "helps you find a new angle yourself instead of being told what to think",
        "steps": [
            "Pick one thought that is bothering you.",
            "Ask what makes it feel true, and what might not fit.",
            "Ask what you would say to a friend who thought it.",
            "Ask what the most helpful way to see it might be.",
        ],
        "questions": [
            "What makes this thought feel so true right now?",
            "Is there another way of looking at this?",
            "What would you say to a close friend who had this thought?",
            "What would be the effect of believing this thought less?",
        ],
        "patterns": [r"\bconfused\b", r"\bdon'?t\s+know\s+what\s+to\s+think\b"],
        "related": ["evidence-for-and-against", "double-standard"],
        "sources": ["padesky-1993", "jbeck-2020"],
    },
    {
        "slug": "decatastrophizing",
        "name": "Decatastrophizing",
        "category": "cbt_technique",
        "summary": "Walking through a feared outcome calmly: how likely it is, what the best, worst and most "
        "likely outcomes are, and how you would cope if the worst happened.",
        "explanation": "looks at the feared outcome directly and finds that it can be faced",
        "steps": [
            "Name the worst thing you fear might happen.",
            "Estimate how likely it really is.",
            "Describe the best and the most likely outcomes.",
            "Plan how you would cope with the worst one.",
        ],
        "questions": [
            "What exactly are you afraid might happen?",
            "Realistically, how likely is that, from 0 to 100 %?",
            "What is the most likely outcome?",
            "If the worst did happen, how could you cope with it?",
        ],
        "patterns": [r"\bwhat\s+if\b", r"\bterrified\b", r"\bdread\w*\b", r"\bpanic\w*\b"],
        "related": ["box-breathing", "worry-time"],
        "sources": ["beck-emery-1985", "jbeck-2020"],
    },
    {
        "slug": "behavioural-activation",
        "name": "Behavioural activation",
        "category": "cbt_technique",
        "summary": "When mood is low we tend to do less, which lowers mood further. Behavioural activation "
        "breaks that loop by planning small, doable activities that bring a sense of pleasure or achievement, "
        "without waiting to feel like it first.",
        "explanation": "lets action come before motivation, which is often how low mood starts to lift",
        "steps": [
            "Notice what you have stopped doing lately.",
            "Pick one small activity that used to give you pleasure or a sense of achievement.",
            "Make it smaller until it feels doable, and schedule it.",
            "Afterwards, rate your mood and your sense of achievement.",
        ],
        "questions": [
            "What is one small thing you used to enjoy that you could do for ten minutes today?",
            "When could you fit that small activity in, and what might get in the way?",
            "After you did something recently, even something small, how did your mood change?",
        ],
        "patterns": [
            r"\bno\s+(?:energy|motivation)\b",
            r"\bcan'?t\s+be\s+bothered\b",
            r"\b(?:stayed|stuck|lying)\s+in\s+bed\b",
            r"\bunmotivated\b",
            r"\bnumb\b",
            r"\bpointless\b",
            r"\blow\s+mood\b",
            r"\bdepress\w*\b",
        ],
        "related": ["values-clarification", "committed-action"],
        "sources": ["martell-2001", "beck-1979"],
    },
    {
        "slug": "worry-time",
        "name": "Worry time",
        "category": "cbt_technique",
        "summary": "Setting aside a short, fixed time each day to worry on purpose, and postponing worries that "
        "come up at other times to that slot. Many people find worries shrink when they are given a place.",
        "explanation": "gives worries a place and a time, so they take up less of the rest of the day",
        "steps": [
            "Choose a daily 15-minute worry slot, not close to bedtime.",
            "When a worry comes up, jot it down and postpone it.",
            "In the slot, go through the list: solve what can be solved.",
            "Let the rest go until tomorrow's slot.",
        ],
        "questions": [
            "What would you write on your worry list right now?",
            "Which of these worries could you act on, and which are outside your control?",
            "When would be a good fifteen-minute worry time for you tomorrow?",
        ],
        "patterns": [
            r"\bworr(?:y|ied|ying|ies)\b",
            r"\bcan'?t\s+(?:sleep|switch\s+off|stop\s+thinking)\b",
            r"\boverthinking\b",
            r"\bracing\s+thoughts\b",
            r"\binsomnia\b",
            r"\bawake\s+at\s+night\b",
        ],
        "related": ["problem-solving", "progressive-muscle-relaxation"],
        "sources": ["borkovec-1983", "watkins-2008"],
    },
    {
        "slug": "double-standard",
        "name": "The double-standard method",
        "category": "cbt_technique",
        "summary": "Most of us are far kinder to friends than to ourselves. This method asks what you would say "
        "to a dear friend in the same situation, and whether you could say it to yourself.",
        "explanation": "borrows the kindness you already show your friends and points it at yourself",
        "steps": [
            "Write down what you are saying to yourself.",
            "Imagine a friend in exactly the same situation.",
            "Write what you would say to them.",
            "Ask whether the same words could apply to you.",
        ],
        "questions": [
            "If a close friend told you this about themselves, what would you say to them?",
            "Why might the words you'd offer a friend apply to you too?",
        ],
        "patterns": [r"\bhate\s+myself\b", r"\bhard\s+on\s+myself\b", r"\bblame\s+myself\b"],
        "related": ["self-compassion-break", "compassionate-letter"],
        "sources": ["burns-1989"],
    },
    {
        "slug": "problem-solving",
        "name": "Structured problem solving",
        "category": "cbt_technique",
        "summary": "Turning a vague worry into a defined problem and working through it step by step: define it, "
        "brainstorm options without judging, weigh them, choose one, try it, review.",
        "explanation": "turns a fog of worry into a concrete next step",
        "steps": [
            "Define the problem in one or two concrete sentences.",
            "Brainstorm every possible option without judging them.",
            "Weigh the pros and cons of the best few.",
            "Choose one, plan the first step, and try it.",
            "Review how it went and adjust.",
        ],
        "questions": [
            "If you defined the problem in one concrete sentence, what would it be?",
            "What are all the options you can think of, even the unlikely ones?",
            "What is the smallest first step you could take?",
        ],
        "patterns": [
            r"\bdon'?t\s+know\s+what\s+to\s+do\b",
            r"\bstuck\b",
            r"\bdecision\b",
            r"\bdeadline\b",
            r"\bbills?\b",
            r"\bdebt\b",
        ],
        "related": ["worry-time", "behavioural-activation"],
        "sources": ["dzurilla-nezu-2010"],
    },
    {
        "slug": "cognitive-defusion",
        "name": "Cognitive defusion",
        "category": "cbt_technique",
        "summary": "From Acceptance and Commitment Therapy: stepping back from a thought so you can see it as "
        "words passing through your mind, rather than the truth or an order. For example: “I'm having the "
        "thought that I'm not good enough.”",
        "explanation": "creates a little distance from a thought without having to argue with it",
        "steps": [
            "Notice a sticky thought.",
            "Put “I'm having the thought that…” in front of it.",
            "Try “I notice I'm having the thought that…”.",
            "Notice whether it loosens its grip, even slightly.",
        ],
        "questions": [
            "What happens if you say the thought again, starting with “I'm having the thought that”?",
            "If this thought were a familiar story your mind tells, what title would you give it?",
        ],
        "patterns": [r"\bcan'?t\s+stop\s+thinking\b", r"\bmy\s+(?:mind|brain)\s+keeps\b", r"\bintrusive\b"],
        "related": ["values-clarification", "grounding-5-4-3-2-1"],
        "sources": ["hayes-2012", "harris-2009"],
    },
    {
        "slug": "opposite-action",
        "name": "Opposite action",
        "category": "cbt_technique",
        "summary": "A skill from Dialectical Behaviour Therapy: when an emotion's urge doesn't fit the facts or "
        "won't help (hiding when ashamed, withdrawing when low), gently doing the opposite of the urge.",
        "explanation": "changes the emotion by changing what you do with its urge",
        "steps": [
            "Name the emotion and its urge.",
            "Check whether the emotion fits the facts and whether acting on it helps.",
            "If not, choose the opposite action.",
            "Do it all the way, and notice what changes.",
        ],
        "questions": [
            "What is the urge that comes with this feeling?",
            "What would acting opposite to that urge look like, in one small step?",
        ],
        "patterns": [r"\bwant\s+to\s+hide\b", r"\bavoid\w*\b", r"\bwithdraw\w*\b", r"\bisolat\w*\b"],
        "related": ["behavioural-activation"],
        "sources": ["linehan-2015"],
    },
    # --- Grounding -------------------------------------------------------------------------
    {
        "slug": "grounding-5-4-3-2-1",
        "name": "5-4-3-2-1 grounding",
        "category": "grounding",
        "summary": "A way back to the present when anxiety or memories pull you away: name five things you see, "
        "four you can touch, three you hear, two you smell and one you taste.",
        "explanation": "brings your attention back to the room you're in through your senses",
        "steps": [
            "Name five things you can see.",
            "Four things you can touch or feel.",
            "Three things you can hear.",
            "Two things you can smell.",
            "One thing you can taste.",
        ],
        "questions": [
            "Would you like to try it now: what are five things you can see around you?",
            "What are four things you can feel, like your feet on the floor or the chair under you?",
            "What are three sounds you can hear right now?",
            "What are two things you can smell, or two smells you like?",
            "What is one thing you can taste right now?",
        ],
        "patterns": [
            r"\banxi\w*\b",
            r"\bpanic\w*\b",
            r"\boverwhelm\w*\b",
            r"\bflashback\w*\b",
            r"\bspinning\b",
            r"\bdissociat\w*\b",
            r"\bunreal\b",
        ],
        "related": ["box-breathing", "body-scan"],
        "sources": ["najavits-2002", "linehan-2015"],
    },
    {
        "slug": "box-breathing",
        "name": "Box breathing",
        "category": "grounding",
        "summary": "Slow, even breathing: in for four counts, hold for four, out for four, hold for four, for a "
        "few rounds. Slow breathing is linked with a calmer nervous system.",
        "explanation": "slows the breath, which signals the body that it is safe to settle",
        "steps": [
            "Breathe in through your nose for a count of four.",
            "Hold gently for four.",
            "Breathe out slowly for four.",
            "Hold for four, and repeat four or five times.",
        ],
        "questions": [
            "Would you like to try four slow rounds of breathing now and notice how your body feels afterwards?",
            "After a few slow breaths, what do you notice in your shoulders, chest or stomach?",
        ],
        "patterns": [
            r"\bheart\s+(?:is\s+)?(?:racing|pounding)\b",
            r"\bcan'?t\s+breathe\b",
            r"\bshort\s+of\s+breath\b",
            r"\btense\b",
            r"\bnervous\b",
            r"\bpanic\w*\b",
            r"\bstress\w*\b",
        ],
        "related": ["progressive-muscle-relaxation", "grounding-5-4-3-2-1"],
        "sources": ["zaccaro-2018"],
    },
    {
        "slug": "progressive-muscle-relaxation",
        "name": "Progressive muscle relaxation",
        "category": "grounding",
        "summary": "Tensing one muscle group for a few seconds, then releasing it and noticing the difference, "
        "moving through the body from feet to face. Helpful for tension and before sleep.",
        "explanation": "teaches the body the difference between tension and letting go",
        "steps": [
            "Sit or lie comfortably.",
            "Tense your feet for about five seconds, then release for ten.",
            "Move up: calves, thighs, stomach, hands, arms, shoulders, face.",
            "Notice the difference between tension and release each time.",
        ],
        "questions": [
            "Where in your body are you holding the most tension right now?",
            "What did you notice when you tensed and then released that part of your body?",
        ],
        "patterns": [
            r"\btense\b",
            r"\btension\b",
            r"\bcan'?t\s+(?:sleep|relax)\b",
            r"\bshoulders\b",
            r"\bjaw\b",
            r"\bheadache\b",
        ],
        "related": ["box-breathing", "body-scan"],
        "sources": ["jacobson-1938", "bernstein-borkovec-1973"],
    },
    {
        "slug": "body-scan",
        "name": "Body scan",
        "category": "grounding",
        "summary": "Moving your attention slowly through the body, noticing sensations without trying to change "
        "them. A core practice of Mindfulness-Based Stress Reduction.",
        "explanation": "practises noticing sensations with curiosity rather than alarm",
        "steps": [
            "Settle into a comfortable position and close your eyes if you like.",
            "Bring attention to your toes, then slowly up through each part of the body.",
            "Notice sensations without judging or changing them.",
            "When the mind wanders, gently bring it back.",
        ],
        "questions": [
            "If you move your attention slowly from your feet to your head, what do you notice along the way?",
            "Where in your body do you notice this feeling most?",
        ],
        "patterns": [r"\bmy\s+body\b", r"\bchest\b", r"\bstomach\b", r"\bknot\b", r"\bexhausted\b"],
        "related": ["progressive-muscle-relaxation", "mindful-pause"],
        "sources": ["kabat-zinn-1990"],
    },
    {
        "slug": "mindful-pause",
        "name": "A mindful pause (STOP)",
        "category": "grounding",
        "summary": "A one-minute pause in a busy or heated moment: Stop, Take a breath, Observe what is happening "
        "in body and mind, then Proceed with what matters.",
        "explanation": "creates a small gap between a trigger and your response",
        "steps": [
            "Stop what you are doing.",
            "Take one slow breath.",
            "Observe: sensations, feelings, thoughts.",
            "Proceed, choosing what to do next.",
        ],
        "questions": [
            "If you paused for one breath right now, what would you notice in your body and mind?",
            "After that pause, what feels like the most helpful next step?",
        ],
        "patterns": [r"\bangry\b", r"\bfurious\b", r"\bsnapped\b", r"\birritable\b", r"\brushed\b", r"\bfrantic\b"],
        "related": ["box-breathing", "opposite-action"],
        "sources": ["stahl-goldstein-2010", "kabat-zinn-1990"],
    },
    # --- Self-compassion --------------------------------------------------------------------
    {
        "slug": "self-compassion-break",
        "name": "Self-compassion break",
        "category": "self_compassion",
        "summary": "Three short steps for a hard moment: acknowledge that this is painful (mindfulness), remember "
        "that struggling is part of being human (common humanity), and offer yourself some kindness.",
        "explanation": "meets a painful moment with the warmth you'd give a friend instead of criticism",
        "steps": [
            "Say to yourself: “This is a moment of suffering.”",
            "Remind yourself: “Struggle is part of life; other people feel this too.”",
            "Place a hand on your heart if that feels right, and offer a kind phrase: “May I be kind to myself.”",
        ],
        "questions": [
            "Could you say to yourself, “this is a hard moment”, and notice how that lands?",
            "Who else might be feeling something like this today?",
            "What kind words would you like to hear right now?",
        ],
        "patterns": [
            r"\bashamed\b",
            r"\bshame\b",
            r"\bembarrass\w*\b",
            r"\bhate\s+myself\b",
            r"\bnot\s+good\s+enough\b",
            r"\bguilt\w*\b",
            r"\bcriticis\w*\s+myself\b",
        ],
        "related": ["compassionate-letter", "loving-kindness"],
        "sources": ["neff-2011", "neff-germer-2018", "neff-2003"],
    },
    {
        "slug": "compassionate-letter",
        "name": "A compassionate letter",
        "category": "self_compassion",
        "summary": "Writing to yourself about something you struggle with, from the point of view of a wise, "
        "kind friend who knows all your flaws and accepts you anyway.",
        "explanation": "lets you hear a warmer voice than your inner critic",
        "steps": [
            "Choose something about yourself you feel bad about.",
            "Imagine a friend who is wise, kind and understanding.",
            "Write to yourself from their point of view.",
            "Read it again later, slowly.",
        ],
        "questions": [
            "If a wise and kind friend wrote to you about this, what would their first sentence be?",
            "What would that friend understand about why this has been hard for you?",
        ],
        "patterns": [r"\bflaw\w*\b", r"\binsecur\w*\b", r"\bnot\s+enough\b", r"\bugly\b"],
        "related": ["self-compassion-break", "double-standard"],
        "sources": ["neff-2011", "gilbert-2010"],
    },
    {
        "slug": "loving-kindness",
        "name": "Loving-kindness practice",
        "category": "self_compassion",
        "summary": "Silently offering warm wishes — may you be safe, may you be well — first to someone easy to "
        "love, then to yourself, then more widely.",
        "explanation": "gently builds warmth towards yourself and others",
        "steps": [
            "Bring to mind someone who easily makes you smile.",
            "Silently wish them: may you be safe, may you be well, may you be at ease.",
            "Offer the same wishes to yourself.",
            "If you like, widen them to others.",
        ],
        "questions": [
            "Who is someone that easily makes you smile, and what would you wish for them today?",
            "How does it feel to offer yourself the same wish?",
        ],
        "patterns": [r"\blonely\b", r"\bresent\w*\b", r"\bbitter\b", r"\bdisconnected\b"],
        "related": ["self-compassion-break", "gratitude-letter"],
        "sources": ["hofmann-2011", "neff-germer-2018"],
    },
    # --- Gratitude and positive emotion -----------------------------------------------------
    {
        "slug": "three-good-things",
        "name": "Three good things",
        "category": "gratitude",
        "summary": "Each evening, writing down three things that went well and why they went well. In a "
        "well-known study, this simple exercise raised happiness for months.",
        "explanation": "trains attention to notice what goes right, not only what goes wrong",
        "steps": [
            "Before bed, write down three things that went well today.",
            "For each, write why it went well.",
            "Small things count: a good coffee, a kind word.",
        ],
        "questions": [
            "What are three things that went well today, however small?",
            "Why do you think that good thing happened, and what was your part in it?",
        ],
        "patterns": [r"\bgood\s+day\b", r"\bwent\s+well\b", r"\bnice\b", r"\bhappy\b", r"\bglad\b"],
        "related": ["savouring", "gratitude-letter"],
        "sources": ["seligman-2005", "emmons-mccullough-2003"],
    },
    {
        "slug": "gratitude-letter",
        "name": "Gratitude letter",
        "category": "gratitude",
        "summary": "Writing a letter to someone who made a difference to you and whom you never properly "
        "thanked — and, if you wish, reading it to them.",
        "explanation": "strengthens connection and lets you feel again the good someone did",
        "steps": [
            "Think of someone whose kindness mattered to you.",
            "Write to them about what they did and how it affected your life.",
            "Be specific.",
            "Decide whether to send it, read it to them, or keep it.",
        ],
        "questions": [
            "Who has made a difference in your life that you've never properly thanked?",
            "What exactly did they do, and how did it change things for you?",
        ],
        "patterns": [r"\bgrateful\b", r"\bthankful\b", r"\bkind\s+to\s+me\b", r"\bhelped\s+me\b", r"\bthank\w*\b"],
        "related": ["three-good-things", "loving-kindness"],
        "sources": ["seligman-2005"],
    },
    {
        "slug": "savouring",
        "name": "Savouring",
        "category": "gratitude",
        "summary": "Deliberately staying with a good moment — noticing it, sharing it, remembering it in "
        "detail — so that it lasts longer and counts for more.",
        "explanation": "helps a good moment last instead of slipping by unnoticed",
        "steps": [
            "Pick a good moment, recent or upcoming.",
            "Slow down and notice the details: sights, sounds, feelings.",
            "Share it with someone, or write it down.",
            "Come back to it later.",
        ],
        "questions": [
            "What did that good moment look, sound and feel like?",
            "Who could you share this with?",
            "What are you looking forward to in the next few days?",
        ],
        "patterns": [r"\bproud\b", r"\bexcited\b", r"\bjoy\w*\b", r"\blovely\b", r"\bwonderful\b", r"\bgreat\b"],
        "related": ["three-good-things", "gratitude-letter"],
        "sources": ["bryant-veroff-2007"],
    },
    # --- Values ----------------------------------------------------------------------------
    {
        "slug": "values-clarification",
        "name": "Values clarification",
        "category": "values",
        "summary": "From Acceptance and Commitment Therapy: naming what you want to stand for — in work, "
        "relationships, health, play — as a compass for choices, especially when things are hard.",
        "explanation": "gives you a direction to move in that doesn't depend on feeling good first",
        "steps": [
            "Pick an area of life: relationships, work, health, learning, play, community.",
            "Ask what kind of person you want to be in it.",
            "Write a few words for each value.",
            "Notice how closely your days match them right now.",
        ],
        "questions": [
            "What matters most to you about this, underneath the difficulty?",
            "What kind of person do you want to be in this situation?",
            "If your values were a compass, which direction would they point you now?",
        ],
        "patterns": [r"\bmeaning\w*\b", r"\bpurpose\b", r"\bdirection\b", r"\bwhat\s+matters\b", r"\blost\b"],
        "related": ["committed-action", "behavioural-activation"],
        "sources": ["hayes-2012", "harris-2009", "wilson-2010"],
    },
    {
        "slug": "committed-action",
        "name": "Committed action",
        "category": "values",
        "summary": "Taking a small, concrete step in the direction of what you care about, while making room for "
        "the uncomfortable feelings that come along.",
        "explanation": "turns a value into something you can do this week",
        "steps": [
            "Choose one value.",
            "Pick a small action that expresses it this week.",
            "Expect some discomfort, and make room for it.",
            "Do it, and notice what happens.",
        ],
        "questions": [
            "What is one small step this week that would move you towards what matters to you?",
            "What feelings might show up when you take that step, and could you make room for them?",
        ],
        "patterns": [r"\bgoal\w*\b", r"\bprocrastinat\w*\b", r"\bputting\s+(?:it\s+)?off\b", r"\bchange\b"],
        "related": ["values-clarification", "behavioural-activation"],
        "sources": ["hayes-2005", "harris-2009"],
    },
]
