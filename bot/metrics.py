"""Classification metrics and their Markdown tables (no scikit-learn in the pins)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ClassScores:
    """Precision, recall, F1 and support of one class."""

    label: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class Report:
    """Per-class scores over the gold labels, their macro-F1 and the confusion matrix."""

    classes: list[ClassScores]
    macro_f1: float
    accuracy: float
    confusion: dict[str, dict[str, int]]
    predicted_labels: list[str]
    total: int


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 0.0


def classification_report(gold: list[str], predicted: list[str], labels: list[str]) -> Report:
    """Scores for each label in ``labels``; macro-F1 averages those with gold support.

    Predictions outside ``labels`` (say "neutral" on a set without neutral) count as
    misses for recall and appear as extra confusion-matrix columns.
    """
    if len(gold) != len(predicted):
        raise ValueError("gold and predicted must have the same length")
    columns = labels + sorted(set(predicted) - set(labels))
    confusion = {g: dict.fromkeys(columns, 0) for g in labels}
    for g, p in zip(gold, predicted, strict=False):
        confusion[g][p] += 1
    classes = []
    for label in labels:
        true_positive = confusion[label][label]
        predicted_count = sum(1 for p in predicted if p == label)
        support = sum(1 for g in gold if g == label)
        precision = _ratio(true_positive, predicted_count)
        recall = _ratio(true_positive, support)
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        classes.append(ClassScores(label, precision, recall, f1, support))
    supported = [c for c in classes if c.support > 0]
    macro = sum(c.f1 for c in supported) / len(supported) if supported else 0.0
    accuracy = _ratio(sum(1 for g, p in zip(gold, predicted, strict=False) if g == p), len(gold))
    return Report(classes, macro, accuracy, confusion, columns, len(gold))


def report_markdown(report: Report) -> str:
    """The report as two Markdown tables: scores, then the confusion matrix."""
    lines = ["| class | precision | recall | F1 | support |", "|---|---:|---:|---:|---:|"]
    for c in report.classes:
        lines.append(f"| {c.label} | {c.precision:.3f} | {c.recall:.3f} | {c.f1:.3f} | {c.support} |")
    lines.append(f"| **macro-F1** | | | **{report.macro_f1:.3f}** | {report.total} |")
    lines.append(f"| accuracy | | | {report.accuracy:.3f} | |")
    lines += ["", "Confusion matrix (rows: gold, columns: predicted)", ""]
    lines.append("| gold \\ predicted | " + " | ".join(report.predicted_labels) + " |")
    lines.append("|---|" + "---:|" * len(report.predicted_labels))
    for gold_label, row in report.confusion.items():
        cells = " | ".join(str(row[p]) for p in report.predicted_labels)
        lines.append(f"| {gold_label} | {cells} |")
    return "\n".join(lines)
