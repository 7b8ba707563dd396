"""Train agora's small GPT-2 on the corpus within a wall-clock budget, then report held-out perplexity vs a unigram baseline.

Usage: .venv/bin/python tools/train/train.py --work target/agora-train --max-minutes 62 --device cpu --threads 2
Writes <work>/hf/ (Hugging Face GPT2LMHeadModel + tokenizer, ready for export.py) and <work>/hf/metrics.json.
The learning rate follows warm-up then cosine decay over the *time* budget, so one recipe fits any device.
"""

import argparse
import json
import math
import time
from pathlib import Path

import numpy as np
import torch
from transformers import GPT2LMHeadModel

from random_model import EOT, gpt2_config, hf_tokenizer


def encode_split(tok, tok_path: Path, text_path: Path, cache: Path) -> np.ndarray:
    """Corpus split -> one uint16 token stream, documents joined by <|endoftext|> (cached until either input changes)."""
    if cache.exists() and cache.stat().st_mtime > max(text_path.stat().st_mtime, tok_path.stat().st_mtime):
        return np.fromfile(cache, dtype=np.uint16)
    eot = tok.convert_tokens_to_ids(EOT)
    docs = text_path.read_text(encoding="utf-8").split(f"\n{EOT}\n")
    ids = []
    for enc in tok.backend_tokenizer.encode_batch(docs):
        ids.extend(enc.ids)
        ids.append(eot)
    arr = np.asarray(ids, dtype=np.uint16)
    arr.tofile(cache)
    return arr


def cpu_has_bf16() -> bool:
    """True where the CPU multiplies bf16 in hardware (AMX or AVX512-BF16); elsewhere bf16 autocast is slower."""
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return "amx_bf16" in flags or "avx512_bf16" in flags


def lr_at(frac: float, peak: float, warmup: float = 0.03, floor: float = 0.1) -> float:
    if frac < warmup:
        return peak * frac / warmup
    p = min(1.0, (frac - warmup) / (1 - warmup))
    return peak * (floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * p)))


@torch.no_grad()
def heldout_nll(model, data: np.ndarray, ctx: int, device: str, max_tokens: int) -> tuple[float, int]:
    """Mean next-token NLL over non-overlapping windows of the held-out stream."""
    model.eval()
    total, count = 0.0, 0
    n = min(len(data) - 1, max_tokens)
    for start in range(0, n - ctx, ctx * 8):
        xs = [data[s:s + ctx + 1] for s in range(start, min(start + ctx * 8, n - ctx), ctx)]
        batch = torch.tensor(np.stack(xs).astype(np.int64), device=device)
        logits = model(batch[:, :-1]).logits.float()
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.size(-1)), batch[:, 1:].reshape(-1),
                                                 reduction="sum")
        total += loss.item()
        count += batch[:, 1:].numel()
    model.train()
    return total / count, count


def unigram_nll(train: np.ndarray, valid: np.ndarray, vocab: int, ctx: int, max_tokens: int) -> float:
    """Add-one-smoothed unigram model from the training stream, scored on the same held-out targets."""
    counts = np.bincount(train, minlength=vocab).astype(np.float64) + 1.0
    logp = np.log(counts / counts.sum())
    n = min(len(valid) - 1, max_tokens)
    targets = np.concatenate([valid[s + 1:s + ctx + 1] for s in range(0, n - ctx, ctx)])
    return float(-logp[targets].mean())


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", default="target/agora-train", type=Path)
    ap.add_argument("--max-minutes", type=float, default=62.0, help="wall-clock budget for the optimisation loop")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--embd", type=int, default=256)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--ctx", type=int, default=512, help="training window = the model's n_positions")
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--eval-tokens", type=int, default=200_000)
    ap.add_argument("--precision", choices=["auto", "fp32", "bf16"], default="auto",
                    help="bf16 autocast for the forward pass; auto = bf16 on GPUs and on CPUs with AMX or "
                         "AVX512-BF16, fp32 elsewhere")
    ap.add_argument("--warm-ctx", type=int, default=256,
                    help="train on windows this long (same tokens per batch) for the first --warm-frac of the budget: "
                         "attention is cheaper, so more tokens are seen; the last part trains every position")
    ap.add_argument("--warm-frac", type=float, default=0.75)
    ap.add_argument("--compile", action=argparse.BooleanOptionalAction, default=True,
                    help="torch.compile the model (about 1 min of compiling, then faster steps)")
    ap.add_argument("--checkpoint-minutes", type=float, default=10.0,
                    help="save the model to <work>/hf this often, so a stopped run still leaves one")
    args = ap.parse_args()

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    tok_path = args.work / "tokenizer" / "tokenizer.json"
    tok = hf_tokenizer(tok_path)
    train = encode_split(tok, tok_path, args.work / "corpus" / "train.txt", args.work / "train.u16")
    valid = encode_split(tok, tok_path, args.work / "corpus" / "valid.txt", args.work / "valid.u16")
    print(f"tokens: train={len(train):,} valid={len(valid):,}", flush=True)

    config = gpt2_config(tok, args.layers, args.embd, args.heads, args.ctx)
    model = GPT2LMHeadModel(config).to(args.device).train()
    params = sum(p.numel() for p in model.parameters())
    print(f"parameters: {params:,}", flush=True)
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    other = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": other, "weight_decay": 0.0}],
                            lr=args.lr, betas=(0.9, 0.95), fused=True)
    gen = np.random.default_rng(args.seed)
    train_t = torch.from_numpy(train.astype(np.int64))

    out = args.work / "hf"
    device_type = "cuda" if args.device.startswith("cuda") else "cpu"
    if args.precision == "auto":
        args.precision = "bf16" if device_type == "cuda" or cpu_has_bf16() else "fp32"
    print(f"precision: {args.precision}", flush=True)
    autocast = torch.autocast(device_type, dtype=torch.bfloat16, enabled=args.precision == "bf16")
    budget = args.max_minutes * 60
    t0 = time.time()
    step, seen, smooth, saved = 0, 0, None, t0
    forward = torch.compile(model) if args.compile else model
    while (elapsed := time.time() - t0) < budget:
        for g in opt.param_groups:
            g["lr"] = lr_at(elapsed / budget, args.lr)
        ctx = args.warm_ctx if args.warm_ctx and elapsed < args.warm_frac * budget else args.ctx
        rows = args.batch * args.ctx // ctx
        starts = torch.from_numpy(gen.integers(0, len(train) - ctx - 1, size=rows))
        batch = torch.stack([train_t[s:s + ctx + 1] for s in starts]).to(args.device)
        with autocast:
            logits = forward(batch[:, :-1]).logits
        loss = torch.nn.functional.cross_entropy(logits.float().reshape(-1, logits.size(-1)),
                                                 batch[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        seen += rows * ctx
        smooth = loss.item() if smooth is None else 0.98 * smooth + 0.02 * loss.item()
        if step % 50 == 0:
            print(f"step {step} {elapsed / 60:.1f} min loss {smooth:.3f} tok/s {seen / elapsed:.0f}", flush=True)
        if time.time() - saved > args.checkpoint_minutes * 60:
            model.save_pretrained(out)
            tok.save_pretrained(out)
            saved = time.time()
    minutes = (time.time() - t0) / 60

    nll, counted = heldout_nll(model, valid, args.ctx, args.device, args.eval_tokens)
    uni = unigram_nll(train, valid, len(tok), args.ctx, args.eval_tokens)
    metrics = {
        "parameters": params, "steps": step, "train_tokens_seen": seen, "train_minutes": round(minutes, 1),
        "device": args.device, "threads": args.threads, "corpus_train_tokens": int(len(train)),
        "heldout_tokens": counted, "heldout_ppl": round(math.exp(nll), 2), "unigram_ppl": round(math.exp(uni), 2),
        "args": {k: str(v) for k, v in vars(args).items()},
    }
    model.cpu().eval().save_pretrained(out)
    tok.save_pretrained(out)
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    print(json.dumps(metrics), flush=True)


if __name__ == "__main__":
    main()
