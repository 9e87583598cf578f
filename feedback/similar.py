"""Open suggestions like the one being assessed, from the same station or area: the duplicates
and the ones to merge are usually among them."""

from django.contrib.postgres.search import TrigramSimilarity
from django.db import connection
from django.db.models import Q

from feedback.models import Suggestion

SHOWN = 5
# Trigram similarity of two Chinese sentences about the same lamp post is around 0.15: riders
# share a few words, not whole phrases.
TRIGRAM_THRESHOLD = 0.1
# Without trigrams: how many of the newest neighbours are compared, and how alike they must be.
CANDIDATES = 200
BIGRAM_THRESHOLD = 0.2


def similar_open(suggestion: Suggestion, user) -> list[Suggestion]:
    """Up to SHOWN open suggestions in the user's scope most like `suggestion`, each with its
    `similarity` from 0 to 1."""
    nearby = Q(area=suggestion.area_id)
    if suggestion.station_id:
        nearby |= Q(station=suggestion.station_id)
    candidates = (
        Suggestion.objects.in_scope(user)
        .open()
        .filter(nearby)
        .exclude(pk=suggestion.pk)
        .select_related("area", "station")
    )
    if connection.vendor == "postgresql":
        return list(
            candidates.annotate(similarity=TrigramSimilarity("text", suggestion.text))
            .filter(similarity__gt=TRIGRAM_THRESHOLD)
            .order_by("-similarity", "-id")[:SHOWN]
        )
    return _by_shared_bigrams(suggestion.text, candidates.order_by("-submitted_at")[:CANDIDATES])


def _bigrams(text: str) -> set[str]:
    """Pairs of neighbouring letters: in Chinese, close to the words two texts share."""
    letters = [character for character in text.lower() if character.isalnum()]
    return {a + b for a, b in zip(letters, letters[1:], strict=False)}


def _by_shared_bigrams(text: str, candidates) -> list[Suggestion]:
    mine = _bigrams(text)
    alike = []
    for candidate in candidates:
        theirs = _bigrams(candidate.text)
        if mine and theirs:
            candidate.similarity = 2 * len(mine & theirs) / (len(mine) + len(theirs))
            if candidate.similarity > BIGRAM_THRESHOLD:
                alike.append(candidate)
    alike.sort(key=lambda candidate: (-candidate.similarity, -candidate.pk))
    return alike[:SHOWN]
