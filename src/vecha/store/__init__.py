"""Storage of the ballot box: SQLAlchemy over SQLite (default) or PostgreSQL."""

from vecha.store.board import Board, Receipt, now, open_store

__all__ = ["Board", "Receipt", "now", "open_store"]
