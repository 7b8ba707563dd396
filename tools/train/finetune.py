"""Supervised fine-tune of the shipped GPT-2 on the pairs from build_pairs.py, within a wall-clock budget.

Usage: .venv/bin/python tools/train/finetune.py --work target/agora-train --max-minutes 40 --threads 2
Starts from the shipped weights: the initializers of models/agora-gpt2/model.onnx (int8 dynamic-quantised
weights are dequantised, scale * (q - zero_point)) are loaded into transformers' GPT2LMHeadModel with the
shipped config.json; the held-out perplexity is printed before training as a check of the loading.
The loss is on the target tokens only (the prompt is context); one step in --lm-every is a plain language-
model step on the pre-training corpus (tokenised with the shipped tokenizer), so the model keeps its LM.
Learning rate: warm-up then cosine decay over the *time* budget, as train.py. The tokenizer is not changed.
Writes <work>/ft-hf/ (weights + tokenizer, ready for export.py) and <work>/ft-hf/metrics.json.
"""

import argparse
import json
import math
import time
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import numpy_helper
from transformers import GPT2Config, GPT2LMHeadModel

from random_model import EOT, hf_tokenizer
from train import cpu_has_bf16, encode_split, heldout_nll, lr_at


def onnx_weights(path: Path) -> dict[str, np.ndarray]:
    """Every initializer of the ONNX file as fp32; `X_quantized` with `X_scale` / `X_zero_point` (what
    quantize_dynamic writes) comes back as X = scale * (q - zero_point), per tensor or per output channel."""
    init = {t.name: numpy_helper.to_array(t) for t in onnx.load(str(path)).graph.initializer}
    out = {}
    for name, arr in init.items():
        if name.endswith("_quantized"):
            base = name[: -len("_quantized")]
            scale = init[base + "_scale"].astype(np.float32)
            zero = init[base + "_zero_point"].astype(np.float32)
            if scale.ndim == 1 and scale.size > 1:  # per-channel along the last axis
                out[base] = (arr.astype(np.float32) - zero[None, :]) * scale[None, :]
            else:
                out[base] = (arr.astype(np.float32) - zero) * scale
        elif not name.endswith(("_scale", "_zero_point")):
            out[name] = arr
    return out


def load_shipped(model_dir: Path) -> GPT2LMHeadModel:
    """The shipped ONNX weights in a torch GPT2LMHeadModel (the optimum exporter keeps the parameter names;
    the output projection is the tied embedding); fails loudly when a parameter has no match."""
    config = GPT2Config.from_pretrained(model_dir)
    model = GPT2LMHeadModel(config)
    weights = onnx_weights(model_dir / "model.onnx")
    state = model.state_dict()
    loaded, bad = {}, []
    for key, tensor in state.items():
        if key == "lm_head.weight" or key.endswith((".attn.bias", ".attn.masked_bias")):
            continue
        if key in weights and weights[key].shape == tuple(tensor.shape):
            loaded[key] = torch.from_numpy(np.array(weights[key], dtype=np.float32))
        else:
            bad.append(key)
    if bad:
        raise SystemExit(f"{model_dir / 'model.onnx'}: no initializer for {bad[:5]} ({len(bad)} in all)")
    model.load_state_dict(loaded, strict=False)
    model.tie_weights()
    return model


def pair_ids(tok, pairs: list[dict], ctx: int, eot: int) -> list[tuple[np.ndarray, int]]:
    """(token ids of prompt + target + <|endoftext|>, number of prompt tokens); prompts cut from the left to fit."""
    prompts = tok.backend_tokenizer.encode_batch([p["prompt"] for p in pairs], add_special_tokens=False)
    targets = tok.backend_tokenizer.encode_batch([p["target"] for p in pairs], add_special_tokens=False)
    out = []
    for p, t in zip(prompts, targets):
        tgt = t.ids + [eot]
        prm = p.ids[-(ctx - len(tgt)):] if len(p.ids) + len(tgt) > ctx else p.ids
        out.append((np.asarray(prm + tgt, dtype=np.int64), len(prm)))
    return out


def pair_batch(items: list[tuple[np.ndarray, int]], pad: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Right-padded inputs and labels (-100 on the prompt and the padding): a causal model never sees the pad."""
    width = -(-max(len(ids) for ids, _ in items) // 32) * 32  # few distinct shapes: kernels are reused
    x = torch.full((len(items), width), pad, dtype=torch.long)
    y = torch.full((len(items), width), -100, dtype=torch.long)
    for i, (ids, n_prompt) in enumerate(items):
        x[i, :len(ids)] = torch.from_numpy(ids)
        y[i, n_prompt - 1:len(ids) - 1] = torch.from_numpy(ids[n_prompt:])
    return x, y


@torch.no_grad()
def pairs_nll(model, items, pad: int, autocast) -> float:
    """Mean NLL per target token over pairs (the prompt is context only)."""
    model.eval()
    total, count = 0.0, 0
    order = sorted(range(len(items)), key=lambda i: len(items[i][0]))
    for s in range(0, len(order), 16):
        x, y = pair_batch([items[i] for i in order[s:s + 16]], pad)
        keep = y != -100
        with autocast:
            logits = model.lm_head(model.transformer(x).last_hidden_state[keep])
        total += torch.nn.functional.cross_entropy(logits.float(), y[keep], reduction="sum").item()
        count += int(keep.sum())
    model.train()
    return total / max(count, 1)


def read_pairs(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", default="target/agora-train", type=Path)
    ap.add_argument("--model-dir", default="models/agora-gpt2", type=Path, help="the shipped model to start from")
    ap.add_argument("--out", type=Path, help="default <work>/ft-hf")
    ap.add_argument("--max-minutes", type=float, default=40.0, help="wall-clock budget for the optimisation loop (run_all.sh: 62 min pre-training + this + ~15 min <= 2 h)")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--threads", type=int, default=2, help="1 is faster on cores other jobs keep busy")
    ap.add_argument("--lr", type=float, default=4e-4)
    ap.add_argument("--batch-tokens", type=int, default=3072, help="padded tokens per pair step (about)")
    ap.add_argument("--lm-every", type=int, default=3, help="every Nth step is a pre-training LM step (0 = never)")
    ap.add_argument("--lm-ctx", type=int, default=512)
    ap.add_argument("--lm-rows", type=int, default=4)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--eval-tokens", type=int, default=200_000)
    ap.add_argument("--eval-pairs", type=int, default=600, help="held-out pairs scored for target NLL")
    ap.add_argument("--precision", choices=["auto", "fp32", "bf16"], default="auto")
    ap.add_argument("--check-only", action="store_true", help="load the shipped weights, report, stop")
    ap.add_argument("--checkpoint-minutes", type=float, default=10.0)
    args = ap.parse_args()

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    out = args.out or args.work / "ft-hf"
    tok_path = args.model_dir / "tokenizer.json"
    tok = hf_tokenizer(tok_path)
    eot = tok.convert_tokens_to_ids(EOT)
    # The corpus in the shipped tokenizer's ids (cached apart from train.py's, which uses a fresh tokenizer).
    train = encode_split(tok, tok_path, args.work / "corpus" / "train.txt", args.work / "ft-train.u16")
    valid = encode_split(tok, tok_path, args.work / "corpus" / "valid.txt", args.work / "ft-valid.u16")
    model = load_shipped(args.model_dir).to(args.device)
    ctx = model.config.n_positions
    device_type = "cuda" if args.device.startswith("cuda") else "cpu"
    if args.precision == "auto":
        args.precision = "bf16" if device_type == "cuda" or cpu_has_bf16() else "fp32"
    autocast = torch.autocast(device_type, dtype=torch.bfloat16, enabled=args.precision == "bf16")
    t_eval = time.time()
    base_nll, counted = heldout_nll(model, valid, ctx, args.device, args.eval_tokens)
    print(f"shipped weights (dequantised, fp32 torch): held-out ppl {math.exp(base_nll):.2f} over {counted:,} tokens "
          f"({time.time() - t_eval:.0f} s)", flush=True)
    if args.check_only:
        return

    train_pairs = read_pairs(args.work / "pairs" / "train.jsonl")
    valid_pairs = read_pairs(args.work / "pairs" / "valid.jsonl")
    rng = np.random.default_rng(args.seed)
    eval_sel = rng.permutation(len(valid_pairs))[:args.eval_pairs]
    eval_items = pair_ids(tok, [valid_pairs[i] for i in eval_sel], ctx, eot)
    base_pair_nll = pairs_nll(model, eval_items, eot, autocast)
    print(f"held-out pairs: target NLL {base_pair_nll:.3f} before", flush=True)

    # Groups by task and language, sampled in proportion to sqrt(size) so small groups (Chinese) count.
    groups: dict[str, list[int]] = {}
    for i, p in enumerate(train_pairs):
        groups.setdefault(f"{p['task']}/{p['lang']}", []).append(i)
    items = pair_ids(tok, train_pairs, ctx, eot)
    names = sorted(groups)
    weights = np.asarray([math.sqrt(len(groups[g])) for g in names])
    weights /= weights.sum()
    print("pairs: " + ", ".join(f"{g} {len(groups[g])} (p={w:.2f})" for g, w in zip(names, weights)), flush=True)

    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    other = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": other, "weight_decay": 0.0}],
                            lr=args.lr, betas=(0.9, 0.95))
    train_t = torch.from_numpy(train.astype(np.int64))
    budget = args.max_minutes * 60
    t0 = saved = time.time()
    step = seen = target_tokens = pairs_seen = 0
    smooth = {"pair": None, "lm": None}
    model.train()
    while (elapsed := time.time() - t0) < budget:
        for g in opt.param_groups:
            g["lr"] = lr_at(elapsed / budget, args.lr)
        if args.lm_every and step % args.lm_every == args.lm_every - 1:
            kind = "lm"
            starts = rng.integers(0, len(train) - args.lm_ctx - 1, size=args.lm_rows)
            batch = torch.stack([train_t[s:s + args.lm_ctx + 1] for s in starts])
            x, y = batch[:, :-1], batch[:, 1:]
        else:
            kind = "pair"
            # One group per step; then pairs of similar length, so padding stays small.
            g = groups[names[rng.choice(len(names), p=weights)]]
            anchor = items[g[rng.integers(len(g))]]
            pick = [anchor] + [items[g[j]] for j in rng.integers(len(g), size=64)]
            pick.sort(key=lambda it: abs(len(it[0]) - len(anchor[0])))
            width, chosen = 0, []
            for it in pick:
                w = max(width, len(it[0]))
                if chosen and w * (len(chosen) + 1) > args.batch_tokens:
                    break
                width, chosen = w, chosen + [it]
            x, y = pair_batch(chosen, eot)
            pairs_seen += len(chosen)
            target_tokens += int((y != -100).sum())
        x, y = x.to(args.device), y.to(args.device)
        with autocast:
            # The output projection (half the model's compute at this size) only where there is a loss.
            hidden = model.transformer(x).last_hidden_state
            keep = y != -100
            logits = model.lm_head(hidden[keep])
        loss = torch.nn.functional.cross_entropy(logits.float(), y[keep])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        seen += x.numel()
        smooth[kind] = loss.item() if smooth[kind] is None else 0.95 * smooth[kind] + 0.05 * loss.item()
        if step % 10 == 0:
            print(f"step {step} {elapsed / 60:.1f} min pair-loss {smooth['pair']:.3f} lm-loss {smooth['lm'] or 0:.3f} "
                  f"pairs {pairs_seen} tok/s {seen / elapsed:.0f}", flush=True)
        if time.time() - saved > args.checkpoint_minutes * 60:
            model.save_pretrained(out)
            tok.save_pretrained(out)
            saved = time.time()
    minutes = (time.time() - t0) / 60

    nll, counted = heldout_nll(model, valid, ctx, args.device, args.eval_tokens)
    pair_nll = pairs_nll(model, eval_items, eot, autocast)
    metrics = {
        "start": str(args.model_dir / "model.onnx"), "steps": step, "minutes": round(minutes, 1),
        "tokens_seen": seen, "pairs_seen": pairs_seen, "target_tokens_seen": target_tokens,
        "train_pairs": len(train_pairs), "valid_pairs": len(valid_pairs), "device": args.device,
        "threads": args.threads, "precision": args.precision, "heldout_tokens": counted,
        "heldout_ppl_before": round(math.exp(base_nll), 2), "heldout_ppl_after": round(math.exp(nll), 2),
        "heldout_pair_target_nll_before": round(base_pair_nll, 3), "heldout_pair_target_nll_after": round(pair_nll, 3),
        "args": {k: str(v) for k, v in vars(args).items()},
    }
    model.cpu().eval().save_pretrained(out)
    tok.save_pretrained(out)
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    print(json.dumps(metrics), flush=True)


if __name__ == "__main__":
    main()
