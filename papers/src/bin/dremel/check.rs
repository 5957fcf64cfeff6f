//! Checks of our output against the paper: named comparisons, each listing its differences.
//!
//! Every figure we reproduce is compared with the paper's version typed in
//! [`crate::paper`]. A [`Checks`] collects the outcome of each comparison under a name;
//! a failed comparison keeps every difference it found (row by row, line by line), so the
//! command can print exactly where our output and the paper part ways and exit non-zero.

use std::fmt::Display;

/// The outcome of one named comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// What was compared, e.g. `Figure 3, column Name.Url`.
    pub name: String,
    /// Every difference found; empty when the comparison passed.
    pub differences: Vec<String>,
}

impl Outcome {
    /// True when nothing differed.
    pub fn passed(&self) -> bool {
        self.differences.is_empty()
    }

    /// One line for a pass, the name and an indented list of differences for a failure.
    pub fn render(&self) -> String {
        if self.passed() {
            format!("check: {} ... ok\n", self.name)
        } else {
            let mut out = format!(
                "check: {} ... MISMATCH ({} difference(s))\n",
                self.name,
                self.differences.len()
            );
            for d in &self.differences {
                out.push_str("    ");
                out.push_str(d);
                out.push('\n');
            }
            out
        }
    }
}

/// All comparisons of one run.
#[derive(Debug, Default)]
pub struct Checks {
    outcomes: Vec<Outcome>,
}

impl Checks {
    /// Records one comparison and returns its rendered line(s).
    pub fn record(&mut self, name: impl Into<String>, differences: Vec<String>) -> String {
        let outcome = Outcome {
            name: name.into(),
            differences,
        };
        let text = outcome.render();
        self.outcomes.push(outcome);
        text
    }

    /// The comparisons that failed.
    pub fn failures(&self) -> Vec<&Outcome> {
        self.outcomes.iter().filter(|o| !o.passed()).collect()
    }

    /// Number of comparisons made.
    pub fn len(&self) -> usize {
        self.outcomes.len()
    }

    /// The last `n` outcomes, oldest first.
    pub fn last(&self, n: usize) -> &[Outcome] {
        &self.outcomes[self.outcomes.len().saturating_sub(n)..]
    }
}

/// Differences between the paper's rows and ours, by position: `label i: paper X, ours Y`,
/// then the rows only one side has.
pub fn diff_rows<T: PartialEq + Display>(label: &str, paper: &[T], ours: &[T]) -> Vec<String> {
    diff_against(label, "paper", paper, ours)
}

/// Like [`diff_rows`], with the expected side called `expected_name` (e.g. `predicted`).
pub fn diff_against<T: PartialEq + Display>(
    label: &str,
    expected_name: &str,
    expected: &[T],
    ours: &[T],
) -> Vec<String> {
    let mut out = Vec::new();
    for (i, (p, o)) in expected.iter().zip(ours).enumerate() {
        if p != o {
            out.push(format!("{label} {}: {expected_name} {p}, ours {o}", i + 1));
        }
    }
    for (i, p) in expected.iter().enumerate().skip(ours.len()) {
        out.push(format!(
            "{label} {}: {expected_name} {p}, ours has no such {label}",
            i + 1
        ));
    }
    for (i, o) in ours.iter().enumerate().skip(expected.len()) {
        out.push(format!(
            "{label} {}: ours {o}, the {expected_name} side has no such {label}",
            i + 1
        ));
    }
    out
}

/// Line-by-line differences between the paper's text and ours.
pub fn diff_text(paper: &str, ours: &str) -> Vec<String> {
    let quote = |s: &str| format!("`{s}`");
    let paper: Vec<String> = paper.lines().map(quote).collect();
    let ours: Vec<String> = ours.lines().map(quote).collect();
    diff_rows("line", &paper, &ours)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_rows_have_no_differences() {
        assert!(diff_rows("row", &[1, 2], &[1, 2]).is_empty());
    }

    #[test]
    fn changed_missing_and_extra_rows_are_named() {
        assert_eq!(
            diff_rows("row", &[1, 2, 3], &[1, 5]),
            vec![
                "row 2: paper 2, ours 5".to_string(),
                "row 3: paper 3, ours has no such row".to_string()
            ]
        );
        assert_eq!(
            diff_rows("row", &[1], &[1, 4]),
            vec!["row 2: ours 4, the paper side has no such row".to_string()]
        );
    }

    #[test]
    fn text_differences_quote_both_lines() {
        assert_eq!(
            diff_text("a\nb\n", "a\nc\n"),
            vec!["line 2: paper `b`, ours `c`".to_string()]
        );
    }

    #[test]
    fn failures_are_kept_and_rendered_with_their_differences() {
        let mut checks = Checks::default();
        assert_eq!(checks.record("same", vec![]), "check: same ... ok\n");
        let text = checks.record("other", vec!["row 1: paper 1, ours 2".into()]);
        assert!(text.contains("MISMATCH (1 difference(s))"), "{text}");
        assert!(text.contains("    row 1: paper 1, ours 2"), "{text}");
        assert_eq!(checks.len(), 2);
        assert_eq!(checks.failures().len(), 1);
    }
}
