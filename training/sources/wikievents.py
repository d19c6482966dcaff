"""WikiEvents (Li et al., NAACL 2021): news documents with KAIROS events.

Document text is the tokens joined by single spaces (``training/documents.py``), so a
token's character offsets follow from the token list. Dev (``dev_info.jsonl``) links
each argument to an entity mention with token offsets and an entity type; train
(``wiki-train-human.jsonl``) gives argument texts only, which are found in the tokens
(the occurrence nearest the trigger); arguments not found are counted as unplaced and
mask the heads they feed in that sentence. Test is never read.

Supervised per sentence: ``event_types`` attack, arrest, protest (KAIROS annotates
every mention of Conflict.Attack, Justice.ArrestJailDetain and Conflict.Demonstrate),
talks only on dev (train's Contact.Contact has no Meet subtype, so train masks talks
where a Contact event occurs); ``aid`` and ``abduction`` never (no matching type).
``casualties`` (Life.Die, Life.Injure, ArrestJailDetain), ``actors`` only where every
event of the sentence has mapped roles.
"""

from __future__ import annotations

from pathlib import Path

from strife.training.documents import json_lines
from strife.training.sources.base import Converted, check_split
from strife.training.sources.events import Argument, Event, Scheme, convert_events

NAME = "wikievents"
CITATION = "Li, Ji and Han, Document-Level Event Argument Extraction by Conditional Generation, NAACL 2021"
HEADS = ("actors", "casualties", "event_types")
FILES = {"train": "wikievents/wiki-train-human.jsonl", "dev": "wikievents/dev_info.jsonl"}


def _refine(events: list[Event], text: str) -> tuple[set[str], set[str], set[str]]:
    masked = {"talks"} if any(e.type == "Contact.Contact" for e in events) else set()
    return set(), masked, set()


SCHEME = Scheme(
    event_labels={"Conflict.Attack": "attack", "Justice.ArrestJailDetain": "arrest", "Conflict.Demonstrate": "protest",
                  "Contact.Contact.Meet": "talks"},
    roles={
        ("Conflict.Attack", "Attacker"): (("actors", "SOURCE"),),
        ("Conflict.Attack", "Target"): (("actors", "TARGET"),),
        ("Life.Die", "Killer"): (("actors", "SOURCE"),),
        ("Life.Die", "Victim"): (("actors", "TARGET"), ("casualties", "KILLED")),
        ("Life.Injure", "Injurer"): (("actors", "SOURCE"),),
        ("Life.Injure", "Victim"): (("actors", "TARGET"), ("casualties", "INJURED")),
        ("Justice.ArrestJailDetain", "Jailer"): (("actors", "SOURCE"),),
        ("Justice.ArrestJailDetain", "Detainee"): (("actors", "TARGET"), ("casualties", "CAPTURED")),
        ("Conflict.Demonstrate", "Demonstrator"): (("actors", "SOURCE"),),
        ("Contact.Contact.Meet", "Participant"): (("actors", "RECIPROCAL"),),
    },
    annotated=frozenset({"attack", "arrest", "protest", "talks"}),
    actor_events=frozenset({"Conflict.Attack", "Life.Die", "Life.Injure", "Justice.ArrestJailDetain",
                            "Conflict.Demonstrate", "Contact.Contact.Meet"}),
    refine=_refine,
)


def token_offsets(tokens: list[str]) -> list[tuple[int, int]]:
    """Character offsets of each token in ``" ".join(tokens)``."""
    offsets, cursor = [], 0
    for token in tokens:
        offsets.append((cursor, cursor + len(token)))
        cursor += len(token) + 1
    return offsets


def find_tokens(tokens: list[str], text: str, near: int) -> tuple[int, int] | None:
    """Token range of ``text`` (space-tokenised) nearest token ``near``; ``None`` if absent."""
    needle = text.split()
    hits = [i for i in range(len(tokens) - len(needle) + 1) if tokens[i:i + len(needle)] == needle] if needle else []
    if not hits:
        return None
    best = min(hits, key=lambda i: abs(i - near))
    return best, best + len(needle)


def _events(row: dict, offsets: list[tuple[int, int]]) -> list[Event]:
    mentions = {m["id"]: m for m in row.get("entity_mentions", [])}
    events = []
    for mention in row["event_mentions"]:
        trigger = mention["trigger"]
        t_start = trigger.get("start", trigger.get("start_idx"))
        t_end = trigger.get("end", trigger.get("end_idx"))
        arguments = []
        for arg in mention["arguments"]:
            if "entity_id" in arg and arg["entity_id"] in mentions:
                entity = mentions[arg["entity_id"]]
                span: tuple[int, int] | None = (entity["start"], entity["end"])
                etype = entity.get("entity_type")
            else:
                span, etype = find_tokens(row["tokens"], arg["text"], t_start), None
            start, end = (offsets[span[0]][0], offsets[span[1] - 1][1]) if span else (None, None)
            arguments.append(Argument(arg["role"], start, end, etype))
        etype_name = mention["event_type"]
        if etype_name.endswith(".Unspecified"):
            etype_name = etype_name[: -len(".Unspecified")]
        events.append(Event(etype_name, offsets[t_start][0], offsets[t_end - 1][1], arguments, trigger["text"]))
    return events


def convert(root: Path, split: str) -> Converted:
    """Train (human arguments, placed by text) or dev (entity-linked) documents."""
    check_split(NAME, split)
    out = Converted()
    for _, row in json_lines(Path(root) / FILES[split]):
        tokens = row["tokens"]
        offsets = token_offsets(tokens)
        convert_events(NAME, row.get("doc_id") or row["docid"], " ".join(tokens), _events(row, offsets), SCHEME, out)
    return out
