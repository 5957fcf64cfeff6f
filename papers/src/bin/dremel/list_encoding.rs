//! The Document schema under the 3-level `LIST` encoding Parquet writers use today.
//!
//! The paper's schema marks a list by a bare `repeated` field. Parquet's
//! `LogicalTypes.md` ("Lists") instead writes every list as three levels:
//! `optional group X (LIST) { repeated group list { <required|optional> element } }`.
//! The outer group says whether the list exists (null vs present), the `repeated list`
//! holds one occurrence per element, and `element` says whether that element is null.
//! Only `repeated list` adds a repetition level, so r is unchanged; the outer group adds a
//! definition level, and an optional element adds one more. For a record where every list
//! that is absent is a null list and no element is null (r1 and r2), an entry's definition
//! level therefore moves by a fixed amount per repeated ancestor it reaches:
//! `d_list = d_bare + k·(1 + e)`, `k` = the bare repeated fields on the column's path whose
//! level is ≤ `d_bare` (they are defined), `e` = 1 for an optional element, else 0
//! ([`predicted_def`]). The command checks our shredder against this rule, independently
//! of the shredder's own code.
//!
//! What the three levels buy is [`definition_states`]: a bare repeated field cannot tell a
//! missing list from an empty one, nor hold a null element; the `LIST` encoding can.

use parquet::basic::Repetition;
use serde_json::{Value as Json, json};
use shred::Schema;

/// Whether a list's `element` may be null.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Element {
    /// `required element`: elements are never null (like the paper's repeated fields).
    Required,
    /// `optional element`: what arrow-rs and pyarrow write for Arrow's nullable list items.
    Optional,
}

impl Element {
    /// Both variants, required first.
    pub const ALL: [Element; 2] = [Element::Required, Element::Optional];

    /// The schema keyword.
    pub fn keyword(self) -> &'static str {
        match self {
            Element::Required => "required",
            Element::Optional => "optional",
        }
    }

    /// The extra definition levels per list: the `(LIST)` group, plus one for an optional
    /// element.
    pub fn extra_def(self) -> i16 {
        match self {
            Element::Required => 1,
            Element::Optional => 2,
        }
    }

    /// A short label for table headers.
    pub fn label(self) -> String {
        format!("LIST, {} element", self.keyword())
    }
}

/// The Document schema of Figure 2 with every repeated field as a 3-level `LIST`.
pub fn document_list_schema(element: Element) -> String {
    let e = element.keyword();
    format!(
        "message Document {{
  required int64 DocId;
  optional group Links {{
    optional group Backward (LIST) {{
      repeated group list {{
        {e} int64 element;
      }}
    }}
    optional group Forward (LIST) {{
      repeated group list {{
        {e} int64 element;
      }}
    }}
  }}
  optional group Name (LIST) {{
    repeated group list {{
      {e} group element {{
        optional group Language (LIST) {{
          repeated group list {{
            {e} group element {{
              required binary Code (STRING);
              optional binary Country (STRING);
            }}
          }}
        }}
        optional binary Url (STRING);
      }}
    }}
  }}
}}"
    )
}

/// A `LIST` column path with its `list.element` steps removed: the paper's path.
pub fn bare_path(list_path: &str) -> String {
    list_path.replace(".list.element", "")
}

/// The definition level a `LIST` schema gives an entry that has level `d_bare` in the
/// paper's schema (column `leaf` of `bare`), when absent lists are null and no element is
/// null: `d_bare + k·extra`, `k` the defined repeated fields on the path.
pub fn predicted_def(bare: &Schema, leaf: usize, d_bare: i16, element: Element) -> i16 {
    let defined_lists = bare
        .leaf_chain(leaf)
        .iter()
        .filter(|n| n.repetition == Repetition::REPEATED && n.def <= d_bare)
        .count() as i16;
    d_bare + defined_lists * element.extra_def()
}

/// One case of the definition-state table: a record and what its `Links.Backward` is.
#[derive(Debug, Clone)]
pub struct StateCase {
    /// What the case is, e.g. `empty list`.
    pub label: &'static str,
    /// The record.
    pub record: Json,
    /// Expected `(r, d)` of the record's first `Links.Backward` entry under the paper's
    /// schema, the required-element `LIST` and the optional-element `LIST`; `None` where
    /// the encoding cannot hold the record. Worked out by hand from the schemas (each
    /// optional or repeated node that is present adds one to d), not by the shredder.
    pub expected: [Option<(i16, i16)>; 3],
}

/// The five states a list can be in, for `Links.Backward`.
pub fn definition_states() -> Vec<StateCase> {
    vec![
        StateCase {
            label: "Links null",
            record: json!({"DocId": 1}),
            expected: [Some((0, 0)), Some((0, 0)), Some((0, 0))],
        },
        StateCase {
            label: "Backward null",
            record: json!({"DocId": 2, "Links": {}}),
            expected: [Some((0, 1)), Some((0, 1)), Some((0, 1))],
        },
        StateCase {
            label: "Backward empty []",
            record: json!({"DocId": 3, "Links": {"Backward": []}}),
            expected: [Some((0, 1)), Some((0, 2)), Some((0, 2))],
        },
        StateCase {
            label: "Backward [null]",
            record: json!({"DocId": 4, "Links": {"Backward": [null]}}),
            expected: [None, None, Some((0, 3))],
        },
        StateCase {
            label: "Backward [7]",
            record: json!({"DocId": 5, "Links": {"Backward": [7]}}),
            expected: [Some((0, 2)), Some((0, 3)), Some((0, 4))],
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use shred::fixtures::DOCUMENT_SCHEMA;

    #[test]
    fn list_schemas_parse_with_the_expected_maximum_levels() {
        let want = [
            // (path, r, d required, d optional)
            ("DocId", 0, 0, 0),
            ("Links.Backward.list.element", 1, 3, 4),
            ("Links.Forward.list.element", 1, 3, 4),
            ("Name.list.element.Language.list.element.Code", 2, 4, 6),
            ("Name.list.element.Language.list.element.Country", 2, 5, 7),
            ("Name.list.element.Url", 1, 3, 4),
        ];
        let req = Schema::parse(&document_list_schema(Element::Required)).unwrap();
        let opt = Schema::parse(&document_list_schema(Element::Optional)).unwrap();
        for (i, (path, r, d_req, d_opt)) in want.iter().enumerate() {
            assert_eq!(req.leaves()[i].path, *path);
            assert_eq!(
                (req.leaves()[i].max_rep, req.leaves()[i].max_def),
                (*r, *d_req)
            );
            assert_eq!(
                (opt.leaves()[i].max_rep, opt.leaves()[i].max_def),
                (*r, *d_opt)
            );
        }
    }

    #[test]
    fn bare_path_drops_list_steps() {
        assert_eq!(
            bare_path("Name.list.element.Language.list.element.Country"),
            "Name.Language.Country"
        );
        assert_eq!(bare_path("DocId"), "DocId");
    }

    #[test]
    fn prediction_maps_maximum_levels() {
        let bare = Schema::parse(DOCUMENT_SCHEMA).unwrap();
        let country = bare.leaf_index("Name.Language.Country").unwrap();
        assert_eq!(predicted_def(&bare, country, 3, Element::Required), 5);
        assert_eq!(predicted_def(&bare, country, 3, Element::Optional), 7);
        // Only Name is defined at d = 1: one list's worth of extra levels.
        assert_eq!(predicted_def(&bare, country, 1, Element::Optional), 3);
        assert_eq!(predicted_def(&bare, country, 0, Element::Optional), 0);
    }
}
