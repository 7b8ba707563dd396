//! Sentence splitting for mixed Chinese/English text (summaries pick whole sentences).

/// Splits text into trimmed sentences. Ends a sentence after `。！？；…` and their ASCII
/// counterparts `! ? ;`, after `.` only when followed by whitespace or the end (so `3.14`
/// and `torch.nn` stay whole), and at line breaks. Closing quotes and brackets stay with
/// the sentence they close.
pub fn cjk_sentences(text: &str) -> Vec<&str> {
    let mut sentences = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((index, c)) = chars.next() {
        let next = chars.peek().map(|&(_, n)| n);
        let ends = match c {
            '。' | '！' | '？' | '；' | '…' | '!' | '?' | ';' | '\n' => true,
            '.' => next.is_none_or(char::is_whitespace),
            _ => false,
        };
        if !ends {
            continue;
        }
        let mut end = index + c.len_utf8();
        while let Some(&(i, n)) = chars.peek() {
            if matches!(
                n,
                '”' | '’' | '」' | '』' | '）' | ')' | '"' | '\'' | '》' | '】'
            ) || (n == c && c != '\n')
            {
                end = i + n.len_utf8();
                chars.next();
            } else {
                break;
            }
        }
        push_trimmed(&mut sentences, &text[start..end]);
        start = end;
    }
    push_trimmed(&mut sentences, &text[start..]);
    sentences
}

fn push_trimmed<'a>(sentences: &mut Vec<&'a str>, piece: &'a str) {
    let piece = piece.trim();
    if !piece.is_empty() {
        sentences.push(piece);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_chinese_and_english_sentences() {
        let text = "模型很大。它能跑吗？Yes! It uses torch.nn.Module and 3.14 tricks. 最后一句";
        assert_eq!(
            cjk_sentences(text),
            vec![
                "模型很大。",
                "它能跑吗？",
                "Yes!",
                "It uses torch.nn.Module and 3.14 tricks.",
                "最后一句"
            ]
        );
    }

    #[test]
    fn keeps_closing_quotes_and_repeated_marks() {
        assert_eq!(
            cjk_sentences("他说：“好。”真的？？是的\n\n下一段"),
            vec!["他说：“好。”", "真的？？", "是的", "下一段"]
        );
    }
}
