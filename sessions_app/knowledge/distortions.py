"""The classic cognitive distortions (Beck 1976; Burns 1980, 1989), in our own words.

`patterns` are case-insensitive regular expressions the offline companion uses to
notice a distortion in what someone writes. They aim for precision over recall: naming
a distortion that is not there feels dismissive, so a pattern only fires on phrasings
that carry the distortion on their face. `explanation` completes “…, which …”.
"""

from __future__ import annotations

from typing import Any

CATEGORY = "cognitive_distortion"

DISTORTIONS: list[dict[str, Any]] = [
    {
        "slug": "all-or-nothing",
        "name": "All-or-nothing thinking",
        "summary": "Seeing things in only two categories: perfect or a failure, all good or all bad. "
        "Real life almost always sits somewhere in between, and this way of thinking hides that middle ground.",
        "explanation": "sorts an experience into one of two boxes, success or failure, with nothing in between",
        "steps": [
            "Notice the extreme words: total, complete, perfect, ruined, pointless.",
            "Picture a scale from 0 to 100 instead of two boxes.",
            "Place the situation honestly on that scale.",
            "Name one thing that went at least partly well.",
        ],
        "questions": [
            "If you placed this on a scale from 0 to 100 instead of pass or fail, where would it honestly sit?",
            "What would a result somewhere in the middle look like here?",
            "Is there any part of this that went even a little bit well?",
        ],
        "patterns": [
            r"\b(?:complete|total|utter|absolute)\s+(?:failure|disaster|waste|write-?off)\b",
            r"\bnot\s+(?:perfect|flawless)\b[^.;!?]{0,40}\b(?:so|then|means)\b",
            r"\b(?:anything|something)\s+less\s+than\s+(?:perfect|100|the\s+best|an\s+a)\b",
            r"\beither\b[^.;!?]{0,60}\bor\b[^.;!?]{0,40}\b(?:no\s+point|nothing|failure|fail|worthless|pointless)\b",
            r"\b(?:all|100\s?%)\s+or\s+nothing\b",
            r"\b(?:one|a\s+single)\s+\w+(?:\s+\w+)?,?\s+so\s+(?:my|the)\s+(?:whole|entire)\s+\w+\s+(?:is|was)\s+"
            r"(?:ruined|wasted|pointless|a\s+write-?off)\b",
            r"\bif\b[^.;!?]{0,40}\b(?:everything|perfect|perfectly|always)\b[^.;!?]{0,40}\bat\s+all\b",
        ],
        "related": ["evidence-for-and-against", "socratic-questions", "self-compassion-break"],
        "sources": ["burns-1980", "beck-1976"],
    },
    {
        "slug": "overgeneralization",
        "name": "Overgeneralization",
        "summary": "Taking one painful event and treating it as a never-ending pattern, often with words like "
        "always, never, everyone or nobody.",
        "explanation": "stretches one painful moment into an “always” or a “never”",
        "steps": [
            "Spot the words always, never, everyone, nobody, every time.",
            "Recall the specific event that set the thought off.",
            "Look for exceptions: times it went differently.",
            "Restate the thought about this one event, not about forever.",
        ],
        "questions": [
            "Can you remember a time, even a small one, when it went differently?",
            "If you described only this one event, without “always” or “never”, how would you put it?",
            "How many times has this actually happened, and how many times has it not?",
        ],
        "patterns": [
            r"\b(?:i|he|she|they|people|everyone|everybody|this|it)\s+(?:always|never)\s+(?:mess|screw|ruin|fail|"
            r"gets?\s+(?:it|anything)\s+(?:right|wrong)|goes?\s+wrong|go\s+wrong|works?\s+out|listens?|understands?|"
            r"cares?|notices?|lets?\s+me\s+down|forgets?|happens?)\b",
            r"\bnothing\s+(?:ever\s+)?(?:works?|goes|turns)\s+(?:out|right|my\s+way)\b",
            r"\b(?:every|each)\s+(?:single\s+)?time\b[^.;!?]{0,50}\b(?:goes?\s+wrong|go\s+wrong|fails?|mess\w*|"
            r"ruin\w*|screw\w*|disaster|rejected|ends?\s+badly)\b",
            r"\b(?:nobody|no\s+one|no-one)\s+ever\s+(?:listens?|cares?|calls?|understands?|likes?|wants?|notices?|asks?)\b",
            r"\b(?:nobody|no\s+one|no-one)\s+(?:listens\s+to|cares\s+about|understands|likes|wants|notices)\s+me\b",
            r"\b(?:everyone|everybody|people)\s+(?:always\s+)?(?:leaves?|abandons?|rejects?|hates?|ignores?|"
            r"lets?\s+me\s+down|betrays?)\s+me\b",
            r"\blike\s+everything\s+else\b",
            r"\b(?:story\s+of\s+my\s+life|typical\s+me)\b",
            r"\bi\s+(?:can|could)\s+never\s+(?:do|get|keep|make)\s+anything\s+right\b",
        ],
        "related": ["evidence-for-and-against", "thought-record", "socratic-questions"],
        "sources": ["burns-1980", "beck-1979"],
    },
    {
        "slug": "mental-filter",
        "name": "Mental filter",
        "summary": "Picking out a single negative detail and dwelling on it until the whole picture looks dark, "
        "like one drop of ink colouring a glass of water.",
        "explanation": "lets one negative detail colour the whole picture",
        "steps": [
            "Name the detail your mind keeps returning to.",
            "List everything else that happened in the same situation.",
            "Give each item its honest weight.",
            "Describe the situation as a whole.",
        ],
        "questions": [
            "If you stepped back and looked at the whole situation, what else happened besides that one moment?",
            "What would someone who was there, but not inside your head, say they noticed?",
            "How much of the whole experience does that one detail really take up?",
        ],
        "patterns": [
            r"\ball\s+i\s+(?:can\s+|could\s+)?(?:think\s+about|focus\s+on|see|remember|notice|hear)\b",
            r"\b(?:keep|kept|can'?t\s+stop)\s+(?:replaying|thinking\s+about|going\s+over|dwelling\s+on|obsessing\s+over|"
            r"ruminating\s+on)\s+(?:the|that|this|my)\s+(?:one|single|tiny|little|small)\b",
            r"\b(?:ruined|spoiled|spoilt|overshadowed)\s+by\s+(?:that|this|the|one)\s+(?:one\s+|single\s+|little\s+|"
            r"tiny\s+)?(?:\w+\s+)?(?:comment|mistake|thing|moment|remark|error|typo|criticism)\b",
            r"\bthe\s+only\s+thing\s+(?:that\s+)?i\s+(?:noticed|remember|remembered|saw|could\s+see|can\s+think\s+about)\b",
        ],
        "related": ["savouring", "three-good-things", "evidence-for-and-against"],
        "sources": ["burns-1980", "beck-1976"],
    },
    {
        "slug": "disqualifying-the-positive",
        "name": "Disqualifying the positive",
        "summary": "Turning good experiences into ones that “don't count”: praise was only politeness, success "
        "was only luck. It keeps a negative belief safe from the evidence against it.",
        "explanation": "waves away good things as luck or politeness, so they never get to count",
        "steps": [
            "Notice the “but it was just…” that follows something good.",
            "Write the positive event down on its own, without the discount.",
            "Ask what part you played in it.",
            "Let it count, even a little.",
        ],
        "questions": [
            "What part did you play in that going well?",
            "If a friend had the same success, would you tell them it didn't count?",
            "What would change if you let this good thing count, even a little?",
        ],
        "patterns": [
            r"\b(?:only|just)\s+(?:said|say|says)\s+(?:it|that|so)\b[^.;!?]{0,40}\b(?:nice|polite|kind|pity|sorry)\b",
            r"\b(?:only|just)\s+being\s+(?:nice|polite|kind)\b",
            r"\b(?:just|only|pure|sheer)\s+(?:luck|a\s+fluke|chance)\b",
            r"\b(?:just|only)\s+got\s+lucky\b",
            r"\b(?:anyone|anybody)\s+could\s+(?:have\s+)?(?:done|do|manage|managed|pass|passed)\b",
            r"\b(?:doesn'?t|didn'?t|does\s+not|did\s+not)\s+(?:really\s+)?count\b",
            r"\b(?:had|has|have)\s+to\s+say\s+that\b",
            r"\b(?:isn'?t|wasn'?t|is\s+not|was\s+not)\s+a\s+real\s+(?:achievement|success|accomplishment|win)\b",
            r"\bbecause\s+(?:they|she|he)\s+(?:felt|feel|feels)\s+sorry\s+for\s+me\b",
        ],
        "related": ["three-good-things", "savouring", "evidence-for-and-against"],
        "sources": ["burns-1980", "burns-1989"],
    },
    {
        "slug": "mind-reading",
        "name": "Mind reading",
        "summary": "Concluding that someone is thinking badly of you without checking, and reacting as if it were "
        "true. A form of jumping to conclusions.",
        "explanation": "treats a guess about what someone else thinks as if it were a fact",
        "steps": [
            "Write down what you believe the other person thinks.",
            "Note what you actually saw or heard.",
            "List other explanations for what they did.",
            "Consider whether you could simply ask.",
        ],
        "questions": [
            "What did they actually say or do, and what is your interpretation of it?",
            "What are two other reasons they might have acted that way?",
            "Is there a way you could check what they really think?",
        ],
        "patterns": [
            r"\b(?:he|she|they|everyone|everybody|people|my\s+\w+|the\s+others)\s+(?:must|probably|definitely|"
            r"obviously|clearly|surely)\s+(?:think|thinks|thought|hate|hates|be\s+(?:annoyed|angry|sick\s+of\s+me|"
            r"fed\s+up|disappointed|bored|judging))\b",
            r"\b(?:i\s+(?:just\s+)?know|i\s+can\s+tell|i'?m\s+sure|i\s+bet)\s+(?:that\s+)?(?:he|she|they|everyone|"
            r"everybody|people|my\s+\w+)\b[^.;!?]{0,40}\b(?:thinks?|thought|hates?|don'?t\s+like|doesn'?t\s+like|"
            r"dislikes?|judg\w*|annoyed|bored|laughing)\b",
            r"\b(?:is|are|was|were)\s+(?:probably\s+|obviously\s+|definitely\s+)?(?:laughing\s+at|talking\s+about|"
            r"judging|gossiping\s+about)\s+me\b",
            r"\b(?:obviously|clearly|must\s+be|probably)\s+(?:annoyed|angry|mad|upset|disappointed|fed\s+up|bored)\s+"
            r"(?:with|at|of)\s+me\b",
            r"\b(?:they|he|she|everyone|people)\s+(?:all\s+)?(?:think|thinks)\s+(?:that\s+)?(?:i'?m|i\s+am)\s+(?:so\s+|"
            r"a\s+|an\s+|really\s+)*(?:stupid|boring|weird|annoying|useless|incompetent|failure|idiot|pathetic|lazy|"
            r"joke|crazy|loser)\b",
        ],
        "related": ["evidence-for-and-against", "socratic-questions", "thought-record"],
        "sources": ["burns-1980", "beck-1976"],
    },
    {
        "slug": "fortune-telling",
        "name": "Fortune telling",
        "summary": "Predicting that things will turn out badly and treating the prediction as already settled. "
        "The other form of jumping to conclusions.",
        "explanation": "treats a gloomy prediction as if the outcome were already decided",
        "steps": [
            "Write the prediction down exactly.",
            "Rate how sure you feel, from 0 to 100 %.",
            "List the other ways it could turn out.",
            "Plan for the likely case, not only the worst one.",
        ],
        "questions": [
            "What are some other ways this could turn out, including ordinary ones?",
            "How often have predictions like this one come true in the past?",
            "If it did go badly, what could you do to cope with it?",
        ],
        "patterns": [
            r"\b(?:i'?m|i\s+am|i'?ll|i\s+will)\s+(?:going\s+to\s+|gonna\s+|definitely\s+|probably\s+)?(?:fail|"
            r"mess\s+(?:it|this|everything)\s+up|screw\s+(?:it|this)\s+up|bomb|blow\s+it|be\s+rejected|get\s+rejected|"
            r"get\s+fired)\b",
            r"\b(?:i'?ll|i\s+will|i'?m\s+going\s+to|i'?m\s+gonna)\s+never\b",
            r"\b(?:it'?s|it\s+is|this\s+is|that'?s|things\s+are|it'?ll|it\s+will)\s+never\s+(?:going\s+to\s+|gonna\s+)?"
            r"(?:get\s+better|change|improve|work|end|happen)\b",
            r"\b(?:nobody|no\s+one|no-one)\s+(?:will|is\s+going\s+to|'?ll|would)\s+ever\b",
            r"\b(?:i\s+(?:just\s+)?know|i'?m\s+(?:sure|certain))\s+(?:that\s+)?(?:it|this|the\s+\w+|they|he|she|i)\s+"
            r"(?:will|'ll|is\s+going\s+to|are\s+going\s+to|won'?t)\s+(?:go\s+)?(?:badly|wrong|fail|be\s+a\s+disaster|"
            r"say\s+no|reject|hate|laugh)\b",
            r"\b(?:bound|sure|certain|destined|doomed)\s+to\s+(?:fail|go\s+wrong|end\s+badly|be\s+a\s+disaster|"
            r"mess\s+up|be\s+rejected|be\s+alone)\b",
        ],
        "related": ["decatastrophizing", "evidence-for-and-against", "worry-time"],
        "sources": ["burns-1980", "beck-emery-1985"],
    },
    {
        "slug": "catastrophizing",
        "name": "Catastrophizing",
        "summary": "Blowing the importance of a problem up until it feels unbearable, or jumping straight to the "
        "worst possible outcome and assuming you could not cope with it.",
        "explanation": "jumps to the worst possible outcome and assumes it would be unbearable",
        "steps": [
            "Write down the worst outcome your mind is showing you.",
            "Write down the best outcome, too.",
            "Then write the most likely one.",
            "Plan how you would cope with the likely outcome.",
        ],
        "questions": [
            "What is the most likely outcome, rather than the worst one?",
            "If the worst did happen, what would help you get through it?",
            "How much will this matter in a year's time?",
        ],
        "patterns": [
            r"\b(?:my|the)\s+(?:whole\s+)?(?:life|career|future|relationship|marriage|world)\s+(?:is|will\s+be|"
            r"would\s+be|'s)\s+(?:over|ruined|destroyed|finished)\b",
            r"\b(?:would|will|could|is\s+going\s+to)\s+be\s+(?:an?\s+)?(?:absolute\s+|complete\s+|total\s+|utter\s+)?"
            r"(?:disaster|catastrophe|nightmare|unbearable|the\s+end\s+of\s+(?:the\s+world|everything|me))\b",
            r"\bend\s+of\s+the\s+world\b",
            r"\bwhat\s+if\b[^.;!?]{0,80}\b(?:lose|lost|die|dies|dying|fired|ruin\w*|homeless|disaster|worst|cancer|"
            r"tumou?r|collapse)\b",
            r"\b(?:won'?t|will\s+not|wouldn'?t|would\s+not|will\s+never)\s+(?:be\s+able\s+to\s+)?(?:survive|cope|"
            r"bear\s+it|handle\s+it)\b",
            r"\b(?:probably|must\s+be|could\s+be|definitely)\s+(?:a\s+|an\s+)?(?:brain\s+)?(?:tumou?r|cancer|"
            r"heart\s+attack|stroke|something\s+(?:terrible|serious|awful))\b",
            r"\b(?:lose|losing)\s+everything\b",
            r"\bworst\s+(?:thing\s+)?(?:that\s+)?(?:could|can)\s+(?:ever\s+)?happen\b",
        ],
        "related": ["decatastrophizing", "box-breathing", "worry-time"],
        "sources": ["beck-emery-1985", "burns-1980", "ellis-1962"],
    },
    {
        "slug": "emotional-reasoning",
        "name": "Emotional reasoning",
        "summary": "Taking a feeling as proof: “I feel like a failure, so I must be one.” Feelings are real and "
        "worth listening to, but they report on our state, not on the facts.",
        "explanation": "treats a feeling as evidence that something is true",
        "steps": [
            "Name the feeling and how strong it is.",
            "Write the conclusion the feeling suggests.",
            "Separate the feeling from the facts of the situation.",
            "Ask what the facts alone would suggest.",
        ],
        "questions": [
            "If you set the feeling aside for a moment, what do the facts of the situation say?",
            "Have you ever felt this way before when it turned out not to be true?",
            "What would you tell a friend who said they felt this, so it must be true?",
        ],
        "patterns": [
            r"\bi\s+feel\s+(?:like\s+)?(?:a\s+|an\s+|so\s+|really\s+)?(?:\w+\s+)?(?:failure|fraud|idiot|loser|stupid|"
            r"worthless|useless|guilty|ashamed|ugly|unlovable|incompetent|burden|hopeless|anxious|scared|bad)\b"
            r"[^.;!?]{0,40}\b(?:so|therefore|which\s+means|that\s+means|it\s+means)\s+(?:i|it|that|this|something)\b",
            r"\b(?:because|since|as)\s+i\s+feel\b[^.;!?]{0,50}\b(?:must|means)\b",
            r"\b(?:it|this|everything)\s+feels\s+(?:\w+\s+)?(?:hopeless|wrong|dangerous|impossible|pointless|true|real)"
            r"\b[^.;!?]{0,30}\b(?:so|therefore|must|which\s+means)\b",
            r"\bif\s+i\s+feel\b[^.;!?]{0,30}\b(?:it|i|that)\s+must\b",
        ],
        "related": ["evidence-for-and-against", "thought-record", "grounding-5-4-3-2-1"],
        "sources": ["burns-1980", "beck-1979"],
    },
    {
        "slug": "should-statements",
        "name": "Should statements",
        "summary": "Holding yourself or others to rigid rules — should, must, ought to, have to. Aimed at "
        "yourself they bring guilt and pressure; aimed at others, frustration and resentment.",
        "explanation": "turns a preference into a rigid rule, and then judges anyone who breaks it",
        "steps": [
            "Catch the should, must, ought or have to.",
            "Ask whose rule it is and where it came from.",
            "Rewrite it as a preference: “It would be good if…”.",
            "Notice how the rewritten version feels.",
        ],
        "questions": [
            "Whose rule is that “should”, and where do you think you learned it?",
            "How would it feel to say “I'd prefer to…” instead of “I should…”?",
            "What would be a kinder, more realistic expectation here?",
        ],
        "patterns": [
            r"\bi\s+(?:really\s+)?(?:should|ought\s+to|must)\s+(?:be\s+able\s+to|be\s+(?:better|stronger|over|more|less|"
            r"doing|further|fine|happier|perfect)|know\s+better|always|never)\b",
            r"\bi\s+(?:should|shouldn'?t|ought\s+to)\s+(?:have|'?ve)\s+(?:known|done|said|seen|been|tried|"
            r"realised|realized|noticed|stopped)\b",
            r"\bi\s+(?:shouldn'?t|mustn'?t|should\s+not|must\s+not)\s+(?:feel|be|need|have\s+to|get|cry|complain|"
            r"struggle|find\s+this|let)\b",
            r"\b(?:he|she|they|people|everyone|my\s+\w+)\s+(?:should|shouldn'?t|ought\s+to|must)\s+(?:have\s+)?(?:know|"
            r"known|understand|understood|realise|realize|care|treat|see|notice|be\s+more)\b",
            r"\bi\s+(?:must|have\s+to|need\s+to|should)\s+(?:always\s+|never\s+)?be\s+(?:perfect|productive|strong|"
            r"happy|the\s+best|better|in\s+control|positive)\b",
            r"\bi\s+must\s+never\b",
            r"\bshould(?:n'?t)?\s+be\s+(?:so|this)\s+(?:hard|difficult|upset|sad|anxious|lazy|weak|emotional)\b",
        ],
        "related": ["self-compassion-break", "values-clarification", "socratic-questions"],
        "sources": ["burns-1980", "ellis-1962", "horney-1950"],
    },
    {
        "slug": "labeling",
        "name": "Labeling",
        "summary": "Summing up a whole person — yourself or someone else — with one harsh word because of a "
        "single action: “I'm an idiot” instead of “I made a mistake”.",
        "explanation": "turns one action into a verdict about a whole person",
        "steps": [
            "Notice the label.",
            "Describe the specific behaviour behind it instead.",
            "Remember the many other things the person is and does.",
            "Speak about the action, not the identity.",
        ],
        "questions": [
            "What is the specific thing that happened, described without the label?",
            "Would you use that word about a friend who did the same thing?",
            "What else is true about you besides this one moment?",
        ],
        "patterns": [
            r"\b(?:i'?m|i\s+am|im)\s+(?:(?:such|just|so|really|a|an|total|absolute|complete|utter)\s+)*(?:idiot|loser|"
            r"failure|fraud|moron|disappointment|disgrace|burden|waste\s+of\s+space|screw-?up|worthless|pathetic|"
            r"useless|stupid|unlovable|defective|disgusting)\b",
            r"\b(?:i'?m|i\s+am|im)\s+(?:(?:such|just|so|really|a|an)\s+)*(?:terrible|bad|awful|horrible|useless|"
            r"rubbish|lousy|hopeless|pathetic|failed)\s+(?:mother|mum|mom|father|dad|parent|friend|partner|wife|"
            r"husband|person|daughter|son|sister|brother|human\s+being)\b",
            r"\b(?:he|she|they|my\s+\w+)\s+(?:is|'s|are)\s+(?:(?:such|just|a|an|complete|total|absolute|utter)\s+)*"
            r"(?:idiot|moron|jerk|loser|narcissist|monster|psycho|waste\s+of\s+space|pathetic)\b",
            r"\bwhat\s+an?\s+(?:idiot|loser|failure|moron|fool)\s+i\s+am\b",
        ],
        "related": ["self-compassion-break", "double-standard", "compassionate-letter"],
        "sources": ["burns-1980", "burns-1989"],
    },
    {
        "slug": "personalization-and-blame",
        "name": "Personalization and blame",
        "summary": "Holding yourself entirely responsible for something that was not entirely in your control — "
        "or, the other way round, putting all the blame on someone else and overlooking the rest of the picture.",
        "explanation": "puts the whole weight of an outcome on one person when many things shaped it",
        "steps": [
            "Write down the outcome you feel responsible for (or blame someone for).",
            "List everything that contributed to it: people, circumstances, chance.",
            "Draw a pie chart giving each its honest share.",
            "Notice which part really was yours, and what you can learn from it.",
        ],
        "questions": [
            "What else, apart from you, played a part in how this turned out?",
            "If you drew a pie chart of everything that contributed, how big would your slice honestly be?",
            "Which part of this was within your control, and which was not?",
        ],
        "patterns": [
            r"\b(?:it'?s|it\s+is|it\s+was|that'?s|this\s+is|everything\s+is)\s+(?:all\s+|entirely\s+|completely\s+)?"
            r"(?:my|his|her|their)\s+(?:own\s+)?fault\b",
            r"\b(?:all\s+)?because\s+of\s+me\b",
            r"\bif\s+only\s+i\b",
            r"\bi\s+(?:ruined|spoiled|spoilt|wrecked|ruin|spoil|wreck)\s+(?:everything|it\s+for\s+everyone|"
            r"the\s+(?:whole\s+)?(?:day|evening|night|party|trip|holiday|dinner|meeting|mood|wedding))\b",
            r"\bi'?(?:ve|\s+have)\s+failed\s+(?:as\s+a|my)\s+\w+\b",
            r"\b(?:i'?m|i\s+am)\s+(?:to\s+blame|responsible\s+for\s+(?:his|her|their|everyone'?s|how))\b",
            r"\b(?:he|she|they|my\s+\w+)\s+(?:ruined|wrecked|destroyed)\s+(?:my\s+life|everything)\b",
            r"\bi\s+(?:made|caused)\s+(?:him|her|them|it|this)\s+(?:to\s+)?(?:happen|leave|angry|upset|sad|cry|fail)\b",
        ],
        "related": ["evidence-for-and-against", "self-compassion-break", "socratic-questions"],
        "sources": ["burns-1989", "beck-1976"],
    },
]

for _item in DISTORTIONS:
    _item["category"] = CATEGORY
