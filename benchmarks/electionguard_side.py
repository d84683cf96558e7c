"""ElectionGuard's half of bench_electionguard.py: run by the Python of a separate virtual
environment that has `electionguard` installed (never imported by Vecha), it times the same
steps on the same ballot shape and prints the figures as one JSON object.

    python electionguard_side.py --options 11 --repeat 10 --tally 200 --trustees 3 --threshold 2

The shape: one contest "choose one of OPTIONS" (ElectionGuard adds one placeholder selection, as
its encryption requires). The trustees (guardians) run ElectionGuard's own key ceremony; all of
them take part in the decryption, as in Vecha's half.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import time
from datetime import datetime
from typing import Any

import electionguard
from electionguard.ballot import BallotBoxState, PlaintextBallot, PlaintextBallotContest, PlaintextBallotSelection
from electionguard.ballot_box import submit_ballot
from electionguard.decryption_mediator import DecryptionMediator
from electionguard.election import make_ciphertext_election_context
from electionguard.encrypt import encrypt_ballot
from electionguard.group import ONE_MOD_Q
from electionguard.guardian import Guardian
from electionguard.key_ceremony import CeremonyDetails
from electionguard.key_ceremony_mediator import KeyCeremonyMediator
from electionguard.manifest import (  # ElectionGuard's name for an election definition
    BallotStyle,
    Candidate,
    CandidateContestDescription,
    ElectionType,
    GeopoliticalUnit,
    InternalManifest,
    Manifest,
    ReportingUnitType,
    SelectionDescription,
    SpecVersion,
    VoteVariationType,
)
from electionguard.tally import CiphertextTally


def manifest_with(options: int) -> Manifest:
    selections = [SelectionDescription(f"option-{i}", i, f"candidate-{i}") for i in range(options)]
    contest = CandidateContestDescription(
        "council", 0, "district", VoteVariationType.one_of_m, 1, 1, "Council", selections
    )
    style = BallotStyle("style")
    style.geopolitical_unit_ids = ["district"]
    return Manifest(
        election_scope_id="benchmark",
        spec_version=SpecVersion.EG0_95,
        type=ElectionType.general,
        start_date=datetime(2026, 1, 1),
        end_date=datetime(2026, 1, 2),
        geopolitical_units=[GeopoliticalUnit("district", "District", ReportingUnitType.unknown)],
        parties=[],
        candidates=[Candidate(f"candidate-{i}") for i in range(options)],
        contests=[contest],
        ballot_styles=[style],
    )


def key_ceremony(trustees: int, threshold: int) -> tuple[list[Guardian], Any]:
    """ElectionGuard's three rounds (announce keys, exchange backups, verify backups) through its mediator."""
    details = CeremonyDetails(trustees, threshold)
    guardians = [Guardian.from_nonce(str(i), i, trustees, threshold) for i in range(1, trustees + 1)]
    mediator = KeyCeremonyMediator("mediator", details)
    for g in guardians:
        mediator.announce(g.share_key())
    for g in guardians:
        for key in mediator.share_announced(g.id) or []:
            g.save_guardian_key(key)
    for g in guardians:
        g.generate_election_partial_key_backups()
        mediator.receive_backups(g.share_election_partial_key_backups())
    for g in guardians:
        for backup in mediator.share_backups(g.id) or []:
            g.save_election_partial_key_backup(backup)
    for g in guardians:
        checks = [g.verify_election_partial_key_backup(o.id) for o in guardians if o.id != g.id]
        assert all(c is not None and c.verified for c in checks)
        mediator.receive_backup_verifications([c for c in checks if c is not None])
    joint = mediator.publish_joint_key()
    assert joint is not None
    return guardians, joint


def plaintext(k: int, options: int) -> PlaintextBallot:
    marked = k % options
    selections = [PlaintextBallotSelection(f"option-{i}", 1 if i == marked else 0) for i in range(options)]
    return PlaintextBallot(f"ballot-{k}", "style", [PlaintextBallotContest("council", selections)])


def median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 3)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--options", type=int, default=11)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--tally", type=int, default=200)
    parser.add_argument("--trustees", type=int, default=3)
    parser.add_argument("--threshold", type=int, default=2)
    args = parser.parse_args()

    # ElectionGuard logs every encryption's values at INFO on stderr; that is not its real cost.
    logging.getLogger("electionguard").setLevel(logging.WARNING)
    definition = manifest_with(args.options)
    t = time.perf_counter()
    guardians, joint = key_ceremony(args.trustees, args.threshold)
    assert definition.is_valid()
    internal = InternalManifest(definition)
    context = make_ciphertext_election_context(
        args.trustees, args.threshold, joint.joint_public_key, joint.commitment_hash, definition.crypto_hash()
    )
    ceremony_s = time.perf_counter() - t

    encrypt, verify = [], []
    for k in range(args.repeat):
        t = time.perf_counter()
        ballot = encrypt_ballot(plaintext(k, args.options), internal, context, ONE_MOD_Q)
        encrypt.append(time.perf_counter() - t)
        assert ballot is not None
        t = time.perf_counter()
        ok = ballot.is_valid_encryption(
            internal.manifest_hash, context.elgamal_public_key, context.crypto_extended_base_hash
        )
        verify.append(time.perf_counter() - t)
        assert ok

    # Ballots to tally are encrypted outside the timing; the tally itself is ElectionGuard's
    # homomorphic accumulation of the cast ballots, without re-checking their proofs.
    submitted = []
    for k in range(args.tally):
        ballot = encrypt_ballot(plaintext(k, args.options), internal, context, ONE_MOD_Q)
        assert ballot is not None
        submitted.append(submit_ballot(ballot, BallotBoxState.CAST))
    t = time.perf_counter()
    tally = CiphertextTally("tally", internal, context)
    assert tally.batch_append([(b.object_id, b) for b in submitted], should_validate=False)
    tally_s = time.perf_counter() - t
    assert tally.cast() == args.tally

    t = time.perf_counter()
    decryption = DecryptionMediator("decryption", context)
    for guardian in guardians:
        share = guardian.compute_tally_share(tally, context)
        assert share is not None
        decryption.announce(guardian.share_key(), share)
    result = decryption.get_plaintext_tally(tally, definition)
    decrypt_s = time.perf_counter() - t
    assert result is not None
    counts = [result.contests["council"].selections[f"option-{i}"].tally for i in range(args.options)]
    expected = [sum(1 for k in range(args.tally) if k % args.options == i) for i in range(args.options)]
    assert counts == expected, (counts, expected)

    figures: dict[str, Any] = {
        "package": f"electionguard {getattr(electionguard, '__version__', '')}".strip(),
        "python": sys.version.split()[0],
        "options": args.options,
        "repeat": args.repeat,
        "key_ceremony_s": round(ceremony_s, 3),
        "encrypt_median_ms": median_ms(encrypt),
        "verify_median_ms": median_ms(verify),
        "tally_ballots": args.tally,
        "tally_s": round(tally_s, 3),
        "decrypt_s": round(decrypt_s, 3),
        "decrypted_counts": counts,
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
