"""An election with registration, for tests and the demo: registrars with their reviewers,
applicants who apply with evidence, reviewers who decide, credentials signed blindly.

It drives the registrar's service and the box's store directly (the HTTP routes are
tested over them elsewhere); every step is the one the real commands take."""

from __future__ import annotations

import hashlib
import time as clock
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from vecha.crypto import blind_rsa
from vecha.election.application import Application, Evidence, PendingCredential, ReviewerKey, SealedEvidence
from vecha.election.definition import Definition, parse_definition
from vecha.election.eligibility import SignedCredential
from vecha.errors import RegistrationRefused
from vecha.record.package import make_package
from vecha.registrar.keys import RegistrarKey
from vecha.registrar.schema import tables
from vecha.registrar.service import PUZZLE_EPOCH_S, Registrar, create_reviewer_token, setup_election
from vecha.store.board import Board, open_store

__all__ = [
    "registration_rules",
    "RegistrarSetup",
    "RegistrarService",
    "Applicant",
    "make_registrars",
    "open_registrars",
    "with_registration",
    "apply_all",
    "review_all",
    "collect",
]

#: what the demo and the tests ask applicants for
FIELDS: list[dict[str, Any]] = [
    {"id": "name", "kind": "text", "label": {"en": "Full name", "be": "Прозвішча і імя", "ru": "Фамилия и имя"}},
    {
        "id": "document",
        "kind": "document",
        "label": {"en": "Passport number", "be": "Нумар пашпарта", "ru": "Номер паспорта"},
    },
    {"id": "born", "kind": "date", "label": {"en": "Date of birth", "be": "Дата нараджэння", "ru": "Дата рождения"}},
    {"id": "country", "kind": "country", "label": {"en": "Country of residence", "be": "Краіна", "ru": "Страна"}},
    {
        "id": "photo",
        "kind": "file",
        "label": {"en": "Photo of the passport", "be": "Фота пашпарта", "ru": "Фото паспорта"},
        "required": False,
    },
    {
        "id": "note",
        "kind": "free-text",
        "label": {"en": "Anything the reviewers should know", "be": "Заўвагі", "ru": "Примечания"},
        "required": False,
        "max_length": 2000,
    },
]


def _fixed_key(registrar: str, bits: int) -> RegistrarKey:
    """Tests only: a registrar key from a fixed RSA key made once per process (key
    generation takes a while); the other secrets from the registrar's id."""
    return RegistrarKey(
        registrar,
        _cached_rsa(registrar, bits),
        hashlib.sha256(f"signing {registrar}".encode()).digest(),
        hashlib.sha256(f"hmac {registrar}".encode()).digest(),
        hashlib.sha256(f"puzzle {registrar}".encode()).digest(),
    )


_RSA: dict[tuple[str, int], blind_rsa.BlindSecretKey] = {}


def _cached_rsa(registrar: str, bits: int) -> blind_rsa.BlindSecretKey:
    if (registrar, bits) not in _RSA:
        _RSA[registrar, bits] = blind_rsa.generate_key(bits)
    return _RSA[registrar, bits]


@dataclass
class RegistrarSetup:
    key: RegistrarKey
    reviewers: list[ReviewerKey]
    names: list[str]

    def spec(self) -> dict[str, Any]:
        return self.key.public_spec(
            self.key.registrar.replace("-", " ").title(), [r.public.hex() for r in self.reviewers]
        )


def make_registrars(ids: list[str], reviewers: int = 2, bits: int = 2048, fresh: bool = False) -> list[RegistrarSetup]:
    """Registrars with their reviewers: fixed keys for tests, or `fresh` ones (the demo)."""
    out = []
    for rid in ids:
        if fresh:
            key, revs = RegistrarKey.new(rid, bits), [ReviewerKey.new() for _ in range(reviewers)]
        else:
            key = _fixed_key(rid, bits)
            revs = [
                ReviewerKey(hashlib.sha256(f"reviewer {rid} {k}".encode()).digest()) for k in range(1, reviewers + 1)
            ]
        out.append(RegistrarSetup(key, revs, [f"Reviewer {k}" for k in range(1, reviewers + 1)]))
    return out


def registration_rules(registrars: list[RegistrarSetup], **rules: Any) -> dict[str, Any]:
    return {
        "registrars": [r.spec() for r in registrars],
        "fields": FIELDS,
        "duplicate_key": ["document", "born"],
        "puzzle_bits": 4,
        **rules,
    }


@dataclass
class Applicant:
    fields: dict[str, str]
    files: dict[str, tuple[str, str, bytes]] = field(default_factory=dict)
    pending: PendingCredential | None = None
    codes: dict[str, str] = field(default_factory=dict)  #: registrar → application code
    signed: SignedCredential | None = None


@dataclass
class RegistrarService:
    setup: RegistrarSetup
    engine: Engine
    registrar: Registrar
    tokens: list[str]


def open_registrars(
    directory: Path, board: Board, setups: list[RegistrarSetup], stores: dict[str, str] | None = None
) -> list[RegistrarService]:
    package = make_package(board.entries())
    out = []
    for s in setups:
        url = (stores or {}).get(s.key.registrar) or str(directory / f"registrar-{s.key.registrar}.sqlite")
        engine = open_store(url, tables, secure_delete=True)
        eid = setup_election(engine, package, s.key)
        tokens = [create_reviewer_token(engine, eid, k, name) for k, name in enumerate(s.names, start=1)]
        out.append(RegistrarService(s, engine, Registrar(engine, eid, s.key), tokens))
    return out


def apply_all(
    definition: Definition, fingerprint: bytes, services: list[RegistrarService], applicants: list[Applicant]
) -> None:
    rules = definition.registration
    assert rules is not None
    epoch = int(clock.time()) // PUZZLE_EPOCH_S
    for a in applicants:
        a.pending = PendingCredential.new(fingerprint, rules, [s.setup.key.registrar for s in services])
        evidence = Evidence.make(rules, a.fields, a.files)
        for s in services:
            rid = s.setup.key.registrar
            application = Application.make(a.pending, rules, rid, evidence)
            a.codes[rid] = s.registrar.apply(
                application.to_json(s.registrar.puzzle_seed(epoch), rules.puzzle_bits), epoch
            )


def review_all(definition: Definition, fingerprint: bytes, service: RegistrarService) -> dict[str, str]:
    """Every reviewer of one registrar decides every application waiting for them: approve,
    unless the application duplicates an approved one (then reject). Returns code → status."""
    rules = definition.registration
    assert rules is not None
    reg, rid = service.registrar, service.setup.key.registrar
    out: dict[str, str] = {}
    for k, token in enumerate(service.tokens, start=1):
        who = reg.reviewer(token)
        for item in reg.pending(who, limit=100_000):
            sealed = SealedEvidence.from_json(item["evidence"], len(service.setup.reviewers), 10**9)
            evidence = sealed.open(fingerprint, rid, k, service.setup.reviewers[k - 1], rules)
            if not any(d["status"] == "approved" for d in item["duplicates"]):
                try:
                    out[item["code"]] = reg.decide(who, item["code"], True, "", evidence.duplicate_values(rules))[
                        "status"
                    ]
                    continue
                except RegistrationRefused as e:  # approved meanwhile, by this loop: the registrar says so
                    if e.code != "duplicate":
                        raise
            out[item["code"]] = reg.decide(who, item["code"], False, "a duplicate of an approved application", None)[
                "status"
            ]
    return out


def collect(definition: Definition, services: list[RegistrarService], applicants: list[Applicant]) -> None:
    """Each applicant's device fetches its blind signatures and unblinds them."""
    rules = definition.registration
    assert rules is not None
    for a in applicants:
        assert a.pending is not None
        sigs = []
        for s in services:
            rid = s.setup.key.registrar
            if s.registrar.status(a.codes[rid])["status"] == "approved":
                blind = s.registrar.signature(a.codes[rid], a.pending.blinded[rid].hex())
                sigs.append(a.pending.finalize(rules, rid, blind))
        if len(sigs) >= rules.required:
            a.signed = a.pending.signed(sigs)


def with_registration(definition: dict[str, Any], setups: list[RegistrarSetup], **rules: Any) -> Definition:
    languages = list(definition.get("languages", ["en"]))
    languages += [lang for lang in ("be", "ru", "en") if lang not in languages]  # the fields' labels
    return parse_definition({**definition, "languages": languages, "registration": registration_rules(setups, **rules)})
