"""A labelled set for the distortion detector, written for the tests (before the patterns).

Each sentence is labelled with the distortions a CBT-trained reader would name in it
(following Burns 1980/1989), or none. Some are deliberately hard: idioms, negations,
benign uses of the trigger words, distortions the person reports as past.
"""

AON = "all-or-nothing"
OVERGEN = "overgeneralization"
FILTER = "mental-filter"
DISQUALIFY = "disqualifying-the-positive"
MIND = "mind-reading"
FORTUNE = "fortune-telling"
CATASTROPHE = "catastrophizing"
EMOTIONAL = "emotional-reasoning"
SHOULD = "should-statements"
LABEL = "labeling"
BLAME = "personalization-and-blame"

LABELLED: list[tuple[str, set[str]]] = [
    # All-or-nothing thinking
    ("If I don't get an A on this exam, I'm a complete failure.", {AON, LABEL}),
    ("The presentation wasn't perfect, so it was a total disaster.", {AON}),
    ("Either I do this perfectly or there's no point doing it at all.", {AON}),
    ("I ate one biscuit, so my whole diet is ruined.", {AON}),
    ("If she doesn't love everything about me, she doesn't love me at all.", {AON}),
    ("Anything less than perfect is just not good enough for me.", {AON}),
    # Overgeneralization
    ("I always mess things up.", {OVERGEN}),
    ("Nothing ever works out for me.", {OVERGEN}),
    ("Every time I try to make friends, it goes wrong.", {OVERGEN}),
    ("I got rejected again; this always happens to me.", {OVERGEN}),
    ("Nobody ever listens to what I say.", {OVERGEN}),
    ("Everyone leaves me in the end.", {OVERGEN}),
    # Mental filter
    ("My review was mostly positive, but all I can think about is the one criticism.", {FILTER}),
    ("The whole evening was ruined by that one awkward comment I made.", {FILTER}),
    ("I keep replaying the one mistake I made in the meeting.", {FILTER}),
    ("Even though people clapped, all I remember is my voice shaking.", {FILTER}),
    ("The only thing I noticed about the holiday was the rain.", {FILTER}),
    # Disqualifying the positive
    ("They only said it was good because they were being nice.", {DISQUALIFY}),
    ("I passed, but it was just luck.", {DISQUALIFY}),
    ("Anyone could have done what I did, so it doesn't count.", {DISQUALIFY}),
    ("My friend complimented my cooking, but she had to say that.", {DISQUALIFY}),
    ("Getting the job isn't a real achievement; they were desperate.", {DISQUALIFY}),
    # Mind reading
    ("My boss must think I'm completely incompetent.", {MIND}),
    ("I just know everyone at the party thought I was boring.", {MIND}),
    ("She didn't text back, so she's obviously annoyed with me.", {MIND}),
    ("People are probably laughing at me behind my back.", {MIND}),
    ("I can tell my colleagues don't like me.", {MIND}),
    ("He was quiet at dinner; he must be sick of me.", {MIND}),
    # Fortune telling
    ("I'm going to fail the interview tomorrow.", {FORTUNE}),
    ("I'll never find someone who loves me.", {FORTUNE}),
    ("It's never going to get better.", {FORTUNE}),
    ("I just know the exam will go badly.", {FORTUNE}),
    ("Nobody will ever hire me.", {FORTUNE}),
    ("This is bound to go wrong like everything else.", {FORTUNE, OVERGEN}),
    # Catastrophizing
    ("If I lose this job, my life is over.", {CATASTROPHE}),
    ("What if I make a mistake and everyone finds out and I lose everything?", {CATASTROPHE}),
    ("Missing this deadline would be an absolute disaster.", {CATASTROPHE}),
    ("This headache is probably a brain tumour.", {CATASTROPHE}),
    ("If she leaves me, I won't be able to survive it.", {CATASTROPHE}),
    ("One bad grade and my whole future is ruined.", {CATASTROPHE}),
    # Emotional reasoning
    ("I feel like a failure, so I must be one.", {EMOTIONAL}),
    ("I feel stupid, therefore I am stupid.", {EMOTIONAL}),
    ("Because I feel anxious, something bad must be about to happen.", {EMOTIONAL}),
    ("I feel guilty, so I must have done something wrong.", {EMOTIONAL}),
    ("It feels hopeless, so it probably is hopeless.", {EMOTIONAL}),
    # Should statements
    ("I should be able to handle this on my own.", {SHOULD}),
    ("I shouldn't feel this upset about something so small.", {SHOULD}),
    ("I should have known better.", {SHOULD}),
    ("He ought to know how I feel without me saying it.", {SHOULD}),
    ("I must never make mistakes at work.", {SHOULD}),
    ("I have to be productive every single day.", {SHOULD}),
    # Labeling
    ("I'm such an idiot.", {LABEL}),
    ("I'm a total loser.", {LABEL}),
    ("I'm a terrible mother.", {LABEL}),
    ("My colleague is a complete moron.", {LABEL}),
    ("I'm worthless.", {LABEL}),
    ("I forgot her birthday; I'm a terrible friend.", {LABEL}),
    # Personalization and blame
    ("It's all my fault that they broke up.", {BLAME}),
    ("If only I had been home, my dog wouldn't have got sick.", {BLAME}),
    ("The team lost because of me.", {BLAME}),
    ("I ruined the whole evening for everyone.", {BLAME}),
    ("It's entirely his fault that my life is a mess.", {BLAME}),
    ("My son is struggling at school, which means I've failed as a parent.", {BLAME}),
    # No distortion (including the trigger words used harmlessly, and negations)
    ("I went for a walk in the park and felt a bit calmer afterwards.", set()),
    ("Work was busy today but I managed to finish the report.", set()),
    ("I'm looking forward to seeing my sister this weekend.", set()),
    ("I had a disagreement with my partner about money.", set()),
    ("I'm tired after a long week.", set()),
    ("It's not my fault the train was late.", set()),
    ("I don't think I'm an idiot, I just made a mistake.", set()),
    ("I should buy some milk on the way home.", set()),
    ("I always have coffee before work.", set()),
    ("I never used to enjoy running, but now I love it.", set()),
    ("My friend said the film was a disaster, but I enjoyed it.", set()),
    ("I'm going to the gym tomorrow morning.", set()),
    ("She thinks the restaurant opens at seven.", set()),
    ("I felt anxious before the meeting, but it went fine.", set()),
    ("I made a mistake in the report and fixed it the next morning.", set()),
    ("Everyone at work was kind when I told them about my dad.", set()),
    ("I'm not sure what I want to do next year.", set()),
    ("The weather was awful, so we stayed in and played cards.", set()),
    ("I passed my driving test today!", set()),
    ("I know the exam is on Friday.", set()),
    ("It isn't the end of the world if I'm a few minutes late.", set()),
    ("I feel sad today and I'm not sure why.", set()),
    ("My boss thanked me for the extra work.", set()),
    ("We talked about what went wrong and made a plan.", set()),
    ("I used to think everyone hated me, but that's changed.", set()),
    ("I'm going to try to be kinder to myself.", set()),
]

# Written after the patterns and never used to tune them: an honest estimate of how the
# detector does on phrasings it has not seen.
HELD_OUT: list[tuple[str, set[str]]] = [
    ("Unless the party is flawless, the whole thing is pointless.", {AON}),
    ("I didn't finish the marathon, so I'm a total failure at running.", {AON, LABEL}),
    ("If I can't do it properly, I won't do it at all.", {AON}),
    ("Men always let me down.", {OVERGEN}),
    ("Nothing ever goes right at this job.", {OVERGEN}),
    ("Every single time I open up, I get hurt.", {OVERGEN}),
    ("All I could see in the photos was my double chin.", {FILTER}),
    ("I can't stop thinking about that one typo in my email.", {FILTER}),
    ("Sure, I got promoted, but that was just luck.", {DISQUALIFY}),
    ("She said I looked nice but she was only being polite.", {DISQUALIFY}),
    ("My teacher probably thinks I'm lazy.", {MIND}),
    ("I bet they're all talking about me right now.", {MIND}),
    ("My sister must be angry with me for leaving early.", {MIND}),
    ("I'm going to mess this up, I know it.", {FORTUNE}),
    ("Things are never going to change for me.", {FORTUNE}),
    ("No one is ever going to want to date me.", {FORTUNE}),
    ("If I fail this course my career will be over before it starts.", {CATASTROPHE}),
    ("What if the plane crashes and I die?", {CATASTROPHE}),
    ("Being late would be a complete catastrophe.", {CATASTROPHE}),
    ("I feel so ugly, which means I must be ugly.", {EMOTIONAL}),
    ("Since I feel nervous, the date must be a mistake.", {EMOTIONAL}),
    ("I should be over this by now.", {SHOULD}),
    ("People should know better than to treat me like that.", {SHOULD}),
    ("I need to be perfect at everything.", {SHOULD}),
    ("I'm so pathetic.", {LABEL}),
    ("My ex is a narcissist.", {LABEL}),
    ("I'm a useless father.", {LABEL}),
    ("The divorce is all my fault.", {BLAME}),
    ("It's because of me that the project failed.", {BLAME}),
    ("My parents ruined my life.", {BLAME}),
    ("I baked bread this morning and it came out well.", set()),
    ("My manager asked me to present on Thursday.", set()),
    ("I'm going to call my mum tonight.", set()),
    ("It rained all day, which was a bit dull.", set()),
    ("I think I need more sleep.", set()),
    ("Nobody was in the office, so it was quiet.", set()),
    ("I always feel better after a swim.", set()),
    ("We should plan a trip for the summer.", set()),
    ("I'm not a failure, I'm learning.", set()),
    ("She must have left her keys at home.", set()),
]
