"""Save a randomly initialised GPT-2 (Hugging Face format, with tokenizer) for placeholders and benchmarks.

Usage: .venv/bin/python tools/train/random_model.py --tokenizer models/agora-gpt2/tokenizer.json --out DIR \
           [--layers 2 --embd 64 --heads 2 --ctx 512 --vocab 0 (= tokenizer size)]
"""

import argparse
from pathlib import Path

import torch
from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

EOT = "<|endoftext|>"


def hf_tokenizer(tokenizer_json: Path) -> PreTrainedTokenizerFast:
    return PreTrainedTokenizerFast(tokenizer_file=str(tokenizer_json), bos_token=EOT, eos_token=EOT, unk_token=EOT)


def gpt2_config(tok: PreTrainedTokenizerFast, layers: int, embd: int, heads: int, ctx: int, vocab: int = 0) -> GPT2Config:
    eot = tok.convert_tokens_to_ids(EOT)
    return GPT2Config(
        vocab_size=vocab or len(tok), n_positions=ctx, n_embd=embd, n_layer=layers, n_head=heads,
        bos_token_id=eot, eos_token_id=eot, resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0,
    )


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tokenizer", required=True, type=Path)
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--embd", type=int, default=64)
    ap.add_argument("--heads", type=int, default=2)
    ap.add_argument("--ctx", type=int, default=512)
    ap.add_argument("--vocab", type=int, default=0, help="0 = the tokenizer's size")
    ap.add_argument("--seed", type=int, default=1234)
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    tok = hf_tokenizer(args.tokenizer)
    model = GPT2LMHeadModel(gpt2_config(tok, args.layers, args.embd, args.heads, args.ctx, args.vocab)).eval()
    model.save_pretrained(args.out)
    tok.save_pretrained(args.out)
    print(f"{sum(p.numel() for p in model.parameters()):,} parameters -> {args.out}")


if __name__ == "__main__":
    main()
