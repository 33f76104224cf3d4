"""Organisations like one profile, from the array core both engines keep: "Similar organisations".

A profile's own words become terms (names, summary, capabilities and tags weigh twice the rest);
each term's rows come from the engine's kept match sets, weighed by how rare the term is (a word
every profile uses says nothing), and sharing a sector adds as a rare word would. The kind adds
a little to rows already alike. Scoring is a few NumPy passes over row masks the engines keep
per generation: no more-like-this search over the whole index, no query per profile.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping

import numpy as np

from . import arrays, documents, terms

# The profile's terms considered, its strongest first, and of these the rarest kept.
CANDIDATE_TERMS = 32
KEPT_TERMS = 16
# A term more than this share of profiles have (and more than COMMON_COUNT) is left out when
# the engine can tell beforehand: it hardly makes two profiles alike, and its rows cost the
# most to read.
COMMON_SHARE = 0.2
COMMON_COUNT = 100
# What the fields of a profile weigh.
STRONG_WEIGHT = 2.0
WEIGHT = 1.0
# A shared sector counts as a term of the profile's strongest fields as rare as the sector.
SECTOR_WEIGHT = STRONG_WEIGHT
KIND_WEIGHT = 0.5


def profile_terms(doc: dict) -> list[tuple[str, float]]:
    """A document's terms with their weights, the weightiest first (then in text order)."""
    strong = [*documents.own_names(doc), doc["summary"], doc.get("summary_alt") or ""]
    strong += [*doc["capabilities"], *doc["tags"]]
    rest = [doc["description"], doc.get("description_alt") or ""]
    rest += [*doc["needs"], *doc["programmes"], *doc["equipment"]]
    weights: defaultdict[str, float] = defaultdict(float)
    for texts, weight in ((strong, STRONG_WEIGHT), (rest, WEIGHT)):
        for term in terms.text_terms("\n".join(texts)):
            # Numbers say little about likeness; quotes would need escaping in a tsquery.
            if term.isalpha():
                weights[term] += weight
    ordered = sorted(weights.items(), key=lambda item: -item[1])
    return ordered[:CANDIDATE_TERMS]


def rarity(rows: np.ndarray, population: int) -> float:
    """An inverse document frequency: high for a value few rows have."""
    return float(np.log1p(population / max(1, int(np.count_nonzero(rows)))))


def preselected(
    candidates: list[tuple[str, float]], frequencies: Mapping[str, int], population: int
) -> list[tuple[str, float]]:
    """The candidates worth reading rows for: rarest-weightiest first, the common left out."""
    common = max(COMMON_SHARE * population, COMMON_COUNT)
    kept = [
        (term, weight * np.log1p(population / frequencies[term]))
        for term, weight in candidates
        if 1 < frequencies.get(term, 0) <= common
    ]
    kept.sort(key=lambda item: -item[1])
    chosen = {term for term, _ in kept[:KEPT_TERMS]}
    return [(term, weight) for term, weight in candidates if term in chosen]


def scores(
    doc: dict,
    term_rows: Callable[[list[str]], Mapping[str, np.ndarray]],
    facets: Mapping[str, arrays.FacetColumn],
    allowed: np.ndarray,
    frequencies: Callable[[list[str]], Mapping[str, int]] | None = None,
) -> np.ndarray:
    """Every row's likeness to the document (0 for rows not allowed or sharing nothing).

    `term_rows` gives each term's rows (a mask, or row numbers); `frequencies`, when the
    engine knows them cheaply, how many rows have each term, so that only the rare terms'
    rows are read.
    """
    population = max(1, int(np.count_nonzero(allowed)))
    candidates = profile_terms(doc)
    if frequencies is not None:
        candidates = preselected(candidates, frequencies([t for t, _ in candidates]), population)
    found = term_rows([term for term, _ in candidates])
    weighed = []
    for term, weight in candidates:
        rows = found.get(term)
        if rows is None:
            continue
        count = int(np.count_nonzero(allowed[rows]))
        # A term no other visible profile has cannot make one alike.
        if count:
            weighed.append((min(weight, 3 * STRONG_WEIGHT) * np.log1p(population / count), rows))
    weighed.sort(key=lambda item: -item[0])
    total = np.zeros(len(allowed), dtype=np.float32)
    for weight, rows in weighed[:KEPT_TERMS]:
        total[rows] += weight
    # Masks are added as numbers: a multiply-add over every row costs less than indexing by one.
    sectors = facets["sector"]
    for sector in doc["sectors"]:
        rows = sectors.having([sector])
        total += np.float32(SECTOR_WEIGHT * rarity(rows & allowed, population)) * rows
    total *= allowed
    if doc.get("kind"):
        rows = facets["kind"].having([doc["kind"]])
        kind_weight = np.float32(KIND_WEIGHT * rarity(rows & allowed, population))
        total += kind_weight * (rows & (total > 0))
    return total


def nearest(likeness: np.ndarray, limit: int) -> tuple[np.ndarray, np.ndarray]:
    """The rows most alike, most first (ties by row), and their scores; none sharing nothing."""
    rows = np.flatnonzero(likeness > 0)
    return arrays.top_by_score(rows, likeness[rows].astype(np.float64), limit)
