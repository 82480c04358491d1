"""Stage 1: does a message signal crisis or self-harm?

Errs on the side of caution: an unclear case is flagged, because a kind message with
crisis resources costs little when it was not needed, and missing a real signal costs a
great deal. Three things are *not* treated as the writer's own crisis:

* a clear negation governing the phrase (“I would never hurt myself”, “I'm not suicidal”),
  but not one that leaves it standing (“I can't stop thinking about killing myself”);
* words inside quotation marks attributed to someone or something else (“He told me,
  'I want to die'”, “the song goes 'I want to die young'”); a person quoting their own
  thought (“I keep thinking 'I want to die'”) is flagged;
* a phrase whose nearest subject is a third person (“my friend says she wants to die”).

The reply to a flagged message is fixed (`crisis_reply`), never generated, and the
message is never sent to an outside provider.

Between the two sits a check-in: phrasings that need context to read as risk ("I can't
go on", "I'm such a burden", "I just want to disappear") get a fixed, direct question
(`check_in_reply`) with the resources beside it, and the next message is read as its
answer: anything but a clear no is a crisis. They never go to a provider either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sessions_app.companion.text import normalize, sentences, tokens

# Phrases that carry the risk on their own; the ones naming "myself"/"my life" are
# first-person by construction, the others are checked for their subject.
_FIRST_PERSON_CORES = [
    r"\bkill(?:ing)?\s+myself\b",
    r"\bend(?:ing)?\s+(?:it\s+all|my\s+(?:own\s+)?life)\b",
    r"\btak(?:e|ing)\s+my\s+(?:own\s+)?life\b",
    # Not a kitchen accident: "I cut myself chopping onions", "burnt myself on the oven".
    r"\b(?:hurt|harm|cut|burn|starv)\w*\s+myself\b"
    r"(?!\s+(?:shaving|while|on\s+(?:a|an|the|some)|by\s+accident|accidentally|cooking|chopping|slicing))",
    r"\bbetter\s+off\s+without\s+me\b",
    # Not "no point in going on about it".
    r"\bno\s+(?:reason|point)\s+(?:for\s+me\s+)?(?:to|in)\s+(?:live|living|go(?:ing)?\s+on|be(?:ing)?\s+alive)\b"
    r"(?!\s+(?:about|with|at|and\s+on)\b)",
    r"\bwant\s+(?:it\s+all|everything|my\s+life|this)\s+to\s+(?:end|stop|be\s+over)\b",
    r"\bcan'?t\s+go\s+on\s+(?:living|any\s?more|any\s+longer)\b",
    r"\bcan'?t\s+go\s+on\s+like\s+this\s+any\s?more\b",
    r"\bmy\s+suicide\s+note\b",
    r"\bunaliv(?:e|ing)\s+myself\b",
    # The means, named: not the idiom "shot myself in the foot".
    r"\b(?:hang|shoot|stab|drown|poison|suffocate|electrocute|gas)(?:ing|ed)?\s+myself\b"
    r"(?!\s+in\s+the\s+foot\b)",
    r"\bhung\s+myself\b|\bshot\s+myself\b(?!\s+in\s+the\s+foot\b)",
    r"\b(?:slit|slitting|slic(?:e|ed|ing)|slash(?:ed|ing)?|cut(?:ting)?)\s+(?:open\s+)?my\s+wrists?\b",
    r"\blife\s+(?:is\s*n'?t|isnt|is\s+not|ain'?t)\s+worth\s+living\b",
    r"\bwish\s+i\s+(?:could|would|was\s+able\s+to)\s+(?:just\s+)?(?:die|stop\s+existing|not\s+exist)\b",
    r"\bi\s+(?:should|might\s+as\s+well|may\s+as\s+well)\s+(?:just\s+)?die\b(?!\s+(?:of|from|laughing|my|your|it|the|them)\b)",
    r"\b(?:hope|wish|pray)\s+i\s+(?:don'?t|do\s+not|never|won'?t|will\s+not)\s+wake\s+up\b(?!\s+(?:late|early|in\s+time|on\s+time|too|before|after)\b)",
    r"\bi(?:'?m|\s+am)\s+(?:so\s+|just\s+)?(?:done|finished)\s+with\s+(?:life|living|being\s+alive|it\s+all)\b",
    # A third pass: wishing never to have been born or not to be alive, hoping to die in
    # one's sleep, a weapon turned on oneself, wanting out of life, the means already
    # bought, self-harm to the body named (not "cut my leg on a rock").
    # "I'd" has no space before its 'd ("i\s+'d" never matched "I'd never been born").
    r"\bwish\s+i(?:\s+(?:was|were|had)|'?d)\s+never\s+(?:been\s+)?born\b",
    r"\bwish\s+i\s+(?:was|were)(?:n'?t|\s+not)\s+(?:alive|here\s+any\s?more)\b",
    r"\b(?:hope|wish|pray)\s+i\s+(?:just\s+)?(?:die|don'?t\s+survive|get\s+(?:hit|killed))\b"
    r"(?!\s+(?:of|from|laughing|before\s+i\s+get\s+old)\b)",
    r"\b(?:use|turn|point)\s+(?:it|the\s+(?:gun|knife|blade)|a\s+(?:gun|knife|blade))\s+on\s+myself\b",
    r"\bwant\s+out\s+of\s+(?:this\s+|my\s+)?(?:life|world|existence)\b",
    r"\bmy\s+(?:own\s+)?suicide\b(?!\s+(?:prevention|awareness|research|training|hotline|helpline|risk\s+assessment)\b)",
    r"\b(?:cut|cutting|carv(?:e|ed|ing))\s+(?:into\s+)?my\s+(?:arms?|thighs?|skin|stomach|legs?)\b"
    r"(?!\s+(?:on|while|when|by\s+accident|accidentally|shaving|falling)\b)",
    r"\b(?:i'?d|i\s+would)\s+(?:much\s+|honestly\s+|really\s+)?rather\s+(?:just\s+)?(?:be\s+dead|die)\b"
    r"(?!\s+(?:of|from|laughing)\b)"
    r"(?!\s+than\s+(?!(?:go|going|keep|keeping|live|living|carry|carrying|feel|feeling|be\s+alive|continue|"
    r"wake|face|spend\s+(?:another|one\s+more)\s+day)\b))",
    r"\b(?:everyone|everybody|people|they|my\s+family|the\s+world)(?:'d)?(?:\s+\w+){0,3}\s+(?:better\s+off|happier|"
    r"easier)\s+(?:if|when|once)\s+i(?:(?:\s+(?:was|were|am)|'?m)\s+(?:dead|gone\s+for\s+good|not\s+(?:here|around|alive))|"
    r"\s+(?:was|were)(?:n'?t)\s+(?:here|around|alive)|\s+died|\s+killed\s+myself|\s+didn'?t\s+exist|\s+never\s+existed|"
    r"(?:\s+had|'?d)\s+never\s+been\s+born)\b(?!\s+(?:for|to|at|on|this|next|tomorrow|tonight|when|in)\b)",
    r"\b(?:no\s*(?:one|body)|nobody)(?:\s+(?:would|will)|'d)\s+(?:even\s+)?(?:care|notice|miss\s+me)\s+if\s+i\s+"
    r"(?:died|was\s+dead|were\s+dead|was\s+gone|were\s+gone|killed\s+myself|disappeared\s+for\s+good|"
    r"(?:was|were)(?:n'?t)\s+(?:here|around|alive)\s*$)",
    # Slang and spellings: "off myself", "end myself", "k1ll myself", "suicdal"; sleeping
    # and not waking; deserving to die, not deserving to live.
    r"\b(?:want\s+to|wanna|going\s+to|gonna|about\s+to|(?:think(?:ing)?|thought)\s+(?:about|of)|should|might|"
    r"could|will|'ll|gotta|need\s+to)\s+(?:just\s+)?(?:off|end)\s+myself\b",
    r"\b(?:offing|ending)\s+myself\b",
    r"\bk[i1!]l{1,2}\s+my\s?self\b",
    r"\b(?:sleep|go\s+to\s+sleep|fall\s+asleep)\s+and\s+(?:not|never)\s+wake\s+up\b"
    r"(?!\s+(?:late|early|in\s+time|on\s+time|too|before|after|until|till)\b)",
    r"\bi\s+(?:really\s+|just\s+|probably\s+|honestly\s+)?deserve\s+to\s+die\b",
    r"\bi\s+(?:don'?t|do\s+not|no\s+longer)\s+deserve\s+to\s+(?:live|be\s+alive|exist)\b",
    r"\bi\s+should\s+(?:just\s+)?be\s+dead\b",
    r"\bi\s+(?:should\s*n'?t|should\s+not)\s+(?:even\s+)?(?:exist|be\s+alive)\b",
    # Self-harm going on, without "myself": not cutting hair, corners or classes.
    r"\b(?:keep|kept|started|start|been)\s+cutting\b(?!\s+(?:the|a|an|my\s+(?:hair|nails|fringe)|back|down|"
    r"corners|costs|in|out|off|through|it|them|things|people|class(?:es)?|school|work|ties|sugar|carbs)\b)",
    # Meaning to die, with the writer named as the subject: "going to die" and "about to
    # die" are said of phones, plants and deadlines ("my phone is about to die") as often
    # as of oneself. Not the idioms ("I'm gonna die of embarrassment", "…if I don't get
    # coffee") nor a fear that has passed ("I thought I was going to die").
    r"\bi(?:'?m|\s+am|'?ll|\s+will|\s+just|\s+really)?\s+"
    r"(?:(?:just|probably|really|actually|honestly|definitely|literally|seriously)\s+)?"
    r"(?:going\s+to|gonna|about\s+to|ready\s+to|need\s+to)\s+(?:just\s+)?die\b"
    r"(?!\s+(?:of|from|laughing|someday|some\s+day|one\s+day|eventually|anyway|if|when|before|in\s+(?:this|that)|"
    r"down|out|off|back|away)\b)",
    # "kms" is texting shorthand for "kill myself", but also a plural of km ("5 kms",
    # "a few kms away"): a number or a quantity word before it, or a distance word after
    # it, reads as distance.
    r"(?<!\d)(?<!\d\s)(?<!few\s)(?<!many\s)(?<!several\s)(?<!some\s)(?<!the\s)(?<!more\s)(?<!of\s)\bkms\b"
    r"(?!\s*(?:away|from|of|per|an?\s+hour|later|further|long|to\s+go)\b)",
]
_SUBJECT_CORES = [
    # "…don't want to live" but not "…don't want to live with my parents".
    r"\b(?:don'?t|do\s+not|no\s+longer)\s+(?:want\s+to|wanna)\s+(?:live|be\s+alive|exist|be\s+here|wake\s+up)\b"
    r"(?!\s+(?:in|with|there|near|at|on|like|abroad|alone|together|somewhere|here|by|next))",
    r"\b(?:want\s+to|wanna)\s+(?:live|be\s+alive|be\s+here|exist|go\s+on)\s+any\s?(?:more|longer)\b",
    # Wanting to die, however it is spelt ("wanna"); not "want to die down".
    r"\b(?:want(?:s|ed)?\s+to|wanna)\s+(?:just\s+)?die\b(?!\s+(?:down|out|off|back|away)\b)",
    # "…end it" without "all" is a break-up or a meeting as often as a life: not when
    # what ends is named ("end it with him", "end it on a high note", "end it early").
    r"\b(?:want(?:s|ed)?\s+to|wanna|going\s+to|gonna|about\s+to|ready\s+to|decided\s+to|plann?(?:ing)?\s+to|"
    r"think(?:ing)?\s+(?:about|of))"
    r"\s+(?:just\s+)?end(?:ing)?\s+(?:it|things)\b"
    r"(?!\s+(?:with|between|there|early|on\s+a|for\s+(?:him|her|them|us)|and\s+(?:move|start)))",
    # Jumping from a height or in front of traffic; "jumped off the bus" and "jumped off
    # the cliff into the sea" are everyday, so neither a vehicle to jump *off* nor a
    # landing in water counts.
    r"\b(?:jump(?:s|ed|ing)?|leap(?:s|t|ed|ing)?|throw(?:s|ing)?\s+myself|threw\s+myself|step(?:s|ped|ping)?)\s+"
    r"(?:(?:off|from)\s+(?:(?:a|an|the|this|that|my|our)\s+)?(?:[\w'-]+\s+){0,2}"
    r"(?:bridge|building|roof(?:top)?|balcony|cliff|tower(?:\s+block)?|car\s+park|parking\s+(?:garage|structure|deck)|"
    r"overpass|flyover|ledge)|"
    r"out\s+(?:of\s+)?(?:a|the|my)\s+(?:\w+\s+)?window|"
    r"(?:in\s+front\s+of|under)\s+(?:a|an|the)\s+(?:\w+\s+)?(?:train|bus|lorry|truck|car|tube|subway|tram))\b"
    r"(?!\s+in(?:to)?\s+(?:the\s+)?(?:sea|water|lake|river|pool|ocean|waves?)\b)",
    r"\bwalk(?:ing)?\s+(?:out\s+)?into\s+(?:the\s+)?(?:traffic|the\s+sea)\b",
    r"\bwish(?:ed)?\s+(?:i\s+(?:was|were)\s+dead|to\s+die)\b",
    r"\b(?:want(?:s|ed)?\s+to|wanna)\s+be\s+dead\b",
    r"\b(?:slit|slitting|cut(?:ting)?)\s+(?:his|her|their|the)?\s*wrists?\b",
    # Already taken, in a number no dose comes in: "took 30 pills" (not "took 2 tablets").
    r"\b(?:took|taken|swallow(?:ed|ing)?)\s+(?:[1-9]\d+|a\s+handful\s+of|handfuls\s+of|all\s+(?:of\s+)?(?:my|the))\s+"
    r"(?:\w+\s+)?(?:pills|tablets|meds|painkillers|paracetamol|sleeping\s+pills)\b",
    # A third pass: nothing to live for, tired of living, the point of going on, death as
    # the way out, thinking of dying, wanting to stop existing, plans, and the pain to
    # stop for good. Not "tired of living with my parents" or "paycheck to paycheck".
    r"\b(?:nothing|no\s*one|nobody)\s+(?:left\s+)?to\s+live\s+for\b",
    r"\b(?:tired|sick|weary)\s+(?:and\s+tired\s+)?of\s+(?:living|being\s+alive|existing|life)\b"
    r"(?!\s+(?:in|with|at|on|here|there|as|like|paycheck|pay\s*check|out|off|alone|under|from|for|so|near|"
    r"abroad|by|without|of|to)\b)",
    r"\b(?:(?:what'?s|what\s+is|i\s+don'?t\s+see|i\s+can'?t\s+see)\s+the|(?:there'?s|there\s+is|i\s+see)\s+no)\s+point\s+"
    r"(?:of|in)\s+(?:living|going\s+on|being\s+alive|existing|carrying\s+on|trying\s+to\s+live)\b"
    r"(?!\s+(?:in|with|here|there|near|at|abroad|so|if|on|together|alone|about|to)\b)",
    r"\b(?:death|dying|suicide|killing\s+myself)\s+(?:is|seems|feels)\s+(?:like\s+)?(?:the|my)\s+only\s+"
    r"(?:way\s+out|option|answer|solution|escape|choice|way\s+to\s+make\s+it\s+stop)\b",
    r"\bway\s+out\s+(?:but|except|other\s+than|apart\s+from|besides)\s+(?:death|dying|suicide|to\s+die|killing)\b",
    r"\b(?:feel(?:s|ing)?\s+like|think(?:s|ing)?\s+(?:about|of)|thoughts\s+(?:about|of)|dream(?:s|ing)?\s+(?:about|of)|"
    r"fantasi[sz](?:e|es|ing)\s+about)\s+(?:just\s+)?(?:dying|being\s+dead|not\s+being\s+(?:here|alive|around)|"
    r"not\s+existing|not\s+waking\s+up)\b(?!\s+(?:my|your|her|his|their|the|it|them|of|from|in\s+(?:a|the)\s+"
    r"(?:film|movie|book|game))\b)",
    r"\b(?:want(?:s|ed)?\s+to|wanna|wish\s+i\s+could|would\s+like\s+to)\s+(?:just\s+)?(?:stop\s+existing|"
    r"cease\s+to\s+exist|not\s+exist|disappear\s+(?:forever|for\s+good|permanently))\b",
    r"\bplann?(?:ing|ed)\s+(?:my|a|the)\s+(?:own\s+)?(?:suicide|death|overdose)\b",
    r"\b(?:want|need)\s+(?:it|the\s+pain|everything|this|it\s+all|the\s+hurting)\s+to\s+(?:end|stop)\s+"
    r"(?:forever|for\s+good|permanently)\b",
    r"\b(?:want\s+to|wanna|going\s+to|gonna|about\s+to|think(?:ing)?\s+(?:about|of)|tempted\s+to|could\s+just)\s+"
    r"(?:just\s+)?(?:crash(?:ing)?|driv(?:e|ing)|steer(?:ing)?|swerv(?:e|ing))\s+(?:my\s+car\s+|the\s+car\s+)?(?:into\s+(?:oncoming\s+traffic|"
    r"(?:a|the)\s+(?:wall|tree|lorry|truck))|off\s+(?:a|the)\s+(?:cliff|bridge|road))\b",
    r"\bcrash\w*\s+(?:my|the)\s+car\s+on\s+purpose\b",
    r"\bs(?:ui|iu|u)c(?:i|ie)?d(?:al|le|el)\b",  # "suicdal", "sucidal", "suicidle"
    r"\bsuicidal\b",
    r"\bsuicid(?:e|al)\s+(?:thoughts?|plans?|notes?|attempt)\b",
    r"\b(?:thinking|thoughts)\s+(?:about|of)\s+suicide\b",
    r"\b(?:attempt(?:ed|ing)?|commit(?:ted|ting)?)\s+suicide\b",
    r"\bself[-\s]?harm(?:s|ing|ed)?\b",
    r"\bbetter\s+off\s+dead\b",
    r"\boverdos(?:e|ed|ing)\b",
    r"\b(?:took|take|taking)\s+(?:a\s+lot\s+of|too\s+many|all\s+(?:of\s+)?my|loads\s+of)\s+(?:pills|tablets|meds)\b",
    # Pills swallowed all at once, or stockpiled: the means of an overdose, kept ready.
    r"\b(?:took|take|taking|swallow(?:s|ed|ing)?)\s+(?:the\s+whole|a\s+whole|an?\s+entire)\s+"
    r"(?:bottle|box|packet|pack|strip)\s+of\s+(?:my\s+|the\s+|\w+\s+)?(?:pills|tablets|meds|painkillers|paracetamol)\b",
    # Not a prescription collected or a weekly pill organiser: saving *up*, stockpiling,
    # hoarding, stashing.
    r"\b(?:stockpil(?:e|ed|ing)|hoard(?:s|ed|ing)?|stash(?:es|ed|ing)?|"
    r"sav(?:e|ed|ing)(?=\s+(?:up|enough|all|a\s+lot|lots|loads)\b))\s+(?:up\s+)?"
    r"(?:(?:enough|all|a\s+lot\s+of|lots\s+of|loads\s+of|some|of|my|these|the|those|\d+)\s+)*(?:(?:sleeping|old)\s+)?"
    r"(?:pills|tablets|meds|medication|painkillers|paracetamol)\b",
    r"\b(?:pills|tablets|meds|medication|painkillers|paracetamol)\s+(?:[\w'-]+\s+){0,2}"
    r"(?:saved|stockpiled|hoarded|stashed)\b",
    r"\benough\s+(?:pills|tablets|meds|medication|painkillers|paracetamol)\s+to\s+(?:kill|end|die|do\s+it|not\s+wake)\b",
    r"\b(?:want\s+to|wanna|going\s+to|gonna|plann?(?:ing|ed)?\s+to|about\s+to)\s+(?:just\s+)?od\b"
    r"(?!\s+on\s+(?:coffee|caffeine|sugar|chocolate|cake|sweets|candy|tv|netflix)\b)",
    r"\bsewer\s?slide\b",
    r"\bnever\s+wake\s+up\b",
    r"\bplann?(?:ing|ed)?\s+(?:to|how\s+to)\s+(?:kill|end)\b",
]
# Phrasings that need context to read as risk: "I can't go on" ends a sentence about a
# job as often as one about a life, and feeling a burden to others is one of the best
# known warning signs without being a statement of intent. The companion neither treats
# them as a crisis nor answers them as usual: it asks, directly and kindly, whether the
# person is thinking of ending their life (asking does not put the idea there), with the
# resources beside the question, and reads the answer with `after_check_in`. Checked for
# their subject and negation like the crisis phrasings ("my mum feels like a burden",
# "I'm not a burden").
_CHECK_IN_CORES = [
    r"\bcan'?t\s+(?:go|keep\s+going|carry)\s+on\b"
    r"(?!\s+(?:about|with|talking|like\s+that|and\s+on|for|to|at|in|holiday|vacation|the|a|an|without|until|till|"
    r"if|unless|working|doing|ignoring|pretending)\b)",
    r"\bi(?:'?m|\s+am)\s+(?:(?:just|only|always|such|nothing\s+but|really|so|becoming|a\s+(?:huge|big|massive|total))\s+)*"
    r"(?:a\s+)?burden\b",
    r"\b(?:feel|feels|felt|feeling)\s+(?:like\s+)?(?:i'?m\s+|i\s+am\s+)?"
    r"(?:(?:just|only|always|such|nothing\s+but|so\s+much\s+of|a\s+(?:huge|big|massive|total))\s+)*(?:a\s+)?burden\b",
    r"\bwon'?t\s+be\s+(?:here|around)\s+(?:much\s+longer|for\s+(?:much\s+)?longer|for\s+long|tomorrow|next\s+week)"
    r"\s*(?:any\s*way)?[.!]*\s*$",
    r"\b(?:going\s+to|gonna|about\s+to|want\s+to|wanna)\s+(?:just\s+)?jump\s*[.!]*\s*$",
    r"\b(?:want\s+to|wanna|wish\s+i\s+could|would\s+like\s+to)\s+(?:just\s+)?disappear\b"
    r"(?!\s+(?:for\s+(?:a|the|an)\b|into|to|on|under|in\s+(?:a|the)|from\s+(?:work|the\s+office|social|the\s+party)|"
    r"with|somewhere|abroad|off))",
    r"\b(?:what'?s|what\s+is)\s+(?:even\s+)?the\s+point\s+(?:of\s+(?:anything|it\s+all|me|trying|any\s+of\s+it)|"
    r"any\s?more)\b",
    r"\b(?:there'?s|there\s+is|i\s+see)\s+no\s+way\s+out\b|\b(?:can'?t|don'?t|cannot)\s+see\s+(?:a|any)\s+way\s+out\b",
    r"\b(?:give|giving|given|gave)\s+up\s+on\s+(?:life|living|everything|myself)\b",
    r"\b(?:don'?t|can'?t|cannot)\s+see\s+(?:a|any)\s+future\s*(?:for\s+(?:me|myself))?\s*[.!]*\s*$"
    r"|\bi\s+(?:have|'ve\s+got)\s+no\s+future\b",
    r"\b(?:want\s+to|wanna|wish\s+i\s+could)\s+(?:just\s+)?sleep\s+(?:forever|for\s+ever)\b",
    r"\b(?:no\s*(?:one|body)|nobody)\s+(?:would|will|'d)\s+(?:even\s+)?(?:miss\s+me|notice\s+if\s+i\s+(?:was|were)\s+gone)\b",
    r"\bthis\s+is\s+(?:my\s+)?goodbye\s*[.!]*\s*$",
    r"\bgiv(?:e|ing|en)\s+away\s+(?:all\s+(?:of\s+)?)?my\s+(?:things|stuff|belongings|possessions)\b"
    r"(?!\s+(?:before|because|since|as|to\s+(?:a\s+)?charity|for\s+(?:the\s+)?move|when\s+i\s+move))",
]
_FIRST = [re.compile(p, re.IGNORECASE) for p in _FIRST_PERSON_CORES]
_SUBJECT = [re.compile(p, re.IGNORECASE) for p in _SUBJECT_CORES]
_CHECK_IN = [re.compile(p, re.IGNORECASE) for p in _CHECK_IN_CORES]
# The answer to the check-in's question. Anything but a clear no is read as yes: "maybe",
# "sometimes", "I don't know" and "kind of" are answers that need a person.
_CLEAR_NO = re.compile(
    r"^\W*(?:no+|nope|nah|not\s+(?:really|at\s+all|like\s+that|that)|never|definitely\s+not|of\s+course\s+not|"
    r"god\s+no|(?:i'?m|i\s+am)\s+not(?!\s+(?:sure|certain))|i'?m\s+(?:ok|okay|safe|fine|alright|all\s+right)|i\s+don'?t\s+(?:think\s+so|want\s+to\s+die)|"
    r"i\s+would(?:n'?t|\s+not)|i\s+(?:was|wasn'?t)\s+(?:talking|being)|"
    r"(?:it'?s|it\s+was|i\s+(?:just\s+)?meant|i\s+mean)\s+(?:just\s+)?(?:about|work|my\s+job|a\s+figure|an?\s+expression))\b",
    re.IGNORECASE,
)
_ANSWERS_YES = re.compile(
    r"^\W*(?:y(?:es|eah?|ep|up|a)?|yeah+|i\s+(?:am|do|have|guess|think\s+so|might|was)|sometimes|maybe|perhaps|possibly|"
    r"probably|kind\s+of|kinda|sort\s+of|a\s+(?:bit|little)|a\s+lot|often|always|lately|honestly|"
    r"i\s+don'?t\s+know|idk|dunno|not\s+sure|i'?m\s+not\s+sure|i\s+can'?t\s+say|hard\s+to\s+say|"
    r"(?:i\s+)?(?:keep|kept)\s+thinking|(?:i\s+)?think\s+about\s+it|thoughts?|it\s+crossed\s+my\s+mind|every\s+day)\b",
    re.IGNORECASE,
)

_NEGATIONS = {
    "not",
    "never",
    "no",
    "don't",
    "dont",
    "didn't",
    "won't",
    "wouldn't",
    "isn't",
    "aren't",
    "can't",
    "cannot",
}
# Words that may sit between a negation and the phrase it negates ("I'm not going to
# kill myself"); anything else ("can't STOP thinking about…") breaks the negation.
_NEGATION_GAP = {
    "i",
    "i'm",
    "i'd",
    "i'll",
    "am",
    "be",
    "been",
    "want",
    "wanted",
    "to",
    "going",
    "gonna",
    "wanna",
    "would",
    "will",
    "ever",
    "really",
    "actually",
    "try",
    "trying",
    "plan",
    "planning",
    "intend",
    "intending",
    "do",
    "feel",
    "feeling",
    "thinking",
    "think",
    "of",
    "about",
    "like",
    "could",
    "have",
    "had",
}
_FIRST_PERSON = {"i", "i'm", "im", "i've", "ive", "i'd", "i'll", "me", "my", "myself", "mine"}
_THIRD_PERSON = {
    "he",
    "she",
    "they",
    "him",
    "her",
    "them",
    "his",
    "their",
    "he's",
    "she's",
    "they're",
    "someone",
    "somebody",
    "friend",
    "brother",
    "sister",
    "mother",
    "mum",
    "mom",
    "dad",
    "father",
    "son",
    "daughter",
    "partner",
    "husband",
    "wife",
    "boyfriend",
    "girlfriend",
    "character",
    "people",
    "person",
    "patient",
    "client",
    "colleague",
    "cousin",
    "aunt",
    "uncle",
    "grandma",
    "grandad",
    "grandpa",
    "kid",
    "kids",
    "child",
    "children",
    "friends",
    "student",
    "students",
}
_QUOTED = re.compile(r'"[^"]+"|(?<![\w])\'[^\']+\'(?![\w])')
# Before a quotation: someone or something else is speaking ("he told me", "the song goes").
_REPORTING = re.compile(
    r"\b(?:said|says|say|told|tells|wrote|writes|asked|asks|texted|posted|shouted|yelled|sang|sings|goes|read|"
    r"quote[sd]?|lyrics?|song|film|movie|book|show|line|character)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class SafetyResult:
    flagged: bool  # crisis: the fixed crisis reply
    phrase: str = ""  # what triggered the flag, for tests and logs (never the whole message)
    check_in: bool = False  # unclear: the fixed check-in question (`check_in_reply`)

    @property
    def needs_safety_reply(self) -> bool:
        """Either kind: a fixed reply, and the message never goes to an outside provider."""
        return self.flagged or self.check_in

    @property
    def level(self) -> str:
        return "crisis" if self.flagged else "check_in" if self.check_in else ""


def _strip_attributed_quotes(sentence: str) -> str:
    """Remove quotations attributed to someone else; keep the writer's quoted thoughts.

    What comes before each quotation is read once, from the previous quotation on (a
    quotation mark is never inside a word): reading it again from the sentence's start
    for every quotation made a message of 2,500 quotation marks take 5 s.
    """
    read_to = 0
    reporting = False  # a speaking verb (or a song, a film...) before the quotation
    last_token = ""
    nearest_person = ""  # the last first- or third-person word before the quotation

    def replace(match: re.Match[str]) -> str:
        nonlocal read_to, reporting, last_token, nearest_person
        chunk = sentence[read_to : match.start()]
        read_to = match.start()
        reporting = reporting or bool(_REPORTING.search(chunk))
        for token in tokens(chunk):
            last_token = token
            if token in _FIRST_PERSON or token in _THIRD_PERSON:
                nearest_person = token
        speaker_is_other = reporting and last_token not in {"thinking", "think", "thought", "feel", "myself"}
        if speaker_is_other and not _writer_is_subject(nearest_person):
            return " "
        return match.group(0)

    return _QUOTED.sub(replace, sentence)


def _writer_is_subject(nearest_person: str) -> bool:
    """Is the nearest subject before a quotation the writer ("I keep telling myself 'I want to die'")?"""
    if nearest_person in _FIRST_PERSON:
        return nearest_person not in {"me", "my"}  # "he told me '…'" is still someone else speaking
    return False


def _negated(before_tokens: list[str]) -> bool:
    window = before_tokens[-5:]
    for index in range(len(window) - 1, -1, -1):
        token = window[index]
        # "No, I want to die": an answer, not a negation of what follows ("no" negates a
        # noun, never the writer's own verb).
        if token == "no" and window[index + 1 : index + 2] in (["i"], ["i'm"], ["im"], ["i'd"], ["i'll"]):
            return False
        if token in _NEGATIONS or token.endswith("n't"):
            return all(word in _NEGATION_GAP for word in window[index + 1 :])
        if token not in _NEGATION_GAP:
            return False
    return False


def _about_someone_else(before_tokens: list[str]) -> bool:
    """Is the nearest subject before the phrase a third person?"""
    for token in reversed(before_tokens[-8:]):
        if token in _FIRST_PERSON:
            return False
        if token in _THIRD_PERSON:
            return True
    return False  # no subject: in a journal, that is the writer


def _first_match(text: str, patterns: list[tuple[re.Pattern[str], bool]]) -> str | None:
    for sentence in sentences(normalize(text)):
        cleaned = _strip_attributed_quotes(sentence)
        for pattern, check_subject in patterns:
            for match in pattern.finditer(cleaned):
                before = tokens(cleaned[: match.start()])
                if _negated(before):
                    continue
                if check_subject and _about_someone_else(before):
                    continue
                return match.group(0)
    return None


_CRISIS_PATTERNS = [*((p, False) for p in _FIRST), *((p, True) for p in _SUBJECT)]
_CHECK_IN_PATTERNS = [(p, True) for p in _CHECK_IN]


def assess(text: str, *, after_check_in: bool = False) -> SafetyResult:
    """Flag a message that signals crisis or self-harm, or needs a check-in (pure; no I/O).

    `after_check_in`: the companion's last reply asked whether the person is thinking of
    ending their life, so this message is read as the answer, and anything but a clear no
    is a crisis.
    """
    phrase = _first_match(text, _CRISIS_PATTERNS)
    if phrase is not None:
        return SafetyResult(flagged=True, phrase=phrase)
    if after_check_in:
        answer = normalize(text)
        if _ANSWERS_YES.search(answer) and not _CLEAR_NO.search(answer):
            return SafetyResult(flagged=True, phrase=answer[:40])
    phrase = _first_match(text, _CHECK_IN_PATTERNS)
    if phrase is not None:
        return SafetyResult(flagged=False, phrase=phrase, check_in=True)
    return SafetyResult(flagged=False)


# Listed when CRISIS_RESOURCES holds nothing usable: a safety reply never goes out without
# somewhere to turn.
FALLBACK_RESOURCES = [
    {"name": "Emergency services", "contact": "your local emergency number"},
    {"name": "Find a Helpline (free, confidential lines worldwide)", "contact": "https://findahelpline.com"},
]


def _resource_lines(resources: Any) -> list[str]:
    """One line per usable resource. CRISIS_RESOURCES is an operator's JSON: a list of
    {"name", "contact"}, but a list of plain strings or a single object is read as meant,
    and anything else is skipped rather than turning the safety reply into a server error."""
    if isinstance(resources, dict):
        resources = [resources]
    if not isinstance(resources, (list, tuple)):
        return []
    lines = []
    for resource in resources:
        if isinstance(resource, str):
            name, contact = resource.strip(), ""
        elif isinstance(resource, dict):
            name = str(resource.get("name") or "").strip()
            contact = str(resource.get("contact") or "").strip()
        else:
            continue
        if name or contact:
            lines.append(f"• {name}: {contact}" if name and contact else f"• {name or contact}")
    return lines


def crisis_reply(resources: Any) -> str:
    """The fixed reply to a flagged message: kind, plain, with resources from settings.CRISIS_RESOURCES."""
    lines = [
        "Thank you for telling me. What you wrote sounds really painful, and you deserve support from a person "
        "right now. I'm only a journaling companion, so I can't give you the help you need in this moment.",
        "",
        "If you might act on these thoughts, or you are in danger, please contact emergency services now. "
        "You can also reach people who are ready to listen, any time:",
    ]
    lines += _resource_lines(resources) or _resource_lines(FALLBACK_RESOURCES)
    lines += [
        "",
        "If you can, reach out to someone you trust and let them know how you are feeling. "
        "You don't have to go through this alone.",
    ]
    return "\n".join(lines)


def check_in_reply(resources: Any) -> str:
    """The fixed reply to an unclear message: one direct, kind question, with somewhere to turn."""
    lines = [
        "It sounds like things feel really heavy right now, and I'm glad you wrote it down. "
        "I'd like to ask you something directly, because it matters: are you having thoughts of "
        "ending your life or of hurting yourself?",
        "",
        "If you are, or if you might be in danger, please contact emergency services now, or talk to "
        "people who are ready to listen, any time:",
    ]
    lines += _resource_lines(resources) or _resource_lines(FALLBACK_RESOURCES)
    lines += [
        "",
        "If you're not, I'm here to listen. What has been making things feel this way?",
    ]
    return "\n".join(lines)


# The next message after the crisis reply, whatever it says ("thanks, I'm safe", "it's
# just work", a long account of the day): an exercise picked from its words (a gratitude
# letter for a thank-you) would read as if the moment had not happened. It is answered by
# us, never by an outside provider, which is not told of the crisis (`provider_history`).
AFTER_CRISIS_REPLY = (
    "Thank you for writing back. I'm glad you're here. If those thoughts come back, the people "
    "above are there at any hour, and reaching out to them is never too much to ask. We can go "
    "as slowly as you like: would it help to say more about what has been weighing on you, or to "
    "try something calming together first?"
)


def safety_reply(result: SafetyResult, resources: Any) -> str:
    """The fixed reply a flagged or unclear message gets."""
    return crisis_reply(resources) if result.flagged else check_in_reply(resources)
