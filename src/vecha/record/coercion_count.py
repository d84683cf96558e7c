"""The board's rules for counting a coercion-resistant election (spec §7.6).

After `close`, the entries follow one fixed order, which `CoercionCount` walks through:

    mix × n (stage 1, the board's ballots)
    raising tag-group × n, raising tag-link × n       (trustees 1…n in turn)
    tag-decryption tag-group × t, tag-decryption tag-link × t   (any t trustees)
    tag-decryption own-link × t                       (only if stage one found forks)
    mix × n (stage 2, the kept rows), mix × n (stage 3, the roll)
    raising tag-match × n, tag-decryption tag-match × t
    then the counted rows' answers as any mixed election's: mix-decryption × ≥ t, result

Each step's outcome (the mixed rows, the tags, stage one's kept rows, the rows that count)
is set only once the entry that completes it is accepted; a refused entry changes nothing.
A step over nothing (no kept row, an empty roll) is skipped: nobody can mix or raise an
empty list. The proofs can be handed to a verifier's workers (`defer`): the rows that the
next step needs are read here, and the record is valid only once every check passed.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from vecha.crypto.group import Point, Scalar
from vecha.crypto.proofs.chaum_pedersen import EqualityProof
from vecha.crypto.rows import PackedRows
from vecha.election.coercion import (
    CREDENTIAL_COLUMNS,
    Raising,
    StageOne,
    TagShares,
    column,
    combine_tags,
    latest_of_forks,
    link_point,
    match_roll,
    raise_column,
    stage_one,
    tag_columns,
    tag_shares,
)
from vecha.election.identity import TrusteeIdentity
from vecha.election.mixing import Mix, make_mix, mix_rows, verify_mix_parts
from vecha.errors import ElectionError, InvalidEncoding
from vecha.record.entries import EntryType

__all__ = ["CoercionCount", "Step", "trustee_entry", "verify_raising_parts", "verify_tag_share_parts"]


class Step(Enum):
    MIX_BALLOTS = ("mix", 1, "")
    RAISE_GROUP = ("raising", 0, "tag-group")
    RAISE_LINK = ("raising", 0, "tag-link")
    DECRYPT_GROUP = ("tag-decryption", 0, "tag-group")
    DECRYPT_LINK = ("tag-decryption", 0, "tag-link")
    DECRYPT_FORKS = ("tag-decryption", 0, "own-link")
    MIX_KEPT = ("mix", 2, "")
    MIX_ROLL = ("mix", 3, "")
    RAISE_MATCH = ("raising", 0, "tag-match")
    DECRYPT_MATCH = ("tag-decryption", 0, "tag-match")
    COUNTED = ("", 0, "")

    @property
    def entry_type(self) -> str:
        return self.value[0]

    @property
    def stage(self) -> int:
        return self.value[1]

    @property
    def kind(self) -> str:
        return self.value[2]

    def describe(self) -> str:
        if self.entry_type == "mix":
            return {1: "a mix of the ballots", 2: "a mix of the kept rows", 3: "a mix of the roll"}[self.stage]
        return f"a {self.kind} {self.entry_type}" if self.entry_type else "the counted rows' decryption"


def verify_raising_parts(
    fingerprint: bytes,
    identities: Sequence[bytes],
    inputs: PackedRows,
    kind: str,
    trustee: int,
    key: bytes,
    outputs: PackedRows,
    proof: EqualityProof,
    signature: bytes,
) -> None:
    """A raising's signature and proof, from compact pieces (for a verifier's worker: points
    travel as their encodings, rows packed)."""
    Raising(kind, trustee, Point.trusted(key), outputs, proof, signature).verify(fingerprint, identities, inputs)


def verify_tag_share_parts(
    fingerprint: bytes,
    verification_key: bytes,
    raised: PackedRows,
    kind: str,
    trustee: int,
    shares: bytes,
    proof: EqualityProof,
) -> None:
    """A tag decryption's proof, from compact pieces (for a verifier's worker)."""
    TagShares(kind, trustee, shares, proof).verify(fingerprint, Point.trusted(verification_key), raised)


@dataclass
class CoercionCount:
    """Where the count stands, and everything the next entry is checked against."""

    fingerprint: bytes
    key: Point
    identities: tuple[bytes, ...]
    verification_keys: tuple[Point, ...]
    threshold: int
    ballots: PackedRows  #: the stage-one rows (C, P, (I, L(t)), answers…), in board order
    roll: PackedRows  #: the roll entries' credentials R, in board order
    #: tracking code → board index of every ballot, to place a fork's rows on the board
    trackers: Mapping[str, int]
    check_proofs: bool = True
    defer: Callable[[int, Callable[[], object]], None] | None = None
    step: Step = Step.MIX_BALLOTS
    done: int = 0  #: entries of the current step accepted so far
    current: PackedRows = field(default_factory=lambda: PackedRows(b"", 1))  #: what the next entry works on
    shares: dict[int, TagShares] = field(default_factory=dict)
    mixed_ballots: PackedRows = field(default_factory=lambda: PackedRows(b"", 1))
    link_column: PackedRows = field(default_factory=lambda: PackedRows(b"", 2))
    #: the last raisings' outputs of stage one, waiting for their decryption
    raised_group: PackedRows = field(default_factory=lambda: PackedRows(b"", 1))
    raised_link: PackedRows = field(default_factory=lambda: PackedRows(b"", 2))
    group_tags: list[bytes] = field(default_factory=list)
    one: StageOne | None = None
    fork_rows: list[int] = field(default_factory=list)
    kept: list[int] = field(default_factory=list)
    kept_mixed: PackedRows = field(default_factory=lambda: PackedRows(b"", 1))
    counted: PackedRows | None = None  #: the answers of the rows that count, once known
    forks: int = 0
    matched: int = 0

    def __post_init__(self) -> None:
        self.current = self.ballots
        if not len(self.ballots):  # no ballot: nothing to mix, raise or decrypt
            self._count([])

    @property
    def trustees(self) -> int:
        return len(self.identities)

    def _expect(self, entry_type: str) -> None:
        if self.step.entry_type != entry_type:
            raise ElectionError(f"expected {self.step.describe()}, not a {entry_type} entry")

    # ---- mixes ----------------------------------------------------------------------------

    def on_mix(self, index: int, payload: dict[str, Any], proof_bytes: bytes) -> None:
        self._expect("mix")
        inputs, stage = self.current, self.step.stage
        if self.check_proofs and self.defer is not None:
            mixer, outputs = mix_rows(payload, len(inputs), inputs.width)
            self._mixer(mixer)
            check = functools.partial(
                verify_mix_parts,
                self.fingerprint,
                self.key,
                self.identities,
                inputs,
                mixer,
                outputs,
                proof_bytes,
                payload["signature"],
                stage,
            )
            self.defer(index, check)
        else:
            mix = Mix.from_json(payload, len(inputs), inputs.width)
            self._mixer(mix.mixer)
            if self.check_proofs:
                mix.verify(self.fingerprint, self.key, self.identities, inputs, stage)
            outputs = mix.ballots
        self.current, self.done = outputs, self.done + 1
        if self.done == self.trustees:
            self._mixed(outputs)

    def _mixer(self, mixer: int) -> None:
        if mixer != self.done + 1:
            raise ElectionError(f"expected the mix of trustee {self.done + 1}, not of trustee {mixer}")

    def _mixed(self, outputs: PackedRows) -> None:
        if self.step is Step.MIX_BALLOTS:
            self.mixed_ballots = outputs
            self.ballots = PackedRows(b"", self.ballots.width)  # on the board; memory is for what follows
            group, self.link_column = tag_columns(outputs)
            self._go(Step.RAISE_GROUP, group)
        elif self.step is Step.MIX_KEPT:
            self.kept_mixed = outputs
            if len(self.roll):
                self._go(Step.MIX_ROLL, self.roll)
            else:
                self._count([])
        else:
            match = PackedRows(column(self.kept_mixed, 0).data + outputs.data, 1)
            self._go(Step.RAISE_MATCH, match)

    def _go(self, step: Step, current: PackedRows) -> None:
        self.step, self.current, self.done, self.shares = step, current, 0, {}

    # ---- raisings -------------------------------------------------------------------------

    def on_raising(self, index: int, payload: dict[str, Any]) -> None:
        self._expect("raising")
        inputs = self.current
        raising = Raising.from_json(payload, len(inputs), inputs.width)
        if raising.kind != self.step.kind:
            raise ElectionError(f"expected {self.step.describe()}, not a {raising.kind} raising")
        if raising.trustee != self.done + 1:
            raise ElectionError(f"expected the raising of trustee {self.done + 1}, not of trustee {raising.trustee}")
        if not raising.trustee <= self.trustees:
            raise InvalidEncoding(f"trustee {raising.trustee} is not a trustee")
        if self.check_proofs and self.defer is not None:
            check = functools.partial(
                verify_raising_parts,
                self.fingerprint,
                self.identities,
                inputs,
                raising.kind,
                raising.trustee,
                raising.key.encoding,
                raising.outputs,
                raising.proof,
                raising.signature,
            )
            self.defer(index, check)
        elif self.check_proofs:
            raising.verify(self.fingerprint, self.identities, inputs)
        self.current, self.done = raising.outputs, self.done + 1
        if self.done < self.trustees:
            return
        # the link column is raised next, from the mix's output; the group's tags are
        # decrypted first, so its raised column waits
        if self.step is Step.RAISE_GROUP:
            self.raised_group = raising.outputs
            self._go(Step.RAISE_LINK, self.link_column)
        elif self.step is Step.RAISE_LINK:
            self.raised_link = raising.outputs
            self._go(Step.DECRYPT_GROUP, self.raised_group)
        else:
            self._go(Step.DECRYPT_MATCH, raising.outputs)

    # ---- tag decryptions ------------------------------------------------------------------

    def on_tag_decryption(self, index: int, payload: dict[str, Any]) -> None:
        self._expect("tag-decryption")
        raised = self.current
        shares = TagShares.from_json(payload, len(raised) * raised.width)
        if shares.kind != self.step.kind:
            raise ElectionError(f"expected {self.step.describe()}, not a {shares.kind} decryption")
        if not shares.trustee <= self.trustees:
            raise InvalidEncoding(f"trustee {shares.trustee} is not a trustee")
        if shares.trustee in self.shares:
            raise ElectionError(f"trustee {shares.trustee} already posted its {shares.kind} decryption")
        verification_key = self.verification_keys[shares.trustee - 1]
        if self.check_proofs and self.defer is not None:
            check = functools.partial(
                verify_tag_share_parts,
                self.fingerprint,
                verification_key.encoding,
                raised,
                shares.kind,
                shares.trustee,
                shares.shares,
                shares.proof,
            )
            self.defer(index, check)
        elif self.check_proofs:
            shares.verify(self.fingerprint, verification_key, raised)
        if len(self.shares) + 1 < self.threshold:
            self.shares[shares.trustee] = shares
            return
        plain = combine_tags(raised, [*self.shares.values(), shares])
        self._decrypted(plain)  # raises, changing nothing, if the plaintexts are impossible

    def _decrypted(self, plain: list[bytes]) -> None:
        if self.step is Step.DECRYPT_GROUP:
            self.group_tags = plain
            self._go(Step.DECRYPT_LINK, self.raised_link)
        elif self.step is Step.DECRYPT_LINK:
            one = stage_one(self.group_tags, plain[0::2], plain[1::2])
            self.one, self.forks = one, len(one.forks)
            if one.forks:
                self.fork_rows = [j for fork in one.forks for j in fork]
                own = PackedRows(
                    b"".join(self.mixed_ballots.row_bytes(j)[128:192] for j in self.fork_rows), 1
                )  # column 2, E = (I, L(t)) re-encrypted by every mix
                self._go(Step.DECRYPT_FORKS, own)
            else:
                self._keep(list(one.kept))
        elif self.step is Step.DECRYPT_FORKS:
            assert self.one is not None
            places = self._places(plain)
            self._keep(sorted([*self.one.kept, *latest_of_forks(self.one.forks, places)]))
        else:
            n = len(self.kept_mixed)
            self._count(match_roll(plain[:n], plain[n:]))

    def _places(self, plain: list[bytes]) -> dict[int, int]:
        """Each fork row's board index, from its decrypted own link L(t)."""
        place_of_link = {
            link_point(self.fingerprint, bytes.fromhex(tracker)).encoding: index
            for tracker, index in self.trackers.items()
        }
        places = {}
        for j, point in zip(self.fork_rows, plain, strict=True):
            if point not in place_of_link:
                raise ElectionError(f"a fork's row {j} opens to the link of no ballot on the board")
            places[j] = place_of_link[point]
        return places

    def _keep(self, kept: list[int]) -> None:
        """Stage two's rows: of each kept row, in mix-1 order, the credential and the answers."""
        self.kept = kept
        if not kept:
            self._count([])
            return
        rows = bytearray()
        for j in kept:
            row = self.mixed_ballots.row_bytes(j)
            rows += row[:64] + row[64 * CREDENTIAL_COLUMNS :]
        self._go(Step.MIX_KEPT, PackedRows(bytes(rows), self.mixed_ballots.width - CREDENTIAL_COLUMNS + 1))
        # stage one is over: its rows and columns are on the board, not needed here any more
        self.link_column = self.raised_group = self.raised_link = PackedRows(b"", 1)
        self.group_tags = []

    def _count(self, counting: list[int]) -> None:
        self.matched = len(counting)
        width = self.kept_mixed.width
        self.counted = PackedRows(b"".join(self.kept_mixed.row_bytes(j)[64:] for j in counting), max(width - 1, 1))
        self.step, self.done = Step.COUNTED, 0

    def summary(self, ballots: int) -> dict[str, int]:
        """What the result shows of the filter (docs/coercion.md §4.3)."""
        return {
            "ballots": ballots,
            "kept": len(self.kept),
            "forks": self.forks,
            "roll": len(self.roll),
            "counted": self.matched,
            "unmatched": len(self.kept) - self.matched,
        }


def trustee_entry(
    count: CoercionCount, trustee: int, identity: TrusteeIdentity, key_share: Scalar
) -> tuple[EntryType, dict[str, Any]] | None:
    """What trustee `trustee` posts next in this count, or None if the next entry is not
    its own (another trustee's turn, its share of this step posted already, or the rows
    that count are known). A raising's exponent is drawn here, used once and forgotten."""
    step, fp = count.step, count.fingerprint
    if step.entry_type == "mix" and count.done + 1 == trustee:
        mix = make_mix(fp, count.key, identity, trustee, count.current, step.stage)
        return EntryType.MIX, mix.to_json()
    if step.entry_type == "raising" and count.done + 1 == trustee:
        raising = raise_column(fp, identity, trustee, Scalar.random_nonzero(), step.kind, count.current)
        return EntryType.RAISING, raising.to_json()
    if step.entry_type == "tag-decryption" and trustee not in count.shares:
        return EntryType.TAG_DECRYPTION, tag_shares(fp, step.kind, trustee, key_share, count.current).to_json()
    return None
