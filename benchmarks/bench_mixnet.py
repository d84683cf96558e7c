"""A mixed election's count (spec §7.5): ranked ballots mixed by 3 mixers, decrypted by 2
trustees, opened and counted by STV, then verified.

    .venv/bin/python benchmarks/bench_mixnet.py [--ballots 100000] [--record-ballots 2000] [--out FILE]
        [--keep DIR | --verify DIR]

Part one, `--ballots`: the mix phase's work itself, on rows of 5 ciphertexts (a ranked
question of 5 candidates, every voter ranking all 5): each mixer's shuffle, proof and
signature; each mix verified; each trustee's decryption shares with their proofs; the
shares verified; the rows opened and counted. Mixers and trustees are different machines,
so their steps are timed one core each; the verification (of the 3 mixes and the 2
trustees' shares) is timed on 1 core and with one process per core.

Part two, `--record-ballots`: the same through the ballot box's store and an exported
record (ballots cast and checked, the mixes and shares posted as board entries, then
`vecha verify`'s checks with its workers), to show what the board and the JSON add.

`--keep DIR` keeps part two's store and record in DIR (and the figures of its making, in
DIR/made.json); `--verify DIR` then verifies that record again without making it (the 100k
record takes half an hour to make), and measures what the ballot box holds to read its
first mix, and to take its first trustee's decryption of the mixed ballots, the old way
(JSON objects) and packed, each in a process of its own. Without
`--ballots`, part one's last figures in the output file are kept.

Each part runs in a process of its own so that its peak memory (ru_maxrss) is its own.
Writes JSON (default benchmarks/results/mixnet.json).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import random
import resource
import tempfile
import threading
import time
import tracemalloc
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from vecha.crypto.elgamal import encrypt
from vecha.crypto.group import Point, Scalar
from vecha.crypto.rows import PackedRows
from vecha.election.definition import parse_definition
from vecha.election.mixed_count import count_opened
from vecha.election.mixing import Mix, decrypt_rows, decrypt_rows_canonical, make_mix, open_rows, verify_row_shares
from vecha.record.entries import RECORD_VERSION, EntryType
from vecha.testing.records import SMALL_DEFINITION, build_election, fixed_identities, mix_and_publish

CANDIDATES = ["Ala", "Bo", "Cy", "Dan", "Eva"]
DEFINITION: dict[str, Any] = {
    **SMALL_DEFINITION,
    "id": "bench-mixnet",
    "mix": True,
    "questions": [
        {"id": "board", "kind": "ranked", "title": "Board", "candidates": CANDIDATES, "method": "stv", "seats": 2}
    ],
}


#: beside a record kept with --keep: the figures of its making, which --verify reports with its own
MADE = "made.json"


def _peak_mib(who: int = resource.RUSAGE_SELF) -> float:
    """The peak resident memory of this process (or, with RUSAGE_CHILDREN, of the largest of
    the processes it waited for: the verifier's workers)."""
    return round(resource.getrusage(who).ru_maxrss / 1024, 1)


def _verify_mix(job: tuple[bytes, bytes, list[bytes], list[Any], dict[str, Any]]) -> None:
    fp, key, identities, inputs, mix_json = job
    Mix.from_json(mix_json, len(inputs), len(inputs[0])).verify(fp, Point(key), identities, inputs)


def _verify_shares(job: tuple[bytes, int, bytes, list[Any], list[Any]]) -> None:
    fp, trustee, vk, rows, shares = job
    verify_row_shares(fp, trustee, Point(vk), rows, shares)


def crypto_pipeline(ballots: int, cores: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        e = build_election(Path(tmp), definition=DEFINITION, votes=[], voters=1, stop_after=EntryType.OPEN)
    fp, key = e.context.fingerprint, e.context.public_key
    identities = fixed_identities(3)
    rng = random.Random(7)
    t = time.perf_counter()
    rows = []
    for _ in range(ballots):
        ranks = list(range(1, 6))
        rng.shuffle(ranks)
        rows.append(tuple(encrypt(key, r, Scalar.random()) for r in ranks))
    timings: dict[str, Any] = {"encrypt_rows_s": round(time.perf_counter() - t, 1)}
    inputs, mixes = rows, []
    for j, ident in enumerate(identities, start=1):
        t = time.perf_counter()
        mix = make_mix(fp, key, ident, j, inputs)
        timings[f"mixer_{j}_shuffle_prove_sign_s"] = round(time.perf_counter() - t, 1)
        mixes.append((inputs, mix))
        inputs = list(mix.ballots)
    verifying_keys = [e.board.ledger.voting().confirmations[j - 1].verification_key for j in (1, 2, 3)]
    t = time.perf_counter()
    for m_inputs, mix in mixes:
        mix.verify(fp, key, [i.public for i in identities], m_inputs)
    timings["verify_3_mixes_one_core_s"] = round(time.perf_counter() - t, 1)
    last = inputs
    shares = {}
    for j in (1, 3):
        t = time.perf_counter()
        shares[j] = decrypt_rows(fp, e.trustees[j - 1], last)
        timings[f"trustee_{j}_decrypt_s"] = round(time.perf_counter() - t, 1)
    t = time.perf_counter()
    for j in (1, 3):
        verify_row_shares(fp, j, verifying_keys[j - 1], last, shares[j])
    timings["verify_2_trustees_shares_one_core_s"] = round(time.perf_counter() - t, 1)
    t = time.perf_counter()
    opened = open_rows(last, shares, 5)
    result = count_opened(parse_definition(DEFINITION), opened, bytes(32))
    timings["open_and_count_s"] = round(time.perf_counter() - t, 1)
    if cores > 1:
        ids = [i.public for i in identities]
        jobs = [(fp, key.encoding, ids, m_inputs, mix.to_json()) for m_inputs, mix in mixes]
        share_jobs = [(fp, j, verifying_keys[j - 1].encoding, last, shares[j]) for j in (1, 3)]
        with ProcessPoolExecutor(cores) as pool:
            t = time.perf_counter()
            list(pool.map(_verify_mix, jobs))
            list(pool.map(_verify_shares, share_jobs))
            timings[f"verify_mixes_and_shares_{cores}_processes_s"] = round(time.perf_counter() - t, 1)
    ciphertexts = ballots * 5
    one_core_verify = timings["verify_3_mixes_one_core_s"] + timings["verify_2_trustees_shares_one_core_s"]
    work = (
        sum(timings[f"mixer_{j}_shuffle_prove_sign_s"] for j in (1, 2, 3))
        + max(timings["trustee_1_decrypt_s"], timings["trustee_3_decrypt_s"])
        + timings["open_and_count_s"]
    )
    return {
        "ballots": ballots,
        "ciphertexts_per_ballot": 5,
        "timings": timings,
        "per_ciphertext_per_mixer_ms": {
            "shuffle_prove_sign": round(
                sum(timings[f"mixer_{j}_shuffle_prove_sign_s"] for j in (1, 2, 3)) / 3 / ciphertexts * 1000, 4
            ),
            "verify_one_core": round(timings["verify_3_mixes_one_core_s"] / 3 / ciphertexts * 1000, 4),
        },
        "mix_decrypt_count_then_verify_minutes": {
            "verify_one_core": round((work + one_core_verify) / 60, 1),
            **(
                {
                    f"verify_{cores}_processes": round(
                        (work + timings[f"verify_mixes_and_shares_{cores}_processes_s"]) / 60, 1
                    )
                }
                if cores > 1
                else {}
            ),
        },
        "elected": result["questions"][0]["elected"],
        "peak_rss_mib": _peak_mib(),
    }


def _random_rows(key: Point, ballots: int) -> PackedRows:
    data = bytearray()
    for _ in range(ballots):
        for r in range(1, 6):
            ct = encrypt(key, r, Scalar.random())
            data += ct.alpha.encoding + ct.beta.encoding
    return PackedRows(bytes(data), 5)


def one_trustee(ballots: int) -> dict[str, Any]:
    """What one trustee's `vecha trustee decrypt` holds for a mixed election: its shares of
    every mixed ciphertext, with proofs, and the JSON body it posts, in a process of its own."""
    with tempfile.TemporaryDirectory() as tmp:
        e = build_election(Path(tmp), definition=DEFINITION, votes=[], voters=1, stop_after=EntryType.OPEN)
    fp, key = e.context.fingerprint, e.context.public_key
    rows = _random_rows(key, ballots)
    before = _peak_mib()
    t = time.perf_counter()
    shares = decrypt_rows_canonical(fp, e.trustees[0], rows)  # as `vecha trustee decrypt` makes its body
    body = b'{"election":"%b","shares":%b,"trustee":1}' % (fp.hex().encode(), shares)
    took = time.perf_counter() - t
    return {
        "ballots": ballots,
        "decrypt_and_encode_s": round(took, 1),
        "body_mib": round(len(body) / 2**20, 1),
        "peak_rss_mib_before_decrypting": before,
        "peak_rss_mib": _peak_mib(),
    }


def one_mixer(ballots: int) -> dict[str, Any]:
    """What one trustee's `vecha trustee mix` holds: the board's packed rows in, a shuffle,
    its proof and signature out, in a process of its own (its peak memory is the mixer's)."""
    with tempfile.TemporaryDirectory() as tmp:
        e = build_election(Path(tmp), definition=DEFINITION, votes=[], voters=1, stop_after=EntryType.OPEN)
    fp, key = e.context.fingerprint, e.context.public_key
    inputs = _random_rows(key, ballots)
    before = _peak_mib()
    t = time.perf_counter()
    mix = make_mix(fp, key, fixed_identities(1)[0], 1, inputs)
    body = mix.canonical_json()  # what `vecha trustee mix` sends
    took = time.perf_counter() - t
    assert len(mix.ballots) == ballots and body.startswith(b'{"ballots":')
    return {
        "ballots": ballots,
        "shuffle_prove_sign_s": round(took, 1),
        "peak_rss_mib_before_mixing": before,
        "peak_rss_mib": _peak_mib(),
    }


def record_pipeline(ballots: int, cores: int, directory: str) -> dict[str, Any]:
    rng = random.Random(11)
    votes = []
    for v in range(ballots):
        order = CANDIDATES[:]
        rng.shuffle(order)
        votes.append((v, {"board": order[: rng.randint(1, 5)]}))
    t = time.perf_counter()
    e = build_election(Path(directory), definition=DEFINITION, votes=votes, voters=ballots, stop_after=EntryType.OPEN)
    cast = time.perf_counter() - t
    t = time.perf_counter()
    mix_and_publish(e)
    counted = time.perf_counter() - t
    from vecha.store.organizer import export_record

    export_record(e.board, Path(directory) / "record")
    size = sum(f.stat().st_size for f in (Path(directory) / "record").iterdir())
    return {
        "ballots": ballots,
        "make_and_cast_s": round(cast, 1),
        "close_mix_decrypt_publish_s": round(counted, 1),
        "record_mib": round(size / 2**20, 1),
        # the box, its mixers and its trustees, all in this one process: not the box's own
        # memory (which box_read_mix_* and box_take_decryption_* measure)
        "pipeline_peak_rss_mib": _peak_mib(),
    }


def _tree_rss_kib(pid: int) -> int:
    """The resident memory of a process and all its descendants, from /proc (Linux)."""
    total = 0
    try:
        with open(f"/proc/{pid}/status") as f:
            total += next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                total += sum(_tree_rss_kib(int(child)) for child in f.read().split())
    except (OSError, StopIteration):  # a process that ended while being read
        pass
    return total


class _TotalPeak:
    """Samples the verifier and its workers together every 0.2 s: the figure the 1 GiB bound is
    about, which no single process's peak gives."""

    def __init__(self) -> None:
        self.peak_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self.peak_kib = max(self.peak_kib, _tree_rss_kib(os.getpid()))

    def __enter__(self) -> _TotalPeak:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def verify_pipeline(directory: str, cores: int) -> dict[str, Any]:
    from vecha.verify import verify_record

    t = time.perf_counter()
    with _TotalPeak() as total:
        report = verify_record(Path(directory) / "record", workers=cores)
    assert report.ok, report.error
    return {
        f"verify_record_{cores}_workers_s": round(time.perf_counter() - t, 1),
        "verifier_peak_rss_mib": _peak_mib(),
        "verifier_largest_worker_peak_rss_mib": _peak_mib(resource.RUSAGE_CHILDREN),
        "verifier_and_workers_together_peak_rss_mib": round(total.peak_kib / 1024, 1) if total.peak_kib else None,
    }


def _first_line(directory: str, kind: str) -> bytes:
    tail = b'"type":"%b","version":%d}' % (kind.encode(), RECORD_VERSION)
    with open(Path(directory) / "record" / "board.jsonl", "rb") as f:
        return next(line.rstrip(b"\n") for line in f if line.rstrip(b"\n").endswith(tail))


def _first_mix_line(directory: str) -> bytes:
    return _first_line(directory, "mix")


def _status_mib(field: str) -> float:
    """A memory figure of this process from /proc/self/status (VmRSS now, VmHWM its peak)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return round(int(line.split()[1]) / 1024, 1)
    raise RuntimeError(f"no {field} in /proc/self/status")


def _reset_peak() -> None:
    """Set this process's peak (VmHWM) to what it holds now (Linux: clear_refs 5), so that the
    peak of what follows is measured, not the replay's before it."""
    Path("/proc/self/clear_refs").write_text("5")


def box_take_decryption(directory: str, packed: bool, traced: bool = False) -> dict[str, Any]:
    """What the ballot box holds to take the first trustee's decryption of the mixed ballots
    of the kept record, its proofs checked (in batches, as the box does): the body as the
    trustee posts it, taken the way POST /decryptions and `vecha combine` took it before
    they kept canonical bytes (JSON objects, encoded again for the entry), or as the entry
    payload's bytes, read packed. The board before it is replayed without its proofs."""
    from vecha.record.archive import iter_board
    from vecha.record.ledger import Ledger
    from vecha.store.organizer import canonical_decryption

    ledger = Ledger(check_proofs=False)
    for entry in iter_board(Path(directory) / "record"):
        if entry.type is EntryType.MIX_DECRYPTION:
            break
        ledger.apply(entry)
        del entry
    line = _first_line(directory, "mix-decryption")
    payload_bytes = line[line.index(b'"payload":') + len(b'"payload":') : line.rindex(b',"time":')]
    body = b'{"election":"%b",%b' % (ledger.fingerprint.hex().encode(), payload_bytes[1:])  # as posted
    time_of = line[line.rindex(b',"time":"') + 9 : line.rindex(b'","type"')].decode()
    del line, payload_bytes
    len_body, shares = len(body), len(ledger.mixed) * (ledger.mixed.width if ledger.mixed else 0)
    ledger.check_proofs = True
    before = _status_mib("VmRSS")  # the replay done, the body held
    _reset_peak()
    if traced:
        tracemalloc.start()
    start = time.perf_counter()
    if packed:
        found = canonical_decryption(body)
        assert found is not None
        del body
        entry = ledger.next_entry_canonical(EntryType.MIX_DECRYPTION, found[2], time_of)
        del found
    else:
        obj = json.loads(body)
        del body
        entry = ledger.next_entry(
            EntryType.MIX_DECRYPTION, {"trustee": obj["trustee"], "shares": obj["shares"]}, time_of
        )
        del obj
        entry.canonical()  # the entry's line, for its hash and the store
    ledger.apply(entry)
    key = "packed" if packed else "as_json_objects"
    if traced:
        return {f"box_take_decryption_{key}_python_peak_mib": round(tracemalloc.get_traced_memory()[1] / 2**20, 1)}
    return {
        f"box_take_decryption_{key}_s": round(time.perf_counter() - start, 1),
        f"box_take_decryption_{key}_rss_before_mib": before,
        f"box_take_decryption_{key}_peak_rss_mib": _status_mib("VmHWM"),
        "decryption_body_mib": round(len_body / 2**20, 1),
        "decryption_shares": shares,
    }


def box_read_mix(directory: str, packed: bool) -> dict[str, Any]:
    """What the ballot box holds to take one mix of the kept record (its proof's check
    aside): the body a trustee posts, read the way POST /mixes did before it took canonical
    bytes (JSON objects, encoded again for the entry, a `Mix` of objects), or packed."""
    from vecha.crypto.canonical import canonical_bytes
    from vecha.record.entries import Entry

    line = _first_mix_line(directory)
    start = time.perf_counter()
    if packed:
        entry = Entry.from_canonical(line)
        payload: Any = entry.payload
    else:
        body = line[line.index(b'"payload":') + len(b'"payload":') : line.rindex(b',"time":')]
        del line
        payload = json.loads(body)
        encoded = canonical_bytes(payload)
        assert encoded == body
    rows = payload["ballots"]
    width = rows.width if packed else len(rows[0])
    mix = Mix.from_json(payload, len(rows), width)
    assert mix.mixer == 1
    key = "packed" if packed else "as_json_objects"
    return {
        f"box_read_mix_{key}_s": round(time.perf_counter() - start, 1),
        f"box_read_mix_{key}_peak_rss_mib": _peak_mib(),
    }


def _in_child(name: str, *args: Any) -> dict[str, Any]:
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        result: dict[str, Any] = pool.submit(globals()[name], *args).result()
        return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ballots", type=int, default=100_000)
    parser.add_argument("--record-ballots", type=int, default=2_000)
    parser.add_argument("--keep", type=Path, help="make the record in this folder and keep it")
    parser.add_argument("--verify", type=Path, help="only verify the record made earlier with --keep in this folder")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "mixnet.json")
    parser.add_argument("--one-mixer", type=int, help="only: one mixer's mix of this many ballots, its time and memory")
    parser.add_argument("--one-trustee", type=int, help="only: one trustee's decryption of this many mixed ballots")
    args = parser.parse_args()
    if args.one_mixer or args.one_trustee:
        kept = json.loads(args.out.read_text()) if args.out.exists() else {}
        if args.one_mixer:
            kept["one_mixer"] = _in_child("one_mixer", args.one_mixer)
        if args.one_trustee:
            kept["one_trustee"] = _in_child("one_trustee", args.one_trustee)
        args.out.write_text(json.dumps(kept, indent=2) + "\n")
        print(json.dumps({k: kept.get(k) for k in ("one_mixer", "one_trustee")}, indent=2))
        return
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    result = {
        "command": f"benchmarks/bench_mixnet.py --ballots {args.ballots} --record-ballots {args.record_ballots}"
        + (" --verify DIR" if args.verify else " --keep DIR" if args.keep else ""),
        "machine": {"python": platform.python_version(), "cpu_count": cores, "platform": platform.platform()},
        "target": "100k ranked ballots mixed by 3 mixers, decrypted and verified in under 15 minutes on 2 cores",
        "mix_phase": _in_child("crypto_pipeline", args.ballots, cores) if args.ballots else None,
        "through_the_record": None,
    }
    if not args.ballots and args.out.exists():  # part one not run now: keep its last figures
        result["mix_phase"] = json.loads(args.out.read_text()).get("mix_phase")
    if args.verify:
        made = json.loads((args.verify / MADE).read_text())  # how the kept record was made
        result["through_the_record"] = made | _in_child("verify_pipeline", str(args.verify), cores)
        for packed in (False, True):
            result["through_the_record"] |= _in_child("box_read_mix", str(args.verify), packed)
            result["through_the_record"] |= _in_child("box_take_decryption", str(args.verify), packed)
            result["through_the_record"] |= _in_child("box_take_decryption", str(args.verify), packed, True)
    elif args.record_ballots and args.keep:
        args.keep.mkdir(parents=True, exist_ok=False)
        through = _in_child("record_pipeline", args.record_ballots, cores, str(args.keep))
        (args.keep / MADE).write_text(json.dumps(through, indent=2) + "\n")
        result["through_the_record"] = through | _in_child("verify_pipeline", str(args.keep), cores)
    elif args.record_ballots:
        with tempfile.TemporaryDirectory() as tmp:
            through = _in_child("record_pipeline", args.record_ballots, cores, tmp)
            result["through_the_record"] = through | _in_child("verify_pipeline", tmp, cores)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
