"""Playing one scenario through the real gateway, turn by turn, and reading what it decided.

A turn is over when the gateway has finished its work for it (the bot's replies stored and
sent, the escalation policy applied, the customer told), not after a guessed pause: the
gateway runs in this process, so its own `drain()` says when. The customer must then have
received every message the gateway stored for that turn, or the turn is reported as an
error. Whether and why it escalated is read from the gateway's own handoff rows, the
record an agent's queue is built from.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import socketio

from bench.escalation.customer import CustomerError, Reply, WidgetCustomer
from bench.escalation.gateway import BenchGateway, StoreReseeder
from bench.escalation.reasons import benchmark_reasons
from bench.escalation.scenarios import Scenario
from handoff.customers.session_ids import session_hash
from handoff.persistence import queries
from handoff.persistence.records import Handoff

# A turn makes up to three Rasa calls (message, tracker, pause), each with the gateway's
# own deadline; beyond this something hangs, and the conversation is abandoned.
TURN_TIMEOUT_S = 120.0
# Once the gateway is done, its messages are on their way: long-polling delivers them on
# the next poll, well within this.
SOCKET_WAIT_S = 10.0


@dataclass(frozen=True)
class TurnRecord:
    """One customer message and everything the customer saw in reply."""

    number: int  # 1-based
    customer: str
    replies: tuple[Reply, ...]
    state: str  # the conversation's state once the turn was over
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "turn": self.number,
            "customer": self.customer,
            "replies": [r.to_dict() for r in self.replies],
            "state": self.state,
            "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True)
class Outcome:
    """What the gateway did with one scenario."""

    scenario: Scenario
    escalated: bool
    # The first customer turn after which the gateway recorded a handoff.
    turn: int | None
    handoff_status: str | None  # queued, or follow_up when nobody could have taken it
    codes: tuple[str, ...]  # the reason codes the gateway recorded, in its order
    evidence: tuple[dict[str, Any], ...]
    turns: tuple[TurnRecord, ...]
    errors: tuple[str, ...]
    timed_out: bool
    seconds: float

    @property
    def reasons(self) -> tuple[str, ...]:
        """The recorded codes as benchmark reasons (bench/escalation/reasons.py)."""
        return benchmark_reasons(self.codes)

    @property
    def on_time(self) -> bool:
        return (
            self.escalated
            and self.turn is not None
            and self.scenario.by_turn is not None
            and self.turn <= self.scenario.by_turn
        )

    @property
    def reason_matched(self) -> bool:
        return self.escalated and self.scenario.reason in self.reasons


class GatewayLog(logging.Handler):
    """The warnings and errors the gateway logs while one conversation plays: Rasa down or
    slow, a tracker it could not read, a turn that crashed. Any of them makes the
    conversation's result suspect, so they are reported with it."""

    # Warnings that describe what the product did, not trouble (the reply shows it anyway).
    PRODUCT_NOTICES = ("Rasa sent no reply",)

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def __enter__(self) -> GatewayLog:
        logging.getLogger("handoff").addHandler(self)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, trace: TracebackType | None
    ) -> None:
        logging.getLogger("handoff").removeHandler(self)

    def problems(self) -> list[str]:
        found = []
        for record in self.records:
            if str(record.msg).startswith(self.PRODUCT_NOTICES):
                continue
            text = f"gateway {record.levelname.lower()}: {record.getMessage()}"
            if record.exc_info and record.exc_info[1] is not None:
                text += f" ({record.exc_info[1]!r})"
            found.append(text)
        return found


@dataclass
class _Progress:
    """What one play has gathered so far (mutable while the turns run)."""

    turns: list[TurnRecord]
    errors: list[str]
    handoff: Handoff | None = None
    turn: int | None = None
    timed_out: bool = False


class Player:
    """Plays scenarios one after another on one gateway, each on a freshly seeded store."""

    def __init__(
        self, bench: BenchGateway, reseeder: StoreReseeder, turn_timeout_s: float = TURN_TIMEOUT_S
    ) -> None:
        self.bench = bench
        self.reseeder = reseeder
        self.turn_timeout_s = turn_timeout_s
        self._unfinished: asyncio.Future[None] | None = None

    @property
    def db(self) -> Any:
        return self.bench.gateway.database

    async def play(self, scenario: Scenario) -> Outcome:
        await self._previous_turns_finished()
        await self.reseeder.reseed()
        started = time.perf_counter()
        progress = _Progress([], [])
        customer = WidgetCustomer(self.bench.url)
        with GatewayLog() as log:
            try:
                await self._converse(customer, scenario, progress)
            except (CustomerError, socketio.exceptions.SocketIOError, asyncio.TimeoutError) as exc:
                progress.errors.append(f"customer: {exc!r}")
            finally:
                await customer.close()
                await self._previous_turns_finished()
        handoff = progress.handoff
        return Outcome(
            scenario=scenario,
            escalated=handoff is not None,
            turn=progress.turn,
            handoff_status=handoff.status if handoff else None,
            codes=tuple(handoff.reasons) if handoff else (),
            evidence=tuple(handoff.evidence) if handoff else (),
            turns=tuple(progress.turns),
            errors=(*progress.errors, *log.problems()),
            timed_out=progress.timed_out,
            seconds=time.perf_counter() - started,
        )

    async def _converse(self, customer: WidgetCustomer, scenario: Scenario, progress: _Progress) -> None:
        session_id = await customer.open()
        conversation = await self.db.run(queries.conversation_for_session, session_hash(session_id))
        for number, text in enumerate(scenario.turns, start=1):
            began = time.perf_counter()
            seq = await customer.say(text, f"{scenario.id}-t{number}")
            finished = await self._turn_finished()
            if finished:
                state = await self._delivered(customer, conversation.id, seq, number, progress.errors)
            else:
                state = "?"
                progress.timed_out = True
                progress.errors.append(f"turn {number}: no end after {self.turn_timeout_s:.0f} s")
            replies = tuple(customer.replies_after(seq))
            progress.turns.append(TurnRecord(number, text, replies, state, time.perf_counter() - began))
            if not finished:
                return
            handoffs = await self.db.run(queries.handoffs_for_conversation, conversation.id)
            if handoffs:
                # The judgment is made; what the customer says to the queue is not measured.
                progress.handoff, progress.turn = handoffs[0], number
                return

    async def _turn_finished(self) -> bool:
        """Wait for the gateway's background turn; False when it runs past the deadline."""
        drain = asyncio.ensure_future(self.bench.gateway.customers.drain())
        done, _ = await asyncio.wait({drain}, timeout=self.turn_timeout_s)
        if not done:
            # Never cancel it (that would cancel the gateway's own turn); wait before the reseed.
            self._unfinished = drain
        return bool(done)

    async def _previous_turns_finished(self) -> None:
        if self._unfinished is not None:
            await asyncio.wait({self._unfinished}, timeout=self.turn_timeout_s)
            self._unfinished = None

    async def _delivered(
        self, customer: WidgetCustomer, conversation_id: str, seq: int, number: int, errors: list[str]
    ) -> str:
        """Check the customer got everything stored for the turn; returns the conversation's state."""
        conversation = await self.db.run(queries.get_conversation, conversation_id)
        stored = await self.db.run(queries.messages_after, conversation_id, seq, 1000)
        expected = [m.id for m in stored if m.role != "customer"]
        if not await customer.received(expected, SOCKET_WAIT_S):
            errors.append(f"turn {number}: the customer's socket did not receive every stored reply")
        if conversation.state != "bot" and not await customer.told_state(conversation.state, SOCKET_WAIT_S):
            errors.append(f"turn {number}: the customer was not told the state {conversation.state!r}")
        return str(conversation.state)
