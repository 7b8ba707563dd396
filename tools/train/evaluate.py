"""Evaluate the shipped ONNX model: held-out perplexity vs a unigram baseline, plus greedy and sampled outputs.

Usage: .venv/bin/python tools/train/evaluate.py --model-dir models/agora-gpt2 --work target/agora-train
Uses <work>/train.u16 and <work>/valid.u16 (written by train.py). Prints and writes <work>/eval.json.
"""

import argparse
import json
import math
import sys
from pathlib import Path

import numpy as np
from tokenizers import Tokenizer

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from ort_python_loop import empty_past, greedy_kv, session  # noqa: E402

PROMPTS = [
    "To install the package, run",
    "The function returns",
    "PostgreSQL supports",
    "在 Linux 系统中，",
    "def parse_args(argv):\n",
    "The Rust compiler",
]


def heldout_ppl(sess, data: np.ndarray, ctx: int, max_tokens: int) -> tuple[float, float, int]:
    """Perplexity of the ONNX model and of an add-one unigram (from the train stream) on the same targets."""
    nll, count = 0.0, 0
    targets = []
    for s in range(0, min(len(data) - 1, max_tokens) - ctx, ctx):
        window = data[s:s + ctx + 1].astype(np.int64)
        feed = {"input_ids": window[None, :-1], "attention_mask": np.ones((1, ctx), dtype=np.int64),
                "position_ids": np.arange(ctx, dtype=np.int64)[None, :], **empty_past(sess)}
        logits = sess.run(["logits"], feed)[0][0].astype(np.float64)
        logz = np.log(np.exp(logits - logits.max(-1, keepdims=True)).sum(-1)) + logits.max(-1)
        nll += float((logz - logits[np.arange(ctx), window[1:]]).sum())
        count += ctx
        targets.append(window[1:])
    return math.exp(nll / count), np.concatenate(targets), count


def decode(sess, prompt_ids: list[int], n: int, rng, temperature=0.0, top_k=0, top_p=1.0, penalty=1.0) -> list[int]:
    """KV-cache decoding with the forum's knobs: greedy when temperature is 0, else temperature / top-k / top-p
    sampling; the repetition penalty divides positive (multiplies negative) logits of tokens already seen."""
    past, ids, total, out = empty_past(sess), np.asarray([prompt_ids], dtype=np.int64), len(prompt_ids), []
    names = [o.name for o in sess.get_outputs()]
    pos = np.arange(total, dtype=np.int64)[None, :]
    seen = set(prompt_ids)
    for _ in range(n):
        outs = sess.run(None, {"input_ids": ids, "attention_mask": np.ones((1, total), dtype=np.int64),
                               "position_ids": pos, **past})
        logits = outs[0][0, -1].astype(np.float64)
        if penalty != 1.0:
            idx = np.fromiter(seen, dtype=np.int64)
            logits[idx] = np.where(logits[idx] > 0, logits[idx] / penalty, logits[idx] * penalty)
        if temperature <= 0:
            nxt = int(np.argmax(logits))
        else:
            logits = logits / temperature
            top = np.argsort(logits)[::-1][:top_k or len(logits)]
            p = np.exp(logits[top] - logits[top].max())
            p /= p.sum()
            keep = int(np.searchsorted(np.cumsum(p), top_p) + 1)
            top, p = top[:keep], p[:keep] / p[:keep].sum()
            nxt = int(rng.choice(top, p=p))
        out.append(nxt)
        seen.add(nxt)
        past = {k.replace("present.", "past_key_values."): v for k, v in zip(names, outs) if k.startswith("present.")}
        ids, pos, total = np.asarray([[nxt]], dtype=np.int64), np.asarray([[total]], dtype=np.int64), total + 1
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model-dir", default="models/agora-gpt2", type=Path)
    ap.add_argument("--work", default="target/agora-train", type=Path)
    ap.add_argument("--ctx", type=int, default=0, help="window; 0 = n_positions from config.json")
    ap.add_argument("--eval-tokens", type=int, default=200_000)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1234)
    args = ap.parse_args()
    sess = session(args.model_dir / "model.onnx", args.threads)
    ctx = args.ctx or json.loads((args.model_dir / "config.json").read_text())["n_positions"]
    tok = Tokenizer.from_file(str(args.model_dir / "tokenizer.json"))
    train = np.fromfile(args.work / "train.u16", dtype=np.uint16)
    valid = np.fromfile(args.work / "valid.u16", dtype=np.uint16)

    ppl, targets, count = heldout_ppl(sess, valid, ctx, args.eval_tokens)
    counts = np.bincount(train, minlength=tok.get_vocab_size()).astype(np.float64) + 1.0
    uni_nll = -np.log(counts / counts.sum())[targets].mean()
    unigram = math.exp(uni_nll)
    # Bits per UTF-8 byte of the same held-out text: comparable across tokenizers.
    n_bytes = len(tok.decode(targets.tolist(), skip_special_tokens=False).encode("utf-8"))
    bpb, uni_bpb = math.log2(ppl) * count / n_bytes, uni_nll / math.log(2) * count / n_bytes
    rng = np.random.default_rng(args.seed)
    samples = []
    for prompt in PROMPTS:
        ids = tok.encode(prompt).ids
        samples.append({
            "prompt": prompt,
            "greedy": tok.decode(greedy_kv(sess, ids, 48)),
            # What the summary job asks for (greedy, repetition penalty 1.3) and what the bot asks for.
            "greedy_rep1.3": tok.decode(decode(sess, ids, 48, rng, penalty=1.3)),
            "sampled_t0.7_k40_p0.9_rep1.2": tok.decode(decode(sess, ids, 48, rng, 0.7, 40, 0.9, 1.2)),
        })
    result = {"model": str(args.model_dir / "model.onnx"), "heldout_tokens": count, "heldout_ppl": round(ppl, 2),
              "unigram_ppl": round(unigram, 2), "bits_per_byte": round(bpb, 3), "unigram_bits_per_byte": round(uni_bpb, 3),
              "samples": samples}
    (args.work / "eval.json").write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
