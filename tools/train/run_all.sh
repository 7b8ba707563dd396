#!/usr/bin/env bash
# Rebuild agora's shipped GPT-2 from scratch: corpus -> tokenizer -> pre-training -> int8 export -> evaluation,
# then the supervised fine-tune of that model (tools/train/run_finetune.sh, AGORA_FT_MINUTES minutes, default 40;
# 0 skips it) -> int8 export -> evaluation -> fixtures.
# Usage: bash tools/train/run_all.sh [--max-minutes 62] [--device cpu] [--threads 2]   (extra flags go to train.py)
# Scratch files (packages, corpus, checkpoints, fp32 export) stay in target/agora-train/, which git ignores.
set -euo pipefail
cd "$(dirname "$0")/../.."
work=target/agora-train
py=.venv/bin/python

bash tools/train/venv.sh
python3 tools/train/build_corpus.py --work "$work"
$py tools/train/train_tokenizer.py --work "$work" --vocab 12000
$py tools/train/train.py --work "$work" "$@"
$py tools/train/export.py --hf-dir "$work/hf" --out models/agora-gpt2 --int8 --keep-fp32 "$work/fp32"
rm -f models/agora-gpt2/STATUS
$py tools/train/evaluate.py --model-dir models/agora-gpt2 --work "$work"
if [ "${AGORA_FT_MINUTES:-40}" != 0 ]; then
  mkdir -p "$work/pretrained"
  cp models/agora-gpt2/{model.onnx,config.json,tokenizer.json} "$work/pretrained/"
  AGORA_FT_BASE="$work/pretrained" bash tools/train/run_finetune.sh --max-minutes "${AGORA_FT_MINUTES:-40}"
  exit 0   # run_finetune.sh regenerated the fixtures from the fine-tuned model
fi
$py tools/fixtures/tokenizer_cases.py
$py tools/fixtures/greedy_reference.py --fp32-dir "$work/fp32" --hf-dir "$work/hf"
