//! The paper's figures, written out as Melnik et al. print them, to check our output against.
//!
//! Melnik et al., "Dremel: Interactive Analysis of Web-Scale Datasets", VLDB 2010:
//! Figure 2 (records r1 and r2 in the paper's indented notation), Figure 3 (the
//! column-striped table: value, repetition level r, definition level d, `NULL` for a missing
//! value), Figure 4 (the complete record-assembly automaton) and Figure 5 (the automaton
//! for DocId and Name.Language.Country, and the records s1 and s2 it produces). Nothing
//! here is computed: these are the expected answers, typed in from the paper.

/// One row of a column-striped table: the value as printed (`NULL` when missing), r, d.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StripeRow {
    /// The value as the paper prints it (`NULL` for a missing value).
    pub value: &'static str,
    /// Repetition level.
    pub r: i16,
    /// Definition level.
    pub d: i16,
}

/// One column of Figure 3.
#[derive(Debug, Clone, Copy)]
pub struct StripedColumn {
    /// Dotted column path.
    pub path: &'static str,
    /// The column's rows, r1's then r2's.
    pub rows: &'static [StripeRow],
}

/// One transition of an assembly automaton: after `from`, a next repetition level in
/// `levels` leads to `to` (`end` finishes the record).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edge {
    /// The field just read.
    pub from: &'static str,
    /// The repetition levels on the arrow, as the paper writes them (`0,1`).
    pub levels: &'static str,
    /// The next field, or `end`.
    pub to: &'static str,
}

const fn row(value: &'static str, r: i16, d: i16) -> StripeRow {
    StripeRow { value, r, d }
}

const fn edge(from: &'static str, levels: &'static str, to: &'static str) -> Edge {
    Edge { from, levels, to }
}

/// Figure 3: the column-striped representation of r1 and r2 (in schema order; the paper
/// lays the six tables out in two rows).
pub const FIGURE_3: [StripedColumn; 6] = [
    StripedColumn {
        path: "DocId",
        rows: &[row("10", 0, 0), row("20", 0, 0)],
    },
    StripedColumn {
        path: "Links.Backward",
        rows: &[row("NULL", 0, 1), row("10", 0, 2), row("30", 1, 2)],
    },
    StripedColumn {
        path: "Links.Forward",
        rows: &[
            row("20", 0, 2),
            row("40", 1, 2),
            row("60", 1, 2),
            row("80", 0, 2),
        ],
    },
    StripedColumn {
        path: "Name.Language.Code",
        rows: &[
            row("en-us", 0, 2),
            row("en", 2, 2),
            row("NULL", 1, 1),
            row("en-gb", 1, 2),
            row("NULL", 0, 1),
        ],
    },
    StripedColumn {
        path: "Name.Language.Country",
        rows: &[
            row("us", 0, 3),
            row("NULL", 2, 2),
            row("NULL", 1, 1),
            row("gb", 1, 3),
            row("NULL", 0, 1),
        ],
    },
    StripedColumn {
        path: "Name.Url",
        rows: &[
            row("http://A", 0, 2),
            row("http://B", 1, 2),
            row("NULL", 1, 1),
            row("http://C", 0, 2),
        ],
    },
];

/// Figure 4: the complete record-assembly automaton (edges in the order our FSM lists
/// them: by source field, then by lowest level).
pub const FIGURE_4: [Edge; 10] = [
    edge("DocId", "0", "Links.Backward"),
    edge("Links.Backward", "0", "Links.Forward"),
    edge("Links.Backward", "1", "Links.Backward"),
    edge("Links.Forward", "0", "Name.Language.Code"),
    edge("Links.Forward", "1", "Links.Forward"),
    edge("Name.Language.Code", "0,1,2", "Name.Language.Country"),
    edge("Name.Language.Country", "0,1", "Name.Url"),
    edge("Name.Language.Country", "2", "Name.Language.Code"),
    edge("Name.Url", "0", "end"),
    edge("Name.Url", "1", "Name.Language.Code"),
];

/// Figure 5: the automaton that assembles only DocId and Name.Language.Country.
pub const FIGURE_5_FSM: [Edge; 3] = [
    edge("DocId", "0", "Name.Language.Country"),
    edge("Name.Language.Country", "0", "end"),
    edge("Name.Language.Country", "1,2", "Name.Language.Country"),
];

/// The projected columns of Figure 5.
pub const FIGURE_5_COLUMNS: [&str; 2] = ["DocId", "Name.Language.Country"];

/// Figure 2: record r1 in the paper's notation.
pub const FIGURE_2_R1: &str = "\
DocId: 10
Links
  Forward: 20
  Forward: 40
  Forward: 60
Name
  Language
    Code: 'en-us'
    Country: 'us'
  Language
    Code: 'en'
  Url: 'http://A'
Name
  Url: 'http://B'
Name
  Language
    Code: 'en-gb'
    Country: 'gb'
";

/// Figure 2: record r2 in the paper's notation.
pub const FIGURE_2_R2: &str = "\
DocId: 20
Links
  Backward: 10
  Backward: 30
  Forward: 80
Name
  Url: 'http://C'
";

/// Figure 5: record s1, r1 projected on DocId and Name.Language.Country.
pub const FIGURE_5_S1: &str = "\
DocId: 10
Name
  Language
    Country: 'us'
  Language
Name
Name
  Language
    Country: 'gb'
";

/// Figure 5: record s2, r2 projected on DocId and Name.Language.Country.
pub const FIGURE_5_S2: &str = "\
DocId: 20
Name
";
