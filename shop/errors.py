"""Domain errors raised by the store layer; actions turn them into honest replies."""

from __future__ import annotations


class StoreError(Exception):
    """Base class for everything the store layer raises on purpose."""


class StoreUnavailable(StoreError):
    """The database could not be reached or failed mid-operation."""


class OrderNotFound(StoreError):
    """No such order for this customer.

    Raised both when the order does not exist and when it belongs to someone else, so
    the two cases cannot be told apart by the caller (or the customer).
    """

    def __init__(self, order_id: str) -> None:
        super().__init__(f"order {order_id} not found for this customer")
        self.order_id = order_id


class CustomerNotFound(StoreError):
    def __init__(self, customer_ref: str) -> None:
        super().__init__(f"customer {customer_ref} not found")
        self.customer_ref = customer_ref


class OrderStateConflict(StoreError):
    """The order is no longer in a state that allows this change (e.g. it shipped)."""

    def __init__(self, order_id: str, state: str, operation: str) -> None:
        super().__init__(f"cannot {operation} order {order_id} in state {state}")
        self.order_id = order_id
        self.state = state
        self.operation = operation


class NothingToRefund(StoreError):
    """There is no (remaining) charge to refund on this order."""

    def __init__(self, order_id: str) -> None:
        super().__init__(f"nothing to refund on order {order_id}")
        self.order_id = order_id


class ApprovalNotFound(StoreError):
    def __init__(self, approval_id: int) -> None:
        super().__init__(f"approval request {approval_id} not found")
        self.approval_id = approval_id


class ApprovalAlreadyDecided(StoreError):
    """Someone already approved or rejected this request: a decision is applied only once."""

    def __init__(self, approval_id: int, status: str) -> None:
        super().__init__(f"approval request {approval_id} was already {status}")
        self.approval_id = approval_id
        self.status = status
