"""A strife checkpoint as plain Hugging Face models, one per head: the speed baseline.

    python benchmarks/hf_convert.py --checkpoint runs/default/model --output /tmp/hf-heads

Writes ``<output>/<head>/`` with a ``BertForTokenClassification`` (token heads) or a
``BertForSequenceClassification`` (sentence heads), the strife encoder and that head's
classifier weights copied in, and the tokenizer, so each folder loads into
``transformers.pipeline`` exactly as a user who had one model per task would load it.

Token heads are exact copies: the same logits as strife. Sentence heads are not:
strife pools the mean of the token states, BERT's sequence classifier pools ``[CLS]``
through the encoder's pooler (dense + tanh), so the converted sentence classifier
predicts different labels. It costs the same to run, which is all a speed baseline needs.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification, BertForTokenClassification

from strife.models.modeling import load_checkpoint


def convert(checkpoint: str | Path, output: str | Path) -> dict[str, Path]:
    """One Hugging Face model folder per head of ``checkpoint``; returns ``{head: folder}``."""
    model = load_checkpoint(checkpoint).eval()
    tokenizer = AutoTokenizer.from_pretrained(checkpoint)
    if model.encoder.config.model_type != "bert":
        raise SystemExit(f"{checkpoint}: the baseline converter handles BERT encoders, "
                         f"not {model.encoder.config.model_type!r}")
    encoder_state = model.encoder.state_dict()
    folders: dict[str, Path] = {}
    for name, spec in model.specs.items():
        encoder = {k: v for k, v in model.config.encoder.items() if k not in ("id2label", "label2id", "model_type")}
        config = BertConfig(**encoder, id2label=spec.id2label, label2id=spec.label2id)
        if spec.type == "multi_label":
            config.problem_type = "multi_label_classification"
        cls = BertForTokenClassification if spec.type == "token" else BertForSequenceClassification
        target = cls(config).eval()
        state = {f"bert.{key}": value for key, value in encoder_state.items()}
        state |= {f"classifier.{key}": value for key, value in model.heads[name].classifier.state_dict().items()}
        missing, unexpected = target.load_state_dict(state, strict=False)
        # A token classifier has no pooler; a sequence classifier keeps the encoder's pooler if it had one.
        if [k for k in missing if not k.startswith("bert.pooler.")] or [
                k for k in unexpected if not k.startswith("bert.pooler.")]:
            raise SystemExit(f"{checkpoint}: head {name}: weights do not line up ({missing}, {unexpected})")
        folder = Path(output) / name
        target.save_pretrained(folder)
        tokenizer.save_pretrained(folder)
        folders[name] = folder
    return folders


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkpoint", required=True, help="strife checkpoint folder")
    parser.add_argument("--output", required=True, help="folder for one model folder per head")
    args = parser.parse_args()
    for head, folder in convert(args.checkpoint, args.output).items():
        print(f"{head} -> {folder}")


if __name__ == "__main__":
    main()
