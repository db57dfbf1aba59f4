"""The benchmark's table and totals."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bench.empathy.scoring import TurnScore

TARGET_NEGATIVE_RATE = 0.95


@dataclass(frozen=True)
class Totals:
    replies: int
    negative: int
    negative_meeting: int
    banned: int
    repeated: int
    apologies_to_calm: int
    errors: int

    @property
    def negative_rate(self) -> float:
        return self.negative_meeting / self.negative if self.negative else 1.0

    @property
    def targets_met(self) -> bool:
        return self.banned == 0 and self.negative_rate >= TARGET_NEGATIVE_RATE and self.errors == 0


def totals(scores: Sequence[TurnScore]) -> Totals:
    negative = [s for s in scores if s.feeling == "negative"]
    return Totals(
        replies=len(scores),
        negative=len(negative),
        negative_meeting=sum(s.meets_acknowledge_specific_act and not s.error for s in negative),
        banned=sum(len(s.banned) for s in scores),
        repeated=sum(len(s.repeated) for s in scores),
        apologies_to_calm=sum(s.apology_to_calm for s in scores),
        errors=sum(bool(s.error) for s in scores),
    )


def _mark(value: bool | None) -> str:
    return "-" if value is None else ("yes" if value else "NO")


def render(scores: Sequence[TurnScore], verbose: bool = False) -> str:
    header = f"{'conversation':<34} {'#':>2} {'feeling':<8} {'ack':<4} {'spec':<4} {'act':<4} {'banned':<6} {'repeat':<6} {'apology':<7} ok"
    lines = [header, "-" * len(header)]
    for s in scores:
        lines.append(
            f"{s.conversation[:34]:<34} {s.turn:>2} {s.feeling:<8} {_mark(s.acknowledges):<4} {_mark(s.specific):<4} "
            f"{_mark(s.acts):<4} {len(s.banned):<6} {len(s.repeated):<6} {'NO' if s.apology_to_calm else 'ok':<7} "
            f"{'ok' if s.ok else 'FAIL'}"
        )
        if verbose or not s.ok:
            lines.append(f"    bot: {s.reply[:400]}")
            for problem in (s.error, *s.banned, *(f"repeated: {r}" for r in s.repeated)):
                if problem:
                    lines.append(f"    !! {problem}")
    t = totals(scores)
    lines += [
        "",
        f"replies scored:                              {t.replies}",
        f"replies to negative messages:                {t.negative}",
        f"  acknowledge + specific + act:              {t.negative_meeting}/{t.negative} = {t.negative_rate:.1%} (target >= {TARGET_NEGATIVE_RATE:.0%})",
        f"banned phrases:                              {t.banned} (target 0)",
        f"repeated validations:                        {t.repeated}",
        f"apologies to happy/neutral routine messages: {t.apologies_to_calm}",
        f"errors (no reply, HTTP failures):            {t.errors}",
        f"targets met:                                 {'yes' if t.targets_met else 'NO'}",
    ]
    return "\n".join(lines)
