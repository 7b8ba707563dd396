"""Greedy KV-cache generation with onnxruntime-python: the reference loop for agora's Rust engine, and its benchmark.

Usage: .venv/bin/python tools/bench/ort_python_loop.py --model-dir models/agora-gpt2 --threads 1 \
           --prompt "How do I create a virtual environment" --tokens 64
Prints JSON {tokens_per_s, ttft_ms, threads, model, ...}. tokens_per_s counts the tokens after the first.
"""

import argparse
import hashlib
import json
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer


def session(model: Path, threads: int) -> ort.InferenceSession:
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    return ort.InferenceSession(str(model), opts, providers=["CPUExecutionProvider"])


def empty_past(sess: ort.InferenceSession) -> dict:
    """past_key_values.* with past_sequence_length = 0, shaped [1, n_head, 0, head_dim] from the graph."""
    past = {}
    for i in sess.get_inputs():
        if i.name.startswith("past_key_values."):
            past[i.name] = np.zeros((1, i.shape[1], 0, i.shape[3]), dtype=np.float32)
    return past


def greedy_kv(sess: ort.InferenceSession, prompt_ids: list[int], n_new: int, on_token=None, on_logits=None) -> list[int]:
    """Argmax over the last logits row, n_new times, feeding only the new token plus the cache each step."""
    past = empty_past(sess)
    ids = np.asarray([prompt_ids], dtype=np.int64)
    total = len(prompt_ids)
    pos = np.arange(total, dtype=np.int64)[None, :]
    out_ids = []
    for _ in range(n_new):
        feed = {"input_ids": ids, "attention_mask": np.ones((1, total), dtype=np.int64), "position_ids": pos, **past}
        outs = sess.run(None, feed)
        names = [o.name for o in sess.get_outputs()]
        logits = outs[names.index("logits")]
        nxt = int(np.argmax(logits[0, -1]))
        if on_logits:
            on_logits(logits[0, -1])
        out_ids.append(nxt)
        if on_token:
            on_token(nxt)
        past = {n.replace("present.", "past_key_values."): v for n, v in zip(names, outs) if n.startswith("present.")}
        ids = np.asarray([[nxt]], dtype=np.int64)
        pos = np.asarray([[total]], dtype=np.int64)
        total += 1
    return out_ids


def greedy_full(sess: ort.InferenceSession, prompt_ids: list[int], n_new: int) -> list[int]:
    """Same rule without a cache: the whole sequence is recomputed each step (cross-check for greedy_kv)."""
    seq = list(prompt_ids)
    for _ in range(n_new):
        n = len(seq)
        feed = {"input_ids": np.asarray([seq], dtype=np.int64), "attention_mask": np.ones((1, n), dtype=np.int64),
                "position_ids": np.arange(n, dtype=np.int64)[None, :], **empty_past(sess)}
        logits = sess.run(["logits"], feed)[0]
        seq.append(int(np.argmax(logits[0, -1])))
    return seq[len(prompt_ids):]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model-dir", required=True, type=Path)
    ap.add_argument("--model-file", default="model.onnx")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--prompt", default="How do I create a virtual environment in Python?")
    ap.add_argument("--tokens", type=int, default=64)
    ap.add_argument("--warmup", type=int, default=1, help="untimed runs first")
    args = ap.parse_args()
    model = args.model_dir / args.model_file
    sess = session(model, args.threads)
    tok = Tokenizer.from_file(str(args.model_dir / "tokenizer.json"))
    prompt_ids = tok.encode(args.prompt).ids
    for _ in range(args.warmup):
        greedy_kv(sess, prompt_ids, 4)
    stamps = []
    t0 = time.perf_counter()
    ids = greedy_kv(sess, prompt_ids, args.tokens, on_token=lambda _: stamps.append(time.perf_counter()))
    ttft = stamps[0] - t0
    rate = (len(stamps) - 1) / (stamps[-1] - stamps[0]) if len(stamps) > 1 else 0.0
    print(json.dumps({
        "tokens_per_s": round(rate, 1), "ttft_ms": round(ttft * 1000, 1), "threads": args.threads,
        "model": str(model), "model_mb": round(model.stat().st_size / 1e6, 1),
        "model_sha256": hashlib.sha256(model.read_bytes()).hexdigest()[:16],
        "prompt_tokens": len(prompt_ids), "new_tokens": len(ids), "onnxruntime": ort.__version__,
    }))


if __name__ == "__main__":
    main()
