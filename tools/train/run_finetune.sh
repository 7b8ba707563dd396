#!/usr/bin/env bash
# Supervised fine-tune of the shipped model (no pre-training): corpus + pairs -> fine-tune -> int8 export -> evaluation -> fixtures.
# Usage: bash tools/train/run_finetune.sh [--max-minutes 40] [--threads 2]   (extra flags go to finetune.py)
# Starts from models/agora-gpt2/model.onnx as committed (a copy is kept in target/agora-train/base-model for the
# before/after evaluation), keeps its tokenizer, and overwrites model.onnx and config.json with the fine-tuned export.
set -euo pipefail
cd "$(dirname "$0")/../.."
work=target/agora-train
py=.venv/bin/python

bash tools/train/venv.sh
python3 tools/train/build_corpus.py --work "$work"      # fetches and unpacks the packages, writes the corpus
$py tools/train/build_pairs.py --work "$work"
mkdir -p "$work/base-model"
if [ ! -f "$work/base-model/model.onnx" ]; then
  cp models/agora-gpt2/{model.onnx,config.json,tokenizer.json} "$work/base-model/"
fi
$py tools/train/finetune.py --work "$work" --model-dir "$work/base-model" "$@"
$py tools/train/export.py --hf-dir "$work/ft-hf" --out "$work/ft-export" --int8 --keep-fp32 "$work/ft-fp32"
cp "$work/ft-export/model.onnx" "$work/ft-export/config.json" models/agora-gpt2/
cmp -s "$work/ft-export/tokenizer.json" models/agora-gpt2/tokenizer.json || echo "note: the export's tokenizer.json differs; the shipped one is kept"
$py tools/train/eval_pairs.py --work "$work" --model "base=$work/base-model" --model "finetuned=models/agora-gpt2"
$py tools/fixtures/tokenizer_cases.py
$py tools/fixtures/greedy_reference.py --fp32-dir "$work/ft-fp32" --hf-dir "$work/ft-hf"
