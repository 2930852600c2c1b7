//! A small deterministic generator (SplitMix64, Steele, Lea and Flood 2014), so that the
//! same seed gives the same bytes on every platform and with every dependency version.

/// The SplitMix64 finaliser: a bijective mix of 64 bits.
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A 64-bit FNV-1a hash of text, mixed (for stable ids derived from names).
pub fn hash_str(s: &str) -> u64 {
    let mut h: u64 = 0xCBF2_9CE4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01B3);
    }
    mix(h)
}

#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(mix(seed ^ 0x6D65_6473_6563_2D73))
    }

    /// An independent stream for item `index` of kind `stream` (so that one item can be
    /// regenerated without generating the ones before it).
    pub fn derive(seed: u64, stream: u64, index: u64) -> Rng {
        Rng(mix(seed
            ^ mix(
                stream.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ mix(index)
            )))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    /// Uniform in [0, 1).
    pub fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        if hi <= lo {
            return lo;
        }
        lo + ((u128::from(self.next_u64()) * u128::from(hi - lo + 1)) >> 64) as u64
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }

    /// One item of a non-empty slice (`None` for an empty one).
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.below(items.len()))
    }

    /// An index chosen with the given weights (0 if they are all zero).
    pub fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut x = self.f64() * total;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len().saturating_sub(1)
    }

    /// An item of a `(weight, item)` table.
    pub fn table<T: Copy>(&mut self, table: &[(f64, T)]) -> Option<T> {
        let total: f64 = table.iter().map(|(w, _)| w).sum();
        let mut x = self.f64() * total;
        for (w, t) in table {
            if x < *w {
                return Some(*t);
            }
            x -= w;
        }
        table.last().map(|(_, t)| *t)
    }

    /// A standard normal deviate (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let u1 = self.f64().max(1e-300);
        let u2 = self.f64();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// Lower-case hex digits.
    pub fn hex(&mut self, n: usize) -> String {
        const H: &[u8; 16] = b"0123456789abcdef";
        let mut s = String::with_capacity(n);
        let mut bits = 0u64;
        for i in 0..n {
            if i % 16 == 0 {
                bits = self.next_u64();
            }
            s.push(char::from(H[(bits & 15) as usize]));
            bits >>= 4;
        }
        s
    }
}

/// An upper-case UUID-shaped id from 128 hashed bits (NVD `matchCriteriaId` style).
pub fn uuid_upper(a: u64, b: u64) -> String {
    format!(
        "{:08X}-{:04X}-{:04X}-{:04X}-{:012X}",
        a >> 32,
        (a >> 16) & 0xFFFF,
        (a & 0x0FFF) | 0x4000,
        ((b >> 48) & 0x3FFF) | 0x8000,
        b & 0xFFFF_FFFF_FFFF
    )
}

/// A lower-case UUID (CycloneDX serial numbers).
pub fn uuid_lower(a: u64, b: u64) -> String {
    uuid_upper(a, b).to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream() {
        let mut a = Rng::derive(7, 1, 42);
        let mut b = Rng::derive(7, 1, 42);
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
        let mut c = Rng::derive(7, 1, 43);
        assert_ne!(Rng::derive(7, 1, 42).next_u64(), c.next_u64());
    }

    #[test]
    fn below_is_in_range() {
        let mut r = Rng::new(1);
        for n in 1..200 {
            assert!(r.below(n) < n);
        }
        assert_eq!(r.below(0), 0);
        assert_eq!(uuid_upper(0, 0).len(), 36);
    }
}
