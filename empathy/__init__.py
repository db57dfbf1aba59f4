"""Empathetic rephrasing: one layer every customer-visible reply passes through.

- `content`: the designer-editable phrase bank, banned phrases and rules (content/empathy/).
- `responses`: the plain domain responses (variation choice, variable filling).
- `conversation`: what the rephraser reads from a Rasa tracker (feelings, history, register).
- `rephraser`: acknowledge → recap → act, stakes rules, wording that never repeats.
- `safety`: the final filter for banned phrases, cheerfulness and apology misuse.
- `server`: Rasa's NLG endpoint (`python -m nlg.server`).
- `checkin`: `action_session_start`, which checks in on the last resolved problem.

Nothing here creates services at import time: the Rasa action server imports every module
of the `actions` package, and only `checkin` defines an action.
"""
