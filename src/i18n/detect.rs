//! The language a piece of user text is written in (Simplified Chinese or English), so pages can mark
//! each post with `lang` and screen readers switch voices.

/// `"zh-CN"` when Chinese carries the text, otherwise `"en"`.
///
/// Mixed technical writing is the norm here ("用 PyTorch 训练 LLaMA"), so characters are not counted
/// one for one: a Han character carries about as much as a Latin word, and the text is Chinese when
/// it has more Han characters than Latin words. Digits, punctuation and symbols count for neither.
pub fn detect_lang(text: &str) -> &'static str {
    let mut han = 0usize;
    let mut latin_words = 0usize;
    let mut in_word = false;
    for c in text.chars() {
        let latin = c.is_ascii_alphabetic() || matches!(c, 'À'..='ɏ');
        if latin && !in_word {
            latin_words += 1;
        }
        in_word = latin;
        if is_han(c) {
            han += 1;
        }
    }
    if han > latin_words {
        super::Lang::ZhCn.code()
    } else {
        super::Lang::En.code()
    }
}

/// CJK Unified Ideographs with extension A and the compatibility block (what Chinese text is made of).
fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}')
}

#[cfg(test)]
mod tests {
    use super::detect_lang;

    #[test]
    fn chinese_prose_is_chinese() {
        assert_eq!(detect_lang("如何在本地模型上逐个输出生成的词元？"), "zh-CN");
    }

    #[test]
    fn chinese_with_english_technical_terms_is_chinese() {
        assert_eq!(detect_lang("如何用 PyTorch 训练 LLaMA 模型"), "zh-CN");
        assert_eq!(
            detect_lang("缩放点积注意力是 Transformer 的核心：先算 query 和 key 的相似度。"),
            "zh-CN"
        );
    }

    #[test]
    fn english_prose_is_english() {
        assert_eq!(
            detect_lang("How do I stream tokens from a local model as they are generated?"),
            "en"
        );
    }

    #[test]
    fn english_with_a_chinese_term_is_english() {
        assert_eq!(
            detect_lang("Attention in one page: what 注意力 means"),
            "en"
        );
    }

    #[test]
    fn text_without_letters_is_english() {
        assert_eq!(detect_lang(""), "en");
        assert_eq!(detect_lang("42 + 17 = 59"), "en");
    }
}
