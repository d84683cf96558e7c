"""`vecha demo`: a whole election, every role played in one process (the voters in a pool)."""

from __future__ import annotations

import random
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vecha.cli.demo_election import demo_definition, simulate_choice
from vecha.election.ballot import encrypt_ballot, selections_from_labels
from vecha.election.context import ElectionContext
from vecha.election.credentials import Credential, new_code
from vecha.election.definition import Definition, parse_definition
from vecha.election.identity import TrusteeIdentity
from vecha.election.trustees import local_ceremony, partial_decrypt
from vecha.record.package import load_package, make_package
from vecha.store.board import Board, open_store
from vecha.store.organizer import (
    add_decryption,
    close_voting,
    export_record,
    open_voting,
    publish_credentials,
    publish_result,
    record_ceremony,
    tally,
)
from vecha.verify import Report, verify_record

__all__ = ["DemoResult", "run_demo"]

#: progress(description, done, total)
Step = Callable[[str, int, int], None]


@dataclass
class DemoResult:
    result: dict[str, Any]
    report: Report
    voters: int
    ballots: int
    abstained: int
    revoted: int
    trustees_decrypting: list[int]
    plaintext_matches: bool
    definition: Definition
    timings: dict[str, float] = field(default_factory=dict)
    refused_duplicates: int | None = None  #: applications refused as duplicates (None: a roll, no registration)


_worker_context: ElectionContext | None = None


def _init_worker(package: dict[str, Any]) -> None:
    global _worker_context
    _worker_context = load_package(package)


def _encrypt(job: tuple[str, dict[str, list[str]]]) -> dict[str, Any]:
    code, choices = job
    ctx = _worker_context
    assert ctx is not None
    cred = Credential.from_code(code, ctx.fingerprint)
    return encrypt_ballot(ctx, cred, selections_from_labels(ctx.definition, choices)).ballot.to_json()


def _register(
    tmp: Path, board: Board, definition: Any, setups: list[Any], voters: int, rng: random.Random, step: Step
) -> tuple[list[str], dict[str, Any], int]:
    """The registration phase: every voter applies to both registrars (a few apply twice, as
    someone else), reviewers open the evidence and decide, refusing the duplicates; each
    device unblinds its signatures; the registrars close and post their counts."""
    from vecha.store.organizer import post_registrar_count
    from vecha.testing.registration import Applicant, apply_all, collect, open_registrars, review_all

    services = open_registrars(tmp, board, setups)
    people = [
        Applicant({"name": f"Voter {k}", "document": f"MP{k:07d}", "born": "1990-01-01", "country": "PL"})
        for k in range(voters)
    ]
    twins = [
        Applicant({**people[k].fields, "name": f"Again {k}"}) for k in rng.sample(range(voters), max(1, voters // 40))
    ]
    fp = board.ledger.fingerprint
    for k in range(0, voters, 50):
        apply_all(definition, fp, services, people[k : k + 50])
        step("applicants applying", min(k + 50, voters), voters)
    for s in services:
        review_all(definition, fp, s)
    apply_all(definition, fp, services, twins)  # the duplicates come last: the reviewers refuse them
    for k, s in enumerate(services):
        review_all(definition, fp, s)
        step("reviewers deciding", k + 1, len(services))
    collect(definition, services, people + twins)
    for s in services:
        post_registrar_count(board, s.registrar.close().to_json())
    refused = sum(1 for a in twins if a.signed is None)
    ready = [a for a in people if a.signed is not None and a.pending is not None]
    return [a.pending.code for a in ready if a.pending], {a.pending.code: a.signed for a in ready if a.pending}, refused


def run_demo(
    voters: int, record_dir: Path, step: Step, seed: int | None = None, workers: int = 2, roll: bool = False
) -> DemoResult:
    rng = random.Random(seed)
    timings: dict[str, float] = {}
    outcome_notes: dict[str, int] = {}
    t0 = time.perf_counter()
    # Each trustee makes its identity key first; the organizer writes the public keys in.
    identities = [TrusteeIdentity.new() for _ in range(5)]
    written = demo_definition(identities=[i.public.hex() for i in identities])
    registration = None
    if not roll:  # two blocs' registrars, each with two reviewers; a credential needs both signatures
        from vecha.testing.registration import make_registrars, registration_rules

        registration = make_registrars(["bloc-a", "bloc-b"], bits=3072, fresh=True)
        written = {**written, "registration": registration_rules(registration, required=2, puzzle_bits=8)}
    definition = parse_definition(written)
    with tempfile.TemporaryDirectory(prefix="vecha-demo-") as tmp:
        engine = open_store(str(Path(tmp) / "ballot-box.sqlite"))
        board = Board.create(engine, definition)
        fp = board.ledger.fingerprint

        # Key ceremony: five trustees, each on "its own machine" (here, one process).
        n, t = definition.trustees.count, definition.trustees.threshold
        step("key ceremony", 0, 1)
        secrets_, announcements, confirmations = local_ceremony(fp, t, identities)
        record_ceremony(board, announcements, confirmations)
        step("key ceremony", 1, 1)
        package = make_package(board.entries())

        signed: dict[str, Any] = {}
        if registration is None:
            # Registrar: one code per voter; only the public credentials reach the ballot box.
            codes = [new_code() for _ in range(voters)]
            publics = []
            for i, code in enumerate(codes):
                publics.append(Credential.from_code(code, fp).public.hex())
                if i % 50 == 0 or i == voters - 1:
                    step("issuing credentials", i + 1, voters)
            publish_credentials(board, publics)
        else:
            codes, signed, refused = _register(Path(tmp), board, definition, registration, voters, rng, step)
            outcome_notes["refused_duplicates"] = refused
        open_voting(board)
        timings["setup_s"] = time.perf_counter() - t0

        # Voters: some abstain, some vote twice (the second ballot replaces the first).
        jobs: list[tuple[str, dict[str, list[str]]]] = []
        final: dict[str, dict[str, list[str]]] = {}
        abstained = revoted = 0
        for code in codes:
            if rng.random() < 0.15:
                abstained += 1
                continue
            if rng.random() < 0.10:
                revoted += 1
                jobs.append((code, simulate_choice(rng, written)))
            choice = simulate_choice(rng, written)
            jobs.append((code, choice))
            final[code] = choice
        t1 = time.perf_counter()
        ballots: list[dict[str, Any]] = []
        with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(package,)) as pool:
            for b in pool.map(_encrypt, jobs, chunksize=8):
                ballots.append(b)
                step("voters encrypting ballots", len(ballots), len(jobs))
        timings["encrypt_s"] = time.perf_counter() - t1
        t2 = time.perf_counter()
        for i, (b, (code, _)) in enumerate(zip(ballots, jobs, strict=True)):
            board.cast(b, channel="app" if i % 3 else "web", signed_credential=signed.get(code))
            step("ballot box checking and recording", i + 1, len(ballots))
        timings["cast_s"] = time.perf_counter() - t2

        # Close, tally, three of five trustees decrypt, result with seats.
        close_voting(board)
        t3 = time.perf_counter()
        tally(board)
        present = sorted(rng.sample(range(1, n + 1), t))
        for k, j in enumerate(present):
            shares = partial_decrypt(fp, secrets_[j - 1], board.ledger.tallied().aggregate)
            add_decryption(board, j, [[s.to_json() for s in row] for row in shares])
            step("trustees decrypting the tally", k + 1, len(present))
        result = publish_result(board)
        timings["tally_s"] = time.perf_counter() - t3
        export_record(board, record_dir)

    t4 = time.perf_counter()
    report = verify_record(record_dir, progress=step)
    timings["verify_s"] = time.perf_counter() - t4
    timings["total_s"] = time.perf_counter() - t0
    return DemoResult(
        result,
        report,
        voters,
        len(ballots),
        abstained,
        revoted,
        present,
        _matches_plaintext(result, final),
        definition,
        timings,
        outcome_notes.get("refused_duplicates"),
    )


def _matches_plaintext(result: dict[str, Any], final: dict[str, dict[str, list[str]]]) -> bool:
    """Does the decrypted count equal the count of the simulated voters' last choices?"""
    for q in result["questions"]:
        expected = Counter(label for choice in final.values() for label in choice.get(q["id"], []))
        if any(q["counts"][label] != expected.get(label, 0) for label in q["counts"]):
            return False
    return bool(result["counted"] == len(final))
