"""M2E2 (Li et al., ACL 2020): VOA news sentences with ACE-style events.

``text_only_event.json`` holds one item per sentence with word lists, event mentions
of eight ACE types and their arguments as word ranges (mostly head words). M2E2 has
no splits: the held-out test documents are those of
:func:`strife.training.documents.m2e2_split`; dev is carved from the rest, also by
document hash, so no document is in two splits.

Supervised per sentence: ``event_types`` attack, arrest, protest, talks (every
mention of Conflict:Attack, Justice:Arrest-Jail, Conflict:Demonstrate and
Contact:Meet is annotated); ``aid`` positive for a Transaction:Transfer-Money that gives
help, masked for other money transfers (ACE transfers include bribes and purchases) and
negative in sentences without one — aid in kind has no M2E2 type, so a few of those
negatives are wrong, but without them the head only ever saw aid positives and said
aid almost everywhere; ``abduction`` never (no ACE type). ``casualties`` everywhere
except sentences that mention injuries (M2E2 has no Life:Injure) or non-violent
deaths; ``actors`` only in sentences whose events all have mapped roles.
"""

from __future__ import annotations

import re
from pathlib import Path

from strife.training.documents import m2e2_document_id, m2e2_items, m2e2_split
from strife.training.hashing import hash_bucket
from strife.training.sources.base import Converted, check_split
from strife.training.sources.events import Argument, Event, Scheme, convert_events, matches

NAME = "m2e2"
CITATION = "Li et al., Cross-media Structured Common Space for Multimedia Event Extraction, ACL 2020"
HEADS = ("actors", "casualties", "event_types")
#: Transfer-Money triggers that give help rather than pay, bribe or buy.
AID_TRIGGERS = frozenset(
    "aid assistance gave give given gives provided provide provides fund funds funding funded grant grants "
    "granted donated donation donations lent loan loans contributes contributed allocates allocated".split()
)
_INJURY = re.compile(r"\b(injur|wound|hurt|hospitali)", re.IGNORECASE)


def _refine(events: list[Event], text: str) -> tuple[set[str], set[str], set[str]]:
    masked_heads: set[str] = set()
    masked_labels: set[str] = set()
    positives: set[str] = set()
    if _INJURY.search(text):
        masked_heads.add("casualties")  # no Life:Injure in M2E2: the injured would be silent negatives
    for event in events:
        if matches(event.type, "Contact.Phone-Write"):
            masked_labels.add("talks")  # calls count as talks (section 5), letters do not
        if matches(event.type, "Transaction.Transfer-Money"):
            if event.trigger.lower() in AID_TRIGGERS:
                positives.add("aid")
            else:
                masked_labels.add("aid")
    return masked_heads, masked_labels, positives


SCHEME = Scheme(
    event_labels={"Conflict.Attack": "attack", "Justice.Arrest-Jail": "arrest", "Conflict.Demonstrate": "protest",
                  "Contact.Meet": "talks"},
    roles={
        ("Conflict.Attack", "Attacker"): (("actors", "SOURCE"),),
        ("Conflict.Attack", "Target"): (("actors", "TARGET"),),
        ("Life.Die", "Agent"): (("actors", "SOURCE"),),
        ("Life.Die", "Victim"): (("actors", "TARGET"), ("casualties", "KILLED")),
        ("Justice.Arrest-Jail", "Agent"): (("actors", "SOURCE"),),
        ("Justice.Arrest-Jail", "Person"): (("actors", "TARGET"), ("casualties", "CAPTURED")),
        ("Contact.Meet", "Entity"): (("actors", "RECIPROCAL"),),
        ("Conflict.Demonstrate", "Entity"): (("actors", "SOURCE"),),
        ("Transaction.Transfer-Money", "Giver"): (("actors", "SOURCE"),),
        ("Transaction.Transfer-Money", "Recipient"): (("actors", "TARGET"),),
    },
    annotated=frozenset({"attack", "arrest", "protest", "talks", "aid"}),
    actor_events=frozenset({"Conflict.Attack", "Life.Die", "Justice.Arrest-Jail", "Contact.Meet",
                            "Transaction.Transfer-Money"}),
    refine=_refine,
)


def m2e2_dev(sentence_id: str) -> bool:
    """Dev holds one train document in ten, by a second byte of the same hash."""
    return hash_bucket(m2e2_document_id(sentence_id), 10, first_byte=1) == 0


def _offsets(text: str, words: list[str]) -> list[tuple[int, int] | None]:
    """Character offsets of M2E2's words in the sentence text, found left to right."""
    found: list[tuple[int, int] | None] = []
    cursor = 0
    for word in words:
        at = text.find(word, cursor)
        if at < 0 or at - cursor > 20:
            found.append(None)
            continue
        found.append((at, at + len(word)))
        cursor = at + len(word)
    return found


def _span(offsets: list[tuple[int, int] | None], start: int, end: int) -> tuple[int, int] | tuple[None, None]:
    inside = [o for o in offsets[start:end] if o is not None]
    return (inside[0][0], inside[-1][1]) if inside else (None, None)


def _events(item: dict, offsets: list[tuple[int, int] | None]) -> list[Event]:
    types = {(m["start"], m["end"]): m["entity-type"] for m in item.get("golden-entity-mentions", [])}
    events: list[Event] = []
    for mention in item.get("golden-event-mentions", []):
        t_start, t_end = _span(offsets, mention["trigger"]["start"], mention["trigger"]["end"])
        if t_start is None:
            continue
        arguments = [Argument(a["role"], *_span(offsets, a["start"], a["end"]), types.get((a["start"], a["end"])))
                     for a in mention["arguments"]]
        events.append(Event(mention["event_type"].replace(":", "."), t_start, t_end, arguments,
                            mention["trigger"]["text"]))
    return events


def convert(root: Path, split: str) -> Converted:
    """Train or dev sentences of M2E2 (never the held-out test documents)."""
    check_split(NAME, split)
    out = Converted()
    for item in m2e2_items(Path(root)):
        sentence_id = item["sentence_id"]
        if m2e2_split(sentence_id) == "test" or ("dev" if m2e2_dev(sentence_id) else "train") != split:
            continue
        offsets = _offsets(item["sentence"], item["words"])
        convert_events(NAME, sentence_id, item["sentence"], _events(item, offsets), SCHEME, out)
    return out
