"""Casualty span -> count normaliser: each documented form, the edge cases, and fuzzing."""

from __future__ import annotations

import json
import random
import time

import pytest

from strife.inference.counts import MAX_COUNT, QUALIFIERS, Count, normalise_count, parse_number

try:
    from hypothesis import given, settings
    from hypothesis import strategies as st
except ImportError:  # not in every venv; the seeded fuzz test below always runs
    given = None


def reads(span: str, **kwargs: bool) -> tuple[int | None, str]:
    result = normalise_count(span, **kwargs)
    return result.count, result.qualifier


def assert_valid(result: Count) -> None:
    assert isinstance(result, Count)
    assert result.qualifier in QUALIFIERS
    assert result.count is None or 0 <= result.count <= MAX_COUNT
    if result.qualifier == "range":
        assert result.count == result.low < result.high <= MAX_COUNT
    elif result.count is None:
        assert result.qualifier == "unknown" and result.low is None and result.high is None
    else:
        assert result.low == result.high == result.count


# --------------------------------------------------------------------------- Count


def test_count_fills_low_and_high_for_known_non_ranges() -> None:
    assert Count(27, "exact") == Count(27, "exact", 27, 27)
    assert Count(None, "unknown").low is None


def test_count_rejects_unknown_qualifier() -> None:
    with pytest.raises(ValueError, match="qualifier"):
        Count(3, "lots")


def test_to_dict_is_json_ready() -> None:
    data = normalise_count("between 10 and 12 people").to_dict()
    assert data == {"count": 10, "qualifier": "range", "low": 10, "high": 12}
    assert json.loads(json.dumps(data)) == data
    assert normalise_count("").to_dict() == {"count": None, "qualifier": "unknown", "low": None, "high": None}


# --------------------------------------------------------------------------- parse_number


@pytest.mark.parametrize(("text", "expected"), [
    ("27", 27),
    ("0", 0),
    ("1,200", 1200),
    ("1,200,000", 1_200_000),
    ("1.200", 1200),            # groups of three: a thousands separator
    ("1,20,000", 120_000),      # lakh grouping
    ("twenty-seven", 27),
    ("Twenty seven", 27),
    ("three hundred", 300),
    ("three hundred and five", 305),
    ("two thousand", 2000),
    ("two thousand five hundred", 2500),
    ("a hundred", 100),
    ("one hundred and fifty thousand", 150_000),
    ("nineteen", 19),
    ("zero", 0),
    ("a dozen", 12),
    ("two dozen", 24),
    ("1.5 million", 1_500_000),
    ("10 thousand", 10_000),
])
def test_parse_number_reads(text: str, expected: int) -> None:
    assert parse_number(text) == expected


@pytest.mark.parametrize("text", [
    "", "   ", "2.5", "1,20", "1.2000", "-5", "dozens", "several", "a", "27 soldiers", "five five",
    "thousand", "hundred", "999999999999999999999", "twenty million", "one billion", "##$%", "5th",
])
def test_parse_number_rejects(text: str) -> None:
    assert parse_number(text) is None


def test_parse_number_tolerates_non_strings() -> None:
    assert parse_number(None) is None  # type: ignore[arg-type]


# --------------------------------------------------------------------------- documented forms


@pytest.mark.parametrize(("span", "expected"), [
    # digits and words
    ("27 soldiers", (27, "exact")),
    ("1,200 people", (1200, "exact")),
    ("1.200 people", (1200, "exact")),
    ("twenty-seven militants", (27, "exact")),
    ("three hundred and five civilians", (305, "exact")),
    ("two thousand refugees", (2000, "exact")),
    ("three members of the local police", (3, "exact")),
    ("1.5 million people", (1_500_000, "exact")),
    # one person
    ("a major general", (1, "exact")),
    ("an officer", (1, "exact")),
    ("one policeman", (1, "exact")),
    ("another soldier", (1, "exact")),
    ("a 27-year-old soldier", (1, "exact")),   # an age is not a count
    ("Hamid Karzai", (1, "exact")),
    ("Gen. Abdul Raziq", (1, "exact")),
    ("Abu Bakr al-Baghdadi", (1, "exact")),
    # lower bounds
    ("at least 5 soldiers", (5, "at_least")),
    ("no fewer than 5", (5, "at_least")),
    ("more than 100 civilians", (101, "at_least")),  # a true lower bound
    ("over 50 people", (51, "at_least")),
    ("just over 50 people", (51, "at_least")),
    ("more than one soldier", (2, "at_least")),
    ("more than a dozen", (13, "at_least")),
    ("5 or more", (5, "at_least")),
    # upper bounds
    ("up to 15", (15, "at_most")),
    ("As many as 41 Afghan security force personnel", (41, "at_most")),
    ("no more than 3 guards", (3, "at_most")),
    ("at most 4", (4, "at_most")),
    ("fewer than 10 people", (9, "at_most")),
    ("less than 10", (9, "at_most")),
    # approximations
    ("about 7 soldiers", (7, "approximately")),
    ("around 8", (8, "approximately")),
    ("some 9 police", (9, "approximately")),
    ("roughly 10", (10, "approximately")),
    ("an estimated 11 people", (11, "approximately")),
    ("nearly 30 civilians", (30, "approximately")),
    ("almost 30", (30, "approximately")),
    ("approximately 40", (40, "approximately")),
    ("20 or so", (20, "approximately")),
    ("a dozen soldiers", (12, "approximately")),
    ("two dozen", (24, "approximately")),
    ("half a dozen", (6, "approximately")),
    ("half a million refugees", (500_000, "approximately")),
    ("a half million people", (500_000, "approximately")),
    ("one and a half million people", (1_500_000, "exact")),
    ("about 2 and a half thousand", (2_500, "approximately")),
    ("more than half a million people", (500_001, "at_least")),
    ("a couple of policemen", (2, "approximately")),
    # vague plurals: the smallest amount the word can mean
    ("dozens", (24, "at_least")),
    ("dozens of civilians", (24, "at_least")),
    ("scores of people", (40, "at_least")),
    ("hundreds", (200, "at_least")),
    ("thousands of refugees", (2000, "at_least")),
    ("tens of thousands", (20_000, "at_least")),
    ("several people", (3, "at_least")),
    ("several hundred", (300, "at_least")),
    ("a few soldiers", (2, "at_least")),
    # exact small words
    ("both", (2, "exact")),
    ("both soldiers", (2, "exact")),
    ("no one", (0, "exact")),
    # ranges: count is the low end
    ("between 10 and 12", (10, "range")),
    ("10 to 12 people", (10, "range")),
    ("10-12", (10, "range")),
    ("10 – 12", (10, "range")),
    ("ten to twelve", (10, "range")),
    ("one or two", (1, "range")),
    ("between 12 and 10", (10, "range")),
    ("between 5 and 5", (5, "exact")),
    # no number
    ("soldiers", (None, "unknown")),
    ("civilians", (None, "unknown")),
    ("Afghan soldiers", (None, "unknown")),
    ("a group of soldiers", (None, "unknown")),
    ("a number of civilians", (None, "unknown")),
    ("the Taliban", (None, "unknown")),
    ("Taliban", (None, "unknown")),
    ("They", (None, "unknown")),
    # bare singulars, ages with spaced hyphens, gold-set review findings
    ("soldier", (1, "exact")),
    ("his brother", (1, "exact")),
    ("narendra modi", (1, "exact")),
    ("another", (1, "exact")),
    ("someone", (1, "exact")),
    ("multiple soldiers", (2, "at_least")),
    ("an 18 year-old girl", (1, "exact")),
    ("A six - year - old boy", (1, "exact")),
    ("24-year - old man", (1, "exact")),        # a leading age, tokenised, says one like "a"
    ("41-year-old victim", (1, "exact")),
    ("24-year-old men", (None, "unknown")),
    ("19 - year - old", (1, "exact")),            # the age alone names one person
    ("eighty - five", (85, "exact")),             # a tokenised compound, not the range 5-80
    ("Eighty - five civilians and seventy - two police", (157, "exact")),
    ("several dozens of protesters", (36, "at_least")),
    ("Kim Jong Nam's", (1, "exact")),             # a span widened to the whole possessive word
    ("Masharipov’s", (1, "exact")),
    ("Tirupati alias Akash and Lokesh alias Ramesh", (2, "exact")),
    ("more than 2 , 000 people", (2001, "at_least")),  # tokenised thousands
    ("1 , 200 , 000", (1_200_000, "exact")),
    ("Two locals and ASI Abdul Rashid", (3, "exact")),  # an acronym title opens a name
    ("DSP Noor Muhammad Khan", (1, "exact")),
    ("ASI", (None, "unknown")),                   # an acronym alone is not a name
    ("two 24-year-old men", (2, "exact")),
    ("the injured", (None, "unknown")),
    ("personnel", (None, "unknown")),
    ("slain Policemen", (None, "unknown")),
    ("gunmen", (None, "unknown")),
    ("arrested guerrillas", (None, "unknown")),
    ("26 people and the bomber", (27, "exact")),
    ("A 20 year old Communist Party of India Maoist (CPI Maoist) cadre", (1, "exact")),
    ("Deputy Assistant Sub Inspector Wazir Ali Abro and Constable Rab Nawaz", (2, "exact")),  # 7-word name
    ("Assistant Sub Inspector (ASI) Wazir Ali Abro and Constable Rab Nawaz", (2, "exact")),
    ("President of the Majlis e Wahdatul Muslimeen (MWM) Rajanpur District", (1, "exact")),
    ("Ministry of the Interior", (None, "unknown")),
    ("it", (None, "unknown")),
    ("at least” 21,000", (21_000, "at_least")),       # a quote mark between modifier and number
    ('at least "21,000" people', (21_000, "at_least")),
    ("Many of Turkey's elite special forces and commandos", (None, "unknown")),  # "-os" plural
    ("Carlos Ramos", (1, "exact")),                    # capitalised "-os" names stay names
    ("Bettie Jones", (1, "exact")),                    # a frequent surname that ends like a plural
    ("Quintonio LeGrier and Bettie Jones", (2, "exact")),
    ("Iraqi Soldiers", (None, "unknown")),             # a plural that is not a surname stays unknown
    ("Central Banks", (None, "unknown")),              # surnames that are also plural nouns are left out
    ("heroic soldiers and Peshmerga", (None, "unknown")),  # a force, not a named person
    ("thirtythree people", (33, "exact")),             # wire copy without the hyphen
    ("a student of class nine", (1, "exact")),         # a number that names a class is no count
    ("channel 7 television", (None, "unknown")),
    ("flight 17 passengers and 3 crew", (3, "exact")),
    ("mr. Abdul Rashid", (1, "exact")),                # a lower-case title before a name
    ("up", (None, "unknown")),                         # a span cut short to a modifier names nobody
    ("more", (None, "unknown")),
    ("John Ennis", (1, "exact")),
    ("Mark Binns and Peter Genis", (2, "exact")),
])
def test_documented_forms(span: str, expected: tuple[int | None, str]) -> None:
    assert reads(span) == expected


@pytest.mark.parametrize(("span", "low", "high"), [
    ("between 10 and 12", 10, 12),
    ("10-12", 10, 12),
    ("1,200-1,500 people", 1200, 1500),
    ("10 to 12 soldiers and 3 police", 13, 15),      # exact parts shift both ends
])
def test_range_ends(span: str, low: int, high: int) -> None:
    result = normalise_count(span)
    assert (result.qualifier, result.count, result.low, result.high) == ("range", low, low, high)


# --------------------------------------------------------------------------- coordination


@pytest.mark.parametrize(("span", "expected"), [
    ("27 soldiers and three police", (30, "exact")),
    ("27 soldiers, 3 police and a civilian", (31, "exact")),
    ("a soldier and a policeman", (2, "exact")),
    ("Hamid Karzai and a bodyguard", (2, "exact")),
    ("five soldiers as well as two civilians", (7, "exact")),
    ("at least 5 soldiers and 3 police", (8, "at_least")),
    ("up to 5 soldiers and up to 3 police", (8, "at_most")),
    ("at least 5 soldiers and up to 3 police", (8, "approximately")),   # mixed bounds
    ("27 soldiers and civilians", (27, "exact")),                       # a part with no figure adds nothing
    ("17 Police and CRPF personnel and some civilians", (17, "at_least")),  # ... unless it names more people
    ("3 soldiers and others", (3, "at_least")),
    ("27 people, many of them children", (27, "exact")),                # "many of" is a subset
    ("some civilians", (None, "unknown")),                              # uncounted alone stays unknown
    ("27 people, including 3 children", (27, "exact")),                 # subsets are not added
    ("27 people, mostly civilians", (27, "exact")),
    ("three of the 27 soldiers", (3, "exact")),                         # one figure per part
    ("a total of 27 people", (27, "exact")),
    ("27 people in 3 villages", (27, "exact")),
    ("Gen. Abdul Raziq, the police chief", (1, "exact")),
])
def test_coordinated_counts_are_summed(span: str, expected: tuple[int | None, str]) -> None:
    assert reads(span) == expected


def test_number_words_keep_their_own_and() -> None:
    assert reads("two hundred and five") == (205, "exact")
    assert reads("two hundred and five soldiers and 3 police") == (208, "exact")


# --------------------------------------------------------------------------- named persons


def test_named_person_flag_overrides_numbers_in_the_name_span() -> None:
    assert reads("Hamid Karzai, 65", named_person=True) == (1, "exact")
    assert reads("Mullah Omar", named_person=True) == (1, "exact")
    assert reads("   ", named_person=True) == (None, "unknown")


def test_name_heuristic_is_conservative() -> None:
    assert reads("Jones") == (None, "unknown")               # a surname alone: pass named_person=True
    assert reads("Jones", named_person=True) == (1, "exact")
    assert reads("Afghan National Army") == (None, "unknown")
    assert reads("ISIS") == (None, "unknown")
    assert reads("Americans") == (None, "unknown")


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("span", [
    "", " ", "\n\t  ", "##$%", "!!!", "-5", "-5 soldiers", "2.5 people", "1,20 people", "1.2.3",
    "999999999999999999999 people", "20,000,000 people", "one billion", "more than 10,000,000",
    "10-999999999999", "27 soldiers and 2.5 others", "aged 27", "27 years", "10% of the population",
    "٣ soldiers",
])
def test_bad_or_absurd_input_is_unknown(span: str) -> None:
    assert reads(span) == (None, "unknown")


def test_cap_is_inclusive() -> None:
    assert reads("10,000,000 people") == (MAX_COUNT, "exact")
    assert reads("10,000,001 people") == (None, "unknown")
    assert reads("9,000,000 and 2,000,000") == (None, "unknown")   # the sum is capped too


def test_non_string_input_is_unknown() -> None:
    assert reads(None) == (None, "unknown")  # type: ignore[arg-type]
    assert reads(27) == (None, "unknown")  # type: ignore[arg-type]


@pytest.mark.parametrize("span", [
    "9" * 100_000,
    "1," * 50_000 + "1",
    "a and " * 20_000,
    "twenty " * 15_000,
    "Hamid " * 20_000,
    "one hundred and " * 7_000,
    "between 10 and 12, " * 5_000,
    "- 5 " * 25_000,
    "x" * 100_000,
])
def test_long_input_is_fast_and_valid(span: str) -> None:
    started = time.perf_counter()
    result = normalise_count(span)
    parse_number(span)
    assert time.perf_counter() - started < 10  # linear: well under a second on an idle machine
    assert_valid(result)


_FUZZ_WORDS = (
    "a an and , ; - – 10 12 0 1,200 1.200 2.5 -5 1,20 twenty seven hundred thousand million billion dozen "
    "dozens scores several few couple both between to or more than at least up as many no fewer some about "
    "nearly including of the soldiers civilians Hamid Karzai Taliban year-old 27-year-old 10-12 aged % "
    "999999999999999999 plus well along with & one zero none"
).split()


def test_seeded_fuzz_never_raises() -> None:
    rng = random.Random(20240601)
    alphabet = "abcAZ09 ,.-–;&%#'’\u00a0\n٣²"
    for _ in range(3000):
        if rng.random() < 0.5:
            span = " ".join(rng.choice(_FUZZ_WORDS) for _ in range(rng.randint(0, 12)))
        else:
            span = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        assert_valid(normalise_count(span))
        assert_valid(normalise_count(span, named_person=True))
        value = parse_number(span)
        assert value is None or 0 <= value <= MAX_COUNT


if given is not None:

    @settings(max_examples=300, deadline=None)
    @given(st.one_of(st.text(), st.lists(st.sampled_from(_FUZZ_WORDS), max_size=12).map(" ".join)))
    def test_hypothesis_never_raises(span: str) -> None:
        assert_valid(normalise_count(span))
        value = parse_number(span)
        assert value is None or 0 <= value <= MAX_COUNT

else:

    def test_hypothesis_never_raises() -> None:
        pytest.importorskip("hypothesis")
