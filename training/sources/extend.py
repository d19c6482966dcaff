"""The head-word extension rule of docs/annotation-guidelines.md, section 8.

M2E2, WikiEvents and friends mark the head word of an argument ("people" in "31
people", "general" in "a Russian major general"); the project's spans cover the whole
phrase (sections 3.3 and 4.2). :func:`extend_head` grows a head to that phrase with
closed word lists and word shapes only (no parser), so it is fast, deterministic and
auditable; ``annotations/extension_audit.jsonl`` measures how often it is right.

>>> words = "Police said at least 31 people were killed".split()
>>> extend_head(words, 5, 6)
(2, 6)
"""

from __future__ import annotations

import re

#: Never inside a span at its left edge (3.3): articles, demonstratives, possessives.
DETERMINERS = frozenset("the this these those that his her its their our my your whose".split())
PRONOUNS = frozenset(
    "i me he him she it we us they them who whom which what someone somebody anyone anybody "
    "himself herself themselves itself you".split()
)
PREPOSITIONS = frozenset(
    "of in on at by for with from to into onto near during after before against under over about "
    "between among amongst including as than via through across since until without within "
    "upon toward towards behind beside besides beyond inside outside along around while when where".split()
)
CONJUNCTIONS = frozenset("and or but nor & if because although though whether so yet not no never".split())
#: Verb endings ("commemorate", "mobilize") and the nouns and adjectives that share them.
_VERB_ENDINGS = ("ate", "ize", "ise")
_NOT_VERBS = frozenset("state private moderate separate corporate graduate associate candidate advocate delegate "
                       "magistrate senate inmate syndicate estate enterprise franchise expertise".split())
#: Verbs that carry no tell-tale suffix ("gunmen kill three", "police say ...").
VERBS = frozenset(
    "is are was were be been being am has have had do does did will would shall should can could may "
    "might must kill attack shoot wound injure hurt arrest detain abduct kidnap capture hit target meet "
    "say tell claim accuse free release hold seize execute behead bomb storm raid ambush murder fire "
    "charge order urge call warn threaten help give send join lead leave take took told said saw see "
    "met held shot hit left led gave sent got get put set go went come came make made find found "
    "keep kept become became begin began run ran fled flee die dead".split()
)
#: Participles and -ing words that are adjectives in noun phrases ("armed men").
ADJECTIVE_PARTICIPLES = frozenset(
    "armed unarmed unidentified unknown suspected alleged masked retired displaced elected ruling leading opposing warring remaining "
    "neighbouring neighboring veteran fellow united".split()
)
NUMBER_WORDS = frozenset(
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred hundreds "
    "thousand thousands million millions dozen dozens scores both several few many some all "
    "most other others another each".split()
)
#: Quantifier phrases whose prepositions and adverbs belong to the span (4.2).
QUANTIFIER_PHRASES: tuple[tuple[str, ...], ...] = (
    ("at", "least"), ("as", "many", "as"), ("up", "to"), ("more", "than"), ("fewer", "than"),
    ("less", "than"), ("no", "fewer", "than"), ("no", "more", "than"), ("a", "total", "of"),
    ("dozens", "of"), ("hundreds", "of"), ("thousands", "of"), ("scores", "of"), ("a", "dozen"),
    ("a", "couple", "of"), ("a", "few"), ("an", "estimated"), ("nearly",), ("about",), ("around",),
    ("some",), ("over",), ("almost",), ("approximately",), ("roughly",), ("at", "most"),
)
#: "a"/"an" before these is not the number one (3.3: exclude "a" before a collective).
COLLECTIVES = frozenset(
    "group force forces unit team gang mob crowd party organisation organization outfit militia army "
    "police coalition movement network faction cell band delegation government".split()
)
#: Capitalised words that end a name rather than continue it ("Ismail Monday night").
CALENDAR = frozenset("monday tuesday wednesday thursday friday saturday sunday january february march april may "
                     "june july august september october november december".split())
_NUMBER = re.compile(r"^\d[\d,.]*$")
_WORD = re.compile(r"^\w")


def _is_number(word: str) -> bool:
    return bool(_NUMBER.match(word)) or word.lower() in NUMBER_WORDS


def _capitalised(word: str) -> bool:
    return word[:1].isupper() and word.lower() not in CALENDAR


def _verb_like(lower: str) -> bool:
    if lower in VERBS:
        return True
    if lower in ADJECTIVE_PARTICIPLES:
        return False
    if lower.endswith(_VERB_ENDINGS) and lower not in _NOT_VERBS:
        return True
    return lower.endswith(("ed", "ing")) or (lower.endswith("ly") and len(lower) > 4)


def _modifier(word: str, plural: bool = False) -> bool:
    """Whether ``word`` can stand inside a noun phrase (before its head unless ``plural``)."""
    lower = word.lower()
    if not _WORD.match(word) or lower in DETERMINERS or lower in PRONOUNS or lower in PREPOSITIONS:
        return False
    if lower in CONJUNCTIONS or _verb_like(lower):
        return False
    if _capitalised(word) or _is_number(word) or lower in ("a", "an"):
        return True
    # lower-case plural nouns are rarely pre-modifiers, but verbs in -s often follow subjects
    return plural or not (lower.endswith("s") and not lower.endswith(("ss", "us", "is")))


def _quantifier_before(words: list[str], i: int) -> int:
    """Start of a quantifier phrase that ends just before word ``i`` (``i`` if none)."""
    lowered = [w.lower() for w in words]
    for phrase in sorted(QUANTIFIER_PHRASES, key=len, reverse=True):
        start = i - len(phrase)
        if start >= 0 and tuple(lowered[start:i]) == phrase:
            return start
    return i


def _extend_name(words: list[str], start: int, end: int, blocked: set[int]) -> tuple[int, int]:
    """Rule 3: a name takes its capitalised title and nothing lower-case or after "of"."""
    while start > 0 and start - 1 not in blocked and _capitalised(words[start - 1]) and _WORD.match(words[start - 1]) \
            and words[start - 1].lower() not in DETERMINERS | PRONOUNS | PREPOSITIONS:
        start -= 1
    while end < len(words) and end not in blocked and _capitalised(words[end]) and _WORD.match(words[end]):
        end += 1
    return start, end


def _extend_left(words: list[str], start: int, blocked: set[int]) -> int:
    """Rule 1: pre-modifiers, numbers and quantifier phrases; never "the" or a possessive."""
    while start > 0 and start - 1 not in blocked:
        quantifier = _quantifier_before(words, start)
        if quantifier < start and not blocked & set(range(quantifier, start)):
            start = quantifier
            continue
        word = words[start - 1]
        if word == "," and start >= 2 and words[start - 2].isdigit() and words[start].isdigit():
            start -= 2  # "1,380" is three words
            continue
        if word.lower() in ("a", "an") and words[start].lower() in COLLECTIVES:
            break
        if not _modifier(word):
            break
        start -= 1
    return start


def _noun_phrase_end(words: list[str], i: int, blocked: set[int]) -> int:
    """End of the noun phrase that starts at ``i`` (after "of"), determiners allowed first."""
    if i < len(words) and words[i].lower() in DETERMINERS | {"a", "an"}:
        i += 1
    end = i
    while end < len(words) and end not in blocked and _modifier(words[end], plural=True) \
            and words[end].lower() not in ("a", "an"):
        end += 1
    return end


def _extend_right(words: list[str], end: int, blocked: set[int]) -> int:
    """Rule 2: "of"-phrases that say which people, and a close appositive name."""
    if end < len(words) and end not in blocked and words[end].lower() == "of":
        phrase_end = _noun_phrase_end(words, end + 1, blocked)
        if phrase_end > end + 1 and not _noun_only_determiner(words, end + 1, phrase_end):
            end = phrase_end
    elif end < len(words) and end not in blocked and _capitalised(words[end]) and _WORD.match(words[end]):
        while end < len(words) and end not in blocked and _capitalised(words[end]) and _WORD.match(words[end]):
            end += 1
    return end


def _noun_only_determiner(words: list[str], start: int, end: int) -> bool:
    return all(w.lower() in DETERMINERS | {"a", "an"} for w in words[start:end])


def extend_head(words: list[str], start: int, end: int, blocked: set[int] | frozenset[int] = frozenset()) -> tuple[int, int]:
    """Grow the head words ``words[start:end]`` to the phrase of guidelines section 8.

    ``blocked`` holds word indices of other arguments of the same event (rule 4); the
    caller passes one sentence's words, so the span never crosses a sentence.

    >>> extend_head("the Israel Defense Forces fired".split(), 3, 4)
    (1, 4)
    >>> extend_head("shot dead two security guards of a gas company , police said".split(), 4, 5)
    (2, 9)
    >>> extend_head("killed Lance Naik Harpal Singh of 3 Grenadiers".split(), 4, 5)
    (1, 5)
    """
    blocked = set(blocked) - set(range(start, end))
    head = words[start:end]
    if any(w.lower() in PRONOUNS for w in head):
        return start, end
    if all(_capitalised(w) for w in head if _WORD.match(w)) and not _is_number(head[0]):
        return _extend_name(words, start, end, blocked)
    start = _extend_left(words, start, blocked)
    end = _extend_right(words, end, blocked)
    return start, end
