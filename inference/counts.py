"""Casualty spans to counts: "As many as 41 Afghan soldiers" -> at most 41.

The extractor finds the phrase naming the people killed, injured or captured; event
data needs a number. :func:`normalise_count` turns that phrase into a :class:`Count`
(a best single figure plus a qualifier saying how to read it) and never raises, so it
can run over raw model output. Standard library only.

Conventions
-----------

``count`` is always a figure you can add up: for ``at_least`` a true lower bound, for
``at_most`` a true upper bound, for ``range`` the low end. ``low``/``high`` hold both
ends of a ``range``; for every other known count they repeat ``count``.

=====================================================  =========  ===============
Span (examples)                                        count      qualifier
=====================================================  =========  ===============
"27 soldiers", "1,200 people", "1.200", "1,20,000"     27 / ...   exact
"twenty-seven", "three hundred and five"               27 / 305   exact
tokenised "2 , 000", "eighty - five", "thirtythree"    2000/85/33 exact
"one officer", "a major general", "an officer"         1          exact
"Hamid Karzai" (or ``named_person=True``)              1          exact
"both", "a pair of"                                    2          exact
"at least N", "no fewer than N", "upwards of N"        N          at_least
"more than N", "over N", "in excess of N", "above N"   N + 1      at_least
"N or more"                                            N          at_least
"up to N", "as many as N", "no more than N",           N          at_most
"at most N", "a maximum of N"
"fewer than N", "less than N", "under N", "below N"    N - 1      at_most
"about/around/some/roughly/approximately N",           N          approximately
"nearly/almost N", "an estimated N", "close to N",
"N or so"
"a dozen" / "two dozen" / "half a dozen"               12/24/6    approximately
"half a million", "a half million", "half a thousand"  5e5 / 500  approximately
"a couple (of)", "a score of"                          2 / 20     approximately
"a few"                                                2          at_least
"several" / "several dozen/hundred/thousand"           3 / 3x...  at_least
"dozens"                                               24         at_least
"scores"                                               40         at_least
"hundreds" / "hundreds of thousands"                   200 / 2e5  at_least
"thousands" / "tens of thousands"                      2000 / 2e4 at_least
"millions"                                             2e6        at_least
"between 10 and 12", "10 to 12", "10-12", "10 or 12"   10         range (10, 12)
"no one", "none", "nobody"                             0          exact
"soldiers", "civilians", "a group of soldiers"         None       unknown
"", "##$%", "-5", "2.5 people", "1,20", > 10,000,000   None       unknown
=====================================================  =========  ===============

The vague plurals map to the smallest amount the word can mean ("dozens" is at least
two dozen), so every ``at_least`` figure is a safe lower bound. "nearly"/"almost" are
read as ``approximately`` rather than ``at_most``: reporters use them loosely.

Coordinated counts in one span are summed: "27 soldiers and three police" is 30
exact; "a soldier, a policeman and Hamid Karzai" is 3. Parts are split at ",", ";",
"and", "&", "plus", "as well as", "along with", "together with". Each part gives at
most one figure, its first one ("27 people in 3 villages" is 27, "a total of 27" is
27), and a part with no figure adds nothing ("27 soldiers and civilians" is 27, since
reporters often mean 27 in all) unless it opens with "some", "many", "other(s)",
"more", "numerous" or "unspecified" and no "of": "17 police and some civilians" is at
least 17, "27 people, many of them children" still 27 exact. The
sum's qualifier is the parts' shared qualifier ("exact" parts are neutral: exact +
at_least = at_least, exact + range shifts both ends); parts with different non-exact
qualifiers give "approximately" with the summed counts. Anything after a subset
marker ("including", "among", "of whom", "mostly", "mainly") is ignored, so
"27 people, including 3 children" is 27.

"a"/"an"/"another" counts as one only when it opens a part and its noun is not a
collective ("a group", "a number", "a unit" ... give unknown). A part with no figure
counts as one named person when every word is capitalised (name particles such as
"al", "bin", "van" allowed, an acronym title before the name: "ASI Abdul Rashid", and a
lower-case "mr."/"mrs."/"ms."/"dr."), it has at most six words, none is a known collective
("Taliban", "Police", ...) and the last word does not look plural, unless it is a
frequent surname after a given name ("Bettie Jones"); other names that end like plurals,
and a surname alone ("Jones"), fall back to unknown, so pass ``named_person=True`` when
the tagger knows. A lower-case part whose last word is a singular person noun counts as
one too ("soldier", "his brother", "narendra modi" in all-lower-case sources), because
casualty spans leave out "the" and possessives; nouns whose number the word does not
tell ("the injured", "personnel", "police") do not, nor do function words (a span cut
short to "up" of "up to 15" or "more" of "more than 150" names nobody), nor does a part
opening with "the" after a comma (an appositive: "Gen. Abdul Raziq, the police chief" is
one). "someone" is one, "multiple" at least two. With ``named_person=True`` any
non-blank span is 1 exact: numbers in a name span are ages or titles.

Digits: "," or "." separate thousands only in groups of three (Indian lakh groups of
two are accepted before the last group of three), so "1.200" is 1200 but "2.5" and
"1,20" are decimals, which are not head counts and make the span unknown unless a
scale word follows ("1.5 million"). Negative numbers, figures above
:data:`MAX_COUNT` and malformed digit groups make the whole span unknown rather than
a wrong number. Ages ("27-year-old", "aged 27", "27 years"), percentages and numbers
that name something ("a student of class nine", "channel 7", "flight 17") are not
counts. Work is linear in the length of the span.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import TypeVar

__all__ = ["MAX_COUNT", "MODIFIER_PHRASES", "NAME_PARTICLES", "NUMBER_WORDS", "QUALIFIERS", "VAGUE_PHRASES", "Count",
           "normalise_count", "parse_number"]

#: Figures above this are not believable casualty counts; they read as unknown.
MAX_COUNT = 10_000_000

EXACT, AT_LEAST, AT_MOST, APPROXIMATELY, RANGE, UNKNOWN = (
    "exact", "at_least", "at_most", "approximately", "range", "unknown")
QUALIFIERS = frozenset({EXACT, AT_LEAST, AT_MOST, APPROXIMATELY, RANGE, UNKNOWN})


@dataclass(frozen=True)
class Count:
    """A casualty figure and how to read it (see the module docstring's table).

    ``low``/``high`` default to ``count`` for every known qualifier but ``range``.

    >>> Count(27, "exact")
    Count(count=27, qualifier='exact', low=27, high=27)
    """

    count: int | None
    qualifier: str
    low: int | None = None
    high: int | None = None

    def __post_init__(self) -> None:
        if self.qualifier not in QUALIFIERS:
            raise ValueError(f"unknown qualifier {self.qualifier!r}; expected one of {sorted(QUALIFIERS)}")
        if self.count is not None and self.qualifier != RANGE and self.low is None and self.high is None:
            object.__setattr__(self, "low", self.count)
            object.__setattr__(self, "high", self.count)

    def to_dict(self) -> dict[str, int | str | None]:
        """Plain JSON-ready form, for event records.

        >>> Count(10, "range", 10, 12).to_dict()
        {'count': 10, 'qualifier': 'range', 'low': 10, 'high': 12}
        """
        return {"count": self.count, "qualifier": self.qualifier, "low": self.low, "high": self.high}


_UNKNOWN = Count(None, UNKNOWN)
_ONE = Count(1, EXACT)

# --------------------------------------------------------------------------- tokens


@dataclass(frozen=True)
class _Token:
    text: str
    lower: str
    start: int
    end: int


# Words are runs of letters/digits joined by hyphens or apostrophes ("twenty-seven",
# "10-12", "O'Neil"); "," and "." join only digits ("1,200", "2.5"). Anything else
# visible is a one-character token. No nested repetition, so matching is linear.
_TOKEN = re.compile(
    r"""
    [^\W_]+
    (?: (?: [-'’] | (?<=\d)[.,](?=\d) ) [^\W_]+ )*
    | \S
    """,
    re.VERBOSE,
)
_DASHES = str.maketrans({"–": "-", "—": "-", "‒": "-", "−": "-", "‐": "-", "‑": "-"})


#: "eighty - five" as tokenised sources (CAMEO-NER, WikiEvents) write "eighty-five".
_SPACED_COMPOUND = re.compile(
    r"\b(twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety) - (one|two|three|four|five|six|seven|eight|nine)\b",
    re.IGNORECASE)


#: "thirtythree" as some wire copy writes "thirty-three".
_JOINED_COMPOUND = re.compile(
    r"\b(twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(one|two|three|four|five|six|seven|eight|nine)\b",
    re.IGNORECASE)


#: "2 , 000" as tokenised sources write "2,000".
_SPACED_THOUSANDS = re.compile(r"(?<![\d,.])(\d{1,3}(?: , \d{3})+)(?![\d])")


#: Quote marks standing alone say nothing about a count, and one between a modifier and
#: its number ("at least” 21,000") would stop the modifier from being read.
_QUOTES = frozenset("\"'“”‘’«»„")


def _tokenize(text: str) -> list[_Token]:
    text = _SPACED_COMPOUND.sub(r"\1-\2", text.translate(_DASHES))
    text = _JOINED_COMPOUND.sub(r"\1-\2", text)
    text = _SPACED_THOUSANDS.sub(lambda m: m.group(1).replace(" , ", ","), text)
    return [_Token(m.group(), m.group().lower(), m.start(), m.end()) for m in _TOKEN.finditer(text)
            if m.group() not in _QUOTES]


_T = TypeVar("_T")


class _Phrases(dict[tuple[str, ...], _T]):
    """Phrases of up to three lower-case words; knows its first words for a quick miss."""

    def __init__(self, entries: Mapping[tuple[str, ...], _T]) -> None:
        super().__init__(entries)
        self.first_words = frozenset(phrase[0] for phrase in self)


def _match(tokens: list[_Token], i: int, table: _Phrases[_T]) -> tuple[_T, int] | None:
    """Longest phrase of ``table`` starting at token ``i``, with the index after it."""
    if tokens[i].lower not in table.first_words:
        return None
    for size in (3, 2, 1):
        key = tuple(token.lower for token in tokens[i:i + size])
        if len(key) == size and key in table:
            return table[key], i + size
    return None


# --------------------------------------------------------------------------- digits

_ASCII_DIGITS = frozenset("0123456789")
_UNREADABLE = -1                      # a figure that makes the whole span unknown
_TOO_BIG = MAX_COUNT + 1
_MAX_FIGURE_CHARS = 24                # longer digit strings are absurd; never int() them


def _is_figure_text(text: str) -> bool:
    """Digits with optional "," / "." separators: "27", "1,200", "2.5"."""
    return text[:1] in _ASCII_DIGITS and all(c in _ASCII_DIGITS or c in ",." for c in text)


def _is_thousands_grouping(groups: list[str]) -> bool:
    """"1,200,000" and lakh-style "1,20,000": last group of three, inner of two or three."""
    return (len(groups) >= 2 and 1 <= len(groups[0]) <= 3 and len(groups[-1]) == 3
            and all(2 <= len(group) <= 3 for group in groups[1:-1]))


def _figure_value(text: str) -> tuple[Fraction, bool] | None:
    """(value, written as a decimal) of a figure token, or None when malformed."""
    if len(text) > _MAX_FIGURE_CHARS:
        return Fraction(_TOO_BIG), False
    separators = {c for c in text if c in ",."}
    if not separators:
        return Fraction(int(text)), False
    if len(separators) == 2:
        return _mixed_separator_value(text)
    separator = separators.pop()
    groups = text.split(separator)
    if _is_thousands_grouping(groups):
        return Fraction(int("".join(groups))), False
    if len(groups) == 2:
        return Fraction(f"{groups[0]}.{groups[1]}"), True
    return None


def _mixed_separator_value(text: str) -> tuple[Fraction, bool] | None:
    """"1,200.5" or "1.200,5": the last separator is the decimal point."""
    point = max(text.rfind(","), text.rfind("."))
    whole, fraction = text[:point], text[point + 1:]
    thousands = "," if text[point] == "." else "."
    groups = whole.split(thousands)
    if text[point] in whole or not _is_thousands_grouping(groups):
        return None
    return Fraction(f"{''.join(groups)}.{fraction}"), True


# --------------------------------------------------------------------------- number words

_UNITS = {w: n for n, w in enumerate("one two three four five six seven eight nine".split(), 1)}
_TEENS = {w: n for n, w in enumerate(
    "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split(), 10)}
_TENS = {w: n * 10 for n, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), 2)}
_SCALES = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
_SCALE_AFTER_DIGITS = {"hundred": 100, **_SCALES}
_ARTICLES = frozenset({"a", "an"})


def _word_kind(word: str) -> tuple[str, int] | None:
    if word in _UNITS:
        return "unit", _UNITS[word]
    if word in _TEENS:
        return "teen", _TEENS[word]
    if word in _TENS:
        return "tens", _TENS[word]
    if word in _SCALES:
        return "scale", _SCALES[word]
    if word in ("hundred", "and", "zero"):
        return word, 0
    return None


@dataclass(frozen=True)
class _WordNumber:
    """Running value of a number written in words, fed one word at a time.

    ``current`` is the part below the last scale word ("five hundred" of "two
    thousand five hundred"); ``last`` is the previous word's kind, which decides
    what may follow, so "five five" or "thousand million" stop the number.
    """

    total: int = 0
    current: int = 0
    last: str | None = None
    smallest_scale: int | None = None

    @property
    def complete(self) -> bool:
        return self.last not in (None, "and")

    @property
    def value(self) -> int:
        return self.total + self.current

    def fed(self, word: str) -> _WordNumber | None:
        """The state after ``word``, or None when ``word`` cannot continue the number."""
        kind_value = _word_kind(word)
        if kind_value is None:
            return None
        kind, value = kind_value
        last = self.last
        if kind == "zero":
            return replace(self, last="zero") if last is None else None
        if kind == "unit" and last in (None, "hundred", "scale", "and", "tens"):
            return replace(self, current=self.current + value, last=kind)
        if kind in ("teen", "tens") and last in (None, "hundred", "scale", "and"):
            return replace(self, current=self.current + value, last=kind)
        if kind == "hundred" and last in ("unit", "teen", "tens") and 0 < self.current < 100:
            return replace(self, current=self.current * 100, last=kind)
        if (kind == "scale" and last in ("unit", "teen", "tens", "hundred")
                and (self.smallest_scale is None or value < self.smallest_scale)):
            return _WordNumber(self.total + self.current * value, 0, kind, value)
        if kind == "and" and last in ("hundred", "scale"):
            return replace(self, last=kind)
        return None


def _word_parts(tokens: list[_Token], j: int, first: bool) -> list[str]:
    """The number words one token contributes; "a" before a scale word is "one"."""
    word = tokens[j].lower
    if first and word in _ARTICLES and j + 1 < len(tokens) and tokens[j + 1].lower in _SCALE_AFTER_DIGITS:
        return ["one"]
    return word.split("-")


def _read_number_words(tokens: list[_Token], i: int) -> tuple[int, int] | None:
    """Longest complete number in words from token ``i``: (value, end) or None."""
    state, best, j = _WordNumber(), None, i
    while j < len(tokens):
        trial: _WordNumber | None = state
        for part in _word_parts(tokens, j, first=j == i):
            trial = trial.fed(part) if trial is not None else None
        if trial is None:
            break
        state, j = trial, j + 1
        if state.complete:
            best = (state.value, j)
    return best


# --------------------------------------------------------------------------- figures


@dataclass(frozen=True)
class _Figure:
    """A number read from the text; ``value`` is _UNREADABLE or above MAX_COUNT when bad."""

    value: int
    approximate: bool
    end: int


def _read_figure(tokens: list[_Token], i: int) -> _Figure | None:
    """A number at token ``i`` in digits or words, with a scale or "dozen" after it."""
    if i >= len(tokens):
        return None
    text = tokens[i].text
    if _is_figure_text(text):
        return _read_digits(tokens, i)
    if tokens[i].lower in _ARTICLES and i + 1 < len(tokens) and tokens[i + 1].lower == "dozen":
        return _Figure(12, True, i + 2)
    words = _read_number_words(tokens, i)
    if words is None:
        return None
    return _with_dozen(tokens, *words)


def _read_digits(tokens: list[_Token], i: int) -> _Figure:
    parsed = _figure_value(tokens[i].text)
    if parsed is None:
        return _Figure(_UNREADABLE, False, i + 1)
    value, decimal = parsed
    end = i + 1
    if end < len(tokens) and tokens[end].lower in _SCALE_AFTER_DIGITS and value <= MAX_COUNT:
        value, decimal, end = value * _SCALE_AFTER_DIGITS[tokens[end].lower], False, end + 1
    if decimal or value.denominator != 1:
        return _Figure(_UNREADABLE, False, end)
    return _with_dozen(tokens, int(min(value, _TOO_BIG)), end)


def _with_dozen(tokens: list[_Token], value: int, end: int) -> _Figure:
    """"two dozen" is about 24."""
    if end < len(tokens) and tokens[end].lower == "dozen":
        return _Figure(value * 12, True, end + 1)
    return _Figure(value, False, end)


def _piece(value: int, qualifier: str) -> Count:
    """A part's Count, or unknown when the figure is negative, unreadable or absurd."""
    if not 0 <= value <= MAX_COUNT:
        return _UNKNOWN
    return Count(value, qualifier)


def _range(first: int, second: int) -> Count:
    low, high = min(first, second), max(first, second)
    if low < 0 or high > MAX_COUNT:
        return _UNKNOWN
    if low == high:
        return Count(low, EXACT)
    return Count(low, RANGE, low, high)


# --------------------------------------------------------------------------- phrases

_MODIFIERS: _Phrases[str] = _Phrases({
    **dict.fromkeys([("at", "least"), ("no", "fewer", "than"), ("no", "less", "than"), ("not", "less", "than"),
                     ("not", "fewer", "than"), ("a", "minimum", "of"), ("upwards", "of"), ("at", "minimum")],
                    AT_LEAST),
    **dict.fromkeys([("more", "than"), ("over",), ("in", "excess", "of"), ("above",), ("greater", "than")],
                    "more_than"),
    **dict.fromkeys([("up", "to"), ("as", "many", "as"), ("no", "more", "than"), ("not", "more", "than"),
                     ("at", "most"), ("a", "maximum", "of"), ("at", "maximum")], AT_MOST),
    **dict.fromkeys([("fewer", "than"), ("less", "than"), ("under",), ("below",)], "fewer_than"),
    **dict.fromkeys([("about",), ("around",), ("some",), ("roughly",), ("approximately",), ("approx",),
                     ("nearly",), ("almost",), ("an", "estimated"), ("estimated",), ("close", "to"),
                     ("circa",), ("an", "approximate"), ("approximate",)], APPROXIMATELY),
})

_VAGUE: _Phrases[tuple[int, str]] = _Phrases({
    ("dozens",): (24, AT_LEAST),
    ("scores",): (40, AT_LEAST),
    ("hundreds",): (200, AT_LEAST),
    ("hundreds", "of", "thousands"): (200_000, AT_LEAST),
    ("thousands",): (2_000, AT_LEAST),
    ("tens", "of", "thousands"): (20_000, AT_LEAST),
    ("millions",): (2_000_000, AT_LEAST),
    ("several",): (3, AT_LEAST),
    ("several", "dozen"): (36, AT_LEAST),
    ("several", "dozens"): (36, AT_LEAST),
    ("several", "hundred"): (300, AT_LEAST),
    ("several", "thousand"): (3_000, AT_LEAST),
    ("a", "few"): (2, AT_LEAST),
    ("a", "few", "dozen"): (24, AT_LEAST),
    ("a", "few", "hundred"): (200, AT_LEAST),
    ("a", "few", "thousand"): (2_000, AT_LEAST),
    ("half", "a", "dozen"): (6, APPROXIMATELY),
    ("half", "a", "thousand"): (500, APPROXIMATELY),
    ("half", "a", "million"): (500_000, APPROXIMATELY),
    ("a", "half", "million"): (500_000, APPROXIMATELY),
    ("half", "million"): (500_000, APPROXIMATELY),
    ("a", "couple"): (2, APPROXIMATELY),
    ("couple", "of"): (2, APPROXIMATELY),
    ("a", "score"): (20, APPROXIMATELY),
    ("a", "pair"): (2, EXACT),
    ("both",): (2, EXACT),
    ("multiple",): (2, AT_LEAST),
    ("someone",): (1, EXACT),
    ("somebody",): (1, EXACT),
    ("no", "one"): (0, EXACT),
    ("none",): (0, EXACT),
    ("nobody",): (0, EXACT),
})

#: The vocabulary above, public for span finders (``strife.models.casualty_rules``) that
#: must agree with this module on where a counted phrase starts: lower-case word tuples.
MODIFIER_PHRASES: frozenset[tuple[str, ...]] = frozenset(_MODIFIERS)
VAGUE_PHRASES: frozenset[tuple[str, ...]] = frozenset(_VAGUE)
NUMBER_WORDS: frozenset[str] = frozenset({*_UNITS, *_TEENS, *_TENS, *_SCALES, "hundred", "zero", "dozen"})

_COORDINATORS: _Phrases[bool] = _Phrases(dict.fromkeys(
    [(",",), (";",), ("and",), ("&",), ("plus",), ("as", "well", "as"), ("along", "with"), ("together", "with")],
    True))
_SUBSET_MARKERS = frozenset({"including", "includes", "among", "amongst", "whom", "mostly", "mainly"})
_RANGE_JOINERS = frozenset({"-", "to", "or"})
_BETWEEN_JOINERS = frozenset({"-", "to", "and"})
#: Words after which a number is an age or names something ("a student of class nine",
#: "channel 7 television", "flight 17"), not a head count.
_NOT_PEOPLE_BEFORE = frozenset(
    "aged age ages class grade standard channel flight route highway sector ward block phase room gate "
    "platform chapter article section page number".split())
_NOT_PEOPLE_AFTER = frozenset({"year", "years", "yr", "yrs", "month", "months", "year-old", "years-old",
                               "month-old", "months-old", "%", "percent", "per"})

#: Nouns after "a"/"an" that name a group, not one person ("a group of soldiers").
_COLLECTIVE_HEADS = frozenset(
    "group number lot handful host crowd band series convoy unit team squad platoon company battalion "
    "brigade regiment division family total couple few dozen score bunch batch mob gang party contingent "
    "detachment delegation patrol crew section majority minority quarter third half fraction portion "
    "percentage rest remainder wave spate string".split())
#: Capitalised words that name groups, so a span made of them is not one named person.
_COLLECTIVE_NAMES = frozenset(
    "taliban police army military militia militias forces force troops government ministry brigade "
    "battalion regiment corps guard guards unit security personnel staff team group state isis isil daesh "
    "qaeda al-qaeda hezbollah hamas peshmerga nato un navy marines air airforce command they them we us you those "
    "these others all many some most none several the a an his her their our its".split())
#: Frequent surnames that end like plurals; after a given name they still name one person
#: ("Bettie Jones", "Ryan Owens"). Surnames that are also common plural nouns ("Banks",
#: "Gates", "Powers") are left out: a span ending in one stays unknown.
_PLURAL_LOOKING_SURNAMES = frozenset(
    "jones williams davis harris roberts evans edwards collins stevens phillips parsons peters "
    "rogers reynolds richards simmons sanders myers hayes owens hughes perkins watkins hopkins "
    "adams matthews andrews ellis holmes james jenkins hawkins daniels nichols rhodes barnes "
    "rollins higgins gibbs jacobs stephens wallis willis ennis binns genis".split())
#: Titles that wire copy sometimes writes in lower case before a name ("mr. Abdul Rashid").
_LOWER_CASE_TITLES = frozenset("mr mrs ms dr".split())
#: Lower-case particles inside personal names ("bin", "al", "van"), shared with the rule labeller.
NAME_PARTICLES = frozenset("al el bin ibn bint abu abd de da di del della van von der den du le la ul ud".split())


def _apply_modifier(modifier: str, piece: Count) -> Count:
    """"more than a dozen" is at least 13; vague words and ranges keep their own reading."""
    if piece.count is None or piece.qualifier not in (EXACT, APPROXIMATELY):
        return piece
    if modifier == "more_than":
        return _piece(piece.count + 1, AT_LEAST)
    if modifier == "fewer_than":
        return _piece(piece.count - 1, AT_MOST)
    return Count(piece.count, modifier)


def _read_quantity(tokens: list[_Token], i: int) -> tuple[Count, int] | None:
    """One counted phrase at token ``i``: modifier + amount, "between X and Y", or amount."""
    modified = _match(tokens, i, _MODIFIERS)
    if modified is not None:
        modifier, j = modified
        plain = _read_plain(tokens, j)
        return (_apply_modifier(modifier, plain[0]), plain[1]) if plain else None
    if tokens[i].lower == "between":
        between = _read_between(tokens, i + 1)
        if between is not None:
            return between
    return _read_plain(tokens, i)


def _read_between(tokens: list[_Token], i: int) -> tuple[Count, int] | None:
    first = _read_figure(tokens, i)
    if first is None or first.end >= len(tokens) or tokens[first.end].lower not in _BETWEEN_JOINERS:
        return None
    second = _read_figure(tokens, first.end + 1)
    if second is None:
        return None
    return _range(first.value, second.value), second.end


def _read_plain(tokens: list[_Token], i: int) -> tuple[Count, int] | None:
    """An amount with no modifier: vague word, "10-12", or a figure with its range or suffix."""
    if i >= len(tokens) or (i > 0 and tokens[i - 1].lower in _NOT_PEOPLE_BEFORE):
        return None
    vague = _match(tokens, i, _VAGUE)
    if vague is not None:
        (value, qualifier), end = vague
        return Count(value, qualifier), end
    hyphen_range = _read_hyphen_range(tokens[i].text)
    if hyphen_range is not None:
        return hyphen_range, i + 1
    figure = _read_figure(tokens, i)
    if figure is None:
        return None
    end = figure.end
    if end < len(tokens) and tokens[end].lower in _NOT_PEOPLE_AFTER:
        return None
    if end + 1 < len(tokens) and tokens[end].text == "-" and tokens[end + 1].lower in _NOT_PEOPLE_AFTER:
        return None  # an age written with spaced hyphens: "six - year - old"
    qualifier = APPROXIMATELY if figure.approximate else EXACT
    if end + 1 < len(tokens) and tokens[end].lower == "or" and tokens[end + 1].lower in ("more", "so"):
        return _piece(figure.value, AT_LEAST if tokens[end + 1].lower == "more" else APPROXIMATELY), end + 2
    if end < len(tokens) and tokens[end].lower in _RANGE_JOINERS:
        second = _read_figure(tokens, end + 1)
        if second is not None:
            return _range(figure.value, second.value), second.end
    return _piece(figure.value, qualifier), end


def _read_hyphen_range(text: str) -> Count | None:
    """"10-12" written as one token."""
    parts = text.split("-")
    if len(parts) != 2 or not all(_is_figure_text(part) for part in parts):
        return None
    values = [_figure_value(part) for part in parts]
    if any(value is None or value[1] or value[0].denominator != 1 for value in values):
        return _UNKNOWN
    return _range(*(int(min(value[0], _TOO_BIG)) for value in values if value is not None))


# --------------------------------------------------------------------------- parts


def _is_negative_sign(tokens: list[_Token], i: int) -> bool:
    """A "-" glued to the digits after it: "-5"."""
    return (tokens[i].text == "-" and i + 1 < len(tokens)
            and tokens[i].end == tokens[i + 1].start and _is_figure_text(tokens[i + 1].text))


def _is_capitalised(word: str) -> bool:
    """"Karzai", "al-Baghdadi", "O'Neil" yes; "soldiers", "ISIS" no."""
    parts = [part for part in word.split("-") if part]
    return bool(parts) and all(
        part.lower() in NAME_PARTICLES or (part[0].isupper() and not (len(part) > 1 and part.isupper()))
        for part in parts)


def _is_acronym(word: str) -> bool:
    """"ASI", "SHO", "DSP": two to five capital letters."""
    return 2 <= len(word) <= 5 and word.isalpha() and word.isupper()


def _looks_plural(word: str) -> bool:
    lower = word.lower()
    if lower.endswith("men") and lower not in ("yemen", "amen"):
        return True  # "policemen", "gunmen", "women"
    if lower in ("guerrillas", "ultras"):
        return True
    if lower.endswith("os") and word.islower():
        return True  # "commandos"; capitalised "Carlos", "Ramos" are names
    return lower.endswith("s") and not lower.endswith(("ss", "us", "as", "os"))


def _without_possessive(word: str) -> str:
    """"Nam's" is the name "Nam", not a plural (a span widened to the whole word)."""
    return word[:-2] if len(word) > 2 and word[-2:].lower() in ("'s", "’s") else word


def _outside_brackets(tokens: list[_Token]) -> list[_Token]:
    """Tokens not inside (...): "Assistant Sub Inspector (ASI) Wazir Ali Abro"."""
    kept, depth = [], 0
    for token in tokens:
        depth += token.text == "("
        if depth == 0:
            kept.append(token)
        depth -= token.text == ")" and depth > 0
    return kept


def _looks_like_name(tokens: list[_Token]) -> bool:
    """Every word capitalised, no digits, no collective, last word not plural (or a frequent surname)."""
    words = [_without_possessive(token.text) for token in _outside_brackets(tokens)
             if any(c.isalpha() for c in token.text)]
    # "President of the Majlis", "Tirupati alias Akash": lower-case joiners do not break a name
    words = [w for i, w in enumerate(words) if not (i > 0 and w in ("of", "the", "e", "alias"))]
    if len(words) > 1 and words[0] in _LOWER_CASE_TITLES:
        words = words[1:]
    if not 1 <= len(words) <= 8 or any(any(c.isdigit() for c in word) for word in words):
        return False
    # a title written as an acronym may open a name: "ASI Abdul Rashid", "DSP Noor Khan"
    if not all(_is_capitalised(word) or (i < len(words) - 1 and _is_acronym(word)) for i, word in enumerate(words)):
        return False
    if all(part.lower() in NAME_PARTICLES for word in words for part in word.split("-")):
        return False
    if any(word.lower() in _COLLECTIVE_NAMES for word in words):
        return False
    last = words[-1]
    return not _looks_plural(last) or (len(words) > 1 and last.lower() in _PLURAL_LOOKING_SURNAMES)


def _article_means_one(tokens: list[_Token]) -> bool:
    """A part opening with "a"/"an"/"another" and a non-collective noun: "a major general"."""
    nouns = [token.lower for token in tokens[1:] if any(c.isalpha() for c in token.text)]
    if len(tokens) == 1 and tokens[0].lower == "another":
        return True  # "another was injured"
    if not tokens or tokens[0].lower not in ("a", "an", "another") or not nouns:
        return False
    return not any(noun in _COLLECTIVE_HEADS for noun in nouns[:2])  # "a (large) group of"


#: Nouns that do not end in "s" yet name several people, or whose number the word
#: does not tell ("the injured", "the deceased"): a bare one is not one person.
_NUMBERLESS_NOUNS = frozenset(
    "people folk men women children police personnel staff militia infantry cavalry artillery clergy youth "
    "dead deceased injured wounded missing arrested accused detained kidnapped abducted captured "
    "displaced rest others".split())
#: A part opening with one of these is an appositive ("Gen. Abdul Raziq, the police
#: chief"), a plural, or not a person at all, so it is not counted as one.
_NOT_ONE_OPENERS = frozenset("the these those some many all both it this that which what who whom".split())


#: Words of the count modifiers ("up", "to", "more", "than") and other function words: a
#: span cut short to one of them ("up" of "up to 15") names nobody.
_FUNCTION_WORDS = frozenset({word for phrase in _MODIFIERS for word in phrase} |
                            set("of by for with from on in into at and or but than".split()))


def _bare_singular(tokens: list[_Token], after_comma: bool) -> bool:
    """A lower-case noun phrase whose last word is a singular person noun: "soldier",
    "his brother", "police constable", or a name in an all-lower-case source
    ("narendra modi"); spans exclude "the" and possessives (guidelines 4.2), which
    leaves such singulars without a number word."""
    words = [token.lower for token in tokens]
    if not 1 <= len(words) <= 6 or not all(any(c.isalpha() for c in w) and not any(c.isdigit() for c in w)
                                           for w in words):
        return False
    last = words[-1]
    if not tokens[-1].text.islower():
        return False  # capitalised phrases are names or organisations: _looks_like_name decides
    if words[0] in _NOT_ONE_OPENERS and (after_comma or words[0] != "the"):
        return False
    return not (_looks_plural(last) or last in _NUMBERLESS_NOUNS or last in _COLLECTIVE_HEADS
                or last in _COLLECTIVE_NAMES or last in NUMBER_WORDS or last in _FUNCTION_WORDS)


#: A part with no figure that opens with one of these names further, uncounted people
#: ("17 police and some civilians"), so the total is only a lower bound.
_UNCOUNTED_OPENERS = frozenset("some many other others more numerous unspecified".split())
#: What such a part adds: nothing to the figure, "at least" to its reading.
_UNCOUNTED = Count(0, AT_LEAST)


def _part_count(tokens: list[_Token], taken: Count | None, after_comma: bool = False) -> Count | None:
    """What one coordinated part adds: its figure, else "a <noun>", a name or a bare
    singular noun as one, else "some <people>" as an uncounted lower bound."""
    if taken is not None:
        return taken
    if _article_means_one(tokens) or _looks_like_name(tokens) or _bare_singular(tokens, after_comma):
        return _ONE
    if tokens and tokens[0].lower in _UNCOUNTED_OPENERS and not (len(tokens) > 1 and tokens[1].lower == "of"):
        return _UNCOUNTED  # "many of them children" names a subset, not more people
    return None


def _parts(tokens: list[_Token]) -> list[Count]:
    """One Count per coordinated part that names anyone, left to right, in one pass."""
    counts: list[Count] = []
    start, i, taken, after_comma = 0, 0, None, False
    while i < len(tokens):
        if tokens[i].lower in _SUBSET_MARKERS:
            break
        coordinator = _match(tokens, i, _COORDINATORS)
        if coordinator is not None:
            counts.extend(c for c in [_part_count(tokens[start:i], taken, after_comma)] if c is not None)
            after_comma = tokens[i].text == ","  # ", the police chief" is an appositive
            start = i = coordinator[1]
            taken = None
            continue
        if taken is None:
            if _is_negative_sign(tokens, i):
                return [_UNKNOWN]
            read = _read_quantity(tokens, i)
            if read is not None:
                taken, i = read
                continue
        i += 1
    counts.extend(c for c in [_part_count(tokens[start:i], taken, after_comma)] if c is not None)
    return counts


def _sum(parts: list[Count]) -> Count:
    """Coordinated parts added up; see the module docstring for the qualifier rule."""
    if not parts or any(part.count is None for part in parts) or all(part is _UNCOUNTED for part in parts):
        return _UNKNOWN
    total = sum(part.count for part in parts if part.count is not None)
    if total > MAX_COUNT:
        return _UNKNOWN
    qualifiers = {part.qualifier for part in parts} - {EXACT}
    if not qualifiers:
        return Count(total, EXACT)
    qualifier = qualifiers.pop() if len(qualifiers) == 1 else APPROXIMATELY
    if qualifier != RANGE:
        return Count(total, qualifier)
    high = sum(part.high for part in parts if part.high is not None)
    return _UNKNOWN if high > MAX_COUNT else Count(total, RANGE, total, high)


# --------------------------------------------------------------------------- public


def normalise_count(span: str, *, named_person: bool = False) -> Count:
    """The number of people a casualty span names, with how sure the text is.

    Never raises: blank, garbled or absurd spans come back as ``unknown``.

    >>> normalise_count("As many as 41 Afghan security force personnel")
    Count(count=41, qualifier='at_most', low=41, high=41)
    >>> normalise_count("27 soldiers and three police").to_dict()
    {'count': 30, 'qualifier': 'exact', 'low': 30, 'high': 30}
    >>> normalise_count("more than 100 civilians").count
    101
    >>> normalise_count("between 10 and 12 people")
    Count(count=10, qualifier='range', low=10, high=12)
    >>> normalise_count("a major general").count, normalise_count("Hamid Karzai").count
    (1, 1)
    >>> normalise_count("dozens of militants")
    Count(count=24, qualifier='at_least', low=24, high=24)
    >>> normalise_count("civilians")
    Count(count=None, qualifier='unknown', low=None, high=None)
    """
    if not isinstance(span, str) or not span.strip():
        return _UNKNOWN
    if named_person:
        return _ONE
    return _sum(_parts(_tokenize(_and_a_half(_age_as_article(span)))))


#: A leading age without an article, also as tokenised sources write it: "24-year-old",
#: "12-year - old". Followed by a singular noun it says one person, like "a" (with an
#: article, "a 30 year old ..." already reads as one); on its own ("the 19-year-old
#: was hurt") it names one person too.
_LEADING_AGE = re.compile(r"^\s*\d{1,3}\s*-?\s*(?:year|month)s?\s*-?\s*old(?:\s+(?=\w)|\s*$)", re.IGNORECASE)


def _age_as_article(span: str) -> str:
    """ "24-year - old man" reads as "a man" (1), "19 - year - old" as "a person";
    "24-year-old men" is left alone."""
    match = _LEADING_AGE.match(span)
    if match is None:
        return span
    if not span[match.end():].strip():
        return "a person"
    rest = span[match.end():]
    head = rest.split()[0] if rest.split() else ""
    return span if _looks_plural(head) else "a " + rest


#: "one and a half million" is 1.5 million, not "one" and "a half million" summed.
_AND_A_HALF = re.compile(r"\b(\d{1,3}|one|two|three|four|five|six|seven|eight|nine)\s+and\s+a\s+half\s+"
                         r"(thousand|million|billion)\b", re.IGNORECASE)


def _and_a_half(span: str) -> str:
    """ "one and a half million" reads as "1.5 million" (digits with a scale word)."""
    return _AND_A_HALF.sub(lambda m: f"{_UNITS.get(m[1].lower(), m[1])}.5 {m[2]}", span)


def parse_number(text: str) -> int | None:
    """The whole of ``text`` as a non-negative whole number, or None.

    Digits may use thousands separators (groups of three, so "1.200" is 1200 but
    "2.5" is a decimal and gives None); words go up to the millions. Vague words
    ("dozens") and figures above :data:`MAX_COUNT` give None.

    >>> parse_number("1,200"), parse_number("twenty-seven"), parse_number("three hundred and five")
    (1200, 27, 305)
    >>> parse_number("two thousand five hundred"), parse_number("a dozen"), parse_number("1.5 million")
    (2500, 12, 1500000)
    >>> parse_number("2.5") is None, parse_number("27 soldiers") is None
    (True, True)
    """
    if not isinstance(text, str):
        return None
    tokens = _tokenize(text)
    figure = _read_figure(tokens, 0) if tokens else None
    if figure is None or figure.end != len(tokens) or not 0 <= figure.value <= MAX_COUNT:
        return None
    return figure.value
