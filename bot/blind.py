"""The blind evaluation: ``python -m bot.blind [--model M] [--split test|dev|all]``.

Parses every message of the frozen blind set (tests/nlu/blind/, written from personas by
someone who never saw our training data) with the trained model through
``Agent.parse_message``, the code path behind ``/model/parse``, and reports:

- intent accuracy, the share of in-scope messages that end in ``nlu_fallback``, and whether
  out-of-scope messages are still recognised, with the most frequent confusions;
- emotion accuracy against the writers' labels, per class;
- on the routine set (calm or happy messages only), every message read as a negative
  feeling confidently enough for the empathy layer to acknowledge it;
- parse latency p50/p95.

The intent/emotion files are split in two halves by a hash of the text: ``dev`` may be used
to calibrate thresholds, ``test`` is the headline figure. Results go to results/blind/.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import logging
import statistics
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from rasa.core.agent import load_agent

logger = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parent.parent
BLIND_DIR = REPO_ROOT / "tests" / "nlu" / "blind"
INTENT_FILES = ("orders.yml", "money_account.yml", "conversation.yml")
ROUTINE_FILE = "routine.yml"
EMPATHY_RULES = REPO_ROOT / "content" / "empathy" / "rules.yml"
FALLBACK = "nlu_fallback"
NEGATIVE = frozenset({"frustrated", "anxious", "sad", "confused"})
SPLITS = ("dev", "test", "all")


@dataclass(frozen=True)
class BlindMessage:
    text: str
    intent: str
    emotion: str
    persona: str
    source: str

    @property
    def half(self) -> str:
        """`dev` or `test`, fixed by the text alone so the split never moves."""
        return "dev" if hashlib.sha256(self.text.encode("utf-8")).digest()[0] % 2 == 0 else "test"


@dataclass(frozen=True)
class Parsed:
    intent: str
    intent_confidence: float
    ranking: tuple[tuple[str, float], ...]
    emotion: str
    emotion_confidence: float
    millis: float


@dataclass
class Report:
    split: str
    messages: int
    intent_accuracy: float
    fallback_rate_in_scope: float
    out_of_scope_recall: float
    emotion_accuracy: float
    emotion_per_class: dict[str, dict[str, float]]
    top_confusions: list[tuple[str, str, int]]
    routine_messages: int
    routine_negative: int
    routine_acknowledged: list[dict[str, Any]] = field(default_factory=list)
    parse_p50_ms: float = 0.0
    parse_p95_ms: float = 0.0
    per_intent_accuracy: dict[str, float] = field(default_factory=dict)


def load_blind(directory: Path = BLIND_DIR, files: Iterable[str] = INTENT_FILES) -> list[BlindMessage]:
    """Read blind files; a malformed entry stops with the file and the index."""
    messages = []
    for name in files:
        path = directory / name
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for index, raw in enumerate(data.get("messages") or []):
            try:
                messages.append(
                    BlindMessage(
                        str(raw["text"]), str(raw["intent"]), str(raw["emotion"]), str(raw["persona"]), name
                    )
                )
            except (KeyError, TypeError) as exc:
                raise ValueError(f"{path}: message {index} lacks {exc}") from exc
    return messages


def acknowledge_threshold(rules_path: Path = EMPATHY_RULES) -> float:
    """The emotion confidence from which the empathy layer acknowledges a feeling."""
    rules = yaml.safe_load(rules_path.read_text(encoding="utf-8")) or {}
    return float(rules.get("acknowledge_min_confidence", 0.0))


async def parse_all(model_path: str, texts: Sequence[str]) -> list[Parsed]:
    agent = await load_agent(model_path=model_path)
    for text in texts[:10]:
        await agent.parse_message(text)
    parsed = []
    for text in texts:
        start = time.perf_counter()
        result = await agent.parse_message(text)
        millis = (time.perf_counter() - start) * 1000
        parsed.append(_read(result, millis))
    return parsed


def _read(result: dict[str, Any], millis: float) -> Parsed:
    intent = result.get("intent") or {}
    ranking = tuple(
        (str(r.get("name")), float(r.get("confidence") or 0.0)) for r in result.get("intent_ranking") or []
    )
    emotion = result.get("emotion") or {}
    return Parsed(
        intent=str(intent.get("name")),
        intent_confidence=float(intent.get("confidence") or 0.0),
        ranking=ranking,
        emotion=str(emotion.get("name") or "neutral"),
        emotion_confidence=float(emotion.get("confidence") or 0.0),
        millis=millis,
    )


def build_report(
    *,
    split: str,
    messages: Sequence[BlindMessage],
    parsed: Sequence[Parsed],
    routine: Sequence[BlindMessage],
    routine_parsed: Sequence[Parsed],
    threshold: float,
) -> Report:
    pairs = list(zip(messages, parsed, strict=True))
    in_scope = [(m, p) for m, p in pairs if m.intent != "out_of_scope"]
    oos = [(m, p) for m, p in pairs if m.intent == "out_of_scope"]
    confusions = Counter((m.intent, p.intent) for m, p in pairs if m.intent != p.intent)
    per_intent: dict[str, list[bool]] = {}
    for m, p in pairs:
        per_intent.setdefault(m.intent, []).append(m.intent == p.intent)
    emotion_classes = sorted({m.emotion for m in messages})
    per_class = {}
    for label in emotion_classes:
        tp = sum(1 for m, p in pairs if m.emotion == label and p.emotion == label)
        predicted = sum(1 for _, p in pairs if p.emotion == label)
        actual = sum(1 for m, _ in pairs if m.emotion == label)
        precision = tp / predicted if predicted else 0.0
        recall = tp / actual if actual else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[label] = {
            "precision": round(precision, 3),
            "recall": round(recall, 3),
            "f1": round(f1, 3),
            "support": actual,
        }
    routine_pairs = list(zip(routine, routine_parsed, strict=True))
    negative = [(m, p) for m, p in routine_pairs if p.emotion in NEGATIVE]
    acknowledged = [
        {"text": m.text, "emotion": p.emotion, "confidence": round(p.emotion_confidence, 3)}
        for m, p in negative
        if p.emotion_confidence >= threshold
    ]
    timings = [p.millis for p in [*parsed, *routine_parsed]]
    return Report(
        split=split,
        messages=len(pairs),
        intent_accuracy=_share(m.intent == p.intent for m, p in pairs),
        fallback_rate_in_scope=_share(p.intent == FALLBACK for _, p in in_scope),
        out_of_scope_recall=_share(p.intent == "out_of_scope" for _, p in oos),
        emotion_accuracy=_share(m.emotion == p.emotion for m, p in pairs),
        emotion_per_class=per_class,
        top_confusions=[(a, b, n) for (a, b), n in confusions.most_common(15)],
        routine_messages=len(routine_pairs),
        routine_negative=len(negative),
        routine_acknowledged=acknowledged,
        parse_p50_ms=statistics.median(timings) if timings else 0.0,
        parse_p95_ms=float(np.percentile(timings, 95)) if timings else 0.0,
        per_intent_accuracy={k: round(_share(v), 3) for k, v in sorted(per_intent.items())},
    )


def _share(flags: Iterable[bool]) -> float:
    values = list(flags)
    return sum(values) / len(values) if values else 0.0


def render(report: Report) -> str:
    lines = [
        f"Blind set ({report.split} half, {report.messages} messages; routine set {report.routine_messages}):",
        f"  intent accuracy            {report.intent_accuracy:.3f}",
        f"  in-scope ending in fallback {report.fallback_rate_in_scope:.3f}",
        f"  out-of-scope recognised    {report.out_of_scope_recall:.3f}",
        f"  emotion accuracy           {report.emotion_accuracy:.3f}",
        f"  routine read as negative   {report.routine_negative} (acknowledged: {len(report.routine_acknowledged)})",
        f"  parse latency p50 / p95    {report.parse_p50_ms:.2f} / {report.parse_p95_ms:.2f} ms",
        "  weakest intents: "
        + ", ".join(
            f"{k} {v:.2f}" for k, v in sorted(report.per_intent_accuracy.items(), key=lambda kv: kv[1])[:6]
        ),
        "  top confusions (expected -> predicted): "
        + "; ".join(f"{a} -> {b} x{n}" for a, b, n in report.top_confusions[:8]),
        "  emotion per class: "
        + ", ".join(f"{k} F1 {v['f1']:.2f} (n={v['support']})" for k, v in report.emotion_per_class.items()),
    ]
    # The texts stay in the results file: printing them invites tuning to the blind set.
    return "\n".join(lines)


async def evaluate(model_path: str, split: str) -> Report:
    everything = load_blind()
    messages = [m for m in everything if split in ("all", m.half)]
    routine = load_blind(files=[ROUTINE_FILE])
    parsed = await parse_all(model_path, [m.text for m in messages] + [m.text for m in routine])
    return build_report(
        split=split,
        messages=messages,
        parsed=parsed[: len(messages)],
        routine=routine,
        routine_parsed=parsed[len(messages) :],
        threshold=acknowledge_threshold(),
    )


def fallback_grid(
    messages: Sequence[BlindMessage], parsed: Sequence[Parsed], thresholds: Sequence[float]
) -> list[tuple[float, float, float]]:
    """(threshold, accuracy, in-scope fallback rate) for FallbackClassifier thresholds.

    The classifier's own ranking (without the nlu_fallback entry) is what DIET said, so one
    parse pass shows what any threshold would do.
    """
    rows = []
    for threshold in thresholds:
        correct = fallback = in_scope = 0
        for message, result in zip(messages, parsed, strict=True):
            ranking = [(name, c) for name, c in result.ranking if name != FALLBACK]
            top, confidence = ranking[0] if ranking else (FALLBACK, 0.0)
            predicted = top if confidence >= threshold else FALLBACK
            correct += predicted == message.intent
            if message.intent != "out_of_scope":
                in_scope += 1
                fallback += predicted == FALLBACK
        rows.append((threshold, correct / len(messages), fallback / max(1, in_scope)))
    return rows


async def calibrate_fallback(model_path: str) -> str:
    """The fallback threshold grid on the dev half (never the test half)."""
    dev = [m for m in load_blind() if m.half == "dev"]
    parsed = await parse_all(model_path, [m.text for m in dev])
    lines = ["threshold  dev_accuracy  in_scope_fallback"]
    for threshold, accuracy, fallback in fallback_grid(dev, parsed, [x / 20 for x in range(0, 16)]):
        lines.append(f"{threshold:9.2f}  {accuracy:12.3f}  {fallback:17.3f}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING)
    parser = argparse.ArgumentParser(prog="python -m bot.blind", description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=str(REPO_ROOT / "models" / "store-bot.tar.gz"))
    parser.add_argument("--split", choices=SPLITS, default="test")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "results" / "blind")
    parser.add_argument(
        "--min-intent-accuracy", type=float, default=None, help="exit 1 when intent accuracy is below this"
    )
    parser.add_argument(
        "--max-routine-acknowledged",
        type=int,
        default=None,
        help="exit 1 when more routine messages than this would get a negative acknowledgement",
    )
    parser.add_argument(
        "--calibrate-fallback", action="store_true", help="print the fallback threshold grid on the dev half"
    )
    args = parser.parse_args(argv)
    if not Path(args.model).exists():
        print(f"no trained model at {args.model}: run `make train` first", file=sys.stderr)
        return 2
    if args.calibrate_fallback:
        print(asyncio.run(calibrate_fallback(args.model)))
        return 0
    report = asyncio.run(evaluate(args.model, args.split))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"blind_{args.split}.json").write_text(json.dumps(asdict(report), indent=2))
    print(render(report))
    failures = []
    if args.min_intent_accuracy is not None and report.intent_accuracy < args.min_intent_accuracy:
        failures.append(f"intent accuracy {report.intent_accuracy:.3f} < {args.min_intent_accuracy}")
    if (
        args.max_routine_acknowledged is not None
        and len(report.routine_acknowledged) > args.max_routine_acknowledged
    ):
        failures.append(
            f"{len(report.routine_acknowledged)} routine messages would get a negative acknowledgement"
            f" (allowed: {args.max_routine_acknowledged}; the texts are in {args.out})"
        )
    for failure in failures:
        print(f"FAIL: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
