"""What the benchmark prints and keeps: the figures on stdout, every conversation in
results.json, and each miss with its turns and the bot's replies in misses.md, so whoever
works on the policy or the bot reads what went wrong without re-running anything."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.escalation.play import Outcome
from bench.escalation.scoring import (
    COLUMNS,
    ROUTINE,
    TARGET_FALSE_ESCALATION_RATE,
    TARGET_RECALL,
    Figures,
    miss_kinds,
)

MISS_ORDER = ("missed", "late", "wrong reason", "false escalation", "error")
MISS_TITLES = {
    "missed": "Missed: should have reached a person and stayed with the bot",
    "late": "Late: reached a person after the turn a good agent would have stepped in",
    "wrong reason": "Wrong reason: reached a person, but the recorded reason is not the scenario's",
    "false escalation": "False escalation: a routine conversation sent to a person",
    "error": "Errors and timeouts: the result may not be the bot's judgment",
}


@dataclass(frozen=True)
class RunInfo:
    """Where and how the figures were measured (printed and kept with them)."""

    started_at: str  # ISO 8601, UTC
    host: str
    cpus: int | None
    model: str
    model_sha256: str
    model_modified_at: str
    command: str
    startup_seconds: float
    play_seconds: float


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:6.1%}"


def _fraction(part: int, whole: int, value: float | None) -> str:
    return f"{part:>3}/{whole:<3} = {_pct(value)}"


def _turn_seconds(outcomes: Sequence[Outcome]) -> list[float]:
    return sorted(t.seconds for o in outcomes for t in o.turns)


def _percentile(ordered: Sequence[float], fraction: float) -> float:
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def render(figures: Figures, outcomes: Sequence[Outcome], info: RunInfo) -> str:
    """The benchmark's printed result: the headline figures and the per-reason table."""
    f = figures
    seconds = _turn_seconds(outcomes)
    timing = (
        f"turn p50 {_percentile(seconds, 0.5):.1f} s, p95 {_percentile(seconds, 0.95):.1f} s"
        if seconds
        else "no turns"
    )
    lines = [
        f"escalation bench: {f.must_escalate + f.must_not} conversations "
        f"({f.must_escalate} must escalate, {f.must_not} must not), {info.started_at} on {info.host} "
        f"({info.cpus} cores)",
        f"model {info.model} (sha256 {info.model_sha256[:12]}, modified {info.model_modified_at})",
        "",
        f"recall (escalated at all)          {_fraction(f.escalated, f.must_escalate, f.recall)}   (target >= {TARGET_RECALL:.0%})",
        f"on-time recall (turn <= by_turn)   {_fraction(f.on_time, f.must_escalate, f.on_time_recall)}",
        f"precision                          {_fraction(f.escalated, f.escalated + f.false_escalations, f.precision)}",
        f"false escalations (must_not)       {_fraction(f.false_escalations, f.must_not, f.false_escalation_rate)}   (target <= {TARGET_FALSE_ESCALATION_RATE:.0%})",
        f"recorded reason matches the why    {_fraction(f.reason_matched, f.escalated, f.reason_match_rate)}   (of the escalations that should happen)",
        f"errors / timeouts                  {f.errors} / {f.timeouts}",
        f"run time                           start-up {info.startup_seconds:.0f} s, conversations {info.play_seconds:.0f} s ({timing})",
        f"targets met                        {'yes' if f.targets_met else 'NO'}",
        "",
        "Per reason. Rows: the scenario's reason; columns: the reasons the gateway recorded",
        "(one escalation may record several, so a row's columns can add up to more than n).",
        "",
        *_reason_table(figures),
    ]
    return "\n".join(lines)


def _reason_table(figures: Figures) -> list[str]:
    short = {"repeated_failure": "rep_fail", "not escalated": "none"}
    columns = [short.get(c, c) for c in COLUMNS]
    header = (
        f"{'expected':<17} {'n':>3} {'escal':>5} {'recall':>7} {'on time':>7} {'reason ok':>9} |"
        + "".join(f" {c:>11}" for c in columns)
    )
    lines = [header, "-" * len(header)]
    for row in figures.rows:
        routine = row.reason == ROUTINE
        lines.append(
            f"{row.reason:<17} {row.conversations:>3} {row.escalated:>5} {_pct(row.recall):>7} "
            f"{('-' if routine else str(row.on_time)):>7} {('-' if routine else str(row.matched)):>9} |"
            + "".join(f" {row.recorded[c]:>11}" for c in COLUMNS)
        )
    lines.append("(must_not: escal and recall are the false escalations; none = not escalated)")
    return lines


def outcome_to_dict(outcome: Outcome) -> dict[str, Any]:
    s = outcome.scenario
    return {
        "id": s.id,
        "part": s.part,
        "persona": s.persona,
        "why": s.why,
        "expected": {"escalate": s.must_escalate, "reason": s.reason, "by_turn": s.by_turn},
        "got": {
            "escalated": outcome.escalated,
            "turn": outcome.turn,
            "handoff_status": outcome.handoff_status,
            "recorded_codes": list(outcome.codes),
            "recorded_reasons": list(outcome.reasons),
            "evidence": list(outcome.evidence),
        },
        "on_time": outcome.on_time if s.must_escalate else None,
        "reason_matched": outcome.reason_matched if s.must_escalate else None,
        "misses": list(miss_kinds(outcome)),
        "errors": list(outcome.errors),
        "timed_out": outcome.timed_out,
        "seconds": round(outcome.seconds, 3),
        "turns_scripted": len(s.turns),
        "turns": [t.to_dict() for t in outcome.turns],
    }


def figures_to_dict(figures: Figures) -> dict[str, Any]:
    data = asdict(figures)
    for name in ("recall", "on_time_recall", "precision", "false_escalation_rate", "reason_match_rate"):
        value = getattr(figures, name)
        data[name] = None if value is None else round(value, 4)
    data["targets_met"] = figures.targets_met
    data["targets"] = {"recall": TARGET_RECALL, "false_escalation_rate": TARGET_FALSE_ESCALATION_RATE}
    return data


def write_results(
    out: Path, figures: Figures, outcomes: Sequence[Outcome], info: RunInfo
) -> tuple[Path, Path]:
    """results.json (every conversation) and misses.md (each miss, readable) in `out`."""
    out.mkdir(parents=True, exist_ok=True)
    results = out / "results.json"
    body = {
        "run": asdict(info),
        "figures": figures_to_dict(figures),
        "conversations": [outcome_to_dict(o) for o in outcomes],
    }
    results.write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    misses = out / "misses.md"
    misses.write_text(render_misses(figures, outcomes, info), encoding="utf-8")
    return results, misses


def render_misses(figures: Figures, outcomes: Sequence[Outcome], info: RunInfo) -> str:
    listed = [(miss_kinds(o), o) for o in outcomes if miss_kinds(o)]
    lines = [
        "# Escalation benchmark: misses",
        "",
        f"Measured {info.started_at} on {info.host} with `{info.command}` "
        f"(model sha256 {info.model_sha256[:12]}). {len(listed)} of {len(outcomes)} conversations "
        "are listed; every conversation, with its replies, is in results.json.",
        "",
        f"Recall {_pct(figures.recall).strip()}, on-time recall {_pct(figures.on_time_recall).strip()}, "
        f"precision {_pct(figures.precision).strip()}, false escalations "
        f"{_pct(figures.false_escalation_rate).strip()}, recorded reason matching "
        f"{_pct(figures.reason_match_rate).strip()}, errors {figures.errors}.",
    ]
    for kind in MISS_ORDER:
        group = [(kinds, o) for kinds, o in listed if kinds[0] == kind]
        if not group:
            continue
        lines += ["", f"## {MISS_TITLES[kind]} ({len(group)})"]
        for kinds, outcome in group:
            lines += ["", *_miss(kinds, outcome)]
    return "\n".join(lines) + "\n"


def _miss(kinds: tuple[str, ...], outcome: Outcome) -> list[str]:
    s = outcome.scenario
    expected = f"{s.reason}, by turn {s.by_turn}" if s.must_escalate else "stay with the bot"
    if outcome.escalated:
        recorded = ", ".join(outcome.codes) or "no reason recorded"
        got = f"escalated after turn {outcome.turn} ({outcome.handoff_status}; recorded: {recorded})"
    else:
        got = "not escalated"
    lines = [
        f"### {s.id} ({', '.join(kinds)})",
        "",
        f"- why: {s.why}",
        f"- persona: {s.persona}",
        f"- expected: {expected}",
        f"- got: {got}",
    ]
    for item in outcome.evidence:
        turn = item.get("turn")
        said = _one_line(str(item.get("evidence_text") or ""))
        where = f"turn {turn}" if turn is not None else "an unknown turn"
        lines.append(f"- evidence: {item.get('code')} at {where}: {item.get('detail')} (“{said}”)")
    lines += [f"- error: {e}" for e in outcome.errors]
    lines.append("")
    for turn in outcome.turns:
        lines.append(f"{turn.number}. **customer:** {_one_line(turn.customer)}")
        for reply in turn.replies:
            lines.append(f"   - *{reply.role}:* {_one_line(reply.text)}")
        if not turn.replies:
            lines.append("   - *(no reply)*")
    unplayed = len(s.turns) - len(outcome.turns)
    if unplayed:
        why = "the conversation had reached a person" if outcome.escalated else "stopped by the error"
        lines.append(f"   ({unplayed} more scripted turn(s) not sent: {why})")
    return lines


def _one_line(text: str) -> str:
    return " ".join(text.split())
