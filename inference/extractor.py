"""``Extractor``: raw articles in, one result dict per article out.

A callable class whose constructor loads the model and whose call maps a batch of
records to results, the contract that distributed engines (Ray Data
``map_batches``, Spark ``predict_batch_udf``) expect; it keeps no global state and
never mutates its input. Sentences of all documents in a batch are windowed,
sorted by length and run together, then put back in input order.

The model runs on a backend (:mod:`strife.inference.backends`): torch on a strife
checkpoint, or ONNX Runtime on a ``strife export`` folder (fp32, or int8 with
``quantized=True``). Everything else is shared, so both give the same records up to
floating-point ties, and nothing here imports torch unless the torch backend is used.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from tokenizers import Tokenizer
from transformers import AutoTokenizer, PreTrainedTokenizerBase

from strife import __version__
from strife.inference.backends import load_backend
from strife.inference.batches import batch_kind, chunked, from_results, to_records
from strife.inference.casualty_types import retype_casualties
from strife.inference.decode import sentence_labels, softmax, token_spans
from strife.inference.segment import Span, split_sentences, split_words
from strife.inference.totals import CASUALTY_TYPES, add_counts, casualty_heads, document_totals, sentence_totals
from strife.inference.windows import assign_words, plan_windows

SCHEMA = "strife.events/1"


@dataclass
class _Window:
    """A run of words of one sentence that fits the encoder's window."""

    doc: int
    sentence: int
    word_start: int
    input_ids: list[int]
    first_subword: list[int]


class Extractor:
    """Score raw texts with a strife checkpoint.

    >>> extractor = Extractor.from_pretrained("runs/default/model")  # doctest: +SKIP
    >>> extractor.extract("Taliban militants killed 27 soldiers.")[0]["sentences"][0]["actors"]  # doctest: +SKIP
    """

    def __init__(self, path: str | Path, device: str = "auto", batch_size: int | None = None,
                 id_field: str = "id", text_field: str = "text", backend: str = "torch",
                 quantized: bool = False, threads: int | None = None, rule_types: bool = True) -> None:
        self.path = Path(path)
        self.backend = load_backend(self.path, backend, device=device, quantized=quantized, threads=threads)
        self.tokenizer = AutoTokenizer.from_pretrained(self.backend.folder)
        self._word_tokenizer = _word_tokenizer(self.tokenizer)
        self.batch_size = batch_size or self.backend.default_batch_size
        self.id_field, self.text_field = id_field, text_field
        config = self.backend.config
        self.max_length = int(config.max_seq_length)
        self.pad_token_id = config.encoder_pad_token_id
        self.specs = config.head_specs
        self.casualty_heads = casualty_heads(self.specs)
        self._casualty_labels = {name: set(self.specs[name].entity_types) & set(CASUALTY_TYPES)
                                 for name in self.casualty_heads}
        self.rule_types = rule_types
        folder = self.backend.folder.resolve()
        name = folder.parent.name if folder.name in ("model", "onnx") else folder.name  # a run's model/ or onnx/
        self.model_info = {"name": name, "path": str(self.path), "version": __version__,
                           "backend": self.backend.name}
        if self.casualty_heads:  # records say whose casualty types they carry
            self.model_info["casualty_types"] = "rule-checked" if rule_types else "tagger"

    @classmethod
    def from_pretrained(cls, path: str | Path, device: str = "auto", batch_size: int | None = None,
                        id_field: str = "id", text_field: str = "text", backend: str = "torch",
                        quantized: bool = False, threads: int | None = None, rule_types: bool = True) -> Extractor:
        """Load a checkpoint folder (``backend="torch"``) or an export folder or ``.onnx`` file
        (``backend="onnx"``; ``quantized=True`` picks ``model.int8.onnx``) for inference.

        ``batch_size`` defaults to 32 windows (128 on CUDA, where torch runs in half
        precision); ``threads`` sets ONNX Runtime's intra-op threads (torch keeps its
        process-wide ``torch.set_num_threads``). ``rule_types=False`` keeps the tagger's
        casualty types instead of checking them against the rule labeller
        (:mod:`strife.inference.casualty_types`).
        """
        return cls(path, device=device, batch_size=batch_size, id_field=id_field, text_field=text_field,
                   backend=backend, quantized=quantized, threads=threads, rule_types=rule_types)

    def __call__(self, batch: Any) -> Any:
        """Map a batch to results of the same kind: records to records; a dict of columns,
        pandas DataFrame or pyarrow Table to columns ``id``, ``error``, ``record`` (JSON)."""
        return from_results(self._run(to_records(batch, self.id_field, self.text_field)), batch_kind(batch))

    def extract(self, inputs: str | list[str] | list[dict[str, Any]]) -> list[dict[str, Any]]:
        """One result per input (a string, strings, or records with ``id`` and ``text``)."""
        batch = [inputs] if isinstance(inputs, str) else list(inputs)
        return self._run(to_records(batch, self.id_field, self.text_field))

    def extract_iter(self, records: Iterable[dict[str, Any]], chunk_size: int = 64) -> Iterator[dict[str, Any]]:
        """Stream results over an iterator of records, ``chunk_size`` documents at a time."""
        for chunk in chunked(records, chunk_size):
            yield from self.extract(chunk)

    def _run(self, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        results: list[dict[str, Any]] = []
        sentences: list[list[tuple[Span, list[Span]]]] = []
        for record in records:
            text = record.get("text")
            result = {"id": record.get("id"), "schema": SCHEMA, "model": self.model_info, "sentences": [], "error": None}
            if record.get("error"):  # the reader already failed on this record; keep its place
                result["error"] = record["error"]
                sentences.append([])
            elif not isinstance(text, str) or not text.strip():
                result["error"] = f"text must be a non-empty string, got {type(text).__name__}"
                sentences.append([])
            else:
                sentences.append([(s, split_words(s)) for s in split_sentences(text)])
            results.append(result)
        windows = self._windows(sentences)
        by_sentence: dict[tuple[int, int], list[tuple[_Window, dict[str, np.ndarray]]]] = {}
        for window, output in zip(windows, self._forward(windows)):
            by_sentence.setdefault((window.doc, window.sentence), []).append((window, output))
        for d, doc_sentences in enumerate(sentences):
            source = records[d]["text"] if doc_sentences else ""
            for s, (sentence, words) in enumerate(doc_sentences):
                parts = by_sentence[(d, s)]
                results[d]["sentences"].append(self._sentence_result(s, sentence, words, parts, source))
            if self.casualty_heads and results[d]["error"] is None:
                results[d]["totals"] = document_totals([x["totals"] for x in results[d]["sentences"]])
        return results

    def _windows(self, sentences: list[list[tuple[Span, list[Span]]]]) -> list[_Window]:
        """Cut each sentence into overlapping word runs of at most ``max_length - 2`` sub-words."""
        budget = self.max_length - 2
        tok = self.tokenizer
        words = [w.text for doc in sentences for _, sentence_words in doc for w in sentence_words]
        flat = self._word_tokenizer(words) if words else []
        flat = [piece[:budget] or [tok.unk_token_id] for piece in flat]
        windows: list[_Window] = []
        cursor = 0
        for d, doc in enumerate(sentences):
            for s, (_, sentence_words) in enumerate(doc):
                pieces = flat[cursor:cursor + len(sentence_words)]
                cursor += len(sentence_words)
                for start, end in plan_windows([len(p) for p in pieces], budget, overlap=budget // 4):
                    ids: list[int] = [tok.cls_token_id]
                    firsts: list[int] = []
                    for piece in pieces[start:end]:
                        firsts.append(len(ids))
                        ids.extend(piece)
                    ids.append(tok.sep_token_id)
                    windows.append(_Window(d, s, start, ids, firsts))
        return windows

    def _forward(self, windows: list[_Window]) -> list[dict[str, np.ndarray]]:
        """Logits per head per window; token heads keep only first-sub-word rows.

        Windows are run sorted by length, so each batch is padded only to its longest."""
        order = sorted(range(len(windows)), key=lambda i: len(windows[i].input_ids))
        outputs: list[dict[str, np.ndarray]] = [{} for _ in windows]
        for start in range(0, len(order), self.batch_size):
            idx = order[start:start + self.batch_size]
            width = max(len(windows[i].input_ids) for i in idx)
            ids = np.full((len(idx), width), self.pad_token_id, dtype=np.int64)
            mask = np.zeros((len(idx), width), dtype=np.int64)
            for row, i in enumerate(idx):
                ids[row, : len(windows[i].input_ids)] = windows[i].input_ids
                mask[row, : len(windows[i].input_ids)] = 1
            for name, values in self.backend.run(ids, mask).items():
                for row, i in enumerate(idx):
                    outputs[i][name] = values[row, windows[i].first_subword] if values.ndim == 3 else values[row]
        return outputs

    def _sentence_result(self, index: int, sentence: Span, words: list[Span],
                         parts: list[tuple[_Window, dict[str, np.ndarray]]], source: str) -> dict[str, Any]:
        result: dict[str, Any] = {"index": index, "start": sentence.start, "end": sentence.end,
                                  "text": sentence.text, "windows": len(parts)}
        for name, spec in self.specs.items():
            if spec.type == "token":
                result[name] = token_spans(words, self._word_probs(name, words, parts), spec, source) if words else []
            else:
                result[name] = sentence_labels(np.mean([out[name] for _, out in parts], axis=0), spec)
        if self.casualty_heads:
            if self.rule_types:
                for name, labels in self._casualty_labels.items():
                    retype_casualties(result[name], sentence.text, sentence.start, labels)
            spans = [span for name in self.casualty_heads for span in result[name]]
            add_counts(spans)
            result["totals"] = sentence_totals(spans, source)
        return result

    @staticmethod
    def _word_probs(head: str, words: list[Span], parts: list[tuple[_Window, dict[str, np.ndarray]]]) -> np.ndarray:
        """Per-word tag probabilities, each word from the window where it is most central."""
        ranges = [(w.word_start, w.word_start + len(w.first_subword)) for w, _ in parts]
        probs = [softmax(output[head]) for _, output in parts]
        return np.stack([probs[chosen][word - ranges[chosen][0]]
                         for word, chosen in enumerate(assign_words(ranges, len(words)))])


def _word_tokenizer(tokenizer: PreTrainedTokenizerBase) -> Callable[[list[str]], list[list[int]]]:
    """Sub-word ids of each word, every word tokenised on its own, all words in one call.

    With a Rust tokenizer the words go straight to ``encode_batch`` on a copy without
    padding or truncation: the same ids as ``tokenizer(words)``, without building a
    ``BatchEncoding`` per word (a third of the extractor's Python time on long batches).
    """
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is None:
        return lambda words: tokenizer(words, add_special_tokens=False)["input_ids"]
    plain = Tokenizer.from_str(backend.to_str())
    plain.no_padding()
    plain.no_truncation()
    return lambda words: [encoding.ids for encoding in plain.encode_batch(words, add_special_tokens=False)]
