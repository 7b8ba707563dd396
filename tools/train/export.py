"""Export a saved Hugging Face GPT-2 model to agora's model folder: ONNX decoder with past key/values (optimum), optional int8.

Usage: .venv/bin/python tools/train/export.py --hf-dir target/agora-train/hf --out models/agora-gpt2 [--int8] [--keep-fp32 DIR]
The folder gets model.onnx, tokenizer.json and config.json, exactly as `optimum-cli export onnx --model gpt2
--task text-generation-with-past` lays them out (same input/output names and shapes).
"""

import argparse
import shutil
import tempfile
from pathlib import Path

from onnxruntime.quantization import QuantType, quantize_dynamic
from optimum.exporters.onnx import main_export

KEEP = ("model.onnx", "tokenizer.json", "config.json")


def export(hf_dir: Path, out: Path, int8: bool, keep_fp32: Path | None = None) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "fp32"
        main_export(str(hf_dir), output=str(fp32), task="text-generation-with-past", device="cpu", do_validation=False)
        if keep_fp32:
            keep_fp32.mkdir(parents=True, exist_ok=True)
            for name in KEEP:
                shutil.copy(fp32 / name, keep_fp32 / name)
        if int8:
            # Dynamic (weight-only int8, activations quantised on the fly): no calibration data needed.
            quantize_dynamic(str(fp32 / "model.onnx"), str(out / "model.onnx"), weight_type=QuantType.QInt8)
        else:
            shutil.copy(fp32 / "model.onnx", out / "model.onnx")
        for name in KEEP[1:]:
            shutil.copy(fp32 / name, out / name)
    return out / "model.onnx"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hf-dir", required=True, type=Path)
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--int8", action="store_true", help="quantise weights to int8 (quantize_dynamic)")
    ap.add_argument("--keep-fp32", type=Path, help="also copy the fp32 export here")
    args = ap.parse_args()
    path = export(args.hf_dir, args.out, args.int8, args.keep_fp32)
    print(f"{path} ({path.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
