//! The generator's buffer pool: strings and phone lists that nulls take out of recycled
//! records, kept per thread for the next record that needs one.
//!
//! [`crate::Generator::fill`] overwrites a batch of contacts in place. A record whose name
//! or number turns null gives its `String` here, a null phone list its `Vec`, and the next
//! record with a name, number or list takes one back, so a warm batch generates without
//! allocating (the "recycle, don't delete-and-insert" rule of the design).

use std::cell::RefCell;

use shred::contact::Phone;

/// Strings and phone lists taken out of records by nulls, kept for the next record.
#[derive(Default)]
pub(crate) struct Spares {
    strings: Vec<String>,
    lists: Vec<Vec<Option<Phone>>>,
}

/// More than this many spares of a kind are dropped (a bound, never reached in steady state).
const MAX_SPARES: usize = 1 << 16;

thread_local! {
    static SPARES: RefCell<Spares> = RefCell::new(Spares::default());
}

impl Spares {
    /// Runs `f` with this thread's pool.
    pub(crate) fn with_thread_pool<R>(f: impl FnOnce(&mut Spares) -> R) -> R {
        SPARES.with_borrow_mut(f)
    }

    /// An empty string, reused when one is spare.
    #[inline]
    pub(crate) fn string(&mut self) -> String {
        self.strings.pop().unwrap_or_default()
    }

    /// Keeps a string for a later record.
    #[inline]
    pub(crate) fn put_string(&mut self, s: String) {
        if self.strings.len() < MAX_SPARES {
            self.strings.push(s);
        }
    }

    /// A phone list, reused when one is spare (its items are stale: resize it).
    #[inline]
    pub(crate) fn list(&mut self) -> Vec<Option<Phone>> {
        self.lists.pop().unwrap_or_default()
    }

    /// Keeps a phone list for a later record.
    #[inline]
    pub(crate) fn put_list(&mut self, list: Vec<Option<Phone>>) {
        if self.lists.len() < MAX_SPARES {
            self.lists.push(list);
        }
    }

    /// Keeps the number of a phone taken out of a list.
    #[inline]
    pub(crate) fn put_phone(&mut self, phone: Option<Phone>) {
        if let Some(Phone {
            number: Some(s), ..
        }) = phone
        {
            self.put_string(s);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_string_comes_back() {
        let mut spares = Spares::default();
        let s = String::with_capacity(40);
        let at = s.as_ptr();
        spares.put_phone(Some(Phone {
            number: Some(s),
            phone_type: None,
        }));
        let again = spares.string();
        assert_eq!(again.as_ptr(), at);
        assert_eq!(spares.string().capacity(), 0, "none spare: a new string");
    }
}
