"""The demo election: shaped like the 2024 Coordination Council vote (fictitious names).

Eleven party lists of 3 to 8 candidates, one open-list question (a list, or one candidate
of a list, or blank), 80 seats by largest remainder (Hare) with a 3% threshold, and a
yes/no referendum; five trustees, any three of whom can decrypt.
"""

from __future__ import annotations

import random
from typing import Any

__all__ = ["demo_definition", "simulate_choice"]

LISTS = [
    ("Together for Belarus", 8, 24),
    ("Civic Alliance", 7, 19),
    ("Free Trade Unions", 6, 12),
    ("Green Belarus", 5, 9),
    ("Youth Bloc", 5, 8),
    ("Diaspora Forum", 4, 7),
    ("Christian Democrats", 4, 6),
    ("Liberal Club", 3, 5),
    ("Regions Movement", 3, 4),
    ("Independent Lawyers", 3, 3),
    ("Veterans Union", 3, 1),
]
FIRST = [
    "Alesia",
    "Andrei",
    "Volha",
    "Siarhei",
    "Hanna",
    "Paval",
    "Iryna",
    "Dzmitry",
    "Maryia",
    "Ales",
    "Natallia",
    "Ihar",
    "Tatsiana",
    "Mikalai",
    "Sviatlana",
    "Yauhen",
    "Kseniya",
    "Uladzimir",
]
LAST = [
    "Kavaliova",
    "Shved",
    "Lukashevich",
    "Bahdanovich",
    "Karatkevich",
    "Malinouski",
    "Ramanchuk",
    "Zhuk",
    "Kupala",
    "Hurski",
    "Navumchyk",
    "Sakalou",
    "Dubouski",
    "Tsikhanovich",
    "Levaneuski",
]


def demo_definition(identities: list[str], election_id: str = "coordination-council-demo") -> dict[str, Any]:
    """The demo election, with the five trustees' identity keys (hex) in trustee order."""
    rng = random.Random(2024)
    used: set[str] = set()
    lists = []
    for name, size, _ in LISTS:
        candidates: list[str] = []
        while len(candidates) < size:
            person = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            if person not in used:
                used.add(person)
                candidates.append(person)
        lists.append({"name": name, "candidates": candidates})
    return {
        "id": election_id,
        "title": {
            "en": "Coordination Council (demo)",
            "be": "Каардынацыйная Рада (дэма)",
            "ru": "Координационный совет (демо)",
        },
        "languages": ["be", "ru", "en"],
        "trustees": {"count": 5, "threshold": 3, "identities": identities},
        "questions": [
            {
                "id": "council",
                "kind": "list-pr",
                "title": {
                    "en": "Vote for one list, or for one candidate of a list",
                    "be": "Прагаласуйце за адзін спіс або за аднаго кандыдата са спісу",
                    "ru": "Проголосуйте за один список или за одного кандидата из списка",
                },
                "min": 0,
                "max": 1,
                "lists": lists,
                "seats": {"method": "hare", "seats": 80, "threshold": "0.03", "excess": "vacant"},
            },
            {
                "id": "referendum",
                "title": {
                    "en": "Do you approve the Council's charter?",
                    "be": "Ці ўхваляеце вы статут Рады?",
                    "ru": "Одобряете ли вы устав Совета?",
                },
                "options": ["Yes", "No"],
                "min": 0,
                "max": 1,
            },
        ],
    }


def simulate_choice(rng: random.Random, definition: dict[str, Any]) -> dict[str, list[str]]:
    """One simulated voter's choices by label; popularity follows the weights above."""
    council = definition["questions"][0]
    roll = rng.random()
    choice: dict[str, list[str]] = {}
    if roll < 0.04:
        choice["council"] = []  # blank
    else:
        weights = [w for _, _, w in LISTS]
        entry = rng.choices(council["lists"], weights=weights)[0]
        if roll < 0.55:
            choice["council"] = [entry["name"]]
        else:
            cands = entry["candidates"]
            # Preference votes pile up on the first names of a list, and on one favourite further down.
            favourite = rng.choices(
                cands, weights=[1 / (i + 1) + (0.8 if i == len(cands) - 1 else 0) for i in range(len(cands))]
            )[0]
            choice["council"] = [f"{entry['name']} / {favourite}"]
    r = rng.random()
    choice["referendum"] = ["Yes"] if r < 0.62 else (["No"] if r < 0.95 else [])
    return choice
