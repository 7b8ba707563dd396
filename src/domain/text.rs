//! Text length the way readers read it: a CJK character carries about as much as two Latin letters,
//! so limits on titles, comments and bios count it twice (as Twitter's weighted length does).
use super::script::is_cjk;

/// The weighted length of `text`: CJK ideographs, kana, hangul and full-width forms count 2, every
/// other character 1.
pub fn weighted_len(text: &str) -> usize {
    text.chars().map(weight).sum()
}

fn weight(c: char) -> usize {
    let wide = is_cjk(c)
        || matches!(c as u32,
            0x3000..=0x303F     // CJK symbols and punctuation
            | 0xFF01..=0xFF60   // full-width forms
            | 0xFFE0..=0xFFE6);
    if wide {
        2
    } else {
        1
    }
}

#[cfg(test)]
mod tests {
    use super::weighted_len;

    #[test]
    fn latin_text_counts_one_per_character() {
        assert_eq!(weighted_len("attention"), 9);
        assert_eq!(weighted_len("café au lait"), 12);
        assert_eq!(weighted_len(""), 0);
    }

    #[test]
    fn chinese_text_counts_two_per_character() {
        assert_eq!(weighted_len("背景介绍"), 8);
        assert_eq!(weighted_len("1. 背景介绍"), 11);
        assert_eq!(
            weighted_len("注意力机制。"),
            12,
            "full-width punctuation is wide too"
        );
        assert_eq!(weighted_len("日本語かな한국어"), 16);
    }

    #[test]
    fn mixed_text_adds_both_weights() {
        assert_eq!(weighted_len("LoRA 微调"), 9);
        assert_eq!(weighted_len("torch.nn.Module 的用法"), 22);
    }
}
