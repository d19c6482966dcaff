"""Converting ACE/KAIROS-style event mentions (M2E2, WikiEvents) into sentence examples.

Both sources annotate every mention of their event types with typed arguments, so a
sentence's event types are reliable negatives for the types they cover and its
argument spans are complete for those events. What they do not annotate stays
masked: the actors of events outside the mapped types (statements, movements), and
any head whose argument lies outside the trigger's sentence or could not be placed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from strife.inference.segment import Span
from strife.training.sources.base import Converted, SentenceBuilder, sentence_of, sentences

#: Entity types that cannot be actors (3.2): places, facilities, vehicles, weapons.
NON_ACTOR_TYPES = frozenset({"LOC", "FAC", "VEH", "WEA", "TIME", "MONEY", "CRM", "ABS", "COM", "BAL", "SID", "TTL",
                             "VAL", "JOB", "LAW", "INF", "MHI", "SEN"})
#: Words that make a death violent when the event itself names no killer or instrument.
_VIOLENT = ("kill", "shot", "shoot", "slain", "murder", "execut", "behead", "bomb", "blast", "attack", "explo",
            "assassinat", "gunm", "strike", "airstrike", "massacre", "lynch")


@dataclass
class Argument:
    """One argument: role, head-word character offsets (``None`` if unplaced), entity type."""

    role: str
    start: int | None
    end: int | None
    entity_type: str | None = None


@dataclass
class Event:
    """One event mention with its trigger's character offsets."""

    type: str
    trigger_start: int
    trigger_end: int
    arguments: list[Argument] = field(default_factory=list)
    trigger: str = ""


@dataclass(frozen=True)
class Scheme:
    """How one source's event types and roles map to the conflict heads.

    ``event_labels`` and ``roles`` match an event type or any of its subtypes
    (``Conflict.Attack`` covers ``Conflict.Attack.DetonateExplode``). ``annotated``
    lists the ``event_types`` labels whose absence is a reliable negative.
    ``actor_events`` are the types whose actor roles are all mapped: a sentence
    supervises ``actors`` only when it has events and all of them are of these types.
    ``refine`` may mask more per sentence: it gets the sentence's events and text and
    returns masked heads, masked event labels and extra positive event labels.
    """

    event_labels: dict[str, str]
    roles: dict[tuple[str, str], tuple[tuple[str, str], ...]]
    annotated: frozenset[str]
    actor_events: frozenset[str]
    refine: Callable[[list[Event], str], tuple[set[str], set[str], set[str]]] | None = None


def matches(event_type: str, key: str) -> bool:
    return event_type == key or event_type.startswith(key + ".")


def _lookup(mapping: dict, event_type: str) -> object:
    for key, value in mapping.items():
        if isinstance(key, tuple):
            continue
        if matches(event_type, key):
            return value
    return None


def role_targets(scheme: Scheme, event: Event, argument: Argument) -> tuple[tuple[str, str], ...]:
    """The ``(head, label)`` pairs an argument feeds; places and objects never feed actors."""
    for (etype, role), targets in scheme.roles.items():
        if matches(event.type, etype) and role == argument.role:
            if argument.entity_type in NON_ACTOR_TYPES:
                return tuple(t for t in targets if t[0] != "actors")
            return targets
    return ()


def violent_death(event: Event, events: list[Event], text: str) -> bool:
    """A death counts as ``KILLED`` only when violence is said (7.12: accidents, disease are out)."""
    if any(a.role in ("Agent", "Killer", "Instrument") for a in event.arguments):
        return True
    if any(matches(e.type, "Conflict.Attack") for e in events):
        return True
    return any(word in text.lower() for word in _VIOLENT)


def convert_events(dataset: str, record_id: str, text: str, events: list[Event], scheme: Scheme,
                   out: Converted) -> None:
    """Add one document's sentences with event mentions or none to ``out``."""
    units = sentences(text)
    by_sentence: dict[int, list[Event]] = {}
    for event in events:
        k = sentence_of(units, event.trigger_start)
        if k is None:
            out.stats["events:trigger_unplaced"] += 1
            continue
        by_sentence.setdefault(k, []).append(event)
    for k, unit in enumerate(units):
        example = _sentence(dataset, record_id, unit, by_sentence.get(k, []), scheme, out)
        if example is not None:
            out.examples.append(example)


def _sentence(dataset: str, record_id: str, unit: Span, events: list[Event], scheme: Scheme, out: Converted):
    builder = SentenceBuilder(dataset, record_id, unit, out)
    masked_heads, masked_labels, positives = scheme.refine(events, unit.text) if scheme.refine else (set(), set(), set())
    labels = {scheme_label for e in events if (scheme_label := _lookup(scheme.event_labels, e.type))}
    for event in events:
        if matches(event.type, "Life.Die") and not violent_death(event, events, unit.text):
            masked_heads.add("casualties")
            out.stats["events:nonviolent_death_masked"] += 1
            continue
        placed = [(a, role_targets(scheme, event, a)) for a in event.arguments]
        ranges = {id(a): builder.words_of(a.start, a.end) for a, _ in placed if a.start is not None}
        for argument, targets in placed:
            if not targets:
                continue
            if argument.start is None or argument.end is None or not builder.contains(argument.start, argument.end):
                out.stats["arguments:unplaced" if argument.start is None else "arguments:outside_sentence"] += 1
                masked_heads.update(head for head, _ in targets)
                continue
            blocked = {w for other, r in ranges.items() if other != id(argument) and r for w in range(*r)}
            for head, label in targets:
                builder.add(head, label, argument.start, argument.end, blocked)
    token_heads = {"casualties"}
    if events and all(any(matches(e.type, t) for t in scheme.actor_events) for e in events):
        token_heads.add("actors")
    builder.masked |= masked_heads
    annotated = {"event_types": (scheme.annotated - masked_labels) | positives}
    return builder.example(token_heads, {"event_types": labels | positives}, annotated)
