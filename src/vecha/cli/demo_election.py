"""The demo election: shaped like the 2024 Coordination Council vote (fictitious names).

Eleven party lists as long as the real ones (234 candidates, 8 to 40 a list, as many women
as men on each, and the 2026 rule that every list has at least 40% of each gender), one
open-list question (a list, or one candidate of a list, or blank), 80 seats by largest
remainder (Hare) with a 3% threshold, and a yes/no referendum; five trustees, any three of whom can decrypt.
"""

from __future__ import annotations

import random
from typing import Any

__all__ = ["demo_definition", "simulate_choice"]

#: list name → its name in Belarusian and Russian
LIST_TEXT = {
    "Together for Belarus": ("Разам за Беларусь", "Вместе за Беларусь"),
    "Civic Alliance": ("Грамадзянскі альянс", "Гражданский альянс"),
    "Free Trade Unions": ("Вольныя прафсаюзы", "Свободные профсоюзы"),
    "Green Belarus": ("Зялёная Беларусь", "Зелёная Беларусь"),
    "Youth Bloc": ("Моладзевы блок", "Молодёжный блок"),
    "Diaspora Forum": ("Форум дыяспары", "Форум диаспоры"),
    "Christian Democrats": ("Хрысціянскія дэмакраты", "Христианские демократы"),
    "Liberal Club": ("Ліберальны клуб", "Либеральный клуб"),
    "Regions Movement": ("Рух рэгіёнаў", "Движение регионов"),
    "Independent Lawyers": ("Незалежныя юрысты", "Независимые юристы"),
    "Veterans Union": ("Саюз ветэранаў", "Союз ветеранов"),
}
#: a name in Latin letters → (Belarusian, Russian): names are spelt differently in each
NAME_TEXT = {
    "Alesia": ("Алеся", "Олеся"),
    "Andrei": ("Андрэй", "Андрей"),
    "Volha": ("Вольга", "Ольга"),
    "Siarhei": ("Сяргей", "Сергей"),
    "Hanna": ("Ганна", "Анна"),
    "Paval": ("Павал", "Павел"),
    "Iryna": ("Ірына", "Ирина"),
    "Dzmitry": ("Дзмітрый", "Дмитрий"),
    "Maryia": ("Марыя", "Мария"),
    "Ales": ("Алесь", "Алесь"),
    "Natallia": ("Наталля", "Наталья"),
    "Ihar": ("Ігар", "Игорь"),
    "Tatsiana": ("Таццяна", "Татьяна"),
    "Mikalai": ("Мікалай", "Николай"),
    "Sviatlana": ("Святлана", "Светлана"),
    "Yauhen": ("Яўген", "Евгений"),
    "Kseniya": ("Ксенія", "Ксения"),
    "Uladzimir": ("Уладзімір", "Владимир"),
    "Bahdanovich": ("Багдановіч", "Богданович"),
    "Karatkevich": ("Караткевіч", "Короткевич"),
    "Bykau": ("Быкаў", "Быков"),
    "Barshcheuski": ("Баршчэўскі", "Борщевский"),
    "Lojka": ("Лойка", "Лойко"),
    "Hilevich": ("Гілевіч", "Гилевич"),
    "Arlou": ("Арлоў", "Орлов"),
    "Mryia": ("Мрыя", "Мрия"),
    "Kavaliova": ("Кавалёва", "Ковалёва"),
    "Shved": ("Швед", "Швед"),
    "Lukashevich": ("Лукашэвіч", "Лукашевич"),
    "Malinouski": ("Маліноўскі", "Малиновский"),
    "Ramanchuk": ("Раманчук", "Романчук"),
    "Zhuk": ("Жук", "Жук"),
    "Kupala": ("Купала", "Купала"),
    "Hurski": ("Гурскі", "Гурский"),
    "Navumchyk": ("Навумчык", "Наумчик"),
    "Sakalou": ("Сакалоў", "Соколов"),
    "Dubouski": ("Дуброўскі", "Дубровский"),
    "Tsikhanovich": ("Ціхановіч", "Тиханович"),
    "Levaneuski": ("Леванеўскі", "Леваневский"),
}


def _person_text(person: str) -> dict[str, str]:
    first, last = person.split(" ")
    return {
        "be": f"{NAME_TEXT[first][0]} {NAME_TEXT[last][0]}",
        "ru": f"{NAME_TEXT[first][1]} {NAME_TEXT[last][1]}",
        "en": person,
    }


#: (name, candidates, popularity): 234 candidates in all, as in 2024
LISTS = [
    ("Together for Belarus", 40, 24),
    ("Civic Alliance", 34, 19),
    ("Free Trade Unions", 28, 12),
    ("Green Belarus", 24, 9),
    ("Youth Bloc", 22, 8),
    ("Diaspora Forum", 20, 7),
    ("Christian Democrats", 18, 6),
    ("Liberal Club", 16, 5),
    ("Regions Movement", 12, 4),
    ("Independent Lawyers", 12, 3),
    ("Veterans Union", 8, 1),
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
    "Bahdanovich",
    "Karatkevich",
    "Bykau",
    "Barshcheuski",
    "Lojka",
    "Hilevich",
    "Arlou",
    "Mryia",
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
    # FIRST alternates women's and men's names: each list alternates them too
    women = [f"{f} {last}" for f in FIRST[0::2] for last in LAST]
    men = [f"{f} {last}" for f in FIRST[1::2] for last in LAST]
    rng.shuffle(women)
    rng.shuffle(men)
    lists = []
    for name, size, _ in LISTS:
        candidates, attributes = [], {}
        for k in range(size):
            person, gender = (women.pop(), "f") if k % 2 == 0 else (men.pop(), "m")
            candidates.append(person)
            attributes[person] = {"gender": gender}
        be, ru = LIST_TEXT[name]
        lists.append(
            {
                "name": name,
                "text": {"be": be, "ru": ru, "en": name},
                "candidates": candidates,
                "candidate_text": {person: _person_text(person) for person in candidates},
                "attributes": attributes,
            }
        )
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
                "candidate_rules": [{"attribute": "gender", "values": ["f", "m"], "min_share": "40%"}],
            },
            {
                "id": "referendum",
                "title": {
                    "en": "Do you approve the Council's charter?",
                    "be": "Ці ўхваляеце вы статут Рады?",
                    "ru": "Одобряете ли вы устав Совета?",
                },
                "options": ["Yes", "No"],
                "option_text": {
                    "Yes": {"be": "Так", "ru": "Да", "en": "Yes"},
                    "No": {"be": "Не", "ru": "Нет", "en": "No"},
                },
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
