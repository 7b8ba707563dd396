//! Which script a character belongs to, where the forum treats scripts differently (word splitting,
//! display width, sentence ends).

/// Han, kana and hangul: the scripts written without spaces between words.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF      // hiragana, katakana
        | 0x3400..=0x4DBF    // CJK extension A
        | 0x4E00..=0x9FFF    // CJK unified ideographs
        | 0xAC00..=0xD7AF    // hangul syllables
        | 0xF900..=0xFAFF    // compatibility ideographs
        | 0x20000..=0x3134F) // extensions B-G
}

#[cfg(test)]
mod tests {
    #[test]
    fn han_kana_and_hangul_are_cjk_latin_is_not() {
        for c in ['中', 'か', 'カ', '한'] {
            assert!(super::is_cjk(c), "{c}");
        }
        for c in ['a', 'é', '1', ' '] {
            assert!(!super::is_cjk(c), "{c}");
        }
    }
}
