"""Stage 1: crisis and self-harm signals, with negations, quotes and reported speech."""

from __future__ import annotations

import time

import pytest

from sessions_app.companion.safety import assess, check_in_reply, crisis_reply

POSITIVES = [
    "I want to die.",
    "i want to die",
    "I've been thinking about killing myself.",
    "I don't want to live anymore.",
    "I'm not sure I want to live anymore.",
    "Sometimes I think everyone would be better off without me.",
    "I'm going to end my life.",
    "I've been cutting myself again.",
    "I can't stop thinking about suicide.",
    "Feeling suicidal tonight.",
    "I want to hurt myself.",
    "I took too many pills on purpose.",
    "There's no reason for me to go on living.",
    "I wish I could go to sleep and never wake up.",
    "I'm planning how to kill myself.",
    "I would never hurt anyone, but I might hurt myself.",
    "I can't go on like this anymore, I want it all to end.",
    "Im gonna kill myself",
    "I keep self harming when things get bad.",
    "Honestly I think I'd be better off dead.",
    "I keep thinking “I want to die” over and over.",
    "My therapist asked if I want to die and I said yes.",
    "I can’t stop thinking about killing myself.",
]

NEGATIVES = [
    "I would never hurt myself.",
    "I'm not suicidal, just exhausted.",
    "I don't want to hurt myself, I just feel low.",
    "My friend said she wanted to kill herself and I'm worried about her.",
    "He told me, 'I want to die', and I didn't know what to say.",
    'The song goes "I want to die young" and it was stuck in my head.',
    "This traffic is killing me.",
    "I'm dying to see the new film.",
    "I nearly died laughing at that joke.",
    "I killed it at the presentation today!",
    "We watched a documentary about suicide prevention.",
    "I'm not going to kill myself, I promise.",
    "I have never wanted to die.",
    "Reading about the character who wants to die made me think.",
    "My deadline is going to kill me.",
    "I'd never take my own life.",
    "I want to live a fuller life.",
    "I could murder a pizza right now.",
    "I don't want to live with my parents after uni.",
    "I cut myself chopping onions, ouch.",
    "They don't want to live in London anymore.",
    "My sister says she wants to die when she has exams, it's a figure of speech.",
]


# Everyday crisis phrasings a QA pass found unflagged (and so sent to the provider):
# "wanna"/"gonna", jumping, stockpiled pills, texting shorthand.
EVERYDAY_POSITIVES = [
    "I wanna die",
    "i just wanna die lol",
    "I'm planning to jump off the bridge",
    "I have pills saved up and tonight is the night",
    "kms",
    "ugh i want to kms",
    "I'm gonna die tonight, I've decided.",
    "Im ready to die.",
    "I need to die.",
    "I wanna end it.",
    "I've been thinking about ending it.",
    "I'm going to end it tonight.",
    "I don't wanna live anymore.",
    "I'm going to jump off the roof tonight.",
    "Tonight I'll jump off the Golden Gate bridge.",
    "I keep thinking about jumping in front of a train.",
    "I could just step in front of a bus.",
    "I'm going to throw myself off the balcony.",
    "I've been stockpiling my sleeping pills.",
    "I've been saving up paracetamol for weeks.",
    "I have enough pills to end it.",
    "I took the whole bottle of pills.",
    "I'm gonna od tonight.",
    "I want to unalive myself.",
    # A second pass: the means named, pills already taken, wishing not to wake.
    "thinking about slitting my wrists",
    "I want to slit my wrists",
    "I cut my wrists last night",
    "I want to hang myself",
    "I bought a rope to hang myself tonight",
    "I want to shoot myself",
    "life isnt worth living anymore",
    "Life isn't worth living.",
    "I wish I could die",
    "I should just die",
    "I hope I dont wake up tomorrow",
    "I took 30 pills an hour ago",
    "I've swallowed a handful of sleeping pills",
    "I want to be dead",
    "Im done with life",
    "I keep cutting",
    "I started cutting again last week.",
]

# A third pass: phrasings still unflagged (and so sent to the provider) after the first two.
THIRD_PASS_POSITIVES = [
    "I'm planning my suicide.",
    "Everyone would be better off if I was dead.",
    "I think everyone would be happier if I wasn't around.",
    "Nobody would care if I died.",
    "No one would miss me if I was gone.",
    "I have nothing left to live for.",
    "What's the point of living anymore?",
    "What's the point of living like this?",
    "I wish I had never been born.",
    "I wish I was never born.",
    "I want to stop existing.",
    "I want to disappear forever.",
    "I'm tired of living.",
    "I'm so tired of being alive.",
    "I hope I die in my sleep.",
    "I'd rather be dead.",
    "I would rather die than go on like this.",
    "Sometimes I think about dying.",
    "I feel like dying.",
    "I don't see a way out except death.",
    "Death is the only way out.",
    "I've decided to end things.",
    "I'm going to end things tonight.",
    "I just want the pain to stop forever.",
    "I cut my arms last night.",
    "I've got a gun and I'm going to use it on myself.",
    "I want out of this life.",
    "I want to crash my car on purpose.",
    "I keep thinking about driving into oncoming traffic.",
    "No, I want to die.",
    "no i want to kill myself",
    # Slang, misspellings, not waking, deserving.
    "I want to end myself.",
    "thinking of offing myself",
    "i want to k1ll myself",
    "I want to kil myself",
    "I feel so suicdal",
    "I want to go to sleep and not wake up.",
    "I deserve to die.",
    "I don't deserve to live.",
    "I should be dead.",
]

# Contractions: "I'd", "I'm", "they'd", "nobody'd" have no space before the 'd or 'm, and
# the patterns that wrote them as "i\s+'d" missed them (docs/companion.md names "I wish I'd
# never been born" as flagged; it was not).
CONTRACTED_POSITIVES = [
    "I wish I'd never been born.",
    "Sometimes I wish I’d never been born",
    "i wish id never been born",
    "Everyone would be better off if I'm dead.",
    "Everyone would be happier if I'm not around.",
    "They'd be better off if I was dead.",
    "My family would be better off if I'd never been born.",
    "Nobody'd care if I died.",
]

# The same words in everyday, non-crisis use: idioms, phones and plants, break-ups,
# holidays, distances, prescriptions, and the fear of something that has passed.
EVERYDAY_NEGATIVES = [
    "I could die laughing.",
    "I'm going to die of embarrassment.",
    "I'm gonna die if I don't get coffee.",
    "I thought I was going to die on that rollercoaster.",
    "My phone is about to die.",
    "My plants are going to die if I forget to water them again.",
    "That trend needs to die.",
    "The noise is going to die down soon.",
    "I'm not going to die, it's just a cold.",
    "I don't wanna die, I want to get better.",
    "I'm going to end it with him tomorrow.",
    "We want to end it on a high note.",
    "We jumped off the cliff into the sea on holiday.",
    "I jumped off the bus at the wrong stop.",
    "The kids were jumping off the roof of the shed.",
    "I'd never jump off a bridge.",
    "I ran 10 kms today.",
    "The hotel is a few kms from the beach.",
    "kmsl that was hilarious",
    "I collected my pills from the pharmacy.",
    "I put my meds in the weekly organiser.",
    "I'm going to take my tablets tonight.",
    "Tonight is the night! First date.",
    "I'm about to od on coffee.",
    "I really shot myself in the foot with that email.",
    "I took 2 tablets for my headache.",
    "I keep cutting my hair too short.",
    "We kept cutting corners at work.",
    "I'm done with work for today.",
    "I hope I don't wake up late tomorrow.",
    "I should just die my hair blue.",
    # Near the third pass's phrasings.
    "I'd rather die than sing karaoke in front of my boss.",
    "I'm tired of living paycheck to paycheck.",
    "I'm tired of living with my parents.",
    "I'm tired of life in the city, I want to move to the countryside.",
    "What's the point of living in London if you never go out?",
    "There is no point in going on about it.",
    "I want to end things with her before Christmas.",
    "I cut my leg on a rock at the beach.",
    "I wish I had been born in the sixties.",
    "I feel like dying my hair pink.",
    "I hope I die of old age surrounded by grandkids.",
    "Nobody would notice if I left the party early.",
    "Everyone would be happier if I wasn't so grumpy in the mornings.",
    "It'd be easier if I wasn't here for the delivery.",
    "We talked about my suicide prevention training at work.",
    "My friend has nothing to live for, she says, and I'm scared for her.",
    "I want out of this job.",
    "I want to disappear for a weekend.",
    "I drove into a wall in the car park, nobody was hurt.",
    "No, I don't want to die.",
    "No I would never hurt myself.",
    "I'll head off myself later.",
    "I don't deserve to die for one mistake.",
    "The villain deserves to die.",
    "I shouldn't be here, I have an essay due.",
    "I want to sleep and not wake up early for once.",
    "She said she feels suicdal, I'm worried.",
    "They'd be happier if I came to the party.",
    "I'd never been to Rome before.",
]


@pytest.mark.parametrize("text", POSITIVES + EVERYDAY_POSITIVES + THIRD_PASS_POSITIVES + CONTRACTED_POSITIVES)
def test_crisis_signals_are_flagged(text):
    result = assess(text)
    assert result.flagged, text
    assert result.phrase


@pytest.mark.parametrize("text", NEGATIVES + EVERYDAY_NEGATIVES)
def test_negations_quotes_idioms_everyday_uses_and_other_people_are_not_flagged(text):
    assert not assess(text).flagged, (text, assess(text).phrase)


def test_one_flagged_sentence_among_calm_ones_flags_the_message():
    text = "Work was fine. Dinner was nice. But honestly I want to die. Anyway, goodnight."
    assert assess(text).flagged


def test_crisis_reply_lists_every_configured_resource_and_asks_no_question():
    resources = [{"name": "Lifeline", "contact": "call 13 11 14"}, {"name": "Text line", "contact": "text 741741"}]
    reply = crisis_reply(resources)
    assert "Lifeline: call 13 11 14" in reply
    assert "Text line: text 741741" in reply
    assert "emergency" in reply
    assert "?" not in reply  # a fixed, calm message: no probing


def test_default_crisis_resources_work_internationally(settings):
    reply = crisis_reply(settings.CRISIS_RESOURCES)
    assert "findahelpline.com" in reply
    assert "112" in reply
    assert "911" in reply


# Phrasings that need context to read as risk: not a crisis, not an ordinary message
# either. Each gets the check-in question.
CHECK_IN = [
    "I can't go on.",
    "I can't go on like this",
    "honestly i cant carry on",
    "I can't keep going on",
    "I'm such a burden to everyone.",
    "I feel like a burden to my family.",
    "I'm just a burden",
    "I won't be here tomorrow.",
    "I won't be around much longer.",
    "I'm going to jump.",
    "I just want to disappear.",
    "What's the point anymore?",
    "what's even the point of anything",
    "There's no way out.",
    "I can't see any way out.",
    "I've given up on life.",
    "I don't see a future for myself.",
    "Nobody would miss me.",
    "This is goodbye.",
    "I've been giving away my things.",
    "I just want to sleep forever.",
]

CHECK_IN_NEGATIVES = [
    "I can't go on about it all day.",
    "I can't go on holiday this year.",
    "We can't go on with the project until Monday.",
    "I'm going to jump in the pool.",
    "I won't be here tomorrow, I have a dentist appointment.",
    "My mum feels like a burden to us, and I feel guilty about that.",
    "I'm not a burden, I keep reminding myself.",
    "I'm giving away my stuff before the move.",
    "I want to disappear for a weekend in the mountains.",
    "This is goodbye to my old flat.",
    "What's the point of this meeting?",
    "I gave up on the diet.",
]


@pytest.mark.parametrize("text", CHECK_IN)
def test_unclear_phrasings_get_a_check_in_not_a_crisis_reply(text):
    result = assess(text)
    assert result.check_in, text
    assert not result.flagged
    assert result.needs_safety_reply
    assert result.level == "check_in"


@pytest.mark.parametrize("text", CHECK_IN_NEGATIVES + NEGATIVES + EVERYDAY_NEGATIVES)
def test_everyday_uses_of_the_check_in_phrasings_are_ordinary_messages(text):
    result = assess(text)
    assert not result.needs_safety_reply, (text, result.phrase)


def test_a_crisis_phrasing_outranks_a_check_in_in_the_same_message():
    assert assess("I can't go on. I want to kill myself.").flagged


@pytest.mark.parametrize(
    "answer",
    [
        "yes",
        "Yeah.",
        "yes, sometimes",
        "Sometimes",
        "maybe",
        "I don't know",
        "idk",
        "kind of",
        "I think so",
        "I'm not sure",
        "a bit, lately",
        "It crossed my mind",
    ],
)
def test_anything_but_a_clear_no_to_the_check_in_is_a_crisis(answer):
    assert assess(answer, after_check_in=True).flagged
    assert not assess(answer).needs_safety_reply  # the same words anywhere else are ordinary


@pytest.mark.parametrize(
    "answer",
    [
        "No",
        "no, it's just work",
        "Nope.",
        "Not really, I'm just exhausted",
        "I'm okay, just tired",
        "No I would never",
        "It's about my job, it's too much",
    ],
)
def test_a_clear_no_to_the_check_in_is_an_ordinary_message(answer):
    assert not assess(answer, after_check_in=True).needs_safety_reply


def test_check_in_reply_asks_one_direct_question_beside_the_resources():
    reply = check_in_reply([{"name": "Lifeline", "contact": "call 13 11 14"}])
    assert "ending your life" in reply
    assert "Lifeline: call 13 11 14" in reply
    assert "emergency" in reply
    assert check_in_reply("not a list").count("findahelpline.com") == 1  # never without somewhere to turn


@pytest.mark.parametrize(
    "text",
    ['"a' * 2_500, " 'a'" * 1_250, 'he said "a' * 500, "she told me 'no' " * 294],
    ids=["quotation marks", "single quotes", "reported", "told me"],
)
def test_a_message_of_quotations_is_read_in_linear_time(text):
    # What came before each quotation was read again from the sentence's start: a
    # 5,000-character message of quotation marks took 5 s, in the request that posts it.
    started = time.perf_counter()
    assert not assess(text[:5_000]).needs_safety_reply
    assert time.perf_counter() - started < 1  # 2.7 s before (twice per message); about 0.03 s now


def test_a_quotation_after_many_others_is_still_attributed():
    # The speaker and the nearest subject carried over from one quotation to the next.
    assert assess('He said "ok" and "fine" and then "I want to die".').needs_safety_reply is False
    assert assess('I said "ok" and "fine" and then "I want to die".').flagged
    assert assess('He told me "ok", "fine", "I want to die".').needs_safety_reply is False
