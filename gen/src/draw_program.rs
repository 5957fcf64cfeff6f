//! The drawing program: a schema's depth-first walk compiled once into a flat list of
//! steps, which [`SchemaGenerator`](crate::schema_generator::SchemaGenerator) runs once
//! per record.
//!
//! A record is drawn as the Dremel shredder walks it (Melnik et al., "Dremel", VLDB 2010,
//! §4.2). Walking the plan's tree for every record costs a call, a repetition match and a
//! shape match per node, although most nodes decide nothing: a required group, a
//! `LIST`/`MAP` wrapper, an optional node that is never null. The program keeps only the
//! nodes that draw or write, in the walk's order, so the record draws the same random
//! numbers in the same order:
//!
//! - [`Step::Leaf`]: one entry of a column: present, or, for an optional leaf, null with
//!   the leaf's probability;
//! - [`Step::Optional`]: an optional group that may be null: when it is, one absent entry
//!   in each of its columns and a jump past its subtree;
//! - [`Step::Repeat`] … [`Step::Next`]: a repeated node. `Repeat` draws the number of
//!   occurrences (none: absent entries and a jump past `Next`); `Next` jumps back to the
//!   first step of the node's body for each further occurrence.
//!
//! The repetition level of the next entry is a register: a repeated node's first
//! occurrence keeps the level it came in with, its later occurrences repeat at the node's
//! own level, and the level it came in with is restored when the node ends (one frame per
//! open repeated node).
//!
//! ```
//! use shred_gen::draw_program::{Step, compile};
//! let schema = shred::Schema::parse(shred::contact::CONTACT_SCHEMA).unwrap();
//! let plan = shred::schema_plan::SchemaPlan::new(&schema);
//! // Every optional node may be null except the list's element group.
//! let item = plan.nodes().iter().position(|n| n.path == "phones.list.item").unwrap();
//! let steps = compile(&plan, |id| if id as usize == item { 0 } else { 1 << 31 });
//! let kinds: Vec<&str> = steps.iter().map(Step::kind).collect();
//! assert_eq!(kinds, ["leaf", "optional", "repeat", "leaf", "leaf", "next"]);
//! ```

use parquet::basic::Repetition;
use shred::schema_plan::{NodeId, NodeShape, SchemaPlan};

/// One step of a drawing program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// One entry of leaf `node`'s column: `(r, def)` and a value, or, with probability
    /// `null` (a [`crate::rng::threshold`]; 0 for a leaf that is never null), `(r,
    /// absent_def)`.
    Leaf {
        /// The leaf's node (its value generator).
        node: NodeId,
        /// Its column.
        column: u32,
        /// Its definition level when present.
        def: i16,
        /// Its definition level when null.
        absent_def: i16,
        /// Null threshold.
        null: u64,
    },
    /// An optional group, null with probability `null` (never 0): then `(r, absent_def)`
    /// in columns `[first_column, end_column)` and the program goes on at `skip`.
    Optional {
        /// Null threshold.
        null: u64,
        /// The group's first column.
        first_column: u32,
        /// One past its last column.
        end_column: u32,
        /// The definition level of its absence.
        absent_def: i16,
        /// The step after its subtree.
        skip: u32,
    },
    /// Repeated `node`: its length is drawn; with none, `(r, absent_def)` in columns
    /// `[first_column, end_column)` and the program goes on at `skip` (past the matching
    /// [`Step::Next`]).
    Repeat {
        /// The repeated node (its length distribution and map key).
        node: NodeId,
        /// The node's first column.
        first_column: u32,
        /// One past its last column.
        end_column: u32,
        /// The definition level of its absence.
        absent_def: i16,
        /// The step after the matching [`Step::Next`].
        skip: u32,
    },
    /// The end of one occurrence of the innermost open repeated node: another occurrence,
    /// at repetition level `rep`, from step `body`; or the node ends.
    Next {
        /// The node's repetition level.
        rep: i16,
        /// The first step of the node's body.
        body: u32,
    },
}

impl Step {
    /// The step's kind, in lower case (for tests and debugging).
    pub fn kind(&self) -> &'static str {
        match self {
            Step::Leaf { .. } => "leaf",
            Step::Optional { .. } => "optional",
            Step::Repeat { .. } => "repeat",
            Step::Next { .. } => "next",
        }
    }
}

/// The program of `plan`'s records, with `null(id)` the null threshold of optional node
/// `id` (0: never null, no step and no draw).
pub fn compile(plan: &SchemaPlan, null: impl Fn(NodeId) -> u64) -> Vec<Step> {
    let mut steps = Vec::new();
    present(plan, &null, plan.root(), &mut steps);
    steps
}

/// The steps of node `id`, by its repetition.
fn node(plan: &SchemaPlan, null: &impl Fn(NodeId) -> u64, id: NodeId, steps: &mut Vec<Step>) {
    let n = plan.node(id);
    let columns = (n.columns.start as u32, n.columns.end as u32);
    match n.repetition {
        Repetition::REQUIRED => present(plan, null, id, steps),
        Repetition::OPTIONAL => {
            let threshold = null(id);
            if let NodeShape::Leaf { column, .. } = n.shape {
                steps.push(Step::Leaf {
                    node: id,
                    column: column as u32,
                    def: n.def,
                    absent_def: n.absent_def,
                    null: threshold,
                });
            } else if threshold == 0 {
                present(plan, null, id, steps);
            } else {
                let at = steps.len();
                steps.push(Step::Optional {
                    null: threshold,
                    first_column: columns.0,
                    end_column: columns.1,
                    absent_def: n.absent_def,
                    skip: 0,
                });
                present(plan, null, id, steps);
                close(steps, at);
            }
        }
        Repetition::REPEATED => {
            let at = steps.len();
            steps.push(Step::Repeat {
                node: id,
                first_column: columns.0,
                end_column: columns.1,
                absent_def: n.absent_def,
                skip: 0,
            });
            let body = steps.len() as u32;
            present(plan, null, id, steps);
            steps.push(Step::Next { rep: n.rep, body });
            close(steps, at);
        }
    }
}

/// The steps of one present occurrence of node `id`.
fn present(plan: &SchemaPlan, null: &impl Fn(NodeId) -> u64, id: NodeId, steps: &mut Vec<Step>) {
    let n = plan.node(id);
    match &n.shape {
        NodeShape::Leaf { column, .. } => steps.push(Step::Leaf {
            node: id,
            column: *column as u32,
            def: n.def,
            absent_def: n.absent_def,
            null: 0,
        }),
        NodeShape::Object { children, .. } => {
            for &child in children {
                node(plan, null, child, steps);
            }
        }
        NodeShape::Transparent { child } => node(plan, null, *child, steps),
    }
}

/// Points the `skip` of the `Optional` or `Repeat` step at `at` past the steps pushed
/// since: its subtree's.
fn close(steps: &mut [Step], at: usize) {
    let end = steps.len() as u32;
    match &mut steps[at] {
        Step::Optional { skip, .. } | Step::Repeat { skip, .. } => *skip = end,
        _ => unreachable!("only optional and repeated nodes skip"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn program(schema: &str) -> Vec<Step> {
        let schema = shred::Schema::parse(schema).unwrap();
        compile(&SchemaPlan::new(&schema), |_| 1 << 31)
    }

    #[test]
    fn required_groups_and_list_wrappers_have_no_step() {
        let steps = program(
            "message m { required group g { required int32 a; }
               optional group l (LIST) { repeated group list { required int32 element; } } }",
        );
        let kinds: Vec<&str> = steps.iter().map(Step::kind).collect();
        assert_eq!(kinds, ["leaf", "optional", "repeat", "leaf", "next"]);
    }

    #[test]
    fn optional_groups_skip_past_their_subtree() {
        let steps = program(
            "message m { optional group g { optional int32 a; optional int32 b; }
               optional int32 c; }",
        );
        assert_eq!(
            steps[0],
            Step::Optional {
                null: 1 << 31,
                first_column: 0,
                end_column: 2,
                absent_def: 0,
                skip: 3
            }
        );
        assert!(matches!(steps[3], Step::Leaf { column: 2, .. }));
    }

    #[test]
    fn repeated_nodes_jump_back_to_their_body() {
        let steps = program("message m { repeated group r { repeated int64 x; } }");
        let kinds: Vec<&str> = steps.iter().map(Step::kind).collect();
        assert_eq!(kinds, ["repeat", "repeat", "leaf", "next", "next"]);
        assert!(matches!(steps[0], Step::Repeat { skip: 5, .. }));
        assert!(matches!(steps[1], Step::Repeat { skip: 4, .. }));
        assert_eq!(steps[3], Step::Next { rep: 2, body: 2 });
        assert_eq!(steps[4], Step::Next { rep: 1, body: 1 });
    }
}
