//! The second factor's arithmetic: TOTP secrets and codes (RFC 6238: SHA-1, six digits, 30-second
//! steps, one step of clock drift either way), the `otpauth://` address and its QR code (SVG), and
//! recovery codes (random, shown once, only their SHA-256 kept).
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use totp_rs::{Algorithm, Secret, TOTP};

/// Seconds per code.
pub const STEP_SECS: i64 = 30;
/// Recovery codes issued when the factor is turned on.
pub const RECOVERY_CODES: usize = 10;

/// A new random secret (160 bits, as RFC 4226 recommends), base32 without padding.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 20];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    match Secret::Raw(bytes.to_vec()).to_encoded() {
        Secret::Encoded(text) => text,
        Secret::Raw(_) => String::new(),
    }
}

fn totp(secret_base32: &str) -> Option<TOTP> {
    let bytes = Secret::Encoded(secret_base32.to_string()).to_bytes().ok()?;
    TOTP::new(Algorithm::SHA1, 6, 1, STEP_SECS as u64, bytes).ok()
}

/// The code for `time` (Unix seconds); what an authenticator app shows then.
pub fn code_at(secret_base32: &str, time: i64) -> Option<String> {
    totp(secret_base32).map(|t| t.generate(time.max(0) as u64))
}

/// The time step a six-digit `code` belongs to, if it matches the step of `now` or one next to it
/// (compared in constant time). The caller accepts each step once, so a code cannot be replayed.
pub fn matching_step(secret_base32: &str, code: &str, now: i64) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let totp = totp(secret_base32)?;
    let current = now / STEP_SECS;
    let mut found = None;
    for step in [current - 1, current, current + 1] {
        let expected = totp.generate((step.max(0) * STEP_SECS) as u64);
        let same: bool = subtle::ConstantTimeEq::ct_eq(expected.as_bytes(), code.as_bytes()).into();
        if same {
            found = Some(step);
        }
    }
    found
}

/// Whether `input` is shaped like a TOTP code (six digits) rather than a recovery code.
pub fn looks_like_code(input: &str) -> bool {
    let digits: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    digits.len() == 6 && digits.chars().all(|c| c.is_ascii_digit())
}

/// The address authenticator apps read from the QR code.
pub fn otpauth_url(secret_base32: &str, issuer: &str, account: &str) -> String {
    let issuer_clean = issuer.replace(':', " ");
    let label = format!("{issuer_clean}:{account}");
    format!(
        "otpauth://totp/{}?secret={secret_base32}&issuer={}&algorithm=SHA1&digits=6&period={STEP_SECS}",
        crate::domain::paths::encode_segment(&label).replace('+', "%20"),
        crate::domain::paths::encode_segment(&issuer_clean).replace('+', "%20"),
    )
}

/// The QR code of `text` as an `<img>` source (an SVG data URL: no inline markup on the page).
pub fn qr_data_url(text: &str) -> Option<String> {
    let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    Some(format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(svg)
    ))
}

/// Ten new recovery codes like `k7p2x-q9m4t` (50 random bits each).
pub fn new_recovery_codes() -> Vec<String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut bytes = [0u8; 10];
            rand::rngs::OsRng.fill_bytes(&mut bytes);
            let chars: String = bytes
                .iter()
                .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
                .collect();
            format!("{}-{}", &chars[..5], &chars[5..])
        })
        .collect()
}

/// What is stored for a recovery code: the SHA-256 of its letters (case, spaces and dashes ignored).
pub fn hash_recovery_code(code: &str) -> String {
    let normal: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    hex::encode(Sha256::digest(normal.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_6238_sha1_vector() {
        // RFC 6238 appendix B: the ASCII secret "12345678901234567890", T = 59 -> 94287082 (8
        // digits); six digits are its last six.
        let secret = match Secret::Raw(b"12345678901234567890".to_vec()).to_encoded() {
            Secret::Encoded(s) => s,
            Secret::Raw(_) => unreachable!(),
        };
        assert_eq!(code_at(&secret, 59).as_deref(), Some("287082"));
        assert_eq!(matching_step(&secret, "287082", 59), Some(1));
        assert_eq!(
            matching_step(&secret, "287082", 59 + 30),
            Some(1),
            "one step of drift"
        );
        assert_eq!(matching_step(&secret, "287082", 59 + 90), None);
        assert_eq!(matching_step(&secret, "28708", 59), None);
    }

    #[test]
    fn recovery_codes_are_distinct_and_hashed_loosely() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), 10);
        let unique: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(unique.len(), 10);
        let code = &codes[0];
        assert_eq!(
            hash_recovery_code(code),
            hash_recovery_code(&code.to_uppercase().replace('-', " "))
        );
        assert_ne!(hash_recovery_code(code), hash_recovery_code(&codes[1]));
    }

    #[test]
    fn secrets_are_160_bits_and_the_qr_code_is_an_svg() {
        let secret = new_secret();
        assert_eq!(secret.len(), 32);
        let url = otpauth_url(&secret, "agora", "ann");
        assert!(
            url.starts_with("otpauth://totp/agora%3Aann?secret="),
            "{url}"
        );
        assert!(qr_data_url(&url).is_some_and(|d| d.starts_with("data:image/svg+xml;base64,")));
    }
}
