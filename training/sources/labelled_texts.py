"""Sentence-label sources: SATP incident reports and IndiaPoliceEvents sentences.

Their labels belong to a whole record (a SATP report is several sentences; an
IndiaPoliceEvents "sentence" is sometimes cut in two by strife's segmenter). A label
that is 0 for the record is 0 for every sentence in it, so negatives carry over; a
label that is 1 says only that *some* sentence reports the event, so a positive is
used only when the record is one strife sentence and is masked otherwise. Unmapped
labels (SATP ``other``, IndiaPoliceEvents KILL, FORCE, FAIL, ANY_ACTION) supervise
nothing: police killings and use of force are attacks, but a 0 there does not say that
nobody else attacked, so they would be false negatives for ``attack``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from strife.training.adapters import DATASETS
from strife.training.readers import read_tsv
from strife.training.sources.base import Converted, SentenceBuilder, check_split, sentences


@dataclass(frozen=True)
class LabelledTexts:
    """A TSV source whose columns map (several to one) onto ``event_types`` labels."""

    name: str
    dataset: str
    mapping: dict[str, str]
    citation: str
    heads: tuple[str, ...] = ("event_types",)

    def convert(self, root: Path, split: str) -> Converted:
        """Sentences of one split with the record's labels where they are reliable."""
        check_split(self.name, split)
        spec = DATASETS[self.dataset]
        out = Converted()
        for row in read_tsv(Path(root) / spec.files[split], spec.label_columns):
            on = {label for label, value in zip(spec.labels, row.labels) if value == "1"}
            positive = {target for source, target in self.mapping.items() if source in on}
            units = sentences(row.text)
            out.stats["records"] += 1
            for unit in units:
                builder = SentenceBuilder(self.name, f"{self.dataset}:{split}:{row.line}", unit, out)
                annotated = set(self.mapping.values()) if len(units) == 1 else set(self.mapping.values()) - positive
                if len(units) > 1 and positive:
                    out.stats["event_types:positive_masked"] += 1
                example = builder.example(set(), {"event_types": positive}, {"event_types": annotated})
                if example is not None:
                    out.examples.append(example)
        return out


SATP = LabelledTexts("satp_relevant", "conflibert/satp_relevant",
                     {"armed_assault": "attack", "bombing": "attack", "kidnapping": "abduction"},
                     "South Asia Terrorism Portal, via Hu et al., ConfliBERT, NAACL 2022")
IPE = LabelledTexts("indiapoliceevents", "conflibert/IndiaPoliceEvents_sents", {"ARREST": "arrest"},
                    "Halterman et al., Corpus-Level Evaluation for Event QA: The IndiaPoliceEvents Corpus, "
                    "Findings of ACL 2021")
