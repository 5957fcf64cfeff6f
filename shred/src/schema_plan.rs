//! The schema plan: a [`Schema`] compiled once into the flat tables the hot loops read.
//!
//! Shredding walks the schema once per record, so whatever can be decided from the schema
//! alone is decided here, once: every node gets an id in a flat table with its levels (the
//! repetition and definition level it has when present, the definition level its parent
//! gives it when it is absent), its repetition, how it sits in a JSON record (an object with
//! named fields, a transparent `LIST`/`MAP` wrapper sharing its parent's slot, or a leaf),
//! and for a leaf the column, the physical type and the [`Conversion`] that turns a JSON
//! scalar into the physical value. The levels follow Melnik et al., "Dremel", VLDB 2010,
//! §4.1 and the Parquet format's "Nested Encoding"; the JSON shapes and conversions are
//! those of [`crate::record`] (the reference this plan must agree with).
//!
//! A VARIANT group's node is marked ([`SchemaPlan::variant`]): its JSON value is any JSON,
//! which [`crate::variant::shredder`] turns into the group's record slot first.
//!
//! The plan knows nothing about a JSON parser: a parser hands it field names
//! ([`FieldLookup::find`], with a fast path for fields in schema order) and scalars
//! (`Conversion::push_*`), so the same plan serves a JSON shredder, a value generator and
//! an assembler.
//!
//! ```
//! use shred::schema_plan::{Conversion, NodeShape, SchemaPlan};
//! let schema = shred::Schema::parse(shred::contact::CONTACT_SCHEMA).unwrap();
//! let plan = SchemaPlan::new(&schema);
//! let number = &plan.leaves()[1];
//! assert_eq!((number.max_rep, number.max_def), (1, 4));
//! assert_eq!(number.conversion, Conversion::Bytes);
//! let root = plan.node(plan.root());
//! let NodeShape::Object { lookup, .. } = &root.shape else { unreachable!() };
//! assert_eq!(lookup.find("phones", 1), Some(1));
//! ```

use std::ops::Range;

use parquet::basic::{Repetition, Type as PhysicalType};

use crate::record::int96_from_nanos;
use crate::schema::{Leaf, Node, NodeKind, Schema};
use crate::stripe::Values;
use crate::variant::VariantColumn;

/// Index of a node in [`SchemaPlan::nodes`].
pub type NodeId = u32;

/// How a JSON scalar becomes a leaf's physical value: exactly the rules of
/// [`crate::record::push_leaf`]. Logical annotations that keep the physical value as is
/// (DATE days, TIMESTAMP units, DECIMAL unscaled integers, JSON/ENUM bytes) use their
/// physical type's conversion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conversion {
    /// BOOLEAN from `true`/`false`.
    Boolean,
    /// INT32 from an integer in `i32` range, or `u32` range for an unsigned annotation
    /// (stored as the same 32 bits).
    Int32 {
        /// `INTEGER(_, false)` or `UINT_*`.
        unsigned: bool,
    },
    /// INT64 from an integer in `i64` range, or `u64` range when unsigned.
    Int64 {
        /// `INTEGER(64, false)` or `UINT_64`.
        unsigned: bool,
    },
    /// INT96 from an integer: nanoseconds since the Unix epoch.
    Int96Nanos,
    /// FLOAT from any number (rounded to `f32`) or `"NaN"`, `"Infinity"`, `"-Infinity"`.
    Float,
    /// DOUBLE from any number or `"NaN"`, `"Infinity"`, `"-Infinity"`.
    Double,
    /// BYTE_ARRAY from a string (its UTF-8 bytes) or an array of byte values.
    Bytes,
    /// FIXED_LEN_BYTE_ARRAY from a string or byte array of exactly `len` bytes.
    FixedBytes {
        /// The column's type length.
        len: usize,
    },
}

impl Conversion {
    /// The conversion of a leaf column.
    pub fn of(leaf: &Leaf) -> Self {
        let unsigned = leaf.is_unsigned();
        match leaf.physical() {
            PhysicalType::BOOLEAN => Conversion::Boolean,
            PhysicalType::INT32 => Conversion::Int32 { unsigned },
            PhysicalType::INT64 => Conversion::Int64 { unsigned },
            PhysicalType::INT96 => Conversion::Int96Nanos,
            PhysicalType::FLOAT => Conversion::Float,
            PhysicalType::DOUBLE => Conversion::Double,
            PhysicalType::BYTE_ARRAY => Conversion::Bytes,
            PhysicalType::FIXED_LEN_BYTE_ARRAY => Conversion::FixedBytes {
                len: leaf.descr.type_length().max(0) as usize,
            },
        }
    }

    /// Appends a JSON boolean; false when the column does not take one.
    #[inline]
    pub fn push_bool(self, value: bool, values: &mut Values) -> bool {
        match values {
            Values::Boolean(v) => v.push(value),
            _ => return false,
        }
        true
    }

    /// Appends a non-negative JSON integer; false when it does not fit the column.
    #[inline]
    pub fn push_u64(self, value: u64, values: &mut Values) -> bool {
        match (self, values) {
            (Conversion::Int32 { unsigned: true }, Values::Int32(v)) => {
                match u32::try_from(value) {
                    Ok(x) => v.push(x as i32),
                    Err(_) => return false,
                }
            }
            (Conversion::Int32 { unsigned: false }, Values::Int32(v)) => {
                match i32::try_from(value) {
                    Ok(x) => v.push(x),
                    Err(_) => return false,
                }
            }
            (Conversion::Int64 { unsigned: true }, Values::Int64(v)) => v.push(value as i64),
            (Conversion::Int64 { unsigned: false }, Values::Int64(v)) => {
                match i64::try_from(value) {
                    Ok(x) => v.push(x),
                    Err(_) => return false,
                }
            }
            (Conversion::Int96Nanos, Values::Int96(v)) => match i64::try_from(value) {
                Ok(x) => v.push(int96_from_nanos(x)),
                Err(_) => return false,
            },
            (Conversion::Float, Values::Float(v)) => v.push(value as f64 as f32),
            (Conversion::Double, Values::Double(v)) => v.push(value as f64),
            _ => return false,
        }
        true
    }

    /// Appends a JSON integer; false when it does not fit the column.
    #[inline]
    pub fn push_i64(self, value: i64, values: &mut Values) -> bool {
        if value >= 0 {
            return self.push_u64(value as u64, values);
        }
        match (self, values) {
            (Conversion::Int32 { unsigned: false }, Values::Int32(v)) => {
                match i32::try_from(value) {
                    Ok(x) => v.push(x),
                    Err(_) => return false,
                }
            }
            (Conversion::Int64 { unsigned: false }, Values::Int64(v)) => v.push(value),
            (Conversion::Int96Nanos, Values::Int96(v)) => v.push(int96_from_nanos(value)),
            (Conversion::Float, Values::Float(v)) => v.push(value as f64 as f32),
            (Conversion::Double, Values::Double(v)) => v.push(value as f64),
            _ => return false,
        }
        true
    }

    /// Appends a JSON number that is not an integer; false when the column takes no float.
    #[inline]
    pub fn push_f64(self, value: f64, values: &mut Values) -> bool {
        match values {
            Values::Float(v) => v.push(value as f32),
            Values::Double(v) => v.push(value),
            _ => return false,
        }
        true
    }

    /// Appends a JSON string; false when the column does not take it.
    #[inline]
    pub fn push_str(self, value: &str, values: &mut Values) -> bool {
        match values {
            Values::ByteArray(_) | Values::FixedLenByteArray(_) => {
                self.push_bytes(value.as_bytes(), values)
            }
            Values::Float(_) | Values::Double(_) => {
                let x = match value {
                    "NaN" => f64::NAN,
                    "Infinity" => f64::INFINITY,
                    "-Infinity" => f64::NEG_INFINITY,
                    _ => return false,
                };
                self.push_f64(x, values)
            }
            _ => false,
        }
    }

    /// Appends bytes (a string's, or a JSON array of byte values); false when the column
    /// does not hold bytes or a fixed length does not match.
    #[inline]
    pub fn push_bytes(self, value: &[u8], values: &mut Values) -> bool {
        match (self, values) {
            (Conversion::Bytes, Values::ByteArray(v)) => v.push(value),
            (Conversion::FixedBytes { len }, Values::FixedLenByteArray(v))
                if value.len() == len =>
            {
                v.push(value)
            }
            _ => return false,
        }
        true
    }
}

/// The field names of an object group, found by name with a fast path for schema order.
#[derive(Debug, Clone)]
pub struct FieldLookup {
    names: Vec<Box<str>>,
    /// Whether each name is written in JSON as it is, between quotes (no `"`, `\` or
    /// control character to escape).
    plain: Vec<bool>,
    /// Name → position, for groups too wide for a linear scan.
    index: Option<hashbrown::HashMap<Box<str>, usize>>,
}

/// Groups with more fields than this are looked up by hash.
const LINEAR_LOOKUP_MAX: usize = 8;

impl FieldLookup {
    fn new(names: Vec<Box<str>>) -> Self {
        let index =
            (names.len() > LINEAR_LOOKUP_MAX).then(|| names.iter().cloned().zip(0..).collect());
        let plain = names
            .iter()
            .map(|n| crate::json_escape::is_plain(n))
            .collect();
        FieldLookup {
            names,
            plain,
            index,
        }
    }

    /// The position of the field called `name`; `hint` is where the caller expects it
    /// (the position after the previous field), checked first.
    #[inline]
    pub fn find(&self, name: &str, hint: usize) -> Option<usize> {
        let same = |n: &str| crate::short_bytes::eq(n.as_bytes(), name.as_bytes());
        if self.names.get(hint).is_some_and(|n| same(n)) {
            return Some(hint);
        }
        match &self.index {
            Some(index) => index.get(name).copied(),
            None => self.names.iter().position(|n| same(n)),
        }
    }

    /// The name of the field at `position` when JSON writes it as it is between quotes,
    /// so that a key can be matched against it byte for byte, unescaped.
    #[inline]
    pub fn plain_name(&self, position: usize) -> Option<&str> {
        match self.plain.get(position) {
            Some(true) => Some(&self.names[position]),
            _ => None,
        }
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// True for a group without fields.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// How a node sits in a JSON record.
#[derive(Debug, Clone)]
pub enum NodeShape {
    /// A leaf column.
    Leaf {
        /// Column index (depth-first, as in the Parquet file).
        column: usize,
        /// How a JSON scalar becomes the physical value.
        conversion: Conversion,
    },
    /// A group that is a JSON object with one key per child.
    Object {
        /// The children, in schema order.
        children: Vec<NodeId>,
        /// Child position by field name.
        lookup: FieldLookup,
        /// A MAP's repeated key/value group (first field `key`): a JSON object with string
        /// keys is accepted in place of the array of entries.
        map_entry: bool,
    },
    /// A `LIST`/`MAP` group or a 3-level list wrapper: no JSON value of its own, its only
    /// child shares the slot.
    Transparent {
        /// The single child.
        child: NodeId,
    },
}

/// One schema node, compiled.
#[derive(Debug, Clone)]
pub struct PlanNode {
    /// Field name as in the schema.
    pub name: String,
    /// Dotted schema path (empty for the root).
    pub path: String,
    /// Required, optional or repeated (the root is required).
    pub repetition: Repetition,
    /// Repetition level of the node's own occurrences.
    pub rep: i16,
    /// Definition level when the node is present.
    pub def: i16,
    /// Definition level written below the node when it is absent (its parent's `def`).
    pub absent_def: i16,
    /// The leaf columns under the node.
    pub columns: Range<usize>,
    /// Object, transparent wrapper or leaf.
    pub shape: NodeShape,
}

/// One leaf column, compiled.
#[derive(Debug, Clone)]
pub struct LeafPlan {
    /// Dotted path.
    pub path: String,
    /// Maximum repetition level.
    pub max_rep: i16,
    /// Maximum definition level.
    pub max_def: i16,
    /// Physical type.
    pub physical: PhysicalType,
    /// How a JSON scalar becomes the physical value.
    pub conversion: Conversion,
    /// The leaf's node.
    pub node: NodeId,
}

/// A schema compiled for shredding: flat node and leaf tables, and the schema itself.
#[derive(Debug, Clone)]
pub struct SchemaPlan {
    schema: Schema,
    nodes: Vec<PlanNode>,
    leaves: Vec<LeafPlan>,
    /// The VARIANT groups, whose JSON values go through [`crate::variant::shredder`].
    variants: Vec<VariantColumn>,
    /// Per node id, its index in `variants` when it is a VARIANT group.
    variant_of: Vec<Option<u32>>,
}

impl SchemaPlan {
    /// Compiles `schema`.
    pub fn new(schema: &Schema) -> Self {
        let mut plan = SchemaPlan {
            schema: schema.clone(),
            nodes: Vec::new(),
            leaves: Vec::with_capacity(schema.leaves().len()),
            variants: VariantColumn::find_all(schema),
            variant_of: Vec::new(),
        };
        plan.add(schema.root(), 0);
        plan.variant_of = plan
            .nodes
            .iter()
            .map(|n| {
                plan.variants
                    .iter()
                    .position(|v| v.path == n.path)
                    .map(|i| i as u32)
            })
            .collect();
        plan
    }

    /// Adds `node` and its subtree; returns its id.
    fn add(&mut self, node: &Node, absent_def: i16) -> NodeId {
        let id = self.nodes.len() as NodeId;
        // Children are added after their parent, so the shape is filled in afterwards.
        self.nodes.push(PlanNode {
            name: node.name.clone(),
            path: node.path.clone(),
            repetition: node.repetition,
            rep: node.rep,
            def: node.def,
            absent_def,
            columns: node.leaf_range(),
            shape: NodeShape::Transparent { child: 0 },
        });
        let shape = match &node.kind {
            NodeKind::Leaf { leaf } => {
                let info = &self.schema.leaves()[*leaf];
                let conversion = Conversion::of(info);
                self.leaves.push(LeafPlan {
                    path: info.path.clone(),
                    max_rep: info.max_rep,
                    max_def: info.max_def,
                    physical: info.physical(),
                    conversion,
                    node: id,
                });
                NodeShape::Leaf {
                    column: *leaf,
                    conversion,
                }
            }
            NodeKind::Group { children, .. } if node.is_transparent() => NodeShape::Transparent {
                child: self.add(&children[0], node.def),
            },
            NodeKind::Group { children, .. } => {
                let ids = children.iter().map(|c| self.add(c, node.def)).collect();
                let names = children.iter().map(|c| c.name.as_str().into()).collect();
                NodeShape::Object {
                    children: ids,
                    lookup: FieldLookup::new(names),
                    map_entry: node.repetition == Repetition::REPEATED
                        && children.first().is_some_and(|c| c.name == "key"),
                }
            }
        };
        self.nodes[id as usize].shape = shape;
        id
    }

    /// The schema the plan was compiled from.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The root node's id (the message, an object).
    pub fn root(&self) -> NodeId {
        0
    }

    /// A node by id.
    #[inline]
    pub fn node(&self, id: NodeId) -> &PlanNode {
        &self.nodes[id as usize]
    }

    /// Every node, parents before children (depth-first, schema order).
    pub fn nodes(&self) -> &[PlanNode] {
        &self.nodes
    }

    /// The VARIANT group node `id` is, if it is one.
    #[inline]
    pub fn variant(&self, id: NodeId) -> Option<&VariantColumn> {
        self.variant_of[id as usize].map(|i| &self.variants[i as usize])
    }

    /// The VARIANT groups of the schema.
    pub fn variants(&self) -> &[VariantColumn] {
        &self.variants
    }

    /// Every leaf column, in column order.
    pub fn leaves(&self) -> &[LeafPlan] {
        &self.leaves
    }

    /// Empty stripes, one per leaf column.
    pub fn new_stripes(&self) -> Vec<crate::Stripe> {
        self.leaves
            .iter()
            .map(|l| crate::Stripe::new(l.physical))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;

    fn plan(text: &str) -> SchemaPlan {
        SchemaPlan::new(&Schema::parse(text).unwrap())
    }

    fn by_path<'a>(plan: &'a SchemaPlan, path: &str) -> &'a PlanNode {
        plan.nodes().iter().find(|n| n.path == path).unwrap()
    }

    #[test]
    fn leaves_match_the_schema_levels() {
        let schema = Schema::parse(fixtures::DOCUMENT_SCHEMA).unwrap();
        let plan = SchemaPlan::new(&schema);
        for (leaf, info) in plan.leaves().iter().zip(schema.leaves()) {
            assert_eq!(
                (&leaf.path, leaf.max_rep, leaf.max_def),
                (&info.path, info.max_rep, info.max_def)
            );
            let node = plan.node(leaf.node);
            assert_eq!((node.rep, node.def), (info.max_rep, info.max_def));
        }
    }

    #[test]
    fn contact_levels_shapes_and_absent_defs() {
        let plan = plan(crate::contact::CONTACT_SCHEMA);
        let phones = by_path(&plan, "phones");
        assert!(matches!(phones.shape, NodeShape::Transparent { .. }));
        assert_eq!((phones.def, phones.absent_def), (1, 0));
        let list = by_path(&plan, "phones.list");
        assert!(matches!(list.shape, NodeShape::Transparent { .. }));
        assert_eq!((list.rep, list.def, list.absent_def), (1, 2, 1));
        let item = by_path(&plan, "phones.list.item");
        assert!(matches!(item.shape, NodeShape::Object { .. }));
        assert_eq!((item.def, item.absent_def), (3, 2));
        assert_eq!(item.columns, 1..3);
    }

    #[test]
    fn map_entry_group_is_marked() {
        let plan = plan(
            "message m { optional group m (MAP) { repeated group key_value {
               required binary key (STRING); optional int64 value; } }
               repeated group g { required binary key (STRING); } }",
        );
        let entry = |path| match &by_path(&plan, path).shape {
            NodeShape::Object { map_entry, .. } => *map_entry,
            _ => panic!("{path} is an object"),
        };
        assert!(entry("m.key_value"));
        assert!(entry("g"));
        assert!(!entry(""));
    }

    #[test]
    fn lookup_hint_scan_and_hash() {
        let small = FieldLookup::new(vec!["a".into(), "b".into()]);
        assert_eq!(small.find("b", 1), Some(1));
        assert_eq!(small.find("a", 1), Some(0));
        assert_eq!(small.find("c", 0), None);
        let wide = FieldLookup::new((0..20).map(|i| format!("f{i}").into()).collect());
        assert_eq!(wide.find("f17", 3), Some(17));
        assert_eq!(wide.find("f3", 3), Some(3));
        assert_eq!(wide.find("g", 0), None);
    }

    #[test]
    fn conversion_of_each_physical_type() {
        let plan = plan(
            "message m { required boolean a; required int32 b; required int32 c (INTEGER(32,false));
               required int64 d (INTEGER(64,false)); required int96 e; required float f;
               required double g; required binary h; required fixed_len_byte_array(3) i;
               required int32 j (DATE); required int64 k (DECIMAL(18,2)); }",
        );
        let got: Vec<Conversion> = plan.leaves().iter().map(|l| l.conversion).collect();
        assert_eq!(
            got,
            vec![
                Conversion::Boolean,
                Conversion::Int32 { unsigned: false },
                Conversion::Int32 { unsigned: true },
                Conversion::Int64 { unsigned: true },
                Conversion::Int96Nanos,
                Conversion::Float,
                Conversion::Double,
                Conversion::Bytes,
                Conversion::FixedBytes { len: 3 },
                Conversion::Int32 { unsigned: false },
                Conversion::Int64 { unsigned: false },
            ]
        );
    }

    #[test]
    fn integer_ranges_by_width_and_signedness() {
        let mut v = Values::new(PhysicalType::INT32);
        let signed = Conversion::Int32 { unsigned: false };
        let unsigned = Conversion::Int32 { unsigned: true };
        assert!(signed.push_i64(-5, &mut v));
        assert!(!signed.push_u64(1 << 31, &mut v));
        assert!(unsigned.push_u64(u32::MAX as u64, &mut v));
        assert!(!unsigned.push_i64(-1, &mut v));
        assert!(!unsigned.push_u64(1 << 32, &mut v));
        assert!(!signed.push_f64(1.0, &mut v));
        assert_eq!(v, Values::Int32(vec![-5, -1]));
        let mut w = Values::new(PhysicalType::INT64);
        assert!(Conversion::Int64 { unsigned: true }.push_u64(u64::MAX, &mut w));
        assert!(!Conversion::Int64 { unsigned: false }.push_u64(u64::MAX, &mut w));
        assert_eq!(w, Values::Int64(vec![-1]));
    }

    #[test]
    fn floats_take_integers_and_special_strings() {
        let mut v = Values::new(PhysicalType::DOUBLE);
        assert!(Conversion::Double.push_u64(3, &mut v));
        assert!(Conversion::Double.push_i64(-2, &mut v));
        assert!(Conversion::Double.push_str("-Infinity", &mut v));
        assert!(!Conversion::Double.push_str("1.5", &mut v));
        assert!(!Conversion::Double.push_bool(true, &mut v));
        assert_eq!(v, Values::Double(vec![3.0, -2.0, f64::NEG_INFINITY]));
        let mut f = Values::new(PhysicalType::FLOAT);
        assert!(Conversion::Float.push_f64(0.1, &mut f));
        assert_eq!(f, Values::Float(vec![0.1f32]));
    }

    #[test]
    fn int96_is_nanoseconds_since_the_epoch() {
        let mut v = Values::new(PhysicalType::INT96);
        assert!(Conversion::Int96Nanos.push_i64(-1, &mut v));
        assert!(!Conversion::Int96Nanos.push_u64(u64::MAX, &mut v));
        assert!(!Conversion::Int96Nanos.push_f64(1.0, &mut v));
        assert_eq!(v, Values::Int96(vec![int96_from_nanos(-1)]));
    }

    #[test]
    fn fixed_len_bytes_check_the_length() {
        let mut v = Values::new(PhysicalType::FIXED_LEN_BYTE_ARRAY);
        let fixed = Conversion::FixedBytes { len: 2 };
        assert!(fixed.push_str("ab", &mut v));
        assert!(!fixed.push_str("abc", &mut v));
        assert!(fixed.push_bytes(&[0, 255], &mut v));
        assert!(!fixed.push_u64(1, &mut v));
        assert_eq!(v.len(), 2);
        let mut b = Values::new(PhysicalType::BYTE_ARRAY);
        assert!(Conversion::Bytes.push_str("☃", &mut b));
        assert!(!Conversion::Bytes.push_bool(false, &mut b));
    }
}
