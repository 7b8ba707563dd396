"""Score ONNX models on the held-out fine-tuning pairs: ROUGE-L against a lead-sentence baseline, plus perplexity.

Usage: .venv/bin/python tools/train/eval_pairs.py --model base=target/agora-train/base-model \
           --model finetuned=models/agora-gpt2 --work target/agora-train
For each held-out pair (<work>/pairs/valid.jsonl, up to --per-group per task and language) every model
decodes greedily from the pair's prompt (stop at <|endoftext|> or a newline), once freely and once under a
copy constraint (only tokens of the source, a short function-word list and end-of-text may be produced:
the open mask of the server's copy-constrained decoding, `ai::copy::allowed_tokens`). ROUGE-L F1 (longest
common subsequence) is on lower-cased words for English and on characters for Chinese; answer citations
("[n]") are scored apart (cited the answering passage) and removed before ROUGE-L. Lead baseline: the
first sentence of the source (summaries) or of passage [1] (answers). Held-out perplexity: each model on
the corpus valid split in the shipped tokenizer's ids (<work>/ft-valid.u16, written by finetune.py).
Writes <work>/eval_pairs.json and prints Markdown tables.
"""

import argparse
import json
import math
import re
import sys
from pathlib import Path

import numpy as np
from tokenizers import Tokenizer

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_pairs import is_cjk_text, sentences  # noqa: E402
from evaluate import heldout_ppl  # noqa: E402
from ort_python_loop import empty_past, session  # noqa: E402

# The server's list (src/ai/copy.rs FUNCTION_WORDS) of words a copy-constrained draft may use freely.
FUNCTION_WORDS = [
    "the", "a", "an", "of", "to", "in", "on", "for", "and", "or", "but", "is", "are", "was", "be",
    "it", "this", "that", "with", "as", "by", "at", "from", "not", "no", "can", "so", "its",
    "their", "which", "when", "if", "than", "also", "only", "each", "per", "you", "your", "use",
    "uses", "it's", "The", "A", "It", "This", "In", "To", "For", "You", "Use", "的", "了", "是",
    "在", "和", "与", "也", "就", "都", "而", "及", "或", "但", "这", "个", "一", "不", "会",
    "可以", "需要", "因为", "所以", "如果", "用", "把", "对", "更", "，", "。", "；", "：", "、",
    "（", "）", ",", ".", ";", ":", "(", ")", "-", "/", "[1]", "[2]", "[3]", "\n",
]
EOT = "<|endoftext|>"
CITE = re.compile(r"\[(\d)\]")


def allowed_mask(tok: Tokenizer, source: str, eot: int) -> np.ndarray:
    mask = np.zeros(tok.get_vocab_size(), dtype=bool)
    mask[tok.encode(source, add_special_tokens=False).ids] = True
    words = source.split()[:4000] + FUNCTION_WORDS
    for enc in tok.encode_batch([w for word in words for w in (word, " " + word)], add_special_tokens=False):
        mask[enc.ids] = True
    mask[eot] = True
    return mask


def greedy(sess, names, prompt_ids: list[int], n: int, eot: int, newline_ids: set[int], mask=None) -> list[int]:
    """KV-cache greedy decoding; stops at end-of-text or at a token holding a newline after some output."""
    past, ids, total, out = empty_past(sess), np.asarray([prompt_ids], dtype=np.int64), len(prompt_ids), []
    pos = np.arange(total, dtype=np.int64)[None, :]
    for _ in range(n):
        outs = sess.run(None, {"input_ids": ids, "attention_mask": np.ones((1, total), dtype=np.int64),
                               "position_ids": pos, **past})
        logits = outs[0][0, -1]
        if mask is not None:
            logits = np.where(mask, logits, -np.inf)
        nxt = int(np.argmax(logits))
        if nxt == eot or (nxt in newline_ids and any(t not in newline_ids for t in out)):  # leading newlines: go on
            break
        out.append(nxt)
        past = {k.replace("present.", "past_key_values."): v for k, v in zip(names, outs) if k.startswith("present.")}
        ids, pos, total = np.asarray([[nxt]], dtype=np.int64), np.asarray([[total]], dtype=np.int64), total + 1
    return out


def units(text: str, zh: bool) -> list[str]:
    text = CITE.sub(" ", text).lower()
    if zh:
        return [c for c in text if not c.isspace() and (c.isalnum() or "\u3400" <= c <= "\u9fff")]
    return re.findall(r"\w+", text)


def rouge_l(hyp: str, ref: str, zh: bool) -> float:
    a, b = units(hyp, zh), units(ref, zh)
    if not a or not b:
        return 0.0
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for j, y in enumerate(b):
            cur.append(prev[j] + 1 if x == y else max(prev[j + 1], cur[j]))
        prev = cur
    lcs = prev[-1]
    if lcs == 0:
        return 0.0
    p, r = lcs / len(a), lcs / len(b)
    return 2 * p * r / (p + r)


def source_of(pair: dict) -> str:
    """What the draft may copy from: the title and text (summaries), the question and the passages (answers)."""
    if pair["task"] == "summary":
        return pair["title"] + " " + pair["text"]
    lines = [line for line in pair["prompt"].split("\n") if re.match(r"^\[\d\] ", line)]
    return pair["question"] + "\n" + "\n".join(re.sub(r"^\[\d\] ", "", line) for line in lines)


def lead(pair: dict) -> str:
    if pair["task"] == "summary":
        first = sentences(pair["text"])
        return first[0] if first else ""
    line = next(line for line in pair["prompt"].split("\n") if line.startswith("[1] "))
    body = line[4:].split(": ", 1)[-1]
    first = sentences(body)
    return (first[0] if first else body) + " [1]"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", action="append", required=True, help="NAME=DIR (a folder with model.onnx), repeatable")
    ap.add_argument("--work", default="target/agora-train", type=Path)
    ap.add_argument("--per-group", type=int, default=150, help="held-out pairs per task and language, at most")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--eval-tokens", type=int, default=200_000)
    ap.add_argument("--no-ppl", action="store_true")
    ap.add_argument("--out", type=Path, help="default <work>/eval_pairs.json")
    args = ap.parse_args()
    pairs = [json.loads(line) for line in (args.work / "pairs" / "valid.jsonl").read_text(encoding="utf-8").splitlines()]
    groups: dict[str, list[dict]] = {}
    for p in pairs:
        groups.setdefault(f"{p['task']}/{p['lang']}", []).append(p)
    # Spread the cap over sources: every k-th pair of the group.
    chosen = {g: v[::max(1, math.ceil(len(v) / args.per_group))] for g, v in sorted(groups.items())}

    result = {"pairs": {g: len(v) for g, v in chosen.items()}, "models": {}, "samples": []}
    lead_scores = {g: [rouge_l(lead(p), p["target"], p["lang"] == "zh") for p in v] for g, v in chosen.items()}
    lead_cite = {g: [float(p["answer_n"] == 1) for p in v] for g, v in chosen.items() if g.startswith("answer")}
    result["lead"] = {g: round(float(np.mean(s)), 3) for g, s in lead_scores.items()}
    result["lead_cites_right"] = {g: round(float(np.mean(s)), 3) for g, s in lead_cite.items()}

    for spec in args.model:
        name, _, folder = spec.partition("=")
        folder = Path(folder)
        sess = session(folder / "model.onnx", args.threads)
        names = [o.name for o in sess.get_outputs()]
        tok = Tokenizer.from_file(str(folder / "tokenizer.json"))
        eot = tok.token_to_id(EOT)
        newline_ids = {i for t, i in tok.get_vocab().items() if "Ċ" in t}
        scores = {}
        for g, v in chosen.items():
            row = {"free": [], "copy": [], "free_cites_right": [], "copy_cites_right": []}
            for k, p in enumerate(v):
                ids = tok.encode(p["prompt"], add_special_tokens=False).ids
                n_new = 64 if p["task"] == "summary" else 96
                zh = p["lang"] == "zh"
                for mode in ("free", "copy"):
                    mask = allowed_mask(tok, source_of(p), eot) if mode == "copy" else None
                    text = tok.decode(greedy(sess, names, ids, n_new, eot, newline_ids, mask)).strip()
                    row[mode].append(rouge_l(text, p["target"], zh))
                    if p["task"] == "answer":
                        cites = CITE.findall(text)
                        row[f"{mode}_cites_right"].append(float(bool(cites) and int(cites[-1]) == p["answer_n"]))
                    if k < 3:
                        result["samples"].append({"model": name, "group": g, "mode": mode, "title": p.get("title") or p.get("question"),
                                                  "target": p["target"], "output": text})
            scores[g] = {k: round(float(np.mean(s)), 3) for k, s in row.items() if s}
            print(f"{name} {g}: {scores[g]} (lead {result['lead'][g]})", file=sys.stderr, flush=True)
        entry = {"rouge_l": scores}
        if not args.no_ppl:
            valid = np.fromfile(args.work / "ft-valid.u16", dtype=np.uint16)
            ctx = json.loads((folder / "config.json").read_text())["n_positions"]
            ppl, _, count = heldout_ppl(sess, valid, ctx, args.eval_tokens)
            entry["heldout_ppl"], entry["heldout_tokens"] = round(ppl, 2), count
        result["models"][name] = entry

    (args.out or args.work / "eval_pairs.json").write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print("| task / language | held-out pairs | lead sentence | " + " | ".join(
        f"{m} greedy | {m} greedy, copy-constrained" for m in result["models"]) + " |")
    print("| --- | ---: | ---: | " + " | ".join("---: | ---:" for _ in result["models"]) + " |")
    for g in chosen:
        cells = [f"{result['models'][m]['rouge_l'][g]['free']:.3f} | {result['models'][m]['rouge_l'][g]['copy']:.3f}"
                 for m in result["models"]]
        print(f"| {g} | {result['pairs'][g]} | {result['lead'][g]:.3f} | " + " | ".join(cells) + " |")
    for g in [g for g in chosen if g.startswith("answer")]:
        cells = [f"{result['models'][m]['rouge_l'][g]['free_cites_right']:.2f} | "
                 f"{result['models'][m]['rouge_l'][g]['copy_cites_right']:.2f}" for m in result["models"]]
        print(f"| {g} cites the answering passage | {result['pairs'][g]} | {result['lead_cites_right'][g]:.2f} | "
              + " | ".join(cells) + " |")
    for m, e in result["models"].items():
        if "heldout_ppl" in e:
            print(f"{m}: held-out perplexity {e['heldout_ppl']} over {e['heldout_tokens']:,} tokens")


if __name__ == "__main__":
    main()
