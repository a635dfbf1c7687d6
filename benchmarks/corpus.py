"""A deterministic synthetic paradetimeline project, in the content format of the README.

`generate(root, events=10_000, seed=1)` writes:

    content/site.yaml                 two anniversaries' commemorations, compare rows
    content/anniversaries.yaml        victory-day-1945, china-victory-day-1945
    content/people.yaml               500 people
    content/places.yaml               200 places
    content/sources/<seed-id>.yaml    publisher, notes, sometimes url and boilerplate
    content/events/<year>/<id>.yaml   the events, ~120-word Markdown bodies
    seeds/<seed-id>.txt               synthetic articles, one sentence per quote and more

Every quote is a sentence copied from a seed, so quote verification passes. The same
arguments always give byte-identical files (everything comes from one random.Random).
"""

from __future__ import annotations

import json
import random
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

PEOPLE = 500
PLACES = 200
EVENTS_PER_SOURCE = 8

TAGS = [
    "parade", "troops", "visit", "announcement", "absence", "rehearsal", "speech", "wreath",
    "veterans", "diplomacy", "summit", "statement", "security", "flypast", "navy", "army",
    "air-force", "memorial", "museum", "documentary", "exhibition", "ceasefire", "sanctions",
    "boycott", "invitation", "trade", "energy", "media", "protest", "ceremony", "banquet",
    "concert", "fireworks", "medal", "anniversary", "history", "education", "youth",
    "cooperation", "agreement",
]
COMPARE = [("parade", "Parades"), ("troops", "Troops"), ("visit", "Leaders' visits"),
           ("announcement", "Announcements"), ("absence", "Who stayed away")]
STATUSES = [("happened", 70), ("reported", 10), ("announced", 8), ("planned", 7),
            ("expected", 5)]

FIRST_NAMES = [
    "Alexei", "Anna", "Boris", "Chen", "Dmitri", "Elena", "Fang", "Gao", "Hana", "Igor",
    "Jing", "Kirill", "Li", "Marina", "Nikolai", "Olga", "Pavel", "Qing", "Ruslan", "Sergei",
    "Tatiana", "Viktor", "Wei", "Xiu", "Yuri", "Zhang", "Aleksandr", "Bao", "Daria", "Feng",
    "Galina", "Hui", "Ivan", "Katya", "Lei", "Mikhail", "Nadia", "Oleg", "Ping", "Roman",
]
LAST_NAMES = [
    "Ivanov", "Petrova", "Wang", "Liu", "Smirnov", "Kuznetsova", "Zhao", "Huang", "Popov",
    "Sokolova", "Zhou", "Wu", "Lebedev", "Kozlova", "Xu", "Sun", "Novikov", "Morozova", "Ma",
    "Zhu", "Volkov", "Solovyova", "Hu", "Guo", "Vasiliev", "Zaitseva", "He", "Lin", "Pavlov",
    "Semenova", "Luo", "Gao", "Golubev", "Vinogradova", "Zheng", "Liang", "Bogdanov",
    "Vorobyova", "Xie", "Song",
]
COUNTRIES = [("Russia", "ru"), ("China", "zh"), ("Belarus", "be"), ("Kazakhstan", "kk"),
             ("Serbia", "sr"), ("Mongolia", "mn"), ("Vietnam", "vi"), ("India", "hi")]
ROLES = ["Defense Minister", "Foreign Minister", "spokesman", "ambassador", "general",
         "deputy chairman of the military commission", "mayor", "veterans' leader",
         "parade commander", "historian", "President", "Prime Minister"]
PLACE_KINDS = ["square", "city", "country", "building", "venue", "region"]
PLACE_WORDS = ["Victory", "Red", "Central", "Heroes", "Peace", "Eternal Flame", "Unity",
               "Memorial", "Liberty", "Sunrise", "River", "Northern", "Southern", "Old Town",
               "Garrison", "Harbour", "Academy", "Palace", "Cathedral", "Stadium"]
PLACE_SUFFIX = {"square": "Square", "city": "", "country": "", "building": "Hall",
                "venue": "Arena", "region": "Region"}
CITIES = ["Moscow", "Beijing", "Minsk", "Astana", "Belgrade", "Ulaanbaatar", "Hanoi",
          "New Delhi", "Volgograd", "Shanghai", "Harbin", "Vladivostok", "Brest", "Xi'an"]
PUBLISHERS = ["The Moscow Courier", "Beijing Evening Post", "The Minsk Ledger",
              "Eurasia Wire", "The Daily Meridian", "Northern Star Press", "Global Dispatch",
              "The Harbour Times", "Steppe News Agency", "The Evening Chronicle",
              "Pacific Review", "The Observer East", "Continental Report", "Capital Gazette",
              "The Weekly Standard Bearer"]
BOILERPLATE = "Support independent journalism today. Every contribution helps us report. Read more"
BOILERPLATE_PATTERN = r"Support independent journalism today\..*?Read more"
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
NOUNS = ["friendship", "remembrance", "strength", "unity", "sacrifice", "peace", "courage",
         "partnership", "history", "solidarity"]
UNITS = ["honor guard", "infantry regiment", "tank column", "naval detachment",
         "air squadron", "cadet company", "artillery battery", "military band"]

# Seed sentences: quotes are copied from these. No abbreviations, so sentence splitting
# is unambiguous; every sentence ends with a full stop. No date phrases either (weekdays,
# months, years, "N years since"): the coverage check would warn about every uncited one,
# and a curated project builds without warnings.
SEED_SENTENCES = [
    "{person} attended the parade in {city}, marking the anniversary of the end of the war.",
    "About {n} troops from {country} marched across {place} as part of the commemorations.",
    "The ministry said the {unit} would rehearse in {city} for {days} days before the ceremony.",
    "{person}, the {role}, told reporters that the parade was \u201ca symbol of {noun}\u201d between the two countries.",
    "Officials in {city} said {n} veterans had been invited to watch the parade from the stands.",
    "{person} laid a wreath at {place} and met veterans of the war.",
    "A {unit} of {n} soldiers from {country} joined the parade for the first time.",
    "Several Western leaders said they would not attend the ceremony in {city}.",
    "The organisers said {n} aircraft would fly over {place} if the weather allowed.",
    "{person} and the {role} signed {n} agreements on trade, energy and {noun}.",
    "Diplomats said the invitation to {person} was meant to show {noun} at a difficult time.",
    "The rehearsal closed the centre of {city} to traffic for {days} days, the police said.",
    "Television in {country} showed the {unit} crossing {place} at dawn.",
    "{person} said in a speech that the memory of the war must never fade.",
    "The {role} announced that {country} would send a {unit} to {city}.",
    "Historians at {place} opened an exhibition of {n} wartime photographs.",
]
BODY_SENTENCES = [
    "**{person}** arrived in {city} on the eve of the ceremony.",
    "The {unit} marched past the tribune at {place}, watched by *{n} guests*.",
    "Officials described the event as a sign of {noun} between the two countries.",
    "Coverage in {country} focused on the veterans, many of them over ninety.",
    "The organisers published a [programme](https://example.org/programme/{n}) a week earlier.",
    "Security was tight around {place}, and several streets were closed.",
    "{person}, the {role}, spoke briefly about {noun} and sacrifice.",
    "Rehearsals had taken place at night for {days} days before the parade.",
    "Foreign guests included delegations from {country} and other countries.",
    "The event ended with a flypast and a salute of {n} guns.",
    "Commentators noted the absence of several Western leaders.",
    "A *moment of silence* was held for the victims of the war.",
]


def quote_yaml(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@dataclass
class Person:
    id: str
    name: str
    country: str
    role: str


@dataclass
class Place:
    id: str
    name: str
    kind: str
    city: str
    country: str


@dataclass
class Seed:
    id: str
    paragraphs: list[list[str]] = field(default_factory=list)  # sentences per paragraph

    def sentences(self) -> list[str]:
        return [s for p in self.paragraphs for s in p]


class Generator:
    """Holds the random source and the pools that events draw from."""

    def __init__(self, events: int, seed: int = 1):
        self.rng = random.Random(seed)
        self.events = events
        self.people = self._people()
        self.places = self._places()
        self.seeds: list[Seed] = []
        self.records: list[dict] = []

    # -- pools ------------------------------------------------------------------------------

    def _people(self) -> list[Person]:
        names = [f"{f} {l}" for f in FIRST_NAMES for l in LAST_NAMES]
        people = []
        for name in self.rng.sample(names, PEOPLE):
            country = self.rng.choice(COUNTRIES)[0]
            people.append(Person(slugify(name), name, country, self.rng.choice(ROLES)))
        return people

    def _places(self) -> list[Place]:
        places, seen = [], set()
        while len(places) < PLACES:
            kind = self.rng.choice(PLACE_KINDS)
            city = self.rng.choice(CITIES)
            name = " ".join(w for w in (self.rng.choice(PLACE_WORDS), PLACE_SUFFIX[kind]) if w)
            name = f"{name}, {city}" if kind != "city" else f"{name} {city}"
            if slugify(name) in seen:
                continue
            seen.add(slugify(name))
            country = self.rng.choice(COUNTRIES)[0]
            places.append(Place(slugify(name), name, kind, city, country))
        return places

    def fill(self, template: str) -> str:
        rng = self.rng
        return template.format(
            person=rng.choice(self.people).name, place=rng.choice(self.places).name,
            city=rng.choice(CITIES), country=rng.choice(COUNTRIES)[0], role=rng.choice(ROLES),
            n=rng.randint(2, 999), days=rng.randint(2, 30), noun=rng.choice(NOUNS),
            unit=rng.choice(UNITS),
        )

    # -- files ------------------------------------------------------------------------------

    def write(self, root: Path, templates: Path) -> None:
        content = root / "content"
        for folder in (content / "events", content / "sources", root / "seeds"):
            folder.mkdir(parents=True, exist_ok=True)
        shutil.copytree(templates, root / "templates", dirs_exist_ok=True)
        seeds = self.seeds = self.write_seeds(root)
        (content / "site.yaml").write_text(self.site_yaml(), encoding="utf-8")
        (content / "anniversaries.yaml").write_text(self.anniversaries_yaml(seeds[0]),
                                                    encoding="utf-8")
        (content / "people.yaml").write_text(self.people_yaml(), encoding="utf-8")
        (content / "places.yaml").write_text(self.places_yaml(), encoding="utf-8")
        self.records = [self.event_data(n, seeds) for n in range(self.events)]
        for data in self.records:
            path = content / "events" / str(data["year"]) / f"{data['id']}.yaml"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(event_yaml(data), encoding="utf-8")

    def site_yaml(self) -> str:
        lines = [
            'title: "Synthetic parades benchmark"',
            "description: A generated timeline for measuring build times.",
            "language: en",
            "base_url: https://example.org/bench/",
            'license: "Synthetic data, CC0."',
            "full_text: false",
            "commemorations:",
        ]
        for year, anniversary in ((2015, "victory-day-1945"), (2020, "china-victory-day-1945"),
                                  (2025, "victory-day-1945")):
            lines += [f"  - year: {year}", f"    anniversary: {anniversary}"]
        lines.append("compare:")
        for tag, label in COMPARE:
            lines += [f"  - tag: {tag}", f"    label: {quote_yaml(label)}"]
        return "\n".join(lines) + "\n"

    def anniversaries_yaml(self, seed: Seed) -> str:
        quotes = seed.sentences()[:2]
        return (
            "victory-day-1945:\n"
            "  title: Victory Day, the end of the war in Europe\n"
            "  date: 1945-05-09\n"
            "  description: The 1945 defeat of Nazi Germany.\n"
            "  sources:\n"
            f"    - source: {seed.id}\n"
            f"      quote: {quote_yaml(quotes[0])}\n"
            "china-victory-day-1945:\n"
            "  title: China's victory day\n"
            "  date: 1945-09-03\n"
            "  description: The end of the war in Asia, marked in China on 3 September.\n"
            "  sources:\n"
            f"    - source: {seed.id}\n"
            f"      quote: {quote_yaml(quotes[1])}\n"
        )

    def people_yaml(self) -> str:
        out = []
        for n, p in enumerate(self.people):
            out += [f"{p.id}:", f"  name: {quote_yaml(p.name)}"]
            if n % 3 == 0:
                lang = dict(COUNTRIES)[p.country]
                out.append(f"  native_names: {{{lang}: {quote_yaml(p.name.upper())}}}")
            out += [f"  country: {p.country}", "  roles:", f"    - title: {quote_yaml(p.role)}"]
            if n % 2 == 0:
                start = self.rng.randint(2000, 2020)
                out += [f"      from: {start}", f"      to: {start + self.rng.randint(1, 8)}"]
            out.append(f"  description: {quote_yaml(self.fill(self.rng.choice(BODY_SENTENCES)))}")
            out.append("  note: The country is the curator's.")
        return "\n".join(out) + "\n"

    def places_yaml(self) -> str:
        out = []
        for p in self.places:
            out += [f"{p.id}:", f"  name: {quote_yaml(p.name)}", f"  kind: {p.kind}",
                    f"  city: {quote_yaml(p.city)}", f"  country: {p.country}",
                    f"  lat: {self.rng.uniform(20, 60):.4f}",
                    f"  lon: {self.rng.uniform(20, 130):.4f}",
                    "  note: The city, country and coordinates are the curator's."]
        return "\n".join(out) + "\n"

    def write_seeds(self, root: Path) -> list[Seed]:
        """Synthetic articles in the shapes the parser knows, plus their metadata files."""
        seeds = []
        count = max(10, self.events // EVENTS_PER_SOURCE)
        for n in range(count):
            seed = Seed(f"{n:04d}_{self.rng.getrandbits(64):016x}")
            for _ in range(self.rng.randint(10, 18)):
                seed.paragraphs.append([self.fill(self.rng.choice(SEED_SENTENCES))
                                        for _ in range(self.rng.randint(2, 4))])
            year = self.rng.choice([2015, 2015, 2025, 2025, 2010, 2020])
            month, day = self.rng.randint(1, 12), self.rng.randint(1, 28)
            publisher = self.rng.choice(PUBLISHERS)
            headline = self.fill(self.rng.choice(BODY_SENTENCES)).rstrip(".")
            headline = re.sub(r"[*\[\]]|\(https?://[^)]*\)", "", headline)
            url = f"https://example.org/news/{year}/{month:02d}/{slugify(headline)[:60]}"
            body = "\n\n".join(" ".join(p) for p in seed.paragraphs)
            meta = [f"publisher: {quote_yaml(publisher)}"]
            if n % 2 == 0:  # Moscow Times shape: headline, byline, date line, URL footer
                text = (f"# {headline}\n\nBy [{publisher}](#)\n\n{MONTHS[month - 1]} {day}, "
                        f"{year}\n\nSoldiers march past the tribune (Photo : Reuters)\n\n"
                        f"{body}\n\nOriginal url:\n<{url}>\n")
                meta.append("notes:\n  publisher: Named in the byline.")
            else:  # Independent shape: date prefix, donation banner, no headline or URL
                text = f"date {year}-{month:02d}-{day:02d} {BOILERPLATE}\n\n{body}\n"
                meta += [f"headline: {quote_yaml(headline)}", f"url: {url}",
                         "boilerplate:", f"  - {quote_yaml(BOILERPLATE_PATTERN)}",
                         "notes:", "  headline: Taken from the original page.",
                         "  publisher: Named in the donation banner."]
            (root / "seeds" / f"{seed.id}.txt").write_text(text, encoding="utf-8")
            (root / "content" / "sources" / f"{seed.id}.yaml").write_text(
                "\n".join(meta) + "\n", encoding="utf-8")
            seeds.append(seed)
        return seeds

    # -- events -----------------------------------------------------------------------------

    def date(self) -> tuple[str, int, int, int]:
        """An EDTF date string of mixed precision, and (year, month, day) for Hugo."""
        rng = self.rng
        year = rng.choice([2015] * 5 + [2025] * 5 + list(range(2005, 2027)))
        month = rng.choice([5, 5, 5, 9, 9] + list(range(1, 13)))
        day = rng.randint(1, 28)
        kind = rng.random()
        if kind < 0.80:
            return f"{year}-{month:02d}-{day:02d}", year, month, day
        if kind < 0.88:
            return f"{year}-{month:02d}", year, month, 1
        if kind < 0.91:
            return f"{year}", year, 1, 1
        if kind < 0.95:
            end = min(28, day + rng.randint(1, 5))
            return f"{year}-{month:02d}-{day:02d}/{year}-{month:02d}-{end:02d}", year, month, day
        if kind < 0.97:
            return rng.choice([f"{year}-{month:02d}~", f"{year}?"]), year, month, 1
        if kind < 0.99:
            return f"../{year}-{month:02d}-{day:02d}", year, month, day
        return f"{year}-{month:02d}-{day:02d}/..", year, month, day

    def body(self) -> str:
        """About 120 words of Markdown: two or three paragraphs, sometimes a list."""
        sentences, words = [], 0
        while words < 120:
            sentence = self.fill(self.rng.choice(BODY_SENTENCES))
            sentences.append(sentence)
            words += len(sentence.split())
        cut = len(sentences) // 2
        parts = [" ".join(sentences[:cut]), " ".join(sentences[cut:])]
        if self.rng.random() < 0.3:
            parts.insert(1, "\n".join(f"- {self.fill('{person}, {role}')}" for _ in range(3)))
        return "\n\n".join(parts)

    def event_data(self, n: int, seeds: list[Seed]) -> dict:
        """One event's fields; `event_yaml` writes them in our format, hugo.py in Hugo's."""
        rng = self.rng
        edtf, year, month, day = self.date()
        people = rng.sample(self.people, rng.randint(1, 4))
        places = rng.sample(self.places, rng.randint(1, 2))
        tags = rng.sample(TAGS[:10], 1) + rng.sample(TAGS, rng.randint(0, 2))
        tags = list(dict.fromkeys(tags))
        title = (f"{people[0].name} at {places[0].name}: "
                 f"{rng.choice(['parade', 'visit', 'ceremony', 'statement', 'rehearsal'])} "
                 f"{n}")
        citations = []
        source = rng.choice(seeds)
        for _ in range(rng.choice([1, 1, 2, 2, 3])):
            if rng.random() < 0.2:
                source = rng.choice(seeds)
            quote = rng.choice(source.sentences())
            quote = quote.replace("\u201c", '"').replace("\u201d", '"')  # a normalized match
            citations.append((source.id, quote))
        commemorates = None
        if year in (2015, 2020, 2025) and rng.random() < 0.4 and not edtf.startswith(".."):
            commemorates = rng.choice(["victory-day-1945", "china-victory-day-1945"])
        return {
            "id": f"{year}-{slugify(title)[:48].strip('-')}-{n:05d}",
            "year": year, "month": month, "day": day, "edtf": edtf, "title": title,
            "status": rng.choices([s for s, _ in STATUSES], [w for _, w in STATUSES])[0],
            "commemorates": commemorates,
            "people": [p.id for p in people], "places": [p.id for p in places], "tags": tags,
            "summary": self.fill(rng.choice(BODY_SENTENCES)).replace("*", ""),
            "body": self.body(), "sources": citations, "draft": rng.random() < 0.01,
        }


def event_yaml(data: dict) -> str:
    lines = [f"title: {quote_yaml(data['title'])}", f"date: {data['edtf']}",
             # the synthetic quotes hold no date phrase: a curated event says how it is dated
             "date_note: How the curator dated it, as a real timeline would say.",
             f"status: {data['status']}"]
    if data["commemorates"]:
        lines.append(f"commemorates: {data['commemorates']}")
    for key in ("places", "people", "tags"):
        lines.append(f"{key}: [{', '.join(data[key])}]")
    lines.append(f"summary: {quote_yaml(data['summary'])}")
    lines.append("body: |")
    lines += [f"  {line}" if line else "" for line in data["body"].split("\n")]
    lines.append("sources:")
    for source, quote in data["sources"]:
        lines += [f"  - source: {source}", f"    quote: {quote_yaml(quote)}"]
    if data["draft"]:
        lines.append("draft: true")
    return "\n".join(lines) + "\n"


def generate(root: Path, templates: Path, events: int, seed: int = 1) -> Generator:
    """Write a synthetic project with `events` events into `root`."""
    generator = Generator(events, seed)
    generator.write(root, templates)
    return generator
