"""Make it right from the agent console: options (what an agent may offer), requests (what the
console sends), wording (what the customer and the agent are told) and the desk that carries
them out. The REST views use `RemedyDesk`."""

from handoff.agents.remedies.desk import RemedyDesk, order_in_summary
from handoff.agents.remedies.options import KINDS, RemedyOption, remedy_options, sensible_kinds
from handoff.agents.remedies.requests import ApprovalDecision, RemedyRequest, RemedyResult, parse_amount
from handoff.agents.remedies.wording import (
    agent_summary,
    approved_text,
    arrival,
    customer_text,
    rejected_text,
)

__all__ = [
    "KINDS",
    "ApprovalDecision",
    "RemedyDesk",
    "RemedyOption",
    "RemedyRequest",
    "RemedyResult",
    "agent_summary",
    "approved_text",
    "arrival",
    "customer_text",
    "order_in_summary",
    "parse_amount",
    "rejected_text",
    "remedy_options",
    "sensible_kinds",
]
