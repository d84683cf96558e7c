"""The election record: board entries, their hash chain, checkpoints, export (spec §8)."""

from vecha.record.archive import RecordWriter, iter_board, read_checkpoints, read_header
from vecha.record.checkpoint import BoardKey, Checkpoint, sign_checkpoint
from vecha.record.entries import GENESIS_PARENT, Entry, EntryType, entry_hash
from vecha.record.ledger import Ledger, Phase

__all__ = [
    "RecordWriter",
    "iter_board",
    "read_checkpoints",
    "read_header",
    "BoardKey",
    "Checkpoint",
    "sign_checkpoint",
    "GENESIS_PARENT",
    "Entry",
    "EntryType",
    "entry_hash",
    "Ledger",
    "Phase",
]
