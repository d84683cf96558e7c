"""The election definition (spec §6.1): questions, options, trustees, seat rules.

Parsed from the organizer's YAML or JSON with pydantic (this is an input edge); every
model is frozen and rejects unknown fields, so a typo in a definition is an error, not a
silently ignored key.
"""

from __future__ import annotations

import re
from fractions import Fraction
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    field_validator,
    model_validator,
)

from vecha.election.eligibility import RegistrationRules
from vecha.election.seats import ExcessSeats, Method, QuotaBase, SeatRules, parse_fraction
from vecha.errors import ElectionError

__all__ = [
    "Text",
    "ListEntry",
    "CandidateRule",
    "SeatSpec",
    "ChoiceQuestion",
    "ListQuestion",
    "RankedQuestion",
    "GradedQuestion",
    "WHOLE_BALLOT_KINDS",
    "Question",
    "Definition",
    "Option",
    "parse_definition",
    "CHANNELS",
]


def _shown_text(v: str | dict[str, str]) -> str | dict[str, str]:
    texts = [v] if isinstance(v, str) else list(v.values())
    if not texts:
        raise ValueError("a text in several languages names at least one language")
    for text in texts:
        if not 1 <= len(text) <= 2000:
            raise ValueError("a text is 1 to 2000 characters")
    return v


#: Shown text: a plain string, or language code → string ("be", "ru", "en", …); every
#: language named must be one of the definition's `languages` (checked by `Definition`).
Text = Annotated[str | dict[str, str], AfterValidator(_shown_text)]

_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=False)


_Short = Annotated[str, Field(min_length=1, max_length=200)]


class ListEntry(_Frozen):
    name: _Short  #: the list's name in the record (its option label); `text` is how pages show it
    text: Text | None = None
    candidates: tuple[_Short, ...] = ()
    #: candidate name → how pages show that name, by language (names are spelt differently
    #: in Belarusian, Russian and Latin letters)
    candidate_text: dict[_Short, Text] = Field(default_factory=dict)
    #: candidate name → attribute → value (e.g. {"Ala": {"gender": "f"}}), for candidate rules
    attributes: dict[_Short, dict[Annotated[str, Field(min_length=1, max_length=40)], _Short]] = Field(
        default_factory=dict
    )

    @field_validator("candidates")
    @classmethod
    def _unique(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(v)) != len(v):
            raise ValueError("candidate names must be unique within a list")
        return v

    @model_validator(mode="after")
    def _known(self) -> ListEntry:
        unknown = sorted(set(self.attributes) - set(self.candidates))
        if unknown:
            raise ValueError(f"list {self.name}: attributes for people who are not its candidates: {unknown}")
        unknown = sorted(set(self.candidate_text) - set(self.candidates))
        if unknown:
            raise ValueError(f"list {self.name}: candidate_text for people who are not its candidates: {unknown}")
        return self

    def texts(self) -> list[Text]:
        return ([self.text] if self.text is not None else []) + list(self.candidate_text.values())


class CandidateRule(_Frozen):
    """Every list with candidates must have at least `min_share` of them with each of `values`
    of `attribute` (e.g. at least 40% of each gender: attribute gender, values f and m)."""

    attribute: Annotated[str, Field(min_length=1, max_length=40)]
    values: tuple[_Short, ...] = Field(min_length=1)
    min_share: str

    @field_validator("min_share", mode="before")
    @classmethod
    def _exact(cls, v: Any) -> Any:
        if isinstance(v, float):
            raise ValueError('write the share as a string ("40%" or "0.4"), never as a float')
        return v

    def check(self, entry: ListEntry) -> None:
        if not entry.candidates:
            return
        share = parse_fraction(self.min_share, "min_share")
        if not 0 <= share <= 1:
            raise ValueError(f"a candidate rule's min_share is between 0 and 1, not {self.min_share}")
        missing = [c for c in entry.candidates if self.attribute not in entry.attributes.get(c, {})]
        if missing:
            raise ValueError(f"list {entry.name}: no {self.attribute} given for {', '.join(missing)}")
        n = len(entry.candidates)
        for value in self.values:
            have = sum(1 for c in entry.candidates if entry.attributes[c][self.attribute] == value)
            if have < share * n:
                raise ValueError(
                    f"list {entry.name} has {have} of {n} candidates with {self.attribute} {value}; "
                    f"the rule needs at least {self.min_share} of them"
                )


class SeatSpec(_Frozen):
    method: Method
    seats: int = Field(ge=1, le=100_000)
    threshold: str = "0"
    exempt: tuple[str, ...] = ()
    quota_base: QuotaBase = QuotaBase.PASSED
    blank_in_threshold_base: bool = False
    first_divisor: str = "1.4"
    divisors: tuple[str, ...] = ()
    personal_quota: str | None = None
    excess: ExcessSeats = ExcessSeats.VACANT

    @field_validator("threshold", "first_divisor", "personal_quota", mode="before")
    @classmethod
    def _exact(cls, v: Any) -> Any:
        if isinstance(v, float):
            raise ValueError('write fractions as strings ("0.03" or "3%"), never as floats')
        return str(v) if isinstance(v, int) and not isinstance(v, bool) else v

    def rules(self) -> SeatRules:
        return SeatRules(
            method=self.method,
            seats=self.seats,
            threshold=parse_fraction(self.threshold, "threshold"),
            exempt=frozenset(self.exempt),
            quota_base=self.quota_base,
            blank_in_threshold_base=self.blank_in_threshold_base,
            first_divisor=parse_fraction(self.first_divisor, "first_divisor"),
            divisors=tuple(parse_fraction(d, "divisors") for d in self.divisors),
            excess=self.excess,
        )

    def personal_quota_fraction(self) -> Fraction | None:
        return None if self.personal_quota is None else parse_fraction(self.personal_quota, "personal_quota")


class Option(_Frozen):
    """One encrypted mark of a question (spec §6.2): a choice, a list, or a candidate."""

    label: str
    party: str | None = None  #: for list-pr questions: the list this option counts for
    candidate: str | None = None  #: set when the option is a candidate of `party`
    text: Text | None = None  #: how pages show the option (its label when None)


class _QuestionBase(_Frozen):
    id: str
    title: Text
    min: int = Field(default=0, ge=0)
    max: int = Field(default=1, ge=1)

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not _ID.match(v):
            raise ValueError("ids are 1-64 lowercase letters, digits and hyphens")
        return v


class ChoiceQuestion(_QuestionBase):
    """Referendum, single choice, multiple choice, approval: options with [min, max] marks."""

    kind: Literal["choice"] = "choice"
    options: tuple[Annotated[str, Field(min_length=1, max_length=200)], ...] = Field(min_length=1)
    #: option label → how pages show it, by language ("Yes" → {"be": "Так", "ru": "Да"})
    option_text: dict[_Short, Text] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _known_options(self) -> ChoiceQuestion:
        unknown = sorted(set(self.option_text) - set(self.options))
        if unknown:
            raise ValueError(f"option_text for labels that are not options: {unknown}")
        return self

    @cached_property
    def option_list(self) -> tuple[Option, ...]:
        return tuple(Option(label=o, text=self.option_text.get(o)) for o in self.options)

    @property
    def value_max(self) -> int:
        """The largest value one of the question's ciphertexts may encrypt (spec §6.2)."""
        return 1

    @property
    def sum_range(self) -> tuple[int, int]:
        """The range the sum of the question's values is proven to lie in (spec §6.4)."""
        return self.min, self.max

    def texts(self) -> list[Text]:
        return [self.title, *self.option_text.values()]


class ListQuestion(_QuestionBase):
    """Open-list PR (spec §6.2): one option per list, then one per candidate of that list."""

    kind: Literal["list-pr"] = "list-pr"
    lists: tuple[ListEntry, ...] = Field(min_length=1)
    seats: SeatSpec
    candidate_rules: tuple[CandidateRule, ...] = ()
    #: spec §6.2: how many candidates of the chosen list a voter may mark. Above 1 the
    #: ballot holds up to preferences + 1 marks (the list's own and its candidates'), all in
    #: one list: only a mixed election can tell that, after decryption, so only it allows it
    preferences: int = Field(default=1, ge=1, le=64, exclude_if=lambda v: v == 1)

    @model_validator(mode="before")
    @classmethod
    def _marks_follow_preferences(cls, data: Any) -> Any:
        preferences = data.get("preferences") if isinstance(data, dict) else None
        if isinstance(preferences, int) and preferences > 1 and "max" not in data:
            return {**data, "max": preferences + 1}
        return data

    @property
    def value_max(self) -> int:
        return 1

    @property
    def sum_range(self) -> tuple[int, int]:
        return self.min, self.max

    @model_validator(mode="after")
    def _rules(self) -> ListQuestion:
        for rule in self.candidate_rules:
            for entry in self.lists:
                rule.check(entry)
        return self

    @cached_property
    def option_list(self) -> tuple[Option, ...]:
        out: list[Option] = []
        for entry in self.lists:
            out.append(Option(label=entry.name, party=entry.name, text=entry.text))
            out += [
                Option(label=f"{entry.name} / {c}", party=entry.name, candidate=c, text=entry.candidate_text.get(c))
                for c in entry.candidates
            ]
        return tuple(out)

    def texts(self) -> list[Text]:
        return [self.title, *(t for entry in self.lists for t in entry.texts())]


#: spec §6.2: the most candidates of a ranked or graded question, the most ranks a voter
#: may give, the most grades of a scale (they size the ballot's proofs: §6.4)
MAX_RANKED_CANDIDATES = 64
MAX_RANKS = 32
MAX_GRADES = 10


class _CandidatesQuestion(_QuestionBase):
    candidates: tuple[_Short, ...] = Field(min_length=2, max_length=MAX_RANKED_CANDIDATES)
    #: candidate name → how pages show it, by language
    candidate_text: dict[_Short, Text] = Field(default_factory=dict)

    @field_validator("candidates")
    @classmethod
    def _unique(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(v)) != len(v):
            raise ValueError("candidate names must be unique")
        return v

    @model_validator(mode="after")
    def _known_candidates(self) -> _CandidatesQuestion:
        unknown = sorted(set(self.candidate_text) - set(self.candidates))
        if unknown:
            raise ValueError(f"candidate_text for names that are not candidates: {unknown}")
        return self

    @cached_property
    def option_list(self) -> tuple[Option, ...]:
        return tuple(Option(label=c, text=self.candidate_text.get(c)) for c in self.candidates)


class RankedQuestion(_CandidatesQuestion):
    """Rank up to `max` of the candidates (spec §6.2): each ciphertext holds a candidate's
    rank, 1 the first, 0 unranked. `min` is the fewest ranks a valid ballot gives (0: a
    blank ballot counts as blank). Counted by `method` after the mix (§9.7)."""

    kind: Literal["ranked"]
    method: Literal["stv", "irv", "schulze"] = "irv"
    #: STV only: how many are elected
    seats: int = Field(default=1, ge=1, le=MAX_RANKED_CANDIDATES)

    @model_validator(mode="before")
    @classmethod
    def _rank_all_by_default(cls, data: Any) -> Any:
        if isinstance(data, dict) and "max" not in data and isinstance(data.get("candidates"), list | tuple):
            return {**data, "max": min(len(data["candidates"]), MAX_RANKS)}
        return data

    @model_validator(mode="after")
    def _ranks(self) -> RankedQuestion:
        n = len(self.candidates)
        if not self.max <= min(n, MAX_RANKS):
            raise ValueError(f"a voter ranks at most {min(n, MAX_RANKS)} candidates here (max)")
        if self.seats > 1 and self.method != "stv":
            raise ValueError(f"{self.method} elects one candidate; several seats need method stv")
        if self.seats >= n:
            raise ValueError(f"{self.seats} seats for {n} candidates: nothing left to count")
        return self

    @property
    def value_max(self) -> int:
        return self.max

    @property
    def sum_range(self) -> tuple[int, int]:
        """Ranks 1…r of r ranked candidates add up to r(r+1)/2: a valid ballot's sum lies in
        [min(min+1)/2, max(max+1)/2] (a bound, not the whole rule: §9.7.1 checks the rest)."""
        return self.min * (self.min + 1) // 2, self.max * (self.max + 1) // 2

    def texts(self) -> list[Text]:
        return [self.title, *self.candidate_text.values()]


class GradedQuestion(_CandidatesQuestion):
    """Grade every candidate on the scale `grades`, from the lowest to the highest (spec
    §6.2): each ciphertext holds a grade's index, 0 the lowest (what a candidate left
    ungraded gets). Counted by Majority Judgment after the mix (§9.7.5)."""

    kind: Literal["graded"]
    grades: tuple[_Short, ...] = Field(min_length=2, max_length=MAX_GRADES)
    #: grade name → how pages show it, by language
    grade_text: dict[_Short, Text] = Field(default_factory=dict)
    method: Literal["majority-judgment"] = "majority-judgment"

    @model_validator(mode="after")
    def _scale(self) -> GradedQuestion:
        if len(set(self.grades)) != len(self.grades):
            raise ValueError("grade names must be unique")
        unknown = sorted(set(self.grade_text) - set(self.grades))
        if unknown:
            raise ValueError(f"grade_text for names that are not grades: {unknown}")
        if self.min != 0 or self.max != 1:
            raise ValueError("a graded question grades every candidate: it takes no min or max")
        return self

    @property
    def value_max(self) -> int:
        return len(self.grades) - 1

    @property
    def sum_range(self) -> tuple[int, int]:
        return 0, len(self.candidates) * (len(self.grades) - 1)

    def texts(self) -> list[Text]:
        return [self.title, *self.candidate_text.values(), *self.grade_text.values()]


#: the question kinds whose ballots only a mixed election can count (spec §7.5)
WHOLE_BALLOT_KINDS = ("ranked", "graded")


def _question_kind(v: Any) -> str:
    kind = v.get("kind", "choice") if isinstance(v, dict) else getattr(v, "kind", "choice")
    return str(kind)


Question = Annotated[
    Annotated[ChoiceQuestion, Tag("choice")]
    | Annotated[ListQuestion, Tag("list-pr")]
    | Annotated[RankedQuestion, Tag("ranked")]
    | Annotated[GradedQuestion, Tag("graded")],
    Discriminator(_question_kind),
]


_IDENTITY = re.compile(r"^[0-9a-f]{64}$")


class TrusteeSpec(_Frozen):
    """The trustees: how many, how many decrypt, and each one's identity key (spec §5.1), in
    trustee order: the Ed25519 public key, in hex, that signs every ceremony message of theirs."""

    count: int = Field(ge=1, le=100)
    threshold: int = Field(ge=1)
    identities: tuple[str, ...]

    @field_validator("identities")
    @classmethod
    def _keys(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for k, key in enumerate(v, start=1):
            if not _IDENTITY.match(key):
                raise ValueError(f"trustee {k}'s identity key must be 64 lowercase hex digits")
        if len(set(v)) != len(v):
            raise ValueError("every trustee needs an identity key of its own")
        return v

    def identity_keys(self) -> tuple[bytes, ...]:
        return tuple(bytes.fromhex(k) for k in self.identities)


#: spec §6.1: a language code is a BCP 47 primary tag (2-3 lowercase letters) with optional subtags
_LANGUAGE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{1,8})*")
#: the channels a ballot can come in by (spec §8.4)
CHANNELS = ("web", "app")
MAX_QUESTIONS = 64
MAX_OPTIONS = 4096


class Definition(_Frozen):
    version: Literal[2] = 2
    id: str
    title: Text
    description: Text | None = None
    languages: tuple[str, ...] = Field(default=("en",), min_length=1)
    questions: tuple[Question, ...] = Field(min_length=1, max_length=MAX_QUESTIONS)
    trustees: TrusteeSpec
    channels: tuple[str, ...] = Field(default=CHANNELS, min_length=1)
    #: registration without a roll (spec §6.8); absent, not null, in a roll election's
    #: normalized form, so that roll elections keep the fingerprints they had
    registration: RegistrationRules | None = Field(default=None, exclude_if=lambda v: v is None)
    #: spec §7.5: the counted ballots are mixed by the trustees and decrypted one by one,
    #: instead of added up; absent from the normalized form when false (fingerprints kept)
    mix: bool = Field(default=False, exclude_if=lambda v: v is False)
    #: docs/coercion.md, spec §6.10 and §7.6: fake codes and hidden re-voting; needs a mix
    #: and registration (a roll of encrypted credentials) that closes before voting opens
    coercion: bool = Field(default=False, exclude_if=lambda v: v is False)

    @field_validator("languages")
    @classmethod
    def _languages(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        bad = [x for x in v if not _LANGUAGE.fullmatch(x)]
        if bad:
            raise ValueError(f"not language codes (like be, ru, en, en-GB): {bad}")
        if len(set(v)) != len(v):
            raise ValueError("a language is listed twice")
        return v

    @field_validator("channels")
    @classmethod
    def _channels(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        if not set(v) <= set(CHANNELS) or len(set(v)) != len(v):
            raise ValueError(f"channels are distinct names among {list(CHANNELS)}")
        return v

    def texts(self) -> list[Text]:
        """Every translatable text of the definition."""
        own = [self.title] + ([self.description] if self.description is not None else [])
        registration = self.registration.texts() if self.registration is not None else []
        return own + [t for q in self.questions for t in q.texts()] + registration

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not _ID.match(v):
            raise ValueError("the election id is 1-64 lowercase letters, digits and hyphens")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> Definition:
        if self.trustees.threshold > self.trustees.count:
            raise ValueError("the trustee threshold cannot exceed the number of trustees")
        if len(self.trustees.identities) != self.trustees.count:
            raise ValueError(
                f"the definition names {len(self.trustees.identities)} trustee identity keys for "
                f"{self.trustees.count} trustees"
            )
        for text in self.texts():
            if isinstance(text, dict):
                unlisted = sorted(set(text) - set(self.languages))
                if unlisted:
                    raise ValueError(
                        f"text in {', '.join(unlisted)}, which `languages` does not list ({', '.join(self.languages)})"
                    )
        if self.coercion:
            if not self.mix:
                raise ValueError("a coercion-resistant election counts after a mix: set mix: true")
            if self.registration is None:
                raise ValueError(
                    "a coercion-resistant election registers its voters (registration): its roll is encrypted"
                )
            if self.registration.overlap:
                raise ValueError("in a coercion-resistant election registration closes before voting opens (overlap)")
        ids = [q.id for q in self.questions]
        if len(set(ids)) != len(ids):
            raise ValueError("question ids must be unique")
        for q in self.questions:
            n = len(q.option_list)
            if n > MAX_OPTIONS:
                raise ValueError(f"question {q.id}: {n} options; at most {MAX_OPTIONS}")
            if len({o.label for o in q.option_list}) != n:
                raise ValueError(f"question {q.id}: option labels must be unique")
            if q.min > q.max or q.max > n:
                raise ValueError(f"question {q.id}: need min <= max <= number of options ({n})")
            if q.kind in WHOLE_BALLOT_KINDS and not self.mix:
                raise ValueError(f"question {q.id}: {q.kind} ballots are counted whole, after a mix: set mix: true")
            if isinstance(q, ListQuestion):
                if q.preferences == 1 and q.max != 1:
                    raise ValueError(f"question {q.id}: a list question takes at most one mark (max: 1)")
                if q.preferences > 1 and q.max != q.preferences + 1:
                    raise ValueError(
                        f"question {q.id}: with {q.preferences} preferences a ballot holds up to "
                        f"{q.preferences + 1} marks (max: {q.preferences + 1})"
                    )
                if q.preferences > 1 and not self.mix:
                    raise ValueError(
                        f"question {q.id}: several preferences within one list can only be checked "
                        "on whole ballots, after a mix: set mix: true"
                    )
                names = {e.name for e in q.lists}
                unknown = set(q.seats.exempt) - names
                if unknown:
                    raise ValueError(f"question {q.id}: exempt lists not in the question: {sorted(unknown)}")
                try:
                    q.seats.rules()
                    q.seats.personal_quota_fraction()
                except Exception as e:  # SeatError carries the reason
                    raise ValueError(f"question {q.id}: {e}") from None
        return self


def _has_lone_surrogate(value: object) -> bool:
    """Text that JSON can carry (`"\\ud800"`) but that is no character: it has no UTF-8."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_lone_surrogate(v) for v in value)
    return False


def parse_definition(data: object) -> Definition:
    """Validate a definition; raises `ElectionError` with a one-line reason."""
    if _has_lone_surrogate(data):
        raise ElectionError("invalid election definition: text holds a lone surrogate (\\ud800-\\udfff)")
    try:
        return Definition.model_validate(data)
    except ValidationError as e:
        first = e.errors()[0]
        message = str(first["msg"]).removeprefix("Value error, ")
        where = _where(first["loc"], data)
        raise ElectionError(f"invalid election definition{where}: {message}") from None


def _where(loc: tuple[int | str, ...], data: object) -> str:
    """A validator's location in the organizer's words: `question council: seats.seats`, not
    `questions.0.list-pr.seats.seats` (pydantic's path, with the union's tag in it)."""
    parts = list(loc)
    head = ""
    if len(parts) >= 2 and parts[0] == "questions" and isinstance(parts[1], int):
        index = parts[1]
        questions = data.get("questions") if isinstance(data, dict) else None
        qid = questions[index].get("id") if isinstance(questions, list) and index < len(questions) else None
        qid = qid if isinstance(questions, list) and isinstance(qid, str) else None
        head = f"question {qid}" if qid else f"question {index + 1}"
        parts = parts[2:]
        if parts and parts[0] in ("choice", "list-pr", "ranked", "graded"):
            parts = parts[1:]
    rest = "".join(f"[{p + 1}]" if isinstance(p, int) else f".{p}" for p in parts).lstrip(".")
    if head and rest:
        return f" at {head}: {rest}"
    return f" at {head or rest}" if head or rest else ""
