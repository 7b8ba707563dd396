//! Choosing the next token from logits: greedy, temperature, top-k, top-p, repetition penalty.
//!
//! Pure code (no ONNX Runtime) so the maths is unit-tested on its own; one `Sampler` per generation
//! keeps its scratch buffers, so a step allocates nothing.
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// How the next token is chosen. `temperature == 0` means greedy (argmax).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SamplingParams {
    pub temperature: f32,
    /// Keep only the k most likely tokens; 0 keeps all.
    pub top_k: usize,
    /// Keep the smallest set of most likely tokens whose probability reaches p; 1.0 keeps all.
    pub top_p: f32,
    /// Divides positive (multiplies negative) logits of tokens already seen; 1.0 is off.
    pub repetition_penalty: f32,
}

impl SamplingParams {
    pub const fn greedy() -> SamplingParams {
        SamplingParams {
            temperature: 0.0,
            top_k: 0,
            top_p: 1.0,
            repetition_penalty: 1.0,
        }
    }

    pub fn is_greedy(&self) -> bool {
        self.temperature <= 0.0
    }

    /// Explains the first parameter that is out of range.
    pub fn validate(&self) -> Result<(), String> {
        if !self.temperature.is_finite() || self.temperature < 0.0 || self.temperature > 100.0 {
            return Err(format!(
                "temperature must be between 0 and 100, not {}",
                self.temperature
            ));
        }
        if !(self.top_p > 0.0 && self.top_p <= 1.0) {
            return Err(format!("top_p must be in (0, 1], not {}", self.top_p));
        }
        if !(self.repetition_penalty > 0.0 && self.repetition_penalty <= 100.0) {
            return Err(format!(
                "repetition_penalty must be in (0, 100], not {}",
                self.repetition_penalty
            ));
        }
        Ok(())
    }
}

impl Default for SamplingParams {
    fn default() -> Self {
        SamplingParams {
            temperature: 0.8,
            top_k: 50,
            top_p: 0.95,
            repetition_penalty: 1.1,
        }
    }
}

/// Picks tokens for one generation; remembers which tokens were seen for the repetition penalty.
pub struct Sampler {
    params: SamplingParams,
    rng: StdRng,
    seen: Vec<bool>,
    seen_ids: Vec<u32>,
    order: Vec<u32>,
}

impl Sampler {
    /// `seed: None` draws a seed from the OS; the same seed and logits give the same tokens.
    pub fn new(params: SamplingParams, seed: Option<u64>, vocab_size: usize) -> Sampler {
        Sampler {
            params,
            rng: match seed {
                Some(seed) => StdRng::seed_from_u64(seed),
                None => StdRng::from_entropy(),
            },
            seen: vec![false; vocab_size],
            seen_ids: Vec::new(),
            order: Vec::with_capacity(vocab_size),
        }
    }

    /// Records a prompt or generated token for the repetition penalty.
    pub fn observe(&mut self, id: u32) {
        if let Some(flag) = self.seen.get_mut(id as usize) {
            if !*flag {
                *flag = true;
                self.seen_ids.push(id);
            }
        }
    }

    /// Chooses the next token; `logits` is scratch and is changed in place.
    pub fn next_token(&mut self, logits: &mut [f32]) -> u32 {
        if self.params.repetition_penalty != 1.0 {
            apply_repetition_penalty(logits, &self.seen_ids, self.params.repetition_penalty);
        }
        if self.params.is_greedy() {
            return argmax(logits);
        }
        let draw: f64 = self.rng.gen();
        sample_from(logits, &self.params, draw, &mut self.order)
    }
}

/// Index of the largest logit; the first one on ties (as numpy's argmax), NaN never wins.
pub fn argmax(logits: &[f32]) -> u32 {
    let mut best = 0usize;
    let mut best_value = f32::NEG_INFINITY;
    for (i, &value) in logits.iter().enumerate() {
        if value > best_value {
            best = i;
            best_value = value;
        }
    }
    best as u32
}

/// The CTRL/Hugging Face penalty: each distinct seen token once, positive logits divided.
pub fn apply_repetition_penalty(logits: &mut [f32], seen_ids: &[u32], penalty: f32) {
    for &id in seen_ids {
        if let Some(logit) = logits.get_mut(id as usize) {
            *logit = if *logit > 0.0 {
                *logit / penalty
            } else {
                *logit * penalty
            };
        }
    }
}

/// Samples with temperature, top-k and top-p, given a uniform `draw` in [0, 1).
///
/// Top-p sorts only as many candidates as it needs (64, then 4x more), since the nucleus is
/// usually a few hundred tokens out of tens of thousands.
pub fn sample_from(
    logits: &[f32],
    params: &SamplingParams,
    draw: f64,
    order: &mut Vec<u32>,
) -> u32 {
    let descending = |a: &u32, b: &u32| logits[*b as usize].total_cmp(&logits[*a as usize]);
    order.clear();
    order.extend((0..logits.len() as u32).filter(|&i| !logits[i as usize].is_nan()));
    if order.is_empty() {
        return 0;
    }
    if params.top_k > 0 && params.top_k < order.len() {
        order.select_nth_unstable_by(params.top_k - 1, descending);
        order.truncate(params.top_k);
    }
    let inv_temperature = 1.0 / f64::from(params.temperature.max(1e-6));
    let max = order
        .iter()
        .map(|&i| logits[i as usize])
        .fold(f32::NEG_INFINITY, f32::max);
    let weight =
        |i: u32| ((f64::from(logits[i as usize]) - f64::from(max)) * inv_temperature).exp();
    let total: f64 = order.iter().map(|&i| weight(i)).sum();
    let mut kept_total = total;
    if params.top_p < 1.0 {
        let target = f64::from(params.top_p) * total;
        let mut sorted = 64.min(order.len());
        loop {
            if sorted < order.len() {
                order.select_nth_unstable_by(sorted - 1, descending);
            }
            order[..sorted].sort_unstable_by(descending);
            let mut cumulative = 0.0;
            let mut cut = None;
            for (n, &i) in order[..sorted].iter().enumerate() {
                cumulative += weight(i);
                if cumulative >= target {
                    cut = Some(n + 1);
                    break;
                }
            }
            if let Some(cut) = cut {
                order.truncate(cut);
                kept_total = cumulative;
                break;
            }
            if sorted == order.len() {
                break;
            }
            sorted = (sorted * 4).min(order.len());
        }
    }
    let mut remaining = draw * kept_total;
    for &i in order.iter() {
        remaining -= weight(i);
        if remaining < 0.0 {
            return i;
        }
    }
    // Rounding can leave a sliver at the end; it belongs to the last kept token.
    order.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(temperature: f32, top_k: usize, top_p: f32) -> SamplingParams {
        SamplingParams {
            temperature,
            top_k,
            top_p,
            repetition_penalty: 1.0,
        }
    }

    #[test]
    fn argmax_takes_first_maximum_and_ignores_nan() {
        assert_eq!(argmax(&[1.0, 3.0, 3.0, 2.0]), 1);
        assert_eq!(argmax(&[f32::NAN, 0.5, 0.1]), 1);
        assert_eq!(argmax(&[f32::NEG_INFINITY; 3]), 0);
    }

    #[test]
    fn repetition_penalty_divides_positive_and_multiplies_negative() {
        let mut logits = vec![2.0, -2.0, 1.0];
        apply_repetition_penalty(&mut logits, &[0, 1, 9], 2.0);
        assert_eq!(logits, vec![1.0, -4.0, 1.0]);
    }

    #[test]
    fn sampler_counts_each_seen_token_once() {
        let mut sampler = Sampler::new(
            SamplingParams {
                repetition_penalty: 2.0,
                ..SamplingParams::greedy()
            },
            Some(1),
            3,
        );
        sampler.observe(0);
        sampler.observe(0);
        let mut logits = vec![3.0, 2.0, 0.0];
        // Penalised once, 3.0 becomes 1.5 and token 1 wins; penalised twice it would be 0.75.
        assert_eq!(sampler.next_token(&mut logits), 1);
        assert_eq!(logits[0], 1.5);
    }

    #[test]
    fn top_k_one_is_greedy() {
        let logits = [0.1, 5.0, 4.9, -1.0];
        let mut order = Vec::new();
        for draw in [0.0, 0.3, 0.999] {
            assert_eq!(
                sample_from(&logits, &params(1.0, 1, 1.0), draw, &mut order),
                1
            );
        }
    }

    #[test]
    fn top_p_keeps_the_smallest_nucleus() {
        // Probabilities 0.5, 0.3, 0.2: p = 0.7 keeps the first two only.
        let logits = [0.5f32.ln(), 0.3f32.ln(), 0.2f32.ln()];
        let mut order = Vec::new();
        let picks: Vec<u32> = (0..100)
            .map(|i| sample_from(&logits, &params(1.0, 0, 0.7), i as f64 / 100.0, &mut order))
            .collect();
        assert!(!picks.contains(&2));
        // Renormalised over 0.8: token 0 takes draws below 0.625.
        assert_eq!(picks.iter().filter(|&&t| t == 0).count(), 63);
    }

    #[test]
    fn top_p_sorts_past_the_first_batch_when_needed() {
        // 1000 equal tokens: the nucleus for p = 0.5 holds 500 of them, more than the first batch.
        let logits = vec![0.0f32; 1000];
        let mut order = Vec::new();
        let pick = sample_from(&logits, &params(1.0, 0, 0.5), 0.999, &mut order);
        assert_eq!(order.len(), 500);
        assert!(order.contains(&pick));
    }

    #[test]
    fn sampling_follows_the_distribution() {
        let logits = [0.25f32.ln(), 0.75f32.ln()];
        let mut order = Vec::new();
        let ones = (0..1000)
            .filter(|i| {
                sample_from(
                    &logits,
                    &params(1.0, 0, 1.0),
                    *i as f64 / 1000.0,
                    &mut order,
                ) == 1
            })
            .count();
        // 75% of evenly spaced draws, give or take one for rounding of the logarithms.
        assert!((749..=751).contains(&ones), "{ones}");
    }

    #[test]
    fn low_temperature_sharpens() {
        let logits = [1.0, 1.1];
        let mut order = Vec::new();
        let ones = (0..1000)
            .filter(|i| {
                sample_from(
                    &logits,
                    &params(0.01, 0, 1.0),
                    *i as f64 / 1000.0,
                    &mut order,
                ) == 1
            })
            .count();
        assert!(ones > 990, "{ones}");
    }

    #[test]
    fn same_seed_same_tokens() {
        let run = |seed| {
            let mut sampler = Sampler::new(params(1.0, 40, 0.9), Some(seed), 100);
            (0..50)
                .map(|step| {
                    let mut logits: Vec<f32> = (0..100)
                        .map(|i| ((i * 7 + step) % 13) as f32 / 3.0)
                        .collect();
                    sampler.next_token(&mut logits)
                })
                .collect::<Vec<u32>>()
        };
        assert_eq!(run(42), run(42));
        assert_ne!(run(42), run(43));
    }

    #[test]
    fn out_of_range_parameters_are_explained() {
        assert!(SamplingParams::default().validate().is_ok());
        assert!(params(-1.0, 0, 1.0)
            .validate()
            .unwrap_err()
            .contains("temperature"));
        assert!(params(1.0, 0, 0.0)
            .validate()
            .unwrap_err()
            .contains("top_p"));
        assert!(params(1.0, 0, f32::NAN).validate().is_err());
    }
}
