//! tokenizer.json round trips: Chinese, emoji, code, whitespace runs; byte-exact streaming.
use agora::ai::tokenizer::{TextTokenizer, Utf8Stream};

use crate::helpers::{fixture, model_dir, skip};

const OWN_CASES: &[&str] = &[
    "",
    "Hello, world!",
    "如何在 PyTorch 中冻结部分层的参数？",
    "混合 mixed 文本：Transformer 的注意力机制 (attention) 很重要。",
    "emoji 🙂🚀👩‍💻🇨🇳 and ZWJ sequences",
    "fn main() {\n    println!(\"{}\", 1 + 2);\n}\n",
    "def f(x):\n\treturn x ** 2  # square\n",
    "    leading spaces and trailing   ",
    "\n\n\n\t\t  \r\n  mixed whitespace runs      \n",
    "$$\\sum_{i=1}^{n} x_i^2$$ and `torch.nn.Module`",
    "graph TD; A-->B; B-->C;",
    "ｆｕｌｌｗｉｄｔｈ，标点！",
];

fn load(test: &str) -> Option<TextTokenizer> {
    let path = model_dir().join("tokenizer.json");
    if !path.is_file() {
        skip(test, &format!("no tokenizer at {}", path.display()));
        return None;
    }
    Some(TextTokenizer::from_file(&path).unwrap_or_else(|e| panic!("{e}")))
}

/// Strings (and expected ids, when given) from tests/fixtures/ai/tokenizer_cases.json.
fn fixture_cases() -> Vec<(String, Option<Vec<u32>>)> {
    let path = fixture("tokenizer_cases.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Vec::new();
    };
    let json: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let cases = json.get("cases").cloned().unwrap_or(json);
    let items = cases.as_array().cloned().unwrap_or_default();
    items
        .iter()
        .filter_map(|case| match case {
            serde_json::Value::String(s) => Some((s.clone(), None)),
            serde_json::Value::Object(map) => {
                let text = map.get("text").and_then(|t| t.as_str())?.to_string();
                let ids = map
                    .get("ids")
                    .and_then(|ids| serde_json::from_value::<Vec<u32>>(ids.clone()).ok());
                Some((text, ids))
            }
            _ => None,
        })
        .collect()
}

fn streamed(tokenizer: &TextTokenizer, ids: &[u32]) -> String {
    let mut stream = Utf8Stream::default();
    let mut text = String::new();
    for &id in ids {
        stream.push(tokenizer.token_bytes(id), &mut text);
    }
    stream.finish(&mut text);
    text
}

#[test]
fn tokenizer_round_trips_own_strings_exactly() {
    let Some(tokenizer) = load("tokenizer_round_trips_own_strings_exactly") else {
        return;
    };
    for case in OWN_CASES {
        let ids = tokenizer.encode(case).unwrap();
        assert_eq!(tokenizer.decode(&ids).unwrap(), *case, "decode of {ids:?}");
        assert_eq!(
            streamed(&tokenizer, &ids),
            *case,
            "byte-wise decode of {ids:?}"
        );
    }
}

#[test]
fn tokenizer_matches_fixture_cases() {
    let test = "tokenizer_matches_fixture_cases";
    let Some(tokenizer) = load(test) else {
        return;
    };
    let cases = fixture_cases();
    if cases.is_empty() {
        skip(
            test,
            "tests/fixtures/ai/tokenizer_cases.json is missing or empty",
        );
        return;
    }
    for (text, expected) in &cases {
        let ids = tokenizer.encode(text).unwrap();
        if let Some(expected) = expected {
            assert_eq!(&ids, expected, "ids of {text:?}");
        }
        assert_eq!(&tokenizer.decode(&ids).unwrap(), text);
        assert_eq!(&streamed(&tokenizer, &ids), text);
    }
}

#[test]
fn streaming_never_splits_a_character() {
    let Some(tokenizer) = load("streaming_never_splits_a_character") else {
        return;
    };
    let text = "中文字符🙂🚀 测试";
    let ids = tokenizer.encode(text).unwrap();
    let mut stream = Utf8Stream::default();
    let mut out = String::new();
    for &id in &ids {
        let before = out.len();
        stream.push(tokenizer.token_bytes(id), &mut out);
        assert!(
            !out[before..].contains('\u{FFFD}'),
            "a piece held a broken character"
        );
    }
    assert_eq!(out, text);
}
