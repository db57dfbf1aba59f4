"""What is riding on the order: a gift, an event, a bereavement, health, work or travel.

Rules, not a model: the families are few and their wording is specific, and a wrong
"funeral" is far worse than a missed one, so precision comes first. Each family is a
list of patterns; a match keeps the words that show it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

STAKES: tuple[str, ...] = ("none", "gift", "event", "bereavement", "health", "work", "travel")

_PEOPLE = (
    r"(?:my |our |his |her |their )?(?:late |dear |little |best )?(?:mum|mom|mother|dad|"
    r"father|grandma|grandmother|granny|nan|nana|grandpa|grandfather|granddad|grandad|"
    r"husband|wife|partner|son|daughter|brother|sister|uncle|aunt|auntie|cousin|friend|"
    r"boyfriend|girlfriend|fiance|fiancee|fiancé|fiancée|niece|nephew|kid|child|baby|"
    r"boss|colleague|teacher|neighbou?r|godson|goddaughter|in-laws?|stepdad|stepmum|"
    r"stepmom|parents?|grandparents?|family)(?:'s)?"
)

# Ordered by priority: when several families match, the first one is reported.
_PATTERNS: dict[str, tuple[str, ...]] = {
    "bereavement": (
        r"funerals?",
        r"memorial( service)?",
        r"burial",
        r"cremation",
        r"wake for",
        r"condolences?",
        r"sympathy (flowers|card|wreath|bouquet|gift)",
        r"wreaths?",
        r"passed away",
        r"(has |had |just )?died",
        r"lost " + _PEOPLE,
        r"death of " + _PEOPLE,
        r"bereave\w*",
        r"in memory of",
        r"grave(side|stone)?",
        r"headstone",
        r"mourning",
    ),
    "health": (
        r"medications?",
        r"medicines?",
        r"prescriptions?",
        r"insulin",
        r"inhalers?",
        r"epi-?pens?",
        r"hospital",
        r"surgery",
        r"(my|an|his|her|the) operation",
        r"chemo(therapy)?",
        r"diabet\w+",
        r"blood (pressure|sugar|glucose)",
        r"(glucose|heart rate|blood pressure) monitor",
        r"hearing aids?",
        r"wheelchair",
        r"crutches",
        r"mobility (aid|scooter)",
        r"nebuli[sz]er",
        r"oxygen",
        r"allerg\w+",
        r"(my |the )?doctor('s)?",
        r"(is|am|are|been|being|fell|falling) (very |really |seriously )?(ill|sick|unwell)",
        r"(medical|health) (condition|reasons|device|supplies|emergency)",
        r"(pregnan\w+|due date)",
        r"newborn",
        r"baby formula",
        r"recovering from",
        r"dialysis",
        r"disabilit\w+",
    ),
    "event": (
        r"wedding( day| dress| ring| present)?",
        r"(birthday|engagement|retirement|leaving|farewell|christmas|dinner|garden|"
        r"surprise|housewarming|halloween|graduation|tea) party",
        r"(?<!third )(?<!third-)(?<!3rd )part(y|ies)(?! (seller|app|site|courier|vendor))",
        r"graduation",
        r"christening",
        r"baptism",
        r"bar mitzvah|bat mitzvah",
        r"baby shower",
        r"bridal shower",
        r"hen (do|party|night)",
        r"stag (do|party|night)",
        r"prom",
        r"ceremony",
        r"recital",
        r"concert",
        r"festival",
        r"(school )?play on",
        r"wedding reception",
        r"gala",
        r"(a |the |our |my |his |her )(big |first )?(match|race|tournament|marathon|game)",
        r"opening night",
        r"first communion|communion",
        r"quincea\w+",
        r"(wedding )?anniversary (dinner|party|celebration)",
    ),
    "gift": (
        r"gifts?(?! ?(card|voucher|certificate|code|balance))",
        r"presents? for",
        r"(birthday|christmas|xmas|anniversary|valentine'?s?|mother'?s day|father'?s day|"
        r"graduation|wedding|retirement|housewarming|eid|hanukkah|diwali) (present|gift)s?",
        r"for " + _PEOPLE + r" birthday",
        r"(it'?s|for) (a|my|his|her|their) birthday",
        _PEOPLE + r" birthday",
        r"birthday",
        r"(our |my |their )?anniversary",
        r"valentine'?s?( day)?",
        r"mother'?s day|father'?s day",
        r"stocking filler",
        r"under the (christmas )?tree",
        r"gift[- ]?wrap\w*",
        r"surprise (for|him|her|them)",
        r"(buying|bought|ordered|got) (it|this|them|these) for " + _PEOPLE,
    ),
    "travel": (
        r"flights?",
        r"plane",
        r"airport",
        r"(my |our |a )?(trip|holiday|holidays|vacation|honeymoon|cruise|getaway)",
        r"(i'm|i am|we're|we are) (leaving|flying|travelling|traveling|going away|off)",
        r"(i|we) (fly|leave for|depart|travel)",
        r"(before|when) (i|we) (leave|fly|travel|go away|head off|depart)",
        r"travel(l?ing)? (to|on|abroad|next|tomorrow|overseas|for)",
        r"passport",
        r"visa appointment",
        r"(suit ?case|luggage|carry-on)",
        r"moving (abroad|overseas|house|home|to)",
        r"(train|ferry|coach) (to|tomorrow|on)",
        r"road trip",
        r"camping trip",
        r"abroad",
    ),
    "work": (
        r"(for|at) (my )?work",
        r"(my |a |the )?job interview",
        r"interview",
        r"(new|my|his|her) job",
        r"(my|our|the) office(?! (chair|supplies|desk))",
        r"(a |my |the )?(client|customer) (meeting|presentation|demo|pitch)",
        r"(a|my|our|the) presentation",
        r"(my|our|a) clients?",
        r"(my |our )?boss",
        r"(business|work) (trip|meeting|event|conference|laptop|phone)",
        r"conference",
        r"(a|my|our|the|important|big) (\w+ )?meeting",
        r"(my|our) (shop|business|company|restaurant|salon|studio|team|employer|cafe|bakery)",
        r"deadline at work|work deadline",
        r"first day (at|of) (work|school|my new job|the job)",
        r"(exam|exams|thesis|dissertation|coursework)",
        r"on call",
        r"(my|a|night|early|late) shift",
    ),
}

# "not a gift", "no rush, it's not for an event": a denied family is not the stakes.
_DENIAL_RE = r"(not|n't|no|isn't|wasn't|never)\s+(a |an |for |for a |for an |for my |my )?"
_LOST_ITEM_RE = re.compile(r"lost (my|the|our) (parcel|package|order|card|password)", re.I)


@dataclass(frozen=True)
class StakesResult:
    """The primary stakes family, every family found, and the words behind each."""

    stakes: str
    families: tuple[str, ...]
    evidence: dict[str, tuple[str, ...]]


class StakesDetector:
    """Finds stakes families in text; compiled once, pure afterwards."""

    def __init__(self) -> None:
        self._compiled = {
            family: re.compile(r"\b(" + "|".join(patterns) + r")\b", re.IGNORECASE)
            for family, patterns in _PATTERNS.items()
        }

    def detect(self, text: str) -> StakesResult:
        """Stakes of one message; ``stakes`` is ``none`` when nothing is at stake."""
        cleaned = _LOST_ITEM_RE.sub(" ", text.replace("’", "'"))
        evidence: dict[str, tuple[str, ...]] = {}
        for family, pattern in self._compiled.items():
            found = tuple(m.group(0) for m in pattern.finditer(cleaned) if not _is_denied(cleaned, m.start()))
            if found:
                evidence[family] = found
        families = tuple(family for family in _PATTERNS if family in evidence)
        return StakesResult(
            stakes=families[0] if families else "none",
            families=families,
            evidence=evidence,
        )


def _is_denied(text: str, start: int) -> bool:
    before = text[max(0, start - 16) : start].lower()
    return re.search(_DENIAL_RE + r"$", before) is not None
