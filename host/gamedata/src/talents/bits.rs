//! The bit stream of a loadout string: base64 characters of six bits each,
//! read least significant bit first, values packed least significant bit
//! first.

/// The 64 characters, in the order of their values.
const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Reads values of a few bits from a loadout string.
#[derive(Debug)]
pub(super) struct BitReader {
    bits: Vec<bool>,
    position: usize,
}

/// A character outside the alphabet, at this (0-based, in characters) position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct BadCharacter {
    pub position: usize,
    pub character: char,
}

/// The stream ended before a value was complete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Exhausted;

impl BitReader {
    pub fn new(text: &str) -> Result<Self, BadCharacter> {
        let mut bits = Vec::with_capacity(text.len() * 6);
        for (position, character) in text.chars().enumerate() {
            let value = u8::try_from(character)
                .ok()
                .and_then(|b| ALPHABET.iter().position(|&a| a == b))
                .ok_or(BadCharacter {
                    position,
                    character,
                })?;
            bits.extend((0..6).map(|i| value >> i & 1 == 1));
        }
        Ok(Self { bits, position: 0 })
    }

    /// The next `width` bits (at most 32) as a number.
    pub fn take(&mut self, width: usize) -> Result<u32, Exhausted> {
        let end = self.position + width;
        let bits = self.bits.get(self.position..end).ok_or(Exhausted)?;
        self.position = end;
        Ok(bits
            .iter()
            .enumerate()
            .fold(0, |value, (i, &bit)| value | u32::from(bit) << i))
    }

    /// Whether the next bit is set.
    pub fn flag(&mut self) -> Result<bool, Exhausted> {
        Ok(self.take(1)? == 1)
    }

    /// The bits not read yet.
    pub fn rest(&self) -> &[bool] {
        &self.bits[self.position..]
    }
}

/// Writes values of a few bits into a loadout string.
#[derive(Debug, Default)]
pub(super) struct BitWriter {
    bits: Vec<bool>,
}

impl BitWriter {
    /// Appends the low `width` bits of `value`.
    pub fn put(&mut self, value: u32, width: usize) {
        self.bits.extend((0..width).map(|i| value >> i & 1 == 1));
    }

    /// Appends one bit.
    pub fn flag(&mut self, set: bool) {
        self.bits.push(set);
    }

    /// The string, padded with zero bits to whole characters.
    pub fn finish(self) -> String {
        self.bits
            .chunks(6)
            .map(|chunk| {
                let value = chunk
                    .iter()
                    .enumerate()
                    .fold(0usize, |v, (i, &bit)| v | usize::from(bit) << i);
                char::from(ALPHABET[value])
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_read_least_significant_bit_first_across_characters() {
        // 'C' = 2 = bits 0,1,0,0,0,0; 'B' = 1 = bits 1,0,0,0,0,0.
        let mut r = BitReader::new("CB").unwrap();
        assert_eq!(r.take(2).unwrap(), 0b10);
        // Four zero bits of 'C', then the set low bit of 'B', as one value.
        assert_eq!(r.take(5).unwrap(), 0b10000);
        assert_eq!(r.rest().len(), 5);
        assert_eq!(r.take(6), Err(Exhausted));
    }

    #[test]
    fn a_writer_and_a_reader_agree() {
        let mut w = BitWriter::default();
        w.put(2, 8);
        w.put(253, 16);
        w.flag(true);
        w.put(3, 2);
        let text = w.finish();
        let mut r = BitReader::new(&text).unwrap();
        assert_eq!(r.take(8).unwrap(), 2);
        assert_eq!(r.take(16).unwrap(), 253);
        assert!(r.flag().unwrap());
        assert_eq!(r.take(2).unwrap(), 3);
        assert!(r.rest().iter().all(|&b| !b));
    }

    #[test]
    fn a_character_outside_the_alphabet_is_placed() {
        let err = BitReader::new("CA=B").unwrap_err();
        assert_eq!(
            err,
            BadCharacter {
                position: 2,
                character: '='
            }
        );
    }
}
