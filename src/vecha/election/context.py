"""What a ballot is made against: the election's fingerprint, definition and joint key."""

from __future__ import annotations

from dataclasses import dataclass

from vecha.crypto.group import Point
from vecha.election.definition import Definition

__all__ = ["ElectionContext"]


@dataclass(frozen=True)
class ElectionContext:
    fingerprint: bytes  #: the hash of the election's first board entry (spec §8.2)
    definition: Definition
    public_key: Point  #: the joint key K of the trustees
