//! Text <-> token ids through tokenizer.json, plus exact per-token bytes for streaming valid UTF-8.
use std::path::Path;

use tokenizers::decoders::DecoderWrapper;
use tokenizers::Tokenizer;

use super::error::{AiError, LoadError};

/// The model's tokenizer with each token's raw bytes precomputed.
///
/// Byte-level BPE may split one character (a CJK ideograph, an emoji) over several tokens, so text is
/// rebuilt from bytes rather than per-token strings; streamed text then never shows a broken character.
pub struct TextTokenizer {
    inner: Tokenizer,
    token_bytes: Vec<Vec<u8>>,
}

impl std::fmt::Debug for TextTokenizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TextTokenizer")
            .field("vocab", &self.token_bytes.len())
            .finish_non_exhaustive()
    }
}

impl TextTokenizer {
    pub fn from_file(path: &Path) -> Result<TextTokenizer, LoadError> {
        if !path.is_file() {
            return Err(LoadError::ModelFileMissing(path.to_path_buf()));
        }
        let inner = Tokenizer::from_file(path).map_err(|e| LoadError::BadTokenizer {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        Ok(TextTokenizer::new(inner))
    }

    pub fn new(inner: Tokenizer) -> TextTokenizer {
        let byte_level = matches!(inner.get_decoder(), Some(DecoderWrapper::ByteLevel(_)));
        let unicode_to_byte = unicode_to_byte_table();
        let vocab = inner.get_vocab_size(true);
        let token_bytes = (0..vocab as u32)
            .map(|id| {
                let Some(token) = inner.id_to_token(id) else {
                    return Vec::new();
                };
                let mapped: Option<Vec<u8>> = if byte_level && !is_added_special(&inner, id) {
                    token
                        .chars()
                        .map(|c| unicode_to_byte.get(c as usize).copied().flatten())
                        .collect()
                } else {
                    None
                };
                // Tokens outside the byte alphabet (special tokens, other decoders) decode on their own.
                mapped.unwrap_or_else(|| inner.decode(&[id], false).unwrap_or(token).into_bytes())
            })
            .collect();
        TextTokenizer { inner, token_bytes }
    }

    pub fn encode(&self, text: &str) -> Result<Vec<u32>, AiError> {
        let encoding = self
            .inner
            .encode(text, false)
            .map_err(|e| AiError::Invalid(format!("the text could not be tokenized: {e}")))?;
        Ok(encoding.get_ids().to_vec())
    }

    /// Decodes with the tokenizer's own decoder (special tokens kept, as generated).
    pub fn decode(&self, ids: &[u32]) -> Result<String, AiError> {
        self.inner
            .decode(ids, false)
            .map_err(|e| AiError::Model(format!("tokens could not be decoded: {e}")))
    }

    /// The raw bytes a token stands for; empty for ids the tokenizer does not know.
    pub fn token_bytes(&self, id: u32) -> &[u8] {
        self.token_bytes
            .get(id as usize)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Tokens in the tokenizer, added tokens included.
    pub fn vocab_size(&self) -> usize {
        self.token_bytes.len()
    }

    pub fn token_to_id(&self, token: &str) -> Option<u32> {
        self.inner.token_to_id(token)
    }
}

fn is_added_special(tokenizer: &Tokenizer, id: u32) -> bool {
    tokenizer
        .get_added_tokens_decoder()
        .get(&id)
        .is_some_and(|t| t.special)
}

/// GPT-2's byte-to-unicode alphabet, inverted: printable bytes stand for themselves, the rest are
/// shifted to 256 + n so every byte has a visible character.
fn unicode_to_byte_table() -> Vec<Option<u8>> {
    let mut table = vec![None; 512];
    let mut shifted = 0usize;
    for byte in 0..=255u8 {
        let printable = matches!(byte, b'!'..=b'~' | 0xA1..=0xAC | 0xAE..=0xFF);
        let code = if printable {
            byte as usize
        } else {
            shifted += 1;
            255 + shifted
        };
        table[code] = Some(byte);
    }
    table
}

/// Turns a stream of byte chunks into text pieces that always end on a character boundary.
#[derive(Debug, Default)]
pub struct Utf8Stream {
    pending: Vec<u8>,
}

impl Utf8Stream {
    /// Appends bytes and returns the text that is complete so far; bytes that can never form a
    /// character become U+FFFD, as a lossy decode of the whole would give.
    pub fn push(&mut self, bytes: &[u8], out: &mut String) {
        self.pending.extend_from_slice(bytes);
        let mut start = 0;
        loop {
            match std::str::from_utf8(&self.pending[start..]) {
                Ok(text) => {
                    out.push_str(text);
                    self.pending.clear();
                    return;
                }
                Err(e) => {
                    let valid = start + e.valid_up_to();
                    // SAFETY-free: valid_up_to guarantees this range is UTF-8.
                    out.push_str(&String::from_utf8_lossy(&self.pending[start..valid]));
                    match e.error_len() {
                        Some(bad) => {
                            out.push(char::REPLACEMENT_CHARACTER);
                            start = valid + bad;
                        }
                        None => {
                            self.pending.drain(..valid);
                            return;
                        }
                    }
                }
            }
        }
    }

    /// Ends the stream: an incomplete trailing character becomes U+FFFD.
    pub fn finish(&mut self, out: &mut String) {
        if !self.pending.is_empty() {
            out.push_str(&String::from_utf8_lossy(&self.pending));
            self.pending.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_alphabet_covers_every_byte_once() {
        let table = unicode_to_byte_table();
        let mut seen: Vec<u8> = table.iter().flatten().copied().collect();
        seen.sort_unstable();
        assert_eq!(seen, (0..=255u8).collect::<Vec<_>>());
        assert_eq!(table['Ġ' as usize], Some(b' '));
        assert_eq!(table['Ċ' as usize], Some(b'\n'));
        assert_eq!(table['a' as usize], Some(b'a'));
    }

    #[test]
    fn split_characters_are_held_until_complete() {
        let text = "中文🙂x";
        let mut stream = Utf8Stream::default();
        let mut out = String::new();
        let mut pieces = Vec::new();
        for byte in text.as_bytes() {
            let before = out.len();
            stream.push(std::slice::from_ref(byte), &mut out);
            pieces.push(out[before..].to_string());
        }
        assert_eq!(out, text);
        assert_eq!(pieces.iter().filter(|p| !p.is_empty()).count(), 4);
    }

    #[test]
    fn invalid_bytes_become_replacement_characters() {
        let mut stream = Utf8Stream::default();
        let mut out = String::new();
        stream.push(&[b'a', 0xFF, b'b', 0xE4, 0xB8], &mut out);
        assert_eq!(out, "a\u{FFFD}b");
        stream.finish(&mut out);
        assert_eq!(
            out,
            String::from_utf8_lossy(&[b'a', 0xFF, b'b', 0xE4, 0xB8])
        );
    }
}
