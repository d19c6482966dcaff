"""Rule-based casualty labeller: the baseline for the ``casualties`` head and a silver labeller.

:func:`label_casualties` marks KILLED / INJURED / CAPTURED spans in one sentence following
``docs/annotation-guidelines.md`` section 4 (the phrase naming the people, from its count
or quantifier to the head noun and its "of"-phrase; a bare number; a name with its
capitalised title; coordinated groups with one fate as one span). :func:`analyse_sentence`
also says whether every casualty word of the sentence was accounted for, which the silver
data builder (:mod:`strife.training.silver`) uses to skip sentences it is unsure of.

It works on the words of :func:`strife.inference.segment.split_words` (so spans always
fall on word boundaries) with closed word lists, no tagger: a trigger (casualty verb or
noun) is found, its mode decided from the words around it, and the noun phrase on the
proper side is read. Counted phrases use the vocabulary of :mod:`strife.inference.counts`
so that span and count agree on where "at least 41" starts. Standard library only.

Triggers (:data:`TRIGGERS`; past forms also read actively, "-ing" forms only actively):

===========  =====================================================================
label        trigger words
===========  =====================================================================
KILLED       killed, slain, murdered, assassinated, executed, beheaded, lynched,
             massacred, martyred, shot dead, gunned down, shot and killed, X-ed to
             death, found dead, dead ("5 dead", "left 5 dead"); died, succumbed,
             perished (subject); death/killing/murder/assassination of; death toll
             rose to N
INJURED      injured, wounded, hurt, shot, stabbed (shot, not killed, as far as the
             sentence says: 4.1); sustained/suffered injuries or wounds (subject)
CAPTURED     arrested, detained, apprehended, nabbed, abducted, kidnapped, taken into
             custody, taken hostage/captive, held hostage/captive, rounded up;
             captured, seized, held (only of people); arrest/detention/abduction/
             kidnapping of
===========  =====================================================================

Modes, for a past form at word ``i``:

- passive, a form of "be"/"get" before it ("[Two soldiers] were killed"): the phrase on
  the left, through "who" ("[two men] who were abducted") and "and"-joined counted
  groups ("[27 soldiers and three police] were martyred");
- active, a phrase starting right after it ("killed [12]", "arrested [three militants]");
- reduced passive otherwise ("[41 Afghan soldiers] killed in ...", "and [seven others]
  injured", "leaving [5] dead").

"fatally"/"mortally" turn INJURED into KILLED. A trigger yields no span when it is negated
("no one was killed", "were not hurt", "without casualties", after "denied"; 7.1), not
real ("will kill", "threatened to kill", "plans to be arrested"; 7.2, 7.3), names a
pronoun ("he was killed"; 3.4), or sits in a sentence about an accident or disaster with
no sign of violence (7.12). "casualties" and "victims" say neither killed nor injured
(4.1): no span, and the sentence counts as unsure unless negated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from strife.inference.counts import MODIFIER_PHRASES, NAME_PARTICLES, NUMBER_WORDS, VAGUE_PHRASES, parse_number
from strife.inference.segment import Span, split_words

__all__ = ["LABELS", "TRIGGERS", "Analysis", "CasualtySpan", "analyse_sentence", "label_casualties"]

LABELS = ("KILLED", "INJURED", "CAPTURED")
Mode = Literal["past", "ing", "subject", "of", "toll", "base", "noun", "role", "none"]


@dataclass(frozen=True)
class CasualtySpan:
    """One casualty span; ``sentence[start:end] == text``."""

    start: int
    end: int
    label: str
    text: str


@dataclass(frozen=True)
class Trigger:
    """A casualty word: its label, how its people are found, and whether it is only a
    casualty word of people ("seized weapons" is not a capture)."""

    label: str
    mode: Mode
    people_only: bool = False


def _table(label: str, mode: Mode, phrases: str, people_only: bool = False) -> dict[tuple[str, ...], Trigger]:
    return {tuple(p.split()): Trigger(label, mode, people_only) for p in phrases.split("|")}


#: Trigger phrases (lower-case word tuples, longest match wins) and what they mean.
TRIGGERS: dict[tuple[str, ...], Trigger] = {
    **_table("KILLED", "past", "killed|slain|murdered|assassinated|executed|beheaded|lynched|massacred|martyred|"
             "shot dead|gunned down|shot and killed|shot to death|stabbed to death|hacked to death|"
             "beaten to death|burnt to death|burned to death|lynched to death|found dead|dead"),
    **_table("KILLED", "ing", "killing|murdering|assassinating|executing|beheading|lynching|massacring|"
             "shooting dead|gunning down"),
    **_table("KILLED", "subject", "died|succumbed|perished|lost their lives|lost his life|lost her life"),
    **_table("KILLED", "of", "death of|deaths of|killing of|killings of|murder of|murders of|"
             "assassination of|bodies of|body of"),
    **_table("KILLED", "toll", "death toll|death-toll|toll"),
    **_table("INJURED", "past", "injured|wounded|hurt|shot|stabbed|shot and wounded|shot and injured"),
    **_table("INJURED", "ing", "injuring|wounding"),
    **_table("INJURED", "subject", "sustained injuries|suffered injuries|sustained serious injuries|"
             "sustained bullet injuries|suffered serious injuries|sustained injury|suffered gunshot wounds|"
             "sustained gunshot wounds|suffered wounds|suffered a gunshot wound|suffered injuries"),
    **_table("CAPTURED", "past", "arrested|detained|apprehended|nabbed|abducted|kidnapped|kidnaped|"
             "taken into custody|taken hostage|taken captive|held hostage|held captive|rounded up|picked up"),
    **_table("CAPTURED", "past", "captured|seized", people_only=True),
    **_table("CAPTURED", "ing", "arresting|detaining|apprehending|abducting|kidnapping|nabbing", ),
    **_table("CAPTURED", "ing", "capturing|seizing", people_only=True),
    **_table("CAPTURED", "of", "arrest of|arrests of|detention of|abduction of|abductions of|kidnapping of|"
             "kidnappings of"),
    # Base forms and label-less nouns: never a span; resolved only when negated or not real.
    **_table("KILLED", "base", "kill|murder|execute|behead|lynch|massacre|assassinate|die"),
    **_table("INJURED", "base", "injure|wound|hurt"),
    **_table("CAPTURED", "base", "arrest|detain|abduct|kidnap|capture"),
    **_table("KILLED", "noun", "casualties|casualty|deaths|fatalities|injuries"),
    # Nouns that entail the outcome (7.18); a count before them belongs to the span ("12 bodies").
    **_table("KILLED", "role", "bodies|deceased|corpses"),
    **_table("CAPTURED", "role", "hostages|hostage|captives|detainees"),
    # "victims" alone says neither killed nor injured (4.1): explained, never a span.
    **_table("KILLED", "none", "victims|victim"),
}
_ROLE_WORDS = frozenset({"dead", "injured", "wounded", "arrested", "detained", "abducted", "kidnapped"})
_MAX_TRIGGER = max(len(phrase) for phrase in TRIGGERS)
_TRIGGER_FIRST = frozenset(phrase[0] for phrase in TRIGGERS)

#: Any word a casualty could hide behind; one left unexplained makes the sentence unsure.
CASUALTY_WORD = re.compile(
    r"(kill|dead|death|died|dies|dying|slain|murder|shot|wound|injur|hurt|casualt|arrest|detain|abduct|"
    r"kidnap|hostage|captur|custody|massacre|martyr|lynch|behead|assassin|fatalit|victim|bodies)")

_BE = frozenset("was were is are be been being got get gets getting".split())
_AUX = _BE | frozenset(
    "has have had do does did reportedly allegedly also all both later subsequently then each either already apparently "
    "critically seriously severely grievously badly gravely slightly fatally mortally".split())
_MODALS = frozenset("will would could may might shall should can must to".split())
_NEGATORS = frozenset("not never n't no".split())
_IRREALIS_BEFORE = frozenset(
    "threatened threatening threatens threat threats vowed vows vow plan plans planned planning plot plotted "
    "attempt attempted attempting attempts tried trying try bid sought seek seeking intended intends "
    "conspiracy conspired if unless warned wanted wants".split())
_DENIAL = frozenset("denied denies deny denying rumour rumours rumor rumors refuted".split())
_NOBODY = frozenset("nobody none noone".split())
_PRONOUNS = frozenset(
    "he she they him her them it himself herself themselves itself i me we us you one's his their its our "
    "whom whoever someone somebody anyone anybody everyone".split())
_DETERMINERS = frozenset("the this that these those his her their its our my your".split())
_RELATIVES = frozenset("who that which".split())
#: Words that end a noun phrase (on either side) that is read around a trigger.
_STOPS = frozenset(
    "in at on near by from to into onto after before during since for with without within inside outside "
    "across along against amid amidst among amongst between through throughout toward towards upon via under "
    "while when where whereas as if because but or nor so yet than though although until till "
    "including included includes besides except like who whom whose which that what how why "
    "and said says say told added claimed confirmed reported stated according "
    "was were is are be been being has have had do did does will would could may might shall should can must "
    "yesterday today tonight tomorrow earlier later recently last ago this next "
    "monday tuesday wednesday thursday friday saturday sunday here there also not never "
    "allegedly reportedly".split())
_SUBSET_WORDS = frozenset("including among mostly mainly".split())
_OF_PRONOUN_HEADS = frozenset("them us whom which".split())
_WEEKDAY_MONTH = frozenset(
    "january february march april may june july august september october november december jan feb mar "
    "apr jun jul aug sep sept oct nov dec".split())
_NOT_COUNTED_AFTER = frozenset(
    "year years yr yrs month months day days hour hours minute minutes km kg kilometres kilometers miles "
    "metres meters am pm a.m p.m percent per % rounds rupees dollars crore lakh".split())

#: Head nouns that name people, for phrases with no count ("arrested militants") and for
#: "captured"/"seized"/"held", which also take things. Plurals in -s/-es/-ies are derived.
_PEOPLE_STEMS = (
    "person people man men woman women child children boy girl youth youngster teenager baby infant kid "
    "civilian villager resident citizen local national tourist pilgrim passenger worker labourer laborer "
    "farmer trader shopkeeper businessman businessmen student teacher doctor nurse journalist reporter "
    "soldier trooper jawan personnel officer official policeman policemen policewoman cop constable "
    "inspector sub-inspector guard sentry commander commando general colonel major captain lieutenant "
    "sergeant naik havildar sepoy rifleman riflemen marine sailor airman airmen recruit cadet veteran "
    "militant terrorist rebel insurgent guerrilla guerilla fighter gunman gunmen attacker assailant "
    "extremist jihadist separatist maoist naxal naxalite cadre member leader activist supporter "
    "protester protestor demonstrator rioter agitator suspect accused criminal gangster smuggler "
    "trafficker poacher dacoit robber thief thieves kidnapper abductor hostage captive prisoner detainee "
    "inmate convict victim driver employee staffer staff contractor engineer missionary priest monk "
    "cleric imam worshipper devotee pilgrim tribal tribesman tribesmen elder chief headman "
    "sarpanch minister mp mla legislator politician councillor lawmaker diplomat envoy ambassador "
    "informer informant spy agent operative volunteer relative brother sister son daughter father "
    "mother husband wife family families uncle nephew cousin friend neighbour neighbor wife "
    "others other individual individuals body bodies corpse mourner shopper customer bystander "
    "pedestrian migrant refugee trooper troops force forces police militia militiamen militiaman "
    "crew peacekeeper bodyguard worker colleague comrade "
    "shiite sunni hazara christian muslim hindu sikh").split()


def _people_nouns(stems: list[str]) -> frozenset[str]:
    nouns = set(stems)
    for stem in stems:
        nouns.add(stem + "s")
        nouns.add(stem + "es")
        if stem.endswith("y"):
            nouns.add(stem[:-1] + "ies")
    return frozenset(nouns)


PEOPLE_NOUNS = _people_nouns(_PEOPLE_STEMS)

_ACCIDENT = re.compile(
    r"\b(accident|crash(ed|es)?|collided|collision|overturned|capsized|drown(ed|ing)?|flood(s|ed|ing)?|"
    r"earthquake|landslide|cyclone|storm|lightning|electrocuted|stampede|disease|epidemic|outbreak|covid|"
    r"cholera|heart attack|illness|fell ill|natural causes|snake ?bite|tremor|avalanche)\b")
_VIOLENCE = re.compile(
    r"\b(attack\w*|shot|shoot\w*|gun\w*|fir(e|ed|ing)|blast\w*|bomb\w*|explo\w*|ied|grenade\w*|mine|"
    r"landmine\w*|militant\w*|terror\w*|rebel\w*|insurgent\w*|maoist\w*|murder\w*|stab\w*|kill(er|ers)|"
    r"assail\w*|ambush\w*|clash\w*|encounter|arrest\w*|abduct\w*|kidnap\w*|riot\w*|mob|lynch\w*|police)\b")


# --------------------------------------------------------------------------- words


@dataclass(frozen=True)
class _Word:
    text: str
    lower: str
    start: int
    end: int


def _words(sentence: str) -> list[_Word]:
    """split_words, with "1,200" joined back into one word so that figures read whole."""
    words: list[_Word] = []
    for span in split_words(Span(sentence, 0, len(sentence))):
        if (len(words) >= 2 and words[-1].text in ",." and words[-1].start == words[-2].end == span.start - 1
                and words[-2].text[-1:].isdigit() and span.text.isdigit() and len(span.text) == 3):
            first = words[-2]
            words[-2:] = [_Word(sentence[first.start:span.end], sentence[first.start:span.end].lower(),
                                first.start, span.end)]
            continue
        lower = span.text.lower().replace("’", "'")
        words.append(_Word(span.text, lower, span.start, span.end))
    return words


def _is_punct(word: _Word) -> bool:
    return not any(c.isalnum() for c in word.text)


def _is_stop(word: _Word) -> bool:
    return _is_punct(word) or word.lower in _STOPS or word.lower in _TRIGGER_FIRST and _trigger_word(word)


def _trigger_word(word: _Word) -> bool:
    return (word.lower,) in TRIGGERS and TRIGGERS[(word.lower,)].mode in ("past", "ing", "subject", "base")


def _phrase_at(words: list[_Word], i: int, table: frozenset[tuple[str, ...]] | dict) -> int | None:
    """End of the longest phrase of ``table`` starting at word ``i``."""
    for size in (3, 2, 1):
        key = tuple(w.lower for w in words[i:i + size])
        if len(key) == size and key in table:
            return i + size
    return None


# --------------------------------------------------------------------------- counted phrases


def _figure_end(words: list[_Word], i: int) -> int | None:
    """End of a plain number at ``i``: digits, "10-12", number words, "a dozen", "N to M"."""
    if i >= len(words):
        return None
    lower = words[i].lower
    end: int | None = None
    if re.fullmatch(r"\d[\d,]*(?:-\d+)?", lower):
        if re.fullmatch(r"(19|20)\d\d", lower):
            return None                                   # a year, not a head count
        end = i + 1
    elif lower in NUMBER_WORDS or lower.split("-")[0] in NUMBER_WORDS or lower in ("a", "an"):
        for size in (4, 3, 2, 1):
            if parse_number(" ".join(w.lower for w in words[i:i + size])) is not None and i + size <= len(words):
                end = i + size
                break
    if end is None:
        return None
    if end < len(words) and words[end].lower in _NOT_COUNTED_AFTER:
        return None
    if end + 1 < len(words) and words[end].lower in ("to", "or", "-") and _figure_end(words, end + 1):
        return _figure_end(words, end + 1)
    return end


def _quantity_end(words: list[_Word], i: int) -> int | None:
    """End of a counted phrase opening at ``i``: modifier + amount, vague amount, "a"/"an"."""
    if i >= len(words):
        return None
    if words[i].lower == "between":
        first = _figure_end(words, i + 1)
        if first and first < len(words) and words[first].lower == "and":
            return _figure_end(words, first + 1)
    if tuple(w.lower for w in words[i:i + 3]) == ("a", "total", "of"):
        return _quantity_end(words, i + 3)
    modifier = _phrase_at(words, i, MODIFIER_PHRASES)
    if modifier is not None and modifier > i:
        plain = _plain_end(words, modifier)
        if plain is not None:
            return plain
    return _plain_end(words, i)


def _plain_end(words: list[_Word], i: int) -> int | None:
    vague = _phrase_at(words, i, VAGUE_PHRASES)
    if vague is not None:
        if words[i].lower in ("no", "none", "nobody"):
            return None
        return vague + 1 if vague < len(words) and words[vague].lower == "of" else vague
    figure = _figure_end(words, i)
    if figure is not None:
        return figure
    if i < len(words) and words[i].lower in ("a", "an", "another"):
        return i + 1
    return None


# --------------------------------------------------------------------------- noun phrases


def _is_capitalised(word: _Word, caps_text: bool) -> bool:
    if caps_text or not word.text[:1].isalpha():
        return False
    return word.text[0].isupper() or word.lower in NAME_PARTICLES


def _is_people(word: _Word) -> bool:
    return word.lower in PEOPLE_NOUNS or word.lower.split("-")[-1] in PEOPLE_NOUNS


@dataclass
class _Context:
    """The sentence's words and what holds for all of them."""

    words: list[_Word]
    caps_text: bool                  # all upper or all lower case: capitals say nothing


@dataclass(frozen=True)
class _Phrase:
    start: int                       # word indices, end exclusive
    end: int
    counted: bool                    # opens with a count or quantifier, or is a name
    people: bool                     # its head names people (a people noun or a name)


def _left_region(ctx: _Context, end: int, limit: int = 14) -> int:
    """Start of the run of non-stop words ending before ``end``; "the" only after "of"."""
    start = end
    while start > 0 and end - start < limit:
        word = ctx.words[start - 1]
        if _is_stop(word):
            break
        if word.lower in _DETERMINERS and not (start >= 2 and ctx.words[start - 2].lower == "of"):
            break
        start -= 1
    return start


def _phrase_left(ctx: _Context, start: int, end: int) -> _Phrase | None:
    """The noun phrase that ends the region ``words[start:end]``: counted, named or of people."""
    words = ctx.words
    if start >= end:
        return None
    right = end
    for q in range(end - 1, start - 1, -1):
        quantity = _quantity_end(words, q)
        if quantity is None or quantity > right:
            continue
        if q >= 2 and words[q - 1].lower == "of" and _is_capitalised(words[q - 2], ctx.caps_text):
            right = q - 1                     # "Harpal Singh of 3 Grenadiers": a unit, not a count
            continue
        first = _extend_modifiers(words, max(0, start - 4), q)
        return _Phrase(first, right, True, _is_people(words[right - 1]) or quantity == right)
    name = _name_run(ctx, start, right)
    if name is not None:
        return name
    if _is_people(words[right - 1]):
        first = start
        while words[first].lower in _DETERMINERS:
            first += 1
        if first < right and words[first].lower in ("bodies", "body") and first + 1 < right \
                and words[first + 1].lower == "of":
            first += 2
        while first < right and words[first].lower in _DETERMINERS:
            first += 1
        return _Phrase(first, right, False, True) if first < right else None
    return None


def _extend_modifiers(words: list[_Word], start: int, q: int) -> int:
    """Move a count's start left over "at least", "as many as", "between", "a total of"."""
    for size in (3, 2, 1):
        k = q - size
        if k >= start and (tuple(w.lower for w in words[k:q]) in MODIFIER_PHRASES
                           or tuple(w.lower for w in words[k:q]) == ("a", "total", "of")):
            return _extend_modifiers(words, start, k)
    if q - 1 >= start and words[q - 1].lower == "between":
        return q - 1
    return q


def _name_run(ctx: _Context, start: int, end: int) -> _Phrase | None:
    """The capitalised words ending at ``end``: a named person with title, or a named group."""
    words = ctx.words
    first = end
    while first > start and _is_capitalised(words[first - 1], ctx.caps_text):
        first -= 1
    while first < end and words[first].lower in NAME_PARTICLES:
        first += 1
    if first == end:
        return None
    return _Phrase(first, end, True, True)


def _right_region(ctx: _Context, start: int, limit: int = 14) -> int:
    """End of the run of words after ``start`` that a phrase there may use."""
    end = start
    while end < len(ctx.words) and end - start < limit:
        word = ctx.words[end]
        if _is_punct(word) and word.text not in ("-",) or word.lower in _STOPS and word.lower != "and":
            break
        if word.lower == "and":
            break
        end += 1
    return end


def _phrase_right(ctx: _Context, start: int) -> _Phrase | None:
    """The noun phrase opening at ``start`` (after "the"/"his"): counted, named or of people."""
    words = ctx.words
    while start < len(words) and words[start].lower in _DETERMINERS:
        start += 1
    quantity = _quantity_end(words, start)
    region_end = _right_region(ctx, quantity if quantity is not None else start)
    if quantity is not None and region_end == quantity:
        return _Phrase(start, quantity, True, False)
    if start >= region_end:
        return None
    end = _trim_right(ctx, start if quantity is None else quantity, region_end)
    if quantity is not None:
        return _Phrase(start, max(end, quantity), True, _is_people(words[max(end, quantity) - 1]))
    name = _name_run(ctx, start, end)
    if name is not None and not words[end - 1].lower.endswith("'s"):
        return name                      # former Afghan president [Hamid Karzai]
    for k in range(end, start, -1):
        if _is_people(words[k - 1]):
            return _Phrase(start, k, False, True)
    return None


def _trim_right(ctx: _Context, floor: int, end: int) -> int:
    """Drop trailing words that cannot end a noun phrase: "-ing"/"-ly" words, "of them"."""
    words = ctx.words
    for k in range(floor, end):
        if words[k].lower == "of" and k + 1 < end and words[k + 1].lower in _OF_PRONOUN_HEADS | _PRONOUNS:
            end = k
            break
        participle = words[k].lower.endswith("ed") and any(_is_people(w) for w in words[floor:k])
        if (words[k].lower.endswith(("ing", "ly")) or participle) and not _is_people(words[k]) and k > floor:
            end = k
            break
    while end > floor and (words[end - 1].lower in ("of", "a", "an") or words[end - 1].lower in _DETERMINERS):
        end -= 1
    return end


def _join_left(ctx: _Context, phrase: _Phrase) -> _Phrase:
    """Grow a counted phrase over counted groups joined by "and" before it (guidelines 4.5)."""
    words = ctx.words
    while phrase.counted and phrase.start >= 2 and words[phrase.start - 1].lower == "and":
        region = _left_region(ctx, phrase.start - 1)
        other = _phrase_left(ctx, region, phrase.start - 1)
        if other is None or not other.counted or other.end != phrase.start - 1:
            break
        phrase = _Phrase(other.start, phrase.end, True, phrase.people or other.people)
    return phrase


def _join_right(ctx: _Context, phrase: _Phrase) -> _Phrase:
    """Grow a counted phrase over counted groups joined by "and" after it (guidelines 4.5)."""
    words = ctx.words
    while phrase.counted and phrase.end < len(words) and words[phrase.end].lower == "and":
        other = _phrase_right(ctx, phrase.end + 1)
        if other is None or not other.counted or other.start != phrase.end + 1:
            break
        phrase = _Phrase(phrase.start, other.end, True, phrase.people or other.people)
    return phrase


# --------------------------------------------------------------------------- triggers

Disposition = Literal["span", "negated", "irrealis", "pronoun", "accident", "not_people", "no_outcome",
                      "unresolved"]


@dataclass(frozen=True)
class Finding:
    """What one trigger came to: a span, or why there is none."""

    start: int                       # the trigger's words
    end: int
    label: str
    disposition: Disposition
    span: CasualtySpan | None = None


def _aux_start(words: list[_Word], i: int) -> int:
    """Start of the auxiliaries and adverbs directly before word ``i``."""
    k = i
    while k > 0 and (words[k - 1].lower in _AUX or words[k - 1].lower in _NEGATORS
                     or words[k - 1].lower in _MODALS and words[k - 1].lower != "to"):
        k -= 1
    while k > 0 and words[k - 1].lower == "to":   # "to be killed", "to have been arrested"
        k -= 1
    return k


def _context_says(words: list[_Word], k: int, vocabulary: frozenset[str], reach: int = 4) -> bool:
    return any(w.lower in vocabulary for w in words[max(0, k - reach):k])


def _finding(ctx: _Context, i: int, end: int, trigger: Trigger) -> Finding:
    """Decide one trigger at words ``[i, end)``."""
    words = ctx.words
    aux = _aux_start(words, i)
    before = {w.lower for w in words[aux:i]}
    label = "KILLED" if trigger.label == "INJURED" and before & {"fatally", "mortally"} else trigger.label

    def result(disposition: Disposition, phrase: _Phrase | None = None) -> Finding:
        span = None
        if phrase is not None:
            text_start, text_end = words[phrase.start].start, words[phrase.end - 1].end
            span = CasualtySpan(text_start, text_end, label, "")
        return Finding(i, end, label, disposition, span)

    if trigger.mode == "role":                   # the noun entails the outcome, whatever the verb
        phrase = _phrase_for(ctx, i, end, aux, before, trigger)
        return result("span", phrase) if isinstance(phrase, _Phrase) else result("unresolved")
    if before & _NEGATORS or (aux > 0 and words[aux - 1].lower in ("without", "no", "escaped", "escape")):
        return result("negated")
    realis_infinitive = "to" in before and "have" in before      # "claimed to have killed" (7.4)
    if (before & _MODALS and not realis_infinitive) or _context_says(words, aux, _IRREALIS_BEFORE):
        return result("irrealis")
    if trigger.mode == "base":                   # "kill" with no modal or negation: a noun, or unclear
        return result("unresolved")
    if _context_says(words, i, _DENIAL, reach=len(words)):
        return result("negated")
    shot_noun = i > 0 and words[i - 1].lower in ("a", "the", "one", "another", "no", "single", "warning", "first")
    if words[i].lower == "shot" and (shot_noun or end < len(words) and words[end].lower in ("at", "into", "through")):
        return result("no_outcome")              # "shot at the car": a shooting, nobody hit yet
    if trigger.mode == "noun":
        return result("unresolved")
    if trigger.mode == "none":
        return result("no_outcome")
    phrase = _phrase_for(ctx, i, end, aux, before, trigger)
    if isinstance(phrase, str):
        return result("not_people" if trigger.people_only and phrase == "unresolved" else phrase)  # type: ignore[arg-type]
    if trigger.people_only and not _is_people(ctx.words[phrase.end - 1]):
        return result("not_people")
    return result("span", phrase)


def _phrase_for(ctx: _Context, i: int, end: int, aux: int, before: set[str], trigger: Trigger) -> _Phrase | str:
    """The phrase naming the people of a trigger, or why there is none."""
    words = ctx.words
    mode = trigger.mode
    if mode == "past" and words[i].lower in _ROLE_WORDS and i > 0 and words[i - 1].lower == "the" \
            and (end == len(words) or _is_stop(words[end])):
        return _Phrase(i, end, False, True)            # "the dead", "the injured" (7.18)
    if mode == "past" and not before & _BE and _opens_phrase(ctx, end) \
            and tuple(w.lower for w in words[i:end]) not in (("dead",), ("found", "dead")):
        mode = "ing"                                   # active: "killed 12", "arrested three militants"
    if mode == "role":
        left = _left_region(ctx, i)
        counted = _phrase_left(ctx, left, i)
        if counted is not None and counted.counted and counted.end == i:
            people_named = counted.people and counted.end - counted.start > 1
            return counted if people_named else _Phrase(counted.start, end, True, True)
        return _Phrase(i, end, False, True)
    if mode == "ing" and trigger.mode == "past" and i > 0 and words[i - 1].lower in _DETERMINERS:
        phrase = _phrase_right(ctx, end)             # "the arrested men": an adjective, in the span
        return "unresolved" if phrase is None or phrase.start != end else _Phrase(i, phrase.end, False, True)
    if mode in ("ing", "of", "toll"):
        start = end
        if mode == "toll":
            while start < len(words) and words[start].lower in (
                    "rose", "risen", "rises", "climbed", "reached", "stands", "stood", "is", "was", "has", "had",
                    "went", "up", "to", "at", "of", "now", "increased", "mounted"):
                start += 1
        if start < len(words) and words[start].lower in _PRONOUNS:
            return "pronoun"
        if start < len(words) and (words[start].lower in _NOBODY or words[start].lower in ("any", "anyone")):
            return "negated"
        phrase = _phrase_right(ctx, start)
        if phrase is None or (mode == "toll" and not phrase.counted):
            return "unresolved"
        return _join_right(ctx, phrase)
    left = aux
    if left > 0 and words[left - 1].lower in _RELATIVES:
        left -= 1
        if left > 0 and words[left - 1].text == ",":
            left -= 1
    if left > 0 and words[left - 1].text == ",":
        left = _before_appositive(words, left - 1)
    if left > 0 and words[left - 1].lower in _PRONOUNS:
        return "pronoun"
    if left > 0 and (words[left - 1].lower in _NOBODY or tuple(w.lower for w in words[left - 2:left]) == ("no", "one")):
        return "negated"
    region = _left_region(ctx, left)
    if any(w.lower == "no" for w in words[region:left]):
        return "negated"
    phrase = _phrase_left(ctx, region, left)
    return "unresolved" if phrase is None else _join_left(ctx, phrase)


def _before_appositive(words: list[_Word], comma: int) -> int:
    """Where the phrase before ", a 5-year-old Latina," or ", including a child," ends: at the
    comma that opens the aside, or at ``comma`` itself when there is none."""
    found = comma
    for k in range(comma - 1, max(0, comma - 15), -1):
        if words[k].lower in _SUBSET_WORDS and words[k - 1].text == ",":
            return k - 1                 # "three of his colleagues, including Khalid Hameed, ..."
        if words[k].text == "," and found == comma and not words[k - 1].text.isdigit():
            found = k                    # "Avello, 34, native of santa marta," skips the age
    return found


def _opens_phrase(ctx: _Context, k: int) -> bool:
    """Whether an object starts at word ``k``: anything but a stop word, punctuation or a date."""
    words = ctx.words
    if k >= len(words):
        return False
    word = words[k]
    if word.lower in _DETERMINERS or word.lower in _PRONOUNS or _quantity_end(words, k) is not None:
        return True
    return not _is_stop(word) and word.lower not in _WEEKDAY_MONTH


def _triggers(words: list[_Word]) -> list[tuple[int, int, Trigger]]:
    """Trigger phrases in the sentence, left to right, longest first, not overlapping."""
    found, i = [], 0
    while i < len(words):
        end = _phrase_at_long(words, i)
        if end is None:
            i += 1
            continue
        found.append((i, end, TRIGGERS[tuple(w.lower for w in words[i:end])]))
        i = end
    return found


def _phrase_at_long(words: list[_Word], i: int) -> int | None:
    if words[i].lower not in _TRIGGER_FIRST:
        return None
    for size in range(_MAX_TRIGGER, 0, -1):
        key = tuple(w.lower for w in words[i:i + size])
        if len(key) == size and key in TRIGGERS:
            return i + size
    return None


# --------------------------------------------------------------------------- sentences


@dataclass
class Analysis:
    """Spans of one sentence, each trigger's fate, and whether every casualty word was explained."""

    spans: list[CasualtySpan] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    unexplained: list[str] = field(default_factory=list)

    @property
    def confident(self) -> bool:
        """True when no casualty word was left unexplained: the spans are the whole picture."""
        return not self.unexplained and all(f.disposition != "unresolved" for f in self.findings)


def analyse_sentence(sentence: str) -> Analysis:
    """Casualty spans of one sentence, with the reasoning behind them.

    >>> a = analyse_sentence("No one was killed in the blast.")
    >>> a.spans, a.confident
    ([], True)
    """
    if not isinstance(sentence, str) or not sentence.strip():
        return Analysis()
    words = _words(sentence)
    letters = [c for c in sentence if c.isalpha()]
    ctx = _Context(words, bool(letters) and (all(c.isupper() for c in letters) or all(c.islower() for c in letters)))
    lower = sentence.lower()
    accident = bool(_ACCIDENT.search(lower)) and not _VIOLENCE.search(lower)
    analysis = Analysis()
    covered: set[int] = set()
    for i, end, trigger in _triggers(words):
        finding = Finding(i, end, trigger.label, "accident") if accident else _finding(ctx, i, end, trigger)
        analysis.findings.append(finding)
        covered.update(range(i, end))
    taken: list[tuple[int, int]] = []
    for finding in analysis.findings:
        span = finding.span
        if span is None or any(span.start < e and s < span.end for s, e in taken):
            continue
        taken.append((span.start, span.end))
        analysis.spans.append(CasualtySpan(span.start, span.end, span.label, sentence[span.start:span.end]))
    analysis.spans.sort(key=lambda s: s.start)
    inside_spans = {k for k, w in enumerate(words) if any(s <= w.start and w.end <= e for s, e in taken)}
    analysis.unexplained = [w.text for k, w in enumerate(words)
                            if k not in covered and k not in inside_spans and CASUALTY_WORD.search(w.lower)
                            and not accident]
    return analysis


def label_casualties(sentence: str) -> list[CasualtySpan]:
    """KILLED / INJURED / CAPTURED spans of one sentence, with offsets into it.

    >>> [(s.text, s.label) for s in label_casualties(
    ...     "At least five Hazaras were killed and seven others injured in Quetta.")]
    [('At least five Hazaras', 'KILLED'), ('seven others', 'INJURED')]
    >>> label_casualties("The militants threatened to kill the journalist.")
    []
    """
    return analyse_sentence(sentence).spans
