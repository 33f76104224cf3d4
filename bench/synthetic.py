"""Synthetic organisations for benchmarks: realistic English and Russian profiles, any number.

    python -m bench.synthetic 1000 > /tmp/organisations.csv     # the importer's CSV format

`generate(n, seed)` yields records with the CSV's columns (lists as lists); `insert(session,
records)` writes them as published organisations in bulk, bypassing the ORM unit of work, so the
caller commits and then builds the search index itself.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
from collections.abc import Iterable, Iterator
from datetime import timedelta
from functools import cache
from itertools import islice
from pathlib import Path
from types import SimpleNamespace

import cyrtranslit
import sqlalchemy as sa
from slugify import slugify

from cluster import fields
from cluster.models import (
    INSTRUMENTS,
    INVESTOR_TYPES,
    LOOKING_FOR,
    STAGES,
    Organisation,
    Sector,
    organisation_sectors,
    utcnow,
)
from cluster.services import matchmaking

SECTORS_FILE = Path(__file__).resolve().parent.parent / "data" / "sectors.json"
SECTOR_SLUGS = tuple(entry["slug"] for entry in json.loads(SECTORS_FILE.read_text("utf-8")))

COLUMNS = fields.DEMO_COLUMNS
LIST_COLUMNS = tuple(
    name for name in fields.of_kind(fields.Kind.LIST, fields.Kind.CHOICES) if name in COLUMNS
)

RUSSIAN_SHARE = 0.3
PARTNER_SHARE = 0.2
# Roughly the demo directory's mix of kinds.
KIND_WEIGHTS = {"startup": 34, "manufacturer": 22, "education": 16, "company": 28, "investor": 5}
# Most organisations sit in the technopark's home city.
CITIES = (
    ("Ivanovo", 60),
    ("Moscow", 12),
    ("Saint Petersburg", 10),
    ("Kazan", 6),
    ("Yekaterinburg", 5),
    ("Nizhny Novgorod", 4),
    ("Novosibirsk", 3),
)
BUILDINGS = ("A", "A2", "B", "B2", "C", "D")

SECTORS_BY_KIND = {
    "startup": (
        "fashiontech",
        "fashiontech",
        "retail",
        "sustainable-materials",
        "textile",
        "3d-printing",
        "games",
        "apparel-manufacturing",
        "accessories",
        "digital-printing",
    ),
    "manufacturer": (
        "apparel-manufacturing",
        "apparel-manufacturing",
        "textile",
        "textile",
        "digital-printing",
        "3d-printing",
        "accessories",
        "sustainable-materials",
    ),
    "education": (
        "education",
        "education",
        "education",
        "design",
        "animation",
        "games",
        "fashiontech",
        "textile",
        "marketing",
    ),
    "company": (
        "design",
        "animation",
        "film-and-video",
        "marketing",
        "games",
        "retail",
        "digital-printing",
        "design",
        "animation",
    ),
    "investor": (
        "fashiontech",
        "fashiontech",
        "retail",
        "textile",
        "sustainable-materials",
        "games",
        "3d-printing",
        "apparel-manufacturing",
    ),
}

# Each language: name parts, offers, needs and sentences, by kind.
VOCABULARY = {
    "en": {
        "roots": (
            "Loom",
            "Thread",
            "Pixel",
            "Stitch",
            "Needle",
            "Bobbin",
            "Weft",
            "Warp",
            "Fabric",
            "Seam",
            "Hem",
            "Spool",
            "Dye",
            "Cotton",
            "Linen",
            "Wool",
            "Silk",
            "Felt",
            "Knit",
            "Frame",
            "Motion",
            "Vector",
            "Canvas",
            "Swatch",
            "Pattern",
            "Shuttle",
            "Velvet",
            "Denim",
            "Tweed",
            "Indigo",
            "Ember",
            "North",
            "Copper",
            "Maple",
            "Atlas",
            "Nimbus",
        ),
        "endings": (
            "works",
            "lab",
            "craft",
            "line",
            "hub",
            "forge",
            "point",
            "wise",
            "field",
            "yard",
            "house",
            "mill",
            "box",
            "loop",
            "grid",
            "mark",
            "bay",
            "fold",
            "way",
            "shift",
        ),
        "tails": {
            "startup": ("", "", " Labs", " Tech", " AI", " Cloud"),
            "manufacturer": (
                " Textiles",
                " Sewing",
                " Knitwear",
                " Print",
                " Manufacturing",
                " Mill",
                " Leatherworks",
                " Additive",
            ),
            "education": (
                " Academy",
                " School",
                " Institute",
                " College",
                " Courses",
                " Makerspace",
            ),
            "company": (
                " Studio",
                " Agency",
                " Animation",
                " Design",
                " Games",
                " Media",
                " Films",
                " Showroom",
            ),
            "investor": (" Ventures", " Capital", " Angels", " Accelerator", " Fund"),
        },
        "capabilities": {
            "startup": (
                "virtual fitting",
                "3D body scanning",
                "size recommendation",
                "AI pattern grading",
                "digital product passports",
                "print-on-demand platform",
                "textile waste recycling",
                "smart textiles",
                "clothing rental platform",
                "production planning software",
                "fabric sourcing marketplace",
                "garment 3D visualisation",
                "resale platform",
                "motion capture software",
                "mobile game development",
                "AR try-on for accessories",
                "fashion tech analytics",
                "custom-fit footwear",
                "bio-based textile dyeing",
            ),
            "manufacturer": (
                "small-batch sewing",
                "knitwear production",
                "digital textile printing",
                "sublimation printing",
                "laser cutting",
                "embroidery",
                "screen printing",
                "outerwear production",
                "leather goods production",
                "3D printing",
                "weaving",
                "fabric dyeing",
                "sample making",
                "pattern making",
                "seamless knitting",
                "DTF printing",
                "woven labels",
                "denim washing",
                "seam taping",
            ),
            "education": (
                "pattern-cutting courses",
                "3D garment design training",
                "sewing technology courses",
                "animation courses",
                "game design courses",
                "textile design courses",
                "fashion business courses",
                "3D printing workshops",
                "machinist training",
                "fashion illustration courses",
                "merchandising training",
                "textile testing laboratory",
            ),
            "company": (
                "2D animation",
                "3D animation",
                "motion design",
                "brand identity",
                "fashion photography",
                "video production",
                "textile print design",
                "interior textile design",
                "e-commerce fulfilment",
                "marketplace promotion",
                "costume making",
                "product visualisation",
                "game art",
                "visual effects",
                "trend forecasting",
                "showroom sales",
                "fashion design",
                "tech packs",
            ),
            "investor": (
                "seed investment",
                "pre-seed investment",
                "grants for prototypes",
                "mentoring for founders",
                "acceleration programme",
                "introductions to retailers",
            ),
        },
        "needs": (
            "seed investment",
            "manufacturing partner for {n} {garment}",
            "textile supplier",
            "yarn supplier",
            "pilot customers",
            "retail partners",
            "developers",
            "skilled machinists",
            "pattern makers",
            "3D artists",
            "bigger premises",
            "mentoring on sales",
            "export partners",
            "grant funding",
            "digital printing capacity",
            "packaging supplier",
            "logistics partner",
            "interns",
            "fashion brands as clients",
            "knitwear production partner",
        ),
        "garments": (
            "jackets",
            "dresses",
            "hoodies",
            "T-shirts",
            "coats",
            "school uniforms",
            "jumpers",
            "bags",
            "sneakers",
        ),
        "audiences": (
            "small fashion brands",
            "sewing workshops",
            "online shops",
            "knitwear mills",
            "independent designers",
            "retail chains",
            "animation studios",
            "game studios",
            "textile mills",
            "students",
        ),
        "tags": (
            "fashion",
            "fashion tech",
            "textiles",
            "sustainability",
            "local production",
            "e-commerce",
            "knitwear",
            "outerwear",
            "prints",
            "animation",
            "games",
            "3D",
            "circular fashion",
            "kidswear",
            "sportswear",
            "workwear",
            "B2B",
            "SaaS",
        ),
        "summaries": {
            "startup": "{Cap} for {audience}, from a team in {city}.",
            "manufacturer": "{Cap} and {cap1} for {audience}, orders from {min_order}.",
            "education": "{Cap} and {cap1} for beginners and professionals.",
            "company": "{Cap} and {cap1} for {audience}.",
            "investor": "{Cap} and {cap1} for startups working with {audience}.",
        },
        "sentences": {
            "startup": (
                "{name} is building {cap} for {audience}.",
                "The team of {team} has a working {stage} and is looking for {need}.",
                "Founded in {year}, it already works with {audience} in {city}.",
                "Its next step needs {need}.",
            ),
            "manufacturer": (
                "{name} offers {cap} and {cap1} on its own equipment.",
                "Orders start at {min_order}, and a sample takes about a week.",
                "The factory has worked with {audience} since {year}.",
                "It is looking for {need}.",
            ),
            "education": (
                "{name} runs {cap} and {cap1}.",
                "Classes are small and taught by people from the industry.",
                "Graduates work with {audience} across the region.",
                "The school is looking for {need}.",
            ),
            "company": (
                "{name} provides {cap} and {cap1} for {audience}.",
                "A team of {team} has worked on projects since {year}.",
                "Clients in {city} and beyond come back every season.",
                "The company is looking for {need}.",
            ),
            "investor": (
                "{name} offers {cap} and {cap1}.",
                "It has backed teams working with {audience} since {year}.",
                "A team of {team} reads every application within a month.",
            ),
        },
        "stage_words": {
            "idea": "concept",
            "prototype": "prototype",
            "mvp": "MVP",
            "revenue": "product with paying customers",
            "scaling": "product",
        },
        "equipment": (
            "lockstitch machines",
            "overlockers",
            "coverstitch machines",
            "automatic cutter",
            "flat-bed knitting machines",
            "textile inkjet printers",
            "calender heat press",
            "CO2 laser cutter",
            "embroidery machines",
            "SLS printers",
            "steamer",
            "seam sealing machine",
            "looms",
        ),
        "units": ("pcs", "m", "kg"),
        "programmes": (
            ("Pattern cutting", "professional", "evening course", "6 months"),
            ("3D garment design", "professional", "blended", "3 months"),
            ("Industrial sewing", "beginner", "full-time", "10 weeks"),
            ("3D animation", "professional", "full-time", "1 year"),
            ("Game design", "beginner", "weekend course", "4 months"),
            ("Textile technology", "bachelor", "full-time", "4 years"),
            ("Fashion merchandising", "professional", "online", "3 months"),
            ("Laser cutting basics", "beginner", "workshop", "1 day"),
        ),
        "address": "{number} {street} Street",
        "streets": ("Tkatskaya", "Fabrichnaya", "Sittsevaya", "Lenina", "Sadovaya", "Naberezhnaya"),
        "park_address": "Shuttle & Pixel Technopark, 7 Tkatskaya Street",
    },
    "ru": {
        "roots": (
            "Нить",
            "Стежок",
            "Лён",
            "Ситец",
            "Узор",
            "Полотно",
            "Пиксель",
            "Кадр",
            "Игла",
            "Ткань",
            "Шёлк",
            "Бязь",
            "Лекало",
            "Петля",
            "Кромка",
            "Уток",
            "Основа",
            "Сатин",
            "Войлок",
            "Пряжа",
            "Клетка",
            "Рапорт",
            "Мерка",
            "Набойка",
            "Аппликация",
            "Заплатка",
        ),
        "templates": {
            "startup": ("{root} Тех", "{root}.Онлайн", "{root} Лаб", "Цифровой {root}"),
            "manufacturer": (
                "Фабрика «{root}»",
                "Швейный цех «{root}»",
                "Трикотажная фабрика «{root}»",
                "Типография «{root}»",
                "Мануфактура «{root}»",
            ),
            "education": (
                "Школа «{root}»",
                "Колледж «{root}»",
                "Академия «{root}»",
                "Мастерская «{root}»",
            ),
            "company": (
                "Студия «{root}»",
                "Агентство «{root}»",
                "Анимационная студия «{root}»",
                "Дизайн-бюро «{root}»",
                "Шоурум «{root}»",
            ),
            "investor": ("Фонд «{root}»", "Клуб бизнес-ангелов «{root}»", "Акселератор «{root}»"),
        },
        "capabilities": {
            "startup": (
                "виртуальная примерка",
                "3D-сканирование фигуры",
                "подбор размера",
                "автоматическая градация лекал",
                "цифровые паспорта изделий",
                "печать по требованию",
                "переработка текстильных отходов",
                "умный текстиль",
                "прокат одежды",
                "планирование швейного производства",
                "маркетплейс тканей",
                "3D-визуализация одежды",
                "перепродажа одежды",
            ),
            "manufacturer": (
                "пошив одежды",
                "пошив малых партий",
                "трикотажное производство",
                "текстильное производство",
                "цифровая печать на ткани",
                "сублимационная печать",
                "лазерная резка",
                "машинная вышивка",
                "шелкография",
                "пошив верхней одежды",
                "изготовление изделий из кожи",
                "3D-печать",
                "ткачество",
                "крашение тканей",
                "изготовление образцов",
                "разработка лекал",
            ),
            "education": (
                "курсы конструирования одежды",
                "курсы 3D-проектирования одежды",
                "курсы технологии швейного производства",
                "курсы анимации",
                "курсы геймдизайна",
                "курсы дизайна текстиля",
                "курсы фэшн-бизнеса",
                "мастер-классы по 3D-печати",
                "обучение швей",
            ),
            "company": (
                "2D-анимация",
                "3D-анимация",
                "моушн-дизайн",
                "фирменный стиль",
                "фотосъёмка одежды",
                "видеопроизводство",
                "дизайн принтов",
                "дизайн интерьерного текстиля",
                "фулфилмент для интернет-магазинов",
                "продвижение на маркетплейсах",
                "пошив костюмов",
                "предметная визуализация",
                "графика для игр",
                "визуальные эффекты",
                "дизайн одежды",
            ),
            "investor": (
                "посевные инвестиции",
                "гранты на прототипы",
                "наставничество для основателей",
                "акселерационная программа",
            ),
        },
        "needs": (
            "посевные инвестиции",
            "производственный партнёр для партии {n} {garment}",
            "поставщик тканей",
            "поставщик пряжи",
            "первые клиенты",
            "партнёры в рознице",
            "разработчики",
            "швеи",
            "конструкторы одежды",
            "3D-художники",
            "помещение",
            "наставник",
            "гранты",
            "цифровая печать образцов",
            "поставщик упаковки",
            "стажёры",
            "заказы от брендов одежды",
            "партнёр по трикотажному производству",
        ),
        "garments": (
            "курток",
            "платьев",
            "худи",
            "футболок",
            "пальто",
            "школьной формы",
            "свитеров",
            "сумок",
        ),
        # Genitive plural, to follow "для".
        "audiences": (
            "молодых брендов одежды",
            "швейных цехов",
            "интернет-магазинов",
            "трикотажных фабрик",
            "дизайнеров",
            "розничных сетей",
            "анимационных студий",
            "игровых студий",
            "студентов",
        ),
        "tags": (
            "мода",
            "фэшн-тех",
            "текстиль",
            "экология",
            "локальное производство",
            "маркетплейсы",
            "трикотаж",
            "верхняя одежда",
            "принты",
            "анимация",
            "игры",
            "3D",
            "детская одежда",
            "спортивная одежда",
            "спецодежда",
        ),
        "summaries": {
            "startup": "{Cap} для {audience}.",
            "manufacturer": "{Cap} и {cap1}, заказы от {min_order}.",
            "education": "{Cap} и {cap1} для начинающих и профессионалов.",
            "company": "{Cap} и {cap1} для {audience}.",
            "investor": "{Cap} и {cap1} для стартапов.",
        },
        "sentences": {
            "startup": (
                "{name}: {cap} для {audience}.",
                "Команда сделала {stage} и ищет: {need}.",
                "Проект основан в {year} году, размер команды: {team}.",
                "Для следующего шага нужно: {need}.",
            ),
            "manufacturer": (
                "{name}: {cap} и {cap1} на собственном оборудовании.",
                "Минимальный заказ {min_order}, образец готов примерно за неделю.",
                "Производство работает с {year} года.",
                "Ищем: {need}.",
            ),
            "education": (
                "{name} проводит занятия: {cap}, {cap1}.",
                "Занятия ведут практики из индустрии, группы небольшие.",
                "Выпускники работают в регионе и за его пределами.",
                "Школа ищет: {need}.",
            ),
            "company": (
                "{name}: {cap} и {cap1} для {audience}.",
                "Компания работает с {year} года, размер команды: {team}.",
                "Заказчики возвращаются каждый сезон.",
                "Компания ищет: {need}.",
            ),
            "investor": (
                "{name}: {cap} и {cap1}.",
                "Работает с {year} года, размер команды: {team}.",
                "Заявки рассматривает в течение месяца.",
            ),
        },
        "stage_words": {
            "idea": "концепцию",
            "prototype": "прототип",
            "mvp": "MVP",
            "revenue": "продукт с платящими клиентами",
            "scaling": "продукт",
        },
        "equipment": (
            "прямострочные машины",
            "оверлоки",
            "распошивальные машины",
            "раскройный комплекс",
            "плосковязальные машины",
            "текстильные струйные принтеры",
            "термопресс",
            "лазерный станок",
            "вышивальные машины",
            "3D-принтеры",
            "ткацкие станки",
        ),
        "units": ("шт.", "м", "кг"),
        "programmes": (
            ("Конструирование одежды", "профессиональный", "вечерний курс", "6 месяцев"),
            ("3D-проектирование одежды", "начальный", "онлайн", "2 месяца"),
            ("Технология швейного производства", "среднее профессиональное", "очная", "3 года"),
            ("2D-анимация", "начальный", "вечерний курс", "9 месяцев"),
            ("Дизайн текстиля", "профессиональный", "смешанный", "4 месяца"),
        ),
        "address": "ул. {street}, {number}",
        "streets": ("Ткацкая", "Фабричная", "Ситцевая", "Ленина", "Садовая", "Набережная"),
        "park_address": "Технопарк «Шаттл и Пиксель», ул. Ткацкая, 7",
    },
}


def phone_number(rng) -> str:
    return f"+7 900 {rng.randint(0, 999):03d}-{rng.randint(0, 99):02d}-{rng.randint(0, 99):02d}"


def _weighted(pairs):
    values, weights = zip(*pairs, strict=True)
    return values, weights


_KIND_VALUES, _KIND_WEIGHTS = _weighted(KIND_WEIGHTS.items())
_CITY_VALUES, _CITY_WEIGHTS = _weighted(CITIES)


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


# Names repeat thousands of times at 100k; transliterating each once keeps generation fast.
@cache
def _latin(name: str) -> str:
    return cyrtranslit.to_latin(name.replace("«", "").replace("»", ""), "ru")


@cache
def _slug(name: str) -> str:
    return slugify(name, max_length=100)


def _name(rng: random.Random, kind: str, language: str) -> tuple[str, str]:
    """Return (name, name_alt): a Russian name carries its Latin transliteration."""
    words = VOCABULARY[language]
    if language == "ru":
        template = rng.choice(words["templates"][kind])
        name = template.format(root=rng.choice(words["roots"]))
        return name, _latin(name)
    root = rng.choice(words["roots"]) + rng.choice(words["endings"])
    return root + rng.choice(words["tails"][kind]), ""


def _record(
    rng: random.Random, slug: str, name: str, name_alt: str, kind: str, language: str
) -> dict:
    words = VOCABULARY[language]
    residency = "partner" if rng.random() < PARTNER_SHARE else "resident"
    city = "Ivanovo" if residency == "resident" else rng.choices(_CITY_VALUES, _CITY_WEIGHTS)[0]
    capabilities = rng.sample(words["capabilities"][kind], rng.randint(2, 4))
    needs = [
        need.format(n=rng.choice((100, 200, 300, 500, 1000)), garment=rng.choice(words["garments"]))
        for need in rng.sample(words["needs"], rng.randint(1, 3))
    ]
    sectors = list(dict.fromkeys(rng.choices(SECTORS_BY_KIND[kind], k=rng.randint(1, 3))))
    stage = rng.choice(STAGES) if kind == "startup" else ""
    year = rng.randint(2015, 2025) if kind == "startup" else rng.randint(1995, 2024)
    team = rng.randint(2, 30) if kind == "startup" else rng.randint(3, 300)
    min_order = ""
    equipment: list[str] = []
    if kind == "manufacturer":
        min_order = f"{rng.choice((1, 10, 20, 30, 50, 100, 200, 500))} {rng.choice(words['units'])}"
        equipment = rng.sample(words["equipment"], rng.randint(2, 4))
    programmes = []
    if kind == "education":
        programmes = [
            dict(zip(("name", "level", "format", "duration"), entry, strict=False))
            for entry in rng.sample(words["programmes"], rng.randint(1, 3))
        ]
    audience = rng.choice(words["audiences"])
    fill = {
        "name": name,
        "cap": capabilities[0],
        "Cap": _capitalise(capabilities[0]),
        "cap1": capabilities[1],
        "need": needs[0],
        "audience": audience,
        "city": city,
        "team": team,
        "year": year,
        "stage": words["stage_words"].get(stage, ""),
        "min_order": min_order or "1",
    }
    sentences = words["sentences"][kind]
    description = " ".join(
        sentence.format(**fill) for sentence in sentences[: rng.randint(2, len(sentences))]
    )
    domain = slug.replace("-", "")[:40]
    in_park = residency == "resident"
    funding = None
    currency = ""
    if kind == "startup" and rng.random() < 0.8:
        currency = rng.choices(("RUB", "EUR", "USD"), (6, 2, 2))[0]
        funding = rng.randint(5, 400) * (100_000 if currency == "RUB" else 1_000)
    record = {
        "slug": slug,
        "name": name,
        "name_alt": name_alt,
        "kind": kind,
        "residency": residency,
        "status": "published",
        "summary": words["summaries"][kind].format(**fill)[:200],
        "description": description,
        "sectors": sectors,
        "tags": rng.sample(words["tags"], rng.randint(1, 4)),
        "capabilities": capabilities,
        "needs": needs,
        "looking_for": rng.sample(LOOKING_FOR, rng.randint(1, 3)),
        "stage": stage,
        "funding_sought": funding,
        "currency": currency,
        "founded_year": year,
        "team_size": team,
        "city": city,
        "address": words["park_address"]
        if in_park
        else words["address"].format(
            number=rng.randint(1, 120), street=rng.choice(words["streets"])
        ),
        "building": rng.choice(BUILDINGS) if in_park else "",
        "website": f"https://{domain}.example",
        "email": f"hello@{domain}.example",
        "phone": phone_number(rng),
        "equipment": equipment,
        "min_order": min_order,
        "programmes": programmes,
    }
    record.update(_investment(rng) if kind == "investor" else _NO_INVESTMENT)
    return record


_NO_INVESTMENT = {
    "investor_type": None,
    "focus_stages": [],
    "ticket_min": None,
    "ticket_max": None,
    "ticket_currency": "",
    "instruments": [],
}


def _investment(rng: random.Random) -> dict:
    """An investor's type, focus stages, ticket size and instruments."""
    currency = rng.choices(("RUB", "EUR", "USD"), (6, 2, 2))[0]
    unit = 100_000 if currency == "RUB" else 1_000
    low = rng.randint(1, 100) * unit
    return {
        "investor_type": rng.choice(INVESTOR_TYPES),
        "focus_stages": sorted(rng.sample(STAGES, rng.randint(0, 3)), key=STAGES.index),
        "ticket_min": low,
        "ticket_max": low * rng.choice((2, 5, 10)),
        "ticket_currency": currency,
        "instruments": rng.sample(INSTRUMENTS, rng.randint(1, 2)),
    }


def generate(n: int, seed: int = 0) -> Iterator[dict]:
    """Yield n organisation records with unique slugs; the same seed gives the same records."""
    rng = random.Random(seed)
    seen: dict[str, int] = {}
    for _ in range(n):
        kind = rng.choices(_KIND_VALUES, _KIND_WEIGHTS)[0]
        language = "ru" if rng.random() < RUSSIAN_SHARE else "en"
        name, name_alt = _name(rng, kind, language)
        base = _slug(name) or kind
        # Names repeat at this scale, as in any large directory; slugs never do.
        count = seen.get(base, 0) + 1
        seen[base] = count
        slug = base if count == 1 else f"{base}-{count}"
        yield _record(rng, slug, name, name_alt, kind, language)


def _row(record: dict, created_at) -> dict:
    """A row of the organisations table: the record's values, else the spec's empty ones."""
    row = {}
    for field in fields.FIELDS:
        if field.name == "sectors":
            continue  # a link table
        value = record.get(field.name)
        row[field.name] = list(value) if isinstance(value, list) else value
        if fields.is_empty(value):
            row[field.name] = field.empty
    # What every save reads from the text (services/matchmaking.py): offers, needs, quantities.
    derived = SimpleNamespace(
        **row,
        capability_edits={},
        min_order_quantity=None,
        min_order_unit="",
        capacity_quantity=None,
        capacity_unit="",
    )
    matchmaking.refresh(derived, {})
    row.update(
        offers=derived.offers,
        needs_capabilities=derived.needs_capabilities,
        capability_edits={},
        min_order_quantity=derived.min_order_quantity,
        min_order_unit=derived.min_order_unit,
        capacity_quantity=derived.capacity_quantity,
        capacity_unit=derived.capacity_unit,
    )
    row.update(
        status="published",
        residency=row["residency"] or "resident",
        logo="",
        created_at=created_at,
        updated_at=created_at,
        published_at=created_at,
        verified_at=None,
        verified_by_id=None,
        version=1,
    )
    return row


def insert(session, records: Iterable[dict], batch_size: int = 2000) -> int:
    """Insert the records as published organisations with their sectors; return how many.

    Uses executemany on the tables, not ORM objects, so the session's index hooks never see
    these rows: commit, then rebuild the search index.
    """
    table = Organisation.__table__
    sector_ids = dict(session.execute(sa.select(Sector.slug, Sector.id)).all())
    if not sector_ids:
        raise RuntimeError("The sector taxonomy is empty: load data/sectors.json first.")
    # Plain executemany, then ids looked up by slug: RETURNING would make SQLAlchemy send one
    # huge multi-row statement, which psycopg re-parses for every batch.
    lookup = sa.select(table.c.slug, table.c.id).where(
        table.c.slug.in_(sa.bindparam("slugs", expanding=True))
    )
    now = utcnow()
    total = 0
    # Slugs already in the table (the demo directory, say) are not taken again: a record that
    # would repeat one gets the next free "-2", "-3", ... as the app gives a repeated name.
    taken = set(session.scalars(sa.select(table.c.slug)))
    records = (_untaken(record, taken) for record in records)
    while batch := list(islice(records, batch_size)):
        # Spread creation times so "newest first" has an order to show.
        rows = [_row(record, now - timedelta(minutes=total + i)) for i, record in enumerate(batch)]
        session.execute(sa.insert(table), rows)
        ids = dict(session.execute(lookup, {"slugs": [row["slug"] for row in rows]}).all())
        links = []
        for record in batch:
            organisation_id = ids[record["slug"]]
            for slug in dict.fromkeys(record.get("sectors") or ()):
                if slug not in sector_ids:
                    raise ValueError(f"Unknown sector {slug!r} in {record['slug']!r}.")
                links.append({"organisation_id": organisation_id, "sector_id": sector_ids[slug]})
        if links:
            session.execute(sa.insert(organisation_sectors), links)
        total += len(batch)
    if session.get_bind().dialect.name == "postgresql":
        # As `flask import` does after a large import (batch_import.ANALYZE_FROM).
        session.execute(sa.text("ANALYZE organisations"))
        session.execute(sa.text("ANALYZE organisation_sectors"))
    return total


def prepare_database() -> None:
    """Migrate the app's empty database and load the sector taxonomy: in an app context."""
    from flask_migrate import upgrade

    from cluster.extensions import db
    from cluster.services import taxonomy

    upgrade()
    taxonomy.load_sectors()
    db.session.commit()


def fill(size: int, seed: int = 0) -> None:
    """Insert `size` generated organisations, commit, and build the search index over them: in
    an app context, on a migrated database with the sector taxonomy loaded."""
    from cluster.extensions import db
    from cluster.search import maintenance

    insert(db.session, generate(size, seed))
    db.session.commit()
    maintenance.reindex()


def _untaken(record: dict, taken: set[str]) -> dict:
    slug, count = record["slug"], 1
    while slug in taken:
        count += 1
        slug = f"{record['slug']}-{count}"
    taken.add(slug)
    return record if slug == record["slug"] else {**record, "slug": slug}


def to_csv_row(record: dict) -> dict:
    """Flatten a record into the importer's CSV cells: lists joined by ';'."""
    row = {}
    for column in COLUMNS:
        value = record.get(column)
        if column == "programmes":
            value = ";".join(
                " | ".join(entry[key] for key in ("name", "level", "format", "duration"))
                for entry in value or ()
            )
        elif column in LIST_COLUMNS:
            value = ";".join(value or ())
        row[column] = "" if value is None else str(value)
    return row


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Write N synthetic organisations as CSV.")
    parser.add_argument("n", type=int, help="how many organisations")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    writer = csv.DictWriter(sys.stdout, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for record in generate(args.n, args.seed):
        writer.writerow(to_csv_row(record))


if __name__ == "__main__":
    main()
