//! The name lists of the Contact dataset and their skewed (Zipf) sampling tables.
//!
//! Names are drawn from real lists, roughly most common first: 128 frequent US given names
//! (as in the Social Security Administration's lists) and 128 frequent surnames (as in the
//! US Census 2010 surname list). The name of rank `k` (from 0) is picked with weight
//! `1 / (k + 1)` (Zipf's law with exponent 1), which gives the skewed, repetitive name column
//! a dictionary encoder sees in real data. Sampling is one table lookup: a [`ZipfTable`]
//! holds [`ZipfTable::SLOTS`] slots, each naming a rank, in proportion to the weights, and
//! 12 random bits pick a slot.
//!
//! ```
//! use shred_gen::names::{FIRST_NAMES, ZipfTable};
//! let table = ZipfTable::new(FIRST_NAMES.len());
//! assert_eq!(table.pick(0), 0); // the first slots belong to the most common name
//! assert!(table.pick(4095) > 0);
//! ```

/// Given names, most common first.
pub const FIRST_NAMES: [&str; 128] = [
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "John",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Charles",
    "Karen",
    "Christopher",
    "Lisa",
    "Daniel",
    "Nancy",
    "Matthew",
    "Betty",
    "Anthony",
    "Margaret",
    "Mark",
    "Sandra",
    "Donald",
    "Ashley",
    "Steven",
    "Kimberly",
    "Paul",
    "Emily",
    "Andrew",
    "Donna",
    "Joshua",
    "Michelle",
    "Kenneth",
    "Carol",
    "Kevin",
    "Amanda",
    "Brian",
    "Dorothy",
    "George",
    "Melissa",
    "Timothy",
    "Deborah",
    "Ronald",
    "Stephanie",
    "Edward",
    "Rebecca",
    "Jason",
    "Sharon",
    "Jeffrey",
    "Laura",
    "Ryan",
    "Cynthia",
    "Jacob",
    "Kathleen",
    "Gary",
    "Amy",
    "Nicholas",
    "Angela",
    "Eric",
    "Shirley",
    "Jonathan",
    "Anna",
    "Stephen",
    "Brenda",
    "Larry",
    "Pamela",
    "Justin",
    "Emma",
    "Scott",
    "Nicole",
    "Brandon",
    "Helen",
    "Benjamin",
    "Samantha",
    "Samuel",
    "Katherine",
    "Gregory",
    "Christine",
    "Alexander",
    "Debra",
    "Frank",
    "Rachel",
    "Patrick",
    "Carolyn",
    "Raymond",
    "Janet",
    "Jack",
    "Catherine",
    "Dennis",
    "Maria",
    "Jerry",
    "Heather",
    "Tyler",
    "Diane",
    "Aaron",
    "Ruth",
    "Jose",
    "Julie",
    "Adam",
    "Olivia",
    "Nathan",
    "Joyce",
    "Henry",
    "Virginia",
    "Douglas",
    "Victoria",
    "Zachary",
    "Kelly",
    "Peter",
    "Lauren",
    "Kyle",
    "Christina",
    "Ethan",
    "Joan",
    "Walter",
    "Evelyn",
    "Noah",
    "Judith",
    "Jeremy",
    "Megan",
];

/// Surnames, most common first.
pub const LAST_NAMES: [&str; 128] = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
    "Gomez",
    "Phillips",
    "Evans",
    "Turner",
    "Diaz",
    "Parker",
    "Cruz",
    "Edwards",
    "Collins",
    "Reyes",
    "Stewart",
    "Morris",
    "Morales",
    "Murphy",
    "Cook",
    "Rogers",
    "Gutierrez",
    "Ortiz",
    "Morgan",
    "Cooper",
    "Peterson",
    "Bailey",
    "Reed",
    "Kelly",
    "Howard",
    "Ramos",
    "Kim",
    "Cox",
    "Ward",
    "Richardson",
    "Watson",
    "Brooks",
    "Chavez",
    "Wood",
    "James",
    "Bennett",
    "Gray",
    "Mendoza",
    "Ruiz",
    "Hughes",
    "Price",
    "Alvarez",
    "Castillo",
    "Sanders",
    "Patel",
    "Myers",
    "Long",
    "Ross",
    "Foster",
    "Jimenez",
    "Powell",
    "Jenkins",
    "Perry",
    "Russell",
    "Sullivan",
    "Bell",
    "Coleman",
    "Butler",
    "Henderson",
    "Barnes",
    "Gonzales",
    "Fisher",
    "Vasquez",
    "Simmons",
    "Romero",
    "Jordan",
    "Patterson",
    "Alexander",
    "Hamilton",
    "Graham",
    "Reynolds",
    "Griffin",
    "Wallace",
    "Moreno",
    "West",
    "Cole",
    "Hayes",
    "Bryant",
];

/// Width of a [`PaddedNames`] slot: every name is shorter.
pub const PADDED: usize = 16;

/// Names as fixed-width, zero-padded ASCII slots, so copying one is a fixed 16-byte move.
#[derive(Debug, Clone)]
pub struct PaddedNames {
    /// Slot `i` holds name `i` followed by zeros.
    pub bytes: Vec<[u8; PADDED]>,
    /// Length of name `i`.
    pub len: Vec<usize>,
}

impl PaddedNames {
    /// Slots for `names` (each ASCII and shorter than [`PADDED`]).
    pub fn new(names: &[&str]) -> Self {
        let mut bytes = Vec::with_capacity(names.len());
        let mut len = Vec::with_capacity(names.len());
        for name in names {
            assert!(
                name.is_ascii() && name.len() < PADDED,
                "{name:?} does not fit a slot"
            );
            let mut slot = [0u8; PADDED];
            slot[..name.len()].copy_from_slice(name.as_bytes());
            bytes.push(slot);
            len.push(name.len());
        }
        PaddedNames { bytes, len }
    }
}

/// A lookup table that turns 12 uniform random bits into a Zipf-distributed rank.
#[derive(Debug, Clone)]
pub struct ZipfTable {
    slots: Box<[u8; ZipfTable::SLOTS]>,
}

impl ZipfTable {
    /// Number of slots (4096: 12 random bits; small enough to stay in L1 cache).
    pub const SLOTS: usize = 4096;

    /// A table over ranks `0..len` (`1 <= len <= 256`) with weights `1 / (rank + 1)`.
    pub fn new(len: usize) -> Self {
        assert!((1..=256).contains(&len), "ZipfTable supports 1..=256 ranks");
        let weights: Vec<f64> = (0..len).map(|k| 1.0 / (k as f64 + 1.0)).collect();
        let total: f64 = weights.iter().sum();
        let mut slots = Box::new([0u8; Self::SLOTS]);
        let mut rank = 0;
        let mut cumulative = weights[0] / total;
        for (j, slot) in slots.iter_mut().enumerate() {
            let position = (j as f64 + 0.5) / Self::SLOTS as f64;
            while position > cumulative && rank + 1 < len {
                rank += 1;
                cumulative += weights[rank] / total;
            }
            *slot = rank as u8;
        }
        ZipfTable { slots }
    }

    /// The rank for the low 12 bits of `bits`.
    #[inline]
    pub fn pick(&self, bits: u64) -> usize {
        usize::from(self.slots[(bits as usize) & (Self::SLOTS - 1)])
    }

    /// The share of slots that pick `rank` (its probability).
    pub fn probability(&self, rank: usize) -> f64 {
        let hits = self
            .slots
            .iter()
            .filter(|&&s| usize::from(s) == rank)
            .count();
        hits as f64 / Self::SLOTS as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_is_reachable() {
        let table = ZipfTable::new(FIRST_NAMES.len());
        for rank in 0..FIRST_NAMES.len() {
            assert!(table.probability(rank) > 0.0, "rank {rank}");
        }
    }

    #[test]
    fn probabilities_follow_zipf() {
        let table = ZipfTable::new(LAST_NAMES.len());
        let harmonic: f64 = (1..=LAST_NAMES.len()).map(|k| 1.0 / k as f64).sum();
        for rank in [0, 1, 9, 127] {
            let expected = 1.0 / (rank as f64 + 1.0) / harmonic;
            let got = table.probability(rank);
            // One slot is 1/4096 ≈ 0.00024.
            assert!(
                (got - expected).abs() < 0.0005,
                "rank {rank}: {got} vs {expected}"
            );
        }
    }

    #[test]
    fn padded_slots_hold_the_names() {
        for list in [&FIRST_NAMES[..], &LAST_NAMES[..]] {
            let padded = PaddedNames::new(list);
            for (i, name) in list.iter().enumerate() {
                assert_eq!(&padded.bytes[i][..padded.len[i]], name.as_bytes());
            }
        }
    }

    #[test]
    fn names_are_distinct() {
        for list in [&FIRST_NAMES, &LAST_NAMES] {
            let mut sorted = list.to_vec();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(sorted.len(), list.len());
        }
    }
}
