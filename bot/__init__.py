"""Per-message perception of how a customer feels: emotion, frustration, stakes, urgency.

The Rasa components live in ``bot.components``; everything they use is plain Python
(``bot.signals``, ``bot.stakes``, ``bot.deadline``, ``bot.features``, ``bot.model``) so
it can be tested and evaluated without a Rasa model.
"""

EMOTIONS: tuple[str, ...] = (
    "neutral",
    "frustrated",
    "anxious",
    "sad",
    "confused",
    "positive",
)
