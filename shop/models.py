"""SQLAlchemy models of the demo store.

The tables mirror what a real shop's database holds (customers, orders, shipments,
payments, refunds, returns) plus what the bot itself records when it acts (approval
requests, invoices sent, password resets, complaints, handoff requests and resolutions).
Money is stored in integer cents so sums are exact; times are naive UTC.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import declarative_base, relationship

# Typed as Any: SQLAlchemy 1.4 ships no type information for declarative classes.
Base: Any = declarative_base()


class Customer(Base):
    __tablename__ = "customers"

    id = Column(String(16), primary_key=True)  # CUS-0001
    email = Column(String(254), nullable=False, unique=True, index=True)  # lowercase
    name = Column(String(120), nullable=False)
    created_at = Column(DateTime, nullable=False)

    orders = relationship("Order", back_populates="customer", order_by="Order.placed_at")


class Order(Base):
    __tablename__ = "orders"

    id = Column(String(16), primary_key=True)  # ORD-10001
    customer_id = Column(String(16), ForeignKey("customers.id"), nullable=False, index=True)
    # processing | shipped | delivered | cancelled; "delayed" and "lost" are derived from
    # the promised date and the shipment, so they can never disagree with the facts.
    status = Column(String(20), nullable=False)
    placed_at = Column(DateTime, nullable=False)
    promised_date = Column(Date, nullable=False)
    shipping_address = Column(Text, nullable=False)
    shipping_method = Column(String(20), nullable=False)  # standard | express
    total_cents = Column(Integer, nullable=False)
    currency = Column(String(3), nullable=False, default="EUR")
    payment_method = Column(String(40), nullable=False)
    cancelled_at = Column(DateTime)

    customer = relationship("Customer", back_populates="orders")
    items = relationship("OrderItem", back_populates="order", order_by="OrderItem.id")
    shipments = relationship("Shipment", back_populates="order", order_by="Shipment.id")
    payments = relationship("Payment", back_populates="order", order_by="Payment.id")
    refunds = relationship("Refund", back_populates="order", order_by="Refund.id")
    returns = relationship("ReturnRequest", back_populates="order", order_by="ReturnRequest.id")
    issue_reports = relationship("IssueReport", back_populates="order", order_by="IssueReport.id")


class OrderItem(Base):
    __tablename__ = "order_items"

    id = Column(Integer, primary_key=True, autoincrement=True)
    order_id = Column(String(16), ForeignKey("orders.id"), nullable=False, index=True)
    sku = Column(String(40), nullable=False)
    name = Column(String(200), nullable=False)
    product_family = Column(String(40), nullable=False)
    quantity = Column(Integer, nullable=False, default=1)
    unit_price_cents = Column(Integer, nullable=False)

    order = relationship("Order", back_populates="items")


class Shipment(Base):
    __tablename__ = "shipments"

    id = Column(Integer, primary_key=True, autoincrement=True)
    order_id = Column(String(16), ForeignKey("orders.id"), nullable=False, index=True)
    carrier = Column(String(40), nullable=False)
    tracking_number = Column(String(40), nullable=False)
    # in_transit | delivered | lost
    status = Column(String(20), nullable=False)
    express = Column(Boolean, nullable=False, default=False)
    shipped_at = Column(DateTime, nullable=False)
    delivered_at = Column(DateTime)

    order = relationship("Order", back_populates="shipments")
    events = relationship("TrackingEvent", back_populates="shipment", order_by="TrackingEvent.occurred_at")


class TrackingEvent(Base):
    __tablename__ = "tracking_events"

    id = Column(Integer, primary_key=True, autoincrement=True)
    shipment_id = Column(Integer, ForeignKey("shipments.id"), nullable=False, index=True)
    occurred_at = Column(DateTime, nullable=False)
    location = Column(String(120), nullable=False)
    description = Column(String(200), nullable=False)

    shipment = relationship("Shipment", back_populates="events")


class Payment(Base):
    """A charge on the customer's payment method."""

    __tablename__ = "payments"

    id = Column(Integer, primary_key=True, autoincrement=True)
    order_id = Column(String(16), ForeignKey("orders.id"), nullable=False, index=True)
    amount_cents = Column(Integer, nullable=False)
    method = Column(String(40), nullable=False)
    charged_at = Column(DateTime, nullable=False)
    # captured | refunded
    status = Column(String(20), nullable=False)
    # Set on the second of two identical charges, once the payment provider flagged it.
    duplicate_of_id = Column(Integer, ForeignKey("payments.id"))

    order = relationship("Order", back_populates="payments")


class Refund(Base):
    __tablename__ = "refunds"

    id = Column(Integer, primary_key=True, autoincrement=True)
    order_id = Column(String(16), ForeignKey("orders.id"), nullable=False, index=True)
    payment_id = Column(Integer, ForeignKey("payments.id"))
    amount_cents = Column(Integer, nullable=False)
    reason = Column(String(60), nullable=False)
    # pending | issued
    status = Column(String(20), nullable=False)
    requested_at = Column(DateTime, nullable=False)
    issued_at = Column(DateTime)
    expected_by = Column(Date, nullable=False)

    order = relationship("Order", back_populates="refunds")


class ReturnRequest(Base):
    __tablename__ = "returns"

    id = Column(Integer, primary_key=True, autoincrement=True)
    order_id = Column(String(16), ForeignKey("orders.id"), nullable=False, index=True)
    label_reference = Column(String(40), nullable=False, unique=True)
    reason = Column(String(60), nullable=False)
    # label_sent | received
    status = Column(String(20), nullable=False)
    created_at = Column(DateTime, nullable=False)
    conversation_id = Column(String(120))

    order = relationship("Order", back_populates="returns")


class IssueReport(Base):
    """A problem the customer reported with a delivered order (damaged, missing)."""

    __tablename__ = "issue_reports"

    id = Column(Integer, primary_key=True, autoincrement=True)
    order_id = Column(String(16), ForeignKey("orders.id"), nullable=False, index=True)
    kind = Column(String(20), nullable=False)  # damaged | missing
    item = Column(String(200))
    created_at = Column(DateTime, nullable=False)
    conversation_id = Column(String(120))

    order = relationship("Order", back_populates="issue_reports")


class ApprovalRequest(Base):
    """A remedy over the make-it-right budget, waiting for a person to approve it."""

    __tablename__ = "approval_requests"

    id = Column(Integer, primary_key=True, autoincrement=True)
    customer_id = Column(String(16), ForeignKey("customers.id"), nullable=False, index=True)
    order_id = Column(String(16), ForeignKey("orders.id"), index=True)
    remedy = Column(String(30), nullable=False)  # refund | replacement | reship | credit
    amount_cents = Column(Integer, nullable=False)
    reason = Column(Text, nullable=False)  # why it needs a person (which budget rule)
    # pending | approved | rejected
    status = Column(String(20), nullable=False, default="pending")
    conversation_id = Column(String(120))
    created_at = Column(DateTime, nullable=False)
    decided_at = Column(DateTime)
    # Who approved or rejected it (a person's display name), and what they said about it.
    decided_by = Column(String(120))
    decision_note = Column(Text)


class InvoiceSent(Base):
    __tablename__ = "invoices_sent"

    id = Column(Integer, primary_key=True, autoincrement=True)
    order_id = Column(String(16), ForeignKey("orders.id"), nullable=False, index=True)
    invoice_number = Column(String(40), nullable=False)
    email = Column(String(254), nullable=False)
    sent_at = Column(DateTime, nullable=False)
    conversation_id = Column(String(120))


class PasswordResetRequest(Base):
    __tablename__ = "password_reset_requests"

    id = Column(Integer, primary_key=True, autoincrement=True)
    customer_id = Column(String(16), ForeignKey("customers.id"), nullable=False, index=True)
    requested_at = Column(DateTime, nullable=False)
    expires_at = Column(DateTime, nullable=False)
    conversation_id = Column(String(120))


class Complaint(Base):
    __tablename__ = "complaints"

    id = Column(Integer, primary_key=True, autoincrement=True)
    customer_id = Column(String(16), ForeignKey("customers.id"), index=True)
    order_id = Column(String(16), ForeignKey("orders.id"))
    text = Column(Text, nullable=False)
    conversation_id = Column(String(120))
    created_at = Column(DateTime, nullable=False)


class HandoffRequest(Base):
    __tablename__ = "handoff_requests"

    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation_id = Column(String(120), nullable=False, index=True)
    customer_id = Column(String(16), ForeignKey("customers.id"))
    order_id = Column(String(16), ForeignKey("orders.id"))
    reason = Column(String(60), nullable=False)
    created_at = Column(DateTime, nullable=False)


class Resolution(Base):
    """Something the bot or an agent did to make things right.

    Issue 4 checks in with the customer after `follow_up_on`; `followed_up_at` records
    that it did, so nobody is asked twice.
    """

    __tablename__ = "resolutions"

    id = Column(Integer, primary_key=True, autoincrement=True)
    customer_id = Column(String(16), ForeignKey("customers.id"), nullable=False, index=True)
    order_id = Column(String(16), ForeignKey("orders.id"), index=True)
    # cancellation | address_change | return | replacement | reship | refund | credit |
    # duplicate_charge_refund (invoices and password resets have their own tables)
    kind = Column(String(30), nullable=False)
    amount_cents = Column(Integer, nullable=False, default=0)
    detail = Column(Text, nullable=False)
    actor = Column(String(20), nullable=False, default="bot")  # bot | agent
    conversation_id = Column(String(120))
    created_at = Column(DateTime, nullable=False)
    follow_up_on = Column(Date)
    followed_up_at = Column(DateTime)


class RemedyRequest(Base):
    """A remedy a person carried out (from the agent console, or by approving a request),
    keyed by the request that asked for it, so a retry or a double click is carried out once."""

    __tablename__ = "remedy_requests"

    id = Column(Integer, primary_key=True, autoincrement=True)
    # e.g. "console:<conversation id>:<client id>" or "approval:<approval id>"
    request_key = Column(String(160), nullable=False, unique=True)
    order_id = Column(String(16), ForeignKey("orders.id"), nullable=False, index=True)
    resolution_id = Column(Integer, ForeignKey("resolutions.id"), nullable=False)
    refund_id = Column(Integer, ForeignKey("refunds.id"))
    created_at = Column(DateTime, nullable=False)

    resolution = relationship("Resolution")
    refund = relationship("Refund")
