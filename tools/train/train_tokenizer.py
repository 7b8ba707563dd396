"""Train agora's byte-level BPE tokenizer (GPT-2 style, lossless for any UTF-8 text) on the training corpus.

Usage: .venv/bin/python tools/train/train_tokenizer.py --work target/agora-train --vocab 12000
Writes <work>/tokenizer/tokenizer.json; <|endoftext|> is id 0 and serves as bos, eos and document separator.
"""

import argparse
from pathlib import Path

from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers

EOT = "<|endoftext|>"


def documents(path: Path):
    """Yield training documents (the separator itself is never fed to the BPE trainer)."""
    for doc in path.read_text(encoding="utf-8").split(f"\n{EOT}\n"):
        yield doc


def build(vocab: int, corpus: Path) -> Tokenizer:
    tok = Tokenizer(models.BPE())
    # No normaliser: text must round-trip byte for byte (whitespace runs, CJK, emoji, tabs).
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = processors.ByteLevel(trim_offsets=False)
    trainer = trainers.BpeTrainer(
        vocab_size=vocab,
        min_frequency=2,
        special_tokens=[EOT],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(documents(corpus), trainer=trainer)
    return tok


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", default="target/agora-train")
    ap.add_argument("--vocab", type=int, default=12000)
    args = ap.parse_args()
    work = Path(args.work)
    tok = build(args.vocab, work / "corpus" / "train.txt")
    out = work / "tokenizer"
    out.mkdir(parents=True, exist_ok=True)
    tok.save(str(out / "tokenizer.json"))
    for s in ["def main():\n\tprint('你好, 世界') 🚀   x", "  多个  空格\n\n\n换行"]:
        ids = tok.encode(s).ids
        assert tok.decode(ids) == s, (s, tok.decode(ids))
    print(f"vocab={tok.get_vocab_size()} -> {out / 'tokenizer.json'}")


if __name__ == "__main__":
    main()
