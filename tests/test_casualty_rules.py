"""Rule-based casualty labeller (issue 3) and its silver data, one test per pattern family."""

from __future__ import annotations

import json
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from strife.models.casualty_rules import analyse_sentence, label_casualties
from strife.training.silver import build_silver, load_silver


def spans(sentence: str) -> list[tuple[str, str]]:
    found = label_casualties(sentence)
    for span in found:
        assert sentence[span.start:span.end] == span.text
    return [(span.text, span.label) for span in found]


@pytest.mark.parametrize(("sentence", "expected"), [
    # passive
    ("As many as 41 Afghan security force personnel were killed in a Taliban attack.",
     [("As many as 41 Afghan security force personnel", "KILLED")]),
    ("Two soldiers were shot dead by militants.", [("Two soldiers", "KILLED")]),
    ("Between 10 and 12 people were abducted by gunmen.", [("Between 10 and 12 people", "CAPTURED")]),
    ("Three CPI-Maoist cadres were arrested from Gadchiroli district.", [("Three CPI-Maoist cadres", "CAPTURED")]),
    ("A man was critically injured in the blast.", [("A man", "INJURED")]),
    # active
    ("Unidentified assailants shot dead two security guards of a gas exploration company.",
     [("two security guards of a gas exploration company", "KILLED")]),
    ("Police arrested three militants on Monday.", [("three militants", "CAPTURED")]),
    ("A bomb exploded in the market, killing 12 and wounding more than 30 people.",
     [("12", "KILLED"), ("more than 30 people", "INJURED")]),
    ("Taliban claimed to have killed 30 soldiers.", [("30 soldiers", "KILLED")]),
    # reduced passive, subject verbs, nominal
    ("41 Afghan security men killed", [("41 Afghan security men", "KILLED")]),
    ("Three people died in the attack.", [("Three people", "KILLED")]),
    ("A soldier sustained injuries in a roadside blast.", [("A soldier", "INJURED")]),
    ("The bodies of three men were found in a field.", [("three men", "KILLED")]),
    ("12 bodies were recovered.", [("12 bodies", "KILLED")]),
    ("The death toll rose to 50.", [("50", "KILLED")]),
    ("Protests followed the arrest of two journalists.", [("two journalists", "CAPTURED")]),
    ("The firing left one dead and several others injured.", [("one", "KILLED"), ("several others", "INJURED")]),
    # coordination: one span per fate (4.5)
    ("At least five Hazaras were killed and seven others injured in Quetta.",
     [("At least five Hazaras", "KILLED"), ("seven others", "INJURED")]),
    ("27 soldiers and three members of the local police were martyred.",
     [("27 soldiers and three members of the local police", "KILLED")]),
    ("Militants killed two soldiers and injured five civilians in Kupwara.",
     [("two soldiers", "KILLED"), ("five civilians", "INJURED")]),
    # named persons (4.2): name and capitalised title only
    ("Lance Naik Harpal Singh of 3 Grenadiers was killed in the firing.", [("Lance Naik Harpal Singh", "KILLED")]),
    ("Police detained former Afghan president Hamid Karzai.", [("Hamid Karzai", "CAPTURED")]),
    ("Jassely Lupoe, a 5-year-old Latina, was shot and killed Tuesday.", [("Jassely Lupoe", "KILLED")]),
    # subsets stay outside the span
    ("He said that 3 persons, including a child, were injured.", [("3 persons", "INJURED")]),
    # generic role nouns (7.18)
    ("The dead were taken to a hospital.", [("dead", "KILLED")]),
])
def test_patterns(sentence: str, expected: list[tuple[str, str]]) -> None:
    assert spans(sentence) == expected


@pytest.mark.parametrize("sentence", [
    "No one was killed in the blast.",                       # 7.1 negation
    "There were no casualties.",
    "Two soldiers were not injured.",
    "The Army denied that any civilians were killed.",       # 7.4 denial
    "The militants threatened to kill the journalist.",      # 7.2 threat
    "Police will arrest the suspects.",
    "The group vowed to behead the journalist if demands were not met.",
    "He was killed in the attack.",                          # 3.4 pronouns
    "Police arrested him on Friday.",
    "Two people were killed when their car collided with a truck.",  # 7.12 accident
    "Police seized weapons and explosives.",                 # things, not people
    "The victims were identified as Zafar and Alam Khan.",   # 4.1 victims
    "Gunmen shot at the car but missed.",
])
def test_no_span(sentence: str) -> None:
    assert spans(sentence) == []


def test_confidence_marks_unexplained_casualty_words() -> None:
    assert analyse_sentence("No one was killed in the blast.").confident
    assert analyse_sentence("Talks resumed in Doha on Monday.").confident
    unsure = analyse_sentence("Protests erupted over the killing.")
    assert not unsure.confident and unsure.spans == []
    assert not analyse_sentence("Five casualties were reported.").confident


def test_lowercase_text_reads_counts_but_not_names() -> None:
    assert spans("about 50 peasants have been kidnapped by terrorists.") == [("about 50 peasants", "CAPTURED")]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("killed arrested 12 and,. the Two were injured ()-'’é\n\t")),
               max_size=120) | st.text(max_size=80))
def test_never_crashes_and_offsets_are_exact(sentence: str) -> None:
    previous_end = 0
    for span in label_casualties(sentence):
        assert span.label in ("KILLED", "INJURED", "CAPTURED")
        assert sentence[span.start:span.end] == span.text and span.text.strip() == span.text
        assert span.start >= previous_end        # sorted, never overlapping
        previous_end = span.end


def test_rules_module_does_not_import_torch() -> None:
    assert "strife.models.casualty_rules" in sys.modules
    import subprocess
    code = "import sys, strife.models.casualty_rules; sys.exit('torch' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_silver_round_trip(tmp_path) -> None:
    folder = tmp_path / "conflibert" / "satp_relevant"
    folder.mkdir(parents=True)
    rows = ["Militants killed two soldiers in Kupwara. Talks resumed later.",
            "Protests erupted over the killing.",
            "Police arrested three militants on Monday."]
    (folder / "train.tsv").write_text("".join(f"{row}\t1\t0\t0\t0\n" for row in rows), encoding="utf-8")
    output = tmp_path / "silver.jsonl"
    report = build_silver(tmp_path, output, [("conflibert/satp_relevant", "train")])
    counts = report["conflibert/satp_relevant:train"]
    assert counts["KILLED"] == 1 and counts["CAPTURED"] == 1
    lines = [json.loads(line) for line in output.read_text().splitlines()]
    assert all("text" not in line for line in lines)
    examples = load_silver(output, tmp_path)
    tagged = {" ".join(e.words): e.token_labels["casualties"] for e in examples}
    assert tagged["Militants killed two soldiers in Kupwara ."] == ["O", "O", "B-KILLED", "I-KILLED", "O", "O", "O"]
    assert tagged["Police arrested three militants on Monday ."] == ["O", "O", "B-CAPTURED", "I-CAPTURED", "O", "O",
                                                                     "O"]
    assert not any("killing" in words for words in tagged)   # unsure sentence skipped


def test_silver_fails_loudly_when_the_source_changed(tmp_path) -> None:
    folder = tmp_path / "conflibert" / "satp_relevant"
    folder.mkdir(parents=True)
    train = folder / "train.tsv"
    train.write_text("Police arrested three militants on Monday.\t1\t0\t0\t0\n", encoding="utf-8")
    output = tmp_path / "silver.jsonl"
    build_silver(tmp_path, output, [("conflibert/satp_relevant", "train")])
    train.write_text("Police arrested four militants on Sunday.\t1\t0\t0\t0\n", encoding="utf-8")
    from strife.training import documents
    documents._index.cache_clear()
    with pytest.raises(Exception, match="changed"):
        load_silver(output, tmp_path)
