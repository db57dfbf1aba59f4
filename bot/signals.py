"""Surface signals people use in text when they are annoyed (or explicitly are not).

Each signal keeps the words that triggered it, so the frustration score can say why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

WORD_RE = re.compile(r"[A-Za-z][A-Za-z']*")

# Upper-case tokens that are names, codes or units rather than shouting.
_NOT_SHOUTING = frozenset(
    {
        "ORD",
        "ID",
        "OK",
        "UK",
        "US",
        "USA",
        "EU",
        "EUR",
        "USD",
        "GBP",
        "PDF",
        "DHL",
        "UPS",
        "DPD",
        "GLS",
        "PIN",
        "SMS",
        "TV",
        "PC",
        "IBAN",
        "VAT",
        "FAQ",
        "URL",
        "PM",
        "AM",
        "XL",
        "XXL",
        "HDMI",
        "USB",
        "SSD",
        "LED",
        "CEO",
        "DM",
        "PS",
        "FYI",
        "NYC",
        "TNT",
        "II",
        "III",
        "IOS",
        "BBQ",
    }
)

_PROFANITY_RE = re.compile(
    r"\b(damn\w*|crap\w*|shit\w*|bullshit|fuck\w*|f\*+k\w*|wtf|ffs|bloody|pissed|piss|"
    r"sucks?|screw(ed)? (you|this|up)|arse\w*|ass|asshole\w*|bastard\w*|hell|"
    r"jesus christ|for god'?s sake|idiot\w*|stupid|moron\w*|rubbish|garbage|pathetic)\b",
    re.IGNORECASE,
)

# Strong: the customer says outright that this is a repeat or that nobody answers.
_REPEAT_STRONG_RE = re.compile(
    r"\b((second|third|fourth|fifth|sixth|tenth|\d+(st|nd|rd|th)) time|how many times|"
    r"(nobody|no one|no-one|noone)( \w+)? (replies|replied|reply|answers|answered|answer|"
    r"responds|responded|respond|gets back|got back|called back|calls back|helps|helped|"
    r"cares|is answering|is replying|has replied|has answered|has responded|has got back)|"
    r"yet again|once again|again and again|over and over|"
    r"still (waiting|nothing|no\b|not\b|hasn't|haven't|have not|has not|isn't|is not|"
    r"doesn't|does not|don't|can't|cannot|won't|wrong|broken|missing|no sign)|"
    r"(already|i've|i have|i) (asked|told you|explained|contacted|called|emailed|written|"
    r"wrote|sent|complained|chased)( \w+)? (twice|three times|several times|many times|"
    r"multiple times|before|already|\d+ times)|"
    r"(asked|told you|explained|contacted you|called|emailed|written|wrote|chased|complained)"
    r" (twice|three times|several times|many times|multiple times|\d+ times)|"
    r"keep (asking|telling|getting|saying|chasing|waiting)|every single time|"
    r"for (weeks|days|ages) now|weeks now|days now|going round in circles|"
    r"no (reply|response|answer|one) (yet|again|at all|whatsoever))\b",
    re.IGNORECASE,
)
_REPEAT_WEAK_RE = re.compile(r"\b(again|still|already)\b", re.IGNORECASE)
# "thanks again" and "still possible?" are polite, not repeats.
_REPEAT_WEAK_EXEMPT_RE = re.compile(
    r"\b(thanks again|thank you again|still (possible|available|in stock|time|valid|"
    r"open|able|ok|okay|good|fine|happy|interested|want|like|need)|"
    r"(buy|order|shop|use)( \w+)? again)\b",
    re.IGNORECASE,
)

_SARCASM_RE = re.compile(
    r"\b((great|wonderful|brilliant|fantastic|perfect|lovely|amazing|super),? just "
    r"(great|wonderful|brilliant|fantastic|perfect|lovely|amazing|super)|"
    r"thanks? for nothing|thanks? a (lot|bunch|million)(,| for)? (for )?(nothing|not|"
    r"never|wasting|ruining|the runaround)|"
    r"oh,? (great|wonderful|perfect|brilliant|joy|lovely|fantastic|super|how nice)|"
    r"yeah,? right|sure you (will|are|did|do)|just what i needed|"
    r"(i )?(just )?love (how|waiting|being|the way)|what a (joke|surprise|shock)|"
    r"(really|so|very) helpful(,)? (not|NOT)|"
    r"(great|excellent|amazing|fantastic|stellar|top notch|brilliant|wonderful) "
    r"(service|job|work|customer service|support)(,|\.)? (really|truly|not|as always|again)|"
    r"well done(,)? (guys|you|really|again|everyone)|"
    r"(nice|good|great) one(,)? (guys|again|really)|"
    r"as always|as usual|shocker|color me surprised|colour me surprised|"
    r"big surprise|no surprise there)\b",
    re.IGNORECASE,
)

# "I'm not upset", "no rush", "just curious": the customer tells us they are calm.
_CALM_RE = re.compile(
    r"\b((not|n't|never|no longer|nothing) (\w+ )?(upset|angry|mad|annoyed|frustrated|"
    r"cross|complaining|bothered|worried|anxious|stressed|panicking|urgent|in a rush|in a "
    r"hurry|a big deal|a problem|a complaint)|no (rush|hurry|worries|stress|pressure|problem)|"
    r"(just|only|simply) (asking|curious|wondering|checking|a question|enquiring|"
    r"inquiring|want(ed)? to (know|check|ask))|whenever (it|you|is) \w+|"
    r"take your time|in your own time|not in a hurry|no big deal)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class TextSignals:
    """The evidence each signal found in one message."""

    shouted_words: tuple[str, ...]
    shouting: bool
    exclamation_runs: tuple[str, ...]
    question_runs: tuple[str, ...]
    profanity: tuple[str, ...]
    repeat_strong: tuple[str, ...]
    repeat_weak: tuple[str, ...]
    sarcasm: tuple[str, ...]
    calm: tuple[str, ...]

    def evidence(self) -> list[str]:
        """Human-readable words behind the signals, for logs and the handoff summary."""
        items: list[str] = []
        items += [f"caps:{w}" for w in self.shouted_words]
        items += list(self.exclamation_runs) + list(self.question_runs)
        items += [f"profanity:{w}" for w in self.profanity]
        items += [f"repeat:{w}" for w in self.repeat_strong + self.repeat_weak]
        items += [f"sarcasm:{w}" for w in self.sarcasm]
        items += [f"calm:{w}" for w in self.calm]
        return items


def _matches(pattern: re.Pattern[str], text: str) -> tuple[str, ...]:
    return tuple(m.group(0) for m in pattern.finditer(text))


def _shouted_words(text: str) -> tuple[tuple[str, ...], bool]:
    """Upper-case words, and whether the message as a whole is shouted."""
    words = [w.strip("'") for w in WORD_RE.findall(text)]
    letter_words = [w for w in words if len(w) >= 2]
    shouted = tuple(w for w in letter_words if w.isupper() and len(w) >= 3 and w not in _NOT_SHOUTING)
    upper_words = [w for w in letter_words if w.isupper() and w not in _NOT_SHOUTING]
    whole_message = len(letter_words) >= 3 and len(upper_words) / len(letter_words) >= 0.6
    return shouted, bool(shouted) or whole_message


def extract_signals(text: str) -> TextSignals:
    """Find every frustration (and calm) signal in one message."""
    shouted, shouting = _shouted_words(text)
    weak = tuple(
        m.group(0)
        for m in _REPEAT_WEAK_RE.finditer(text)
        if not any(e.start() <= m.start() < e.end() for e in _REPEAT_WEAK_EXEMPT_RE.finditer(text))
    )
    strong = _matches(_REPEAT_STRONG_RE, text)
    # A weak marker inside a strong one ("still waiting") is already counted.
    weak = tuple(w for w in weak if not any(w.lower() in s.lower() for s in strong))
    return TextSignals(
        shouted_words=shouted,
        shouting=shouting,
        exclamation_runs=tuple(re.findall(r"!{2,}|[!?]*!\?[!?]*|\?!+", text)),
        question_runs=tuple(re.findall(r"\?{2,}", text)),
        profanity=_matches(_PROFANITY_RE, text),
        repeat_strong=strong,
        repeat_weak=weak,
        sarcasm=_matches(_SARCASM_RE, text),
        calm=_matches(_CALM_RE, text),
    )


def frustration_intensity(p_frustrated: float, signals: TextSignals, vader_compound: float) -> float:
    """Frustration of one message, 0..1, from the classifier and the surface signals.

    Signals weigh more when the message is negative: "I LOVE it!!!" shouts but is not
    annoyed. An explicit calm statement ("I'm not upset, just asking") damps everything
    that is not a strong repeat or profanity.
    """
    negativity = max(p_frustrated, -vader_compound, 0.0)
    boost = 0.0
    boost += 0.15 if signals.shouting else 0.0
    boost += 0.08 * min(len(signals.exclamation_runs) + len(signals.question_runs), 2)
    boost += 0.2 if signals.profanity else 0.0
    boost += 0.2 if signals.repeat_strong else 0.07 * min(len(signals.repeat_weak), 2)
    boost += 0.15 if signals.sarcasm else 0.0
    score = 0.6 * p_frustrated + boost * (0.3 + 0.7 * negativity)
    # Sarcasm reads as positive to lexicons; a sarcastic complaint is still a complaint.
    if signals.sarcasm and (signals.repeat_strong or p_frustrated > 0.3):
        score = max(score, 0.5)
    if signals.calm and not (signals.repeat_strong or signals.profanity):
        score *= 0.3
    return round(min(max(score, 0.0), 1.0), 3)
