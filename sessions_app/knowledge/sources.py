"""The works the knowledge base draws on, cited once here and referred to by key.

Our items are written in our own words; these are the sources a reader can go to for
the original ideas.
"""

SOURCES: dict[str, str] = {
    "beck-1976": "Beck, A. T. (1976). Cognitive Therapy and the Emotional Disorders. New York: International "
    "Universities Press.",
    "beck-1979": "Beck, A. T., Rush, A. J., Shaw, B. F., & Emery, G. (1979). Cognitive Therapy of Depression. "
    "New York: Guilford Press.",
    "beck-emery-1985": "Beck, A. T., Emery, G., & Greenberg, R. L. (1985). Anxiety Disorders and Phobias: A Cognitive "
    "Perspective. New York: Basic Books.",
    "jbeck-2020": "Beck, J. S. (2020). Cognitive Behavior Therapy: Basics and Beyond (3rd ed.). New York: Guilford "
    "Press.",
    "burns-1980": "Burns, D. D. (1980). Feeling Good: The New Mood Therapy. New York: William Morrow.",
    "burns-1989": "Burns, D. D. (1989). The Feeling Good Handbook. New York: William Morrow.",
    "ellis-1962": "Ellis, A. (1962). Reason and Emotion in Psychotherapy. New York: Lyle Stuart.",
    "horney-1950": "Horney, K. (1950). Neurosis and Human Growth: The Struggle Toward Self-Realization. New York: "
    "W. W. Norton.",
    "greenberger-padesky-2016": "Greenberger, D., & Padesky, C. A. (2016). Mind Over Mood: Change How You Feel by "
    "Changing the Way You Think (2nd ed.). New York: Guilford Press.",
    "padesky-1993": "Padesky, C. A. (1993). Socratic questioning: Changing minds or guiding discovery? Keynote "
    "address, European Congress of Behavioural and Cognitive Therapies, London.",
    "martell-2001": "Martell, C. R., Addis, M. E., & Jacobson, N. S. (2001). Depression in Context: Strategies for "
    "Guided Action. New York: W. W. Norton.",
    "borkovec-1983": "Borkovec, T. D., Wilkinson, L., Folensbee, R., & Lerman, C. (1983). Stimulus control "
    "applications to the treatment of worry. Behaviour Research and Therapy, 21(3), 247–251.",
    "dzurilla-nezu-2010": "D'Zurilla, T. J., & Nezu, A. M. (2010). Problem-solving therapy. In K. S. Dobson (Ed.), "
    "Handbook of Cognitive-Behavioral Therapies (3rd ed.). New York: Guilford Press.",
    "watkins-2008": "Watkins, E. R. (2008). Constructive and unconstructive repetitive thought. Psychological "
    "Bulletin, 134(2), 163–206.",
    "najavits-2002": "Najavits, L. M. (2002). Seeking Safety: A Treatment Manual for PTSD and Substance Abuse. "
    "New York: Guilford Press.",
    "linehan-2015": "Linehan, M. M. (2015). DBT Skills Training Manual (2nd ed.). New York: Guilford Press.",
    "zaccaro-2018": "Zaccaro, A., Piarulli, A., Laurino, M., Garbella, E., Menicucci, D., Neri, B., & Gemignani, A. "
    "(2018). How breath-control can change your life: A systematic review on psycho-physiological correlates of "
    "slow breathing. Frontiers in Human Neuroscience, 12, 353.",
    "jacobson-1938": "Jacobson, E. (1938). Progressive Relaxation (2nd ed.). Chicago: University of Chicago Press.",
    "bernstein-borkovec-1973": "Bernstein, D. A., & Borkovec, T. D. (1973). Progressive Relaxation Training: A "
    "Manual for the Helping Professions. Champaign, IL: Research Press.",
    "kabat-zinn-1990": "Kabat-Zinn, J. (1990). Full Catastrophe Living: Using the Wisdom of Your Body and Mind to "
    "Face Stress, Pain, and Illness. New York: Delacorte.",
    "stahl-goldstein-2010": "Stahl, B., & Goldstein, E. (2010). A Mindfulness-Based Stress Reduction Workbook. "
    "Oakland, CA: New Harbinger.",
    "lieberman-2007": "Lieberman, M. D., Eisenberger, N. I., Crockett, M. J., Tom, S. M., Pfeifer, J. H., & Way, "
    "B. M. (2007). Putting feelings into words: Affect labeling disrupts amygdala activity in response to "
    "affective stimuli. Psychological Science, 18(5), 421–428.",
    "neff-2003": "Neff, K. D. (2003). Self-compassion: An alternative conceptualization of a healthy attitude "
    "toward oneself. Self and Identity, 2(2), 85–101.",
    "neff-2011": "Neff, K. D. (2011). Self-Compassion: The Proven Power of Being Kind to Yourself. New York: "
    "William Morrow.",
    "neff-germer-2018": "Neff, K. D., & Germer, C. K. (2018). The Mindful Self-Compassion Workbook. New York: "
    "Guilford Press.",
    "gilbert-2010": "Gilbert, P. (2010). The Compassionate Mind. London: Constable.",
    "hofmann-2011": "Hofmann, S. G., Grossman, P., & Hinton, D. E. (2011). Loving-kindness and compassion "
    "meditation: Potential for psychological interventions. Clinical Psychology Review, 31(7), 1126–1132.",
    "seligman-2005": "Seligman, M. E. P., Steen, T. A., Park, N., & Peterson, C. (2005). Positive psychology "
    "progress: Empirical validation of interventions. American Psychologist, 60(5), 410–421.",
    "emmons-mccullough-2003": "Emmons, R. A., & McCullough, M. E. (2003). Counting blessings versus burdens: An "
    "experimental investigation of gratitude and subjective well-being in daily life. Journal of Personality and "
    "Social Psychology, 84(2), 377–389.",
    "bryant-veroff-2007": "Bryant, F. B., & Veroff, J. (2007). Savoring: A New Model of Positive Experience. "
    "Mahwah, NJ: Lawrence Erlbaum.",
    "peterson-seligman-2004": "Peterson, C., & Seligman, M. E. P. (2004). Character Strengths and Virtues: A "
    "Handbook and Classification. New York: Oxford University Press.",
    "lyubomirsky-2005": "Lyubomirsky, S., Sheldon, K. M., & Schkade, D. (2005). Pursuing happiness: The "
    "architecture of sustainable change. Review of General Psychology, 9(2), 111–131.",
    "king-2001": "King, L. A. (2001). The health benefits of writing about life goals. Personality and Social "
    "Psychology Bulletin, 27(7), 798–807.",
    "pennebaker-beall-1986": "Pennebaker, J. W., & Beall, S. K. (1986). Confronting a traumatic event: Toward an "
    "understanding of inhibition and disease. Journal of Abnormal Psychology, 95(3), 274–281.",
    "pennebaker-1997": "Pennebaker, J. W. (1997). Writing about emotional experiences as a therapeutic process. "
    "Psychological Science, 8(3), 162–166.",
    "pennebaker-smyth-2016": "Pennebaker, J. W., & Smyth, J. M. (2016). Opening Up by Writing It Down (3rd ed.). "
    "New York: Guilford Press.",
    "hayes-2012": "Hayes, S. C., Strosahl, K. D., & Wilson, K. G. (2012). Acceptance and Commitment Therapy: The "
    "Process and Practice of Mindful Change (2nd ed.). New York: Guilford Press.",
    "hayes-2005": "Hayes, S. C., & Smith, S. (2005). Get Out of Your Mind and Into Your Life. Oakland, CA: New "
    "Harbinger.",
    "harris-2009": "Harris, R. (2009). ACT Made Simple. Oakland, CA: New Harbinger.",
    "wilson-2010": "Wilson, K. G., Sandoz, E. K., Kitchens, J., & Roberts, M. (2010). The Valued Living "
    "Questionnaire: Defining and measuring valued action within a behavioral framework. The Psychological Record, "
    "60(2), 249–272.",
    "frankl-1946": "Frankl, V. E. (1946/2006). Man's Search for Meaning. Boston: Beacon Press.",
}
