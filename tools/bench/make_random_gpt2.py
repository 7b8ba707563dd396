"""Export a random-weight GPT-2-small-shaped model (124M: 12 layers, 768 wide, vocab 50257) in fp32 and int8 for benchmarks.

Usage: .venv/bin/python tools/bench/make_random_gpt2.py --out target/bench-gpt2-124m
Writes <out>/fp32/ and <out>/int8/ (model.onnx, tokenizer.json, config.json), same exporter as the shipped model.
Never commit the result (~500 MB fp32); the shipped tokenizer is reused, so only ids < its vocab ever occur.
"""

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

import torch
from transformers import GPT2LMHeadModel

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "train"))
from export import export  # noqa: E402
from random_model import gpt2_config, hf_tokenizer  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--tokenizer", default="models/agora-gpt2/tokenizer.json", type=Path)
    ap.add_argument("--seed", type=int, default=1234)
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    tok = hf_tokenizer(args.tokenizer)
    config = gpt2_config(tok, layers=12, embd=768, heads=12, ctx=1024, vocab=50257)
    model = GPT2LMHeadModel(config).eval()
    print(f"{sum(p.numel() for p in model.parameters()):,} parameters", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        model.save_pretrained(tmp)
        tok.save_pretrained(tmp)
        if args.out.exists():
            shutil.rmtree(args.out)
        export(Path(tmp), args.out / "int8", int8=True, keep_fp32=args.out / "fp32")
    for variant in ("fp32", "int8"):
        size = (args.out / variant / "model.onnx").stat().st_size / 1e6
        print(f"{args.out / variant / 'model.onnx'}: {size:.0f} MB")


if __name__ == "__main__":
    main()
