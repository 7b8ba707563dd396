"""Build a random-weight GPT-2 decoder with past key/values directly as an ONNX graph (no torch).

The graph has the interface `optimum` exports for `text-generation-with-past` (input_ids,
attention_mask, position_ids, past_key_values.N.key/value -> logits, present.N.key/value), so the
Rust engine and tools/bench/ort_python_loop.py load it unchanged. It is for speed measurements only:
weights are random, so the text is noise. make_random_gpt2.py does the same through torch and
optimum; this builder needs only numpy, onnx and onnxruntime (for the int8 copy).

Usage: python tools/bench/make_gpt2_graph.py --out /tmp/gpt2-124m [--layers 12 --embd 768 --heads 12]
Writes <out>/fp32/ and <out>/int8/ with model.onnx, config.json and the shipped tokenizer.json.
Never commit the result (about 500 MB fp32, 130 MB int8).
"""

import argparse
import json
import shutil
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 20  # Gelu with approximate="tanh" (GPT-2's gelu_new)


def build(layers: int, embd: int, heads: int, vocab: int, ctx: int, seed: int) -> onnx.ModelProto:
    rng = np.random.default_rng(seed)
    head_dim = embd // heads
    inits, nodes = [], []

    def weight(name, shape, std=0.02):
        inits.append(numpy_helper.from_array((rng.standard_normal(shape) * std).astype(np.float32), name))
        return name

    def const(name, value, dtype=np.int64):
        inits.append(numpy_helper.from_array(np.asarray(value, dtype=dtype), name))
        return name

    def node(op, inputs, output, **attrs):
        nodes.append(helper.make_node(op, inputs, [output], name=output, **attrs))
        return output

    inputs = [
        helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch_size", "sequence_length"]),
        helper.make_tensor_value_info(
            "attention_mask", TensorProto.INT64, ["batch_size", "past_sequence_length + sequence_length"]
        ),
        helper.make_tensor_value_info("position_ids", TensorProto.INT64, ["batch_size", "sequence_length"]),
    ]
    outputs = [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch_size", "sequence_length", vocab])]
    for i in range(layers):
        for kv in ("key", "value"):
            inputs.append(
                helper.make_tensor_value_info(
                    f"past_key_values.{i}.{kv}", TensorProto.FLOAT, ["batch_size", heads, "past_sequence_length", head_dim]
                )
            )
            outputs.append(
                helper.make_tensor_value_info(
                    f"present.{i}.{kv}",
                    TensorProto.FLOAT,
                    ["batch_size", heads, "past_sequence_length + sequence_length", head_dim],
                )
            )

    wte = weight("wte", (vocab, embd))
    wpe = weight("wpe", (ctx, embd), 0.01)
    x = node("Add", [node("Gather", [wte, "input_ids"], "tok_emb"), node("Gather", [wpe, "position_ids"], "pos_emb")], "h0")

    # Causal and padding mask, shared by every layer: key j is visible to query i when
    # j <= past + i and attention_mask[j] == 1.
    zero, one = const("c_zero", 0), const("c_one", 1)
    seq = node("Gather", [node("Shape", ["input_ids"], "ids_shape"), one], "seq_len")
    total = node("Gather", [node("Shape", ["attention_mask"], "mask_shape"), one], "total_len")
    past = node("Sub", [total, seq], "past_len")
    q_pos = node("Unsqueeze", [node("Range", [past, total, one], "q_range"), one], "q_pos")  # [S,1]
    k_pos = node("Unsqueeze", [node("Range", [zero, total, one], "k_range"), zero], "k_pos")  # [1,T]
    causal = node("LessOrEqual", [k_pos, q_pos], "causal")  # [S,T]
    pad = node("Cast", ["attention_mask"], "pad_bool", to=TensorProto.BOOL)
    pad = node("Unsqueeze", [pad, const("c_axes_12", [1, 2])], "pad_4d")  # [B,1,1,T]
    allowed = node("And", [causal, pad], "allowed")  # [B,1,S,T]
    neg = const("c_neg", np.float32(-1e9), np.float32)
    scale = const("c_scale", np.float32(1.0 / np.sqrt(head_dim)), np.float32)
    split_shape = const("c_split_shape", [0, 0, heads, head_dim])
    merge_shape = const("c_merge_shape", [0, 0, embd])
    eps = 1e-5

    for i in range(layers):
        p = f"l{i}_"
        ln1 = node(
            "LayerNormalization",
            [x, const(p + "ln1_g", np.ones(embd, np.float32), np.float32), const(p + "ln1_b", np.zeros(embd, np.float32), np.float32)],
            p + "ln1",
            axis=-1,
            epsilon=eps,
        )
        qkv = node("Add", [node("MatMul", [ln1, weight(p + "w_qkv", (embd, 3 * embd))], p + "qkv_mm"),
                           const(p + "b_qkv", np.zeros(3 * embd, np.float32), np.float32)], p + "qkv")
        nodes.append(helper.make_node("Split", [qkv, const(p + "split", [embd, embd, embd])],
                                      [p + "q", p + "k", p + "v"], name=p + "split", axis=-1))

        def heads_first(t):
            r = node("Reshape", [t, split_shape], t + "_r")
            return node("Transpose", [r], t + "_t", perm=[0, 2, 1, 3])  # [B,H,S,D]

        q, k, v = heads_first(p + "q"), heads_first(p + "k"), heads_first(p + "v")
        k_all = node("Concat", [f"past_key_values.{i}.key", k], f"present.{i}.key", axis=2)
        v_all = node("Concat", [f"past_key_values.{i}.value", v], f"present.{i}.value", axis=2)
        scores = node("MatMul", [q, node("Transpose", [k_all], p + "k_T", perm=[0, 1, 3, 2])], p + "scores")
        scores = node("Mul", [scores, scale], p + "scaled")
        scores = node("Where", [allowed, scores, neg], p + "masked")
        probs = node("Softmax", [scores], p + "probs", axis=-1)
        ctx_ = node("MatMul", [probs, v_all], p + "ctx")
        ctx_ = node("Reshape", [node("Transpose", [ctx_], p + "ctx_t", perm=[0, 2, 1, 3]), merge_shape], p + "ctx_m")
        attn = node("Add", [node("MatMul", [ctx_, weight(p + "w_o", (embd, embd))], p + "o_mm"),
                            const(p + "b_o", np.zeros(embd, np.float32), np.float32)], p + "attn")
        x = node("Add", [x, attn], p + "res1")
        ln2 = node(
            "LayerNormalization",
            [x, const(p + "ln2_g", np.ones(embd, np.float32), np.float32), const(p + "ln2_b", np.zeros(embd, np.float32), np.float32)],
            p + "ln2",
            axis=-1,
            epsilon=eps,
        )
        fc = node("Add", [node("MatMul", [ln2, weight(p + "w_fc", (embd, 4 * embd))], p + "fc_mm"),
                          const(p + "b_fc", np.zeros(4 * embd, np.float32), np.float32)], p + "fc")
        act = node("Gelu", [fc], p + "gelu", approximate="tanh")
        mlp = node("Add", [node("MatMul", [act, weight(p + "w_proj", (4 * embd, embd))], p + "proj_mm"),
                           const(p + "b_proj", np.zeros(embd, np.float32), np.float32)], p + "mlp")
        x = node("Add", [x, mlp], p + "res2")

    lnf = node(
        "LayerNormalization",
        [x, const("lnf_g", np.ones(embd, np.float32), np.float32), const("lnf_b", np.zeros(embd, np.float32), np.float32)],
        "lnf",
        axis=-1,
        epsilon=eps,
    )
    # Tied output embedding: logits = lnf @ wte^T (stored transposed once).
    wte_t = numpy_helper.to_array(next(t for t in inits if t.name == "wte")).T.copy()
    inits.append(numpy_helper.from_array(wte_t, "wte_T"))
    node("MatMul", [lnf, "wte_T"], "logits")

    graph = helper.make_graph(nodes, "gpt2_with_past", inputs, outputs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 10
    return model


def config(layers, embd, heads, vocab, ctx):
    return {
        "architectures": ["GPT2LMHeadModel"],
        "model_type": "gpt2",
        "activation_function": "gelu_new",
        "n_layer": layers,
        "n_embd": embd,
        "n_head": heads,
        "n_positions": ctx,
        "vocab_size": vocab,
        "bos_token_id": 0,
        "eos_token_id": 0,
        "layer_norm_epsilon": 1e-5,
        "use_cache": True,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--layers", type=int, default=12)
    ap.add_argument("--embd", type=int, default=768)
    ap.add_argument("--heads", type=int, default=12)
    ap.add_argument("--vocab", type=int, default=50257)
    ap.add_argument("--ctx", type=int, default=1024)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--tokenizer", type=Path, default=Path("models/agora-gpt2/tokenizer.json"))
    args = ap.parse_args()
    model = build(args.layers, args.embd, args.heads, args.vocab, args.ctx, args.seed)
    fp32 = args.out / "fp32"
    fp32.mkdir(parents=True, exist_ok=True)
    onnx.save_model(model, str(fp32 / "model.onnx"))
    for d in (fp32,):
        (d / "config.json").write_text(json.dumps(config(args.layers, args.embd, args.heads, args.vocab, args.ctx), indent=2))
        shutil.copy(args.tokenizer, d / "tokenizer.json")
    from onnxruntime.quantization import QuantType, quantize_dynamic

    int8 = args.out / "int8"
    int8.mkdir(parents=True, exist_ok=True)
    quantize_dynamic(str(fp32 / "model.onnx"), str(int8 / "model.onnx"), weight_type=QuantType.QInt8)
    shutil.copy(fp32 / "config.json", int8 / "config.json")
    shutil.copy(args.tokenizer, int8 / "tokenizer.json")
    for d in (fp32, int8):
        print(d, round((d / "model.onnx").stat().st_size / 1e6, 1), "MB")


if __name__ == "__main__":
    main()
