#!/usr/bin/env bash
# Supervised fine-tune of the pre-trained model: corpus + pairs -> fine-tune -> int8 export -> evaluation -> fixtures.
# Usage: bash tools/train/run_finetune.sh [--max-minutes 40] [--threads 2]   (extra flags go to finetune.py)
# The start is the pre-trained model: $AGORA_FT_BASE (a folder with model.onnx, config.json, tokenizer.json;
# run_all.sh sets it to the model it has just pre-trained) or else the pre-trained model as committed before the
# fine-tune (git commit 608da54). The tokenizer is kept; model.onnx and config.json in models/agora-gpt2 are
# overwritten with the fine-tuned int8 export. Scratch output stays in target/agora-train/.
set -euo pipefail
cd "$(dirname "$0")/../.."
work=target/agora-train
py=.venv/bin/python
base="$work/base-model"

bash tools/train/venv.sh
python3 tools/train/build_corpus.py --work "$work"      # fetches and unpacks the packages, writes the corpus
$py tools/train/build_pairs.py --work "$work"
rm -rf "$base" && mkdir -p "$base"
if [ -n "${AGORA_FT_BASE:-}" ]; then
  cp "$AGORA_FT_BASE"/{model.onnx,config.json,tokenizer.json} "$base/"
else
  for f in model.onnx config.json tokenizer.json; do git show "608da54:models/agora-gpt2/$f" > "$base/$f"; done
fi
$py tools/train/finetune.py --work "$work" --model-dir "$base" "$@"
$py tools/train/export.py --hf-dir "$work/ft-hf" --out "$work/ft-export" --int8 --keep-fp32 "$work/ft-fp32"
cp "$work/ft-export/model.onnx" "$work/ft-export/config.json" models/agora-gpt2/
$py tools/train/eval_pairs.py --work "$work" --model "base=$base" --model "finetuned=models/agora-gpt2"
$py tools/fixtures/tokenizer_cases.py
$py tools/fixtures/greedy_reference.py --fp32-dir "$work/ft-fp32" --hf-dir "$work/ft-hf"
