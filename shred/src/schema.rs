//! The schema model: a tree of required/optional/repeated fields with the levels of every node.
//!
//! A [`Schema`] is built from Parquet message-type text (parsed by
//! [`parquet::schema::parser::parse_message_type`], which [`crate::variant::annotation`]
//! extends with the `VARIANT` annotation of groups) or from a file's [`SchemaDescriptor`].
//! Walking the tree from the root, every optional or repeated node adds one to the
//! definition level and every repeated node adds one to the repetition level (Melnik et
//! al., "Dremel", VLDB 2010, §4.1; the Parquet format's `README.md`, "Nested Encoding").
//! Each [`Node`] stores the levels it has when it is present, so a leaf's are the
//! column's maximum levels.
//!
//! Records are JSON values (see [`crate::record`]). Most groups are JSON objects, but the
//! `LIST` and `MAP` annotations of `LogicalTypes.md` put a list between the JSON and the
//! schema: `phones (LIST) { repeated group list { optional group item {..} } }` is the JSON
//! array `"phones": [item, ..]`. Such nodes are [`GroupShape::Transparent`]: they have no
//! object of their own, their only child lives in the same JSON slot. The annotated group
//! holds the array, its repeated child's occurrences are the array's elements and, in the
//! 3-level form, the single `item` under it is the element itself.
//!
//! ```
//! let schema = shred::Schema::parse(
//!     "message m { optional group phones (LIST) { repeated group list {
//!        optional group item { optional binary number (STRING); } } } }",
//! ).unwrap();
//! let leaf = &schema.leaves()[0];
//! assert_eq!(leaf.path, "phones.list.item.number");
//! assert_eq!((leaf.max_rep, leaf.max_def), (1, 4));
//! ```

use std::sync::Arc;

use parquet::basic::{ConvertedType, LogicalType, Repetition, Type as PhysicalType};
use parquet::schema::types::{ColumnDescPtr, SchemaDescriptor, Type, TypePtr};

use crate::error::{Error, Result};

/// How a group node appears in a JSON record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupShape {
    /// A JSON object with one key per child field.
    Object,
    /// No JSON value of its own: its single child shares the group's JSON slot
    /// (`LIST`/`MAP` annotated groups and the repeated wrapper of a 3-level list).
    Transparent,
}

/// What a node is: a group of fields or a leaf column.
#[derive(Debug, Clone)]
pub enum NodeKind {
    /// A group and the shape it has in JSON.
    Group {
        /// Child fields, in schema order.
        children: Vec<Node>,
        /// Object, or transparent (LIST/MAP wrappers).
        shape: GroupShape,
    },
    /// A leaf column, by its index in [`Schema::leaves`].
    Leaf {
        /// Column index (depth-first order, as in the Parquet file).
        leaf: usize,
    },
}

/// One field of the schema tree with the levels it has when it is present.
#[derive(Debug, Clone)]
pub struct Node {
    /// The field name as written in the schema.
    pub name: String,
    /// Dotted schema path from the root (empty for the root).
    pub path: String,
    /// `Required`, `Optional` or `Repeated` (the root is `Required`).
    pub repetition: Repetition,
    /// Repetition level of this node: the number of repeated nodes from the root to it.
    pub rep: i16,
    /// Definition level when this node is present: the number of optional or repeated
    /// nodes from the root to it, inclusive.
    pub def: i16,
    /// Group or leaf.
    pub kind: NodeKind,
}

/// One leaf column: its path, maximum levels and Parquet type.
#[derive(Debug, Clone)]
pub struct Leaf {
    /// Dotted path as in the schema, e.g. `phones.list.item.number`.
    pub path: String,
    /// Maximum repetition level.
    pub max_rep: i16,
    /// Maximum definition level.
    pub max_def: i16,
    /// The Parquet column descriptor (physical and logical type, length, scale).
    pub descr: ColumnDescPtr,
}

impl Leaf {
    /// The leaf's physical type.
    pub fn physical(&self) -> PhysicalType {
        self.descr.physical_type()
    }
    /// The leaf's logical type, if any.
    pub fn logical(&self) -> Option<&LogicalType> {
        self.descr.logical_type_ref()
    }
    /// True for an unsigned integer annotation (`INTEGER(_, false)` or `UINT_*`): its values
    /// are read as unsigned.
    pub fn is_unsigned(&self) -> bool {
        matches!(self.logical(), Some(LogicalType::Integer(int)) if !int.is_signed)
            || matches!(
                self.descr.converted_type(),
                ConvertedType::UINT_8
                    | ConvertedType::UINT_16
                    | ConvertedType::UINT_32
                    | ConvertedType::UINT_64
            )
    }
    /// The leaf's repetition (required, optional or repeated).
    pub fn repetition(&self) -> Repetition {
        self.descr.self_type().get_basic_info().repetition()
    }
}

/// A Parquet schema as a tree of [`Node`]s with its leaf columns.
#[derive(Debug, Clone)]
pub struct Schema {
    root: Node,
    leaves: Vec<Leaf>,
    descr: Arc<SchemaDescriptor>,
}

impl Schema {
    /// Parses Parquet message-type text (`message m { required int64 id; }`), with the
    /// VARIANT annotation of groups ([`crate::variant::annotation`]). Two fields of one
    /// group with the same name are an error: a JSON record could not tell them apart.
    pub fn parse(text: &str) -> Result<Self> {
        let message =
            crate::variant::annotation::parse_message_type(text).map_err(|e| Error::Schema {
                message: e.to_string(),
            })?;
        let schema = Self::from_descriptor(Arc::new(SchemaDescriptor::new(Arc::new(message))))?;
        if let Some((group, name)) = first_repeated_name(schema.root()) {
            let group = if group.is_empty() {
                "the message"
            } else {
                group
            };
            return Err(Error::Schema {
                message: format!(
                    "two fields named `{name}` in {group}: a JSON record could not tell them apart"
                ),
            });
        }
        Ok(schema)
    }

    /// Reads and parses a schema file.
    pub fn from_file(path: &std::path::Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::Input {
            message: format!("{}: cannot read schema: {e}", path.display()),
        })?;
        Self::parse(&text).map_err(|e| match e {
            Error::Schema { message } => Error::Schema {
                message: format!("{}: {message}", path.display()),
            },
            other => other,
        })
    }

    /// Builds the model of a file's schema.
    pub fn from_descriptor(descr: Arc<SchemaDescriptor>) -> Result<Self> {
        let mut builder = Builder {
            descr: &descr,
            leaves: Vec::new(),
        };
        let root = builder.node(
            descr.root_schema(),
            String::new(),
            Repetition::REQUIRED,
            0,
            0,
            None,
        )?;
        let leaves = builder.leaves;
        Ok(Schema {
            root,
            leaves,
            descr,
        })
    }

    /// The root group (the message).
    pub fn root(&self) -> &Node {
        &self.root
    }

    /// All leaf columns in column order.
    pub fn leaves(&self) -> &[Leaf] {
        &self.leaves
    }

    /// The Parquet schema descriptor.
    pub fn descriptor(&self) -> &Arc<SchemaDescriptor> {
        &self.descr
    }

    /// The Parquet message type, as a writer takes it.
    pub fn message_type(&self) -> TypePtr {
        self.descr.root_schema_ptr()
    }

    /// The message type as text, printed by the `parquet` crate's schema printer, whose
    /// output its message-type parser (and so [`Schema::parse`]) reads back; VARIANT
    /// annotations are written `(VARIANT(1))`, as [`Schema::parse`] reads them.
    pub fn message_text(&self) -> String {
        let mut text = Vec::new();
        parquet::schema::printer::print_schema(&mut text, self.descr.root_schema());
        crate::variant::annotation::print_annotations(&String::from_utf8_lossy(&text))
    }

    /// The index of the leaf with this dotted path.
    pub fn leaf_index(&self, path: &str) -> Option<usize> {
        self.leaves.iter().position(|l| l.path == path)
    }

    /// The leaf columns under the given paths (each a leaf or a group, dotted), in column
    /// order; all leaves when `paths` is empty. A path that names no column is an error
    /// listing the columns there are.
    pub fn select_leaves(&self, paths: &[String]) -> std::result::Result<Vec<usize>, String> {
        if paths.is_empty() {
            return Ok((0..self.leaves.len()).collect());
        }
        let mut selected = vec![false; self.leaves.len()];
        for path in paths {
            let prefix = format!("{path}.");
            let mut found = false;
            for (i, leaf) in self.leaves.iter().enumerate() {
                if leaf.path == *path || leaf.path.starts_with(&prefix) {
                    selected[i] = true;
                    found = true;
                }
            }
            if !found {
                let names: Vec<&str> = self.leaves.iter().map(|l| l.path.as_str()).collect();
                return Err(format!(
                    "no column '{path}' (columns: {})",
                    names.join(", ")
                ));
            }
        }
        Ok((0..self.leaves.len()).filter(|&i| selected[i]).collect())
    }

    /// The nodes from the root's child down to the given leaf, inclusive.
    pub fn leaf_chain(&self, leaf: usize) -> Vec<&Node> {
        fn walk<'a>(node: &'a Node, leaf: usize, chain: &mut Vec<&'a Node>) -> bool {
            match &node.kind {
                NodeKind::Leaf { leaf: l } => *l == leaf,
                NodeKind::Group { children, .. } => {
                    for child in children {
                        chain.push(child);
                        if walk(child, leaf, chain) {
                            return true;
                        }
                        chain.pop();
                    }
                    false
                }
            }
        }
        let mut chain = Vec::new();
        walk(&self.root, leaf, &mut chain);
        chain
    }
}

impl Node {
    /// True for a leaf column.
    pub fn is_leaf(&self) -> bool {
        matches!(self.kind, NodeKind::Leaf { .. })
    }

    /// The child nodes (empty for a leaf).
    pub fn children(&self) -> &[Node] {
        match &self.kind {
            NodeKind::Group { children, .. } => children,
            NodeKind::Leaf { .. } => &[],
        }
    }

    /// True when the group has no JSON value of its own.
    pub fn is_transparent(&self) -> bool {
        matches!(
            self.kind,
            NodeKind::Group {
                shape: GroupShape::Transparent,
                ..
            }
        )
    }

    /// The column indexes of every leaf under this node, in order.
    pub fn leaf_range(&self) -> std::ops::Range<usize> {
        match &self.kind {
            NodeKind::Leaf { leaf } => *leaf..*leaf + 1,
            NodeKind::Group { children, .. } => {
                let start = children.first().map(|c| c.leaf_range().start).unwrap_or(0);
                let end = children.last().map(|c| c.leaf_range().end).unwrap_or(0);
                start..end
            }
        }
    }
}

/// Walks a Parquet type tree and assigns levels and leaf indexes.
struct Builder<'a> {
    descr: &'a SchemaDescriptor,
    leaves: Vec<Leaf>,
}

/// Where a node sits relative to a `LIST`/`MAP` annotated parent.
#[derive(Clone, Copy)]
enum ListRole<'a> {
    /// The repeated child of a LIST/MAP group; the parent's name for the `_tuple` rule.
    Repeated { list_name: &'a str, is_map: bool },
}

impl Builder<'_> {
    fn node(
        &mut self,
        tp: &Type,
        path: String,
        repetition: Repetition,
        parent_rep: i16,
        parent_def: i16,
        role: Option<ListRole<'_>>,
    ) -> Result<Node> {
        let rep = parent_rep + i16::from(repetition == Repetition::REPEATED);
        let def = parent_def + i16::from(repetition != Repetition::REQUIRED);
        let name = tp.name().to_string();
        if tp.is_primitive() {
            let leaf = self.leaves.len();
            let descr = self.descr.column(leaf);
            if descr.max_def_level() != def || descr.max_rep_level() != rep {
                return Err(Error::Schema {
                    message: format!(
                        "{path}: computed levels (r={rep}, d={def}) differ from the descriptor's (r={}, d={})",
                        descr.max_rep_level(),
                        descr.max_def_level()
                    ),
                });
            }
            self.leaves.push(Leaf {
                path: path.clone(),
                max_rep: rep,
                max_def: def,
                descr,
            });
            return Ok(Node {
                name,
                path,
                repetition,
                rep,
                def,
                kind: NodeKind::Leaf { leaf },
            });
        }
        let fields = tp.get_fields();
        let info = tp.get_basic_info();
        let is_list = matches!(info.logical_type_ref(), Some(LogicalType::List))
            || info.converted_type() == ConvertedType::LIST;
        let is_map = matches!(info.logical_type_ref(), Some(LogicalType::Map))
            || matches!(
                info.converted_type(),
                ConvertedType::MAP | ConvertedType::MAP_KEY_VALUE
            );
        // A LIST/MAP annotation counts only on the shape the spec gives it: exactly one
        // repeated child (a MAP's must be a group). Otherwise the group is a plain object.
        let annotated = !tp.is_schema()
            && (is_list || is_map)
            && fields.len() == 1
            && fields[0].get_basic_info().repetition() == Repetition::REPEATED
            && (is_list || fields[0].is_group());
        // The 3-level list's repeated wrapper: a group with exactly one field, unless one
        // of the spec's backward-compatibility rules says the group is the element itself.
        let wrapper = match role {
            Some(ListRole::Repeated { list_name, is_map }) => {
                !is_map
                    && fields.len() == 1
                    && name != "array"
                    && name != format!("{list_name}_tuple")
            }
            None => false,
        };
        let shape = if annotated || wrapper {
            GroupShape::Transparent
        } else {
            GroupShape::Object
        };
        let mut children = Vec::with_capacity(fields.len());
        for field in fields {
            let child_path = if path.is_empty() {
                field.name().to_string()
            } else {
                format!("{path}.{}", field.name())
            };
            let child_role = annotated.then_some(ListRole::Repeated {
                list_name: &name,
                is_map,
            });
            let child_repetition = field.get_basic_info().repetition();
            children.push(self.node(field, child_path, child_repetition, rep, def, child_role)?);
        }
        Ok(Node {
            name,
            path,
            repetition,
            rep,
            def,
            kind: NodeKind::Group { children, shape },
        })
    }
}

/// The first group (its path) holding two fields of one name, and the name.
pub(crate) fn first_repeated_name(node: &Node) -> Option<(&str, &str)> {
    let children = node.children();
    for (i, child) in children.iter().enumerate() {
        if children[..i].iter().any(|c| c.name == child.name) {
            return Some((node.path.as_str(), child.name.as_str()));
        }
    }
    children.iter().find_map(first_repeated_name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;

    fn levels(schema: &Schema) -> Vec<(String, i16, i16)> {
        schema
            .leaves()
            .iter()
            .map(|l| (l.path.clone(), l.max_rep, l.max_def))
            .collect()
    }

    #[test]
    fn document_levels() {
        let schema = Schema::parse(fixtures::DOCUMENT_SCHEMA).unwrap();
        let expected = [
            ("DocId", 0, 0),
            ("Links.Backward", 1, 2),
            ("Links.Forward", 1, 2),
            ("Name.Language.Code", 2, 2),
            ("Name.Language.Country", 2, 3),
            ("Name.Url", 1, 2),
        ];
        let expected: Vec<_> = expected
            .iter()
            .map(|(p, r, d)| (p.to_string(), *r, *d))
            .collect();
        assert_eq!(levels(&schema), expected);
        assert!(!schema.root().children()[1].is_transparent());
    }

    #[test]
    fn contact_levels_and_shapes() {
        let schema = Schema::parse(crate::contact::CONTACT_SCHEMA).unwrap();
        assert_eq!(
            levels(&schema),
            vec![
                ("name".to_string(), 0, 1),
                ("phones.list.item.number".to_string(), 1, 4),
                ("phones.list.item.phone_type".to_string(), 1, 4),
            ]
        );
        let phones = &schema.root().children()[1];
        assert!(phones.is_transparent());
        let list = &phones.children()[0];
        assert!(list.is_transparent());
        assert!(!list.children()[0].is_transparent());
    }

    #[test]
    fn two_level_list_is_not_a_wrapper() {
        let schema = Schema::parse(
            "message m { optional group a (LIST) { repeated group array { required int32 x; } }
                         optional group b (LIST) { repeated group b_tuple { required int32 x; } }
                         optional group c (LIST) { repeated int32 element; } }",
        )
        .unwrap();
        let [a, b, c] = schema.root().children() else {
            panic!("three fields")
        };
        assert!(!a.children()[0].is_transparent());
        assert!(!b.children()[0].is_transparent());
        assert!(c.children()[0].is_leaf());
    }

    #[test]
    fn map_entries_are_objects() {
        let schema = Schema::parse(
            "message m { optional group m (MAP) { repeated group key_value {
               required binary key (STRING); optional int64 value; } } }",
        )
        .unwrap();
        let map = &schema.root().children()[0];
        assert!(map.is_transparent());
        assert!(!map.children()[0].is_transparent());
        assert_eq!(schema.leaves()[1].max_def, 3);
    }

    #[test]
    fn message_text_parses_back() {
        let schema = Schema::parse(crate::fixtures::DOCUMENT_SCHEMA).unwrap();
        let text = schema.message_text();
        assert!(text.starts_with("message Document {"), "{text}");
        assert_eq!(levels(&Schema::parse(&text).unwrap()), levels(&schema));
    }

    #[test]
    fn two_fields_of_one_name_are_an_error() {
        let err = Schema::parse(
            "message m { optional group g { optional int32 a; required binary a; } }",
        )
        .unwrap_err()
        .to_string();
        assert_eq!(
            err,
            "invalid schema: two fields named `a` in g: a JSON record could not tell them apart"
        );
        // The same name in different groups is fine.
        Schema::parse("message m { optional int32 a; optional group g { optional int32 a; } }")
            .unwrap();
    }

    #[test]
    fn unreadable_schema_is_an_error() {
        let err = Schema::parse("message m { required int99 x; }").unwrap_err();
        assert!(matches!(err, Error::Schema { .. }), "{err}");
    }
}
