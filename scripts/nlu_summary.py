"""Print the held-out NLU figures and fail when they fall below the agreed floor."""

from __future__ import annotations

import json
import sys
from pathlib import Path

# The held-out set is written independently of the training data; below this the
# bot misunderstands too many customers to be worth shipping.
MIN_INTENT_MACRO_F1 = 0.85


def main(results_dir: str) -> int:
    report = json.loads((Path(results_dir) / "intent_report.json").read_text())
    macro = report["macro avg"]
    accuracy = report["accuracy"]
    print(
        f"held-out intents: accuracy {accuracy:.3f}, macro-F1 {macro['f1-score']:.3f} over {macro['support']} messages"
    )
    weakest = sorted(
        (name, values["f1-score"])
        for name, values in report.items()
        if isinstance(values, dict)
        and "support" in values
        and name not in ("macro avg", "weighted avg", "micro avg")
    )
    weakest.sort(key=lambda pair: pair[1])
    print("weakest intents: " + ", ".join(f"{name} {f1:.2f}" for name, f1 in weakest[:5]))
    if macro["f1-score"] < MIN_INTENT_MACRO_F1:
        print(f"FAIL: intent macro-F1 below {MIN_INTENT_MACRO_F1}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "results/nlu"))
